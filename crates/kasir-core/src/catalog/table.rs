//! The manager's product table: every product, filtered, sorted and paged by the core, so the
//! screen only ever holds one page however large the menu is.
//!
//! **Invariant**: the SQL is assembled from fixed pieces only; every value the manager typed
//! or chose is a bound parameter, and search text reaches FTS5 only as quoted words (see
//! [`super::query`]).

use rusqlite::types::Value;
use rusqlite::{Row, params_from_iter};
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

fn order_by(sort: TableSort, descending: bool) -> String {
    let dir = if descending { "DESC" } else { "ASC" };
    match sort {
        TableSort::Name => format!("p.name COLLATE NOCASE {dir}, p.rid {dir}"),
        TableSort::Price => format!("p.price {dir}, p.name COLLATE NOCASE, p.rid"),
        TableSort::Stock => format!("p.stock IS NULL, p.stock {dir}, p.name COLLATE NOCASE, p.rid"),
        TableSort::Popularity => format!("p.popularity {dir}, p.name COLLATE NOCASE, p.rid"),
        TableSort::Updated => format!("p.updated_at {dir}, p.rid {dir}"),
    }
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
        let (clause, values) = conditions(q)?;
        let order = order_by(q.sort, q.descending);
        let page_sql = format!(
            "SELECT p.id, p.name, p.category_id, c.name, p.price, p.stock, p.low_stock_warning,
                    p.low_stock_critical, p.active, p.featured, p.barcode, p.popularity,
                    p.image_id, p.updated_at
             FROM products p JOIN categories c ON c.id = p.category_id
             {clause} ORDER BY {order} LIMIT ? OFFSET ?"
        );
        let mut page_values = values.clone();
        page_values.extend([
            Value::Integer(q.limit.into()),
            Value::Integer(q.offset.into()),
        ]);
        let count_sql = format!("SELECT COUNT(*) FROM products p {clause}");
        // Prepared afresh (a fraction of a millisecond): the filters make many shapes of
        // query, which would push the till's own statements out of the statement cache.
        self.k.read(actor, Permission::ManageCatalog, |conn, _| {
            let total: i64 = conn
                .prepare(&count_sql)?
                .query_row(params_from_iter(values.iter()), |r| r.get(0))?;
            let mut stmt = conn.prepare(&page_sql)?;
            let rows = stmt
                .query_map(params_from_iter(page_values.iter()), row)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(ProductPage {
                rows,
                total: u32::try_from(total).unwrap_or(u32::MAX),
            })
        })
    }
}
