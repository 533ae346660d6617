#!/usr/bin/env bash
# Backup and restore rehearsal (docs/operations.md, section 7): the dump is
# taken with `pg_dump -Fc` as the guide says while chisod runs, the agents go
# on delivering, the server is lost, and the dump is restored into a NEW
# cluster (a new data directory) as the guide says: roles and an empty database
# first, /etc/chiso (here: the server keys) put back, pg_restore, db migrate,
# rollup verify, chisod started on it.  Meanwhile the agents built a backlog.
#
# Four files per agent (a01 .. a03), each 40 indicators x 5 years:
#   file 1  all agents, delivered and acknowledged before the dump
#   file 2  a01 only, committed before the dump but its ACKs lost
#           (libchiso_fault.so drops them), so a01 still holds it
#   file 3  after the dump: a02 and a03 acknowledged (their agents delete
#           an acknowledged batch), a01 committed with its ACKs lost again
#   file 4  all agents, queued while the server is down (the backlog)
# After the restore: file 2 is answered as a duplicate (the dump has it), a01's
# file 3 and every file 4 are stored, a02's and a03's file 3 are gone: the
# restored database ends at the dump and no agent holds them any more.  The
# test asserts exactly that (lost = those rows, nothing else missing, nothing
# stored twice) and prints sent/acked/stored/lost/duplicated.  The operator
# finds what is missing as gaps in the agents' batch sequences (the query of
# the guide); every agent runs `chiso-agent resend`: a01 and a02 kept their
# acknowledged batches (agent.keep_acked_days, default 7), so a02's file 3
# comes back; a03 keeps nothing (keep_acked_days = 0) and submits file 3
# again; then nothing is lost.
. "$(dirname "$0")/lib.sh"
F_INDICATORS=40
. "$(dirname "$0")/faultlib.sh"
PGBIN=/usr/lib/postgresql/15/bin
as_server() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

fault_setup 3
for name in "${AGENTS[@]}"; do
	# A commune PC has its own copy of the server's public key.
	cp "$T/var/keys/server.pub" "$T/agents/$name/server.pub"
	sed -i -e 's/batch_rows = 500;/batch_rows = 100;/' \
		-e "s|$T/var/keys/server.pub|$T/agents/$name/server.pub|" "$T/agents/$name/agent.conf"
done
# a03 deletes a batch at its ACK, as every agent did before agent.keep_acked_days.
sed -i 's/reconnect_max_ms = 1000;/reconnect_max_ms = 1000;\n\tkeep_acked_days = 0;/' "$T/agents/a03/agent.conf"
grep -q 'keep_acked_days = 0;' "$T/agents/a03/agent.conf" || fail "cannot set agent.keep_acked_days"
# chisod records its counters (chisoctl status) twice a second, not every 5 s.
sed -i 's/status_interval_ms = [0-9]*;/status_interval_ms = 500;/' "$CONF"
grep -q 'status_interval_ms = 500;' "$CONF" || fail "cannot set ingest.status_interval_ms"
start_chisod

# phase_csv AGENT_NO FILE_NO: the agent's file, 5 years of its own (file 1: 2000-2004 ...).
phase_csv() {
	local a=$1 f=$2
	# units: the agents' communes, from fault_setup (the database may be down here)
	F_YEARS=5 F_YEAR0=$((2000 + 5 * (f - 1))) fault_csv "$a" "${units[$((a - 1))]}" "$T/agents/a0$a/file$f.csv"
	agent "a0$a" submit "$T/agents/a0$a/file$f.csv" >/dev/null
	SENT=$((SENT + F_INDICATORS * 5))
}
SENT=0
# The expected rows of (agent, file) pairs as SQL, e.g. expected_sql "1 1" "2 1".
expected_sql() {
	local values= sep= p
	for p in "$@"; do
		values+="$sep(${p% *}, ${p#* })"
		sep=,
	done
	cat <<SQL
SELECT u.code AS unit, 'f' || lpad(i::text, ${#F_INDICATORS}, '0') AS ind, y::text AS period,
       ($F_VALUE_SQL)::numeric AS value
  FROM (VALUES $values) AS pf(a, f)
  JOIN (SELECT code, row_number() OVER (ORDER BY code) AS a
          FROM unit WHERE tier = 'commune' ORDER BY code LIMIT 3) u USING (a),
       generate_series(1, $F_INDICATORS) i,
       LATERAL generate_series(2000 + 5 * (f - 1), 2004 + 5 * (f - 1)) y
SQL
}
committed_batches() {
	sql "SELECT count(*) FROM batch b JOIN collector c ON c.id = b.collector_id WHERE c.name = '$1'"
}
# deliver NAME: runs the agent until its outbox is empty.
deliver() {
	agent "$1" run --until-empty --timeout 60 >>"$T/agents/$1/run.log" 2>&1 ||
		fail "$1 did not deliver its outbox"
}
# deliver_ack_lost NAME BATCHES: runs the agent with every ACK dropped until
# chisod has committed BATCHES batches of it in all, then stops it: the batches
# are stored but the agent still holds them, as when the line lost the ACKs.
deliver_ack_lost() {
	local name=$1 want=$2 saved_asan=${ASAN_OPTIONS-} pid
	[ -f "$CHISO_TEST_BIN/libchiso_fault.so" ] || fail "no $CHISO_TEST_BIN/libchiso_fault.so"
	LD_PRELOAD=$CHISO_TEST_BIN/libchiso_fault.so CHISO_FAULT_DROP_ACKS=100 \
		ASAN_OPTIONS=${saved_asan:+$saved_asan:}verify_asan_link_order=0 \
		"$CHISO_BIN/chiso-agent" -f "$T/agents/$name/agent.conf" run >>"$T/agents/$name/run.log" 2>&1 &
	pid=$!
	BG_PIDS+=("$pid")
	for _ in $(seq 300); do
		[ "$(committed_batches "$name")" -lt "$want" ] || break
		sleep 0.1
	done
	kill -TERM "$pid"
	wait "$pid" || true
	assert_eq "$name: batches committed with their ACKs lost" "$want" "$(committed_batches "$name")"
}
pending_rows() {
	agent "$1" status | sed -n 's/^pending: *[0-9.]* batch[a-z]*, \([0-9.]*\) rows.*/\1/p' | tr -d .
}
# conninfo_field KEY: a field of the owner's conninfo (the embedded cluster's are not quoted).
conninfo_field() {
	conf_value database.owner_conninfo | tr ' ' '\n' | sed -n "s/^$1=//p"
}

say "file 1 delivered by every agent; a01's file 2 committed with its ACKs lost"
for a in 1 2 3; do phase_csv "$a" 1; done
for name in "${AGENTS[@]}"; do deliver "$name"; done
phase_csv 1 2
deliver_ack_lost a01 4
assert_eq "a01 still holds file 2" 200 "$(pending_rows a01)"

say "pg_dump -Fc as docs/operations.md says, chisod running"
mkdir -p "$T/backups"
DUMP=$T/backups/chiso-$(date +%F).dump
PGPASSWORD=$(conninfo_field password) pg_dump -h "$(conninfo_field host)" -p "$(conninfo_field port)" \
	-U chiso_owner -Fc -f "$DUMP" chiso
# /etc/chiso is the other half of the backup: here the server keys.
cp -a "$T/var/keys" "$T/backups/keys"
printf 'dump: %s bytes\n' "$(stat -c %s "$DUMP")"

say "file 3 after the dump: a02 and a03 acknowledged, a01's ACKs lost again"
for a in 1 2 3; do phase_csv "$a" 3; done
deliver a02
deliver a03
deliver_ack_lost a01 6

say "the server is lost; the agents queue file 4 and keep trying"
stop_chisod
# Lost: stopped as a crash would stop it, then its data directory is gone.
as_server "$PGBIN/pg_ctl" -D "$T/var/pg/data" -m immediate -w stop >/dev/null
rm -rf "$T/var"
for a in 1 2 3; do phase_csv "$a" 4; done
BG_PIDS=() # the agents that lost their ACKs are stopped and waited for
for name in "${AGENTS[@]}"; do
	agent_bg "$name" run --until-empty --timeout 120 >>"$T/agents/$name/run.log" 2>&1
done
sleep 1
backlog=0
for name in "${AGENTS[@]}"; do backlog=$((backlog + $(pending_rows "$name"))); done
printf 'backlog while the server is down: %d rows\n' "$backlog"
assert_eq "backlog (a01 files 2-4, a02 and a03 file 4)" $((5 * F_INDICATORS * 5)) "$backlog"

say "restore into a new cluster: keys back, roles and empty database, pg_restore, migrate, verify"
mkdir -p "$T/var2"
cp -a "$T/backups/keys" "$T/var2/keys"
# db init creates the cluster, the three roles and the empty database chiso
# (bootstrap.sql), and points the configuration at them; it keeps the keys.
ctl db init --dir "$T/var2" >/dev/null
PGPASSWORD=$(conninfo_field password) pg_restore -h "$(conninfo_field host)" -p "$(conninfo_field port)" \
	-U chiso_owner -d chiso --exit-on-error "$DUMP"
check "db migrate after the restore" "database schema is up to date" "$(ctl db migrate 2>&1 | tail -n 1)"
ctl rollup verify >"$T/verify.txt" 2>&1 || { cat "$T/verify.txt"; fail "rollup verify after the restore"; }
tail -n 1 "$T/verify.txt"
start_chisod
rc=0
for p in "${BG_PIDS[@]}"; do wait "$p" || rc=$?; done
BG_PIDS=()
[ "$rc" -eq 0 ] || { tail -n 5 "$T"/agents/*/run.log; fail "an agent exited with status $rc"; }
# chisod's status record is written about once a second, later under load or
# the sanitizers: wait (30 s at most) for one that counts the duplicates.
duplicates_seen() { ctl status --all | sed -n 's/^batches: .* committed, \([0-9]*\) duplicates.*/\1/p'; }
for _ in $(seq 300); do
	duplicates=$(duplicates_seen)
	[ "${duplicates:-0}" -ge 2 ] && break
	sleep 0.1
done
printf 'batches the restored server recognised as already stored: %s\n' "$duplicates"
check_that "file 2's 2 batches answered as duplicates" [ "${duplicates:-0}" -ge 2 ]

say "counts after the restore"
obs="SELECT u.code AS unit, i.code AS ind, p.code AS period, o.value
       FROM observation o JOIN unit u ON u.id = o.unit_id
       JOIN indicator i ON i.id = o.indicator_id JOIN period p ON p.id = o.period_id
      WHERE i.code ~ '^f[0-9]+\$'"
# counts WHO_LOST: prints the figures; the rows of WHO_LOST ("agent file" pairs)
# are the ones expected missing, every other row sent must be stored once.
counts() {
	local pending=0 name held=() gone=() a f stored missing lost committed history duplicated
	for name in "${AGENTS[@]}"; do pending=$((pending + $(pending_rows "$name"))); done
	for a in 1 2 3; do
		for f in 1 2 3 4; do
			[ -f "$T/agents/a0$a/file$f.csv" ] || continue
			if [[ " $* " == *" $a$f "* ]]; then gone+=("$a $f"); else held+=("$a $f"); fi
		done
	done
	stored=$(sql "SELECT count(*) FROM ($obs) s")
	missing=$(sql "SELECT count(*) FROM ($(expected_sql "${held[@]}")) e
		        LEFT JOIN ($obs) s USING (unit, ind, period) WHERE s.value IS DISTINCT FROM e.value")
	lost=0
	if [ "${#gone[@]}" -gt 0 ]; then
		lost=$(sql "SELECT count(*) FROM ($(expected_sql "${gone[@]}")) e
			     LEFT JOIN ($obs) s USING (unit, ind, period) WHERE s.value IS DISTINCT FROM e.value")
	fi
	committed=$(sql "SELECT coalesce(sum(b.rows_total), 0) FROM batch b
			   JOIN collector c ON c.id = b.collector_id WHERE c.name ~ '^a[0-9]+\$'")
	history=$(sql "SELECT count(*) FROM observation_history h
			 JOIN indicator i ON i.id = h.indicator_id WHERE i.code ~ '^f[0-9]+\$'")
	duplicated=$((committed - stored + history - stored))
	printf 'figures: sent=%d acked=%d stored=%d lost=%d duplicated=%d (committed rows %d, history rows %d)\n' \
		"$SENT" "$((SENT - pending))" "$stored" "$lost" "$duplicated" "$committed" "$history"
	check "acked = sent" "$SENT" "$((SENT - pending))"
	check "rows still held by an agent or in the dump, missing" 0 "$missing"
	check "lost (acked after the dump, not resent)" "$((${#gone[@]} * F_INDICATORS * 5))" "$lost"
	check "stored = sent - lost" "$((SENT - lost))" "$stored"
	check "duplicated" 0 "$duplicated"
}
counts 23 33

say "the batches missing from the restored database: gaps in each agent's sequence"
# The query of docs/operations.md, section 7.
gaps() {
	sql "SELECT c.name, b.prev + 1 AS first_missing, b.seq - 1 AS last_missing
	       FROM (SELECT collector_id, seq,
	                    lag(seq) OVER (PARTITION BY collector_id, epoch ORDER BY seq) AS prev
	               FROM chiso.batch) b
	       JOIN chiso.collector c ON c.id = b.collector_id
	      WHERE b.seq > b.prev + 1 ORDER BY 1, 2" | tr '\n' ' ' | sed 's/ $//'
}
check "gaps: a02 and a03, their file 3 (batches 3-4)" "a02|3|4 a03|3|4" "$(gaps)"

say "every agent: chiso-agent resend (a03 keeps nothing: keep_acked_days = 0)"
for name in "${AGENTS[@]}"; do
	printf '%s: kept %s; ' "$name" "$(agent "$name" status | sed -n 's/^kept: *\([0-9]*\) .*/\1/p')"
	agent "$name" resend
	deliver "$name"
done
# Printed, not asserted (the status record may lag a second behind).
printf 'batches the restored server recognised as already stored, in all: %s\n' "$(duplicates_seen)"
counts 33
check "gaps after the resend: a03's file 3 only" "a03|3|4" "$(gaps)"

say "a03 submits file 3 again (the officer's file is still on the PC)"
agent a03 submit "$T/agents/a03/file3.csv" >/dev/null
deliver a03
printf 'submitted again: %d rows (the same rows: sent counts them once)\n' $((F_INDICATORS * 5))
counts
ctl rollup verify >"$T/verify.txt" 2>&1 || { cat "$T/verify.txt"; fail "rollup verify"; }
tail -n 1 "$T/verify.txt"
checks_done
stop_chisod
