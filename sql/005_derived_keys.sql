-- 005_derived_keys: the derived tables keep no foreign keys of their own.
--
-- Every key of rollup and observation_derived is computed from a key of
-- observation (whose foreign keys check unit, indicator and period on the
-- way in) and unit_closure, and both tables are rebuilt from observation on
-- demand; units, indicators and periods are never deleted (a unit ends with
-- valid_to).  Their own checks repeated observation's for every derived row:
-- three referential lookups per rollup row, 13 of the 39 s that the
-- whole-country rebuild spent on its million commune rows
-- (docs/performance.md).
ALTER TABLE rollup DROP CONSTRAINT rollup_unit_id_fkey,
	DROP CONSTRAINT rollup_indicator_id_fkey,
	DROP CONSTRAINT rollup_period_id_fkey;
ALTER TABLE observation_derived DROP CONSTRAINT observation_derived_unit_id_fkey,
	DROP CONSTRAINT observation_derived_indicator_id_fkey,
	DROP CONSTRAINT observation_derived_period_id_fkey;
