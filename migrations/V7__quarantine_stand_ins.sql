-- Whether the server holds something at a quarantined entry's sequence. An entry the server
-- rejected in its answer is held there; one this till set aside after the server refused it
-- whole (too large, unreadable) is not, until the uploader sends a small stand-in in its place
-- (kind `unsendable`, with the reason), so the server's run of sequences has no gap.
ALTER TABLE sync_quarantine ADD COLUMN server_holds INTEGER NOT NULL DEFAULT 1
    CHECK (server_holds IN (0, 1));
UPDATE sync_quarantine SET server_holds = 0
    WHERE reason LIKE 'too_large:%' OR reason LIKE 'bad_request:%';
