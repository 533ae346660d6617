#!/usr/bin/env bash
# The Windows installer under wine (issue 19): t_installer.sh INSTALLER.exe WORKDIR
#
# A silent install (/S /UNIT /SERVER /KEYDIR /FORMPORT) in a wine prefix of
# its own (the service it registers must not start in the unit tests'
# prefix): the service chiso-agent is registered (automatic start,
# LocalSystem, `service` in its command line) and running, serving the form;
# the program, the configuration, the keys and the desktop shortcut are in
# place, the shortcut's address carries the form's secret; the secret key
# copied from the province's folder is refused before the install (readable
# by Everyone) and accepted once the install made the folder private.  A
# batch submitted while the service runs stays pending (nothing listens at
# the server's address); the uninstaller stops the service (which says it
# stopped with the batch in the outbox), removes it, the program and the
# shortcut, and keeps the batch.  A second install and an uninstall /PURGE
# remove %ProgramData%\chiso.  Prints the installer's size.
#
# Exits 77 (skipped) without wine or without the installer (no makensis).
set -euo pipefail
installer=${1:?usage: t_installer.sh INSTALLER.exe WORKDIR}
work=${2:?usage: t_installer.sh INSTALLER.exe WORKDIR}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../integration/say.sh"

command -v wine >/dev/null 2>&1 || { echo "wine is not installed: skipped"; exit 77; }
[ -e "$installer" ] || { echo "no $installer (makensis missing?): skipped"; exit 77; }

export WINEPREFIX=$work/wineprefix WINEDEBUG=-all LANG=C.UTF-8 LC_ALL=C.UTF-8
unset DISPLAY WAYLAND_DISPLAY
cleanup() {
	wineserver -k 2>/dev/null || true
	[ -n "${T_KEEP:-}" ] || rm -rf "$WINEPREFIX"
}
trap cleanup EXIT
rm -rf "$work"
mkdir -p "$work"

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# A command's output without wine's CR.
w() { wine "$@" 2>&1 | tr -d '\r'; }

# The uninstaller as an officer runs it: it copies itself to %TEMP% and that
# copy works while the command returns (its own _?= would have it delete the
# file it runs from, which wine lets it do, and fail).  Done when its last
# file, uninstall.exe itself, is gone.
uninstall() {
	wine "$prog/uninstall.exe" "$@" || fail "the uninstaller exited $?"
	for _ in $(seq 300); do
		[ -e "$prog/uninstall.exe" ] || return 0
		sleep 0.2
	done
	fail "the uninstaller did not finish in a minute"
}

say "a fresh wine prefix"
wineboot --init >/dev/null 2>&1
wineserver -w
c=$WINEPREFIX/drive_c
data=$c/ProgramData/chiso
prog=$c/'Program Files'/chiso
desktop=$c/users/Public/Desktop
form_port=$(free_port)
dead_port=$(free_port)

say "the province's key folder (keys made by the agent itself)"
mkdir -p "$c/khoa"
cp "$installer" "$c/setup.exe"
printf 'agent: { secret_key_file = "C:/khoa/xa-21019.key"; };\n' >"$c/khoa/keygen.conf"
# The Windows program before it is installed: the one inside the installer is the same file.
cp "$(dirname "$installer")/bin/chiso-agent.exe" "$c/khoa/chiso-agent.exe"
w 'C:\khoa\chiso-agent.exe' -f 'C:\khoa\keygen.conf' keygen
cp "$c/khoa/xa-21019.pub" "$c/khoa/server.pub"
rm "$c/khoa/keygen.conf" "$c/khoa/xa-21019.pub"
chmod 644 "$c/khoa/xa-21019.key" # as a copy from a USB stick arrives: Everyone may read it

say "the copied key is refused: its access list lets Everyone read it"
printf 'agent: { secret_key_file = "C:/khoa/xa-21019.key"; };\n' >"$work/check.conf"
cp "$work/check.conf" "$c/check.conf"
out=$(w 'C:\khoa\chiso-agent.exe' -f 'C:\check.conf' -n || true)
echo "$out"
grep -q 'secret key readable by Everyone' <<<"$out" || fail "a key Everyone can read was not refused"
rm "$c/khoa/chiso-agent.exe" "$c/check.conf"

say "silent install"
t0=$(date +%s%N)
wine 'C:\setup.exe' /S /UNIT=21019 "/SERVER=127.0.0.1:$dead_port" '/KEYDIR=C:\khoa' \
	"/FORMPORT=$form_port" || fail "the silent install exited $? ($(cat "$data/install.log" 2>/dev/null))"
echo "installed in $(((($(date +%s%N) - t0) / 1000000))) ms"

say "files in place"
[ -f "$prog/chiso-agent.exe" ] && [ -f "$prog/uninstall.exe" ] || fail "program files missing"
cmp "$c/khoa/xa-21019.key" "$data/keys/agent.key" || fail "keys/agent.key is not the unit's key"
cmp "$c/khoa/server.pub" "$data/keys/server.pub" || fail "keys/server.pub missing"
grep -q "endpoint = \"tcp://127.0.0.1:$dead_port\"" "$data/chiso-agent.conf" || fail "endpoint not in the config"
grep -q 'unit 21019' "$data/chiso-agent.conf" || fail "the unit is not in the config"
w "$prog/chiso-agent.exe" -f 'C:\ProgramData\chiso\chiso-agent.conf' -n || fail "the installed configuration or key is refused"
shortcut="$desktop/Nhập số liệu chỉ số.url"
[ -f "$shortcut" ] || fail "no desktop shortcut \"Nhập số liệu chỉ số\""
secret=$(tr -d '\r\n' <"$data/agent/outbox/form.secret")
grep -q "URL=http://127.0.0.1:$form_port/?k=$secret" "$shortcut" || fail "the shortcut does not open the form: $(cat "$shortcut")"

say "the service is registered and running"
reg=$(w reg query 'HKLM\System\CurrentControlSet\Services\chiso-agent')
echo "$reg"
grep -Eq 'Start +REG_DWORD +0x2' <<<"$reg" || fail "not started automatically"
grep -Eq 'ObjectName +REG_SZ +LocalSystem' <<<"$reg" || fail "not LocalSystem"
grep -Eq 'ImagePath .*chiso-agent.exe" -f ".*chiso-agent.conf" service' <<<"$reg" || fail "wrong command line"
for _ in $(seq 50); do
	w sc query chiso-agent | grep -q RUNNING && curl -fsS -o /dev/null "http://127.0.0.1:$form_port/?k=$secret" 2>/dev/null && break
	sleep 0.2
done
w sc query chiso-agent | grep -E 'STATE|EXIT'
curl -fsS -o /dev/null -w 'form answers %{http_code}\n' "http://127.0.0.1:$form_port/?k=$secret" ||
	fail "the service's form does not answer"

say "a batch submitted while the service runs stays pending (nothing at the server's address)"
printf 'unit,indicator,period,value\n21019,residents_chip_id,2024,1463\n' >"$c/bao-cao.csv"
w "$prog/chiso-agent.exe" -f 'C:\ProgramData\chiso\chiso-agent.conf' submit 'C:\bao-cao.csv'
pending=$(find "$data/agent/outbox/pending" -name '*.batch' | wc -l)
[ "$pending" -ge 1 ] || fail "no pending batch after the submit"

say "uninstall keeps the outbox"
uninstall /S
w reg query 'HKLM\System\CurrentControlSet\Services\chiso-agent' | grep -q ImagePath &&
	fail "the service is still registered"
[ ! -e "$prog/chiso-agent.exe" ] || fail "the program is still there"
[ ! -e "$shortcut" ] || fail "the shortcut is still there"
after=$(find "$data/agent/outbox/pending" -name '*.batch' | wc -l)
[ "$after" -eq "$pending" ] || fail "pending batches $pending before the uninstall, $after after"
grep -Eq "stopping; [0-9]+ batches stay in the outbox" "$data/agent/chiso-agent.log" ||
	fail "the service did not stop as on SIGTERM: $(tail -5 "$data/agent/chiso-agent.log")"
echo "pending batches kept: $after; the service's last lines:"
tail -3 "$data/agent/chiso-agent.log"

say "install again, uninstall /PURGE"
wine 'C:\setup.exe' /S "/FORMPORT=$form_port" || fail "the upgrade-style install exited $?"
w reg query 'HKLM\System\CurrentControlSet\Services\chiso-agent' | grep -q ImagePath ||
	fail "the second install registered no service"
uninstall /S /PURGE
[ ! -e "$data" ] || fail "/PURGE left $(find "$data" | head -5)"

printf 'installer size: %s bytes (%s)\n' "$(stat -c %s "$installer")" "$(basename "$installer")"
echo "t_installer: OK"
