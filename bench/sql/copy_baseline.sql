-- Baseline of benchmark 1 (bench/ingest.sh): COPY, PostgreSQL's own bulk path
-- and the practical limit of any ingest.  This file is the measuring
-- instrument, not product code (the product's SQL lives in sql/ and
-- lib/store.c): the rows chiso stored, dumped by bench/ingest.sh and deleted,
-- go back into the same table in one COPY.  The rows come on psql's standard
-- input: psql -f copy_baseline.sql < ROWS.
\copy chiso.observation FROM pstdin
