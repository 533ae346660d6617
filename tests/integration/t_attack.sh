#!/usr/bin/env bash
# Security suite: hostile collectors against the live daemon while a legitimate
# collector keeps delivering.  Prints a table (attack, tried, refused, rows
# written, daemon alive) and asserts that no attack writes a row beyond the
# rejections kept, that the daemon stays up, and that every legitimate value
# arrives.  Also checks what each PostgreSQL role may do.
. "$(dirname "$0")/lib.sh"

ATTACK="$CHISO_TEST_BIN/chiso-attack"
ENDPOINT="tcp://127.0.0.1:$PORT"
SERVER_PUB="$T/var/keys/server.pub"

setup_database
start_chisod
make_agent xa-21298 21298   # the legitimate collector
make_agent attacker 21301   # a real commune key in the wrong hands
make_agent leaver 21304     # enrolled, then revoked while connected
make_agent gone 21307       # revoked before it connects
ctl collector revoke gone >/dev/null

say "a legitimate collector delivers throughout the attacks"
LEGIT_VALUES=30
(
	for i in $(seq 1 $LEGIT_VALUES); do
		# half-years 2000S1 .. 2014S2: thirty past periods inside the years accepted
		printf 'unit,indicator,period,value\n21298,portal_visits,%dS%d,%d\n' \
			$((2000 + (i - 1) / 2)) $(((i - 1) % 2 + 1)) "$i" \
			>"$T/legit_$i.csv"
		agent xa-21298 submit "$T/legit_$i.csv" >/dev/null
		sleep 0.2
	done
) &
LEGIT_SUBMIT=$!
BG_PIDS+=("$LEGIT_SUBMIT")
agent_bg xa-21298 run 2>"$T/legit_run.log"
LEGIT_RUN=$BG_PID

declare -a TABLE
# attack NAME ARGS...: runs one attack and keeps its figures.
attack() {
	local line
	# the figures are the last line (log-forge prints its refusals before them)
	line=$("$ATTACK" "$ENDPOINT" "$SERVER_PUB" "$@" | tail -n 1)
	echo "$line"
	TABLE+=("$line")
}

say "attacks"
attack unknown-key "" 50
attack no-curve "" 50
attack revoked-key "$T/agents/gone/gone.key"
attack other-commune "$T/agents/attacker/attacker.key"
attack claim-collector "$T/agents/attacker/attacker.key"
attack inject "$T/agents/attacker/attacker.key"
attack values "$T/agents/attacker/attacker.key"
attack log-forge "$T/agents/attacker/attacker.key"
attack malformed "$T/agents/attacker/attacker.key" 10000

say "a collector revoked while connected is cut off at once, others are not"
printf 'unit,indicator,period,value\n21304,population,2024,100\n' >"$T/leaver1.csv"
agent leaver submit "$T/leaver1.csv" >/dev/null
agent leaver run --until-empty --timeout 30 >/dev/null 2>&1
ctl collector revoke leaver >/dev/null
sleep 1 # the notification reaches chisod
printf 'unit,indicator,period,value\n21304,population,2024S1,200\n' >"$T/leaver2.csv"
agent leaver submit "$T/leaver2.csv" >/dev/null
rc=0
agent leaver run --until-empty --timeout 10 >"$T/leaver.log" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "a revoked collector's batch was acknowledged"
leaver_rows=$(sql "SELECT count(*) FROM observation o JOIN batch b ON b.id = o.batch_id
	JOIN collector c ON c.id = b.collector_id WHERE c.name = 'leaver'")
assert_eq "rows of the leaver before revocation" 1 "$leaver_rows"

wait "$LEGIT_SUBMIT"
for _ in $(seq 100); do
	[ "$(agent xa-21298 status | sed -n 's/^pending: *\([0-9]*\) batches.*/\1/p')" = 0 ] && break
	sleep 0.2
done
kill "$LEGIT_RUN"
wait "$LEGIT_RUN" || true

say "results"
alive=no
kill -0 "$CHISOD_PID" 2>/dev/null && alive=yes
attacker_rows=$(sql "SELECT count(*) FROM observation o JOIN batch b ON b.id = o.batch_id
	JOIN collector c ON c.id = b.collector_id WHERE c.name IN ('attacker', 'gone')")
kept=$(sql "SELECT count(*) FROM rejection r JOIN batch b ON b.id = r.batch_id
	JOIN collector c ON c.id = b.collector_id WHERE c.name = 'attacker'")
printf '%-18s %7s %8s %13s %13s\n' attack tried refused "rows written" "daemon alive"
for line in "${TABLE[@]}"; do
	eval "$(echo "$line" | tr ' ' '\n' | sed 's/^/local_/')"
	case "$local_attack" in
	unknown-key | no-curve | revoked-key) refused=$((local_tried - local_answered)) ;;
	*) refused=$((local_errors + local_rows_rejected)) ;;
	esac
	printf '%-18s %7d %8d %13d %13s\n' "$local_attack" "$local_tried" "$refused" "$attacker_rows" "$alive"
	case "$local_attack" in
	unknown-key | no-curve | revoked-key)
		assert_eq "$local_attack: answers to an unauthenticated peer" 0 "$local_answered" ;;
	malformed)
		# a few are lost with the connections cut for oversized messages
		[ "$local_tried" -ge 1000 ] || fail "malformed: only $local_tried messages sent before the deadline"
		[ $((local_errors * 100)) -ge $((local_tried * 90)) ] ||
			fail "malformed: only $local_errors refusals of $local_tried" ;;
	*)
		# every row sent was refused: in an ACK's rejected list, or with its whole batch
		[ $((local_rows_rejected + local_errors)) -ge 1 ] || fail "$local_attack: nothing refused" ;;
	esac
done
assert_eq "rows written by attackers" 0 "$attacker_rows"
assert_eq "daemon alive" yes "$alive"
[ "$kept" -ge 10 ] || fail "the attacker's refused rows were not kept ($kept)"
echo "refused rows kept for the province to see: $kept"
assert_eq "injection strings stored verbatim, not executed" 1 \
	"$(sql "SELECT count(*) FROM rejection WHERE ref = 'Robert''); DELETE FROM chiso.rollup;--'")"
assert_eq "every legitimate value delivered" "$LEGIT_VALUES" \
	"$(sql "SELECT count(*) FROM observation o JOIN batch b ON b.id = o.batch_id
		JOIN collector c ON c.id = b.collector_id WHERE c.name = 'xa-21298'")"
grep -q 'self-check passed' "$T/chisod.log" || fail "no self-check at start"
# The daemon's own count of handshakes refused (status record, written every 5 s).
sleep 6
zap_refused=$(ctl status --json | sed -n 's/.*"zap_refused": \([0-9]*\).*/\1/p')
echo "handshakes refused by the ZAP handler: $zap_refused"
[ "$zap_refused" -ge 52 ] || fail "the ZAP handler refused only $zap_refused handshakes"
[ "$(grep -c 'refused$' "$T/chisod.log")" -le 40 ] || fail "refusals flood the log"

say "what each PostgreSQL role may do"
reader=database.reader_conninfo
writer=database.conninfo
sql_as "${reader#database.}" "SELECT count(*) FROM chiso.v_rollup" >/dev/null
# a BI tool that sets nothing finds the views: the reader's default search_path is chiso
assert_eq "the reader's search_path" chiso "$(sql_as "${reader#database.}" "SHOW search_path")"
sql_as "${reader#database.}" "SELECT count(*) FROM v_rollup" >/dev/null
for q in "SELECT count(*) FROM chiso.observation" "SELECT count(*) FROM chiso.collector" \
	"INSERT INTO chiso.pillar VALUES ('x', 'x', 'x', 9)" "DELETE FROM chiso.rollup" \
	"SELECT chiso.rollup_rebuild()" "CREATE TABLE chiso.x (a int)"; do
	if sql_as "${reader#database.}" "$q" >/dev/null 2>&1; then fail "chiso_reader may: $q"; fi
	echo "ok: chiso_reader may not: $q"
done
for q in "DELETE FROM chiso.observation" "DROP TABLE chiso.rollup" "UPDATE chiso.collector SET revoked_at = NULL" \
	"SELECT count(*) FROM chiso.v_rollup" "INSERT INTO chiso.indicator (code) VALUES ('x')"; do
	if sql_as "${writer#database.}" "$q" >/dev/null 2>&1; then fail "chiso_writer may: $q"; fi
	echo "ok: chiso_writer may not: $q"
done
stop_chisod
