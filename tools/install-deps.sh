#!/usr/bin/env bash
# Install what Skiff needs to build, test and boot, from Debian's packages only (from the
# archive this machine's apt is set up with).
# Idempotent and non-interactive: packages already present are not touched.
#
#   tools/install-deps.sh build     compiler, Xen public headers
#   tools/install-deps.sh unit      + cmocka for the host unit tests
#   tools/install-deps.sh testhost  + Xen 4.17, QEMU, busybox and a Debian dom0 kernel
#   tools/install-deps.sh lwip      lwIP's source from Debian, unpacked into build/deps/lwip
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
	   iproute2 util-linux procps kmod bash dpkg-dev gzip iperf)
# dpkg-source unpacks the source package and applies Debian's patches; the keyring lets
# apt check the Release file of our private source list.
lwip_pkgs=(apt dpkg-dev debian-archive-keyring xz-utils)
lwip_version=2.1.3

case $what in
build) pkgs=("${build_pkgs[@]}") ;;
unit) pkgs=("${build_pkgs[@]}" "${unit_pkgs[@]}") ;;
testhost) pkgs=("${build_pkgs[@]}" "${unit_pkgs[@]}" "${host_pkgs[@]}") ;;
lwip) pkgs=("${lwip_pkgs[@]}") ;;
all) pkgs=("${build_pkgs[@]}" "${unit_pkgs[@]}" "${host_pkgs[@]}" "${lwip_pkgs[@]}") ;;
*)
	echo "usage: $0 build|unit|testhost|lwip|all" >&2
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

# apt_download DEST COMMAND...: run an apt download COMMAND whose files land in the current
# folder, and put them in DEST. As root, apt downloads as its unprivileged user _apt, which
# must be able to write that folder; when it cannot (build/ is root's), apt warns and
# downloads as root, unsandboxed. So root lets apt download into a folder of _apt's own
# under /tmp (which every user can reach), then takes the files.
apt_download() {
	local dest=$1 tmp
	shift
	mkdir -p "$dest"
	if [ "$(id -u)" != 0 ] || ! id -u _apt >/dev/null 2>&1; then
		(cd "$dest" && "$@")
		return
	fi
	tmp=$(mktemp -d /tmp/skiff-apt.XXXXXX)
	chown _apt "$tmp"
	if ! (cd "$tmp" && "$@"); then
		rm -rf "$tmp"
		return 1
	fi
	chown -R "$(id -u):$(id -g)" "$tmp"
	mv "$tmp"/* "$dest"/
	rmdir "$tmp"
}

# lwIP, the TCP/IP stack of network appliances, as Debian ships it (its patches applied).
# A private apt configuration under build/deps/apt lists only the source index of
# bookworm's main, so neither sudo nor the machine's own list of sources is changed. The
# archive is the one this machine's apt already uses (tools/debian-source.sh reads its
# sources), so a mirror the user set up is used; a proxy too, as apt.conf.d is still read.
fetch_lwip() {
	local dir=$cache/lwip apt=$cache/apt
	[ -e "$dir/.done" ] && return 0
	mkdir -p "$apt/sources.list.d" "$apt/lists/partial" "$apt/cache/archives/partial"
	"$top/tools/debian-source.sh" bookworm >"$apt/sources.list.d/debian.sources.new"
	mv "$apt/sources.list.d/debian.sources.new" "$apt/sources.list.d/debian.sources"
	: >"$apt/sources.list" # (an older install-deps.sh wrote the archive here)
	local opts=(-o Dir::Etc::SourceList="$apt/sources.list"
		    -o Dir::Etc::SourceParts="$apt/sources.list.d"
		    -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache")
	echo "install-deps: fetching lwip $lwip_version source (unpacked into $dir)"
	apt-get -qq "${opts[@]}" update
	rm -rf "$dir"
	apt_download "$dir/pkg" apt-get -qq "${opts[@]}" source --download-only lwip
	local out dsc
	dsc=$(ls "$dir"/pkg/lwip_*.dsc)
	# The port and the Makefile's list of sources are written against this release.
	case $(basename "$dsc") in
	lwip_"$lwip_version"-*.dsc | lwip_"$lwip_version"+*.dsc) ;;
	*)
		echo "install-deps: expected lwip $lwip_version, Debian has $(basename "$dsc")" >&2
		exit 1
		;;
	esac
	# apt checked every file against the signed Release of the archive; dpkg-source also
	# wants the uploader's key (not installed), and only warns without it.
	out=$(dpkg-source -x "$dsc" "$dir/src-tree" 2>&1) || { echo "$out" >&2; exit 1; }
	rm -f "$dir"/*.orig.tar.* # dpkg-source leaves a copy beside src-tree
	touch "$dir/.done"
}
case $what in lwip | all) fetch_lwip ;; esac
[ "$what" = testhost ] || [ "$what" = all ] || exit 0

# The dom0 (and Linux PV peer) kernel: downloaded and unpacked, never installed.
kdir=$cache/linux
if [ ! -e "$kdir/.done" ]; then
	kpkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	[ -n "$kpkg" ] || { echo "install-deps: cannot find the Debian kernel package" >&2; exit 1; }
	echo "install-deps: fetching $kpkg (unpacked into $kdir, not installed)"
	rm -rf "$kdir" && mkdir -p "$kdir/deb"
	apt_download "$kdir/deb" apt-get download -qq "$kpkg" >/dev/null
	dpkg-deb -x "$kdir"/deb/*.deb "$kdir/root"
	echo "$kpkg" >"$kdir/.done"
fi
