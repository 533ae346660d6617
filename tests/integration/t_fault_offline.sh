#!/usr/bin/env bash
# Fault suite: a commune offline for weeks.  Its agent queues 25 000 values
# while chisod is down, then the province comes back: everything is
# delivered, and in the order it was queued (batch ids in the database follow
# the agent's sequence numbers).  Counts as the other fault tests do.
# 25 years: a period must be a past year from 2000 on (4 000 indicators instead of
# 1 000 kept 100 000 values, but made rollup verify run for minutes)
F_INDICATORS=${F_INDICATORS:-1000}
F_YEARS=${F_YEARS:-25}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faultlib.sh"

fault_setup 1
sent=$(fault_sent)
say "chisod is down; the agent queues $sent values and tries to deliver"
agent a01 submit "$T/agents/a01/load.csv"
# The agent keeps trying while the province is unreachable.
agent_bg a01 run --until-empty --timeout $((600 * SOAK))
sleep 3
printf 'while offline: %s\n' "$(agent a01 status | sed -n 's/^pending: *//p')"
kill -0 "$BG_PID" || fail "the agent gave up while the province was down"

say "the province comes back"
t0=$(date +%s.%N)
start_chisod
wait_agents
printf 'backlog of %d values delivered in %s s\n' "$sent" "$(since "$t0")"
out_of_order=$(sql "SELECT count(*) FROM (
		SELECT seq, lag(seq) OVER (ORDER BY b.id) AS prev
		  FROM batch b JOIN collector c ON c.id = b.collector_id WHERE c.name = 'a01') x
		 WHERE prev > seq")
batches=$(sql "SELECT count(*) FROM batch b JOIN collector c ON c.id = b.collector_id
		WHERE c.name = 'a01'")
printf 'batches committed: %d, out of order: %d\n' "$batches" "$out_of_order"
assert_eq "batches committed out of order" 0 "$out_of_order"
fault_counts 1 "$sent"
stop_chisod
