-- Members' reviews of products (issue 12): the newest version of each review, in the server's
-- order (a till re-sending an older version never overwrites a newer one it did not see).
CREATE TABLE reviews (
    id          uuid PRIMARY KEY,
    store_id    uuid NOT NULL,
    member_id   uuid NOT NULL,
    product_id  uuid NOT NULL,
    rating      smallint NOT NULL,
    comment     text NOT NULL,
    image_id    text,
    hidden      boolean NOT NULL,
    at          timestamptz NOT NULL,
    terminal_id uuid NOT NULL,
    seq         bigint NOT NULL
);
CREATE INDEX reviews_product ON reviews (store_id, product_id);
