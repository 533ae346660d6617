#!/usr/bin/env bash
# Fault suite: an agent's outbox state goes back in time (restored from a
# backup, copied to a new PC, a lost write) and hands out batch keys the
# province already has.  A batch key binds its content (docs/reliability.md):
# the same key with other rows is refused as key_reused, the agent re-keys the
# batch by itself and delivers it, exactly once.  Also: the same key with the
# same rows is a duplicate, nothing written again; and a damaged state file is
# kept in corrupt/, said loudly, and the outbox goes on under a new epoch.
#
# The fault data (faultlib.sh) is cut into four files of different keys,
# delivered one after the other; file 3 is submitted after the state of before
# file 2 was put back, so its batches get file 2's keys with other figures.
F_INDICATORS=${F_INDICATORS:-24}
F_YEARS=${F_YEARS:-10}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faultlib.sh"

t_start=$(date +%s.%N)
fault_setup 1
A=$T/agents/a01
OB=$A/outbox
# Three batches per file: several keys reused at once, in flight together.
sed -i 's/batch_rows = 500;/batch_rows = 20;/' "$A/agent.conf"
grep -q 'batch_rows = 20;' "$A/agent.conf" || fail "cannot set agent.batch_rows"
sent=$(fault_sent)
per=$((sent / 4))
for k in 1 2 3 4; do
	{ head -n 1 "$A/load.csv"; tail -n +2 "$A/load.csv" | sed -n "$(((k - 1) * per + 1)),$((k * per))p"; } >"$A/file$k.csv"
done
start_chisod

# deliver: runs the agent until its outbox is empty (bounded: 300 s, against a hang).
deliver() {
	agent a01 run --until-empty --timeout 300 2>>"$T/agent.log" ||
		fail "the agent did not empty its outbox within 300 s (see its log below)"
}
state_value() { sed -n "s/^$1 //p" "$OB/state"; }
agent_stat() { sed -n "s/^$1=//p" "$OB/agent.state"; }
# Rows of the given files missing from the database or stored with another value.
missing() {
	local f values=""
	for f in "$@"; do
		values+=$(tail -n +2 "$f" | awk -F, -v q="'" '{
			printf "%s(%s%s%s,%s%s%s,%s%s%s,%s)", sep, q, $1, q, q, $2, q, q, $3, q, $4
			sep = ","
		}')
		values+=","
	done
	sql "SELECT count(*) FROM (VALUES ${values%,}) e(unit, ind, period, value)
	       LEFT JOIN (SELECT u.code AS unit, i.code AS ind, p.code AS period, o.value
			    FROM observation o JOIN unit u ON u.id = o.unit_id
			    JOIN indicator i ON i.id = o.indicator_id
			    JOIN period p ON p.id = o.period_id) s USING (unit, ind, period)
	      WHERE s.value IS DISTINCT FROM e.value::numeric"
}
committed() { sql "SELECT count(*) || ' batches, ' || coalesce(sum(rows_total), 0) || ' rows' FROM batch"; }

say "file 1 delivered; its records kept aside for a resend later"
agent a01 submit "$A/file1.csv" >/dev/null
mkdir -p "$T/saved"
cp "$OB"/pending/*.batch "$T/saved/"
deliver
cp "$OB/state" "$T/state.before2"
epoch1=$(state_value epoch)

say "file 2 delivered, then the outbox state of before file 2 is put back"
agent a01 submit "$A/file2.csv" >/dev/null
deliver
cp "$T/state.before2" "$OB/state"

say "file 3 (other figures) gets file 2's keys"
agent a01 submit "$A/file3.csv" | tee "$T/submit3.txt"
deliver
lost=$(missing "$A/file1.csv" "$A/file2.csv" "$A/file3.csv")
stored=$(sql "SELECT count(*) FROM observation o JOIN indicator i ON i.id = o.indicator_id
	       WHERE i.code ~ '^f[0-9]+\$'")
history=$(sql "SELECT count(*) FROM observation_history h JOIN indicator i ON i.id = h.indicator_id
		WHERE i.code ~ '^f[0-9]+\$'")
rows=$(sql "SELECT coalesce(sum(rows_total), 0) FROM batch")
pending=$(agent a01 status | sed -n 's/^pending: *[0-9.]* batch[a-z]*, \([0-9.]*\) rows.*/\1/p' | tr -d .)
printf 'files 1-3: sent=%d acked=%d stored=%d lost=%d duplicated=%d (re-keyed by the agent %s, refused as key_reused %s)\n' \
	$((3 * per)) $((3 * per - pending)) "$stored" "$lost" $((rows - stored + history - stored)) \
	"$(agent_stat rekeyed_batches)" "$(grep -c 'refused as key_reused' "$T/chisod.log" || true)"
assert_eq "lost (files 1-3)" 0 "$lost"
assert_eq "duplicated (files 1-3)" 0 $((rows - stored + history - stored))
assert_eq "stored (files 1-3)" $((3 * per)) "$stored"
assert_eq "re-keyed batches" 3 "$(agent_stat rekeyed_batches)"
# A batch sent twice before its answer (a resend at reconnect) is refused twice
# and re-keyed once: the second answer names the old key, which is settled.
refusals=$(grep -c 'refused as key_reused' "$T/chisod.log" || true)
[ "$refusals" -ge 3 ] || fail "chisod logged $refusals key_reused refusals, expected at least 3"
epoch2=$(state_value epoch)
[ "$epoch2" != "$epoch1" ] || fail "the outbox kept epoch $epoch1 after a key was refused"
grep -q 'went back in time' "$T/agent.log" || fail "the agent did not say what happened"
printf 'epoch %s -> %s\n' "$epoch1" "$epoch2"
grep -m 1 "went back in time" "$T/agent.log"

say "the same key with the same rows: a duplicate, nothing written"
before=$(committed)
hist_before=$history
dup_before=$(agent_stat duplicate_acks)
first=$(ls "$T/saved" | head -n 1)
cp "$T/saved/$first" "$OB/pending/$first"
deliver
assert_eq "batches after an identical resend" "$before" "$(committed)"
assert_eq "history rows after an identical resend" "$hist_before" \
	"$(sql "SELECT count(*) FROM observation_history")"
assert_eq "duplicate ACKs" $((dup_before + 1)) "$(agent_stat duplicate_acks)"

say "a damaged state file: kept in corrupt/, a new epoch, file 4 delivered"
sed -i 's/^next_seq \([0-9]*\)$/next_seq 1/' "$OB/state"
agent a01 submit "$A/file4.csv" >"$T/submit4.txt" 2>&1 || { cat "$T/submit4.txt"; fail "submit after a damaged state"; }
cat "$T/submit4.txt"
grep -q 'state is damaged (crc32 mismatch' "$T/submit4.txt" || fail "the damaged state was not reported"
[ -f "$OB/corrupt/state" ] || fail "the damaged state was not kept in corrupt/"
epoch3=$(state_value epoch)
[ "$epoch3" != "$epoch2" ] && [ "$epoch3" != "$epoch1" ] || fail "no new epoch after a damaged state"
deliver

fault_counts 1 "$sent"
stop_chisod
printf 'run time: %s s\n' "$(since "$t_start")"
