//! Checkout and the life of an order: the sale transaction, the kitchen's status flow, and
//! cancellation.
//!
//! **Invariant**: a sale is one SQLite transaction that writes the order, its lines
//! (snapshots of name, price, modifiers, tax), its payments, its stock movements, its receipt
//! number and its outbox entry, and deletes the ticket. After a crash either all of it is
//! there or none of it. Once written, an order's money never changes (triggers refuse it);
//! corrections are new rows that point at the order.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::catalog::{ChosenModifier, ProductId, StockMove, move_stock};
use crate::kernel::ids::id_type;
use crate::{Entity, Field, Rule};
use kasir_proto::Payload;

use super::Sales;
use crate::access::{Actor, Permission, StaffId};
use crate::kernel::text;
use crate::kernel::time::Stamp;
use crate::money::MoneyFormat;
use crate::outbox;
use crate::sales::tickets::{OrderType, TicketId, load_ticket};
use crate::{Error, Money, Result, audit, settings};

pub use crate::sales::payments::{MAX_PAYMENTS, Payment, PaymentInput, PaymentMethod, settle};

id_type!(
    /// An order's id.
    OrderId
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum OrderStatus {
    Pending,
    Preparing,
    Ready,
    Completed,
    Cancelled,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Preparing => "preparing",
            OrderStatus::Ready => "ready",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Result<OrderStatus> {
        Ok(match s {
            "pending" => OrderStatus::Pending,
            "preparing" => OrderStatus::Preparing,
            "ready" => OrderStatus::Ready,
            "completed" => OrderStatus::Completed,
            "cancelled" => OrderStatus::Cancelled,
            other => {
                return Err(Error::invalid(
                    Field::Status,
                    Rule::Unknown {
                        value: other.into(),
                    },
                ));
            }
        })
    }

    /// Whether an order in this status may still be cancelled (not once completed).
    pub fn cancellable(self) -> bool {
        matches!(
            self,
            OrderStatus::Pending | OrderStatus::Preparing | OrderStatus::Ready
        )
    }

    pub(crate) fn to_proto(self) -> kasir_proto::OrderStatus {
        match self {
            OrderStatus::Pending => kasir_proto::OrderStatus::Pending,
            OrderStatus::Preparing => kasir_proto::OrderStatus::Preparing,
            OrderStatus::Ready => kasir_proto::OrderStatus::Ready,
            OrderStatus::Completed => kasir_proto::OrderStatus::Completed,
            OrderStatus::Cancelled => kasir_proto::OrderStatus::Cancelled,
        }
    }

    /// The kitchen's next step, if any.
    pub fn next(self) -> Option<OrderStatus> {
        match self {
            OrderStatus::Pending => Some(OrderStatus::Preparing),
            OrderStatus::Preparing => Some(OrderStatus::Ready),
            OrderStatus::Ready => Some(OrderStatus::Completed),
            OrderStatus::Completed | OrderStatus::Cancelled => None,
        }
    }
}

/// A sold line, as snapshotted at checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderLine {
    pub product_id: ProductId,
    pub product_name: String,
    pub category_name: String,
    pub base_price: Money,
    pub unit_price: Money,
    pub modifiers: Vec<ChosenModifier>,
    pub note: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub quantity: i64,
    pub gross: Money,
    pub line_discount: Money,
    pub order_discount: Money,
    pub service: Money,
    pub tax: Money,
    pub total: Money,
}

/// An order with everything a receipt or a server needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Order {
    pub id: OrderId,
    pub receipt_no: String,
    pub terminal: String,
    pub staff_id: StaffId,
    pub staff_name: String,
    pub order_type: OrderType,
    pub label: String,
    pub status: OrderStatus,
    pub subtotal: Money,
    /// Everything taken off the subtotal: the cashier's order discount and the coupon (the
    /// lines' `order_discount` shares add up to it).
    pub order_discount: Money,
    /// The coupon's part of `order_discount`, and its code.
    #[serde(default)]
    pub coupon_discount: Money,
    #[serde(default)]
    pub coupon_code: Option<String>,
    /// The voucher's part of `order_discount`, and the redemption used (its code and the
    /// voucher's name), if any.
    #[serde(default)]
    pub voucher_discount: Money,
    #[serde(default)]
    pub voucher: Option<String>,
    /// Where a delivery goes; when it went out and when it was delivered.
    #[serde(default)]
    pub delivery_address: Option<String>,
    #[serde(default)]
    pub out_for_delivery_at: Option<Timestamp>,
    #[serde(default)]
    pub delivered_at: Option<Timestamp>,
    pub service: Money,
    pub tax: Money,
    pub rounding: Money,
    pub total: Money,
    pub paid: Money,
    pub change: Money,
    pub tax_rate_bp: u32,
    pub service_rate_bp: u32,
    pub prices_include_tax: bool,
    pub currency: String,
    /// Digits after the decimal point of `currency` when the order was sold: its amounts are
    /// counts of that unit whatever the shop's settings say today.
    pub minor_unit: u32,
    pub discount_approved_by: Option<StaffId>,
    /// The shift it was sold in (none when the shop does not require one and none was open).
    pub shift_id: Option<crate::sales::shifts::ShiftId>,
    /// The member it was sold to, if any.
    pub member_id: Option<crate::members::MemberId>,
    pub cancel_reason: Option<String>,
    pub business_date: Date,
    pub created_at: Timestamp,
    pub lines: Vec<OrderLine>,
    pub payments: Vec<Payment>,
}

/// An order on the board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderSummary {
    pub id: OrderId,
    pub receipt_no: String,
    pub order_type: OrderType,
    pub label: String,
    pub status: OrderStatus,
    /// The kitchen's next step from here, if any (the board's big button).
    pub next_status: Option<OrderStatus>,
    /// Whether the order may still be cancelled.
    pub cancellable: bool,
    pub total: Money,
    /// What has been refunded from it so far (zero when nothing).
    pub refunded: Money,
    /// How to write this order's amounts: the currency and minor unit it was sold in, in the
    /// shop's language.
    pub money_format: MoneyFormat,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub items: i64,
    pub created_at: Timestamp,
    /// What to make, in ticket order: the kitchen reads these on the board.
    pub lines: Vec<BoardLine>,
    /// Where a delivery goes.
    pub delivery_address: Option<String>,
    /// A ready delivery waiting to go out: the board's big button sends it out (`send_out`).
    pub ready_to_send: bool,
    /// A delivery on its way (completing it means delivered).
    pub out_for_delivery: bool,
}

/// One line of an order as the kitchen sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BoardLine {
    pub name: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub quantity: i64,
    /// The chosen options' names, e.g. ["Large", "Less sugar"].
    pub modifiers: Vec<String>,
    pub note: String,
}

fn next_receipt_no(conn: &Connection, terminal: &str) -> Result<String> {
    // Safe inside the sale's write transaction, which no other writer can interleave.
    let n = crate::sales::shifts::next_number(conn, terminal)?;
    Ok(format!("{terminal}-{n:06}"))
}

pub(crate) fn load_order(conn: &Connection, id: OrderId) -> Result<Order> {
    let mut order = conn
        .prepare_cached(
            "SELECT id, receipt_no, terminal, staff_id, staff_name, order_type, label, status, subtotal,
                    order_discount, service, tax, rounding, total, paid, change_due, tax_rate_bp,
                    service_rate_bp, prices_include_tax, currency, discount_approved_by, cancel_reason,
                    business_date, created_at, minor_unit, shift_id, member_id, coupon_discount, coupon_code,
                    voucher_discount,
                    (SELECT r.code || ' ' || v.name FROM redemptions r JOIN vouchers v ON v.id = r.voucher_id
                     WHERE r.id = orders.redemption_id),
                    delivery_address, out_for_delivery_at, delivered_at
             FROM orders WHERE id = ?1",
        )?
        .query_row([id], |r| {
            let order_type: String = r.get(5)?;
            let status: String = r.get(7)?;
            let date: String = r.get(22)?;
            let at: Stamp = r.get(23)?;
            Ok((
                Order {
                    id: r.get(0)?,
                    receipt_no: r.get(1)?,
                    terminal: r.get(2)?,
                    staff_id: r.get(3)?,
                    staff_name: r.get(4)?,
                    order_type: OrderType::DineIn,
                    label: r.get(6)?,
                    status: OrderStatus::Pending,
                    subtotal: Money(r.get(8)?),
                    order_discount: Money(r.get(9)?),
                    coupon_discount: Money(r.get(27)?),
                    coupon_code: r.get(28)?,
                    voucher_discount: Money(r.get(29)?),
                    voucher: r.get(30)?,
                    delivery_address: r.get(31)?,
                    out_for_delivery_at: r.get::<_, Option<Stamp>>(32)?.map(|s| s.0),
                    delivered_at: r.get::<_, Option<Stamp>>(33)?.map(|s| s.0),
                    service: Money(r.get(10)?),
                    tax: Money(r.get(11)?),
                    rounding: Money(r.get(12)?),
                    total: Money(r.get(13)?),
                    paid: Money(r.get(14)?),
                    change: Money(r.get(15)?),
                    tax_rate_bp: r.get(16)?,
                    service_rate_bp: r.get(17)?,
                    prices_include_tax: r.get(18)?,
                    currency: r.get(19)?,
                    minor_unit: r.get(24)?,
                    discount_approved_by: r.get(20)?,
                    shift_id: r.get(25)?,
                    member_id: r.get(26)?,
                    cancel_reason: r.get(21)?,
                    business_date: date.parse().map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(22, rusqlite::types::Type::Text, Box::new(e))
                    })?,
                    created_at: at.0,
                    lines: Vec::new(),
                    payments: Vec::new(),
                },
                order_type,
                status,
            ))
        })
        .optional()?
        .map(|(mut o, ot, st)| -> Result<Order> {
            o.order_type = OrderType::parse(&ot)?;
            o.status = OrderStatus::parse(&st)?;
            Ok(o)
        })
        .transpose()?
        .ok_or_else(|| Error::not_found(Entity::Order, id))?;
    let lines = conn
        .prepare_cached(
            "SELECT product_id, product_name, category_name, base_price, unit_price, modifiers, note, quantity,
                    gross, line_discount, order_discount, service, tax, total
             FROM order_lines WHERE order_id = ?1 ORDER BY position",
        )?
        .query_map([id], |r| {
            let modifiers: String = r.get(5)?;
            Ok((
                modifiers,
                OrderLine {
                    product_id: r.get(0)?,
                    product_name: r.get(1)?,
                    category_name: r.get(2)?,
                    base_price: Money(r.get(3)?),
                    unit_price: Money(r.get(4)?),
                    modifiers: Vec::new(),
                    note: r.get(6)?,
                    quantity: r.get(7)?,
                    gross: Money(r.get(8)?),
                    line_discount: Money(r.get(9)?),
                    order_discount: Money(r.get(10)?),
                    service: Money(r.get(11)?),
                    tax: Money(r.get(12)?),
                    total: Money(r.get(13)?),
                },
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (modifiers, mut line) in lines {
        line.modifiers = serde_json::from_str(&modifiers)?;
        order.lines.push(line);
    }
    let payments = conn
        .prepare_cached("SELECT method, amount, tendered, change, reference FROM payments WHERE order_id = ?1 ORDER BY position")?
        .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
        .collect::<rusqlite::Result<Vec<(String, i64, i64, i64, Option<String>)>>>()?;
    for (method, amount, tendered, change, reference) in payments {
        order.payments.push(Payment {
            method: PaymentMethod::parse(&method)?,
            amount: Money(amount),
            tendered: Money(tendered),
            change: Money(change),
            reference,
        });
    }
    Ok(order)
}

impl Sales<'_> {
    /// Sells a ticket: prices it, checks the payments cover the total and the stock is there,
    /// and writes the whole sale in one transaction. The ticket is gone afterwards.
    pub fn checkout(
        &self,
        actor: &Actor,
        ticket_id: TicketId,
        payments: &[PaymentInput],
    ) -> Result<Order> {
        self.checkout_approved(actor, None, ticket_id, payments)
    }

    /// [`Sales::checkout`], with a manager's approval at hand: a total that discounts brought
    /// down to zero is given away, and only someone with the discount right (or their
    /// approval) confirms that at payment. The confirmation is audited.
    pub fn checkout_approved(
        &self,
        actor: &Actor,
        approver: Option<&Actor>,
        ticket_id: TicketId,
        payments: &[PaymentInput],
    ) -> Result<Order> {
        self.k.write(actor, Permission::Sell, |cx| {
            let (staff_id, staff_name) = (cx.member.id, cx.member.name.clone());
            let settings = settings::load(cx)?;
            let ticket = load_ticket(cx, ticket_id, cx.now)?;
            // Paying records the seller: only the member serving the ticket may.
            crate::sales::tickets::ensure_owner(cx, ticket.staff_id)?;
            if ticket.lines.is_empty() {
                return Err(Error::EmptyTicket);
            }
            // Discounts brought it to zero (cash rounding alone may too, and that is no gift).
            let discounted = ticket.totals.line_discounts > Money::ZERO || ticket.totals.order_discount > Money::ZERO;
            let given_away = ticket.totals.total == Money::ZERO && discounted;
            if given_away {
                let confirmed_by = if cx.member.role.allows(Permission::Discount) {
                    cx.member.id
                } else {
                    match approver {
                        Some(a) => crate::access::authorize(cx, a, Permission::Discount)?.id,
                        None => {
                            return Err(Error::Forbidden { permission: Permission::Discount, role: cx.member.role });
                        }
                    }
                };
                audit::record(cx, "zero_total_confirmed", serde_json::json!({
                    "ticket": ticket_id, "gross": ticket.totals.gross, "confirmed_by": confirmed_by
                }))?;
            }
            if let Some(line) = ticket.lines.iter().find(|l| !l.product_active) {
                return Err(Error::invalid(Field::Ticket, Rule::NoLongerSold { product: line.product_name.clone() }));
            }
            if let Some(rule) = ticket.coupon.as_ref().and_then(|c| c.refusal.clone()) {
                return Err(Error::invalid(Field::Coupon, rule));
            }
            if let Some(rule) = ticket.voucher.as_ref().and_then(|v| v.refusal.clone()) {
                return Err(Error::invalid(Field::Voucher, rule));
            }
            // A delivery needs somewhere to go.
            let delivery_address = (ticket.order_type == OrderType::Delivery).then(|| ticket.delivery_address.clone());
            if delivery_address.as_deref() == Some("") {
                return Err(Error::invalid(Field::Address, Rule::Required));
            }
            let totals = &ticket.totals;
            let order_discount = totals.order_level_discounts();
            let coupon_code = ticket.coupon.as_ref().map(|c| c.code.clone());
            let (payments, change) = settle(totals.total, payments)?;
            let paid = Money::sum(payments.iter().map(|p| p.amount))?;

            let shift = crate::sales::shifts::shift_for_sale(cx, settings.require_open_shift)?;
            let member = ticket.member.as_ref().map(|m| m.id);
            // Points and the wallet are the member's: checked here, taken after the order is
            // written, in this same transaction.
            let spent = crate::members::tenders(cx, member, &payments)?;
            let receipt_no = next_receipt_no(cx, &cx.terminal)?;
            let id = OrderId::new(cx.now);
            let business_date = cx.now.to_zoned(settings.time_zone()?).date();
            let ts = Stamp(cx.now);
            cx.prepare_cached(
                "INSERT INTO orders (id, receipt_no, terminal, staff_id, staff_name, order_type, label, status,
                    subtotal, order_discount, service, tax, rounding, total, paid, change_due, tax_rate_bp,
                    service_rate_bp, prices_include_tax, currency, discount_approved_by, business_date,
                    created_at, updated_at, minor_unit, shift_id, cash_rounding, member_id, coupon_discount,
                    coupon_code, voucher_discount, redemption_id, delivery_address)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                    ?17, ?18, ?19, ?20, ?21, ?22, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31)",
            )?
            .execute(params![
                id, receipt_no, cx.terminal, staff_id, staff_name, ticket.order_type.as_str(),
                ticket.label, totals.subtotal.0, order_discount.0, totals.service.0, totals.tax.0,
                totals.rounding.0, totals.total.0, paid.0, change.0, settings.tax_rate_bp,
                settings.service_rate_bp, settings.prices_include_tax, settings.currency,
                ticket.discount_approved_by, business_date.to_string(), ts, settings.minor_unit, shift,
                settings.cash_rounding, member, totals.coupon_discount.0, coupon_code,
                totals.voucher_discount.0, ticket.voucher.as_ref().map(|v| v.redemption_id),
                delivery_address
            ])?;

            let mut taken: BTreeMap<ProductId, i64> = BTreeMap::new();
            let mut insert_line = cx.prepare_cached(
                "INSERT INTO order_lines (order_id, position, product_id, product_name, category_name,
                    base_price, unit_price, modifiers, note, quantity, gross, line_discount, order_discount,
                    service, tax, total)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            )?;
            for (pos, l) in ticket.lines.iter().enumerate() {
                let t = &l.totals;
                insert_line.execute(params![
                    id, pos as i64, l.product_id, l.product_name,
                    l.category_name, l.base_price.0, l.unit_price.0, serde_json::to_string(&l.modifiers)?,
                    l.note, l.quantity, t.gross.0, t.line_discount.0, t.order_discount.0, t.service.0,
                    t.tax.0, t.total.0
                ])?;
                if l.stock.is_some() {
                    *taken.entry(l.product_id).or_default() += l.quantity;
                }
            }
            let mut insert_payment = cx.prepare_cached(
                "INSERT INTO payments (order_id, position, method, amount, tendered, change, reference, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for (pos, p) in payments.iter().enumerate() {
                insert_payment.execute(params![
                    id, pos as i64, p.method.as_str(), p.amount.0,
                    p.tendered.0, p.change.0, p.reference, ts
                ])?;
            }
            for (product, qty) in &taken {
                let order = id.to_string();
                move_stock(cx, cx.now, &StockMove { product: *product, delta: -qty, reason: "sale", order: Some(&order), staff: staff_id, note: "" })?;
            }
            cx.prepare_cached("DELETE FROM tickets WHERE id = ?1")?.execute([ticket_id])?;

            // Built from what was just written (the outbox test reads it back to prove they agree).
            let order = Order {
                id,
                receipt_no,
                terminal: cx.terminal.clone(),
                staff_id,
                staff_name,
                order_type: ticket.order_type,
                label: ticket.label.clone(),
                status: OrderStatus::Pending,
                subtotal: totals.subtotal,
                order_discount,
                coupon_discount: totals.coupon_discount,
                coupon_code,
                voucher_discount: totals.voucher_discount,
                voucher: ticket.voucher.as_ref().map(|v| format!("{} {}", v.code, v.name)),
                delivery_address: delivery_address.clone(),
                out_for_delivery_at: None,
                delivered_at: None,
                service: totals.service,
                tax: totals.tax,
                rounding: totals.rounding,
                total: totals.total,
                paid,
                change,
                tax_rate_bp: settings.tax_rate_bp,
                service_rate_bp: settings.service_rate_bp,
                prices_include_tax: settings.prices_include_tax,
                currency: settings.currency.clone(),
                minor_unit: settings.minor_unit,
                discount_approved_by: ticket.discount_approved_by,
                shift_id: shift,
                member_id: member,
                cancel_reason: None,
                business_date,
                created_at: cx.now,
                lines: ticket
                    .lines
                    .iter()
                    .map(|l| OrderLine {
                        product_id: l.product_id,
                        product_name: l.product_name.clone(),
                        category_name: l.category_name.clone(),
                        base_price: l.base_price,
                        unit_price: l.unit_price,
                        modifiers: l.modifiers.clone(),
                        note: l.note.clone(),
                        quantity: l.quantity,
                        gross: l.totals.gross,
                        line_discount: l.totals.line_discount,
                        order_discount: l.totals.order_discount,
                        service: l.totals.service,
                        tax: l.totals.tax,
                        total: l.totals.total,
                    })
                    .collect(),
                payments,
            };
            let sale = kasir_proto::Sale {
                order: order.to_proto(),
                stock_movements: taken.into_iter().map(|(product, quantity)| kasir_proto::StockTaken { product_id: product.0, quantity }).collect(),
            };
            outbox::append(cx, &Payload::Sale(sale))?;
            if let Some(c) = &ticket.coupon {
                crate::offers::coupons::record_use(cx, c.id, id, member, totals.coupon_discount)?;
            }
            if let Some(v) = &ticket.voucher {
                crate::offers::vouchers::use_on(cx, v.redemption_id, id)?;
            }
            if let Some(member) = member {
                crate::members::spend_tenders(cx, member, id, &spent)?;
                // Points on what was paid, in the sale's own transaction; points spent on
                // the order earn none.
                let paid_for_points = totals.total.checked_sub(spent.points_value)?;
                crate::members::credit_sale(cx, member, id, totals.total, paid_for_points)?;
            }
            // The drawer, the receipt and the kitchen's tickets, queued with the sale.
            let cash = order.payments.iter().any(|p| p.method == PaymentMethod::Cash);
            crate::outbox::print::after_sale(cx, &id.to_string(), cash)?;
            Ok(order)
        })
    }

    pub fn order(&self, actor: &Actor, id: OrderId) -> Result<Order> {
        self.k
            .read(actor, Permission::Sell, |conn, _| load_order(conn, id))
    }

    /// Orders of one business day (the shop's local date), oldest first.
    pub fn orders_for_day(&self, actor: &Actor, day: Date) -> Result<Vec<OrderSummary>> {
        self.k.read(actor, Permission::Sell, |conn, _| {
            let locale = settings::load(conn)?.locale;
            orders_for_day(conn, day, &locale)
        })
    }

    /// Orders of today's business day: the orders board.
    pub fn orders_today(&self, actor: &Actor) -> Result<Vec<OrderSummary>> {
        let today = self.k.settings().today()?;
        self.orders_for_day(actor, today)
    }

    /// Moves an order one step along the kitchen flow: pending → preparing → ready → completed.
    /// A delivery goes out ([`Sales::send_out`]) between ready and completed (delivered).
    pub fn advance_order(&self, actor: &Actor, id: OrderId, to: OrderStatus) -> Result<Order> {
        self.k.write(actor, Permission::Sell, |cx| {
            let order = load_order(cx, id)?;
            let from = order.status;
            if from.next() != Some(to) {
                return Err(Error::InvalidTransition {
                    from: from.as_str().into(),
                    to: to.as_str().into(),
                });
            }
            let delivery = order.order_type == OrderType::Delivery;
            if delivery && to == OrderStatus::Completed && order.out_for_delivery_at.is_none() {
                return Err(Error::InvalidTransition {
                    from: from.as_str().into(),
                    to: "delivered".into(),
                });
            }
            cx.execute(
                "UPDATE orders SET status = ?2, updated_at = ?3,
                    delivered_at = CASE WHEN ?4 THEN ?3 ELSE delivered_at END
                 WHERE id = ?1",
                params![
                    id,
                    to.as_str(),
                    Stamp(cx.now),
                    delivery && to == OrderStatus::Completed
                ],
            )?;
            outbox::append(
                cx,
                &Payload::OrderStatus(kasir_proto::OrderStatusChanged {
                    order_id: id.0,
                    status: to.to_proto(),
                    at: cx.now,
                }),
            )?;
            load_order(cx, id)
        })
    }

    /// Sends a ready delivery out: on its way, until it is completed (delivered).
    pub fn send_out(&self, actor: &Actor, id: OrderId) -> Result<Order> {
        self.k.write(actor, Permission::Sell, |cx| {
            let order = load_order(cx, id)?;
            if order.order_type != OrderType::Delivery
                || order.status != OrderStatus::Ready
                || order.out_for_delivery_at.is_some()
            {
                return Err(Error::InvalidTransition {
                    from: order.status.as_str().into(),
                    to: "out_for_delivery".into(),
                });
            }
            cx.execute(
                "UPDATE orders SET out_for_delivery_at = ?2, updated_at = ?2 WHERE id = ?1",
                params![id, Stamp(cx.now)],
            )?;
            outbox::append(
                cx,
                &Payload::OrderSentOut(kasir_proto::OrderSentOut {
                    order_id: id.0,
                    at: cx.now,
                }),
            )?;
            audit::record(
                cx,
                "order_sent_out",
                serde_json::json!({ "order": id, "receipt": order.receipt_no }),
            )?;
            load_order(cx, id)
        })
    }

    /// Cancels an order that is not completed, with a reason; puts its stock back. Needs the
    /// cancel right, or an approver (a manager's PIN) who has it.
    pub fn cancel_order(
        &self,
        actor: &Actor,
        approver: Option<&Actor>,
        id: OrderId,
        reason: &str,
    ) -> Result<Order> {
        let reason = text::name(Field::Reason, reason, 200)?;
        self.k.write_approved(actor, approver, Permission::Sell, Permission::CancelOrder, |cx| {
            let (staff, approved_by) = (cx.member.id, cx.approved_by);
            let order = load_order(cx, id)?;
            if !order.status.cancellable() {
                return Err(Error::InvalidTransition { from: order.status.as_str().into(), to: "cancelled".into() });
            }
            // Money already went back for part of it: the rest is refunded, not cancelled.
            let refunded: bool = cx
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM refunds WHERE order_id = ?1)")?
                .query_row([id], |r| r.get(0))?;
            if refunded {
                return Err(Error::invalid(Field::Order, Rule::HasRefunds));
            }
            // Its money went into another shift's drawer, now closed: giving it back out of
            // this one is a refund (recorded in this shift), not a cancellation.
            if let Some(sold_in) = order.shift_id
                && crate::sales::shifts::open_shift(cx, &cx.terminal)? != Some(sold_in)
            {
                return Err(Error::invalid(Field::Order, Rule::FromAnotherShift));
            }
            cx.execute(
                "UPDATE orders SET status = 'cancelled', cancel_reason = ?2, cancelled_by = ?3, updated_at = ?4 WHERE id = ?1",
                params![id, reason, staff, Stamp(cx.now)],
            )?;
            let mut sold: Vec<(ProductId, i64)> = Vec::new();
            let products: std::collections::BTreeSet<ProductId> = order.lines.iter().map(|l| l.product_id).collect();
            let mut taken = cx.prepare_cached(
                // The product's newest entries first: an order is cancelled soon after it is made.
                "SELECT -m.delta FROM stock_movements m
                 WHERE m.product_rid = (SELECT rid FROM products WHERE id = ?1) AND m.order_id = ?2 AND m.reason = 'sale'
                 ORDER BY m.rowid DESC LIMIT 1",
            )?;
            for product in products {
                let qty: Option<i64> = taken.query_row(params![product, id], |r| r.get(0)).optional()?;
                sold.extend(qty.map(|q| (product, q)));
            }
            for (product, qty) in &sold {
                // A product whose tracking was switched off since the sale gets nothing back.
                let tracked: bool = cx.query_row("SELECT stock IS NOT NULL FROM products WHERE id = ?1", [product], |r| r.get(0))?;
                if tracked {
                    let order = id.to_string();
                    move_stock(cx, cx.now, &StockMove { product: *product, delta: *qty, reason: "cancel", order: Some(&order), staff, note: &reason })?;
                }
            }
            let cancelled = kasir_proto::OrderCancelled {
                order_id: id.0,
                receipt_no: order.receipt_no.clone(),
                reason: reason.clone(),
                cancelled_by: staff.0,
                approved_by: approved_by.map(|a| a.0),
                at: cx.now,
                stock_returned: sold.iter().map(|(p, q)| kasir_proto::StockReturned { product_id: p.0, quantity: *q }).collect(),
            };
            audit::record(cx, "order_cancelled", serde_json::to_value(&cancelled)?)?;
            outbox::append(cx, &Payload::OrderCancelled(cancelled))?;
            crate::offers::coupons::give_back_use(cx, id)?;
            crate::offers::vouchers::give_back(cx, id)?;
            if let Some(member) = order.member_id {
                // Not a visit after all: the spend and every point the order earned go back.
                crate::members::debit_refund(cx, member, id, None, order.total, order.total, order.total, true)?;
            }
            load_order(cx, id)
        })
    }
}

/// The board's orders of one business day, with their lines.
fn orders_for_day(conn: &Connection, day: Date, locale: &str) -> Result<Vec<OrderSummary>> {
    let mut stmt = conn.prepare_cached(
            "SELECT o.id, o.receipt_no, o.order_type, o.label, o.status, o.total,
                    (SELECT COALESCE(SUM(quantity), 0) FROM order_lines l WHERE l.order_id = o.id), o.created_at,
                    o.currency, o.minor_unit,
                    (SELECT COALESCE(SUM(total), 0) FROM refunds f WHERE f.order_id = o.id),
                    o.delivery_address, o.out_for_delivery_at IS NOT NULL
             FROM orders o WHERE o.business_date = ?1 ORDER BY o.created_at, o.receipt_no",
        )?;
    let rows = stmt.query_map([day.to_string()], |r| {
        Ok((
            (
                r.get::<_, OrderId>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ),
            (
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, Stamp>(7)?,
            ),
            (
                r.get::<_, String>(8)?,
                r.get::<_, u32>(9)?,
                r.get::<_, i64>(10)?,
                r.get::<_, Option<String>>(11)?,
                r.get::<_, bool>(12)?,
            ),
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (
            (id, receipt_no, ot, label),
            (st, total, items, at),
            (currency, minor_unit, refunded, address, sent),
        ) = row?;
        let status = OrderStatus::parse(&st)?;
        let order_type = OrderType::parse(&ot)?;
        // A ready delivery goes out before it can be completed (delivered).
        let waits_to_go =
            order_type == OrderType::Delivery && status == OrderStatus::Ready && !sent;
        out.push(OrderSummary {
            id,
            receipt_no,
            order_type,
            label,
            status,
            next_status: if waits_to_go { None } else { status.next() },
            cancellable: status.cancellable(),
            total: Money(total),
            refunded: Money(refunded),
            money_format: MoneyFormat::new(&currency, locale, minor_unit),
            items,
            created_at: at.0,
            lines: Vec::new(),
            delivery_address: address,
            ready_to_send: waits_to_go,
            out_for_delivery: sent && status == OrderStatus::Ready,
        });
    }
    // The day's lines in one query, handed to their orders.
    let index: HashMap<OrderId, usize> = out.iter().enumerate().map(|(i, o)| (o.id, i)).collect();
    let mut stmt = conn.prepare_cached(
        "SELECT l.order_id, l.product_name, l.quantity, l.modifiers, l.note
             FROM orders o JOIN order_lines l ON l.order_id = o.id
             WHERE o.business_date = ?1 ORDER BY l.order_id, l.position",
    )?;
    let lines = stmt.query_map([day.to_string()], |r| {
        Ok((
            r.get::<_, OrderId>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    for line in lines {
        let (order, name, quantity, modifiers, note) = line?;
        let modifiers: Vec<ChosenModifier> = serde_json::from_str(&modifiers)?;
        if let Some(&i) = index.get(&order) {
            out[i].lines.push(BoardLine {
                name,
                quantity,
                modifiers: modifiers.into_iter().map(|m| m.option).collect(),
                note,
            });
        }
    }
    Ok(out)
}

impl Order {
    /// The order as the server receives it.
    pub fn to_proto(&self) -> kasir_proto::Order {
        kasir_proto::Order {
            id: self.id.0,
            receipt_no: self.receipt_no.clone(),
            terminal: self.terminal.clone(),
            staff_id: self.staff_id.0,
            staff_name: self.staff_name.clone(),
            order_type: self.order_type.to_proto(),
            label: self.label.clone(),
            status: self.status.to_proto(),
            subtotal: self.subtotal.0,
            order_discount: self.order_discount.0,
            service: self.service.0,
            tax: self.tax.0,
            rounding: self.rounding.0,
            total: self.total.0,
            paid: self.paid.0,
            change: self.change.0,
            tax_rate_bp: self.tax_rate_bp,
            service_rate_bp: self.service_rate_bp,
            prices_include_tax: self.prices_include_tax,
            currency: self.currency.clone(),
            minor_unit: self.minor_unit,
            discount_approved_by: self.discount_approved_by.map(|s| s.0),
            shift_id: self.shift_id.map(|s| s.0),
            member_id: self.member_id.map(|m| m.0),
            delivery_address: self.delivery_address.clone(),
            business_date: self.business_date,
            created_at: self.created_at,
            lines: self
                .lines
                .iter()
                .map(|l| kasir_proto::OrderLine {
                    product_id: l.product_id.0,
                    product_name: l.product_name.clone(),
                    category_name: l.category_name.clone(),
                    base_price: l.base_price.0,
                    unit_price: l.unit_price.0,
                    modifiers: l
                        .modifiers
                        .iter()
                        .map(|m| kasir_proto::ChosenModifier {
                            option_id: m.option_id.0,
                            group: m.group.clone(),
                            option: m.option.clone(),
                            price_delta: m.price_delta.0,
                        })
                        .collect(),
                    note: l.note.clone(),
                    quantity: l.quantity,
                    gross: l.gross.0,
                    line_discount: l.line_discount.0,
                    order_discount: l.order_discount.0,
                    service: l.service.0,
                    tax: l.tax.0,
                    total: l.total.0,
                })
                .collect(),
            payments: self
                .payments
                .iter()
                .map(|p| kasir_proto::Payment {
                    method: p.method.to_proto(),
                    amount: p.amount.0,
                    tendered: p.tendered.0,
                    change: p.change.0,
                    reference: p.reference.clone(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kitchen_flow() {
        use OrderStatus::*;
        assert_eq!(Pending.next(), Some(Preparing));
        assert_eq!(Preparing.next(), Some(Ready));
        assert_eq!(Ready.next(), Some(Completed));
        assert_eq!(Completed.next(), None);
        assert_eq!(Cancelled.next(), None);
    }
}
