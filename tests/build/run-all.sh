#!/usr/bin/env bash
# The host-only build tests: every tests/build/test-*.sh, each printing one PASS or FAIL
# line per test. Exits non-zero if any failed (or a script ended early).
set -uo pipefail

dir=$(cd "$(dirname "$0")" && pwd)
rc=0
for t in "$dir"/test-*.sh; do
	"$t" || rc=1
done
exit $rc
