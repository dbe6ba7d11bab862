-- Kasir's first schema. Forward-only: never edit this file once it has landed; add V2__*.sql.
--
-- Conventions
--   * ids that sync are UUIDv7 text made on the terminal;
--   * money is INTEGER minor units of the shop's currency;
--   * times are UTC RFC 3339 text ("2026-11-21T04:55:00Z"); business_date is the shop's local date;
--   * orders, order lines, payments, stock movements and the audit log are facts: triggers at the
--     bottom refuse edits and deletes.

CREATE TABLE settings (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    shop_name          TEXT    NOT NULL,
    shop_address       TEXT    NOT NULL DEFAULT '',
    currency           TEXT    NOT NULL DEFAULT 'IDR',
    minor_unit         INTEGER NOT NULL DEFAULT 0 CHECK (minor_unit BETWEEN 0 AND 4),
    locale             TEXT    NOT NULL DEFAULT 'id-ID',
    time_zone          TEXT    NOT NULL DEFAULT 'Asia/Jakarta',
    tax_rate_bp        INTEGER NOT NULL DEFAULT 1000 CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    service_rate_bp    INTEGER NOT NULL DEFAULT 500 CHECK (service_rate_bp BETWEEN 0 AND 10000),
    prices_include_tax INTEGER NOT NULL DEFAULT 0 CHECK (prices_include_tax IN (0, 1)),
    cash_rounding      INTEGER NOT NULL DEFAULT 100 CHECK (cash_rounding >= 1),
    receipt_header     TEXT    NOT NULL DEFAULT '',
    receipt_footer     TEXT    NOT NULL DEFAULT '',
    terminal_code      TEXT    NOT NULL DEFAULT 'T01'
);
INSERT INTO settings (id, shop_name) VALUES (1, 'Kasir');

CREATE TABLE staff (
    id              TEXT    PRIMARY KEY,
    name            TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('cashier', 'manager', 'admin')),
    pin_hash        TEXT    NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,
    created_at      TEXT    NOT NULL
);

CREATE TABLE categories (
    id         TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    updated_at TEXT    NOT NULL
);

-- `rid` is a stable integer key for the full-text index; `id` is the identity that syncs.
CREATE TABLE products (
    rid                INTEGER PRIMARY KEY,
    id                 TEXT    NOT NULL UNIQUE,
    category_id        TEXT    NOT NULL REFERENCES categories (id),
    name               TEXT    NOT NULL,
    description        TEXT    NOT NULL DEFAULT '',
    price              INTEGER NOT NULL CHECK (price >= 0),
    -- NULL: stock is not tracked. Otherwise the sum of this product's stock_movements.
    stock              INTEGER CHECK (stock IS NULL OR stock >= 0),
    low_stock_warning  INTEGER CHECK (low_stock_warning IS NULL OR low_stock_warning >= 0),
    low_stock_critical INTEGER CHECK (low_stock_critical IS NULL OR low_stock_critical >= 0),
    active             INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    barcode            TEXT UNIQUE,
    popularity         INTEGER NOT NULL DEFAULT 0,
    image_id           TEXT,
    updated_at         TEXT    NOT NULL
);
CREATE INDEX products_category_name ON products (category_id, active, name COLLATE NOCASE);
CREATE INDEX products_category_price ON products (category_id, active, price);
CREATE INDEX products_category_popularity ON products (category_id, active, popularity DESC);
CREATE INDEX products_name ON products (active, name COLLATE NOCASE);
CREATE INDEX products_price ON products (active, price);
CREATE INDEX products_popularity ON products (active, popularity DESC);

-- Full-text index over name, description and category name, kept in step by triggers.
CREATE VIRTUAL TABLE product_search USING fts5 (
    name, description, category,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3 4 5 6'
);

CREATE TRIGGER products_search_insert AFTER INSERT ON products BEGIN
    INSERT INTO product_search (rowid, name, description, category)
    VALUES (new.rid, new.name, new.description,
            (SELECT name FROM categories WHERE id = new.category_id));
END;

CREATE TRIGGER products_search_update AFTER UPDATE OF name, description, category_id ON products BEGIN
    DELETE FROM product_search WHERE rowid = old.rid;
    INSERT INTO product_search (rowid, name, description, category)
    VALUES (new.rid, new.name, new.description,
            (SELECT name FROM categories WHERE id = new.category_id));
END;

CREATE TRIGGER products_search_delete AFTER DELETE ON products BEGIN
    DELETE FROM product_search WHERE rowid = old.rid;
END;

CREATE TRIGGER categories_search_rename AFTER UPDATE OF name ON categories BEGIN
    DELETE FROM product_search WHERE rowid IN (SELECT rid FROM products WHERE category_id = new.id);
    INSERT INTO product_search (rowid, name, description, category)
    SELECT rid, name, description, new.name FROM products WHERE category_id = new.id;
END;

CREATE TABLE modifier_groups (
    id          TEXT    PRIMARY KEY,
    product_id  TEXT    NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    min_choices INTEGER NOT NULL CHECK (min_choices >= 0),
    max_choices INTEGER NOT NULL CHECK (max_choices >= 1 AND max_choices >= min_choices),
    sort_order  INTEGER NOT NULL
);
CREATE INDEX modifier_groups_product ON modifier_groups (product_id, sort_order);

CREATE TABLE modifier_options (
    id          TEXT    PRIMARY KEY,
    group_id    TEXT    NOT NULL REFERENCES modifier_groups (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    price_delta INTEGER NOT NULL,
    sort_order  INTEGER NOT NULL
);
CREATE INDEX modifier_options_group ON modifier_options (group_id, sort_order);

-- Open tickets (carts). Local to the terminal, never synced; checkout turns one into an order.
-- WITHOUT ROWID keeps each table a single b-tree: fewer pages for a sale's commit to write.
CREATE TABLE tickets (
    id                     TEXT    PRIMARY KEY,
    terminal               TEXT    NOT NULL,
    staff_id               TEXT    NOT NULL REFERENCES staff (id),
    order_type             TEXT    NOT NULL CHECK (order_type IN ('dine_in', 'takeaway', 'delivery', 'pickup')),
    label                  TEXT    NOT NULL DEFAULT '',
    parked                 INTEGER NOT NULL DEFAULT 0 CHECK (parked IN (0, 1)),
    discount_kind          TEXT CHECK (discount_kind IN ('percent', 'amount')),
    discount_value         INTEGER,
    discount_approved_by   TEXT REFERENCES staff (id),
    created_at             TEXT    NOT NULL,
    updated_at             TEXT    NOT NULL
) WITHOUT ROWID;

CREATE TABLE ticket_lines (
    ticket_id            TEXT    NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    id                   TEXT    NOT NULL,
    position             INTEGER NOT NULL,
    product_id           TEXT    NOT NULL REFERENCES products (id),
    -- JSON array of modifier option ids, sorted: together with product and note, the merge key.
    modifier_ids         TEXT    NOT NULL,
    note                 TEXT    NOT NULL DEFAULT '',
    quantity             INTEGER NOT NULL CHECK (quantity > 0),
    discount_kind        TEXT CHECK (discount_kind IN ('percent', 'amount')),
    discount_value       INTEGER,
    discount_approved_by TEXT REFERENCES staff (id),
    PRIMARY KEY (ticket_id, id)
) WITHOUT ROWID;

CREATE TABLE receipt_counters (
    terminal TEXT    PRIMARY KEY,
    last     INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE orders (
    id                 TEXT    PRIMARY KEY,
    receipt_no         TEXT    NOT NULL UNIQUE,
    terminal           TEXT    NOT NULL,
    staff_id           TEXT    NOT NULL REFERENCES staff (id),
    staff_name         TEXT    NOT NULL,
    order_type         TEXT    NOT NULL,
    label              TEXT    NOT NULL,
    status             TEXT    NOT NULL CHECK (status IN ('pending', 'preparing', 'ready', 'completed', 'cancelled')),
    subtotal           INTEGER NOT NULL,
    order_discount     INTEGER NOT NULL,
    service            INTEGER NOT NULL,
    tax                INTEGER NOT NULL,
    rounding           INTEGER NOT NULL,
    total              INTEGER NOT NULL,
    paid               INTEGER NOT NULL,
    change_due         INTEGER NOT NULL,
    tax_rate_bp        INTEGER NOT NULL,
    service_rate_bp    INTEGER NOT NULL,
    prices_include_tax INTEGER NOT NULL,
    currency           TEXT    NOT NULL,
    discount_approved_by TEXT,
    cancel_reason      TEXT,
    cancelled_by       TEXT,
    business_date      TEXT    NOT NULL,
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX orders_business_date ON orders (business_date, status);

-- Lines and payments are identified by (order, position) and stored clustered by order.
CREATE TABLE order_lines (
    order_id       TEXT    NOT NULL REFERENCES orders (id),
    position       INTEGER NOT NULL,
    product_id     TEXT    NOT NULL,
    product_name   TEXT    NOT NULL,
    category_name  TEXT    NOT NULL,
    base_price     INTEGER NOT NULL,
    unit_price     INTEGER NOT NULL,
    -- JSON snapshot: [{"group": "Size", "option": "Large", "price_delta": 5000}, ...]
    modifiers      TEXT    NOT NULL,
    note           TEXT    NOT NULL,
    quantity       INTEGER NOT NULL CHECK (quantity > 0),
    gross          INTEGER NOT NULL,
    line_discount  INTEGER NOT NULL,
    order_discount INTEGER NOT NULL,
    service        INTEGER NOT NULL,
    tax            INTEGER NOT NULL,
    total          INTEGER NOT NULL,
    PRIMARY KEY (order_id, position)
) WITHOUT ROWID;

CREATE TABLE payments (
    order_id   TEXT    NOT NULL REFERENCES orders (id),
    position   INTEGER NOT NULL,
    method     TEXT    NOT NULL CHECK (method IN ('cash', 'card', 'qris', 'ewallet')),
    amount     INTEGER NOT NULL CHECK (amount > 0),
    tendered   INTEGER NOT NULL CHECK (tendered >= amount),
    change     INTEGER NOT NULL CHECK (change = tendered - amount),
    reference  TEXT,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (order_id, position)
) WITHOUT ROWID;

CREATE TABLE stock_movements (
    seq        INTEGER PRIMARY KEY,
    product_id TEXT    NOT NULL REFERENCES products (id),
    delta      INTEGER NOT NULL CHECK (delta <> 0),
    reason     TEXT    NOT NULL CHECK (reason IN ('sale', 'cancel', 'adjustment', 'waste', 'restock', 'initial', 'untracked')),
    order_id   TEXT REFERENCES orders (id),
    staff_id   TEXT    NOT NULL,
    note       TEXT    NOT NULL DEFAULT '',
    created_at TEXT    NOT NULL
);
-- (product, order) serves both a product's ledger and finding what a cancelled order took.
CREATE INDEX stock_movements_product ON stock_movements (product_id, order_id);

-- AUTOINCREMENT: a sequence number is never reused, even after the newest row is gone.
CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The idempotency key (UUIDv7). Unique by construction; no index, to keep sales cheap.
    id         TEXT    NOT NULL,
    terminal   TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);

CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    staff_id  TEXT,
    action    TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);

-- Facts are never edited or deleted in place.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER orders_money_is_fact BEFORE UPDATE OF
    id, receipt_no, terminal, staff_id, subtotal, order_discount, service, tax, rounding, total,
    paid, change_due, created_at ON orders BEGIN
    SELECT RAISE(ABORT, 'orders are facts');
END;
CREATE TRIGGER orders_no_delete BEFORE DELETE ON orders BEGIN
    SELECT RAISE(ABORT, 'orders are facts');
END;
CREATE TRIGGER order_lines_no_update BEFORE UPDATE ON order_lines BEGIN
    SELECT RAISE(ABORT, 'order lines are facts');
END;
CREATE TRIGGER order_lines_no_delete BEFORE DELETE ON order_lines BEGIN
    SELECT RAISE(ABORT, 'order lines are facts');
END;
CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments BEGIN
    SELECT RAISE(ABORT, 'payments are facts');
END;
CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments BEGIN
    SELECT RAISE(ABORT, 'payments are facts');
END;
CREATE TRIGGER stock_movements_no_update BEFORE UPDATE ON stock_movements BEGIN
    SELECT RAISE(ABORT, 'stock movements are facts');
END;
CREATE TRIGGER stock_movements_no_delete BEFORE DELETE ON stock_movements BEGIN
    SELECT RAISE(ABORT, 'stock movements are facts');
END;
