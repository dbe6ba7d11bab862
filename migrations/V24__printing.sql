-- Printing (issue 13): this till's printers, which station each category's lines go to, and
-- the print queue. All of it is this till's own (its printers are on its own counter): never
-- synced, never sent.

CREATE TABLE printers (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    -- network: address is host:port; device: a device file (/dev/usb/lp0); file: a folder the
    -- jobs' text is saved into (a shop without a printer).
    connection  TEXT    NOT NULL CHECK (connection IN ('network', 'device', 'file')),
    address     TEXT    NOT NULL,
    paper_mm    INTEGER NOT NULL CHECK (paper_mm IN (58, 80)),
    code_page   TEXT    NOT NULL CHECK (code_page IN ('PC437', 'PC858', 'WPC1252')),
    role        TEXT    NOT NULL CHECK (role IN ('receipt', 'kitchen', 'bar', 'label')),
    -- Receipt printers: every sale's receipt prints by itself (else when asked).
    auto_receipt INTEGER NOT NULL DEFAULT 1 CHECK (auto_receipt IN (0, 1)),
    -- The cash drawer is plugged into this printer.
    drawer      INTEGER NOT NULL DEFAULT 0 CHECK (drawer IN (0, 1)),
    -- The printer answers status queries (DLE EOT): paper out and hangs are noticed.
    ask_status  INTEGER NOT NULL DEFAULT 1 CHECK (ask_status IN (0, 1)),
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

-- Kitchen routing: a category's lines print on that station's tickets. A category with no
-- row prints on none (drinks made at the counter).
CREATE TABLE category_stations (
    category_id TEXT PRIMARY KEY REFERENCES categories (id),
    station     TEXT NOT NULL CHECK (station IN ('kitchen', 'bar'))
);

-- The queue. A job is written in the transaction of what asks for it (a sale, a refund, cash
-- moved, a report), so a crash never loses one; the worker prints each printer's jobs in id
-- order and retries a printer that fails, with back-off.
CREATE TABLE print_jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    printer_id  INTEGER NOT NULL REFERENCES printers (id),
    kind        TEXT    NOT NULL CHECK (kind IN ('receipt', 'kitchen', 'refund', 'drawer', 'report', 'test')),
    -- What it prints: an order's id (receipt, kitchen), a refund's id, a shift's id and `x` or
    -- `z` (report); empty for a drawer kick or a test page.
    subject     TEXT    NOT NULL DEFAULT '',
    station     TEXT    CHECK (station IN ('kitchen', 'bar')),
    -- A station ticket's lines (order line positions, JSON), chosen when the sale was made:
    -- a routing changed later never changes a ticket already asked for.
    lines       TEXT,
    -- A copy (marked as one): a receipt already printed once, or a reprint.
    copy        INTEGER NOT NULL DEFAULT 0 CHECK (copy IN (0, 1)),
    state       TEXT    NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'printed', 'cancelled')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    -- The last failure: a code (unreachable, not_answering, paper_out, offline, interrupted,
    -- file; for a cancelled job render, expired, inactive) and the details.
    error       TEXT,
    error_detail TEXT,
    next_try_at TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    printed_at  TEXT,
    staff_id    TEXT
);

CREATE INDEX print_jobs_waiting ON print_jobs (printer_id, id) WHERE state = 'waiting';

-- The originals printed (or queued): a receipt, a refund receipt or a Z report asked for again
-- is a copy, marked as one, even if the printer that printed the original was removed since.
CREATE TABLE print_originals (
    kind    TEXT NOT NULL,
    subject TEXT NOT NULL,
    PRIMARY KEY (kind, subject)
) WITHOUT ROWID;
CREATE INDEX print_jobs_subject ON print_jobs (kind, subject);
