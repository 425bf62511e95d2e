#!/usr/bin/env bash
# Add to the seed corpus (tests/fuzz/corpus/<target>/) the inputs of the last runs
# (build/fuzz/corpus/<target>/) that reach code the seeds do not: libFuzzer's -merge=1
# keeps the fewest inputs that cover it all. The new files are left for review and git add.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/fuzz
export LSAN_OPTIONS=suppressions=$top/tests/fuzz/lsan.supp
make -s -C "$top/tests/fuzz"
for bin in "$out"/fuzz_*; do
	[ -x "$bin" ] && [ -f "$bin" ] || continue
	t=$(basename "$bin")
	[ -d "$out/corpus/$t" ] || continue
	mkdir -p "$top/tests/fuzz/corpus/$t"
	before=$(find "$top/tests/fuzz/corpus/$t" -type f | wc -l)
	"$bin" -merge=1 "$top/tests/fuzz/corpus/$t" "$out/corpus/$t" >"$out/logs/$t.merge.log" 2>&1
	after=$(find "$top/tests/fuzz/corpus/$t" -type f | wc -l)
	echo "$t: $before seeds, $((after - before)) added"
done
