-- R_30_rollup: rollups kept current by every commit, rebuilt from scratch on
-- demand, and verified against an independent plain aggregation.
--
-- A rollup row of (unit, indicator, period) combines the unit's own value with
-- its children's rollup rows, deepest level first, so a commit costs the
-- number of children of each touched ancestor, not the size of its subtree.
-- A unit's own value is the value it reported for the period, or else the one
-- derived from its finer periods (R_15_time).  A ratio at every level is the
-- aggregated numerator divided by the aggregated denominator, over the units
-- that reported both.  Expected-unit counts come from the structure valid on
-- the period's last day; on-time counts from the configured deadlines.

-- Whether unit u is expected to report an indicator reported at these tiers on
-- that day: its tier is listed, or it is a leaf standing in for a lower tier
-- (Lý Sơn, a district without communes from 2020 to 2025, reports for itself).
CREATE FUNCTION unit_expected(p_unit int, p_tier text, p_levels text[], p_day date)
RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT p_tier = ANY (p_levels)
	    OR (EXISTS (SELECT 1 FROM tier t, tier ut
			WHERE t.code = ANY (p_levels) AND ut.code = p_tier AND t.rank > ut.rank)
		AND NOT EXISTS (SELECT 1 FROM unit ch
				WHERE ch.parent_id = p_unit AND ch.valid_from <= p_day
				  AND p_day < ch.valid_to));
$$;

-- rollup_level's statement, one depth of the keys in w_key recomputed from own
-- values and the rows of the depth below (already current), is set-based: the
-- own values, dates and children are joined once for all keys of the depth (a
-- commit's thousand keys or a rebuild's million alike), no function call per
-- key.  It stays ONE statement, written in five pieces (its CTEs, in order)
-- that the functions rollup_sql_* return as text and rollup_level runs with
-- EXECUTE, so that the planner sees the whole of it as before: a split into
-- statements of their own filling work tables ingested 2.5 to 3.9 times slower
-- on the first load after a rebuild (docs/performance.md, cause not found).
-- Where the planner, misled by a temporary table without statistics or by
-- rollup's taken while it was empty, once joined two sets on part of their key,
-- a CTE of its own fixes the order (children, numerators).  $1 is the depth.

-- The keys of the depth with their indicator and dates (k), and the own values
-- they read (need).
CREATE FUNCTION rollup_sql_keys() RETURNS text
LANGUAGE sql IMMUTABLE AS $f$ SELECT $q$
	k AS (
		-- the dates are plain joins, not a function call per key
		SELECT w.unit_id, w.indicator_id, w.period_id, i.kind, i.agg_space,
		       i.numerator_id, i.denominator_id, i.factor, i.levels,
		       structure_date(i.calendar, p) AS day,
		       structure_date(i.calendar, p) + dl.days_after_end AS due,
		       -- a value reported for a coarser period than the native one
		       -- stands for that many native periods
		       CASE WHEN period_months(p.type) > period_months(i.period_types[1])
			    THEN period_months(p.type) / period_months(i.period_types[1]) END
			   AS native_periods
		FROM w_key w
		JOIN indicator i ON i.id = w.indicator_id
		JOIN period p ON p.id = w.period_id
		LEFT JOIN period_deadline dl ON dl.period_type = p.type
		WHERE w.depth = $1
	), need AS (
		-- the own values the keys read: their own, or a ratio's two parts
		SELECT k.unit_id, k.indicator_id, k.period_id FROM k WHERE k.kind <> 'ratio'
		UNION
		SELECT k.unit_id, k.numerator_id, k.period_id FROM k WHERE k.kind = 'ratio'
		UNION
		SELECT k.unit_id, k.denominator_id, k.period_id FROM k WHERE k.kind = 'ratio'
	)$q$;
$f$;

-- The children of each key (children), the own values (own) and each ratio
-- key's numerator (numerators).
CREATE FUNCTION rollup_sql_own() RETURNS text
LANGUAGE sql IMMUTABLE AS $f$ SELECT $q$
	children AS MATERIALIZED (
		-- A period rolls up on the structure of its last day: a child version
		-- that ended before it (a year derived for a commune merged on 1 July)
		-- keeps its own row but is not added to its parents (analyst guide,
		-- "Reading data across the reform").  A CTE of its own so that rollup
		-- is looked up by its whole key: joined to the keys first, on
		-- (indicator, period) alone, it paired every district of a rebuild
		-- with every commune row.
		SELECT k.unit_id, k.indicator_id, k.period_id, ch.id AS child_id
		FROM k
		JOIN unit ch ON ch.parent_id = k.unit_id AND ch.valid_from <= k.day
			     AND k.day < ch.valid_to
		WHERE k.agg_space <> 'none'
	), own AS (
		-- reported, or else derived from finer periods (R_15_time)
		SELECT n.unit_id, n.indicator_id, n.period_id, o.value, o.qualifier,
		       o.first_at AS at, false AS derived, NULL::int AS pr, NULL::int AS pe
		FROM need n
		JOIN observation o USING (unit_id, indicator_id, period_id)
		UNION ALL
		SELECT n.unit_id, n.indicator_id, n.period_id, d.value, d.qualifier,
		       d.received_at, true, d.periods_reported, d.periods_expected
		FROM need n
		JOIN observation_derived d USING (unit_id, indicator_id, period_id)
		WHERE NOT EXISTS (SELECT 1 FROM observation o
				  WHERE (o.unit_id, o.indicator_id, o.period_id)
					= (n.unit_id, n.indicator_id, n.period_id))
	), numerators AS MATERIALIZED (
		-- Each ratio key with its numerator, then (below) its denominator,
		-- each joined by the whole key: joined together first, the two own
		-- values of a unit paired every indicator with every other one.
		SELECT k.unit_id, k.indicator_id, k.period_id, k.denominator_id, k.due, a.value,
		       a.qualifier, a.at
		FROM k
		JOIN own a ON (a.unit_id, a.indicator_id, a.period_id)
			    = (k.unit_id, k.numerator_id, k.period_id)
		WHERE k.kind = 'ratio'
	)$q$;
$f$;

-- What adds up into each key (contrib) and its sums (sums).
CREATE FUNCTION rollup_sql_sums() RETURNS text
LANGUAGE sql IMMUTABLE AS $f$ SELECT $q$
	contrib AS (
		-- the unit's own value
		SELECT k.unit_id, k.indicator_id, k.period_id, o.value AS v, o.value AS s,
		       NULL::numeric AS num, NULL::numeric AS den, 1 AS n, o.qualifier AS q,
		       CASE WHEN k.due IS NULL OR o.at::date <= k.due THEN 1 ELSE 0 END AS on_time,
		       CASE WHEN o.derived THEN o.pr ELSE k.native_periods END AS pr,
		       CASE WHEN o.derived THEN o.pe ELSE k.native_periods END AS pe
		FROM k JOIN own o USING (unit_id, indicator_id, period_id)
		WHERE k.kind <> 'ratio'
		UNION ALL
		-- a ratio's own numerator and denominator, when both were reported
		SELECT n.unit_id, n.indicator_id, n.period_id, NULL, NULL, n.value, b.value, 1,
		       qual_ratio(n.qualifier, b.qualifier),
		       CASE WHEN n.due IS NULL OR greatest(n.at, b.at)::date <= n.due
			    THEN 1 ELSE 0 END,
		       NULL::int, NULL::int
		FROM numerators n
		JOIN own b ON (b.unit_id, b.indicator_id, b.period_id)
			    = (n.unit_id, n.denominator_id, n.period_id)
		UNION ALL
		-- the children's rows
		SELECT c.unit_id, c.indicator_id, c.period_id, r.value, r.sum_value, r.numerator,
		       r.denominator, r.reporting_units, r.qualifier, r.on_time_units,
		       r.periods_reported, r.periods_expected
		FROM children c
		JOIN rollup r ON (r.unit_id, r.indicator_id, r.period_id)
			       = (c.child_id, c.indicator_id, c.period_id)
	), sums AS (
		-- per key over its contributions, grouped on the key alone; qualifiers
		-- combine as qual_agg() does (none, all the same one, or else "about")
		-- but through built-in aggregates, not a function call per row
		SELECT c.unit_id, c.indicator_id, c.period_id, sum(c.v) AS v_sum,
		       min(c.v) AS v_min, max(c.v) AS v_max, sum(c.s) AS s, sum(c.num) AS num,
		       sum(c.den) AS den, sum(c.n) AS n, min(c.q) AS q_min, max(c.q) AS q_max,
		       sum(c.on_time) AS on_time, sum(c.pr) AS pr, sum(c.pe) AS pe
		FROM contrib c
		GROUP BY c.unit_id, c.indicator_id, c.period_id
	)$q$;
$f$;

-- The expected reporters (ek, expected) and each key's new row (rows).
CREATE FUNCTION rollup_sql_rows() RETURNS text
LANGUAGE sql IMMUTABLE AS $f$ SELECT $q$
	ek AS (
		-- expected reporters depend only on the unit, tiers and day: count each once
		SELECT DISTINCT k.unit_id, k.levels, k.day, k.agg_space = 'none' AS self_only FROM k
	), expected AS (
		SELECT ek.unit_id, ek.levels, ek.day, ek.self_only, count(u.id)::int AS n
		FROM ek
		JOIN unit_closure uc ON uc.ancestor_id = ek.unit_id
				    AND (NOT ek.self_only OR uc.distance = 0)
		JOIN unit u ON u.id = uc.unit_id AND u.valid_from <= ek.day AND ek.day < u.valid_to
		WHERE unit_expected(u.id, u.tier, ek.levels, ek.day)
		GROUP BY ek.unit_id, ek.levels, ek.day, ek.self_only
	), rows AS (
		SELECT k.unit_id, k.indicator_id, k.period_id,
		       CASE WHEN k.kind = 'ratio' THEN a.num / nullif(a.den, 0) * k.factor
			    WHEN k.agg_space = 'sum' THEN a.v_sum
			    WHEN k.agg_space = 'avg' THEN a.s / nullif(a.n, 0)
			    WHEN k.agg_space = 'min' THEN a.v_min
			    ELSE a.v_max -- max, and none (the unit's own value only)
		       END AS value,
		       CASE WHEN k.kind <> 'ratio' THEN a.s END AS sum_value,
		       CASE WHEN k.kind = 'ratio' THEN a.num END AS numerator,
		       CASE WHEN k.kind = 'ratio' THEN a.den END AS denominator,
		       CASE WHEN a.q_min = a.q_max THEN a.q_min
			    WHEN a.q_min IS NOT NULL THEN 'about' END AS qualifier,
		       coalesce(a.n, 0)::int AS reporting, coalesce(a.on_time, 0)::int AS on_time,
		       a.pr::int AS pr, a.pe::int AS pe, coalesce(e.n, 0) AS expected
		FROM k
		LEFT JOIN sums a USING (unit_id, indicator_id, period_id)
		LEFT JOIN expected e ON e.unit_id = k.unit_id AND e.levels = k.levels
				    AND e.day = k.day AND e.self_only = (k.agg_space = 'none')
	)$q$;
$f$;

-- The rows that something reports, written where they changed (upsert).
CREATE FUNCTION rollup_sql_upsert() RETURNS text
LANGUAGE sql IMMUTABLE AS $f$ SELECT $q$
	upsert AS (
		INSERT INTO rollup AS r (unit_id, indicator_id, period_id, value, sum_value,
					 numerator, denominator, qualifier, reporting_units,
					 expected_units, on_time_units, periods_reported,
					 periods_expected)
		SELECT unit_id, indicator_id, period_id, value, sum_value, numerator, denominator,
		       qualifier, reporting, expected, on_time, pr, pe
		FROM rows WHERE reporting > 0
		ON CONFLICT (unit_id, indicator_id, period_id) DO UPDATE
		SET value = EXCLUDED.value, sum_value = EXCLUDED.sum_value,
		    numerator = EXCLUDED.numerator, denominator = EXCLUDED.denominator,
		    qualifier = EXCLUDED.qualifier, reporting_units = EXCLUDED.reporting_units,
		    expected_units = EXCLUDED.expected_units, on_time_units = EXCLUDED.on_time_units,
		    periods_reported = EXCLUDED.periods_reported,
		    periods_expected = EXCLUDED.periods_expected, updated_at = now()
		WHERE (r.value, r.sum_value, r.numerator, r.denominator, r.qualifier,
		       r.reporting_units, r.expected_units, r.on_time_units, r.periods_reported,
		       r.periods_expected)
		      IS DISTINCT FROM
		      (EXCLUDED.value, EXCLUDED.sum_value, EXCLUDED.numerator, EXCLUDED.denominator,
		       EXCLUDED.qualifier, EXCLUDED.reporting_units, EXCLUDED.expected_units,
		       EXCLUDED.on_time_units, EXCLUDED.periods_reported, EXCLUDED.periods_expected)
	)$q$;
$f$;

-- Recomputes one depth of the keys in w_key (above); the keys that nothing
-- reports any more are deleted.  PL/pgSQL because the statement reads the
-- session's temporary w_key, which does not exist when the migration runs.
CREATE FUNCTION rollup_level(p_depth int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	gone_unit int[];
	gone_indicator int[];
	gone_period int[];
BEGIN
	EXECUTE 'WITH ' || rollup_sql_keys() || ', ' || rollup_sql_own() || ', '
		|| rollup_sql_sums() || ', ' || rollup_sql_rows() || ', ' || rollup_sql_upsert()
		|| ' SELECT array_agg(rows.unit_id), array_agg(rows.indicator_id),'
		|| ' array_agg(rows.period_id) FROM rows WHERE rows.reporting = 0'
	INTO gone_unit, gone_indicator, gone_period
	USING p_depth;

	-- Keys nothing reports any more (a value taken back, a unit moved):
	-- usually none.  Deleted by their whole key in a statement of their own:
	-- joined inside the statement above, the planner once scanned the keys
	-- for every rollup row of a rebuild (rollup's statistics still said
	-- empty).
	IF gone_unit IS NOT NULL THEN
		DELETE FROM rollup r
		USING unnest(gone_unit, gone_indicator, gone_period) AS g(unit_id, indicator_id, period_id)
		WHERE (r.unit_id, r.indicator_id, r.period_id) = (g.unit_id, g.indicator_id, g.period_id);
	END IF;
END;
$$;

-- Refreshes the rollups of the keys in w_dirty (changed observations): their
-- derived coarser periods, those keys, all their ancestors, and the ratios
-- built on their indicators.  Returns the number of keys recomputed.
CREATE FUNCTION rollup_refresh() RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
	d int;
	n int;
BEGIN
	PERFORM derive_refresh();
	DELETE FROM w_key;
	INSERT INTO w_key (unit_id, indicator_id, period_id, depth)
	SELECT DISTINCT uc.ancestor_id, b.indicator_id, b.period_id, a.depth
	FROM (SELECT w.unit_id, w.indicator_id, w.period_id FROM w_dirty w
	      UNION
	      SELECT w.unit_id, r.id, w.period_id FROM w_dirty w
	      JOIN indicator r ON r.kind = 'ratio'
			      AND w.indicator_id IN (r.numerator_id, r.denominator_id)) b
	JOIN indicator i ON i.id = b.indicator_id
	JOIN unit_closure uc ON uc.unit_id = b.unit_id AND (i.agg_space <> 'none' OR uc.distance = 0)
	JOIN unit a ON a.id = uc.ancestor_id;
	GET DIAGNOSTICS n = ROW_COUNT;
	-- A temporary table has no statistics unless asked: without them the
	-- planner takes a rebuild's million keys for a commit's few hundred and
	-- joins them one index probe at a time.  A few ms for a commit.
	ANALYZE w_key;

	FOR d IN SELECT DISTINCT w.depth FROM w_key w ORDER BY w.depth DESC LOOP
		PERFORM rollup_level(d);
	END LOOP;
	DELETE FROM w_dirty;
	DELETE FROM w_key;
	RETURN n;
END;
$$;

-- Recomputes every derived value and every rollup row from the observations
-- through the same path a commit uses.  Returns the number of rollup rows.
CREATE FUNCTION rollup_rebuild() RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM ingest_session();
	-- a whole country's keys are sorted and hashed in memory, not on disk;
	-- for this transaction only
	PERFORM set_config('work_mem', '256MB', true);
	DELETE FROM rollup;
	DELETE FROM observation_derived;
	DELETE FROM w_dirty;
	INSERT INTO w_dirty (unit_id, indicator_id, period_id)
	SELECT unit_id, indicator_id, period_id FROM observation;
	PERFORM rollup_refresh();
	RETURN (SELECT count(*) FROM rollup);
END;
$$;

-- rollup_direct's starting point: every unit's own values, the reported ones
-- and the derived ones where nothing was reported, with when they arrived and,
-- for a period longer than the indicator's, how many periods they cover (pr, pe).
CREATE FUNCTION rollup_direct_own()
RETURNS TABLE (unit_id int, indicator_id int, period_id int, value numeric, qualifier text,
	       at timestamptz, pr int, pe int)
LANGUAGE sql STABLE AS $$
	SELECT o.unit_id, o.indicator_id, o.period_id, o.value, o.qualifier,
	       o.first_at AS at,
	       CASE WHEN period_months(p.type) > period_months(i.period_types[1])
		    THEN period_months(p.type) / period_months(i.period_types[1]) END AS pr,
	       CASE WHEN period_months(p.type) > period_months(i.period_types[1])
		    THEN period_months(p.type) / period_months(i.period_types[1]) END AS pe
	FROM observation o
	JOIN period p ON p.id = o.period_id
	JOIN indicator i ON i.id = o.indicator_id
	UNION ALL
	SELECT d.unit_id, d.indicator_id, d.period_id, d.value, d.qualifier, d.received_at,
	       d.periods_reported, d.periods_expected
	FROM observation_derived d
	WHERE NOT EXISTS (SELECT 1 FROM observation o
			  WHERE (o.unit_id, o.indicator_id, o.period_id)
				= (d.unit_id, d.indicator_id, d.period_id));
$$;

-- A rollup row's key and figures: what rollup_verify compares, of the stored
-- rollups (rollup_figures) and of rollup_direct.
CREATE TYPE rollup_row AS (
	unit_id int, indicator_id int, period_id int, value numeric, sum_value numeric,
	numerator numeric, denominator numeric, qualifier text, reporting_units int,
	expected_units int, on_time_units int, periods_reported int, periods_expected int);

-- The rollups computed the plain way, straight from the units' own values over
-- whole subtrees, sharing no code with rollup_level: the independent reference
-- that `chisoctl rollup verify` compares against.
CREATE FUNCTION rollup_direct()
RETURNS SETOF rollup_row
LANGUAGE sql STABLE AS $$
	WITH own AS (
		SELECT * FROM rollup_direct_own()
	), plain AS (
		SELECT uc.ancestor_id AS unit_id, x.indicator_id, x.period_id,
		       CASE i.agg_space WHEN 'sum' THEN sum(x.value)
					WHEN 'avg' THEN sum(x.value) / count(*)
					WHEN 'min' THEN min(x.value)
					ELSE max(x.value) END AS value,
		       sum(x.value) AS sum_value, NULL::numeric AS numerator,
		       NULL::numeric AS denominator, qual_agg(x.qualifier) AS qualifier,
		       count(*)::int AS reporting_units,
		       count(*) FILTER (WHERE deadline_date(i.calendar, p) IS NULL
					OR x.at::date <= deadline_date(i.calendar, p))::int AS on_time,
		       sum(x.pr)::int AS pr, sum(x.pe)::int AS pe
		FROM own x
		JOIN indicator i ON i.id = x.indicator_id
		JOIN period p ON p.id = x.period_id
		JOIN unit_closure uc ON uc.unit_id = x.unit_id
				    AND (i.agg_space <> 'none' OR uc.distance = 0)
		JOIN unit xu ON xu.id = x.unit_id
		WHERE uc.distance = 0 OR (xu.valid_from <= structure_date(i.calendar, p)
					  AND structure_date(i.calendar, p) < xu.valid_to)
		GROUP BY uc.ancestor_id, x.indicator_id, x.period_id, i.agg_space
	), ratio AS (
		SELECT uc.ancestor_id AS unit_id, r.id AS indicator_id, a.period_id,
		       sum(a.value) / nullif(sum(b.value), 0) * r.factor AS value,
		       NULL::numeric AS sum_value, sum(a.value) AS numerator,
		       sum(b.value) AS denominator,
		       qual_agg(qual_ratio(a.qualifier, b.qualifier)) AS qualifier,
		       count(*)::int AS reporting_units,
		       count(*) FILTER (WHERE deadline_date(r.calendar, p) IS NULL
					OR greatest(a.at, b.at)::date
					   <= deadline_date(r.calendar, p))::int AS on_time,
		       NULL::int AS pr, NULL::int AS pe
		FROM indicator r
		JOIN own a ON a.indicator_id = r.numerator_id
		JOIN own b ON b.indicator_id = r.denominator_id AND b.unit_id = a.unit_id
			  AND b.period_id = a.period_id
		JOIN period p ON p.id = a.period_id
		JOIN unit_closure uc ON uc.unit_id = a.unit_id
		JOIN unit au ON au.id = a.unit_id
		WHERE r.kind = 'ratio'
		  AND (uc.distance = 0 OR (au.valid_from <= structure_date(r.calendar, p)
					   AND structure_date(r.calendar, p) < au.valid_to))
		GROUP BY uc.ancestor_id, r.id, a.period_id, r.factor
	), all_rows AS (
		SELECT * FROM plain UNION ALL SELECT * FROM ratio
	)
	SELECT x.unit_id, x.indicator_id, x.period_id, x.value, x.sum_value, x.numerator,
	       x.denominator, x.qualifier, x.reporting_units,
	       (SELECT count(*)::int FROM unit_closure uc JOIN unit u ON u.id = uc.unit_id
		WHERE uc.ancestor_id = x.unit_id
		  AND (i.agg_space <> 'none' OR uc.distance = 0)
		  AND u.valid_from <= structure_date(i.calendar, p)
		  AND structure_date(i.calendar, p) < u.valid_to
		  AND unit_expected(u.id, u.tier, i.levels, structure_date(i.calendar, p))),
	       x.on_time, x.pr, x.pe
	FROM all_rows x
	JOIN indicator i ON i.id = x.indicator_id
	JOIN period p ON p.id = x.period_id;
$$;

-- A rollup row's figures as rollup_verify prints them, or 'missing' when the
-- row is absent (p_unit is NULL on that side of the full join).
CREATE FUNCTION rollup_text(p_unit int, p_value numeric, p_numerator numeric,
			    p_denominator numeric, p_qualifier text, p_reporting int,
			    p_expected int, p_on_time int, p_reported int,
			    p_periods_expected int) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p_unit IS NULL THEN 'missing'
		    ELSE concat_ws(' ', p_value, p_numerator, p_denominator, p_qualifier,
				   p_reporting, p_expected, p_on_time, p_reported,
				   p_periods_expected) END;
$$;

-- The same for a whole rollup_row (NULL: 'missing').
CREATE FUNCTION rollup_text(r rollup_row) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT rollup_text((r).unit_id, (r).value, (r).numerator, (r).denominator,
			   (r).qualifier, (r).reporting_units, (r).expected_units,
			   (r).on_time_units, (r).periods_reported, (r).periods_expected);
$$;

-- The stored rollups as rollup_rows: what rollup_verify compares of them.
CREATE FUNCTION rollup_figures()
RETURNS SETOF rollup_row
LANGUAGE sql STABLE AS $$
	SELECT r.unit_id, r.indicator_id, r.period_id, r.value, r.sum_value, r.numerator,
	       r.denominator, r.qualifier, r.reporting_units, r.expected_units, r.on_time_units,
	       r.periods_reported, r.periods_expected
	FROM rollup r;
$$;

-- rollup_verify where nothing can be written (a hot standby, a read-only
-- transaction): the stored rollups against rollup_direct() alone, one full
-- join and no temporary table.  The rebuild needs writes, so the derived
-- values are not re-derived here and a difference cannot be told apart as
-- maintenance (maintained = rebuild) or rollup_level (rebuild = direct): on
-- a primary, rollup_verify does both.
CREATE FUNCTION rollup_verify_direct()
RETURNS TABLE (check_name text, unit_code text, indicator_code text, period_code text,
	       stored text, recomputed text)
LANGUAGE sql STABLE AS $$
	WITH cmp AS (
		SELECT unit_id, indicator_id, period_id, rollup_text(a) AS stored,
		       rollup_text(b) AS recomputed
		FROM rollup_figures() a
		FULL JOIN rollup_direct() b USING (unit_id, indicator_id, period_id)
		WHERE a IS DISTINCT FROM b
	)
	SELECT 'maintained = direct', u.code, i.code, p.code, cmp.stored, cmp.recomputed
	FROM cmp
	JOIN unit u ON u.id = cmp.unit_id
	JOIN indicator i ON i.id = cmp.indicator_id
	JOIN period p ON p.id = cmp.period_id
	ORDER BY 1, 2, 3, 4;
$$;

-- Compares the stored rollups and derived values with a rebuild, and the
-- rollups with rollup_direct(); returns one row per difference.  It rebuilds
-- in place: call it inside a transaction that is rolled back (chisoctl does).
-- The two comparisons of rollups are one full join: each check's left side
-- (lhs) against its right side (rhs), the rebuilt rollups on both.  Where the
-- transaction cannot write (a hot standby), rollup_verify_direct instead.
CREATE FUNCTION rollup_verify()
RETURNS TABLE (check_name text, unit_code text, indicator_code text, period_code text,
	       stored text, recomputed text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
	IF current_setting('transaction_read_only')::boolean THEN
		RETURN QUERY SELECT * FROM rollup_verify_direct();
		RETURN;
	END IF;
	CREATE TEMP TABLE verify_stored ON COMMIT DROP AS SELECT * FROM rollup_figures();
	CREATE TEMP TABLE verify_derived ON COMMIT DROP AS SELECT * FROM observation_derived;
	CREATE TEMP TABLE verify_direct ON COMMIT DROP AS SELECT * FROM rollup_direct();
	PERFORM rollup_rebuild();

	RETURN QUERY
	WITH lhs AS (
		SELECT 'maintained = rebuild' AS check_name, s.* FROM verify_stored s
		UNION ALL
		SELECT 'rebuild = direct', r.* FROM rollup_figures() r
	), rhs AS (
		SELECT 'maintained = rebuild' AS check_name, r.* FROM rollup_figures() r
		UNION ALL
		SELECT 'rebuild = direct', d.* FROM verify_direct d
	), cmp AS (
		SELECT check_name, unit_id, indicator_id, period_id,
		       rollup_text(a.unit_id, a.value, a.numerator, a.denominator, a.qualifier,
				   a.reporting_units, a.expected_units, a.on_time_units,
				   a.periods_reported, a.periods_expected) AS stored,
		       rollup_text(b.unit_id, b.value, b.numerator, b.denominator, b.qualifier,
				   b.reporting_units, b.expected_units, b.on_time_units,
				   b.periods_reported, b.periods_expected) AS recomputed
		FROM lhs a
		FULL JOIN rhs b USING (check_name, unit_id, indicator_id, period_id)
		WHERE (a.value, a.sum_value, a.numerator, a.denominator, a.qualifier,
		       a.reporting_units, a.expected_units, a.on_time_units, a.periods_reported,
		       a.periods_expected)
		      IS DISTINCT FROM
		      (b.value, b.sum_value, b.numerator, b.denominator, b.qualifier,
		       b.reporting_units, b.expected_units, b.on_time_units, b.periods_reported,
		       b.periods_expected)
		UNION ALL
		SELECT 'derived = rederived',
		       coalesce(a.unit_id, b.unit_id), coalesce(a.indicator_id, b.indicator_id),
		       coalesce(a.period_id, b.period_id),
		       CASE WHEN a.unit_id IS NULL THEN 'missing'
			    ELSE concat_ws(' ', a.value, a.qualifier, a.periods_reported,
					   a.periods_expected) END,
		       CASE WHEN b.unit_id IS NULL THEN 'missing'
			    ELSE concat_ws(' ', b.value, b.qualifier, b.periods_reported,
					   b.periods_expected) END
		FROM verify_derived a
		FULL JOIN observation_derived b USING (unit_id, indicator_id, period_id)
		WHERE (a.value, a.qualifier, a.periods_reported, a.periods_expected, a.received_at)
		      IS DISTINCT FROM
		      (b.value, b.qualifier, b.periods_reported, b.periods_expected, b.received_at)
	)
	SELECT cmp.check_name, u.code, i.code, p.code, cmp.stored, cmp.recomputed
	FROM cmp
	JOIN unit u ON u.id = cmp.unit_id
	JOIN indicator i ON i.id = cmp.indicator_id
	JOIN period p ON p.id = cmp.period_id
	ORDER BY 1, 2, 3, 4;
END;
$$;
