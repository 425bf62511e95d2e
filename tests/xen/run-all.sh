#!/usr/bin/env bash
# The tests that boot Skiff appliances under Xen. All guests run in one boot of the
# emulated test host (tools/testhost), one after the other; then each test checks what
# dom0 saw. Prints one PASS/FAIL line per test and ends with "N passed, N failed".
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
work=$top/build/xen-test
job=$work/job
results=$work/results
. "$top/tests/xen/lib.sh"

apps="hello crash xsls xstest blkcheck blkedge echo httpd iperf shadow"
# An app that does not build is a failure, not a skip: its guest then fails to start and
# every test of it fails too.
mkdir -p "$work"
built=""
for app in $apps; do
	if make -s -C "$top" APP=$app >"$work/build-$app.log" 2>&1; then
		built="$built $app"
	else
		fail "${app}_builds" "make APP=$app: $(grep -m 2 -E 'error|multiple definition|undefined reference' "$work/build-$app.log" | tr '\n' ' ')"
	fi
done

rm -rf "$job" "$results"
mkdir -p "$job" "$results"
for app in $built; do
	cp "$top/build/$app/$app" "$job/"
done
"$top/tools/xlcfg.sh" hello hello 32 preserve >"$job/hello.cfg"
"$top/tools/xlcfg.sh" crash crash 32 preserve >"$job/crash.cfg"
for mode in write-text exec-data stack exit3; do
	"$top/tools/xlcfg.sh" "crash-$mode" crash 32 preserve "mode=$mode" >"$job/crash-$mode.cfg"
done
for name in xsls xstest; do
	"$top/tools/xlcfg.sh" $name $name 32 preserve >"$job/$name.cfg"
done
"$top/tools/xlcfg.sh" shadow shadow 32 preserve >"$job/shadow.cfg"
"$top/tools/xlcfg.sh" xstest-reboot xstest 32 preserve >"$job/xstest-reboot.cfg"
"$top/tools/xlcfg.sh" xstest-stall xstest 32 preserve stall >"$job/xstest-stall.cfg"
# blkcheck: a 32 MiB read-write disk it fills with seed 7, and a read-only one.
blk_seed=7
{
	"$top/tools/xlcfg.sh" blkcheck blkcheck 64 preserve "seed=$blk_seed wait"
	echo "disk = [ 'format=raw,vdev=xvda,access=rw,target=/tmp/blk-rw.img',"
	echo "         'format=raw,vdev=xvdb,access=ro,target=/tmp/blk-ro.img' ]"
} >"$job/blkcheck.cfg"
# blkedge: its disk (a loop device of 4 KiB sectors) is added by the job in dom0.
"$top/tools/xlcfg.sh" blkedge blkedge 32 preserve >"$job/blkedge.cfg"
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
# Bad address settings on the command line: a clear error, no network, no fault.
"$top/tools/xlcfg.sh" echo-badip echo 32 preserve "ip=10.0.0.300 gw=10.0.0.1" >"$job/echo-badip.cfg"
"$top/tools/xlcfg.sh" echo-badmask echo 32 preserve "ip=10.0.0.7 netmask=255.0.255.0" >"$job/echo-badmask.cfg"
gcc -static -O2 -Wall -Werror -o "$job/nettest" "$top/tests/xen/nettest.c"
# The smallest memory hello is known to run in (README's figure); a regression fails here.
"$top/tools/xlcfg.sh" hello-small hello 2 preserve >"$job/hello-small.cfg"

cat >"$job/job.sh" <<'JOB'
# Runs in dom0 of the test host, with tools/testhost/guest.sh already sourced.
guest_run hello hello.cfg 120
guest_run crash crash.cfg 120
guest_run hello-small hello-small.cfg 120
for mode in write-text exec-data stack exit3; do
	guest_run crash-$mode crash-$mode.cfg 120
done
guest_run xsls xsls.cfg 120
guest_run shadow shadow.cfg 60

# xstest: dom0 changes a key the guest watches, then asks it to stop.
guest_start xstest xstest.cfg
if guest_wait_line xstest '^xstest: watching data/test' 60; then
	home=/local/domain/$(xl domid xstest)
	xenstore-write $home/data/test hello-from-dom0
	guest_wait_line xstest 'changed to hello-from-dom0' 30
	xenstore-write $home/data/test done
	guest_wait_line xstest '^xstest: waiting for a shutdown request' 30
	xenstore-ls -p $home/control > /out/xstest-control.txt
	xl shutdown xstest
fi
guest_wait xstest 60
xl destroy xstest

guest_start xstest-reboot xstest-reboot.cfg
if guest_wait_line xstest-reboot '^xstest: watching data/test' 60; then
	xenstore-write /local/domain/$(xl domid xstest-reboot)/data/test done
	guest_wait_line xstest-reboot '^xstest: waiting for a shutdown request' 30
	xl reboot xstest-reboot
fi
guest_wait xstest-reboot 60
xl destroy xstest-reboot

# blkcheck: two disks made here; once it checked them, xl shutdown must disconnect both.
dd if=/dev/zero of=/tmp/blk-rw.img bs=1M count=32 2>/dev/null
dd if=/dev/zero of=/tmp/blk-ro.img bs=1M count=1 2>/dev/null
printf 'SKIFF read-only disk' | dd of=/tmp/blk-ro.img conv=notrunc 2>/dev/null
guest_start blkcheck blkcheck.cfg && blk_home=/local/domain/$(xl domid blkcheck) &&
if guest_wait_line blkcheck '^blkcheck: waiting for a shutdown request' 600; then
	xenstore-read $blk_home/device/vbd/51712/state >/out/blkcheck-state-before.txt
	# Hot-unplug of the read-only disk: the guest must follow, or xl waits and fails.
	t0=$(uptime_s)
	xl block-detach blkcheck xvdb >/out/blkcheck-detach.txt 2>&1
	echo "status=$? seconds=$(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN { print b - a }')" \
		>>/out/blkcheck-detach.txt
	xl shutdown blkcheck
fi
guest_wait blkcheck 120
for vbd in 51712 51728; do
	echo "$vbd $(xenstore-read $blk_home/device/vbd/$vbd/state 2>/dev/null || echo gone)"
done >/out/blkcheck-state-after.txt
xl destroy blkcheck
cp /tmp/blk-rw.img /out/blkcheck-disk.img

# blkedge: a disk of 4 KiB sectors (util-linux losetup, not busybox's: blkback reports sector-size
# 4096, sectors in 512-byte units), a garbage max-ring-page-order written while the
# guest is paused, close and reopen, then a detach while reads are in flight. xvdb (a
# second loop device: phy disks attach in a second, files in several) is closed at exit.
dd if=/dev/zero of=/tmp/blk-4k.img bs=1M count=8 2>/dev/null
dd if=/dev/zero of=/tmp/blk-spare.img bs=1M count=1 2>/dev/null
if loop=$(/sbin/losetup --sector-size 4096 -f --show /tmp/blk-4k.img 2>/out/blkedge-losetup.txt) &&
	spare=$(/sbin/losetup -f --show /tmp/blk-spare.img 2>>/out/blkedge-losetup.txt); then
	{
		cat blkedge.cfg
		echo "disk = [ 'format=raw,vdev=xvda,access=rw,target=$loop'," \
			"'format=raw,vdev=xvdb,access=rw,target=$spare' ]"
	} >/tmp/blkedge.cfg
	if guest_start blkedge /tmp/blkedge.cfg -p; then
		xenstore-write /local/domain/0/backend/vbd/$(xl domid blkedge)/51712/max-ring-page-order abc
		xl unpause blkedge
		if guest_wait_line blkedge '^blkedge: reading until the disk goes away' 120; then
			t0=$(uptime_s)
			xl block-detach blkedge xvda >/out/blkedge-detach.txt 2>&1
			echo "status=$? seconds=$(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN { print b - a }')" \
				>>/out/blkedge-detach.txt
		fi
	fi
	guest_wait blkedge 60
	xl destroy blkedge
	/sbin/losetup -d "$loop" "$spare"
	# The disk's last 4 KiB sector, as the loop device's backing file holds it.
	dd if=/tmp/blk-4k.img bs=4096 skip=2047 count=1 2>/dev/null | head -c 22 >/out/blkedge-last.txt
	rm -f /tmp/blk-4k.img /tmp/blk-spare.img
fi

# echo, static address: ping, 10 MiB through TCP, every UDP size, round trips.
if guest_start echo echo.cfg && guest_wait_line echo '^echo: listening' 120; then
	ping -c 3 -W 5 10.0.0.2 >/out/echo-ping.txt 2>&1
	./nettest tcp-echo 10.0.0.2 7 10485760 >/out/echo-tcp.txt 2>&1
	./nettest udp-echo 10.0.0.2 7 1 1472 >/out/echo-udp.txt 2>&1
	./nettest rtt 10.0.0.2 7 200 >/out/echo-rtt.txt 2>&1
	xl shutdown echo
fi
guest_wait echo 60
xl destroy echo

# echo with no ip=: its address comes from udhcpd on xenbr0.
mkdir -p /var/lib/misc && : >/var/lib/misc/udhcpd.leases
printf '%s\n' 'start 10.0.0.100' 'end 10.0.0.150' 'interface xenbr0' \
	'option subnet 255.255.255.0' 'option router 10.0.0.1' 'option lease 3600' >/tmp/udhcpd.conf
udhcpd -S /tmp/udhcpd.conf
if guest_start echo-dhcp echo-dhcp.cfg && guest_wait_line echo-dhcp '^echo: listening' 120; then
	addr=$(sed -n 's/^net: vif0 \([0-9.]*\)\/.*(dhcp).*/\1/p' "$(guest_console echo-dhcp)")
	ping -c 3 -W 5 "$addr" >/out/echo-dhcp-ping.txt 2>&1
	xl shutdown echo-dhcp
fi
guest_wait echo-dhcp 60
xl destroy echo-dhcp
killall udhcpd

guest_run echo-badip echo-badip.cfg 60
guest_run echo-badmask echo-badmask.cfg 60

# A malformed mac in xenstore, written while the guest is paused, before it runs.
if xl create -p echo-badmac.cfg >/out/echo-badmac.create.log 2>&1; then
	xenstore-write /local/domain/$(xl domid echo-badmac)/device/vif/0/mac 00:16:3e:zz:1f:03
	: >/out/echo-badmac.result
	echo "create_s=$(uptime_s)" >>/out/echo-badmac.result
	xl unpause echo-badmac
	guest_wait echo-badmac 60
fi
xl destroy echo-badmac

# httpd: fetched from dom0 (busybox wget, and nettest for keep-alive), and from the
# machine running the test host, through QEMU's port forward and a relay in dom0.
if guest_start httpd httpd.cfg && guest_wait_line httpd '^httpd: serving' 120; then
	wget -q -O /out/httpd-index.html http://10.0.0.4/ 2>/out/httpd-wget.err
	wget -q -O /out/httpd-stats.json http://10.0.0.4/stats 2>>/out/httpd-wget.err
	wget -q -O /dev/null http://10.0.0.4/nope 2>/out/httpd-404.txt
	./nettest http 10.0.0.4 80 /stats 5 >/out/httpd-keepalive.txt 2>&1
	./nettest relay 8080 10.0.0.4 80 &
	relay=$!
	guest_wait_line httpd 'client=host' 300
	kill $relay
	xl network-detach httpd 0 >/out/httpd-detach.txt 2>&1
	echo "status=$?" >>/out/httpd-detach.txt
	xl shutdown httpd
fi
guest_wait httpd 60
xl destroy httpd

# iperf: 5 s of TCP from dom0's iperf 2 into lwiperf.
if guest_start iperf iperf.cfg && guest_wait_line iperf '^iperf: listening' 120; then
	iperf -c 10.0.0.5 -t 5 -f m >/out/iperf.txt 2>&1
	guest_wait_line iperf '^iperf: done' 30
	xl shutdown iperf
fi
guest_wait iperf 60
xl destroy iperf

# Last, as it freezes dom0's xenstored (so no xl meanwhile: plain greps of the log).
if guest_start xstest-stall xstest-stall.cfg &&
	guest_wait_line xstest-stall '^xstest: ready for a stalled xenstored' 60; then
	kill -STOP $(cat /run/xenstored.pid)
	log=$(guest_console xstest-stall)
	for i in $(seq 600); do
		grep -q '^xstest: read with xenstored stopped' "$log" && break
		sleep 0.1
	done
	kill -CONT $(cat /run/xenstored.pid)
fi
guest_wait xstest-stall 60
xl destroy xstest-stall
JOB

# From this machine, fetch httpd's /stats through the test host's port forward (8080)
# once the job has it up; the job waits for this request to reach the guest.
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
poller=$!

host_rc=0
# TESTHOST: another copy of tools/testhost to run the batch with (default: this tree's).
"${TESTHOST:-$top/tools/testhost}/run" --timeout 1200 --forward 8080 "$job" "$results" || host_rc=$?
kill $poller 2>/dev/null || true
if [ $host_rc -ne 0 ]; then
	fail test_host_job "the test host exited with status $host_rc"
fi

# hello: greeting with the Xen version, memory and vCPUs, a timed sleep, ping-pong.
expect_lines hello_prints_xen_version_memory_vcpus hello \
	'^Skiff: pv boot, 32768 KiB RAM' \
	'^Hello from Skiff on Xen 4\.17' \
	'^memory: 32768 KiB, vCPUs: 1$'
expect_lines hello_reads_domid_and_name_from_xenstore hello '^domain: [1-9][0-9]* \(hello\)$'
expect_lines hello_threads_ping_pong_through_wait_queue hello \
	'^ping 1$' '^pong 1$' '^ping 2$' '^pong 2$' '^ping 5$' '^pong 5$' \
	'^ping-pong done after 10 hits$'
expect_end hello_returning_from_main_powers_off hello poweroff
expect_lines thread_join_refuses_itself_and_a_detached_thread hello \
	'^hello: thread_join of itself: EDEADLK$' '^hello: thread_join of a detached thread: EINVAL$'

# The 1 s sleep, as the guest measured it on Xen's clock: strict below, lenient above.
slept=$(sed -n 's/^slept 1 s: measured \([0-9.]*\) s.*/\1/p' "$results/hello.console" 2>/dev/null)
if [ -n "$slept" ] && awk -v s="$slept" 'BEGIN { exit !(s >= 1.0 && s <= 3.0) }'; then
	pass "hello_sleep_1s_takes_1_to_3s_of_xen_time ($slept s)"
else
	fail hello_sleep_1s_takes_1_to_3s_of_xen_time "measured '${slept:-nothing}'"
fi
# The same sleep seen from dom0: between the console lines just before and after it, as
# dom0 stamped them when they appeared (tools/testhost/stamp.c, every 10 ms; hello
# flushes its console before the sleep, so the first line is not read late).
dom0_gap=$(awk -F'\t' '/^[0-9.]+\tdomain: / { a = $1 } /^[0-9.]+\tslept 1 s/ { b = $1 }
	END { if (a != "" && b != "") printf "%.2f", b - a }' "$results/hello.timed" 2>/dev/null)
if [ -n "$dom0_gap" ] && awk -v s="$dom0_gap" 'BEGIN { exit !(s >= 0.9 && s <= 3.0) }'; then
	pass "hello_sleep_1s_takes_0.9_to_3s_of_dom0_time ($dom0_gap s)"
else
	fail hello_sleep_1s_takes_0.9_to_3s_of_dom0_time "dom0 saw '${dom0_gap:-nothing}'"
fi

# crash: a page fault is reported with registers and a symbolised backtrace.
expect_lines crash_dump_names_fault_address_and_registers crash \
	'^crash: about to write to address 0x10$' \
	'Fatal exception 14: page fault' \
	'^Faulting address: 0000000000000010 \(write, not mapped\)' \
	'^RIP: [0-9a-f]{16} <write_through\+0x' \
	'^RAX: [0-9a-f]{16} RBX'
expect_lines crash_backtrace_names_the_callers crash \
	'^Backtrace:' '<write_through\+0x' '<crash_deliberately\+0x' '<main\+0x' \
	'<arch_thread_start\+0x'
expect_end crash_fault_crashes_the_domain crash crash

# The image's protections, each seen to fault (and the fault seen by xl as a crash).
expect_lines text_is_read_only crash-write-text \
	'^crash: about to write to main' \
	'^Faulting address: [0-9a-f]{16} \(write, protection violation\)' \
	'<write_through\+0x' '<main\+0x'
expect_end text_write_crashes_the_domain crash-write-text crash
expect_lines data_is_not_executable crash-exec-data \
	'^crash: about to call code in data' \
	'^Faulting address: [0-9a-f]{16} \(instruction fetch, protection violation\)' \
	'^RIP: [0-9a-f]{16}$' # in data: no function name
expect_end data_execution_crashes_the_domain crash-exec-data crash
# A PV guest takes its exceptions on the stack it is running on: once that is the guard
# page, Xen cannot deliver the fault and crashes the domain itself, dumping its
# registers to Xen's log. There the fault address is the stack pointer.
expect_lines stack_overflow_starts crash-stack '^crash: about to overflow'
expect_end stack_overflow_crashes_the_domain crash-stack crash
if awk '/CONTEXT: pv guest/ { g = 1 } g && /rsp: / { for (i = 1; i < NF; i++) if ($i == "rsp:") rsp = $(i + 1) }
	g && /cr2: / { for (i = 1; i < NF; i++) if ($i == "cr2:") if ($(i + 1) == rsp) hit = 1 }
	END { exit !hit }' "$results/xen-dmesg.txt" 2>/dev/null; then
	pass stack_overflow_faults_on_the_stack_pointer_in_xen_log
else
	fail stack_overflow_faults_on_the_stack_pointer_in_xen_log "no guest fault with cr2 == rsp in xl dmesg"
fi
expect_lines exit_nonzero_reports_status crash-exit3 '^Skiff: exit\(3\), crashing the domain'
expect_end exit_nonzero_crashes_the_domain crash-exit3 crash

expect_lines hello_runs_in_2_mib hello-small '^Skiff: pv boot, 2048 KiB RAM' \
	'^ping-pong done after 10 hits$'
expect_end hello_small_powers_off hello-small poweroff

# xenstore: every operation against xenstored, a watch fired by dom0, shutdown control.
for op in "write+read" "read of a missing node is ENOENT" "write outside our home is EACCES" \
	"mkdir+directory" "rm" "1500-byte value through 1 KiB rings" "integer parsing" \
	"integer out of range is ERANGE" "junk integer is EINVAL" "MAC parsing" \
	"short MAC is EINVAL" "get_perms" "set_perms" "transactions" "watch set"; do
	expect_lines "xenstore: $op" xstest "^xstest: $(printf '%s' "$op" | sed 's/[][().*+?^$|\\]/\\&/g') ok$"
done
expect_lines xenstore_watch_reports_dom0_write xstest \
	'^xstest: watch: data/test changed to hello-from-dom0$' \
	'^xstest: watch: data/test changed to done$'
if grep -q 'feature-poweroff = "1"' "$results/xstest-control.txt" 2>/dev/null &&
	grep -q 'feature-reboot = "1"' "$results/xstest-control.txt"; then
	pass control_advertises_poweroff_and_reboot
else
	fail control_advertises_poweroff_and_reboot "control/feature-* missing: $(cat "$results/xstest-control.txt" 2>/dev/null)"
fi
expect_lines xl_shutdown_is_acknowledged xstest '^Skiff: the toolstack asks for poweroff$'
expect_end xl_shutdown_powers_off xstest poweroff
expect_lines xl_reboot_is_acknowledged xstest-reboot '^Skiff: the toolstack asks for reboot$'
expect_end xl_reboot_reboots xstest-reboot reboot
expect_lines xenstore_request_times_out_when_xenstored_stalls xstest-stall \
	'^xenstore: no answer to request [0-9]+ \(type 2\) in 20 s$' \
	'^xstest: read with xenstored stopped: ETIMEDOUT after 2[0-9] s$' \
	'^xenstore: reply READ to no request \(id [0-9]+\) dropped$' \
	'^xstest: xenstore answers again: name = xstest-stall$'
expect_end xenstore_stall_guest_powers_off xstest-stall poweroff
expect_lines xsls_lists_own_subtree xsls '^xsls: /local/domain/[0-9]+$' \
	'^  name = "xsls"' '^  control = ' '^    feature-poweroff = "1"' '^  domid = "[0-9]+"'
expect_end xsls_powers_off xsls poweroff

# blkedge: a 4 KiB-sector disk, an optional node with garbage, reopen, detach under load.
expect_lines blkfront_ignores_a_garbage_optional_node blkedge \
	'^blkfront xvda: ignoring backend node max-ring-page-order \(EINVAL\)$' \
	'^blkedge: xvda: 2048 sectors of 4096 B, ring 1 page\(s\)$'
expect_lines blkfront_4k_sectors_last_sector_and_past_the_end blkedge \
	'^blkedge: last sector written and flushed: ok$' \
	'^blkedge: last sector read back before reopening: same$' \
	'^blkedge: read past the end: refused \(ERANGE\)$'
expect_file blkfront_4k_last_sector_is_on_the_disk_image blkedge-last.txt '^SKIFF-EDGE last sector$'
expect_lines blkfront_reopens_after_close blkedge '^blkfront xvda: disconnected$' \
	'^blkedge: closed$' '^blkedge: reopened$' '^blkedge: last sector read back after reopening: same$'
expect_lines blkfront_backend_leaves_with_reads_in_flight blkedge \
	'^blkedge: reading until the disk goes away$' \
	'^blkfront xvda: the backend is going away \(Closing\): detaching$' \
	'^blkedge: [0-9]+ reads, [0-9]+ failed, then submit said EIO$'
# Then a second thread closes xvdb, and main returns while that close is half done.
expect_lines exit_ends_the_domain_while_another_thread_closes_a_disk blkedge \
	'^blkedge: returning from main while xvdb is Closing$' '^Skiff: exit\(0\), powering off$'
expect_end blkedge_powers_off_after_the_backend_left_and_during_a_close blkedge poweroff
# libxl removes a device by force after 10 s: the guest must have let go well before.
if grep -q '^status=0 ' "$results/blkedge-detach.txt" 2>/dev/null &&
	awk -F'seconds=' 'NF > 1 { ok = $2 < 8 } END { exit !ok }' "$results/blkedge-detach.txt"; then
	pass xl_block_detach_under_load_succeeds_within_8_s
else
	fail xl_block_detach_under_load_succeeds_within_8_s "$(cat "$results/blkedge-detach.txt" 2>/dev/null)"
fi

# shadow defines printk, gnttab_grant_page (Skiff's internal names), thread_create and
# xs_read (public ones) itself: it links, its own functions run, the library keeps its own
# (the boot line, main's thread, the domain's name from xenstore), and it powers off.
shadow_console=$results/shadow.console
if grep -q '^Skiff: pv boot' "$shadow_console" 2>/dev/null &&
	grep -q '^shadow: my printk("hello")$' "$shadow_console" &&
	grep -q '^shadow: my thread_create(41)$' "$shadow_console" &&
	grep -q '^shadow: my xs_read("name")$' "$shadow_console" &&
	grep -q '^shadow: my gnttab_grant_page(7)$' "$shadow_console" &&
	grep -q '^shadow: domain [1-9][0-9]* (shadow), slept [0-9]* ms$' "$shadow_console" &&
	grep -q '^shadow: ok' "$shadow_console" &&
	[ "$(result_field shadow end)" = poweroff ]; then
	pass app_may_define_library_internal_names
else
	fail app_may_define_library_internal_names \
		"end=$(result_field shadow end); console: $(grep '^shadow:' "$shadow_console" 2>/dev/null | tail -n 3 | tr '\n' ' ')"
fi

# blkcheck and blkfront.
expect_lines blkfront_finds_two_disks blkcheck '^blkcheck: 2 disk\(s\)$' \
	'^blkcheck: xvda: 65536 sectors of 512 B \(32 MiB\), physical 512 B, read-write' \
	'^blkcheck: xvdb: 2048 sectors of 512 B \(1 MiB\), physical 512 B, read-only'
expect_lines blkfront_refuses_bad_requests blkcheck \
	'^blkcheck: read of 513 bytes: refused \(EINVAL\)$' \
	'^blkcheck: read past the end: refused \(ERANGE\)$'
expect_lines blkcheck_writes_flushes_reads_and_verifies blkcheck \
	'^blkcheck: write 32 MiB in [0-9]+ ms: [0-9.]+ MB/s$' \
	'^blkcheck: flush: ok$' \
	'^blkcheck: read 32 MiB in [0-9]+ ms: [0-9.]+ MB/s$' \
	'^blkcheck: verified 65536 sectors, 0 bad$'
expect_lines blkfront_read_only_disk_refuses_writes blkcheck \
	'^blkcheck: write to xvdb: refused, the disk is read-only \(EROFS\)$' \
	'^blkcheck: xvdb sector 0 says "SKIFF read-only disk"$'
expect_lines blkfront_follows_xl_block_detach blkcheck \
	'^blkfront xvdb: the backend is going away \(Closing\): detaching$' \
	'^blkfront xvdb: disconnected$'
expect_file xl_block_detach_succeeds blkcheck-detach.txt '^status=0 '
expect_lines blkfront_disconnects_on_xl_shutdown blkcheck \
	'^Skiff: the toolstack asks for poweroff$' \
	'^blkfront xvda: disconnected$' '^Skiff: powering off$'
expect_end blkcheck_powers_off blkcheck poweroff
if [ "$(cat "$results/blkcheck-state-before.txt" 2>/dev/null)" = 4 ] &&
	[ "$(tr '\n' ' ' <"$results/blkcheck-state-after.txt" 2>/dev/null)" = "51712 6 51728 gone " ]; then
	pass blkfront_state_connected_then_closed_in_xenstore
else
	fail blkfront_state_connected_then_closed_in_xenstore \
		"before: $(cat "$results/blkcheck-state-before.txt" 2>/dev/null), after: $(cat "$results/blkcheck-state-after.txt" 2>/dev/null)"
fi
# The disk image as dom0 holds it, checked by a program that is not the guest's.
mkdir -p "$work/bin"
gcc -O2 -Wall -Werror -o "$work/bin/blkverify" "$top/tests/xen/blkverify.c"
if verify=$("$work/bin/blkverify" "$results/blkcheck-disk.img" $blk_seed 2>&1) &&
	grep -q '^blkverify: 65536 sectors, 0 wrong$' <<<"$verify"; then
	pass "blkcheck_disk_image_verified_from_dom0's_copy"
else
	fail "blkcheck_disk_image_verified_from_dom0's_copy" "$(echo $verify)"
fi
rm -f "$results/blkcheck-disk.img" # 32 MiB, checked

# netfront and lwIP, through the echo appliance.
expect_lines echo_gets_static_address echo '^netfront vif0: 00:16:3e:5a:1f:01' \
	'^net: vif0 10\.0\.0\.2/24 gw 10\.0\.0\.1 \(static\)' '^echo: listening'
expect_file dom0_pings_the_guest echo-ping.txt '^3 packets transmitted, 3 (packets )?received'
expect_file tcp_echo_10_mib_intact echo-tcp.txt '^nettest: tcp-echo: 10485760 bytes echoed intact'
expect_file udp_echo_every_size_1_to_1472 echo-udp.txt '^nettest: udp-echo: sizes 1\.\.1472, 0 without'
expect_file tcp_round_trips echo-rtt.txt '^nettest: rtt: 200 round trips'
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

# httpd.
expect_file httpd_serves_the_page httpd-index.html '<li>Xen 4\.17\.[0-9]+, domain [0-9]+</li>'
expect_file httpd_page_shows_uptime_and_counters httpd-index.html '<li>received: [1-9][0-9]* frames'
expect_file httpd_stats_is_json httpd-stats.json '^\{"uptime_s": [0-9]+, "xen": "4\.17\.[0-9]+", "domid": [0-9]+, "name": "httpd", "ip": "10\.0\.0\.4"'
expect_file httpd_unknown_page_is_404 httpd-404.txt '404'
expect_file httpd_keeps_the_connection_alive httpd-keepalive.txt '^nettest: http: 5 answers on one connection'
if grep -q '"name": "httpd"' "$work/host/stats.json" 2>/dev/null; then
	pass httpd_reachable_from_this_machine_through_port_8080
else
	fail httpd_reachable_from_this_machine_through_port_8080 "curl of 127.0.0.1:8080 got nothing"
fi
expect_lines netfront_follows_xl_network_detach httpd \
	'^netfront vif0: the backend is going away \(Closing\): detaching$' \
	'^net: vif0 link down$' '^netfront vif0: disconnected$'
expect_file xl_network_detach_succeeds httpd-detach.txt '^status=0$'
expect_end httpd_powers_off httpd poweroff

# iperf.
expect_file iperf_from_dom0_measures_throughput iperf.txt 'Mbits/sec'
expect_lines lwiperf_reports_the_test iperf '^iperf: done from 10\.0\.0\.1: [0-9]+ bytes'

echo "xen: $passed passed, $failed failed"
[ $failed -eq 0 ]
