# tests/xen area "crash": faults, the image's protections, stack overflow, exit with a status
# Sourced by tests/xen/run-all.sh, which builds crash_apps, runs crash_setup on this
# machine (configs and files into $job), puts crash_job's text into the one job dom0
# runs, boots the test host once for every area asked for, then runs crash_check.
# shellcheck shell=bash

crash_apps="crash"

crash_setup() {
"$top/tools/xlcfg.sh" crash crash 32 preserve >"$job/crash.cfg"
for how in write-text exec-data stack exit3; do
	"$top/tools/xlcfg.sh" "crash-$how" crash 32 preserve "mode=$how" >"$job/crash-$how.cfg"
done
}

crash_job() {
	cat <<'JOB'
guest_run crash crash.cfg 120
for how in write-text exec-data stack exit3; do
	guest_run crash-$how crash-$how.cfg 120
done
JOB
}

crash_check() {
# crash: a page fault is reported with registers and a symbolised backtrace.
expect_lines crash_dump_names_fault_address_and_registers crash \
	'^crash: about to write to address 0x10$' \
	'Fatal exception 14: page fault' \
	'^Faulting address: 0000000000000010 \(write, not mapped\)' \
	'^RIP: [0-9a-f]{16} <write_through\+0x' \
	'^RAX: [0-9a-f]{16} RBX'
expect_lines crash_backtrace_names_the_callers crash \
	'^Backtrace:' '<write_through\+0x' '<crash_deliberately\+0x' '<main\+0x' \
	'<arch_thread_start\+0x'
expect_end crash_fault_crashes_the_domain crash crash

# The image's protections, each seen to fault (and the fault seen by xl as a crash).
expect_lines text_is_read_only crash-write-text \
	'^crash: about to write to main' \
	'^Faulting address: [0-9a-f]{16} \(write, protection violation\)' \
	'<write_through\+0x' '<main\+0x'
expect_end text_write_crashes_the_domain crash-write-text crash
expect_lines data_is_not_executable crash-exec-data \
	'^crash: about to call code in data' \
	'^Faulting address: [0-9a-f]{16} \(instruction fetch, protection violation\)' \
	'^RIP: [0-9a-f]{16}$' # in data: no function name
expect_end data_execution_crashes_the_domain crash-exec-data crash
expect_lines stack_overflow_starts crash-stack '^crash: about to overflow'
expect_end stack_overflow_crashes_the_domain crash-stack crash
if [ "$mode" = pv ]; then
	# A PV guest takes its exceptions on the stack it is running on: once that is the
	# guard page, Xen cannot deliver the fault and crashes the domain itself, dumping
	# its registers to Xen's log. There the fault address is the stack pointer.
	if awk '/CONTEXT: pv guest/ { g = 1 } g && /rsp: / { for (i = 1; i < NF; i++) if ($i == "rsp:") rsp = $(i + 1) }
		g && /cr2: / { for (i = 1; i < NF; i++) if ($i == "cr2:") if ($(i + 1) == rsp) hit = 1 }
		END { exit !hit }' "$results/../xen-dmesg.txt" 2>/dev/null; then
		pass stack_overflow_faults_on_the_stack_pointer_in_xen_log
	else
		fail stack_overflow_faults_on_the_stack_pointer_in_xen_log "no guest fault with cr2 == rsp in xl dmesg"
	fi
else
	# A PVH guest takes page faults on a stack of its own (the TSS's IST1), so it
	# reports the overflow itself: a write just below the stack pointer, unmapped, in
	# the recursion.
	expect_lines stack_overflow_is_reported_with_a_backtrace crash-stack \
		'Fatal exception 14: page fault' \
		'^Faulting address: [0-9a-f]{16} \(write, not mapped\)' \
		'^RIP: [0-9a-f]{16} <recurse\+0x' '^Backtrace:' '<recurse\+0x'
	rsp=$(sed -n 's/^RSP: \([0-9a-f]*\) .*/\1/p' "$results/crash-stack.console" 2>/dev/null | head -n 1)
	cr2=$(sed -n 's/^Faulting address: \([0-9a-f]*\) .*/\1/p' "$results/crash-stack.console" 2>/dev/null | head -n 1)
	if [ -n "$rsp" ] && [ -n "$cr2" ] && [ $((16#$rsp - 16#$cr2)) -ge 0 ] && [ $((16#$rsp - 16#$cr2)) -le 64 ]; then
		pass "stack_overflow_faults_just_below_the_stack_pointer (cr2 = rsp - $((16#$rsp - 16#$cr2)))"
	else
		fail stack_overflow_faults_just_below_the_stack_pointer "rsp '${rsp:-none}', cr2 '${cr2:-none}'"
	fi
fi
expect_lines exit_nonzero_reports_status crash-exit3 '^Skiff: exit\(3\), crashing the domain'
expect_end exit_nonzero_crashes_the_domain crash-exit3 crash
}
