//! The manager's product table: every product, filtered, sorted and paged by the core, so the
//! screen only ever holds one page however large the menu is.
//!
//! **Invariant**: the SQL is assembled from fixed pieces only; every value the manager typed
//! or chose is a bound parameter, and search text reaches FTS5 only as quoted words (see
//! [`super::query`]).

use std::sync::Arc;

use rusqlite::types::Value;
use rusqlite::{Connection, Row, params_from_iter};
use serde::{Deserialize, Serialize};

use super::query::prefix_query;
use super::{Catalog, CategoryId, MAX_PAGE, MAX_SEARCH_LEN, ProductId, StockLevel};
use crate::access::{Actor, Permission};
use crate::{Error, Field, Money, Result, Rule};

/// Which stock counts the table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum StockFilter {
    #[default]
    Any,
    /// Tracked and at or under the warning or critical level, or sold out.
    Low,
    /// Tracked and sold out.
    Out,
    Tracked,
    Untracked,
}

/// The table's sort keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum TableSort {
    #[default]
    Name,
    Price,
    /// Untracked products last, whichever the direction.
    Stock,
    Popularity,
    /// Last change to the product itself (not its stock).
    Updated,
}

/// A page of the product table: filters (all optional), a sort and a window.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProductTableQuery {
    /// Words that start words of the name, description or category, or an exact barcode.
    #[serde(default)]
    pub text: String,
    pub category: Option<CategoryId>,
    pub active: Option<bool>,
    /// Available: active and (untracked or in stock).
    pub available: Option<bool>,
    pub featured: Option<bool>,
    #[serde(default)]
    pub stock: StockFilter,
    #[serde(default)]
    pub sort: TableSort,
    #[serde(default)]
    pub descending: bool,
    pub offset: u32,
    pub limit: u32,
}

/// One row of the product table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProductRow {
    pub id: ProductId,
    pub name: String,
    pub category_id: CategoryId,
    pub category_name: String,
    pub price: Money,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub stock: Option<i64>,
    pub stock_level: StockLevel,
    pub active: bool,
    pub available: bool,
    pub featured: bool,
    pub barcode: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub popularity: i64,
    pub image_id: Option<String>,
    /// When the product was last changed (RFC 3339, UTC).
    pub updated_at: String,
}

/// A page of rows and how many products match the filters in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProductPage {
    pub rows: Vec<ProductRow>,
    pub total: u32,
}

fn row(r: &Row<'_>) -> rusqlite::Result<ProductRow> {
    let stock: Option<i64> = r.get(5)?;
    let active: bool = r.get(8)?;
    Ok(ProductRow {
        id: r.get(0)?,
        name: r.get(1)?,
        category_id: r.get(2)?,
        category_name: r.get(3)?,
        price: Money(r.get(4)?),
        stock,
        stock_level: StockLevel::of(stock, r.get(6)?, r.get(7)?),
        active,
        available: active && stock.is_none_or(|s| s > 0),
        featured: r.get(9)?,
        barcode: r.get(10)?,
        popularity: r.get(11)?,
        image_id: r.get(12)?,
        updated_at: r.get(13)?,
    })
}

/// Every product's row id by name (as the till's menu sorts names: SQLite's NOCASE) or by
/// last change, read from the index that holds that order (a few milliseconds for 100,000).
fn index_order(conn: &Connection, sort: TableSort) -> Result<Vec<i64>> {
    let (index, column) = match sort {
        TableSort::Updated => ("products_by_updated", "p.updated_at"),
        _ => ("products_by_name", "p.name COLLATE NOCASE"),
    };
    let sql = format!("SELECT p.rid FROM products p INDEXED BY {index} ORDER BY {column}, p.rid");
    let mut stmt = conn.prepare(&sql)?;
    let rids = stmt.query_map([], |r| r.get(0))?;
    Ok(rids.collect::<rusqlite::Result<_>>()?)
}

/// A product's place in an order, found by its row id. Row ids count up from one as
/// products are added (none is ever deleted), so a vector indexed by row id serves.
struct Places(Vec<u32>);

impl Places {
    fn of(order: &[i64]) -> Places {
        let top = order.iter().copied().max().unwrap_or(0).max(0) as usize;
        let mut places = vec![u32::MAX; top + 1];
        for (i, rid) in order.iter().enumerate() {
            places[*rid as usize] = i as u32;
        }
        Places(places)
    }

    fn get(&self, rid: i64) -> u32 {
        self.0.get(rid as usize).copied().unwrap_or(u32::MAX)
    }
}

/// Every matching product's row id in the table's order.
///
/// One pass over the products (no index: most filters match most products, and walking an
/// index then fetching each row cost ten times more) reads only the row id and the number
/// sorted by; names and change times are never read row by row, their order comes from
/// their index ([`index_order`]), and Rust sorts integers. SQLite's own sorter took most of
/// a second for 100,000 rows.
fn ordered_rids(conn: &Connection, q: &ProductTableQuery) -> Result<Vec<i64>> {
    let (clause, values) = conditions(q)?;
    let by_text = matches!(q.sort, TableSort::Name | TableSort::Updated);
    let order = index_order(conn, q.sort)?;
    if by_text && clause.is_empty() {
        let mut rids = order;
        if q.descending {
            rids.reverse();
        }
        return Ok(rids);
    }
    let number = match q.sort {
        TableSort::Price => "p.price",
        TableSort::Stock => "p.stock",
        TableSort::Popularity => "p.popularity",
        TableSort::Name | TableSort::Updated => "0",
    };
    let indexed = if q.text.trim().is_empty() {
        "NOT INDEXED"
    } else {
        "" // search and barcodes find their rows through their own indexes
    };
    let sql = format!("SELECT p.rid, {number} FROM products p {indexed} {clause}");
    let mut stmt = conn.prepare(&sql)?;
    let matching: Vec<(i64, Option<i64>)> = stmt
        .query_map(params_from_iter(values.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let places = Places::of(&order);
    if by_text {
        // The index's order, keeping the matching ones.
        let mut places: Vec<(u32, i64)> = matching
            .iter()
            .map(|(rid, _)| (places.get(*rid), *rid))
            .collect();
        places.sort_unstable();
        if q.descending {
            places.reverse();
        }
        return Ok(places.into_iter().map(|(_, rid)| rid).collect());
    }
    // Numbers turn round with the direction; ties stay by name; untracked stock stays last.
    let mut keyed: Vec<(bool, i64, u32, i64)> = matching
        .into_iter()
        .map(|(rid, n)| {
            let n0 = n.unwrap_or(0);
            let signed = if q.descending {
                n0.saturating_neg()
            } else {
                n0
            };
            (n.is_none(), signed, places.get(rid), rid)
        })
        .collect();
    keyed.sort_unstable();
    Ok(keyed.into_iter().map(|(_, _, _, rid)| rid).collect())
}

const LOW: &str = "(p.stock IS NOT NULL AND (p.stock = 0 OR p.stock <= p.low_stock_warning
                   OR p.stock <= p.low_stock_critical))";
const AVAILABLE: &str = "(p.active = 1 AND (p.stock IS NULL OR p.stock > 0))";

/// The WHERE clause and its parameters for a query's filters.
fn conditions(q: &ProductTableQuery) -> Result<(String, Vec<Value>)> {
    let mut parts: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    let text = q.text.trim();
    if text.len() > MAX_SEARCH_LEN {
        return Err(Error::invalid(
            Field::Query,
            Rule::TooLong {
                max: MAX_SEARCH_LEN as u32,
            },
        ));
    }
    if !text.is_empty() {
        // A barcode is matched whole; words by prefix anywhere. Text with no letters or
        // digits (only punctuation) can still be a barcode, and otherwise matches nothing.
        let mut either = vec!["p.barcode = ?".to_string()];
        values.push(Value::Text(text.to_string()));
        if let Some(fts) = prefix_query(text) {
            either.push(
                "p.rid IN (SELECT rowid FROM product_search WHERE product_search MATCH ?)".into(),
            );
            values.push(Value::Text(fts));
        }
        parts.push(format!("({})", either.join(" OR ")));
    }
    if let Some(c) = q.category {
        parts.push("p.category_id = ?".into());
        values.push(Value::Text(c.to_string()));
    }
    if let Some(a) = q.active {
        parts.push("p.active = ?".into());
        values.push(Value::Integer(a.into()));
    }
    if let Some(f) = q.featured {
        parts.push("p.featured = ?".into());
        values.push(Value::Integer(f.into()));
    }
    match q.available {
        Some(true) => parts.push(AVAILABLE.into()),
        Some(false) => parts.push(format!("NOT {AVAILABLE}")),
        None => {}
    }
    match q.stock {
        StockFilter::Any => {}
        StockFilter::Low => parts.push(LOW.into()),
        StockFilter::Out => parts.push("p.stock = 0".into()),
        StockFilter::Tracked => parts.push("p.stock IS NOT NULL".into()),
        StockFilter::Untracked => parts.push("p.stock IS NULL".into()),
    }
    let clause = if parts.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", parts.join(" AND "))
    };
    Ok((clause, values))
}

impl Catalog<'_> {
    /// A page of the manager's product table (active or not), with the number of products
    /// that match. Managers and admins only.
    pub fn product_table(&self, actor: &Actor, q: &ProductTableQuery) -> Result<ProductPage> {
        if q.limit == 0 || q.limit > MAX_PAGE {
            return Err(Error::invalid(
                Field::Limit,
                Rule::OutOfRange {
                    min: 1,
                    max: MAX_PAGE as i64,
                },
            ));
        }
        // Checked before any lock or cache, so a bad query is refused the same every time.
        conditions(q)?;
        let key = format!(
            "product_table {:?}",
            ProductTableQuery {
                offset: 0,
                limit: 0,
                ..q.clone()
            }
        );
        // Read before the reader's snapshot begins: a commit in between makes the count move
        // on, so what this read finds is never kept as newer than it is.
        let writes = self.k.writes();
        self.k.read(actor, Permission::ManageCatalog, |conn, _| {
            let cached = self
                .k
                .orders
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(writes, &key);
            let rids = match cached {
                Some(rids) => rids,
                None => {
                    let rids = Arc::new(ordered_rids(conn, q)?);
                    self.k.orders.lock().unwrap_or_else(|e| e.into_inner()).put(
                        writes,
                        key,
                        rids.clone(),
                    );
                    rids
                }
            };
            let from = (q.offset as usize).min(rids.len());
            let to = (from + q.limit as usize).min(rids.len());
            let mut stmt = conn.prepare_cached(
                "SELECT p.id, p.name, p.category_id,
                        (SELECT c.name FROM categories c WHERE c.id = p.category_id),
                        p.price, p.stock, p.low_stock_warning, p.low_stock_critical, p.active,
                        p.featured, p.barcode, p.popularity, p.image_id, p.updated_at
                 FROM products p WHERE p.rid = ?1",
            )?;
            let mut rows = Vec::with_capacity(to - from);
            for rid in &rids[from..to] {
                rows.push(stmt.query_row([rid], row)?);
            }
            Ok(ProductPage {
                rows,
                total: u32::try_from(rids.len()).unwrap_or(u32::MAX),
            })
        })
    }
}
