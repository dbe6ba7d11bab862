-- Several pictures per product (issue 10), in the manager's order; the first is the cover.
-- `products.image_id` stays the cover (what the till's tiles, search and sync read), kept in
-- step by the one writer of this table (`catalog::pictures`).
CREATE TABLE product_images (
    product_id TEXT    NOT NULL REFERENCES products (id),
    image_id   TEXT    NOT NULL,
    position   INTEGER NOT NULL,
    added_at   TEXT    NOT NULL,
    PRIMARY KEY (product_id, image_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX product_images_order ON product_images (product_id, position);

INSERT INTO product_images (product_id, image_id, position, added_at)
SELECT id, image_id, 0, updated_at FROM products WHERE image_id IS NOT NULL;
