-- The cancellations and stock adjustments whose stock moves a store has applied, by their
-- idempotency key: a till enrolled again (a new terminal id) that re-sends one moves nothing.
-- (A sale moves stock once per order id, which is unique already.)
CREATE TABLE stock_effects (
    store_id uuid NOT NULL,
    entry_id uuid NOT NULL,
    PRIMARY KEY (store_id, entry_id)
);
