# tests/xen area "soak": a million requests through blkfront and a million UDP echoes through
# netfront, with the memory (free pages, malloc's pages and blocks, grants in use) the
# same at the start and the end, compared here from the console lines.
# Sourced by tests/xen/run-all.sh. Both guests run at once (the emulated host has two
# CPUs), as PV guests only: the drivers and allocators they soak are the same code in
# a PVH guest, and a second run would cost CI another five minutes.
# shellcheck shell=bash

soak_apps="blkbench echo"
soak_requests=1000000

soak_setup() {
	[ "$mode" = pv ] || return 0
	{
		"$top/tools/xlcfg.sh" blksoak blkbench 64 preserve "soak=$soak_requests"
		echo "disk = [ 'format=raw,vdev=xvda,access=rw,target=/tmp/soak.img' ]"
	} >"$job/blksoak.cfg"
	{
		"$top/tools/xlcfg.sh" echo-soak echo 64 preserve "ip=10.0.0.12 netmask=255.255.255.0 gw=10.0.0.1"
		echo "vif = [ 'mac=00:16:3e:5a:1f:0c,bridge=xenbr0' ]"
	} >"$job/echo-soak.cfg"
	gcc -static -O2 -Wall -Werror -o "$job/nettest" "$top/tests/xen/nettest.c"
}

soak_job() {
	[ "$mode" = pv ] || return 0
	cat <<JOB
dd if=/dev/zero of=/tmp/soak.img bs=1M count=16 2>/dev/null
guest_start blksoak blksoak.cfg
guest_start echo-soak echo-soak.cfg
if guest_wait_line echo-soak '^echo: listening' 60; then
	timed \$OUT/echo-soak-udp.txt ./nettest udp-soak 10.0.0.12 7 $soak_requests 32
	xl shutdown echo-soak
fi
guest_wait echo-soak 60
xl destroy echo-soak
guest_wait blksoak 900
xl destroy blksoak
rm -f /tmp/soak.img
JOB
}

# soak_flat TEST NAME PREFIX: the console's first and last "PREFIX N free pages, N kept
# by malloc, N malloc blocks, N grants in use" lines hold the same numbers (free pages and
# malloc's pages summed: a page malloc took for small blocks is not lost).
soak_flat() {
	local test=$1 console="$results/$2.console" first last
	first=$(grep -E "^$3" "$console" 2>/dev/null | head -n 1)
	last=$(grep -E "^$3" "$console" 2>/dev/null | tail -n 1)
	sum() { sed -E 's/.* ([0-9]+) free pages, ([0-9]+) kept by malloc, ([0-9]+) malloc blocks, ([0-9]+) grants.*/\1+\2 \3 \4/' <<<"$1" | awk '{ split($1, p, "+"); print p[1] + p[2], $2, $3 }'; }
	if [ "$(grep -c -E "^$3" "$console" 2>/dev/null)" -lt 2 ]; then
		fail "$test" "$2: fewer than two /$3/ lines"
	elif [ "$(sum "$first")" = "$(sum "$last")" ]; then
		pass "$test ($(sum "$last"))"
	else
		fail "$test" "$2: '$first' then '$last'"
	fi
}

soak_check() {
	[ "$mode" = pv ] || return 0
	expect_lines blkfront_soak_of_a_million_requests blksoak \
		"^blkbench: soak-4k-qd32: [1-9][0-9]* IOPS, .*\\($soak_requests requests in [0-9]+ ms\\)$" \
		'^blkbench: done$'
	soak_flat blkfront_soak_leaves_memory_flat blksoak 'blkbench: memory '
	expect_end blksoak_powers_off blksoak poweroff
	expect_file netfront_soak_of_a_million_udp_echoes echo-soak-udp.txt \
		"^nettest: udp-soak: $soak_requests echoes of 64 bytes"
	soak_flat netfront_soak_leaves_memory_flat echo-soak 'echo: memory: '
	expect_end echo_soak_powers_off echo-soak poweroff
}
