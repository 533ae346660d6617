-- 010_outlier_window: the outlier check weighs a value against a bounded
-- window of its series' history, not the whole of it.
--
-- outlier_window is how many periods of the same type before a value's period
-- the check reads (the catalogue's outlier_window, 5 when it says nothing, as
-- DHIS2 and statistics offices do); docs/analyst-guide.md states the rule.
-- The check finds those periods by type and first day, and then probes the
-- observation's primary key once per period: at most outlier_window reads per
-- value, whatever the length of the history (the whole history, read twice
-- per value, was a third of ingest: docs/performance.md).
ALTER TABLE indicator ADD COLUMN outlier_window smallint NOT NULL DEFAULT 5
	CHECK (outlier_window BETWEEN 4 AND 120);
CREATE INDEX period_type_first ON period (type, stat_first);
