#!/usr/bin/env bash
# Unpack the ELF kernel inside a Linux bzImage (vmlinuz), with standard tools.
#
#   tools/testhost/unpack-vmlinux.sh VMLINUZ OUT
#
# Why: a PV guest's kernel is loaded by libxenguest in dom0, and given a bzImage it
# first decompresses it there, which under QEMU's TCG costs ~12 s per `xl create`. Given
# the ELF it only copies it. A bzImage carries its payload as one compressed stream after
# the real-mode setup code; find the stream's magic, decompress from there and keep the
# first result that is an ELF file. OUT is left alone if it is newer than VMLINUZ.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 VMLINUZ OUT" >&2; exit 2; }
in=$1
out=$2
[ ! -s "$out" ] || [ "$in" -nt "$out" ] || exit 0
mkdir -p "$(dirname "$out")"
tmp=$out.tmp.$$ # several runs may share the cache

is_elf() { [ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]; }

# magic (as grep -P bytes) and the command that decompresses one stream from stdin
formats=(
	'\xfd\x37\x7a\x58\x5a\x00|xz -dc --single-stream'
	'\x28\xb5\x2f\xfd|zstd -dc'
	'\x1f\x8b\x08|gzip -dc'
	'\x02\x21\x4c\x18|lz4 -dc'
)
for f in "${formats[@]}"; do
	magic=${f%%|*}
	cmd=${f#*|}
	for off in $(LC_ALL=C grep -abo -P "$magic" "$in" | cut -d: -f1 | head -n 5); do
		# Trailing bytes after the stream make some decompressors complain; the ELF
		# test below is what decides.
		tail -c +$((off + 1)) "$in" | $cmd >"$tmp" 2>/dev/null || true
		if [ -s "$tmp" ] && is_elf "$tmp"; then
			mv "$tmp" "$out"
			exit 0
		fi
	done
done
rm -f "$tmp"
echo "unpack-vmlinux: no ELF kernel found inside $in" >&2
exit 1
