-- national/nation: the national database takes in what the provinces send.
--
--   chisoctl national setup
--
-- (or psql "$OWNER" -f .../tables.sql -f .../nation.sql) as chiso_owner on a database made by `chisoctl db migrate` like a
-- province's, before the superuser subscribes it to each province
-- (docs/scaling.md §3).  The subscriptions write the national.* tables
-- (tables.sql); the triggers here turn their rows into the chiso tables of
-- this database, mapping natural keys to this database's ids, under one
-- nation unit (code 00) above the provinces, and keep the rollups current
-- with the same SQL as a province's commit (rollup_refresh, R_30_rollup).
-- So national figures come with the same completeness counts: reporting,
-- expected and on-time units, periods reported of expected.
--
-- The subscription's apply process runs with session_replication_role =
-- replica, where only triggers enabled ALWAYS fire.  It fires row triggers
-- only, so each row notes what changed (national.pending, national.todo) and
-- one deferred trigger settles the whole transaction at its commit.
-- Idempotent: applying it again changes nothing.

CREATE TABLE IF NOT EXISTS national.pending (
	unit_code text NOT NULL,
	unit_from date NOT NULL,
	indicator_code text NOT NULL,
	period_code text NOT NULL,
	PRIMARY KEY (unit_code, unit_from, indicator_code, period_code)
);
-- Reference tables changed since the last settle: 'unit', 'catalog', ...
CREATE TABLE IF NOT EXISTS national.todo (what text NOT NULL);
-- When each settle ran and what it did: the lag from a province's commit.
CREATE TABLE IF NOT EXISTS national.settle_log (
	id bigserial PRIMARY KEY,
	at timestamptz NOT NULL DEFAULT clock_timestamp(),
	origin_commit timestamptz, -- the latest province commit in it (updated_at)
	keys int NOT NULL,
	rebuilt boolean NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS national.batch_seq;

-- The nation: a tier above the province, a unit above the provinces, and a
-- collector that no agent can use (revoked), owner of the replicated values.
INSERT INTO chiso.tier VALUES ('nation', 0, 'Toàn quốc', 'Nation') ON CONFLICT DO NOTHING;
INSERT INTO chiso.unit_type VALUES ('quoc_gia', 'nation', 'Quốc gia') ON CONFLICT DO NOTHING;
INSERT INTO chiso.unit (code, name, level, tier, type, depth)
SELECT '00', 'Toàn quốc', 0, 'nation', 'quoc_gia', 0
WHERE NOT EXISTS (SELECT 1 FROM chiso.unit WHERE code = '00');
INSERT INTO chiso.collector (name, public_key, unit_id, revoked_at)
SELECT 'national', repeat('0', 40), u.id, now() FROM chiso.unit u WHERE u.code = '00'
ON CONFLICT (name) DO NOTHING;

CREATE OR REPLACE FUNCTION national.nation_id() RETURNS int
LANGUAGE sql STABLE AS $$
	SELECT id FROM chiso.unit WHERE code = '00' AND valid_from = '-infinity';
$$;

-- Every unit version any province sent, one per (code, valid_from); a
-- province's top unit goes under the nation; a parent by code is the version
-- valid on the child's first day.  Versions are never deleted here (values
-- may refer to them).
CREATE OR REPLACE FUNCTION national.apply_units() RETURNS void
LANGUAGE plpgsql SET search_path = chiso, pg_temp AS $$
BEGIN
	CREATE TEMP TABLE nat_unit ON COMMIT DROP AS
	SELECT DISTINCT ON (code, valid_from) * FROM national.unit
	ORDER BY code, valid_from, origin;
	INSERT INTO unit AS u (code, name, level, tier, type, depth, valid_from, valid_to)
	SELECT s.code, s.name, s.level, s.tier, s.type, 0, s.valid_from, s.valid_to FROM nat_unit s
	ON CONFLICT (code, valid_from) DO UPDATE
	SET name = EXCLUDED.name, level = EXCLUDED.level, tier = EXCLUDED.tier,
	    type = EXCLUDED.type, valid_to = EXCLUDED.valid_to, imported_at = now()
	WHERE (u.name, u.level, u.tier, u.type, u.valid_to)
	      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.level, EXCLUDED.tier, EXCLUDED.type,
				EXCLUDED.valid_to);
	UPDATE unit u SET parent_id = x.parent_id
	FROM (SELECT c.id,
		     CASE WHEN s.parent_code IS NULL THEN national.nation_id()
			  ELSE (SELECT p.id FROM unit p
				WHERE p.code = s.parent_code AND p.valid_from <= s.valid_from
				  AND s.valid_from < p.valid_to) END AS parent_id
	      FROM nat_unit s JOIN unit c ON (c.code, c.valid_from) = (s.code, s.valid_from)) x
	WHERE u.id = x.id AND u.parent_id IS DISTINCT FROM x.parent_id;
	PERFORM unit_closure_rebuild();
	DROP TABLE nat_unit;
END;
$$;

-- The latest catalogue any province loaded, when it differs from this
-- database's (catalog_load rebuilds the rollups itself).
CREATE OR REPLACE FUNCTION national.apply_catalog() RETURNS void
LANGUAGE plpgsql SET search_path = chiso, pg_temp AS $$
DECLARE
	d jsonb;
BEGIN
	SELECT c.doc INTO d FROM national.catalog c ORDER BY c.loaded_at DESC, c.origin LIMIT 1;
	IF d IS NOT NULL AND d IS DISTINCT FROM (SELECT v.doc FROM catalog_version v
						 ORDER BY v.id DESC LIMIT 1) THEN
		PERFORM catalog_load(d);
	END IF;
END;
$$;

-- Deadlines: the provinces apply the national rules, so they agree; if they
-- do not, the first origin by name is taken (docs/scaling.md §3).
CREATE OR REPLACE FUNCTION national.apply_deadlines() RETURNS void
LANGUAGE plpgsql SET search_path = chiso, pg_temp AS $$
BEGIN
	DELETE FROM period_deadline;
	INSERT INTO period_deadline (period_type, days_after_end, auto_close)
	SELECT DISTINCT ON (d.period_type) d.period_type, d.days_after_end, d.auto_close
	FROM national.deadline d ORDER BY d.period_type, d.origin;
END;
$$;

CREATE OR REPLACE FUNCTION national.apply_periods() RETURNS void
LANGUAGE sql SET search_path = chiso, pg_temp AS $$
	INSERT INTO period (code, type, stat_first, stat_last, adm_first, adm_last)
	SELECT DISTINCT ON (p.code) p.code, p.type, p.stat_first, p.stat_last, p.adm_first,
	       p.adm_last
	FROM national.period p ORDER BY p.code, p.origin
	ON CONFLICT (code) DO NOTHING;
$$;

CREATE OR REPLACE FUNCTION national.apply_crosswalk() RETURNS void
LANGUAGE sql SET search_path = chiso, pg_temp AS $$
	INSERT INTO unit_crosswalk (old_unit_id, new_unit_id, weight, source)
	SELECT DISTINCT ON (o.id, n.id) o.id, n.id, x.weight, x.source
	FROM national.crosswalk x
	JOIN unit o ON (o.code, o.valid_from) = (x.old_code, x.old_from)
	JOIN unit n ON (n.code, n.valid_from) = (x.new_code, x.new_from)
	ORDER BY o.id, n.id, x.origin
	ON CONFLICT (old_unit_id, new_unit_id) DO UPDATE
	SET weight = EXCLUDED.weight, source = EXCLUDED.source;
$$;

-- The pending keys whose unit, indicator and period this database knows: their
-- value as sent (or its absence: taken back) goes into observation, the key
-- into w_dirty for the rollups.  A key not known yet (a province's first copy
-- of its observations can come before its units) stays pending for the next
-- settle.  Returns the number of keys applied.
CREATE OR REPLACE FUNCTION national.apply_observations(OUT n int, OUT origin_commit timestamptz)
LANGUAGE plpgsql SET search_path = chiso, pg_temp AS $$
DECLARE
	b bigint;
BEGIN
	CREATE TEMP TABLE nat_key ON COMMIT DROP AS
	SELECT k.unit_code, k.unit_from, k.indicator_code, k.period_code, u.id AS unit_id,
	       i.id AS indicator_id, p.id AS period_id
	FROM national.pending k
	JOIN unit u ON (u.code, u.valid_from) = (k.unit_code, k.unit_from)
	JOIN indicator i ON i.code = k.indicator_code
	JOIN period p ON p.code = k.period_code;
	SELECT count(*) INTO n FROM nat_key;
	IF n = 0 THEN
		DROP TABLE nat_key;
		RETURN;
	END IF;
	-- one batch per settle: what arrived together
	INSERT INTO batch (collector_id, epoch, seq, received_at, rows_total, rows_accepted)
	SELECT c.id, 0, nextval('national.batch_seq'), now(), n, n FROM collector c
	WHERE c.name = 'national'
	RETURNING id INTO b;

	CREATE TEMP TABLE nat_val ON COMMIT DROP AS
	SELECT DISTINCT ON (k.unit_id, k.indicator_id, k.period_id) k.unit_id, k.indicator_id,
	       k.period_id, o.value, o.qualifier, o.first_at, o.value_date, o.note, o.updated_at
	FROM nat_key k
	JOIN national.observation o
	  ON (o.unit_code, o.unit_from, o.indicator_code, o.period_code)
	     = (k.unit_code, k.unit_from, k.indicator_code, k.period_code)
	ORDER BY k.unit_id, k.indicator_id, k.period_id, o.updated_at DESC;
	SELECT max(v.updated_at) INTO origin_commit FROM nat_val v;

	DELETE FROM observation o USING nat_key k
	WHERE (o.unit_id, o.indicator_id, o.period_id) = (k.unit_id, k.indicator_id, k.period_id)
	  AND NOT EXISTS (SELECT 1 FROM nat_val v
			  WHERE (v.unit_id, v.indicator_id, v.period_id)
				= (k.unit_id, k.indicator_id, k.period_id));
	INSERT INTO observation AS o (unit_id, indicator_id, period_id, value, qualifier, batch_id,
				      first_at, value_date, note, updated_at)
	SELECT v.unit_id, v.indicator_id, v.period_id, v.value, v.qualifier, b, v.first_at,
	       v.value_date, v.note, v.updated_at
	FROM nat_val v
	ON CONFLICT (unit_id, indicator_id, period_id) DO UPDATE
	SET value = EXCLUDED.value, qualifier = EXCLUDED.qualifier, batch_id = EXCLUDED.batch_id,
	    first_at = EXCLUDED.first_at, value_date = EXCLUDED.value_date, note = EXCLUDED.note,
	    updated_at = EXCLUDED.updated_at;

	INSERT INTO w_dirty (unit_id, indicator_id, period_id)
	SELECT k.unit_id, k.indicator_id, k.period_id FROM nat_key k;
	DELETE FROM national.pending p USING nat_key k
	WHERE (p.unit_code, p.unit_from, p.indicator_code, p.period_code)
	      = (k.unit_code, k.unit_from, k.indicator_code, k.period_code);
	DROP TABLE nat_key, nat_val;
END;
$$;

-- Settles everything noted so far: reference tables first (a changed
-- structure, catalogue or deadline rebuilds every rollup, as at a province),
-- then the values.  One at a time: the subscriptions of several provinces
-- apply in processes of their own, and two refreshes of the nation's row
-- each blind to the other's uncommitted province would leave it short.
-- Under the lock every statement sees what the previous holder committed.
CREATE OR REPLACE FUNCTION national.settle() RETURNS void
LANGUAGE plpgsql SET search_path = chiso, pg_temp AS $$
DECLARE
	rebuild boolean := false;
	what text[];
	r record;
BEGIN
	PERFORM pg_advisory_xact_lock(7462);
	PERFORM ingest_session();
	SELECT array_agg(DISTINCT t.what) INTO what FROM national.todo t;
	DELETE FROM national.todo;
	-- a changed structure, catalogue or deadline changes what every rollup counts
	rebuild := coalesce(what && ARRAY['unit', 'deadline', 'catalog'], false);
	IF 'unit' = ANY (what) THEN PERFORM national.apply_units(); END IF;
	IF 'period' = ANY (what) THEN PERFORM national.apply_periods(); END IF;
	IF 'deadline' = ANY (what) THEN PERFORM national.apply_deadlines(); END IF;
	IF 'catalog' = ANY (what) THEN PERFORM national.apply_catalog(); END IF;
	IF what && ARRAY['unit', 'crosswalk'] THEN PERFORM national.apply_crosswalk(); END IF;
	SELECT * INTO r FROM national.apply_observations();
	IF rebuild THEN
		PERFORM rollup_rebuild();
	ELSIF r.n > 0 THEN
		PERFORM rollup_refresh();
	END IF;
	IF rebuild OR r.n > 0 THEN
		INSERT INTO national.settle_log (origin_commit, keys, rebuilt)
		VALUES (r.origin_commit, r.n, rebuild);
	END IF;
END;
$$;

-- Row triggers of the replicated tables: note what changed.
CREATE OR REPLACE FUNCTION national.note_value() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		INSERT INTO national.pending VALUES (OLD.unit_code, OLD.unit_from, OLD.indicator_code,
						     OLD.period_code)
		ON CONFLICT DO NOTHING;
	ELSE
		INSERT INTO national.pending VALUES (NEW.unit_code, NEW.unit_from, NEW.indicator_code,
						     NEW.period_code)
		ON CONFLICT DO NOTHING;
	END IF;
	RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION national.note_reference() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO national.todo (what) SELECT TG_ARGV[0]
	WHERE NOT EXISTS (SELECT 1 FROM national.todo t WHERE t.what = TG_ARGV[0]);
	RETURN NULL;
END;
$$;

-- The deferred trigger: the first of a transaction settles it.
CREATE OR REPLACE FUNCTION national.settle_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('national.settled', true) IS DISTINCT FROM txid_current()::text THEN
		PERFORM set_config('national.settled', txid_current()::text, true);
		PERFORM national.settle();
	END IF;
	RETURN NULL;
END;
$$;

DO $$
DECLARE
	t text;
BEGIN
	DROP TRIGGER IF EXISTS note ON national.observation;
	CREATE TRIGGER note AFTER INSERT OR UPDATE OR DELETE ON national.observation
		FOR EACH ROW EXECUTE FUNCTION national.note_value();
	ALTER TABLE national.observation ENABLE ALWAYS TRIGGER note;
	FOREACH t IN ARRAY ARRAY['unit', 'period', 'catalog', 'deadline', 'crosswalk'] LOOP
		EXECUTE format('DROP TRIGGER IF EXISTS note ON national.%I', t);
		EXECUTE format('CREATE TRIGGER note AFTER INSERT OR UPDATE OR DELETE ON national.%I'
			       ' FOR EACH ROW EXECUTE FUNCTION national.note_reference(%L)', t, t);
		EXECUTE format('ALTER TABLE national.%I ENABLE ALWAYS TRIGGER note', t);
	END LOOP;
	FOREACH t IN ARRAY ARRAY['pending', 'todo'] LOOP
		EXECUTE format('DROP TRIGGER IF EXISTS settle ON national.%I', t);
		EXECUTE format('CREATE CONSTRAINT TRIGGER settle AFTER INSERT ON national.%I'
			       ' DEFERRABLE INITIALLY DEFERRED FOR EACH ROW'
			       ' EXECUTE FUNCTION national.settle_trigger()', t);
		EXECUTE format('ALTER TABLE national.%I ENABLE ALWAYS TRIGGER settle', t);
	END LOOP;
END;
$$;
