# A network server written against POSIX only (no Skiff or lwIP header): newlib, the
# POSIX layer's sockets over lwIP (posix/socket.c).
APP_LIBC := newlib
APP_LWIP := 1
# make run forwards this machine's port 8080 to this port of the appliance.
APP_PORT := 7
APP_CFLAGS += -Werror
