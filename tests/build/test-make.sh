#!/usr/bin/env bash
# How the Makefile builds: apps outside the tree, checked names, a wrong XEN_INCLUDE, who
# decides about -Werror, what objects depend on, V=1, images that do not depend on where
# the tree is. Each test builds in a copy of the tree (build/tests-build/make/), so this
# tree's own build/ is left as it was.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
scratch_dirs make

tree=$work/tree
copy_tree "$tree"
# make in the copy; all output into $log (the tests read it)
log=$work/log
mk() { make -C "$tree" "$@" >"$log" 2>&1; }
# newapp DIR LINE: an appliance in DIR whose main prints LINE
newapp() {
	mkdir -p "$1"
	printf '#include <stdio.h>\nint main(void)\n{\n\tprintf("%%s\\n", "%s");\n\treturn 0;\n}\n' "$2" >"$1/main.c"
}

# ---- apps outside the tree ------------------------------------------------------------
out=$("$tree/tests/build/make-oot-app.sh" "$outside" 2>"$log")
image=$(tail -n 1 <<<"$out")
if [ -f "$image" ] && grep -q -a 'oot-hello: built outside the Skiff tree' "$image" &&
	[ "$(ls "$outside/oot-hello")" = "$(printf 'Makefile\nmain.c')" ]; then
	pass oot_app_builds_from_its_own_folder
else
	fail oot_app_builds_from_its_own_folder "image '$image'; folder holds $(ls "$outside/oot-hello" | tr '\n' ' '); $(tail -n 2 "$log" | tr '\n' ' ')"
fi

newapp "$outside/folder-name" "named by APP"
if mk APP_DIR="$outside/folder-name" APP=chosen && [ -f "$tree/build/chosen/chosen" ] &&
	[ ! -e "$tree/build/folder-name" ]; then
	pass oot_app_takes_the_name_app_gives
else
	fail oot_app_takes_the_name_app_gives "$(tail -n 2 "$log" | tr '\n' ' ')"
fi

# Two apps of one name from two folders: the second build must not reuse the first's objects.
newapp "$outside/a/twin" "first twin"
newapp "$outside/b/twin" "second twin"
if mk APP_DIR="$outside/a/twin" && mk APP_DIR="$outside/b/twin" &&
	grep -q -a 'second twin' "$tree/build/twin/twin" && ! grep -q -a 'first twin' "$tree/build/twin/twin"; then
	pass app_of_the_same_name_from_another_folder_is_rebuilt
else
	fail app_of_the_same_name_from_another_folder_is_rebuilt "build/twin/twin is not the second folder's app"
fi

# The folder last built from is gone (the .d files of its objects name its main.c), and
# another of the same name is built.
newapp "$outside/c/twin" "third twin"
newapp "$outside/d/twin" "fourth twin"
mk APP_DIR="$outside/c/twin"
rm -rf "$outside/c"
if mk APP_DIR="$outside/d/twin" && grep -q -a 'fourth twin' "$tree/build/twin/twin"; then
	pass app_named_like_a_deleted_folders_app_builds
else
	fail app_named_like_a_deleted_folders_app_builds "$(tail -n 2 "$log" | tr '\n' ' ')"
fi

mkdir -p "$outside/empty"
if ! mk APP_DIR="$outside/empty" && grep -q 'has no .c files' "$log"; then
	pass oot_folder_without_sources_is_refused
else
	fail oot_folder_without_sources_is_refused "$(tail -n 2 "$log" | tr '\n' ' ')"
fi

# ---- app names --------------------------------------------------------------------------
# Whatever APP says, nothing may appear outside build/: a name is refused before any rule runs.
newapp "$outside/bad.name" "dot"
touch "$work/before"
bad=()
for name in ../../x ../x a/b . .. '' 'a b' 'a,b' '*'; do
	if mk "APP=$name" || ! grep -q 'is not an app name' "$log"; then
		bad+=("'$name'")
	fi
done
if mk APP_DIR="$outside/a/twin" APP=../up || ! grep -q 'is not an app name' "$log"; then
	bad+=("APP_DIR with APP=../up")
fi
if mk APP_DIR="$outside/bad.name" || ! grep -q 'give APP=name' "$log"; then
	bad+=("a folder named bad.name")
fi
# APP=../../x once wrote build/../../x/../../x: look for any file made since, but the log
# and what belongs in the copy's build/.
written=$(find "$(dirname "$work")" "$outside" -path "$tree/build" -prune -o -type f -newer "$work/before" -print |
	grep -v -x -e "$log")
if [ ${#bad[@]} -eq 0 ] && [ -z "$written" ]; then
	pass bad_app_names_are_refused_and_nothing_is_written
else
	fail bad_app_names_are_refused_and_nothing_is_written "accepted: ${bad[*]:-none}; written: ${written:-nothing}"
fi

if ! mk APP=nosuch && grep -q 'there is no app "nosuch"' "$log" && ! grep -q 'undefined reference' "$log"; then
	pass missing_app_says_there_is_no_such_app
else
	fail missing_app_says_there_is_no_such_app "$(tail -n 2 "$log" | tr '\n' ' ')"
fi

# ---- XEN_INCLUDE ----------------------------------------------------------------------
# After a good build (the link to the headers exists), twice: every run must say it.
mk
n=0
for _ in 1 2; do
	if ! mk XEN_INCLUDE=/nonexistent/xen && grep -q 'XEN_INCLUDE=/nonexistent/xen holds no xen.h' "$log"; then
		n=$((n + 1))
	fi
done
check wrong_xen_include_is_reported_every_time [ $n -eq 2 ] "reported $n of 2 times"

# Other headers: every object is rebuilt against them, and the link follows.
cp -r /usr/include/xen "$outside/xen-copy"
if mk XEN_INCLUDE="$outside/xen-copy" && grep -q 'CC      libc/printf.c' "$log" &&
	[ "$(readlink "$tree/build/xen-include/xen")" = "$outside/xen-copy" ] &&
	mk && grep -q 'CC      libc/printf.c' "$log" &&
	[ "$(readlink "$tree/build/xen-include/xen")" = /usr/include/xen ]; then
	pass other_xen_include_rebuilds_against_it
else
	fail other_xen_include_rebuilds_against_it "link: $(readlink "$tree/build/xen-include/xen"); $(tail -n 2 "$log" | tr '\n' ' ')"
fi

# ---- -Werror: the library's rule, the app's choice ----------------------------------------
newapp "$outside/warns" "warns"
sed -i 's/^{$/{\n\tint unused;/' "$outside/warns/main.c"
if mk APP_DIR="$outside/warns" && grep -q 'Wunused-variable' "$log"; then
	pass app_warning_is_no_error
else
	fail app_warning_is_no_error "$(grep -m 2 -E 'error|warning' "$log" | tr '\n' ' ')"
fi
echo 'APP_CFLAGS += -Werror' >"$outside/warns/app.mk"
if ! mk APP_DIR="$outside/warns" && grep -q 'all warnings being treated as errors' "$log"; then
	pass app_mk_may_make_warnings_errors
else
	fail app_mk_may_make_warnings_errors "$(tail -n 2 "$log" | tr '\n' ' ')"
fi
rm "$outside/warns/app.mk"

cp "$tree/libc/string.c" "$work/string.c"
printf '\nstatic int unused_in_the_library;\n' >>"$tree/libc/string.c"
if ! mk && grep -q 'all warnings being treated as errors' "$log"; then
	pass library_warning_is_an_error
else
	fail library_warning_is_an_error "$(tail -n 2 "$log" | tr '\n' ' ')"
fi
cp "$work/string.c" "$tree/libc/string.c"

# ---- what objects depend on -----------------------------------------------------------------
mk
touch "$tree/Makefile"
mk
sources=$(cd "$tree" && ls libc/*.c arch/x86_64/*.[cS] xen/*.c kernel/*.c xenbus/*.c drivers/*.c apps/hello/*.c | wc -l)
rebuilt=$(grep -c -E '^  (CC|AS) ' "$log")
check objects_depend_on_the_makefile [ "$rebuilt" -eq "$sources" ] "touching the Makefile rebuilt $rebuilt of $sources objects"

mk APP_DIR="$outside/warns"
echo '# nothing yet' >"$outside/warns/app.mk"
mk APP_DIR="$outside/warns"
if grep -q "CC      $outside/warns/main.c" "$log" && ! grep -q 'CC      libc/' "$log"; then
	pass app_objects_depend_on_app_mk
else
	fail app_objects_depend_on_app_mk "after app.mk changed: $(grep -c '^  CC' "$log") objects rebuilt, main.c $(grep -q "warns/main.c" "$log" && echo among them || echo not)"
fi

# ---- V=1 ------------------------------------------------------------------------------------
# Every command a build runs is printed: make -n lists the recipe (quiet lines too), and a
# real V=1 build from clean must have printed each of them. (":" is what a V=1 build runs
# instead of a short "  CC ..." line; the last line of a build is its "built ..." message.)
mk clean
make -C "$tree" -n V=1 2>&1 | grep -v -e '^:$' -e '^echo "built ' -e '^make: ' | sort >"$work/dry"
mk V=1
grep -v -e '^built ' -e '^make: ' "$log" | sort >"$work/real"
missing=$(comm -23 "$work/dry" "$work/real")
if [ -s "$work/dry" ] && [ -z "$missing" ]; then
	pass v1_shows_every_command
else
	fail v1_shows_every_command "not shown: $(head -c 300 <<<"$missing")"
fi

# ---- two checkouts, one image ----------------------------------------------------------------
# Another copy, at a path of another length: hello must come out the same, debug info too.
other=$work/a/copy/somewhere/else
copy_tree "$other"
mk
make -C "$other" >"$work/log-other" 2>&1
if cmp -s "$tree/build/hello/hello" "$other/build/hello/hello" &&
	cmp -s "$tree/build/hello/hello.stripped" "$other/build/hello/hello.stripped"; then
	pass two_checkouts_build_the_same_image
else
	fail two_checkouts_build_the_same_image "$(cmp "$tree/build/hello/hello" "$other/build/hello/hello" 2>&1 | head -n 1)"
fi

finish
