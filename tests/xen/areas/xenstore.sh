# tests/xen area "xenstore": the xenstore client, watches, shutdown and reboot control, a stalled xenstored (last: it freezes xenstored)
# Sourced by tests/xen/run-all.sh, which builds xenstore_apps, runs xenstore_setup on this
# machine (configs and files into $job), puts xenstore_job's text into the one job dom0
# runs, boots the test host once for every area asked for, then runs xenstore_check.
# shellcheck shell=bash

xenstore_apps="xsls xstest"

xenstore_setup() {
"$top/tools/xlcfg.sh" xsls xsls 32 preserve >"$job/xsls.cfg"
"$top/tools/xlcfg.sh" xstest xstest 32 preserve contend >"$job/xstest.cfg"
"$top/tools/xlcfg.sh" xstest-reboot xstest 32 preserve >"$job/xstest-reboot.cfg"
"$top/tools/xlcfg.sh" xstest-stall xstest 32 preserve stall >"$job/xstest-stall.cfg"
}

xenstore_job() {
	cat <<'JOB'
guest_run xsls xsls.cfg 120

# xstest: dom0 changes a key the guest watches, then asks it to stop.
guest_start xstest xstest.cfg
home=/local/domain/$(xl domid xstest)
# Inside the guest's transaction, dom0 writes the node it read: its commit must see EAGAIN.
if guest_wait_line xstest '^xstest: in a transaction, data/txn = 0$' 60; then
	xenstore-write $home/data/txn 100
	xenstore-write $home/data/txn-poke written
fi
if guest_wait_line xstest '^xstest: watching data/test' 60; then
	xenstore-read $home/data/txn >$OUT/xstest-txn.txt 2>&1
	xenstore-write $home/data/test hello-from-dom0
	guest_wait_line xstest 'changed to hello-from-dom0' 30
	xenstore-write $home/data/test done
	guest_wait_line xstest '^xstest: waiting for a shutdown request' 30
	xenstore-ls -p $home/control > $OUT/xstest-control.txt
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
xl destroy xstest-stall # the other boot mode runs a guest of this name next
JOB
}

xenstore_check() {
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
# dom0's write came inside the guest's transaction: the commit failed with EAGAIN and
# xs_transact ran it again on dom0's 100. Without the retry it would say EAGAIN; a
# commit that ignored the conflict would leave 1 (and one attempt).
expect_lines xenstore_transaction_retries_after_eagain xstest \
	'^xstest: contended transaction: committed after 2 attempts, data/txn = 101$'
expect_file xenstore_transaction_result_seen_by_dom0 xstest-txn.txt '^101$'
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
}
