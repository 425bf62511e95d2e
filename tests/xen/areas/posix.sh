# tests/xen area "posix": newlib and the POSIX layer: Lua unmodified, a POSIX-only program's files, disk, time, exit, pthreads
# Sourced by tests/xen/run-all.sh, which builds posix_apps, runs posix_setup on this
# machine (configs and files into $job), puts posix_job's text into the one job dom0
# runs, boots the test host once for every area asked for, then runs posix_check.
# shellcheck shell=bash

posix_apps="lua posixcheck sqlite pthreads"

# posix_cfg NAME APP EXTRA [more lines]: a config with the app's ramdisk.
posix_cfg() {
	local name=$1 app=$2 extra=$3
	shift 3
	"$top/tools/xlcfg.sh" "$name" "$app" 64 preserve "$extra"
	echo "ramdisk = \"$app.cpio\""
	for line in "$@"; do echo "$line"; done
}

posix_setup() {
# SQLite: its database in /tmp (memory=5 is its least; 32 leaves room).
"$top/tools/xlcfg.sh" sqlite sqlite 32 preserve >"$job/sqlite.cfg"
# Lua: its environment (greeting=), then the script and its arguments after --.
posix_cfg lua lua 'greeting=hi -- /test.lua one two' >"$job/lua.cfg"
# posixcheck: every check, with a disk; a quoted value with a space in the environment.
posix_cfg posixcheck posixcheck 'colour=\"blue green\" -- disk' \
	"disk = [ 'format=raw,vdev=xvda,access=rw,target=/tmp/posix-disk.img'," \
	"         'format=raw,vdev=xvdc,access=rw,target=/tmp/posix-disk2.img' ]" >"$job/posixcheck.cfg"
for how in exit3 abort nosys; do
	posix_cfg posixcheck-$how posixcheck "-- $how" >"$job/posixcheck-$how.cfg"
done
# A command line the layer refuses (a word before -- that is not NAME=VALUE), and a
# ramdisk that is not a cpio archive: each must stop the appliance with its reason.
posix_cfg posixcheck-badargs posixcheck 'oops -- disk' >"$job/posixcheck-badargs.cfg"
# pthreads: no files of its own, so no ramdisk.
"$top/tools/xlcfg.sh" pthreads pthreads 64 preserve >"$job/pthreads.cfg"
printf "this is not a cpio archive\n" >"$job/garbage.cpio"
"$top/tools/xlcfg.sh" posixcheck-badramdisk posixcheck 64 preserve >"$job/posixcheck-badramdisk.cfg"
echo 'ramdisk = "garbage.cpio"' >>"$job/posixcheck-badramdisk.cfg"
}

posix_job() {
	cat <<'JOB'
guest_run lua lua.cfg 120
guest_run sqlite sqlite.cfg 300
dd if=/dev/zero of=/tmp/posix-disk.img bs=1M count=8 2>/dev/null
dd if=/dev/zero of=/tmp/posix-disk2.img bs=1M count=1 2>/dev/null
guest_run posixcheck posixcheck.cfg 120
# The bytes the guest wrote through /dev/xvda, read back from the image here.
{
	echo "at999=$(dd if=/tmp/posix-disk.img bs=1 skip=999 count=21 2>/dev/null | tr '\000' .)"
	echo "at1m=$(dd if=/tmp/posix-disk.img bs=4096 skip=256 count=1 2>/dev/null | tr -d W | wc -c)"
} >$OUT/posix-disk.txt
for how in exit3 abort nosys badargs badramdisk; do
	guest_run posixcheck-$how posixcheck-$how.cfg 60
done
guest_run pthreads pthreads.cfg 120
JOB
}

posix_check() {
# Lua 5.4 from Debian's source, unmodified, runs its own lua.c on a script of the ramdisk.
expect_lines lua_runs_a_script_from_the_ramdisk lua \
	'^Skiff: .*cmdline "greeting=hi -- /test.lua one two"' '^posix: ramdisk: 4 entries' \
	'^lua: version Lua 5\.4$' '^lua: done ok$'
expect_lines lua_formats_floats_with_newlib lua \
	'^lua: format 3\.142 1e\+20 1\.234568e\+04  -2\.2$' \
	'^lua: tostring 0\.3 9\.007199254741e\+15 inf -inf$' \
	'^lua: integer 9223372036854775807 ff 3$'
expect_lines lua_math_tables_strings_coroutines lua \
	'^lua: math 1\.414214 0\.841471 2\.718282 2\.302585$' '^lua: floor -4 4 1 3$' \
	'^lua: random in-range$' '^lua: sort 10000 true 1 10006$' '^lua: concat a-b-c$' \
	'^lua: gsub hell0 w0rld$' '^lua: match key$' '^lua: coroutine 2 20 done! dead$'
expect_lines lua_os_time_date_clock lua \
	'^lua: time after-2023$' '^lua: date 1971-01-01 00:00:00$' '^lua: date-table 1970$' \
	'^lua: clock monotonic$'
expect_lines lua_io_on_the_ramdisk_and_tmp lua \
	'^lua: ramdisk 3 gamma 333$' '^lua: ramdisk-write /data/words\.txt: Read-only file system$' \
	'^lua: tmp 1000 line 1000 333\.33$' '^lua: tmp-size 15574$' '^lua: rename true$' \
	'^lua: remove true true$' '^lua: missing /nonexistent: No such file or directory$'
expect_lines lua_sees_its_environment_and_arguments lua '^lua: getenv hi$' '^lua: args 2 one,two$'
expect_lines lua_errors_carry_a_traceback lua \
	'^lua: error attempt to index a nil value$' '^lua: traceback yes$' '^lua: error-object 7$'
expect_end lua_exit_0_powers_off lua poweroff

# SQLite 3.40.1, Debian's source unmodified (its own amalgamation build), over newlib.
expect_lines sqlite_creates_a_database_in_tmp_and_inserts_10000_rows sqlite \
	'^sqlite: SQLite 3\.40\.1$' '^sqlite: inserts 10000$' '^sqlite: inserts/s [0-9]+$'
expect_lines sqlite_indexed_queries sqlite '^sqlite: lookups 1000 found 1000$' \
	'^sqlite: queries/s [0-9]+$' \
	'^sqlite: plan SEARCH items USING COVERING INDEX items_k \(k>\? AND k<\?\)$' \
	'^sqlite: range 1000$' '^sqlite: sum 495000$' '^sqlite: groups 100 of 100 rows each$'
expect_lines sqlite_rolls_back_and_passes_its_integrity_check sqlite \
	'^sqlite: rollback from 5000 rows back to 10000$' '^sqlite: integrity ok$' \
	'^sqlite: file 352256 bytes$'
expect_lines sqlite_reopens_the_file_with_every_row sqlite \
	'^sqlite: reopened 10000 rows, sum 495000$' '^sqlite: integrity ok$' '^sqlite: done$'
if grep -q -E '^(posix: |sqlite: error)' "$results/sqlite.console" 2>/dev/null; then
	fail sqlite_meets_no_missing_call "$(grep -m 1 -E '^(posix: |sqlite: error)' "$results/sqlite.console")"
elif [ -s "$results/sqlite.console" ]; then
	pass sqlite_meets_no_missing_call
else
	fail sqlite_meets_no_missing_call "no console log for sqlite"
fi
expect_end sqlite_exit_0_powers_off sqlite poweroff

# posixcheck: a program written against POSIX only.
local c
for c in ramdisk_read ramdisk_fstat ramdisk_symlink ramdisk_read_only missing_file \
	tmp_create tmp_write tmp_lseek tmp_read dup_shares_offset pread ftruncate create_excl \
	mkdir stat_after_rename rmdir_not_empty unlink stdio_fopen_sscanf strtod readdir_root \
	chdir_getcwd isatty fcntl_nonblock nanosleep realtime gmtime_strftime argv0 getenv \
	getpid kill_0_checks_only raise_sigchld_is_ignored raise_runs_the_handler getcwd_allocates \
	disk_named_by_vdev disk_open disk_size disk_write_unaligned disk_write_aligned disk_fsync \
	disk_read_back; do
	expect_lines "posix_$c" posixcheck "^posixcheck: $c ok\$"
done
expect_lines posix_every_check_passed posixcheck '^posixcheck: 0 failed$'
expect_lines posix_exit_flushes_stdio posixcheck '^posixcheck: flushed at exit'
expect_end posix_main_returning_0_powers_off posixcheck poweroff
# (the bytes around it unchanged: a write inside a sector reads, changes, writes it back)
expect_file posix_dev_xvda_write_lands_in_dom0s_image posix-disk.txt '^at999=\.posixcheck was here\.$'
expect_file posix_dev_xvda_whole_sector_write_lands posix-disk.txt '^at1m=0$'

expect_lines posix_exit_3_is_reported posixcheck-exit3 '^posixcheck: exiting with 3$' \
	'^Skiff: exit\(3\), crashing the domain'
expect_end posix_exit_3_crashes_the_domain posixcheck-exit3 crash
expect_lines posix_abort_is_reported posixcheck-abort '^posixcheck: calling abort$' \
	'^posix: signal 6 raised \(abort\): the appliance ends$' '^Skiff: exit\(134\)'
expect_end posix_abort_crashes_the_domain posixcheck-abort crash
expect_lines posix_missing_call_says_enosys posixcheck-nosys \
	'^posix: fork\(\) is not supported by Skiff \(ENOSYS\)$' '^posixcheck: fork_is_enosys ok$'
expect_end posix_nosys_program_ends_cleanly posixcheck-nosys poweroff
expect_lines posix_bad_command_line_is_refused posixcheck-badargs \
	'^posix: extra=: "oops" is not NAME=VALUE; an app.s arguments go after --'
expect_end posix_bad_command_line_stops_the_appliance posixcheck-badargs crash
expect_lines posix_bad_ramdisk_is_refused posixcheck-badramdisk \
	'^posix: ramdisk is not a usable cpio archive: .* \(at byte [0-9]+\)$'
expect_end posix_bad_ramdisk_stops_the_appliance posixcheck-badramdisk crash

# pthreads over Skiff's cooperative threads, from a POSIX-only program: each check its
# own test; the last line comes from a detached thread after main's pthread_exit().
for c in create_join self_equal join_twice_esrch exit_value join_self_edeadlk \
	detached_attr detach_running detach_ended mutex_counter mutex_recursive \
	mutex_errorcheck mutexattr_bad_type mutex_trylock mutex_timedlock cond_queue \
	cond_signal_wakes_one cond_broadcast_wakes_all cond_timedwait_realtime \
	cond_timedwait_edges cond_timedwait_monotonic cond_timedwait_signalled once keys \
	key_destructor_rounds key_delete cleanup rwlock rwlock_try rwlock_timed \
	errno_per_thread float_across_yields stack_1mib stack_default_256kib attr sched_yield \
	main_pthread_exit_waits; do
	expect_lines "pthreads_$c" pthreads "^pthreads: $c ok\$"
done
expect_lines pthreads_every_check_passed pthreads '^pthreads: 0 failed$'
expect_end pthreads_main_pthread_exit_powers_off pthreads poweroff
}
