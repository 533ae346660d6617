#!/usr/bin/env bash
# The shipped systemd units: hardened so that `systemd-analyze security
# --offline=true` scores each at most 2.0 (0 is best, 10 worst), and declaring
# what chisod's notify protocol needs.  Prints each unit's score.
set -euo pipefail
: "${CHISO_SOURCE_DIR:?run through ctest (CHISO_SOURCE_DIR unset)}"

fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

for unit in chisod chiso-agent; do
	file=$CHISO_SOURCE_DIR/systemd/$unit.service
	out=$(systemd-analyze security --offline=true "$file" 2>&1) ||
		fail "$unit.service: systemd-analyze refused it: $out"
	score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
	[ -n "$score" ] || fail "$unit.service: no score in: $out"
	printf '%s.service: exposure %s (at most 2.0)\n' "$unit" "$score"
	awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || fail "$unit.service scores $score, above 2.0"
done

for want in 'Type=notify' 'WatchdogSec=' 'ExecReload=' 'NotifyAccess=main'; do
	grep -q "^$want" "$CHISO_SOURCE_DIR/systemd/chisod.service" ||
		fail "chisod.service lacks $want"
done
echo "ok: chisod.service is Type=notify with a watchdog and a reload command"
