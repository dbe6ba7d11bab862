-- The store's settings as its tills last reported them (`settings_changed`); NULL until the
-- first till enrols. Tills learn them from the change log (kind `settings`).
ALTER TABLE stores ADD COLUMN settings jsonb;
