#!/usr/bin/env bash
# Every test: the host unit tests, the host build tests, the fuzz targets (briefly), the Xen-booted tests, then make
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

# suite NAME TITLE SCRIPT: run a suite that prints one "PASS name" or "FAIL name: why"
# line per test; NAME_pass and NAME_fail get the counts. A suite that failed without a
# FAIL line (it crashed, or did not start) counts as one failure, never as a pass.
suite() {
	local name=$1 rc pass fail
	echo "== $2"
	"$3" 2>&1 | tee "$log/$name.log"
	rc=${PIPESTATUS[0]}
	pass=$(grep -c '^PASS ' "$log/$name.log")
	fail=$(grep -c '^FAIL ' "$log/$name.log")
	if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
		fail=1
	fi
	printf -v "${name}_pass" %s "$pass"
	printf -v "${name}_fail" %s "$fail"
}
suite build "build tests (host, tests/build)" "$top/tests/build/run-all.sh"
# FUZZ_SECONDS per target (7 targets): a bounded run; make fuzz runs them long.
fuzz_run() { "$top/tests/fuzz/run.sh" "${FUZZ_SECONDS:-5}"; }
suite fuzz "fuzz targets (host, libFuzzer with ASan and UBSan, tests/fuzz)" fuzz_run
suite xen "Xen tests (emulated test host)" "$top/tests/xen/run-all.sh"
suite run "make run tests (each boots the emulated test host as a user's make run does)" \
	"$top/tests/run/run-all.sh"

echo "unit: $unit_pass passed, $unit_fail failed; build: $build_pass passed, $build_fail failed;" \
	"fuzz: $fuzz_pass passed, $fuzz_fail failed;" \
	"xen: $xen_pass passed, $xen_fail failed; make run: $run_pass passed, $run_fail failed"
echo "$((unit_pass + build_pass + fuzz_pass + xen_pass + run_pass)) passed," \
	"$((unit_fail + build_fail + fuzz_fail + xen_fail + run_fail)) failed"
[ $((unit_fail + build_fail + fuzz_fail + xen_fail + run_fail)) -eq 0 ]
