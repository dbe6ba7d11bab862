-- V13: the money side of a till (issue 11): shifts and the cash drawer, refunds.
--
-- A shift is the time one drawer is in use on one terminal: it opens with a counted float and
-- closes with a count, the expected cash and the variance, and a Z number (per terminal, from
-- `receipt_counters` under the key `T01-Z`, never repeated). One open shift per terminal.
-- Once closed, a shift is a fact. Cash put in or taken out during a shift is a ledger of
-- facts. Refunds are new rows that point at the order they correct (orders are never
-- edited); their numbers come from `receipt_counters` under `T01-R` (`T01-R000001`).

-- Whether selling needs an open shift on the terminal (a shop-wide choice; default yes).
ALTER TABLE settings ADD COLUMN require_open_shift INTEGER NOT NULL DEFAULT 1
    CHECK (require_open_shift IN (0, 1));

CREATE TABLE shifts (
    id            TEXT    PRIMARY KEY,
    terminal      TEXT    NOT NULL,
    opened_by     TEXT    NOT NULL REFERENCES staff (id),
    opened_at     TEXT    NOT NULL,
    -- The shop's local date when it opened: a shift's orders are found by business date.
    opened_on     TEXT    NOT NULL,
    opening_float INTEGER NOT NULL CHECK (opening_float >= 0),
    closed_by     TEXT REFERENCES staff (id),
    closed_at     TEXT,
    closed_on     TEXT,
    -- At close: the cash counted, what was expected, counted − expected, and the count by
    -- denomination as JSON ([{"value": 100000, "count": 3}, …]; NULL when counted as a total).
    counted       INTEGER CHECK (counted >= 0),
    expected      INTEGER,
    variance      INTEGER,
    count_detail  TEXT,
    z_no          INTEGER,
    note          TEXT    NOT NULL DEFAULT '',
    CHECK ((closed_at IS NULL) = (z_no IS NULL))
) WITHOUT ROWID;
CREATE UNIQUE INDEX shifts_one_open ON shifts (terminal) WHERE closed_at IS NULL;
CREATE UNIQUE INDEX shifts_z ON shifts (terminal, z_no);
CREATE INDEX shifts_opened ON shifts (terminal, opened_at);

CREATE TRIGGER shifts_closed_is_fact BEFORE UPDATE ON shifts WHEN old.closed_at IS NOT NULL BEGIN
    SELECT RAISE(ABORT, 'a closed shift is a fact');
END;
CREATE TRIGGER shifts_no_delete BEFORE DELETE ON shifts BEGIN
    SELECT RAISE(ABORT, 'shifts are facts');
END;
-- The till's code may change (a manager renames it, a server gives it one at enrolment): the
-- open shift is the drawer's, so it follows the till to its new code and can still be closed.
CREATE TRIGGER shifts_follow_the_terminal_code AFTER UPDATE OF terminal_code ON settings
WHEN new.terminal_code <> old.terminal_code BEGIN
    UPDATE shifts SET terminal = new.terminal_code
    WHERE terminal = old.terminal_code AND closed_at IS NULL;
END;

CREATE TABLE cash_movements (
    id          TEXT    PRIMARY KEY,
    shift_id    TEXT    NOT NULL REFERENCES shifts (id),
    kind        TEXT    NOT NULL CHECK (kind IN ('in', 'out')),
    amount      INTEGER NOT NULL CHECK (amount > 0),
    reason      TEXT    NOT NULL,
    staff_id    TEXT    NOT NULL,
    approved_by TEXT,
    created_at  TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX cash_movements_shift ON cash_movements (shift_id);
CREATE TRIGGER cash_movements_no_update BEFORE UPDATE ON cash_movements BEGIN
    SELECT RAISE(ABORT, 'cash movements are facts');
END;
CREATE TRIGGER cash_movements_no_delete BEFORE DELETE ON cash_movements BEGIN
    SELECT RAISE(ABORT, 'cash movements are facts');
END;

-- The shift an order was sold in (NULL: none open, when the shop does not require one), and
-- the cash rounding unit its total was rounded to, which its refunds round to as well (NULL
-- for orders from before: the shop's unit now).
ALTER TABLE orders ADD COLUMN shift_id TEXT;
ALTER TABLE orders ADD COLUMN cash_rounding INTEGER CHECK (cash_rounding IS NULL OR cash_rounding >= 1);
DROP TRIGGER orders_money_is_fact;
CREATE TRIGGER orders_money_is_fact BEFORE UPDATE OF
    id, receipt_no, terminal, staff_id, subtotal, order_discount, service, tax, rounding, total,
    paid, change_due, created_at, currency, minor_unit, shift_id, cash_rounding ON orders BEGIN
    SELECT RAISE(ABORT, 'orders are facts');
END;

CREATE TABLE refunds (
    id            TEXT    PRIMARY KEY,
    refund_no     TEXT    NOT NULL UNIQUE,
    order_id      TEXT    NOT NULL REFERENCES orders (id),
    terminal      TEXT    NOT NULL,
    shift_id      TEXT REFERENCES shifts (id),
    staff_id      TEXT    NOT NULL,
    staff_name    TEXT    NOT NULL,
    approved_by   TEXT,
    reason        TEXT    NOT NULL,
    -- The refunded parts, by the order's own rule (see `sales::refunds`).
    gross         INTEGER NOT NULL,
    discount      INTEGER NOT NULL,
    service       INTEGER NOT NULL,
    tax           INTEGER NOT NULL,
    rounding      INTEGER NOT NULL,
    total         INTEGER NOT NULL CHECK (total >= 0),
    business_date TEXT    NOT NULL,
    created_at    TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX refunds_order ON refunds (order_id);
CREATE INDEX refunds_business_date ON refunds (business_date);

CREATE TABLE refund_lines (
    refund_id      TEXT    NOT NULL REFERENCES refunds (id),
    position       INTEGER NOT NULL,
    -- The order line it refunds (order_lines.position).
    order_position INTEGER NOT NULL,
    product_id     TEXT    NOT NULL,
    product_name   TEXT    NOT NULL,
    category_name  TEXT    NOT NULL,
    quantity       INTEGER NOT NULL CHECK (quantity > 0),
    gross          INTEGER NOT NULL,
    line_discount  INTEGER NOT NULL,
    order_discount INTEGER NOT NULL,
    service        INTEGER NOT NULL,
    tax            INTEGER NOT NULL,
    total          INTEGER NOT NULL,
    -- 1: the goods went back to stock; 0: thrown away (waste).
    restock        INTEGER NOT NULL CHECK (restock IN (0, 1)),
    PRIMARY KEY (refund_id, position)
) WITHOUT ROWID;

CREATE TABLE refund_payments (
    refund_id  TEXT    NOT NULL REFERENCES refunds (id),
    position   INTEGER NOT NULL,
    method     TEXT    NOT NULL CHECK (method IN ('cash', 'card', 'qris', 'ewallet')),
    amount     INTEGER NOT NULL CHECK (amount > 0),
    reference  TEXT,
    PRIMARY KEY (refund_id, position)
) WITHOUT ROWID;

CREATE TRIGGER refunds_no_update BEFORE UPDATE ON refunds BEGIN
    SELECT RAISE(ABORT, 'refunds are facts');
END;
CREATE TRIGGER refunds_no_delete BEFORE DELETE ON refunds BEGIN
    SELECT RAISE(ABORT, 'refunds are facts');
END;
CREATE TRIGGER refund_lines_no_update BEFORE UPDATE ON refund_lines BEGIN
    SELECT RAISE(ABORT, 'refund lines are facts');
END;
CREATE TRIGGER refund_lines_no_delete BEFORE DELETE ON refund_lines BEGIN
    SELECT RAISE(ABORT, 'refund lines are facts');
END;
CREATE TRIGGER refund_payments_no_update BEFORE UPDATE ON refund_payments BEGIN
    SELECT RAISE(ABORT, 'refund payments are facts');
END;
CREATE TRIGGER refund_payments_no_delete BEFORE DELETE ON refund_payments BEGIN
    SELECT RAISE(ABORT, 'refund payments are facts');
END;

-- Goods a refund takes back go into the stock ledger as 'refund'. SQLite cannot change a
-- CHECK in place, so the ledger is copied with the longer list, as V9 did; row ids are kept.
CREATE TABLE stock_movements_v13 (
    seq         INTEGER PRIMARY KEY,
    product_id  TEXT    NOT NULL REFERENCES products (id),
    delta       INTEGER NOT NULL CHECK (delta <> 0),
    reason      TEXT    NOT NULL CHECK (reason IN ('sale', 'cancel', 'adjustment', 'waste', 'restock',
                                                   'initial', 'untracked', 'received', 'counted',
                                                   'correction', 'refund')),
    order_id    TEXT REFERENCES orders (id),
    staff_id    TEXT    NOT NULL,
    note        TEXT    NOT NULL DEFAULT '',
    created_at  TEXT    NOT NULL,
    product_rid INTEGER REFERENCES products (rid)
);
INSERT INTO stock_movements_v13 (seq, product_id, delta, reason, order_id, staff_id, note, created_at, product_rid)
    SELECT seq, product_id, delta, reason, order_id, staff_id, note, created_at, product_rid FROM stock_movements;
DROP TABLE stock_movements;
ALTER TABLE stock_movements_v13 RENAME TO stock_movements;
CREATE INDEX stock_movements_by_product ON stock_movements (product_rid);
CREATE TRIGGER stock_movements_no_update BEFORE UPDATE ON stock_movements BEGIN
    SELECT RAISE(ABORT, 'stock movements are facts');
END;
CREATE TRIGGER stock_movements_no_delete BEFORE DELETE ON stock_movements BEGIN
    SELECT RAISE(ABORT, 'stock movements are facts');
END;
