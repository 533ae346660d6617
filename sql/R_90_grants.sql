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
GRANT EXECUTE ON FUNCTION ingest_session(), ingest(), ingest_check_ratios(),
	ingest_check_ratio_side(boolean), rollup_refresh(),
	rollup_level(int), rollup_sql_keys(), rollup_sql_own(), rollup_sql_sums(),
	rollup_sql_rows(), rollup_sql_upsert(), unit_expected(int, text, text[], date), structure_date(text, period),
	qual_merge(text, text), qual_agg(text), qual_ratio(text, text), catalog_current(),
	ingest_check_rules(), ingest_check_outliers(), derive_refresh(), period_parents_check(),
	period_months(text), period_step(text), deadline_date(text, period),
	period_welcome(text[], text[], date[], date[]),
	period_deadlines_set(int[], boolean), period_autoclose(), unit_successors(int),
	num_vi(numeric), period_words_vi(text), period_type_vi(text), msg_drop(text),
	ind_vi(text, text), unit_vi(text, text), msg_fit(text)
	TO chiso_writer;
GRANT SELECT ON unit_crosswalk TO chiso_writer; -- a refusal names a retired unit's successor
-- the housekeeper's figures of the open periods for the metrics (R_45_status)
GRANT EXECUTE ON FUNCTION period_progress(int) TO chiso_writer;

GRANT SELECT ON v_unit, v_indicator, v_rollup, v_observation, v_history, v_rejection,
	v_missing, v_flag, v_period, v_period_event, v_derived
	TO chiso_reader;
GRANT EXECUTE ON FUNCTION report(text, text) TO chiso_reader;
-- chisoctl status, and a monitoring role that is a member of chiso_reader (R_45_status)
GRANT EXECUTE ON FUNCTION period_progress(int), period_missing_units(text), refused_recent(int),
	replication_state() TO chiso_reader;

-- Published reports: chisod's writer publishes on a schedule through
-- report_publish only (SECURITY DEFINER: it writes what report_rows() says,
-- never figures of the caller's choosing; the frozen triggers refuse any
-- change); analysts read the snapshots and compare them with the figures as
-- they stand.
GRANT SELECT ON publication, publication_row, publication_unit, publication_pillar,
	publication_seal TO chiso_writer;
-- Databases migrated before 007 granted the writer INSERT there: take it back
-- (a GRANT of this file never removes what an earlier version granted).
REVOKE INSERT ON publication, publication_row, publication_unit, publication_pillar,
	publication_seal FROM chiso_writer;
REVOKE USAGE ON SEQUENCE publication_id_seq FROM chiso_writer;
GRANT SELECT ON v_publication TO chiso_writer; -- store_report_publish reads back what it wrote
GRANT EXECUTE ON FUNCTION report_publish(text, text, text, text, text),
	report_rows(text, text, text), report_units(text, text), report_pillars(),
	publication_hash(int), publication_digests(int), publication_verify(int)
	TO chiso_writer;
GRANT SELECT ON v_publication, v_publication_row, v_publication_unit, v_publication_pillar
	TO chiso_reader;
GRANT EXECUTE ON FUNCTION report_rows(text, text, text), report_units(text, text),
	report_pillars(), report_changes(text, text, int), publication_hash(int),
	publication_digests(int), publication_verify(int)
	TO chiso_reader;
GRANT EXECUTE ON FUNCTION report_rows_on(text, text, date), report_units_on(text, text, date),
	report_unmapped(text, text, date) TO chiso_reader;
GRANT SELECT ON v_crosswalk TO chiso_reader;

-- v_missing calls these helpers, and a function called from a view runs with
-- the rights of whoever reads the view: without them chiso_reader got
-- "permission denied for function structure_date".  The tables they read are
-- reference data that v_unit and v_period show anyway.
GRANT EXECUTE ON FUNCTION structure_date(text, period), deadline_date(text, period),
	unit_expected(int, text, text[], date) TO chiso_reader;
GRANT SELECT ON tier, unit, period_deadline TO chiso_reader;

-- The officers' messages (R_05_messages): ingest() builds its refusals from
-- them; an officer's form or an analyst may list them.
GRANT SELECT ON message TO chiso_writer, chiso_reader;
GRANT EXECUTE ON FUNCTION msg(text, text[]) TO chiso_writer, chiso_reader;
-- The steps of ingest() (R_20_ingest), which runs as chiso_writer.
GRANT EXECUTE ON FUNCTION ingest_session_stage(), ingest_session_work(),
	ingest_batches(), ingest_validate(), ingest_order(), ingest_store(),
	ingest_refusal(text, text, text, text, text, text, collector, indicator, int, text,
		       timestamptz, date, date)
	TO chiso_writer;
