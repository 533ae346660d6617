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
CREATE FUNCTION collector_list(p_stats boolean)
RETURNS TABLE (id int, name text, public_key text, unit_code text, unit_name text,
	       revoked boolean, created text, last_batch text, batches bigint)
LANGUAGE sql STABLE AS $$
	SELECT c.id, c.name, c.public_key, u.code, u.name, c.revoked_at IS NOT NULL,
	       to_char(c.created_at, 'YYYY-MM-DD HH24:MI'),
	       CASE WHEN p_stats THEN
		       coalesce((SELECT to_char(max(b.committed_at), 'YYYY-MM-DD HH24:MI')
				 FROM batch b WHERE b.collector_id = c.id), '') ELSE '' END,
	       CASE WHEN p_stats THEN
		       (SELECT count(*) FROM batch b WHERE b.collector_id = c.id) ELSE 0 END
	FROM collector c JOIN unit u ON u.id = c.unit_id
	ORDER BY c.name;
$$;

GRANT EXECUTE ON FUNCTION collector_list(boolean) TO chiso_writer;
