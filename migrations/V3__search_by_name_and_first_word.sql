-- V3: two more full-text indexes, so that search finds the best matches by the index itself.
--
-- product_names holds each product's name alone, product_heads its first word alone. "The name
-- starts with kopi" is then a plain term lookup in product_heads, and "kopi is a word of the
-- name" one in product_names, instead of position or column checks over every product that
-- mentions kopi anywhere (which cost milliseconds when few of them match). The first word is
-- what comes before the first space or separator, after any leading punctuation; the search
-- checks each hit's first word again as the core splits words.

CREATE VIRTUAL TABLE product_names USING fts5 (
    name,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3 4 5 6'
);

CREATE VIRTUAL TABLE product_heads USING fts5 (
    head,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3 4 5 6'
);

INSERT INTO product_names (rowid, name) SELECT rid, name FROM products;
INSERT INTO product_heads (rowid, head)
SELECT rid, substr(n, 1, instr(n || ' ', ' ') - 1)
FROM (SELECT rid, replace(replace(replace(replace(replace(replace(replace(replace(ltrim(trim(name), '-/(.,&+''"#*[ '), '-', ' '), '/', ' '), '(', ' '), '.', ' '), ',', ' '), '&', ' '), '+', ' '), '''', ' ') AS n
      FROM products);

CREATE TRIGGER products_names_insert AFTER INSERT ON products BEGIN
    INSERT INTO product_names (rowid, name) VALUES (new.rid, new.name);
    INSERT INTO product_heads (rowid, head)
    SELECT new.rid, substr(n, 1, instr(n || ' ', ' ') - 1)
    FROM (SELECT replace(replace(replace(replace(replace(replace(replace(replace(ltrim(trim(new.name), '-/(.,&+''"#*[ '), '-', ' '), '/', ' '), '(', ' '), '.', ' '), ',', ' '), '&', ' '), '+', ' '), '''', ' ') AS n);
END;

CREATE TRIGGER products_names_update AFTER UPDATE OF name ON products BEGIN
    DELETE FROM product_names WHERE rowid = old.rid;
    DELETE FROM product_heads WHERE rowid = old.rid;
    INSERT INTO product_names (rowid, name) VALUES (new.rid, new.name);
    INSERT INTO product_heads (rowid, head)
    SELECT new.rid, substr(n, 1, instr(n || ' ', ' ') - 1)
    FROM (SELECT replace(replace(replace(replace(replace(replace(replace(replace(ltrim(trim(new.name), '-/(.,&+''"#*[ '), '-', ' '), '/', ' '), '(', ' '), '.', ' '), ',', ' '), '&', ' '), '+', ' '), '''', ' ') AS n);
END;

CREATE TRIGGER products_names_delete AFTER DELETE ON products BEGIN
    DELETE FROM product_names WHERE rowid = old.rid;
    DELETE FROM product_heads WHERE rowid = old.rid;
END;
