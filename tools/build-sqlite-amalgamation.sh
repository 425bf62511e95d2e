#!/usr/bin/env bash
# Make SQLite's amalgamation (one sqlite3.c and its sqlite3.h) from the source package
# tools/install-deps.sh sqlite unpacked into DIR/src-tree, once, the way the package's
# own build makes it: its configure, then `make sqlite3.c`. The result goes into
# DIR/amalgamation; apps/sqlite compiles that file for Skiff.
#
#   tools/build-sqlite-amalgamation.sh DIR
#
# SQLite's tree holds the parts (src/*.c, the grammar parse.y, the opcode list); making
# the one file runs host programs it builds first (lemon, the parser generator;
# mkkeywordhash) and Tcl scripts (tclsh). They run on this machine, compiled by its own
# compiler: only their output, C source, is built for Skiff. The build runs in DIR/build,
# out of the source tree, which stays as Debian unpacked it.
set -euo pipefail

dir=$(cd "$1" && pwd)
src=$dir/src-tree
out=$dir/amalgamation
[ -e "$out/.done" ] && exit 0
[ -x "$src/configure" ] || { echo "build-sqlite-amalgamation: no SQLite source in $src (tools/install-deps.sh sqlite)" >&2; exit 1; }
command -v tclsh >/dev/null || { echo "build-sqlite-amalgamation: no tclsh (Debian's tcl: tools/install-deps.sh sqlite)" >&2; exit 1; }

echo "build-sqlite-amalgamation: making sqlite3.c into $out (once, a few seconds)"
rm -rf "$dir/build" "$out"
mkdir -p "$dir/build"
log=$dir/build/build.log
cd "$dir/build"
# --disable-tcl: no Tcl extension (it would want tcl-dev's tclConfig.sh), only tclsh
# to run the scripts; --disable-readline: the shell is not built.
if ! { "$src/configure" --disable-tcl --disable-readline &&
	make -j"$(nproc)" sqlite3.c sqlite3.h; } >"$log" 2>&1; then
	tail -n 30 "$log" >&2
	echo "build-sqlite-amalgamation: failed (the whole log: $log)" >&2
	exit 1
fi
mkdir -p "$out"
cp sqlite3.c sqlite3.h "$out"/
cd "$dir"
rm -rf "$dir/build" # 23 MB of objects and copies; the two files are all that is used
touch "$out/.done"
