#!/bin/sh
# Turn `nm -n --defined-only` output into the assembly of the image's symbol table
# (.skiff_syms): sorted addresses of text symbols and their names, read by kernel/symbols.c
# to print a backtrace with function names. With no input it makes an empty table.
# Local symbols count (the library's functions are local to the app, tools/hide-syms.sh);
# a public function is there twice, local and as its weak alias: it is listed once.
awk '
BEGIN { n = 0 }
$2 ~ /^[tTwW]$/ && $3 !~ /^(\.|__x86|_etext|_text)/ && !(($1 " " $3) in seen) {
	seen[$1 " " $3] = 1
	addr[n] = $1; name[n] = $3; n++
}
END {
	print "\t.section .skiff_syms, \"a\""
	print "\t.balign 8"
	print "\t.globl skiff_syms_count"
	print "skiff_syms_count:\n\t.quad " n
	print "\t.globl skiff_syms_addr"
	print "skiff_syms_addr:"
	for (i = 0; i < n; i++) print "\t.quad 0x" addr[i]
	print "\t.globl skiff_syms_name"
	print "skiff_syms_name:"
	for (i = 0; i < n; i++) print "\t.quad .Lname" i
	for (i = 0; i < n; i++) print ".Lname" i ":\t.asciz \"" name[i] "\""
}'
