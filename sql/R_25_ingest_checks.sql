-- R_25_ingest_checks: the checks of ingest() that look beyond one row.
--
-- ingest_validate (R_20_ingest) checks each staged row on its own, against
-- the catalogue, the unit tree and the closed periods.  The checks here
-- weigh a value against others: a ratio's numerator against its
-- denominator, also across batches (ingest_check_ratios, which refuses),
-- the catalogue's sum rules and the unit's own history (ingest_check_rules
-- and ingest_check_outliers, which only flag).  ingest() and ingest_store
-- call them; PL/pgSQL resolves the names when they run, so this file may
-- follow R_20.

-- The staged rows still accepted that beat the value stored for their key (a
-- later date; an equal date unless the stored value came from a later seq of
-- the same collector and epoch), with their place in the send order:
-- ingest()'s rule, for ingest_check_ratios.
CREATE FUNCTION ingest_ratio_candidates()
RETURNS TABLE (unit_id int, indicator_id int, period_id int, value numeric, value_date date,
	       seq bigint, row_no int, place int)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY
	SELECT w.unit_id, w.indicator_id, w.period_id, w.value, w.value_date, w.seq, w.row_no,
	       min(w.batch_no) OVER (PARTITION BY w.collector_id, w.epoch)
	FROM w_row w
	LEFT JOIN observation o
	       ON (o.unit_id, o.indicator_id, o.period_id) = (w.unit_id, w.indicator_id, w.period_id)
	LEFT JOIN batch ob ON ob.id = o.batch_id
	WHERE w.reason IS NULL
	  AND (o.unit_id IS NULL OR w.value_date > o.value_date
	       OR (w.value_date = o.value_date
		   AND NOT (ob.collector_id = w.collector_id AND ob.epoch = w.epoch
			    AND ob.seq > w.seq)));
END;
$$;

GRANT EXECUTE ON FUNCTION ingest_ratio_candidates() TO chiso_writer;

-- Numerator <= denominator, also when the two arrive in different batches:
-- a numerator is checked against the denominator that will stand after this
-- commit, a denominator against the numerator that will.  Lý Sơn's 7 779
-- households with a digital address against 6 160 households is refused here
-- instead of printing 126 %.  What will stand follows the order rule of
-- ingest() (docs/reliability.md, "Order of values"): of the staged rows that
-- beat the stored value (ingest_ratio_candidates), the one with the latest
-- date, sent last (place, seq, row); else the stored value.  Before the order
-- rule is applied, so against every staged row, not only the applied ones.
CREATE FUNCTION ingest_check_ratios() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM ingest_check_ratio_side(true);
	-- the numerators refused just now no longer stand
	PERFORM ingest_check_ratio_side(false);
END;
$$;

-- One side of ingest_check_ratios: the staged numerators (p_numerator) or
-- denominators (t, "this" side), each against the other side's standing value.
CREATE FUNCTION ingest_check_ratio_side(p_numerator boolean) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	WITH s AS MATERIALIZED (SELECT * FROM ingest_ratio_candidates()),
	side AS (
		SELECT r.code, r.name_vi, r.share,
		       CASE WHEN p_numerator THEN r.numerator_id ELSE r.denominator_id END AS this_id,
		       CASE WHEN p_numerator THEN r.denominator_id ELSE r.numerator_id END AS other_id
		FROM indicator r WHERE r.kind = 'ratio'
	)
	UPDATE w_row w SET reason = 'numerator_exceeds_denominator', message = x.message
	FROM (SELECT DISTINCT ON (t.batch_no, t.row_no) t.batch_no, t.row_no,
		     msg_fit(msg(CASE WHEN p_numerator THEN 'numerator_exceeds_denominator'
				      ELSE 'denominator_below_numerator' END,
				 ti.code, num_vi(t.value), oi.code, num_vi(vs.value), vs.source,
				 ind_vi(r.name_vi, r.code))) AS message
	      FROM w_row t
	      JOIN side r ON r.this_id = t.indicator_id
	      JOIN indicator ti ON ti.id = t.indicator_id
	      JOIN indicator oi ON oi.id = r.other_id
	      CROSS JOIN LATERAL (
		SELECT v.value, v.source FROM (
			SELECT c.value, msg('source_this_commit') AS source, 1 AS pref, c.value_date,
			       c.place, c.seq, c.row_no
			FROM s c
			WHERE c.unit_id = t.unit_id AND c.indicator_id = r.other_id
			  AND c.period_id = t.period_id
			UNION ALL
			SELECT o.value, msg('source_stored'), 2, NULL, NULL, NULL, NULL FROM observation o
			WHERE o.unit_id = t.unit_id AND o.indicator_id = r.other_id
			  AND o.period_id = t.period_id) v
		ORDER BY v.pref, v.value_date DESC, v.place DESC, v.seq DESC, v.row_no DESC
		LIMIT 1) vs
	      WHERE t.reason IS NULL AND r.share
		AND CASE WHEN p_numerator THEN t.value > vs.value ELSE vs.value > t.value END
	      ORDER BY t.batch_no, t.row_no) x
	WHERE (w.batch_no, w.row_no) = (x.batch_no, x.row_no);
END;
$$;

-- Sum rules of the catalogue (partial + full online dossiers = online
-- dossiers; early + on time + late = resolved), checked on the values that
-- stand after this commit whenever one of their terms changed in it.  The
-- terms often arrive in different batches, and the one that is wrong is not
-- known, so a mismatch is accepted and flagged on every row of this commit
-- that took part; values with a qualifier ("hơn 2000") are not compared.
CREATE FUNCTION ingest_check_rules() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	WITH touched AS (
		SELECT DISTINCT ru.code, f.unit_id, f.period_id
		FROM w_final f
		JOIN rule ru ON f.indicator_id = ru.total_id OR f.indicator_id = ANY (ru.part_ids)
		WHERE f.standing
	), terms AS (
		SELECT t.code, t.unit_id, t.period_id, ru.total_id, x.indicator_id, x.is_total,
		       o.value, o.qualifier
		FROM touched t
		JOIN rule ru ON ru.code = t.code
		CROSS JOIN LATERAL (SELECT ru.total_id AS indicator_id, true AS is_total
				    UNION ALL
				    SELECT unnest(ru.part_ids), false) x
		LEFT JOIN observation o ON (o.unit_id, o.indicator_id, o.period_id)
					 = (t.unit_id, x.indicator_id, t.period_id)
	), bad AS (
		SELECT tm.code, tm.unit_id, tm.period_id,
		       sum(tm.value) FILTER (WHERE tm.is_total) AS total,
		       sum(tm.value) FILTER (WHERE NOT tm.is_total) AS parts,
		       string_agg(i.code || ' = ' || num_vi(tm.value), ' + ' ORDER BY i.ord, i.code)
			   FILTER (WHERE NOT tm.is_total) AS parts_text,
		       max(i.code) FILTER (WHERE tm.is_total) AS total_code
		FROM terms tm JOIN indicator i ON i.id = tm.indicator_id
		GROUP BY tm.code, tm.unit_id, tm.period_id
		HAVING count(tm.value) = count(*) AND count(tm.qualifier) = 0
		   AND sum(tm.value) FILTER (WHERE tm.is_total)
		       <> sum(tm.value) FILTER (WHERE NOT tm.is_total)
	)
	INSERT INTO flag (batch_id, row_no, unit_id, indicator_id, period_id, code, message)
	SELECT f.batch_id, f.row_no, f.unit_id, f.indicator_id, f.period_id, 'sum_mismatch',
	       msg('sum_mismatch', b.parts_text, num_vi(b.parts), b.total_code, num_vi(b.total), b.code)
	FROM bad b
	JOIN rule ru ON ru.code = b.code
	JOIN w_final f ON (f.unit_id, f.period_id) = (b.unit_id, b.period_id)
		      AND (f.indicator_id = ru.total_id OR f.indicator_id = ANY (ru.part_ids))
	WHERE f.standing;
END;
$$;

-- Outliers against the unit's own recent history: the modified z-score
-- (Iglewicz and Hoaglin) of the new value among the unit's values of the same
-- indicator in the periods of the same type just before this one, at most the
-- indicator's outlier_window of them (the catalogue's, 5 by default), once
-- there are at least four.  |z| > 3.5 is flagged, not refused: a commune that
-- connected its first fibre village may well jump.  When half the window is
-- one value (MAD = 0) the mean absolute deviation stands in (scaled by
-- 1.2533); when all of it is one value, any other value is flagged.  The
-- window is whole periods of the calendar counted back from this one (a
-- missing period is a gap, not a reason to reach further back), so the check
-- reads at most outlier_window periods (period_type_first) and as many
-- primary-key probes per value, however long the series' history: it must
-- not be the reason a value waits (docs/performance.md).
CREATE FUNCTION ingest_check_outliers() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	WITH hist AS (
		SELECT f.batch_id, f.row_no, f.unit_id, f.indicator_id, f.period_id, f.value,
		       h.n, h.med, h.vals
		FROM w_final f
		JOIN period p ON p.id = f.period_id
		JOIN indicator i ON i.id = f.indicator_id
		CROSS JOIN LATERAL (
			SELECT count(*) AS n,
			       (percentile_cont(0.5) WITHIN GROUP (ORDER BY o.value))::numeric AS med,
			       array_agg(o.value) AS vals
			FROM period q
			JOIN observation o ON (o.unit_id, o.indicator_id, o.period_id)
					    = (f.unit_id, f.indicator_id, q.id)
			WHERE q.type = p.type AND q.stat_first < p.stat_first
			  AND q.stat_first >= (p.stat_first - i.outlier_window * period_step(p.type))::date) h
		WHERE f.standing AND f.qualifier IS NULL AND h.n >= 4
	), dev AS (
		SELECT h.*, d.mad, d.meanad
		FROM hist h
		CROSS JOIN LATERAL (
			SELECT (percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(v.x - h.med)))::numeric AS mad,
			       avg(abs(v.x - h.med)) AS meanad
			FROM unnest(h.vals) AS v(x)) d
	), z AS (
		SELECT dev.*,
		       CASE WHEN dev.mad > 0 THEN 0.6745 * (dev.value - dev.med) / dev.mad
			    WHEN dev.meanad > 0 THEN (dev.value - dev.med) / (1.2533 * dev.meanad)
			    WHEN dev.value <> dev.med THEN sign(dev.value - dev.med) * 1e6
			    ELSE 0 END AS score
		FROM dev
	)
	INSERT INTO flag (batch_id, row_no, unit_id, indicator_id, period_id, code, message)
	SELECT z.batch_id, z.row_no, z.unit_id, z.indicator_id, z.period_id, 'outlier',
	       msg('outlier', num_vi(z.value), num_vi(round(z.med, 2)), z.n::text,
		      CASE WHEN abs(z.score) >= 1e6 THEN msg('score_infinite') ELSE num_vi(round(z.score, 1)) END)
	FROM z WHERE abs(z.score) > 3.5;
END;
$$;
