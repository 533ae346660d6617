-- R_20_ingest: one commit of many batches, and the rollups it touches.
--
-- chisod's storage module COPYs the decoded batches of one group commit into
-- the session's staging tables and calls ingest(), which, set-based and inside
-- the caller's transaction: records the batch keys with a digest of their
-- rows (a key seen before with the same digest makes that batch a duplicate:
-- nothing is written again; with another digest the batch is refused whole as
-- key_reused), validates every row (the checks that weigh a row against
-- others, ratios, sum rules and history, are in R_25_ingest_checks),
-- keeps refused rows with their reason, writes changed values and their
-- history, and refreshes the rollups of exactly the touched units' ancestors.
-- The daemon acks only after the COMMIT that follows.

-- Qualifiers combine like interval bounds: a sum that contains a lower bound is
-- a lower bound; lower and upper bounds together, or an estimate, give "about".
CREATE FUNCTION qual_merge(a text, b text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN a IS NULL THEN b
		WHEN b IS NULL THEN a
		WHEN a = b THEN a
		ELSE 'about'
	END;
$$;

CREATE AGGREGATE qual_agg(text) (SFUNC = qual_merge, STYPE = text);

-- A ratio's bound: a lower bound over an exact count is a lower bound; over a
-- lower bound it is an upper bound.
CREATE FUNCTION qual_ratio(num text, den text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT qual_merge(num, CASE den WHEN 'at_least' THEN 'at_most'
					 WHEN 'at_most' THEN 'at_least' ELSE den END);
$$;

-- Creates the staging and working tables of one ingest session.  They live as
-- long as the connection and are emptied by every commit.
CREATE FUNCTION ingest_session() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	-- No JIT compilation in an ingest session: the planner's cost of the
	-- set-based rollup statements exceeds jit_above_cost at every commit, and
	-- compiling them again each time cost 0.35 s of a 2.9 s refresh of 47 000
	-- keys for nothing gained (docs/performance.md).
	PERFORM set_config('jit', 'off', false);
	-- A session has them already when w_final and stage_row have their
	-- newest columns (note, value_sent) and stage_parent exists.  A session
	-- made before those came
	-- has tables without them: they are dropped and made again (CREATE ...
	-- IF NOT EXISTS would keep the old ones).
	IF EXISTS (SELECT 1 FROM pg_attribute
		   WHERE attrelid = to_regclass('pg_temp.w_final') AND attname = 'note'
		     AND NOT attisdropped)
	   AND EXISTS (SELECT 1 FROM pg_attribute
		       WHERE attrelid = to_regclass('pg_temp.stage_row') AND attname = 'value_sent'
			 AND NOT attisdropped)
	   AND to_regclass('pg_temp.stage_parent') IS NOT NULL THEN
		RETURN; -- this session has them already
	END IF;
	DROP TABLE IF EXISTS pg_temp.w_row, pg_temp.w_final, pg_temp.stage_row,
		pg_temp.stage_parent;
	PERFORM ingest_session_stage();
	PERFORM ingest_session_work();
END;
$$;

-- ingest_session's staging tables: what chisod COPYs in for one commit.
CREATE FUNCTION ingest_session_stage() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	CREATE TEMP TABLE IF NOT EXISTS stage_batch (
		batch_no int NOT NULL,
		collector_id int NOT NULL,
		epoch bigint NOT NULL,
		seq bigint NOT NULL,
		received_at timestamptz NOT NULL,
		nrows int NOT NULL
	) ON COMMIT DELETE ROWS;
	CREATE TEMP TABLE IF NOT EXISTS stage_row (
		batch_no int NOT NULL,
		row_no int NOT NULL,
		unit_code text,
		indicator_code text,
		period_code text,
		period_type text,
		stat_first date,
		stat_last date,
		adm_first date,
		adm_last date,
		date_text text,
		value_text text, -- canonical; NULL when the value was refused or missing
		-- a value refused, as sent ("1e+16", "\"264\""): the rejection's
		-- value_text; not in the digest, so a batch's digest is what it was
		value_sent text,
		qualifier text,
		ref text,
		note text, -- the officer's remark, stored with the value (or the refusal)
		reason text,
		message text
	) ON COMMIT DELETE ROWS;
	-- The quarter, half-year and year containing each month, quarter and
	-- half-year of the staged rows, with their dates: computed by
	-- lib/period.c (period_parents) like the rows' own, so that the
	-- Decree-09 calendar lives in C alone.  One row per child and parent.
	CREATE TEMP TABLE IF NOT EXISTS stage_parent (
		child_code text NOT NULL,
		code text NOT NULL,
		type text NOT NULL,
		stat_first date NOT NULL,
		stat_last date NOT NULL,
		adm_first date NOT NULL,
		adm_last date NOT NULL
	) ON COMMIT DELETE ROWS;
END;
$$;

-- ingest_session's working tables: what the steps of ingest() hand on.
CREATE FUNCTION ingest_session_work() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	CREATE TEMP TABLE IF NOT EXISTS w_batch (
		batch_no int NOT NULL,
		batch_id bigint NOT NULL,
		primary_no int -- the staged batch whose rows are applied for this key
	) ON COMMIT DELETE ROWS;
	-- The digest of every staged batch; reused: its key is committed with
	-- another digest, and the batch is refused whole (nothing of it applied).
	CREATE TEMP TABLE IF NOT EXISTS w_digest (
		batch_no int PRIMARY KEY,
		digest bytea NOT NULL,
		reused boolean NOT NULL DEFAULT false
	) ON COMMIT DELETE ROWS;
	CREATE TEMP TABLE IF NOT EXISTS w_row (
		batch_no int NOT NULL,
		row_no int NOT NULL,
		batch_id bigint NOT NULL,
		collector_id int NOT NULL,
		epoch bigint NOT NULL,
		seq bigint NOT NULL,
		unit_id int,
		indicator_id int,
		period_id int,
		value numeric,
		qualifier text,
		reason text,
		message text,
		value_date date, -- the row's date, or its period's last day (008_value_order)
		note text -- carried to observation and its history with the value
	) ON COMMIT DELETE ROWS;
	-- Every accepted row of this commit in the order it was sent, with the
	-- value that stood when it came (old_*; is_new: none did) and whether it
	-- was applied; the one row per key that stands after the commit is
	-- `standing`, and obs_changed says that it changes the stored value.
	CREATE TEMP TABLE IF NOT EXISTS w_final (
		unit_id int NOT NULL,
		indicator_id int NOT NULL,
		period_id int NOT NULL,
		value numeric NOT NULL,
		qualifier text,
		value_date date NOT NULL,
		batch_id bigint NOT NULL,
		batch_no int NOT NULL,
		row_no int NOT NULL,
		old_value numeric,
		old_qualifier text,
		old_date date,
		is_new boolean NOT NULL,
		applied boolean NOT NULL,
		standing boolean NOT NULL,
		obs_changed boolean NOT NULL,
		note text
	) ON COMMIT DELETE ROWS;
	CREATE TEMP TABLE IF NOT EXISTS w_dirty (
		unit_id int NOT NULL,
		indicator_id int NOT NULL,
		period_id int NOT NULL
	) ON COMMIT DELETE ROWS;
	CREATE TEMP TABLE IF NOT EXISTS w_derive (
		unit_id int NOT NULL,
		indicator_id int NOT NULL,
		period_id int NOT NULL,
		months int NOT NULL
	) ON COMMIT DELETE ROWS;
	CREATE TEMP TABLE IF NOT EXISTS w_key (
		unit_id int NOT NULL,
		indicator_id int NOT NULL,
		period_id int NOT NULL,
		depth int NOT NULL,
		PRIMARY KEY (unit_id, indicator_id, period_id)
	) ON COMMIT DELETE ROWS;
END;
$$;

-- ingest(), step 1: the periods of the staged rows and the batch keys: w_batch
-- says which staged batch is applied for each key, w_digest which were reused.
CREATE FUNCTION ingest_batches() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	-- Periods on first use; their dates come from lib/period.c.
	INSERT INTO period (code, type, stat_first, stat_last, adm_first, adm_last)
	SELECT DISTINCT ON (s.period_code) s.period_code, s.period_type, s.stat_first,
	       s.stat_last, s.adm_first, s.adm_last
	FROM stage_row s
	WHERE s.reason IS NULL AND s.period_code IS NOT NULL
	ORDER BY s.period_code
	ON CONFLICT (code) DO NOTHING;

	-- Batch keys.  A key already committed, or staged twice in this group, is a
	-- duplicate when its rows are the same: only the first staged copy of a
	-- new key is applied.  The same key with other rows was handed out twice
	-- by its agent (docs/reliability.md, "A batch key binds its content"):
	-- acknowledging it would lose its figures, so it is refused whole.  A
	-- batch committed before digests were kept (NULL) matches any content.
	--
	-- The digest is the SHA-256 of the batch's rows in order: every field the
	-- agent sent (the period as sent, not the dates chisod derived from it;
	-- the value in its canonical text, so the JSON spelling of a number does
	-- not matter), each written as its byte length, a colon and its text, or
	-- "-" for NULL, so that no two different rows serialise alike.  Nothing
	-- chisod derives is in it (the decoder's reason for a malformed row, the
	-- year range): a resend after a lost ACK, checked by a chisod whose
	-- checks changed meanwhile, is still the same batch, not key_reused.  The prefix names the serialisation:
	-- changing it would make every resent key look reused, so a new one must
	-- come with a rule for the digests stored before.
	INSERT INTO w_digest (batch_no, digest)
	SELECT s.batch_no, sha256(convert_to('chiso-batch-1;' || string_agg(
		concat_ws(',', s.row_no,
			  coalesce(octet_length(s.unit_code) || ':' || s.unit_code, '-'),
			  coalesce(octet_length(s.indicator_code) || ':' || s.indicator_code, '-'),
			  coalesce(octet_length(s.period_code) || ':' || s.period_code, '-'),
			  coalesce(octet_length(s.date_text) || ':' || s.date_text, '-'),
			  coalesce(octet_length(s.value_text) || ':' || s.value_text, '-'),
			  coalesce(octet_length(s.qualifier) || ':' || s.qualifier, '-'),
			  coalesce(octet_length(s.ref) || ':' || s.ref, '-'),
			  coalesce(octet_length(s.note) || ':' || s.note, '-')),
		';' ORDER BY s.row_no), 'UTF8'))
	FROM stage_row s
	GROUP BY s.batch_no;

	WITH firsts AS (
		SELECT DISTINCT ON (sb.collector_id, sb.epoch, sb.seq) sb.*, d.digest
		FROM stage_batch sb JOIN w_digest d USING (batch_no)
		ORDER BY sb.collector_id, sb.epoch, sb.seq, sb.batch_no
	), ins AS (
		INSERT INTO batch AS b (collector_id, epoch, seq, received_at, rows_total, digest)
		SELECT f.collector_id, f.epoch, f.seq, f.received_at, f.nrows, f.digest
		FROM firsts f
		ON CONFLICT (collector_id, epoch, seq) DO NOTHING
		RETURNING b.id, b.collector_id, b.epoch, b.seq
	)
	INSERT INTO w_batch (batch_no, batch_id, primary_no)
	SELECT f.batch_no, ins.id, f.batch_no
	FROM firsts f JOIN ins USING (collector_id, epoch, seq);

	UPDATE w_digest d SET reused = true
	FROM stage_batch sb
	JOIN batch b ON (b.collector_id, b.epoch, b.seq) = (sb.collector_id, sb.epoch, sb.seq)
	WHERE sb.batch_no = d.batch_no AND b.digest <> d.digest
	  AND NOT EXISTS (SELECT 1 FROM w_batch w WHERE w.batch_no = sb.batch_no);

	INSERT INTO w_batch (batch_no, batch_id, primary_no)
	SELECT sb.batch_no, b.id, NULL
	FROM stage_batch sb
	JOIN batch b ON (b.collector_id, b.epoch, b.seq) = (sb.collector_id, sb.epoch, sb.seq)
	JOIN w_digest d ON d.batch_no = sb.batch_no AND NOT d.reused
	WHERE NOT EXISTS (SELECT 1 FROM w_batch w WHERE w.batch_no = sb.batch_no);
END;
$$;

-- ingest(), step 2: resolves and checks the rows of the new batches into
-- w_row, each with its reason and message when refused.
CREATE FUNCTION ingest_validate() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	-- Resolve and validate the rows of new batches; the first failed check wins.
	INSERT INTO w_row (batch_no, row_no, batch_id, collector_id, epoch, seq, unit_id,
			   indicator_id, period_id, value, qualifier, reason, message,
			   value_date, note)
	SELECT s.batch_no, s.row_no, wb.batch_id, sb.collector_id, sb.epoch, sb.seq,
	       u.id, i.id, p.id,
	       CASE WHEN s.reason IS NULL THEN s.value_text::numeric END, -- refused rows keep raw text
	       s.qualifier, v.reason, v.message,
	       -- chisod checked the date's text (bad_date) before it was staged
	       CASE WHEN v.reason IS NULL THEN coalesce(s.date_text::date, sd.day) END, s.note
	FROM stage_row s
	JOIN w_batch wb ON wb.batch_no = s.batch_no AND wb.primary_no = s.batch_no
	JOIN stage_batch sb ON sb.batch_no = s.batch_no
	JOIN collector c ON c.id = sb.collector_id
	LEFT JOIN indicator i ON i.code = s.indicator_code AND s.reason IS NULL
	LEFT JOIN period p ON p.code = s.period_code AND s.reason IS NULL
	LEFT JOIN LATERAL (SELECT structure_date(i.calendar, p) AS day,
				  CASE i.calendar WHEN 'administrative' THEN p.adm_first
				       ELSE p.stat_first END AS first_day) sd ON true
	-- the period itself closed, or a coarser one containing it (a new month
	-- would change the closed year's figures)
	LEFT JOIN LATERAL (
		SELECT c.code, c.closed_at FROM period c
		WHERE c.closed_at IS NOT NULL AND c.stat_first <= p.stat_first
		  AND p.stat_last <= c.stat_last
		  AND (c.id = p.id OR period_months(c.type) > period_months(p.type))
		ORDER BY c.stat_last - c.stat_first LIMIT 1) lock ON true
	LEFT JOIN LATERAL (
		SELECT u.* FROM unit u
		WHERE u.code = s.unit_code AND u.valid_from <= sd.day AND sd.day < u.valid_to
		ORDER BY u.valid_from DESC LIMIT 1) u ON true
	CROSS JOIN LATERAL (SELECT
		CASE
		WHEN s.reason IS NOT NULL THEN s.reason
		WHEN c.revoked_at IS NOT NULL THEN 'collector_revoked'
		WHEN i.id IS NULL OR i.retired THEN 'unknown_indicator'
		WHEN i.kind = 'ratio' THEN 'computed_indicator'
		WHEN NOT (s.period_type = ANY (i.period_types)) THEN 'period_type_not_allowed'
		WHEN sd.first_day > current_date THEN 'future_period'
		WHEN u.id IS NULL AND EXISTS (SELECT 1 FROM unit x WHERE x.code = s.unit_code)
			THEN 'unit_retired'
		WHEN u.id IS NULL THEN 'unknown_unit'
		WHEN NOT EXISTS (SELECT 1 FROM unit_closure uc
				 WHERE uc.ancestor_id = c.unit_id AND uc.unit_id = u.id)
			THEN 'unit_out_of_scope'
		WHEN NOT (u.tier = ANY (i.levels))
		     AND NOT (EXISTS (SELECT 1 FROM tier t, tier ut
				      WHERE t.code = ANY (i.levels) AND ut.code = u.tier
					AND t.rank > ut.rank)
			      AND NOT EXISTS (SELECT 1 FROM unit ch
					      WHERE ch.parent_id = u.id AND ch.valid_from <= sd.day
						AND sd.day < ch.valid_to))
			THEN 'level_not_allowed'
		WHEN lock.code IS NOT NULL THEN 'period_locked'
		WHEN i.kind IN ('count', 'amount') AND s.value_text::numeric <> trunc(s.value_text::numeric)
			THEN 'not_integer'
		WHEN i.kind IN ('count', 'amount') AND s.value_text::numeric < 0 THEN 'negative_value'
		WHEN s.value_text::numeric < i.min_value OR s.value_text::numeric > i.max_value
			THEN 'out_of_bounds'
		END AS reason) r
	-- The refusal's message for the officer (ingest_refusal), cut to fit an ACK.
	CROSS JOIN LATERAL (SELECT r.reason, CASE WHEN r.reason IS NOT NULL THEN msg_fit(
		CASE WHEN r.reason = s.reason THEN s.message
		ELSE ingest_refusal(r.reason, s.unit_code, s.indicator_code, s.period_code,
				    s.period_type, s.value_text, c, i, u.id, lock.code,
				    lock.closed_at, sd.day, sd.first_day) END) END AS message) v;
END;
$$;

-- The message of a row ingest_validate refused, by its reason: the arguments
-- are the row as staged and what the checks found (its collector, indicator
-- and unit, the closed period that locks it, its structure date and first
-- day).  Called for refused rows only, so that accepted rows cost nothing.
-- Messages are read by commune officers: Vietnamese, with the catalogue's
-- names, the codes they and the help desk search by, Vietnamese numbers
-- and dd/mm/yyyy dates.  The reason codes stay English (docs/protocol.md).
-- msg_fit drops the names again when the message would not fit an ACK.
CREATE FUNCTION ingest_refusal(p_reason text, p_unit_code text, p_indicator_code text,
			       p_period_code text, p_period_type text, p_value_text text,
			       c collector, i indicator, p_unit_id int, p_lock_code text,
			       p_lock_closed timestamptz, p_day date, p_first_day date)
RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	u unit;
	scope unit;
BEGIN
	SELECT * INTO u FROM unit x WHERE x.id = p_unit_id;
	SELECT * INTO scope FROM unit x WHERE x.id = c.unit_id;
	RETURN CASE p_reason
	WHEN 'collector_revoked' THEN msg('collector_revoked', c.name,
		to_char(c.revoked_at, 'HH24:MI "ngày" DD/MM/YYYY'))
	WHEN 'unknown_indicator' THEN msg('unknown_indicator', p_indicator_code)
	WHEN 'computed_indicator' THEN (
		SELECT msg('computed_indicator', ind_vi(i.name_vi, i.code), n.code, d.code)
		FROM indicator n, indicator d
		WHERE n.id = i.numerator_id AND d.id = i.denominator_id)
	WHEN 'period_type_not_allowed' THEN msg('period_type_not_allowed',
		ind_vi(i.name_vi, i.code),
		-- "6 tháng hoặc năm", like lib/period.c period_types_vi
		(SELECT CASE WHEN count(*) > 1 THEN msg('or_list',
				string_agg(period_type_vi(t), ', ' ORDER BY o) FILTER (WHERE o < k.n),
				max(period_type_vi(t)) FILTER (WHERE o = k.n))
			     ELSE max(period_type_vi(t)) END
		 FROM unnest(i.period_types) WITH ORDINALITY AS x(t, o),
		      cardinality(i.period_types) AS k(n)),
		period_type_vi(p_period_type), p_period_code, period_words_vi(p_period_code))
	WHEN 'future_period' THEN msg('future_period', p_period_code,
		period_words_vi(p_period_code), to_char(p_first_day, 'DD/MM/YYYY'))
	WHEN 'unit_retired' THEN (
		-- the version nearest the day: the one that ended before it, else
		-- (a unit created by a reform, 21548 Lý Sơn for 2024) the next one
		SELECT CASE WHEN x.valid_to <= p_day THEN
			msg('unit_retired',
			    unit_vi(x.code, x.name), to_char(p_day, 'DD/MM/YYYY'),
			    to_char(x.valid_to - 1, 'DD/MM/YYYY'),
			    coalesce((SELECT msg('successors_then', su)
				      FROM unit_successors(x.id) su WHERE su IS NOT NULL), ''))
		       ELSE msg('unit_not_yet', unit_vi(x.code, x.name), to_char(p_day, 'DD/MM/YYYY'),
				   to_char(x.valid_from, 'DD/MM/YYYY')) END
		FROM unit x WHERE x.code = p_unit_code
		ORDER BY x.valid_to <= p_day DESC,
			 CASE WHEN x.valid_to <= p_day THEN x.valid_to END DESC, x.valid_from
		LIMIT 1)
	WHEN 'unknown_unit' THEN msg('unknown_unit', p_unit_code)
	-- a collector enrolled for a unit version that a reform closed keeps
	-- its scope for the periods of that structure (late corrections), and
	-- is told why it cannot write the new one
	WHEN 'unit_out_of_scope' THEN CASE WHEN scope.valid_to <= p_day THEN msg(
		'scope_retired',
		unit_vi(scope.code, scope.name), c.name, to_char(scope.valid_to, 'DD/MM/YYYY'),
		coalesce((SELECT msg('successors_paren', su)
		      FROM unit_successors(scope.id) su WHERE su IS NOT NULL), ''))
		ELSE msg('unit_out_of_scope',
		unit_vi(u.code, u.name), c.name, unit_vi(scope.code, scope.name)) END
	WHEN 'level_not_allowed' THEN msg('level_not_allowed',
		ind_vi(i.name_vi, i.code),
		(SELECT string_agg(lower(t.name_vi), ' và ' ORDER BY t.rank)
		 FROM tier t WHERE t.code = ANY (i.levels)),
		unit_vi(u.code, u.name), (SELECT lower(t.name_vi) FROM tier t WHERE t.code = u.tier))
	WHEN 'period_locked' THEN msg('period_locked',
		p_lock_code, period_words_vi(p_lock_code), to_char(p_lock_closed, 'DD/MM/YYYY'))
	WHEN 'not_integer' THEN msg('not_integer',
		ind_vi(i.name_vi, i.code), i.measure, num_vi(p_value_text::numeric))
	WHEN 'negative_value' THEN msg(
		'negative_value', ind_vi(i.name_vi, i.code),
		num_vi(p_value_text::numeric))
	WHEN 'out_of_bounds' THEN msg(
		'out_of_bounds', ind_vi(i.name_vi, i.code),
		CASE WHEN i.min_value IS NULL THEN msg('range_at_most', num_vi(i.max_value))
		     WHEN i.max_value IS NULL THEN msg('range_at_least', num_vi(i.min_value))
		     ELSE msg('range_between', num_vi(i.min_value), num_vi(i.max_value)) END,
		num_vi(p_value_text::numeric))
	END;
END;
$$;

-- ingest(), step 4 (after ingest_check_ratios): which accepted rows are applied, into w_final.
-- Order of values (docs/reliability.md): for each key the stored value is
-- the accepted value with the latest date, and among equal dates the one
-- sent last.  A row is applied when it beats every value of its key that
-- came before it: the stored one, and the rows of this commit sent
-- earlier.  That depends only on the order in which the rows were sent,
-- never on how they were cut into batches or commits, so one batch of n
-- rows and n batches of one row leave the same value and the same history.
-- "Sent earlier" in this commit: the batches of one collector and outbox
-- epoch in seq order (whatever order they were staged in), placed where
-- its first batch was staged, then row by row.  Against the stored value,
-- an equal date wins unless the stored value came from a later seq of the
-- same collector and epoch: a late resend of an older batch cannot undo a
-- correction (docs/protocol.md §5).  Only window functions over the
-- commit's rows: the working tables have no statistics, and a self-join
-- planned on a guess of one row cost seconds per commit.
CREATE FUNCTION ingest_order() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	WITH sent AS (
		SELECT w.*, min(w.batch_no) OVER (PARTITION BY w.collector_id, w.epoch) AS place,
		       o.value AS o_value, o.qualifier AS o_qualifier, o.value_date AS o_date,
		       o.unit_id IS NOT NULL AS o_exists,
		       (o.unit_id IS NULL OR w.value_date > o.value_date
			OR (w.value_date = o.value_date
			    AND NOT (ob.collector_id = w.collector_id AND ob.epoch = w.epoch
				     AND ob.seq > w.seq))) AS beats_stored
		FROM w_row w
		LEFT JOIN observation o USING (unit_id, indicator_id, period_id)
		LEFT JOIN batch ob ON ob.id = o.batch_id
		WHERE w.reason IS NULL
	), applied AS (
		SELECT x.*, x.beats_stored
			    AND ((x.value_date >= max(x.value_date) OVER (k ROWS BETWEEN UNBOUNDED
									 PRECEDING AND 1 PRECEDING))
				 IS NOT FALSE) AS applied
		FROM sent x
		WINDOW k AS (PARTITION BY x.unit_id, x.indicator_id, x.period_id
			     ORDER BY x.place, x.seq, x.row_no)
	), placed AS (
		-- grp: applied rows so far (this one included); the previous applied
		-- row (lag among the applied) stood when an applied row came; the
		-- last applied row stands after the commit
		SELECT a.*,
		       count(*) FILTER (WHERE a.applied) OVER (k ROWS BETWEEN UNBOUNDED PRECEDING
							      AND CURRENT ROW) AS grp,
		       count(*) FILTER (WHERE a.applied) OVER (k ROWS BETWEEN 1 FOLLOWING
							      AND UNBOUNDED FOLLOWING) AS later,
		       lag(a.value) OVER ka AS lag_value, lag(a.qualifier) OVER ka AS lag_qualifier,
		       lag(a.value_date) OVER ka AS lag_date, lag(a.row_no) OVER ka AS lag_row
		FROM applied a
		WINDOW k AS (PARTITION BY a.unit_id, a.indicator_id, a.period_id
			     ORDER BY a.place, a.seq, a.row_no),
		       ka AS (PARTITION BY a.unit_id, a.indicator_id, a.period_id, a.applied
			      ORDER BY a.place, a.seq, a.row_no)
	), stood AS (
		-- a row not applied came while the grp-th applied row stood: the
		-- first row of its (key, grp) group
		SELECT p.*, first_value(p.value) OVER g AS g_value,
		       first_value(p.qualifier) OVER g AS g_qualifier,
		       first_value(p.value_date) OVER g AS g_date,
		       CASE WHEN p.applied THEN p.lag_row IS NOT NULL ELSE p.grp > 0 END AS after_one
		FROM placed p
		WINDOW g AS (PARTITION BY p.unit_id, p.indicator_id, p.period_id, p.grp
			     ORDER BY p.place, p.seq, p.row_no)
	)
	INSERT INTO w_final (unit_id, indicator_id, period_id, value, qualifier, value_date,
			     batch_id, batch_no, row_no, old_value, old_qualifier, old_date, is_new,
			     applied, standing, obs_changed, note)
	SELECT r.unit_id, r.indicator_id, r.period_id, r.value, r.qualifier, r.value_date,
	       r.batch_id, r.batch_no, r.row_no,
	       CASE WHEN NOT r.after_one THEN r.o_value WHEN r.applied THEN r.lag_value
		    ELSE r.g_value END,
	       CASE WHEN NOT r.after_one THEN r.o_qualifier WHEN r.applied THEN r.lag_qualifier
		    ELSE r.g_qualifier END,
	       CASE WHEN NOT r.after_one THEN r.o_date WHEN r.applied THEN r.lag_date
		    ELSE r.g_date END,
	       NOT r.after_one AND NOT r.o_exists,
	       r.applied, r.applied AND r.later = 0,
	       r.applied AND r.later = 0
		   AND (NOT r.o_exists OR r.o_value <> r.value
			OR r.o_qualifier IS DISTINCT FROM r.qualifier),
	       r.note
	FROM stood r;
END;
$$;

-- ingest(), step 5: writes what w_final says (flags, history, observations),
-- checks the sum rules and outliers, refreshes the rollups and stores the
-- refused rows and the batch counts.
CREATE FUNCTION ingest_store() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	-- A row that was not applied is accepted, kept in the history and said so:
	-- a later date stood already, or (same date) a later batch of the same
	-- collector.
	INSERT INTO flag (batch_id, row_no, unit_id, indicator_id, period_id, code, message)
	SELECT f.batch_id, f.row_no, f.unit_id, f.indicator_id, f.period_id, 'superseded',
	       CASE WHEN f.value_date < f.old_date THEN msg('superseded_by_date',
		to_char(f.old_date, 'DD/MM/YYYY'), to_char(f.value_date, 'DD/MM/YYYY'))
	       ELSE msg('superseded_by_batch')
	       END
	FROM w_final f WHERE NOT f.applied;

	-- Every accepted value, applied or not, with the batch and row that
	-- carried it and the value that stood when it came.
	INSERT INTO observation_history (unit_id, indicator_id, period_id, old_value,
					 old_qualifier, new_value, new_qualifier, batch_id, row_no,
					 value_date, applied, note)
	SELECT f.unit_id, f.indicator_id, f.period_id, f.old_value, f.old_qualifier, f.value,
	       f.qualifier, f.batch_id, f.row_no, f.value_date, f.applied, f.note
	FROM w_final f;

	-- The standing row is written also when only its date or batch is new:
	-- the next commit compares against both.  updated_at moves only with the
	-- value.
	INSERT INTO observation AS o (unit_id, indicator_id, period_id, value, qualifier,
				      batch_id, value_date, note)
	SELECT f.unit_id, f.indicator_id, f.period_id, f.value, f.qualifier, f.batch_id,
	       f.value_date, f.note
	FROM w_final f
	WHERE f.standing
	ON CONFLICT (unit_id, indicator_id, period_id) DO UPDATE
	SET value = EXCLUDED.value, qualifier = EXCLUDED.qualifier, batch_id = EXCLUDED.batch_id,
	    value_date = EXCLUDED.value_date, note = EXCLUDED.note,
	    updated_at = CASE WHEN o.value <> EXCLUDED.value
				   OR o.qualifier IS DISTINCT FROM EXCLUDED.qualifier
			      THEN now() ELSE o.updated_at END;

	INSERT INTO w_dirty (unit_id, indicator_id, period_id)
	SELECT f.unit_id, f.indicator_id, f.period_id FROM w_final f
	WHERE f.obs_changed;
	-- The coarser periods those values are derived into, on first use like
	-- the reported ones, with the dates chisod staged (derive_refresh
	-- expects them present).
	INSERT INTO period (code, type, stat_first, stat_last, adm_first, adm_last)
	SELECT DISTINCT ON (sp.code) sp.code, sp.type, sp.stat_first, sp.stat_last, sp.adm_first,
	       sp.adm_last
	FROM stage_parent sp
	WHERE sp.child_code IN (SELECT p.code FROM w_dirty d JOIN period p ON p.id = d.period_id)
	ORDER BY sp.code
	ON CONFLICT (code) DO NOTHING;
	PERFORM ingest_check_rules();
	PERFORM ingest_check_outliers();
	PERFORM rollup_refresh();

	INSERT INTO rejection (batch_id, row_no, unit_code, indicator_code, period_code, date_text,
			       value_text, qualifier, ref, reason, message, note)
	SELECT w.batch_id, w.row_no, s.unit_code, s.indicator_code, s.period_code, s.date_text,
	       -- what was sent when the value was refused, else its canonical text
	       coalesce(s.value_sent, s.value_text), s.qualifier, s.ref, w.reason, w.message,
	       s.note
	FROM w_row w JOIN stage_row s USING (batch_no, row_no)
	WHERE w.reason IS NOT NULL;

	UPDATE batch b SET rows_accepted = c.accepted, rows_rejected = c.rejected,
		rows_changed = c.changed
	FROM (SELECT w.batch_id, count(*) FILTER (WHERE w.reason IS NULL) AS accepted,
		     count(*) FILTER (WHERE w.reason IS NOT NULL) AS rejected,
		     -- rows that changed the value standing when they came
		     count(f.unit_id) FILTER (WHERE f.applied AND (f.is_new
				OR f.old_value <> f.value
				OR f.old_qualifier IS DISTINCT FROM f.qualifier)) AS changed
	      FROM w_row w
	      LEFT JOIN w_final f ON (f.batch_no, f.row_no) = (w.batch_no, w.row_no)
	      GROUP BY w.batch_id) c
	WHERE b.id = c.batch_id;
END;
$$;

-- Applies everything staged, in five steps: ingest_batches, ingest_validate,
-- ingest_check_ratios, ingest_order, ingest_store.  Returns one summary row
-- per staged batch (verdict IS NULL: status 'committed' or 'duplicate',
-- accepted count) and one row per rejected or flagged row (verdict
-- 'rejected' or 'flagged').
CREATE FUNCTION ingest()
RETURNS TABLE (batch_no int, status text, accepted int, row_no int, verdict text, code text,
	       message text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
	PERFORM ingest_batches();
	PERFORM ingest_validate();

	-- The same key twice in one batch is not refused: several values of one
	-- key in one batch are a sequence, like the same values in several
	-- batches, and the order rule (ingest_order) treats both alike.  The typing
	-- mistake of the same row twice in one file is caught by chiso-agent
	-- submit, over the whole file (docs/protocol.md §6).

	PERFORM ingest_check_ratios();

	PERFORM ingest_order();
	PERFORM ingest_store();

	-- Answers, read back from what is stored so that a duplicate gets exactly
	-- the answer its first delivery got.
	RETURN QUERY
	SELECT wb.batch_no,
	       CASE WHEN wb.primary_no IS NULL THEN 'duplicate' ELSE 'committed' END,
	       b.rows_accepted, NULL::int, NULL::text, NULL::text, NULL::text
	FROM w_batch wb JOIN batch b ON b.id = wb.batch_id
	UNION ALL
	SELECT wb.batch_no, NULL, NULL, r.row_no, 'rejected', r.reason, r.message
	FROM w_batch wb JOIN rejection r ON r.batch_id = wb.batch_id
	UNION ALL
	SELECT wb.batch_no, NULL, NULL, fl.row_no, 'flagged', fl.code, fl.message
	FROM w_batch wb JOIN flag fl ON fl.batch_id = wb.batch_id
	-- A reused key: nothing stored, one refusal for the whole batch (row 0).
	UNION ALL
	SELECT d.batch_no, 'key_reused', 0, NULL, NULL, NULL, NULL
	FROM w_digest d WHERE d.reused
	UNION ALL
	SELECT d.batch_no, NULL, NULL, 0, 'rejected', 'key_reused',
	       msg('key_reused', sb.epoch::text, sb.seq::text, to_char(b.committed_at, 'HH24:MI "ngày" DD/MM/YYYY'))
	FROM w_digest d
	JOIN stage_batch sb ON sb.batch_no = d.batch_no
	JOIN batch b ON (b.collector_id, b.epoch, b.seq) = (sb.collector_id, sb.epoch, sb.seq)
	WHERE d.reused;
END;
$$;
