-- V18: coupons (issue 12). A coupon is a code a cashier types or scans; its rule is one of
-- percent (with an optional cap), fixed amount, buy X get Y, or tiered, kept as JSON the core
-- reads back through one typed enum (never queried inside). Limits: a minimum order, uses in
-- all and per member, valid from and until (the shop's local dates, inclusive), and who may
-- use it (all, new, regular or VIP customers).
--
-- A use is a row written in the sale's transaction; a full refund or a cancellation gives it
-- back (given_back_at), and only uses not given back count against the limits.

CREATE TABLE coupons (
    id               TEXT    PRIMARY KEY,
    -- Capital letters and digits (the core writes it so); unique however it is typed.
    code             TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name             TEXT    NOT NULL,
    rule             TEXT    NOT NULL,
    min_order        INTEGER NOT NULL DEFAULT 0 CHECK (min_order >= 0),
    usage_limit      INTEGER CHECK (usage_limit > 0),
    per_member_limit INTEGER CHECK (per_member_limit > 0),
    customer_group   TEXT    NOT NULL DEFAULT 'all' CHECK (customer_group IN ('all', 'new', 'regular', 'vip')),
    valid_from       TEXT,
    valid_until      TEXT,
    active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    -- When the managers were told it expires soon (once per coupon and end date).
    expiry_noticed   TEXT,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX coupons_until ON coupons (valid_until) WHERE active = 1;

CREATE TABLE coupon_uses (
    id            TEXT    PRIMARY KEY,
    coupon_id     TEXT    NOT NULL REFERENCES coupons (id),
    order_id      TEXT    NOT NULL UNIQUE REFERENCES orders (id),
    member_id     TEXT REFERENCES members (id),
    discount      INTEGER NOT NULL CHECK (discount >= 0),
    used_at       TEXT    NOT NULL,
    given_back_at TEXT
) WITHOUT ROWID;
CREATE INDEX coupon_uses_coupon ON coupon_uses (coupon_id, used_at);
CREATE INDEX coupon_uses_member ON coupon_uses (member_id, coupon_id) WHERE member_id IS NOT NULL;

ALTER TABLE tickets ADD COLUMN coupon_id TEXT REFERENCES coupons (id);
-- Parts of orders.order_discount (which holds every order-level discount) named on the receipt.
ALTER TABLE orders ADD COLUMN coupon_discount INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN coupon_code TEXT;

-- Customer groups for coupons, from the shop's origin documents: NEW has no orders yet;
-- REGULAR 3+ orders and this much spent; VIP 10+ orders and this much spent.
ALTER TABLE loyalty_settings ADD COLUMN regular_orders INTEGER NOT NULL DEFAULT 3 CHECK (regular_orders > 0);
ALTER TABLE loyalty_settings ADD COLUMN regular_spent INTEGER NOT NULL DEFAULT 1000000 CHECK (regular_spent >= 0);
ALTER TABLE loyalty_settings ADD COLUMN vip_orders INTEGER NOT NULL DEFAULT 10 CHECK (vip_orders > 0);
ALTER TABLE loyalty_settings ADD COLUMN vip_spent INTEGER NOT NULL DEFAULT 10000000 CHECK (vip_spent >= 0);
-- Coupons (and later vouchers) ending within this many days are in the managers' notifications.
ALTER TABLE loyalty_settings ADD COLUMN expiry_notice_days INTEGER NOT NULL DEFAULT 7 CHECK (expiry_notice_days BETWEEN 0 AND 90);
