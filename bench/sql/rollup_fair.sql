-- Baseline of benchmark 3 (bench/country.sh), the fair rebuild baseline
-- (issue 20): rollup_plain.sql's commune -> district -> province sums of
-- every observation, one GROUP BY ROLLUP, INSERTed into the empty indexed
-- table of rollup_fair_table.sql, one row per (unit, indicator, period) as
-- the rollup table holds them: a commune's own row, its district's, its
-- province's (the grand total of all provinces is not a unit and is left
-- out).  The measuring instrument, not product code (the product's rollups
-- are sql/R_30_rollup.sql).  Prints the rows written.
\ir unit_path.sql
WITH sums AS (
	SELECT CASE GROUPING(x.province, x.district, x.commune)
		    WHEN 0 THEN x.commune WHEN 1 THEN x.district WHEN 3 THEN x.province END AS unit_id,
	       o.indicator_id, o.period_id, sum(o.value) AS value, count(*) AS reporting_units
	FROM chiso.observation o
	JOIN unit_path x ON x.id = o.unit_id
	GROUP BY o.indicator_id, o.period_id, ROLLUP (x.province, x.district, x.commune)
), ins AS (
	INSERT INTO public.bench_rollup_fair (unit_id, indicator_id, period_id, value, sum_value,
					      reporting_units, expected_units)
	SELECT s.unit_id, s.indicator_id, s.period_id, s.value, s.value, s.reporting_units, 0
	FROM sums s WHERE s.unit_id IS NOT NULL
	RETURNING 1
)
SELECT count(*) FROM ins;
