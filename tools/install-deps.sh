#!/usr/bin/env bash
# Install what Skiff needs to build, test and boot, from Debian's packages only (from the
# archive this machine's apt is set up with).
# Idempotent and non-interactive: packages already present are not touched.
#
#   tools/install-deps.sh build     compiler, Xen public headers
#   tools/install-deps.sh unit      + cmocka for the host unit tests
#   tools/install-deps.sh testhost  + Xen 4.17, QEMU, busybox and a Debian dom0 kernel
#   tools/install-deps.sh fuzz      + clang and its libFuzzer runtime for tests/fuzz
#   tools/install-deps.sh bench     + fio, which make bench runs in its Linux guest
#   tools/install-deps.sh lwip      lwIP's source from Debian, unpacked into build/deps/lwip
#   tools/install-deps.sh newlib    newlib's source (Debian's newlib-source), into build/deps/newlib
#   tools/install-deps.sh lua       Lua 5.4's source from Debian, into build/deps/lua
#   tools/install-deps.sh sqlite    SQLite's source from Debian, into build/deps/sqlite, and
#                                   its amalgamation (sqlite3.c) made from it
#   tools/install-deps.sh all       everything (what `make test` asks for)
set -euo pipefail

what=${1:-all}
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${SKIFF_CACHE:-$top/build/deps}

# cpio packs an app's rootfs/ into its ramdisk.
build_pkgs=(gcc make binutils libxen-dev cpio)
unit_pkgs=(libcmocka-dev pkg-config)
# The fuzz targets are built with clang -fsanitize=fuzzer, whose runtime is in libclang-rt.
fuzz_pkgs=(clang libclang-rt-14-dev)
# xen-utils brings xl, xenstored, xenconsoled and the hotplug scripts that dom0 runs.
# bash, iproute2, util-linux (losetup, flock) and procps are what those scripts call.
host_pkgs=(xen-hypervisor-4.17-amd64 xen-utils-4.17 qemu-system-x86 busybox-static cpio
	   iproute2 util-linux procps kmod bash dpkg-dev gzip iperf)
# make bench copies fio (and the libraries it links) into its Linux guest, whose
# ramdisk zstd packs.
bench_pkgs=(fio zstd)
# dpkg-source unpacks the source package and applies Debian's patches; the keyring lets
# apt check the Release file of our private source list.
lwip_pkgs=(apt dpkg-dev debian-archive-keyring xz-utils)
# SQLite's own build makes its one-file amalgamation with Tcl scripts: tclsh.
sqlite_pkgs=(tcl)
lwip_version=2.1.3
lua_version=5.4.4
sqlite_version=3.40.1
newlib_version=3.3.0

case $what in
build) pkgs=("${build_pkgs[@]}") ;;
unit) pkgs=("${build_pkgs[@]}" "${unit_pkgs[@]}") ;;
fuzz) pkgs=("${build_pkgs[@]}" "${unit_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
testhost) pkgs=("${build_pkgs[@]}" "${unit_pkgs[@]}" "${host_pkgs[@]}") ;;
bench) pkgs=("${build_pkgs[@]}" "${unit_pkgs[@]}" "${host_pkgs[@]}" "${bench_pkgs[@]}") ;;
lwip | newlib | lua) pkgs=("${lwip_pkgs[@]}") ;;
sqlite) pkgs=("${lwip_pkgs[@]}" "${sqlite_pkgs[@]}") ;;
all) pkgs=("${build_pkgs[@]}" "${unit_pkgs[@]}" "${fuzz_pkgs[@]}" "${host_pkgs[@]}" "${lwip_pkgs[@]}" "${sqlite_pkgs[@]}") ;;
*)
	echo "usage: $0 build|unit|fuzz|testhost|bench|lwip|newlib|lua|sqlite|all" >&2
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

# The C sources apps build on, as Debian ships them (its patches applied): lwIP, the
# TCP/IP stack of network appliances; Lua and SQLite, the unmodified programs that show
# the POSIX layer (apps/lua, apps/sqlite). A private apt configuration under
# build/deps/apt lists only the source index of bookworm's main, so neither sudo nor the
# machine's own list of sources is changed. The archive is the one this machine's apt
# already uses (tools/debian-source.sh reads its sources), so a mirror the user set up is
# used; a proxy too, as apt.conf.d is still read.
apt_opts=()
private_apt() {
	local apt=$cache/apt
	[ ${#apt_opts[@]} -gt 0 ] && return 0
	mkdir -p "$apt/sources.list.d" "$apt/lists/partial" "$apt/cache/archives/partial"
	"$top/tools/debian-source.sh" bookworm >"$apt/sources.list.d/debian.sources.new"
	mv "$apt/sources.list.d/debian.sources.new" "$apt/sources.list.d/debian.sources"
	: >"$apt/sources.list" # (an older install-deps.sh wrote the archive here)
	apt_opts=(-o Dir::Etc::SourceList="$apt/sources.list"
		  -o Dir::Etc::SourceParts="$apt/sources.list.d"
		  -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache")
	apt-get -qq "${apt_opts[@]}" update
}

# fetch_source NAME PACKAGE VERSION: the source package PACKAGE, unpacked by dpkg-source
# into build/deps/NAME/src-tree. The Makefile's lists of sources are written against
# VERSION: another release is refused rather than built.
fetch_source() {
	local name=$1 pkg=$2 version=$3 dir=$cache/$1 out dsc
	[ -e "$dir/.done" ] && return 0
	private_apt
	echo "install-deps: fetching $pkg $version source (unpacked into $dir)"
	rm -rf "$dir"
	apt_download "$dir/pkg" apt-get -qq "${apt_opts[@]}" source --download-only "$pkg"
	dsc=$(ls "$dir"/pkg/"$pkg"_*.dsc)
	case $(basename "$dsc") in
	"$pkg"_"$version"-*.dsc | "$pkg"_"$version"+*.dsc) ;;
	*)
		echo "install-deps: expected $pkg $version, Debian has $(basename "$dsc")" >&2
		exit 1
		;;
	esac
	# apt checked every file against the signed Release of the archive; dpkg-source also
	# wants the uploader's key (not installed), and only warns without it.
	out=$(dpkg-source -x "$dsc" "$dir/src-tree" 2>&1) || { echo "$out" >&2; exit 1; }
	rm -f "$dir"/*.orig.tar.* "$dir"/*.orig-*.tar.* # dpkg-source leaves copies beside src-tree
	touch "$dir/.done"
}

# newlib, the C library apps may ask for (APP_LIBC := newlib): Debian ships its source as
# a binary package, newlib-source, holding the release tarball. Downloaded (from the
# machine's own apt sources, like the dom0 kernel below) and unpacked, never installed;
# tools/build-newlib.sh builds it.
fetch_newlib() {
	local dir=$cache/newlib deb
	[ -e "$dir/.done" ] && return 0
	echo "install-deps: fetching newlib-source $newlib_version (unpacked into $dir)"
	rm -rf "$dir" && mkdir -p "$dir/deb"
	apt_download "$dir/deb" apt-get download -qq newlib-source >/dev/null
	deb=$(ls "$dir"/deb/newlib-source_*.deb)
	case $(basename "$deb") in
	newlib-source_"$newlib_version"-*) ;;
	*)
		echo "install-deps: expected newlib-source $newlib_version, Debian has $(basename "$deb")" >&2
		exit 1
		;;
	esac
	dpkg-deb -x "$deb" "$dir/pkg"
	mkdir -p "$dir/src-tree"
	tar -xf "$dir/pkg/usr/src/newlib/newlib-$newlib_version.tar.xz" -C "$dir/src-tree" --strip-components=1
	rm -rf "$dir/pkg" "$dir/deb"
	touch "$dir/.done"
}

case $what in lwip | all) fetch_source lwip lwip "$lwip_version" ;; esac
case $what in lua | all) fetch_source lua lua5.4 "$lua_version" ;; esac
case $what in sqlite | all)
	fetch_source sqlite sqlite3 "$sqlite_version"
	"$top/tools/build-sqlite-amalgamation.sh" "$cache/sqlite"
	;;
esac
case $what in newlib | all) fetch_newlib ;; esac
[ "$what" = testhost ] || [ "$what" = bench ] || [ "$what" = all ] || exit 0

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
