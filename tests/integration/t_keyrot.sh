#!/usr/bin/env bash
# Rotation of the server's key with agents connected (issue 22; docs/operations.md
# §4.2).  Four agents push figures continuously (a bounded loop of small files,
# one every half second) while the operator, with the commands of the
# operations guide, makes the next keypair, hands its public half to the agents
# as server-next.pub, and restarts chisod on it.  The agents carry on with the
# next key by themselves.  Prints sent / acked / stored / lost / duplicated
# (faultlib.sh) and the longest time without an ACK; asserts nothing lost or
# counted twice, and that an agent which knows only the old key is refused
# afterwards, its batch kept for when it gets the new one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faultlib.sh"

NAGENTS=4
SLICES=12
F_INDICATORS=40 # x 25 years: 1 000 rows an agent, in slices of 84 rows
F_VERIFY=0      # the rollups are not what a key rotation could break
fault_setup "$NAGENTS"
sent=$(fault_sent)
KEYS=$T/var/keys

# Each agent has its own copy of server.pub (as on a commune PC), the next key's
# place (empty until the operator hands it out), small batches and quick
# reconnections; its load comes in SLICES files.
for name in "${AGENTS[@]}"; do
	d=$T/agents/$name
	cp "$KEYS/server.pub" "$d/server.pub"
	sed -i -e "s|public_key_file = \"$KEYS/server.pub\";|public_key_file = \"$d/server.pub\";\n\tpublic_key_next_file = \"$d/server-next.pub\";|" \
		-e 's/batch_rows = 500;/batch_rows = 40;\n\tping_interval_ms = 1000;/' "$d/agent.conf"
	grep -q "server-next.pub" "$d/agent.conf" || fail "cannot set $name's next key file"
	tail -n +2 "$d/load.csv" >"$d/rows"
	split -n "l/$SLICES" -d "$d/rows" "$d/slice."
	rm "$d/rows"
	for f in "$d"/slice.*; do
		{ echo "unit,indicator,period,value"; cat "$f"; } >"$f.csv"
		rm "$f"
	done
done

start_chisod
t0=$(date +%s.%N)
RUNNERS=() SUBMITTERS=()
for name in "${AGENTS[@]}"; do
	agent_bg "$name" run --timeout 50 >>"$T/agents/$name/run.log" 2>&1
	RUNNERS+=("$BG_PID")
done
# The officers' files, one every half second per agent: the load goes on
# through the whole rotation.
for name in "${AGENTS[@]}"; do
	(
		for f in "$T/agents/$name"/slice.*.csv; do
			agent "$name" submit "$f" >/dev/null
			sleep 0.5
		done
	) &
	BG_PIDS+=("$!")
	SUBMITTERS+=("$!")
done
say "$NAGENTS agents push $sent values in $SLICES files each"

# wait_for WHAT SECONDS COMMAND...: polls COMMAND every 0.1 s.
wait_for() {
	local what=$1 n=$(($2 * 10))
	shift 2
	while ! "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || fail "timed out waiting for $what"
		sleep 0.1
	done
}
stored_over() { [ "$(fault_stored)" -gt "$1" ]; }
wait_for "the first batches" 20 stored_over 0

say "operator: the next keypair, handed out to the agents as server-next.pub"
ctl keygen server-next --dir "$KEYS" >/dev/null
for name in "${AGENTS[@]}"; do
	cp "$KEYS/server-next.pub" "$T/agents/$name/server-next.pub"
done
# Step 3 of the guide: the agents that hold the next key say so in their HELLO
# (at their next ping), and chisod's log shows it.
tag=$(sed -n 's/^public-key = "\(.\{8\}\).*/\1/p' "$KEYS/server-next.pub")
ready() {
	[ "$(grep -F "next-key $tag" "$T/chisod.log" | sed -n 's/.*collector \([^:]*\): hello from.*/\1/p' |
		sort -u | wc -l)" -eq "$NAGENTS" ]
}
wait_for "the agents to hold the next key" 20 ready
printf 'agents holding the next key (chisod log, "next-key %s"): %d of %d\n' "$tag" "$NAGENTS" "$NAGENTS"
wait_for "more batches" 20 stored_over "$(fault_stored)"

say "operator: chisod switches to the next key"
before_switch=$(fault_stored)
[ "$before_switch" -lt "$sent" ] || fail "the load ended before the switch"
(
	cd "$KEYS" || exit 1
	mv server.key server-old.key && mv server.pub server-old.pub
	mv server-next.key server.key && mv server-next.pub server.pub
)
"$CHISO_BIN/chisod" -f "$CONF" -n 2>/dev/null || fail "chisod -n refuses the new key"
t_switch=$(date +%s.%N)
stop_chisod
start_chisod
printf 'switch at %d rows committed (%s s into the load), chisod back in %s s\n' \
	"$before_switch" "$(since "$t0")" "$(since "$t_switch")"
wait_for "a batch on the new key" 30 stored_over "$(fault_stored)"
printf 'first commit on the new key %s s after the switch\n' "$(since "$t_switch")"

for p in "${SUBMITTERS[@]}"; do wait "$p" || fail "a submit failed"; done
BG_PIDS=("${RUNNERS[@]}")
all_stored() { [ "$(fault_stored)" -ge "$sent" ]; }
wait_for "every row" 40 all_stored
printf 'load delivered in %s s\n' "$(since "$t0")"
for name in "${AGENTS[@]}"; do
	grep -q "connected with the province's next server key" "$T/agents/$name/run.log" ||
		fail "$name did not say it moved to the next key"
done
grep -h "server key\|handshake" "$T/agents/${AGENTS[0]}/run.log" | sed "s|$T|T|g"
for p in "${BG_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
wait_agents
# An agent restarted after the switch starts with the key that worked (agent.state).
a=${AGENTS[0]}
agent "$a" run --timeout 3 >"$T/agents/$a/restart.log" 2>&1 || fail "$a did not restart cleanly"
check_that "restarted agent: connected" grep -q "connected to chisod" "$T/agents/$a/restart.log"
check "restarted agent: refused handshakes" 0 "$(grep -c handshake "$T/agents/$a/restart.log" || true)"

# Seconds without an ACK: the longest pause between two commits of the load
# (an agent's ACK follows its batch's commit).
gap=$(sql "SELECT coalesce(round(extract(epoch FROM max(d))::numeric, 1), 0) FROM (
	     SELECT committed_at - lag(committed_at) OVER (ORDER BY committed_at) AS d
	       FROM batch b JOIN collector c ON c.id = b.collector_id
	      WHERE c.name ~ '^a[0-9]+\$') g")
printf 'longest time without an ACK: %s s (across the restart on the new key)\n' "$gap"
fault_counts "$NAGENTS" "$sent"

say "an agent that knows only the old key is refused; its batch waits"
unit=$(sql "SELECT code FROM unit WHERE tier = 'commune' ORDER BY code OFFSET $NAGENTS LIMIT 1")
make_agent late "$unit"
d=$T/agents/late
sed -i -e "s|public_key_file = \"$KEYS/server.pub\";|public_key_file = \"$KEYS/server-old.pub\";\n\tpublic_key_next_file = \"\";|" "$d/agent.conf"
grep -q 'public_key_next_file = "";' "$d/agent.conf" || fail "cannot give the late agent the old key"
printf 'unit,indicator,period,value\n%s,f01,2024,7\n' "$unit" >"$d/late.csv"
agent late submit "$d/late.csv" >/dev/null
rc=0
agent late run --until-empty --timeout 3 >"$d/run.log" 2>&1 || rc=$?
check "old key: run exit status (batches still waiting)" 1 "$rc"
check_that "old key: the handshake failed" grep -q "handshake" "$d/run.log"
check "old key: rows stored" 0 "$(sql "SELECT count(*) FROM batch b JOIN collector c ON c.id = b.collector_id WHERE c.name = 'late'")"
cp "$KEYS/server.pub" "$d/server-next.pub"
sed -i -e "s|public_key_next_file = \"\";|public_key_next_file = \"$d/server-next.pub\";|" "$d/agent.conf"
agent late run --until-empty --timeout 20 >>"$d/run.log" 2>&1 || fail "the late agent did not deliver with the new key"
check "given the new key: rows stored" 1 "$(sql "SELECT count(*) FROM observation o JOIN unit u ON u.id = o.unit_id WHERE u.code = '$unit'")"
checks_done
stop_chisod
printf 'key rotation: %s s in all\n' "$(since "$t0")"
