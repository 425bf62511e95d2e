# shellcheck shell=bash
# xl_fate DOMAIN: how a domain kept after it stopped (on_*="preserve") ended, from the
# Reason-Code column of `xl list -v`: poweroff, reboot, suspend, crash, watchdog (or
# reason-N for a code this does not know); nothing while it runs. Sourced by guest.sh in
# the test host's dom0 and by tools/run-dom0.sh on a real one.
xl_fate() {
	local reason
	reason=$(xl list -v "$1" 2>/dev/null | awk 'NR == 2 && $5 ~ /s/ { print $8 }')
	case $reason in
	"") ;;
	0) echo poweroff ;;
	1) echo reboot ;;
	2) echo suspend ;;
	3) echo crash ;;
	4) echo watchdog ;;
	*) echo "reason-$reason" ;;
	esac
}
