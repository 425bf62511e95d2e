# pthreads over Skiff's cooperative threads, from a program written against POSIX only,
# over newlib: each check printed for tests/xen/areas/posix.sh.
APP_LIBC := newlib
APP_CFLAGS += -Werror
