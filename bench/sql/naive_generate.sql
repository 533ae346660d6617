-- Baseline of benchmark 1 (bench/ingest.sh): the naive way, one
-- INSERT ... ON CONFLICT per row, each its own transaction (psql in autocommit
-- runs the generated file).  The measuring instrument, not product code (the
-- product's SQL lives in sql/ and lib/store.c).  This query writes the
-- statements for the first :n rows of the collectors named :'prefix'%, in the
-- order chiso-load sent them, before bench/ingest.sh deletes those rows.
SELECT format('INSERT INTO chiso.observation (unit_id, indicator_id, period_id, value, '
	      'qualifier, batch_id, value_date) VALUES (%s, %s, %s, %s, %L, %s, %L) '
	      'ON CONFLICT (unit_id, indicator_id, period_id) DO UPDATE SET '
	      'value = EXCLUDED.value, qualifier = EXCLUDED.qualifier, '
	      'batch_id = EXCLUDED.batch_id, value_date = EXCLUDED.value_date, updated_at = now();',
	      o.unit_id, o.indicator_id, o.period_id, o.value, o.qualifier, o.batch_id, o.value_date)
FROM chiso.observation o
JOIN chiso.batch b ON b.id = o.batch_id
JOIN chiso.collector c ON c.id = b.collector_id AND c.name LIKE :'prefix' || '%'
ORDER BY c.name, o.indicator_id, o.period_id
LIMIT :n;
