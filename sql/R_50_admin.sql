-- R_50_admin: enrolment of collectors, for chisoctl and chisod.
--
-- A collector is a CURVE public key with an id and a scope: the unit whose
-- subtree it may write.  Revocation keeps the row (batches refer to it) and
-- notifies chisod, which drops the key from its ZAP registry at once.

-- Enrols a collector for the current version of a unit (the latest one if
-- the unit no longer exists, so that an old commune can still send its backlog).
CREATE FUNCTION collector_add(p_name text, p_key text, p_unit text) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
	v_unit int;
	v_other text;
	v_id int;
BEGIN
	SELECT u.id INTO v_unit FROM unit u WHERE u.code = p_unit
	ORDER BY (u.valid_from <= current_date AND current_date < u.valid_to) DESC,
		 u.valid_from DESC
	LIMIT 1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unit % does not exist: import the units first', p_unit;
	END IF;
	SELECT name INTO v_other FROM collector WHERE public_key = p_key;
	IF FOUND THEN
		RAISE EXCEPTION 'this public key is already enrolled as collector %', v_other;
	END IF;
	IF EXISTS (SELECT 1 FROM collector WHERE name = p_name) THEN
		RAISE EXCEPTION 'collector % already exists (revoked collectors keep their id)',
			p_name;
	END IF;
	INSERT INTO collector (name, public_key, unit_id) VALUES (p_name, p_key, v_unit)
	RETURNING id INTO v_id;
	PERFORM pg_notify('chiso_collectors', p_name);
	RETURN v_id;
END;
$$;

CREATE FUNCTION collector_revoke(p_name text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE collector SET revoked_at = now() WHERE name = p_name AND revoked_at IS NULL;
	IF NOT FOUND THEN
		IF EXISTS (SELECT 1 FROM collector WHERE name = p_name) THEN
			RAISE EXCEPTION 'collector % is already revoked', p_name;
		END IF;
		RAISE EXCEPTION 'no collector named %', p_name;
	END IF;
	PERFORM pg_notify('chiso_collectors', p_name);
END;
$$;

-- Every collector with its scope and, when p_stats (the operator's listing,
-- not chisod's registry reloads), when it last delivered and how often.
-- unit_until is the last day of the scope's unit version when a reform
-- closed it ('' otherwise): such a collector is retired with its unit; it
-- may still send values for the periods of its structure (a late 2024
-- figure) and is refused, with the successor named, for the new one.
CREATE FUNCTION collector_list(p_stats boolean)
RETURNS TABLE (id int, name text, public_key text, unit_code text, unit_name text,
	       revoked boolean, created text, last_batch text, batches bigint, unit_until text,
	       unit_tier text)
LANGUAGE sql STABLE AS $$
	SELECT c.id, c.name, c.public_key, u.code, u.name, c.revoked_at IS NOT NULL,
	       to_char(c.created_at, 'YYYY-MM-DD HH24:MI'),
	       CASE WHEN p_stats THEN
		       coalesce((SELECT to_char(max(b.committed_at), 'YYYY-MM-DD HH24:MI')
				 FROM batch b WHERE b.collector_id = c.id), '') ELSE '' END,
	       CASE WHEN p_stats THEN
		       (SELECT count(*) FROM batch b WHERE b.collector_id = c.id) ELSE 0 END,
	       CASE WHEN u.valid_to <= current_date THEN (u.valid_to - 1)::text ELSE '' END,
	       u.tier
	FROM collector c JOIN unit u ON u.id = c.unit_id
	ORDER BY c.name;
$$;

GRANT EXECUTE ON FUNCTION collector_list(boolean) TO chiso_writer;

-- ---- Published reports (chisoctl report publish; chisod's publishing schedule) ----

-- A published report is evidence of what was announced: its rows are never
-- changed or removed, also not by the owner (a new version is published
-- instead), and none are added once it is frozen.  A publication is frozen
-- when its publication row exists: report_publish writes the rows, units and
-- pillars first and the publication row last, in one transaction, so an
-- INSERT of a part whose publication row is already there (committed, or
-- written earlier in the same transaction) is refused.  The owner can still
-- disable these triggers; the seal (publication_seal, written by
-- report_publish and checked by publication_verify before a publication is
-- printed) names what such a change did.  Tables are created by
-- 003_publish.sql and 007_seal_note.sql; the triggers live here because
-- R_00_reset drops the functions, and with them the triggers, on every
-- re-application.
CREATE FUNCTION publication_frozen() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'published reports are frozen (% on %): publish a new version instead',
		TG_OP, TG_TABLE_NAME;
END;
$$;

-- The INSERT guard looks at a whole statement's rows at once (a transition
-- table): a row-level trigger cost 15 us a row, 3 s of a 200 000-row
-- publication, for the same answer.
CREATE FUNCTION publication_frozen_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = chiso, pg_temp AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM publication p
		   WHERE p.id IN (SELECT n.publication_id FROM new_part n)) THEN
		RAISE EXCEPTION 'published reports are frozen (INSERT on %): publish a new version instead',
			TG_TABLE_NAME;
	END IF;
	RETURN NULL;
END;
$$;

-- The seal is written once, by one statement, after the publication row (it
-- seals the header too): an INSERT into the seal of a publication that had a
-- seal before the statement is refused.
CREATE FUNCTION publication_seal_once() RETURNS trigger
LANGUAGE plpgsql SET search_path = chiso, pg_temp AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM publication_seal s
		   WHERE s.publication_id IN (SELECT n.publication_id FROM new_seal n)
		     AND NOT EXISTS (SELECT 1 FROM new_seal n
				     WHERE (n.publication_id, n.part, n.ord) = (s.publication_id, s.part, s.ord)))
	THEN
		RAISE EXCEPTION 'published reports are frozen (INSERT on publication_seal): '
			'a publication is sealed once, when it is published';
	END IF;
	RETURN NULL;
END;
$$;

-- Publications frozen before migration 007 had no seal: they get one from
-- their rows as they stand, before the triggers below are back.  A seal that
-- disappeared from a later publication is not rewritten: publication_verify
-- reports it missing.
INSERT INTO publication_seal (publication_id, part, ord, label, digest)
SELECT p.id, d.part, d.ord, d.label, d.digest
FROM publication p CROSS JOIN LATERAL publication_digests(p.id) d
WHERE NOT EXISTS (SELECT 1 FROM publication_seal s WHERE s.publication_id = p.id)
  AND p.published_at < (SELECT m.applied_at FROM schema_migration m WHERE m.version = 7);

-- Every table of a publication is frozen the same way: no update, delete or
-- truncate, and the parts written at publishing only in the statement that
-- publishes (publication_frozen_insert).  One loop says it once per table.
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['publication', 'publication_row', 'publication_unit',
				 'publication_pillar', 'publication_seal'] LOOP
		EXECUTE format('CREATE TRIGGER publication_frozen BEFORE UPDATE OR DELETE ON %I'
			       ' FOR EACH ROW EXECUTE FUNCTION publication_frozen()', t);
		EXECUTE format('CREATE TRIGGER publication_frozen_truncate BEFORE TRUNCATE ON %I'
			       ' FOR EACH STATEMENT EXECUTE FUNCTION publication_frozen()', t);
	END LOOP;
	FOREACH t IN ARRAY ARRAY['publication_row', 'publication_unit', 'publication_pillar'] LOOP
		EXECUTE format('CREATE TRIGGER publication_frozen_insert AFTER INSERT ON %I'
			       ' REFERENCING NEW TABLE AS new_part'
			       ' FOR EACH STATEMENT EXECUTE FUNCTION publication_frozen_insert()', t);
	END LOOP;
END;
$$;
CREATE TRIGGER publication_seal_once AFTER INSERT ON publication_seal
	REFERENCING NEW TABLE AS new_seal
	FOR EACH STATEMENT EXECUTE FUNCTION publication_seal_once();

-- Freezes the report of p_unit's subtree for p_period as the next version
-- (1, 2, ...) with who published it (p_actor: a login name, or the program)
-- and a note; returns the new publication.  Runs with the owner's rights
-- (SECURITY DEFINER) so that chisod's writer connection can publish on a
-- schedule with EXECUTE on this function alone: a writer with INSERT on the
-- publication tables could write a whole publication of figures of its own
-- choosing, sealed and all.  published_by is still the session's role.
-- Refuses a report with no figures.  p_prev is the period the report
-- compares against (report_rows), stored as the publication's prev_period:
-- chisoctl and chisod pass the previous period of the same type, computed by
-- period_previous_id (lib/period.c); NULL, the default, compares with nothing.
CREATE FUNCTION report_publish(p_period text, p_unit text, p_actor text, p_note text,
			       p_prev text DEFAULT NULL)
RETURNS TABLE (id int, version int, published_at timestamptz, nrows int, nunits int,
	       content_hash text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = chiso, pg_temp AS $$
#variable_conflict use_column
DECLARE
	v_id int;
	v_version int;
	v_rows int;
	v_units int;
BEGIN
	-- Two publishers of the same report wait for each other, so that versions
	-- are numbered without a gap or a duplicate.
	PERFORM pg_advisory_xact_lock(7461, hashtext(p_period || '/' || p_unit));
	-- The id comes first: the rows refer to it, the publication row that
	-- carries their hash is written last (the foreign keys are deferred).
	v_id := nextval('publication_id_seq');
	INSERT INTO publication_row (publication_id, ord, unit_code, unit_name, level, tier, depth,
				     path, indicator_code, indicator_name, indicator_name_en, pillar,
				     pillar_name, pillar_name_en, pillar_ord, indicator_ord, kind,
				     measure, decimals, period, value, numerator, denominator,
				     qualifier, reporting_units, expected_units, on_time_units,
				     periods_reported, periods_expected, native_period_type,
				     prev_period, prev_value, prev_numerator, prev_denominator,
				     prev_qualifier, prev_reporting_units)
	SELECT v_id, r.ordinality, r.unit_code, r.unit_name, r.level, r.tier, r.depth, r.path,
	       r.indicator_code, r.indicator_name, r.indicator_name_en, r.pillar, r.pillar_name,
	       r.pillar_name_en, r.pillar_ord, r.indicator_ord, r.kind, r.measure, r.decimals,
	       r.period, r.value, r.numerator, r.denominator, r.qualifier, r.reporting_units,
	       r.expected_units, r.on_time_units, r.periods_reported, r.periods_expected,
	       r.native_period_type, r.prev_period, r.prev_value, r.prev_numerator,
	       r.prev_denominator, r.prev_qualifier, r.prev_reporting_units
	FROM report_rows(p_period, p_unit, p_prev) WITH ORDINALITY AS r;
	GET DIAGNOSTICS v_rows = ROW_COUNT;
	IF v_rows = 0 THEN
		RAISE EXCEPTION 'no figures for unit % in period %: nothing to publish', p_unit,
			p_period;
	END IF;
	INSERT INTO publication_unit (publication_id, ord, unit_code, unit_name, level, tier, depth,
				      path, group_code, group_name, expected, reported, on_time)
	SELECT v_id, u.ordinality, u.unit_code, u.unit_name, u.level, u.tier, u.depth, u.path,
	       u.group_code, u.group_name, u.expected, u.reported, u.on_time
	FROM report_units(p_period, p_unit) WITH ORDINALITY AS u;
	GET DIAGNOSTICS v_units = ROW_COUNT;
	INSERT INTO publication_pillar (publication_id, ord, pillar, pillar_name, pillar_name_en)
	SELECT v_id, x.pillar_ord, x.pillar, x.pillar_name, x.pillar_name_en FROM report_pillars() x;
	SELECT coalesce(max(p.version), 0) + 1 INTO v_version
	FROM publication p WHERE p.period = p_period AND p.unit_code = p_unit;
	INSERT INTO publication (id, period, unit_code, unit_name, version, prev_period, note, actor,
				 nrows, nunits, content_hash)
	SELECT v_id, p_period, p_unit, r.unit_name, v_version, p_prev,
	       coalesce(p_note, ''), p_actor, v_rows, v_units, publication_hash(v_id)
	FROM publication_row r WHERE r.publication_id = v_id ORDER BY r.depth, r.ord LIMIT 1;
	-- The seal, last: it covers the header just written.
	INSERT INTO publication_seal (publication_id, part, ord, label, digest)
	SELECT v_id, d.part, d.ord, d.label, d.digest FROM publication_digests(v_id) d;
	RETURN QUERY SELECT p.id, p.version, p.published_at, p.nrows, p.nunits, p.content_hash
		     FROM publication p WHERE p.id = v_id;
END;
$$;
