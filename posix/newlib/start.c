/*
 * How a newlib program starts and ends. Linked beside the app's own objects, not into
 * the library: its exit() must be newlib's (atexit handlers, stdio flushed), which the
 * library's own exit() would otherwise stand in for. The build gives the app's name as
 * SKIFF_APP_NAME: it is argv[0].
 */
#include <stdlib.h>

#include "kernel/init.h"
#include "posix/sys.h"

extern char **environ;
int main(int argc, char **argv, char **envp);

static int newlib_start(int argc, char **argv, char **envp)
{
	argv[0] = SKIFF_APP_NAME;
	environ = envp;
	exit(main(argc, argv, envp));
}

static int newlib_init(void)
{
	sys_set_start(newlib_start);
	return 0;
}
KERNEL_INIT(8, newlib_init);
