//! Reading the menu fast: paged lists by category, search as the cashier types, barcodes.
//!
//! **Invariant**: user text never reaches FTS5 as query syntax. [`fts_query`] keeps only the
//! letters and digits of each word and quotes them, so `"`, `*`, `NEAR`, `-` and parentheses
//! are plain text.

use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

use super::{CategoryId, ProductId, StockLevel};
use crate::staff::{Actor, Permission, authorize};
use crate::{Error, Kasir, Money, Result};

/// The most products one page or search returns.
pub const MAX_PAGE: u32 = 500;
/// The longest search text accepted, in bytes.
pub const MAX_SEARCH_LEN: usize = 200;
const MAX_SEARCH_WORDS: usize = 8;

/// A product as the menu grid shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProductCard {
    pub id: ProductId,
    pub category_id: CategoryId,
    pub name: String,
    pub price: Money,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub stock: Option<i64>,
    pub stock_level: StockLevel,
    pub available: bool,
    pub active: bool,
    pub barcode: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub popularity: i64,
    pub image_id: Option<String>,
    pub has_modifiers: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ProductSort {
    #[default]
    Name,
    PriceAsc,
    PriceDesc,
    Popularity,
}

/// A page of the menu.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProductQuery {
    pub category: Option<CategoryId>,
    pub sort: ProductSort,
    pub offset: u32,
    pub limit: u32,
    /// Managers only: also list inactive products.
    pub include_inactive: bool,
}

const CARD_COLUMNS: &str =
    "p.id, p.category_id, p.name, p.price, p.stock, p.low_stock_warning, p.low_stock_critical,
    p.active, p.barcode, p.popularity, p.image_id,
    EXISTS (SELECT 1 FROM modifier_groups g WHERE g.product_id = p.id)";

fn card(r: &Row<'_>) -> rusqlite::Result<ProductCard> {
    let stock: Option<i64> = r.get(4)?;
    let active: bool = r.get(7)?;
    Ok(ProductCard {
        id: r.get(0)?,
        category_id: r.get(1)?,
        name: r.get(2)?,
        price: Money(r.get(3)?),
        stock,
        stock_level: StockLevel::of(stock, r.get(5)?, r.get(6)?),
        available: active && stock.is_none_or(|s| s > 0),
        active,
        barcode: r.get(8)?,
        popularity: r.get(9)?,
        image_id: r.get(10)?,
        has_modifiers: r.get(11)?,
    })
}

/// Turns what the cashier typed into a safe FTS5 query: every word becomes a quoted prefix
/// term, all of which must match. `None` when nothing searchable is left.
pub(crate) fn fts_query(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_SEARCH_WORDS)
        .map(|w| format!("\"{}\"*", w.to_lowercase()))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_SEARCH_WORDS)
        .map(str::to_lowercase)
        .collect()
}

/// Ranks a search hit: name starts with the text, then every word starts a word of the name,
/// then matches in description or category only.
fn rank(name: &str, query_words: &[String]) -> u8 {
    let lower = name.to_lowercase();
    let name_words = words(&lower);
    if query_words
        .first()
        .is_some_and(|q| lower.starts_with(q.as_str()))
    {
        0
    } else if query_words
        .iter()
        .all(|q| name_words.iter().any(|w| w.starts_with(q.as_str())))
    {
        1
    } else {
        2
    }
}

impl Kasir {
    /// A page of the menu, by category or all, sorted as asked.
    pub fn list_products(&self, actor: &Actor, query: &ProductQuery) -> Result<Vec<ProductCard>> {
        authorize(
            &self.conn,
            actor,
            if query.include_inactive {
                Permission::ManageCatalog
            } else {
                Permission::Sell
            },
        )?;
        if query.limit == 0 || query.limit > MAX_PAGE {
            return Err(Error::invalid("limit", format!("between 1 and {MAX_PAGE}")));
        }
        let order = match query.sort {
            ProductSort::Name => "p.name COLLATE NOCASE, p.rid",
            ProductSort::PriceAsc => "p.price, p.rid",
            ProductSort::PriceDesc => "p.price DESC, p.rid",
            ProductSort::Popularity => "p.popularity DESC, p.rid",
        };
        // Written per case so each query can use its own index.
        let active = if query.include_inactive {
            "p.active IN (0, 1)"
        } else {
            "p.active = 1"
        };
        let filter = if query.category.is_some() {
            "p.category_id = ?1 AND"
        } else {
            "?1 IS NULL AND"
        };
        let sql = format!(
            "SELECT {CARD_COLUMNS} FROM products p WHERE {filter} {active} ORDER BY {order} LIMIT ?2 OFFSET ?3"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![query.category, query.limit, query.offset], card)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Search as you type over name, description and category, by word prefix. Returns at most
    /// `limit` products, best first (name matches, then popularity).
    pub fn search_products(
        &self,
        actor: &Actor,
        text: &str,
        limit: u32,
        include_inactive: bool,
    ) -> Result<Vec<ProductCard>> {
        authorize(
            &self.conn,
            actor,
            if include_inactive {
                Permission::ManageCatalog
            } else {
                Permission::Sell
            },
        )?;
        if text.len() > MAX_SEARCH_LEN {
            return Err(Error::invalid(
                "query",
                format!("at most {MAX_SEARCH_LEN} characters"),
            ));
        }
        if limit == 0 || limit > MAX_PAGE {
            return Err(Error::invalid("limit", format!("between 1 and {MAX_PAGE}")));
        }
        let Some(fts) = fts_query(text) else {
            return Ok(Vec::new());
        };
        let candidates = (limit * 5).min(200);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CARD_COLUMNS} FROM product_search s JOIN products p ON p.rid = s.rowid
             WHERE product_search MATCH ?1 AND (p.active = 1 OR ?2) LIMIT ?3"
        ))?;
        let mut hits: Vec<ProductCard> = stmt
            .query_map(params![fts, include_inactive, candidates], card)?
            .collect::<rusqlite::Result<_>>()?;
        let q = words(text);
        hits.sort_by_cached_key(|c| {
            (
                rank(&c.name, &q),
                std::cmp::Reverse(c.popularity),
                c.name.to_lowercase(),
            )
        });
        hits.truncate(limit as usize);
        Ok(hits)
    }

    /// The active product with this barcode (what a scanner typed).
    pub fn product_by_barcode(&self, actor: &Actor, code: &str) -> Result<ProductCard> {
        authorize(&self.conn, actor, Permission::Sell)?;
        let code = code.trim();
        if code.is_empty() || code.len() > 64 {
            return Err(Error::invalid("barcode", "1 to 64 characters"));
        }
        self.conn
            .prepare_cached(&format!(
                "SELECT {CARD_COLUMNS} FROM products p WHERE p.barcode = ?1 AND p.active = 1"
            ))?
            .query_row([code], card)
            .optional()?
            .ok_or_else(|| Error::not_found("product with barcode", code))
    }

    /// Recomputes each product's popularity as the units sold (not cancelled) over the last
    /// `days` business days. Kept off the sale path on purpose: run it at start-up or when the
    /// till is idle. Returns how many products sold anything.
    pub fn refresh_popularity(&mut self, days: u16) -> Result<usize> {
        let tz = crate::settings::load(&self.conn)?.time_zone();
        self.write(|tx, now| {
            let since = now
                .to_zoned(tz)
                .date()
                .saturating_sub(jiff::Span::new().days(i64::from(days)));
            tx.execute(
                "UPDATE products SET popularity = 0 WHERE popularity <> 0",
                [],
            )?;
            Ok(tx.execute(
                "UPDATE products SET popularity = s.sold
                 FROM (SELECT l.product_id, SUM(l.quantity) AS sold
                       FROM orders o JOIN order_lines l ON l.order_id = o.id
                       WHERE o.business_date >= ?1 AND o.status <> 'cancelled'
                       GROUP BY l.product_id) AS s
                 WHERE products.id = s.product_id",
                [since.to_string()],
            )?)
        })
    }

    /// Tracked products at or under their warning level (or sold out), lowest first.
    pub fn low_stock(&self, actor: &Actor) -> Result<Vec<ProductCard>> {
        authorize(&self.conn, actor, Permission::AdjustStock)?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CARD_COLUMNS} FROM products p
             WHERE p.stock IS NOT NULL AND p.active = 1
               AND (p.stock = 0 OR p.stock <= COALESCE(p.low_stock_warning, -1) OR p.stock <= COALESCE(p.low_stock_critical, -1))
             ORDER BY p.stock, p.name COLLATE NOCASE LIMIT 500"
        ))?;
        let rows = stmt.query_map([], card)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_never_becomes_fts_syntax() {
        let cases = [
            ("kopi", Some("\"kopi\"*")),
            ("Kopi Susu", Some("\"kopi\"* \"susu\"*")),
            ("\"kopi", Some("\"kopi\"*")),
            ("kopi*", Some("\"kopi\"*")),
            ("kopi NEAR susu", Some("\"kopi\"* \"near\"* \"susu\"*")),
            ("-teh", Some("\"teh\"*")),
            ("(es", Some("\"es\"*")),
            (
                "a AND b OR c NOT d",
                Some("\"a\"* \"and\"* \"b\"* \"or\"* \"c\"* \"not\"* \"d\"*"),
            ),
            ("col:name", Some("\"col\"* \"name\"*")),
            ("^x", Some("\"x\"*")),
            ("", None),
            ("  \"*()-: ", None),
            ("Crème brûlée", Some("\"crème\"* \"brûlée\"*")),
        ];
        for (input, want) in cases {
            assert_eq!(fts_query(input).as_deref(), want, "{input:?}");
        }
    }

    #[test]
    fn ranking() {
        let q = words("kopi");
        assert_eq!(rank("Kopi Susu", &q), 0);
        assert_eq!(rank("Es Kopi", &q), 1);
        assert_eq!(rank("Roti Bakar", &q), 2);
    }
}
