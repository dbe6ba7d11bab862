-- The terminal's side of sync (issue 9). One row: where the server is, who this terminal is
-- there, and how far both directions have got. The outbox itself is unchanged: entries up to
-- `acked_seq` are done (the server applied them, already had them, or rejected them, in which
-- case they are also in `sync_quarantine`).
CREATE TABLE sync_state (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    server_url    TEXT,
    allow_http    INTEGER NOT NULL DEFAULT 0 CHECK (allow_http IN (0, 1)),
    terminal_id   TEXT,
    store_id      TEXT,
    store_name    TEXT,
    token         TEXT,
    enrolled_at   TEXT,
    -- Every outbox entry with seq <= acked_seq has an answer from the server.
    acked_seq     INTEGER NOT NULL DEFAULT 0,
    -- The change-log cursor of the last page applied.
    pull_cursor   INTEGER NOT NULL DEFAULT 0,
    last_success  TEXT,
    last_error    TEXT,
    last_error_at TEXT
);
INSERT INTO sync_state (id) VALUES (1);

-- Entries the server rejected, with its reason, for a manager to see. The queue goes on.
CREATE TABLE sync_quarantine (
    seq    INTEGER PRIMARY KEY,
    reason TEXT NOT NULL,
    at     TEXT NOT NULL
);
