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
       c.name AS collector, b.seq AS batch_seq, o.updated_at
FROM observation o
JOIN unit u ON u.id = o.unit_id
JOIN indicator i ON i.id = o.indicator_id
JOIN period p ON p.id = o.period_id
JOIN batch b ON b.id = o.batch_id
JOIN collector c ON c.id = b.collector_id;

-- Every change of a value: who, when, old and new.
CREATE VIEW v_history AS
SELECT u.code AS unit_code, u.name AS unit_name, i.code AS indicator_code, p.code AS period,
       h.old_value, h.old_qualifier, h.new_value, h.new_qualifier, c.name AS collector,
       h.changed_at
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
       r.row_no
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
