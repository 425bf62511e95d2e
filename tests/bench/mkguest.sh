#!/usr/bin/env bash
# Build the initramfs of the Linux PV guest `make bench` runs beside Skiff:
# busybox, iperf 2 with its libraries, Debian's xen-blkfront and xen-netfront modules,
# and linux-init as /init.
#   tests/bench/mkguest.sh KERNEL_ROOT OUT.cpio.gz
set -euo pipefail
kroot=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,usr/bin,dev,proc,sys,tmp,lib64}
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
cp -L /usr/bin/iperf "$root/usr/bin/iperf"
for l in $(ldd /usr/bin/iperf | awk '/=> \// {print $3}'); do
	mkdir -p "$root$(dirname "$l")"
	cp -L "$l" "$root$l"
done
cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"

# The two frontends and what they depend on.
"$here/../../tools/testhost/copy-modules.sh" "$kroot" "$root" xen-blkfront xen-netfront

cp "$here/linux-init" "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 >"$out"
