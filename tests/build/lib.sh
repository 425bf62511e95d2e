# shellcheck shell=bash
# Helpers for the host-only build tests (sourced by tests/build/test-*.sh): one line
# "PASS name" or "FAIL name: reason" per test (tests/verdict.sh).

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/tests/verdict.sh"

# check TEST CONDITION-COMMAND... REASON: pass if the command succeeds, else fail with REASON.
# (The reason is the last argument, so the command may have any number of words.)
check() {
	local test=$1 reason=${*: -1}
	if "${@:2:$#-2}"; then pass "$test"; else fail "$test" "$reason"; fi
}

# copy_tree DIR: a copy of this tree as it is now (tracked files and new ones git does not
# ignore, so no build/), for a test that builds without touching this tree's build/.
copy_tree() {
	mkdir -p "$1"
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf -) | tar -xf - -C "$1"
}

# A scratch folder for this script under build/ (copies of the tree), and one outside the
# tree (appliances that live elsewhere); both are emptied first.
scratch_dirs() {
	work=$top/build/tests-build/$1
	outside=$(mktemp -d "${TMPDIR:-/tmp}/skiff-$1.XXXXXX")
	rm -rf "$work" && mkdir -p "$work"
	trap 'rm -rf "$outside"' EXIT
}

# The summary line, and the exit status: non-zero if any test failed.
finish() {
	echo "$(basename "$0"): $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
