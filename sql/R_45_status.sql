-- R_45_status: what the operator watches (docs/operations.md §9): for each
-- open period, which units are expected and which have sent nothing yet
-- (chisod's metrics, every housekeeping pass, and `chisoctl status`); what
-- was refused lately; whether this server is a standby and how far behind.
-- Reads only, without temporary tables: `chisoctl status` works on a hot
-- standby.  The four functions it calls run with their owner's rights
-- (SECURITY DEFINER), as report() does, so that chiso_reader, or a
-- monitoring role that is a member of it, may call them without the tables.

-- The units expected to report for one period, each once: expected for at
-- least one indicator that accepts the period's type (v_missing's rule, per
-- distinct calendar and tiers rather than per indicator, which is the cheap
-- way to the same set), with whether anything of theirs is stored for it,
-- reported or derived from finer periods.  unit_expected's own first test
-- comes first so that the call (not inlined: it has subqueries) is made only
-- for units of the other tiers: 10 731 units of the national tree take
-- 0,4 s a period instead of 0,6 s.  A province's two hundred take
-- milliseconds.
CREATE FUNCTION period_unit_state(p_period_id int)
RETURNS TABLE (unit_id int, reported boolean)
LANGUAGE sql STABLE AS $$
	SELECT e.id,
	       EXISTS (SELECT 1 FROM observation o
		       WHERE o.unit_id = e.id AND o.period_id = p_period_id)
	    OR EXISTS (SELECT 1 FROM observation_derived d
		       WHERE d.unit_id = e.id AND d.period_id = p_period_id)
	FROM (SELECT DISTINCT u.id
	      FROM period p
	      JOIN (SELECT DISTINCT calendar, levels, period_types FROM indicator
		    WHERE kind <> 'ratio' AND NOT retired) i ON p.type = ANY (i.period_types)
	      CROSS JOIN LATERAL (SELECT structure_date(i.calendar, p) AS day) sd
	      JOIN unit u ON u.valid_from <= sd.day AND sd.day < u.valid_to
			 AND (u.tier = ANY (i.levels)
			      OR unit_expected(u.id, u.tier, i.levels, sd.day))
	      WHERE p.id = p_period_id) e;
$$;

-- The open periods that have begun and expect units, the earliest deadline
-- first (no deadline last), at most p_limit of them (a period of the future
-- exists only because a row for it was refused): units expected and reported, the
-- deadline as period_autoclose counts it (days after the later of the two
-- calendars' last days), the days left until it (negative: overdue), the end
-- of that day in unix seconds, and how many open periods there are in all.
CREATE FUNCTION period_progress(p_limit int)
RETURNS TABLE (period text, period_type text, expected int, reported int, due date,
	       days_left int, due_epoch bigint, open_periods int)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
	SELECT q.code, q.type, q.expected, q.reported, q.due, q.due - current_date,
	       extract(epoch FROM (q.due + 1)::timestamptz)::bigint, count(*) OVER ()::int
	FROM (SELECT p.code, p.type, p.stat_last, count(*)::int AS expected,
		     (count(*) FILTER (WHERE s.reported))::int AS reported,
		     greatest(p.stat_last, p.adm_last) + d.days_after_end AS due
	      FROM period p
	      LEFT JOIN period_deadline d ON d.period_type = p.type
	      CROSS JOIN LATERAL period_unit_state(p.id) s
	      WHERE p.closed_at IS NULL AND least(p.stat_first, p.adm_first) <= current_date
	      GROUP BY p.id, d.days_after_end) q
	ORDER BY q.due NULLS LAST, q.stat_last, q.code
	LIMIT p_limit;
$$;

-- The units of a period that have sent nothing for it yet: the lowest tier
-- first (communes report; their district follows), then by code.
CREATE FUNCTION period_missing_units(p_period text)
RETURNS TABLE (unit_code text, unit_name text, parent_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
	SELECT u.code, u.name, coalesce(pu.name, '')
	FROM period p
	CROSS JOIN LATERAL period_unit_state(p.id) s
	JOIN unit u ON u.id = s.unit_id
	LEFT JOIN unit pu ON pu.id = u.parent_id
	WHERE p.code = p_period AND NOT s.reported
	ORDER BY u.level DESC, u.code;
$$;

-- Rows refused in the last p_hours hours, by reason, the most frequent first.
CREATE FUNCTION refused_recent(p_hours int)
RETURNS TABLE (reason text, n bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
	SELECT r.reason, count(*) FROM rejection r
	WHERE r.received_at > now() - make_interval(hours => p_hours)
	GROUP BY r.reason
	ORDER BY 2 DESC, 1;
$$;

-- Whether this server is a standby and how far its replay is behind (0 when
-- it has replayed all it received); on a primary, the standbys streaming from
-- it and the largest replay lag among them (NULL where the role may not see
-- it: pg_stat_replication shows the lag to superusers and pg_read_all_stats).
CREATE FUNCTION replication_state()
RETURNS TABLE (standby boolean, lag_s double precision, standbys int)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
	SELECT pg_is_in_recovery(),
	       CASE WHEN NOT pg_is_in_recovery() THEN
			(SELECT max(extract(epoch FROM r.replay_lag)) FROM pg_stat_replication r)
		    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
		    ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END,
	       CASE WHEN pg_is_in_recovery() THEN 0
		    ELSE (SELECT count(*)::int FROM pg_stat_replication) END;
$$;
