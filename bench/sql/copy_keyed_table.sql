-- Baseline of benchmark 1 (bench/ingest.sh), the keyed COPY: an empty table
-- with observation's columns and only its primary key (no other index, no
-- foreign key, no trigger), what a keyed COPY costs on this machine without
-- chiso's schema (issue 20: "≥ 0.3 × a COPY of the same rows into a table
-- with only the primary key").  The measuring instrument, not product code.
-- Made before the timed COPY (bench/sql/copy_keyed.sql).
DROP TABLE IF EXISTS public.bench_keyed;
CREATE TABLE public.bench_keyed (LIKE chiso.observation INCLUDING DEFAULTS);
ALTER TABLE public.bench_keyed ADD PRIMARY KEY (unit_id, indicator_id, period_id);
