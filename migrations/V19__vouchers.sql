-- V19: vouchers and redemptions (issue 12). A voucher is bought with points: a discount (an
-- amount or a percentage), cashback (points or wallet credit), or a free product. Its reward
-- is JSON the core reads back through one typed enum. Stock NULL means no limit.
--
-- A redemption takes the points and one of the stock in one transaction and waits (pending)
-- until it is used on an order (used) or cancelled (its points and stock come back). A full
-- refund or a cancellation of the order it was used on makes it pending again.

CREATE TABLE vouchers (
    id          TEXT    PRIMARY KEY,
    name        TEXT    NOT NULL,
    reward      TEXT    NOT NULL,
    points_cost INTEGER NOT NULL CHECK (points_cost > 0),
    stock       INTEGER CHECK (stock >= 0),
    valid_from  TEXT,
    valid_until TEXT,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
) WITHOUT ROWID;

CREATE TABLE redemptions (
    id           TEXT    PRIMARY KEY,
    -- `V-T01-000001`: numbered by the till like receipts (counter key `T01-V`).
    code         TEXT    NOT NULL UNIQUE,
    voucher_id   TEXT    NOT NULL REFERENCES vouchers (id),
    member_id    TEXT    NOT NULL REFERENCES members (id),
    points       INTEGER NOT NULL CHECK (points > 0),
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'used', 'cancelled')),
    order_id     TEXT REFERENCES orders (id),
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX redemptions_member ON redemptions (member_id, status);

-- The redemption a ticket uses; a free product's line names it (priced at zero).
ALTER TABLE tickets ADD COLUMN redemption_id TEXT REFERENCES redemptions (id);
ALTER TABLE ticket_lines ADD COLUMN free_of TEXT REFERENCES redemptions (id);
-- The voucher's part of orders.order_discount, and the redemption used.
ALTER TABLE orders ADD COLUMN voucher_discount INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN redemption_id TEXT;
