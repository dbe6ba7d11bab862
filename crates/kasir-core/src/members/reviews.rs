//! Product reviews by members: one per member per product (writing again replaces it), a
//! rating of 1 to 5, a comment and an optional photo through the core's picture checks. Only a
//! member who bought the product may review it. A manager hides a review (audited); hidden
//! ones do not count.
//!
//! **Invariants**: `products.rating_total` and `products.ratings` are the sum and count of
//! the product's visible ratings, kept in step by triggers (V17), so a tile shows its average
//! without a query per product; reviews are never deleted (a trigger refuses); each write goes
//! up as a `review_upserted` outbox entry in its own transaction.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::MemberId;
use crate::access::{Actor, Ctx, Permission};
use crate::catalog::ProductId;
use crate::catalog::images::PreparedImage;
use crate::kernel::ids::id_type;
use crate::kernel::text;
use crate::kernel::time::Stamp;
use crate::outbox;
use crate::{Entity, Error, Field, Kasir, Result, Rule, audit};
use kasir_proto::Payload;

id_type!(
    /// A review's id.
    ReviewId
);

/// A member's review of a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Review {
    pub id: ReviewId,
    pub member_id: MemberId,
    pub member_name: String,
    pub product_id: ProductId,
    pub product_name: String,
    pub rating: u8,
    pub comment: String,
    /// The photo's picture id, when it has one.
    pub image_id: Option<String>,
    pub hidden: bool,
    pub updated_at: Timestamp,
}

/// What a member says of a product.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReviewInput {
    pub member_id: MemberId,
    pub product_id: ProductId,
    pub rating: u8,
    pub comment: String,
}

fn load(conn: &Connection, id: ReviewId) -> Result<Review> {
    conn.prepare_cached(
        "SELECT r.id, r.member_id, m.name, r.product_id, p.name, r.rating, r.comment, r.image_id, r.hidden,
                r.updated_at
         FROM reviews r JOIN members m ON m.id = r.member_id JOIN products p ON p.id = r.product_id
         WHERE r.id = ?1",
    )?
    .query_row([id], row)
    .optional()?
    .ok_or_else(|| Error::not_found(Entity::Review, id))
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Review> {
    Ok(Review {
        id: r.get(0)?,
        member_id: r.get(1)?,
        member_name: r.get(2)?,
        product_id: r.get(3)?,
        product_name: r.get(4)?,
        rating: r.get(5)?,
        comment: r.get(6)?,
        image_id: r.get(7)?,
        hidden: r.get(8)?,
        updated_at: r.get::<_, Stamp>(9)?.0,
    })
}

/// A review's newest version from another till (the server's): the product's rating follows
/// by the table's triggers, and nothing goes to the outbox. Its photo stays on the till that
/// took it (pictures of reviews are not carried), unless it is this till's own. A member's
/// second review of a product written on another till while apart is skipped: the one here
/// stays.
pub(crate) fn take_pulled(
    conn: &Connection,
    now: Timestamp,
    r: &kasir_proto::Review,
) -> Result<()> {
    if !(1..=5).contains(&r.rating) {
        return Err(Error::invalid(
            Field::Rating,
            Rule::OutOfRange { min: 1, max: 5 },
        ));
    }
    let comment = text::multiline(Field::Comment, &r.comment, 1000)?;
    let image: Option<String> = conn
        .prepare_cached("SELECT image_id FROM reviews WHERE id = ?1")?
        .query_row([r.id.to_string()], |row| row.get(0))
        .optional()?
        .flatten();
    conn.prepare_cached(
        "INSERT INTO reviews (id, member_id, product_id, rating, comment, image_id, hidden,
             created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment,
             hidden = excluded.hidden, updated_at = excluded.updated_at",
    )?
    .execute(params![
        r.id.to_string(),
        r.member_id.to_string(),
        r.product_id.to_string(),
        r.rating,
        comment,
        image,
        r.hidden,
        Stamp(r.at),
        Stamp(now)
    ])?;
    Ok(())
}

fn send(cx: &Ctx<'_>, r: &Review) -> Result<()> {
    outbox::append(
        cx,
        &Payload::ReviewUpserted(kasir_proto::Review {
            id: r.id.0,
            member_id: r.member_id.0,
            product_id: r.product_id.0,
            rating: r.rating,
            comment: r.comment.clone(),
            image_id: r.image_id.clone(),
            hidden: r.hidden,
            at: r.updated_at,
        }),
    )?;
    Ok(())
}

pub struct Reviews<'k> {
    k: &'k Kasir,
}

impl Kasir {
    /// Members' reviews of products.
    pub fn reviews(&self) -> Reviews<'_> {
        Reviews { k: self }
    }
}

impl Reviews<'_> {
    /// Records a member's review of a product they bought, with an optional photo (PNG, JPEG
    /// or WebP, checked like any picture); a second review by the same member replaces the
    /// first (its photo too, when a new one comes).
    pub fn write(
        &self,
        actor: &Actor,
        input: &ReviewInput,
        photo: Option<&[u8]>,
    ) -> Result<Review> {
        if !(1..=5).contains(&input.rating) {
            return Err(Error::invalid(
                Field::Rating,
                Rule::OutOfRange { min: 1, max: 5 },
            ));
        }
        let comment = text::multiline(Field::Comment, &input.comment, 1000)?;
        // Refused before a picture is decoded; the transaction checks again.
        self.k.read(actor, Permission::Members, |_, _| Ok(()))?;
        let prepared = photo
            .map(|bytes| PreparedImage::write(&self.k.media_dir(), bytes, self.k.now()))
            .transpose()?;
        let done = self.k.write(actor, Permission::Members, |cx| {
            let m = super::load_member(cx, input.member_id)?;
            if !m.active {
                return Err(Error::invalid(Field::Member, Rule::Inactive));
            }
            let bought: bool = cx
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM orders o JOIN order_lines l ON l.order_id = o.id
                     WHERE o.member_id = ?1 AND l.product_id = ?2 AND o.status <> 'cancelled')",
                )?
                .query_row(params![input.member_id, input.product_id], |r| r.get(0))?;
            if !bought {
                return Err(Error::invalid(Field::Product, Rule::NotBought));
            }
            let existing: Option<(ReviewId, Option<String>)> = cx
                .prepare_cached("SELECT id, image_id FROM reviews WHERE member_id = ?1 AND product_id = ?2")?
                .query_row(params![input.member_id, input.product_id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let image = prepared.as_ref().map(|p| p.id().to_string());
            let id = match existing {
                Some((id, old_image)) => {
                    cx.execute(
                        "UPDATE reviews SET rating = ?2, comment = ?3, image_id = ?4, updated_at = ?5 WHERE id = ?1",
                        params![id, input.rating, comment, image.or(old_image), Stamp(cx.now)],
                    )?;
                    id
                }
                None => {
                    let id = ReviewId::new(cx.now);
                    cx.execute(
                        "INSERT INTO reviews (id, member_id, product_id, rating, comment, image_id, created_at, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                        params![id, input.member_id, input.product_id, input.rating, comment, image, Stamp(cx.now)],
                    )?;
                    id
                }
            };
            let review = load(cx, id)?;
            send(cx, &review)?;
            Ok(review)
        });
        if done.is_err()
            && let Some(p) = &prepared
        {
            p.discard();
        }
        done
    }

    /// Hides a review (or shows it again): it no longer counts in the product's rating.
    /// Audited.
    pub fn set_hidden(&self, actor: &Actor, id: ReviewId, hidden: bool) -> Result<Review> {
        self.k.write(actor, Permission::ManageMembers, |cx| {
            let before = load(cx, id)?;
            if before.hidden == hidden {
                return Ok(before);
            }
            cx.execute(
                "UPDATE reviews SET hidden = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, hidden, Stamp(cx.now)],
            )?;
            let review = load(cx, id)?;
            audit::record(
                cx,
                if hidden {
                    "review_hidden"
                } else {
                    "review_shown"
                },
                serde_json::json!({
                    "review": id, "product": review.product_name, "member": review.member_name,
                    "rating": review.rating,
                }),
            )?;
            send(cx, &review)?;
            Ok(review)
        })
    }

    /// A product's reviews, newest first; hidden ones only for managers (`include_hidden`).
    pub fn of_product(
        &self,
        actor: &Actor,
        product: ProductId,
        include_hidden: bool,
        limit: u32,
    ) -> Result<Vec<Review>> {
        let permission = if include_hidden {
            Permission::ManageMembers
        } else {
            Permission::Members
        };
        self.k.read(actor, permission, |conn, _| {
            Ok(conn
                .prepare_cached(
                    "SELECT r.id, r.member_id, m.name, r.product_id, p.name, r.rating, r.comment, r.image_id,
                            r.hidden, r.updated_at
                     FROM reviews r JOIN members m ON m.id = r.member_id JOIN products p ON p.id = r.product_id
                     WHERE r.product_id = ?1 AND (r.hidden = 0 OR ?2)
                     ORDER BY r.updated_at DESC LIMIT ?3",
                )?
                .query_map(params![product, include_hidden, limit.clamp(1, 200)], row)?
                .collect::<rusqlite::Result<_>>()?)
        })
    }

    /// The products a member bought (newest first), with their review of each if any: what the
    /// till offers to review.
    pub fn reviewable(&self, actor: &Actor, member: MemberId) -> Result<Vec<Reviewable>> {
        self.k.read(actor, Permission::Members, |conn, _| {
            super::load_member(conn, member)?;
            let mut stmt = conn.prepare_cached(
                "SELECT l.product_id, p.name, MAX(o.created_at) AS last, r.rating
                 FROM orders o JOIN order_lines l ON l.order_id = o.id JOIN products p ON p.id = l.product_id
                 LEFT JOIN reviews r ON r.member_id = o.member_id AND r.product_id = l.product_id
                 WHERE o.member_id = ?1 AND o.status <> 'cancelled'
                 GROUP BY l.product_id ORDER BY last DESC LIMIT 50",
            )?;
            Ok(stmt
                .query_map([member], |r| {
                    Ok(Reviewable { product_id: r.get(0)?, product_name: r.get(1)?, rating: r.get(3)? })
                })?
                .collect::<rusqlite::Result<_>>()?)
        })
    }
}

/// A product a member bought, and their rating of it if they gave one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Reviewable {
    pub product_id: ProductId,
    pub product_name: String,
    pub rating: Option<u8>,
}
