-- R-SUP-3: only the staff member handling the request reads. The first
-- member of support to open a grant takes it (handled_by); from then on
-- it is theirs alone, and its holder sees who handles it. NULL: nobody
-- has opened it yet.
ALTER TABLE support_grants ADD COLUMN handled_by INTEGER REFERENCES accounts(id);
