-- Coupons (issue 12): each coupon's newest version in the server's order, and each use once
-- by its id (a full refund or a cancellation sends the use again with given_back_at set; the
-- first time it is set, it stays).
CREATE TABLE coupons (
    id               uuid PRIMARY KEY,
    store_id         uuid NOT NULL,
    code             text NOT NULL,
    name             text NOT NULL,
    rule             jsonb NOT NULL,
    min_order        bigint NOT NULL,
    usage_limit      integer,
    per_member_limit integer,
    customer_group   text NOT NULL,
    valid_from       date,
    valid_until      date,
    active           boolean NOT NULL,
    at               timestamptz NOT NULL,
    terminal_id      uuid NOT NULL,
    seq              bigint NOT NULL
);
CREATE INDEX coupons_store_code ON coupons (store_id, upper(code));

CREATE TABLE coupon_uses (
    id            uuid PRIMARY KEY,
    store_id      uuid NOT NULL,
    coupon_id     uuid NOT NULL,
    order_id      uuid NOT NULL,
    member_id     uuid,
    discount      bigint NOT NULL,
    used_at       timestamptz NOT NULL,
    given_back_at timestamptz,
    terminal_id   uuid NOT NULL,
    seq           bigint NOT NULL
);
CREATE INDEX coupon_uses_coupon ON coupon_uses (store_id, coupon_id);
