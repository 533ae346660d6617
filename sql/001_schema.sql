-- 001_schema: the tables of chiso (docs/analyst-guide.md describes them for readers).
--
-- Applied by `chisoctl db migrate` as chiso_owner inside one transaction, with
-- search_path = chiso.  Every later change of a table is a new numbered file; an
-- applied file is never edited (the runner refuses a file whose checksum
-- changed).  Functions, views and grants live in the repeatable R_*.sql files,
-- applied again whenever one of them changes.

-- Administrative tiers.  Levels are data: before July 2025 a commune sits at
-- level 3 under a district; after, at level 2 directly under the province.  An
-- indicator says which tiers report it, never which level numbers.
CREATE TABLE tier (
	code text PRIMARY KEY,
	rank smallint NOT NULL UNIQUE, -- 1 = top; a larger rank sits lower in a tree
	name_vi text NOT NULL,
	name_en text NOT NULL
);
INSERT INTO tier VALUES
	('province', 1, 'Tỉnh', 'Province'),
	('district', 2, 'Huyện', 'District'),
	('commune', 3, 'Xã', 'Commune');

-- The type slugs of data/units/README.md and the tier each stands for below the
-- top level (a unit without a parent is always a province: thanh_pho is both a
-- level-1 city and a level-2 city).
CREATE TABLE unit_type (
	type text PRIMARY KEY,
	tier text NOT NULL REFERENCES tier,
	name_vi text NOT NULL
);
INSERT INTO unit_type VALUES
	('tinh', 'province', 'Tỉnh'),
	('thanh_pho', 'district', 'Thành phố'),
	('quan', 'district', 'Quận'),
	('huyen', 'district', 'Huyện'),
	('thi_xa', 'district', 'Thị xã'),
	('phuong', 'commune', 'Phường'),
	('xa', 'commune', 'Xã'),
	('thi_tran', 'commune', 'Thị trấn'),
	('dac_khu', 'commune', 'Đặc khu');

-- A unit version: the identity of a unit is not its code alone, because codes
-- were reused across the 2025 reform.  A version is valid on [valid_from,
-- valid_to); its parent is the parent version valid at the same time, so a
-- parent that changes gives its children new versions too (units_import).
CREATE TABLE unit (
	id serial PRIMARY KEY,
	code text NOT NULL CHECK (code ~ '^[0-9]{1,16}$'),
	name text NOT NULL CHECK (name <> ''),
	level smallint NOT NULL CHECK (level BETWEEN 1 AND 9),
	tier text NOT NULL REFERENCES tier,
	type text NOT NULL REFERENCES unit_type,
	parent_id int REFERENCES unit,
	depth smallint NOT NULL, -- 0 for a root; parent's depth + 1
	valid_from date NOT NULL DEFAULT '-infinity',
	valid_to date NOT NULL DEFAULT 'infinity',
	imported_at timestamptz NOT NULL DEFAULT now(),
	CHECK (valid_from < valid_to),
	UNIQUE (code, valid_from)
);
CREATE INDEX unit_parent ON unit (parent_id);
CREATE INDEX unit_code ON unit (code, valid_to);

-- Every (ancestor, descendant) pair of versions including each unit with itself
-- (depth 0): scope checks and subtree queries become one join.
CREATE TABLE unit_closure (
	ancestor_id int NOT NULL REFERENCES unit,
	unit_id int NOT NULL REFERENCES unit,
	distance smallint NOT NULL,
	PRIMARY KEY (ancestor_id, unit_id)
);
CREATE INDEX unit_closure_unit ON unit_closure (unit_id);

-- The indicator catalogue as loaded from config/catalog.conf.
CREATE TABLE pillar (
	code text PRIMARY KEY,
	name_vi text NOT NULL,
	name_en text NOT NULL,
	ord smallint NOT NULL
);

CREATE TABLE indicator (
	id serial PRIMARY KEY,
	code text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9_]{1,64}$'),
	name_vi text NOT NULL,
	name_en text NOT NULL,
	measure text NOT NULL,
	pillar text NOT NULL REFERENCES pillar,
	kind text NOT NULL CHECK (kind IN ('count', 'amount', 'number', 'percent', 'ratio')),
	levels text[] NOT NULL,       -- tier codes that report it
	period_types text[] NOT NULL, -- accepted types, native (finest) first
	calendar text NOT NULL CHECK (calendar IN ('statistical', 'administrative')),
	agg_space text NOT NULL CHECK (agg_space IN ('sum', 'avg', 'min', 'max', 'none')),
	agg_time text NOT NULL CHECK (agg_time IN ('sum', 'last', 'avg', 'max')),
	min_value numeric,
	max_value numeric,
	numerator_id int REFERENCES indicator,
	denominator_id int REFERENCES indicator,
	factor numeric,
	decimals smallint NOT NULL DEFAULT 0,
	ord int NOT NULL,            -- position in the catalogue: report order
	retired boolean NOT NULL DEFAULT false, -- dropped from the catalogue, kept for its data
	CHECK ((kind = 'ratio') = (numerator_id IS NOT NULL AND denominator_id IS NOT NULL))
);

-- Sum rules: the parts must add up to the total.
CREATE TABLE rule (
	code text PRIMARY KEY,
	total_id int NOT NULL REFERENCES indicator,
	part_ids int[] NOT NULL
);

-- Each catalogue load, with the whole document chisod serves to agents.
CREATE TABLE catalog_version (
	id serial PRIMARY KEY,
	version text NOT NULL,
	doc jsonb NOT NULL,
	loaded_at timestamptz NOT NULL DEFAULT now(),
	loaded_by text NOT NULL DEFAULT current_user
);

-- Periods are created on first use, with their dates in both calendars.
CREATE TABLE period (
	id serial PRIMARY KEY,
	code text NOT NULL UNIQUE,
	type text NOT NULL CHECK (type IN ('daily', 'weekly', 'monthly', 'quarterly',
					   'six-monthly', 'yearly')),
	stat_first date NOT NULL,
	stat_last date NOT NULL,
	adm_first date NOT NULL,
	adm_last date NOT NULL,
	closed_at timestamptz,
	closed_by text
);

-- Enrolled collectors: a CURVE public key, an id, and the unit whose subtree
-- the collector may write.
CREATE TABLE collector (
	id serial PRIMARY KEY,
	name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
	public_key text NOT NULL UNIQUE CHECK (public_key ~ '^[0-9A-Za-z.:+=^!/*?&<>()\[\]{}@%$#-]{40}$'),
	unit_id int NOT NULL REFERENCES unit,
	created_at timestamptz NOT NULL DEFAULT now(),
	revoked_at timestamptz
);

-- One row per committed batch key: a resent batch finds its row and is acked
-- again without writing anything.
CREATE TABLE batch (
	id bigserial PRIMARY KEY,
	collector_id int NOT NULL REFERENCES collector,
	epoch bigint NOT NULL,
	seq bigint NOT NULL,
	received_at timestamptz NOT NULL,
	committed_at timestamptz NOT NULL DEFAULT now(),
	rows_total int NOT NULL,
	rows_accepted int NOT NULL DEFAULT 0,
	rows_rejected int NOT NULL DEFAULT 0,
	rows_changed int NOT NULL DEFAULT 0,
	UNIQUE (collector_id, epoch, seq)
);

-- The latest value per (unit version, indicator, period).
CREATE TABLE observation (
	unit_id int NOT NULL REFERENCES unit,
	indicator_id int NOT NULL REFERENCES indicator,
	period_id int NOT NULL REFERENCES period,
	value numeric NOT NULL,
	qualifier text CHECK (qualifier IN ('at_least', 'at_most', 'about')),
	batch_id bigint NOT NULL REFERENCES batch,
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (unit_id, indicator_id, period_id)
);
CREATE INDEX observation_indicator_period ON observation (indicator_id, period_id);

-- Every change of a value: who (through the batch), when, old and new.  The
-- first value of a key has no old value.
CREATE TABLE observation_history (
	id bigserial PRIMARY KEY,
	unit_id int NOT NULL,
	indicator_id int NOT NULL,
	period_id int NOT NULL,
	old_value numeric,
	old_qualifier text,
	new_value numeric NOT NULL,
	new_qualifier text,
	batch_id bigint NOT NULL REFERENCES batch,
	changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX observation_history_key ON observation_history (unit_id, indicator_id, period_id);

-- Every refused row with what was sent and why: refused data is kept.
CREATE TABLE rejection (
	id bigserial PRIMARY KEY,
	batch_id bigint NOT NULL REFERENCES batch,
	row_no int NOT NULL,
	unit_code text,
	indicator_code text,
	period_code text,
	date_text text,
	value_text text,
	qualifier text,
	ref text,
	reason text NOT NULL,
	message text NOT NULL,
	received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rejection_batch ON rejection (batch_id);

-- Rows accepted with a remark (superseded by a newer batch, outlier, ...).
CREATE TABLE flag (
	id bigserial PRIMARY KEY,
	batch_id bigint NOT NULL REFERENCES batch,
	row_no int NOT NULL,
	unit_id int,
	indicator_id int,
	period_id int,
	code text NOT NULL,
	message text NOT NULL,
	flagged_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX flag_batch ON flag (batch_id);

-- The rollup of each (unit version, indicator, period): the unit's own value
-- aggregated with its subtree's, kept current by every commit.  For a ratio,
-- value = numerator / denominator * factor over the units that reported both.
CREATE TABLE rollup (
	unit_id int NOT NULL REFERENCES unit,
	indicator_id int NOT NULL REFERENCES indicator,
	period_id int NOT NULL REFERENCES period,
	value numeric,
	sum_value numeric,    -- the plain sum of the values (makes avg combinable)
	numerator numeric,    -- ratios only
	denominator numeric,  -- ratios only
	qualifier text,
	reporting_units int NOT NULL,
	expected_units int NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (unit_id, indicator_id, period_id)
);
CREATE INDEX rollup_indicator_period ON rollup (indicator_id, period_id);

-- Daemon counters written by chisod for `chisoctl status` (one row per daemon).
CREATE TABLE daemon_status (
	name text PRIMARY KEY,
	doc jsonb NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now()
);
