# tests/xen area "posix": newlib and the POSIX layer: Lua unmodified, a POSIX-only program's files, disk, time, exit, pthreads, sockets
# Sourced by tests/xen/run-all.sh, which builds posix_apps, runs posix_setup on this
# machine (configs and files into $job), puts posix_job's text into the one job dom0
# runs, boots the test host once for every area asked for, then runs posix_check.
# shellcheck shell=bash

posix_apps="lua posixcheck sqlite pthreads posixecho posixhttpd"

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
# The POSIX-only network servers. posixecho first looks up a name dom0's DNS server
# (nettest dns) does not know, then connects by name to a listener in dom0, then runs
# its socket checks against dom0 (port 9 closed, port 9001 a sender of 100,000 bytes).
{
	"$top/tools/xlcfg.sh" posixecho posixecho 64 preserve \
		"ip=10.0.0.20 netmask=255.255.255.0 gw=10.0.0.1 dns=10.0.0.1 -- lookup nope.test connect peer.test 9000 check 10.0.0.1"
	echo "vif = [ 'mac=00:16:3e:5a:1f:20,bridge=xenbr0' ]"
} >"$job/posixecho.cfg"
# Without a vif: sockets fail with a clear error, and the program reports it.
"$top/tools/xlcfg.sh" posixecho-novif posixecho 64 preserve "" >"$job/posixecho-novif.cfg"
{
	posix_cfg posixhttpd posixhttpd "ip=10.0.0.21 netmask=255.255.255.0 gw=10.0.0.1"
	echo "vif = [ 'mac=00:16:3e:5a:1f:21,bridge=xenbr0' ]"
} >"$job/posixhttpd.cfg"
[ -x "$job/nettest" ] || gcc -static -O2 -Wall -Werror -o "$job/nettest" "$top/tests/xen/nettest.c"
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

# posixecho: DNS from dom0 (one name known), a connection out to dom0, then echo.
./nettest dns peer.test 10.0.0.1 >$OUT/posix-dns.txt 2>&1 &
dns=$!
echo "hello from dom0" | nc -l -p 9000 >$OUT/posixecho-hello.txt 2>&1 &
listener=$!
dd if=/dev/zero bs=1000 count=100 2>/dev/null | nc -l -p 9001 >/dev/null 2>&1 &
sender=$!
if guest_start posixecho posixecho.cfg && guest_wait_line posixecho '^posixecho: listening' 120; then
	./nettest tcp-echo 10.0.0.20 7 4194304 >$OUT/posixecho-tcp.txt 2>&1
	./nettest udp-echo 10.0.0.20 7 1 1472 >$OUT/posixecho-udp.txt 2>&1
	./nettest rtt 10.0.0.20 7 200 >$OUT/posixecho-rtt.txt 2>&1
	xl shutdown posixecho
fi
guest_wait posixecho 60
xl destroy posixecho
kill $dns $listener $sender 2>/dev/null
guest_run posixecho-novif posixecho-novif.cfg 60

# posixhttpd: pages of its ramdisk, errors, keep-alive, HEAD, and 4 MiB of a pattern.
if guest_start posixhttpd posixhttpd.cfg && guest_wait_line posixhttpd '^posixhttpd: serving' 120; then
	wget -q -O $OUT/posixhttpd-index.html http://10.0.0.21/ 2>$OUT/posixhttpd-wget.err
	wget -q -O $OUT/posixhttpd-notes.txt http://10.0.0.21/notes.txt 2>>$OUT/posixhttpd-wget.err
	wget -q -O /dev/null http://10.0.0.21/nope 2>$OUT/posixhttpd-404.txt
	./nettest http 10.0.0.21 80 /stats 5 >$OUT/posixhttpd-keepalive.txt 2>&1
	printf 'HEAD /notes.txt HTTP/1.0\r\n\r\n' | nc 10.0.0.21 80 >$OUT/posixhttpd-head.txt 2>&1
	printf 'POST / HTTP/1.1\r\n\r\n' | nc 10.0.0.21 80 >$OUT/posixhttpd-post.txt 2>&1
	timed $OUT/posixhttpd-bytes.txt wget -q -O /tmp/bytes http://10.0.0.21/bytes/4194304
	yes 0123456789abcdef | tr -d '\n' | head -c 4194304 >/tmp/bytes.expected
	{
		echo "size=$(wc -c </tmp/bytes)"
		cmp /tmp/bytes /tmp/bytes.expected && echo "pattern=intact"
	} >$OUT/posixhttpd-bytes-check.txt 2>&1
	rm -f /tmp/bytes /tmp/bytes.expected
	xl shutdown posixhttpd
fi
guest_wait posixhttpd 60
xl destroy posixhttpd
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
local c v
for c in ramdisk_read ramdisk_fstat ramdisk_symlink ramdisk_read_only missing_file \
	tmp_create tmp_write tmp_lseek tmp_read dup_shares_offset pread ftruncate create_excl \
	mkdir stat_after_rename rmdir_not_empty unlink stdio_fopen_sscanf strtod readdir_root \
	chdir_getcwd isatty fcntl_nonblock nanosleep realtime gmtime_strftime poll_file_is_ready \
	poll_console_times_out poll_bad_fd_is_pollnval select_files_and_console select_times_out \
	select_bad_fd_is_ebadf inet_pton inet_aton_old_forms inet_ntop argv0 getenv \
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

# Sockets from a POSIX-only program (posixecho): DNS, a connection out, echo served.
expect_lines posix_getaddrinfo_resolves_through_dns posixecho \
	'^posixecho: getaddrinfo nope\.test: Name or service not known$' \
	'^posixecho: peer\.test is 10\.0\.0\.1$'
expect_file posix_dns_server_was_asked_the_unknown_name posix-dns.txt '^nettest: dns: nope\.test type 1: no such name$'
expect_file posix_dns_server_was_asked_the_known_name posix-dns.txt '^nettest: dns: peer\.test type 1: 10\.0\.0\.1$'
expect_lines posix_connect_send_recv_with_dom0 posixecho \
	'^posixecho: peer\.test:9000 answered "hello from dom0"$'
expect_file posix_dom0_got_the_guests_line posixecho-hello.txt '^hello from posixecho$'
# The socket checks posixecho ran against dom0 before serving.
for c in connect_refused nonblocking_connect_so_error boolean_option_reads_1 so_linger \
	ip_tos_one_byte sub_millisecond_timeout_times_out close_while_another_thread_reads \
	msg_waitall_reads_it_all socket_names; do
	expect_lines "posix_socket_$c" posixecho "^posixecho: check $c ok\$"
done
expect_lines posix_echo_listens posixecho '^net: vif0 10\.0\.0\.20/24 gw 10\.0\.0\.1 \(static\)' \
	'^posixecho: listening on port 7 \(tcp, udp\)$'
expect_file posix_tcp_echo_4_mib_intact posixecho-tcp.txt '^nettest: tcp-echo: 4194304 bytes echoed intact'
expect_file posix_udp_echo_every_size_1_to_1472 posixecho-udp.txt '^nettest: udp-echo: sizes 1\.\.1472, 0 without'
expect_file posix_tcp_round_trips posixecho-rtt.txt '^nettest: rtt: 200 round trips'
# The same floor as echo's (net.sh): a lost wake-up in poll() costs tens of ms a trip.
v=$(awk '/median/ { for (i = 1; i < NF; i++) if ($i == "median") print $(i + 1) }' "$results/posixecho-rtt.txt" 2>/dev/null || true)
if [ -n "$v" ] && awk -v v="$v" 'BEGIN { exit !(v < 20) }'; then
	pass "posix_tcp_round_trip_median_under_20_ms ($v ms)"
else
	fail posix_tcp_round_trip_median_under_20_ms "got '$v'"
fi
expect_lines posix_echo_reports_each_connection posixecho \
	'^posixecho: connection from 10\.0\.0\.1:[0-9]+$' '^posixecho: 10\.0\.0\.1:[0-9]+ closed after 4194304 bytes$'
expect_end posix_echo_powers_off_on_xl_shutdown posixecho poweroff
expect_lines posix_no_network_is_a_clear_error posixecho-novif \
	'^posix: no network \(ENODEV\): sockets fail with ENETDOWN$' '^posixecho: socket: Network interface is not configured$'
expect_end posix_no_network_ends_the_program posixecho-novif crash

# posixhttpd: files of the ramdisk over select() and sockets.
expect_file posix_httpd_serves_index_from_the_ramdisk posixhttpd-index.html '^<h1>posixhttpd</h1>$'
expect_file posix_httpd_serves_a_file_by_path posixhttpd-notes.txt '^posixhttpd serves every file under /www'
expect_file posix_httpd_unknown_path_is_404 posixhttpd-404.txt '404'
expect_file posix_httpd_keeps_the_connection_alive posixhttpd-keepalive.txt '^nettest: http: 5 answers on one connection'
expect_file posix_httpd_stats_is_json posixhttpd-keepalive.txt '^\{"uptime_s": [0-9]+, "connections": [0-9]+, "requests": [0-9]+, '
expect_file posix_httpd_head_answers_200 posixhttpd-head.txt '^HTTP/1\.1 200 OK'
expect_file posix_httpd_head_gives_the_files_length posixhttpd-head.txt '^Content-Length: 124'
expect_file posix_httpd_date_header_from_strftime posixhttpd-head.txt '^Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} 20[0-9]{2} [0-9:]{8} GMT'
if ! grep -q '^HTTP/1\.1 200 OK' "$results/posixhttpd-head.txt" 2>/dev/null; then
	fail posix_httpd_head_sends_no_body "no answer to HEAD"
elif grep -q 'posixhttpd serves' "$results/posixhttpd-head.txt"; then
	fail posix_httpd_head_sends_no_body "the body came too"
else
	pass posix_httpd_head_sends_no_body
fi
expect_file posix_httpd_other_methods_are_405 posixhttpd-post.txt '^HTTP/1\.1 405 Method Not Allowed'
expect_file posix_httpd_4_mib_body_has_its_length posixhttpd-bytes-check.txt '^size=4194304$'
expect_file posix_httpd_4_mib_body_intact posixhttpd-bytes-check.txt '^pattern=intact$'
expect_lines posix_httpd_logs_requests posixhttpd '^posixhttpd: GET /notes\.txt$' '^posixhttpd: HEAD /notes\.txt$'
expect_end posix_httpd_powers_off_on_xl_shutdown posixhttpd poweroff
}
