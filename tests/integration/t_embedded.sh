#!/usr/bin/env bash
# Integration test of the embedded PostgreSQL cluster (ctl/embedded.c) through
# `chisoctl db init|start|stop|status|conninfo`, against the real PostgreSQL 15.
#
# The same life cycle runs in several layouts: init, connect as each role,
# init again (idempotent, same passwords, data kept), kill -9 of the
# postmaster then start, stop, status, init of a stopped cluster.  As root:
#   reachable    a 0755 directory whose path holds a space and an apostrophe;
#   unreachable  a 0700 directory: the cluster goes to /var/lib/chiso and
#                <dir>/pg is a symlink to it;
#   long         a path too long for a unix socket: the socket goes to /tmp;
#   nobody       the same as a non-root user (runuser -u nobody) in a 1777
#                directory, the server running as that user.
# Not root: the reachable and long layouts, as ourselves.
#
# Environment (set by ctest): CHISO_SOURCE_DIR (the repo), CHISO_BIN (programs).

set -euo pipefail

: "${CHISO_SOURCE_DIR:?run through ctest (CHISO_SOURCE_DIR unset)}"
: "${CHISO_BIN:?run through ctest (CHISO_BIN unset)}"

PG_BINDIR=${CHISO_PG_BINDIR:-/usr/lib/postgresql/15/bin}
PSQL=$PG_BINDIR/psql
[ -x "$PSQL" ] || PSQL=psql
T=$(mktemp -d /tmp/chiso-test-embedded.XXXXXX)
chmod 755 "$T"
DIRS=() # every cluster directory, with the user owning it: "user:dir"
AS=()   # the command prefix of the current layout (runuser) or empty
CTL=$CHISO_BIN/chisoctl # the chisoctl the layouts run

cleanup() {
	local rc=$? entry user dir link host
	for entry in "${DIRS[@]}"; do
		user=${entry%%:*}
		dir=${entry#*:}
		if [ "$user" = self ]; then
			host=$("$CTL" db conninfo --dir "$dir" 2>/dev/null |
				sed -n 's/^host=\([^ ]*\) .*/\1/p') || true
			"$CTL" db stop --dir "$dir" >/dev/null 2>&1 || true
		else
			host=
			runuser -u "$user" -- "$CTL" db stop --dir "$dir" \
				>/dev/null 2>&1 || true
		fi
		link=$(readlink "$dir/pg" 2>/dev/null) || true
		case $link in /var/lib/chiso/embedded-*) rm -rf "$link" ;; esac
		case $host in /tmp/chiso-pg-*) rm -rf "$host" ;; esac
	done
	rm -rf "$T"
	exit "$rc"
}
trap cleanup EXIT
. "$(dirname "${BASH_SOURCE[0]}")/say.sh"

# assert_eq WHAT EXPECTED ACTUAL; a wrong exit status of ctl also shows what
# chisoctl printed, so a failure in CI can be read from the log alone.
assert_eq() {
	if [ "$2" != "$3" ]; then
		if [ "$3" = "${RC:-}" ]; then
			printf 'chisoctl stdout:\n%s\nchisoctl stderr:\n%s\n' "${OUT:-}" "${ERR:-}" >&2
		fi
		fail "$1: expected [$2], got [$3]"
	fi
	printf 'ok: %s = %s\n' "$1" "$3"
}

# assert_contains WHAT TEXT FRAGMENT
assert_contains() {
	case $2 in
	*"$3"*) printf 'ok: %s mentions "%s"\n' "$1" "$3" ;;
	*) fail "$1: [$3] not in [$2]" ;;
	esac
}

# assert_lacks WHAT TEXT FRAGMENT
assert_lacks() {
	case $2 in
	*"$3"*) fail "$1: [$3] unexpectedly in [$2]" ;;
	*) printf 'ok: %s does not mention "%s"\n' "$1" "$3" ;;
	esac
}

# ctl ARGS...: chisoctl as the current layout's user; sets OUT, ERR and RC.
ctl() {
	local o e
	o=$(mktemp) e=$(mktemp)
	RC=0
	"${AS[@]}" "$CTL" "$@" >"$o" 2>"$e" || RC=$?
	OUT=$(cat "$o") ERR=$(cat "$e")
	rm -f "$o" "$e"
}

# sql DIR ROLE QUERY: one query as a role over the socket, rows as a|b.
sql() {
	local ci
	ci=$("${AS[@]}" "$CTL" db conninfo --dir "$1" --role "$2")
	(cd / && "${AS[@]}" "$PSQL" "$ci" -X -q -A -t -v ON_ERROR_STOP=1 -c "$3")
}

# postmaster_pid DIR: the pid in postmaster.pid, read through `db status`.
postmaster_pid() {
	local data
	data=$(printf '%s\n' "$OUT" | sed -n 's/^data directory: //p')
	[ -n "$data" ] || fail "no data directory in [$OUT]"
	head -n 1 "$data/postmaster.pid"
}

# lifecycle NAME DIR USER: the whole cycle in one layout.
lifecycle() {
	local name=$1 dir=$2 user=$3 cred creds_before ci pid i
	DIRS+=("$user:$dir")
	say "$name: init in $dir"
	ctl db init --dir "$dir"
	assert_eq "$name: init exit" 0 "$RC"
	assert_contains "$name: init progress" "$ERR" "creating PostgreSQL cluster in /"
	assert_contains "$name: init progress" "$ERR" "starting PostgreSQL (socket in /"
	assert_contains "$name: init progress" "$ERR" "creating roles and database chiso ..."
	cred=$dir/pg/credentials
	assert_eq "$name: credentials mode and owner" \
		"600 $([ "$user" = self ] && id -un || echo "$user")" "$(stat -c '%a %U' "$cred")"
	creds_before=$(cat "$cred")

	ctl db status --dir "$dir"
	assert_eq "$name: status exit while running" 0 "$RC"
	assert_eq "$name: status" running "$(printf '%s\n' "$OUT" | head -n 1)"

	say "$name: each role connects, nobody else"
	for role in owner writer reader; do
		assert_eq "$name: $role connects" "chiso_$role|chiso" \
			"$(sql "$dir" "$role" 'SELECT current_user, current_database()')"
	done
	assert_eq "$name: superuser, no TCP" "postgres||t|f|t|f" "$(sql "$dir" superuser \
		"SELECT current_user, current_setting('listen_addresses'),
		        has_database_privilege('chiso_writer', 'chiso', 'TEMPORARY'),
		        has_database_privilege('chiso_reader', 'chiso', 'TEMPORARY'),
		        has_database_privilege('chiso_reader', 'chiso', 'CONNECT'),
		        has_database_privilege('public', 'chiso', 'CONNECT')")"
	ci=$("${AS[@]}" "$CTL" db conninfo --dir "$dir" --role writer)
	# In a conninfo the last value of a key wins.
	if (cd / && "${AS[@]}" "$PSQL" "$ci password=0000" -X -q -c 'SELECT 1') >/dev/null 2>&1
	then
		fail "$name: a wrong password was accepted"
	fi
	printf 'ok: %s: a wrong password is refused\n' "$name"
	sql "$dir" owner "CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)" >/dev/null

	say "$name: init again keeps everything"
	ctl db init --dir "$dir"
	assert_eq "$name: second init exit" 0 "$RC"
	assert_lacks "$name: second init" "$ERR" "creating PostgreSQL cluster"
	assert_lacks "$name: second init" "$ERR" "starting PostgreSQL"
	assert_eq "$name: same passwords" "$creds_before" "$(cat "$cred")"
	assert_eq "$name: data kept" 42 "$(sql "$dir" owner 'SELECT x FROM kept')"

	say "$name: kill -9 of the postmaster, then start"
	ctl db status --dir "$dir"
	pid=$(postmaster_pid)
	kill -9 "$pid"
	for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	ctl db status --dir "$dir"
	assert_eq "$name: status exit after kill -9" 3 "$RC"
	ctl db start --dir "$dir"
	assert_eq "$name: start after kill -9 exit ($ERR)" 0 "$RC"
	assert_contains "$name: start progress" "$ERR" "starting PostgreSQL"
	assert_eq "$name: data survived the crash" 42 "$(sql "$dir" owner 'SELECT x FROM kept')"
	ctl db start --dir "$dir"
	assert_eq "$name: start while running exit" 0 "$RC"
	assert_lacks "$name: start while running" "$ERR" "starting PostgreSQL"

	say "$name: stop, status, stop again"
	ctl db stop --dir "$dir"
	assert_eq "$name: stop exit" 0 "$RC"
	assert_contains "$name: stop progress" "$ERR" "stopping PostgreSQL in /"
	ctl db status --dir "$dir"
	assert_eq "$name: status exit when stopped" 3 "$RC"
	assert_eq "$name: status" stopped "$(printf '%s\n' "$OUT" | head -n 1)"
	if sql "$dir" writer 'SELECT 1' >/dev/null 2>&1; then
		fail "$name: connected to a stopped cluster"
	fi
	ctl db stop --dir "$dir"
	assert_eq "$name: stop of a stopped cluster exit" 0 "$RC"
	assert_contains "$name: stop of a stopped cluster" "$ERR" "is not running"

	say "$name: init of a stopped cluster starts it"
	ctl db init --dir "$dir"
	assert_eq "$name: init when stopped exit" 0 "$RC"
	assert_lacks "$name: init when stopped" "$ERR" "creating PostgreSQL cluster"
	assert_eq "$name: data still there" 42 "$(sql "$dir" owner 'SELECT x FROM kept')"
	ctl db stop --dir "$dir"
	assert_eq "$name: final stop exit" 0 "$RC"
}

say "errors before any cluster"
AS=()
CHISO_PG_BINDIR=/nonexistent/bin ctl db init --dir "$T/nobin"
assert_eq "init without binaries exit" 1 "$RC"
assert_contains "init without binaries" "$ERR" \
	"PostgreSQL 15 server binaries not found in /nonexistent/bin: install postgresql-15"
ctl db status --dir "$T/none"
assert_eq "status of no cluster exit" 4 "$RC"
ctl db start --dir "$T/none"
assert_eq "start of no cluster exit" 1 "$RC"
assert_contains "start of no cluster" "$ERR" "no PostgreSQL cluster in $T/none/pg: run chisoctl db init"
ctl db stop --dir "$T/none"
assert_eq "stop of no cluster exit" 0 "$RC"

mkdir -p "$T/it's a repo"
lifecycle reachable "$T/it's a repo/var" self
ctl db status --dir "$T/it's a repo/var"
if [ "$(id -u)" = 0 ]; then
	assert_eq "reachable: pg is a directory of postgres" "directory postgres" \
		"$(stat -c '%F %U' "$T/it's a repo/var/pg")"
	assert_eq "reachable: socket" "$T/it's a repo/var/pg/run" \
		"$(sed -n 's/^socket directory: //p' <<<"$OUT")"
fi

LONG=$T/a-directory-name-long-enough-to-push-the-socket-path/past-107-bytes/var
lifecycle long "$LONG" self
ctl db status --dir "$LONG"
sock=$(sed -n 's/^socket directory: //p' <<<"$OUT")
case $sock in
/tmp/chiso-pg-????????????????) printf 'ok: long: socket in %s\n' "$sock" ;;
*) fail "long: socket directory $sock" ;;
esac
assert_eq "long: socket directory mode" 700 "$(stat -c '%a' "$sock")"

if [ "$(id -u)" != 0 ]; then
	say "not root: the unreachable and nobody layouts need root, skipped"
	exit 0
fi

PRIVATE=$T/private # postgres may enter $T but not this
mkdir "$PRIVATE"
chmod 700 "$PRIVATE"
lifecycle unreachable "$PRIVATE/var" self
ctl db status --dir "$PRIVATE/var"
link=$(readlink "$PRIVATE/var/pg")
case $link in
/var/lib/chiso/embedded-????????????????) printf 'ok: unreachable: pg -> %s\n' "$link" ;;
*) fail "unreachable: $PRIVATE/var/pg is not a symlink into /var/lib/chiso: [$link]" ;;
esac
assert_eq "unreachable: data directory" "$link/data" \
	"$(sed -n 's/^data directory: //p' <<<"$OUT")"
assert_eq "unreachable: fallback owner" "postgres 700" "$(stat -c '%U %a' "$link")"

if ! id nobody >/dev/null 2>&1; then
	say "no user nobody: the non-root layout is skipped"
	exit 0
fi
SHARED=$T/shared
mkdir "$SHARED"
chmod 1777 "$SHARED"
# The build tree may sit where nobody cannot enter (a checkout under a 0700
# directory): that layout runs a copy of chisoctl and the SQL it reads, laid
# out as installed (<tree>/bin, <tree>/share/chiso/sql: lib/paths.c).
mkdir -p "$T/tree/bin" "$T/tree/share/chiso"
cp "$CHISO_BIN/chisoctl" "$T/tree/bin/"
cp -rL "$CHISO_BIN/../share/chiso/sql" "$T/tree/share/chiso/"
# So is the LeakSanitizer suppressions file of the ASan suite (scripts/check).
case ${LSAN_OPTIONS:-} in
*suppressions=*)
	supp=${LSAN_OPTIONS#*suppressions=}
	supp=${supp%%:*}
	cp "$supp" "$T/tree/lsan.supp"
	export LSAN_OPTIONS=${LSAN_OPTIONS/"$supp"/"$T/tree/lsan.supp"}
	;;
esac
chmod -R a+rX "$T/tree"
CTL=$T/tree/bin/chisoctl
AS=(runuser -u nobody --)
lifecycle nobody "$SHARED/var" nobody
assert_eq "nobody: cluster owner" "nobody nobody" \
	"$(stat -c '%U' "$SHARED/var/pg" "$SHARED/var/pg/data" | paste -sd ' ')"
say "all embedded cluster checks passed"
