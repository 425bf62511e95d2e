# tests/xen area "blk": blkfront: two disks, a 4 KiB-sector disk, reopen, detach and shutdown under load
# Sourced by tests/xen/run-all.sh, which builds blk_apps, runs blk_setup on this
# machine (configs and files into $job), puts blk_job's text into the one job dom0
# runs, boots the test host once for every area asked for, then runs blk_check.
# shellcheck shell=bash

blk_apps="blkcheck blkedge blkbench"

blk_setup() {
# blkcheck: a 32 MiB read-write disk it fills with seed 7 (in 1 MiB requests) and
# discards 1 MiB of, and a read-only one it tries to write to. The read-write image is
# on a tmpfs, whose loop device takes discards as holes punched in the file.
blk_seed=7
{
	"$top/tools/xlcfg.sh" blkcheck blkcheck 64 preserve "seed=$blk_seed wait"
	echo "disk = [ 'format=raw,vdev=xvda,access=rw,target=/tmp/blkfs/blk-rw.img',"
	echo "         'format=raw,vdev=xvdb,access=ro,target=/tmp/blk-ro.img' ]"
} >"$job/blkcheck.cfg"
# blkedge: its disk (a loop device of 4 KiB sectors) is added by the job in dom0.
"$top/tools/xlcfg.sh" blkedge blkedge 32 preserve >"$job/blkedge.cfg"
gcc -static -O2 -Wall -Werror -o "$job/sparse" "$top/tests/xen/sparse.c"
# blkbench: make bench's disk patterns, 1 s each, so the bench's app is known to work.
{
	"$top/tools/xlcfg.sh" blkbench blkbench 64 preserve "secs=1"
	echo "disk = [ 'format=raw,vdev=xvda,access=rw,target=/tmp/blk-bench.img' ]"
} >"$job/blkbench.cfg"
}

blk_job() {
	cat <<'JOB'
# blkcheck: two disks made here; once it checked them, xl shutdown must disconnect both.
mkdir -p /tmp/blkfs && mount -t tmpfs -o size=48m tmpfs /tmp/blkfs
dd if=/dev/zero of=/tmp/blkfs/blk-rw.img bs=1M count=32 2>/dev/null
dd if=/dev/zero of=/tmp/blk-ro.img bs=1M count=1 2>/dev/null
printf 'SKIFF read-only disk' | dd of=/tmp/blk-ro.img conv=notrunc 2>/dev/null
cp /tmp/blk-ro.img /tmp/blk-ro.orig # the guest writes to it past its own check: blkback refuses
guest_start blkcheck blkcheck.cfg && blk_home=/local/domain/$(xl domid blkcheck) &&
if guest_wait_line blkcheck '^blkcheck: waiting for a shutdown request' 600; then
	xenstore-read $blk_home/device/vbd/51712/state >$OUT/blkcheck-state-before.txt
	# What each side offered, what blkback counted, and the image's holes.
	blk_back=$(xenstore-read $blk_home/device/vbd/51712/backend)
	for node in feature-max-indirect-segments feature-persistent feature-discard discard-granularity; do
		echo "backend $node $(xenstore-read $blk_back/$node 2>/dev/null || echo absent)"
	done >$OUT/blkcheck-features.txt
	echo "frontend feature-persistent $(xenstore-read $blk_home/device/vbd/51712/feature-persistent 2>/dev/null || echo absent)" >>$OUT/blkcheck-features.txt
	for f in /sys/bus/xen-backend/devices/vbd-$(xl domid blkcheck)-51712/statistics/*; do
		echo "$(basename $f) $(cat $f)"
	done >$OUT/blkcheck-blkback-stats.txt
	./sparse /tmp/blkfs/blk-rw.img >$OUT/blkcheck-sparse.txt 2>&1
	# Hot-unplug of the read-only disk: the guest must follow, or xl waits and fails.
	timed $OUT/blkcheck-detach.txt xl block-detach blkcheck xvdb
	xl shutdown blkcheck
fi
guest_wait blkcheck 120
for vbd in 51712 51728; do
	echo "$vbd $(xenstore-read $blk_home/device/vbd/$vbd/state 2>/dev/null || echo gone)"
done >$OUT/blkcheck-state-after.txt
xl destroy blkcheck
cp /tmp/blkfs/blk-rw.img $OUT/blkcheck-disk.img
rm -f /tmp/blkfs/blk-rw.img
{
	cmp /tmp/blk-ro.orig /tmp/blk-ro.img 2>&1
	echo "cmp=$?"
	echo "sector 0: $(head -c 24 /tmp/blk-ro.img | tr '\000' '.')"
} >$OUT/blkcheck-ro-cmp.txt
rm -f /tmp/blk-ro.orig

dd if=/dev/zero of=/tmp/blk-bench.img bs=1M count=16 2>/dev/null
guest_run blkbench blkbench.cfg 120
rm -f /tmp/blk-bench.img

# blkedge: a disk of 4 KiB sectors (util-linux losetup, not busybox's: blkback reports sector-size
# 4096, sectors in 512-byte units), a garbage max-ring-page-order written while the
# guest is paused, close and reopen, then a detach while reads are in flight. xvdb (a
# second loop device: phy disks attach in a second, files in several) is closed at exit.
dd if=/dev/zero of=/tmp/blk-4k.img bs=1M count=8 2>/dev/null
dd if=/dev/zero of=/tmp/blk-spare.img bs=1M count=1 2>/dev/null
if loop=$(/sbin/losetup --sector-size 4096 -f --show /tmp/blk-4k.img 2>$OUT/blkedge-losetup.txt) &&
	spare=$(/sbin/losetup -f --show /tmp/blk-spare.img 2>>$OUT/blkedge-losetup.txt); then
	{
		cat blkedge.cfg
		echo "disk = [ 'format=raw,vdev=xvda,access=rw,target=$loop'," \
			"'format=raw,vdev=xvdb,access=rw,target=$spare' ]"
	} >/tmp/blkedge.cfg
	if guest_start blkedge /tmp/blkedge.cfg -p; then
		xenstore-write /local/domain/0/backend/vbd/$(xl domid blkedge)/51712/max-ring-page-order abc
		xl unpause blkedge
		if guest_wait_line blkedge '^blkedge: reading until the disk goes away' 120; then
			timed $OUT/blkedge-detach.txt xl block-detach blkedge xvda
		fi
	fi
	guest_wait blkedge 60
	xl destroy blkedge
	/sbin/losetup -d "$loop" "$spare"
	# The disk's last 4 KiB sector, as the loop device's backing file holds it.
	dd if=/tmp/blk-4k.img bs=4096 skip=2047 count=1 2>/dev/null | head -c 22 >$OUT/blkedge-last.txt
	rm -f /tmp/blk-4k.img /tmp/blk-spare.img
fi
JOB
}

blk_check() {
# blkbench: each of make bench's patterns ran, with a figure (checked: above 0).
expect_lines blkbench_runs_every_pattern_of_make_bench blkbench \
	'^blkbench: randread-4k-qd1: [1-9][0-9]* IOPS, [0-9.]+ MB/s, lat p50 [0-9]+ us, p99 [0-9]+ us' \
	'^blkbench: randread-4k-qd32: [1-9][0-9]* IOPS' '^blkbench: randwrite-4k-qd1: [1-9][0-9]* IOPS' \
	'^blkbench: randwrite-4k-qd32: [1-9][0-9]* IOPS' '^blkbench: read-1m-qd4: [1-9][0-9]* IOPS' \
	'^blkbench: write-1m-qd4: [1-9][0-9]* IOPS' '^blkbench: done$'
expect_end blkbench_powers_off blkbench poweroff

# blkedge: a 4 KiB-sector disk, an optional node with garbage, reopen, detach under load.
expect_lines blkfront_ignores_a_garbage_optional_node blkedge \
	'^blkfront xvda: ignoring backend node max-ring-page-order \(EINVAL\)$' \
	'^blkedge: xvda: 2048 sectors of 4096 B, ring 1 page\(s\)$'
expect_lines blkfront_4k_sectors_last_sector_and_past_the_end blkedge \
	'^blkedge: last sector written and flushed: ok$' \
	'^blkedge: last sector read back before reopening: same$' \
	'^blkedge: read past the end: refused \(ERANGE\)$'
expect_file blkfront_4k_last_sector_is_on_the_disk_image blkedge-last.txt '^SKIFF-EDGE last sector$'
expect_lines blkfront_reopens_after_close blkedge '^blkfront xvda: disconnected$' \
	'^blkedge: closed$' '^blkedge: reopened$' '^blkedge: last sector read back after reopening: same$'
expect_lines blkfront_backend_leaves_with_reads_in_flight blkedge \
	'^blkedge: reading until the disk goes away$' \
	'^blkfront xvda: the backend is going away \(Closing\): detaching$' \
	'^blkedge: [0-9]+ reads, [0-9]+ failed, then submit said EIO$'
# Then a second thread closes xvdb, and main returns while that close is half done.
expect_lines exit_ends_the_domain_while_another_thread_closes_a_disk blkedge \
	'^blkedge: returning from main while xvdb is Closing$' '^Skiff: exit\(0\), powering off$'
expect_end blkedge_powers_off_after_the_backend_left_and_during_a_close blkedge poweroff
# libxl removes a device by force after 10 s: the guest must have let go well before.
expect_done_within xl_block_detach_under_load_succeeds_within_8_s blkedge-detach.txt 8

# blkcheck and blkfront.
expect_lines blkfront_finds_two_disks blkcheck '^blkcheck: 2 disk\(s\)$' \
	'^blkcheck: xvda: 65536 sectors of 512 B \(32 MiB\), physical 512 B, read-write' \
	'^blkcheck: xvdb: 2048 sectors of 512 B \(1 MiB\), physical 512 B, read-only'
expect_lines blkfront_refuses_bad_requests blkcheck \
	'^blkcheck: read of 513 bytes: refused \(EINVAL\)$' \
	'^blkcheck: read past the end: refused \(ERANGE\)$'
expect_lines blkcheck_writes_flushes_reads_and_verifies blkcheck \
	'^blkcheck: write 32 MiB in [0-9]+ ms: [0-9.]+ MB/s$' \
	'^blkcheck: flush: ok$' \
	'^blkcheck: read 32 MiB in [0-9]+ ms: [0-9.]+ MB/s$' \
	'^blkcheck: verified 65536 sectors, 0 bad$'
# Indirect descriptors, persistent grants and discard: offered by blkback (read from
# xenstore in dom0), taken by blkfront (its console), and used (blkback's counters).
blk_features=$(tr '\n' ' ' <"$results/blkcheck-features.txt" 2>/dev/null || true)
if [[ $blk_features == *"backend feature-max-indirect-segments 256 "*"backend feature-persistent 1 "*"backend feature-discard 1 "*"frontend feature-persistent 1 "* ]]; then
	expect_lines blkfront_negotiates_indirect_persistent_grants_and_discard blkcheck \
		'^blkcheck: xvda: 256 segments a request \(indirect\), persistent grants, discard \(granularity [0-9]+, alignment 0\)$'
else
	fail blkfront_negotiates_indirect_persistent_grants_and_discard "dom0's xenstore: ${blk_features:-nothing}"
fi
# blkback counts each ring request and its sectors: 1 MiB is 2048 sectors.
blk_stat() { sed -n "s/^$1 //p" "$results/blkcheck-blkback-stats.txt" 2>/dev/null; }
if [ "$(blk_stat wr_req)" -gt 0 ] 2>/dev/null && [ "$(blk_stat rd_req)" -gt 0 ] &&
	[ $(($(blk_stat wr_sect) / $(blk_stat wr_req))) = 2048 ] &&
	[ $(($(blk_stat rd_sect) / $(blk_stat rd_req))) = 2048 ]; then
	pass "blkback_served_1_mib_requests ($(blk_stat wr_req) writes, $(blk_stat rd_req) reads)"
else
	fail blkback_served_1_mib_requests "$(tr '\n' ' ' <"$results/blkcheck-blkback-stats.txt" 2>/dev/null)"
fi
expect_lines blkfront_sends_one_indirect_request_a_mib blkcheck \
	'^blkcheck: xvda: (3[2-9]|[4-9][0-9]) ring requests \((3[2-9]|[4-9][0-9]) indirect, 0 requests cut\)'
# Persistent grants: after the passes, with nothing in flight, blkback still maps every
# page of the pool (Xen's GTF_reading/writing flags on the grants, as the guest reads them).
blk_pool=$(sed -n -E 's/^blkcheck: xvda: .* ([0-9]+) pages, ([0-9]+) granted, ([0-9]+) mapped by the backend$/\1 \2 \3/p' \
	"$results/blkcheck.console" 2>/dev/null | head -n 1)
read -r blk_pages blk_granted blk_mapped <<<"${blk_pool:-0 0 0}"
if [ "$blk_pages" -ge 257 ] && [ "$blk_granted" = "$blk_pages" ] && [ "$blk_mapped" = "$blk_pages" ]; then
	pass "blkback_keeps_the_pool_mapped_with_persistent_grants ($blk_mapped of $blk_pages pages)"
else
	fail blkback_keeps_the_pool_mapped_with_persistent_grants "pages, granted, mapped: ${blk_pool:-no line}"
fi
expect_lines blkfront_discards_and_reads_back_zeros blkcheck \
	'^blkcheck: discard of 1048576 bytes at sector 16384: ok$' \
	'^blkcheck: the discarded range reads back with 0 non-zero bytes$'
expect_file "discard_leaves_a_hole_in_dom0's_image_file" blkcheck-sparse.txt '^hole 8388608 1048576$'
if [ "$(blk_stat ds_req)" = 1 ]; then pass blkback_counted_one_discard; else fail blkback_counted_one_discard "ds_req=$(blk_stat ds_req)"; fi
expect_lines blkfront_read_only_disk_refuses_writes blkcheck \
	'^blkcheck: write to xvdb: refused, the disk is read-only \(EROFS\)$' \
	'^blkcheck: xvdb sector 0 says "SKIFF read-only disk"$'
# With blkfront's own check lifted (blkfront_set_read_only), the write reaches blkback,
# which answers BLKIF_RSP_ERROR; the image in dom0 is byte for byte what it was.
expect_lines blkback_refuses_a_write_to_a_read_only_disk blkcheck \
	'^blkcheck: write to xvdb past our own check: refused by the backend \(EIO\)$' \
	'^blkcheck: xvdb sector 0 says "SKIFF read-only disk"$'
# Unchanged means something only if the guest did try to write.
if grep -q '^blkcheck: write to xvdb past our own check: ' "$results/blkcheck.console" 2>/dev/null; then
	expect_file "blkcheck_read_only_disk_image_unchanged_in_dom0's_copy" blkcheck-ro-cmp.txt '^cmp=0$'
else
	fail "blkcheck_read_only_disk_image_unchanged_in_dom0's_copy" "the guest never wrote to xvdb past its own check"
fi
expect_lines blkfront_follows_xl_block_detach blkcheck \
	'^blkfront xvdb: the backend is going away \(Closing\): detaching$' \
	'^blkfront xvdb: disconnected$'
expect_done_within xl_block_detach_succeeds_within_8_s blkcheck-detach.txt 8
expect_lines blkfront_disconnects_on_xl_shutdown blkcheck \
	'^Skiff: the toolstack asks for poweroff$' \
	'^blkfront xvda: disconnected$' '^Skiff: powering off$'
expect_end blkcheck_powers_off blkcheck poweroff
if [ "$(cat "$results/blkcheck-state-before.txt" 2>/dev/null)" = 4 ] &&
	[ "$(tr '\n' ' ' <"$results/blkcheck-state-after.txt" 2>/dev/null)" = "51712 6 51728 gone " ]; then
	pass blkfront_state_connected_then_closed_in_xenstore
else
	fail blkfront_state_connected_then_closed_in_xenstore \
		"before: $(cat "$results/blkcheck-state-before.txt" 2>/dev/null), after: $(cat "$results/blkcheck-state-after.txt" 2>/dev/null)"
fi
# The disk image as dom0 holds it, checked by a program that is not the guest's.
mkdir -p "$work/bin"
mkdir -p "$work/bin" && gcc -O2 -Wall -Werror -o "$work/bin/blkverify" "$top/tests/xen/blkverify.c"
if verify=$("$work/bin/blkverify" "$results/blkcheck-disk.img" $blk_seed 16384 2048 2>&1) &&
	grep -q '^blkverify: 65536 sectors, 0 wrong, 2048 of them to be zeros$' <<<"$verify"; then
	pass "blkcheck_disk_image_verified_from_dom0's_copy"
else
	fail "blkcheck_disk_image_verified_from_dom0's_copy" "$(echo $verify)"
fi
rm -f "$results/blkcheck-disk.img" # 32 MiB, checked
}
