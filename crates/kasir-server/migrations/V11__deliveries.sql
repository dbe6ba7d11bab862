-- Deliveries (issue 12): where a delivery order goes, and when it went out with its rider
-- (it is delivered when it completes).
ALTER TABLE orders ADD COLUMN delivery_address text;
ALTER TABLE orders ADD COLUMN out_for_delivery_at timestamptz;
