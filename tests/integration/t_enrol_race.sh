#!/usr/bin/env bash
# Enrolment race: a key is usable the moment `chisoctl collector add` returns.
# While chisod is busy (agents pushing a backlog, so that its writer thread is
# inside commits), twelve rounds of: a new key, its enrolment, and at once a
# fresh agent with that key sending one batch.  libzmq never retries a refused
# handshake, so a key refused because chisod had not yet heard of it costs the
# agent a reconnection pause; the ZAP handler must look the key up instead of
# refusing it.  Prints rounds, admitted on the first handshake, refused
# handshakes (the agents' logs and chisod's counters, with how many keys it
# looked up in the database) and batches acked; asserts every round admitted
# on its first handshake and acked.
# Also: a revoked key is still refused at once, without waiting for a read.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faultlib.sh"

ROUNDS=12
F_INDICATORS=1000
fault_setup 3
# chisod's counters in `chisoctl status` within half a second
sed -i 's/status_interval_ms = [0-9]*;/status_interval_ms = 500;/' "$CONF"
for name in "${AGENTS[@]}"; do
	agent "$name" submit "$T/agents/$name/load.csv" >/dev/null
done
mapfile -t units < <(sql "SELECT code FROM unit WHERE tier = 'commune' ORDER BY code
			  OFFSET 3 LIMIT $ROUNDS")

start_chisod
say "3 agents push a backlog of $(fault_sent) rows"
for name in "${AGENTS[@]}"; do
	agent_bg "$name" run --until-empty --timeout 120 2>"$T/agents/$name/run.log"
done
# Wait until the first commit: from then on the writer is in commits.
for _ in $(seq 200); do
	[ "$(fault_stored)" -gt 0 ] && break
	sleep 0.05
done
[ "$(fault_stored)" -gt 0 ] || fail "the backlog did not start to arrive"

# round N: keygen, enrolment, and at once an agent with the new key and one batch
# queued beforehand (the agent's first handshake follows the enrolment within
# milliseconds).
refused=0 first=0 acked=0 before=$(fault_stored)
f1=$(printf "f%0${#F_INDICATORS}d" 1) # the first fault indicator
for r in $(seq 1 "$ROUNDS"); do
	name=$(printf 'r%02d' "$r") unit=${units[$((r - 1))]} dir=$T/agents/$(printf 'r%02d' "$r")
	mkdir -p "$dir"
	ctl keygen "$name" --dir "$dir" >/dev/null
	sed "s|$T/agents/a01/a01.key|$dir/$name.key|; s|$T/agents/a01/outbox|$dir/outbox|" \
		"$T/agents/a01/agent.conf" >"$dir/agent.conf"
	printf 'unit,indicator,period,value\n%s,%s,2024,%d\n' "$unit" "$f1" "$r" >"$dir/one.csv"
	agent "$name" submit "$dir/one.csv" >/dev/null
	ctl collector add "$name" --key "$dir/$name.pub" --unit "$unit" >/dev/null
	rc=0
	agent "$name" run --until-empty --timeout 20 >"$dir/run.log" 2>&1 || rc=$?
	# the agent says "(N times so far)" at the 1st, 2nd, 4th ... refusal
	n=$(sed -n "s/.*refused this agent's key (\([0-9]*\) times.*/\1/p" "$dir/run.log" | tail -n 1)
	n=${n:-0}
	refused=$((refused + n))
	[ "$n" -eq 0 ] && first=$((first + 1))
	[ "$rc" -eq 0 ] && acked=$((acked + 1))
	printf 'round %2d: %s exit=%d refusals=%d\n' "$r" "$name" "$rc" "$n"
done
during=$(($(fault_stored) - before))
left=$(($(fault_sent) + ROUNDS - $(fault_stored)))
printf 'figures: rounds=%d admitted_first_handshake=%d refused_handshakes=%d batches_acked=%d (backlog rows committed during the rounds: %d, still to commit: %d)\n' \
	"$ROUNDS" "$first" "$refused" "$acked" "$during" "$left"
# chisod's own count: its status record, once it has seen every handshake of the rounds
zap() { ctl status --json | sed -n "s/.*\"zap_$1\": \([0-9]*\).*/\1/p"; }
for _ in $(seq 100); do
	[ "$(zap accepted)" -ge $((3 + ROUNDS)) ] && break
	sleep 0.1
done
printf 'chisod: handshakes accepted=%s refused=%s; looked up in the database: %s, admitted after the look-up %s, refused after it %s\n' \
	"$(zap accepted)" "$(zap refused)" "$(zap parked)" "$(zap admitted_after_read)" \
	"$(zap refused_after_read)"
stored=$(sql "SELECT count(*) FROM observation o JOIN batch b ON b.id = o.batch_id
	      JOIN collector c ON c.id = b.collector_id WHERE c.name ~ '^r[0-9]+\$'")
assert_eq "rounds admitted on their first handshake" "$ROUNDS" "$first"
assert_eq "handshakes refused (agents' logs)" 0 "$refused"
# one refusal at every start: the self-check's throwaway key
assert_eq "handshakes refused (chisod's status)" 1 "$(zap refused)"
assert_eq "rounds acked" "$ROUNDS" "$acked"
assert_eq "rows of the rounds stored" "$ROUNDS" "$stored"
for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done

say "a revoked key is refused at once"
ctl collector revoke r01 >/dev/null
# Knock with the key until chisod, told of the revocation, refuses it as revoked.
for _ in $(seq 50); do
	grep -q 'collector r01: .*key revoked: refused' "$T/chisod.log" && break
	"$CHISO_TEST_BIN/chiso-attack" "tcp://127.0.0.1:$PORT" "$T/var/keys/server.pub" \
		revoked-key "$T/agents/r01/r01.key" >/dev/null
done
grep -q 'collector r01: .*key revoked: refused' "$T/chisod.log" ||
	fail "chisod did not refuse the revoked key as revoked"
printf 'unit,indicator,period,value\n%s,%s,2023,1\n' "${units[0]}" "$f1" >"$T/agents/r01/two.csv"
agent r01 submit "$T/agents/r01/two.csv" >/dev/null
rc=0
agent r01 run --until-empty --timeout 3 >"$T/agents/r01/revoked.log" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "a revoked key's batch was acknowledged"
grep -q "refused this agent's key" "$T/agents/r01/revoked.log" ||
	fail "the revoked key was not refused within the run"
checks_done
