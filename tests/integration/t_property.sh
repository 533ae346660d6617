#!/usr/bin/env bash
# Property test on the whole country's pre-reform hierarchy (10 794 units,
# data/units/vn_units_all.csv): rounds of random observations and random
# corrections (the same keys again with new values), from one collector per
# province, in random order, go through the real ingest path (the staging
# tables and ingest() that chisod's storage module uses, one group commit per
# round).  Then the maintained rollups must equal `rollup rebuild` and the
# plain aggregation of `rollup verify`, and, computed here by independent
# plain SQL straight from the observations: yearly sums of a monthly flow,
# quarterly sums of each unit's last monthly stock, yearly maxima, and the
# number of expected reporters of each province.
#
# CHISO_PROPERTY_ROUNDS (default 8) and CHISO_PROPERTY_ROWS (rows per round,
# default 1000) size it; CHISO_PROPERTY_SEED fixes the random sequence.
. "$(dirname "$0")/lib.sh"

# seconds since a `date +%s.%N` reading, one decimal
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

ROUNDS=${CHISO_PROPERTY_ROUNDS:-8}
ROWS=${CHISO_PROPERTY_ROWS:-1000}
SEED=${CHISO_PROPERTY_SEED:-0.$RANDOM}

say "embedded PostgreSQL in $T/var"
ctl db init --dir "$T/var" >/dev/null
ctl db migrate >/dev/null
t0=$(date +%s.%N)
ctl units import "$CHISO_SOURCE_DIR/data/units/vn_units_all.csv" >/dev/null
ctl catalog load "$CHISO_SOURCE_DIR/tests/data/semantics_catalog.conf" >/dev/null
printf 'units imported in %s s: %s\n' "$(since "$t0")" \
	"$(sql "SELECT count(*) FROM unit")"
# One collector per province; keys are placeholders (chisod is not involved).
sql "SELECT count(collector_add('p' || code, rpad(md5(code), 40, 'x'), code))
     FROM unit WHERE tier = 'province'" >/dev/null

say "$ROUNDS rounds of $ROWS random rows (seed $SEED)"
# Reporting units: communes, and districts without communes (they stand in).
sql "CREATE TABLE prop_leaf AS
     SELECT u.code, c.id AS collector_id, row_number() OVER (ORDER BY u.code) AS n
     FROM unit u
     JOIN unit_closure uc ON uc.unit_id = u.id
     JOIN unit pr ON pr.id = uc.ancestor_id AND pr.tier = 'province'
     JOIN collector c ON c.unit_id = pr.id
     WHERE NOT EXISTS (SELECT 1 FROM unit ch WHERE ch.parent_id = u.id)" >/dev/null
leaves=$(sql "SELECT count(*) FROM prop_leaf")
# The chain periods of 2024 with the dates chisod stages for them (lib/period.c
# period_parents): this test stages rows itself, so it stages their parents too.
sql "CREATE TABLE prop_chain (code, type, stat_first, stat_last, adm_first, adm_last) AS VALUES
     ('2024Q1', 'quarterly', '2024-01-01'::date, '2024-03-31'::date, '2023-12-15'::date,
      '2024-03-14'::date),
     ('2024Q2', 'quarterly', '2024-04-01', '2024-06-30', '2024-03-15', '2024-06-14'),
     ('2024Q3', 'quarterly', '2024-07-01', '2024-09-30', '2024-06-15', '2024-09-14'),
     ('2024Q4', 'quarterly', '2024-10-01', '2024-12-31', '2024-09-15', '2024-12-14'),
     ('2024S1', 'six-monthly', '2024-01-01', '2024-06-30', '2023-12-15', '2024-06-14'),
     ('2024S2', 'six-monthly', '2024-07-01', '2024-12-31', '2024-06-15', '2024-12-14'),
     ('2024', 'yearly', '2024-01-01', '2024-12-31', '2023-12-15', '2024-12-14')" >/dev/null
# The rounds run as chisod's own role (chiso_writer), so that a grant ingest
# needs and R_90_grants.sql lacks fails here, not in production.
sql "GRANT SELECT ON prop_leaf, prop_chain TO chiso_writer" >/dev/null
total_rows=0
t0=$(date +%s.%N)
for r in $(seq 1 "$ROUNDS"); do
	out=$(psql "$(conf_value database.conninfo)" -X -q -A -t -v ON_ERROR_STOP=1 <<SQL
SET search_path = chiso;
SELECT setseed($SEED / $r);
BEGIN;
SELECT ingest_session();
-- random leaves, indicators and months; a third of the rows repeat keys of
-- earlier rounds (corrections), since keys come from a small space
CREATE TEMP TABLE picks ON COMMIT DROP AS
SELECT l.code, l.collector_id, g.indicator, g.month, g.value
FROM (SELECT 1 + floor(random() * $leaves)::int AS n,
	     (ARRAY['flow', 'stock', 'level_max', 'level_avg', 'own_only', 'whole', 'part_a'])
		 [1 + floor(random() * 7)::int] AS indicator,
	     make_date(2024, 1 + floor(random() * 12)::int, 1) AS month,
	     floor(random() * 1000)::int AS value
      FROM generate_series(1, $ROWS)) g
JOIN prop_leaf l ON l.n = g.n;
INSERT INTO stage_batch (batch_no, collector_id, epoch, seq, received_at, nrows)
SELECT dense_rank() OVER (ORDER BY collector_id), collector_id, 1, $r, now(), count(*)
FROM picks GROUP BY collector_id;
INSERT INTO stage_row (batch_no, row_no, unit_code, indicator_code, period_code, period_type,
		       stat_first, stat_last, adm_first, adm_last, value_text)
SELECT sb.batch_no, row_number() OVER (PARTITION BY sb.batch_no), p.code, p.indicator,
       to_char(p.month, 'YYYYMM'), 'monthly', p.month,
       (p.month + interval '1 month')::date - 1, (p.month - interval '1 month')::date + 14,
       p.month + 13, p.value::text
FROM picks p JOIN stage_batch sb ON sb.collector_id = p.collector_id;
INSERT INTO stage_parent (child_code, code, type, stat_first, stat_last, adm_first, adm_last)
SELECT DISTINCT to_char(p.month, 'YYYYMM'), c.*
FROM picks p JOIN prop_chain c ON p.month BETWEEN c.stat_first AND c.stat_last;
SELECT count(*) FILTER (WHERE verdict IS NULL), coalesce(sum(accepted), 0),
       count(*) FILTER (WHERE verdict = 'rejected') FROM ingest();
COMMIT;
SQL
)
	total_rows=$((total_rows + ROWS))
	printf '\rround %d/%d: batches|accepted|rejected %s   ' "$r" "$ROUNDS" "$(echo "$out" | tail -n 1)"
done
echo
sql "SELECT reason, count(*) FROM rejection GROUP BY 1 ORDER BY 2 DESC" | sed 's/^/rejected: /'
printf 'ingested %d rows in %s s; observations %s, derived %s, rollup rows %s, corrections %s\n' \
	"$total_rows" "$(since "$t0")" "$(sql "SELECT count(*) FROM observation")" \
	"$(sql "SELECT count(*) FROM observation_derived")" "$(sql "SELECT count(*) FROM rollup")" \
	"$(sql "SELECT count(*) FROM observation_history WHERE old_value IS NOT NULL")"
[ "$(sql "SELECT count(*) FROM observation_history WHERE old_value IS NOT NULL")" -gt 0 ] ||
	fail "no corrections happened: the test would prove less than it says"

say "maintained = rebuild = plain aggregation (rollup verify)"
t0=$(date +%s.%N)
ctl rollup verify >"$T/verify.txt" || { head -n 20 "$T/verify.txt"; fail "rollup verify found differences"; }
printf '%s (%s s)\n' "$(tail -n 1 "$T/verify.txt")" "$(since "$t0")"

say "independent plain SQL from the observations"
# check NAME QUERY: QUERY returns the rows that differ and the rows compared.
check() {
	local res
	res=$(sql "$2")
	assert_eq "$1: differences|compared>0" "0|true" "$res"
}
# yearly AGG INDICATOR: the province's 2024 rollup against AGG over every
# monthly value of its subtree, read straight from the observations.
yearly() {
	check "yearly $1 of monthly $2 per province" "
	WITH plain AS (
		SELECT uc.ancestor_id AS unit_id, $1(o.value) AS v
		FROM observation o JOIN indicator i ON i.id = o.indicator_id AND i.code = '$2'
		JOIN unit_closure uc ON uc.unit_id = o.unit_id
		JOIN unit a ON a.id = uc.ancestor_id AND a.tier = 'province'
		GROUP BY 1)
	SELECT count(*) FILTER (WHERE r.value IS DISTINCT FROM plain.v) || '|' || (count(*) > 0)
	FROM plain
	LEFT JOIN rollup r ON r.unit_id = plain.unit_id
		AND r.indicator_id = (SELECT id FROM indicator WHERE code = '$2')
		AND r.period_id = (SELECT id FROM period WHERE code = '2024')"
}
yearly sum flow
yearly max level_max
check "quarterly sum of each unit's last monthly stock per district" "
	WITH last AS (
		SELECT DISTINCT ON (o.unit_id, q) o.unit_id,
		       extract(quarter FROM p.stat_first)::int AS q, o.value
		FROM observation o JOIN indicator i ON i.id = o.indicator_id AND i.code = 'stock'
		JOIN period p ON p.id = o.period_id
		ORDER BY o.unit_id, q, p.stat_first DESC),
	plain AS (
		SELECT uc.ancestor_id AS unit_id, last.q, sum(last.value) AS v
		FROM last JOIN unit_closure uc ON uc.unit_id = last.unit_id
		JOIN unit a ON a.id = uc.ancestor_id AND a.tier = 'district'
		GROUP BY 1, 2)
	SELECT count(*) FILTER (WHERE r.value IS DISTINCT FROM plain.v) || '|' || (count(*) > 0)
	FROM plain
	LEFT JOIN period p ON p.code = '2024Q' || plain.q
	LEFT JOIN rollup r ON r.unit_id = plain.unit_id AND r.period_id = p.id
		AND r.indicator_id = (SELECT id FROM indicator WHERE code = 'stock')"
check "expected reporters per province" "
	WITH plain AS (
		SELECT pr.id AS unit_id, count(*) AS n
		FROM prop_leaf l JOIN unit u ON u.code = l.code
		JOIN unit_closure uc ON uc.unit_id = u.id
		JOIN unit pr ON pr.id = uc.ancestor_id AND pr.tier = 'province'
		GROUP BY 1)
	SELECT count(*) FILTER (WHERE r.expected_units IS DISTINCT FROM plain.n::int)
	       || '|' || (count(*) > 0)
	FROM plain
	JOIN rollup r ON r.unit_id = plain.unit_id
		AND r.indicator_id = (SELECT id FROM indicator WHERE code = 'flow')
		AND r.period_id = (SELECT id FROM period WHERE code = '2024')"
ctl db stop >/dev/null
