# make run on a Xen dom0: sourced by tools/run once it has checked its options (name,
# image, mem, extra, disk, ramdisk, net_port, timeout are set; finish FATE ends the run).
#
# Why not `xl create -c`: xenconsole puts the terminal in raw mode, so Ctrl-C goes to the
# appliance instead of stopping it, and it needs a terminal (no log, no pipe). Instead
# the domain is created paused, this script reads its console pty (the one xenconsoled
# made, named in xenstore), and the terminal stays as it is: Ctrl-C stops the run.

if xl domid "$name" >/dev/null 2>&1; then
	die "a domain named $name is already running (xl list; xl destroy $name)"
fi
cfg=$top/build/run/$name.cfg
mkdir -p "$(dirname "$cfg")"
# preserve: when the appliance stops, the domain stays until we have read why.
MODE=$mode "$top/tools/xlcfg.sh" "$name" "$image" "$mem" preserve "$extra" >"$cfg"
if [ -n "$net_port" ]; then
	echo "vif = [ 'bridge=xenbr0' ]" >>"$cfg"
	echo "run: $name joins bridge xenbr0 and asks DHCP for an address (port $net_port)"
fi
[ -z "$disk" ] || echo "disk = [ 'format=raw,vdev=xvda,access=rw,target=$disk' ]" >>"$cfg"
[ -z "$ramdisk" ] || echo "ramdisk = \"$ramdisk\"" >>"$cfg"

domid=
reader=
stop_domain() {
	[ -z "$reader" ] || kill "$reader" 2>/dev/null || true
	[ -z "$domid" ] || xl destroy "$domid" 2>/dev/null || true
	domid=
}
trap stop_domain EXIT
for sig in HUP:129 INT:130 TERM:143; do
	# After SIGHUP the terminal may be gone (writes fail): the exit status still says it.
	trap "stop_domain; { echo; echo 'run: $name: stopped by SIG${sig%:*}; the domain is destroyed (exit ${sig#*:})'; } 2>/dev/null || true; exit ${sig#*:}" "${sig%:*}"
done

echo "run: xl create $cfg (Ctrl-C stops it)"
if ! xl create -p "$cfg"; then
	finish create-failed
fi
domid=$(xl domid "$name")
tty=$(xenstore-read "/local/domain/$domid/console/tty" 2>/dev/null || true)
if [ -n "$tty" ] && [ -c "$tty" ]; then
	stty -F "$tty" raw -echo 2>/dev/null || true
	# Each line as it comes, without the "\r" of Skiff's "\r\n".
	(while IFS= read -r line; do echo "${line%$'\r'}"; done <"$tty") &
	reader=$!
else
	echo "run: no console pty for domain $domid (is xenconsoled running?); running without its output" >&2
fi
xl unpause "$domid"

# Wait for the end (xl_fate: how xl list -v says it stopped), the timeout, or its removal.
. "$top/tools/testhost/xl-fate.sh"
deadline=$((SECONDS + ${timeout:-315360000}))
fate=
while [ -z "$fate" ]; do
	if [ $SECONDS -ge $deadline ]; then
		finish timeout # the EXIT trap destroys it
	fi
	sleep 0.2
	if ! xl list "$domid" >/dev/null 2>&1; then
		fate=gone
		break
	fi
	fate=$(xl_fate "$domid")
done
sleep 0.3 # let the reader print the last lines
stop_domain
finish "$fate"
