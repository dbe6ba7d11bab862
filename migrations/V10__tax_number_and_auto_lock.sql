-- V10: the shop's tax number (NPWP in Indonesia), printed on receipts, and how many idle
-- minutes lock a till (0: never), a shop-wide default each till may override on its own.
ALTER TABLE settings ADD COLUMN tax_number TEXT NOT NULL DEFAULT '';
ALTER TABLE settings ADD COLUMN auto_lock_minutes INTEGER NOT NULL DEFAULT 5
    CHECK (auto_lock_minutes BETWEEN 0 AND 240);
