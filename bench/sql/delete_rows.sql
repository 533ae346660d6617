-- Benchmark 1 (bench/ingest.sh): removes the observations of the collectors
-- named :'prefix'% between the runs of the baselines, then vacuums, so that
-- each baseline starts from the same table.  The measuring instrument, not
-- product code.
DELETE FROM chiso.observation o USING chiso.batch b, chiso.collector c
WHERE b.id = o.batch_id AND c.id = b.collector_id AND c.name LIKE :'prefix' || '%';
VACUUM (ANALYZE) chiso.observation;
