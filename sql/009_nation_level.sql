-- 009_nation_level: room for a unit above the provinces.
--
-- The national database (sql/national/nation.sql, docs/scaling.md §3) puts
-- one unit, the nation, above the provinces of every province that sends it
-- its figures.  Provinces are level 1, as in the official code lists, so the
-- nation is level 0.  A province's database never has one.
ALTER TABLE unit DROP CONSTRAINT unit_level_check;
ALTER TABLE unit ADD CONSTRAINT unit_level_check CHECK (level BETWEEN 0 AND 9);
