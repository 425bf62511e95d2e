#!/usr/bin/env bash
# The Debian archive this machine's apt uses, as a deb822 stanza of a deb-src source for
# SUITE's main component: where tools/install-deps.sh fetches lwIP's source from, so that
# a mirror or proxy the user set up is the one used and no address is written into the
# project.
#
#   tools/debian-source.sh [SUITE [APT_DIR]]       (defaults: bookworm, /etc/apt)
#
# apt's own files, in apt's order: APT_DIR/sources.list, then APT_DIR/sources.list.d/
# *.list (one-line format: deb [options] URI SUITE COMPONENT...) and *.sources (deb822,
# Debian 12's debian.sources), sorted by name. The first enabled deb or deb-src entry that
# lists SUITE and main gives its first URI, and its Signed-By (a keyring, fingerprints or
# an inline key) and Trusted if it has them. Exits 1, saying so, if there is none.
set -euo pipefail

suite=${1:-bookworm}
dir=${2:-/etc/apt}

files=()
[ -f "$dir/sources.list" ] && files+=("$dir/sources.list")
if [ -d "$dir/sources.list.d" ]; then
	# apt reads only these names; *.disabled, *.save and the like are ignored
	while IFS= read -r f; do
		files+=("$dir/sources.list.d/$f")
	done < <(ls "$dir/sources.list.d" | LC_ALL=C grep -E '^[A-Za-z0-9_.-]+\.(list|sources)$' | LC_ALL=C sort)
fi

for f in "${files[@]}"; do
	case $f in
	*.sources) format=deb822 ;;
	*) format=oneline ;;
	esac
	if awk -v suite="$suite" -v format="$format" '
	function has(list, word,   n, i, w) { # is word one of the words of list?
		n = split(list, w, /[ \t]+/)
		for (i = 1; i <= n; i++)
			if (w[i] == word)
				return 1
		return 0
	}
	function emit(uri, signed_by, trusted) {
		print "Types: deb-src"
		print "URIs: " uri
		print "Suites: " suite
		print "Components: main"
		if (signed_by != "")
			print "Signed-By:" signed_by
		if (trusted != "")
			print "Trusted: " trusted
		found = 1
		exit 0
	}
	function first_uri(list,   w) {
		split(list, w, /[ \t]+/)
		return w[1]
	}
	# a deb822 stanza, its fields by lower-case name in field[]
	function stanza_end() {
		if (has(field["types"], "deb") || has(field["types"], "deb-src"))
			if (tolower(field["enabled"]) != "no" && has(field["suites"], suite) &&
			    has(field["components"], "main") && field["uris"] !~ /^cdrom:/)
				emit(first_uri(field["uris"]), raw["signed-by"], field["trusted"])
		delete field
		delete raw
		last = ""
	}
	format == "deb822" {
		if ($0 ~ /^#/)
			next
		if ($0 ~ /^[ \t]*$/) {
			stanza_end()
			next
		}
		if ($0 ~ /^[ \t]/ && last != "") { # a continuation line (an inline key)
			raw[last] = raw[last] "\n" $0
			next
		}
		if (match($0, /^[A-Za-z0-9-]+:/)) {
			last = tolower(substr($0, 1, RLENGTH - 1))
			raw[last] = substr($0, RLENGTH + 1) # as written, for Signed-By
			field[last] = raw[last]
			sub(/^[ \t]+/, "", field[last])
			sub(/[ \t]+$/, "", field[last])
		}
		next
	}
	format == "oneline" {
		sub(/#.*/, "")
		if ($1 != "deb" && $1 != "deb-src")
			next
		line = $0
		signed_by = trusted = ""
		if ($2 ~ /^\[/ && match(line, /\[[^]]*\]/)) { # [ option=value ... ] after the type
			n = split(substr(line, RSTART + 1, RLENGTH - 2), opt, /[ \t]+/)
			for (i = 1; i <= n; i++) {
				if (opt[i] ~ /^signed-by=/)
					signed_by = " " substr(opt[i], 11)
				else if (opt[i] ~ /^trusted=/)
					trusted = substr(opt[i], 9)
			}
			line = substr(line, 1, RSTART - 1) substr(line, RSTART + RLENGTH)
		}
		$0 = line # now: type URI suite component...
		if ($3 != suite || $2 ~ /^cdrom:/)
			next
		for (i = 4; i <= NF; i++)
			if ($i == "main")
				emit($2, signed_by, trusted)
	}
	END {
		if (format == "deb822" && !found)
			stanza_end()
		exit found ? 0 : 1
	}' "$f"; then
		exit 0
	fi
done

echo "debian-source: no apt source for $suite main in ${files[*]:-$dir (no sources)}" >&2
echo "debian-source: add one to $dir/sources.list.d (any Debian mirror)" >&2
exit 1
