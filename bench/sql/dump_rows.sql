-- Benchmark 1 (bench/ingest.sh): the rows chiso stored for the collectors
-- named :'prefix'%, dumped for the COPY baseline and then deleted so that the
-- baselines write the same rows into the same table.  The measuring
-- instrument, not product code.  psql -v prefix=P -o ROWS.
COPY (SELECT o.* FROM chiso.observation o
      JOIN chiso.batch b ON b.id = o.batch_id
      JOIN chiso.collector c ON c.id = b.collector_id AND c.name LIKE :'prefix' || '%')
TO STDOUT;
