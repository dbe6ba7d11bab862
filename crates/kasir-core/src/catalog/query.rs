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
use crate::{Entity, Field, Rule};
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
    pub featured: bool,
    /// Members' visible ratings of it: their sum and count (the tile shows the average).
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub rating_total: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub ratings: i64,
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
    EXISTS (SELECT 1 FROM modifier_groups g WHERE g.product_id = p.id AND g.retired = 0),
    p.featured, p.rating_total, p.ratings";

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
        featured: r.get(12)?,
        rating_total: r.get(13)?,
        ratings: r.get(14)?,
    })
}

/// The words of what the cashier typed: letters and digits only, lowercased, at most
/// [`MAX_SEARCH_WORDS`]. Quotes, `*`, `^`, `:`, `-` and parentheses never survive, so nothing
/// typed becomes FTS5 syntax.
fn words(text: &str) -> Vec<String> {
    split_words(text).take(MAX_SEARCH_WORDS).collect()
}

/// An FTS5 query matching products with every word of `text` starting a word of their
/// name, description or category; `None` when `text` has no letters or digits.
pub(super) fn prefix_query(text: &str) -> Option<String> {
    let w = words(text);
    (!w.is_empty()).then(|| {
        w.iter()
            .map(|w| format!("\"{w}\"*"))
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// Every word of `text`, lowercased: how a name is read when ranking it.
fn split_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// The full-text index a search tier asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Index {
    /// `product_heads`: each name's first word.
    Heads,
    /// `product_names`: names alone.
    Names,
    /// `product_search`: name, description and category.
    All,
}

impl Index {
    fn table(self) -> &'static str {
        match self {
            Index::Heads => "product_heads",
            Index::Names => "product_names",
            Index::All => "product_search",
        }
    }
}

/// One FTS5 query of a search.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Tier {
    index: Index,
    query: String,
    /// Whole words (`"kopi"`) rather than prefixes (`"kopi"*`).
    whole: bool,
}

/// The queries of a search, best matches first. A search walks them in turn until it has
/// enough products, so a better tier's matches are never cut for a worse tier's: the name's
/// first word is the first word typed; every word is a whole
/// word of the name; the name's first word starts with the first word typed; every word
/// starts a word of the name; every word starts a word anywhere (description, category).
/// Each is a plain lookup of terms in one index, cheap however many products mention them.
/// `words` are letters and digits only (see [`words`]), so quoting them is safe.
fn search_tiers(words: &[String]) -> Vec<Tier> {
    let whole: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
    let prefixes: Vec<String> = words.iter().map(|w| format!("\"{w}\"*")).collect();
    let tier = |index, query: String, whole| Tier {
        index,
        query,
        whole,
    };
    if words.len() > 1 {
        // With more words, the first-word index narrows too little (its hits would have to
        // be checked for the other words one by one); the names index does it, and each
        // tier's hits are ranked by [`rank`], which puts the names that start with the first
        // word first.
        return vec![
            tier(Index::Names, whole.join(" "), true),
            tier(Index::Names, prefixes.join(" "), false),
            tier(Index::All, prefixes.join(" "), false),
        ];
    }
    vec![
        tier(Index::Heads, whole[0].clone(), true),
        tier(Index::Names, whole[0].clone(), true),
        tier(Index::Heads, prefixes[0].clone(), false),
        tier(Index::Names, prefixes[0].clone(), false),
        tier(Index::All, prefixes[0].clone(), false),
    ]
}

/// A match as a search ranks it.
struct Hit {
    rid: i64,
    name: String,
    popularity: i64,
}

/// How many matches anywhere a search reads before it turns to the narrower indexes.
const PROBE: usize = 100;

/// A match's tier, as [`search_tiers`] orders them, worked out from its name: 0 the first
/// word is the first word typed (and the others whole words of the name), 1 every word is a
/// whole word of the name, 2 the first word starts with the first word typed (and the
/// others start words of the name), 3 every word starts a word of the name, 4 elsewhere.
fn rank(name: &str, query: &[String]) -> u8 {
    let name_words: Vec<String> = split_words(name).collect();
    let first = name_words.first().map(String::as_str).unwrap_or("");
    let whole = |q: &String| name_words.iter().any(|w| w == q);
    let prefix = |q: &String| name_words.iter().any(|w| w.starts_with(q.as_str()));
    let rest = &query[1..];
    if first == query[0] && rest.iter().all(whole) {
        0
    } else if query.iter().all(whole) {
        1
    } else if first.starts_with(query[0].as_str()) && rest.iter().all(prefix) {
        2
    } else if query.iter().all(prefix) {
        3
    } else {
        4
    }
}

/// For a first-word tier, whether the name's first word (as Kasir splits words) is the word
/// typed, or starts with it: the index's first word comes from SQL, which splits on fewer
/// characters.
fn first_word_matches(name: &str, query: &[String], tier: &Tier) -> bool {
    if tier.index != Index::Heads {
        return true;
    }
    let first = split_words(name).next().unwrap_or_default();
    if tier.whole {
        first == query[0]
    } else {
        first.starts_with(query[0].as_str())
    }
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
            return Err(Error::invalid(
                Field::Limit,
                Rule::OutOfRange {
                    min: 1,
                    max: MAX_PAGE as i64,
                },
            ));
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
        // The "All" tab puts featured products first (its indexes hold `featured` before
        // the sort); a category's tab is in plain order.
        let (filter, featured_first) = if query.category.is_some() {
            ("p.category_id = ?1 AND", "")
        } else {
            ("?1 IS NULL AND", "p.featured DESC, ")
        };
        let sql = format!(
            "SELECT {CARD_COLUMNS} FROM products p WHERE {filter} {active}
             ORDER BY {featured_first}{order} LIMIT ?2 OFFSET ?3"
        );
        self.k.read(actor, permission, |conn, _| {
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![query.category, query.limit, query.offset], card)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Search as you type over name, description and category, by word prefix. Returns at most
    /// `limit` products, best first: see [`search_tiers`]. Within a tier the index gives its
    /// matches oldest first, and the search ranks what it reads of them by popularity: with
    /// thousands in one tier, the page holds the most popular of the first it read, not of
    /// all (reading all would cost milliseconds).
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
                Field::Query,
                Rule::TooLong {
                    max: MAX_SEARCH_LEN as u32,
                },
            ));
        }
        if limit == 0 || limit > MAX_PAGE {
            return Err(Error::invalid(
                Field::Limit,
                Rule::OutOfRange {
                    min: 1,
                    max: MAX_PAGE as i64,
                },
            ));
        }
        let q = words(text);
        if q.is_empty() {
            return Ok(Vec::new());
        }
        self.k.read(actor, permission, |conn, _| {
            let tiers = search_tiers(&q);
            // Matches are read as (rowid, name, popularity): enough to rank them; the full
            // cards are read only for the page's products.
            let run = |tier: &Tier, fetch: usize| -> Result<Vec<Hit>> {
                let table = tier.index.table();
                let mut stmt = conn.prepare_cached(&format!(
                    "SELECT p.rid, p.name, p.popularity FROM {table} s JOIN products p ON p.rid = s.rowid
                     WHERE {table} MATCH ?1 AND (p.active = 1 OR ?2) LIMIT ?3"
                ))?;
                let hits = stmt
                    .query_map(params![tier.query, include_inactive, fetch as u32], |r| {
                        Ok(Hit { rid: r.get(0)?, name: r.get(1)?, popularity: r.get(2)? })
                    })?
                    .collect::<rusqlite::Result<_>>()?;
                Ok(hits)
            };
            let by_rank = |hits: &mut Vec<Hit>| {
                hits.sort_by_cached_key(|h| {
                    (rank(&h.name, &q), std::cmp::Reverse(h.popularity), h.name.to_lowercase())
                })
            };
            let mut page: Vec<i64> = Vec::new();
            let mut seen: HashSet<i64> = HashSet::new();
            // One word: each tier is a single-term lookup, as cheap as the hits it returns, so
            // the tiers are walked at once. More words: the terms are intersected, which is
            // cheap when they often go together and reads long lists when they do not. So
            // first the ids of every match anywhere, up to PROBE (no product row read yet):
            // fewer than PROBE is all of them, ranked here in one go; otherwise the words are
            // common and the narrower indexes find the best matches cheaply.
            let mut probe = Vec::new();
            let mut walk = &tiers[..];
            if q.len() > 1 {
                let anywhere = &tiers[tiers.len() - 1];
                let table = anywhere.index.table();
                let mut ids = conn.prepare_cached(&format!(
                    "SELECT rowid FROM {table} WHERE {table} MATCH ?1 LIMIT ?2"
                ))?;
                let rids: Vec<i64> = ids
                    .query_map(params![anywhere.query, PROBE as u32], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                if rids.len() < PROBE {
                    let mut hit = conn.prepare_cached(
                        "SELECT rid, name, popularity FROM products
                         WHERE rid = ?1 AND (active = 1 OR ?2)",
                    )?;
                    for rid in rids {
                        if let Some(h) = hit
                            .query_row(params![rid, include_inactive], |r| {
                                Ok(Hit {
                                    rid: r.get(0)?,
                                    name: r.get(1)?,
                                    popularity: r.get(2)?,
                                })
                            })
                            .optional()?
                        {
                            probe.push(h);
                        }
                    }
                    by_rank(&mut probe);
                    walk = &[];
                }
            }
            for tier in walk {
                let want = limit as usize - page.len();
                // Enough to fill the page even if every product already found comes back;
                // with more words typed, more, so the ranking within the tier has some to
                // choose from.
                let mut fetch = want + page.len();
                if q.len() > 1 {
                    fetch = (fetch * 2).min(MAX_PAGE as usize);
                }
                let mut hits: Vec<Hit> = run(tier, fetch)?
                    .into_iter()
                    .filter(|h| !seen.contains(&h.rid) && first_word_matches(&h.name, &q, tier))
                    .collect();
                by_rank(&mut hits);
                hits.truncate(want);
                seen.extend(hits.iter().map(|h| h.rid));
                page.extend(hits.iter().map(|h| h.rid));
                if page.len() >= limit as usize {
                    break;
                }
            }
            for h in &probe {
                if page.len() >= limit as usize {
                    break;
                }
                if seen.insert(h.rid) {
                    page.push(h.rid);
                }
            }
            let mut card_of = conn.prepare_cached(&format!(
                "SELECT {CARD_COLUMNS} FROM products p WHERE p.rid = ?1"
            ))?;
            page.iter()
                .map(|rid| Ok(card_of.query_row([rid], card)?))
                .collect()
        })
    }

    /// The active product with this barcode (what a scanner typed).
    pub fn product_by_barcode(&self, actor: &Actor, code: &str) -> Result<ProductCard> {
        let code = code.trim();
        if code.is_empty() {
            return Err(Error::invalid(Field::Barcode, Rule::Required));
        }
        if code.len() > 64 {
            return Err(Error::invalid(Field::Barcode, Rule::TooLong { max: 64 }));
        }
        self.k.read(actor, Permission::Sell, |conn, _| {
            conn.prepare_cached(&format!(
                "SELECT {CARD_COLUMNS} FROM products p WHERE p.barcode = ?1 AND p.active = 1"
            ))?
            .query_row([code], card)
            .optional()?
            .ok_or_else(|| Error::not_found(Entity::Barcode, code))
        })
    }

    /// Recomputes each product's popularity as the units sold (not cancelled) over the last
    /// `days` business days. Kept off the sale path on purpose: run it at start-up or when the
    /// till is idle. Returns how many products sold anything. Needs no actor: it changes no
    /// fact, only a cached figure.
    pub fn refresh_popularity(&self, days: u16) -> Result<usize> {
        self.k.transact(|tx, now| {
            let tz = crate::settings::load(tx)?.time_zone()?;
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
            let anywhere = (!w.is_empty()).then(|| search_tiers(&w).pop().unwrap().query);
            assert_eq!(anywhere.as_deref(), want, "{input:?}");
        }
    }

    #[test]
    fn search_tiers_are_quoted_best_first() {
        let tiers = |text| -> Vec<(Index, String, bool)> {
            search_tiers(&words(text))
                .into_iter()
                .map(|t| (t.index, t.query, t.whole))
                .collect()
        };
        assert_eq!(
            tiers("Kopi"),
            [
                (Index::Heads, "\"kopi\"".into(), true),
                (Index::Names, "\"kopi\"".into(), true),
                (Index::Heads, "\"kopi\"*".into(), false),
                (Index::Names, "\"kopi\"*".into(), false),
                (Index::All, "\"kopi\"*".into(), false),
            ]
        );
        assert_eq!(
            tiers("Kopi su"),
            [
                (Index::Names, "\"kopi\" \"su\"".into(), true),
                (Index::Names, "\"kopi\"* \"su\"*".into(), false),
                (Index::All, "\"kopi\"* \"su\"*".into(), false),
            ]
        );
        // Syntax typed by the cashier never survives into a tier.
        for tier in search_tiers(&words("a\" OR name:^(b)* NEAR")) {
            assert!(
                !tier.query.contains("OR") && !tier.query.contains("NEAR"),
                "{tier:?}"
            );
        }
    }

    #[test]
    fn ranking_follows_the_tiers() {
        let q = words("kopi");
        assert_eq!(rank("Kopi Susu", &q), 0);
        assert_eq!(rank("Es Kopi", &q), 1);
        assert_eq!(rank("Kopiko", &q), 2);
        assert_eq!(rank("Es Kopiko", &q), 3);
        assert_eq!(rank("Roti Bakar", &q), 4);
        let q = words("kopi su");
        assert_eq!(rank("Kopi Su", &q), 0);
        assert_eq!(rank("Es Kopi Su", &q), 1);
        assert_eq!(rank("Kopi Susu Gula Aren", &q), 2);
        assert_eq!(rank("Es Kopi Susu", &q), 3);
    }

    #[test]
    fn a_first_word_tier_checks_the_name_s_first_word() {
        let q = words("kopi");
        let tiers = search_tiers(&q);
        let (exact, prefix, names) = (&tiers[0], &tiers[2], &tiers[1]);
        assert!(first_word_matches("Kopi Susu", &q, exact));
        assert!(!first_word_matches("Kopiko", &q, exact));
        assert!(first_word_matches("Kopiko", &q, prefix));
        // "Es~Kopi": SQL splits the first word at spaces and a few marks only, so its index
        // holds both "es" and "kopi"; Kasir reads the first word as "es".
        assert!(!first_word_matches("Es~Kopi", &q, prefix));
        assert!(
            first_word_matches("Es Kopi", &q, names),
            "other indexes are not checked"
        );
    }
}
