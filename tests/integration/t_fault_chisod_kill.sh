#!/usr/bin/env bash
# Fault suite: chisod killed with SIGKILL again and again while 20 agents
# deliver 200 000 values over CURVE.  Each kill loses whatever chisod held in
# memory: batches received and not committed, a commit in flight, acks not yet
# sent.  The agents resend what was not acknowledged; the batch keys make a
# resend of a committed batch an ack without a second write.  Counts sent /
# acked / stored / lost / duplicated and checks the rollups (faultlib.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faultlib.sh"

NAGENTS=${F_AGENTS:-20}
KILLS=${F_KILLS:-$((20 * SOAK))}
fault_setup "$NAGENTS"
sent=$(fault_sent)
say "$NAGENTS agents queue $sent values"
fault_submit

fault_start $((600 * SOAK))

# A kill once chisod has committed a share of the load since the last one,
# after a random pause, so that kills land in every phase (batches arriving, a
# commit in flight, acks not yet sent) and the load still moves between them.
# The share, not a time, paces the kills: how fast the load goes depends on
# the build and the machine (under ASan it was no slower than the normal
# build and outran a time-paced loop), and all kills must land inside it.
# The random pause lets a few more commits through before each kill (about
# 3 000 rows here), hence shares of a third of sent / kills.
step=$((sent / (3 * KILLS)))
say "killing chisod $KILLS times during the load, one per $step rows committed"
kills=0 last=0
deadline=$(($(date +%s) + ${F_BOUND:-600} * SOAK))
while [ "$kills" -lt "$KILLS" ]; do
	if [ "$(date +%s)" -ge "$deadline" ]; then
		sql "SELECT pid, usename, state, wait_event_type, wait_event, now() - xact_start,
			    left(query, 80) FROM pg_stat_activity WHERE datname IS NOT NULL" || true
		fail "only $kills kills before the time bound"
	fi
	stored=$(fault_stored)
	if [ "$stored" -ge "$sent" ]; then
		fail "the load finished after $kills kills: it must last for $KILLS"
	fi
	if [ "$stored" -lt $((last + step)) ]; then
		sleep 0.1
		continue
	fi
	sleep "0.$((RANDOM % 10))"
	kill -9 "$CHISOD_PID"
	wait "$CHISOD_PID" 2>/dev/null || true
	kills=$((kills + 1))
	last=$(fault_stored)
	t1=$(date +%s.%N)
	start_chisod
	printf 'kill %d at %d rows committed (%s s), chisod ready again in %s s\n' \
		"$kills" "$last" "$(since "$t0")" "$(since "$t1")"
done
wait_agents
printf 'load delivered in %s s with %d kills of chisod\n' "$(since "$t0")" "$kills"
fault_counts "$NAGENTS" "$sent"
# Batches of one transaction share committed_at (now() is the transaction's
# start): no commit may hold more than ingest.commit_max_rows, however many
# batches the agents had in flight while the writer was busy.
biggest=$(sql "SELECT max(n) FROM (SELECT sum(rows_total) n FROM batch GROUP BY committed_at) c")
commits=$(sql "SELECT count(DISTINCT committed_at) FROM batch")
printf 'commits: %d, the largest %d rows (ingest.commit_max_rows = 2000)\n' "$commits" "$biggest"
[ "$biggest" -le 2000 ] || fail "a commit of $biggest rows: ingest.commit_max_rows is 2000"
stop_chisod
