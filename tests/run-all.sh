#!/usr/bin/env bash
# Every test: the host unit tests, the host build tests, the Xen-booted tests, then make
# run as a user meets it. Ends with the line "N passed, N failed" summing them all, and
# exits non-zero if anything failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
log=$top/build/test-logs
mkdir -p "$log"

echo "== unit tests (host, cmocka)"
make -s -C "$top/tests/unit" 2>&1 | tee "$log/unit.log"
unit_rc=${PIPESTATUS[0]}
# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s), listed below:"
unit_pass=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log/unit.log" | awk '{s += $1} END {print s + 0}')
unit_fail=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log/unit.log" | awk '{s += $1} END {print s + 0}')
if [ "$unit_rc" -ne 0 ] && [ "$unit_fail" -eq 0 ]; then
	unit_fail=1 # a build error or a crash: count it, never let it pass silently
fi

echo "== build tests (host, tests/build)"
"$top/tests/build/run-all.sh" 2>&1 | tee "$log/build.log"
build_rc=${PIPESTATUS[0]}
build_pass=$(grep -c '^PASS ' "$log/build.log")
build_fail=$(grep -c '^FAIL ' "$log/build.log")
if [ "$build_rc" -ne 0 ] && [ "$build_fail" -eq 0 ]; then
	build_fail=1
fi

echo "== Xen tests (emulated test host)"
"$top/tests/xen/run-all.sh" 2>&1 | tee "$log/xen.log"
xen_rc=${PIPESTATUS[0]}
xen_pass=$(grep -c '^PASS ' "$log/xen.log")
xen_fail=$(grep -c '^FAIL ' "$log/xen.log")
if [ "$xen_rc" -ne 0 ] && [ "$xen_fail" -eq 0 ]; then
	xen_fail=1
fi

echo "== make run tests (each boots the emulated test host as a user's make run does)"
"$top/tests/run/run-all.sh" 2>&1 | tee "$log/run.log"
run_rc=${PIPESTATUS[0]}
run_pass=$(grep -c '^PASS ' "$log/run.log")
run_fail=$(grep -c '^FAIL ' "$log/run.log")
if [ "$run_rc" -ne 0 ] && [ "$run_fail" -eq 0 ]; then
	run_fail=1
fi

echo "unit: $unit_pass passed, $unit_fail failed; build: $build_pass passed, $build_fail failed;" \
	"xen: $xen_pass passed, $xen_fail failed; make run: $run_pass passed, $run_fail failed"
echo "$((unit_pass + build_pass + xen_pass + run_pass)) passed," \
	"$((unit_fail + build_fail + xen_fail + run_fail)) failed"
[ $((unit_fail + build_fail + xen_fail + run_fail)) -eq 0 ]
