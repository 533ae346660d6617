#!/usr/bin/env bash
# Fault suite: agents killed with SIGKILL, during `submit` and during `run`.
# A submit killed at any moment has queued its whole file or nothing (one
# outbox transaction); the officer then submits the file again, as anyone
# would, and a file whose first copy still waits is not queued twice.  A run
# killed mid-send leaves unacknowledged batches in the outbox for the next
# run.  Counts sent / acked / stored / lost / duplicated (faultlib.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faultlib.sh"

NAGENTS=${F_AGENTS:-10}
KILLS=${F_KILLS:-$((20 * SOAK))}
fault_setup "$NAGENTS"
sent=$(fault_sent)
start_chisod

# Each agent's file in parts: one submit (killed or not) per part.
PARTS=$((6 * SOAK))
for name in "${AGENTS[@]}"; do
	f=$T/agents/$name/load.csv
	tail -n +2 "$f" >"$T/agents/$name/rows"
	split -n l/$PARTS -a 3 -d "$T/agents/$name/rows" "$T/agents/$name/part."
	rm "$T/agents/$name/rows"
	for p in "$T/agents/$name"/part.[0-9][0-9][0-9]; do
		{ head -n 1 "$f"; cat "$p"; } >"$p.csv"
		rm "$p"
	done
done
mapfile -t parts < <(ls "$T"/agents/*/part.*.csv | shuf)

say "kills during submit and during run: $KILLS each, $NAGENTS agents, ${#parts[@]} parts, $sent values"
t0=$(date +%s.%N)
submit_kills=0 run_kills=0 already=0 requeued=0 delay=20
for part in "${parts[@]}"; do
	name=$(basename "$(dirname "$part")")
	# An officer's submit, killed at a random moment (if still running)...
	agent_bg "$name" submit "$part"
	pid=$BG_PID
	# The delay hunts for the end of the submit (about 30 ms): shorter after a
	# miss, longer after a kill, so kills land early, late, and near the commit.
	sleep "$(printf '0.%03d' $((delay + RANDOM % 5)))"
	if kill -9 "$pid" 2>/dev/null; then
		submit_kills=$((submit_kills + 1))
		delay=$((delay * 5 / 4 + 1))
		wait "$pid" 2>/dev/null || true
		# ... and submitted again, as the officer would.
		case $(agent "$name" submit "$part") in
		*"already queued"*) already=$((already + 1)) ;;
		*"rows queued"*) requeued=$((requeued + 1)) ;;
		*) fail "resubmit of $part said nothing useful" ;;
		esac
	else
		wait "$pid" || fail "submit of $part failed"
		delay=$((delay * 2 / 3))
	fi
	BG_PIDS=()
	# A delivery run of some agent, killed mid-send.
	if [ "$run_kills" -lt "$KILLS" ]; then
		victim=${AGENTS[$((RANDOM % NAGENTS))]}
		# (not --until-empty: the run must still be there to be killed)
		agent_bg "$victim" run --timeout 60
		pid=$BG_PID
		sleep "0.$((RANDOM % 5))$((RANDOM % 10 + 1))"
		if kill -9 "$pid" 2>/dev/null; then
			run_kills=$((run_kills + 1))
		fi
		wait "$pid" 2>/dev/null || true
		BG_PIDS=()
	fi
done
printf 'kills: %d during submit (then %d found already queued, %d queued by the resubmit), %d during run\n' \
	"$submit_kills" "$already" "$requeued" "$run_kills"
[ "$submit_kills" -ge "$KILLS" ] || fail "only $submit_kills submits were killed (want $KILLS)"
[ "$run_kills" -ge "$KILLS" ] || fail "only $run_kills runs were killed (want $KILLS)"

say "the agents deliver the rest"
for name in "${AGENTS[@]}"; do
	agent_bg "$name" run --until-empty --timeout $((300 * SOAK))
done
wait_agents
printf 'delivered in %s s\n' "$(since "$t0")"
fault_counts "$NAGENTS" "$sent"
stop_chisod
