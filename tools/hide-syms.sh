#!/bin/sh
# Hide the library's internal names from the application it is linked with.
#
#   tools/hide-syms.sh IN.o OUT.o PUBLIC
#
# IN.o is the whole library as one relocatable object (ld -r), PUBLIC a file of the
# names an application may use, one a line. In OUT.o:
#  - every global symbol becomes local, so the library's own references (already
#    resolved inside IN.o) stay bound to its own definitions, and an application may
#    define printk or gnttab_grant_page without a clash: it cannot see them;
#  - each public name the library defines gets a weak global alias at the same place,
#    which the application's references reach. An application that defines a public
#    name itself (its own thread_create) overrides it for its own calls only: its strong
#    definition wins over the weak alias, and the library still calls its own;
#  - _start stays global: ld looks up the ELF entry (skiff.lds, ENTRY) among globals.
# Undefined symbols (main, the linker script's __skiff_init_start, the symbol table of
# the second link) are left alone: objcopy localizes defined symbols only.
set -eu

in=$1 out=$2 public=$3
args=$(mktemp)
sections=$(mktemp)
trap 'rm -f "$args" "$sections"' EXIT

# An alias names its section, so that section's name must be unique in IN.o (ld -r
# --unique keeps one section per function, and two files' static functions of one name
# give two sections of one name).
readelf -SW "$in" | sed -n 's/^ *\[ *[0-9]*\] \([^ ]*\) .*/\1/p' >"$sections"
# objdump -t: VALUE FLAGS(7 characters: g global, F function, O object) SECTION\tSIZE NAME
objdump -t "$in" | awk -v public="$public" -v sections="$sections" '
BEGIN {
	while ((getline name <public) > 0) want[name] = 1
	while ((getline name <sections) > 0) count[name]++
}
/^[0-9a-f]+ / {
	flags = substr($0, 18, 7)
	split(substr($0, 26), rest, "\t")
	section = rest[1]
	n = split(rest[2], f, " ")
	name = f[n]
	if (substr(flags, 1, 1) != "g" || section == "*UND*" || !(name in want))
		next
	if (count[section] != 1) {
		printf "hide-syms: %s is in %s, a section name %d sections share\n", name, section, count[section] >"/dev/stderr"
		exit 1
	}
	kind = index(flags, "F") ? ",function" : index(flags, "O") ? ",object" : ""
	printf "--add-symbol=%s=%s:0x%s,global,weak%s\n", name, section, substr($0, 1, 16), kind
}' >"$args"

objcopy --keep-global-symbol=_start @"$args" "$in" "$out"
