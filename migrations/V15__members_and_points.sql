-- V15: members (a café's regulars) and their loyalty points (issue 12).
--
-- A member has a number that is never reused: `MEM-T01-000123`, from `receipt_counters`
-- under the key `T01-M` (the till that added them, then a count that only goes up, so two
-- tills never hand out the same number and a restore never gives one twice). Phone and email
-- are unique when given (the phone as digits, `0812…`; the email without case).
--
-- Points are a ledger of entries (earn, redeem, expire, adjust, referral, refund): each a
-- UUID, signed, never edited. `members.points` is their sum, kept in step in the same
-- transaction as each entry and never below zero; `members.tier` is recomputed with each
-- entry from the points earned in the rolling window the settings name.

CREATE TABLE members (
    rid           INTEGER PRIMARY KEY,
    id            TEXT    NOT NULL UNIQUE,
    number        TEXT    NOT NULL UNIQUE,
    -- The number's count (123 for `MEM-T01-000123`): typing 123 finds it by an index.
    number_seq    INTEGER NOT NULL,
    name          TEXT    NOT NULL,
    phone         TEXT UNIQUE,
    email         TEXT UNIQUE COLLATE NOCASE,
    birthday      TEXT,
    address       TEXT    NOT NULL DEFAULT '',
    notes         TEXT    NOT NULL DEFAULT '',
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    -- The code a member gives a friend who joins: both are credited once.
    referral_code TEXT    NOT NULL UNIQUE,
    referred_by   TEXT REFERENCES members (id),
    tier          TEXT    NOT NULL DEFAULT 'bronze'
        CHECK (tier IN ('bronze', 'silver', 'gold', 'platinum')),
    points        INTEGER NOT NULL DEFAULT 0 CHECK (points >= 0),
    -- Paid orders and their total (net of refunds), and the last one's time: the till's and
    -- the members table's figures without a query per member.
    visits        INTEGER NOT NULL DEFAULT 0 CHECK (visits >= 0),
    spent         INTEGER NOT NULL DEFAULT 0,
    last_visit    TEXT,
    created_by    TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
CREATE INDEX members_number_seq ON members (number_seq);
CREATE INDEX members_joined ON members (created_at);
CREATE INDEX members_tier ON members (tier, points);
CREATE INDEX members_last_visit ON members (last_visit);

-- Search as you type: a word of the name by its beginning.
CREATE VIRTUAL TABLE member_names USING fts5 (
    name,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
CREATE TRIGGER members_names_insert AFTER INSERT ON members BEGIN
    INSERT INTO member_names (rowid, name) VALUES (new.rid, new.name);
END;
CREATE TRIGGER members_names_update AFTER UPDATE OF name ON members BEGIN
    DELETE FROM member_names WHERE rowid = old.rid;
    INSERT INTO member_names (rowid, name) VALUES (new.rid, new.name);
END;
CREATE TRIGGER members_no_delete BEFORE DELETE ON members BEGIN
    SELECT RAISE(ABORT, 'members are deactivated, never deleted');
END;

CREATE TABLE point_entries (
    id         TEXT    PRIMARY KEY,
    member_id  TEXT    NOT NULL REFERENCES members (id),
    kind       TEXT    NOT NULL
        CHECK (kind IN ('earn', 'redeem', 'expire', 'adjust', 'referral', 'refund')),
    points     INTEGER NOT NULL CHECK (points <> 0),
    order_id   TEXT,
    refund_id  TEXT,
    reason     TEXT    NOT NULL DEFAULT '',
    staff_id   TEXT,
    created_at TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX point_entries_member ON point_entries (member_id, created_at);
CREATE INDEX point_entries_order ON point_entries (order_id) WHERE order_id IS NOT NULL;
CREATE TRIGGER point_entries_are_facts BEFORE UPDATE ON point_entries BEGIN
    SELECT RAISE(ABORT, 'point entries are facts');
END;
CREATE TRIGGER point_entries_no_delete BEFORE DELETE ON point_entries BEGIN
    SELECT RAISE(ABORT, 'point entries are facts');
END;

-- The loyalty programme's settings, one row (a shop-wide choice).
CREATE TABLE loyalty_settings (
    id                    INTEGER PRIMARY KEY CHECK (id = 1),
    -- One point per this many minor units paid (net after discounts); 0: no earning.
    earn_per_amount       INTEGER NOT NULL DEFAULT 10000 CHECK (earn_per_amount >= 0),
    -- What one point is worth when spent at the till, in minor units.
    point_value           INTEGER NOT NULL DEFAULT 100 CHECK (point_value >= 0),
    -- Tiers by points earned in the last `tier_window_months`.
    tier_window_months    INTEGER NOT NULL DEFAULT 12 CHECK (tier_window_months BETWEEN 1 AND 60),
    silver_from           INTEGER NOT NULL DEFAULT 500 CHECK (silver_from > 0),
    gold_from             INTEGER NOT NULL DEFAULT 2000 CHECK (gold_from > silver_from),
    platinum_from         INTEGER NOT NULL DEFAULT 5000 CHECK (platinum_from > gold_from),
    -- Earning multipliers in percent (100 = ×1).
    bronze_percent        INTEGER NOT NULL DEFAULT 100 CHECK (bronze_percent BETWEEN 0 AND 1000),
    silver_percent        INTEGER NOT NULL DEFAULT 125 CHECK (silver_percent BETWEEN 0 AND 1000),
    gold_percent          INTEGER NOT NULL DEFAULT 150 CHECK (gold_percent BETWEEN 0 AND 1000),
    platinum_percent      INTEGER NOT NULL DEFAULT 200 CHECK (platinum_percent BETWEEN 0 AND 1000),
    -- Points older than this many months expire (0: never).
    expiry_months         INTEGER NOT NULL DEFAULT 12 CHECK (expiry_months BETWEEN 0 AND 120),
    -- Referral: points for the new member and for the member whose code they gave.
    referral_new_points   INTEGER NOT NULL DEFAULT 50 CHECK (referral_new_points >= 0),
    referral_giver_points INTEGER NOT NULL DEFAULT 100 CHECK (referral_giver_points >= 0),
    updated_at            TEXT
);
INSERT INTO loyalty_settings (id) VALUES (1);

-- A ticket may name its member; the order keeps it.
ALTER TABLE tickets ADD COLUMN member_id TEXT REFERENCES members (id);
ALTER TABLE orders ADD COLUMN member_id TEXT REFERENCES members (id);
CREATE INDEX orders_member ON orders (member_id, created_at) WHERE member_id IS NOT NULL;
