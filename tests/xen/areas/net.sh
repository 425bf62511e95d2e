# tests/xen area "net": netfront and lwIP: static and DHCP addresses, bad settings, ping, TCP, UDP, HTTP, iperf, detach
# Sourced by tests/xen/run-all.sh, which builds net_apps, runs net_setup on this
# machine (configs and files into $job), puts net_job's text into the one job dom0
# runs, boots the test host once for every area asked for, then runs net_check.
# shellcheck shell=bash

net_apps="echo httpd iperf"

net_setup() {
# echo: static address, DHCP, and a malformed MAC. dom0 is 10.0.0.1 on xenbr0.
{
	"$top/tools/xlcfg.sh" echo echo 64 preserve "ip=10.0.0.2 netmask=255.255.255.0 gw=10.0.0.1"
	echo "vif = [ 'mac=00:16:3e:5a:1f:01,bridge=xenbr0' ]"
} >"$job/echo.cfg"
{
	"$top/tools/xlcfg.sh" echo-dhcp echo 64 preserve ""
	echo "vif = [ 'mac=00:16:3e:5a:1f:02,bridge=xenbr0' ]"
} >"$job/echo-dhcp.cfg"
{
	"$top/tools/xlcfg.sh" echo-badmac echo 64 preserve "ip=10.0.0.3 netmask=255.255.255.0"
	echo "vif = [ 'mac=00:16:3e:5a:1f:03,bridge=xenbr0' ]"
} >"$job/echo-badmac.cfg"
{
	"$top/tools/xlcfg.sh" httpd httpd 64 preserve "ip=10.0.0.4 netmask=255.255.255.0 gw=10.0.0.1"
	echo "vif = [ 'mac=00:16:3e:5a:1f:04,bridge=xenbr0' ]"
} >"$job/httpd.cfg"
{
	"$top/tools/xlcfg.sh" iperf iperf 64 preserve "ip=10.0.0.5 netmask=255.255.255.0 gw=10.0.0.1"
	echo "vif = [ 'mac=00:16:3e:5a:1f:05,bridge=xenbr0' ]"
} >"$job/iperf.cfg"
# The smallest domains the network appliances are promised to serve in.
{
	"$top/tools/xlcfg.sh" echo-4mib echo 4 preserve "ip=10.0.0.8 netmask=255.255.255.0 gw=10.0.0.1"
	echo "vif = [ 'mac=00:16:3e:5a:1f:06,bridge=xenbr0' ]"
} >"$job/echo-4mib.cfg"
{
	"$top/tools/xlcfg.sh" httpd-4mib httpd 4 preserve "ip=10.0.0.9 netmask=255.255.255.0 gw=10.0.0.1"
	echo "vif = [ 'mac=00:16:3e:5a:1f:07,bridge=xenbr0' ]"
} >"$job/httpd-4mib.cfg"
# Bad address settings on the command line: a clear error, no network, no fault.
"$top/tools/xlcfg.sh" echo-badip echo 32 preserve "ip=10.0.0.300 gw=10.0.0.1" >"$job/echo-badip.cfg"
"$top/tools/xlcfg.sh" echo-badmask echo 32 preserve "ip=10.0.0.7 netmask=255.0.255.0" >"$job/echo-badmask.cfg"
gcc -static -O2 -Wall -Werror -o "$job/nettest" "$top/tests/xen/nettest.c"
net_forward=8080
}

# Before each host boot of a mode: from this machine, fetch httpd's /stats through the
# test host's port forward (8080) once the job has it up; the job waits for this request
# to reach the guest.
net_boot() {
[ -z "${net_poller:-}" ] || kill "$net_poller" 2>/dev/null || true
rm -rf "$work/host" && mkdir -p "$work/host"
(
	for i in $(seq 600); do
		if curl -s -f --max-time 5 -o "$work/host/stats.json" \
			'http://127.0.0.1:8080/stats?client=host' 2>/dev/null; then
			break
		fi
		sleep 2
	done
) &
net_poller=$!
}
# After it: what the poller fetched is that mode's.
net_booted() {
[ -z "${net_poller:-}" ] || kill "$net_poller" 2>/dev/null || true
cp "$work/host/stats.json" "$results/host-stats.json" 2>/dev/null || true
}

net_job() {
	cat <<'JOB'
# echo, static address: ping, 10 MiB through TCP, every UDP size, round trips.
if guest_start echo echo.cfg && guest_wait_line echo '^echo: listening' 120; then
	ping -c 3 -W 5 10.0.0.2 >$OUT/echo-ping.txt 2>&1
	# What the frontend offered netback (feature-no-csum-offload: absent is 0).
	fe=/local/domain/$(xl domid echo)/device/vif/0
	for node in feature-sg feature-gso-tcpv4 feature-no-csum-offload; do
		printf '%s=%s ' $node "$(xenstore-read $fe/$node 2>/dev/null || echo absent)"
	done >$OUT/echo-vif-features.txt
	# Split event channels: netback offers them, the guest published one for each ring.
	be=$(xenstore-read $fe/backend)
	printf 'backend-split=%s event-channel=%s tx=%s rx=%s\n' \
		"$(xenstore-read $be/feature-split-event-channels 2>/dev/null || echo absent)" \
		"$(xenstore-read $fe/event-channel 2>/dev/null || echo absent)" \
		"$(xenstore-read $fe/event-channel-tx 2>/dev/null || echo absent)" \
		"$(xenstore-read $fe/event-channel-rx 2>/dev/null || echo absent)" \
		>$OUT/echo-vif-events.txt
	# The vif's own counters around the stream: its tx is what netback handed the
	# guest, so bytes per packet past a frame's 1514 means GSO packets went through.
	vif=/sys/class/net/vif$(xl domid echo).0/statistics
	p0=$(cat $vif/tx_packets) b0=$(cat $vif/tx_bytes)
	# Meanwhile, the checksums of 3000 TCP frames the guest sends, as dom0 gets them.
	./nettest tcp-csum vif$(xl domid echo).0 3000 120 >$OUT/echo-tx-csum.txt 2>&1 &
	csum=$!
	./nettest tcp-echo 10.0.0.2 7 104857600 >$OUT/echo-tcp.txt 2>&1
	wait $csum
	echo "packets=$(($(cat $vif/tx_packets) - p0)) bytes=$(($(cat $vif/tx_bytes) - b0))" \
		>$OUT/echo-vif-tx.txt
	./nettest udp-echo 10.0.0.2 7 1 1472 >$OUT/echo-udp.txt 2>&1
	./nettest rtt 10.0.0.2 7 200 >$OUT/echo-rtt.txt 2>&1
	xl shutdown echo
fi
guest_wait echo 60
# The frontend's state once the guest is down (the domain is kept): it must have closed.
xenstore-read /local/domain/$(xl domid echo)/device/vif/0/state >$OUT/echo-vif-state-after.txt 2>&1
xl destroy echo

# echo and httpd in 4 MiB domains: 10 MiB through TCP, and a page.
if guest_start echo-4mib echo-4mib.cfg && guest_wait_line echo-4mib '^echo: listening' 120; then
	./nettest tcp-echo 10.0.0.8 7 10485760 >$OUT/echo-4mib-tcp.txt 2>&1
	xl shutdown echo-4mib
fi
guest_wait echo-4mib 60
xl destroy echo-4mib
if guest_start httpd-4mib httpd-4mib.cfg && guest_wait_line httpd-4mib '^httpd: serving' 120; then
	wget -q -O $OUT/httpd-4mib.html http://10.0.0.9/ 2>$OUT/httpd-4mib-wget.err
	xl shutdown httpd-4mib
fi
guest_wait httpd-4mib 60
xl destroy httpd-4mib

# echo with no ip=: its address comes from udhcpd on xenbr0.
mkdir -p /var/lib/misc && : >/var/lib/misc/udhcpd.leases
printf '%s\n' 'start 10.0.0.100' 'end 10.0.0.150' 'interface xenbr0' \
	'option subnet 255.255.255.0' 'option router 10.0.0.1' 'option lease 3600' >/tmp/udhcpd.conf
udhcpd -S /tmp/udhcpd.conf
if guest_start echo-dhcp echo-dhcp.cfg && guest_wait_line echo-dhcp '^echo: listening' 120; then
	addr=$(sed -n 's/^net: vif0 \([0-9.]*\)\/.*(dhcp).*/\1/p' "$(guest_console echo-dhcp)")
	ping -c 3 -W 5 "$addr" >$OUT/echo-dhcp-ping.txt 2>&1
	xl shutdown echo-dhcp
fi
guest_wait echo-dhcp 60
xl destroy echo-dhcp
killall udhcpd

guest_run echo-badip echo-badip.cfg 60
guest_run echo-badmask echo-badmask.cfg 60

# A malformed mac in xenstore, written while the guest is paused, before it runs.
if xl create -p echo-badmac.cfg >$OUT/echo-badmac.create.log 2>&1; then
	xenstore-write /local/domain/$(xl domid echo-badmac)/device/vif/0/mac 00:16:3e:zz:1f:03
	: >$OUT/echo-badmac.result
	echo "create_s=$(uptime_s)" >>$OUT/echo-badmac.result
	xl unpause echo-badmac
	guest_wait echo-badmac 60
fi
xl destroy echo-badmac

# httpd: fetched from dom0 (busybox wget, and nettest for keep-alive), and from the
# machine running the test host, through QEMU's port forward and a relay in dom0.
if guest_start httpd httpd.cfg && guest_wait_line httpd '^httpd: serving' 120; then
	# TCP checksums: SYNs written straight onto the vif, as no local sender leaves them
	# (netback flags them neither blank nor validated), some with a wrong sum.
	./nettest tcp-badsum vif$(xl domid httpd).0 00:16:3e:5a:1f:04 10.0.0.4 80 \
		>$OUT/httpd-badsum.txt 2>&1
	wget -q -O $OUT/httpd-index.html http://10.0.0.4/ 2>$OUT/httpd-wget.err
	wget -q -O $OUT/httpd-stats.json http://10.0.0.4/stats 2>>$OUT/httpd-wget.err
	wget -q -O /dev/null http://10.0.0.4/nope 2>$OUT/httpd-404.txt
	./nettest http 10.0.0.4 80 /stats 5 >$OUT/httpd-keepalive.txt 2>&1
	./nettest relay 8080 10.0.0.4 80 &
	relay=$!
	guest_wait_line httpd 'client=host' 300
	kill $relay
	timed $OUT/httpd-detach.txt xl network-detach httpd 0
	xl shutdown httpd
fi
guest_wait httpd 60
xl destroy httpd

# iperf: 5 s of TCP from dom0's iperf 2 into lwiperf. (A PVH guest triple-faulted by
# the emulated CPU under such load is run again with its whole boot: run-all.sh.)
if guest_start iperf iperf.cfg && guest_wait_line iperf '^iperf: listening' 120; then
	# -r: then 5 s back, the guest's lwiperf connecting to this iperf's port 5001.
	timeout 60 iperf -c 10.0.0.5 -t 5 -r -f m >$OUT/iperf.txt 2>&1
	guest_wait_line iperf '^iperf: sent to' 30
	xl shutdown iperf
fi
guest_wait iperf 60
xl destroy iperf
JOB
}

net_check() {
# netfront and lwIP, through the echo appliance.
expect_lines echo_gets_static_address echo '^netfront vif0: 00:16:3e:5a:1f:01' \
	'^net: vif0 10\.0\.0\.2/24 gw 10\.0\.0\.1 \(static\)' '^echo: listening'
expect_file dom0_pings_the_guest echo-ping.txt '^3 packets transmitted, 3 (packets )?received'
expect_file tcp_echo_100_mib_intact echo-tcp.txt '^nettest: tcp-echo: 104857600 bytes echoed intact'
# Receive offloads: offered, used by netback (seen from dom0's side of the vif), and
# counted by the guest (its line as the interface closes).
expect_file vif_offers_sg_and_gso_with_checksum_offload echo-vif-features.txt \
	'^feature-sg=1 feature-gso-tcpv4=1 feature-no-csum-offload=absent $'
expect_lines netfront_counts_gso_and_completed_checksums echo \
	'^netfront vif0: received [0-9]+ packets, [0-9]+ bytes \([1-9][0-9]* GSO, [0-9]+ ring slots, [1-9][0-9]* with a blank checksum, [1-9][0-9]* pages lent\); sent [0-9]+ frames'
# Transmit checksum offload: TCP frames leave with the pseudo-header's sum for netback
# to complete (dom0 sees them partial), and the guest counts them.
expect_file tcp_frames_sent_carry_right_partial_checksums echo-tx-csum.txt \
	'^nettest: tcp-csum: 3000 TCP frames from the guest: [1-9][0-9]* partial with the right pseudo-header sum, [0-9]+ complete and right, 0 wrong'
expect_lines netfront_leaves_tcp_checksums_to_the_backend echo \
	'^netfront vif0: received .*; sent [0-9]+ frames \([1-9][0-9]* checksums left to the backend\)$'
expect_file udp_echo_every_size_1_to_1472 echo-udp.txt '^nettest: udp-echo: sizes 1\.\.1472, 0 without'
expect_file tcp_round_trips echo-rtt.txt '^nettest: rtt: 200 round trips'
# Floors a working driver clears by far on this host (measured: median 0.66-1.13 ms,
# 5.6-12.5 MB/s, 72-315 Mbit/s) and a broken one would not: a lost notification costs a
# timer tick or a retransmit (tens to hundreds of ms) on many packets.
floor() { # TEST FILE AWK-PROGRAM: FILE's number judged by the program
	local v
	v=$(awk "$3" "$results/$2" 2>/dev/null || true)
	if [ -n "$v" ] && [ "${v%% *}" = ok ]; then pass "$1 (${v#ok })"; else fail "$1" "got '${v#* }'"; fi
}
floor tcp_round_trip_median_under_20_ms echo-rtt.txt \
	'/median/ { for (i = 1; i < NF; i++) if ($i == "median") m = $(i + 1) } END { print (m != "" && m + 0 < 20 ? "ok " : "no ") m " ms" }'
floor tcp_echo_faster_than_1_mb_s echo-tcp.txt \
	'/MB\/s/ { for (i = 2; i <= NF; i++) if ($i == "MB/s") r = $(i - 1) } END { print (r != "" && r + 0 > 1 ? "ok " : "no ") r " MB/s" }'
floor iperf_faster_than_20_mbit_s iperf.txt \
	'/Mbits\/sec/ { for (i = 2; i <= NF; i++) if ($i == "Mbits/sec" && r == "") r = $(i - 1) } END { print (r != "" && r + 0 > 20 ? "ok " : "no ") r " Mbit/s" }'
floor iperf_out_faster_than_20_mbit_s iperf.txt \
	'/Mbits\/sec/ { for (i = 2; i <= NF; i++) if ($i == "Mbits/sec") { n++; if (n == 2) r = $(i - 1) } } END { print (r != "" && r + 0 > 20 ? "ok " : "no ") r " Mbit/s" }'
floor dom0_hands_the_guest_gso_packets echo-vif-tx.txt \
	'/packets=/ { split($1, p, "="); split($2, b, "="); a = p[2] ? b[2] / p[2] : 0 } END { print (a > 3000 ? "ok " : "no ") int(a) " bytes a packet" }'
# Split event channels, read from dom0, and the guest's word for them.
floor vif_uses_split_event_channels echo-vif-events.txt \
	'{ split($3, t, "="); split($4, r, "=") } END { print ($1 == "backend-split=1" && $2 == "event-channel=absent" && t[2] ~ /^[0-9]+$/ && r[2] ~ /^[0-9]+$/ && t[2] != r[2] ? "ok " : "no ") $0 }'
expect_lines netfront_says_its_event_channels_are_split echo \
	'^netfront vif0: 00:16:3e:5a:1f:01, backend .*, split event channels$'
expect_file echo_vif_closed_after_shutdown echo-vif-state-after.txt '^6$'
expect_lines echo_disconnects_on_xl_shutdown echo '^Skiff: the toolstack asks for poweroff$' \
	'^netfront vif0: disconnected$' '^Skiff: powering off$'
expect_end echo_powers_off echo poweroff
expect_lines dhcp_gives_the_guest_an_address echo-dhcp \
	'^net: vif0 10\.0\.0\.1[0-4][0-9]/24 gw 10\.0\.0\.1 \(dhcp\)' '^echo: listening'
expect_file dom0_pings_the_dhcp_guest echo-dhcp-ping.txt '^3 packets transmitted, 3 (packets )?received'
# The interface stays down with a clear error; the app learns it and exits on its own
# terms (exit(1), which xl reports as a crash): no fault, no hang.
expect_lines malformed_mac_keeps_interface_down echo-badmac \
	"^netfront vif0: malformed mac '00:16:3e:zz:1f:03' \(EINVAL\): the interface stays down" \
	'^echo: no network' '^Skiff: exit\(1\), crashing the domain to report the failure'
if grep -q 'Fatal exception' "$results/echo-badmac.console" 2>/dev/null; then
	fail malformed_mac_is_no_fault "the guest faulted"
else
	expect_end malformed_mac_is_no_fault echo-badmac crash
fi

expect_lines bad_ip_on_the_command_line_is_a_clear_error echo-badip \
	'^net: bad ip=10\.0\.0\.300 on the command line$' '^echo: no network'
expect_lines bad_netmask_on_the_command_line_is_a_clear_error echo-badmask \
	'^net: netmask 255\.0\.255\.0 is not a run of ones$' '^echo: no network'
for name in echo-badip echo-badmask; do
	if grep -q 'Fatal exception' "$results/$name.console" 2>/dev/null; then
		fail "${name}_is_no_fault" "the guest faulted"
	else
		expect_end "${name}_is_no_fault" $name crash # exit(1): the app's own report
	fi
done

# In 4 MiB (PV: the image, with no pbuf pool in it, and Xen's 512 KiB of padding
# after it fit below the loader's first 4 MiB boundary).
expect_file echo_serves_in_4_mib echo-4mib-tcp.txt '^nettest: tcp-echo: 10485760 bytes echoed intact'
expect_end echo_in_4_mib_powers_off echo-4mib poweroff
expect_file httpd_serves_in_4_mib httpd-4mib.html '<title>Skiff appliance httpd-4mib</title>'

# httpd.
expect_file httpd_serves_the_page httpd-index.html '<li>Xen 4\.17\.[0-9]+, domain [0-9]+</li>'
expect_file httpd_page_shows_uptime_and_counters httpd-index.html '<li>received: [1-9][0-9]* frames'
expect_file httpd_stats_is_json httpd-stats.json '^\{"uptime_s": [0-9]+, "xen": "4\.17\.[0-9]+", "domid": [0-9]+, "name": "httpd", "ip": "10\.0\.0\.4"'
# The counters of the fast paths: TCP frames whose checksum netback completed.
expect_file httpd_stats_counts_checksums_left_to_the_backend httpd-stats.json \
	'^ "tx": \{"frames": [1-9][0-9]*, .*"csum_blank": [1-9][0-9]*\}\}$'
# The guest checks the TCP sums netback does not vouch for (lwIP's own check is off),
# and counts those it takes on netback's word (dom0's wget: blank) and those it dropped.
expect_file guest_drops_tcp_with_a_wrong_checksum httpd-badsum.txt \
	'^nettest: tcp-badsum: SYN with a wrong checksum unanswered, SYN with a right one answered$'
expect_file httpd_stats_counts_tcp_sums_trusted_and_dropped httpd-stats.json \
	'"csum_trusted": [1-9][0-9]*, "bad_csum": [1-9][0-9]*\}'
# And the pages netfront lent (none here: no packet larger than a frame) and the
# segments sent that only acknowledge (the ACK of each wget's FIN, at least).
expect_file httpd_stats_counts_lent_pages httpd-stats.json '"slots": [1-9][0-9]*, "lent": 0, '
expect_file httpd_stats_counts_acks httpd-stats.json '"acks": [1-9][0-9]*, "csum_blank"'
expect_file httpd_unknown_page_is_404 httpd-404.txt '404'
expect_file httpd_keeps_the_connection_alive httpd-keepalive.txt '^nettest: http: 5 answers on one connection'
if grep -q '"name": "httpd"' "$results/host-stats.json" 2>/dev/null; then
	pass httpd_reachable_from_this_machine_through_port_8080
else
	fail httpd_reachable_from_this_machine_through_port_8080 "curl of 127.0.0.1:8080 got nothing"
fi
expect_lines netfront_follows_xl_network_detach httpd \
	'^netfront vif0: the backend is going away \(Closing\): detaching$' \
	'^net: vif0 link down$' '^netfront vif0: disconnected$'
# libxl removes the vif by force after 10 s: the guest must have reached Closed before.
expect_done_within xl_network_detach_succeeds_within_8_s httpd-detach.txt 8
expect_end httpd_powers_off httpd poweroff

# iperf.
expect_file iperf_from_dom0_measures_throughput iperf.txt 'Mbits/sec'
expect_lines lwiperf_reports_the_test iperf '^iperf: done from 10\.0\.0\.1: [0-9]+ bytes'
# The stream out: lwiperf's word that it sent, and dom0's iperf's that it received
# (its second rate: the tradeoff test's connection from 10.0.0.5).
expect_lines lwiperf_sends_a_tcp_stream_to_dom0 iperf '^iperf: sent to 10\.0\.0\.1: [1-9][0-9]* bytes'
expect_file dom0_receives_the_guests_tcp_stream iperf.txt \
	'^\[ *[0-9]+\] local 10\.0\.0\.1 port 5001 connected with 10\.0\.0\.5 port [0-9]+$'
}
