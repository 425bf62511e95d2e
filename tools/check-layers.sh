#!/usr/bin/env bash
# make check: the layers of README.md ("Layout") hold. Each layer uses only those
# below it:
#
#	libc < arch < xen < kernel < xenbus < drivers < net < posix < apps
#
# Two checks, each failing with the file and what it reached for:
#  1. includes: a quoted include of another layer's header ("kernel/init.h"), <arch.h>
#     and <hypercall.h> (arch), and the public headers of include/ (each belongs to the
#     layer that implements it, table below) must not point up;
#  2. symbols: every symbol an object of build/obj needs must be defined in its own
#     layer or one below (nm), so a call up through a public header is caught too.
# The only calls up are the ones arch/upcalls.h declares (and lists in its comment).
#
#   tools/check-layers.sh [BUILD_DIR]     (after a build: `make check` builds first)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
cd "$top"

layers=(libc arch xen kernel xenbus drivers net posix apps)
# The calls that go up, as arch/upcalls.h declares them (main is the application's).
upcalls=" kernel_main events_upcall panic panic_crash symbol_lookup main "

rank() { # rank of a layer name, or nothing
	local i
	for i in "${!layers[@]}"; do
		if [ "${layers[$i]}" = "$1" ]; then
			echo "$i"
		fi
	done
	return 0
}

# The layer that implements each public header of include/.
header_layer() {
	case $1 in
	skiff/console.h | skiff/time.h) echo xen ;;
	skiff/thread.h | skiff/shutdown.h | skiff/memory.h) echo kernel ;;
	skiff/xen.h | skiff/xenstore.h) echo xenbus ;;
	skiff/blkfront.h | skiff/netfront.h) echo drivers ;;
	skiff/net.h) echo net ;;
	arch.h | hypercall.h) echo arch ;;
	*) echo libc ;; # the C library's headers, and <xen/...> (Xen's, no code)
	esac
}

fail=0
complain() {
	echo "check-layers: $*" >&2
	fail=1
}

# ---- 1. includes ------------------------------------------------------------------
for dir in "${layers[@]}"; do
	r=$(rank "$dir")
	while IFS= read -r file; do
		while IFS= read -r line; do
			inc=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*\(["<]\)\([^">]*\)[">].*/\1\2/p' <<<"$line")
			[ -n "$inc" ] || continue
			kind=${inc:0:1} path=${inc:1}
			[ "$path" = arch/upcalls.h ] && continue
			if [ "$kind" = '"' ]; then
				first=${path%%/*}
				[ "$first" = "$path" ] && continue # beside the file ("pv.h")
				target=$(rank "$first")
				[ -n "$target" ] || continue # lwIP's own ("lwip/tcp.h")
				owner=$first
			else
				owner=$(header_layer "$path")
				target=$(rank "$owner")
			fi
			if [ "$target" -gt "$r" ]; then
				complain "$file includes $path: $dir may not use $owner (above it)"
			fi
		done < <(grep -E '^[[:space:]]*#[[:space:]]*include' "$file")
	done < <(find "$dir" -name '*.[chS]' | sort)
done

# ---- 2. symbols --------------------------------------------------------------------
objs=$build/obj
if [ ! -d "$objs" ]; then
	complain "no objects in $objs: build first (make check does)"
	exit 1
fi
# The objects of a layer's sources as they are now (build/obj may hold stale ones).
layer_objs() {
	local src
	find "$1" -name '*.[cS]' | sort | while IFS= read -r src; do
		[ -e "$objs/${src%.*}.o" ] && echo "$objs/${src%.*}.o"
	done
	return 0
}
defs=$(mktemp)
trap 'rm -f "$defs"' EXIT
# "symbol layer" for every global symbol an object defines. A name defined in two
# layers (an app may define its own printk: the library's names are hidden from it,
# tools/hide-syms.sh) belongs to the lowest, which is the one the layers above bind to.
for dir in "${layers[@]}"; do
	layer_objs "$dir" | xargs -r nm --defined-only -P 2>/dev/null |
		awk -v l="$dir" -v r="$(rank "$dir")" '$2 ~ /^[TDBRVW]$/ {print $1, r, l}'
done | sort -k1,1 -k2,2n | awk '$1 != last {print $1, $3; last = $1}' >"$defs"

for dir in "${layers[@]}"; do
	r=$(rank "$dir")
	while IFS= read -r obj; do
		while IFS= read -r sym; do
			case $upcalls in *" $sym "*) continue ;; esac
			owner=$(awk -v s="$sym" '$1 == s {print $2; exit}' "$defs")
			[ -n "$owner" ] || continue # the linker's (__skiff_init_start) or lwIP's
			if [ "$(rank "$owner")" -gt "$r" ]; then
				complain "${obj#"$objs"/} calls $sym: $dir may not use $owner (above it)"
			fi
		done < <(nm --undefined-only -P "$obj" | awk '{print $1}')
	done < <(layer_objs "$dir")
done

[ "$fail" -eq 0 ] && echo "check-layers: ok (${layers[*]})"
exit "$fail"
