-- Vouchers and redemptions (issue 12): each voucher's newest version in the server's order
-- (its stock as the till that last changed it saw it), each redemption's newest status.
CREATE TABLE vouchers (
    id          uuid PRIMARY KEY,
    store_id    uuid NOT NULL,
    name        text NOT NULL,
    reward      jsonb NOT NULL,
    points_cost bigint NOT NULL,
    stock       bigint,
    valid_from  date,
    valid_until date,
    active      boolean NOT NULL,
    at          timestamptz NOT NULL,
    terminal_id uuid NOT NULL,
    seq         bigint NOT NULL
);

CREATE TABLE redemptions (
    id          uuid PRIMARY KEY,
    store_id    uuid NOT NULL,
    code        text NOT NULL,
    voucher_id  uuid NOT NULL,
    member_id   uuid NOT NULL,
    points      bigint NOT NULL,
    status      text NOT NULL,
    order_id    uuid,
    at          timestamptz NOT NULL,
    terminal_id uuid NOT NULL,
    seq         bigint NOT NULL
);
CREATE INDEX redemptions_member ON redemptions (store_id, member_id);
