#!/usr/bin/env bash
# Build newlib (its source from tools/install-deps.sh newlib) for Skiff's freestanding
# x86_64 target, once: libc.a, libm.a and the headers, installed under DIR/install.
# Rebuilt only when the flags differ from the last build's (DIR/install/flags).
#
#   tools/build-newlib.sh DIR CFLAGS...
#
# The configuration (posix/README.md says why each):
#   --disable-newlib-supplied-syscalls: newlib's code calls read(), open() and the
#       rest by those names (its configure adds MISSING_SYSCALL_NAMES), and
#       posix/newlib/syscalls.c provides them over the POSIX layer;
#   MALLOC_PROVIDED: no allocator of newlib's own, Skiff's is the one heap;
#   __DYNAMIC_REENT__: _REENT is __getreent(), each thread's own struct _reent;
#   --enable-newlib-retargetable-locking: stdio's and atexit's locks are Skiff's;
#   --enable-newlib-global-stdio-streams: one stdin/stdout/stderr for every thread;
#   --enable-newlib-io-long-long, -io-c99-formats: printf's %lld, %zu, %a, %hhd.
set -euo pipefail

dir=$(cd "$1" && pwd -P)
shift
flags="$*"
# Paths in the objects name newlib's folder as "newlib", not where this checkout is: the
# flags, and so the build, are the same for every checkout sharing build/deps.
map="-ffile-prefix-map=$dir=newlib"
src=$dir/src-tree
inst=$dir/install
[ -e "$inst/.done" ] && [ "$(cat "$inst/flags" 2>/dev/null)" = "$flags" ] && exit 0
[ -x "$src/configure" ] || { echo "build-newlib: no newlib source in $src (tools/install-deps.sh newlib)" >&2; exit 1; }

echo "build-newlib: building newlib into $inst (once, about a minute)"
rm -rf "$dir/build" "$inst"
mkdir -p "$dir/build"
log=$dir/build/build.log
cd "$dir/build"
if ! { "$src/configure" --target=x86_64-elf --prefix="$inst" --disable-multilib \
	--disable-libgloss --disable-newlib-supplied-syscalls \
	--enable-newlib-retargetable-locking --enable-newlib-global-stdio-streams \
	--enable-newlib-io-long-long --enable-newlib-io-c99-formats \
	CC_FOR_TARGET=gcc AR_FOR_TARGET=ar AS_FOR_TARGET=as LD_FOR_TARGET=ld NM_FOR_TARGET=nm \
	RANLIB_FOR_TARGET=ranlib OBJDUMP_FOR_TARGET=objdump CFLAGS_FOR_TARGET="$flags $map" &&
	make -j"$(nproc)" all-target-newlib && make install-target-newlib; } >"$log" 2>&1; then
	tail -n 30 "$log" >&2
	echo "build-newlib: failed (the whole log: $log)" >&2
	exit 1
fi
echo "$flags" >"$inst/flags"
touch "$inst/.done"
