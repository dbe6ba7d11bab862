-- V16: members' wallets, and points and wallet as tenders (issue 12).
--
-- A wallet is a ledger of entries (top-up, payment, refund, adjust), each a UUID, signed,
-- never edited; `members.wallet` is their sum, kept in step in the same transaction and never
-- below zero. A cash top-up goes into the open shift's drawer: the shift's expected cash
-- counts it. Paying with points or the wallet is a payment like any other (`payments.method`
-- is 'points' or 'wallet'), with its ledger entry written in the sale's transaction.

ALTER TABLE members ADD COLUMN wallet INTEGER NOT NULL DEFAULT 0 CHECK (wallet >= 0);

CREATE TABLE wallet_entries (
    id         TEXT    PRIMARY KEY,
    member_id  TEXT    NOT NULL REFERENCES members (id),
    kind       TEXT    NOT NULL CHECK (kind IN ('top_up', 'payment', 'refund', 'adjust')),
    amount     INTEGER NOT NULL CHECK (amount <> 0),
    -- How a top-up was paid (cash, card, qris, ewallet); NULL for the others.
    method     TEXT,
    reference  TEXT,
    order_id   TEXT,
    refund_id  TEXT,
    -- The shift whose drawer took a cash top-up.
    shift_id   TEXT,
    reason     TEXT    NOT NULL DEFAULT '',
    staff_id   TEXT,
    created_at TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX wallet_entries_member ON wallet_entries (member_id, created_at);
CREATE INDEX wallet_entries_shift ON wallet_entries (shift_id) WHERE shift_id IS NOT NULL;
CREATE TRIGGER wallet_entries_are_facts BEFORE UPDATE ON wallet_entries BEGIN
    SELECT RAISE(ABORT, 'wallet entries are facts');
END;
CREATE TRIGGER wallet_entries_no_delete BEFORE DELETE ON wallet_entries BEGIN
    SELECT RAISE(ABORT, 'wallet entries are facts');
END;

-- Payments and refund payments may now be points or the wallet: the tables are rebuilt with
-- the wider CHECK (SQLite cannot change one in place), rows and facts triggers as they were.
CREATE TABLE payments_v16 (
    order_id   TEXT    NOT NULL REFERENCES orders (id),
    position   INTEGER NOT NULL,
    method     TEXT    NOT NULL
        CHECK (method IN ('cash', 'card', 'qris', 'ewallet', 'points', 'wallet')),
    amount     INTEGER NOT NULL CHECK (amount > 0),
    tendered   INTEGER NOT NULL CHECK (tendered >= amount),
    change     INTEGER NOT NULL CHECK (change = tendered - amount),
    reference  TEXT,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (order_id, position)
) WITHOUT ROWID;
INSERT INTO payments_v16 SELECT order_id, position, method, amount, tendered, change, reference, created_at
FROM payments;
DROP TABLE payments;
ALTER TABLE payments_v16 RENAME TO payments;
CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments BEGIN
    SELECT RAISE(ABORT, 'payments are facts');
END;
CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments BEGIN
    SELECT RAISE(ABORT, 'payments are facts');
END;

CREATE TABLE refund_payments_v16 (
    refund_id  TEXT    NOT NULL REFERENCES refunds (id),
    position   INTEGER NOT NULL,
    method     TEXT    NOT NULL
        CHECK (method IN ('cash', 'card', 'qris', 'ewallet', 'points', 'wallet')),
    amount     INTEGER NOT NULL CHECK (amount > 0),
    reference  TEXT,
    PRIMARY KEY (refund_id, position)
) WITHOUT ROWID;
INSERT INTO refund_payments_v16 SELECT refund_id, position, method, amount, reference FROM refund_payments;
DROP TABLE refund_payments;
ALTER TABLE refund_payments_v16 RENAME TO refund_payments;
CREATE TRIGGER refund_payments_no_update BEFORE UPDATE ON refund_payments BEGIN
    SELECT RAISE(ABORT, 'refund payments are facts');
END;
CREATE TRIGGER refund_payments_no_delete BEFORE DELETE ON refund_payments BEGIN
    SELECT RAISE(ABORT, 'refund payments are facts');
END;
