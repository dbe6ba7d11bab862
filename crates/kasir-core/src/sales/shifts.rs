//! Shifts and the cash drawer: opening with a counted float, cash in and out with a reason,
//! the X report at any time and the Z report at close, with the count and its variance.
//!
//! **Invariants**: at most one open shift per terminal (a unique index); a closed shift is a
//! fact (a trigger refuses edits); Z numbers come from the terminal's counter (`T01-Z` in
//! `receipt_counters`) and never repeat; every action is one transaction with its outbox
//! entry. The expected cash is
//! `float + cash sales − cash refunds + cash in − cash out`, where cash sales are the cash
//! tenders (after change) of the shift's orders that were not cancelled.
//!
//! A shift's orders and refunds are found by business date (the shift's first to last day)
//! and then by shift id, so no index is added to the sale's write path.

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::access::{Actor, Ctx, Permission, StaffId};
use crate::kernel::ids::id_type;
use crate::kernel::text;
use crate::kernel::time::Stamp;
use crate::money::{MAX_AMOUNT, MoneyFormat, validate_amount};
use crate::outbox;
use crate::sales::payments::PaymentMethod;
use crate::sales::receipt::{center, two_cols, wrap};
use crate::settings;
use crate::{Error, Field, Kasir, Money, Result, Rule, audit};
use kasir_proto::Payload;

id_type!(
    /// A shift's id.
    ShiftId
);

id_type!(
    /// A cash movement's id.
    CashMovementId
);

/// The most of one note or coin a count may give.
pub const MAX_PIECES: i64 = 100_000;

/// The shop's notes and coins, largest first, for counting the drawer; empty for a currency
/// Kasir has no list for (the drawer is then counted as one total).
pub fn denominations(currency: &str) -> Vec<Money> {
    let values: &[i64] = match currency {
        "IDR" => &[
            100_000, 50_000, 20_000, 10_000, 5_000, 2_000, 1_000, 500, 200, 100,
        ],
        "USD" | "SGD" | "AUD" | "NZD" | "CAD" => {
            &[10_000, 5_000, 2_000, 1_000, 500, 100, 25, 10, 5, 1]
        }
        "EUR" => &[
            50_000, 20_000, 10_000, 5_000, 2_000, 1_000, 500, 200, 100, 50, 20, 10, 5, 2, 1,
        ],
        "MYR" => &[10_000, 5_000, 2_000, 1_000, 500, 100, 50, 20, 10, 5],
        _ => &[],
    };
    values.iter().map(|v| Money(*v)).collect()
}

/// How many of one note or coin were counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DenominationCount {
    pub value: Money,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub count: i64,
}

/// The cash counted at close: note by note, or as one total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum CashCount {
    Total { amount: Money },
    Denominations { counts: Vec<DenominationCount> },
}

impl CashCount {
    /// The counted total, checked: known notes and coins, no note twice, no negative or absurd
    /// counts.
    pub fn total(&self, currency: &str) -> Result<Money> {
        match self {
            CashCount::Total { amount } => validate_amount(Field::Counted, amount.0),
            CashCount::Denominations { counts } => {
                let known = denominations(currency);
                let mut seen = Vec::new();
                let mut total = Money::ZERO;
                for c in counts {
                    if !known.contains(&c.value) {
                        return Err(Error::invalid(Field::Denomination, Rule::NotADenomination));
                    }
                    if seen.contains(&c.value) {
                        return Err(Error::invalid(Field::Denomination, Rule::Repeated));
                    }
                    seen.push(c.value);
                    if c.count < 0 {
                        return Err(Error::invalid(Field::Count, Rule::Negative));
                    }
                    if c.count > MAX_PIECES {
                        return Err(Error::invalid(
                            Field::Count,
                            Rule::OutOfRange {
                                min: 0,
                                max: MAX_PIECES,
                            },
                        ));
                    }
                    total = total.checked_add(c.value.checked_mul(c.count)?)?;
                }
                if total.0 > MAX_AMOUNT {
                    return Err(Error::invalid(Field::Counted, Rule::TooLarge));
                }
                Ok(total)
            }
        }
    }
}

/// The drawer's expected cash: float + cash sales − cash refunds + cash in − cash out +
/// members' wallet top-ups paid in cash.
pub fn expected_cash(c: &CashFigures) -> Result<Money> {
    c.opening_float
        .checked_add(c.cash_sales)?
        .checked_sub(c.cash_refunds)?
        .checked_add(c.cash_in)?
        .checked_sub(c.cash_out)?
        .checked_add(c.wallet_top_ups)
}

/// Which way cash went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum CashDirection {
    /// Change added, a float top-up.
    In,
    /// A paid-out, a drop to the safe.
    Out,
}

impl CashDirection {
    fn as_str(self) -> &'static str {
        match self {
            CashDirection::In => "in",
            CashDirection::Out => "out",
        }
    }
}

/// A shift as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Shift {
    pub id: ShiftId,
    pub terminal: String,
    pub opened_by: String,
    pub opened_at: Timestamp,
    pub opening_float: Money,
    pub closed_by: Option<String>,
    pub closed_at: Option<Timestamp>,
    pub counted: Option<Money>,
    pub expected: Option<Money>,
    pub variance: Option<Money>,
    /// The count note by note, when it was counted so.
    pub count_detail: Vec<DenominationCount>,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub z_no: Option<i64>,
    pub note: String,
}

/// Cash put in or taken out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CashMovement {
    pub id: CashMovementId,
    pub direction: CashDirection,
    pub amount: Money,
    pub reason: String,
    pub staff_name: String,
    pub at: Timestamp,
}

/// The drawer's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CashFigures {
    pub opening_float: Money,
    pub cash_sales: Money,
    pub cash_refunds: Money,
    pub cash_in: Money,
    pub cash_out: Money,
    /// Members' wallets topped up with cash into this drawer.
    pub wallet_top_ups: Money,
    pub expected: Money,
    /// At close only.
    pub counted: Option<Money>,
    /// counted − expected (negative: short), at close only.
    pub variance: Option<Money>,
}

/// Sales, refunds and net of one payment method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MethodTotal {
    pub method: PaymentMethod,
    pub sales: Money,
    pub refunds: Money,
    pub net: Money,
}

/// One staff member's sales.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StaffTotal {
    pub staff_id: StaffId,
    pub name: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub orders: i64,
    pub total: Money,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ReportKind {
    /// During the shift: the figures so far; nothing is closed.
    X,
    /// At close: the shift's final figures, numbered.
    Z,
}

/// The X or Z report of a shift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ShiftReport {
    pub kind: ReportKind,
    pub shift: Shift,
    pub shop_name: String,
    pub made_at: Timestamp,
    /// Times written in the shop's zone, as printed: "2026-11-21 10:00".
    pub opened_local: String,
    pub closed_local: Option<String>,
    pub made_local: String,
    pub locale: String,
    pub money_format: MoneyFormat,
    /// Orders sold in the shift and not cancelled.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub orders: i64,
    /// Σ lines' unit price × quantity.
    pub gross: Money,
    /// Line and order discounts.
    pub discounts: Money,
    pub service: Money,
    pub tax: Money,
    pub rounding: Money,
    /// What customers paid for the orders (not cancelled).
    pub sales: Money,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub refund_count: i64,
    pub refunds: Money,
    /// sales − refunds.
    pub net: Money,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub cancelled_count: i64,
    pub cancelled_total: Money,
    /// sales ÷ orders, rounded half up (zero without orders).
    pub average_ticket: Money,
    pub by_method: Vec<MethodTotal>,
    pub by_staff: Vec<StaffTotal>,
    pub cash: CashFigures,
    pub cash_movements: Vec<CashMovement>,
}

/// The open shift on this terminal, if any.
pub(crate) fn open_shift(conn: &Connection, terminal: &str) -> Result<Option<ShiftId>> {
    Ok(conn
        .prepare_cached("SELECT id FROM shifts WHERE terminal = ?1 AND closed_at IS NULL")?
        .query_row([terminal], |r| r.get(0))
        .optional()?)
}

pub(crate) fn load_shift(conn: &Connection, id: ShiftId) -> Result<(Shift, Date, Option<Date>)> {
    conn.prepare_cached(
        "SELECT s.id, s.terminal, o.name, s.opened_at, s.opening_float, c.name, s.closed_at,
                s.counted, s.expected, s.variance, s.count_detail, s.z_no, s.note, s.opened_on,
                s.closed_on
         FROM shifts s JOIN staff o ON o.id = s.opened_by LEFT JOIN staff c ON c.id = s.closed_by
         WHERE s.id = ?1",
    )?
    .query_row([id], |r| {
        let detail: Option<String> = r.get(10)?;
        let opened_on: String = r.get(13)?;
        let closed_on: Option<String> = r.get(14)?;
        Ok((
            Shift {
                id: r.get(0)?,
                terminal: r.get(1)?,
                opened_by: r.get(2)?,
                opened_at: r.get::<_, Stamp>(3)?.0,
                opening_float: Money(r.get(4)?),
                closed_by: r.get(5)?,
                closed_at: r.get::<_, Option<Stamp>>(6)?.map(|s| s.0),
                counted: r.get::<_, Option<i64>>(7)?.map(Money),
                expected: r.get::<_, Option<i64>>(8)?.map(Money),
                variance: r.get::<_, Option<i64>>(9)?.map(Money),
                count_detail: Vec::new(),
                z_no: r.get(11)?,
                note: r.get(12)?,
            },
            detail,
            opened_on,
            closed_on,
        ))
    })
    .optional()?
    .ok_or_else(|| Error::not_found(crate::Entity::Shift, id))
    .and_then(|(mut shift, detail, opened_on, closed_on)| {
        if let Some(d) = detail {
            shift.count_detail = serde_json::from_str(&d)?;
        }
        let parse = |s: &str| {
            s.parse::<Date>()
                .map_err(|e| Error::DatabaseCorrupt(format!("shift date {s:?}: {e}")))
        };
        let closed_on = closed_on.as_deref().map(parse).transpose()?;
        Ok((shift, parse(&opened_on)?, closed_on))
    })
}

/// The figures of a shift, read from `conn` (a reader's snapshot, or the closing transaction).
pub(crate) fn build_report(
    conn: &Connection,
    id: ShiftId,
    kind: ReportKind,
    now: Timestamp,
) -> Result<ShiftReport> {
    let settings = settings::load(conn)?;
    let tz = settings.time_zone()?;
    let (shift, from, to) = load_shift(conn, id)?;
    let to = to
        .unwrap_or_else(|| now.to_zoned(tz.clone()).date())
        .max(from);
    let (from, to) = (from.to_string(), to.to_string());
    let range = params![from, to, id];

    let (orders, order_discount, service, tax, rounding, sales) = conn
        .prepare_cached(
            "SELECT COUNT(*), COALESCE(SUM(order_discount), 0), COALESCE(SUM(service), 0),
                    COALESCE(SUM(tax), 0), COALESCE(SUM(rounding), 0), COALESCE(SUM(total), 0)
             FROM orders
             WHERE business_date BETWEEN ?1 AND ?2 AND shift_id = ?3 AND status <> 'cancelled'",
        )?
        .query_row(range, |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?;
    // The shift's lines, order by order (each a seek on the lines' key).
    let (gross, line_discounts) = conn
        .prepare_cached(
            "SELECT COALESCE(SUM(l.gross), 0), COALESCE(SUM(l.line_discount), 0)
             FROM orders o JOIN order_lines l ON l.order_id = o.id
             WHERE o.business_date BETWEEN ?1 AND ?2 AND o.shift_id = ?3 AND o.status <> 'cancelled'",
        )?
        .query_row(range, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
    let (cancelled_count, cancelled_total) = conn
        .prepare_cached(
            "SELECT COUNT(*), COALESCE(SUM(total), 0) FROM orders
             WHERE business_date BETWEEN ?1 AND ?2 AND shift_id = ?3 AND status = 'cancelled'",
        )?
        .query_row(range, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
    let (refund_count, refunds) = conn
        .prepare_cached(
            "SELECT COUNT(*), COALESCE(SUM(total), 0) FROM refunds
             WHERE business_date BETWEEN ?1 AND ?2 AND shift_id = ?3",
        )?
        .query_row(range, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;

    let mut by_method: Vec<MethodTotal> = Vec::new();
    let sold = conn
        .prepare_cached(
            "SELECT p.method, SUM(p.amount) FROM orders o JOIN payments p ON p.order_id = o.id
             WHERE o.business_date BETWEEN ?1 AND ?2 AND o.shift_id = ?3 AND o.status <> 'cancelled'
             GROUP BY p.method",
        )?
        .query_map(range, |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let returned = conn
        .prepare_cached(
            "SELECT p.method, SUM(p.amount) FROM refunds f JOIN refund_payments p ON p.refund_id = f.id
             WHERE f.business_date BETWEEN ?1 AND ?2 AND f.shift_id = ?3 GROUP BY p.method",
        )?
        .query_map(range, |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for method in PaymentMethod::ALL {
        let s = sold
            .iter()
            .find(|(m, _)| m == method.as_str())
            .map_or(0, |x| x.1);
        let r = returned
            .iter()
            .find(|(m, _)| m == method.as_str())
            .map_or(0, |x| x.1);
        if s != 0 || r != 0 || method == PaymentMethod::Cash {
            by_method.push(MethodTotal {
                method,
                sales: Money(s),
                refunds: Money(r),
                net: Money(s - r),
            });
        }
    }
    let by_staff = conn
        .prepare_cached(
            "SELECT staff_id, MAX(staff_name), COUNT(*), SUM(total) FROM orders
             WHERE business_date BETWEEN ?1 AND ?2 AND shift_id = ?3 AND status <> 'cancelled'
             GROUP BY staff_id ORDER BY SUM(total) DESC, MAX(staff_name)",
        )?
        .query_map(range, |r| {
            Ok(StaffTotal {
                staff_id: r.get(0)?,
                name: r.get(1)?,
                orders: r.get(2)?,
                total: Money(r.get(3)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let cash_movements = conn
        .prepare_cached(
            "SELECT m.id, m.kind, m.amount, m.reason, COALESCE(s.name, ''), m.created_at
             FROM cash_movements m LEFT JOIN staff s ON s.id = m.staff_id
             WHERE m.shift_id = ?1 ORDER BY m.created_at, m.id",
        )?
        .query_map([id], |r| {
            Ok(CashMovement {
                id: r.get(0)?,
                direction: if r.get::<_, String>(1)? == "in" {
                    CashDirection::In
                } else {
                    CashDirection::Out
                },
                amount: Money(r.get(2)?),
                reason: r.get(3)?,
                staff_name: r.get(4)?,
                at: r.get::<_, Stamp>(5)?.0,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;

    let method = |m: PaymentMethod, f: fn(&MethodTotal) -> Money| {
        by_method
            .iter()
            .find(|t| t.method == m)
            .map_or(Money::ZERO, f)
    };
    let moved = |d: CashDirection| {
        Money::sum(
            cash_movements
                .iter()
                .filter(|m| m.direction == d)
                .map(|m| m.amount),
        )
    };
    let mut cash = CashFigures {
        opening_float: shift.opening_float,
        cash_sales: method(PaymentMethod::Cash, |t| t.sales),
        cash_refunds: method(PaymentMethod::Cash, |t| t.refunds),
        cash_in: moved(CashDirection::In)?,
        cash_out: moved(CashDirection::Out)?,
        wallet_top_ups: crate::members::wallet::cash_top_ups(conn, id)?,
        expected: Money::ZERO,
        counted: shift.counted,
        variance: shift.variance,
    };
    // A closed shift's expected cash is what it was at the close (its variance was counted
    // against it); an open one's is worked out now.
    cash.expected = match shift.expected {
        Some(stored) => stored,
        None => expected_cash(&cash)?,
    };
    let local = |t: Timestamp| {
        t.to_zoned(tz.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    };
    Ok(ShiftReport {
        kind,
        opened_local: local(shift.opened_at),
        closed_local: shift.closed_at.map(local),
        made_local: local(now),
        shop_name: settings.shop_name.clone(),
        made_at: now,
        locale: settings.locale.clone(),
        money_format: settings.money_format(),
        orders,
        gross: Money(gross),
        discounts: Money(line_discounts + order_discount),
        service: Money(service),
        tax: Money(tax),
        rounding: Money(rounding),
        sales: Money(sales),
        refund_count,
        refunds: Money(refunds),
        net: Money(sales - refunds),
        cancelled_count,
        cancelled_total: Money(cancelled_total),
        average_ticket: if orders == 0 {
            Money::ZERO
        } else {
            Money(crate::money::round_div(sales as i128, orders as i128) as i64)
        },
        by_method,
        by_staff,
        cash,
        cash_movements,
        shift,
    })
}

/// The cash the open shift's drawer should hold now.
pub(crate) fn drawer_holds(conn: &Connection, shift: ShiftId, now: Timestamp) -> Result<Money> {
    Ok(build_report(conn, shift, ReportKind::X, now)?.cash.expected)
}

/// Takes the terminal's next number from its counter under `key` (`T01-Z`, `T01-R`).
pub(crate) fn next_number(conn: &Connection, key: &str) -> Result<i64> {
    let last: Option<i64> = conn
        .prepare_cached("SELECT last FROM receipt_counters WHERE terminal = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?;
    let n = last.unwrap_or(0) + 1;
    conn.prepare_cached(
        "INSERT INTO receipt_counters (terminal, last) VALUES (?1, ?2)
         ON CONFLICT (terminal) DO UPDATE SET last = excluded.last",
    )?
    .execute(params![key, n])?;
    Ok(n)
}

/// The shift use cases: `k.shifts()`.
pub struct Shifts<'k> {
    k: &'k Kasir,
}

impl Kasir {
    /// Shifts and the cash drawer of this terminal.
    pub fn shifts(&self) -> Shifts<'_> {
        Shifts { k: self }
    }
}

impl Shifts<'_> {
    /// The shift open on this terminal, if any (the till shows it and asks for one to sell).
    pub fn current(&self, actor: &Actor) -> Result<Option<Shift>> {
        self.k.read(actor, Permission::Sell, |conn, _| {
            let terminal = crate::kernel::db::terminal_code(conn)?;
            open_shift(conn, &terminal)?
                .map(|id| load_shift(conn, id).map(|s| s.0))
                .transpose()
        })
    }

    /// Opens a shift on this terminal with the float counted into the drawer.
    pub fn open(&self, actor: &Actor, opening_float: i64) -> Result<Shift> {
        let opening_float = validate_amount(Field::Float, opening_float)?;
        self.k.write(actor, Permission::Shift, |cx| {
            if let Some(open) = open_shift(cx, &cx.terminal)? {
                let (s, _, _) = load_shift(cx, open)?;
                return Err(Error::ShiftAlreadyOpen {
                    opened_by: s.opened_by,
                    opened_at: s.opened_at,
                });
            }
            let tz = settings::load(cx)?.time_zone()?;
            let day = cx.now.to_zoned(tz).date();
            let id = ShiftId::new(cx.now);
            cx.execute(
                "INSERT INTO shifts (id, terminal, opened_by, opened_at, opened_on, opening_float)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    id,
                    cx.terminal,
                    cx.member.id,
                    Stamp(cx.now),
                    day.to_string(),
                    opening_float.0
                ],
            )?;
            let opened = kasir_proto::ShiftOpened {
                id: id.0,
                terminal: cx.terminal.clone(),
                opened_by: cx.member.id.0,
                opened_by_name: cx.member.name.clone(),
                opened_at: cx.now,
                business_date: day,
                opening_float: opening_float.0,
            };
            audit::record(cx, "shift_opened", serde_json::to_value(&opened)?)?;
            outbox::append(cx, &Payload::ShiftOpened(opened))?;
            Ok(load_shift(cx, id)?.0)
        })
    }

    /// Puts cash into the drawer or takes it out, with a reason. Needs the cash right or a
    /// manager's approval; audited.
    pub fn move_cash(
        &self,
        actor: &Actor,
        approver: Option<&Actor>,
        direction: CashDirection,
        amount: i64,
        reason: &str,
    ) -> Result<CashMovement> {
        let amount = validate_amount(Field::Amount, amount)?;
        if amount == Money::ZERO {
            return Err(Error::invalid(Field::Amount, Rule::NotPositive));
        }
        let reason = text::name(Field::Reason, reason, 200)?;
        self.k.write_approved(
            actor,
            approver,
            Permission::Shift,
            Permission::CashInOut,
            |cx| {
                let shift = open_shift(cx, &cx.terminal)?.ok_or(Error::NoOpenShift)?;
                if direction == CashDirection::Out {
                    // The drawer cannot give more than it holds.
                    let held = drawer_holds(cx, shift, cx.now)?;
                    if amount > held {
                        return Err(Error::invalid(
                            Field::Amount,
                            Rule::OutOfRange {
                                min: 1,
                                max: held.0.max(0),
                            },
                        ));
                    }
                }
                let id = CashMovementId::new(cx.now);
                cx.execute(
                    "INSERT INTO cash_movements (id, shift_id, kind, amount, reason, staff_id, approved_by, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![id, shift, direction.as_str(), amount.0, reason, cx.member.id, cx.approved_by, Stamp(cx.now)],
                )?;
                let moved = kasir_proto::CashMoved {
                    id: id.0,
                    shift_id: shift.0,
                    direction: match direction {
                        CashDirection::In => kasir_proto::CashDirection::In,
                        CashDirection::Out => kasir_proto::CashDirection::Out,
                    },
                    amount: amount.0,
                    reason: reason.clone(),
                    staff_id: cx.member.id.0,
                    approved_by: cx.approved_by.map(|a| a.0),
                    at: cx.now,
                };
                audit::record(cx, "cash_moved", serde_json::to_value(&moved)?)?;
                outbox::append(cx, &Payload::CashMoved(moved))?;
                crate::outbox::print::kick_drawer(cx)?;
                Ok(CashMovement {
                    id,
                    direction,
                    amount,
                    reason,
                    staff_name: cx.member.name.clone(),
                    at: cx.now,
                })
            },
        )
    }

    /// The open shift's figures so far (X report): nothing is closed or numbered.
    pub fn x_report(&self, actor: &Actor) -> Result<ShiftReport> {
        let now = self.k.now();
        self.k.read(actor, Permission::Shift, |conn, _| {
            let terminal = crate::kernel::db::terminal_code(conn)?;
            let id = open_shift(conn, &terminal)?.ok_or(Error::NoOpenShift)?;
            build_report(conn, id, ReportKind::X, now)
        })
    }

    /// Closes the open shift with the cash counted: records the expected cash, the variance
    /// and the next Z number, and returns the Z report. A closed shift is a fact.
    pub fn close(&self, actor: &Actor, count: &CashCount, note: &str) -> Result<ShiftReport> {
        let note = text::multiline(Field::Note, note, 500)?;
        self.k.write(actor, Permission::Shift, |cx| {
            let settings = settings::load(cx)?;
            let counted = count.total(&settings.currency)?;
            let id = open_shift(cx, &cx.terminal)?.ok_or(Error::NoOpenShift)?;
            let expected = build_report(cx, id, ReportKind::X, cx.now)?.cash.expected;
            let variance = counted.checked_sub(expected)?;
            let z_no = next_number(cx, &format!("{}-Z", cx.terminal))?;
            let day = cx.now.to_zoned(settings.time_zone()?).date();
            let detail = match count {
                CashCount::Total { .. } => None,
                CashCount::Denominations { counts } => Some(serde_json::to_string(
                    &counts.iter().filter(|c| c.count > 0).collect::<Vec<_>>(),
                )?),
            };
            cx.execute(
                "UPDATE shifts SET closed_by = ?2, closed_at = ?3, closed_on = ?4, counted = ?5,
                    expected = ?6, variance = ?7, count_detail = ?8, z_no = ?9, note = ?10
                 WHERE id = ?1",
                params![
                    id,
                    cx.member.id,
                    Stamp(cx.now),
                    day.to_string(),
                    counted.0,
                    expected.0,
                    variance.0,
                    detail,
                    z_no,
                    note
                ],
            )?;
            let closed = kasir_proto::ShiftClosed {
                id: id.0,
                terminal: cx.terminal.clone(),
                z_no,
                closed_by: cx.member.id.0,
                closed_at: cx.now,
                business_date: day,
                counted: counted.0,
                expected: expected.0,
                variance: variance.0,
                note,
            };
            audit::record(cx, "shift_closed", serde_json::to_value(&closed)?)?;
            outbox::append(cx, &Payload::ShiftClosed(closed))?;
            crate::outbox::print::report(cx, &format!("{id}:z"))?;
            build_report(cx, id, ReportKind::Z, cx.now)
        })
    }

    /// This till's shifts, newest first: the open one, then by when they closed.
    pub fn history(&self, actor: &Actor, limit: u32) -> Result<Vec<Shift>> {
        let limit = limit.clamp(1, 500);
        self.k.read(actor, Permission::ViewReports, |conn, _| {
            // This till's shifts under every code it has had (a rename, an enrolment).
            let ids = conn
                .prepare_cached(
                    "SELECT id FROM shifts ORDER BY closed_at IS NULL DESC, closed_at DESC, z_no DESC LIMIT ?1",
                )?
                .query_map(params![limit], |r| r.get::<_, ShiftId>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            ids.into_iter()
                .map(|id| load_shift(conn, id).map(|s| s.0))
                .collect()
        })
    }

    /// A past shift's Z report (a reprint), or the open one's X report.
    pub fn report(&self, actor: &Actor, id: ShiftId) -> Result<ShiftReport> {
        let now = self.k.now();
        self.k.read(actor, Permission::ViewReports, |conn, _| {
            let (shift, _, _) = load_shift(conn, id)?;
            let kind = if shift.closed_at.is_some() {
                ReportKind::Z
            } else {
                ReportKind::X
            };
            build_report(conn, id, kind, shift.closed_at.unwrap_or(now))
        })
    }
}

/// Whether selling is allowed now: the shop does not require a shift, or one is open. Returns
/// the open shift for the order to point at.
pub(crate) fn shift_for_sale(cx: &Ctx<'_>, required: bool) -> Result<Option<ShiftId>> {
    let shift = open_shift(cx, &cx.terminal)?;
    if shift.is_none() && required {
        return Err(Error::NoOpenShift);
    }
    Ok(shift)
}

struct Labels {
    x_title: &'static str,
    z_title: &'static str,
    terminal: &'static str,
    opened: &'static str,
    closed: &'static str,
    printed: &'static str,
    orders: &'static str,
    gross: &'static str,
    discounts: &'static str,
    service: &'static str,
    tax: &'static str,
    rounding: &'static str,
    sales: &'static str,
    refunds: &'static str,
    net: &'static str,
    cancelled: &'static str,
    average: &'static str,
    by_method: &'static str,
    by_staff: &'static str,
    drawer: &'static str,
    float: &'static str,
    cash_sales: &'static str,
    cash_refunds: &'static str,
    cash_in: &'static str,
    cash_out: &'static str,
    top_ups: &'static str,
    expected: &'static str,
    counted: &'static str,
    variance: &'static str,
    method: fn(PaymentMethod) -> &'static str,
}

const ID: Labels = Labels {
    x_title: "LAPORAN X",
    z_title: "LAPORAN Z",
    terminal: "Kasir",
    opened: "Buka",
    closed: "Tutup",
    printed: "Dicetak",
    orders: "Pesanan",
    gross: "Penjualan kotor",
    discounts: "Diskon",
    service: "Layanan",
    tax: "Pajak",
    rounding: "Pembulatan",
    sales: "Penjualan",
    refunds: "Pengembalian",
    net: "Bersih",
    cancelled: "Dibatalkan",
    average: "Rata-rata",
    by_method: "PER METODE",
    by_staff: "PER STAF",
    drawer: "LACI KAS",
    float: "Modal awal",
    cash_sales: "Penjualan tunai",
    cash_refunds: "Pengembalian tunai",
    cash_in: "Kas masuk",
    cash_out: "Kas keluar",
    top_ups: "Isi saldo tunai",
    expected: "Seharusnya",
    counted: "Dihitung",
    variance: "Selisih",
    method: |m| match m {
        PaymentMethod::Cash => "Tunai",
        PaymentMethod::Card => "Kartu",
        PaymentMethod::Qris => "QRIS",
        PaymentMethod::Ewallet => "E-wallet",
        PaymentMethod::Points => "Poin",
        PaymentMethod::Wallet => "Saldo member",
    },
};

const EN: Labels = Labels {
    x_title: "X REPORT",
    z_title: "Z REPORT",
    terminal: "Till",
    opened: "Opened",
    closed: "Closed",
    printed: "Printed",
    orders: "Orders",
    gross: "Gross sales",
    discounts: "Discounts",
    service: "Service",
    tax: "Tax",
    rounding: "Rounding",
    sales: "Sales",
    refunds: "Refunds",
    net: "Net",
    cancelled: "Cancelled",
    average: "Average ticket",
    by_method: "BY METHOD",
    by_staff: "BY STAFF",
    drawer: "CASH DRAWER",
    float: "Opening float",
    cash_sales: "Cash sales",
    cash_refunds: "Cash refunds",
    cash_in: "Cash in",
    cash_out: "Cash out",
    top_ups: "Wallet top-ups",
    expected: "Expected",
    counted: "Counted",
    variance: "Variance",
    method: |m| match m {
        PaymentMethod::Cash => "Cash",
        PaymentMethod::Card => "Card",
        PaymentMethod::Qris => "QRIS",
        PaymentMethod::Ewallet => "E-wallet",
        PaymentMethod::Points => "Points",
        PaymentMethod::Wallet => "Member wallet",
    },
};

impl ShiftReport {
    /// The report as monospaced text, `width` characters wide (32 for 58 mm paper, 48 for
    /// 80 mm), clamped to 24..=200.
    pub fn render_text(&self, width: usize) -> String {
        let width = width.clamp(24, 200);
        let l = if self.locale.starts_with("id") {
            &ID
        } else {
            &EN
        };
        let num = |m: Money| self.money_format.number(m);
        // An amount taken away, with its minus sign unless it is nothing.
        let minus = |m: Money| {
            if m == Money::ZERO {
                num(m)
            } else {
                format!("-{}", num(m))
            }
        };
        let rule = "-".repeat(width);
        let mut out = Vec::new();
        for line in wrap(&self.shop_name, width) {
            out.push(center(&line, width));
        }
        out.push(center(
            &match (self.kind, self.shift.z_no) {
                (ReportKind::Z, Some(n)) => format!("{} #{n}", l.z_title),
                _ => l.x_title.to_string(),
            },
            width,
        ));
        out.push(rule.clone());
        out.push(two_cols(l.terminal, &self.shift.terminal, width));
        out.push(two_cols(l.opened, &self.opened_local, width));
        out.extend(wrap(&format!("  {}", self.shift.opened_by), width));
        if let Some(closed) = &self.closed_local {
            out.push(two_cols(l.closed, closed, width));
            if let Some(by) = &self.shift.closed_by {
                out.extend(wrap(&format!("  {by}"), width));
            }
        }
        out.push(two_cols(l.printed, &self.made_local, width));
        out.push(rule.clone());
        out.push(two_cols(l.orders, &self.orders.to_string(), width));
        out.push(two_cols(l.gross, &num(self.gross), width));
        out.push(two_cols(l.discounts, &minus(self.discounts), width));
        out.push(two_cols(l.service, &num(self.service), width));
        out.push(two_cols(l.tax, &num(self.tax), width));
        out.push(two_cols(l.rounding, &num(self.rounding), width));
        out.push(two_cols(l.sales, &num(self.sales), width));
        out.push(two_cols(
            &format!("{} ({})", l.refunds, self.refund_count),
            &minus(self.refunds),
            width,
        ));
        out.push(two_cols(l.net, &num(self.net), width));
        out.push(two_cols(l.average, &num(self.average_ticket), width));
        out.push(two_cols(
            &format!("{} ({})", l.cancelled, self.cancelled_count),
            &num(self.cancelled_total),
            width,
        ));
        out.push(rule.clone());
        out.push(l.by_method.to_string());
        for m in &self.by_method {
            out.push(two_cols((l.method)(m.method), &num(m.net), width));
            if m.refunds.0 != 0 {
                out.push(two_cols(
                    &format!("  {}", l.refunds),
                    &minus(m.refunds),
                    width,
                ));
            }
        }
        out.push(rule.clone());
        out.push(l.by_staff.to_string());
        for s in &self.by_staff {
            out.push(two_cols(
                &format!("{} ({})", s.name, s.orders),
                &num(s.total),
                width,
            ));
        }
        out.push(rule.clone());
        out.push(l.drawer.to_string());
        let c = &self.cash;
        out.push(two_cols(l.float, &num(c.opening_float), width));
        out.push(two_cols(l.cash_sales, &num(c.cash_sales), width));
        out.push(two_cols(l.cash_refunds, &minus(c.cash_refunds), width));
        out.push(two_cols(l.cash_in, &num(c.cash_in), width));
        out.push(two_cols(l.cash_out, &minus(c.cash_out), width));
        for m in &self.cash_movements {
            let sign = if m.direction == CashDirection::Out {
                "-"
            } else {
                "+"
            };
            out.push(two_cols(
                &format!("  {}", m.reason),
                &format!("{sign}{}", num(m.amount)),
                width,
            ));
        }
        if c.wallet_top_ups.0 != 0 {
            out.push(two_cols(l.top_ups, &num(c.wallet_top_ups), width));
        }
        out.push(two_cols(l.expected, &num(c.expected), width));
        if let (Some(counted), Some(variance)) = (c.counted, c.variance) {
            out.push(two_cols(l.counted, &num(counted), width));
            let sign = if variance.0 > 0 { "+" } else { "" };
            out.push(two_cols(
                l.variance,
                &format!("{sign}{}", num(variance)),
                width,
            ));
        }
        out.push(rule);
        let mut text = out.join("\n");
        text.push('\n');
        text
    }
}
