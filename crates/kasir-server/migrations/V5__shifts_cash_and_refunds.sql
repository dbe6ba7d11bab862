-- The money side of the tills (issue 11): their shifts, cash in and out of their drawers, and
-- refunds. Facts made on terminals, added once each: a shift and a cash movement by their id,
-- a refund by its id (its lines, payments and stock follow only a refund really inserted).

-- The shift an order was sold in (NULL from tills before shifts): a shift's cash sales can be
-- rebuilt on the server.
ALTER TABLE orders ADD COLUMN shift_id uuid;

CREATE TABLE shifts (
    id             uuid PRIMARY KEY,
    store_id       uuid NOT NULL,
    terminal_id    uuid NOT NULL,
    terminal_code  text NOT NULL,
    -- NULL when the close arrived for a shift opened before the till was enrolled.
    opened_by      uuid,
    opened_by_name text,
    opened_at      timestamptz,
    business_date  date,
    opening_float  bigint,
    closed_by      uuid,
    closed_at      timestamptz,
    closed_on      date,
    z_no           bigint,
    counted        bigint,
    expected       bigint,
    variance       bigint,
    note           text
);
CREATE INDEX shifts_store_day ON shifts (store_id, business_date);

CREATE TABLE cash_movements (
    id          uuid PRIMARY KEY,
    store_id    uuid NOT NULL,
    terminal_id uuid NOT NULL,
    shift_id    uuid NOT NULL,
    direction   text NOT NULL,
    amount      bigint NOT NULL,
    reason      text NOT NULL,
    staff_id    uuid NOT NULL,
    approved_by uuid,
    at          timestamptz NOT NULL
);
CREATE INDEX cash_movements_shift ON cash_movements (shift_id);

CREATE TABLE refunds (
    id            uuid PRIMARY KEY,
    store_id      uuid NOT NULL,
    terminal_id   uuid NOT NULL,
    seq           bigint NOT NULL,
    refund_no     text NOT NULL,
    order_id      uuid NOT NULL,
    shift_id      uuid,
    staff_id      uuid NOT NULL,
    staff_name    text NOT NULL,
    approved_by   uuid,
    reason        text NOT NULL,
    gross         bigint NOT NULL,
    discount      bigint NOT NULL,
    service       bigint NOT NULL,
    tax           bigint NOT NULL,
    rounding      bigint NOT NULL,
    total         bigint NOT NULL,
    business_date date NOT NULL,
    created_at    timestamptz NOT NULL,
    UNIQUE (terminal_id, refund_no)
);
CREATE INDEX refunds_store_day ON refunds (store_id, business_date);
CREATE INDEX refunds_order ON refunds (order_id);

CREATE TABLE refund_lines (
    refund_id      uuid NOT NULL,
    line_no        integer NOT NULL,
    order_line     integer NOT NULL,
    product_id     uuid NOT NULL,
    product_name   text NOT NULL,
    quantity       bigint NOT NULL,
    gross          bigint NOT NULL,
    line_discount  bigint NOT NULL,
    order_discount bigint NOT NULL,
    service        bigint NOT NULL,
    tax            bigint NOT NULL,
    total          bigint NOT NULL,
    restock        boolean NOT NULL,
    PRIMARY KEY (refund_id, line_no)
);

CREATE TABLE refund_payments (
    refund_id uuid NOT NULL,
    idx       integer NOT NULL,
    method    text NOT NULL,
    amount    bigint NOT NULL,
    reference text,
    PRIMARY KEY (refund_id, idx)
);
