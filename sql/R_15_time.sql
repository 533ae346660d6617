-- R_15_time: periods in time: nesting, deadlines, and values derived for
-- coarser periods from finer ones.
--
-- An indicator declares its period types, the finest (native) first.  A unit
-- that reports monthly gets its quarter, half-year and year derived, per unit,
-- by the indicator's aggregation over time: sum for flows (dossiers handled),
-- last for stocks (population, officials holding a signature), avg or max.
-- The chain is month -> quarter -> half-year -> year, each level from the one
-- below it; a period the unit reported itself is used as reported.  Time is
-- aggregated per unit before units are aggregated in space, which is what a
-- stock needs: the province's population is the sum of each commune's latest
-- figure, not the latest of the sums.  Daily and weekly periods do not nest in
-- months and are not derived.

-- The day whose unit structure a value of this calendar and period belongs to:
-- the period's last day (docs/analyst-guide.md, "Reading data across the reform").
CREATE FUNCTION structure_date(p_calendar text, p period) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_calendar WHEN 'administrative' THEN p.adm_last ELSE p.stat_last END;
$$;

-- Months in one period of a type of the chain; NULL for daily and weekly.
CREATE FUNCTION period_months(p_type text) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_type WHEN 'monthly' THEN 1 WHEN 'quarterly' THEN 3
			   WHEN 'six-monthly' THEN 6 WHEN 'yearly' THEN 12 END;
$$;

-- The length of one period of a type, to step back whole periods from a first
-- day (the outlier check's window, sql/R_25_ingest_checks.sql).
CREATE FUNCTION period_step(p_type text) RETURNS interval
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_type WHEN 'daily' THEN interval '1 day' WHEN 'weekly' THEN interval '7 days'
			   ELSE make_interval(months => period_months(p_type)) END;
$$;

-- How an officer says a period, in messages: "năm 2024", "6 tháng đầu năm
-- 2024", "quý II năm 2024", "tháng 6 năm 2024", "tuần 10 năm 2024", "ngày
-- 15/06/2024".  Taken from the period's type and first day as the period
-- table holds them (lib/period.c parsed its code and computed them: the code
-- is not parsed again here), in the message table's words, like lib/period.c
-- period_words_vi.  A code not in the table reads "kỳ CODE".
CREATE FUNCTION period_words_vi(p_code text) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT coalesce((
		SELECT CASE p.type
		WHEN 'daily' THEN msg('period_daily', to_char(p.stat_first, 'DD/MM/YYYY'))
		WHEN 'weekly' THEN msg('period_weekly', extract(week FROM p.stat_first)::int::text,
				       extract(isoyear FROM p.stat_first)::int::text)
		WHEN 'monthly' THEN msg('period_monthly', extract(month FROM p.stat_first)::int::text,
					extract(year FROM p.stat_first)::int::text)
		WHEN 'quarterly' THEN msg('period_quarterly',
			(ARRAY['I', 'II', 'III', 'IV'])[(extract(month FROM p.stat_first)::int + 2) / 3],
			extract(year FROM p.stat_first)::int::text)
		WHEN 'six-monthly' THEN msg('period_six_monthly',
			CASE WHEN extract(month FROM p.stat_first) = 1 THEN msg('half_first')
			     ELSE msg('half_second') END,
			extract(year FROM p.stat_first)::int::text)
		WHEN 'yearly' THEN msg('period_yearly', extract(year FROM p.stat_first)::int::text)
		END
		FROM period p WHERE p.code = p_code), msg('period_other', p_code));
$$;

-- A period type as a report says "per ...": "tháng", "quý", "6 tháng", "năm"
-- (the message table's words, like lib/period.c period_type_vi).
CREATE FUNCTION period_type_vi(p_type text) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT CASE p_type WHEN 'daily' THEN msg('type_daily') WHEN 'weekly' THEN msg('type_weekly')
			   WHEN 'monthly' THEN msg('type_monthly')
			   WHEN 'quarterly' THEN msg('type_quarterly')
			   WHEN 'six-monthly' THEN msg('type_six_monthly')
			   WHEN 'yearly' THEN msg('type_yearly')
			   ELSE p_type END;
$$;

-- Raises, naming the period, when a period of a key in w_dirty lacks one of
-- the chain periods (quarter, half-year, year) containing it.  The SQL does not
-- compute their dates: ingest() stores them as chisod staged them (lib/period.c
-- period_parents, the one home of the Decree-09 calendar) for every value it
-- stores, and before that the SQL made them in the same transaction, for every
-- value ever stored, since derived values exist.  So a rebuild meets none
-- missing; if one is, deriving without it would silently lose the value's
-- quarter, half-year or year, which is worse than stopping.
CREATE FUNCTION period_parents_check() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	orphan text;
BEGIN
	SELECT p.code INTO orphan
	FROM (SELECT DISTINCT d.period_id FROM w_dirty d) d
	JOIN period p ON p.id = d.period_id
	WHERE period_months(p.type) < 12
	  AND (SELECT count(*) FROM period q
	       WHERE period_months(q.type) > period_months(p.type)
		 AND q.stat_first <= p.stat_first AND p.stat_last <= q.stat_last)
	      < CASE p.type WHEN 'monthly' THEN 3 WHEN 'quarterly' THEN 2 ELSE 1 END
	ORDER BY p.code LIMIT 1;
	IF orphan IS NOT NULL THEN
		RAISE EXCEPTION 'period % has values but not every quarter, half-year and year containing it', orphan
			USING HINT = 'chisod stores them with every value of the period it ingests';
	END IF;
END;
$$;

-- The day a value for this period is due, by the indicator's calendar and the
-- configured deadline of the period type; NULL when no deadline is configured.
CREATE FUNCTION deadline_date(p_calendar text, p period) RETURNS date
LANGUAGE sql STABLE AS $$
	SELECT structure_date(p_calendar, p) + d.days_after_end
	FROM period_deadline d WHERE d.period_type = p.type;
$$;

-- The periods a collector's WELCOME lists (docs/protocol.md §3, version 2),
-- with their deadlines in both calendars and whether they are closed.  chisod
-- names the candidates with their last days in both calendars (lib/period.c,
-- the one home of the calendar, computes them), because a period nobody has
-- reported yet has no row in period and is still open; a row, where there is
-- one, says only whether the period is closed.
CREATE FUNCTION period_welcome(p_codes text[], p_types text[], p_stat_last date[],
			       p_adm_last date[])
RETURNS TABLE (code text, closed boolean, deadline_statistical date,
	       deadline_administrative date)
LANGUAGE sql STABLE AS $$
	SELECT c.code, coalesce(p.closed_at IS NOT NULL, false),
	       deadline_date('statistical', c.per), deadline_date('administrative', c.per)
	FROM (SELECT u.code,
		     jsonb_populate_record(NULL::period,
					   jsonb_build_object('code', u.code, 'type', u.type,
							      'stat_last', u.sl,
							      'adm_last', u.al)) AS per
	      FROM unnest(p_codes, p_types, p_stat_last, p_adm_last) AS u(code, type, sl, al)) c
	LEFT JOIN period p ON p.code = c.code;
$$;

-- Recomputes the derived values of every coarser period containing a key of
-- w_dirty (changed observations), bottom-up, and adds those keys to w_dirty so
-- that their rollups follow.
CREATE FUNCTION derive_refresh() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	m int;
BEGIN
	PERFORM period_parents_check();
	DELETE FROM w_derive;
	INSERT INTO w_derive (unit_id, indicator_id, period_id, months)
	SELECT DISTINCT d.unit_id, d.indicator_id, q.id, period_months(q.type)
	FROM w_dirty d
	JOIN indicator i ON i.id = d.indicator_id AND i.kind <> 'ratio'
	JOIN period p ON p.id = d.period_id
	JOIN period q ON period_months(q.type) > period_months(p.type)
		     AND q.stat_first <= p.stat_first AND p.stat_last <= q.stat_last
	WHERE period_months(i.period_types[1]) IS NOT NULL
	  AND period_months(p.type) >= period_months(i.period_types[1]);

	-- quarters first, then half-years, then years: each from the level below
	FOR m IN SELECT DISTINCT w.months FROM w_derive w ORDER BY 1 LOOP
		WITH k AS (
			SELECT w.unit_id, w.indicator_id, w.period_id, i.agg_time,
			       period_months(i.period_types[1]) AS native, p.stat_first, p.stat_last
			FROM w_derive w
			JOIN indicator i ON i.id = w.indicator_id
			JOIN period p ON p.id = w.period_id
			WHERE w.months = m
		), slots AS (
			-- the sub-periods one level finer, reported or else derived
			SELECT k.unit_id, k.indicator_id, k.period_id, s.stat_first AS slot_first,
			       coalesce(o.value, dv.value) AS value,
			       CASE WHEN o.unit_id IS NOT NULL THEN o.qualifier ELSE dv.qualifier END AS q,
			       CASE WHEN o.unit_id IS NOT NULL THEN period_months(s.type) / k.native
				    ELSE dv.periods_reported END AS pr,
			       coalesce(o.first_at, dv.received_at) AS at
			FROM k
			JOIN period s ON period_months(s.type) = CASE m WHEN 3 THEN 1 WHEN 6 THEN 3
								      WHEN 12 THEN 6 END
				     AND s.stat_first >= k.stat_first AND s.stat_last <= k.stat_last
			LEFT JOIN observation o ON (o.unit_id, o.indicator_id, o.period_id)
						 = (k.unit_id, k.indicator_id, s.id)
			LEFT JOIN observation_derived dv ON (dv.unit_id, dv.indicator_id, dv.period_id)
							  = (k.unit_id, k.indicator_id, s.id)
			WHERE o.unit_id IS NOT NULL OR dv.unit_id IS NOT NULL
		), agg AS (
			SELECT k.unit_id, k.indicator_id, k.period_id,
			       CASE k.agg_time WHEN 'sum' THEN sum(s.value)
					       WHEN 'avg' THEN avg(s.value)
					       WHEN 'max' THEN max(s.value)
					       ELSE (array_agg(s.value ORDER BY s.slot_first DESC))[1] END
				   AS value,
			       CASE k.agg_time WHEN 'last'
				    THEN (array_agg(s.q ORDER BY s.slot_first DESC))[1]
				    ELSE qual_agg(s.q) END AS qualifier,
			       sum(s.pr)::int AS pr, m / k.native AS pe, max(s.at) AS at,
			       count(s.value) AS n
			FROM k LEFT JOIN slots s USING (unit_id, indicator_id, period_id)
			GROUP BY k.unit_id, k.indicator_id, k.period_id, k.agg_time, k.native
		), upsert AS (
			INSERT INTO observation_derived AS d (unit_id, indicator_id, period_id, value,
							      qualifier, periods_reported,
							      periods_expected, received_at)
			SELECT unit_id, indicator_id, period_id, value, qualifier, pr, pe, at
			FROM agg WHERE n > 0
			ON CONFLICT (unit_id, indicator_id, period_id) DO UPDATE
			SET value = EXCLUDED.value, qualifier = EXCLUDED.qualifier,
			    periods_reported = EXCLUDED.periods_reported,
			    periods_expected = EXCLUDED.periods_expected,
			    received_at = EXCLUDED.received_at
		)
		DELETE FROM observation_derived d USING agg
		WHERE agg.n = 0
		  AND (d.unit_id, d.indicator_id, d.period_id)
		      = (agg.unit_id, agg.indicator_id, agg.period_id);
	END LOOP;

	INSERT INTO w_dirty (unit_id, indicator_id, period_id)
	SELECT unit_id, indicator_id, period_id FROM w_derive;
END;
$$;

-- Replaces the deadlines with those of chisod.conf (deadline.*), in the order
-- daily, weekly, monthly, quarterly, six-monthly, yearly; a negative number of
-- days means no deadline for that type.  chisod calls it on every connection
-- and reload, so the table always says what the running daemon applies.
CREATE FUNCTION period_deadlines_set(p_days int[], p_auto_close boolean) RETURNS void
LANGUAGE sql AS $$
	DELETE FROM period_deadline;
	INSERT INTO period_deadline (period_type, days_after_end, auto_close)
	SELECT t.type, p_days[t.n], p_auto_close
	FROM unnest(ARRAY['daily', 'weekly', 'monthly', 'quarterly', 'six-monthly', 'yearly'])
	     WITH ORDINALITY AS t(type, n)
	WHERE p_days[t.n] >= 0;
$$;

-- Closes the periods whose deadline has passed, where the deadline of their
-- type has auto_close; returns how many it closed.  The deadline is counted
-- from the later of the two calendars' last days, so that no indicator's
-- reporters lose days.  A period reopened by hand is not closed again by the
-- same deadline: reopening is a decision the daemon must not undo.
CREATE FUNCTION period_autoclose() RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
	n int;
BEGIN
	WITH due AS (
		UPDATE period p SET closed_at = now(), closed_by = 'chisod (deadline)'
		FROM period_deadline d
		WHERE d.period_type = p.type AND d.auto_close AND p.closed_at IS NULL
		  AND greatest(p.stat_last, p.adm_last) + d.days_after_end < current_date
		  AND NOT EXISTS (SELECT 1 FROM period_event e
				  WHERE e.period_id = p.id AND e.action = 'reopen')
		RETURNING p.id
	)
	INSERT INTO period_event (period_id, action, actor, reason)
	SELECT due.id, 'close', 'chisod', 'deadline passed' FROM due;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END;
$$;

-- chisoctl period close / reopen.  Closing a period that has no value yet
-- creates it, so that a province can lock a period before anything arrives.
-- Raises with a plain message on an unknown code or a no-op.
CREATE FUNCTION period_set_closed(p_code text, p_type text, p_stat_first date,
				  p_stat_last date, p_adm_first date, p_adm_last date,
				  p_close boolean, p_actor text, p_reason text)
RETURNS timestamptz
LANGUAGE plpgsql AS $$
DECLARE
	p period;
BEGIN
	INSERT INTO period (code, type, stat_first, stat_last, adm_first, adm_last)
	VALUES (p_code, p_type, p_stat_first, p_stat_last, p_adm_first, p_adm_last)
	ON CONFLICT (code) DO NOTHING;
	SELECT * INTO p FROM period WHERE code = p_code FOR UPDATE;
	IF p_close AND p.closed_at IS NOT NULL THEN
		RAISE EXCEPTION 'period % is already closed (since %, by %)', p_code,
			to_char(p.closed_at, 'YYYY-MM-DD HH24:MI'), p.closed_by;
	ELSIF NOT p_close AND p.closed_at IS NULL THEN
		RAISE EXCEPTION 'period % is not closed', p_code;
	END IF;
	UPDATE period SET closed_at = CASE WHEN p_close THEN now() END,
			  closed_by = CASE WHEN p_close THEN p_actor END
	WHERE id = p.id;
	INSERT INTO period_event (period_id, action, actor, reason)
	VALUES (p.id, CASE WHEN p_close THEN 'close' ELSE 'reopen' END, p_actor,
		coalesce(p_reason, ''));
	RETURN now();
END;
$$;
