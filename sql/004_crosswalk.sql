-- 004_crosswalk: which units of an old structure became which units of a new
-- one, and in what share.
--
-- A row says that the old unit version's territory (and so its figures) went,
-- in the share weight, to the new unit version.  A merge is several old units
-- with weight 1 each into one new unit; a split is one old unit into several
-- new ones whose weights add up to 1 (checked on import, crosswalk_import in
-- R_10_reference).  Rows link versions, not codes: 71 of Quảng Ngãi's 96
-- communes of 2025 reuse an old code under another name.  The crosswalk is
-- used to re-express old figures on a new structure (report_on_structure) and
-- to name a retired unit's successor when a value is refused.
CREATE TABLE unit_crosswalk (
	old_unit_id int NOT NULL REFERENCES unit,
	new_unit_id int NOT NULL REFERENCES unit,
	weight numeric NOT NULL CHECK (weight > 0 AND weight <= 1),
	source text NOT NULL DEFAULT '', -- the legal act, for the reader of a report
	imported_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (old_unit_id, new_unit_id),
	CHECK (old_unit_id <> new_unit_id)
);
CREATE INDEX unit_crosswalk_new ON unit_crosswalk (new_unit_id);
