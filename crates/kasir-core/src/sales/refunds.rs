//! Refunds: money given back for a paid order, whole or by chosen lines and quantities.
//!
//! **Invariants**: an order is never edited; a refund is new rows (the refund, its lines, its
//! payment out, the stock that went back) and an outbox entry, in one transaction, numbered
//! per terminal (`T01-R000001`). Never more of a line than was sold, across any number of
//! refunds; never more to a non-cash method than it paid. Amounts follow the one rule in
//! [`crate::money::refund`], so a full refund in parts returns exactly what was paid. A cash
//! refund comes out of the open shift's drawer; a refunded order can no longer be cancelled,
//! and a cancelled order cannot be refunded.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::Sales;
use crate::access::{Actor, Permission};
use crate::catalog::{ProductId, StockMove, move_stock};
use crate::kernel::ids::id_type;
use crate::kernel::text;
use crate::kernel::time::Stamp;
use crate::money::MoneyFormat;
use crate::money::pricing::LineTotals;
use crate::money::refund::{line_refund, line_share_after, order_refunded_after};
use crate::outbox;
use crate::sales::checkout::{Order, OrderId, OrderStatus, load_order};
use crate::sales::payments::PaymentMethod;
use crate::sales::shifts::{ShiftId, next_number, open_shift};
use crate::{Entity, Error, Field, Money, Result, Rule, audit, settings};
use kasir_proto::Payload;

id_type!(
    /// A refund's id.
    RefundId
);

/// One line to refund: the order line's position, how many, and where the goods go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RefundLineInput {
    /// The order line's position (0-based, as in `Order::lines`).
    pub line: u32,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub quantity: i64,
    /// Back to stock (true) or thrown away as waste (false).
    pub restock: bool,
}

/// A refund as the cashier asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RefundRequest {
    pub order_id: OrderId,
    pub lines: Vec<RefundLineInput>,
    pub reason: String,
    /// Cash from the drawer, or one of the order's non-cash methods.
    pub method: PaymentMethod,
    /// The card or QRIS reversal's reference, when there is one.
    pub reference: Option<String>,
}

/// A refunded quantity of one order line, and its money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RefundLine {
    pub line: u32,
    pub product_id: ProductId,
    pub product_name: String,
    pub category_name: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub quantity: i64,
    pub gross: Money,
    pub line_discount: Money,
    pub order_discount: Money,
    pub service: Money,
    pub tax: Money,
    pub total: Money,
    pub restock: bool,
}

/// Money that went back, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RefundPayment {
    pub method: PaymentMethod,
    pub amount: Money,
    pub reference: Option<String>,
}

/// A refund as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Refund {
    pub id: RefundId,
    pub refund_no: String,
    pub order_id: OrderId,
    /// The refunded order's receipt number.
    pub receipt_no: String,
    pub terminal: String,
    pub shift_id: Option<ShiftId>,
    pub staff_name: String,
    pub approved_by: Option<String>,
    pub reason: String,
    pub gross: Money,
    /// Line and order discounts given back with the lines (they lower the refund).
    pub discount: Money,
    pub service: Money,
    pub tax: Money,
    pub rounding: Money,
    pub total: Money,
    pub business_date: Date,
    pub created_at: Timestamp,
    pub lines: Vec<RefundLine>,
    pub payments: Vec<RefundPayment>,
}

/// What a refund would give back, before it is made (the screen shows it before the PIN).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RefundQuote {
    pub lines: Vec<RefundLine>,
    pub gross: Money,
    pub discount: Money,
    pub service: Money,
    pub tax: Money,
    pub rounding: Money,
    pub total: Money,
}

/// One line of an order, with what is left to refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RefundableLine {
    pub line: u32,
    pub product_name: String,
    pub modifiers: Vec<String>,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub sold: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub refunded: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub left: i64,
    /// The line's total as paid (its share of discounts, service and tax included).
    pub total: Money,
    /// Whether the product's stock is tracked now (the goods can go back to it).
    pub tracked: bool,
}

/// How much may still go back to one method the order was paid with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MethodLeft {
    pub method: PaymentMethod,
    pub paid: Money,
    pub left: Money,
}

/// An order as the refund screen sees it: its lines with what is left, and its refunds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RefundableOrder {
    pub order: Order,
    pub money_format: MoneyFormat,
    pub lines: Vec<RefundableLine>,
    pub refunds: Vec<Refund>,
    pub refunded: Money,
    pub left: Money,
    pub methods: Vec<MethodLeft>,
}

fn parts(l: &crate::sales::checkout::OrderLine) -> LineTotals {
    LineTotals {
        gross: l.gross,
        line_discount: l.line_discount,
        order_discount: l.order_discount,
        service: l.service,
        tax: l.tax,
        total: l.total,
    }
}

/// Quantities refunded so far, by order line.
fn refunded_by_line(conn: &Connection, order: OrderId) -> Result<HashMap<u32, i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT l.order_position, SUM(l.quantity) FROM refunds f
             JOIN refund_lines l ON l.refund_id = f.id WHERE f.order_id = ?1 GROUP BY l.order_position",
        )?
        .query_map([order], |r| Ok((r.get::<_, u32>(0)?, r.get::<_, i64>(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Money refunded so far, in all and by method.
fn refunded_money(conn: &Connection, order: OrderId) -> Result<(Money, HashMap<String, i64>)> {
    let total: i64 = conn
        .prepare_cached("SELECT COALESCE(SUM(total), 0) FROM refunds WHERE order_id = ?1")?
        .query_row([order], |r| r.get(0))?;
    let by_method = conn
        .prepare_cached(
            "SELECT p.method, SUM(p.amount) FROM refunds f JOIN refund_payments p ON p.refund_id = f.id
             WHERE f.order_id = ?1 GROUP BY p.method",
        )?
        .query_map([order], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok((Money(total), by_method))
}

/// The refund's lines and money by the rule, checked against what is left.
fn quote(conn: &Connection, order: &Order, lines: &[RefundLineInput]) -> Result<RefundQuote> {
    if order.status == OrderStatus::Cancelled {
        return Err(Error::InvalidTransition {
            from: "cancelled".into(),
            to: "refunded".into(),
        });
    }
    let before = refunded_by_line(conn, order.id)?;
    let everything_before = order
        .lines
        .iter()
        .enumerate()
        .all(|(i, l)| before.get(&(i as u32)).copied().unwrap_or(0) >= l.quantity);
    if everything_before {
        return Err(Error::invalid(Field::Order, Rule::FullyRefunded));
    }
    if lines.is_empty() {
        return Err(Error::invalid(Field::Lines, Rule::Required));
    }
    if lines.len() > order.lines.len() {
        return Err(Error::invalid(
            Field::Lines,
            Rule::TooMany {
                max: order.lines.len() as u32,
            },
        ));
    }
    let mut after = before.clone();
    let mut out = Vec::with_capacity(lines.len());
    for input in lines {
        let sold = order
            .lines
            .get(input.line as usize)
            .ok_or_else(|| Error::invalid(Field::Lines, Rule::Foreign))?;
        if lines.iter().filter(|l| l.line == input.line).count() > 1 {
            return Err(Error::invalid(Field::Lines, Rule::Repeated));
        }
        if input.quantity <= 0 {
            return Err(Error::invalid(Field::Quantity, Rule::NotPositive));
        }
        let done = before.get(&input.line).copied().unwrap_or(0);
        let left = sold.quantity - done;
        if input.quantity > left {
            return Err(Error::invalid(
                Field::Quantity,
                Rule::RefundExceedsSold {
                    product: sold.product_name.clone(),
                    left,
                },
            ));
        }
        after.insert(input.line, done + input.quantity);
        let share = line_refund(&parts(sold), sold.quantity, done, input.quantity);
        out.push(RefundLine {
            line: input.line,
            product_id: sold.product_id,
            product_name: sold.product_name.clone(),
            category_name: sold.category_name.clone(),
            quantity: input.quantity,
            gross: share.gross,
            line_discount: share.line_discount,
            order_discount: share.order_discount,
            service: share.service,
            tax: share.tax,
            total: share.total,
            restock: input.restock,
        });
    }
    let everything_after = order
        .lines
        .iter()
        .enumerate()
        .all(|(i, l)| after.get(&(i as u32)).copied().unwrap_or(0) >= l.quantity);
    let lines_after = Money::sum(order.lines.iter().enumerate().map(|(i, l)| {
        line_share_after(
            &parts(l),
            l.quantity,
            after.get(&(i as u32)).copied().unwrap_or(0),
        )
        .total
    }))?;
    // The unit the sale rounded to (orders from before V13: the shop's unit now).
    let sold_with: Option<i64> = conn
        .prepare_cached("SELECT cash_rounding FROM orders WHERE id = ?1")?
        .query_row([order.id], |r| r.get(0))?;
    let cash_rounding = match sold_with {
        Some(unit) => unit,
        None => settings::load(conn)?.cash_rounding,
    };
    let (refunded_before, _) = refunded_money(conn, order.id)?;
    let refunded_after =
        order_refunded_after(order.total, lines_after, everything_after, cash_rounding);
    let total = Money(refunded_after.0.saturating_sub(refunded_before.0).max(0));
    let lines_total = Money::sum(out.iter().map(|l| l.total))?;
    Ok(RefundQuote {
        gross: Money::sum(out.iter().map(|l| l.gross))?,
        discount: Money::sum(
            out.iter()
                .map(|l| Money(l.line_discount.0 + l.order_discount.0)),
        )?,
        service: Money::sum(out.iter().map(|l| l.service))?,
        tax: Money::sum(out.iter().map(|l| l.tax))?,
        rounding: total.checked_sub(lines_total)?,
        total,
        lines: out,
    })
}

fn load_refunds(conn: &Connection, order: &Order) -> Result<Vec<Refund>> {
    let heads = conn
        .prepare_cached(
            "SELECT f.id, f.refund_no, f.terminal, f.shift_id, f.staff_name, a.name, f.reason, f.gross,
                    f.discount, f.service, f.tax, f.rounding, f.total, f.business_date, f.created_at
             FROM refunds f LEFT JOIN staff a ON a.id = f.approved_by
             WHERE f.order_id = ?1 ORDER BY f.created_at, f.refund_no",
        )?
        .query_map([order.id], |r| {
            Ok((
                Refund {
                    id: r.get(0)?,
                    refund_no: r.get(1)?,
                    order_id: order.id,
                    receipt_no: order.receipt_no.clone(),
                    terminal: r.get(2)?,
                    shift_id: r.get(3)?,
                    staff_name: r.get(4)?,
                    approved_by: r.get(5)?,
                    reason: r.get(6)?,
                    gross: Money(r.get(7)?),
                    discount: Money(r.get(8)?),
                    service: Money(r.get(9)?),
                    tax: Money(r.get(10)?),
                    rounding: Money(r.get(11)?),
                    total: Money(r.get(12)?),
                    business_date: order.business_date,
                    created_at: r.get::<_, Stamp>(14)?.0,
                    lines: Vec::new(),
                    payments: Vec::new(),
                },
                r.get::<_, String>(13)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(heads.len());
    for (mut refund, day) in heads {
        refund.business_date = day
            .parse()
            .map_err(|e| Error::DatabaseCorrupt(format!("refund date {day:?}: {e}")))?;
        refund.lines = conn
            .prepare_cached(
                "SELECT order_position, product_id, product_name, category_name, quantity, gross,
                        line_discount, order_discount, service, tax, total, restock
                 FROM refund_lines WHERE refund_id = ?1 ORDER BY position",
            )?
            .query_map([refund.id], |r| {
                Ok(RefundLine {
                    line: r.get(0)?,
                    product_id: r.get(1)?,
                    product_name: r.get(2)?,
                    category_name: r.get(3)?,
                    quantity: r.get(4)?,
                    gross: Money(r.get(5)?),
                    line_discount: Money(r.get(6)?),
                    order_discount: Money(r.get(7)?),
                    service: Money(r.get(8)?),
                    tax: Money(r.get(9)?),
                    total: Money(r.get(10)?),
                    restock: r.get(11)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let payments = conn
            .prepare_cached(
                "SELECT method, amount, reference FROM refund_payments WHERE refund_id = ?1 ORDER BY position",
            )?
            .query_map([refund.id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (method, amount, reference) in payments {
            refund.payments.push(RefundPayment {
                method: PaymentMethod::parse(&method)?,
                amount: Money(amount),
                reference,
            });
        }
        out.push(refund);
    }
    Ok(out)
}

fn refundable(conn: &Connection, id: OrderId) -> Result<RefundableOrder> {
    let order = load_order(conn, id)?;
    let settings = settings::load(conn)?;
    let before = refunded_by_line(conn, id)?;
    let (refunded, by_method) = refunded_money(conn, id)?;
    let mut tracked =
        conn.prepare_cached("SELECT stock IS NOT NULL FROM products WHERE id = ?1")?;
    let mut lines = Vec::with_capacity(order.lines.len());
    for (i, l) in order.lines.iter().enumerate() {
        let done = before.get(&(i as u32)).copied().unwrap_or(0);
        lines.push(RefundableLine {
            line: i as u32,
            product_name: l.product_name.clone(),
            modifiers: l.modifiers.iter().map(|m| m.option.clone()).collect(),
            sold: l.quantity,
            refunded: done,
            left: l.quantity - done,
            total: l.total,
            tracked: tracked
                .query_row([l.product_id], |r| r.get(0))
                .optional()?
                .unwrap_or(false),
        });
    }
    let mut methods: Vec<MethodLeft> = Vec::new();
    for p in &order.payments {
        match methods.iter_mut().find(|m| m.method == p.method) {
            Some(m) => m.paid = m.paid.checked_add(p.amount)?,
            None => methods.push(MethodLeft {
                method: p.method,
                paid: p.amount,
                left: Money::ZERO,
            }),
        }
    }
    for m in &mut methods {
        let back = by_method.get(m.method.as_str()).copied().unwrap_or(0);
        m.left = Money((m.paid.0 - back).max(0));
    }
    Ok(RefundableOrder {
        money_format: MoneyFormat::new(&order.currency, &settings.locale, order.minor_unit),
        refunds: load_refunds(conn, &order)?,
        left: Money((order.total.0 - refunded.0).max(0)),
        refunded,
        lines,
        methods,
        order,
    })
}

impl Sales<'_> {
    /// Finds an order by its receipt number, typed or scanned from its receipt (`T01-000123`;
    /// case and surrounding spaces do not matter).
    pub fn find_order(&self, actor: &Actor, receipt_no: &str) -> Result<Order> {
        let wanted = text::line(Field::ReceiptNo, receipt_no, 40)?.to_uppercase();
        if wanted.is_empty() {
            return Err(Error::invalid(Field::ReceiptNo, Rule::Required));
        }
        self.k.read(actor, Permission::Sell, |conn, _| {
            let id: Option<OrderId> = conn
                .prepare_cached("SELECT id FROM orders WHERE receipt_no = ?1")?
                .query_row([&wanted], |r| r.get(0))
                .optional()?;
            match id {
                Some(id) => load_order(conn, id),
                None => Err(Error::not_found(Entity::Order, wanted)),
            }
        })
    }

    /// An order with what is left to refund, line by line and method by method, and its
    /// refunds so far.
    pub fn refundable(&self, actor: &Actor, order: OrderId) -> Result<RefundableOrder> {
        self.k
            .read(actor, Permission::Sell, |conn, _| refundable(conn, order))
    }

    /// What refunding `lines` would give back, computed as the refund would, changing nothing.
    pub fn quote_refund(
        &self,
        actor: &Actor,
        order: OrderId,
        lines: &[RefundLineInput],
    ) -> Result<RefundQuote> {
        self.k.read(actor, Permission::Sell, |conn, _| {
            let order = load_order(conn, order)?;
            quote(conn, &order, lines)
        })
    }

    /// Gives money back for chosen lines of a paid order. Needs the refund right or a
    /// manager's approval (their PIN).
    pub fn refund(
        &self,
        actor: &Actor,
        approver: Option<&Actor>,
        request: &RefundRequest,
    ) -> Result<Refund> {
        let reason = text::name(Field::Reason, &request.reason, 200)?;
        let reference = match request.reference.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(r) => Some(text::line(Field::Reference, r, 64)?),
        };
        self.k.write_approved(
            actor,
            approver,
            Permission::Sell,
            Permission::Refund,
            |cx| {
                let settings = settings::load(cx)?;
                let order = load_order(cx, request.order_id)?;
                let q = quote(cx, &order, &request.lines)?;
                let shift = open_shift(cx, &cx.terminal)?;
                if request.method == PaymentMethod::Cash && q.total.0 > 0 {
                    match shift {
                        None if settings.require_open_shift => return Err(Error::NoOpenShift),
                        None => {}
                        // The drawer cannot give more than it holds.
                        Some(open) => {
                            let held = crate::sales::shifts::drawer_holds(cx, open, cx.now)?;
                            if q.total > held {
                                return Err(Error::invalid(
                                    Field::Method,
                                    Rule::MoreThanPaidWith { method: "cash".into(), left: held.0.max(0) },
                                ));
                            }
                        }
                    }
                } else if request.method == PaymentMethod::Wallet && order.member_id.is_some() {
                    // Store credit: any refund of a member's order may go to their wallet.
                } else if request.method == PaymentMethod::Wallet {
                    return Err(Error::invalid(Field::Method, Rule::NeedsMember));
                } else if request.method != PaymentMethod::Cash {
                    let (_, back) = refunded_money(cx, order.id)?;
                    let paid: i64 = order
                        .payments
                        .iter()
                        .filter(|p| p.method == request.method)
                        .map(|p| p.amount.0)
                        .sum();
                    let method = request.method.as_str().to_string();
                    if paid == 0 {
                        return Err(Error::invalid(Field::Method, Rule::NotPaidWith { method }));
                    }
                    let left = paid - back.get(request.method.as_str()).copied().unwrap_or(0);
                    if q.total.0 > left {
                        return Err(Error::invalid(
                            Field::Method,
                            Rule::MoreThanPaidWith { method, left },
                        ));
                    }
                }
                let n = next_number(cx, &format!("{}-R", cx.terminal))?;
                let refund_no = format!("{}-R{n:06}", cx.terminal);
                let id = RefundId::new(cx.now);
                let day = cx.now.to_zoned(settings.time_zone()?).date();
                cx.prepare_cached(
                    "INSERT INTO refunds (id, refund_no, order_id, terminal, shift_id, staff_id, staff_name,
                        approved_by, reason, gross, discount, service, tax, rounding, total, business_date,
                        created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
                )?
                .execute(params![
                    id, refund_no, order.id, cx.terminal, shift, cx.member.id, cx.member.name,
                    cx.approved_by, reason, q.gross.0, q.discount.0, q.service.0, q.tax.0,
                    q.rounding.0, q.total.0, day.to_string(), Stamp(cx.now)
                ])?;
                let mut insert_line = cx.prepare_cached(
                    "INSERT INTO refund_lines (refund_id, position, order_position, product_id, product_name,
                        category_name, quantity, gross, line_discount, order_discount, service, tax, total, restock)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                )?;
                let mut proto_lines = Vec::with_capacity(q.lines.len());
                for (pos, l) in q.lines.iter().enumerate() {
                    insert_line.execute(params![
                        id, pos as i64, l.line, l.product_id, l.product_name, l.category_name,
                        l.quantity, l.gross.0, l.line_discount.0, l.order_discount.0, l.service.0,
                        l.tax.0, l.total.0, l.restock
                    ])?;
                    // Goods go back only to a product whose stock is tracked now.
                    let tracked: bool = cx
                        .prepare_cached("SELECT stock IS NOT NULL FROM products WHERE id = ?1")?
                        .query_row([l.product_id], |r| r.get(0))
                        .optional()?
                        .unwrap_or(false);
                    let returned = l.restock && tracked;
                    if returned {
                        let order_id = order.id.to_string();
                        move_stock(cx, cx.now, &StockMove {
                            product: l.product_id,
                            delta: l.quantity,
                            reason: "refund",
                            order: Some(&order_id),
                            staff: cx.member.id,
                            note: &refund_no,
                        })?;
                    }
                    proto_lines.push(kasir_proto::RefundLine {
                        order_line: l.line,
                        product_id: l.product_id.0,
                        product_name: l.product_name.clone(),
                        quantity: l.quantity,
                        gross: l.gross.0,
                        line_discount: l.line_discount.0,
                        order_discount: l.order_discount.0,
                        service: l.service.0,
                        tax: l.tax.0,
                        total: l.total.0,
                        restock: l.restock,
                        stock_returned: returned,
                    });
                }
                let mut payments = Vec::new();
                if q.total.0 > 0 {
                    cx.prepare_cached(
                        "INSERT INTO refund_payments (refund_id, position, method, amount, reference)
                         VALUES (?1, 0, ?2, ?3, ?4)",
                    )?
                    .execute(params![id, request.method.as_str(), q.total.0, reference])?;
                    payments.push(RefundPayment {
                        method: request.method,
                        amount: q.total,
                        reference: reference.clone(),
                    });
                }
                let proto = kasir_proto::Refund {
                    id: id.0,
                    refund_no: refund_no.clone(),
                    order_id: order.id.0,
                    terminal: cx.terminal.clone(),
                    shift_id: shift.map(|s| s.0),
                    staff_id: cx.member.id.0,
                    staff_name: cx.member.name.clone(),
                    approved_by: cx.approved_by.map(|a| a.0),
                    reason: reason.clone(),
                    gross: q.gross.0,
                    discount: q.discount.0,
                    service: q.service.0,
                    tax: q.tax.0,
                    rounding: q.rounding.0,
                    total: q.total.0,
                    business_date: day,
                    created_at: cx.now,
                    lines: proto_lines,
                    payments: payments
                        .iter()
                        .map(|p| kasir_proto::RefundPayment {
                            method: p.method.to_proto(),
                            amount: p.amount.0,
                            reference: p.reference.clone(),
                        })
                        .collect(),
                };
                audit::record(cx, "refund_given", serde_json::json!({
                    "refund": refund_no, "order": order.receipt_no, "total": q.total,
                    "method": request.method.as_str(), "reason": reason, "approved_by": cx.approved_by,
                }))?;
                outbox::append(cx, &Payload::Refund(proto))?;
                let cash_back = request.method == PaymentMethod::Cash && q.total.0 > 0;
                crate::outbox::print::after_refund(cx, &id.to_string(), cash_back)?;
                if let (Some(member), true) = (order.member_id, q.total.0 > 0) {
                    // Money back to the member's balances, in this same transaction.
                    match request.method {
                        PaymentMethod::Wallet => {
                            crate::members::wallet::post(
                                cx,
                                cx.now,
                                &cx.terminal,
                                &crate::members::wallet::NewWalletEntry {
                                    member,
                                    kind: crate::members::wallet::WalletKind::Refund,
                                    amount: q.total.0,
                                    method: None,
                                    reference: None,
                                    order: Some(order.id),
                                    refund: Some(id.0),
                                    shift: None,
                                    reason: &refund_no,
                                    staff: Some(cx.member.id),
                                },
                            )?;
                        }
                        PaymentMethod::Points => {
                            let (_, back) = refunded_money(cx, order.id)?;
                            let paid = Money::sum(
                                order.payments.iter().filter(|p| p.method == PaymentMethod::Points).map(|p| p.amount),
                            )?;
                            let refunded = Money(back.get("points").copied().unwrap_or(0));
                            crate::members::points::give_back_spent(cx, member, order.id, id.0, refunded, paid)?;
                        }
                        _ => {}
                    }
                }
                let after = refunded_by_line(cx, order.id)?;
                let everything = order.lines.iter().enumerate()
                    .all(|(i, l)| after.get(&(i as u32)).copied().unwrap_or(0) >= l.quantity);
                if everything {
                    // A full refund gives the coupon's use back (it no longer counts) and makes the
                    // voucher's redemption pending again.
                    crate::offers::coupons::give_back_use(cx, order.id)?;
                    crate::offers::vouchers::give_back(cx, order.id)?;
                }
                if let Some(member) = order.member_id {
                    // The member's spend goes down and the order's points come back in step.
                    let (refunded_in_all, _) = refunded_money(cx, order.id)?;
                    crate::members::debit_refund(cx, member, order.id, Some(id.0), q.total, refunded_in_all, order.total, false)?;
                }
                let approved_by = match cx.approved_by {
                    Some(a) => Some(cx.query_row("SELECT name FROM staff WHERE id = ?1", [a], |r| r.get(0))?),
                    None => None,
                };
                Ok(Refund {
                    id,
                    refund_no,
                    order_id: order.id,
                    receipt_no: order.receipt_no.clone(),
                    terminal: cx.terminal.clone(),
                    shift_id: shift,
                    staff_name: cx.member.name.clone(),
                    approved_by,
                    reason,
                    gross: q.gross,
                    discount: q.discount,
                    service: q.service,
                    tax: q.tax,
                    rounding: q.rounding,
                    total: q.total,
                    business_date: day,
                    created_at: cx.now,
                    lines: q.lines,
                    payments,
                })
            },
        )
    }
}
