-- V2: timestamps in one fixed-width form; modifier groups and options retire instead of
-- disappearing.
--
-- Times were stored as jiff's RFC 3339 text, whose fraction drops trailing zeros, so
-- "…05.1Z" sorted after "…05.12Z" as text. From now on every time is written with exactly nine
-- fractional digits ("2026-11-21T10:35:05.100000000Z"); this rewrites the rows already there.
-- The audit log keeps its text as written: each entry's hash covers it (sorted by seq anyway).
-- Facts' triggers refuse updates, so they step aside for this one rewrite and come back as
-- they were.

DROP TRIGGER orders_money_is_fact;
DROP TRIGGER payments_no_update;
DROP TRIGGER stock_movements_no_update;

UPDATE staff SET
    created_at = CASE WHEN created_at IS NULL THEN NULL
        WHEN instr(created_at, '.') = 0 THEN substr(created_at, 1, length(created_at) - 1) || '.000000000Z'
        ELSE substr(created_at, 1, instr(created_at, '.'))
             || substr(substr(created_at, instr(created_at, '.') + 1, length(created_at) - instr(created_at, '.') - 1) || '000000000', 1, 9)
             || 'Z' END,
    locked_until = CASE WHEN locked_until IS NULL THEN NULL
        WHEN instr(locked_until, '.') = 0 THEN substr(locked_until, 1, length(locked_until) - 1) || '.000000000Z'
        ELSE substr(locked_until, 1, instr(locked_until, '.'))
             || substr(substr(locked_until, instr(locked_until, '.') + 1, length(locked_until) - instr(locked_until, '.') - 1) || '000000000', 1, 9)
             || 'Z' END;

UPDATE categories SET
    updated_at = CASE WHEN updated_at IS NULL THEN NULL
        WHEN instr(updated_at, '.') = 0 THEN substr(updated_at, 1, length(updated_at) - 1) || '.000000000Z'
        ELSE substr(updated_at, 1, instr(updated_at, '.'))
             || substr(substr(updated_at, instr(updated_at, '.') + 1, length(updated_at) - instr(updated_at, '.') - 1) || '000000000', 1, 9)
             || 'Z' END;

UPDATE products SET
    updated_at = CASE WHEN updated_at IS NULL THEN NULL
        WHEN instr(updated_at, '.') = 0 THEN substr(updated_at, 1, length(updated_at) - 1) || '.000000000Z'
        ELSE substr(updated_at, 1, instr(updated_at, '.'))
             || substr(substr(updated_at, instr(updated_at, '.') + 1, length(updated_at) - instr(updated_at, '.') - 1) || '000000000', 1, 9)
             || 'Z' END;

UPDATE tickets SET
    created_at = CASE WHEN created_at IS NULL THEN NULL
        WHEN instr(created_at, '.') = 0 THEN substr(created_at, 1, length(created_at) - 1) || '.000000000Z'
        ELSE substr(created_at, 1, instr(created_at, '.'))
             || substr(substr(created_at, instr(created_at, '.') + 1, length(created_at) - instr(created_at, '.') - 1) || '000000000', 1, 9)
             || 'Z' END,
    updated_at = CASE WHEN updated_at IS NULL THEN NULL
        WHEN instr(updated_at, '.') = 0 THEN substr(updated_at, 1, length(updated_at) - 1) || '.000000000Z'
        ELSE substr(updated_at, 1, instr(updated_at, '.'))
             || substr(substr(updated_at, instr(updated_at, '.') + 1, length(updated_at) - instr(updated_at, '.') - 1) || '000000000', 1, 9)
             || 'Z' END;

UPDATE orders SET
    created_at = CASE WHEN created_at IS NULL THEN NULL
        WHEN instr(created_at, '.') = 0 THEN substr(created_at, 1, length(created_at) - 1) || '.000000000Z'
        ELSE substr(created_at, 1, instr(created_at, '.'))
             || substr(substr(created_at, instr(created_at, '.') + 1, length(created_at) - instr(created_at, '.') - 1) || '000000000', 1, 9)
             || 'Z' END,
    updated_at = CASE WHEN updated_at IS NULL THEN NULL
        WHEN instr(updated_at, '.') = 0 THEN substr(updated_at, 1, length(updated_at) - 1) || '.000000000Z'
        ELSE substr(updated_at, 1, instr(updated_at, '.'))
             || substr(substr(updated_at, instr(updated_at, '.') + 1, length(updated_at) - instr(updated_at, '.') - 1) || '000000000', 1, 9)
             || 'Z' END;

UPDATE payments SET
    created_at = CASE WHEN created_at IS NULL THEN NULL
        WHEN instr(created_at, '.') = 0 THEN substr(created_at, 1, length(created_at) - 1) || '.000000000Z'
        ELSE substr(created_at, 1, instr(created_at, '.'))
             || substr(substr(created_at, instr(created_at, '.') + 1, length(created_at) - instr(created_at, '.') - 1) || '000000000', 1, 9)
             || 'Z' END;

UPDATE stock_movements SET
    created_at = CASE WHEN created_at IS NULL THEN NULL
        WHEN instr(created_at, '.') = 0 THEN substr(created_at, 1, length(created_at) - 1) || '.000000000Z'
        ELSE substr(created_at, 1, instr(created_at, '.'))
             || substr(substr(created_at, instr(created_at, '.') + 1, length(created_at) - instr(created_at, '.') - 1) || '000000000', 1, 9)
             || 'Z' END;

UPDATE outbox SET
    created_at = CASE WHEN created_at IS NULL THEN NULL
        WHEN instr(created_at, '.') = 0 THEN substr(created_at, 1, length(created_at) - 1) || '.000000000Z'
        ELSE substr(created_at, 1, instr(created_at, '.'))
             || substr(substr(created_at, instr(created_at, '.') + 1, length(created_at) - instr(created_at, '.') - 1) || '000000000', 1, 9)
             || 'Z' END;

CREATE TRIGGER orders_money_is_fact BEFORE UPDATE OF
    id, receipt_no, terminal, staff_id, subtotal, order_discount, service, tax, rounding, total,
    paid, change_due, created_at ON orders BEGIN
    SELECT RAISE(ABORT, 'orders are facts');
END;
CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments BEGIN
    SELECT RAISE(ABORT, 'payments are facts');
END;
CREATE TRIGGER stock_movements_no_update BEFORE UPDATE ON stock_movements BEGIN
    SELECT RAISE(ABORT, 'stock movements are facts');
END;

-- A modifier group or option removed from a product is retired, not deleted: open tickets,
-- orders, reports and the server keep pointing at its id. Menus show only current ones.
ALTER TABLE modifier_groups ADD COLUMN retired INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1));
ALTER TABLE modifier_options ADD COLUMN retired INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1));
