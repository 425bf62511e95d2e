#!/bin/sh
# Print the names of the functions include/ declares, one a line: the library's public
# API, the only Skiff symbols an application may see (the Makefile keeps these global
# in the library object and makes every other Skiff symbol local).
#
#   tools/public-syms.sh [--only DIR] CC CFLAGS...
#
# --only skiff: only what include/skiff/ declares (an app on newlib has its C library
# from newlib, not from include/'s small one).
#
# The compiler reads the headers, not a pattern: a TU that includes every header of
# include/ is compiled with -aux-info, which writes one prototype per function
# declared, each after a comment naming its header and line:
#	/* include/skiff/thread.h:19:NC */ extern struct thread *thread_create (...);
# (N: prototype, C: declaration). include/ declares functions only, no variables.
set -eu

only=
if [ "${1:-}" = --only ]; then
	only=$2/
	shift 2
fi
aux=$(mktemp)
trap 'rm -f "$aux"' EXIT
(cd include && find . -name '*.h' | sort) | sed 's|^\./\(.*\)|#include <\1>|' |
	"$@" -x c -fsyntax-only -aux-info "$aux" -
# The name is the last identifier before " (", where the parameter list starts.
sed -n 's|^/\* include/'"$only"'[^ ]*:NC \*/ extern [^(]*[ *]\([A-Za-z_][A-Za-z0-9_]*\) (.*|\1|p' "$aux" |
	sort -u
