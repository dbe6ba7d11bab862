-- Product pictures the server has (or that were gone before they could be sent): the uploader
-- sends each picture a waiting product entry names once, before the entry itself.
CREATE TABLE sync_pictures_sent (
    image_id TEXT PRIMARY KEY,
    at       TEXT NOT NULL
) WITHOUT ROWID;
