//! A product's pictures: several, in the manager's order, the first the cover.
//!
//! **Invariant**: `products.image_id` is the first of the product's `product_images` (or NULL
//! when it has none); only this module writes either, each change in one transaction with the
//! product's outbox entry (the cover is what other tills and the server learn). Decoding and
//! resizing happen before the writer's lock (see [`super::images::PreparedImage`]); files of a
//! picture no product shows any more are removed after the commit.

use std::path::Path;

use rusqlite::params;

use super::images::{ImageSize, PreparedImage, image_path};
use super::{Catalog, ProductId, report_product};
use crate::access::{Actor, Ctx, Permission};
use crate::kernel::time::Stamp;
use crate::{Entity, Error, Field, Result, Rule, audit};

/// The most pictures a product has.
pub const MAX_PICTURES: usize = 8;

/// A product's picture ids, cover first.
pub(crate) fn pictures_of(conn: &rusqlite::Connection, product: ProductId) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT image_id FROM product_images WHERE product_id = ?1 ORDER BY position",
    )?;
    let ids = stmt
        .query_map([product], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(ids)
}

/// Writes `ids` as the product's pictures in this order, the first as the cover, and reports
/// the product. Returns the ids that left the product (their files may go after the commit).
pub(crate) fn write_pictures(
    cx: &Ctx<'_>,
    product: ProductId,
    ids: &[String],
) -> Result<Vec<String>> {
    let before = pictures_of(cx, product)?;
    cx.execute(
        "DELETE FROM product_images WHERE product_id = ?1",
        [product],
    )?;
    let mut insert = cx.prepare_cached(
        "INSERT INTO product_images (product_id, image_id, position, added_at)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (i, id) in ids.iter().enumerate() {
        insert.execute(params![product, id, i as i64, Stamp(cx.now)])?;
    }
    cx.execute(
        "UPDATE products SET image_id = ?2, updated_at = ?3 WHERE id = ?1",
        params![product, ids.first(), Stamp(cx.now)],
    )?;
    report_product(cx, product)?;
    Ok(before.into_iter().filter(|id| !ids.contains(id)).collect())
}

/// Takes every picture the server sent for a product, in its order (the first is the cover
/// the product row already names). A pull writes no outbox entry.
pub(crate) fn follow_pictures(
    conn: &rusqlite::Connection,
    now: jiff::Timestamp,
    product: &str,
    ids: &[&str],
) -> Result<()> {
    conn.execute(
        "DELETE FROM product_images WHERE product_id = ?1",
        [product],
    )?;
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO product_images (product_id, image_id, position, added_at)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (i, id) in ids.iter().take(MAX_PICTURES).enumerate() {
        insert.execute(params![product, id, i as i64, Stamp(now)])?;
    }
    Ok(())
}

/// Brings a product's pictures in step with a cover the server sent (a pull writes no outbox
/// entry): the server's cover first, this till's other pictures after it; no cover, no
/// pictures. Nothing changes when the cover is the one this till has.
pub(crate) fn follow_cover(
    conn: &rusqlite::Connection,
    now: jiff::Timestamp,
    product: &str,
    cover: Option<&str>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT image_id FROM product_images WHERE product_id = ?1 ORDER BY position",
    )?;
    let current = stmt
        .query_map([product], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    if current.first().map(String::as_str) == cover {
        return Ok(());
    }
    let ids: Vec<&str> = match cover {
        Some(c) => std::iter::once(c)
            .chain(
                current
                    .iter()
                    .skip(1)
                    .map(String::as_str)
                    .filter(|id| *id != c),
            )
            .collect(),
        None => Vec::new(),
    };
    conn.execute(
        "DELETE FROM product_images WHERE product_id = ?1",
        [product],
    )?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO product_images (product_id, image_id, position, added_at)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (i, id) in ids.iter().enumerate() {
        insert.execute(params![product, id, i as i64, Stamp(now)])?;
    }
    Ok(())
}

fn exists(cx: &Ctx<'_>, product: ProductId) -> Result<()> {
    let found: bool = cx.query_row(
        "SELECT EXISTS (SELECT 1 FROM products WHERE id = ?1)",
        [product],
        |r| r.get(0),
    )?;
    if found {
        Ok(())
    } else {
        Err(Error::not_found(Entity::Product, product))
    }
}

/// Removes the files of pictures no product shows any more (after the commit that let go of
/// them). A picture still named anywhere (another product, the cover a server sent) stays.
pub(crate) fn remove_unused_files(k: &crate::Kasir, media: &Path, ids: &[String]) {
    for id in ids {
        let used = k
            .read_any(|conn| {
                Ok(conn.query_row(
                    "SELECT EXISTS (SELECT 1 FROM product_images WHERE image_id = ?1)
                         OR EXISTS (SELECT 1 FROM products WHERE image_id = ?1)",
                    [id],
                    |r| r.get::<_, bool>(0),
                )?)
            })
            .unwrap_or(true);
        if !used {
            for size in [ImageSize::Display, ImageSize::Thumbnail] {
                if let Some(path) = image_path(media, id, size) {
                    let _ = std::fs::remove_file(path);
                }
            }
        }
    }
}

impl Catalog<'_> {
    /// A product's pictures, cover first. Managers and admins (the till shows the cover).
    pub fn product_pictures(&self, actor: &Actor, product: ProductId) -> Result<Vec<String>> {
        self.k.read(actor, Permission::ManageCatalog, |conn, _| {
            let found: bool = conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM products WHERE id = ?1)",
                [product],
                |r| r.get(0),
            )?;
            if !found {
                return Err(Error::not_found(Entity::Product, product));
            }
            pictures_of(conn, product)
        })
    }

    /// Adds a picture after the product's others (the first becomes the cover). The picture
    /// is checked, decoded and resized before the writer's lock, so the till never waits for
    /// it. Returns the pictures, cover first.
    pub fn add_product_picture(
        &self,
        actor: &Actor,
        product: ProductId,
        bytes: &[u8],
    ) -> Result<Vec<String>> {
        // Refused before a second of CPU is spent; the transaction checks again.
        self.k
            .read(actor, Permission::ManageCatalog, |_, _| Ok(()))?;
        let media = self.k.media_dir();
        let prepared = PreparedImage::write(&media, bytes, self.k.now())?;
        let done = self.k.write(actor, Permission::ManageCatalog, |cx| {
            exists(cx, product)?;
            let mut ids = pictures_of(cx, product)?;
            if ids.len() >= MAX_PICTURES {
                return Err(Error::invalid(
                    Field::Image,
                    Rule::TooMany {
                        max: MAX_PICTURES as u32,
                    },
                ));
            }
            ids.push(prepared.id().to_string());
            write_pictures(cx, product, &ids)?;
            audit::record(
                cx,
                "picture_added",
                serde_json::json!({"product": product, "picture": prepared.id(), "count": ids.len()}),
            )?;
            Ok(ids)
        });
        if done.is_err() {
            prepared.discard();
        }
        done
    }

    /// Puts a product's pictures in this order, leaving out the ones to remove; the first is
    /// the cover. Every id must be one of the product's. Audited; removed pictures' files go
    /// after the commit.
    pub fn arrange_product_pictures(
        &self,
        actor: &Actor,
        product: ProductId,
        order: &[String],
    ) -> Result<Vec<String>> {
        let removed = self.k.write(actor, Permission::ManageCatalog, |cx| {
            exists(cx, product)?;
            let current = pictures_of(cx, product)?;
            let mut seen = std::collections::HashSet::new();
            for id in order {
                if !current.contains(id) {
                    return Err(Error::invalid(Field::Image, Rule::Foreign));
                }
                if !seen.insert(id) {
                    return Err(Error::invalid(Field::Image, Rule::Repeated));
                }
            }
            let removed = write_pictures(cx, product, order)?;
            audit::record(
                cx,
                "pictures_arranged",
                serde_json::json!({"product": product, "order": order, "removed": removed}),
            )?;
            Ok(removed)
        })?;
        remove_unused_files(self.k, &self.k.media_dir(), &removed);
        Ok(order.to_vec())
    }
}
