-- Baseline of benchmark 3 (bench/country.sh), the fair rebuild baseline: an
-- empty table with the rollup table's columns and the same indexes (its
-- primary key and rollup_indicator_period), into which rollup_fair.sql
-- writes the plain GROUP BY ROLLUP.  A rebuild writes the rows reports read;
-- so does this, which the plain GROUP BY ROLLUP into a temporary table did
-- not (no WAL, no index).  The measuring instrument, not product code.  Made
-- before the timed INSERT.
DROP TABLE IF EXISTS public.bench_rollup_fair;
CREATE TABLE public.bench_rollup_fair (LIKE chiso.rollup INCLUDING DEFAULTS INCLUDING INDEXES);
