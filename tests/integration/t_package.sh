# The Debian packages (issues 9, 22): scripts/package builds chiso-server and
# chiso-agent from debian/ with dpkg-buildpackage and lintian passes them with
# no error and no warning; they are installed on this machine with apt,
# checked, used (the installed chisoctl sets up a database from
# /usr/share/chiso), removed (keys, configuration and queued figures stay),
# then purged, and nothing of theirs may remain.
#
# Needs root (dpkg) and a machine where chiso is not already installed: the test
# will not touch an installation it did not make.  Skipped (77) under the
# sanitizer build: packages are built without sanitizers, once.
set -euo pipefail
: "${CHISO_SOURCE_DIR:?run through ctest (CHISO_SOURCE_DIR unset)}"

if [ "${CHISO_SANITIZE:-OFF}" = ON ]; then
	echo "skipped: the packages are tested in the normal build"
	exit 77
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: installing packages needs root"
	exit 77
fi
for p in chiso-server chiso-agent; do
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		echo "skipped: $p is installed on this machine; not touching it"
		exit 77
	fi
done

T=$(mktemp -d /tmp/chiso-pkg.XXXXXX)
chmod 755 "$T"
installed=0
cleanup() {
	local rc=$?
	# The embedded cluster first, while the installed chisoctl still exists.
	if [ -f "$T/chisod.conf" ] && command -v chisoctl >/dev/null; then
		chisoctl --config "$T/chisod.conf" db stop >/dev/null 2>&1 || true
	fi
	if [ "$installed" = 1 ]; then
		apt-get purge -y chiso-server chiso-agent >/dev/null 2>&1 || true
	fi
	rm -rf "$T"
	exit "$rc"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	exit 1
}
export DEBIAN_FRONTEND=noninteractive

started=$SECONDS
echo "== building the packages (scripts/package)"
# No -dbgsym packages: the test installs none, and making them costs time.
DEB_BUILD_OPTIONS="noautodbgsym parallel=$(nproc)" \
	"$CHISO_SOURCE_DIR/scripts/package" "$T/debs" | tee "$T/package.log"
grep -qx 'lintian: 0 errors, 0 warnings on 2 packages' "$T/package.log" ||
	fail "lintian's summary: $(grep '^lintian:' "$T/package.log")"
echo "built and checked by lintian in $((SECONDS - started)) s"
server_deb=$(ls "$T"/debs/chiso-server_*.deb)
agent_deb=$(ls "$T"/debs/chiso-agent_*.deb)
for d in "$server_deb" "$agent_deb"; do
	echo "$(basename "$d"): $(stat -c %s "$d") bytes, depends: $(dpkg-deb -f "$d" Depends)"
done

echo "== the agent alone, as on a commune PC"
installed=1
apt-get install -y "$agent_deb" >"$T/apt.log" 2>&1 || { cat "$T/apt.log"; fail "apt install of the agent"; }
# The programs print the upstream version, the package's without its Debian revision.
upstream=$(dpkg-deb -f "$agent_deb" Version)
upstream=${upstream%-*}
[ "$(chiso-agent --version)" = "chiso-agent $upstream" ] ||
	fail "chiso-agent --version: $(chiso-agent --version)"
getent passwd chiso-agent >/dev/null || fail "no system user chiso-agent"
[ -f /usr/lib/sysusers.d/chiso-agent.conf ] || fail "no sysusers.d/chiso-agent.conf"
[ "$(getent passwd chiso-agent | cut -d: -f6,7)" = /var/lib/chiso-agent:/usr/sbin/nologin ] ||
	fail "chiso-agent's home and shell: $(getent passwd chiso-agent)"
[ "$(stat -c '%U %a' /etc/chiso/keys/agent.key)" = "chiso-agent 600" ] ||
	fail "agent.key: $(stat -c '%U %a' /etc/chiso/keys/agent.key)"
[ "$(stat -c '%U %a' /var/lib/chiso-agent/outbox)" = "chiso-agent 700" ] ||
	fail "outbox: $(stat -c '%U %a' /var/lib/chiso-agent/outbox)"
[ -f /lib/systemd/system/chiso-agent.service ] || fail "no chiso-agent.service"
# Until the province's key arrives, -n says exactly what is missing.
if chiso-agent -n 2>"$T/err"; then fail "chiso-agent -n passed without server.pub"; fi
grep -q '^/etc/chiso/chiso-agent.conf: server.public_key_file: /etc/chiso/keys/server.pub' "$T/err" ||
	fail "chiso-agent -n said: $(cat "$T/err")"
echo "chiso-agent -n before the province's key: $(cat "$T/err")"

echo "== the server"
apt-get install -y "$server_deb" >"$T/apt.log" 2>&1 || { cat "$T/apt.log"; fail "apt install of the server"; }
[ "$(chisod --version)" = "chisod $upstream" ] || fail "chisod --version: $(chisod --version)"
[ "$(chisoctl --version)" = "chisoctl $upstream" ] || fail "chisoctl --version: $(chisoctl --version)"
for prog in chisod chisoctl chiso-agent; do
	"$prog" --help >/dev/null || fail "$prog --help"
done
getent passwd chiso >/dev/null || fail "no system user chiso"
[ "$(stat -c '%U %a' /etc/chiso/keys/server.key)" = "chiso 600" ] ||
	fail "server.key: $(stat -c '%U %a' /etc/chiso/keys/server.key)"
# The installed examples are checked as they are, with the keys the packages made.
chisod -n 2>&1 | tee "$T/n.out"
grep -q 'configuration OK' "$T/n.out" || fail "chisod -n on /etc/chiso/chisod.conf"
chiso-agent -n 2>&1 | tee "$T/n.out"
grep -q 'configuration OK' "$T/n.out" || fail "chiso-agent -n on /etc/chiso/chiso-agent.conf"
cmp -s /etc/chiso/chisod.conf "$CHISO_SOURCE_DIR/config/chisod.conf" || fail "/etc/chiso/chisod.conf differs"
dpkg-query -W -f='${Conffiles}\n' chiso-server | grep -q /etc/chiso/chisod.conf ||
	fail "/etc/chiso/chisod.conf is not a conffile"

# Man pages are where man finds them, and render.
for page in chisod.8 chisoctl.1 chisod.conf.5 chiso-agent.8 chiso-agent.conf.5; do
	name=${page%.*} section=${page##*.}
	f=$(man -w "$section" "$name") || fail "man cannot find $name($section)"
	MANWIDTH=80 man -l "$f" 2>/dev/null | grep -q . || fail "man -l $f renders nothing"
done
echo "man pages: 5 found by man -w and rendered"

# The installed chisoctl finds its SQL and catalogue in /usr/share/chiso: set up
# an embedded database with it, as an operator trying chiso on one machine would
# (db init writes the configuration that the other commands read).
unset CHISO_SQL_DIR CHISO_DATA_DIR
chisoctl --config "$T/chisod.conf" db init --dir "$T/pg" >"$T/db.log" 2>&1 ||
	{ cat "$T/db.log"; fail "chisoctl db init (installed)"; }
chisoctl --config "$T/chisod.conf" db migrate >>"$T/db.log" 2>&1 ||
	{ cat "$T/db.log"; fail "chisoctl db migrate (installed SQL)"; }
chisoctl --config "$T/chisod.conf" catalog load >>"$T/db.log" 2>&1 ||
	{ cat "$T/db.log"; fail "chisoctl catalog load (installed catalogue)"; }
chisoctl --config "$T/chisod.conf" units import /usr/share/chiso/data/units/quang_ngai_units.csv \
	>>"$T/db.log" 2>&1 || { cat "$T/db.log"; fail "units import from /usr/share/chiso"; }
tail -n 3 "$T/db.log"
chisoctl --config "$T/chisod.conf" db stop >/dev/null

# A commune officer queues figures (as the agent's user, who owns the outbox);
# they are not delivered yet when the packages are purged.
cp /usr/share/chiso/data/seeds/sonnham_2024.csv "$T/sonnham_2024.csv"
chmod 0644 "$T/sonnham_2024.csv"
chmod 0755 "$T"
runuser -u chiso-agent -- chiso-agent submit "$T/sonnham_2024.csv" >"$T/submit.log" 2>&1 ||
	{ cat "$T/submit.log"; fail "chiso-agent submit (installed)"; }
queued=$(find /var/lib/chiso-agent/outbox/pending -type f | wc -l)
[ "$queued" -gt 0 ] || fail "nothing queued by submit"
# The same as root (the mistake operations.md warns about): the agent becomes
# the outbox's owner first, so the service can still read every file.
chiso-agent submit --again "$T/sonnham_2024.csv" >"$T/submit.log" 2>&1 ||
	{ cat "$T/submit.log"; fail "chiso-agent submit as root"; }
grep -q 'note: running as chiso-agent, the owner of /var/lib/chiso-agent/outbox' "$T/submit.log" ||
	fail "submit as root: $(cat "$T/submit.log")"
foreign=$(find /var/lib/chiso-agent ! -user chiso-agent | wc -l)
[ "$foreign" -eq 0 ] || fail "after a root submit, $foreign outbox files are not chiso-agent's"
queued=$(find /var/lib/chiso-agent/outbox/pending -type f | wc -l)

echo "== remove: programs go, keys, configuration and queued figures stay"
# dpkg itself from here on: apt has nothing to resolve, and is slower.
dpkg --remove chiso-server chiso-agent >"$T/apt.log" 2>&1 || { cat "$T/apt.log"; fail "dpkg --remove"; }
for f in /usr/bin/chisod /usr/bin/chisoctl /usr/bin/chiso-agent /lib/systemd/system/chisod.service; do
	[ ! -e "$f" ] || fail "$f left after remove"
done
for f in /etc/chiso/keys/server.key /etc/chiso/keys/server.pub /etc/chiso/keys/agent.key \
	/etc/chiso/keys/agent.pub /etc/chiso/chisod.conf /etc/chiso/chiso-agent.conf; do
	[ -f "$f" ] || fail "$f gone after remove"
done
for p in chiso-server chiso-agent; do
	st=$(dpkg-query -W -f='${Status}' "$p")
	[ "$st" = "deinstall ok config-files" ] || fail "$p after remove: $st"
done
kept=$(find /var/lib/chiso-agent/outbox/pending -type f | wc -l)
[ "$kept" -eq "$queued" ] || fail "remove: $queued batches queued, $kept kept"
echo "after remove: 4 key files, 2 configurations and $kept of $queued queued batches kept"

echo "== purge"
dpkg --purge chiso-server chiso-agent >"$T/apt.log" 2>&1 || { cat "$T/apt.log"; fail "dpkg --purge"; }
installed=0
# Purge never deletes figures an officer submitted and the province has not
# acknowledged: the outbox stays, with a message saying so.
grep -q 'outbox still holds batches; left in place' "$T/apt.log" ||
	fail "purge said nothing about the queued batches"
kept=$(find /var/lib/chiso-agent/outbox/pending -type f | wc -l)
[ "$kept" -eq "$queued" ] || fail "purge: $queued batches queued, $kept kept"
echo "outbox after purge: $kept of $queued queued batches kept"
rm -rf /var/lib/chiso-agent
left=()
for f in /usr/bin/chisod /usr/bin/chisoctl /usr/bin/chiso-agent /usr/share/chiso /etc/chiso \
	/lib/systemd/system/chisod.service /lib/systemd/system/chiso-agent.service \
	/usr/share/man/man8/chisod.8 /usr/share/doc/chiso-server /var/lib/chiso-agent \
	/usr/lib/sysusers.d/chiso-agent.conf /usr/lib/sysusers.d/chiso-server.conf \
	/usr/lib/tmpfiles.d/chiso-agent.conf; do
	if [ -e "$f" ]; then left+=("$f"); fi
done
[ ${#left[@]} -eq 0 ] || fail "left after purge: ${left[*]}"
for p in chiso-server chiso-agent; do
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'installed'; then
		fail "$p still known to dpkg"
	fi
done
echo "packages: built 2, lintian clean, installed 2, configs checked 2, man pages 5, removed, purged clean"
echo "t_package: $((SECONDS - started)) s"
