-- national/tables: what a province sends to the national database, by
-- PostgreSQL logical replication (docs/scaling.md §3).
--
-- Applied on every province (then province.sql) and on the national database
-- (then nation.sql), as chiso_owner, by the psql commands of docs/scaling.md.
-- Logical replication matches tables by schema-qualified name, and every
-- province numbers its units, indicators and periods with serial ids of its
-- own: so a province does not publish its chiso tables but these, keyed by
-- natural keys (a unit version's code and first day, an indicator's code, a
-- period's code) and by origin, the province's name for itself.  Triggers of
-- province.sql keep them equal to the province's own tables; triggers of
-- nation.sql turn them into the national database's chiso tables, whose
-- rollups are then kept by the same rollup SQL as at the province.
-- Idempotent: applying it again changes nothing.

CREATE SCHEMA IF NOT EXISTS national;

-- Every unit version of the province, its parent by code (the parent
-- version valid on valid_from).
CREATE TABLE IF NOT EXISTS national.unit (
	origin text NOT NULL,
	code text NOT NULL,
	valid_from date NOT NULL,
	valid_to date NOT NULL,
	name text NOT NULL,
	level smallint NOT NULL,
	tier text NOT NULL,
	type text NOT NULL,
	parent_code text,
	PRIMARY KEY (origin, code, valid_from)
);

-- Every period the province has used, with its dates (lib/period.c made
-- them; the national database takes them as they are).
CREATE TABLE IF NOT EXISTS national.period (
	origin text NOT NULL,
	code text NOT NULL,
	type text NOT NULL,
	stat_first date NOT NULL,
	stat_last date NOT NULL,
	adm_first date NOT NULL,
	adm_last date NOT NULL,
	PRIMARY KEY (origin, code)
);

-- The catalogue the province loaded last, as catalog_load() takes it.
CREATE TABLE IF NOT EXISTS national.catalog (
	origin text PRIMARY KEY,
	version text NOT NULL,
	doc jsonb NOT NULL,
	loaded_at timestamptz NOT NULL
);

-- The province's submission deadlines: on-time counts depend on them.
CREATE TABLE IF NOT EXISTS national.deadline (
	origin text NOT NULL,
	period_type text NOT NULL,
	days_after_end int NOT NULL,
	auto_close boolean NOT NULL,
	PRIMARY KEY (origin, period_type)
);

-- The province's crosswalk rows, by unit version.
CREATE TABLE IF NOT EXISTS national.crosswalk (
	origin text NOT NULL,
	old_code text NOT NULL,
	old_from date NOT NULL,
	new_code text NOT NULL,
	new_from date NOT NULL,
	weight numeric NOT NULL,
	source text NOT NULL,
	PRIMARY KEY (origin, old_code, old_from, new_code, new_from)
);

-- The standing value of every (unit version, indicator, period), with what
-- the rollups read of it: first_at decides whether it was on time.
CREATE TABLE IF NOT EXISTS national.observation (
	origin text NOT NULL,
	unit_code text NOT NULL,
	unit_from date NOT NULL,
	indicator_code text NOT NULL,
	period_code text NOT NULL,
	value numeric NOT NULL,
	qualifier text,
	first_at timestamptz NOT NULL,
	value_date date NOT NULL,
	note text,
	updated_at timestamptz NOT NULL,
	PRIMARY KEY (origin, unit_code, unit_from, indicator_code, period_code)
);
