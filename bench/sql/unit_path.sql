-- Benchmark 3 (bench/country.sh): each unit's province, district and commune
-- (NULL above its own depth), for the plain GROUP BY ROLLUP baselines
-- (rollup_plain.sql, rollup_fair.sql, which include this file).  A temporary
-- view: the planner inlines it.  The measuring instrument, not product code.
CREATE OR REPLACE TEMP VIEW unit_path AS
SELECT u.id,
       CASE u.depth WHEN 0 THEN u.id WHEN 1 THEN u.parent_id ELSE p.parent_id END AS province,
       CASE u.depth WHEN 1 THEN u.id WHEN 2 THEN u.parent_id END AS district,
       CASE u.depth WHEN 2 THEN u.id END AS commune
FROM chiso.unit u
LEFT JOIN chiso.unit p ON p.id = u.parent_id;
