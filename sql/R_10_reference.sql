-- R_10_reference: loading the unit hierarchy and the indicator catalogue.
--
-- chisoctl reads the files (units CSV, catalog.conf), reports every error with
-- file:line, and hands the rows here: units through COPY into a temporary table,
-- the catalogue as its JSON form.  These functions apply them as a whole or not
-- at all, and rebuild the rollups when the meaning of stored data changed.

-- Staging table for one units import; created by the caller's session.
CREATE FUNCTION units_stage() RETURNS void
LANGUAGE sql AS $$
	CREATE TEMP TABLE IF NOT EXISTS stage_unit (
		line int NOT NULL,
		code text NOT NULL,
		name text NOT NULL,
		level smallint NOT NULL,
		parent_code text,
		type text NOT NULL
	) ON COMMIT DROP;
$$;

-- Recomputes unit_closure and unit.depth from the parent links.  A whole
-- country is about 11 000 versions and 33 000 pairs: rebuilding is simpler and
-- as fast as patching.
CREATE FUNCTION unit_closure_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM unit_closure;
	INSERT INTO unit_closure (ancestor_id, unit_id, distance)
	WITH RECURSIVE up (ancestor_id, unit_id, distance) AS (
		SELECT id, id, 0 FROM unit
		UNION ALL
		SELECT u.parent_id, up.unit_id, up.distance + 1
		FROM up JOIN unit u ON u.id = up.ancestor_id
		WHERE u.parent_id IS NOT NULL
	)
	SELECT ancestor_id, unit_id, distance FROM up;

	UPDATE unit u SET depth = d.depth
	FROM (SELECT unit_id, max(distance) AS depth FROM unit_closure GROUP BY unit_id) d
	WHERE d.unit_id = u.id AND u.depth IS DISTINCT FROM d.depth;
END;
$$;

-- Refuses a staged structure that is not one forest (parents present, levels
-- consistent, types known) or that predates a version already stored; raises
-- with the first offending line.
CREATE FUNCTION units_import_check(p_from date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	bad record;
BEGIN
	SELECT s.line, s.code, s.parent_code INTO bad FROM stage_unit s
	WHERE s.parent_code IS NOT NULL
	  AND NOT EXISTS (SELECT 1 FROM stage_unit p WHERE p.code = s.parent_code)
	LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'line %: unit %: parent % is not in the file', bad.line, bad.code,
			bad.parent_code;
	END IF;
	SELECT s.line, s.code INTO bad FROM stage_unit s
	JOIN stage_unit p ON p.code = s.parent_code WHERE s.level <> p.level + 1 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'line %: unit %: level is not one below its parent''s', bad.line,
			bad.code;
	END IF;
	SELECT s.line, s.code, s.type INTO bad FROM stage_unit s
	WHERE NOT EXISTS (SELECT 1 FROM unit_type t WHERE t.type = s.type) LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'line %: unit %: unknown type "%"', bad.line, bad.code, bad.type;
	END IF;
	SELECT s.line, s.code INTO bad FROM stage_unit s
	WHERE (s.parent_code IS NULL) <> (s.level = 1) LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'line %: unit %: only level-1 units have no parent', bad.line, bad.code;
	END IF;
	SELECT s.line, s.code INTO bad FROM stage_unit s
	JOIN unit u ON u.code = s.code AND u.valid_from > p_from LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'line %: unit % already has a version valid from a later date than %: import structures in date order',
			bad.line, bad.code, p_from;
	END IF;

END;
$$;

-- One level of units_import: matches, corrects in place, replaces or adds the
-- staged units of level p_level, recording each in import_map (the caller's
-- temporary table) so that the next level finds its parents there.  Returns the
-- number of rows of each kind.
CREATE FUNCTION units_import_level(p_from date, p_level int, OUT unchanged int,
				   OUT changed int, OUT replaced int, OUT added int)
LANGUAGE plpgsql AS $$
DECLARE
	d int := p_level;
BEGIN
	-- Unchanged: the current version matches in every field.
	WITH same AS (
		SELECT s.code, u.id FROM stage_unit s
		JOIN unit u ON u.code = s.code AND u.valid_from <= p_from
			   AND p_from < u.valid_to AND u.valid_to = 'infinity'
		LEFT JOIN import_map pm ON pm.code = s.parent_code
		WHERE s.level = d AND u.name = s.name AND u.type = s.type AND u.level = s.level
		  AND u.parent_id IS NOT DISTINCT FROM pm.unit_id
	)
	INSERT INTO import_map SELECT code, id FROM same;
	GET DIAGNOSTICS unchanged = ROW_COUNT;

	-- A version that starts on this very date is corrected in place.
	WITH fix AS (
		UPDATE unit u SET name = s.name, type = s.type, level = s.level,
			tier = CASE WHEN s.parent_code IS NULL THEN 'province'
				    ELSE (SELECT t.tier FROM unit_type t WHERE t.type = s.type) END,
			parent_id = pm.unit_id, imported_at = now()
		FROM stage_unit s LEFT JOIN import_map pm ON pm.code = s.parent_code
		WHERE s.level = d AND u.code = s.code AND u.valid_from = p_from
		  AND NOT EXISTS (SELECT 1 FROM import_map m WHERE m.code = s.code)
		RETURNING u.code, u.id
	)
	INSERT INTO import_map SELECT code, id FROM fix;
	GET DIAGNOSTICS changed = ROW_COUNT;

	-- Otherwise close the current version and open a new one.
	UPDATE unit u SET valid_to = p_from
	FROM stage_unit s
	WHERE s.level = d AND u.code = s.code AND u.valid_from < p_from
	  AND u.valid_to = 'infinity'
	  AND NOT EXISTS (SELECT 1 FROM import_map m WHERE m.code = s.code);
	GET DIAGNOSTICS replaced = ROW_COUNT;

	WITH ins AS (
		INSERT INTO unit (code, name, level, tier, type, parent_id, depth, valid_from)
		SELECT s.code, s.name, s.level,
		       CASE WHEN s.parent_code IS NULL THEN 'province' ELSE t.tier END,
		       s.type, pm.unit_id, 0, p_from
		FROM stage_unit s
		JOIN unit_type t ON t.type = s.type
		LEFT JOIN import_map pm ON pm.code = s.parent_code
		WHERE s.level = d AND NOT EXISTS (SELECT 1 FROM import_map m WHERE m.code = s.code)
		RETURNING code, id
	)
	INSERT INTO import_map SELECT code, id FROM ins;
	GET DIAGNOSTICS added = ROW_COUNT;
END;
$$;

-- Applies the staged structure as valid from p_from.  A unit whose name, type,
-- level or parent version changed gets a new version from p_from and its
-- current version is closed; a unit absent from the file but under one of the
-- file's top-level units is closed.  Re-importing the same file is a no-op.
-- Returns one row of counts.
CREATE FUNCTION units_import(p_from date, OUT added int, OUT changed int, OUT closed int,
			     OUT unchanged int)
LANGUAGE plpgsql AS $$
DECLARE
	d int;
	r record;
	replaced int := 0;
BEGIN
	added := 0; changed := 0; closed := 0; unchanged := 0;

	-- The file must be one forest: parents present, levels consistent, types known.
	PERFORM units_import_check(p_from);

	-- Top-down, so that a child compares its parent link against the parent
	-- version this import keeps or creates.
	CREATE TEMP TABLE import_map (code text PRIMARY KEY, unit_id int) ON COMMIT DROP;
	FOR d IN SELECT DISTINCT level FROM stage_unit ORDER BY level LOOP
		SELECT * INTO r FROM units_import_level(p_from, d);
		unchanged := unchanged + r.unchanged;
		changed := changed + r.changed;
		replaced := replaced + r.replaced;
		added := added + r.added;
	END LOOP;
	-- A replaced version is a change of an existing unit, not a new unit.
	added := added - replaced;
	changed := changed + replaced;

	-- Close what the new structure no longer has under the same top-level units.
	WITH RECURSIVE tree (id) AS (
		SELECT u.id FROM unit u JOIN stage_unit s ON s.code = u.code AND s.level = 1
		WHERE u.valid_to = 'infinity' OR u.valid_to = p_from
		UNION
		SELECT c.id FROM unit c JOIN tree ON c.parent_id = tree.id
	)
	UPDATE unit u SET valid_to = p_from
	FROM tree
	WHERE u.id = tree.id AND u.valid_to = 'infinity' AND u.valid_from < p_from
	  AND NOT EXISTS (SELECT 1 FROM import_map m WHERE m.unit_id = u.id);
	GET DIAGNOSTICS closed = ROW_COUNT;

	PERFORM unit_closure_rebuild();
	-- Expected-unit counts depend on the structure: recompute the rollups.
	PERFORM rollup_rebuild();
	PERFORM pg_notify('chiso_units', p_from::text);
END;
$$;

-- Staging table for one crosswalk import (chisoctl units crosswalk import),
-- filled by COPY after lib/crosswalk.c checked the syntax of every line.
CREATE FUNCTION crosswalk_stage() RETURNS void
LANGUAGE sql AS $$
	CREATE TEMP TABLE IF NOT EXISTS stage_crosswalk (
		line int NOT NULL,
		old_code text NOT NULL,
		old_date date NOT NULL,
		new_code text NOT NULL,
		new_date date NOT NULL,
		weight numeric NOT NULL,
		source text NOT NULL
	) ON COMMIT DROP;
$$;

-- The staged crosswalk with each line's unit versions resolved by date: the
-- version of the code valid on that day (NULL when there is none).
CREATE FUNCTION crosswalk_resolved()
RETURNS TABLE (line int, old_code text, old_date date, new_code text, new_date date,
	       weight numeric, source text, old_id int, new_id int)
LANGUAGE plpgsql STABLE AS $$
-- PL/pgSQL because it reads the session's temporary stage_crosswalk, which
-- does not exist when the migration runs.
#variable_conflict use_column
BEGIN
	RETURN QUERY
	SELECT s.line, s.old_code, s.old_date, s.new_code, s.new_date, s.weight, s.source,
	       (SELECT u.id FROM unit u WHERE u.code = s.old_code AND u.valid_from <= s.old_date
		  AND s.old_date < u.valid_to),
	       (SELECT u.id FROM unit u WHERE u.code = s.new_code AND u.valid_from <= s.new_date
		  AND s.new_date < u.valid_to)
	FROM stage_crosswalk s;
END;
$$;

-- Every problem of the staged crosswalk, one row per line and field, in line
-- order: units that do not exist on their date, an old version that does not
-- end before the new one begins, a pair given twice, and the weights of one
-- old version that do not add up to exactly 1 (a split's shares).  Nothing is
-- imported while there is one (crosswalk_apply is only called without).
CREATE FUNCTION crosswalk_problems()
RETURNS TABLE (line int, field text, message text)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
	RETURN QUERY
	WITH r AS (SELECT * FROM crosswalk_resolved())
	SELECT p.line, p.field, p.message FROM (
		SELECT r.line, 'old_code' AS field,
		       format('no unit %s on %s', r.old_code, r.old_date) AS message
		FROM r WHERE r.old_id IS NULL
		UNION ALL
		SELECT r.line, 'new_code',
		       format('no unit %s on %s', r.new_code, r.new_date)
		FROM r WHERE r.new_id IS NULL
		UNION ALL
		SELECT r.line, 'new_date',
		       format('%s (%s, valid %s to %s) does not end before %s (%s, valid from %s)',
			      o.code, o.name, o.valid_from, o.valid_to - 1, n.code, n.name,
			      n.valid_from)
		FROM r JOIN unit o ON o.id = r.old_id JOIN unit n ON n.id = r.new_id
		WHERE o.valid_to > n.valid_from
		UNION ALL
		SELECT r.line, 'new_code',
		       format('%s -> %s is already given at line %s', r.old_code, r.new_code,
			      f.line)
		FROM r JOIN r f ON f.old_id = r.old_id AND f.new_id = r.new_id AND f.line < r.line
		UNION ALL
		SELECT max(r.line), 'weight',
		       format('the weights of %s (from line %s) add up to %s, not 1', min(r.old_code),
			      min(r.line), trim_scale(sum(r.weight)))
		FROM r WHERE r.old_id IS NOT NULL
		GROUP BY r.old_id HAVING sum(r.weight) <> 1
	) p
	ORDER BY p.line, p.field;
END;
$$;

-- Applies the staged crosswalk, checked by crosswalk_problems: the rows of
-- each old version in the file replace the ones it had, so importing the same
-- file again changes nothing.  Returns the number of rows written.
CREATE FUNCTION crosswalk_apply() RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
	n int;
BEGIN
	CREATE TEMP TABLE crosswalk_rows ON COMMIT DROP AS SELECT * FROM crosswalk_resolved();
	DELETE FROM unit_crosswalk x
	WHERE x.old_unit_id IN (SELECT r.old_id FROM crosswalk_rows r);
	INSERT INTO unit_crosswalk (old_unit_id, new_unit_id, weight, source)
	SELECT r.old_id, r.new_id, r.weight, r.source FROM crosswalk_rows r;
	GET DIAGNOSTICS n = ROW_COUNT;
	DROP TABLE crosswalk_rows;
	RETURN n;
END;
$$;

-- The successors of a unit version by the crosswalk, for the messages
-- officers read: "21292 (Xã Sơn Hạ)", or several with their shares written the
-- Vietnamese way ("40,5%"); NULL when it has none.
CREATE FUNCTION unit_successors(p_unit int) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT string_agg(CASE WHEN x.weight = 1 THEN format('%s (%s)', n.code, n.name)
			  ELSE format('%s (%s, %s%%)', n.code, n.name,
				      replace(trim_scale(round(x.weight * 100, 2))::text, '.', ',')) END,
			  ', ' ORDER BY n.code)
	FROM unit_crosswalk x JOIN unit n ON n.id = x.new_unit_id
	WHERE x.old_unit_id = p_unit;
$$;

-- Inserts or updates every indicator staged in stage_indicator (catalog_load's
-- temporary table): a row already present is overwritten and un-retired.
CREATE FUNCTION catalog_load_indicators() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	-- Plain indicators first, then ratios, whose numerator and denominator may
	-- be among the rows just added.
	INSERT INTO indicator AS i (code, name_vi, name_en, measure, pillar, kind, levels,
				    period_types, calendar, agg_space, agg_time, min_value,
				    max_value, decimals, outlier_window, ord)
	SELECT s.code, s.x ->> 'name_vi', s.x ->> 'name_en', coalesce(s.x ->> 'measure', ''),
	       s.x ->> 'pillar', s.x ->> 'kind',
	       ARRAY(SELECT jsonb_array_elements_text(s.x -> 'levels')),
	       ARRAY(SELECT jsonb_array_elements_text(s.x -> 'period_types')),
	       s.x ->> 'calendar', s.x ->> 'agg_space', coalesce(s.x ->> 'agg_time', 'sum'),
	       (s.x ->> 'min')::numeric, (s.x ->> 'max')::numeric,
	       coalesce((s.x ->> 'decimals')::smallint, 0),
	       coalesce((s.x ->> 'outlier_window')::smallint, 5), s.ord
	FROM stage_indicator s WHERE s.x ->> 'kind' <> 'ratio'
	ON CONFLICT (code) DO UPDATE SET name_vi = EXCLUDED.name_vi, name_en = EXCLUDED.name_en,
		measure = EXCLUDED.measure, pillar = EXCLUDED.pillar, kind = EXCLUDED.kind,
		levels = EXCLUDED.levels, period_types = EXCLUDED.period_types,
		calendar = EXCLUDED.calendar, agg_space = EXCLUDED.agg_space,
		agg_time = EXCLUDED.agg_time, min_value = EXCLUDED.min_value,
		max_value = EXCLUDED.max_value, factor = NULL, decimals = EXCLUDED.decimals,
		outlier_window = EXCLUDED.outlier_window, ord = EXCLUDED.ord, retired = false, numerator_id = NULL, denominator_id = NULL;

	-- A ratio is reported wherever and whenever its numerator is, and
	-- aggregates as the sum of numerators over the sum of denominators.
	INSERT INTO indicator AS i (code, name_vi, name_en, measure, pillar, kind, levels,
				    period_types, calendar, agg_space, agg_time, numerator_id,
				    denominator_id, factor, share, decimals, ord)
	SELECT s.code, s.x ->> 'name_vi', s.x ->> 'name_en', coalesce(s.x ->> 'measure', '%'),
	       s.x ->> 'pillar', 'ratio', n_.levels, n_.period_types, n_.calendar, 'sum', 'sum',
	       n_.id, d_.id,
	       coalesce((s.x ->> 'factor')::numeric, 100), coalesce((s.x ->> 'share')::boolean, true),
	       coalesce((s.x ->> 'decimals')::smallint, 2), s.ord
	FROM stage_indicator s
	JOIN indicator n_ ON n_.code = s.x ->> 'numerator'
	JOIN indicator d_ ON d_.code = s.x ->> 'denominator'
	WHERE s.x ->> 'kind' = 'ratio'
	ON CONFLICT (code) DO UPDATE SET name_vi = EXCLUDED.name_vi, name_en = EXCLUDED.name_en,
		measure = EXCLUDED.measure, pillar = EXCLUDED.pillar, kind = EXCLUDED.kind,
		levels = EXCLUDED.levels, period_types = EXCLUDED.period_types,
		calendar = EXCLUDED.calendar, agg_space = EXCLUDED.agg_space,
		agg_time = EXCLUDED.agg_time, min_value = NULL, max_value = NULL,
		numerator_id = EXCLUDED.numerator_id, denominator_id = EXCLUDED.denominator_id,
		factor = EXCLUDED.factor, share = EXCLUDED.share, decimals = EXCLUDED.decimals, ord = EXCLUDED.ord,
		retired = false;
END;
$$;

-- Applies a catalogue in its JSON form (lib/catalog.c catalog_to_json).
-- Indicators are matched by code; one that disappeared is marked retired, never
-- deleted, because observations may refer to it.
CREATE FUNCTION catalog_load(p_doc jsonb, OUT added int, OUT updated int, OUT retired int,
			     OUT version text)
LANGUAGE plpgsql AS $$
DECLARE
	n int;
BEGIN
	version := p_doc ->> 'version';

	INSERT INTO pillar (code, name_vi, name_en, ord)
	SELECT p ->> 'code', p ->> 'name_vi', p ->> 'name_en', o::int
	FROM jsonb_array_elements(p_doc -> 'pillars') WITH ORDINALITY AS x (p, o)
	ON CONFLICT (code) DO UPDATE SET name_vi = EXCLUDED.name_vi,
		name_en = EXCLUDED.name_en, ord = EXCLUDED.ord;

	CREATE TEMP TABLE stage_indicator ON COMMIT DROP AS
	SELECT x ->> 'code' AS code, x, o::int AS ord
	FROM jsonb_array_elements(p_doc -> 'indicators') WITH ORDINALITY AS t (x, o);

	SELECT count(*) INTO added FROM stage_indicator s
	WHERE NOT EXISTS (SELECT 1 FROM indicator i WHERE i.code = s.code);

	PERFORM catalog_load_indicators();

	SELECT count(*) - added INTO updated FROM stage_indicator;

	UPDATE indicator i SET retired = true
	WHERE NOT i.retired AND NOT EXISTS (SELECT 1 FROM stage_indicator s WHERE s.code = i.code);
	GET DIAGNOSTICS retired = ROW_COUNT;

	DELETE FROM rule;
	INSERT INTO rule (code, total_id, part_ids)
	SELECT r ->> 'code', t.id,
	       ARRAY(SELECT i.id FROM jsonb_array_elements_text(r -> 'parts') WITH ORDINALITY p (c, o)
		     JOIN indicator i ON i.code = p.c ORDER BY p.o)
	FROM jsonb_array_elements(coalesce(p_doc -> 'rules', '[]'::jsonb)) r
	JOIN indicator t ON t.code = r ->> 'total';

	INSERT INTO catalog_version (version, doc) VALUES (version, p_doc);
	GET DIAGNOSTICS n = ROW_COUNT;

	-- Aggregation types may have changed: recompute the rollups from observations.
	PERFORM rollup_rebuild();
	PERFORM pg_notify('chiso_catalog', version);
END;
$$;

-- The catalogue document chisod serves to agents (the latest load).
CREATE FUNCTION catalog_current() RETURNS TABLE (version text, doc text)
LANGUAGE sql STABLE AS $$
	SELECT version, doc::text FROM catalog_version ORDER BY id DESC LIMIT 1;
$$;
