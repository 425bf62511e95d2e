#!/usr/bin/env bash
# Copy kernel modules and everything they depend on from an unpacked Debian kernel
# into an initramfs root, then index them with depmod so busybox modprobe finds them.
#   tools/testhost/copy-modules.sh KERNEL_ROOT ROOT MODULE...
# (Used for dom0's root by mkinitramfs.sh and the Linux guest of make bench.)
set -euo pipefail
kroot=$1
root=$2
shift 2
kver=$(ls "$kroot/lib/modules")
mdir=$kroot/lib/modules/$kver
mkdir -p "$root/lib/modules/$kver"
cp "$mdir"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$kver/"
want=("$@")
while [ ${#want[@]} -gt 0 ]; do
	m=${want[0]}
	want=("${want[@]:1}")
	f=$(find "$mdir/kernel" -name "$m.ko*" -o -name "${m//-/_}.ko*" | head -n 1)
	[ -n "$f" ] || continue # built into the kernel
	rel=${f#"$mdir/"}
	[ -e "$root/lib/modules/$kver/$rel" ] && continue
	mkdir -p "$root/lib/modules/$kver/$(dirname "$rel")"
	cp "$f" "$root/lib/modules/$kver/$rel"
	for dep in $(/sbin/modinfo -F depends "$f" | tr ',' ' '); do
		want+=("$dep")
	done
done
/sbin/depmod -b "$root" "$kver"
