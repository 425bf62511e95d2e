#!/usr/bin/env bash
# The tests that boot Skiff appliances under Xen, one area per file in tests/xen/areas/
# (boot, crash, blk, hostile, net, soak, dom0run, posix, xenstore). All the guests of the areas asked for run in one
# boot of the emulated test host (tools/testhost), one after the other; then each
# area's checks judge what dom0 saw. One PASS/FAIL line per test, then "N passed, N failed".
#
#   tests/xen/run-all.sh [AREA...]       (make xen-test [T="blk net"]); default: all areas
#   MODES="pv pvh" (the default), or one of them: the boot modes to run every area in
#
# An area file names its apps and defines AREA_setup (configs into $job, here),
# AREA_job (the text dom0 runs, with tools/testhost/guest.sh sourced) and AREA_check.
# Each runs once per boot mode, with $mode set (pv or pvh), MODE exported for
# tools/xlcfg.sh, and $job, $results (and dom0's $OUT) that mode's own folders; every
# test's name starts with its mode ("pvh/hello_prints_...").
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
work=$top/build/xen-test
job=$work/job
. "$top/tests/xen/lib.sh"

# xenstore last: its last guest freezes dom0's xenstored.
all_areas="boot crash blk hostile net soak dom0run posix xenstore"
areas=${*:-$all_areas}
for area in $areas; do
	[ -f "$top/tests/xen/areas/$area.sh" ] ||
		{ echo "xen-test: no area '$area' (areas: $all_areas)" >&2; exit 2; }
	. "$top/tests/xen/areas/$area.sh"
done
# In the default order, whatever order they were asked in.
asked=" $areas "
areas=
for a in $all_areas; do
	if [[ $asked == *" $a "* ]]; then areas="$areas $a"; fi
done

# An app that does not build is a failure, not a skip: its guest then fails to start and
# every test of it fails too.
modes=${MODES:-pv pvh}
for mode in $modes; do
	case $mode in pv | pvh) ;; *) echo "xen-test: MODES: no mode '$mode' (pv, pvh)" >&2; exit 2 ;; esac
done
mkdir -p "$work"
rm -rf "$job" "$work"/boot-*
mkdir -p "$job"
for area in $areas; do
	apps_var=${area}_apps
	for app in ${!apps_var}; do
		if make -s -C "$top" APP=$app >"$work/build-$app.log" 2>&1; then
			cp "$top/build/$app/$app" "$job/"
			# its rootfs/, the ramdisk= of its configs
			[ ! -f "$top/build/$app/$app.cpio" ] || cp "$top/build/$app/$app.cpio" "$job/"
		else
			fail "${app}_builds" "make APP=$app: $(grep -m 2 -E 'error|multiple definition|undefined reference' "$work/build-$app.log" | tr '\n' ' ')"
		fi
	done
done

export EMULATED=1 # tools/xlcfg.sh: the configs are for the emulated test host
# in_mode MODE: $job, $results and test names are MODE's (the apps are shared). Each
# mode has a host boot of its own: its results are in $work/boot-MODE/MODE.
all_job=$job
in_mode() {
	mode=$1
	export MODE=$mode
	job=$all_job/$mode
	results=$work/boot-$mode/$mode
	test_prefix="$mode/"
}

net_forward= # the net area asks for this machine's port 8080 to reach dom0
for m in $modes; do
	in_mode "$m"
	mkdir -p "$job"
	for f in "$all_job"/*; do
		[ -f "$f" ] && ln -s "../$(basename "$f")" "$job/"
	done
	for area in $areas; do
		"${area}_setup"
	done
done

# boot_mode MODE: one boot of the test host running MODE's part of every area; 0 if the
# job ran to its end. An area may define AREA_boot and AREA_booted, run on this machine
# just before and after the boot (the net area's fetch through the port forward).
boot_mode() {
	local rc=0
	in_mode "$1"
	{
		echo "# Runs in dom0 of the test host, with tools/testhost/guest.sh already sourced."
		echo "# ==== boot mode $mode"
		echo "cd /job/$mode && OUT=/out/$mode && mkdir -p \$OUT"
		for area in $areas; do
			echo "# ---- area $area ($mode)"
			"${area}_job"
		done
	} >"$all_job/job.sh"
	for area in $areas; do
		! declare -F "${area}_boot" >/dev/null || "${area}_boot"
	done
	# TESTHOST: another copy of tools/testhost to run the batch with (default: this tree's).
	"${TESTHOST:-$top/tools/testhost}/run" --timeout 2400 ${net_forward:+--forward $net_forward} \
		"$all_job" "$work/boot-$mode" || rc=$?
	mkdir -p "$results"
	for area in $areas; do
		! declare -F "${area}_booted" >/dev/null || "${area}_booted"
	done
	return $rc
}

# The emulated CPU now and then triple-faults an HVM guest (a PVH guest, or the PV shim's)
# under event load, a fault of QEMU's software emulation that Linux PVH guests meet too
# (README, "Known issue"); once in a while the host stops with it. A boot in which Xen
# logged one is run again, at most twice more, with a NOTE naming the fault: the tests
# then judge the last boot, and any failure in it still fails.
for m in $modes; do
	for attempt in 1 2 3; do
		host_rc=0
		boot_mode "$m" || host_rc=$?
		fault=$(grep -m 1 'Triple fault' "$work/boot-$m/serial.log" 2>/dev/null || true)
		[ -n "$fault" ] && [ "$attempt" -lt 3 ] || break
		echo "NOTE: $m boot $attempt: the emulated CPU triple-faulted a guest (${fault#(XEN) }); booting the host again for every $m test"
	done
	if [ $host_rc -ne 0 ]; then
		test_prefix="$m/"
		fail test_host_job "the test host exited with status $host_rc"
	fi
done

for m in $modes; do
	in_mode "$m"
	for area in $areas; do
		"${area}_check"
	done
done

echo "xen: $passed passed, $failed failed"
[ $failed -eq 0 ]
