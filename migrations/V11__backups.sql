-- Backups (issue 10): where this till copies its database and pictures, how many copies it
-- keeps, whether it makes one every day, and how the last attempt went. One row, this till's
-- alone: it is never sent to a server and a restore keeps the current one.
CREATE TABLE backup_settings (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    folder        TEXT,
    keep          INTEGER NOT NULL DEFAULT 7 CHECK (keep BETWEEN 1 AND 60),
    daily         INTEGER NOT NULL DEFAULT 1 CHECK (daily IN (0, 1)),
    last_at       TEXT,
    last_path     TEXT,
    last_error    TEXT,
    last_error_at TEXT
);
INSERT INTO backup_settings (id) VALUES (1);
