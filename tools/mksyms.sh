#!/bin/sh
# Turn `nm -n --defined-only` output into the assembly of the image's symbol table
# (.skiff_syms): sorted addresses of text symbols and their names, read by kernel/symbols.c
# to print a backtrace with function names. With no input it makes an empty table.
# Local symbols count (the library's functions are local to the app, tools/hide-syms.sh);
# a public function is there twice, local and as its weak alias: it is listed once.
# Each entry is two 32-bit offsets, the address's from _text and the name's from the
# start of the names: half the size of two pointers, which kept hello under 64 KiB.
awk '
BEGIN { n = 0; base = "" }
$3 == "_text" { base = $1 }
$2 ~ /^[tTwW]$/ && $3 !~ /^(\.|__x86|_etext|_text)/ && !(($1 " " $3) in seen) {
	seen[$1 " " $3] = 1
	addr[n] = $1; name[n] = $3; n++
}
END {
	print "\t.section .skiff_syms, \"a\""
	print "\t.balign 8"
	print "\t.globl skiff_syms_count"
	print "skiff_syms_count:\n\t.long " n
	print "\t.globl skiff_syms_addr"
	print "skiff_syms_addr:"
	for (i = 0; i < n; i++) print "\t.long 0x" addr[i] " - 0x" base
	print "\t.globl skiff_syms_name"
	print "skiff_syms_name:"
	for (i = 0; i < n; i++) print "\t.long .Lname" i " - skiff_syms_names"
	print "\t.globl skiff_syms_names"
	print "skiff_syms_names:"
	for (i = 0; i < n; i++) print ".Lname" i ":\t.asciz \"" name[i] "\""
}'
