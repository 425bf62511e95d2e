# iperf is a network appliance: link lwIP (lib/lwip), with its lwiperf app.
APP_LWIP := 1
# make run forwards this machine's port 8080 to this port of the appliance.
APP_PORT := 5001
