//! Stock by hand: adjustments with a reason, stock counts, a product's ledger with its running
//! balance, and low-stock alerts.
//!
//! **Invariant**: an alert is raised or resolved only inside the transaction of the movement
//! that crosses a level ([`after_move`]), with its notification; one open alert per product
//! (a unique index); a worse level replaces a milder one in the same alert.

use std::collections::HashSet;

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{Catalog, MAX_BULK, MAX_STOCK, Product, ProductId, StockLevel, StockMove};
use super::{load_product, move_stock};
use crate::access::{Actor, Permission};
use crate::kernel::text;
use crate::kernel::time::Stamp;
use crate::notices::{self, NoticeDetail, NoticeKind};
use crate::{Entity, Error, Field, Result, Rule, audit, outbox};
use kasir_proto::Payload;

/// Why a manager changed stock by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum StockReason {
    /// A delivery came in.
    Received,
    /// A count found a different number (stock counts write these).
    Counted,
    /// Spoilt, dropped, expired: always takes stock away.
    Waste,
    /// Any other correction.
    Correction,
}

impl StockReason {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            StockReason::Received => "received",
            StockReason::Counted => "counted",
            StockReason::Waste => "waste",
            StockReason::Correction => "correction",
        }
    }
}

/// A product's stock band: 0 fine, 1 warning, 2 critical, 3 sold out.
fn band(level: StockLevel) -> u8 {
    match level {
        StockLevel::Untracked | StockLevel::Ok => 0,
        StockLevel::Warning => 1,
        StockLevel::Critical => 2,
        StockLevel::Out => 3,
    }
}

fn level_name(band: u8) -> &'static str {
    match band {
        1 => "warning",
        2 => "critical",
        _ => "out",
    }
}

/// A product's count and levels just before a movement, as [`move_stock`] reads them.
pub(crate) struct Before {
    pub stock: i64,
    pub warning: Option<i64>,
    pub critical: Option<i64>,
}

/// Raises, worsens or resolves the product's alert when a movement from `before` by `delta`
/// crosses a level. Costs nothing when no level is crossed (most sales). A product's opening
/// stock (`opening`) counts as coming from a fine level: a product made with little stock
/// raises its alert at once.
pub(crate) fn after_move(
    conn: &Connection,
    now: Timestamp,
    product: ProductId,
    before: &Before,
    delta: i64,
    opening: bool,
) -> Result<()> {
    let after = before.stock + delta;
    let was = if opening {
        0
    } else {
        band(StockLevel::of(
            Some(before.stock),
            before.warning,
            before.critical,
        ))
    };
    let is = band(StockLevel::of(Some(after), before.warning, before.critical));
    if is > was {
        raise(conn, now, product, is, after)?;
    } else if is == 0 && was > 0 {
        conn.prepare_cached(
            "UPDATE stock_alerts SET resolved_at = ?2, resolution = 'restocked'
             WHERE product_id = ?1 AND resolved_at IS NULL",
        )?
        .execute(params![product, Stamp(now)])?;
    }
    Ok(())
}

/// Puts a product's alert in step with its current count and (new) levels: raises or worsens
/// it when the count is now in a band with no open alert at that level, resolves it when the
/// count is fine. For an edit of the levels, not a movement.
pub(crate) fn recheck_alert(
    conn: &Connection,
    now: Timestamp,
    product: ProductId,
    stock: i64,
    warning: Option<i64>,
    critical: Option<i64>,
) -> Result<()> {
    let is = band(StockLevel::of(Some(stock), warning, critical));
    let open: Option<String> = conn
        .prepare_cached(
            "SELECT level FROM stock_alerts WHERE product_id = ?1 AND resolved_at IS NULL",
        )?
        .query_row([product], |r| r.get(0))
        .optional()?;
    match (is, open) {
        (0, Some(_)) => {
            conn.prepare_cached(
                "UPDATE stock_alerts SET resolved_at = ?2, resolution = 'restocked'
                 WHERE product_id = ?1 AND resolved_at IS NULL",
            )?
            .execute(params![product, Stamp(now)])?;
        }
        (0, None) => {}
        (_, Some(level)) if level == level_name(is) => {}
        _ => {
            raise(conn, now, product, is, stock)?;
        }
    }
    Ok(())
}

/// Resolves a product's open alert because it is no longer counted (by whoever said so).
pub(crate) fn close_alert(
    conn: &Connection,
    product: ProductId,
    by: crate::access::StaffId,
    now: Timestamp,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE stock_alerts SET resolved_at = ?2, resolved_by = ?3, resolution = 'manager'
         WHERE product_id = ?1 AND resolved_at IS NULL",
    )?
    .execute(params![product, Stamp(now), by])?;
    Ok(())
}

/// Raises (or worsens) the product's open alert to `band`, and tells the managers.
fn raise(
    conn: &Connection,
    now: Timestamp,
    product: ProductId,
    band: u8,
    stock: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO stock_alerts (product_id, level, stock, raised_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (product_id) WHERE resolved_at IS NULL
         DO UPDATE SET level = excluded.level, stock = excluded.stock, raised_at = excluded.raised_at",
    )?
    .execute(params![product, level_name(band), stock, Stamp(now)])?;
    let name: String = conn
        .prepare_cached("SELECT name FROM products WHERE id = ?1")?
        .query_row([product], |r| r.get(0))?;
    notices::to_managers(
        conn,
        now,
        NoticeKind::StockAlert,
        &NoticeDetail {
            product_id: Some(product.to_string()),
            product_name: Some(name),
            level: Some(level_name(band).into()),
            stock: Some(stock),
            ..NoticeDetail::default()
        },
    )
}

/// One line of a stock count: the product and how many were counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CountLine {
    pub product_id: ProductId,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub counted: i64,
    /// The count the screen showed while counting. What sold since then is kept: the count
    /// moves by `counted - expected`, not to `counted`. Without it, the count now.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub expected: Option<i64>,
}

/// What a stock count changed for one product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CountedLine {
    pub product_id: ProductId,
    pub name: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub before: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub counted: i64,
    /// The movement written: `counted - expected` (what sold meanwhile kept), never taking
    /// the count below zero; zero lines write no movement.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub delta: i64,
}

/// One movement of a product's ledger, with the count it left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LedgerEntry {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub seq: i64,
    /// RFC 3339, UTC.
    pub at: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub delta: i64,
    /// `sale`, `cancel`, `received`, `counted`, `waste`, `correction`, `initial`,
    /// `untracked`; older rows may say `restock` (received) or `adjustment` (correction).
    pub reason: String,
    pub note: String,
    /// Who moved it (empty when the staff member is unknown to this till).
    pub staff_name: String,
    /// The sale's or cancellation's receipt number.
    pub receipt_no: Option<String>,
    /// The count after this movement.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub balance: i64,
}

/// A page of a product's ledger, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LedgerPage {
    pub entries: Vec<LedgerEntry>,
    /// Older entries remain: ask again with `before` = the last entry's `seq`.
    pub more: bool,
}

/// A low-stock alert as the alerts list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StockAlert {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub product_id: ProductId,
    pub product_name: String,
    /// `warning`, `critical` or `out`.
    pub level: String,
    /// The count when it was raised (or last worsened).
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub stock_then: i64,
    /// The count now (`None` if the product is no longer counted).
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub stock_now: Option<i64>,
    pub raised_at: String,
    pub resolved_at: Option<String>,
    /// Who resolved it, or `None` when restocking did (or it is open).
    pub resolved_by: Option<String>,
}

/// The most entries one ledger page or alert list returns.
pub const MAX_LEDGER_PAGE: u32 = 500;

fn check_delta(delta: i64, reason: StockReason) -> Result<()> {
    if delta == 0 {
        return Err(Error::invalid(Field::Delta, Rule::Zero));
    }
    if delta.unsigned_abs() > MAX_STOCK as u64 {
        return Err(Error::invalid(
            Field::Delta,
            Rule::OutOfRange {
                min: -MAX_STOCK,
                max: MAX_STOCK,
            },
        ));
    }
    if reason == StockReason::Waste && delta > 0 {
        return Err(Error::invalid(Field::Delta, Rule::WasteAddsStock));
    }
    // A delivery adds; taking stock away is waste or a correction.
    if reason == StockReason::Received && delta < 0 {
        return Err(Error::invalid(Field::Delta, Rule::NotPositive));
    }
    Ok(())
}

/// Writes one adjustment inside the caller's transaction: the movement, its audit entry and
/// its outbox entry. Returns the count after it.
fn adjust_in(
    cx: &crate::access::Ctx<'_>,
    id: ProductId,
    delta: i64,
    reason: StockReason,
    note: &str,
) -> Result<Option<i64>> {
    let staff = cx.member.id;
    move_stock(
        cx,
        cx.now,
        &StockMove {
            product: id,
            delta,
            reason: reason.as_str(),
            order: None,
            staff,
            note,
        },
    )?;
    let stock_after: Option<i64> = cx
        .prepare_cached("SELECT stock FROM products WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?;
    let adjusted = kasir_proto::StockAdjusted {
        product_id: id.0,
        delta,
        reason: reason.as_str().to_string(),
        note: note.to_string(),
        stock_after,
        staff_id: staff.0,
        at: cx.now,
    };
    audit::record(cx, "stock_adjusted", serde_json::to_value(&adjusted)?)?;
    outbox::append(cx, &Payload::StockAdjusted(adjusted))?;
    Ok(stock_after)
}

impl Catalog<'_> {
    /// Changes a tracked product's stock by hand, with a reason and a note; audited and sent
    /// to the server. Waste only takes stock away.
    pub fn adjust_stock(
        &self,
        actor: &Actor,
        id: ProductId,
        delta: i64,
        reason: StockReason,
        note: &str,
    ) -> Result<Product> {
        check_delta(delta, reason)?;
        let note = text::line(Field::Note, note, 200)?;
        self.k.write(actor, Permission::AdjustStock, |cx| {
            adjust_in(cx, id, delta, reason, &note)?;
            load_product(cx, id)
        })
    }

    /// A stock count: the counted quantity of many products. Each difference from the
    /// product's count becomes a `counted` movement, all in one transaction (one audit entry
    /// for the count, one outbox entry per product that changed). Every product must be
    /// tracked and named once.
    pub fn count_stock(
        &self,
        actor: &Actor,
        lines: &[CountLine],
        note: &str,
    ) -> Result<Vec<CountedLine>> {
        if lines.is_empty() {
            return Err(Error::invalid(Field::Count, Rule::Required));
        }
        if lines.len() > MAX_BULK {
            return Err(Error::invalid(
                Field::Count,
                Rule::TooMany {
                    max: MAX_BULK as u32,
                },
            ));
        }
        let mut seen = HashSet::new();
        for l in lines {
            if !seen.insert(l.product_id) {
                return Err(Error::invalid(Field::Count, Rule::Repeated));
            }
            if !(0..=MAX_STOCK).contains(&l.counted) {
                return Err(Error::invalid(
                    Field::Count,
                    Rule::OutOfRange {
                        min: 0,
                        max: MAX_STOCK,
                    },
                ));
            }
        }
        let note = text::line(Field::Note, note, 200)?;
        self.k.write(actor, Permission::AdjustStock, |cx| {
            let mut out = Vec::with_capacity(lines.len());
            for l in lines {
                let (name, stock): (String, Option<i64>) = cx
                    .prepare_cached("SELECT name, stock FROM products WHERE id = ?1")?
                    .query_row([l.product_id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?
                    .ok_or_else(|| Error::not_found(Entity::Product, l.product_id))?;
                let Some(before) = stock else {
                    return Err(Error::invalid(Field::Stock, Rule::NotTracked));
                };
                let delta = (l.counted - l.expected.unwrap_or(before)).max(-before);
                if delta != 0 {
                    adjust_in(cx, l.product_id, delta, StockReason::Counted, &note)?;
                }
                out.push(CountedLine {
                    product_id: l.product_id,
                    name,
                    before,
                    counted: l.counted,
                    delta,
                });
            }
            audit::record(
                cx,
                "stock_counted",
                serde_json::json!({
                    "note": note,
                    "lines": out.len(),
                    "changed": out.iter().filter(|l| l.delta != 0).count(),
                }),
            )?;
            Ok(out)
        })
    }

    /// A product's ledger, newest first, each entry with the count it left; `before` pages
    /// back from an entry's `seq`.
    pub fn stock_history(
        &self,
        actor: &Actor,
        id: ProductId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<LedgerPage> {
        if limit == 0 || limit > MAX_LEDGER_PAGE {
            return Err(Error::invalid(
                Field::Limit,
                Rule::OutOfRange {
                    min: 1,
                    max: MAX_LEDGER_PAGE as i64,
                },
            ));
        }
        let before = before.unwrap_or(i64::MAX);
        self.k.read(actor, Permission::AdjustStock, |conn, _| {
            let (rid, stock): (i64, Option<i64>) = conn
                .prepare_cached("SELECT rid, stock FROM products WHERE id = ?1")?
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?
                .ok_or_else(|| Error::not_found(Entity::Product, id))?;
            // The count after the newest entry shown: today's count less what came later.
            let later: i64 = conn
                .prepare_cached(
                    "SELECT COALESCE(SUM(delta), 0) FROM stock_movements
                     WHERE product_rid = ?1 AND seq >= ?2",
                )?
                .query_row(params![rid, before], |r| r.get(0))?;
            let mut balance = stock.unwrap_or(0) - later;
            let mut stmt = conn.prepare_cached(
                "SELECT m.seq, m.created_at, m.delta, m.reason, m.note,
                        COALESCE((SELECT s.name FROM staff s WHERE s.id = m.staff_id), ''),
                        (SELECT o.receipt_no FROM orders o WHERE o.id = m.order_id)
                 FROM stock_movements m
                 WHERE m.product_rid = ?1 AND m.seq < ?2
                 ORDER BY m.seq DESC LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![rid, before, limit + 1], |r| {
                Ok(LedgerEntry {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    delta: r.get(2)?,
                    reason: r.get(3)?,
                    note: r.get(4)?,
                    staff_name: r.get(5)?,
                    receipt_no: r.get(6)?,
                    balance: 0,
                })
            })?;
            let mut entries: Vec<LedgerEntry> = rows.collect::<rusqlite::Result<_>>()?;
            let more = entries.len() > limit as usize;
            entries.truncate(limit as usize);
            for e in &mut entries {
                e.balance = balance;
                balance -= e.delta;
            }
            Ok(LedgerPage { entries, more })
        })
    }

    /// Low-stock alerts: the open ones (worst first), then, if asked, the latest resolved.
    pub fn stock_alerts(&self, actor: &Actor, resolved_too: bool) -> Result<Vec<StockAlert>> {
        self.k.read(actor, Permission::AdjustStock, |conn, _| {
            let mut stmt = conn.prepare_cached(
                "SELECT a.id, a.product_id, p.name, a.level, a.stock, p.stock, a.raised_at,
                        a.resolved_at, (SELECT s.name FROM staff s WHERE s.id = a.resolved_by)
                 FROM stock_alerts a JOIN products p ON p.id = a.product_id
                 WHERE a.resolved_at IS NULL OR ?1
                 ORDER BY a.resolved_at IS NOT NULL,
                          CASE a.level WHEN 'out' THEN 0 WHEN 'critical' THEN 1 ELSE 2 END,
                          COALESCE(a.resolved_at, a.raised_at) DESC
                 LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![resolved_too, MAX_LEDGER_PAGE], |r| {
                Ok(StockAlert {
                    id: r.get(0)?,
                    product_id: r.get(1)?,
                    product_name: r.get(2)?,
                    level: r.get(3)?,
                    stock_then: r.get(4)?,
                    stock_now: r.get(5)?,
                    raised_at: r.get(6)?,
                    resolved_at: r.get(7)?,
                    resolved_by: r.get(8)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// How many alerts are open (the badge).
    pub fn open_alerts(&self, actor: &Actor) -> Result<u32> {
        self.k.read(actor, Permission::AdjustStock, |conn, _| {
            let n: i64 = conn
                .prepare_cached("SELECT COUNT(*) FROM stock_alerts WHERE resolved_at IS NULL")?
                .query_row([], |r| r.get(0))?;
            Ok(n as u32)
        })
    }

    /// A manager resolves an open alert (who and when are kept, and audited). Resolving one
    /// already resolved changes nothing.
    pub fn resolve_alert(&self, actor: &Actor, id: i64) -> Result<()> {
        self.k.write(actor, Permission::AdjustStock, |cx| {
            let open: Option<bool> = cx
                .prepare_cached("SELECT resolved_at IS NULL FROM stock_alerts WHERE id = ?1")?
                .query_row([id], |r| r.get(0))
                .optional()?;
            match open {
                None => Err(Error::not_found(Entity::StockAlert, id)),
                Some(false) => Ok(()),
                Some(true) => {
                    cx.prepare_cached(
                        "UPDATE stock_alerts SET resolved_at = ?2, resolved_by = ?3,
                                resolution = 'manager' WHERE id = ?1",
                    )?
                    .execute(params![id, Stamp(cx.now), cx.member.id])?;
                    audit::record(
                        cx,
                        "stock_alert_resolved",
                        serde_json::json!({ "alert": id }),
                    )?;
                    Ok(())
                }
            }
        })
    }
}
