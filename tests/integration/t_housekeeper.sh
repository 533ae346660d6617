#!/usr/bin/env bash
# Housekeeping (deadlines, automatic closing, scheduled publication) runs on a
# thread and a connection of its own, so a slow housekeeping query delays no
# ACK.  A session holds row locks on period_deadline, which the housekeeper's
# pass rewrites and ingest only reads; with a SIGHUP the pass starts and waits
# for the locks.  While it waits, an agent delivers a year of values: every
# batch is acked and stored, and the housekeeper is still waiting at the end.
# Once the locks go the pass completes; and SIGTERM while it waits stops
# chisod at once (its statement is cancelled), not after the statement timeout.
. "$(dirname "$0")/lib.sh"

setup_database
sed -i 's/statement_timeout_ms = [0-9]*;/statement_timeout_ms = 120000;/' "$CONF"
grep -q 'statement_timeout_ms = 120000;' "$CONF" || fail "cannot set database.statement_timeout_ms"
start_chisod
make_agent xa-21298 21298

# The housekeeper's session: "waits" for a lock, "runs" otherwise, "none" if not
# connected.  From pg_locks: the owner cannot read the wait columns of
# pg_stat_activity for another role's session, but may read its application_name.
housekeeper_wait() {
	sql "SELECT CASE WHEN count(a.pid) = 0 THEN 'none'
		    WHEN bool_or(l.pid IS NOT NULL) THEN 'waits' ELSE 'runs' END
	     FROM pg_stat_activity a LEFT JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted
	     WHERE a.application_name = 'chisod-housekeeper'"
}
# Holds every row of period_deadline FOR UPDATE from a session of its own until released.
lock_deadlines() {
	sql "BEGIN; SELECT period_type FROM period_deadline FOR UPDATE; SELECT pg_sleep(600); COMMIT;" \
		>"$T/lock.log" 2>&1 &
	BG_PIDS+=("$!")
	for _ in $(seq 100); do
		[ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(600)%'
			  AND pid <> pg_backend_pid()")" -ge 1 ] && return 0
		sleep 0.1
	done
	fail "the locking session did not start: $(cat "$T/lock.log")"
}
release_deadlines() {
	sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	     WHERE query LIKE '%pg_sleep(600)%' AND pid <> pg_backend_pid()" >/dev/null
}
# wait_for STATE: until the housekeeper's session is in STATE (10 s at most).
wait_for() {
	for _ in $(seq 100); do
		[ "$(housekeeper_wait)" = "$1" ] && return 0
		sleep 0.1
	done
	fail "the housekeeper is [$(housekeeper_wait)], not [$1]"
}

say "a SIGHUP starts a housekeeping pass, which waits for the locks on period_deadline"
wait_for runs
lock_deadlines
kill -HUP "$CHISOD_PID"
wait_for waits

say "meanwhile an agent delivers: every batch acked and stored"
# Six files of ten rows: six batches, in flight together.
seed=$CHISO_SOURCE_DIR/data/seeds/sonnham_2024.csv
tail -n +2 "$seed" | split -l 10 - "$T/part."
for part in "$T"/part.*; do
	{ head -n 1 "$seed"; cat "$part"; } >"$part.csv"
	agent xa-21298 submit "$part.csv" >/dev/null
done
queued=$(find "$T/agents/xa-21298/outbox/pending" -type f -name '*.batch' | wc -l)
rows=$(($(wc -l <"$seed") - 1))
agent xa-21298 run --until-empty --timeout 60 >"$T/run.log" 2>&1 ||
	fail "not delivered while the housekeeper waited: $(tail -n 5 "$T/run.log")"
check "the housekeeper still waits for the locks" waits "$(housekeeper_wait)"
check "batches stored" "$queued" "$(sql "SELECT count(*) FROM batch b JOIN collector c
	ON c.id = b.collector_id WHERE c.name = 'xa-21298'")"
check "batches left in the outbox" 0 \
	"$(find "$T/agents/xa-21298/outbox/pending" -type f -name '*.batch' | wc -l)"
check "batches queued" 6 "$queued"
check "rows stored" "$rows" "$(sql "SELECT sum(rows_total) FROM batch")"
check "batches committed in the order sent" \
	"$(sql "SELECT string_agg(seq::text, ',' ORDER BY seq) FROM batch")" \
	"$(sql "SELECT string_agg(seq::text, ',' ORDER BY id) FROM batch")"

say "the locks released, the pass completes"
release_deadlines
wait_for runs
check "deadlines recorded" 6 "$(sql "SELECT count(*) FROM period_deadline")"

say "SIGTERM while the housekeeper waits: chisod stops without waiting for the statement timeout"
lock_deadlines
kill -HUP "$CHISOD_PID"
wait_for waits
t0=$(date +%s)
stop_chisod
took=$(($(date +%s) - t0))
printf 'stopped in %d s (statement timeout 120 s)\n' "$took"
check_that "stopped within 20 s" [ "$took" -le 20 ]
release_deadlines
checks_done
