#!/usr/bin/env bash
# Install what Skiff needs to build, test and boot, from Debian's package registry only.
# Idempotent and non-interactive: packages already present are not touched.
#
#   tools/install-deps.sh build     compiler, Xen public headers
#   tools/install-deps.sh unit      + cmocka for the host unit tests
#   tools/install-deps.sh testhost  + Xen 4.17, QEMU, busybox and a Debian dom0 kernel
#   tools/install-deps.sh all       everything (what `make test` asks for)
set -euo pipefail

what=${1:-all}
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${SKIFF_CACHE:-$top/build/deps}

build_pkgs=(gcc make binutils libxen-dev)
unit_pkgs=(libcmocka-dev pkg-config)
# xen-utils brings xl, xenstored, xenconsoled and the hotplug scripts that dom0 runs.
# bash, iproute2, util-linux (losetup, flock) and procps are what those scripts call.
host_pkgs=(xen-hypervisor-4.17-amd64 xen-utils-4.17 qemu-system-x86 busybox-static cpio
	   iproute2 util-linux procps kmod bash dpkg-dev gzip)

case $what in
build) pkgs=("${build_pkgs[@]}") ;;
unit) pkgs=("${build_pkgs[@]}" "${unit_pkgs[@]}") ;;
testhost | all) pkgs=("${build_pkgs[@]}" "${unit_pkgs[@]}" "${host_pkgs[@]}") ;;
*)
	echo "usage: $0 build|unit|testhost|all" >&2
	exit 2
	;;
esac

sudo=
[ "$(id -u)" = 0 ] || sudo=sudo

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "install-deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	# No recommends: grub-xen-host or qemu-system-xen would try to change this machine's boot.
	$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ "$what" = testhost ] || [ "$what" = all ] || exit 0

# The dom0 (and Linux PV peer) kernel: downloaded and unpacked, never installed.
kdir=$cache/linux
if [ ! -e "$kdir/.done" ]; then
	kpkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	[ -n "$kpkg" ] || { echo "install-deps: cannot find the Debian kernel package" >&2; exit 1; }
	echo "install-deps: fetching $kpkg (unpacked into $kdir, not installed)"
	rm -rf "$kdir" && mkdir -p "$kdir/deb"
	(cd "$kdir/deb" && apt-get download -qq "$kpkg" >/dev/null)
	dpkg-deb -x "$kdir"/deb/*.deb "$kdir/root"
	echo "$kpkg" >"$kdir/.done"
fi
