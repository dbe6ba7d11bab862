-- V14: the sales reports' summaries of past days (issue 11).
--
-- A report over a range reads one summary per past day (and today live) instead of every line
-- of every order: a year is 365 rows per table rather than a million lines. A summary is
-- written for a day once it is over (`reports::prepare`, on a thread of its own, a day per
-- transaction), and is derived data: the triggers below drop a day's summary whenever
-- something of that day changes (an order written or cancelled with that business date, a
-- refund on that date), and the next report computes the day from its orders again.

CREATE TABLE report_days (
    day             TEXT    PRIMARY KEY,
    orders          INTEGER NOT NULL,
    gross           INTEGER NOT NULL,
    discounts       INTEGER NOT NULL,
    service         INTEGER NOT NULL,
    tax             INTEGER NOT NULL,
    rounding        INTEGER NOT NULL,
    sales           INTEGER NOT NULL,
    refund_count    INTEGER NOT NULL,
    refunds         INTEGER NOT NULL,
    refund_service  INTEGER NOT NULL,
    refund_tax      INTEGER NOT NULL,
    cancelled_count INTEGER NOT NULL,
    cancelled_total INTEGER NOT NULL
) WITHOUT ROWID;

-- Orders and sales by the shop's local hour.
CREATE TABLE report_day_hours (
    day    TEXT    NOT NULL,
    hour   INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
    orders INTEGER NOT NULL,
    sales  INTEGER NOT NULL,
    PRIMARY KEY (day, hour)
) WITHOUT ROWID;

-- By product, with the name and category it was last sold under that day.
CREATE TABLE report_day_products (
    day          TEXT    NOT NULL,
    product_id   TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    category     TEXT    NOT NULL,
    quantity     INTEGER NOT NULL,
    sales        INTEGER NOT NULL,
    refunded_qty INTEGER NOT NULL,
    refunds      INTEGER NOT NULL,
    PRIMARY KEY (day, product_id)
) WITHOUT ROWID;

CREATE TABLE report_day_methods (
    day     TEXT    NOT NULL,
    method  TEXT    NOT NULL,
    sales   INTEGER NOT NULL,
    refunds INTEGER NOT NULL,
    PRIMARY KEY (day, method)
) WITHOUT ROWID;

CREATE TABLE report_day_staff (
    day      TEXT    NOT NULL,
    staff_id TEXT    NOT NULL,
    name     TEXT    NOT NULL,
    orders   INTEGER NOT NULL,
    sales    INTEGER NOT NULL,
    PRIMARY KEY (day, staff_id)
) WITHOUT ROWID;

-- Dropping a day's summary drops all of it.
CREATE TRIGGER report_days_drop AFTER DELETE ON report_days BEGIN
    DELETE FROM report_day_hours WHERE day = old.day;
    DELETE FROM report_day_products WHERE day = old.day;
    DELETE FROM report_day_methods WHERE day = old.day;
    DELETE FROM report_day_staff WHERE day = old.day;
END;

-- A day that changes is summed again from its orders. (A sale is almost always today's, which
-- has no summary: the trigger's lookup finds nothing.)
CREATE TRIGGER report_days_order_written AFTER INSERT ON orders BEGIN
    DELETE FROM report_days WHERE day = new.business_date;
END;
CREATE TRIGGER report_days_order_status AFTER UPDATE OF status ON orders BEGIN
    DELETE FROM report_days WHERE day = new.business_date;
END;
CREATE TRIGGER report_days_refund_written AFTER INSERT ON refunds BEGIN
    DELETE FROM report_days WHERE day = new.business_date;
END;
