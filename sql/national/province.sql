-- national/province: a province publishes to the national database.
--
--   chisoctl national publish 51
--
-- (or psql "$OWNER" -c "SET national.origin = '51'" -f .../tables.sql -f
-- .../province.sql) as chiso_owner, after `chisoctl db migrate`
-- (docs/scaling.md §3).  The origin, from the setting national.origin, is
-- the province's name for itself in the national database (its code, by
-- convention).  Triggers on the chiso tables keep the national.* tables equal
-- to them, in the same transaction as the change, and the publication
-- chiso_national offers them to the national database's subscription.  The
-- cost at the province is one more row written per value changed.
-- Idempotent: applying it again resynchronises the national.* tables,
-- writing only what differs.

CREATE TABLE IF NOT EXISTS national.origin (
	name text NOT NULL CHECK (name ~ '^[a-z0-9_]{1,32}$'),
	one boolean PRIMARY KEY DEFAULT true CHECK (one)
);
INSERT INTO national.origin (name) VALUES (current_setting('national.origin'))
ON CONFLICT (one) DO UPDATE SET name = EXCLUDED.name;

CREATE OR REPLACE FUNCTION national.origin_name() RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT name FROM national.origin;
$$;

-- The unit versions, whole: units change by imports, a whole country is
-- 11 000 versions, and only what differs is written.
CREATE OR REPLACE FUNCTION national.sync_units() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
BEGIN
	DELETE FROM national.unit n
	WHERE NOT EXISTS (SELECT 1 FROM unit u
			  WHERE (u.code, u.valid_from) = (n.code, n.valid_from));
	INSERT INTO national.unit AS n (origin, code, valid_from, valid_to, name, level, tier,
					type, parent_code)
	SELECT national.origin_name(), u.code, u.valid_from, u.valid_to, u.name, u.level, u.tier,
	       u.type, p.code
	FROM unit u LEFT JOIN unit p ON p.id = u.parent_id
	ON CONFLICT (origin, code, valid_from) DO UPDATE
	SET valid_to = EXCLUDED.valid_to, name = EXCLUDED.name, level = EXCLUDED.level,
	    tier = EXCLUDED.tier, type = EXCLUDED.type, parent_code = EXCLUDED.parent_code
	WHERE (n.valid_to, n.name, n.level, n.tier, n.type, n.parent_code)
	      IS DISTINCT FROM (EXCLUDED.valid_to, EXCLUDED.name, EXCLUDED.level, EXCLUDED.tier,
				EXCLUDED.type, EXCLUDED.parent_code);
END;
$$;

-- Periods are only ever added (closing one changes nothing national).
CREATE OR REPLACE FUNCTION national.sync_periods() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
BEGIN
	INSERT INTO national.period (origin, code, type, stat_first, stat_last, adm_first, adm_last)
	SELECT national.origin_name(), p.code, p.type, p.stat_first, p.stat_last, p.adm_first,
	       p.adm_last
	FROM period p
	ON CONFLICT (origin, code) DO NOTHING;
END;
$$;

CREATE OR REPLACE FUNCTION national.sync_catalog() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
BEGIN
	INSERT INTO national.catalog AS n (origin, version, doc, loaded_at)
	SELECT national.origin_name(), c.version, c.doc, c.loaded_at
	FROM catalog_version c ORDER BY c.id DESC LIMIT 1
	ON CONFLICT (origin) DO UPDATE
	SET version = EXCLUDED.version, doc = EXCLUDED.doc, loaded_at = EXCLUDED.loaded_at
	WHERE n.doc IS DISTINCT FROM EXCLUDED.doc;
END;
$$;

-- chisod sets the deadlines at every connection: only a change is written.
CREATE OR REPLACE FUNCTION national.sync_deadlines() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
BEGIN
	DELETE FROM national.deadline n
	WHERE NOT EXISTS (SELECT 1 FROM period_deadline d WHERE d.period_type = n.period_type);
	INSERT INTO national.deadline AS n (origin, period_type, days_after_end, auto_close)
	SELECT national.origin_name(), d.period_type, d.days_after_end, d.auto_close
	FROM period_deadline d
	ON CONFLICT (origin, period_type) DO UPDATE
	SET days_after_end = EXCLUDED.days_after_end, auto_close = EXCLUDED.auto_close
	WHERE (n.days_after_end, n.auto_close) IS DISTINCT FROM (EXCLUDED.days_after_end,
								 EXCLUDED.auto_close);
END;
$$;

CREATE OR REPLACE FUNCTION national.sync_crosswalk() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
BEGIN
	DELETE FROM national.crosswalk;
	INSERT INTO national.crosswalk (origin, old_code, old_from, new_code, new_from, weight,
					source)
	SELECT national.origin_name(), o.code, o.valid_from, n.code, n.valid_from, x.weight,
	       x.source
	FROM unit_crosswalk x JOIN unit o ON o.id = x.old_unit_id JOIN unit n ON n.id = x.new_unit_id;
END;
$$;

-- Observations by natural key, upserted: a resend that changed only the
-- batch writes nothing.
CREATE OR REPLACE FUNCTION national.put_observations(p_rows chiso.observation[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
	INSERT INTO national.observation AS n (origin, unit_code, unit_from, indicator_code,
					       period_code, value, qualifier, first_at,
					       value_date, note, updated_at)
	SELECT national.origin_name(), u.code, u.valid_from, i.code, p.code, c.value, c.qualifier,
	       c.first_at, c.value_date, c.note, c.updated_at
	FROM unnest(p_rows) c JOIN unit u ON u.id = c.unit_id
	JOIN indicator i ON i.id = c.indicator_id JOIN period p ON p.id = c.period_id
	ON CONFLICT (origin, unit_code, unit_from, indicator_code, period_code) DO UPDATE
	SET value = EXCLUDED.value, qualifier = EXCLUDED.qualifier, first_at = EXCLUDED.first_at,
	    value_date = EXCLUDED.value_date, note = EXCLUDED.note, updated_at = EXCLUDED.updated_at
	WHERE (n.value, n.qualifier, n.first_at, n.value_date, n.note)
	      IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.qualifier, EXCLUDED.first_at,
				EXCLUDED.value_date, EXCLUDED.note);
$$;

-- The observations a statement wrote (transition table "changed"): a
-- transition table is visible in the trigger function only, hence the array.
CREATE OR REPLACE FUNCTION national.sync_observations() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		DELETE FROM national.observation n
		USING changed c JOIN unit u ON u.id = c.unit_id
		JOIN indicator i ON i.id = c.indicator_id JOIN period p ON p.id = c.period_id
		WHERE (n.unit_code, n.unit_from, n.indicator_code, n.period_code)
		      = (u.code, u.valid_from, i.code, p.code);
	ELSE
		PERFORM national.put_observations(ARRAY(SELECT c::observation FROM changed c));
	END IF;
	RETURN NULL;
END;
$$;

-- The reference tables' triggers: the sync_ function named by the argument.
CREATE OR REPLACE FUNCTION national.sync_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
BEGIN
	EXECUTE format('SELECT national.%I()', 'sync_' || TG_ARGV[0]);
	RETURN NULL;
END;
$$;

-- All observations, for the first fill: a period at a time, so that the
-- array stays a part of the province.
CREATE OR REPLACE FUNCTION national.sync_all_observations() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
DECLARE
	per int;
BEGIN
	-- only what differs is written: running it again sends nothing new
	DELETE FROM national.observation n
	WHERE NOT EXISTS (SELECT 1 FROM observation o JOIN unit u ON u.id = o.unit_id
			  JOIN indicator i ON i.id = o.indicator_id
			  JOIN period p ON p.id = o.period_id
			  WHERE (u.code, u.valid_from, i.code, p.code)
				= (n.unit_code, n.unit_from, n.indicator_code, n.period_code));
	FOR per IN SELECT id FROM period ORDER BY id LOOP
		PERFORM national.put_observations(ARRAY(SELECT o FROM observation o
							WHERE o.period_id = per));
	END LOOP;
END;
$$;

DROP TRIGGER IF EXISTS national_units ON chiso.unit;
CREATE TRIGGER national_units AFTER INSERT OR UPDATE OR DELETE ON chiso.unit
	FOR EACH STATEMENT EXECUTE FUNCTION national.sync_trigger('units');
DROP TRIGGER IF EXISTS national_periods ON chiso.period;
CREATE TRIGGER national_periods AFTER INSERT ON chiso.period
	FOR EACH STATEMENT EXECUTE FUNCTION national.sync_trigger('periods');
DROP TRIGGER IF EXISTS national_catalog ON chiso.catalog_version;
CREATE TRIGGER national_catalog AFTER INSERT ON chiso.catalog_version
	FOR EACH STATEMENT EXECUTE FUNCTION national.sync_trigger('catalog');
DROP TRIGGER IF EXISTS national_deadlines ON chiso.period_deadline;
CREATE TRIGGER national_deadlines AFTER INSERT OR UPDATE OR DELETE ON chiso.period_deadline
	FOR EACH STATEMENT EXECUTE FUNCTION national.sync_trigger('deadlines');
DROP TRIGGER IF EXISTS national_crosswalk ON chiso.unit_crosswalk;
CREATE TRIGGER national_crosswalk AFTER INSERT OR UPDATE OR DELETE ON chiso.unit_crosswalk
	FOR EACH STATEMENT EXECUTE FUNCTION national.sync_trigger('crosswalk');
-- A statement trigger with a transition table takes one event only.
DROP TRIGGER IF EXISTS national_obs_insert ON chiso.observation;
CREATE TRIGGER national_obs_insert AFTER INSERT ON chiso.observation
	REFERENCING NEW TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION national.sync_observations();
DROP TRIGGER IF EXISTS national_obs_update ON chiso.observation;
CREATE TRIGGER national_obs_update AFTER UPDATE ON chiso.observation
	REFERENCING NEW TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION national.sync_observations();
DROP TRIGGER IF EXISTS national_obs_delete ON chiso.observation;
CREATE TRIGGER national_obs_delete AFTER DELETE ON chiso.observation
	REFERENCING OLD TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION national.sync_observations();

-- What the province has now: the triggers keep it from here on.
SELECT national.sync_units(), national.sync_periods(), national.sync_catalog(),
       national.sync_deadlines(), national.sync_crosswalk(), national.sync_all_observations();
-- The rows a changed origin name left behind.
DELETE FROM national.unit WHERE origin <> national.origin_name();
DELETE FROM national.period WHERE origin <> national.origin_name();
DELETE FROM national.catalog WHERE origin <> national.origin_name();
DELETE FROM national.deadline WHERE origin <> national.origin_name();
DELETE FROM national.crosswalk WHERE origin <> national.origin_name();
DELETE FROM national.observation WHERE origin <> national.origin_name();

-- The publication, and what the national database's replication role
-- (docs/scaling.md §3: chiso_national, LOGIN REPLICATION, made by the
-- superuser) may read of it for the first copy.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'chiso_national') THEN
		CREATE PUBLICATION chiso_national FOR TABLE national.unit, national.period,
			national.catalog, national.deadline, national.crosswalk, national.observation;
	END IF;
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chiso_national') THEN
		EXECUTE format('GRANT CONNECT ON DATABASE %I TO chiso_national', current_database());
		GRANT USAGE ON SCHEMA national TO chiso_national;
		GRANT SELECT ON national.unit, national.period, national.catalog, national.deadline,
			national.crosswalk, national.observation TO chiso_national;
	END IF;
END;
$$;
