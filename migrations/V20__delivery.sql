-- V20: delivery orders (issue 12). A delivery ticket carries the address it goes to (the
-- member's, filled in when one is named, and changeable); checkout refuses a delivery without
-- one. The order keeps it, and after "ready" a delivery goes out (out_for_delivery_at) and is
-- delivered (delivered_at, with the order completed).
ALTER TABLE tickets ADD COLUMN delivery_address TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN delivery_address TEXT;
ALTER TABLE orders ADD COLUMN out_for_delivery_at TEXT;
ALTER TABLE orders ADD COLUMN delivered_at TEXT;
