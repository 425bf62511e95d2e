#!/usr/bin/env bash
# tools/debian-source.sh, which finds in this machine's apt sources the archive lwIP's
# source is fetched from, on sample /etc/apt folders: Debian 12's deb822 debian.sources,
# an older one-line sources.list, a mirror, options, an inline key, entries to pass over,
# and none to find. The addresses are example.org ones (RFC 2606), not a registry's.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
scratch_dirs apt-sources

# sample NAME: an empty apt folder $outside/NAME (files are written into it below)
sample() {
	mkdir -p "$outside/$1/sources.list.d"
	echo "$outside/$1"
}
# expect TEST DIR EXPECTED: debian-source.sh on DIR prints EXPECTED (and apt can read it)
expect() {
	local got
	got=$("$top/tools/debian-source.sh" bookworm "$2" 2>&1)
	if [ "$got" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "got: $(tr '\n' '|' <<<"$got")"
	fi
	printf '%s\n' "$got" >"$outside/$1.sources"
}

d=$(sample debian12)
cat >"$d/sources.list.d/debian.sources" <<'EOF'
Types: deb
# http://snapshot.example.org/archive/debian/20250520T000000Z
URIs: http://mirror.example.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
expect deb822_sources_of_debian_12 "$d" "Types: deb-src
URIs: http://mirror.example.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"

# Stanzas that do not fit come first: disabled, another suite, no main, a cdrom. Field
# names in any case, several URIs (the first is taken), no Signed-By (apt's keyrings).
d=$(sample deb822-choices)
cat >"$d/sources.list.d/mixed.sources" <<'EOF'
Types: deb
URIs: http://disabled.example.org/debian
Suites: bookworm
Components: main
Enabled: no

Types: deb deb-src
URIs: http://mirror.example.org/debian
Suites: bookworm-backports
Components: main

types: deb
uris: http://mirror.example.org/debian
suites: bookworm
components: contrib non-free

Types: deb
URIs: cdrom:[Debian GNU/Linux 12]/
Suites: bookworm
Components: main

types: deb-src
uris: http://proxy.example.org:3142/debian http://second.example.org/debian
suites: bookworm
components: main contrib
trusted: yes
EOF
expect deb822_first_enabled_entry_with_bookworm_main "$d" "Types: deb-src
URIs: http://proxy.example.org:3142/debian
Suites: bookworm
Components: main
Trusted: yes"

# An inline key (Signed-By's continuation lines) is carried over as it is.
d=$(sample deb822-inline-key)
cat >"$d/sources.list.d/debian.sources" <<'EOF'
Types: deb
URIs: https://mirror.example.org/debian/
Suites: bookworm
Components: main contrib
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mDMEZabcdefghijklmnopqrstuvwxyz0123456789
 =abcd
 -----END PGP PUBLIC KEY BLOCK-----
EOF
expect deb822_inline_key_is_kept "$d" "Types: deb-src
URIs: https://mirror.example.org/debian/
Suites: bookworm
Components: main
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mDMEZabcdefghijklmnopqrstuvwxyz0123456789
 =abcd
 -----END PGP PUBLIC KEY BLOCK-----"

# Debian 11 and older: one line an entry, comments, a cdrom, options in brackets.
d=$(sample oneline)
cat >"$d/sources.list" <<'EOF'
# deb cdrom:[Debian GNU/Linux 12.5.0 _Bookworm_]/ bookworm main
deb cdrom:[Debian GNU/Linux 12.5.0 _Bookworm_]/ bookworm main
deb cdrom:[Debian_12]/ bookworm main

deb http://security.example.org/debian-security bookworm-security main
deb [ arch=amd64 signed-by=/etc/apt/keyrings/mirror.gpg ] http://mirror.example.org/debian bookworm contrib main # local mirror
deb-src http://other.example.org/debian bookworm main
EOF
expect one_line_sources_list "$d" "Types: deb-src
URIs: http://mirror.example.org/debian
Suites: bookworm
Components: main
Signed-By: /etc/apt/keyrings/mirror.gpg"

# apt's order: sources.list, then sources.list.d by name; other names are not apt's.
d=$(sample order)
echo "deb http://first.example.org/debian bookworm-updates main" >"$d/sources.list"
echo "deb [trusted=yes] http://b.example.org/debian bookworm main" >"$d/sources.list.d/b.list"
printf 'Types: deb\nURIs: http://a.example.org/debian\nSuites: bookworm\nComponents: main\n' \
	>"$d/sources.list.d/a.sources"
echo "deb http://0.example.org/debian bookworm main" >"$d/sources.list.d/0.list.disabled"
expect sources_are_read_in_apts_order "$d" "Types: deb-src
URIs: http://a.example.org/debian
Suites: bookworm
Components: main"

# Nothing for bookworm main: an error that says so, and nothing on stdout.
d=$(sample none)
echo "deb http://mirror.example.org/debian trixie main" >"$d/sources.list"
echo "deb http://mirror.example.org/debian bookworm contrib" >"$d/sources.list.d/c.list"
out=$("$top/tools/debian-source.sh" bookworm "$d" 2>"$outside/none.err")
rc=$?
if [ $rc -ne 0 ] && [ -z "$out" ] && grep -q 'no apt source for bookworm main' "$outside/none.err"; then
	pass no_bookworm_main_is_an_error
else
	fail no_bookworm_main_is_an_error "exit $rc, printed '$out'"
fi

# What it writes is a source apt parses (a malformed one fails any apt command: "E:
# Malformed entry"). apt lists no index target before an update, so that is all it says.
bad=()
mkdir -p "$outside/parts" "$outside/lists"
for f in "$outside"/*.sources; do
	rm -f "$outside/parts"/*
	cp "$f" "$outside/parts/skiff.sources"
	if ! out=$(apt-get -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$outside/parts" \
		-o Dir::State::Lists="$outside/lists" indextargets 2>&1) || [ -n "$out" ]; then
		bad+=("$(basename "$f"): $out")
	fi
done
if [ ${#bad[@]} -eq 0 ]; then
	pass apt_parses_the_source_written
else
	fail apt_parses_the_source_written "${bad[*]}"
fi

finish
