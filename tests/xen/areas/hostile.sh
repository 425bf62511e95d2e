# tests/xen area "hostile": blkfront against a backend that breaks the protocol on purpose
# Sourced by tests/xen/run-all.sh. Each case boots apps/blkhostile paused with two disks:
# xvda from dom0's blkback (it must keep working) and xvdb from tests/xen/blkfault.c, a
# backend in dom0's userspace that serves honestly up to request N and then does the
# case's wrong (or puts garbage in one node, or is a disk of another shape). The tests
# read the guest's console, blkfault's own log, the backend's store (every write the
# guest was told succeeded must be in it) and how xl saw the domain end.
# shellcheck shell=bash

hostile_apps="blkhostile"

# name  case  at-request  sectors(512 B)  sector-size  extra=
hostile_cases() {
	cat <<'CASES'
honest       honest                                  0  65536       512  blocks=64
bad-id       bad-id                                  10 65536       512  blocks=64
duplicate    duplicate                               10 65536       512  blocks=64
far-ahead    far-ahead                               10 65536       512  blocks=64
wrong-op     wrong-op                                10 65536       512  blocks=64
bad-status   bad-status                              10 65536       512  blocks=64
silence      silence                                 10 65536       512  blocks=64
storm        storm                                   10 65536       512  blocks=64
closing      closing                                 10 65536       512  blocks=64
closed       closed                                  10 65536       512  blocks=64
unmap        unmap                                   10 65536       512  blocks=64
sectors      node:sectors=12ab                       0  65536       512  blocks=64
sector-size  node:sector-size=3                      0  65536       512  blocks=64
pss          node:physical-sector-size=x             0  65536       512  blocks=64
flush        node:feature-flush-cache=yes            0  65536       512  blocks=64
ring-order   node:max-ring-page-order=99             0  65536       512  blocks=64
indirect     node:feature-max-indirect-segments=-1   0  65536       512  blocks=64
3tib         honest                                  0  6442450944  512  blocks=64 at=end
4k           honest                                  0  65536       4096 blocks=64
CASES
}

hostile_setup() {
	gcc -static -O2 -Wall -Werror -o "$job/blkfault" "$top/tests/xen/blkfault.c" \
		-lxenstore -lxengnttab -lxenevtchn -lxentoolcore -lxentoollog -lpthread 2>"$work/blkfault-build.log" ||
		fail blkfault_builds "$(head -n 3 "$work/blkfault-build.log" | tr '\n' ' ')"
	# HOSTILE_ONLY=REGEX: only the cases whose names match (while working on one; the
	# others then fail for want of a console).
	hostile_cases | grep -E "^(${HOSTILE_ONLY:-.*}) " >"$job/hostile-cases.txt"
	while read -r name _ _ _ _ extra; do
		{
			"$top/tools/xlcfg.sh" "hostile-$name" blkhostile 32 preserve "$extra"
			echo "disk = [ 'format=raw,vdev=xvda,access=rw,target=@DISK@' ]"
		} >"$job/hostile-$name.cfg"
	done <"$job/hostile-cases.txt"
}

hostile_job() {
	cat <<'JOB'
# xvda of every case: a loop device (a phy disk attaches in a second, a file in several).
dd if=/dev/zero of=/tmp/hostile-a.img bs=1M count=1 2>/dev/null
hostile_loop=$(/sbin/losetup -f --show /tmp/hostile-a.img)
while read -r name case at sectors ssize extra; do
	g=hostile-$name
	sed -i "s|@DISK@|$hostile_loop|" $g.cfg
	guest_start $g $g.cfg -p || continue
	./blkfault "$(xl domid $g)" 51728 /tmp/$g.img $sectors $ssize "$case" $at >$OUT/$g.backend 2>&1 &
	bpid=$!
	for i in $(seq 50); do grep -q '^blkfault: ready' $OUT/$g.backend 2>/dev/null && break; sleep 0.1; done
	xl unpause $g
	if guest_wait_line $g '^blkhostile: waiting for a shutdown request' 120; then
		xl shutdown $g
	fi
	guest_wait $g 60
	xl destroy $g 2>/dev/null
	for i in $(seq 50); do kill -0 $bpid 2>/dev/null || break; sleep 0.1; done
	kill $bpid 2>/dev/null && echo "blkfault: still running after the guest went: killed" >>$OUT/$g.backend
	wait $bpid
	echo "status=$?" >>$OUT/$g.backend
	acked=$(sed -n 's/^blkhostile: acked blocks at sector \([0-9]*\):\(.*\)$/\1\2/p' $OUT/$g.console)
	if [ -n "$acked" ]; then
		./blkfault verify /tmp/$g.img $acked >$OUT/$g.verify 2>&1
	else
		echo "no acked blocks line" >$OUT/$g.verify
	fi
	rm -f /tmp/$g.img
done <hostile-cases.txt
/sbin/losetup -d $hostile_loop
rm -f /tmp/hostile-a.img
JOB
}

# What every case must show: the guest lived, the other disk worked, every page and
# grant came back, xl shutdown powered it off, the acknowledged writes are in the store.
hostile_common() {
	local name=$1 g=hostile-$1
	expect_lines "hostile_${name}_other_disk_keeps_working" $g '^blkhostile: xvda still works$'
	expect_lines "hostile_${name}_every_page_and_grant_back" $g '^blkhostile: memory all back$'
	expect_end "hostile_${name}_powers_off_when_asked" $g poweroff
	expect_file "hostile_${name}_acknowledged_writes_are_in_the_store" $g.verify \
		'^blkfault: verify: all [0-9]+ acknowledged block\(s\) are in the store$'
}

# A case that breaks the disk: one line says why, the outstanding writes failed, a new one
# fails at once (well under a second), the close is prompt.
hostile_broken() {
	local name=$1 why=$2 g=hostile-$1
	expect_file "hostile_${name}_backend_misbehaved" $g.backend "^blkfault: case "
	expect_lines "hostile_${name}_breaks_the_disk_with_one_line" $g \
		"^blkfront xvdb: $why.*; device disabled, [0-9]+ request\(s\) failed$"
	if [ "$(grep -c 'device disabled' "$results/$g.console" 2>/dev/null)" = 1 ]; then
		pass "hostile_${name}_says_it_once"
	else
		fail "hostile_${name}_says_it_once" "$(grep -c 'device disabled' "$results/$g.console" 2>/dev/null) 'device disabled' lines"
	fi
	expect_lines "hostile_${name}_outstanding_writes_fail" $g \
		'^blkhostile: xvdb: [0-9]+ write\(s\) acknowledged, [1-9][0-9]* failed \(first EIO'
	expect_lines "hostile_${name}_a_new_write_fails_at_once" $g \
		'^blkhostile: xvdb: a new write: EIO in [0-9]{1,3}\.[0-9] ms$'
	expect_lines "hostile_${name}_closes_promptly" $g \
		'^blkhostile: xvdb: closed in [0-9]{1,4}\.[0-9] ms$'
	hostile_common "$name"
}

# A case the disk survives: every write acknowledged, no break.
hostile_works() {
	local name=$1 g=hostile-$1
	expect_lines "hostile_${name}_every_write_acknowledged" $g \
		'^blkhostile: xvdb: 64 write\(s\) acknowledged, 0 failed$' \
		'^blkhostile: acked blocks at sector [0-9]+: 0-63$'
	if grep -q 'device disabled' "$results/$g.console" 2>/dev/null; then
		fail "hostile_${name}_no_break" "$(grep -m1 'device disabled' "$results/$g.console")"
	else
		pass "hostile_${name}_no_break"
	fi
	hostile_common "$name"
}

# A disk refused at open: one line says why; the app goes on with the other disk.
hostile_refused() {
	local name=$1 why=$2 g=hostile-$1
	expect_lines "hostile_${name}_refuses_the_disk_with_one_line" $g "^blkfront xvdb: $why" \
		'^blkhostile: xvdb refused: E[A-Z]+$'
	expect_lines "hostile_${name}_other_disk_keeps_working" $g '^blkhostile: xvda still works$'
	expect_lines "hostile_${name}_every_page_and_grant_back" $g '^blkhostile: memory all back$'
	expect_end "hostile_${name}_powers_off_when_asked" $g poweroff
}

hostile_check() {
	hostile_works honest
	hostile_broken bad-id 'response for id 0x[0-9a-f]+, which is not in flight'
	hostile_broken duplicate 'response for id 0x[0-9a-f]+, which is not in flight'
	# The slots past the real answer hold old requests: their ids (or the count) give it away.
	hostile_broken far-ahead '(backend claims [0-9]+ responses, but only [0-9]+ requests were outstanding|response for id 0x[0-9a-f]+, which is not in flight)'
	hostile_broken wrong-op 'response to request 0x[0-9a-f]+ has operation [0-9]+, request had [0-9]+'
	hostile_broken bad-status 'response to request 0x[0-9a-f]+ has unknown status 7'
	hostile_broken silence 'no answer to a request in 30 s'
	hostile_works storm
	hostile_broken unmap 'no answer to a request in 30 s'
	for name in closing closed; do
		expect_lines "hostile_${name}_detaches_with_one_line" hostile-$name \
			"^blkfront xvdb: the backend is going away \\(${name^}\\): detaching$" \
			'^blkhostile: xvdb: [0-9]+ write\(s\) acknowledged, [1-9][0-9]* failed \(first EIO' \
			'^blkhostile: xvdb: a new write: EIO in [0-9]{1,3}\.[0-9] ms$' \
			'^blkhostile: xvdb: closed in [0-9]{1,4}\.[0-9] ms$'
		hostile_common $name
	done
	hostile_refused sectors 'cannot read the disk.s size'
	hostile_refused sector-size 'bad sector-size 3'
	for name in pss flush ring-order indirect; do
		hostile_works $name
	done
	expect_lines hostile_pss_ignores_garbage_with_one_line hostile-pss \
		'^blkfront xvdb: ignoring backend node physical-sector-size'
	expect_lines hostile_flush_ignores_garbage_with_one_line hostile-flush \
		'^blkfront xvdb: ignoring backend node feature-flush-cache'
	expect_lines hostile_indirect_ignores_garbage_with_one_line hostile-indirect \
		'^blkfront xvdb: ignoring backend node feature-max-indirect-segments'
	expect_file hostile_ring_order_99_is_clamped hostile-ring-order.backend \
		'^blkfault: connected, ring of 4 page\(s\)'
	hostile_works 3tib
	expect_lines hostile_3tib_disk_size hostile-3tib '^blkhostile: xvdb: 6442450944 sectors of 512 bytes$' \
		'^blkhostile: acked blocks at sector 6442450432: 0-63$'
	hostile_works 4k
	expect_lines hostile_4k_disk_size hostile-4k '^blkhostile: xvdb: 8192 sectors of 4096 bytes$'
}
