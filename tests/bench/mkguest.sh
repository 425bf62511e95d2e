#!/usr/bin/env bash
# Build an initramfs of the Linux guest `make bench` runs beside Skiff: busybox,
# Debian's xen-blkfront and xen-netfront modules, linux-init as /init, and the programs
# named (iperf, fio), each with the libraries it links.
#   tests/bench/mkguest.sh KERNEL_ROOT OUT.cpio.gz|OUT.cpio.zst PROGRAM...
# The disk guest gets fio (and its ~80 MB of libraries), the network guest iperf only,
# so that the network guest's boot time is not the unpacking of fio's libraries.
set -euo pipefail
kroot=$1
out=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,usr/bin,dev,proc,sys,tmp,lib64}
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
# A name is a program of this machine's /usr/bin; a path, a program of ours (static).
for prog in "$@"; do
	case $prog in
	*/*) cp "$prog" "$root/usr/bin/" && continue ;;
	*) cp -L "/usr/bin/$prog" "$root/usr/bin/$prog" ;;
	esac
	for l in $(ldd "/usr/bin/$prog" | awk '/=> \// {print $3}'); do
		mkdir -p "$root$(dirname "$l")"
		cp -L "$l" "$root$l"
	done
done
cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"

# The two frontends and what they depend on.
"$here/../../tools/testhost/copy-modules.sh" "$kroot" "$root" xen-blkfront xen-netfront

cp "$here/linux-init" "$root/init"
chmod +x "$root/init"
# OUT.cpio.zst for the disk guest: libxenguest gunzips a gzip ramdisk in dom0 first
# (~80 MB under emulation: a minute), but hands a zstd one to Linux, which unpacks it
# faster itself.
pack() { (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet); }
case $out in
*.zst) pack | zstd -q -3 -T2 -o "$out" ;;
*) pack | gzip -1 >"$out" ;;
esac
