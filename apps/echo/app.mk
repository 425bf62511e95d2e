# echo is a network appliance: link lwIP (lib/lwip) and its headers.
APP_LWIP := 1
# make run forwards this machine's port 8080 to this port of the appliance.
APP_PORT := 7
