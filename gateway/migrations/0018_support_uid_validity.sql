-- A single shared message (R-SUP-4) is folder + UID *of one UIDVALIDITY*:
-- a folder deleted and made again under its name numbers other messages
-- with the same UIDs, which the holder never shared. NULL for grants of a
-- kind of content, and for messages shared before this column (they are
-- read as before).
ALTER TABLE support_grants ADD COLUMN uid_validity BIGINT;
