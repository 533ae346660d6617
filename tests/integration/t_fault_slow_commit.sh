#!/usr/bin/env bash
# Fault suite: commits too slow for database.statement_timeout_ms.  While
# agents deliver, a session holds an EXCLUSIVE lock on the observation table
# for a few seconds, again and again, so that chisod's commits wait for it and
# are cancelled by the statement timeout (SQLSTATE 57014).  A timed-out commit
# must not be split in halves to look for a bad batch (that would run the same
# slow work again, down to single batches logged as "cannot be committed"):
# its batches are answered RETRY as they are, chisod logs one warning with the
# commit's rows and duration and makes the next commits smaller.  Counts as
# the other fault tests do, plus the timeouts, which must be more than 0.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faultlib.sh"

NAGENTS=${F_AGENTS:-6}
LOCKS=$((3 * SOAK))
LOCK_S=2.5
fault_setup "$NAGENTS"
sed -i -e 's/statement_timeout_ms = [0-9]*;/statement_timeout_ms = 1000;/' \
	-e 's/status_interval_ms = [0-9]*;/status_interval_ms = 500;/' "$CONF"
grep -q 'statement_timeout_ms = 1000;' "$CONF" || fail "cannot set database.statement_timeout_ms"
sent=$(fault_sent)

fault_submit
# The agents' acks and outlier notes go to a file: the figures below are what matters.
fault_start $((600 * SOAK)) log

say "$LOCKS locks of the observation table for $LOCK_S s each (statement timeout 1 s) during the load of $sent values"
locks=0 last=0
deadline=$(($(date +%s) + 600 * SOAK))
while [ "$locks" -lt "$LOCKS" ]; do
	fault_progress "the locks ($locks taken)" 0.1 || continue
	locks=$((locks + 1))
	printf 'lock %d at %d rows committed\n' "$locks" "$stored"
	sql "BEGIN; LOCK TABLE observation IN EXCLUSIVE MODE; SELECT pg_sleep($LOCK_S); COMMIT;" >/dev/null
	last=$(fault_stored)
done
wait_agents
printf 'load delivered in %s s through %d locks\n' "$(since "$t0")" "$locks"
kill -0 "$CHISOD_PID" || fail "chisod is not running"

timeouts=$(grep -c 'timed out after' "$T/chisod.log" || true)
bisected=$(grep -c 'cannot be committed' "$T/chisod.log" || true)
grep 'timed out after' "$T/chisod.log" | head -n 3 | sed 's/^<[0-9]>/chisod: /'
grep 'commits are quick again' "$T/chisod.log" | tail -n 1 | sed 's/^<[0-9]>/chisod: /'
sleep 1 # one more status record after the last commit
ctl status --json >"$T/status.json" || fail "chisoctl status failed"
st_timeouts=$(jq -r .commit_timeouts "$T/status.json")
st_cap=$(jq -r .commit_cap_rows "$T/status.json")
printf 'figures: timeouts logged=%d, in status=%s; commit cap now %s rows; batches logged as cannot be committed=%d\n' \
	"$timeouts" "$st_timeouts" "$st_cap" "$bisected"
[ "$timeouts" -gt 0 ] || fail "no commit timed out: the locks did not slow the commits"
assert_eq "timeouts in chisoctl status" "$timeouts" "$st_timeouts"
assert_eq "batches bisected down to one" 0 "$bisected"
fault_counts "$NAGENTS" "$sent"
stop_chisod
