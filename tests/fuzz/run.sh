#!/usr/bin/env bash
# Run every libFuzzer target for SECONDS each (default 5: what make test gives them;
# make fuzz gives them FUZZ_SECONDS, default 300), one line per target:
#
#   PASS fuzz_blkif: 5123 executions in 5 s, no crash
#   FAIL fuzz_blkif: crash, input kept in build/fuzz/crashes/fuzz_blkif-crash-<sha1>
#
# Each target first runs every input of its seed corpus (tests/fuzz/corpus/<target>/,
# which also holds each input that once found a bug), then mutates for the rest of the
# time. What it finds new goes to build/fuzz/corpus/<target>/, never into the tree:
# `make fuzz-merge` (see README.md) is how a run's findings are kept.
set -uo pipefail

seconds=${1:-5}
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/fuzz
targets=(fuzz_xs_wire fuzz_xenstore fuzz_blkif fuzz_netif fuzz_console fuzz_cmdline fuzz_cpio)

if ! make -s -C "$top/tests/fuzz" >"$out.build.log" 2>&1; then
	cat "$out.build.log"
	echo "FAIL fuzz: the targets do not build (clang with libFuzzer: tools/install-deps.sh fuzz)"
	exit 1
fi
mkdir -p "$out/crashes" "$out/logs"
# LSan cannot follow the host threads' swapcontext stacks at exit; lsan.supp names the
# one report that causes (libFuzzer's own objects). Every leak in Skiff's code is caught.
export LSAN_OPTIONS=suppressions=$top/tests/fuzz/lsan.supp
export ASAN_OPTIONS=abort_on_error=0:detect_stack_use_after_return=0

failed=0
for t in "${targets[@]}"; do
	work=$out/corpus/$t seeds=$top/tests/fuzz/corpus/$t log=$out/logs/$t.log
	mkdir -p "$work"
	dirs=("$work")
	[ -d "$seeds" ] && dirs+=("$seeds")
	"$out/$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$out/crashes/$t-" "${dirs[@]}" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	crash=$(sed -n 's/^artifact_prefix=.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
	if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
		echo "PASS $t: $runs executions in $seconds s, no crash"
	else
		failed=1
		grep -v '^#\|WARNING: ASan' "$log" | grep -m 40 -A 40 'ERROR\|==ERROR\|abort\|deadly\|timeout' | head -60
		if [ -n "$crash" ]; then
			echo "FAIL $t: crash, input kept in ${crash#"$top"/} (log: ${log#"$top"/})"
		else
			echo "FAIL $t: exit $rc, log in ${log#"$top"/}"
		fi
	fi
done
exit $failed
