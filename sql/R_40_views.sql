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
-- rounded); completeness_pct = reporting_units / expected_units x 100.
CREATE VIEW v_rollup AS
SELECT u.code AS unit_code, u.name AS unit_name, u.tier, u.level, pu.code AS parent_code,
       i.code AS indicator_code, i.name_vi AS indicator_name, i.pillar, i.kind, i.measure,
       p.code AS period, p.type AS period_type,
       r.value, r.numerator, r.denominator, r.qualifier,
       r.reporting_units, r.expected_units,
       round(100.0 * r.reporting_units / nullif(r.expected_units, 0), 2) AS completeness_pct,
       r.updated_at
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
	       reporting_units int, expected_units int)
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
	       r.numerator, r.denominator, r.qualifier, r.reporting_units, r.expected_units
	FROM sub s
	CROSS JOIN per
	JOIN rollup r ON r.unit_id = s.id AND r.period_id = per.id
	JOIN indicator i ON i.id = r.indicator_id
	JOIN pillar pl ON pl.code = i.pillar
	ORDER BY s.path, pl.ord, i.ord;
$$;
