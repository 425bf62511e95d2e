/*
 * The process side of the POSIX layer: the start-up step that builds the file tree,
 * opens fds 0, 1 and 2 on the console and splits xl's extra= into the environment
 * and argv (posix/cmdline.h); how the program starts (a thread with an interpreter's
 * stack, running the C library's start) and ends; the one line a missing call prints.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arch.h>
#include <skiff/thread.h>

#include "kernel/init.h"
#include "libc/printk.h"
#include "posix/cmdline.h"
#include "posix/fd.h"
#include "posix/rootfs.h"
#include "posix/sys.h"

static struct cmdline args;
static int (*libc_start)(int argc, char **argv, char **envp);
static struct thread *program; /* the thread running libc_start */

void sys_set_start(int (*start)(int argc, char **argv, char **envp))
{
	libc_start = start;
}

bool sys_in_main_thread(void)
{
	return program && thread_self() == program;
}

void sys_exit(int status)
{
	exit(status);
}

int sys_nosys(const char *name)
{
	/* Each name once: a program that retries in a loop must not flood the console. */
	static const char *said[32];
	static unsigned int nsaid;

	for (unsigned int i = 0; i < nsaid; i++)
		if (!strcmp(said[i], name))
			return -ENOSYS;
	if (nsaid < sizeof(said) / sizeof(said[0]))
		said[nsaid++] = name;
	printk("posix: %s() is not supported by Skiff (ENOSYS)\n", name);
	return -ENOSYS;
}

static int main_thread(void *arg)
{
	return libc_start(args.argc, args.argv, args.envp);
}

/* The kernel's app start (kernel/init.h): the program runs in a thread of its own, on
 * a stack an interpreter or a database can recurse in; its end is the appliance's. */
static int start_program(void)
{
	struct thread *t;
	int status;

	if (!libc_start) {
		printk("posix: no C library registered a start\n");
		return 1;
	}
	t = thread_create_stack("app", main_thread, NULL, SYS_MAIN_STACK);
	if (!t) {
		printk("posix: no memory for the program's %d KiB stack\n", SYS_MAIN_STACK / 1024);
		return 1;
	}
	program = t;
	if (thread_join(t, &status))
		return 1;
	program = NULL; /* freed by the join */
	return status;
}

static int posix_init(void)
{
	char err[160];
	int rc;

	rc = cmdline_parse(boot_info.cmdline, "app", &args, err, sizeof(err));
	if (rc) {
		/* A program must not start with arguments other than those it was given. */
		printk("posix: %s\n", err);
		exit(2);
	}
	rc = rootfs_init(boot_info.module, boot_info.module_size);
	if (rc) {
		printk("posix: cannot build the file tree (%s)\n", sys_errno_name(rc));
		exit(2);
	}
	kernel_app_start = start_program;
	return 0;
}
/* After xenbus (the disks under /dev are counted from xenstore). */
KERNEL_INIT(9, posix_init);
