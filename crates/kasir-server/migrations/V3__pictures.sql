-- Product pictures, per store, written once under the id a product's image_id names.
CREATE TABLE pictures (
    store_id   uuid NOT NULL REFERENCES stores (id),
    id         uuid NOT NULL,
    bytes      bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id)
);
