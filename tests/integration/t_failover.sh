#!/usr/bin/env bash
# Failover (issue 21 §1): the provincial database on pg_auto_failover, a
# monitor, a primary and a synchronous secondary, three local instances of
# PostgreSQL on loopback ports of their own under the test's directory, run by
# an unprivileged user.  chisod connects with a multi-host conninfo
# (target_session_attrs=read-write); agents push parts of their loads every
# second while the primary is lost twice:
#
#   round 1  the primary's postmaster is killed with SIGKILL, and its keeper
#            with it (left alive, the keeper would only restart the server in
#            place: the round is the node lost, which a failover is for);
#   round 2  the new primary's data directory is made unreachable (mode 000)
#            under its running server and keeper.
#
# Each time the monitor promotes the secondary, chisod finds it and carries on;
# then the old primary is started again and rejoins as the secondary.  Counts
# as the fault suite does (faultlib.sh): sent / acked / stored / lost /
# duplicated, and the seconds without an acknowledgement in each round;
# asserts lost 0, duplicated 0 and a clean `chisoctl rollup verify` on the new
# primary; `chisoctl report`, `status`, `rollup verify` and the analyst guide's
# queries on the standby (issue 21 §2).
#
# pg_auto_failover's timeouts are shortened for the test (the monitor checks
# every second and gives up on a node after 3 s instead of 20 s), so that a
# round takes seconds; docs/scaling.md gives the figures with the defaults too.
#
# Bounded and reaped.  The test runs under `tini -s`, a child subreaper: the
# processes a killed node leaves behind (a postmaster's children each have a
# session of their own, a killed keeper's) are reparented to it and reaped.
# Without it they go to PID 1, which on some machines (a container's init)
# never reaps; their zombies keep the pids in the keeper's and the
# postmaster's pid files alive, most likely why in a clean-clone CI the old
# primary's new keeper once refused to start ("already running").  A watchdog bounds the whole test (TEST_BOUND):
# when it fires it stops whatever the test waits on and the test fails with
# the nodes' last log lines, instead of waiting for ctest's timeout.
#
# Skipped under the sanitizer build: it tests PostgreSQL, pg_auto_failover and
# libpq's multi-host reconnection, minutes of them, where chisod's own part
# (RETRY, reconnecting) runs under the sanitizers in t_fault_db.
if [ "${CHISO_SANITIZE:-OFF}" = ON ]; then
	echo "skipped: the failover test runs in the normal build (minutes of PostgreSQL; chisod's reconnection is in t_fault_db)"
	exit 77
fi
if [ "${CHISO_REAPER:-}" != tini ]; then
	command -v tini >/dev/null || { echo "FAIL: tini not installed (scripts/bootstrap)" >&2; exit 1; }
	CHISO_REAPER=tini exec tini -s -- bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faultlib.sh"

command -v pg_autoctl >/dev/null || fail "pg_autoctl not installed (pg-auto-failover-cli, postgresql-15-auto-failover)"
NAGENTS=4
F_INDICATORS=60 # x 25 years: 1 500 rows per agent, in PARTS parts of 15
PARTS=100
test_t0=$(date +%s.%N)
PGBIN=/usr/lib/postgresql/15/bin
HA=$T/ha
mkdir -p "$HA"
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- env PATH="$PGBIN:$PATH" XDG_CONFIG_HOME="$HA/config" \
			XDG_DATA_HOME="$HA/share" XDG_RUNTIME_DIR="$HA/run" "$@"
	else
		env PATH="$PGBIN:$PATH" XDG_CONFIG_HOME="$HA/config" XDG_DATA_HOME="$HA/share" \
			XDG_RUNTIME_DIR="$HA/run" "$@"
	fi
}
[ "$(id -u)" -ne 0 ] || chown postgres "$HA"
P0=$((PORT + 1)) P1=$((PORT + 2)) P2=$((PORT + 3))
MONITOR="host=127.0.0.1 port=$P0 dbname=pg_auto_failover user=postgres"

# Every node (its keeper, and the server under it) runs in a process group of
# its own, so that a round can kill one node whole and the cleanup every node.
declare -A NODE_PGID=()
ha_stop_all() {
	local n
	for n in "${!NODE_PGID[@]}"; do kill -9 -- "-${NODE_PGID[$n]}" 2>/dev/null || true; done
	# gone before the cleanup removes their directories
	for n in "${!NODE_PGID[@]}"; do
		for _ in $(seq 50); do kill -0 -- "-${NODE_PGID[$n]}" 2>/dev/null || break; sleep 0.1; done
	done
}
# What the nodes said last, when the test fails.
ha_logs() {
	local f
	for f in "$HA"/*.log; do
		[ -f "$f" ] || continue
		echo "--- last lines of $(basename "$f")"
		tail -n 15 "$f"
	done
}
# The EXIT trap: the nodes, then lib.sh's cleanup (chisod, the agents, the feeder, the
# directory) with the test's status.  Without errexit: under `set -e` the former
# `(exit $rc); cleanup` ended the trap at `(exit $rc)` whenever the test had failed, so
# chisod, the agents and the feeder outlived it, holding ctest's output pipe open, and
# ctest waited for them until its timeout (the hang seen in CI).
ha_exit() {
	local rc=$1
	set +e
	watchdog_stop
	[ "$rc" -eq 0 ] || ha_logs
	ha_stop_all
	(exit "$rc")
	cleanup
}
trap 'ha_exit $?' EXIT
# The watchdog: after TEST_BOUND seconds the test's own children are stopped (a wait
# returns, a psql or a sleep ends) and the TERM trap fails the test.  Its output is not
# ctest's pipe, which ctest reads until every holder has closed it.
TEST_BOUND=${CHISO_FAILOVER_BOUND:-480}
trap 'trap - TERM; fail "time bound reached: $TEST_BOUND s"' TERM
(
	sleep "$TEST_BOUND" &
	wait $!
	kill -TERM $$
	pkill -TERM -P $$
) >/dev/null 2>&1 &
WATCHDOG_PID=$!
disown "$WATCHDOG_PID"
watchdog_stop() {
	pkill -P "$WATCHDOG_PID" 2>/dev/null || true
	kill "$WATCHDOG_PID" 2>/dev/null || true
}

# node_run NAME ARGS...: runs `pg_autoctl ARGS` for node NAME in a process group of its
# own, its output in $HA/NAME.log.
node_run() {
	local name=$1
	shift
	setsid bash -c "$(declare -f as_pg); PGBIN=$PGBIN HA=$HA; as_pg pg_autoctl$(printf ' %q' "$@")" \
		>>"$HA/$name.log" 2>&1 &
	NODE_PGID[$name]=$!
	disown "$!" # killed by its group, not waited for
}
# keeper_gone NAME: the node's previous keeper has exited (up to 10 s, killed again if
# need be); the pid file of one that is gone or an unreaped zombie is removed, so that
# the new keeper does not refuse to start beside it.
keeper_gone() {
	local f pid st
	for f in "$HA/run/pg_autoctl$HA/$1/pg_autoctl.pid" "/tmp/pg_autoctl$HA/$1/pg_autoctl.pid"; do
		[ -f "$f" ] || continue
		pid=$(head -n 1 "$f")
		st=
		for _ in $(seq 100); do
			st=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null || true)
			if [ -z "$st" ] || [ "$st" = Z ]; then break; fi
			kill -9 "$pid" 2>/dev/null || true
			sleep 0.1
		done
		if [ -n "$st" ] && [ "$st" != Z ]; then fail "the old keeper of $1 (pid $pid) does not exit"; fi
		rm -f "$f"
	done
}
# node_keeper NAME: starts the keeper of an existing node again.
node_keeper() {
	keeper_gone "$1"
	node_run "$1" run --pgdata "$HA/$1"
}
mon() { psql "$MONITOR" -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }
# The nodes' states as the monitor sees them, "n1=primary n2=secondary".
states() { mon "SELECT string_agg(nodename || '=' || reportedstate, ' ' ORDER BY nodename) FROM pgautofailover.node"; }
# wait_states WANT SECONDS: until the monitor reports WANT.
wait_states() {
	local i
	for i in $(seq $((2 * $2))); do
		[ "$(states 2>/dev/null)" = "$1" ] && return 0
		sleep 0.5
	done
	fail "after $2 s the nodes are [$(states)], not [$1]"
}
# The node that is primary: reported so, and so assigned (a dead primary stays reported
# "primary", assigned "demoted").
primary_node() {
	mon "SELECT nodename FROM pgautofailover.node
	      WHERE reportedstate IN ('primary', 'wait_primary') AND goalstate = reportedstate"
}

say "pg_auto_failover: a monitor on port $P0, nodes n1 on $P1 and n2 on $P2, under $HA"
# chisod's configuration and keys from `db init`, meanwhile; its own cluster is stopped.
(ctl db init --dir "$T/var" && ctl db stop) >"$T/dbinit.log" 2>&1 &
DBINIT_PID=$!
node_run monitor create monitor --pgdata "$HA/monitor" --pgport "$P0" --hostname 127.0.0.1 \
	--listen 127.0.0.1 --auth trust --no-ssl --run
for _ in $(seq 240); do mon "SELECT 1" >/dev/null 2>&1 && break; sleep 0.25; done
# Seconds, not pg_auto_failover's production defaults (a 5 s check, 20 s before a node is
# unhealthy, 30 s before a primary is demoted): docs/scaling.md.
for s in health_check_period=1000 health_check_timeout=1000 health_check_max_retries=1 \
	health_check_retry_delay=500 node_considered_unhealthy_timeout=3000 \
	primary_demote_timeout=5000 startup_grace_period=2000; do
	mon "ALTER SYSTEM SET pgautofailover.${s%=*} = ${s#*=}" >/dev/null
done
mon "ALTER SYSTEM SET fsync = off" >/dev/null
mon "SELECT pg_reload_conf()" >/dev/null
MONITOR_URI="postgres://autoctl_node@127.0.0.1:$P0/pg_auto_failover?sslmode=disable"
# create_node NAME PORT: a new node, made and then run by its keeper.
create_node() {
	node_run "$1" create postgres --pgdata "$HA/$1" --pgport "$2" --hostname 127.0.0.1 \
		--listen 127.0.0.1 --name "$1" --dbname chiso --auth trust --no-ssl \
		--monitor "$MONITOR_URI" --run
}
create_node n1 "$P1"
wait_states "n1=single" 90
for _ in $(seq 40); do pg_isready -q -h 127.0.0.1 -p "$P1" && break; sleep 0.25; done
# No fsync on the test's nodes (n2 copies the setting with n1's directory): a failover's
# figures do not depend on it, and syncing three clusters on a shared disk took seconds
# at every checkpoint.  A killed server loses nothing by it, only a machine that stops.
psql "host=127.0.0.1 port=$P1 dbname=postgres user=postgres" -X -q \
	-c "ALTER SYSTEM SET fsync = off" -c "SELECT pg_reload_conf()" >/dev/null
# n2 copies n1 and catches up while chiso is set up on n1.
create_node n2 "$P2"

# chiso on n1; every conninfo names both nodes.
wait "$DBINIT_PID" || { cat "$T/dbinit.log"; fail "chisoctl db init failed"; }
sed -i "s|tcp://127.0.0.1:7460|tcp://127.0.0.1:$PORT|" "$CONF"
for role in conninfo:chiso_writer owner_conninfo:chiso_owner reader_conninfo:chiso_reader; do
	sed -i "s|^\([[:space:]]*${role%:*} = \).*|\1\"host=127.0.0.1,127.0.0.1 port=$P1,$P2 dbname=chiso user=${role#*:} target_session_attrs=read-write\";|" "$CONF"
done
# Quick to notice: 5 s for a statement (a COMMIT waiting for a standby that no longer
# follows), 2 s to connect, at most 1 s between attempts.
sed -i -e 's/statement_timeout_ms = [0-9]*;/statement_timeout_ms = 5000;/' \
	-e 's/connect_timeout_s = [0-9]*;/connect_timeout_s = 2;/' \
	-e 's/reconnect_max_ms = [0-9]*;/reconnect_max_ms = 1000;/' "$CONF"
CHISO_OWNER_PW=x CHISO_WRITER_PW=x CHISO_READER_PW=x \
	psql "host=127.0.0.1 port=$P1 dbname=postgres user=postgres" -X -q \
	-f "$CHISO_SOURCE_DIR/sql/bootstrap.sql" >/dev/null
# pg_autoctl made the database chiso (--dbname), owned by postgres: chiso_owner owns it, as
# bootstrap.sql would have made it.
psql "host=127.0.0.1 port=$P1 dbname=postgres user=postgres" -X -q -c "ALTER DATABASE chiso OWNER TO chiso_owner"
ctl db migrate >/dev/null
ctl units import "$CHISO_SOURCE_DIR/data/units/quang_ngai_units.csv" >/dev/null
fault_catalog
mapfile -t units < <(sql "SELECT code FROM unit WHERE tier = 'commune' ORDER BY code LIMIT $NAGENTS")
for i in $(seq 1 "$NAGENTS"); do
	name=$(printf 'a%02d' "$i")
	make_agent "$name" "${units[$((i - 1))]}"
	fault_agent_tune "$name"
	fault_csv "$i" "${units[$((i - 1))]}" "$T/agents/$name/load.csv"
	# the load in PARTS files, one submitted per second
	tail -n +2 "$T/agents/$name/load.csv" >"$T/agents/$name/rows"
	split -n "l/$PARTS" -d -a 3 "$T/agents/$name/rows" "$T/agents/$name/part."
	for p in "$T/agents/$name"/part.*; do sed -i '1i unit,indicator,period,value' "$p"; done
	AGENTS+=("$name")
done
sent=$(fault_sent)
printf 'chiso on n1 in %s s\n' "$(since "$test_t0")"

# pg_basebackup waits for a spread checkpoint (minutes, after the migrations dirtied
# n1's buffers): a CHECKPOINT command makes the one under way finish at once.
for i in $(seq 180); do
	[ "$(states)" = "n1=primary n2=secondary" ] && break
	[ $((i % 10)) -ne 1 ] || psql "host=127.0.0.1 port=$P1 dbname=postgres user=postgres" -X -q -c CHECKPOINT
	sleep 0.5
done
wait_states "n1=primary n2=secondary" 1
check "synchronous standby on n1" "ANY 1 (pgautofailover_standby_2)" \
	"$(psql "host=127.0.0.1 port=$P1 dbname=chiso user=postgres" -X -A -t -c 'SHOW synchronous_standby_names')"
printf 'three nodes ready in %s s\n' "$(since "$test_t0")"

start_chisod
# Each agent runs until stopped, its log lines stamped with the time (the acks).
for name in "${AGENTS[@]}"; do
	"$CHISO_BIN/chiso-agent" -f "$T/agents/$name/agent.conf" run --timeout 400 \
		2> >(perl -MTime::HiRes=time -ne '$| = 1; printf "%.3f %s", time, $_' >"$T/agents/$name/run.log") &
	BG_PIDS+=("$!")
done
# The feeder: a part per agent per second; once $T/hurry exists, the parts left in one
# file per agent (a submit each: hundreds of them took a minute on a busy machine).
feed() {
	local k j name p hurry
	for k in $(seq 0 $((PARTS - 1))); do
		hurry=0
		[ ! -e "$T/hurry" ] || hurry=1 # the same for every agent of this step
		for name in "${AGENTS[@]}"; do
			p=$T/agents/$name/part.$(printf '%03d' "$k")
			if [ "$hurry" = 1 ]; then
				p=$T/agents/$name/rest.csv
				echo 'unit,indicator,period,value' >"$p"
				for j in $(seq "$k" $((PARTS - 1))); do
					tail -n +2 "$T/agents/$name/part.$(printf '%03d' "$j")" >>"$p"
				done
			fi
			# its notes (no catalogue yet, at the first parts) are not failures
			agent "$name" submit "$p" >/dev/null 2>>"$T/feed.log" || echo "submit $p failed" >>"$T/feed.err"
		done
		[ "$hurry" = 0 ] || return 0
		sleep 1
	done
}
feed &
FEED_PID=$!
BG_PIDS+=("$FEED_PID")

# Acks (their times) after $1, one a line, sorted.
acks_after() { cat "$T"/agents/*/run.log | awk -v t="$1" '/acknowledged/ && $1 > t { print $1 }' | sort -n; }
# wait_ack_after T SECONDS: until some batch is acknowledged after T.
wait_ack_after() {
	local i
	for i in $(seq $((4 * $2))); do
		[ -n "$(acks_after "$1" | head -n 1)" ] && return 0
		sleep 0.25
	done
	fail "no acknowledgement in $2 s after the fault"
}
# The longest time without an acknowledgement from $1 to the first ack after $2.
ack_gap() {
	acks_after "$1" | awk -v t0="$1" -v t1="$2" '
		{ if ($1 - prev > gap) gap = $1 - prev; prev = $1; if ($1 > t1) exit }
		BEGIN { prev = t0 } END { printf "%.1f", gap }'
}

# round NAME HOW: the primary is lost, the secondary promoted, the load goes on.
round() {
	local no=$1 how=$2 old new t_fault t_promoted
	sleep 3 # acks flowing first
	old=$(primary_node)
	new=$([ "$old" = n1 ] && echo n2 || echo n1)
	t_fault=$(date +%s.%N)
	if [ "$how" = kill ]; then
		kill -9 "$(head -n 1 "$HA/$old/postmaster.pid")"
		kill -9 -- "-${NODE_PGID[$old]}"
		printf 'round %d: %s (primary) killed with SIGKILL, postmaster and keeper\n' "$no" "$old"
	else
		chmod 000 "$HA/$old"
		printf 'round %d: the data directory of %s (primary) made unreachable (mode 000)\n' "$no" "$old"
	fi
	for _ in $(seq 120); do [ "$(primary_node 2>/dev/null)" = "$new" ] && break; sleep 0.25; done
	[ "$(primary_node)" = "$new" ] || fail "round $no: $new not promoted: $(states)"
	t_promoted=$(date +%s.%N)
	wait_ack_after "$t_promoted" 60
	local t_ack
	t_ack=$(acks_after "$t_promoted" | head -n 1)
	kill -0 "$CHISOD_PID" || fail "chisod died in round $no"
	printf 'round %d: %s promoted %.1f s after the fault; first ack %.1f s after the fault; longest time without an ack %s s\n' \
		"$no" "$new" "$(echo "$t_promoted - $t_fault" | bc)" "$(echo "$t_ack - $t_fault" | bc)" \
		"$(ack_gap "$t_fault" "$t_promoted")"
	# The old primary comes back (its directory restored, its node started again: the
	# operator's part) and rejoins as the secondary.
	if [ "$how" != kill ]; then
		chmod 700 "$HA/$old"
		kill -9 -- "-${NODE_PGID[$old]}" 2>/dev/null || true
		sleep 0.5
	fi
	local t_back
	t_back=$(date +%s.%N)
	node_keeper "$old"
	wait_states "$(printf '%s\n' "$old=secondary" "$new=primary" | sort | paste -sd' ')" 90
	printf 'round %d: %s rejoined as the secondary in %s s\n' "$no" "$old" "$(since "$t_back")"
}

round 1 kill
round 2 unreachable

# Analysts on the standby (issue 21 §2), while the agents still push to the primary:
# chisoctl with a configuration that prefers a standby, and the analyst guide's queries
# as chiso_reader on the standby; both again on each node once all is acked, compared.
primary=$(primary_node)
standby=$([ "$primary" = n1 ] && echo n2 || echo n1)
port_of() { [ "$1" = n1 ] && echo "$P1" || echo "$P2"; }
sed -e "s/target_session_attrs=read-write/target_session_attrs=prefer-standby/" "$CONF" >"$T/standby.conf"
ctl_standby() { "$CHISO_BIN/chisoctl" --config "$T/standby.conf" "$@"; }
awk '/^## Questions answered in SQL/ { on = 1 } on && /^```sql/ { q = ""; inq = 1; next }
	inq && /^```/ { gsub(/\n/, " ", q); print q; inq = 0; next } inq { q = q $0 "\n" }' \
	"$CHISO_SOURCE_DIR/docs/analyst-guide.md" >"$T/guide.sql"
[ "$(wc -l <"$T/guide.sql")" -ge 10 ] || fail "the analyst guide's queries not found"
# guide_queries NODE: every query of the guide as chiso_reader on NODE, its rows in order.
guide_queries() {
	local q
	while IFS= read -r q; do
		echo "-- $q"
		psql "host=127.0.0.1 port=$(port_of "$1") dbname=chiso user=chiso_reader" -X -q -A -t \
			-v ON_ERROR_STOP=1 -c "SET search_path = chiso" -c "$q" || return 1
	done <"$T/guide.sql"
}
ctl_standby report --period 2024 --unit 51 --format csv >"$T/report.standby.live" 2>"$T/report.standby.err" ||
	{ cat "$T/report.standby.err"; fail "chisoctl report on the standby failed"; }
check "chisoctl report says it reads the standby" 1 \
	"$(grep -c "database: a standby at 127.0.0.1:$(port_of "$standby")" "$T/report.standby.err")"
ctl_standby status >/dev/null 2>"$T/status.standby.err" || true
check "chisoctl status says it reads the standby" 1 \
	"$(grep -c "database: a standby at 127.0.0.1:$(port_of "$standby")" "$T/status.standby.err")"
guide_queries "$standby" >"$T/guide.standby.live" || fail "an analyst guide query failed on the standby"
printf 'on the standby during ingest: chisoctl report (%d lines) and %d guide queries ran\n' \
	"$(wc -l <"$T/report.standby.live")" "$(wc -l <"$T/guide.sql")"
# How stale the standby is: replay lag as the primary sees it, sampled during ingest.
lag_max=0
for _ in $(seq 20); do
	l=$(psql "host=127.0.0.1 port=$(port_of "$primary") dbname=chiso user=postgres" -X -A -t -c \
		"SELECT coalesce(max(extract(epoch FROM replay_lag)), 0) FROM pg_stat_replication")
	lag_max=$(awk -v a="$lag_max" -v b="$l" 'BEGIN { print (b > a ? b : a) }')
	sleep 0.25
done
printf 'standby replay lag during ingest: at most %.3f s (20 samples over 5 s)\n' "$lag_max"
touch "$T/hurry"
wait "$FEED_PID" || true
[ ! -s "$T/feed.err" ] || { cat "$T/feed.err" "$T/feed.log"; fail "a submit failed"; }

# Every row acknowledged (60 s at most), then the agents stop.
for _ in $(seq 120); do
	pending=0
	for name in "${AGENTS[@]}"; do
		p=$(agent "$name" status | sed -n 's/^pending: *[0-9.]* batch[a-z]*, \([0-9.]*\) rows.*/\1/p' | tr -d .)
		pending=$((pending + ${p:-1}))
	done
	[ "$pending" -eq 0 ] && break
	sleep 0.5
done
for p in "${BG_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
for p in "${BG_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
BG_PIDS=()
printf 'primary at the end: %s (%s)\n' "$(primary_node)" "$(states)"
check "the old primary is a standby now" t \
	"$(psql "host=127.0.0.1 port=$(port_of "$standby") dbname=chiso user=postgres" -X -A -t -c 'SELECT pg_is_in_recovery()')"
# Acked means applied on the standby (remote_apply): nothing to wait for.
ctl_standby report --period 2024 --unit 51 --format csv >"$T/report.standby" 2>/dev/null
ctl report --period 2024 --unit 51 --format csv >"$T/report.primary" 2>/dev/null
check_that "chisoctl report: the same on the standby as on the primary" cmp -s "$T/report.standby" "$T/report.primary"
guide_queries "$standby" >"$T/guide.standby"
guide_queries "$primary" >"$T/guide.primary"
check_that "the guide's queries: the same rows on the standby as on the primary" cmp -s "$T/guide.standby" "$T/guide.primary"
# rollup verify on the standby, read-only there: the stored rollups against the plain
# aggregation (the rebuild needs a primary: fault_counts runs it on the primary below).
# One province figure is put off by one on the primary first (applied on the standby
# before the UPDATE returns: remote_apply), then back: the one difference it must find
# shows every other row clean, in one run (each takes seconds on a busy machine).
damage() {
	sql "SET synchronous_commit = remote_apply;
	     UPDATE rollup SET value = value $1 1
	      WHERE (unit_id, indicator_id, period_id) = (SELECT unit_id, indicator_id, period_id
	              FROM rollup JOIN unit u ON u.id = unit_id WHERE u.code = '51' AND value IS NOT NULL
	             ORDER BY indicator_id, period_id LIMIT 1)" >/dev/null
}
damage +
ctl_standby rollup verify >"$T/verify.standby" 2>&1 || true
damage -
check "chisoctl rollup verify says it reads the standby" 1 \
	"$(grep -c "database: a standby at 127.0.0.1:$(port_of "$standby")" "$T/verify.standby")"
check "rollup verify on the standby, a province row damaged" "1 difference" \
	"$(tail -n 1 "$T/verify.standby" | sed 's/.*: //')"
check "the difference found" "maintained = direct 51" \
	"$(awk '/^maintained = direct/ { print $1, $2, $3, $4 }' "$T/verify.standby")"
printf 'on the standby: %s\n' "$(tail -n 1 "$T/verify.standby")"
fault_counts "$NAGENTS" "$sent"
stop_chisod
checks_done
printf 't_failover ran in %s s\n' "$(since "$test_t0")"
