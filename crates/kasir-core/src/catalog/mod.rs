//! The menu: categories, products, modifiers and stock.
//!
//! **Invariant**: a tracked product's `stock` equals the sum of its stock movements and never
//! goes below zero (a CHECK constraint backs this up); it changes only in the same transaction
//! as the movement that explains it. Untracked products have `stock = NULL` and no movements.

pub mod images;
mod modifiers;
pub mod pictures;
pub(crate) use self::modifiers::resolve_choice as modifiers_resolve;
pub(crate) use self::modifiers::set_modifier_groups_in;
mod csv;
mod query;
pub(crate) mod stock;
mod table;

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

pub use self::csv::{
    CSV_COLUMNS, IMPORT_CHUNK, ImportReport, MAX_CSV_BYTES, MAX_CSV_ROWS, MAX_PROBLEMS, RowProblem,
    separator_for,
};
pub use self::modifiers::{
    ChosenModifier, ModifierGroup, ModifierGroupDraft, ModifierGroupId, ModifierOption,
    ModifierOptionDraft, ModifierOptionId,
};
pub use self::query::{MAX_PAGE, MAX_SEARCH_LEN, ProductCard, ProductQuery, ProductSort};
pub use self::stock::{
    CountLine, CountedLine, LedgerEntry, LedgerPage, MAX_LEDGER_PAGE, StockAlert, StockReason,
};
pub use self::table::{ProductPage, ProductRow, ProductTableQuery, StockFilter, TableSort};

use crate::access::{Actor, Ctx, Permission, StaffId};
use crate::kernel::ids::id_type;
use crate::kernel::text;
use crate::kernel::time::Stamp;
use crate::money::validate_amount;
use crate::outbox;
use crate::{Entity, Field, Rule};
use crate::{Error, Kasir, Money, Result, audit};
use kasir_proto::Payload;

id_type!(
    /// A category's id.
    CategoryId
);
id_type!(
    /// A product's id.
    ProductId
);

/// The largest stock count or adjustment Kasir accepts.
pub const MAX_STOCK: i64 = 1_000_000_000;

/// The most categories one reorder names.
pub const MAX_CATEGORIES: usize = 1_000;

/// The most tags a product carries, and the longest tag in characters.
pub const MAX_TAGS: usize = 12;
pub const MAX_TAG_LEN: usize = 32;

/// The most products one bulk action names.
pub const MAX_BULK: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Category {
    pub id: CategoryId,
    pub name: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub sort_order: i64,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CategoryDraft {
    pub name: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub sort_order: i64,
    pub active: bool,
}

/// What a manager fills in for a product.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProductDraft {
    pub category_id: CategoryId,
    pub name: String,
    pub description: String,
    /// Minor units, at least zero.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub price: i64,
    /// Track a stock count. Turning tracking on starts from `initial_stock` (zero by default).
    pub track_stock: bool,
    /// The starting count when a product is made counted, or starts being counted.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub initial_stock: i64,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub low_stock_warning: Option<i64>,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub low_stock_critical: Option<i64>,
    pub active: bool,
    /// Barcode or SKU; unique when set; empty means none.
    pub barcode: Option<String>,
    /// Featured products come first in the cashier's "All" tab.
    #[serde(default)]
    pub featured: bool,
    /// Short labels (e.g. "vegan", "pedas"); trimmed, repeats dropped, at most [`MAX_TAGS`].
    #[serde(default)]
    pub tags: Vec<String>,
}

/// How a product's stock stands against its thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum StockLevel {
    Untracked,
    Ok,
    Warning,
    Critical,
    Out,
}

impl StockLevel {
    pub fn of(stock: Option<i64>, warning: Option<i64>, critical: Option<i64>) -> StockLevel {
        match stock {
            None => StockLevel::Untracked,
            Some(0) => StockLevel::Out,
            Some(s) if critical.is_some_and(|c| s <= c) => StockLevel::Critical,
            Some(s) if warning.is_some_and(|w| s <= w) => StockLevel::Warning,
            Some(_) => StockLevel::Ok,
        }
    }
}

/// A product with everything a manager's form shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Product {
    pub id: ProductId,
    pub category_id: CategoryId,
    pub category_name: String,
    pub name: String,
    pub description: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub price: Money,
    /// `None`: not tracked.
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub stock: Option<i64>,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub low_stock_warning: Option<i64>,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub low_stock_critical: Option<i64>,
    pub active: bool,
    pub barcode: Option<String>,
    pub featured: bool,
    pub tags: Vec<String>,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub popularity: i64,
    pub image_id: Option<String>,
    pub modifier_groups: Vec<ModifierGroup>,
    /// Active and (untracked or stock > 0).
    pub available: bool,
    pub stock_level: StockLevel,
}

/// One change of stock, as the ledger records it.
pub(crate) struct StockMove<'a> {
    pub product: ProductId,
    pub delta: i64,
    /// `sale`, `cancel`, `adjustment`, `waste`, `restock`, `initial` or `untracked`.
    pub reason: &'a str,
    pub order: Option<&'a str>,
    pub staff: StaffId,
    pub note: &'a str,
}

/// A product's warning and critical levels.
type Levels = (Option<i64>, Option<i64>);

/// Writes one stock movement and moves the product's count with it. Refuses to go below zero.
pub(crate) fn move_stock(conn: &Connection, now: Timestamp, m: &StockMove<'_>) -> Result<()> {
    let StockMove {
        product,
        delta,
        reason,
        order,
        staff,
        note,
    } = *m;
    // A read, then an update by row id: cheaper than UPDATE ... RETURNING, which SQLite
    // carries out through a temporary table (a sixth of a checkout's CPU when it was used).
    // The count and levels read here tell whether the movement crosses an alert level.
    let read: Option<(i64, Option<i64>, Levels)> = conn
        .prepare_cached(
            "SELECT rid, stock, low_stock_warning, low_stock_critical FROM products WHERE id = ?1",
        )?
        .query_row([product], |r| {
            Ok((r.get(0)?, r.get(1)?, (r.get(2)?, r.get(3)?)))
        })
        .optional()?;
    let rid = read.map(|r| r.0);
    let changed = match rid {
        Some(rid) => conn
            .prepare_cached(
                "UPDATE products SET stock = stock + ?2 WHERE rid = ?1 AND stock IS NOT NULL AND stock + ?2 >= 0",
            )?
            .execute(params![rid, delta])?,
        None => 0,
    };
    let (Some(rid), 1) = (rid, changed) else {
        let row: Option<(String, Option<i64>)> = conn
            .prepare_cached("SELECT name, stock FROM products WHERE id = ?1")?
            .query_row([product], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        return match row {
            None => Err(Error::not_found(Entity::Product, product)),
            Some((_, None)) => Err(Error::invalid(Field::Stock, Rule::NotTracked)),
            Some((name, Some(available))) => Err(Error::InsufficientStock {
                product: name,
                available,
                requested: -delta,
            }),
        };
    };
    conn.prepare_cached(
        "INSERT INTO stock_movements (product_id, product_rid, delta, reason, order_id, staff_id, note, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![product, rid, delta, reason, order, staff, note, Stamp(now)])?;
    // Emptying a product that stops being counted is no shortage: no alert.
    if let Some((_, Some(stock), (warning, critical))) = read.filter(|_| reason != "untracked") {
        let before = stock::Before {
            stock,
            warning,
            critical,
        };
        stock::after_move(conn, now, product, &before, delta, reason == "initial")?;
    }
    Ok(())
}

struct CleanDraft {
    name: String,
    description: String,
    price: Money,
    barcode: Option<String>,
    /// The tags as stored: a JSON array.
    tags: String,
}

/// Trims tags, drops empty ones and repeats (ignoring case), and checks their number and length.
fn clean_tags(tags: &[String]) -> Result<Vec<String>> {
    if tags.len() > MAX_TAGS * 4 {
        return Err(Error::invalid(
            Field::Tags,
            Rule::TooMany {
                max: MAX_TAGS as u32,
            },
        ));
    }
    let mut kept: Vec<String> = Vec::new();
    for tag in tags {
        if tag.trim().is_empty() {
            continue;
        }
        let tag = text::line(Field::Tags, tag, MAX_TAG_LEN)?;
        if !kept.iter().any(|k| k.to_lowercase() == tag.to_lowercase()) {
            kept.push(tag);
        }
    }
    if kept.len() > MAX_TAGS {
        return Err(Error::invalid(
            Field::Tags,
            Rule::TooMany {
                max: MAX_TAGS as u32,
            },
        ));
    }
    Ok(kept)
}

fn clean_draft(d: &ProductDraft) -> Result<CleanDraft> {
    let name = text::name(Field::Name, &d.name, 120)?;
    let description = text::multiline(Field::Description, &d.description, 2000)?;
    let price = validate_amount(Field::Price, d.price)?;
    for (field, v) in [
        (Field::LowStockWarning, d.low_stock_warning),
        (Field::LowStockCritical, d.low_stock_critical),
    ] {
        if let Some(v) = v
            && !(0..=MAX_STOCK).contains(&v)
        {
            return Err(Error::invalid(
                field,
                Rule::OutOfRange {
                    min: 0,
                    max: MAX_STOCK,
                },
            ));
        }
    }
    if let (Some(w), Some(c)) = (d.low_stock_warning, d.low_stock_critical)
        && c > w
    {
        return Err(Error::invalid(Field::LowStockCritical, Rule::AboveWarning));
    }
    if !(0..=MAX_STOCK).contains(&d.initial_stock) {
        return Err(Error::invalid(
            Field::InitialStock,
            Rule::OutOfRange {
                min: 0,
                max: MAX_STOCK,
            },
        ));
    }
    let barcode = match d.barcode.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => {
            if code.len() > 64 || !code.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(Error::invalid(Field::Barcode, Rule::BarcodeFormat));
            }
            Some(code.to_string())
        }
    };
    let tags = serde_json::to_string(&clean_tags(&d.tags)?)?;
    Ok(CleanDraft {
        name,
        description,
        price,
        barcode,
        tags,
    })
}

fn ensure_category(conn: &Connection, id: CategoryId) -> Result<()> {
    let exists: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM categories WHERE id = ?1)")?
        .query_row([id], |r| r.get(0))?;
    if exists {
        Ok(())
    } else {
        Err(Error::not_found(Entity::Category, id))
    }
}

fn ensure_barcode_free(
    conn: &Connection,
    code: Option<&str>,
    except: Option<ProductId>,
) -> Result<()> {
    let Some(code) = code else { return Ok(()) };
    let holder: Option<ProductId> = conn
        .prepare_cached("SELECT id FROM products WHERE barcode = ?1")?
        .query_row([code], |r| r.get(0))
        .optional()?;
    match holder {
        Some(h) if Some(h) != except => Err(Error::Duplicate {
            field: Field::Barcode,
            value: code.to_string(),
        }),
        _ => Ok(()),
    }
}

pub(crate) fn load_product(conn: &Connection, id: ProductId) -> Result<Product> {
    let mut product = conn
        .prepare_cached(
            "SELECT p.id, p.category_id, c.name, p.name, p.description, p.price, p.stock,
                    p.low_stock_warning, p.low_stock_critical, p.active, p.barcode, p.popularity, p.image_id,
                    p.featured, p.tags
             FROM products p JOIN categories c ON c.id = p.category_id WHERE p.id = ?1",
        )?
        .query_row([id], |r| {
            let stock: Option<i64> = r.get(6)?;
            let warning: Option<i64> = r.get(7)?;
            let critical: Option<i64> = r.get(8)?;
            let active: bool = r.get(9)?;
            Ok(Product {
                id: r.get(0)?,
                category_id: r.get(1)?,
                category_name: r.get(2)?,
                name: r.get(3)?,
                description: r.get(4)?,
                price: Money(r.get(5)?),
                stock,
                low_stock_warning: warning,
                low_stock_critical: critical,
                active,
                barcode: r.get(10)?,
                featured: r.get(13)?,
                tags: parse_tags(&r.get::<_, String>(14)?),
                popularity: r.get(11)?,
                image_id: r.get(12)?,
                modifier_groups: Vec::new(),
                available: active && stock.is_none_or(|s| s > 0),
                stock_level: StockLevel::of(stock, warning, critical),
            })
        })
        .optional()?
        .ok_or_else(|| Error::not_found(Entity::Product, id))?;
    product.modifier_groups = modifiers::load_groups(conn, id)?;
    Ok(product)
}

/// A product's stored tags; a damaged value reads as none rather than failing the menu.
pub(crate) fn parse_tags(stored: &str) -> Vec<String> {
    serde_json::from_str(stored).unwrap_or_default()
}

/// Records a catalog change for the server: the product as it now stands.
pub(crate) fn report_product(cx: &Ctx<'_>, id: ProductId) -> Result<Product> {
    let product = load_product(cx, id)?;
    let mut proto = product.to_proto();
    // The other tills learn every picture, in order (the cover first).
    proto.pictures = pictures::pictures_of(cx, id)?;
    outbox::append(cx, &Payload::ProductUpserted(proto))?;
    Ok(product)
}

fn load_category(conn: &Connection, id: CategoryId) -> Result<Category> {
    conn.prepare_cached("SELECT id, name, sort_order, active FROM categories WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(Category {
                id: r.get(0)?,
                name: r.get(1)?,
                sort_order: r.get(2)?,
                active: r.get(3)?,
            })
        })
        .optional()?
        .ok_or_else(|| Error::not_found(Entity::Category, id))
}

fn check_category(draft: &CategoryDraft) -> Result<String> {
    let name = text::name(Field::Name, &draft.name, 60)?;
    if draft.sort_order.unsigned_abs() > 1_000_000 {
        return Err(Error::invalid(
            Field::SortOrder,
            Rule::OutOfRange {
                min: -1_000_000,
                max: 1_000_000,
            },
        ));
    }
    Ok(name)
}

/// Creates (`id: None`) or updates a category inside the caller's transaction, and reports it.
pub(crate) fn save_category_in(
    cx: &Ctx<'_>,
    id: Option<CategoryId>,
    draft: &CategoryDraft,
) -> Result<Category> {
    let name = check_category(draft)?;
    let now = Stamp(cx.now);
    let id = match id {
        Some(id) => {
            let n = cx
                .prepare_cached(
                    "UPDATE categories SET name = ?2, sort_order = ?3, active = ?4, updated_at = ?5 WHERE id = ?1",
                )?
                .execute(params![id, name, draft.sort_order, draft.active, now])?;
            if n == 0 {
                return Err(Error::not_found(Entity::Category, id));
            }
            id
        }
        None => {
            let id = CategoryId::new(cx.now);
            cx.prepare_cached(
                "INSERT INTO categories (id, name, sort_order, active, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![id, name, draft.sort_order, draft.active, now])?;
            id
        }
    };
    let category = load_category(cx, id)?;
    outbox::append(cx, &Payload::CategoryUpserted(category.to_proto()))?;
    Ok(category)
}

/// Creates a product inside the caller's transaction (with its initial stock movement), and
/// reports it.
pub(crate) fn create_product_in(cx: &Ctx<'_>, draft: &ProductDraft) -> Result<Product> {
    let clean = clean_draft(draft)?;
    ensure_category(cx, draft.category_id)?;
    ensure_barcode_free(cx, clean.barcode.as_deref(), None)?;
    let id = ProductId::new(cx.now);
    cx.prepare_cached(
        "INSERT INTO products (id, category_id, name, description, price, stock, low_stock_warning,
            low_stock_critical, active, barcode, updated_at, featured, tags)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        id,
        draft.category_id,
        clean.name,
        clean.description,
        clean.price.0,
        draft.track_stock.then_some(0i64),
        draft.low_stock_warning,
        draft.low_stock_critical,
        draft.active,
        clean.barcode,
        Stamp(cx.now),
        draft.featured,
        clean.tags,
    ])?;
    if draft.track_stock && draft.initial_stock > 0 {
        move_stock(
            cx,
            cx.now,
            &StockMove {
                product: id,
                delta: draft.initial_stock,
                reason: "initial",
                order: None,
                staff: cx.member.id,
                note: "",
            },
        )?;
    }
    report_product(cx, id)
}

fn check_bulk(ids: &[ProductId]) -> Result<()> {
    if ids.is_empty() {
        return Err(Error::invalid(Field::Ids, Rule::Required));
    }
    if ids.len() > MAX_BULK {
        return Err(Error::invalid(
            Field::Ids,
            Rule::TooMany {
                max: MAX_BULK as u32,
            },
        ));
    }
    Ok(())
}

/// Sets one column on each named product where `unless_same` says it differs, reporting each
/// changed one to the server; returns the ids changed. An unknown id fails the whole call.
fn bulk_update(
    cx: &Ctx<'_>,
    ids: &[ProductId],
    set: &str,
    value: rusqlite::types::Value,
    unless_same: &str,
) -> Result<Vec<ProductId>> {
    let sql = format!("UPDATE products SET {set}, updated_at = ?3 WHERE id = ?1 AND {unless_same}");
    let mut changed = Vec::new();
    for id in ids {
        let n = cx
            .prepare_cached(&sql)?
            .execute(params![id, value, Stamp(cx.now)])?;
        if n == 0 {
            load_product(cx, *id)?; // NotFound rolls the whole batch back
            continue;
        }
        // A repeated id finds nothing left to change the second time.
        changed.push(*id);
        report_product(cx, *id)?;
    }
    Ok(changed)
}

/// Updates a product inside the caller's transaction, audits a price change, and reports it.
fn update_product_in(cx: &Ctx<'_>, id: ProductId, draft: &ProductDraft) -> Result<Product> {
    let clean = clean_draft(draft)?;
    let staff = cx.member.id;
    let before = load_product(cx, id)?;
    ensure_category(cx, draft.category_id)?;
    ensure_barcode_free(cx, clean.barcode.as_deref(), Some(id))?;
    match (before.stock, draft.track_stock) {
        (Some(s), false) if s > 0 => move_stock(
            cx,
            cx.now,
            &StockMove {
                product: id,
                delta: -s,
                reason: "untracked",
                order: None,
                staff,
                note: "",
            },
        )?,
        _ => {}
    }
    let stock_sql = match (before.stock.is_some(), draft.track_stock) {
        (_, false) => "NULL",
        (true, true) => "stock",
        (false, true) => "0",
    };
    cx.prepare_cached(&format!(
        "UPDATE products SET category_id = ?2, name = ?3, description = ?4, price = ?5,
                stock = {stock_sql}, low_stock_warning = ?6, low_stock_critical = ?7, active = ?8,
                barcode = ?9, updated_at = ?10, featured = ?11, tags = ?12
             WHERE id = ?1"
    ))?
    .execute(params![
        id,
        draft.category_id,
        clean.name,
        clean.description,
        clean.price.0,
        draft.low_stock_warning,
        draft.low_stock_critical,
        draft.active,
        clean.barcode,
        Stamp(cx.now),
        draft.featured,
        clean.tags
    ])?;
    match (before.stock, draft.track_stock) {
        // Counted from now on: the starting count the form gave, as an opening movement.
        (None, true) if draft.initial_stock > 0 => move_stock(
            cx,
            cx.now,
            &StockMove {
                product: id,
                delta: draft.initial_stock,
                reason: "initial",
                order: None,
                staff,
                note: "",
            },
        )?,
        // No longer counted: an open alert has nothing left to say.
        (Some(_), false) => stock::close_alert(cx, id, staff, cx.now)?,
        // New levels: the alert follows them at once.
        (Some(now), true)
            if (before.low_stock_warning, before.low_stock_critical)
                != (draft.low_stock_warning, draft.low_stock_critical) =>
        {
            stock::recheck_alert(
                cx,
                cx.now,
                id,
                now,
                draft.low_stock_warning,
                draft.low_stock_critical,
            )?
        }
        _ => {}
    }
    if before.price != clean.price {
        audit::record(
            cx,
            "price_changed",
            serde_json::json!({
                "product": id, "name": clean.name, "from": before.price, "to": clean.price
            }),
        )?;
    }
    report_product(cx, id)
}

/// The menu's use cases: `k.catalog()`.
pub struct Catalog<'k> {
    pub(crate) k: &'k Kasir,
}

impl Kasir {
    /// The menu: categories, products, modifiers, pictures, stock, search.
    pub fn catalog(&self) -> Catalog<'_> {
        Catalog { k: self }
    }
}

impl Catalog<'_> {
    /// Categories in menu order; inactive ones only for those who manage the menu.
    pub fn list_categories(&self, actor: &Actor, include_inactive: bool) -> Result<Vec<Category>> {
        let permission = if include_inactive {
            Permission::ManageCatalog
        } else {
            Permission::Sell
        };
        self.k.read(actor, permission, |conn, _| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, name, sort_order, active FROM categories WHERE active = 1 OR ?1
                 ORDER BY sort_order, name COLLATE NOCASE",
            )?;
            let rows = stmt.query_map([include_inactive], |r| {
                Ok(Category {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    sort_order: r.get(2)?,
                    active: r.get(3)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    pub fn create_category(&self, actor: &Actor, draft: CategoryDraft) -> Result<Category> {
        self.save_category(actor, None, draft)
    }

    pub fn update_category(
        &self,
        actor: &Actor,
        id: CategoryId,
        draft: CategoryDraft,
    ) -> Result<Category> {
        self.save_category(actor, Some(id), draft)
    }

    fn save_category(
        &self,
        actor: &Actor,
        id: Option<CategoryId>,
        draft: CategoryDraft,
    ) -> Result<Category> {
        check_category(&draft)?;
        self.k.write(actor, Permission::ManageCatalog, |cx| {
            let before = id.map(|id| load_category(cx, id)).transpose()?;
            let saved = save_category_in(cx, id, &draft)?;
            crate::audit::record(
                cx,
                "category_saved",
                serde_json::json!({ "before": before, "after": saved }),
            )?;
            Ok(saved)
        })
    }

    /// Puts categories in the given order (the first shown first), in one transaction; the
    /// ones not named keep their order after them. Audited, and each moved one goes to the
    /// server.
    pub fn reorder_categories(&self, actor: &Actor, order: &[CategoryId]) -> Result<Vec<Category>> {
        if order.len() > MAX_CATEGORIES {
            return Err(Error::invalid(
                Field::Id,
                Rule::TooMany {
                    max: MAX_CATEGORIES as u32,
                },
            ));
        }
        let mut seen = std::collections::HashSet::new();
        if !order.iter().all(|id| seen.insert(*id)) {
            return Err(Error::invalid(Field::Id, Rule::Repeated));
        }
        self.k.write(actor, Permission::ManageCatalog, |cx| {
            let mut all: Vec<Category> = {
                let mut stmt = cx.prepare_cached(
                    "SELECT id, name, sort_order, active FROM categories
                     ORDER BY sort_order, name COLLATE NOCASE",
                )?;
                let rows = stmt.query_map([], |r| {
                    Ok(Category {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        sort_order: r.get(2)?,
                        active: r.get(3)?,
                    })
                })?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            for id in order {
                if !all.iter().any(|c| c.id == *id) {
                    return Err(Error::not_found(Entity::Category, *id));
                }
            }
            all.sort_by_key(|c| {
                order
                    .iter()
                    .position(|id| *id == c.id)
                    .unwrap_or(usize::MAX)
            });
            let mut saved = Vec::with_capacity(all.len());
            for (i, c) in all.into_iter().enumerate() {
                let sort_order = (i as i64 + 1) * 10;
                if c.sort_order == sort_order {
                    saved.push(c);
                    continue;
                }
                let draft = CategoryDraft {
                    name: c.name,
                    sort_order,
                    active: c.active,
                };
                saved.push(save_category_in(cx, Some(c.id), &draft)?);
            }
            crate::audit::record(
                cx,
                "categories_reordered",
                // The names as well, so the log reads without looking the ids up.
                serde_json::json!({
                    "order": saved.iter().map(|c| c.id).collect::<Vec<_>>(),
                    "names": saved.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
                }),
            )?;
            Ok(saved)
        })
    }

    /// One product with its modifiers. Inactive products only for those who manage the menu.
    pub fn product(&self, actor: &Actor, id: ProductId) -> Result<Product> {
        self.k.read(actor, Permission::Sell, |conn, member| {
            let p = load_product(conn, id)?;
            if !p.active && !member.role.allows(Permission::ManageCatalog) {
                return Err(Error::not_found(Entity::Product, id));
            }
            Ok(p)
        })
    }

    pub fn create_product(&self, actor: &Actor, draft: ProductDraft) -> Result<Product> {
        clean_draft(&draft)?;
        self.k.write(actor, Permission::ManageCatalog, |cx| {
            create_product_in(cx, &draft)
        })
    }

    /// Updates a product. A price change is audited; turning stock tracking off writes the
    /// movement that empties the count, turning it on starts from zero.
    pub fn update_product(
        &self,
        actor: &Actor,
        id: ProductId,
        draft: ProductDraft,
    ) -> Result<Product> {
        clean_draft(&draft)?;
        self.k.write(actor, Permission::ManageCatalog, |cx| {
            update_product_in(cx, id, &draft)
        })
    }

    /// The product form's save: creates (`id: None`) or updates a product and, when given,
    /// sets its modifier groups (see [`Catalog::set_modifier_groups`]), all in one
    /// transaction, so a refused group leaves the product as it was.
    pub fn save_product(
        &self,
        actor: &Actor,
        id: Option<ProductId>,
        draft: ProductDraft,
        groups: Option<Vec<ModifierGroupDraft>>,
    ) -> Result<Product> {
        clean_draft(&draft)?;
        self.k.write(actor, Permission::ManageCatalog, |cx| {
            let saved = match id {
                None => create_product_in(cx, &draft)?,
                Some(id) => update_product_in(cx, id, &draft)?,
            };
            match &groups {
                Some(groups) => set_modifier_groups_in(cx, saved.id, groups),
                None => Ok(saved),
            }
        })
    }

    /// Activates or deactivates many products at once, in one audited transaction; returns
    /// how many changed. An unknown id changes nothing.
    pub fn set_products_active(
        &self,
        actor: &Actor,
        ids: &[ProductId],
        active: bool,
    ) -> Result<usize> {
        check_bulk(ids)?;
        self.k.write(actor, Permission::ManageCatalog, |cx| {
            let changed = bulk_update(
                cx,
                ids,
                "active = ?2",
                rusqlite::types::Value::Integer(active.into()),
                "active <> ?2",
            )?;
            audit::record(
                cx,
                "products_activated",
                serde_json::json!({ "active": active, "products": changed }),
            )?;
            Ok(changed.len())
        })
    }

    /// Moves many products to one category, in one audited transaction; returns how many
    /// changed. An unknown product or category changes nothing.
    pub fn move_products(
        &self,
        actor: &Actor,
        ids: &[ProductId],
        category: CategoryId,
    ) -> Result<usize> {
        check_bulk(ids)?;
        self.k.write(actor, Permission::ManageCatalog, |cx| {
            ensure_category(cx, category)?;
            let changed = bulk_update(
                cx,
                ids,
                "category_id = ?2",
                rusqlite::types::Value::Text(category.to_string()),
                "category_id <> ?2",
            )?;
            audit::record(
                cx,
                "products_moved",
                serde_json::json!({ "category": category, "products": changed }),
            )?;
            Ok(changed.len())
        })
    }
}

impl Category {
    pub(crate) fn to_proto(&self) -> kasir_proto::Category {
        kasir_proto::Category {
            id: self.id.0,
            name: self.name.clone(),
            sort_order: self.sort_order,
            active: self.active,
        }
    }
}

impl Product {
    pub(crate) fn to_proto(&self) -> kasir_proto::Product {
        kasir_proto::Product {
            id: self.id.0,
            category_id: self.category_id.0,
            name: self.name.clone(),
            description: self.description.clone(),
            price: self.price.0,
            stock: self.stock,
            low_stock_warning: self.low_stock_warning,
            low_stock_critical: self.low_stock_critical,
            active: self.active,
            barcode: self.barcode.clone(),
            featured: self.featured,
            tags: self.tags.clone(),
            image_id: self.image_id.clone(),
            // Filled by `report_product`, which reads them.
            pictures: Vec::new(),
            modifier_groups: self
                .modifier_groups
                .iter()
                .map(|g| kasir_proto::ModifierGroup {
                    id: g.id.0,
                    name: g.name.clone(),
                    min_choices: g.min_choices,
                    max_choices: g.max_choices,
                    options: g
                        .options
                        .iter()
                        .map(|o| kasir_proto::ModifierOption {
                            id: o.id.0,
                            name: o.name.clone(),
                            price_delta: o.price_delta.0,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}
