-- Kasir's central server. Forward-only: never edit a landed file.
--
-- Terminals' outbox entries land in `inbox`, keyed by (terminal, sequence) and by their
-- idempotency key; their effects (orders, lines, payments, stock movements, catalog) are
-- applied only for rows really inserted. What terminals must learn is in `changes`, numbered
-- per store under the store's row lock, so a cursor never skips a change committed late.

CREATE TABLE stores (
    id             uuid PRIMARY KEY,
    name           text NOT NULL UNIQUE,
    created_at     timestamptz NOT NULL DEFAULT now(),
    -- The last cursor given out in this store's change log.
    change_seq     bigint NOT NULL DEFAULT 0,
    -- Terminal codes handed out (T01, T02, …); never reused.
    terminals_made integer NOT NULL DEFAULT 0
);

CREATE TABLE enrolment_codes (
    -- The code's public part, to find the row; the rest of the code is the secret.
    id           text PRIMARY KEY,
    store_id     uuid NOT NULL REFERENCES stores (id),
    -- argon2id of the secret part (PHC string).
    secret_hash  text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    attempts     integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL,
    used_at      timestamptz
);

CREATE TABLE terminals (
    id           uuid PRIMARY KEY,
    store_id     uuid NOT NULL REFERENCES stores (id),
    code         text NOT NULL,
    name         text NOT NULL,
    -- SHA-256 of the bearer token; the token itself is never stored.
    token_hash   bytea NOT NULL UNIQUE,
    enrolled_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    last_contact timestamptz,
    -- The highest sequence the terminal said it has written.
    head_seq     bigint NOT NULL DEFAULT 0,
    -- The highest sequence held here with no gap below it.
    held_through bigint NOT NULL DEFAULT 0,
    UNIQUE (store_id, code)
);

CREATE TABLE operator_tokens (
    id         uuid PRIMARY KEY,
    name       text NOT NULL,
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

-- Every entry a terminal pushed, once.
--
-- The tables written by a push (inbox, orders, order_lines, payments, order_events,
-- stock_movements) have no foreign keys: a push writes them together in one transaction for a
-- terminal it has just authenticated, and a per-row key check would cost a third of the
-- ingest (the benchmark holds the ingest to a raw COPY of the same rows).
CREATE TABLE inbox (
    terminal_id uuid NOT NULL,
    seq         bigint NOT NULL,
    -- The idempotency key, unique per terminal (a terminal copied from another's disk repeats
    -- its keys; each terminal's entries are still its own).
    id          uuid NOT NULL,
    v           integer NOT NULL,
    kind        text NOT NULL,
    -- The entry as sent, as canonical JSON (text: an archive, read rarely; jsonb would cost
    -- a parse per entry on the ingest path).
    entry       text NOT NULL,
    -- SHA-256 of `entry`: the same key with another digest is a conflict, never an overwrite.
    digest      bytea NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    -- NULL: applied. Otherwise why it was rejected (kept, so the sequence has no gap).
    rejected    text,
    PRIMARY KEY (terminal_id, seq),
    UNIQUE (terminal_id, id)
);

-- Sales, as facts.
CREATE TABLE orders (
    id            uuid PRIMARY KEY,
    store_id      uuid NOT NULL,
    terminal_id   uuid NOT NULL,
    seq           bigint NOT NULL,
    receipt_no    text NOT NULL,
    business_date date NOT NULL,
    created_at    timestamptz NOT NULL,
    status        text NOT NULL,
    staff_id      uuid NOT NULL,
    staff_name    text NOT NULL,
    order_type    text NOT NULL,
    label         text NOT NULL,
    currency      text NOT NULL,
    minor_unit    integer NOT NULL,
    subtotal      bigint NOT NULL,
    discount      bigint NOT NULL,
    service       bigint NOT NULL,
    tax           bigint NOT NULL,
    rounding      bigint NOT NULL,
    total         bigint NOT NULL,
    paid          bigint NOT NULL,
    change        bigint NOT NULL,
    -- Problems the server saw (`negative_stock`, `stale_price`): recorded, never refused.
    flags         text[] NOT NULL DEFAULT '{}',
    UNIQUE (terminal_id, receipt_no)
);
CREATE INDEX orders_store_day ON orders (store_id, business_date);

CREATE TABLE order_lines (
    order_id       uuid NOT NULL,
    line_no        integer NOT NULL,
    product_id     uuid NOT NULL,
    product_name   text NOT NULL,
    category_name  text NOT NULL,
    quantity       bigint NOT NULL,
    base_price     bigint NOT NULL,
    unit_price     bigint NOT NULL,
    gross          bigint NOT NULL,
    line_discount  bigint NOT NULL,
    order_discount bigint NOT NULL,
    service        bigint NOT NULL,
    tax            bigint NOT NULL,
    total          bigint NOT NULL,
    note           text NOT NULL,
    -- The chosen options as sent; NULL when there are none (most lines).
    modifiers      jsonb,
    PRIMARY KEY (order_id, line_no)
);

CREATE TABLE payments (
    order_id  uuid NOT NULL,
    idx       integer NOT NULL,
    method    text NOT NULL,
    amount    bigint NOT NULL,
    tendered  bigint NOT NULL,
    change    bigint NOT NULL,
    reference text,
    PRIMARY KEY (order_id, idx)
);

-- What happened to orders after the sale (kitchen status, cancellations).
CREATE TABLE order_events (
    terminal_id uuid NOT NULL,
    seq         bigint NOT NULL,
    order_id    uuid NOT NULL,
    kind        text NOT NULL,
    status      text NOT NULL,
    at          timestamptz NOT NULL,
    PRIMARY KEY (terminal_id, seq)
);

-- The stock ledger: one row per entry and product, so an entry has exactly one effect.
CREATE TABLE stock_movements (
    terminal_id uuid NOT NULL,
    seq         bigint NOT NULL,
    product_id  uuid NOT NULL,
    store_id    uuid NOT NULL,
    delta       bigint NOT NULL,
    reason      text NOT NULL,
    PRIMARY KEY (terminal_id, seq, product_id)
);

-- The store's stock of each product: the sum of its movements, kept in step.
CREATE TABLE stock_levels (
    store_id   uuid NOT NULL,
    product_id uuid NOT NULL,
    level      bigint NOT NULL,
    PRIMARY KEY (store_id, product_id)
);

-- The store's menu, as the server ordered the edits (last write wins, in server order).
CREATE TABLE categories (
    store_id uuid NOT NULL REFERENCES stores (id),
    id       uuid NOT NULL,
    data     jsonb NOT NULL,
    cursor   bigint NOT NULL,
    PRIMARY KEY (store_id, id)
);

CREATE TABLE products (
    store_id uuid NOT NULL REFERENCES stores (id),
    id       uuid NOT NULL,
    price    bigint NOT NULL,
    data     jsonb NOT NULL,
    cursor   bigint NOT NULL,
    PRIMARY KEY (store_id, id)
);

-- What terminals must learn, in the order the server decided it.
CREATE TABLE changes (
    store_id  uuid NOT NULL REFERENCES stores (id),
    cursor    bigint NOT NULL,
    kind      text NOT NULL,
    entity_id uuid NOT NULL,
    data      jsonb NOT NULL,
    PRIMARY KEY (store_id, cursor)
);
