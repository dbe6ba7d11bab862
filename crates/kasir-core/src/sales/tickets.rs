//! Open tickets (carts): built line by line at the till, parked and resumed, priced by
//! [`crate::money::pricing`] every time they are read, so the UI never computes money itself.
//! Tickets are local to the terminal and never synced; checkout turns one into an order.

use std::collections::HashMap;

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::Sales;
use crate::access::{Actor, Ctx, Permission, StaffId};
use crate::catalog::{
    ChosenModifier, ModifierOptionId, ProductId, load_product, modifiers_resolve,
};
use crate::kernel::ids::id_type;
use crate::kernel::text;
use crate::kernel::time::Stamp;
use crate::money::pricing::{self, Discount, LineInput, LineTotals, Totals};
use crate::offers::{coupons, vouchers};
use crate::{Entity, Field, Rule};
use crate::{Error, Money, Result, audit, settings};

id_type!(
    /// An open ticket's id.
    TicketId
);
id_type!(
    /// A ticket line's id.
    TicketLineId
);

/// The most of one thing on one line.
pub const MAX_QUANTITY: i64 = 9_999;
/// The most lines on one ticket.
pub const MAX_LINES: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum OrderType {
    DineIn,
    Takeaway,
    Delivery,
    Pickup,
}

impl OrderType {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderType::DineIn => "dine_in",
            OrderType::Takeaway => "takeaway",
            OrderType::Delivery => "delivery",
            OrderType::Pickup => "pickup",
        }
    }

    pub(crate) fn to_proto(self) -> kasir_proto::OrderType {
        match self {
            OrderType::DineIn => kasir_proto::OrderType::DineIn,
            OrderType::Takeaway => kasir_proto::OrderType::Takeaway,
            OrderType::Delivery => kasir_proto::OrderType::Delivery,
            OrderType::Pickup => kasir_proto::OrderType::Pickup,
        }
    }

    pub(crate) fn parse(s: &str) -> Result<OrderType> {
        Ok(match s {
            "dine_in" => OrderType::DineIn,
            "takeaway" => OrderType::Takeaway,
            "delivery" => OrderType::Delivery,
            "pickup" => OrderType::Pickup,
            other => {
                return Err(Error::invalid(
                    Field::OrderType,
                    Rule::Unknown {
                        value: other.into(),
                    },
                ));
            }
        })
    }
}

/// A line as the ticket shows it, priced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TicketLine {
    pub id: TicketLineId,
    pub product_id: ProductId,
    pub product_name: String,
    pub category_name: String,
    pub base_price: Money,
    pub modifiers: Vec<ChosenModifier>,
    pub note: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub quantity: i64,
    /// Base price plus modifier deltas.
    pub unit_price: Money,
    pub discount: Option<Discount>,
    pub discount_approved_by: Option<StaffId>,
    /// The most the discount takes: the amount a manager approved for someone without the
    /// discount right (growing past it takes a new approval). None: it follows the ticket.
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub discount_limit: Option<Money>,
    pub totals: LineTotals,
    /// `None` when untracked.
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub stock: Option<i64>,
    /// False when the product was deactivated after it was added; checkout refuses then.
    pub product_active: bool,
    /// A voucher's free item, at zero: it comes and goes with the voucher.
    pub free: bool,
}

/// A whole ticket with its totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Ticket {
    pub id: TicketId,
    pub order_type: OrderType,
    pub label: String,
    pub parked: bool,
    /// Who serves the ticket: only they change or pay it (others take it over first).
    pub staff_id: StaffId,
    pub staff_name: String,
    pub discount: Option<Discount>,
    pub discount_approved_by: Option<StaffId>,
    /// The most the discount takes: the amount a manager approved for someone without the
    /// discount right (growing past it takes a new approval). None: it follows the ticket.
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub discount_limit: Option<Money>,
    pub lines: Vec<TicketLine>,
    pub totals: Totals,
    pub created_at: Timestamp,
    /// The member the ticket is for: their points and tier at a glance.
    pub member: Option<TicketMember>,
    /// The coupon typed or scanned: what it takes is `totals.coupon_discount`.
    pub coupon: Option<coupons::TicketCoupon>,
    /// The member's voucher used on it: a discount is `totals.voucher_discount`, a free item
    /// is a line at zero, cashback comes with the sale.
    pub voucher: Option<vouchers::TicketVoucher>,
    /// Where a delivery goes (the member's address when one is named; the cashier may change
    /// it). Checkout refuses a delivery without one.
    pub delivery_address: String,
}

/// The member on a ticket, as the till shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TicketMember {
    pub id: crate::members::MemberId,
    pub number: String,
    pub name: String,
    pub tier: crate::members::Tier,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub points: i64,
    pub wallet: Money,
    /// Allergies and preferences, for whoever makes the order.
    pub notes: String,
    pub address: String,
    /// Paid orders and what they came to: the coupons' customer groups go by them.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub visits: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub spent: Money,
}

/// A ticket in the list of open and parked tickets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TicketSummary {
    pub id: TicketId,
    pub order_type: OrderType,
    pub label: String,
    pub parked: bool,
    /// Who serves it.
    pub staff_id: StaffId,
    pub staff_name: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub items: i64,
    pub updated_at: Timestamp,
}

/// What the cashier adds.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AddLine {
    pub product_id: ProductId,
    pub modifier_ids: Vec<ModifierOptionId>,
    pub note: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub quantity: i64,
}

fn discount_to_sql(d: Option<Discount>) -> (Option<&'static str>, Option<i64>) {
    match d {
        None => (None, None),
        Some(Discount::Percent(bp)) => (Some("percent"), Some(i64::from(bp))),
        Some(Discount::Amount(m)) => (Some("amount"), Some(m.0)),
    }
}

/// A stored discount. A row that does not read as one it could have been written as is an
/// error, never "no discount": an approved discount must not vanish or change at checkout.
fn discount_from_sql(kind: Option<String>, value: Option<i64>) -> Result<Option<Discount>> {
    let discount = match (kind.as_deref(), value) {
        (None, None) => return Ok(None),
        (Some("percent"), Some(v)) => u32::try_from(v).ok().map(Discount::Percent),
        (Some("amount"), Some(v)) => Some(Discount::Amount(Money(v))),
        _ => None,
    };
    match discount.map(Discount::validate) {
        Some(Ok(d)) => Ok(Some(d)),
        _ => Err(Error::DatabaseCorrupt(format!(
            "a ticket's discount cannot be read: {kind:?} {value:?}"
        ))),
    }
}

fn check_quantity(q: i64) -> Result<()> {
    if !(1..=MAX_QUANTITY).contains(&q) {
        return Err(Error::invalid(
            Field::Quantity,
            Rule::OutOfRange {
                min: 1,
                max: MAX_QUANTITY,
            },
        ));
    }
    Ok(())
}

/// Loads and prices a ticket. Lines whose modifiers no longer exist are reported as invalid.
pub(crate) fn load_ticket(conn: &Connection, id: TicketId, now: Timestamp) -> Result<Ticket> {
    let head = conn
        .prepare_cached(
            "SELECT t.order_type, t.label, t.parked, t.staff_id, t.discount_kind, t.discount_value, t.discount_approved_by,
                    t.created_at, s.name, t.discount_limit, t.member_id, t.coupon_id, t.redemption_id,
                    t.delivery_address
             FROM tickets t JOIN staff s ON s.id = t.staff_id WHERE t.id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, bool>(2)?, r.get::<_, StaffId>(3)?,
                r.get::<_, Option<String>>(4)?, r.get::<_, Option<i64>>(5)?, r.get::<_, Option<StaffId>>(6)?, r.get::<_, Stamp>(7)?,
                r.get::<_, String>(8)?, r.get::<_, Option<i64>>(9)?.map(Money),
                r.get::<_, Option<crate::members::MemberId>>(10)?,
                r.get::<_, Option<crate::offers::coupons::CouponId>>(11)?,
                r.get::<_, Option<vouchers::RedemptionId>>(12)?,
                r.get::<_, String>(13)?,
            ))
        })
        .optional()?
        .ok_or_else(|| Error::not_found(Entity::Ticket, id))?;
    type RawLine = (
        TicketLineId,
        ProductId,
        String,
        String,
        i64,
        Option<String>,
        Option<i64>,
        Option<StaffId>,
        Option<Money>,
        Option<vouchers::RedemptionId>,
    );
    let raw_lines: Vec<RawLine> = conn
        .prepare_cached(
            "SELECT id, product_id, modifier_ids, note, quantity, discount_kind, discount_value, discount_approved_by,
                    discount_limit, free_of
             FROM ticket_lines WHERE ticket_id = ?1 ORDER BY position",
        )?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?,
            r.get::<_, Option<i64>>(8)?.map(Money), r.get(9)?)))?
        .collect::<rusqlite::Result<_>>()?;

    let mut lines = Vec::with_capacity(raw_lines.len());
    let mut products = HashMap::new();
    for (line_id, product_id, modifier_ids, note, quantity, dk, dv, approver, limit, free_of) in
        raw_lines
    {
        if let std::collections::hash_map::Entry::Vacant(slot) = products.entry(product_id) {
            slot.insert(load_product(conn, product_id)?);
        }
        let product = &products[&product_id];
        let chosen: Vec<ModifierOptionId> = serde_json::from_str(&modifier_ids)?;
        // A voucher's free item is the product as it comes, at zero.
        let modifiers = if free_of.is_some() {
            Ok(Vec::new())
        } else {
            modifiers_resolve(&product.modifier_groups, &chosen)
        };
        let modifiers = modifiers.map_err(|_| {
            Error::invalid(
                Field::Modifiers,
                Rule::OptionsChanged {
                    product: product.name.clone(),
                },
            )
        })?;
        let unit_price = if free_of.is_some() {
            Money::ZERO
        } else {
            Money::sum(
                std::iter::once(product.price).chain(modifiers.iter().map(|m| m.price_delta)),
            )?
        };
        if unit_price.0 < 0 {
            return Err(Error::invalid(
                Field::Modifiers,
                Rule::BelowZero {
                    product: product.name.clone(),
                },
            ));
        }
        lines.push(TicketLine {
            id: line_id,
            product_id,
            product_name: product.name.clone(),
            category_name: product.category_name.clone(),
            base_price: product.price,
            modifiers,
            note,
            quantity,
            unit_price,
            discount: discount_from_sql(dk, dv)?,
            discount_approved_by: approver,
            discount_limit: limit,
            totals: LineTotals {
                gross: Money::ZERO,
                line_discount: Money::ZERO,
                order_discount: Money::ZERO,
                service: Money::ZERO,
                tax: Money::ZERO,
                total: Money::ZERO,
            },
            stock: product.stock,
            product_active: product.active,
            free: free_of.is_some(),
        });
    }
    let discount = discount_from_sql(head.4, head.5)?;
    let inputs: Vec<LineInput> = lines
        .iter()
        .map(|l| LineInput {
            unit_price: l.unit_price,
            quantity: l.quantity,
            discount: l.discount,
            discount_limit: l.discount_limit,
        })
        .collect();
    let rates = settings::load(conn)?.rates();
    let member = head.10.map(|m| ticket_member(conn, m)).transpose()?;
    let mut totals = pricing::compute(&inputs, discount, head.9, &rates)?;
    // Line totals before the offers: a "buy X get Y" values its free units by them.
    for (line, t) in lines.iter_mut().zip(&totals.lines) {
        line.totals = *t;
    }
    // The coupon is checked against the ticket as it stands, after its order discount; the
    // voucher against the ticket's member. Each prices in what it takes, or says why not.
    let mut coupon = None;
    let mut coupon_offer = None;
    if let Some(coupon_id) = head.11 {
        let today = coupons::today_at(conn, now)?;
        let c = coupons::load(conn, coupon_id, today)?;
        let customer = member.as_ref().map(|m| coupons::Customer {
            id: m.id,
            visits: m.visits,
            spent: m.spent,
        });
        let base = totals.subtotal.checked_sub(totals.order_discount)?;
        let verdict = coupons::evaluate(conn, &c, &lines, base, customer.as_ref(), today)?;
        coupon = Some(coupons::TicketCoupon {
            id: c.id,
            code: c.code,
            name: c.name,
            refusal: verdict.as_ref().err().cloned(),
        });
        coupon_offer = verdict.ok();
    }
    let mut voucher = None;
    let mut voucher_offer = None;
    if let Some(redemption) = head.12 {
        let r = vouchers::load_redemption(conn, redemption)?;
        let refusal = vouchers::evaluate(&r, member.as_ref().map(|m| m.id));
        if refusal.is_none() {
            voucher_offer = r.reward.offer();
        }
        voucher = Some(vouchers::TicketVoucher {
            redemption_id: r.id,
            code: r.code,
            name: r.voucher_name,
            reward: r.reward,
            refusal,
        });
    }
    if coupon_offer.is_some() || voucher_offer.is_some() {
        let order = pricing::OrderLevel {
            discount,
            discount_limit: head.9,
            coupon: coupon_offer.as_ref(),
            voucher: voucher_offer.as_ref(),
        };
        totals = pricing::compute_order(&inputs, &order, &rates)?;
        for (line, t) in lines.iter_mut().zip(&totals.lines) {
            line.totals = *t;
        }
    }
    Ok(Ticket {
        id,
        order_type: OrderType::parse(&head.0)?,
        label: head.1,
        parked: head.2,
        staff_id: head.3,
        staff_name: head.8,
        discount,
        discount_approved_by: head.6,
        discount_limit: head.9,
        lines,
        totals,
        created_at: head.7.0,
        member,
        coupon,
        voucher,
        delivery_address: head.13,
    })
}

fn ticket_member(conn: &Connection, id: crate::members::MemberId) -> Result<TicketMember> {
    let m = crate::members::load_member(conn, id)?;
    Ok(TicketMember {
        id,
        number: m.number,
        name: m.name,
        tier: m.tier,
        points: m.points,
        wallet: m.wallet,
        notes: m.notes,
        address: m.address,
        visits: m.visits,
        spent: m.spent,
    })
}

/// Refuses when the ticket would hold more of `product` than is in stock.
fn check_stock(
    conn: &Connection,
    ticket: TicketId,
    product: ProductId,
    extra: i64,
    except_line: Option<TicketLineId>,
) -> Result<()> {
    let p = load_product(conn, product)?;
    if !p.active {
        return Err(Error::not_found(Entity::Product, product));
    }
    let Some(stock) = p.stock else { return Ok(()) };
    let already: i64 = conn
        .prepare_cached(
            "SELECT COALESCE(SUM(quantity), 0) FROM ticket_lines WHERE ticket_id = ?1 AND product_id = ?2 AND id IS NOT ?3",
        )?
        .query_row(params![ticket, product, except_line], |r| r.get(0))?;
    let wanted = already + extra;
    if wanted > stock {
        return Err(Error::InsufficientStock {
            product: p.name,
            available: stock,
            requested: wanted,
        });
    }
    Ok(())
}

/// Marks a ticket as changed by the member acting, who must be the one serving it: a ticket
/// belongs to whoever opened or took it over, so a sale is never recorded for the wrong person.
fn touch(cx: &Ctx<'_>, ticket: TicketId) -> Result<()> {
    ensure_owner(cx, owner_of(cx, ticket)?)?;
    cx.prepare_cached("UPDATE tickets SET updated_at = ?2 WHERE id = ?1")?
        .execute(params![ticket, Stamp(cx.now)])?;
    Ok(())
}

/// Who serves `ticket`.
fn owner_of(conn: &Connection, ticket: TicketId) -> Result<StaffId> {
    conn.prepare_cached("SELECT staff_id FROM tickets WHERE id = ?1")?
        .query_row([ticket], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::not_found(Entity::Ticket, ticket))
}

/// Refuses when `owner` is not the member acting, naming who serves the ticket.
pub(crate) fn ensure_owner(cx: &Ctx<'_>, owner: StaffId) -> Result<()> {
    if owner == cx.member.id {
        return Ok(());
    }
    let name: String = cx
        .prepare_cached("SELECT name FROM staff WHERE id = ?1")?
        .query_row([owner], |r| r.get(0))?;
    Err(Error::TicketOfAnother { owner: name })
}

fn line_product(
    conn: &Connection,
    ticket: TicketId,
    line: TicketLineId,
) -> Result<(ProductId, i64)> {
    conn.prepare_cached(
        "SELECT product_id, quantity FROM ticket_lines WHERE ticket_id = ?2 AND id = ?1",
    )?
    .query_row(params![line, ticket], |r| Ok((r.get(0)?, r.get(1)?)))
    .optional()?
    .ok_or_else(|| Error::not_found(Entity::TicketLine, line))
}

/// A delivery ticket with no address takes its member's (when it has a member who has one).
fn fill_address(conn: &Connection, ticket: TicketId) -> Result<()> {
    conn.prepare_cached(
        "UPDATE tickets SET delivery_address = (SELECT m.address FROM members m WHERE m.id = tickets.member_id)
         WHERE id = ?1 AND order_type = 'delivery' AND delivery_address = '' AND member_id IS NOT NULL",
    )?
    .execute([ticket])?;
    Ok(())
}

/// A line the cashier may change: refuses a voucher's free item.
fn paid_line(conn: &Connection, ticket: TicketId, line: TicketLineId) -> Result<(ProductId, i64)> {
    let free: bool = conn
        .prepare_cached(
            "SELECT free_of IS NOT NULL FROM ticket_lines WHERE ticket_id = ?2 AND id = ?1",
        )?
        .query_row(params![line, ticket], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::not_found(Entity::TicketLine, line))?;
    if free {
        return Err(Error::invalid(Field::Quantity, Rule::FreeItem));
    }
    line_product(conn, ticket, line)
}

impl Sales<'_> {
    /// Opens a new ticket on this terminal.
    pub fn open_ticket(&self, actor: &Actor, order_type: OrderType, label: &str) -> Result<Ticket> {
        let label = text::line(Field::Label, label, 60)?;
        self.k.write(actor, Permission::Sell, |cx| {
            let id = TicketId::new(cx.now);
            cx.prepare_cached("INSERT INTO tickets (id, terminal, staff_id, order_type, label, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)")?.execute(params![id, cx.terminal, cx.member.id, order_type.as_str(), label, Stamp(cx.now)])?;
            load_ticket(cx, id, cx.now)
        })
    }

    pub fn ticket(&self, actor: &Actor, id: TicketId) -> Result<Ticket> {
        let now = self.k.now();
        self.k.read(actor, Permission::Sell, |conn, _| {
            load_ticket(conn, id, now)
        })
    }

    /// Open and parked tickets, newest first.
    pub fn list_tickets(&self, actor: &Actor) -> Result<Vec<TicketSummary>> {
        self.k.read(actor, Permission::Sell, |conn, _| {
            let mut stmt = conn.prepare_cached(
                "SELECT t.id, t.order_type, t.label, t.parked, COALESCE(SUM(l.quantity), 0), t.updated_at,
                        t.staff_id, s.name
                 FROM tickets t JOIN staff s ON s.id = t.staff_id LEFT JOIN ticket_lines l ON l.ticket_id = t.id
                 GROUP BY t.id ORDER BY t.updated_at DESC, t.id DESC",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    (r.get::<_, TicketId>(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get(3)?),
                    (r.get(4)?, r.get::<_, Stamp>(5)?, r.get(6)?, r.get(7)?),
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let ((id, ot, label, parked), (items, at, staff_id, staff_name)) = row?;
                out.push(TicketSummary {
                    id,
                    order_type: OrderType::parse(&ot)?,
                    label,
                    parked,
                    staff_id,
                    staff_name,
                    items,
                    updated_at: at.0,
                });
            }
            Ok(out)
        })
    }

    pub fn set_ticket_info(
        &self,
        actor: &Actor,
        id: TicketId,
        order_type: OrderType,
        label: &str,
    ) -> Result<Ticket> {
        let label = text::line(Field::Label, label, 60)?;
        self.k.write(actor, Permission::Sell, |cx| {
            touch(cx, id)?;
            cx.prepare_cached("UPDATE tickets SET order_type = ?2, label = ?3 WHERE id = ?1")?
                .execute(params![id, order_type.as_str(), label])?;
            fill_address(cx, id)?;
            load_ticket(cx, id, cx.now)
        })
    }

    /// Parks a ticket (puts it aside) or resumes it. Anyone may put a ticket aside (the till
    /// does when the member serving it is signed out); only the member serving it resumes it.
    pub fn set_ticket_parked(&self, actor: &Actor, id: TicketId, parked: bool) -> Result<Ticket> {
        self.k.write(actor, Permission::Sell, |cx| {
            let owner = owner_of(cx, id)?;
            if !parked {
                ensure_owner(cx, owner)?;
            }
            cx.prepare_cached("UPDATE tickets SET updated_at = ?2 WHERE id = ?1")?
                .execute(params![id, Stamp(cx.now)])?;
            cx.prepare_cached("UPDATE tickets SET parked = ?2 WHERE id = ?1")?
                .execute(params![id, parked])?;
            load_ticket(cx, id, cx.now)
        })
    }

    /// Throws a ticket away (nothing was sold, so nothing else changes). Only the member
    /// serving it may.
    pub fn discard_ticket(&self, actor: &Actor, id: TicketId) -> Result<()> {
        self.k.write(actor, Permission::Sell, |cx| {
            touch(cx, id)?;
            if cx
                .prepare_cached("DELETE FROM tickets WHERE id = ?1")?
                .execute([id])?
                == 0
            {
                return Err(Error::not_found(Entity::Ticket, id));
            }
            Ok(())
        })
    }

    /// Puts aside the tickets with lines `actor` is serving, as they leave the till (sign-out,
    /// the lock, the auto-lock): each stays theirs, parked and findable in the open tickets, and
    /// the next member starts a fresh one. Returns how many were parked.
    pub fn park_my_tickets(&self, actor: &Actor) -> Result<usize> {
        self.k.write(actor, Permission::Sell, |cx| {
            Ok(cx
                .prepare_cached(
                    "UPDATE tickets SET parked = 1, updated_at = ?2 WHERE staff_id = ?1 AND parked = 0
                     AND EXISTS (SELECT 1 FROM ticket_lines l WHERE l.ticket_id = tickets.id)",
                )?
                .execute(params![cx.member.id, Stamp(cx.now)])?)
        })
    }

    /// Takes over a ticket another member was serving: from now on it is the acting member's,
    /// and paying it records them as the seller. Recorded in the audit log with both names.
    pub fn take_over_ticket(&self, actor: &Actor, id: TicketId) -> Result<Ticket> {
        self.k.write(actor, Permission::Sell, |cx| {
            let owner = owner_of(cx, id)?;
            if owner != cx.member.id {
                cx.prepare_cached(
                    "UPDATE tickets SET staff_id = ?2, parked = 0, updated_at = ?3 WHERE id = ?1",
                )?
                .execute(params![id, cx.member.id, Stamp(cx.now)])?;
                if !cx.member.role.allows(Permission::Discount) {
                    // Discounts the last member gave with their own right followed the ticket;
                    // for someone without that right they hold at what they take now, like an
                    // approved one: growing them takes an approval.
                    let t = load_ticket(cx, id, cx.now)?;
                    if t.discount.is_some() && t.discount_limit.is_none() {
                        cx.prepare_cached("UPDATE tickets SET discount_limit = ?2 WHERE id = ?1")?
                            .execute(params![id, t.totals.order_discount.0])?;
                    }
                    for l in t.lines.iter().filter(|l| l.discount.is_some() && l.discount_limit.is_none()) {
                        cx.prepare_cached(
                            "UPDATE ticket_lines SET discount_limit = ?3 WHERE ticket_id = ?1 AND id = ?2",
                        )?
                        .execute(params![id, l.id, l.totals.line_discount.0])?;
                    }
                }
                audit::record(
                    cx,
                    "ticket_taken_over",
                    serde_json::json!({"ticket": id, "from": owner, "to": cx.member.id}),
                )?;
            }
            load_ticket(cx, id, cx.now)
        })
    }

    /// Adds a product. The same product with the same modifiers and note (and no line
    /// discount) merges into the existing line. Stock is checked for the whole ticket.
    pub fn add_to_ticket(&self, actor: &Actor, ticket: TicketId, add: AddLine) -> Result<Ticket> {
        check_quantity(add.quantity)?;
        let note = text::line(Field::Note, &add.note, 200)?;
        self.k.write(actor, Permission::Sell, |cx| {
            touch(cx, ticket)?;
            let product = load_product(cx, add.product_id)?;
            if !product.active {
                return Err(Error::not_found(Entity::Product, add.product_id));
            }
            let mut chosen: Vec<ModifierOptionId> = modifiers_resolve(&product.modifier_groups, &add.modifier_ids)?
                .into_iter()
                .map(|m| m.option_id)
                .collect();
            chosen.sort();
            let key = serde_json::to_string(&chosen)?;
            check_stock(cx, ticket, add.product_id, add.quantity, None)?;
            let same: Option<(TicketLineId, i64)> = cx
                .prepare_cached(
                    "SELECT id, quantity FROM ticket_lines
                     WHERE ticket_id = ?1 AND product_id = ?2 AND modifier_ids = ?3 AND note = ?4 AND discount_kind IS NULL
                       AND free_of IS NULL",
                )?
                .query_row(params![ticket, add.product_id, key, note], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            match same {
                Some((line, q)) => {
                    let q = q + add.quantity;
                    check_quantity(q)?;
                    cx.prepare_cached("UPDATE ticket_lines SET quantity = ?3 WHERE ticket_id = ?1 AND id = ?2")?.execute(params![ticket, line, q])?;
                }
                None => {
                    let (count, last): (i64, i64) = cx.prepare_cached("SELECT COUNT(*), COALESCE(MAX(position), 0) FROM ticket_lines WHERE ticket_id = ?1")?.query_row([ticket], |r| Ok((r.get(0)?, r.get(1)?)))?;
                    if count as usize >= MAX_LINES {
                        return Err(Error::invalid(Field::Ticket, Rule::TooMany { max: MAX_LINES as u32 }));
                    }
                    cx.prepare_cached("INSERT INTO ticket_lines (id, ticket_id, position, product_id, modifier_ids, note, quantity)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?.execute(params![TicketLineId::new(cx.now), ticket, last + 1, add.product_id, key, note, add.quantity])?;
                }
            }
            load_ticket(cx, ticket, cx.now)
        })
    }

    /// Sets a line's quantity (1..=9999); raising it checks stock again.
    pub fn set_line_quantity(
        &self,
        actor: &Actor,
        ticket: TicketId,
        line: TicketLineId,
        quantity: i64,
    ) -> Result<Ticket> {
        check_quantity(quantity)?;
        self.k.write(actor, Permission::Sell, |cx| {
            touch(cx, ticket)?;
            let (product, current) = paid_line(cx, ticket, line)?;
            if quantity > current {
                check_stock(cx, ticket, product, quantity, Some(line))?;
            }
            cx.prepare_cached(
                "UPDATE ticket_lines SET quantity = ?3 WHERE ticket_id = ?1 AND id = ?2",
            )?
            .execute(params![ticket, line, quantity])?;
            load_ticket(cx, ticket, cx.now)
        })
    }

    pub fn remove_line(
        &self,
        actor: &Actor,
        ticket: TicketId,
        line: TicketLineId,
    ) -> Result<Ticket> {
        self.k.write(actor, Permission::Sell, |cx| {
            touch(cx, ticket)?;
            line_product(cx, ticket, line)?;
            let free_of: Option<vouchers::RedemptionId> = cx
                .prepare_cached(
                    "SELECT free_of FROM ticket_lines WHERE ticket_id = ?1 AND id = ?2",
                )?
                .query_row(params![ticket, line], |r| r.get(0))?;
            cx.prepare_cached("DELETE FROM ticket_lines WHERE ticket_id = ?1 AND id = ?2")?
                .execute(params![ticket, line])?;
            if free_of.is_some() {
                // A voucher's free item goes with its voucher.
                cx.prepare_cached("UPDATE tickets SET redemption_id = NULL WHERE id = ?1")?
                    .execute([ticket])?;
            }
            load_ticket(cx, ticket, cx.now)
        })
    }

    /// Sets or clears a line discount. Needs the discount right, or an approver who has it.
    pub fn set_line_discount(
        &self,
        actor: &Actor,
        approver: Option<&Actor>,
        ticket: TicketId,
        line: TicketLineId,
        discount: Option<Discount>,
    ) -> Result<Ticket> {
        let approver = discount_approver(approver, discount)?;
        self.k.write_approved(actor, approver, Permission::Sell, discount_permission(discount), |cx| {
            let approved_by = cx.approved_by;
            touch(cx, ticket)?;
            paid_line(cx, ticket, line)?;
            let (kind, value) = discount_to_sql(discount);
            cx.prepare_cached("UPDATE ticket_lines SET discount_kind = ?3, discount_value = ?4, discount_approved_by = ?5,
                    discount_limit = NULL
                 WHERE ticket_id = ?1 AND id = ?2")?.execute(params![ticket, line, kind, value, approved_by])?;
            let mut t = load_ticket(cx, ticket, cx.now)?; // refuses a discount larger than the line
            if approved_by.is_some() {
                // Bound to what the manager approved: the amount it takes now.
                let l = t.lines.iter_mut().find(|l| l.id == line).ok_or_else(|| Error::not_found(Entity::TicketLine, line))?;
                let limit = l.totals.line_discount;
                cx.prepare_cached("UPDATE ticket_lines SET discount_limit = ?3 WHERE ticket_id = ?1 AND id = ?2")?
                    .execute(params![ticket, line, limit.0])?;
                l.discount_limit = Some(limit);
            }
            if let Some(d) = discount {
                audit::record(cx, "discount_applied", serde_json::json!({
                    "ticket": ticket, "line": line, "discount": d, "approved_by": approved_by
                }))?;
            }
            Ok(t)
        })
    }

    /// Sets or clears the order discount. Needs the discount right, or an approver who has it.
    pub fn set_order_discount(
        &self,
        actor: &Actor,
        approver: Option<&Actor>,
        ticket: TicketId,
        discount: Option<Discount>,
    ) -> Result<Ticket> {
        let approver = discount_approver(approver, discount)?;
        self.k.write_approved(actor, approver, Permission::Sell, discount_permission(discount), |cx| {
            let approved_by = cx.approved_by;
            touch(cx, ticket)?;
            let (kind, value) = discount_to_sql(discount);
            cx.prepare_cached("UPDATE tickets SET discount_kind = ?2, discount_value = ?3, discount_approved_by = ?4,
                    discount_limit = NULL WHERE id = ?1")?.execute(params![ticket, kind, value, approved_by])?;
            let mut t = load_ticket(cx, ticket, cx.now)?;
            if approved_by.is_some() {
                // Bound to what the manager approved: the amount it takes on the ticket as it stands.
                cx.prepare_cached("UPDATE tickets SET discount_limit = ?2 WHERE id = ?1")?
                    .execute(params![ticket, t.totals.order_discount.0])?;
                t.discount_limit = Some(t.totals.order_discount);
            }
            if let Some(d) = discount {
                audit::record(cx, "discount_applied", serde_json::json!({
                    "ticket": ticket, "discount": d, "approved_by": approved_by
                }))?;
            }
            Ok(t)
        })
    }

    /// Puts the coupon a cashier typed or scanned on the ticket (None: takes it off). A code
    /// no coupon has is "not found"; a coupon that does not apply to the ticket as it stands is
    /// refused with its reason (expired, minimum not reached, limit used, customer group) and
    /// the ticket is left as it was.
    pub fn set_ticket_coupon(
        &self,
        actor: &Actor,
        ticket: TicketId,
        code: Option<&str>,
    ) -> Result<Ticket> {
        self.k.write(actor, Permission::Sell, |cx| {
            touch(cx, ticket)?;
            let coupon = code
                .map(|c| coupons::find_for_ticket(cx, c, cx.now))
                .transpose()?;
            cx.prepare_cached("UPDATE tickets SET coupon_id = ?2 WHERE id = ?1")?
                .execute(params![ticket, coupon.as_ref().map(|c| c.id)])?;
            let t = load_ticket(cx, ticket, cx.now)?;
            if let Some(rule) = t.coupon.as_ref().and_then(|c| c.refusal.clone()) {
                // Returning the error rolls the change back.
                return Err(Error::invalid(Field::Coupon, rule));
            }
            Ok(t)
        })
    }

    /// Sets where a delivery goes (up to 300 characters, lines allowed).
    pub fn set_ticket_address(
        &self,
        actor: &Actor,
        ticket: TicketId,
        address: &str,
    ) -> Result<Ticket> {
        let address = text::multiline(Field::Address, address, 300)?;
        self.k.write(actor, Permission::Sell, |cx| {
            touch(cx, ticket)?;
            cx.prepare_cached("UPDATE tickets SET delivery_address = ?2 WHERE id = ?1")?
                .execute(params![ticket, address])?;
            load_ticket(cx, ticket, cx.now)
        })
    }

    /// Uses a member's pending redemption on the ticket (None: takes it off). It must be the
    /// ticket's member's; a free product comes on as a line at zero (stock checked like any
    /// line) and goes with it.
    pub fn set_ticket_voucher(
        &self,
        actor: &Actor,
        ticket: TicketId,
        redemption: Option<vouchers::RedemptionId>,
    ) -> Result<Ticket> {
        self.k.write(actor, Permission::Members, |cx| {
            touch(cx, ticket)?;
            cx.prepare_cached("DELETE FROM ticket_lines WHERE ticket_id = ?1 AND free_of IS NOT NULL")?
                .execute([ticket])?;
            cx.prepare_cached("UPDATE tickets SET redemption_id = ?2 WHERE id = ?1")?
                .execute(params![ticket, redemption])?;
            if let Some(id) = redemption {
                let r = vouchers::load_redemption(cx, id)?;
                if let vouchers::Reward::Freebie { product } = r.reward {
                    let p = load_product(cx, product)?;
                    if !p.active {
                        return Err(Error::invalid(Field::Voucher, Rule::NoLongerSold { product: p.name }));
                    }
                    check_stock(cx, ticket, product, 1, None)?;
                    let last: i64 = cx
                        .prepare_cached("SELECT COALESCE(MAX(position), 0) FROM ticket_lines WHERE ticket_id = ?1")?
                        .query_row([ticket], |r| r.get(0))?;
                    cx.prepare_cached(
                        "INSERT INTO ticket_lines (id, ticket_id, position, product_id, modifier_ids, note, quantity, free_of)
                         VALUES (?1, ?2, ?3, ?4, '[]', '', 1, ?5)",
                    )?
                    .execute(params![TicketLineId::new(cx.now), ticket, last + 1, product, id])?;
                }
            }
            let t = load_ticket(cx, ticket, cx.now)?;
            if let Some(rule) = t.voucher.as_ref().and_then(|v| v.refusal.clone()) {
                return Err(Error::invalid(Field::Voucher, rule));
            }
            Ok(t)
        })
    }

    /// Names the member the ticket is for (None: nobody). An inactive member is refused.
    pub fn set_ticket_member(
        &self,
        actor: &Actor,
        ticket: TicketId,
        member: Option<crate::members::MemberId>,
    ) -> Result<Ticket> {
        self.k.write(actor, Permission::Members, |cx| {
            touch(cx, ticket)?;
            if let Some(m) = member
                && !crate::members::load_member(cx, m)?.active
            {
                return Err(Error::invalid(Field::Member, Rule::Inactive));
            }
            cx.prepare_cached("UPDATE tickets SET member_id = ?2 WHERE id = ?1")?
                .execute(params![ticket, member])?;
            fill_address(cx, ticket)?;
            load_ticket(cx, ticket, cx.now)
        })
    }
}

/// What setting `discount` needs: giving one needs the discount right; removing one never
/// does.
fn discount_permission(discount: Option<Discount>) -> Permission {
    if discount.is_some() {
        Permission::Discount
    } else {
        Permission::Sell
    }
}

/// Checks the discount and passes the approver on only when one is needed.
fn discount_approver(
    approver: Option<&Actor>,
    discount: Option<Discount>,
) -> Result<Option<&Actor>> {
    match discount {
        Some(d) => {
            d.validate()?;
            Ok(approver)
        }
        None => Ok(None),
    }
}
