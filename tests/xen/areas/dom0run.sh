# tests/xen area "dom0run": make run on a real Xen dom0 (tools/run's xl path, tools/run-dom0.sh)
# Sourced by tests/xen/run-all.sh, which builds dom0run_apps, runs dom0run_setup on this
# machine (configs and files into $job), puts dom0run_job's text into the one job dom0
# runs, boots the test host once for every area asked for, then runs dom0run_check.
#
# The test host's dom0 is a real one, with xl and /proc/xen: tools/run, copied into the
# job with what run-dom0.sh needs, takes its dom0 path there. Each image is named run-APP
# so its domain cannot be taken for another area's.
# shellcheck shell=bash

dom0run_apps="hello crash blkcheck"

dom0run_setup() {
mkdir -p "$job/skiff/tools/testhost" "$job/skiff/build"
cp "$top/tools/run" "$top/tools/run-dom0.sh" "$top/tools/xlcfg.sh" "$job/skiff/tools/"
cp "$top/tools/testhost/xl-fate.sh" "$job/skiff/tools/testhost/"
for app in $dom0run_apps; do # run-all.sh put each image that built into $job
	[ ! -f "$job/$app" ] || cp "$job/$app" "$job/skiff/build/run-$app"
done
}

dom0run_job() {
	echo "dom0run_mode=$mode # the boot mode tools/run is given"
	cat <<'JOB'
# tools/run runs as make run runs it (#!/usr/bin/env bash: this dom0 has bash, and
# busybox's env there), in the boot mode of this run. Output and exit status go to
# $OUT/dom0run-NAME.{log,rc}, and the
# domains xl still lists afterwards to $OUT/dom0run-NAME.left.
dom0run_left() { xl list | awk 'NR > 1 { print $1 }' >"$OUT/dom0run-$1.left" 2>&1; }
dom0run() { # NAME ARGS...: tools/run ARGS, waited for
	dom0run_name=$1
	shift
	timeout 180 skiff/tools/run --mode $dom0run_mode "$@" >"$OUT/dom0run-$dom0run_name.log" 2>&1 </dev/null
	echo $? >"$OUT/dom0run-$dom0run_name.rc"
	dom0run_left "$dom0run_name"
}
dom0run hello --timeout 120 skiff/build/run-hello
dom0run crash --timeout 120 skiff/build/run-crash
dom0run refused --mem 4096 skiff/build/run-hello # more than the host has: xl refuses
dd if=/dev/zero of=/tmp/dom0run-disk.img bs=1M count=4 2>/dev/null
dom0run timeout --timeout 5 --disk /tmp/dom0run-disk.img --extra wait skiff/build/run-blkcheck
# SIGTERM to tools/run while the appliance runs (blkcheck, DISK= and "wait": it stays up).
skiff/tools/run --mode $dom0run_mode --timeout 120 --disk /tmp/dom0run-disk.img --extra wait \
	skiff/build/run-blkcheck >$OUT/dom0run-term.log 2>&1 </dev/null &
dom0run_pid=$!
i=0
while [ $i -lt 600 ] && ! grep -q '^blkcheck: waiting for a shutdown request' $OUT/dom0run-term.log; do
	sleep 0.2
	i=$((i + 1))
done
kill -TERM $dom0run_pid
i=0
while [ $i -lt 150 ] && kill -0 $dom0run_pid 2>/dev/null; do
	sleep 0.2
	i=$((i + 1))
done
kill -9 $dom0run_pid 2>/dev/null
wait $dom0run_pid
echo $? >$OUT/dom0run-term.rc
dom0run_left term
xl destroy run-blkcheck 2>/dev/null
rm -f /tmp/dom0run-disk.img
JOB
}

# dom0run_expect TEST NAME STATUS LAST-LINE PATTERN...: tools/run for NAME exited STATUS,
# its last line was LAST-LINE, its output has each extended regex in order, and no
# domain of it was left behind.
dom0run_expect() {
	local test=$1 name=$2 want_rc=$3 want_last=$4 log="$results/dom0run-$2.log" rc last line=0 n p
	shift 4
	rc=$(cat "$results/dom0run-$name.rc" 2>/dev/null)
	last=$(tail -n 1 "$log" 2>/dev/null)
	if [ "$rc" != "$want_rc" ] || [ "$last" != "$want_last" ]; then
		fail "$test" "exit ${rc:-none}, last line '$last'"
		return
	fi
	for p in "$@"; do
		n=$(tail -n +$((line + 1)) "$log" | grep -n -E -m1 -e "$p" | cut -d: -f1) || true
		if [ -z "$n" ]; then
			fail "$test" "its output lacks /$p/ (after line $line)"
			return
		fi
		line=$((line + n))
	done
	if grep -q '^run-' "$results/dom0run-$name.left" 2>/dev/null; then
		fail "$test" "left running: $(grep '^run-' "$results/dom0run-$name.left" | tr '\n' ' ')"
		return
	fi
	pass "$test"
}

dom0run_check() {
# Each console line comes through the domain's pty as the appliance writes it, without
# the \r of Skiff's \r\n; the fate is the last line and the exit status.
dom0run_expect make_run_on_a_dom0_streams_the_console_and_exits_0_on_poweroff hello 0 \
	'run: run-hello: poweroff (exit 0)' \
	'^run: xl create .*/run-hello\.cfg \(Ctrl-C stops it\)$' \
	"^Skiff: $mode boot, 32768 KiB RAM" '^Hello from Skiff on Xen 4\.17' \
	'^slept 1 s: measured 1\.[0-9]{6} s$' '^pong 5$'
dom0run_expect make_run_on_a_dom0_exits_1_when_the_appliance_crashes crash 1 \
	'run: run-crash: crash (exit 1)' \
	'^crash: about to write to address 0x10$' 'Fatal exception 14: page fault' '<main\+0x'
if ! grep -q '^Hello from Skiff' "$results/dom0run-hello.log" 2>/dev/null; then
	fail make_run_on_a_dom0_shows_lines_without_carriage_returns "no console lines of hello"
elif grep -q $'\r' "$results/dom0run-hello.log"; then
	fail make_run_on_a_dom0_shows_lines_without_carriage_returns "a \\r in tools/run's output"
else
	pass make_run_on_a_dom0_shows_lines_without_carriage_returns
fi
dom0run_expect make_run_on_a_dom0_exits_5_when_xl_refuses_the_domain refused 5 \
	'run: run-hello: create-failed (exit 5)' '^run: xl create '
dom0run_expect make_run_on_a_dom0_timeout_destroys_the_domain_and_exits_124 timeout 124 \
	'run: run-blkcheck: timeout (exit 124)' "^Skiff: $mode boot, 32768 KiB RAM, .*cmdline \"wait\"$"
dom0run_expect make_run_on_a_dom0_sigterm_destroys_the_domain term 143 \
	'run: run-blkcheck: stopped by SIGTERM; the domain is destroyed (exit 143)' \
	'^blkcheck: xvda: 8192 sectors of 512 B \(4 MiB\), physical 512 B, read-write' \
	'^blkcheck: verified 8192 sectors, 0 bad$' '^blkcheck: waiting for a shutdown request$'
}
