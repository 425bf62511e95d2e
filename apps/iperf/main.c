/*
 * iperf: lwIP's lwiperf, an iperf 2 compatible TCP server on port 5001, for measuring
 * throughput (`iperf -c <guest address>` from dom0 or another guest; with -r, the
 * guest then sends for as long to the client's iperf, which listens on its port 5001).
 * Each finished test is printed with its byte count, duration and rate.
 */
#include <stdio.h>
#include <skiff/net.h>
#include <skiff/thread.h>

#include "lwip/apps/lwiperf.h"
#include "lwip/tcpip.h"

static void report(void *arg, enum lwiperf_report_type type, const ip_addr_t *local_addr,
		   u16_t local_port, const ip_addr_t *remote_addr, u16_t remote_port,
		   u32_t bytes_transferred, u32_t ms_duration, u32_t bandwidth_kbitpsec)
{
	/* A test of dom0's iperf -c ... -r ends with the one the guest sends back. */
	printf("iperf: %s %s: %lu bytes in %lu ms, %lu kbit/s\n",
	       type == LWIPERF_TCP_DONE_SERVER	 ? "done from"
	       : type == LWIPERF_TCP_DONE_CLIENT ? "sent to"
						 : "aborted with",
	       ipaddr_ntoa(remote_addr), (unsigned long)bytes_transferred,
	       (unsigned long)ms_duration, (unsigned long)bandwidth_kbitpsec);
}

/* lwiperf uses lwIP's raw API, which belongs to the tcpip thread: start it there. */
static void start_server(void *arg)
{
	if (!lwiperf_start_tcp_server_default(report, NULL))
		printf("iperf: cannot start the server\n");
	else
		printf("iperf: listening on port %d\n", LWIPERF_TCP_PORT_DEFAULT);
}

int main(void)
{
	int rc = skiff_net_start();

	if (rc) {
		printf("iperf: no network (%d)\n", rc);
		return 1;
	}
	tcpip_callback(start_server, NULL);
	for (;;)
		sleep(3600);
}
