-- R_90_grants: least privilege.  chiso_owner owns everything (migrations);
-- chiso_writer (chisod) gets only what ingest needs; chiso_reader (analysts)
-- gets the documented views and the report function, nothing else.  The three
-- roles exist before migrations run (sql/bootstrap.sql for the embedded
-- cluster, docs/operations.md for a production server).

REVOKE ALL ON SCHEMA chiso FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA chiso FROM PUBLIC;
GRANT USAGE ON SCHEMA chiso TO chiso_writer, chiso_reader;

DO $$
BEGIN
	-- The staging tables of an ingest session are temporary tables.
	EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO chiso_writer', current_database());
END;
$$;

GRANT SELECT ON tier, unit_type, unit, unit_closure, pillar, indicator, rule, catalog_version,
	collector TO chiso_writer;
GRANT SELECT, INSERT ON period TO chiso_writer;
GRANT UPDATE (closed_at, closed_by) ON period TO chiso_writer; -- closing after the deadline
GRANT SELECT, INSERT ON period_event TO chiso_writer;
GRANT SELECT, INSERT, DELETE ON period_deadline TO chiso_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON observation_derived TO chiso_writer;
GRANT SELECT, INSERT, UPDATE ON batch, observation TO chiso_writer;
GRANT SELECT, INSERT ON observation_history, rejection, flag TO chiso_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON rollup TO chiso_writer;
GRANT SELECT, INSERT, UPDATE ON daemon_status TO chiso_writer;
GRANT USAGE ON SEQUENCE period_id_seq, batch_id_seq, observation_history_id_seq,
	rejection_id_seq, flag_id_seq, period_event_id_seq TO chiso_writer;
GRANT EXECUTE ON FUNCTION ingest_session(), ingest(), ingest_check_ratios(), rollup_refresh(),
	rollup_level(int), unit_expected(int, text, text[], date), structure_date(text, period),
	qual_merge(text, text), qual_agg(text), qual_ratio(text, text), catalog_current(),
	ingest_check_rules(), ingest_check_outliers(), derive_refresh(), period_ensure_parents(),
	period_months(text), deadline_date(text, period), own_value(int, int, int),
	period_deadlines_set(int[], boolean), period_autoclose()
	TO chiso_writer;

GRANT SELECT ON v_unit, v_indicator, v_rollup, v_observation, v_history, v_rejection,
	v_missing, v_flag, v_period, v_period_event, v_derived
	TO chiso_reader;
GRANT EXECUTE ON FUNCTION report(text, text) TO chiso_reader;
