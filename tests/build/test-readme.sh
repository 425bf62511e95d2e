#!/usr/bin/env bash
# README.md tells the truth about the C library an app gets: every function the list of
# "What an app may use" names is declared in include/'s C headers and every one declared
# there is named; what "Not in Skiff's own" names is not declared or cannot be included;
# the headers it says GCC provides can be. And "The two commands" are two.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
scratch_dirs readme

readme=$top/README.md
# The section "What an app may use" up to Skiff's own API.
section=$(sed -n '/^### What an app may use/,/^Skiff.s own API/p' "$readme")
# The functions in backticks on the list's C library lines (a bullet runs until the next).
listed=$(awk '/^- `<(stdio|string|stdlib|errno)\.h>`/ {on = 1; print; next}
	/^- / || /^$/ {on = 0} on' <<<"$section" |
	grep -o '`[A-Za-z_][A-Za-z0-9_]*`' | tr -d '`' | sort -u)
not_there=$(sed -n '/^Not in Skiff.s own (newlib has them all):/,/^$/p' <<<"$section")

# What include/'s C headers declare (the compiler reads them, as tools/public-syms.sh does).
# An app's view: GCC's own headers and include/ (the Makefile's APP_CFLAGS).
cflags=(-ffreestanding -nostdinc -isystem "$(gcc -print-file-name=include)" -I include
	-I build/xen-include)
flags=("${cflags[@]}" -x c -fsyntax-only)
printf '#include <%s>\n' stdio.h string.h stdlib.h errno.h |
	(cd "$top" && gcc "${flags[@]}" -aux-info "$outside/libc.aux" -)
declared=$(sed -n 's|^/\* include/[^ ]*:NC \*/ extern [^(]*[ *]\([A-Za-z_][A-Za-z0-9_]*\) (.*|\1|p' \
	"$outside/libc.aux" | sort -u)
unlisted=$(comm -13 <(echo "$listed") <(echo "$declared") | tr '\n' ' ')
absent=$(comm -23 <(echo "$listed") <(echo "$declared") | tr '\n' ' ')
if [ -n "$declared" ] && [ -z "$unlisted" ] && [ -z "$absent" ]; then
	pass readme_lists_every_libc_function
else
	fail readme_lists_every_libc_function "declared but not listed: ${unlisted:-none}; listed but not declared: ${absent:-none}"
fi

# "Not there": no such function in any public header, no such header to include.
all_declared=$(cd "$top" && tools/public-syms.sh gcc "${cflags[@]}")
wrong=()
for name in $(grep -o '`[a-z_][a-z0-9_]*`' <<<"$not_there" | tr -d '`'); do
	grep -q -x "$name" <<<"$all_declared" && wrong+=("$name is declared")
done
for h in $(grep -o '`<[a-z]*\.h>`' <<<"$not_there" | tr -d '`<>'); do # (not <skiff/...>)
	echo "#include <$h>" | (cd "$top" && gcc "${flags[@]}" - 2>/dev/null) && wrong+=("<$h> exists")
done
for h in $(awk '/^- GCC.s own headers/ {on = 1} /^$/ {on = 0} on' <<<"$section" | grep -o '`<[a-z/]*\.h>`' | tr -d '`<>'); do
	echo "#include <$h>" | (cd "$top" && gcc "${flags[@]}" - 2>/dev/null) || wrong+=("<$h> is missing")
done
if [ -n "$not_there" ] && [ ${#wrong[@]} -eq 0 ]; then
	pass readme_what_is_missing_is_missing
else
	fail readme_what_is_missing_is_missing "${wrong[*]:-no 'Not there' paragraph}"
fi

# The code block after "## The two commands": two lines, each a make command.
block=$(sed -n '/^## The two commands/,/^## /p' "$readme" | sed -n '/^```sh/,/^```$/p' | sed '1d;$d')
if [ "$(grep -c . <<<"$block")" -eq 2 ] && [ "$(grep -c '^make ' <<<"$block")" -eq 2 ]; then
	pass readme_the_two_commands_are_two
else
	fail readme_the_two_commands_are_two "the block holds: $(tr '\n' '|' <<<"$block")"
fi

finish
