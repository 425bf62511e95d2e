/*
 * Start-up steps of the layers above the kernel (xenbus: the xenstore client, then the
 * control/shutdown watch). The kernel cannot call them by name (it sits below them),
 * so each puts itself in a table the linker gathers, and the first thread runs the
 * table in order before main(). ORDER is a small number: lower runs first.
 */
#ifndef KERNEL_INIT_H
#define KERNEL_INIT_H

struct kernel_init {
	const char *name;
	int (*fn)(void); /* 0, or a negative errno that the kernel logs */
};

#define KERNEL_INIT(order, function)                                                               \
	static const struct kernel_init kernel_init_##function                                     \
		__attribute__((used, section(".skiff_init." #order))) = {#function, function}

/*
 * How the application starts once the steps have run: main() by default. A layer above
 * (posix/: argc and argv, a C library's own exit) points this at its start from one of
 * its steps. What it returns is the exit status.
 */
extern int (*kernel_app_start)(void);

#endif
