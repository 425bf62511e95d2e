# iperf is a network appliance: link lwIP (net/README.md), with its lwiperf app.
APP_LWIP := 1
# make run forwards this machine's port 8080 to this port of the appliance.
APP_PORT := 5001
# The examples are held to the library's standard: a warning fails the build.
APP_CFLAGS += -Werror
