#!/usr/bin/env bash
# Property test of the order rule (docs/reliability.md, "Order of values"):
# the same ordered sequence of updates, cut into batches in different ways,
# leaves the same stored values and the same history.
#
# A random sequence of updates of a few keys (unit, indicator, period) is
# drawn: random values, random dates inside the half-year, rows given by
# period (dated the period's last day) as well as by date, so that one key is
# updated several times in one batch, with earlier and later dates in any
# order, and with equal dates (the period row and the row dated its last
# day).  Each commune gets the same sequence through its own agent and the
# real chisod, cut differently: all of it in one batch, one batch per row, and
# random cuts (one file per cut).  For every commune the stored values and the
# history (each row's key, value, date, whether it was applied, and the value
# that stood when it came) must equal a reference computed here, in awk, from
# the rule alone; so must the rows flagged `superseded` (the rows not applied,
# compared row by row: key, value and date).
#
# CHISO_ORDER_UPDATES (default 48) sizes the sequence; CHISO_ORDER_SEED fixes it.
. "$(dirname "$0")/lib.sh"

# seconds since a `date +%s.%N` reading, one decimal
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
t_start=$(date +%s.%N)

SEED=${CHISO_ORDER_SEED:-$RANDOM}
NUPD=${CHISO_ORDER_UPDATES:-48}
RANDOM=$SEED
# Counts of the administrative calendar (the catalogue's default), reported per
# half-year; none is a term of a ratio or a sum rule, so nothing is refused or
# held back for another reason.
INDICATORS=(portal_visits portal_page_views bts_stations security_incidents_handled)
PERIODS=(2024S1 2024S2)

setup_database
assert_eq "calendar of the indicators" "administrative" \
	"$(sql "SELECT string_agg(DISTINCT calendar, ',') FROM indicator
		WHERE code IN ($(printf "'%s'," "${INDICATORS[@]}" | sed 's/,$//'))")"
# Each half-year's days (Decree 09/2019/NĐ-CP: 2024S1 ends on 14 June).
declare -A FIRST LAST
FIRST[2024S1]=2024-01-01 LAST[2024S1]=2024-06-14
FIRST[2024S2]=2024-06-15 LAST[2024S2]=2024-12-14

say "sequence of $NUPD updates (seed $SEED)"
# Rows: indicator, period, period column, date column, the row's date.  For
# every key its period row and the row dated its last day (equal dates), and
# further rows on distinct random days before it; the first kind all, the
# second as many as NUPD leaves, shuffled into one order.  No (key, period or
# date) twice: chiso-agent refuses that in one file as a typing mistake, and
# the one-batch cut is one file.
: >"$T/ties"
: >"$T/others"
for ind in "${INDICATORS[@]}"; do
	for p in "${PERIODS[@]}"; do
		printf '%s\t%s\t%s\t\t%s\n' "$ind" "$p" "$p" "${LAST[$p]}" >>"$T/ties"
		printf '%s\t%s\t\t%s\t%s\n' "$ind" "$p" "${LAST[$p]}" "${LAST[$p]}" >>"$T/ties"
		f=$(date -u -d "${FIRST[$p]}" +%s)
		days=$((($(date -u -d "${LAST[$p]}" +%s) - f) / 86400))
		for d in $(seq 0 $((days - 1)) | shuf -n 12 --random-source=<(yes "$SEED$ind$p")); do
			day=$(date -u -d "@$((f + d * 86400))" +%F)
			printf '%s\t%s\t\t%s\t%s\n' "$ind" "$p" "$day" "$day" >>"$T/others"
		done
	done
done
nties=$(wc -l <"$T/ties")
[ "$NUPD" -ge "$nties" ] && [ "$NUPD" -le $((nties + $(wc -l <"$T/others"))) ] ||
	fail "CHISO_ORDER_UPDATES must be from $nties to $((nties + $(wc -l <"$T/others")))"
{
	cat "$T/ties"
	shuf -n $((NUPD - nties)) --random-source=<(yes "o$SEED") "$T/others"
} | shuf --random-source=<(yes "s$SEED") |
	awk -v seed="$SEED" 'BEGIN { srand(seed) } { printf "%s\t%d\n", $0, int(rand() * 1000) }' \
	>"$T/seq"
nupd=$(wc -l <"$T/seq")
assert_eq "updates in the sequence" "$NUPD" "$nupd"

# The reference, from the rule alone: a row is applied when its date is not
# earlier than the latest date of its key so far (a later row wins equal
# dates); the stored value is the last applied one.  History lines:
# key|value|date|applied|value standing when it came.
awk -F'\t' '
	{ k = $1 "|" $2
	  applied = !(k in top) || $5 >= top[k]
	  printf "H %s|%s|%s|%s|%s\n", k, $6, $5, applied ? "t" : "f", (k in val) ? val[k] : "new"
	  if (applied) { top[k] = $5; val[k] = $6 } else nflag++ }
	END { for (k in val) printf "F %s|%s\n", k, val[k]; printf "N %d\n", nflag }' \
	"$T/seq" >"$T/ref.all"
grep '^H ' "$T/ref.all" | cut -c3- | sort >"$T/ref.hist"
grep '^F ' "$T/ref.all" | cut -c3- | sort >"$T/ref.final"
# the rows flagged superseded: key|value|date of the rows not applied
awk -F'|' '$5 == "f" { print $1 "|" $2 "|" $3 "|" $4 }' "$T/ref.hist" | sort >"$T/ref.flags"
ref_flags=$(sed -n 's/^N //p' "$T/ref.all")
ties=$(awk -F'\t' '{ n[$1 "|" $2 "|" $5]++ } END { for (k in n) t += n[k] > 1; print t + 0 }' "$T/seq")
printf 'updates %d, keys %d, keys with equal dates %d, rows not applied (reference) %d\n' \
	"$nupd" "$(wc -l <"$T/ref.final")" "$ties" "$ref_flags"

# Communes of huyện Sơn Hà valid through 2024, one per cut.
mapfile -t UNITS < <(sql "SELECT code FROM unit WHERE tier = 'commune' AND parent_id =
	(SELECT id FROM unit WHERE code = '529' ORDER BY valid_from LIMIT 1)
	AND valid_from <= '2023-12-15' AND valid_to > '2024-12-14' ORDER BY code LIMIT 3")
CUTS=(one_batch batch_per_row random_cuts)
start_chisod

# csv UNIT FROM TO: rows FROM..TO (1-based) of the sequence as the agent's CSV
csv() {
	echo "unit,indicator,period,date,value"
	sed -n "$2,$3p" "$T/seq" | awk -F'\t' -v u="$1" -v OFS=, '{ print u, $1, $3, $4, $6 }'
}

for c in 0 1 2; do
	u=${UNITS[$c]} name=c$c
	make_agent "$name" "$u"
	case ${CUTS[$c]} in
	one_batch) rows=10000 ;;
	batch_per_row) rows=1 ;;
	random_cuts) rows=10000 ;;
	esac
	sed -i "s|^agent: {|agent: {\n\tbatch_rows = $rows;|" "$T/agents/$name/agent.conf"
	if [ "${CUTS[$c]}" = random_cuts ]; then
		from=1 part=0
		while [ "$from" -le "$nupd" ]; do
			to=$((from + RANDOM % 9))
			[ "$to" -le "$nupd" ] || to=$nupd
			part=$((part + 1))
			csv "$u" "$from" "$to" >"$T/$name.$part.csv"
			agent "$name" submit "$T/$name.$part.csv" >/dev/null 2>&1
			from=$((to + 1))
		done
	else
		csv "$u" 1 "$nupd" >"$T/$name.csv"
		agent "$name" submit "$T/$name.csv" >/dev/null 2>&1
	fi
done
t0=$(date +%s.%N)
for c in 0 1 2; do agent_bg "c$c" run --until-empty --timeout 300 2>"$T/c$c.run.log"; done
for p in "${BG_PIDS[@]}"; do wait "$p" || fail "an agent did not deliver everything"; done
BG_PIDS=()
printf 'delivered in %s s\n' "$(since "$t0")"

say "per cut: batches, commits, stored values and history against the reference"
total_diff=0 cuts_wrong='' accepted_all=''
for c in 0 1 2; do
	u=${UNITS[$c]} name=c$c
	IFS='|' read -r batches commits accepted rejected < <(sql "
		SELECT count(*), count(DISTINCT b.committed_at), sum(b.rows_accepted),
		       sum(b.rows_rejected)
		FROM batch b JOIN collector c ON c.id = b.collector_id WHERE c.name = '$name'")
	sql "SELECT indicator_code || '|' || period || '|' || trim_scale(value)
	     FROM v_observation WHERE unit_code = '$u'" | sort >"$T/$name.final"
	# to_jsonb: the same query reads a history without date or applied column
	sql "SELECT h->>'indicator_code' || '|' || (h->>'period') || '|' || (h->>'new_value') || '|'
		    || coalesce(h->>'date', '?') || '|' || coalesce(left(h->>'applied', 1), '?') || '|'
		    || coalesce(h->>'old_value', 'new')
	     FROM (SELECT to_jsonb(v) AS h FROM v_history v WHERE v.unit_code = '$u') x" |
		sort >"$T/$name.hist"
	sql "SELECT h.indicator_code || '|' || h.period || '|' || trim_scale(h.new_value) || '|'
		    || h.date
	     FROM v_flag f JOIN v_history h USING (collector, batch_seq, row_no, unit_code,
						  indicator_code, period)
	     WHERE f.unit_code = '$u' AND f.code = 'superseded'" | sort >"$T/$name.flags"
	flags=$(wc -l <"$T/$name.flags")
	dflags=$(comm -3 "$T/ref.flags" "$T/$name.flags" | wc -l)
	dfinal=$(comm -3 "$T/ref.final" "$T/$name.final" | wc -l)
	dhist=$(comm -3 "$T/ref.hist" "$T/$name.hist" | wc -l)
	printf '%-13s unit %s: batches %d, commits %d, accepted %d, rejected %d, history rows %d, flagged %d; differences: stored %d, history %d, flags %d\n' \
		"${CUTS[$c]}" "$u" "$batches" "$commits" "$accepted" "$rejected" \
		"$(wc -l <"$T/$name.hist")" "$flags" "$dfinal" "$dhist" "$dflags"
	if [ "$dhist" -gt 0 ]; then
		comm -3 "$T/ref.hist" "$T/$name.hist" | head -n 6 | sed 's/^/  ref|got: /'
	fi
	if [ "$dflags" -gt 0 ]; then
		comm -3 "$T/ref.flags" "$T/$name.flags" | head -n 6 | sed 's/^/  flags ref|got: /'
	fi
	total_diff=$((total_diff + dfinal + dhist + dflags))
	case ${CUTS[$c]} in
	one_batch) cut_ok=$((batches == 1)) ;;
	batch_per_row) cut_ok=$((batches == nupd)) ;;
	random_cuts) cut_ok=$((batches > 1 && batches < nupd)) ;;
	esac
	[ "$cut_ok" = 1 ] || cuts_wrong="$cuts_wrong ${CUTS[$c]}"
	accepted_all="$accepted_all $accepted"
done
# The same, cut against cut, without the reference in between.
between=0
for c in 1 2; do
	between=$((between + $(comm -3 "$T/c0.final" "$T/c$c.final" | wc -l)
		+ $(comm -3 "$T/c0.hist" "$T/c$c.hist" | wc -l)))
done
printf 'between cuts (one_batch against the others): %d differences\n' "$between"
assert_eq "cuts with the batches they should have, wrong ones" "" "$cuts_wrong"
assert_eq "differences between cuts" 0 "$between"
assert_eq "rows accepted per cut" " $nupd $nupd $nupd" "$accepted_all"
assert_eq "differences from the reference, all cuts" 0 "$total_diff"

say "batches of one collector staged out of seq order, and across collectors"
# Straight through ingest(), as chisod's storage module calls it, to stage what
# an agent does not produce on demand.  commit_rows ROWS: one commit of the
# rows 'collector|seq|indicator|value[|date]' (one batch per row, staged in
# the order given, all of 2024S1, by period unless dated) for commune $U4, or
# for UNIT when given as a second argument.
U4=$(sql "SELECT code FROM unit WHERE tier = 'commune' AND parent_id =
	(SELECT id FROM unit WHERE code = '529' ORDER BY valid_from LIMIT 1)
	AND valid_from <= '2023-12-15' AND valid_to > '2024-12-14' ORDER BY code OFFSET 3 LIMIT 1")
sql "SELECT collector_add(n, rpad(md5(n), 40, 'x'), '529') FROM (VALUES ('sx'), ('sy')) v(n)" >/dev/null
commit_rows() {
	psql "$(conf_value database.owner_conninfo)" -X -q -A -t -v ON_ERROR_STOP=1 <<SQL >/dev/null
SET search_path = chiso;
BEGIN;
SELECT ingest_session();
CREATE TEMP TABLE r ON COMMIT DROP AS
SELECT n::int AS batch_no, split_part(x, '|', 1) AS collector, split_part(x, '|', 2)::bigint AS seq,
       split_part(x, '|', 3) AS indicator, split_part(x, '|', 4) AS value,
       nullif(split_part(x, '|', 5), '') AS day
FROM unnest(regexp_split_to_array(trim('$1'), '\s+')) WITH ORDINALITY AS t(x, n);
INSERT INTO stage_batch (batch_no, collector_id, epoch, seq, received_at, nrows)
SELECT r.batch_no, c.id, 1, r.seq, now(), 1 FROM r JOIN collector c ON c.name = r.collector;
INSERT INTO stage_row (batch_no, row_no, unit_code, indicator_code, period_code, period_type,
		       stat_first, stat_last, adm_first, adm_last, date_text, value_text)
SELECT r.batch_no, 0, '${2:-$U4}', r.indicator, '2024S1', 'six-monthly', '2024-01-01',
       '2024-06-30', '2023-12-15', '2024-06-14', r.day, r.value FROM r;
-- the year containing 2024S1, as chisod stages it (lib/period.c period_parents)
INSERT INTO stage_parent VALUES ('2024S1', '2024', 'yearly', '2024-01-01', '2024-12-31',
				 '2023-12-15', '2024-12-14');
SELECT count(*) FROM ingest();
COMMIT;
SQL
}
# hist INDICATOR: its stored value, then value/applied/old of each history row
hist() {
	sql "SELECT (SELECT trim_scale(value) FROM v_observation WHERE unit_code = '$U4'
		     AND indicator_code = '$1' AND period = '2024S1') || ' '
		|| string_agg(trim_scale(new_value) || '/' || left(applied::text, 1) || '/'
			      || coalesce(trim_scale(old_value)::text, 'new'), ' '
			      ORDER BY changed_at, batch_seq)
		|| ' flags=' || (SELECT count(*) FROM v_flag WHERE unit_code = '$U4'
				  AND indicator_code = '$1' AND code = 'superseded')
	     FROM v_history WHERE unit_code = '$U4' AND indicator_code = '$1' AND period = '2024S1'"
}
# seq 2 staged before seq 1 in one commit: taken in seq order, both applied.
commit_rows "sx|2|portal_visits|20 sx|1|portal_visits|10"
assert_eq "one commit, seq 2 staged before seq 1" "20 10/t/new 20/t/10 flags=0" "$(hist portal_visits)"
# seq 2 committed, then a late resend of seq 1 (same date): kept, not applied.
commit_rows "sx|4|portal_page_views|20"
commit_rows "sx|3|portal_page_views|10"
assert_eq "seq 1 after seq 2, two commits" "20 20/t/new 10/f/20 flags=1" "$(hist portal_page_views)"
# Another collector at the same date in a later commit is sent later: it wins.
commit_rows "sx|5|bts_stations|30"
commit_rows "sy|1|bts_stations|40"
assert_eq "another collector, later commit" "40 30/t/new 40/t/30 flags=0" "$(hist bts_stations)"

# The ratio check (numerator <= denominator) compares against the value that
# will stand, by the same rule: latest date, then sent last.  Each case in a
# commune of its own: rows in send order, refusals expected.
# ratio_refusals UNIT: its numerator_exceeds_denominator refusals, as
# indicator=value in send order
ratio_refusals() {
	sql "SELECT coalesce(string_agg(indicator_code || '=' || value_text, ' '
				      ORDER BY batch_seq), '-')
	     FROM v_rejection WHERE unit_code = '$1' AND reason = 'numerator_exceeds_denominator'"
}
mapfile -t UR < <(sql "SELECT code FROM unit WHERE tier = 'commune' AND parent_id =
	(SELECT id FROM unit WHERE code = '529' ORDER BY valid_from LIMIT 1)
	AND valid_from <= '2023-12-15' AND valid_to > '2024-12-14' ORDER BY code OFFSET 4 LIMIT 3")
# the denominator dated later stands (300), not the one sent after it (100)
commit_rows "sx|10|households_with_fiber|50|2024-06-01 sx|11|households|300|2024-06-01
	sx|12|households_with_fiber|200|2024-03-01 sx|13|households|100|2024-03-01" "${UR[0]}"
assert_eq "a numerator against the later-dated denominator" "-" "$(ratio_refusals "${UR[0]}")"
# the numerator dated later stands (50), not the one sent after it (200)
commit_rows "sx|20|households_with_fiber|50|2024-06-01 sx|21|households_with_fiber|200|2024-03-01
	sx|22|households|100|2024-03-01 sx|23|households|300|2024-06-01" "${UR[1]}"
assert_eq "a denominator against the later-dated numerator" "-" "$(ratio_refusals "${UR[1]}")"
# a stored denominator dated later (300) beats one staged with an earlier
# date: the numerator passes, the staged denominator (checked like every
# staged row) is under the numerator that stands
commit_rows "sx|30|households|300|2024-06-01" "${UR[2]}"
commit_rows "sx|31|households|100|2024-03-01 sx|32|households_with_fiber|200|2024-06-01" "${UR[2]}"
assert_eq "a numerator against the stored, later-dated denominator" "households=100" \
	"$(ratio_refusals "${UR[2]}")"
# and a numerator over the denominator that stands is still refused
commit_rows "sx|33|households_with_fiber|400|2024-06-10" "${UR[2]}"
assert_eq "a numerator over the standing denominator" "households=100 households_with_fiber=400" \
	"$(ratio_refusals "${UR[2]}")"

say "a batch's digest holds what the agent sent, not chisod's verdicts"
# The same key and rows staged twice, the second time with another decoder
# reason for its malformed row (as a newer chisod might find): a duplicate,
# not key_reused.  stage_reason REASON: the status of batch sx/50.
stage_reason() {
	psql "$(conf_value database.owner_conninfo)" -X -q -A -t -v ON_ERROR_STOP=1 <<SQL | tail -n 1
SET search_path = chiso;
BEGIN;
SELECT ingest_session();
INSERT INTO stage_batch (batch_no, collector_id, epoch, seq, received_at, nrows)
SELECT 0, id, 1, 50, now(), 1 FROM collector WHERE name = 'sx';
INSERT INTO stage_row (batch_no, row_no, unit_code, indicator_code, period_code, value_text,
		       reason, message)
VALUES (0, 0, '$U4', 'portal_visits', '2024S1', NULL, '$1', 'malformed');
SELECT status FROM ingest() WHERE status IS NOT NULL;
COMMIT;
SQL
}
assert_eq "first delivery" committed "$(stage_reason bad_value)"
assert_eq "the resend, judged otherwise" duplicate "$(stage_reason bad_number)"

# A connection whose working tables predate the note column (made before a
# migrate) gets new ones from ingest_session().
assert_eq "working tables of an older session made again" "t|t" \
	"$(psql "$(conf_value database.owner_conninfo)" -X -q -A -t -v ON_ERROR_STOP=1 <<'SQL' | tail -n 1
SET search_path = chiso;
SELECT ingest_session();
ALTER TABLE w_row DROP COLUMN note;
ALTER TABLE w_final DROP COLUMN note;
SELECT ingest_session();
SELECT count(*) FILTER (WHERE attrelid = 'pg_temp.w_row'::regclass) = 1,
       count(*) FILTER (WHERE attrelid = 'pg_temp.w_final'::regclass) = 1
FROM pg_attribute WHERE attname = 'note' AND NOT attisdropped;
SQL
)"

say "rollups against a rebuild and a plain aggregation"
ctl rollup verify >"$T/verify.txt" || { head -n 20 "$T/verify.txt"; fail "rollup verify found differences"; }
tail -n 1 "$T/verify.txt"
stop_chisod
ctl db stop >/dev/null
printf 'run time %s s\n' "$(since "$t_start")"
