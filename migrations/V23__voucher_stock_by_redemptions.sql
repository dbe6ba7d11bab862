-- V23: a voucher's stock is counted from redemptions (issue 12). `stock` is now the count a
-- manager set, at `stock_set_at`; what is left is that count less the redemptions (not
-- cancelled) made since, wherever they were made. Tills of a store then agree on it once
-- they have each other's redemptions, rather than each sending its own count after every
-- redemption (two tills redeeming at once would each have sent "one less").
--
-- Until now `stock` was decremented by each redemption, so it already is what is left: it
-- becomes the count set now.
ALTER TABLE vouchers ADD COLUMN stock_set_at TEXT;
UPDATE vouchers
SET stock_set_at = strftime('%Y-%m-%dT%H:%M:%S', 'now') || '.'
                   || substr(strftime('%f', 'now'), 4) || '000000Z'
WHERE stock IS NOT NULL;
