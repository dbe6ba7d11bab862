-- V17: product reviews by members (issue 12). One review per member per product (writing
-- again replaces it), a rating of 1 to 5, a comment and an optional photo (a picture id as the
-- core's picture checks made it). A manager may hide a review; hidden ones do not count.
-- Each product keeps the sum and count of its visible ratings, kept in step by triggers, so
-- the till shows a product's average without a query per product.

CREATE TABLE reviews (
    id         TEXT    PRIMARY KEY,
    member_id  TEXT    NOT NULL REFERENCES members (id),
    product_id TEXT    NOT NULL REFERENCES products (id),
    rating     INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment    TEXT    NOT NULL DEFAULT '',
    image_id   TEXT,
    hidden     INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    UNIQUE (member_id, product_id)
) WITHOUT ROWID;
CREATE INDEX reviews_product ON reviews (product_id, updated_at);

ALTER TABLE products ADD COLUMN rating_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN ratings INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER reviews_count_insert AFTER INSERT ON reviews WHEN new.hidden = 0 BEGIN
    UPDATE products SET rating_total = rating_total + new.rating, ratings = ratings + 1
    WHERE id = new.product_id;
END;
CREATE TRIGGER reviews_count_update AFTER UPDATE OF rating, hidden ON reviews BEGIN
    UPDATE products SET
        rating_total = rating_total - (CASE WHEN old.hidden = 0 THEN old.rating ELSE 0 END)
                                    + (CASE WHEN new.hidden = 0 THEN new.rating ELSE 0 END),
        ratings = ratings - (CASE WHEN old.hidden = 0 THEN 1 ELSE 0 END)
                          + (CASE WHEN new.hidden = 0 THEN 1 ELSE 0 END)
    WHERE id = new.product_id;
END;
CREATE TRIGGER reviews_no_delete BEFORE DELETE ON reviews BEGIN
    SELECT RAISE(ABORT, 'reviews are hidden, never deleted');
END;
