-- Baseline of benchmark 3 (bench/country.sh): the commune -> district ->
-- province sums of every observation in one plain GROUP BY ROLLUP, what a
-- rebuild of the rollups is compared with.  The measuring instrument, not
-- product code (the product's rollups are sql/R_30_rollup.sql).  The result is
-- materialised in a temporary table, as the rebuild materialises its rows.
CREATE TEMP TABLE plain_rollup AS
WITH path AS (
	SELECT u.id,
	       CASE u.depth WHEN 0 THEN u.id WHEN 1 THEN u.parent_id ELSE p.parent_id END AS province,
	       CASE u.depth WHEN 1 THEN u.id WHEN 2 THEN u.parent_id END AS district,
	       CASE u.depth WHEN 2 THEN u.id END AS commune
	FROM chiso.unit u
	LEFT JOIN chiso.unit p ON p.id = u.parent_id
)
SELECT x.province, x.district, x.commune, o.indicator_id, o.period_id,
       sum(o.value) AS value, count(*) AS reporting_units
FROM chiso.observation o
JOIN path x ON x.id = o.unit_id
GROUP BY o.indicator_id, o.period_id, ROLLUP (x.province, x.district, x.commune);
SELECT count(*) FROM plain_rollup;
