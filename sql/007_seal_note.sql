-- 007_seal_note: a seal for every publication, and the note of a row.
--
-- The seal.  A publication already carried one SHA-256 of its content
-- (publication.content_hash); a mismatch said that something changed but not
-- what, and `report --published` printed the changed report anyway.  The
-- seal keeps one SHA-256 per part of a publication (its header, each pillar,
-- each row, each unit) with a label for people, written in the transaction
-- that freezes the publication (report_publish, R_50_admin), so that printing
-- a publication can verify it and name what was changed, added or removed
-- (publication_verify, R_40_views).  Publications frozen before this
-- migration are sealed by R_50_admin at the same migrate, from their rows as
-- they stand; their content_hash still tells whether those rows had changed
-- before.  The seal is frozen with the rest (triggers of R_50_admin).
CREATE TABLE publication_seal (
	publication_id int NOT NULL REFERENCES publication DEFERRABLE INITIALLY DEFERRED,
	part text NOT NULL CHECK (part IN ('publication', 'pillar', 'row', 'unit')),
	ord int NOT NULL,      -- the part's ord (0 for the header)
	label text NOT NULL,   -- names the part in a refusal: "row 12 (unit 21298, ...)"
	digest text NOT NULL,  -- SHA-256 (hex) of the part as it was frozen
	PRIMARY KEY (publication_id, part, ord)
);

-- The note.  An officer's remark on a figure ("số liệu ước tính", "theo báo
-- cáo quý"), sent by the agent from the CSV's optional note column, kept with
-- the value it explains, with each version of it and with a refused row.
ALTER TABLE observation ADD COLUMN note text;
ALTER TABLE observation_history ADD COLUMN note text;
ALTER TABLE rejection ADD COLUMN note text;
