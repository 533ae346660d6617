-- Baseline of benchmark 1 (bench/ingest.sh), the keyed COPY: the rows chiso
-- stored, in one COPY into the table of copy_keyed_table.sql (only the
-- primary key).  The measuring instrument, not product code.  The rows come
-- on psql's standard input: psql -f copy_keyed.sql < ROWS.
\copy public.bench_keyed FROM pstdin
