# Harness for chiso's integration tests (sourced, not run).
#
# Each test gets a throwaway directory with its own embedded PostgreSQL cluster
# (chisoctl db init), the real chisod on a loopback port of its own, and real
# agents over CURVE.  Nothing is mocked.  The EXIT trap stops everything the
# test started and removes the directory, also when an assertion fails.
#
# Environment (set by ctest): CHISO_SOURCE_DIR (the repo), CHISO_BIN (programs).

set -euo pipefail

: "${CHISO_SOURCE_DIR:?run through ctest (CHISO_SOURCE_DIR unset)}"
: "${CHISO_BIN:?run through ctest (CHISO_BIN unset)}"

T=$(mktemp -d /tmp/chiso-test.XXXXXX)
# The PostgreSQL server runs as an unprivileged user when we are root: it must
# be able to traverse the test directory.
chmod 755 "$T"
CONF=$T/chiso.conf
# Below the kernel's ephemeral range (32768 and up), where the local ports of
# outgoing connections (thousands during a benchmark) would collide with it;
# and one nobody listens on yet (tests run two at a time).
PORT=$((20000 + RANDOM % 12000))
for _ in $(seq 20); do
	(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || break
	PORT=$((20000 + RANDOM % 12000))
done
CHISOD_PID=
BG_PIDS=()
FAILURES=0

ctl() { "$CHISO_BIN/chisoctl" --config "$CONF" "$@"; }

cleanup() {
	local rc=$?
	for p in "${BG_PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	if [ -n "$CHISOD_PID" ]; then kill -9 "$CHISOD_PID" 2>/dev/null || true; fi
	if [ -f "$CONF" ]; then ctl db stop >/dev/null 2>&1 || true; fi
	if [ "$rc" -ne 0 ] && [ -f "$T/chisod.log" ]; then
		echo "--- last lines of chisod's log"
		tail -n 30 "$T/chisod.log"
	fi
	rm -rf "$T"
	exit "$rc"
}
trap cleanup EXIT
. "$(dirname "${BASH_SOURCE[0]}")/say.sh"

# Checks that go on: a failed one is counted in FAILURES and the test carries on,
# so that one run (against an old build, say) shows every case that fails;
# checks_done then fails the test if any did.
# check WHAT EXPECTED ACTUAL: the two strings are equal.
check() {
	if [ "$2" = "$3" ]; then
		printf 'ok: %s = %s\n' "$1" "$3"
	else
		check_failed "$1: expected [$2], got [$3]"
	fi
}
# check_that WHAT COMMAND...: COMMAND succeeds.
check_that() {
	local what=$1
	shift
	if "$@"; then
		printf 'ok: %s\n' "$what"
	else
		check_failed "$what"
	fi
}
check_failed() {
	printf 'FAIL: %s\n' "$*" >&2
	FAILURES=$((FAILURES + 1))
}
checks_done() {
	[ "$FAILURES" -eq 0 ] || fail "$FAILURES check(s) failed"
}

# assert_eq WHAT EXPECTED ACTUAL
assert_eq() {
	if [ "$2" != "$3" ]; then
		fail "$1: expected [$2], got [$3]"
	fi
	printf 'ok: %s = %s\n' "$1" "$3"
}

# Creates the cluster, migrates, loads Quảng Ngãi's units and the catalogue, and
# moves chisod to this test's port.
setup_database() {
	say "embedded PostgreSQL in $T/var"
	ctl db init --dir "$T/var" >/dev/null
	sed -i "s|tcp://127.0.0.1:7460|tcp://127.0.0.1:$PORT|" "$CONF"
	ctl db migrate >/dev/null
	ctl units import "$CHISO_SOURCE_DIR/data/units/quang_ngai_units.csv" >/dev/null
	ctl catalog load "$CHISO_SOURCE_DIR/config/catalog.conf" >/dev/null
}

# The value of a key from the configuration file ("database.owner_conninfo").
conf_value() {
	local key=${1#*.}
	sed -n "s/^[[:space:]]*$key = \"\(.*\)\";$/\1/p" "$CONF" | head -n 1
}

# sql QUERY: runs as chiso_owner, prints unaligned rows separated by |.
sql() {
	psql "$(conf_value database.owner_conninfo)" -X -q -A -t -v ON_ERROR_STOP=1 \
		-c "SET search_path = chiso" -c "$1"
}

# sql_as ROLE QUERY: as chiso_reader or chiso_writer.
sql_as() {
	psql "$(conf_value "database.${1}")" -X -q -A -t -v ON_ERROR_STOP=1 -c "$2"
}

# Starts chisod and waits for its "ready:" line: one more than the log already
# has, so that a restart waits for the new process, not the old line.
start_chisod() {
	local before
	before=$(grep -c 'ready:' "$T/chisod.log" 2>/dev/null || true)
	"$CHISO_BIN/chisod" -f "$CONF" 2>>"$T/chisod.log" &
	CHISOD_PID=$!
	for _ in $(seq 400); do
		if [ "$(grep -c 'ready:' "$T/chisod.log" 2>/dev/null || true)" -gt "${before:-0}" ]; then
			return 0
		fi
		kill -0 "$CHISOD_PID" 2>/dev/null || fail "chisod exited at start"
		sleep 0.05
	done
	fail "chisod not ready after 20 s"
}

# Stops chisod with SIGTERM and checks it drained and exited cleanly (under
# AddressSanitizer this is also where leaks would be reported).
stop_chisod() {
	kill -TERM "$CHISOD_PID"
	local rc=0
	wait "$CHISOD_PID" || rc=$?
	CHISOD_PID=
	assert_eq "chisod exit status" 0 "$rc"
}

# metrics_listen: sets metrics.listen to a loopback port nobody listens on,
# next to chisod's, in MPORT.
metrics_listen() {
	MPORT=
	for p in $(seq $((PORT + 1)) $((PORT + 100))); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			MPORT=$p
			break
		fi
	done
	[ -n "$MPORT" ] || fail "no free loopback port above $PORT"
	sed -i "s|listen = \"\";|listen = \"tcp://127.0.0.1:$MPORT\";|" "$CONF"
	grep -q "listen = \"tcp://127.0.0.1:$MPORT\";" "$CONF" || fail "metrics.listen not set in $CONF"
}

# How an agent's configuration names a path (winelib.sh: as Windows does).
agent_path() { printf '%s' "$1"; }

# make_agent NAME UNIT: a keypair, enrolment, and a configuration.  The
# outbox is in the agent's directory, or in its subdirectory AGENT_DATA.
make_agent() {
	local name=$1 unit=$2 dir=$T/agents/$1
	local data=$dir${AGENT_DATA:+/$AGENT_DATA}
	mkdir -p "$data"
	ctl keygen "$name" --dir "$dir" >/dev/null
	ctl collector add "$name" --key "$dir/$name.pub" --unit "$unit" >/dev/null
	cat >"$dir/agent.conf" <<CONF
server: {
	endpoint = "tcp://127.0.0.1:$PORT";
	public_key_file = "$(agent_path "$T/var/keys/server.pub")";
};
agent: {
	secret_key_file = "$(agent_path "$dir/$name.key")";
	outbox_dir = "$(agent_path "$data/outbox")";
	resend_timeout_ms = 3000;
	reconnect_min_ms = 100;
	reconnect_max_ms = 1000;
};
# The form's port is shared by every agent of the machine: t_form.sh gives its agent one.
form: { port = 0; };
CONF
}

agent() {
	local name=$1
	shift
	"$CHISO_BIN/chiso-agent" -f "$T/agents/$name/agent.conf" "$@"
}

# agent_bg NAME ARGS...: starts an agent in the background (the program itself,
# not a subshell, so that the cleanup can kill it); its pid is in BG_PID.
agent_bg() {
	local name=$1
	shift
	"$CHISO_BIN/chiso-agent" -f "$T/agents/$name/agent.conf" "$@" &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}
