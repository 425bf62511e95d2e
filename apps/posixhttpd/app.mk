# An HTTP server written against POSIX only (no Skiff or lwIP header): newlib, the
# POSIX layer's sockets over lwIP, files from its ramdisk (rootfs/).
APP_LIBC := newlib
APP_LWIP := 1
# make run forwards this machine's port 8080 to this port of the appliance.
APP_PORT := 80
APP_CFLAGS += -Werror
