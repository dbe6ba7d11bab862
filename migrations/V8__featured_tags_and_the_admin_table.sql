-- V8: featured products and tags (the product form), and the indexes the manager's product
-- table sorts by.
--
-- Featured products come first in the cashier's "All" tab, so the indexes that serve that tab
-- (active, then the sort) now have `featured` between the two; the tab still reads one page
-- of an index, never sorts the whole menu.
ALTER TABLE products ADD COLUMN featured INTEGER NOT NULL DEFAULT 0 CHECK (featured IN (0, 1));
-- A product's tags, as a JSON array of short texts (e.g. ["vegan","pedas"]).
ALTER TABLE products ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';

DROP INDEX products_name;
DROP INDEX products_price;
DROP INDEX products_popularity;
CREATE INDEX products_name ON products (active, featured DESC, name COLLATE NOCASE);
CREATE INDEX products_price ON products (active, featured DESC, price);
CREATE INDEX products_popularity ON products (active, featured DESC, popularity DESC);

-- The product table in admin mode sorts every product (active or not) by these. Stock is
-- left out on purpose: every sale moves it, and a sort by stock reads the table instead.
CREATE INDEX products_by_name ON products (name COLLATE NOCASE);
CREATE INDEX products_by_updated ON products (updated_at);
