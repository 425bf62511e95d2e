#!/usr/bin/env bash
# Build dom0's root file system for the emulated test host, as a gzip'd newc cpio,
# from files installed on this machine (tools/install-deps.sh testhost):
# busybox, the Xen 4.17 tools with the shared libraries they load, /etc/xen, and the
# Debian kernel's modules that dom0 needs.
#   tools/testhost/mkinitramfs.sh OUT.cpio.gz
set -euo pipefail

out=$1
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
kroot=$top/build/deps/linux/root
kver=$(ls "$kroot/lib/modules")
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,run,root,job,out,etc/xen} \
	"$root"/var/{log/xen/console,run/xen,lib/xen,lib/xenstored,lock}

# busybox provides the shell and the small tools; the hotplug scripts need real bash.
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
# For scripts that start with #!/usr/bin/env bash (tools/run, run in dom0 by a Xen test).
mkdir -p "$root/usr/bin"
ln -sf /bin/busybox "$root/usr/bin/env"

xenbin=/usr/lib/xen-4.17/bin
progs=(
	$xenbin/xl $xenbin/xenstored $xenbin/xenconsoled $xenbin/xen-init-dom0
	$xenbin/libxl-save-helper
	/usr/bin/xenstore /usr/bin/xenstore-read /usr/bin/xenstore-write /usr/bin/xenstore-ls
	/usr/bin/xenstore-list /usr/bin/xenstore-rm /usr/bin/xenstore-exists
	/usr/bin/xenstore-chmod /usr/bin/xenstore-watch
	/bin/bash /sbin/ip /sbin/losetup /usr/bin/flock /usr/bin/stat /usr/bin/iperf
)
for p in "${progs[@]}"; do
	mkdir -p "$root$(dirname "$p")"
	cp -L "$p" "$root$p"
	# Put every program on busybox's PATH too (replacing its applet where it has one);
	# one copied into /bin already is (a link there would point at itself).
	[ "$(dirname "$p")" = /bin ] || ln -sf "$p" "$root/bin/$(basename "$p")"
done
# Shared libraries, as the dynamic loader will look for them. glibc dlopens libgcc_s
# from xl (for thread cancellation), so ldd does not list it.
libs=$(ldd "${progs[@]}" 2>/dev/null | awk '/=> \// {print $3} /^\t\/lib/ {print $1}' | sort -u)
for l in $libs /lib/x86_64-linux-gnu/libgcc_s.so.1; do
	mkdir -p "$root$(dirname "$l")"
	cp -L "$l" "$root$l"
done
mkdir -p "$root/lib64"
cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"

cp -r /etc/xen/. "$root/etc/xen/"
# xl runs the vif/block hotplug scripts itself: dom0 has no udev.
sed -i 's/^#\?run_hotplug_scripts=.*/run_hotplug_scripts=1/' "$root/etc/xen/xl.conf"
grep -q '^run_hotplug_scripts=1' "$root/etc/xen/xl.conf" ||
	echo 'run_hotplug_scripts=1' >>"$root/etc/xen/xl.conf"

# Kernel modules, with dependencies resolved by depmod so busybox modprobe works.
"$here/copy-modules.sh" "$kroot" "$root" xen-evtchn xen-gntdev xen-gntalloc xen-privcmd \
	xenfs xen-netback xen-blkback bridge stp llc loop tun virtio_blk virtio_pci virtio_net

cp "$here/init" "$root/init"
cp "$here/guest.sh" "$root/etc/guest.sh"
cp "$here/xl-fate.sh" "$root/etc/xl-fate.sh"
gcc -static -O2 -Wall -Werror -o "$root/bin/stamp" "$here/stamp.c"
chmod +x "$root/init"
echo "$kver" >"$root/etc/kernel-version"

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
