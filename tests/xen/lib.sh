# Helpers for the Xen-booted tests (sourced by tests/xen/run-all.sh).
# Every check reads what dom0 recorded: a guest's console log (NAME.console) and how
# xl saw it end (NAME.result), both copied out of the test host.

. "$(dirname "${BASH_SOURCE[0]}")/../verdict.sh"

# result_field NAME KEY: a value from NAME.result (lines KEY=VALUE).
result_field() { # nothing (not an error: the caller fails the test) if there is none
	sed -n "s/^$2=//p" "$results/$1.result" 2>/dev/null | head -n 1 || true
}

# expect_end TEST NAME HOW: the guest NAME ended as HOW (poweroff, crash, ...).
expect_end() {
	local got
	got=$(result_field "$2" end)
	if [ "$got" = "$3" ]; then pass "$1"; else fail "$1" "xl saw '${got:-nothing}', expected $3"; fi
}

# expect_done_within TEST FILE MAX_S: dom0's command (guest.sh's timed) succeeded, and in
# under MAX_S seconds.
expect_done_within() {
	local line seconds
	line=$(grep -m 1 '^status=' "$results/$2" 2>/dev/null || true)
	seconds=${line#*seconds=}
	if [[ $line == "status=0 seconds="* ]] && awk -v s="$seconds" -v m="$3" 'BEGIN { exit !(s < m) }'; then
		pass "$1 ($seconds s)"
	else
		fail "$1" "$(tr '\n' ' ' 2>/dev/null <"$results/$2" || echo "no $2")"
	fi
}

# expect_lines TEST NAME PATTERN...: each extended regex matches a console line, in order.
expect_lines() {
	local test=$1 name=$2 console="$results/$2.console" line=0 pattern n
	shift 2
	if [ ! -s "$console" ]; then
		fail "$test" "no console log for $name"
		return
	fi
	for pattern in "$@"; do
		n=$(tail -n +$((line + 1)) "$console" | grep -n -E -m1 -e "$pattern" | cut -d: -f1) || true
		if [ -z "$n" ]; then
			fail "$test" "console of $name lacks /$pattern/ (after line $line)"
			return
		fi
		line=$((line + n))
	done
	pass "$test"
}

# expect_file TEST FILE REGEX: a line of FILE (copied out of dom0's /out) matches REGEX.
expect_file() {
	if grep -q -E -e "$3" "$results/$2" 2>/dev/null; then
		pass "$1"
	else
		fail "$1" "$2: $(tail -n 3 "$results/$2" 2>/dev/null | tr '\n' ' ')"
	fi
}
