-- 005_views: what analysts read (docs/analyst-guide.md documents every column).
--
-- chiso_reader is granted these views and the report function only, never the
-- tables: a view runs with its owner's rights, so the raw tables stay private
-- and the views can change shape behind a stable interface.

-- Unit versions with their parent's code and the tier in words.
CREATE VIEW v_unit AS
SELECT u.code AS unit_code, u.name AS unit_name, u.tier, u.level, u.type,
       p.code AS parent_code, p.name AS parent_name, u.valid_from, u.valid_to
FROM unit u LEFT JOIN unit p ON p.id = u.parent_id;

-- The catalogue as loaded.
CREATE VIEW v_indicator AS
SELECT i.code AS indicator_code, i.name_vi AS indicator_name, i.name_en, i.measure,
       i.pillar, pl.name_vi AS pillar_name, i.kind, i.levels, i.period_types, i.calendar,
       i.agg_space, i.agg_time, i.min_value, i.max_value, n.code AS numerator_code,
       d.code AS denominator_code, i.factor, i.decimals, i.retired
FROM indicator i
JOIN pillar pl ON pl.code = i.pillar
LEFT JOIN indicator n ON n.id = i.numerator_id
LEFT JOIN indicator d ON d.id = i.denominator_id;

-- Rollups with unit and indicator names: the view most questions start from.
-- value is the aggregate (for a ratio: numerator / denominator x factor, not
-- rounded); completeness_pct = reporting_units / expected_units x 100;
-- on_time_units reported by the deadline of the period type (all of them
-- when no deadline is configured); periods_reported / periods_expected, for
-- a period derived from finer ones, count the finer periods summed over the
-- reporting units (a commune with 10 of 12 months adds 10 and 12).
CREATE VIEW v_rollup AS
SELECT u.code AS unit_code, u.name AS unit_name, u.tier, u.level, pu.code AS parent_code,
       i.code AS indicator_code, i.name_vi AS indicator_name, i.pillar, i.kind, i.measure,
       p.code AS period, p.type AS period_type,
       r.value, r.numerator, r.denominator, r.qualifier,
       r.reporting_units, r.expected_units,
       round(100.0 * r.reporting_units / nullif(r.expected_units, 0), 2) AS completeness_pct,
       r.on_time_units, r.reporting_units - r.on_time_units AS late_units,
       r.periods_reported, r.periods_expected, r.updated_at
FROM rollup r
JOIN unit u ON u.id = r.unit_id
LEFT JOIN unit pu ON pu.id = u.parent_id
JOIN indicator i ON i.id = r.indicator_id
JOIN period p ON p.id = r.period_id;

-- Reported values as they stand, with who sent them.
CREATE VIEW v_observation AS
SELECT u.code AS unit_code, u.name AS unit_name, i.code AS indicator_code,
       i.name_vi AS indicator_name, p.code AS period, o.value, o.qualifier,
       c.name AS collector, b.seq AS batch_seq, o.updated_at, o.note
FROM observation o
JOIN unit u ON u.id = o.unit_id
JOIN indicator i ON i.id = o.indicator_id
JOIN period p ON p.id = o.period_id
JOIN batch b ON b.id = o.batch_id
JOIN collector c ON c.id = b.collector_id;

-- Every accepted value: who sent it (collector, batch and row), when, its
-- date, the value that stood when it came (old_*) and whether it was applied
-- (became the stored value).  A value that was not applied (a later date
-- stood already) or that a later row of the same commit overtook is kept too.
-- Rows from before migration 008 are applied changes, without row or date.
CREATE VIEW v_history AS
SELECT u.code AS unit_code, u.name AS unit_name, i.code AS indicator_code, p.code AS period,
       h.old_value, h.old_qualifier, h.new_value, h.new_qualifier, c.name AS collector,
       h.changed_at, h.value_date AS date, h.applied, b.seq AS batch_seq, h.row_no, h.note
FROM observation_history h
JOIN unit u ON u.id = h.unit_id
JOIN indicator i ON i.id = h.indicator_id
JOIN period p ON p.id = h.period_id
JOIN batch b ON b.id = h.batch_id
JOIN collector c ON c.id = b.collector_id;

-- Refused rows with what was sent and why.
CREATE VIEW v_rejection AS
SELECT c.name AS collector, r.received_at, r.unit_code, r.indicator_code, r.period_code,
       r.date_text, r.value_text, r.qualifier, r.reason, r.message, r.ref, b.seq AS batch_seq,
       r.row_no, r.note
FROM rejection r
JOIN batch b ON b.id = r.batch_id
JOIN collector c ON c.id = b.collector_id;

-- The report rows of one unit's subtree for one period (chisoctl report):
-- every unit version of the subtree valid on the period's last day, every
-- indicator with a rollup row, in tree order and catalogue order.
CREATE FUNCTION report(p_period text, p_unit text)
RETURNS TABLE (unit_code text, unit_name text, level smallint, tier text, depth int,
	       path text, indicator_code text, indicator_name text, pillar text,
	       pillar_name text, kind text, measure text, decimals smallint, period text,
	       value numeric, numerator numeric, denominator numeric, qualifier text,
	       reporting_units int, expected_units int, on_time_units int,
	       periods_reported int, periods_expected int, native_period_type text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
	WITH per AS (
		SELECT * FROM period WHERE code = p_period
	), root AS (
		SELECT u.* FROM unit u, per
		WHERE u.code = p_unit AND u.valid_from <= greatest(per.adm_last, per.stat_last)
		  AND least(per.adm_first, per.stat_first) < u.valid_to
		ORDER BY u.valid_from DESC LIMIT 1
	), sub AS (
		SELECT u.*, uc.distance,
		       (SELECT string_agg(a.code, '/' ORDER BY ac.distance DESC)
			FROM unit_closure ac JOIN unit a ON a.id = ac.ancestor_id
			JOIN unit_closure rc ON rc.unit_id = a.id AND rc.ancestor_id = root.id
			WHERE ac.unit_id = u.id) AS path
		FROM root
		JOIN unit_closure uc ON uc.ancestor_id = root.id
		JOIN unit u ON u.id = uc.unit_id
	)
	SELECT s.code, s.name, s.level, s.tier, s.distance::int, s.path, i.code, i.name_vi,
	       i.pillar, pl.name_vi, i.kind, i.measure, i.decimals, per.code, r.value,
	       r.numerator, r.denominator, r.qualifier, r.reporting_units, r.expected_units,
	       r.on_time_units, r.periods_reported, r.periods_expected, i.period_types[1]
	FROM sub s
	CROSS JOIN per
	JOIN rollup r ON r.unit_id = s.id AND r.period_id = per.id
	JOIN indicator i ON i.id = r.indicator_id
	JOIN pillar pl ON pl.code = i.pillar
	ORDER BY s.path, pl.ord, i.ord;
$$;

-- Who has not reported: one row per expected unit, indicator and period with
-- no value, neither reported nor derived from finer periods.  Periods are
-- those in which anything at all was reported; indicators those that accept
-- the period's type.  A unit is expected where the indicator's levels include
-- its tier on the period's last day (or it is a leaf standing in for a lower
-- tier, like Lý Sơn district before 2025).
CREATE VIEW v_missing AS
SELECT p.code AS period, p.type AS period_type, i.code AS indicator_code,
       i.name_vi AS indicator_name, u.code AS unit_code, u.name AS unit_name, u.tier,
       pu.code AS parent_code, pu.name AS parent_name, deadline_date(i.calendar, p) AS due
FROM period p
JOIN indicator i ON i.kind <> 'ratio' AND NOT i.retired AND p.type = ANY (i.period_types)
CROSS JOIN LATERAL (SELECT structure_date(i.calendar, p) AS day) sd
JOIN unit u ON u.valid_from <= sd.day AND sd.day < u.valid_to
	   AND unit_expected(u.id, u.tier, i.levels, sd.day)
LEFT JOIN unit pu ON pu.id = u.parent_id
WHERE EXISTS (SELECT 1 FROM observation o WHERE o.period_id = p.id)
  AND NOT EXISTS (SELECT 1 FROM observation o
		  WHERE (o.unit_id, o.indicator_id, o.period_id) = (u.id, i.id, p.id))
  AND NOT EXISTS (SELECT 1 FROM observation_derived d
		  WHERE (d.unit_id, d.indicator_id, d.period_id) = (u.id, i.id, p.id));

-- Values accepted with a warning: outliers against the unit's own history,
-- sum rules that do not add up, rows older than the value already stored.
CREATE VIEW v_flag AS
SELECT f.flagged_at, c.name AS collector, u.code AS unit_code, u.name AS unit_name,
       i.code AS indicator_code, i.name_vi AS indicator_name, p.code AS period, f.code,
       f.message, o.value AS current_value, b.seq AS batch_seq, f.row_no
FROM flag f
JOIN batch b ON b.id = f.batch_id
JOIN collector c ON c.id = b.collector_id
LEFT JOIN unit u ON u.id = f.unit_id
LEFT JOIN indicator i ON i.id = f.indicator_id
LEFT JOIN period p ON p.id = f.period_id
LEFT JOIN observation o ON (o.unit_id, o.indicator_id, o.period_id)
			 = (f.unit_id, f.indicator_id, f.period_id);

-- Periods known to chiso: both calendars' dates, the deadline, and whether
-- the period is closed (by whom); v_period_event has every close and reopen.
CREATE VIEW v_period AS
SELECT p.code AS period, p.type AS period_type, p.stat_first, p.stat_last, p.adm_first,
       p.adm_last, d.days_after_end AS deadline_days,
       greatest(p.stat_last, p.adm_last) + d.days_after_end AS due_latest,
       coalesce(d.auto_close, false) AS auto_close, p.closed_at, p.closed_by
FROM period p LEFT JOIN period_deadline d ON d.period_type = p.type;

CREATE VIEW v_period_event AS
SELECT p.code AS period, e.action, e.actor, e.reason, e.at
FROM period_event e JOIN period p ON p.id = e.period_id;

-- A unit's values for periods derived from finer ones, with how many finer
-- periods stood behind each (10 of 12 months).
CREATE VIEW v_derived AS
SELECT u.code AS unit_code, u.name AS unit_name, i.code AS indicator_code, p.code AS period,
       i.agg_time, d.value, d.qualifier, d.periods_reported, d.periods_expected
FROM observation_derived d
JOIN unit u ON u.id = d.unit_id
JOIN indicator i ON i.id = d.indicator_id
JOIN period p ON p.id = d.period_id;

-- ---- Reports people read (chisoctl report --format markdown|html, publish) ----

-- The row types of report_rows() and report_rows_on(), and of report_units()
-- and report_units_on(): a live report and a re-expressed one are read by the
-- same code (lib/store.c), so they must not drift apart.
CREATE TYPE report_row AS (
	unit_code text, unit_name text, level smallint, tier text, depth int, path text,
	indicator_code text, indicator_name text, indicator_name_en text, pillar text,
	pillar_name text, pillar_name_en text, pillar_ord smallint, indicator_ord int,
	kind text, measure text, decimals smallint, period text, value numeric,
	numerator numeric, denominator numeric, qualifier text, reporting_units int,
	expected_units int, on_time_units int, periods_reported int, periods_expected int,
	native_period_type text, prev_period text, prev_value numeric,
	prev_numerator numeric, prev_denominator numeric, prev_qualifier text,
	prev_reporting_units int);
CREATE TYPE report_unit_row AS (
	unit_code text, unit_name text, level smallint, tier text, depth int, path text,
	group_code text, group_name text, expected boolean, reported boolean, on_time boolean);

-- The rows of report() with what a report for people also needs: English
-- names (the Vietnamese one where the catalogue has none), the catalogue
-- order of pillars and indicators, and the same unit's figures for p_prev,
-- the period compared against, NULL where it has none, with how many units
-- stood behind them (a change is only like for like when as many units
-- reported both times).  p_prev is the previous period of the same type
-- (2024S1 -> 2023S2), which the caller computes: chisoctl and chisod take it
-- from period_previous_id (lib/period.c), the one parser of period codes; an
-- analyst writes it ('2023S2').  NULL, the default, compares with nothing.
-- The order is report()'s: tree order, then catalogue order.
CREATE FUNCTION report_rows(p_period text, p_unit text, p_prev text DEFAULT NULL)
RETURNS SETOF report_row
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
	SELECT r.unit_code, r.unit_name, r.level, r.tier, r.depth, r.path, r.indicator_code,
	       r.indicator_name, coalesce(nullif(i.name_en, ''), i.name_vi), r.pillar,
	       r.pillar_name, coalesce(nullif(pl.name_en, ''), pl.name_vi), pl.ord, i.ord, r.kind,
	       r.measure, r.decimals, r.period, r.value, r.numerator, r.denominator, r.qualifier,
	       r.reporting_units, r.expected_units, r.on_time_units, r.periods_reported,
	       r.periods_expected, r.native_period_type, p_prev, pr.value,
	       pr.numerator, pr.denominator, pr.qualifier, pr.reporting_units
	FROM report(p_period, p_unit) WITH ORDINALITY AS r
	JOIN indicator i ON i.code = r.indicator_code
	JOIN pillar pl ON pl.code = r.pillar
	LEFT JOIN period pp ON pp.code = p_prev
	LEFT JOIN LATERAL (
		-- the unit by its code: after a reform the previous period may belong
		-- to another version of it
		SELECT x.value, x.numerator, x.denominator, x.qualifier, x.reporting_units
		FROM rollup x JOIN unit u ON u.id = x.unit_id
		WHERE u.code = r.unit_code AND x.indicator_id = i.id AND x.period_id = pp.id
		ORDER BY u.valid_from DESC LIMIT 1) pr ON true
	ORDER BY r.ordinality;
$$;

-- The unit versions of p_unit's subtree valid at some time from p_first to
-- p_last, with their distance below p_unit, their path of codes from it (tree
-- order) and the child of p_unit they lie under (p_unit itself for p_unit):
-- the frame of a report, on a period's own structures (report_units) or
-- re-expressed on the structure of one day (p_first = p_last).  The root is
-- p_unit's latest version of that time.
CREATE FUNCTION subtree_during(p_unit text, p_first date, p_last date)
RETURNS TABLE (id int, code text, name text, level smallint, tier text, valid_from date,
	       valid_to date, distance int, path text, group_code text, group_name text)
LANGUAGE sql STABLE AS $$
	WITH root AS (
		SELECT u.* FROM unit u
		WHERE u.code = p_unit AND u.valid_from <= p_last AND p_first < u.valid_to
		ORDER BY u.valid_from DESC LIMIT 1
	)
	SELECT u.id, u.code, u.name, u.level, u.tier, u.valid_from, u.valid_to, uc.distance::int,
	       (SELECT string_agg(a.code, '/' ORDER BY ac.distance DESC)
		FROM unit_closure ac JOIN unit a ON a.id = ac.ancestor_id
		JOIN unit_closure rc ON rc.unit_id = a.id AND rc.ancestor_id = root.id
		WHERE ac.unit_id = u.id),
	       coalesce(g.code, u.code), coalesce(g.name, u.name)
	FROM root
	JOIN unit_closure uc ON uc.ancestor_id = root.id
	JOIN unit u ON u.id = uc.unit_id
	LEFT JOIN LATERAL (
		SELECT a.code, a.name FROM unit_closure ac
		JOIN unit a ON a.id = ac.ancestor_id
		JOIN unit_closure rc ON rc.unit_id = a.id AND rc.ancestor_id = root.id
				    AND rc.distance = least(uc.distance, 1)
		WHERE ac.unit_id = u.id LIMIT 1) g ON true
	WHERE u.valid_from <= p_last AND p_first < u.valid_to;
$$;

-- Every unit version of p_unit's subtree valid during the period, in tree
-- order, with the child of p_unit it belongs to (its group: the district of a
-- commune in a province report; p_unit itself for p_unit), whether it is
-- expected to report anything for the period (the rule of v_missing, over
-- the indicators that accept the period's type), whether it reported anything
-- (a value of its own, reported or derived from finer periods) and whether
-- all of that arrived by the deadline.  Completeness by district and the list
-- of units that did not report are counted from these rows.
CREATE FUNCTION report_units(p_period text, p_unit text)
RETURNS SETOF report_unit_row
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
	WITH per AS (
		SELECT * FROM period WHERE code = p_period
	), sub AS (
		SELECT t.* FROM per, subtree_during(p_unit, least(per.adm_first, per.stat_first),
						    greatest(per.adm_last, per.stat_last)) t
	), ind AS (
		SELECT i.id, i.levels, structure_date(i.calendar, per) AS day,
		       deadline_date(i.calendar, per) AS due
		FROM indicator i, per
		WHERE i.kind <> 'ratio' AND NOT i.retired AND per.type = ANY (i.period_types)
	), rule AS (
		-- expected reporters depend only on the tiers and the day: few distinct pairs
		SELECT DISTINCT levels, day FROM ind
	), own AS (
		SELECT s.id, bool_and(ind.due IS NULL OR x.at::date <= ind.due) AS on_time
		FROM sub s
		CROSS JOIN per
		CROSS JOIN LATERAL (
			SELECT o.indicator_id, o.first_at AS at FROM observation o
			WHERE o.unit_id = s.id AND o.period_id = per.id
			UNION ALL
			SELECT d.indicator_id, d.received_at FROM observation_derived d
			WHERE d.unit_id = s.id AND d.period_id = per.id
			  AND NOT EXISTS (SELECT 1 FROM observation o
					  WHERE (o.unit_id, o.indicator_id, o.period_id)
						= (d.unit_id, d.indicator_id, d.period_id))) x
		JOIN ind ON ind.id = x.indicator_id
		GROUP BY s.id
	)
	SELECT s.code, s.name, s.level, s.tier, s.distance, s.path, s.group_code, s.group_name,
	       EXISTS (SELECT 1 FROM rule
		       WHERE s.valid_from <= rule.day AND rule.day < s.valid_to
			 AND unit_expected(s.id, s.tier, rule.levels, rule.day)),
	       own.id IS NOT NULL, coalesce(own.on_time, false)
	FROM sub s LEFT JOIN own ON own.id = s.id
	ORDER BY s.path;
$$;

-- Where the figures of each unit version go when re-expressed on the
-- structure valid on p_day, for the units of p_unit's subtree on that day:
-- a unit to itself (weight 1), and a predecessor by the crosswalk to each of
-- its successors with the crosswalk's weight.  report_rows_on() and
-- report_units_on() both read it.
CREATE FUNCTION crosswalk_sources(p_unit text, p_day date)
RETURNS TABLE (target int, source int, weight numeric)
LANGUAGE sql STABLE AS $$
	WITH sub AS (SELECT t.id FROM subtree_during(p_unit, p_day, p_day) t)
	SELECT s.id, s.id, 1::numeric FROM sub s
	UNION ALL
	SELECT x.new_unit_id, x.old_unit_id, x.weight
	FROM unit_crosswalk x JOIN sub s ON s.id = x.new_unit_id;
$$;

-- What each unit of p_unit's subtree valid on p_day receives of a period's
-- figures, one row per (unit, unit version behind it, indicator): every unit
-- version's own values for the period (reported, or derived from finer
-- periods), moved to the target unit it maps to on p_day (crosswalk_sources)
-- with that mapping's weight, for each ancestor of the target within the
-- subtree.  Only versions valid on the period's last day count.
-- report_rows_on() aggregates these rows.
CREATE FUNCTION crosswalk_contrib(p_period text, p_unit text, p_day date)
RETURNS TABLE (unit_id int, distance int, target int, source int, indicator_id int,
	       value numeric, weight numeric, qualifier text)
LANGUAGE sql STABLE AS $$
	WITH per AS (
		SELECT * FROM period WHERE code = p_period
	), own AS (
		SELECT o.unit_id, o.indicator_id, o.value, o.qualifier
		FROM observation o, per WHERE o.period_id = per.id
		UNION ALL
		SELECT d.unit_id, d.indicator_id, d.value, d.qualifier
		FROM observation_derived d, per
		WHERE d.period_id = per.id
		  AND NOT EXISTS (SELECT 1 FROM observation o
				  WHERE (o.unit_id, o.indicator_id, o.period_id)
					= (d.unit_id, d.indicator_id, d.period_id))
	)
	SELECT a.id, uc.distance::int, src.target, src.source, own.indicator_id, own.value,
	       src.weight, own.qualifier
	FROM subtree_during(p_unit, p_day, p_day) a
	JOIN unit_closure uc ON uc.ancestor_id = a.id
	JOIN crosswalk_sources(p_unit, p_day) src ON src.target = uc.unit_id
	JOIN own ON own.unit_id = src.source
	-- the period's own rule: only versions valid on its last day count
	JOIN unit su ON su.id = src.source
	JOIN indicator si ON si.id = own.indicator_id
	CROSS JOIN per
	WHERE su.valid_from <= structure_date(si.calendar, per)
	  AND structure_date(si.calendar, per) < su.valid_to;
$$;

-- A period's figures re-expressed on the structure valid on p_day (chisoctl
-- report --on-structure): the rows of report_rows() for the units of p_unit's
-- subtree valid on p_day.  Every unit version's own values for the period
-- (reported, or derived from finer periods) go to the unit itself when it is
-- still valid on p_day, and else through the crosswalk to its successors:
-- counts and amounts move by the crosswalk's weight, an average is weighted by
-- it, a minimum or maximum moves whole, and a ratio is recomputed from the
-- moved numerators and denominators of the units that reported both.  Then
-- they are aggregated up the new tree.  A unit version without a crosswalk
-- row and no longer valid on p_day is left out (report_unmapped counts them).
-- Timeliness and the comparison with the previous period are not
-- re-expressed: on_time_units equals reporting_units, prev_* are NULL.
CREATE FUNCTION report_rows_on(p_period text, p_unit text, p_day date)
RETURNS SETOF report_row
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
	WITH per AS (
		SELECT * FROM period WHERE code = p_period
	), src AS (
		SELECT * FROM crosswalk_sources(p_unit, p_day)
	), contrib AS (
		SELECT * FROM crosswalk_contrib(p_period, p_unit, p_day)
	), plain AS (
		SELECT c.unit_id, i.id AS indicator_id,
		       CASE i.agg_space WHEN 'sum' THEN sum(c.value * c.weight)
			    WHEN 'avg' THEN sum(c.value * c.weight) / nullif(sum(c.weight), 0)
			    WHEN 'min' THEN min(c.value)
			    ELSE max(c.value) END AS value,
		       NULL::numeric AS numerator, NULL::numeric AS denominator,
		       qual_agg(c.qualifier) AS qualifier,
		       count(DISTINCT c.source)::int AS reporting
		FROM contrib c JOIN indicator i ON i.id = c.indicator_id AND i.kind <> 'ratio'
		WHERE i.agg_space <> 'none' OR c.distance = 0
		GROUP BY c.unit_id, i.id, i.agg_space
	), ratio AS (
		SELECT a.unit_id, r.id, sum(a.value * a.weight) / nullif(sum(b.value * b.weight), 0)
			   * r.factor,
		       sum(a.value * a.weight), sum(b.value * b.weight),
		       qual_agg(qual_ratio(a.qualifier, b.qualifier)),
		       count(DISTINCT a.source)::int
		FROM indicator r
		JOIN contrib a ON a.indicator_id = r.numerator_id
		JOIN contrib b ON b.indicator_id = r.denominator_id AND b.unit_id = a.unit_id
			       AND b.source = a.source AND b.target = a.target
			       AND b.weight = a.weight
		WHERE r.kind = 'ratio'
		GROUP BY a.unit_id, r.id, r.factor
	), x AS (
		SELECT * FROM plain UNION ALL SELECT * FROM ratio
	)
	SELECT s.code, s.name, s.level, s.tier, s.distance, s.path, i.code, i.name_vi,
	       coalesce(nullif(i.name_en, ''), i.name_vi), i.pillar, pl.name_vi,
	       coalesce(nullif(pl.name_en, ''), pl.name_vi), pl.ord, i.ord, i.kind, i.measure,
	       i.decimals, per.code, x.value, x.numerator, x.denominator, x.qualifier, x.reporting,
	       (SELECT count(DISTINCT su.id)::int
		FROM unit_closure uc JOIN src ON src.target = uc.unit_id
		JOIN unit su ON su.id = src.source
		CROSS JOIN LATERAL (SELECT structure_date(i.calendar, per) AS day) sd
		WHERE uc.ancestor_id = s.id AND (i.agg_space <> 'none' OR uc.distance = 0)
		  AND su.valid_from <= sd.day AND sd.day < su.valid_to
		  AND unit_expected(su.id, su.tier, i.levels, sd.day)),
	       x.reporting, NULL::int, NULL::int, i.period_types[1], NULL::text, NULL::numeric,
	       NULL::numeric, NULL::numeric, NULL::text, NULL::int
	FROM x
	JOIN subtree_during(p_unit, p_day, p_day) s ON s.id = x.unit_id
	JOIN indicator i ON i.id = x.indicator_id
	JOIN pillar pl ON pl.code = i.pillar
	CROSS JOIN per
	WHERE x.reporting > 0
	ORDER BY s.path, pl.ord, i.ord;
$$;

-- The units of report_rows_on(): p_unit's subtree valid on p_day, with
-- report_units()'s columns.  A unit is expected when a unit version behind
-- it (itself or a predecessor by the crosswalk) was expected to report in the
-- period, and reported (and, timeliness not being re-expressed, on time) when
-- one of them has a value of its own.
CREATE FUNCTION report_units_on(p_period text, p_unit text, p_day date)
RETURNS SETOF report_unit_row
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
	WITH per AS (
		SELECT * FROM period WHERE code = p_period
	), src AS (
		SELECT * FROM crosswalk_sources(p_unit, p_day)
	), ind AS (
		SELECT i.levels, structure_date(i.calendar, per) AS day
		FROM indicator i, per
		WHERE i.kind <> 'ratio' AND NOT i.retired AND per.type = ANY (i.period_types)
	)
	SELECT s.code, s.name, s.level, s.tier, s.distance, s.path, s.group_code, s.group_name,
	       EXISTS (SELECT 1 FROM src JOIN unit su ON su.id = src.source
		       JOIN (SELECT DISTINCT levels, day FROM ind) r
			 ON su.valid_from <= r.day AND r.day < su.valid_to
		       WHERE src.target = s.id AND unit_expected(su.id, su.tier, r.levels, r.day)),
	       rep.reported,
	       rep.reported -- timeliness is not re-expressed: nobody is shown late
	FROM subtree_during(p_unit, p_day, p_day) s
	CROSS JOIN LATERAL (SELECT EXISTS (
		SELECT 1 FROM src, per
		WHERE src.target = s.id
		  AND (EXISTS (SELECT 1 FROM observation o
			       WHERE o.unit_id = src.source AND o.period_id = per.id)
		       OR EXISTS (SELECT 1 FROM observation_derived d
				  WHERE d.unit_id = src.source AND d.period_id = per.id)))
		AS reported) rep
	ORDER BY s.path;
$$;

-- The unit versions of p_unit's subtree in the period's own structure that
-- have figures for the period but neither exist on p_day nor have a crosswalk
-- row: report_rows_on() leaves their figures out.  Code and name, in code order.
CREATE FUNCTION report_unmapped(p_period text, p_unit text, p_day date)
RETURNS TABLE (unit_code text, unit_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
	SELECT DISTINCT u.code, u.name
	FROM period per
	JOIN unit root ON root.code = p_unit
	JOIN unit_closure uc ON uc.ancestor_id = root.id
	JOIN unit u ON u.id = uc.unit_id
	WHERE per.code = p_period
	  AND NOT (u.valid_from <= p_day AND p_day < u.valid_to)
	  AND NOT EXISTS (SELECT 1 FROM unit_crosswalk x WHERE x.old_unit_id = u.id)
	  AND (EXISTS (SELECT 1 FROM observation o WHERE o.unit_id = u.id AND o.period_id = per.id)
	       OR EXISTS (SELECT 1 FROM observation_derived d
			  WHERE d.unit_id = u.id AND d.period_id = per.id))
	ORDER BY u.code;
$$;

-- The crosswalk as codes, names and validity, for analysts.
CREATE VIEW v_crosswalk AS
SELECT o.code AS old_code, o.name AS old_name, o.valid_from AS old_valid_from,
       o.valid_to AS old_valid_to, n.code AS new_code, n.name AS new_name,
       n.valid_from AS new_valid_from, x.weight, x.source
FROM unit_crosswalk x JOIN unit o ON o.id = x.old_unit_id JOIN unit n ON n.id = x.new_unit_id;

-- The catalogue's DTI pillars in report order, with the Vietnamese name where
-- the catalogue has no English one: a report has a section for each.
CREATE FUNCTION report_pillars()
RETURNS TABLE (pillar text, pillar_name text, pillar_name_en text, pillar_ord smallint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
	SELECT code, name_vi, coalesce(nullif(name_en, ''), name_vi), ord FROM pillar ORDER BY ord;
$$;

-- The SHA-256 (hex) of a publication's pillars, rows and units, in order, without the
-- publication's id: two publications of the same figures have the same hash,
-- and a row changed behind the database's back no longer matches the hash
-- recorded when it was published (v_publication.content_ok).
CREATE FUNCTION publication_hash(p_id int) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
	SELECT encode(sha256(convert_to(
		coalesce((SELECT jsonb_agg(to_jsonb(r) - 'publication_id' ORDER BY r.ord)
			  FROM publication_row r WHERE r.publication_id = p_id), '[]'::jsonb)::text
		|| E'\n' ||
		coalesce((SELECT jsonb_agg(to_jsonb(u) - 'publication_id' ORDER BY u.ord)
			  FROM publication_unit u WHERE u.publication_id = p_id), '[]'::jsonb)::text
		|| E'\n' ||
		coalesce((SELECT jsonb_agg(to_jsonb(x) - 'publication_id' ORDER BY x.ord)
			  FROM publication_pillar x WHERE x.publication_id = p_id), '[]'::jsonb)::text,
		'UTF8')), 'hex');
$$;

-- One SHA-256 (hex) per part of a publication as it stands: its header (ord 0),
-- each pillar, each row and each unit, with a label that names the part for
-- people.  report_publish writes these into publication_seal when it freezes
-- the publication; publication_verify compares them with the seal.  The
-- header's digest names its columns one by one, with published_at in UTC:
-- to_jsonb of the whole row would write the session's TimeZone offset (a seal
-- taken in Asia/Ho_Chi_Minh would not match in UTC) and would change with any
-- column added to the table.
CREATE FUNCTION publication_digests(p_id int)
RETURNS TABLE (part text, ord int, label text, digest text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
	SELECT 'publication', 0,
	       format('the header (period %s, unit %s, version %s)', p.period, p.unit_code,
		      p.version),
	       encode(sha256(convert_to(jsonb_build_array(p.id, p.period, p.unit_code, p.unit_name,
				p.version, p.prev_period, p.note, p.actor, p.published_by,
				to_char(p.published_at AT TIME ZONE 'UTC',
					'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
				p.nrows, p.nunits, p.content_hash)::text, 'UTF8')), 'hex')
	FROM publication p WHERE p.id = p_id
	UNION ALL
	SELECT 'pillar', x.ord, format('pillar %s (%s)', x.ord, x.pillar),
	       encode(sha256(convert_to((to_jsonb(x) - 'publication_id')::text, 'UTF8')), 'hex')
	FROM publication_pillar x WHERE x.publication_id = p_id
	UNION ALL
	SELECT 'row', r.ord,
	       format('row %s (unit %s, indicator %s)', r.ord, r.unit_code, r.indicator_code),
	       encode(sha256(convert_to((to_jsonb(r) - 'publication_id')::text, 'UTF8')), 'hex')
	FROM publication_row r WHERE r.publication_id = p_id
	UNION ALL
	SELECT 'unit', u.ord, format('unit line %s (unit %s)', u.ord, u.unit_code),
	       encode(sha256(convert_to((to_jsonb(u) - 'publication_id')::text, 'UTF8')), 'hex')
	FROM publication_unit u WHERE u.publication_id = p_id;
$$;

-- What no longer matches a publication's seal, one row per part: 'changed'
-- (its digest differs), 'added' (not in the seal), 'missing' (sealed, gone).
-- A missing seal is reported too, and, when every part matches its seal, a
-- content_hash that does not (a change made before migration 007 sealed the
-- publication, or a seal rewritten to match).  No row: intact.
CREATE FUNCTION publication_verify(p_id int)
RETURNS TABLE (part text, ord int, label text, change text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
	WITH cur AS (
		SELECT * FROM publication_digests(p_id)
	), seal AS (
		SELECT s.part, s.ord, s.label, s.digest FROM publication_seal s
		WHERE s.publication_id = p_id
	), diff AS (
		SELECT coalesce(s.part, c.part) AS part, coalesce(s.ord, c.ord) AS ord,
		       coalesce(s.label, c.label) AS label,
		       CASE WHEN s.part IS NULL THEN 'added' WHEN c.part IS NULL THEN 'missing'
			    ELSE 'changed' END AS change
		FROM cur c FULL JOIN seal s ON (s.part, s.ord) = (c.part, c.ord)
		WHERE c.digest IS DISTINCT FROM s.digest
		  AND EXISTS (SELECT 1 FROM seal)
	)
	SELECT d.part, d.ord, d.label, d.change FROM diff d
	UNION ALL
	SELECT 'seal', 0, 'the seal of the publication', 'missing'
	WHERE NOT EXISTS (SELECT 1 FROM seal) AND EXISTS (SELECT 1 FROM cur)
	UNION ALL
	SELECT 'content', 0, 'the content_hash taken when it was published', 'changed'
	FROM publication p WHERE p.id = p_id AND NOT EXISTS (SELECT 1 FROM diff)
	  AND publication_hash(p.id) <> p.content_hash
	ORDER BY 1, 2;
$$;

-- Published reports: one row per version, with whether it still matches its
-- seal and the hash taken when it was published (publication_verify finds
-- nothing) and whether it is the latest version.  content_ok is computed
-- outside the window that finds the latest version, so that it is computed
-- only for the rows a query keeps: a WHERE on id or version cannot be pushed
-- below the window, and publication_verify, which hashes the whole content
-- once more, would otherwise run for every publication.
CREATE VIEW v_publication AS
SELECT p.id, p.period, p.unit_code, p.unit_name, p.version, p.prev_period, p.note, p.actor,
       p.published_by, p.published_at, p.nrows, p.nunits, p.content_hash,
       NOT EXISTS (SELECT 1 FROM publication_verify(p.id)) AS content_ok, p.latest
FROM (SELECT p.*,
	     p.version = max(p.version) OVER (PARTITION BY p.period, p.unit_code) AS latest
      FROM publication p) p;

-- The frozen rows, units and pillars of each publication (columns of
-- report_rows(), report_units() and report_pillars(), with publication_id and ord).
CREATE VIEW v_publication_row AS SELECT r.* FROM publication_row r;
CREATE VIEW v_publication_unit AS SELECT u.* FROM publication_unit u;
CREATE VIEW v_publication_pillar AS SELECT x.* FROM publication_pillar x;

-- What differs between a published version and the figures as they stand:
-- one row per unit and indicator whose value, numerator, denominator or
-- qualifier changed, or that appeared or disappeared since (NULL on the side
-- where it is absent), in tree and catalogue order.  Only the period's own
-- figures are compared: the live rows are read without a previous period.
CREATE FUNCTION report_changes(p_period text, p_unit text, p_version int)
RETURNS TABLE (unit_code text, unit_name text, level smallint, indicator_code text,
	       indicator_name text, indicator_name_en text, kind text, decimals smallint,
	       published_value numeric, published_numerator numeric,
	       published_denominator numeric, published_qualifier text, current_value numeric,
	       current_numerator numeric, current_denominator numeric, current_qualifier text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
	WITH a AS (
		SELECT r.* FROM publication_row r
		JOIN publication p ON p.id = r.publication_id
		WHERE p.period = p_period AND p.unit_code = p_unit AND p.version = p_version
	), b AS (
		SELECT * FROM report_rows(p_period, p_unit, NULL)
	)
	SELECT coalesce(a.unit_code, b.unit_code), coalesce(b.unit_name, a.unit_name),
	       coalesce(b.level, a.level), coalesce(a.indicator_code, b.indicator_code),
	       coalesce(b.indicator_name, a.indicator_name),
	       coalesce(b.indicator_name_en, a.indicator_name_en), coalesce(b.kind, a.kind),
	       coalesce(b.decimals, a.decimals), a.value, a.numerator, a.denominator, a.qualifier,
	       b.value, b.numerator, b.denominator, b.qualifier
	FROM a FULL JOIN b ON a.unit_code = b.unit_code AND a.indicator_code = b.indicator_code
	WHERE (a.value, a.numerator, a.denominator, a.qualifier)
	      IS DISTINCT FROM (b.value, b.numerator, b.denominator, b.qualifier)
	   OR a.unit_code IS NULL OR b.unit_code IS NULL
	ORDER BY coalesce(a.path, b.path), coalesce(a.pillar_ord, b.pillar_ord),
		 coalesce(a.indicator_ord, b.indicator_ord);
$$;
