-- 008_value_order: which of several values of one key stands, whatever the
-- batches they were cut into, and a history of every accepted value.
--
-- For each (unit, indicator, period) the stored value is the accepted value
-- with the latest date, and among equal dates the one sent last
-- (docs/reliability.md, "Order of values").  A row given by date carries that
-- date; a row given by period is dated the period's last day in the
-- indicator's calendar (structure_date).  The observation keeps the date of
-- the value it holds, so that a later commit can be compared against it.
ALTER TABLE observation ADD COLUMN value_date date;
-- Values stored before this migration were given by period or by a date that
-- was not kept: they are dated the period's last day, as a period row is now.
-- (The CASE is structure_date's, written out: on a new database this file runs
-- before the R_ files that define the function.)
UPDATE observation o
SET value_date = CASE i.calendar WHEN 'administrative' THEN p.adm_last ELSE p.stat_last END
FROM indicator i, period p
WHERE i.id = o.indicator_id AND p.id = o.period_id;
ALTER TABLE observation ALTER COLUMN value_date SET NOT NULL;

-- The history keeps every accepted value, also one that was never applied (a
-- later date already stood) or that another row of the same commit overtook:
-- the row of its batch, its date, and whether it became the stored value.
-- old_value is the value that stood when this one came.  Rows written before
-- this migration were applied changes only, their row and date unknown.
ALTER TABLE observation_history
	ADD COLUMN row_no int,
	ADD COLUMN value_date date,
	ADD COLUMN applied boolean NOT NULL DEFAULT true;
