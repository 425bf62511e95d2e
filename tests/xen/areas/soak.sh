# tests/xen area "soak": a million requests through blkfront and a million through netfront
# (half a million UDP echoes, each an RX and a TX request), with the memory (free pages, malloc's pages and blocks, grants in use) the
# same at the start and the end, compared here from the console lines.
# Sourced by tests/xen/run-all.sh. One guest after the other (at once, under TCG, each
# went at a third of its speed), as PV guests only: the drivers and allocators they
# soak are the same code in a PVH guest, and a second run would cost CI minutes more.
# shellcheck shell=bash

soak_apps="blkbench echo"
soak_requests=${SOAK_REQUESTS:-1000000} # SOAK_REQUESTS: fewer, while working on it
# An echo is two netfront requests (one RX, one TX): half as many echoes.
soak_echoes=$((soak_requests / 2))

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
guest_run blksoak blksoak.cfg 900
rm -f /tmp/soak.img
guest_start echo-soak echo-soak.cfg
if guest_wait_line echo-soak '^echo: listening' 60; then
	timed \$OUT/echo-soak-udp.txt ./nettest udp-soak 10.0.0.12 7 $soak_echoes 32
	xl shutdown echo-soak
fi
guest_wait echo-soak 60
xl destroy echo-soak
JOB
}

# soak_flat TEST NAME PREFIX: the console's last "PREFIX N free pages, N kept by malloc,
# N malloc blocks, N grants in use" line holds the same numbers as the one before it
# (free pages and malloc's pages summed: a page malloc took for small blocks is not
# lost). blkbench prints two, after its warm-up and at the end; echo three, after the
# warm-up, half-way and at the end: lwIP's and netfront's caches fill to the traffic's
# peak in flight in the first half, and the second must leave them as they were.
soak_flat() {
	local test=$1 console="$results/$2.console" lines first last
	lines=$(grep -E "^$3" "$console" 2>/dev/null || true)
	first=$(tail -n 2 <<<"$lines" | head -n 1)
	last=$(tail -n 1 <<<"$lines")
	if [ "$(grep -c . <<<"$lines" || true)" -lt 2 ]; then
		fail "$test" "$2: fewer than two /$3/ lines"
	elif [ "$(soak_numbers "$first")" = "$(soak_numbers "$last")" ]; then
		pass "$test ($(soak_numbers "$last"))"
	else
		fail "$test" "$2: '$first' then '$last'"
	fi
}

# "N free pages, N kept by malloc, N malloc blocks, N grants": "pages blocks grants", the
# pages summed.
soak_numbers() {
	sed -E 's/.* ([0-9]+) free pages, ([0-9]+) kept by malloc, ([0-9]+) malloc blocks, ([0-9]+) grants.*/\1 \2 \3 \4/' <<<"$1" |
		awk '{ print $1 + $2, $3, $4 }'
}

soak_check() {
	[ "$mode" = pv ] || return 0
	expect_lines blkfront_soak_of_a_million_requests blksoak \
		"^blkbench: soak-4k-qd32: [1-9][0-9]* IOPS, .*\\($soak_requests requests in [0-9]+ ms\\)$" \
		'^blkbench: done$'
	soak_flat blkfront_soak_leaves_memory_flat blksoak 'blkbench: memory '
	expect_end blksoak_powers_off blksoak poweroff
	expect_file netfront_soak_of_a_million_requests echo-soak-udp.txt \
		"^nettest: udp-soak: $soak_echoes echoes of 64 bytes"
	soak_flat netfront_soak_leaves_memory_flat echo-soak 'echo: memory: '
	expect_end echo_soak_powers_off echo-soak poweroff
}
