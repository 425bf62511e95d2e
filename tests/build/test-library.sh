#!/usr/bin/env bash
# What the library's machine code may do. An event upcall interrupts a thread anywhere, on
# its stack, and saves only the general registers (arch/x86_64/entry.S): the library must
# never write a vector or x87 register, or it would corrupt the values an app's thread was
# holding there. The one use of them allowed is the prologue of a public variadic function,
# which stores (reads) the registers a caller passed doubles in (libc/printk.h).
# Reads the library objects of this tree's build/ (built first).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

log=$top/build/tests-build/library.log
mkdir -p "$(dirname "$log")"
objs=()
if make -s -C "$top" APP=hello >"$log" 2>&1; then
	objs+=("$top/build/libskiff.o")
else
	fail library_builds "$(tail -n 2 "$log" | tr '\n' ' ')"
fi
# lwIP's build of the library too, when lwIP is here (make test fetches it first)
if [ -e "$top/build/deps/lwip/.done" ] && make -s -C "$top" APP=echo >>"$log" 2>&1; then
	objs+=("$top/build/libskiff-lwip.o")
fi
# and newlib's, with the POSIX layer and its glue (make test fetches newlib first)
if [ -e "$top/build/deps/newlib/.done" ] && make -s -C "$top" APP=posixcheck >>"$log" 2>&1; then
	objs+=("$top/build/libskiff-newlib.o")
fi

# Any instruction naming a vector, MMX or x87 register, or an x87, MXCSR or state-restore
# instruction, but a store of an XMM register to memory, and the PVH entry's fninit (the
# x87 unit's reset at boot, before any thread, so that an app finds it as the ABI says)
# and the context switch's save and load of the two control words a call preserves.
writes=$(for o in "${objs[@]}"; do objdump -d --no-show-raw-insn "$o"; done |
	awk '/^[0-9a-f]+ <.*>:$/ {fn = $2; next}
	     /%(xmm|ymm|zmm|mm[0-7]|st)|\t(f[a-z]+|ldmxcsr|vzero[a-z]*|emms|xrstor[a-z]*)( |$)/ {
		if ($0 ~ /\tmovaps +%xmm[0-7],-?0x[0-9a-f]+\(%r[bs]p\)$/) next
		if (fn == "<fpu_init>:" && $0 ~ /\tfninit$/) next
		if (fn == "<arch_switch_to>:" && $0 ~ /\t(stmxcsr|ldmxcsr|fnstcw|fldcw) +[0-9x]*\(%rsp\)$/) next
		print fn $0 }' | head -n 5)
if [ ${#objs[@]} -gt 0 ] && [ -z "$writes" ]; then
	pass library_writes_no_vector_register
else
	fail library_writes_no_vector_register "${writes:-no library object}"
fi

# Every variadic function include/ declares may be handed doubles by an app: its prologue
# must store all eight XMM argument registers, or the formatter reads garbage.
aux=$(mktemp)
trap 'rm -f "$aux"' EXIT
(cd "$top/include" && find . -name '*.h' | sort) | sed 's|^\./\(.*\)|#include <\1>|' |
	(cd "$top" && gcc -ffreestanding -nostdinc -isystem "$(gcc -print-file-name=include)" -I include \
		-I build/xen-include -x c -fsyntax-only -aux-info "$aux" -)
variadic=$(sed -n 's|^/\* include/[^ ]*:NC \*/ extern [^(]*[ *]\([A-Za-z_][A-Za-z0-9_]*\) (.*\.\.\.);.*|\1|p' "$aux" | sort -u)
missing=()
for f in $variadic; do
	# each function has its own section (-ffunction-sections)
	n=$(objdump -d --no-show-raw-insn -j ".text.$f" "$top/build/libskiff.o" 2>/dev/null |
		awk '/\tmovaps +%xmm[0-7],/ {n++} END {print n + 0}')
	[ "$n" -eq 8 ] || missing+=("$f ($n of 8)")
done
if [ -n "$variadic" ] && [ ${#missing[@]} -eq 0 ]; then
	pass variadic_functions_store_the_double_registers
else
	fail variadic_functions_store_the_double_registers "${missing[*]:-no variadic function found in include/}"
fi

# The smallest image stays small (the issue "newlib and a POSIX layer": an app that does
# not ask for newlib is as small as before it; README gives hello's size). And none of
# newlib is in it, nor on its compile or link lines.
size=$(stat -c %s "$top/build/hello/hello.stripped" 2>/dev/null || echo 0)
check hello_stripped_is_at_most_64_kib test "$size" -gt 0 -a "$size" -le 65536 \
	"hello.stripped is $size bytes"
newlib_lines=$(make -s -C "$top" APP=hello -B -n V=1 2>&1 | grep -c newlib)
newlib_syms=$(nm "$top/build/hello/hello" 2>/dev/null | grep -c -E ' (__getreent|_impure_ptr|__sinit)$')
check hello_is_built_without_newlib test "$newlib_lines" -eq 0 -a "$newlib_syms" -eq 0 \
	"$newlib_lines command lines name newlib, $newlib_syms newlib symbols in the image"

finish
