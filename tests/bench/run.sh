#!/usr/bin/env bash
# make bench: Skiff against a Linux guest (Debian's kernel), side by side in one boot of
# the emulated test host, on the same kind of disk and the same bridge, once as PV
# guests and once as PVH guests (the same images, like for like: Skiff PV against
# Linux PV, Skiff PVH against Linux PVH). Reports each figure for each and the ratio
# Skiff / Linux (above 1: Skiff is faster or smaller, for figures where less is better
# the ratio is Linux / Skiff).
#
# Measured, for each guest:
#   disk   write+flush and read of a whole 64 MiB file-backed disk (blkback, loop), 3 times
#   net    TCP throughput of 10 s of `iperf -c` from dom0 into the guest, 3 times, the
#          two guests up together and measured in turn
#   boot   xl create -> the guest's "ready" line (network up, server listening)
#   size   the kernel image (Linux: its bzImage and the initramfs of busybox and iperf)
# All under QEMU's software emulation: compare the ratios, not the absolute figures.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
work=$top/build/bench
job=$work/job
out=$work/out
"$top/tools/install-deps.sh" testhost

for app in blkcheck iperf; do
	make -s -C "$top" APP=$app >/dev/null
done
rm -rf "$job" "$out"
mkdir -p "$job" "$out"
cp "$top/build/blkcheck/blkcheck" "$top/build/iperf/iperf" "$job/"

kroot=$top/build/deps/linux/root
vmlinuz=$(ls "$kroot"/boot/vmlinuz-*)
# An ELF kernel: libxenguest would otherwise decompress the bzImage in dom0 (~12 s).
"$top/tools/unpack-vmlinux.sh" "$vmlinuz" "$work/vmlinux"
ln -f "$work/vmlinux" "$job/vmlinux" 2>/dev/null || cp "$work/vmlinux" "$job/vmlinux"
"$top/tests/bench/mkguest.sh" "$kroot" "$job/linux.cpio.gz"

cfg() { # NAME KERNEL MEMORY EXTRA IP_SUFFIX [more config lines]; MODE: pv or pvh
	local name=$1 kernel=$2 memory=$3 extra=$4 n=$5
	shift 5
	"$top/tools/xlcfg.sh" "$name" "$kernel" "$memory" preserve "$extra"
	echo "vif = [ 'mac=00:16:3e:5b:00:$n,bridge=xenbr0' ]"
	for line in "$@"; do echo "$line"; done
}
disk() { echo "disk = [ 'format=raw,vdev=xvda,access=rw,target=/tmp/$1.img' ]"; }
# Per mode: Skiff's disk guests, Skiff's and Linux's network guests (addresses .12/.13
# for PV, .14/.15 for PVH).
n=11
export EMULATED=1
for mode in pv pvh; do
	export MODE=$mode
	for run in 1 2 3; do
		cfg skiff-$mode-disk-$run blkcheck 64 "seed=1 bench" $n "$(disk skiff)" >"$job/skiff-$mode-disk-$run.cfg"
	done
	skiff_ip=10.0.0.$((n + 1)) linux_ip=10.0.0.$((n + 2))
	cfg skiff-$mode-net iperf 64 "ip=$skiff_ip netmask=255.255.255.0" $((n + 1)) >"$job/skiff-$mode-net.cfg"
	# (EMULATED=1: PVH guests get tsc_mode="native", which Linux needs here too: it
	# reads the TSC with rdtscp, which QEMU's SVM cannot decode once Xen traps it.)
	cfg linux-$mode vmlinux 256 "console=hvc0 quiet ip=$linux_ip" $((n + 2)) "$(disk linux)" \
		'ramdisk = "linux.cpio.gz"' >"$job/linux-$mode.cfg"
	echo "bench_net $mode $skiff_ip $linux_ip" >>"$job/modes.txt"
	n=$((n + 3))
done
unset MODE EMULATED

cat >"$job/job.sh" <<'JOB'
# Runs in dom0 with tools/testhost/guest.sh sourced. One guest at a time.
dd if=/dev/zero of=/tmp/skiff.img bs=1M count=64 2>/dev/null
dd if=/dev/zero of=/tmp/linux.img bs=1M count=64 2>/dev/null

# bench_net MODE SKIFF_IP LINUX_IP: both network guests of MODE up at once, then iperf
# to each in turn, three times: the two see the same host, and its noise, as much as
# possible.
bench_net() {
	local m=$1
	for run in 1 2 3; do
		guest_run skiff-$m-disk-$run skiff-$m-disk-$run.cfg 600
	done
	guest_start linux-$m linux-$m.cfg
	guest_start skiff-$m-net skiff-$m-net.cfg
	if guest_wait_line skiff-$m-net '^iperf: listening' 120; then
		echo "ready_s=$(uptime_s)" >>/out/skiff-$m-net.result
	fi
	if guest_wait_line linux-$m '^linux: ready' 600; then
		echo "ready_s=$(uptime_s)" >>/out/linux-$m.result
	fi
	for run in 1 2 3; do
		iperf -c $2 -t 10 -f m >/out/skiff-$m-iperf-$run.txt 2>&1
		iperf -c $3 -t 10 -f m >/out/linux-$m-iperf-$run.txt 2>&1
	done
	guest_wait skiff-$m-net 1 >/dev/null # records the consoles
	guest_wait linux-$m 1 >/dev/null
	xl destroy skiff-$m-net
	xl destroy linux-$m
}
. ./modes.txt
JOB

"$top/tools/testhost/run" --timeout 1800 "$job" "$out" >"$work/testhost.log" 2>&1 || {
	echo "bench: the test host failed (see $work/testhost.log)" >&2
	tail -n 20 "$work/testhost.log" >&2
	exit 1
}

# ---- the report ----------------------------------------------------------------
field() { sed -n "s/^$2=//p" "$out/$1.result" 2>/dev/null | head -n 1; }
since_create() { awk -v a="$(field "$1" create_s)" -v b="$(field "$1" "$2")" \
	'BEGIN { if (a != "" && b != "") printf "%.1f", b - a }'; }

# median and range of the numbers on stdin: "61.2 (55.0-70.3)"
stats() { sort -n | awk '{ v[NR] = $1 } END {
	if (NR) printf "%s (%s-%s)", v[int((NR + 1) / 2)], v[1], v[NR] }'; }
# figures MODE: the variables of one mode's rows
figures() {
	local m=$1
	skiff_w=$(cat "$out"/skiff-$m-disk-*.console 2>/dev/null |
		sed -n 's/.*write+flush [0-9]* MiB in [0-9]* ms: \([0-9.]*\) MB\/s.*/\1/p' | stats)
	skiff_r=$(cat "$out"/skiff-$m-disk-*.console 2>/dev/null |
		sed -n 's/.*: read [0-9]* MiB in [0-9]* ms: \([0-9.]*\) MB\/s.*/\1/p' | stats)
	linux_w=$(sed -n 's/^linux: disk write+flush \([0-9.]*\) MB.*/\1/p' "$out/linux-$m.console" 2>/dev/null | stats)
	linux_r=$(sed -n 's/^linux: disk .* read \([0-9.]*\) MB.*/\1/p' "$out/linux-$m.console" 2>/dev/null | stats)
	skiff_net=$(cat "$out"/skiff-$m-iperf-*.txt 2>/dev/null | grep -o -E '[0-9.]+ Mbits/sec' |
		cut -d' ' -f1 | stats)
	linux_net=$(cat "$out"/linux-$m-iperf-*.txt 2>/dev/null | grep -o -E '[0-9.]+ Mbits/sec' |
		cut -d' ' -f1 | stats)
	skiff_boot=$(since_create skiff-$m-net ready_s)
	linux_boot=$(since_create linux-$m ready_s)
}
skiff_size=$(stat -c %s "$top/build/iperf/iperf.stripped")
linux_size=$(($(stat -c %s "$vmlinuz") + $(stat -c %s "$job/linux.cpio.gz")))

row() { # WHAT UNIT SKIFF LINUX HIGHER_IS_BETTER (SKIFF and LINUX: "median (min-max)")
	awk -v w="$1" -v u="$2" -v s="$3" -v l="$4" -v hib="$5" 'BEGIN {
		split(s, a, " "); split(l, b, " "); r = "n/a"
		if (a[1] > 0 && b[1] > 0)
			r = sprintf("%.2f", hib ? a[1] / b[1] : b[1] / a[1])
		printf "%-40s %-22s %-22s %6s\n", w " (" u ")", s == "" ? "-" : s, l == "" ? "-" : l, r }'
}
{
	echo "Skiff vs Linux ($(basename "$vmlinuz" | sed 's/vmlinuz-//')), both under Xen 4.17 in the emulated test host"
	echo "(QEMU TCG, 2 cores; median of 3 runs (min-max); ratio of medians, > 1: Skiff is better)"
	for m in pv pvh; do
		figures $m
		echo
		printf "%-40s %-22s %-22s %6s\n" "as $m guests" Skiff Linux ratio
		row "disk write+flush, 64 MiB" "MB/s" "$skiff_w" "$linux_w" 1
		row "disk read, 64 MiB" "MB/s" "$skiff_r" "$linux_r" 1
		row "TCP in, iperf -c from dom0, 10 s" "Mbit/s" "$skiff_net" "$linux_net" 1
		row "xl create -> ready" "s" "$skiff_boot" "$linux_boot" 0
	done
	echo
	row "image (Linux: bzImage + initramfs)" "bytes" "$skiff_size" "$linux_size" 0
} | tee "$work/report.txt"
echo "bench: report in build/bench/report.txt, consoles in build/bench/out/"
