# shellcheck shell=bash
# One verdict line per test, the form tests/run-all.sh counts: "PASS name" or
# "FAIL name: reason". Sourced by tests/xen/lib.sh and tests/build/lib.sh.

passed=0
failed=0
test_prefix= # put before every test's name (tests/xen: the boot mode, "pvh/")

pass() {
	passed=$((passed + 1))
	echo "PASS $test_prefix$1"
}

fail() {
	failed=$((failed + 1))
	echo "FAIL $test_prefix$1: $2"
}
