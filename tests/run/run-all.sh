#!/usr/bin/env bash
# make run, as a user meets it: each check boots the emulated test host through
# `make run` (or tools/run, where the exact exit status matters; make turns any failure
# into 2) and judges what the user would see: lines as they come, the last line and the
# exit status, Ctrl-C, SIGTERM, SIGHUP and a closed terminal stopping QEMU, bad values
# refused before anything boots. One PASS or FAIL line per test; exits non-zero if any
# failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
work=$top/build/run-test
rm -rf "$work" && mkdir -p "$work"
. "$top/tests/xen/lib.sh"

for app in hello crash blkcheck httpd; do
	make -s -C "$top" APP=$app >"$work/build-$app.log" 2>&1 || fail "${app}_builds" "$(tail -n 3 "$work/build-$app.log")"
done

# stamped OUT CMD...: run CMD, each output line prefixed with this machine's time as it
# arrived (what the user sees, when); its exit status in OUT.rc.
stamped() {
	local out=$1 rc=0
	shift
	"$@" 2>&1 | while IFS= read -r line; do printf '%s\t%s\n' "$EPOCHREALTIME" "$line"; done >"$out"
	rc=${PIPESTATUS[0]}
	echo "$rc" >"$out.rc"
}
# wait_for_line LOG REGEX: until LOG has a matching line (2 minutes at most).
wait_for_line() {
	for _ in $(seq 240); do
		grep -q -E -e "$2" "$1" 2>/dev/null && return
		sleep 0.5
	done
}
# end_within_30_s PID: sets status to our child PID's exit status, or to "timeout" (and
# kills it) if it has not ended within 30 s. (Not in $( ): a subshell cannot wait for it.)
end_within_30_s() {
	status=0
	for _ in $(seq 60); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.5
	done
	if kill -9 "$1" 2>/dev/null; then
		wait "$1" 2>/dev/null
		status=timeout
		return
	fi
	wait "$1" || status=$?
}
qemu_left() { pgrep -f "qemu-system-x86_64.*$top/build/testhost/run\." || true; }
last_line() { tail -n 1 "$1" | cut -f2-; }

# ---- hello: streamed lines, MEM and EXTRA, poweroff → 0 ------------------------------
mkdir -p "$top/build/run/out" && echo stale >"$top/build/run/out/old.result"
stamped "$work/hello" "$top/tools/run" --mem 48 --extra "it's a b" "$top/build/hello/hello"
# hello sleeps 1 s between these two lines: shown as they came, they arrive ~1 s apart;
# held back until QEMU exits (as a pipe through tr did), they arrive together.
gap=$(awk -F'\t' '/\tdomain: / { a = $1 } /\tslept 1 s/ { b = $1 }
	END { if (a != "" && b != "") printf "%.2f", b - a }' "$work/hello")
if [ -n "$gap" ] && awk -v g="$gap" 'BEGIN { exit !(g >= 0.8 && g <= 3) }'; then
	pass "make_run_shows_each_line_as_the_guest_writes_it ($gap s between two lines 1 s apart)"
else
	fail make_run_shows_each_line_as_the_guest_writes_it "the lines around hello's 1 s sleep came ${gap:-?} s apart"
fi
if grep -q $'\tSkiff: pv boot, 49152 KiB RAM, .*cmdline "it'"'"'s a b"$' "$work/hello"; then
	pass make_run_passes_mem_and_extra_to_the_appliance
else
	fail make_run_passes_mem_and_extra_to_the_appliance "$(grep -m1 'pv boot' "$work/hello" | cut -f2-)"
fi
if [ "$(cat "$work/hello.rc")" = 0 ] && [ "$(last_line "$work/hello")" = "run: hello: poweroff (exit 0)" ]; then
	pass make_run_poweroff_exits_0_and_says_so_last
else
	fail make_run_poweroff_exits_0_and_says_so_last "exit $(cat "$work/hello.rc"), last line '$(last_line "$work/hello")'"
fi
if [ ! -e "$top/build/run/out/old.result" ]; then
	pass make_run_starts_without_an_earlier_run_s_results
else
	fail make_run_starts_without_an_earlier_run_s_results "build/run/out/old.result is still there"
fi

# ---- crash: a crashed appliance is a failed run -------------------------------------
stamped "$work/crash" "$top/tools/run" "$top/build/crash/crash"
make_rc=0
make -s -C "$top" run APP=crash MODE=pvh >"$work/make-crash.log" 2>&1 || make_rc=$?
if [ "$(cat "$work/crash.rc")" = 1 ] && [ "$(last_line "$work/crash")" = "run: crash: crash (exit 1)" ] &&
	[ $make_rc -ne 0 ]; then
	pass make_run_crash_exits_non_zero_and_says_so_last
else
	fail make_run_crash_exits_non_zero_and_says_so_last \
		"tools/run exit $(cat "$work/crash.rc"), last line '$(last_line "$work/crash")'; make run exit $make_rc"
fi
# That make run had MODE=pvh: the same image, booted as a PVH guest.
if grep -q '^Skiff: pvh boot' "$work/make-crash.log" && grep -q '^run: crash: crash (exit 1)$' "$work/make-crash.log"; then
	pass make_run_mode_pvh_boots_the_image_as_pvh
else
	fail make_run_mode_pvh_boots_the_image_as_pvh "$(grep -m 1 -E '^Skiff: |^run: ' "$work/make-crash.log")"
fi

# ---- DISK: the appliance's writes land in the user's image ---------------------------
truncate -s 32M "$work/disk.img"
stamped "$work/blk" make -s -C "$top" run APP=blkcheck DISK="$work/disk.img"
# blkcheck writes its seeded pattern, each 512-byte sector stamped "SKIFFBLK": 65536 of them.
stamps=$(grep -c -a -o SKIFFBLK "$work/disk.img" 2>/dev/null || true)
if grep -q $'\tblkcheck: all checks passed$' "$work/blk" && [ "${stamps:-0}" -ge 1 ] &&
	[ "$(cat "$work/blk.rc")" = 0 ]; then
	pass "make_run_disk_is_the_appliance_s_xvda (its writes are in the image)"
else
	fail make_run_disk_is_the_appliance_s_xvda "exit $(cat "$work/blk.rc"), $stamps stamps in the image; $(grep -m2 'blkcheck:' "$work/blk" | cut -f2- | tr '\n' ' ')"
fi

# ---- Ctrl-C: typed into a terminal (a pty, through script) -------------------------
# perl undoes the SIGINT that this non-interactive shell's background jobs ignore: a
# terminal's own `make run` has it, and bash cannot trap a signal ignored at its start.
ctrl_c_test() {
	local fifo=$work/pty-in log=$work/ctrl-c rc answered=no
	rm -f "$fifo" && mkfifo "$fifo"
	perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV or die "exec: $!"' -- \
		script -qfec "make -s -C $top run APP=httpd" /dev/null <"$fifo" >"$log" 2>&1 &
	local pid=$!
	exec 7>"$fifo"
	wait_for_line "$log" '^httpd: serving'
	curl -s -f --max-time 10 -o /dev/null http://127.0.0.1:8080/ && answered=yes
	printf '\003' >&7 # Ctrl-C
	end_within_30_s $pid
	rc=$status
	exec 7>&-
	local left port
	left=$(qemu_left)
	port=$(ss -Hltn 'sport = :8080' 2>/dev/null)
	if [ $answered = yes ] && [ "$rc" = 130 ] && [ -z "$left" ] && [ -z "$port" ] &&
		grep -q 'stopped by SIGINT' "$log"; then
		pass make_run_ctrl_c_stops_the_appliance_and_qemu
	else
		fail make_run_ctrl_c_stops_the_appliance_and_qemu \
			"served before: $answered; exit $rc; QEMU left: ${left:-none}; port 8080: ${port:-free}; last: $(tail -n 2 "$log" | tr -d '\r' | tr '\n' ' ')"
	fi
	[ -z "$left" ] || kill -9 $left
}
ctrl_c_test

# ---- SIGTERM or SIGHUP to tools/run alone (a service manager, kill PID) ---------------
# Only tools/run gets the signal: its trap must pass it on, or QEMU runs on.
signal_test() { # SIGNAL STATUS
	local log=$work/sig$1 test=make_run_sig${1,,}_stops_the_appliance_and_qemu rc left
	setsid "$top/tools/run" --net 80 "$top/build/httpd/httpd" >"$log" 2>&1 &
	local pid=$!
	wait_for_line "$log" '^httpd: serving'
	kill "-$1" "$pid"
	end_within_30_s "$pid"
	rc=$status
	left=$(qemu_left)
	if [ "$rc" = "$2" ] && [ -z "$left" ] && grep -q "^run: httpd: stopped by SIG$1" "$log"; then
		pass "$test"
	else
		fail "$test" "exit $rc; QEMU left: ${left:-none}; last: $(tail -n 1 "$log")"
	fi
	[ -z "$left" ] || kill -9 $left
}
signal_test TERM 143
signal_test HUP 129

# ---- SIGHUP: the terminal closes under the shell that runs make run -------------------
# An interactive bash in a pty (script) runs tools/run as a job, as a user's terminal
# does. Killing script closes the pty's master side: the kernel hangs the terminal up,
# bash gets SIGHUP and passes it on to its jobs, and writes to the terminal fail from
# then on. A perl wrapper in the job records tools/run's exit status: a shell would die
# of the SIGHUP first, and perl's handler (unlike an ignored signal) is not inherited.
hup_test() {
	local fifo=$work/hup-in log=$work/hup rc left port t0 took
	rm -f "$fifo" "$work/hup.rc" && mkfifo "$fifo"
	cat >"$work/status-to-file.pl" <<'PERL'
$SIG{HUP} = sub {};
defined(my $pid = fork) or die "fork: $!";
$pid or exec @ARGV or die "exec: $!";
waitpid($pid, 0);
open(my $f, '>', $ENV{RCFILE}) or die "$ENV{RCFILE}: $!";
print $f (($? & 127) ? 128 + ($? & 127) : $? >> 8), "\n";
PERL
	script -qfec "bash --norc --noprofile -i" /dev/null <"$fifo" >"$log" 2>&1 &
	local pid=$!
	exec 7>"$fifo"
	echo "RCFILE=$work/hup.rc perl $work/status-to-file.pl $top/tools/run --net 80 $top/build/httpd/httpd" >&7
	wait_for_line "$log" '^httpd: serving'
	t0=$EPOCHREALTIME
	kill -KILL $pid # the terminal closes
	wait $pid 2>/dev/null
	exec 7>&-
	while :; do
		left=$(qemu_left)
		port=$(ss -Hltn 'sport = :8080' 2>/dev/null)
		[ -n "$left" ] || [ -n "$port" ] || [ ! -s "$work/hup.rc" ] || break
		awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { exit !(b - a < 30) }' || break
		sleep 0.2
	done
	took=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	rc=$(cat "$work/hup.rc" 2>/dev/null)
	if grep -q '^httpd: serving' "$log" && [ "$rc" = 129 ] && [ -z "$left" ] && [ -z "$port" ]; then
		pass "make_run_closed_terminal_stops_the_appliance_and_qemu (all stopped $took s after it closed)"
	else
		fail make_run_closed_terminal_stops_the_appliance_and_qemu \
			"exit ${rc:-not seen in 30 s}; QEMU left: ${left:-none}; port 8080: ${port:-free}; served before: $(grep -c '^httpd: serving' "$log")"
	fi
	[ -z "$left" ] || kill -9 $left
}
hup_test

# ---- refused before anything boots ----------------------------------------------------
refused() { # TEST EXPECTED-MESSAGE-REGEX ARGS...: tools/run fails fast with that message
	local test=$1 want=$2 rc=0 t0=$SECONDS
	shift 2
	# timeout: a check that let it through must not leave an appliance running
	timeout -k 5 60 "$top/tools/run" "$@" >"$work/$test.log" 2>&1 || rc=$?
	if [ $rc -ne 0 ] && [ $((SECONDS - t0)) -le 5 ] && grep -q -E -e "$want" "$work/$test.log" &&
		[ -z "$(qemu_left)" ]; then
		pass "$test"
	else
		fail "$test" "exit $rc after $((SECONDS - t0)) s: $(tail -n 1 "$work/$test.log")"
	fi
}
hello=$top/build/hello/hello
refused make_run_refuses_mem_that_is_not_a_number 'MEM=abc: memory is a whole number' --mem abc "$hello"
refused make_run_refuses_extra_with_a_double_quote 'EXTRA: the command line cannot hold a double quote' \
	--extra 'a "b"' "$hello"
refused make_run_refuses_a_disk_that_is_not_there 'DISK=/nonexistent.img: no such file' \
	--disk /nonexistent.img "$hello"
refused make_run_refuses_modes_it_does_not_have 'MODE=hvm: Skiff boots as pv or pvh' --mode hvm "$hello"
refused make_run_refuses_an_image_that_is_not_elf 'is not an ELF image' "$top/README.md"
# A port already taken on this machine: one clear line, exit 125, no QEMU.
perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(LocalAddr => "127.0.0.1:8080", Listen => 1,
	ReuseAddr => 1) or die "listen: $!"; sleep 30' &
holder=$!
sleep 0.5
refused make_run_refuses_a_port_in_use 'port 8080 on this machine is already in use' \
	--net 80 "$top/build/httpd/httpd"
kill $holder 2>/dev/null
wait $holder 2>/dev/null

echo "make run tests: $passed passed, $failed failed"
[ $failed -eq 0 ]
