/*
 * lwIP's configuration for Skiff (every option is documented in lwIP's
 * src/include/lwip/opt.h; only the ones that differ from its defaults, or that matter
 * for the reasoning, are set here). The choices are explained in lib/lwip/README.md.
 */
#ifndef SKIFF_LWIPOPTS_H
#define SKIFF_LWIPOPTS_H

/* Threads: the sequential APIs (netconn, sockets) and the tcpip thread. */
#define NO_SYS 0
/*
 * API calls run in the caller's thread under the core mutex instead of a message round
 * trip through the tcpip thread: one thread switch fewer per call, which matters with
 * cooperative threads. lwIP drops the mutex before every wait.
 */
#define LWIP_TCPIP_CORE_LOCKING 1
/* lwIP's own check that the raw API is only used with the core mutex held. */
#define LWIP_ASSERT_CORE_LOCKED() sys_check_core_locking()
#define LWIP_MARK_TCPIP_THREAD()  sys_mark_tcpip_thread()
void sys_check_core_locking(void);
void sys_mark_tcpip_thread(void);
/* One stack size for every Skiff thread (THREAD_STACK_SIZE); lwIP's value is ignored. */
#define TCPIP_THREAD_STACKSIZE	 (16 * 1024)
#define DEFAULT_THREAD_STACKSIZE (16 * 1024)
/* Holds the frames of a whole rx ring plus API callbacks: the rx path never waits. */
#define TCPIP_MBOX_SIZE		  512
#define MEMP_NUM_TCPIP_MSG_INPKT  256
#define DEFAULT_TCP_RECVMBOX_SIZE 64
#define DEFAULT_UDP_RECVMBOX_SIZE 64
#define DEFAULT_RAW_RECVMBOX_SIZE 16
#define DEFAULT_ACCEPTMBOX_SIZE	  16

/*
 * Memory. mem_malloc() is Skiff's malloc: one heap for the appliance and lwIP, nothing
 * to size twice. The fixed-size pools (pbufs, PCBs, segments) stay static arrays, so a
 * flood of frames runs the pbuf pool dry and is dropped, instead of eating the heap.
 * Received packets are not in a pool of lwIP's: larger ones stay in netfront's pages,
 * lent to lwIP, frames are copied into receive buffers skiff_netif makes at run time
 * (each bounded by a sixteenth of the domain's memory; net/skiff_netif.c). So what a
 * domain can buffer grows with its memory, not with its image.
 */
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 0
#define MEM_ALIGNMENT	8
/* Empty: received packets go into netfront's lent pages or skiff_netif's own receive
 * buffers, made at run time (so the image does not carry them). Nothing else in lwIP
 * allocates from the pool. */
#define PBUF_POOL_SIZE		0
#define MEMP_NUM_PBUF		64
#define MEMP_NUM_NETCONN	32
#define MEMP_NUM_NETBUF		64
#define MEMP_NUM_TCP_PCB	32
#define MEMP_NUM_TCP_PCB_LISTEN 8
#define MEMP_NUM_UDP_PCB	8
#define MEMP_NUM_TCP_SEG	512
/* Received GSO packets are netfront's pages, wrapped (skiff_netif.c): custom pbufs. */
#define LWIP_SUPPORT_CUSTOM_PBUF 1

/* Protocols: IPv4 only (see README.md for why), with ARP over Ethernet. */
#define LWIP_IPV4     1
#define LWIP_IPV6     0
#define LWIP_ARP      1
#define LWIP_ETHERNET 1
#define LWIP_ICMP     1
#define LWIP_RAW      0
#define LWIP_UDP      1
#define LWIP_TCP      1
#define LWIP_DHCP     1
#define LWIP_DNS      1
#define LWIP_IGMP     0
#define LWIP_AUTOIP   0
/* The domain name as DHCP's host name option; address changes reported to skiff_netif.c. */
#define LWIP_NETIF_HOSTNAME	   1
#define LWIP_NETIF_STATUS_CALLBACK 1

/*
 * TCP sized for throughput on a virtual LAN. The receive window bounds a connection to
 * window / round trip: 46 KiB at the 3-4 ms a busy emulated host takes was ~100 Mbit/s
 * (make bench). So: a 256 KiB window, announced with window scaling (RFC 7323, shift
 * 3). GSO packets fill it from netfront's lent pages, frames from skiff_netif's
 * receive buffers (a 64 MiB domain has 2 MiB of each).
 * lwiperf's median over 6 runs of 8 s went from 785 to 842 Mbit/s with 128 -> 256 KiB.
 */
#define TCP_MSS	       1460
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE  3
#define TCP_WND	       (256 * 1024)
/* Sending is bound the same way, by what may be unacknowledged: iperf -r from the
 * guest went 84-96 Mbit/s with 32 segments (46 KiB), 135-209 with 128 KiB, and no
 * better with 256 KiB (117-176). Send buffers are heap, taken only while used. The low
 * mark (when select() says writable) must stay below 64 KiB, lwIP's check. */
#define TCP_SND_BUF  (128 * 1024)
#define TCP_SNDLOWAT (32 * 1024)
/* Fewer ACKs: a window update is sent once the app has read a quarter of the window,
 * not every 5,840 bytes (lwIP's default: each 64 KiB GSO packet read made one). The
 * delayed ACK still answers every second segment, as TCP asks. In an 8 s iperf into
 * the guest: 0.71 -> 0.50 ACKs a received packet, the rate unchanged within noise. */
#define TCP_WND_UPDATE_THRESHOLD (TCP_WND / 4)
#define LWIP_TCP_KEEPALIVE	 1
#define TCP_LISTEN_BACKLOG	 1
#define LWIP_CHECKSUM_ON_COPY	 1

/* Checksums in software, with the 32-bit-at-a-time routine. */
/* Per interface, so that TCP's checksum can be left to the backend (skiff_netif.c). */
#define LWIP_CHECKSUM_CTRL_PER_NETIF 1
#define CHECKSUM_GEN_IP		     1
#define CHECKSUM_GEN_UDP	     1
#define CHECKSUM_GEN_TCP	     1
#define CHECKSUM_GEN_ICMP	     1
#define CHECKSUM_CHECK_IP	     1
#define CHECKSUM_CHECK_UDP	     1
#define CHECKSUM_CHECK_TCP	     1
#define CHECKSUM_CHECK_ICMP	     1
#define LWIP_CHKSUM_ALGORITHM	     3

/* Sequential APIs. */
#define LWIP_NETCONN	 1
#define LWIP_SOCKET	 1
#define LWIP_SO_RCVTIMEO 1
#define LWIP_SO_SNDTIMEO 1
#define SO_REUSE	 1
/* SO_LINGER, which servers set and expect to work. */
#define LWIP_SO_LINGER 1
/* errno values from Skiff's <errno.h> (Linux's numbers); errno itself is in sys_arch.c. */
#define LWIP_ERRNO_STDINCLUDE 1

/* Statistics: the netif's drop counters and netfront's own cover what we need. */
#define LWIP_STATS 0

#endif
