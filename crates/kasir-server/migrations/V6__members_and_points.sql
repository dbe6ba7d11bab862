-- Members and their points (issue 12). A member's details are the latest version a till sent
-- (last write wins, in the server's order); points are a ledger of entries, each added once by
-- its id. A member's balance is the sum of their entries.

ALTER TABLE orders ADD COLUMN member_id uuid;
CREATE INDEX orders_member ON orders (store_id, member_id) WHERE member_id IS NOT NULL;

CREATE TABLE members (
    id            uuid PRIMARY KEY,
    store_id      uuid NOT NULL,
    number        text NOT NULL,
    name          text NOT NULL,
    phone         text,
    email         text,
    birthday      date,
    address       text NOT NULL,
    notes         text NOT NULL,
    active        boolean NOT NULL,
    referral_code text NOT NULL,
    referred_by   uuid,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    -- Which till wrote this version, and the entry: a later entry replaces it.
    terminal_id   uuid NOT NULL,
    seq           bigint NOT NULL
);
CREATE INDEX members_store ON members (store_id, number);

CREATE TABLE point_entries (
    id          uuid PRIMARY KEY,
    store_id    uuid NOT NULL,
    member_id   uuid NOT NULL,
    terminal_id uuid NOT NULL,
    seq         bigint NOT NULL,
    kind        text NOT NULL,
    points      bigint NOT NULL,
    order_id    uuid,
    refund_id   uuid,
    reason      text NOT NULL,
    staff_id    uuid,
    at          timestamptz NOT NULL
);
CREATE INDEX point_entries_member ON point_entries (store_id, member_id);
