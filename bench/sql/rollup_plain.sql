-- Baseline of benchmark 3 (bench/country.sh): the commune -> district ->
-- province sums of every observation in one plain GROUP BY ROLLUP, what a
-- rebuild of the rollups is compared with.  The measuring instrument, not
-- product code (the product's rollups are sql/R_30_rollup.sql).  The result is
-- materialised in a temporary table, as the rebuild materialises its rows.
\ir unit_path.sql
CREATE TEMP TABLE plain_rollup AS
SELECT x.province, x.district, x.commune, o.indicator_id, o.period_id,
       sum(o.value) AS value, count(*) AS reporting_units
FROM chiso.observation o
JOIN unit_path x ON x.id = o.unit_id
GROUP BY o.indicator_id, o.period_id, ROLLUP (x.province, x.district, x.commune);
SELECT count(*) FROM plain_rollup;
