#!/usr/bin/env bash
# Fault suite: a database that is slow, then blocked, must not stall chisod,
# and failures must be said (docs/reliability.md, "A slow database" and
# "Failures that say something").
#
# 1. Slow: a trigger makes every stored value cost 2 ms (one pg_sleep per
#    statement, as long as its rows need) while four agents deliver, with
#    database.statement_timeout_ms = 2000 and commit_max_rows at 50 000.
#    chisod's first commits hold 2 000 rows, so a commit is sure to time out
#    (1 000 rows take the whole timeout).  chisod must then split it and re-cut
#    every commit already waiting: each commit of several batches that times
#    out holds at most half the rows of the one that timed out before it (the
#    commits sealed before a timeout no longer time out one after the other),
#    and the load goes on.  The longest pause between commits is printed, not
#    asserted: it is a speed.
# 2. Blocked: a session holds an EXCLUSIVE lock on observation.  Commits time
#    out; the temporary staging tables of chisod's session must not grow from
#    one failed commit to the next (dead rows are dropped with them).
# 3. SIGTERM while a commit waits for that lock, with a statement timeout of
#    30 s: chisod cancels the commit and stops with status 0 long before the
#    timeout would have ended it (under 15 s: half of it, a margin no slow
#    machine eats; it takes about a second); nothing half-done is stored.
#    Then (3b) the same with the postmaster stopped, so that the cancel is never
#    answered: chisod still gives up on the commit at its deadline and exits 1.
#    Restarted, it takes the rest: lost 0, duplicated 0, acked = sent.
# 4. A wrong conninfo (a closed port), in a second chisod that runs beside the
#    rest: the cause is logged at once, in a bounded number of lines (once per
#    pause length) over the whole test, and chiso_db_connect_failures_total
#    counts every attempt.
# 5. Out of file descriptors (ulimit -n): connections chisod cannot accept are
#    logged with the errno text, rate-limited, and counted.
F_INDICATORS=${F_INDICATORS:-60} # 1 500 values per agent, batches of 500
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faultlib.sh"

NAGENTS=4
TIMEOUT_MS=2000
t_start=$(date +%s.%N)
# Each part says when it starts: the test's time budget is a minute.
say() { printf '## [%s s] %s\n' "$(since "$t_start")" "$*"; }
fault_setup "$NAGENTS"
sed -i -e "s/statement_timeout_ms = [0-9]*;/statement_timeout_ms = $TIMEOUT_MS;/" \
	-e 's/commit_max_rows = [0-9]*;/commit_max_rows = 50000;/' \
	-e 's/status_interval_ms = [0-9]*;/status_interval_ms = 500;/' "$CONF"
grep -q "statement_timeout_ms = $TIMEOUT_MS;" "$CONF" || fail "cannot set database.statement_timeout_ms"
sent=$(fault_sent)

# A free loopback port above $1 for a second listener.
free_port() {
	local p
	for p in $(seq $(($1 + 1)) $(($1 + 200))); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	fail "no free loopback port above $1"
}

# Waits until a commit of chisod waits for the lock on observation.  A lock request on
# observation not granted is chisod's commit in progress (only it writes there): no guess
# of timing.  pg_locks, not pg_stat_activity, whose wait columns the owner cannot read
# for the writer's session.
wait_commit_waits() {
	local until=$(($(date +%s) + 60))
	until [ "$(sql "SELECT count(*) FROM pg_locks
		      WHERE NOT granted AND relation = 'chiso.observation'::regclass")" -ge 1 ]; do
		[ "$(date +%s)" -lt "$until" ] || fail "no commit of chisod waits for the lock after 60 s"
		sleep 0.1
	done
}

# metric FILE NAME: the value of an unlabelled sample in a scrape, "" if absent.
metric() { sed -n "s/^$2 \\([0-9]*\\)\$/\\1/p" "$1"; }

# scrape PORT FILE: GET /metrics from a chisod's metrics.listen.
scrape() {
	timeout 10 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "GET /metrics HTTP/1.0\r\n\r\n" >&3 && cat <&3' \
		_ "$1" >"$2" || fail "cannot read the metrics on port $1"
}

# The size of chisod's temporary staging tables (other sessions' temp tables are in pg_class;
# their files can be measured, not read).
staging_bytes() {
	sql "SELECT coalesce(sum(pg_relation_size(c.oid)), 0) FROM pg_class c
	       JOIN pg_namespace n ON n.oid = c.relnamespace
	      WHERE n.nspname LIKE 'pg_temp_%' AND c.relname IN ('stage_batch', 'stage_row')"
}

# The largest of a few samples of staging_bytes over half a second: a sample taken just
# between a dropped table and the next commit's new one would read 0.
staging_max() {
	local max=0 b
	for _ in 1 2 3 4 5; do
		b=$(staging_bytes)
		[ "$b" -gt "$max" ] && max=$b
		sleep 0.1
	done
	echo "$max"
}

# wait_log PATTERN COUNT SECONDS: until chisod's log has COUNT lines matching PATTERN.
wait_log() {
	local until=$(($(date +%s) + $3))
	while [ "$(grep -c "$1" "$T/chisod.log" || true)" -lt "$2" ]; do
		[ "$(date +%s)" -lt "$until" ] || fail "no $2 lines \"$1\" in chisod's log after $3 s"
		sleep 0.1
	done
}

# Part 4 runs beside the others: a second chisod with a wrong conninfo, checked at the end.
BADPORT=$(free_port "$PORT")
MPORT=$(free_port "$BADPORT")
sed -e "s|tcp://127.0.0.1:$PORT|tcp://127.0.0.1:$BADPORT|" \
	-e "s|listen = \"\";|listen = \"tcp://127.0.0.1:$MPORT\";|" \
	-e "s|^\\([[:space:]]*\\)conninfo = \".*\";|\\1conninfo = \"host=127.0.0.1 port=1 dbname=chiso user=chiso_writer\";|" \
	-e "s|reconnect_max_ms = [0-9]*;|reconnect_max_ms = 1000;|" \
	"$CONF" >"$T/bad.conf"
grep -q 'conninfo = "host=127.0.0.1 port=1 ' "$T/bad.conf" || fail "cannot set a wrong database.conninfo"
grep -q 'reconnect_max_ms = 1000;' "$T/bad.conf" || fail "cannot set database.reconnect_max_ms"
t2=$(date +%s.%N)
"$CHISO_BIN/chisod" -f "$T/bad.conf" 2>"$T/bad.log" &
BAD_PID=$!
BG_PIDS+=("$BAD_PID")
for _ in $(seq 50); do
	grep -q 'database: .*Connection refused' "$T/bad.log" && break
	sleep 0.1
done
first=$(since "$t2")

say "1. every stored value costs 2 ms; statement timeout $TIMEOUT_MS ms; $sent values from $NAGENTS agents"
# One sleep per statement, from its transition table: exact, whatever the machine's load.
sql "CREATE FUNCTION stall_slow() RETURNS trigger LANGUAGE plpgsql AS
       \$\$ BEGIN PERFORM pg_sleep(0.002 * (SELECT count(*) FROM new_rows)); RETURN NULL; END \$\$;
     CREATE TRIGGER stall_slow AFTER INSERT ON observation REFERENCING NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION stall_slow();" >/dev/null
fault_submit
fault_start 120 log
# Poll the rows committed; the longest pause without a commit is the figure.
last=0 last_change=$(date +%s%N) max_gap_ms=0 half=$((sent / 2))
until=$(($(date +%s) + 120))
while [ "$last" -lt "$half" ]; do
	[ "$(date +%s)" -lt "$until" ] || fail "slow phase: only $last of $sent values committed in 120 s"
	stored=$(fault_stored)
	now=$(date +%s%N)
	if [ "$stored" -gt "$last" ]; then
		last=$stored
		last_change=$now
	fi
	gap=$(((now - last_change) / 1000000))
	[ "$gap" -gt "$max_gap_ms" ] && max_gap_ms=$gap
	sleep 0.2
done
slow_timeouts=$(grep -c 'timed out after' "$T/chisod.log" || true)
printf 'slow phase: %d of %d values committed in %s s; longest pause without a commit %d ms; %d commits timed out\n' \
	"$last" "$sent" "$(since "$t0")" "$max_gap_ms" "$slow_timeouts"
grep -m 2 'timed out after' "$T/chisod.log" | sed 's/^<[0-9]>/chisod: /' || true
[ "$slow_timeouts" -ge 1 ] || fail "no commit timed out although 1 000 rows take the whole timeout"
# The rows of each commit of several batches that timed out, in order: each at most half
# the one before.  (A single batch above the cap commits alone and is answered RETRY.)
sizes=$(grep 'timed out after' "$T/chisod.log" | grep -v 'a single batch' |
	sed -n 's/.*a commit of \([0-9]*\) rows.*/\1/p' | tr '\n' ' ')
printf 'rows of the commits of several batches that timed out: %s\n' "$sizes"
awk -v s="$sizes" 'BEGIN { n = split(s, a, " "); for (i = 2; i <= n; i++) if (2 * a[i] > a[i - 1]) exit 1 }' ||
	fail "a commit timed out with more than half the rows of the one before it: $sizes"

say "2. observation locked: commits time out; the staging tables must not grow"
before=$(grep -c 'timed out after' "$T/chisod.log" || true)
PGAPPNAME=stall-lock psql "$(conf_value database.owner_conninfo)" -X -q -c \
	"BEGIN; LOCK TABLE chiso.observation IN EXCLUSIVE MODE; SELECT pg_sleep(300); COMMIT;" \
	>/dev/null 2>&1 &
LOCK_PID=$!
wait_log 'timed out after' $((before + 1)) 15
early=$(staging_max)
wait_log 'timed out after' $((before + 2)) 15
late=$(staging_max)
printf 'staging tables: %d bytes after the first failed commit, %d after the second\n' "$early" "$late"
[ "$early" -gt 0 ] || fail "the staging tables could not be measured"
[ "$late" -le "$early" ] || fail "the staging tables grew from $early to $late bytes between two failed commits"

say "3. SIGTERM while a commit waits for the lock (statement timeout 30 s)"
stop_chisod
sed -i "s/statement_timeout_ms = $TIMEOUT_MS;/statement_timeout_ms = 30000;/" "$CONF"
grep -q 'statement_timeout_ms = 30000;' "$CONF" || fail "cannot set database.statement_timeout_ms"
start_chisod
wait_commit_waits
stored_before=$(fault_stored)
cancels=$(grep -c 'stopping: cancelling the commit in progress' "$T/chisod.log" || true)
t1=$(date +%s%N)
kill -TERM "$CHISOD_PID"
rc=0
wait "$CHISOD_PID" || rc=$?
stop_ms=$((($(date +%s%N) - t1) / 1000000))
CHISOD_PID=
printf 'chisod stopped in %d ms with status %d (its commit would have waited 30 000 ms)\n' "$stop_ms" "$rc"
grep -E 'stopping: |stopped ' "$T/chisod.log" | tail -n 4 | sed 's/^<[0-9]>/chisod: /'
assert_eq "chisod exit status" 0 "$rc"
[ "$stop_ms" -lt 15000 ] || fail "chisod took $stop_ms ms to stop: it waited for its commit"
[ "$(grep -c 'stopping: cancelling the commit in progress' "$T/chisod.log")" -gt "$cancels" ] ||
	fail "the commit in progress was not cancelled"
assert_eq "values committed during the stop" "$stored_before" "$(fault_stored)"
# Nothing half-done: every batch committed has all its values stored (each value is sent once).
assert_eq "batches stored in part" 0 "$(sql "SELECT count(*) FROM batch b
	WHERE b.rows_accepted <> (SELECT count(*) FROM observation o WHERE o.batch_id = b.id)")"

say "3b. SIGTERM while a commit waits for the lock and the server takes no cancel"
# A stopped postmaster: the cancel's connection is queued by the kernel and never
# answered, and PQcancel has no timeout.  The main loop must keep its deadline
# (SERVER_STOP_HARD_MS, 20 s) and exit without the commit; 60 s is a hang guard.
start_chisod
wait_commit_waits
PM_PID=$(head -n 1 "$(find "$T" -name postmaster.pid | head -n 1)")
kill -STOP "$PM_PID"
kill -TERM "$CHISOD_PID"
for _ in $(seq 600); do
	kill -0 "$CHISOD_PID" 2>/dev/null || break
	sleep 0.1
done
hung=0
kill -0 "$CHISOD_PID" 2>/dev/null && hung=1 && kill -KILL "$CHISOD_PID"
kill -CONT "$PM_PID"
rc=0
wait "$CHISOD_PID" || rc=$?
CHISOD_PID=
[ "$hung" -eq 0 ] || fail "chisod did not exit within 60 s of SIGTERM while its cancel went unanswered"
grep -q 'exiting without it' "$T/chisod.log" || fail "chisod did not give up on the commit at its deadline"
assert_eq "chisod exit status (gave up on its commit)" 1 "$rc"
assert_eq "values committed during the stop" "$stored_before" "$(fault_stored)"
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'stall-lock'" >/dev/null
sql "DROP TRIGGER stall_slow ON observation; DROP FUNCTION stall_slow()" >/dev/null
wait "$LOCK_PID" || true # terminated: its status says nothing
start_chisod
# The agents only (wait_agents would wait for the second chisod too).
rc=0
for p in "${AGENT_PIDS[@]}"; do wait "$p" || rc=$?; done
[ "$rc" -eq 0 ] || fail "an agent exited with status $rc"
printf 'all delivered %s s after the start of the load\n' "$(since "$t0")"
fault_counts "$NAGENTS" "$sent"
stop_chisod

say "5. out of file descriptors: refused connections are said and counted"
start_chisod_limited() {
	local before
	before=$(grep -c 'ready:' "$T/chisod.log" 2>/dev/null || true)
	(ulimit -n "$1" && exec "$CHISO_BIN/chisod" -f "$CONF" 2>>"$T/chisod.log") &
	CHISOD_PID=$!
	for _ in $(seq 200); do
		[ "$(grep -c 'ready:' "$T/chisod.log" || true)" -gt "${before:-0}" ] && return 0
		kill -0 "$CHISOD_PID" 2>/dev/null || fail "chisod exited at start under ulimit -n $1"
		sleep 0.05
	done
	fail "chisod not ready under ulimit -n $1"
}
sed -i "s|listen = \"\";|listen = \"tcp://127.0.0.1:$(free_port "$MPORT")\";|" "$CONF"
EPORT=$(sed -n 's|^[[:space:]]*listen = "tcp://127.0.0.1:\([0-9]*\)";|\1|p' "$CONF")
start_chisod_limited 64
nfd=$(find /proc/"$CHISOD_PID"/fd -mindepth 1 | wc -l)
t3=$(date +%s.%N)
# Plain TCP connections: accept() needs a descriptor before any handshake.
opened=0 FDS=()
for _ in $(seq 80); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT" || break
	FDS+=("$fd")
	opened=$((opened + 1))
done
for _ in $(seq 30); do
	grep -q 'cannot accept a collector' "$T/chisod.log" && break
	sleep 0.1
done
sleep 1 # libzmq retries the accepts all the while: a second of them for the rate limit
accept_lines=$(grep -c 'cannot accept a collector' "$T/chisod.log" || true)
window=$(since "$t3")
grep -m 1 'cannot accept a collector' "$T/chisod.log" | sed 's/^<[0-9]>/chisod: /' || true
# The metrics port needs a descriptor too: scraped once the connections are closed
# and chisod has let go of its ends.
for fd in "${FDS[@]}"; do exec {fd}>&-; done
for _ in $(seq 50); do
	[ "$(find /proc/"$CHISOD_PID"/fd -mindepth 1 | wc -l)" -le "$nfd" ] && break
	sleep 0.1
done
scrape "$EPORT" "$T/limited.metrics"
accept_failures=$(metric "$T/limited.metrics" chiso_accept_failures_total)
printf 'ulimit -n 64: %d descriptors used at start, %d connections opened, %d accept failures counted, %d lines\n' \
	"$nfd" "$opened" "${accept_failures:-0}" "$accept_lines"
[ "$accept_lines" -ge 1 ] || fail "running out of descriptors was not logged"
# One line in ten seconds at most (the rate limit), whatever the window took.
max_lines=$(awk -v w="$window" 'BEGIN { printf "%d", w / 10 + 1 }')
[ "$accept_lines" -le "$max_lines" ] ||
	fail "$accept_lines lines about refused connections in $window s (rate limit: one in 10 s)"
grep -q 'cannot accept a collector.*Too many open files' "$T/chisod.log" || fail "the errno text is missing"
[ "${accept_failures:-0}" -ge 1 ] || fail "chiso_accept_failures_total does not count them"
# Stopped while the accepts fail again: libzmq's I/O thread may wait on a full monitor
# queue holding the lock that stopping the monitor takes; chisod must still exit, and
# cleanly (60 s is a hang guard, not a measure).
FDS=()
for _ in $(seq 80); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT" || break
	FDS+=("$fd")
done
sleep 1
kill -TERM "$CHISOD_PID"
for _ in $(seq 600); do
	kill -0 "$CHISOD_PID" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$CHISOD_PID" 2>/dev/null; then
	kill -KILL "$CHISOD_PID"
	fail "chisod did not exit within 60 s of SIGTERM while accepts were failing"
fi
rc=0
wait "$CHISOD_PID" || rc=$?
CHISOD_PID=
assert_eq "chisod exit status (stopped while accepts fail)" 0 "$rc"
for fd in "${FDS[@]}"; do exec {fd}>&-; done

say "4. a wrong conninfo (beside the rest): the cause is said at once, in few lines, and counted"
grep -q 'database: .*Connection refused' "$T/bad.log" || fail "no word about the refused connection"
scrape "$MPORT" "$T/bad.metrics"
lines=$(grep -c 'database: ' "$T/bad.log" || true)
failures=$(metric "$T/bad.metrics" chiso_db_connect_failures_total)
grep -m 1 'database: ' "$T/bad.log"
printf 'wrong conninfo: cause logged after %s s; over %s s %d lines for %s failed attempts\n' \
	"$first" "$(since "$t2")" "$lines" "${failures:-none}"
kill -TERM "$BAD_PID"
wait "$BAD_PID" || fail "chisod with a wrong conninfo did not stop cleanly"
[ -n "$failures" ] || fail "no chiso_db_connect_failures_total in the metrics"
# Pauses of 100, 200, 400, 800 and 1000 ms: a line for each, then one in ten attempts.
[ "$failures" -ge 10 ] || fail "only $failures connection failures counted"
[ "$lines" -le $((5 + failures / 10 + 1)) ] ||
	fail "$lines lines for $failures failed attempts: at most one per pause length and one in ten at the longest"
printf 'run time %s s\n' "$(since "$t_start")"
