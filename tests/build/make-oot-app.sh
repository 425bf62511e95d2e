#!/usr/bin/env bash
# Make a small appliance in its own folder outside this tree and build it against this
# tree, the way README.md ("An appliance in its own folder") says:
#
#   tests/build/make-oot-app.sh OUTDIR
#
# OUTDIR/oot-hello/ gets a main.c that prints one known line and returns 0 (the domain
# powers off), and the Makefile of README.md. The last line printed is the path of the
# image, for a test that boots it under Xen.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$1"
dir=$(cd "$1" && pwd)/oot-hello
case $dir/ in "$top"/*)
	echo "make-oot-app: $1 is inside this tree; the point is an app outside it" >&2
	exit 2
	;;
esac
rm -rf "$dir" && mkdir -p "$dir"

cat >"$dir/main.c" <<'C'
#include <stdio.h>

int main(void)
{
	printf("oot-hello: built outside the Skiff tree\n");
	return 0;
}
C
# The lines README.md gives for an appliance's own Makefile.
cat >"$dir/Makefile" <<MK
SKIFF := $top
all run clean:
	\$(MAKE) -C \$(SKIFF) APP_DIR=\$(CURDIR) \$@
MK

make -s -C "$dir" >&2
image=$top/build/oot-hello/oot-hello
[ -f "$image" ] || { echo "make-oot-app: make did not write $image" >&2; exit 1; }
echo "$image"
