# A program written against POSIX only (no Skiff header), over newlib: what the POSIX
# layer offers, each checked and printed for tests/xen/areas/posix.sh.
APP_LIBC := newlib
APP_CFLAGS += -Werror
