-- V9: the manager's stock reasons, low-stock alerts and in-app notifications.
--
-- A manager adjusts stock for a reason: received (a delivery), counted (a stock count),
-- waste, or correction. The ledger's CHECK lists the reasons it accepts, and SQLite cannot
-- change a CHECK in place, so the ledger is copied into a new table with the longer list.
-- Rows written before keep their reasons ('restock' reads as received, 'adjustment' as a
-- correction). Row ids (seq) are kept, so nothing that points at a movement moves.
CREATE TABLE stock_movements_v9 (
    seq         INTEGER PRIMARY KEY,
    product_id  TEXT    NOT NULL REFERENCES products (id),
    delta       INTEGER NOT NULL CHECK (delta <> 0),
    reason      TEXT    NOT NULL CHECK (reason IN ('sale', 'cancel', 'adjustment', 'waste', 'restock',
                                                   'initial', 'untracked', 'received', 'counted',
                                                   'correction')),
    order_id    TEXT REFERENCES orders (id),
    staff_id    TEXT    NOT NULL,
    note        TEXT    NOT NULL DEFAULT '',
    created_at  TEXT    NOT NULL,
    product_rid INTEGER REFERENCES products (rid)
);
INSERT INTO stock_movements_v9 (seq, product_id, delta, reason, order_id, staff_id, note, created_at, product_rid)
    SELECT seq, product_id, delta, reason, order_id, staff_id, note, created_at, product_rid FROM stock_movements;
DROP TABLE stock_movements;
ALTER TABLE stock_movements_v9 RENAME TO stock_movements;
CREATE INDEX stock_movements_by_product ON stock_movements (product_rid);
CREATE TRIGGER stock_movements_no_update BEFORE UPDATE ON stock_movements BEGIN
    SELECT RAISE(ABORT, 'stock movements are facts');
END;
CREATE TRIGGER stock_movements_no_delete BEFORE DELETE ON stock_movements BEGIN
    SELECT RAISE(ABORT, 'stock movements are facts');
END;

-- A low-stock alert: raised in the transaction of the movement that takes a tracked product
-- into a worse band (warning, critical, out); one open alert per product, a worse band
-- replacing a milder one. A manager resolves it, or a movement back above the warning level
-- resolves it by itself.
CREATE TABLE stock_alerts (
    id          INTEGER PRIMARY KEY,
    product_id  TEXT    NOT NULL REFERENCES products (id),
    level       TEXT    NOT NULL CHECK (level IN ('warning', 'critical', 'out')),
    stock       INTEGER NOT NULL,
    raised_at   TEXT    NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT REFERENCES staff (id),
    -- 'manager' (resolved_by says who) or 'restocked'.
    resolution  TEXT CHECK (resolution IN ('manager', 'restocked')),
    CHECK ((resolved_at IS NULL) = (resolution IS NULL))
);
CREATE UNIQUE INDEX stock_alerts_open ON stock_alerts (product_id) WHERE resolved_at IS NULL;
CREATE INDEX stock_alerts_by_time ON stock_alerts (raised_at);

-- In-app notifications: what happened (a kind and its details), for whom (every manager and
-- admin, or one staff member), and who has read it.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL,
    detail     TEXT    NOT NULL DEFAULT '{}',
    -- NULL: every manager and admin.
    staff_id   TEXT REFERENCES staff (id),
    created_at TEXT    NOT NULL
);
CREATE TABLE notification_reads (
    notification_id INTEGER NOT NULL REFERENCES notifications (id),
    staff_id        TEXT    NOT NULL REFERENCES staff (id),
    read_at         TEXT    NOT NULL,
    PRIMARY KEY (notification_id, staff_id)
) WITHOUT ROWID;
