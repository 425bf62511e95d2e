# Helpers for a test-host job (job.sh runs in dom0 with this file sourced).
#
#   guest_run NAME CFG TIMEOUT_S     create, wait for the end, record it, destroy
#   guest_start NAME CFG [-p]        create and return (the guest runs on; -p: paused,
#                                    for dom0 to change xenstore before `xl unpause`)
#   guest_wait NAME TIMEOUT_S        wait until NAME stops or the timeout passes
#   guest_console NAME               path of NAME's console log
#   guest_wait_line NAME REGEX TIMEOUT_S   wait for a console line; 0 if it came
#   testhost_disk N                  the /dev name of run --disk's Nth image in dom0
#   timed OUT CMD...                 run CMD into OUT, adding its status and seconds
#
# For each guest, $OUT (default /out) gets NAME.console (the console as xenconsoled logged it, less the
# "\r" of Skiff's "\r\n" line ends, so that checks anchored with $ match),
# NAME.timed (each console line prefixed with the dom0 uptime at which it was seen,
# +-0.1 s) and NAME.result (end=poweroff|reboot|suspend|crash|watchdog|timeout|
# create-failed, and dom0 uptimes create_s, first_line_s, end_s).

# Where the records go: /out, or a folder of it (tests/xen/run-all.sh gives each boot
# mode its own, as the same guests run once per mode).
OUT=${OUT:-/out}

uptime_s() { cut -d' ' -f1 /proc/uptime; }

# timed OUT CMD...: run CMD with its output in OUT, then add "status=N seconds=S" to OUT
# (how it ended, how long it took by dom0's clock); tests/xen/lib.sh's
# expect_done_within judges that line.
timed() {
	local out=$1 t0 rc=0
	shift
	t0=$(uptime_s)
	"$@" >"$out" 2>&1 || rc=$?
	echo "status=$rc seconds=$(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN { print b - a }')" >>"$out"
}

# The /dev name of the test host's Nth extra disk (run --disk), found by its serial.
testhost_disk() {
	local serial
	for serial in /sys/block/vd*/serial; do
		[ "$(cat "$serial")" = "disk$1" ] && { echo "/dev/$(basename "$(dirname "$serial")")"; return 0; }
	done
	echo "testhost: no disk$1 (run --disk)" >&2
	return 1
}

guest_console() { echo "/out/console/guest-$1.log"; }

# A console log as the checks read it: without the "\r" of "\r\n" (xl console wants it).
# Piped into grep without -q: a grep that stops early would kill tr with SIGPIPE.
_guest_text() { tr -d '\r' <"$1"; }

. /etc/xl-fate.sh # xl_fate NAME: poweroff, crash, ... once it stopped

# Append console lines not seen yet to NAME.timed, stamped with dom0 uptime.
_guest_stamp() {
	local name=$1 log seen now total
	log=$(guest_console "$name")
	[ -f "$log" ] || return 0
	read -r seen <"/tmp/$name.seen" 2>/dev/null || seen=0
	total=$(wc -l <"$log")
	[ "$total" -gt "$seen" ] || return 0
	now=$(uptime_s)
	[ "$seen" -gt 0 ] || echo "first_line_s=$now" >>"$OUT/$name.result"
	tail -n +"$((seen + 1))" "$log" | head -n "$((total - seen))" | tr -d '\r' |
		sed "s/^/$now\t/" >>"$OUT/$name.timed"
	echo "$total" >"/tmp/$name.seen"
}

guest_start() {
	local name=$1 cfg=$2 paused=${3:-}
	: >"$OUT/$name.result"
	: >"$OUT/$name.timed"
	echo 0 >"/tmp/$name.seen"
	# A guest of this name may have run before (in the other boot mode): its log is not
	# this one's. xenconsoled closed it when that domain went.
	rm -f "$(guest_console "$name")"
	echo "create_s=$(uptime_s)" >>"$OUT/$name.result"
	# Console lines are stamped as they appear by a small C program (stamp.c): a shell
	# loop's forks would make the stamps late by tenths of a second under TCG.
	stamp "$(guest_console "$name")" "$OUT/$name.timed" "$OUT/$name.result" &
	echo $! >"/tmp/$name.stamper"
	# Keep the domain after it stops, so its reason can be read (the cfg may say otherwise).
	if ! xl create $paused "$cfg" 'on_poweroff="preserve"' 'on_reboot="preserve"' \
		'on_crash="preserve"' >"$OUT/$name.create.log" 2>&1; then
		cat "$OUT/$name.create.log"
		echo "end=create-failed" >>"$OUT/$name.result"
		kill "$(cat "/tmp/$name.stamper")" 2>/dev/null
		rm -f "/tmp/$name.stamper"
		return 1
	fi
	echo "domid=$(xl domid "$name" 2>/dev/null)" >>"$OUT/$name.result"
}

guest_wait() {
	local name=$1 timeout=$2 start end
	start=$(uptime_s)
	while :; do
		end=$(xl_fate "$name")
		[ -z "$end" ] || break
		if ! xl domid "$name" >/dev/null 2>&1; then
			end=gone
			break
		fi
		if awk -v s="$start" -v n="$(uptime_s)" -v t="$timeout" 'BEGIN { exit !(n - s > t) }'; then
			end=timeout
			break
		fi
		sleep 0.3
	done
	sleep 0.3 # let xenconsoled write out the last of the ring
	if [ -f "/tmp/$name.stamper" ]; then
		kill "$(cat "/tmp/$name.stamper")" 2>/dev/null
		rm -f "/tmp/$name.stamper"
	else
		_guest_stamp "$name" # a guest created without guest_start
	fi
	echo "end=$end" >>"$OUT/$name.result"
	echo "end_s=$(uptime_s)" >>"$OUT/$name.result"
	_guest_text "$(guest_console "$name")" >"$OUT/$name.console" 2>/dev/null || : >"$OUT/$name.console"
	echo "==== console $name begin ===="
	cat "$OUT/$name.console"
	echo "==== console $name end: $end ===="
}

guest_wait_line() {
	local name=$1 regex=$2 timeout=$3 start i=0
	start=$(uptime_s)
	while ! _guest_text "$(guest_console "$name")" 2>/dev/null | grep -E -e "$regex" >/dev/null; do
		if awk -v s="$start" -v n="$(uptime_s)" -v t="$timeout" 'BEGIN { exit !(n - s > t) }'; then
			return 1
		fi
		# Once a second: a guest that stopped (or never started) prints nothing more.
		i=$((i + 1))
		if [ $((i % 10)) = 0 ] && { ! xl domid "$name" >/dev/null 2>&1 ||
			[ -n "$(xl_fate "$name")" ]; }; then
			_guest_text "$(guest_console "$name")" 2>/dev/null | grep -E -e "$regex" >/dev/null
			return
		fi
		sleep 0.1
	done
}

guest_run() {
	local name=$1 cfg=$2 timeout=$3
	guest_start "$name" "$cfg" || return 1
	guest_wait "$name" "$timeout"
	xl destroy "$name" >/dev/null 2>&1 || true
}
