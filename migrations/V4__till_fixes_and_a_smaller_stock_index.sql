-- V4: a smaller index for the stock ledger, and what the till's fixes keep (an order's minor
-- unit, approval PIN counters, the limits of approved discounts).
--
-- A product's movements were found through an index on (product id, order id): two 36-byte
-- texts per entry, about fifty entries to a page, so a sale rewrote (and often split) a page of
-- it for every tracked product, most of a checkout's commit. The ledger is now indexed by the
-- product's integer row id alone: a few bytes per entry, hundreds to a page, and a sale's
-- entries mostly land on pages it already writes. A cancelled order's movements are found in
-- its products' newest entries.

DROP TRIGGER stock_movements_no_update;

ALTER TABLE stock_movements ADD COLUMN product_rid INTEGER REFERENCES products (rid);
UPDATE stock_movements SET product_rid = (SELECT p.rid FROM products p WHERE p.id = stock_movements.product_id);

DROP INDEX stock_movements_product;
CREATE INDEX stock_movements_by_product ON stock_movements (product_rid);

CREATE TRIGGER stock_movements_no_update BEFORE UPDATE ON stock_movements BEGIN
    SELECT RAISE(ABORT, 'stock movements are facts');
END;

-- An order keeps the minor unit of the currency it was sold in, beside the currency it already
-- kept: its amounts are counts of that unit, and its receipt must show them so forever, even
-- after the shop changes its settings. Orders from before get the shop's minor unit now, the
-- one they were sold in unless it was changed since.
-- An order in another currency than the shop's now gets its currency's usual digits.
ALTER TABLE orders ADD COLUMN minor_unit INTEGER NOT NULL DEFAULT 0 CHECK (minor_unit BETWEEN 0 AND 4);
UPDATE orders SET minor_unit = CASE
    WHEN currency = (SELECT s.currency FROM settings s WHERE s.id = 1)
        THEN (SELECT s.minor_unit FROM settings s WHERE s.id = 1)
    WHEN currency IN ('IDR', 'JPY', 'KRW', 'VND', 'CLP', 'ISK', 'PYG', 'UGX', 'XAF', 'XOF') THEN 0
    WHEN currency IN ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') THEN 3
    ELSE 2 END;

-- The currency and its minor unit are what the amounts mean: facts like the amounts.
DROP TRIGGER orders_money_is_fact;
CREATE TRIGGER orders_money_is_fact BEFORE UPDATE OF
    id, receipt_no, terminal, staff_id, subtotal, order_discount, service, tax, rounding, total,
    paid, change_due, created_at, currency, minor_unit ON orders BEGIN
    SELECT RAISE(ABORT, 'orders are facts');
END;

-- Wrong PINs typed in the approval dialog count apart from sign-in, so a cashier cannot lock a
-- manager out of signing in: their own counter and a shorter lock that stops approvals only.
ALTER TABLE staff ADD COLUMN approval_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN approval_locked_until TEXT;

-- A discount a manager approved for someone without the discount right is bound to what was
-- approved: the amount it took then. It never takes more as the ticket grows; growing past it
-- takes a new approval. NULL: given by someone with the right, it follows the ticket.
ALTER TABLE tickets ADD COLUMN discount_limit INTEGER CHECK (discount_limit >= 0);
ALTER TABLE ticket_lines ADD COLUMN discount_limit INTEGER CHECK (discount_limit >= 0);
