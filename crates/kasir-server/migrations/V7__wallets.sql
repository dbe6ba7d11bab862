-- Members' wallets (issue 12): a ledger of entries, each added once by its id; the balance is
-- their sum.
CREATE TABLE wallet_entries (
    id          uuid PRIMARY KEY,
    store_id    uuid NOT NULL,
    member_id   uuid NOT NULL,
    terminal_id uuid NOT NULL,
    seq         bigint NOT NULL,
    kind        text NOT NULL,
    amount      bigint NOT NULL,
    method      text,
    reference   text,
    order_id    uuid,
    refund_id   uuid,
    shift_id    uuid,
    reason      text NOT NULL,
    staff_id    uuid,
    at          timestamptz NOT NULL
);
CREATE INDEX wallet_entries_member ON wallet_entries (store_id, member_id);
