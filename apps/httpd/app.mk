# httpd is a network appliance: link lwIP and its headers (net/README.md).
APP_LWIP := 1
# make run forwards this machine's port 8080 to this port of the appliance.
APP_PORT := 80
# The examples are held to the library's standard: a warning fails the build.
APP_CFLAGS += -Werror
