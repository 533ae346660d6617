#!/usr/bin/env bash
# Fault suite: a bad line between the agents and chisod.  The agents connect
# through chiso-relay (tests/tools), which forwards the byte stream in random
# small pieces with random delays, cuts every connection again and again, and
# twice leaves every connection half-open (no byte passes, no close is seen:
# only the heartbeats can tell).  The agents also lose 30 % of the ACKs, as if
# the line had lost them (libchiso_fault.so, tests/tools/chiso-fault.c,
# preloaded), so batches already committed are sent again.  Counts
# as the other fault tests do.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faultlib.sh"

NAGENTS=${F_AGENTS:-5}
CUTS=$((10 * SOAK))
HALF_OPEN=$((2 * SOAK))
fault_setup "$NAGENTS"
sent=$(fault_sent)
RPORT=$((PORT + 1))
"$CHISO_TEST_BIN/chiso-relay" "$RPORT" "$PORT" -c 1500 -d 2 >"$T/relay.log" 2>&1 &
RELAY_PID=$!
BG_PIDS+=("$RELAY_PID")
for name in "${AGENTS[@]}"; do
	sed -i "s|tcp://127.0.0.1:$PORT|tcp://127.0.0.1:$RPORT|" "$T/agents/$name/agent.conf"
done
fault_submit
start_chisod
t0=$(date +%s.%N)
# The lost ACKs come from a preloaded test library, not from the agent; an
# AddressSanitizer agent must be told to accept a library loaded before its runtime.
[ -f "$CHISO_TEST_BIN/libchiso_fault.so" ] || fail "no $CHISO_TEST_BIN/libchiso_fault.so"
saved_asan=${ASAN_OPTIONS-}
export LD_PRELOAD=$CHISO_TEST_BIN/libchiso_fault.so CHISO_FAULT_DROP_ACKS=30
export ASAN_OPTIONS=${saved_asan:+$saved_asan:}verify_asan_link_order=0
fault_deliver $((600 * SOAK))
unset LD_PRELOAD CHISO_FAULT_DROP_ACKS
if [ -n "$saved_asan" ]; then export ASAN_OPTIONS=$saved_asan; else unset ASAN_OPTIONS; fi

say "$CUTS cuts and $HALF_OPEN half-open links during the load of $sent values"
cut=0 frozen=0 last=0
deadline=$(($(date +%s) + 600 * SOAK))
while [ "$cut" -lt "$CUTS" ] || [ "$frozen" -lt "$HALF_OPEN" ]; do
	fault_progress "the faults ($cut cuts, $frozen half-open)" || continue
	last=$stored
	sleep "0.$((RANDOM % 10))"
	if [ "$cut" -lt "$CUTS" ]; then
		kill -USR1 "$RELAY_PID"
		cut=$((cut + 1))
		printf 'cut %d at %d rows committed\n' "$cut" "$stored"
	else
		kill -USR2 "$RELAY_PID"
		frozen=$((frozen + 1))
		printf 'half-open %d at %d rows committed\n' "$frozen" "$stored"
	fi
done
for p in "${BG_PIDS[@]}"; do
	[ "$p" = "$RELAY_PID" ] || wait "$p" || fail "an agent failed"
done
printf 'load delivered in %s s\n' "$(since "$t0")"
kill -TERM "$RELAY_PID"
wait "$RELAY_PID" || true
BG_PIDS=()
cat "$T/relay.log"
fault_counts "$NAGENTS" "$sent"
stop_chisod
