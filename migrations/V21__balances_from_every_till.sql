-- V21: a member's balances on every till of the store (issue 12).
--
-- With a server, each till takes the other tills' points and wallet entries (pulled, by their
-- ids, once). Two tills that were apart may each have spent the same points: the sum of the
-- entries can then be below zero. What can be spent (`points`, `wallet`) stays at zero or
-- more, and the shortfall is owed (`points_owed`, `wallet_owed`): the ledger's sum is always
-- `points - points_owed`, and at most one of the two is above zero. A later credit pays what
-- is owed first.
--
-- A till that cannot reach its server spends a member's points and wallet only up to the
-- offline limits (per member, since its last contact), which bounds what can be owed.
ALTER TABLE members ADD COLUMN points_owed INTEGER NOT NULL DEFAULT 0 CHECK (points_owed >= 0);
ALTER TABLE members ADD COLUMN wallet_owed INTEGER NOT NULL DEFAULT 0 CHECK (wallet_owed >= 0);

-- 1 for an entry another till wrote (taken from the server): it is not sent again and does
-- not count against this till's offline limits.
ALTER TABLE point_entries ADD COLUMN pulled INTEGER NOT NULL DEFAULT 0 CHECK (pulled IN (0, 1));
ALTER TABLE wallet_entries ADD COLUMN pulled INTEGER NOT NULL DEFAULT 0 CHECK (pulled IN (0, 1));

-- Offline limits: points, and minor units of the wallet (0: nothing is spent offline).
ALTER TABLE loyalty_settings ADD COLUMN offline_points_limit INTEGER NOT NULL DEFAULT 500
    CHECK (offline_points_limit >= 0);
ALTER TABLE loyalty_settings ADD COLUMN offline_wallet_limit INTEGER NOT NULL DEFAULT 100000
    CHECK (offline_wallet_limit >= 0);
