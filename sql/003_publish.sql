-- 003_publish: published reports, frozen as they were.
--
-- `chisoctl report publish` (and chisod's publishing schedule) copies the rows
-- of a report into these tables: the figures, the names in both languages, the
-- previous period's figures the report compares against, which units were
-- expected and reported, and the catalogue's pillars.  A published report is rendered from these rows only,
-- so it reads the same after any later correction; the live report and
-- `chisoctl report --changes` show what moved since.  Publishing the same
-- period and unit again adds a version and keeps the old ones.  Rows are never
-- updated or deleted (a trigger of R_50_admin refuses it, also to the owner).

CREATE TABLE publication (
	id int PRIMARY KEY, -- from publication_id_seq, taken before the rows are written
	period text NOT NULL,
	unit_code text NOT NULL,
	unit_name text NOT NULL,
	version int NOT NULL CHECK (version >= 1),
	prev_period text,          -- the period the report compares against
	note text NOT NULL DEFAULT '',
	actor text NOT NULL,       -- the person (chisoctl: the login name) or program
	published_by text NOT NULL DEFAULT session_user, -- the database role
	published_at timestamptz NOT NULL DEFAULT now(),
	nrows int NOT NULL,
	nunits int NOT NULL,
	content_hash text NOT NULL, -- SHA-256 (hex) of the rows and units: publication_hash()
	UNIQUE (period, unit_code, version)
);
CREATE SEQUENCE publication_id_seq OWNED BY publication.id;

-- The report rows as they were (chiso.report_rows() at publishing time).
-- The parent row is written last, in the same transaction: hence DEFERRABLE.
CREATE TABLE publication_row (
	publication_id int NOT NULL REFERENCES publication DEFERRABLE INITIALLY DEFERRED,
	ord int NOT NULL,
	unit_code text NOT NULL,
	unit_name text NOT NULL,
	level smallint NOT NULL,
	tier text NOT NULL,
	depth int NOT NULL,
	path text NOT NULL,
	indicator_code text NOT NULL,
	indicator_name text NOT NULL,
	indicator_name_en text NOT NULL,
	pillar text NOT NULL,
	pillar_name text NOT NULL,
	pillar_name_en text NOT NULL,
	pillar_ord smallint NOT NULL,
	indicator_ord int NOT NULL,
	kind text NOT NULL,
	measure text NOT NULL,
	decimals smallint NOT NULL,
	period text NOT NULL,
	value numeric,
	numerator numeric,
	denominator numeric,
	qualifier text,
	reporting_units int NOT NULL,
	expected_units int NOT NULL,
	on_time_units int NOT NULL,
	periods_reported int,
	periods_expected int,
	native_period_type text NOT NULL,
	prev_period text,
	prev_value numeric,
	prev_numerator numeric,
	prev_denominator numeric,
	prev_qualifier text,
	prev_reporting_units int,
	PRIMARY KEY (publication_id, ord)
);

-- The catalogue's DTI pillars as they were: a report has a section for each,
-- also for a pillar nobody reported on.
CREATE TABLE publication_pillar (
	publication_id int NOT NULL REFERENCES publication DEFERRABLE INITIALLY DEFERRED,
	ord smallint NOT NULL,
	pillar text NOT NULL,
	pillar_name text NOT NULL,
	pillar_name_en text NOT NULL,
	PRIMARY KEY (publication_id, ord)
);

-- Every unit of the report's subtree as it was: expected to report, reported,
-- on time (chiso.report_units() at publishing time).
CREATE TABLE publication_unit (
	publication_id int NOT NULL REFERENCES publication DEFERRABLE INITIALLY DEFERRED,
	ord int NOT NULL,
	unit_code text NOT NULL,
	unit_name text NOT NULL,
	level smallint NOT NULL,
	tier text NOT NULL,
	depth int NOT NULL,
	path text NOT NULL,
	group_code text NOT NULL,
	group_name text NOT NULL,
	expected boolean NOT NULL,
	reported boolean NOT NULL,
	on_time boolean NOT NULL,
	PRIMARY KEY (publication_id, ord)
);
