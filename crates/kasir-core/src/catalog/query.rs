//! Reading the menu fast: paged lists by category, search as the cashier types, barcodes.
//!
//! **Invariant**: user text never reaches FTS5 as query syntax. [`words`] keeps only the
//! letters and digits of each word and quotes them, so `"`, `*`, `NEAR`, `-` and parentheses
//! are plain text.

use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

use std::collections::HashSet;

use super::{Catalog, CategoryId, ProductId, StockLevel};
use crate::access::{Actor, Permission};
use crate::{Error, Money, Result};

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
    EXISTS (SELECT 1 FROM modifier_groups g WHERE g.product_id = p.id AND g.retired = 0)";

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

/// The words of what the cashier typed: letters and digits only, lowercased, at most
/// [`MAX_SEARCH_WORDS`]. Quotes, `*`, `^`, `:`, `-` and parentheses never survive, so nothing
/// typed becomes FTS5 syntax.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_SEARCH_WORDS)
        .map(str::to_lowercase)
        .collect()
}

/// The FTS5 queries of a search, best matches first. A search walks them in turn until it has
/// enough products, so the best matches are found by the index itself, never cut from a
/// capped candidate list: the name is the words (from its start, whole words), every word is
/// a whole word of the name, the name starts with the text, every word starts a word of the
/// name, and last every word starts a word anywhere (description, category). `words` are
/// letters and digits only (see [`words`]), so quoting them is safe.
fn search_tiers(words: &[String]) -> Vec<String> {
    let phrase = words.join(" ");
    let whole: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
    let prefixes: Vec<String> = words.iter().map(|w| format!("\"{w}\"*")).collect();
    vec![
        format!("name : ^\"{phrase}\""),
        format!("name : ({})", whole.join(" ")),
        format!("name : ^\"{phrase}\"*"),
        format!("name : ({})", prefixes.join(" ")),
        prefixes.join(" "),
    ]
}

/// The menu's reads: paged lists, search, barcode, low stock.
impl Catalog<'_> {
    /// A page of the menu, by category or all, sorted as asked.
    pub fn list_products(&self, actor: &Actor, query: &ProductQuery) -> Result<Vec<ProductCard>> {
        let permission = if query.include_inactive {
            Permission::ManageCatalog
        } else {
            Permission::Sell
        };
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
        self.k.read(actor, permission, |conn, _| {
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![query.category, query.limit, query.offset], card)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Search as you type over name, description and category, by word prefix. Returns at most
    /// `limit` products, best first: see [`search_tiers`]; within a tier, the most popular
    /// first.
    pub fn search_products(
        &self,
        actor: &Actor,
        text: &str,
        limit: u32,
        include_inactive: bool,
    ) -> Result<Vec<ProductCard>> {
        let permission = if include_inactive {
            Permission::ManageCatalog
        } else {
            Permission::Sell
        };
        if text.len() > MAX_SEARCH_LEN {
            return Err(Error::invalid(
                "query",
                format!("at most {MAX_SEARCH_LEN} characters"),
            ));
        }
        if limit == 0 || limit > MAX_PAGE {
            return Err(Error::invalid("limit", format!("between 1 and {MAX_PAGE}")));
        }
        let q = words(text);
        if q.is_empty() {
            return Ok(Vec::new());
        }
        self.k.read(actor, permission, |conn, _| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {CARD_COLUMNS} FROM product_search s JOIN products p ON p.rid = s.rowid
                 WHERE product_search MATCH ?1 AND (p.active = 1 OR ?2) LIMIT ?3"
            ))?;
            let mut found: Vec<ProductCard> = Vec::new();
            let mut seen: HashSet<ProductId> = HashSet::new();
            for tier in search_tiers(&q) {
                let want = limit as usize - found.len();
                // Enough to fill the page even if every product already found comes back.
                let fetch = (want + found.len()) as u32;
                let mut hits: Vec<ProductCard> = stmt
                    .query_map(params![tier, include_inactive, fetch], card)?
                    .filter(|c| c.as_ref().map_or(true, |c| !seen.contains(&c.id)))
                    .collect::<rusqlite::Result<_>>()?;
                hits.sort_by_cached_key(|c| {
                    (std::cmp::Reverse(c.popularity), c.name.to_lowercase())
                });
                hits.truncate(want);
                seen.extend(hits.iter().map(|c| c.id));
                found.extend(hits);
                if found.len() >= limit as usize {
                    break;
                }
            }
            Ok(found)
        })
    }

    /// The active product with this barcode (what a scanner typed).
    pub fn product_by_barcode(&self, actor: &Actor, code: &str) -> Result<ProductCard> {
        let code = code.trim();
        if code.is_empty() || code.len() > 64 {
            return Err(Error::invalid("barcode", "1 to 64 characters"));
        }
        self.k.read(actor, Permission::Sell, |conn, _| {
            conn.prepare_cached(&format!(
                "SELECT {CARD_COLUMNS} FROM products p WHERE p.barcode = ?1 AND p.active = 1"
            ))?
            .query_row([code], card)
            .optional()?
            .ok_or_else(|| Error::not_found("product with barcode", code))
        })
    }

    /// Recomputes each product's popularity as the units sold (not cancelled) over the last
    /// `days` business days. Kept off the sale path on purpose: run it at start-up or when the
    /// till is idle. Returns how many products sold anything. Needs no actor: it changes no
    /// fact, only a cached figure.
    pub fn refresh_popularity(&self, days: u16) -> Result<usize> {
        self.k.transact(|tx, now| {
            let tz = crate::settings::load(tx)?.time_zone();
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
        self.k.read(actor, Permission::AdjustStock, |conn, _| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {CARD_COLUMNS} FROM products p
                 WHERE p.stock IS NOT NULL AND p.active = 1
                   AND (p.stock = 0 OR p.stock <= COALESCE(p.low_stock_warning, -1) OR p.stock <= COALESCE(p.low_stock_critical, -1))
                 ORDER BY p.stock, p.name COLLATE NOCASE LIMIT 500"
            ))?;
            let rows = stmt.query_map([], card)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
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
            let w = words(input);
            let anywhere = (!w.is_empty()).then(|| search_tiers(&w).pop().unwrap());
            assert_eq!(anywhere.as_deref(), want, "{input:?}");
        }
    }

    #[test]
    fn search_tiers_are_quoted_best_first() {
        let tiers = search_tiers(&words("Kopi su"));
        assert_eq!(
            tiers,
            [
                "name : ^\"kopi su\"",
                "name : (\"kopi\" \"su\")",
                "name : ^\"kopi su\"*",
                "name : (\"kopi\"* \"su\"*)",
                "\"kopi\"* \"su\"*",
            ]
        );
        // Syntax typed by the cashier never survives into a tier.
        for tier in search_tiers(&words("a\" OR name:^(b)* NEAR")) {
            assert!(!tier.contains("OR") && !tier.contains("NEAR"), "{tier}");
        }
    }
}
