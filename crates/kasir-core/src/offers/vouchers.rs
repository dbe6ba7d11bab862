//! Vouchers: rewards a member buys with points. A voucher is a discount (an amount or a
//! percentage), cashback (points or wallet credit), or a free product; it has a points cost,
//! an optional stock, and valid dates; its status (active, scheduled, expired, out of stock,
//! inactive) is derived.
//!
//! Redeeming checks the member's points and the voucher's stock and takes both in one
//! transaction, giving a redemption (`V-T01-000001`, pending). Used at the till it applies its
//! reward to the ticket (a discount in pricing's voucher step, a free product as a line at
//! zero, cashback credited with the sale); cancelling a pending one gives back the points and
//! the stock.
//!
//! **Invariants**: a redemption's points are a `redeem` entry of the points ledger written in
//! the redemption's transaction (a cancellation writes the `refund` entry that returns them);
//! the stock is counted: the count a manager set less the redemptions (not cancelled) made
//! since, on any till, never shown below zero, and [`Vouchers::redeem`] refuses at zero; a
//! redemption is used by one order at most, in the sale's transaction, and a full refund or a
//! cancellation of that order makes it pending again (its cashback taken back as far as the
//! balance allows); each change goes up as an outbox entry.

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::coupons::today_at;
use crate::access::{Actor, Ctx, Permission};
use crate::catalog::ProductId;
use crate::kernel::ids::id_type;
use crate::kernel::text;
use crate::kernel::time::Stamp;
use crate::members::MemberId;
use crate::members::points::{self, NewEntry, PointsKind};
use crate::money::pricing::{Discount, Offer};
use crate::money::validate_amount;
use crate::outbox;
use crate::sales::checkout::OrderId;
use crate::{Entity, Error, Field, Kasir, Money, Result, Rule, audit};
use kasir_proto::Payload;

id_type!(
    /// A voucher's id.
    VoucherId
);
id_type!(
    /// A redemption's id.
    RedemptionId
);

/// What a voucher gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Reward {
    /// Taken off the order, after the coupon.
    Discount { discount: Discount },
    /// Points credited with the sale it is used on.
    CashbackPoints {
        #[cfg_attr(feature = "specta", specta(type = i32))]
        points: i64,
    },
    /// Wallet credit given with the sale it is used on.
    CashbackWallet {
        #[cfg_attr(feature = "specta", specta(type = i32))]
        amount: Money,
    },
    /// One of a product, on the ticket at zero.
    Freebie { product: ProductId },
}

/// Where a voucher stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum VoucherStatus {
    Active,
    Scheduled,
    Expired,
    OutOfStock,
    Inactive,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Voucher {
    pub id: VoucherId,
    pub name: String,
    pub reward: Reward,
    /// The free product's name, for a freebie.
    pub product_name: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub points_cost: i64,
    /// None: no limit.
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub stock: Option<i64>,
    pub valid_from: Option<Date>,
    pub valid_until: Option<Date>,
    pub active: bool,
    pub status: VoucherStatus,
    /// Redemptions not cancelled.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub redeemed: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct VoucherInput {
    pub name: String,
    pub reward: Reward,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub points_cost: i64,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub stock: Option<i64>,
    pub valid_from: Option<Date>,
    pub valid_until: Option<Date>,
    pub active: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum RedemptionStatus {
    Pending,
    Used,
    Cancelled,
}

impl RedemptionStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RedemptionStatus::Pending => "pending",
            RedemptionStatus::Used => "used",
            RedemptionStatus::Cancelled => "cancelled",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "pending" => RedemptionStatus::Pending,
            "used" => RedemptionStatus::Used,
            "cancelled" => RedemptionStatus::Cancelled,
            other => {
                return Err(Error::DatabaseCorrupt(format!(
                    "redemption status {other:?}"
                )));
            }
        })
    }
}

/// A member's redemption of a voucher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Redemption {
    pub id: RedemptionId,
    pub code: String,
    pub voucher_id: VoucherId,
    pub voucher_name: String,
    pub reward: Reward,
    pub member_id: MemberId,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub points: i64,
    pub status: RedemptionStatus,
    pub order_id: Option<OrderId>,
    pub created_at: Timestamp,
}

/// The redemption a ticket uses, and why it does not apply when it does not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TicketVoucher {
    pub redemption_id: RedemptionId,
    pub code: String,
    pub name: String,
    pub reward: Reward,
    pub refusal: Option<Rule>,
}

impl Reward {
    pub(crate) fn validate(&self, conn: &Connection) -> Result<()> {
        match self {
            Reward::Discount { discount } => {
                discount.validate()?;
            }
            Reward::CashbackPoints { points } => {
                if !(1..=points::MAX_POINTS).contains(points) {
                    return Err(Error::invalid(
                        Field::Points,
                        Rule::OutOfRange {
                            min: 1,
                            max: points::MAX_POINTS,
                        },
                    ));
                }
            }
            Reward::CashbackWallet { amount } => {
                if amount.0 <= 0 {
                    return Err(Error::invalid(Field::Amount, Rule::NotPositive));
                }
                validate_amount(Field::Amount, amount.0)?;
            }
            Reward::Freebie { product } => {
                let known: bool = conn
                    .prepare_cached("SELECT EXISTS (SELECT 1 FROM products WHERE id = ?1)")?
                    .query_row([product], |r| r.get(0))?;
                if !known {
                    return Err(Error::not_found(Entity::Product, product));
                }
            }
        }
        Ok(())
    }

    /// The pricing offer a discount voucher makes (others take nothing off the order).
    pub(crate) fn offer(&self) -> Option<Offer> {
        match self {
            Reward::Discount {
                discount: Discount::Percent(bp),
            } => Some(Offer::Percent { bp: *bp, cap: None }),
            Reward::Discount {
                discount: Discount::Amount(m),
            } => Some(Offer::Amount(*m)),
            _ => None,
        }
    }

    fn to_proto(&self) -> kasir_proto::Reward {
        use kasir_proto::Reward as P;
        match self {
            Reward::Discount {
                discount: Discount::Percent(bp),
            } => P::DiscountPercent { bp: *bp },
            Reward::Discount {
                discount: Discount::Amount(m),
            } => P::DiscountAmount { amount: m.0 },
            Reward::CashbackPoints { points } => P::CashbackPoints { points: *points },
            Reward::CashbackWallet { amount } => P::CashbackWallet { amount: amount.0 },
            Reward::Freebie { product } => P::Freebie {
                product_id: product.0,
            },
        }
    }
}

fn parse_reward(s: &str) -> Result<Reward> {
    serde_json::from_str(s).map_err(|e| Error::DatabaseCorrupt(format!("voucher reward: {e}")))
}

fn parse_date(s: Option<String>) -> Result<Option<Date>> {
    s.map(|d| {
        d.parse::<Date>()
            .map_err(|e| Error::DatabaseCorrupt(format!("voucher date {d:?}: {e}")))
    })
    .transpose()
}

/// A voucher's columns; its stock is what is left: the count a manager set less the
/// redemptions (not cancelled) made since, on any till of the store.
const VOUCHER_COLUMNS: &str = "v.id, v.name, v.reward, v.points_cost,
    CASE WHEN v.stock IS NULL THEN NULL ELSE max(0, v.stock - (SELECT COUNT(*) FROM redemptions r
        WHERE r.voucher_id = v.id AND r.status <> 'cancelled' AND r.created_at >= v.stock_set_at)) END,
    v.valid_from, v.valid_until,
    v.active, (SELECT COUNT(*) FROM redemptions r WHERE r.voucher_id = v.id AND r.status <> 'cancelled')";

fn voucher_row(conn: &Connection, r: &rusqlite::Row<'_>, today: Date) -> Result<Voucher> {
    let reward = parse_reward(&r.get::<_, String>(2)?)?;
    let product_name = match &reward {
        Reward::Freebie { product } => conn
            .prepare_cached("SELECT name FROM products WHERE id = ?1")?
            .query_row([product], |r| r.get(0))
            .optional()?,
        _ => None,
    };
    let stock: Option<i64> = r.get(4)?;
    let valid_from = parse_date(r.get(5)?)?;
    let valid_until = parse_date(r.get(6)?)?;
    let active: bool = r.get(7)?;
    let status = if !active {
        VoucherStatus::Inactive
    } else if valid_until.is_some_and(|u| u < today) {
        VoucherStatus::Expired
    } else if valid_from.is_some_and(|f| f > today) {
        VoucherStatus::Scheduled
    } else if stock == Some(0) {
        VoucherStatus::OutOfStock
    } else {
        VoucherStatus::Active
    };
    Ok(Voucher {
        id: r.get(0)?,
        name: r.get(1)?,
        reward,
        product_name,
        points_cost: r.get(3)?,
        stock,
        valid_from,
        valid_until,
        active,
        status,
        redeemed: r.get(8)?,
    })
}

pub(crate) fn load_voucher(conn: &Connection, id: VoucherId, today: Date) -> Result<Voucher> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {VOUCHER_COLUMNS} FROM vouchers v WHERE v.id = ?1"
    ))?;
    let mut rows = stmt.query([id])?;
    match rows.next()? {
        Some(r) => voucher_row(conn, r, today),
        None => Err(Error::not_found(Entity::Voucher, id)),
    }
}

pub(crate) fn load_redemption(conn: &Connection, id: RedemptionId) -> Result<Redemption> {
    let raw = conn
        .prepare_cached(
            "SELECT r.id, r.code, r.voucher_id, v.name, v.reward, r.member_id, r.points, r.status, r.order_id,
                    r.created_at
             FROM redemptions r JOIN vouchers v ON v.id = r.voucher_id WHERE r.id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, RedemptionId>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, VoucherId>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, MemberId>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, Option<OrderId>>(8)?,
                r.get::<_, Stamp>(9)?,
            ))
        })
        .optional()?
        .ok_or_else(|| Error::not_found(Entity::Redemption, id))?;
    Ok(Redemption {
        id: raw.0,
        code: raw.1,
        voucher_id: raw.2,
        voucher_name: raw.3,
        reward: parse_reward(&raw.4)?,
        member_id: raw.5,
        points: raw.6,
        status: RedemptionStatus::parse(&raw.7)?,
        order_id: raw.8,
        created_at: raw.9.0,
    })
}

fn next_code(conn: &Connection, terminal: &str) -> Result<String> {
    let n = crate::sales::shifts::next_number(conn, &format!("{terminal}-V"))?;
    Ok(format!("V-{terminal}-{n:06}"))
}

/// The voucher as it now stands, for the server: `stock` is the count a manager set, at
/// `stock_set_at` (each till counts the redemptions made since).
fn send_voucher(cx: &Ctx<'_>, id: VoucherId) -> Result<()> {
    let (reward, mut v): (String, kasir_proto::Voucher) = cx
        .prepare_cached(
            "SELECT reward, name, points_cost, stock, valid_from, valid_until, active, stock_set_at
             FROM vouchers WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get(0)?,
                kasir_proto::Voucher {
                    id: id.0,
                    name: r.get(1)?,
                    // Read from the row's JSON just below.
                    reward: kasir_proto::Reward::DiscountAmount { amount: 0 },
                    points_cost: r.get(2)?,
                    stock: r.get(3)?,
                    valid_from: r.get(4)?,
                    valid_until: r.get(5)?,
                    active: r.get(6)?,
                    at: cx.now,
                    stock_set_at: r.get::<_, Option<Stamp>>(7)?.map(|s| s.0),
                },
            ))
        })?;
    v.reward = parse_reward(&reward)?.to_proto();
    outbox::append(cx, &Payload::VoucherUpserted(v))?;
    Ok(())
}

fn send_redemption(cx: &Ctx<'_>, id: RedemptionId) -> Result<()> {
    let r = load_redemption(cx, id)?;
    outbox::append(
        cx,
        &Payload::Redemption(kasir_proto::Redemption {
            id: r.id.0,
            code: r.code,
            voucher_id: r.voucher_id.0,
            member_id: r.member_id.0,
            points: r.points,
            status: r.status.as_str().into(),
            order_id: r.order_id.map(|o| o.0),
            at: cx.now,
        }),
    )?;
    Ok(())
}

fn set_status(
    cx: &Ctx<'_>,
    id: RedemptionId,
    status: RedemptionStatus,
    order: Option<OrderId>,
) -> Result<()> {
    cx.prepare_cached(
        "UPDATE redemptions SET status = ?2, order_id = ?3, updated_at = ?4 WHERE id = ?1",
    )?
    .execute(params![id, status.as_str(), order, Stamp(cx.now)])?;
    send_redemption(cx, id)
}

/// Checks a ticket's redemption against the ticket as it stands: still pending, and for the
/// member on the ticket. The rule it breaks, if any.
pub(crate) fn evaluate(r: &Redemption, member: Option<MemberId>) -> Option<Rule> {
    if r.status != RedemptionStatus::Pending {
        return Some(Rule::Inactive);
    }
    if member != Some(r.member_id) {
        return Some(Rule::NeedsMember);
    }
    None
}

/// Uses the ticket's redemption on a new order, in the sale's transaction: marked used, and
/// its cashback credited.
pub(crate) fn use_on(cx: &Ctx<'_>, redemption: RedemptionId, order: OrderId) -> Result<()> {
    let r = load_redemption(cx, redemption)?;
    set_status(cx, redemption, RedemptionStatus::Used, Some(order))?;
    cashback(cx, &r, order, 1)
}

/// Makes the order's redemption pending again (a full refund, a cancellation), taking its
/// cashback back as far as the member's balance allows.
pub(crate) fn give_back(cx: &Ctx<'_>, order: OrderId) -> Result<()> {
    let id: Option<RedemptionId> = cx
        .prepare_cached("SELECT id FROM redemptions WHERE order_id = ?1 AND status = 'used'")?
        .query_row([order], |r| r.get(0))
        .optional()?;
    let Some(id) = id else { return Ok(()) };
    let r = load_redemption(cx, id)?;
    set_status(cx, id, RedemptionStatus::Pending, None)?;
    cashback(cx, &r, order, -1)
}

/// Credits (`sign` 1) or takes back (`sign` -1, never below zero) a cashback reward.
fn cashback(cx: &Ctx<'_>, r: &Redemption, order: OrderId, sign: i64) -> Result<()> {
    let member = crate::members::load_member(cx, r.member_id)?;
    let reason = format!("{} {}", r.code, r.voucher_name);
    match r.reward {
        Reward::CashbackPoints { points: p } => {
            let amount = if sign > 0 { p } else { -p.min(member.points) };
            if amount != 0 {
                points::post(
                    cx,
                    cx.now,
                    &cx.terminal,
                    &NewEntry {
                        member: r.member_id,
                        kind: if sign > 0 {
                            PointsKind::Adjust
                        } else {
                            PointsKind::Refund
                        },
                        points: amount,
                        order: Some(order),
                        refund: None,
                        reason: &reason,
                        staff: Some(cx.member.id),
                    },
                )?;
            }
        }
        Reward::CashbackWallet { amount } => {
            let amount = if sign > 0 {
                amount.0
            } else {
                -amount.0.min(member.wallet.0)
            };
            if amount != 0 {
                crate::members::wallet::post(
                    cx,
                    cx.now,
                    &cx.terminal,
                    &crate::members::wallet::NewWalletEntry {
                        member: r.member_id,
                        kind: crate::members::wallet::WalletKind::Adjust,
                        amount,
                        method: None,
                        reference: None,
                        order: Some(order),
                        refund: None,
                        shift: None,
                        reason: &reason,
                        staff: Some(cx.member.id),
                    },
                )?;
            }
        }
        Reward::Discount { .. } | Reward::Freebie { .. } => {}
    }
    Ok(())
}

fn validate(conn: &Connection, input: &VoucherInput) -> Result<(String, String)> {
    let name = text::name(Field::Name, &input.name, 80)?;
    input.reward.validate(conn)?;
    if !(1..=points::MAX_POINTS).contains(&input.points_cost) {
        return Err(Error::invalid(
            Field::Points,
            Rule::OutOfRange {
                min: 1,
                max: points::MAX_POINTS,
            },
        ));
    }
    if let Some(s) = input.stock
        && !(0..=1_000_000).contains(&s)
    {
        return Err(Error::invalid(
            Field::Stock,
            Rule::OutOfRange {
                min: 0,
                max: 1_000_000,
            },
        ));
    }
    if let (Some(from), Some(until)) = (input.valid_from, input.valid_until)
        && from > until
    {
        return Err(Error::invalid(Field::ValidDates, Rule::DatesOutOfOrder));
    }
    Ok((name, serde_json::to_string(&input.reward)?))
}

pub(crate) fn create_in(cx: &Ctx<'_>, input: &VoucherInput) -> Result<Voucher> {
    let (name, reward) = validate(cx, input)?;
    let id = VoucherId::new(cx.now);
    cx.prepare_cached(
        "INSERT INTO vouchers (id, name, reward, points_cost, stock, valid_from, valid_until, active,
            created_at, updated_at, stock_set_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?9)",
    )?
    .execute(params![
        id,
        name,
        reward,
        input.points_cost,
        input.stock,
        input.valid_from.map(|d| d.to_string()),
        input.valid_until.map(|d| d.to_string()),
        input.active,
        Stamp(cx.now)
    ])?;
    audit::record(
        cx,
        "voucher_created",
        serde_json::json!({ "voucher": id, "name": name }),
    )?;
    send_voucher(cx, id)?;
    load_voucher(cx, id, today_at(cx, cx.now)?)
}

/// Tells the managers of vouchers that end within the loyalty settings' notice days, once per
/// voucher and end date (members holding one should use it in time).
fn notify_expiring(cx: &Connection, now: Timestamp) -> Result<usize> {
    let days = points::load_settings(cx)?.expiry_notice_days;
    if days == 0 {
        return Ok(0);
    }
    let today = today_at(cx, now)?;
    let last = today
        .checked_add(jiff::Span::new().days(i64::from(days)))
        .map_err(|e| Error::DatabaseCorrupt(format!("notice window: {e}")))?;
    let due: Vec<(VoucherId, String, String)> = cx
        .prepare_cached(
            "SELECT id, name, valid_until FROM vouchers
             WHERE active = 1 AND valid_until IS NOT NULL AND valid_until >= ?1 AND valid_until <= ?2
               AND (expiry_noticed IS NULL OR expiry_noticed <> valid_until)
             ORDER BY valid_until, name",
        )?
        .query_map(params![today.to_string(), last.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (id, name, until) in &due {
        crate::notices::to_managers(
            cx,
            now,
            crate::notices::NoticeKind::VoucherExpiring,
            &crate::notices::NoticeDetail {
                voucher_name: Some(name.clone()),
                until: Some(until.clone()),
                ..Default::default()
            },
        )?;
        cx.prepare_cached("UPDATE vouchers SET expiry_noticed = valid_until WHERE id = ?1")?
            .execute([id])?;
    }
    Ok(due.len())
}

pub struct Vouchers<'k> {
    k: &'k Kasir,
}

impl Kasir {
    /// Vouchers: the catalogue, redemptions with points, their cancellation.
    pub fn vouchers(&self) -> Vouchers<'_> {
        Vouchers { k: self }
    }
}

impl Vouchers<'_> {
    /// Tells the managers of vouchers that end within the loyalty settings' notice days, once
    /// per voucher and end date. Run by the app's hourly housekeeping; returns how many.
    pub fn notify_expiring(&self) -> Result<usize> {
        self.k.transact(|tx, now| notify_expiring(tx, now))
    }

    /// Adds a voucher to the catalogue (a manager's); audited; goes up to the server.
    pub fn create(&self, actor: &Actor, input: &VoucherInput) -> Result<Voucher> {
        self.k
            .write(actor, Permission::ManageCoupons, |cx| create_in(cx, input))
    }

    /// Changes a voucher; redemptions made keep their points and reward as the voucher had
    /// them when they were used (a reward is read when used: a change applies to pending ones).
    pub fn update(&self, actor: &Actor, id: VoucherId, input: &VoucherInput) -> Result<Voucher> {
        self.k.write(actor, Permission::ManageCoupons, |cx| {
            let (name, reward) = validate(cx, input)?;
            let today = today_at(cx, cx.now)?;
            load_voucher(cx, id, today)?;
            cx.prepare_cached(
                "UPDATE vouchers SET name = ?2, reward = ?3, points_cost = ?4, stock = ?5, valid_from = ?6,
                    valid_until = ?7, active = ?8, updated_at = ?9, stock_set_at = ?9
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                name,
                reward,
                input.points_cost,
                input.stock,
                input.valid_from.map(|d| d.to_string()),
                input.valid_until.map(|d| d.to_string()),
                input.active,
                Stamp(cx.now)
            ])?;
            audit::record(
                cx,
                "voucher_changed",
                serde_json::json!({ "voucher": id, "name": name }),
            )?;
            send_voucher(cx, id)?;
            load_voucher(cx, id, today)
        })
    }

    /// The catalogue, active ones first (anyone at the till: members choose from it).
    pub fn list(&self, actor: &Actor) -> Result<Vec<Voucher>> {
        let now = self.k.now();
        self.k.read(actor, Permission::Members, |conn, _| {
            let today = today_at(conn, now)?;
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {VOUCHER_COLUMNS} FROM vouchers v ORDER BY v.active DESC, v.points_cost, v.name"
            ))?;
            let mut rows = stmt.query([])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(voucher_row(conn, r, today)?);
            }
            Ok(out)
        })
    }

    /// A member buys a voucher with points: their points and one of the stock are taken in
    /// this one transaction. Refused (nothing taken) when the voucher is not active today,
    /// out of stock, or the member lacks the points.
    pub fn redeem(
        &self,
        actor: &Actor,
        member: MemberId,
        voucher: VoucherId,
    ) -> Result<Redemption> {
        self.k.write(actor, Permission::Members, |cx| {
            let m = crate::members::load_member(cx, member)?;
            if !m.active {
                return Err(Error::invalid(Field::Member, Rule::Inactive));
            }
            let v = load_voucher(cx, voucher, today_at(cx, cx.now)?)?;
            match v.status {
                VoucherStatus::Active => {}
                VoucherStatus::Inactive => return Err(Error::invalid(Field::Voucher, Rule::Inactive)),
                VoucherStatus::Scheduled => {
                    return Err(Error::invalid(
                        Field::Voucher,
                        Rule::NotStarted {
                            from: v.valid_from.map(|d| d.to_string()).unwrap_or_default(),
                        },
                    ));
                }
                VoucherStatus::Expired => {
                    return Err(Error::invalid(
                        Field::Voucher,
                        Rule::Expired {
                            until: v.valid_until.map(|d| d.to_string()).unwrap_or_default(),
                        },
                    ));
                }
                VoucherStatus::OutOfStock => return Err(Error::invalid(Field::Voucher, Rule::OutOfStock)),
            }
            let id = RedemptionId::new(cx.now);
            let code = next_code(cx, &cx.terminal)?;
            cx.prepare_cached(
                "INSERT INTO redemptions (id, code, voucher_id, member_id, points, status, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?6)",
            )?
            .execute(params![id, code, voucher, member, v.points_cost, Stamp(cx.now)])?;
            // The member's points: refused with what they hold when too few.
            points::post(
                cx,
                cx.now,
                &cx.terminal,
                &NewEntry {
                    member,
                    kind: PointsKind::Redeem,
                    points: -v.points_cost,
                    order: None,
                    refund: None,
                    reason: &format!("{code} {}", v.name),
                    staff: Some(cx.member.id),
                },
            )?;
            // One of the stock is taken by the redemption itself (the stock is counted).
            send_redemption(cx, id)?;
            load_redemption(cx, id)
        })
    }

    /// Cancels a pending redemption: the points and the stock come back, in one transaction.
    pub fn cancel(&self, actor: &Actor, id: RedemptionId) -> Result<Redemption> {
        self.k.write(actor, Permission::Members, |cx| {
            let r = load_redemption(cx, id)?;
            if r.status != RedemptionStatus::Pending {
                return Err(Error::InvalidTransition {
                    from: r.status.as_str().into(),
                    to: "cancelled".into(),
                });
            }
            // A ticket holding it lets go of it (and of its free line).
            cx.prepare_cached("DELETE FROM ticket_lines WHERE free_of = ?1")?
                .execute([id])?;
            cx.prepare_cached("UPDATE tickets SET redemption_id = NULL WHERE redemption_id = ?1")?
                .execute([id])?;
            set_status(cx, id, RedemptionStatus::Cancelled, None)?;
            points::post(
                cx,
                cx.now,
                &cx.terminal,
                &NewEntry {
                    member: r.member_id,
                    kind: PointsKind::Refund,
                    points: r.points,
                    order: None,
                    refund: None,
                    reason: &format!("{} {}", r.code, r.voucher_name),
                    staff: Some(cx.member.id),
                },
            )?;
            // Its one of the stock comes back with its status (the stock is counted).
            audit::record(
                cx,
                "redemption_cancelled",
                serde_json::json!({ "redemption": id, "code": r.code }),
            )?;
            load_redemption(cx, id)
        })
    }

    /// A member's redemptions, pending first, then newest first.
    pub fn of_member(&self, actor: &Actor, member: MemberId) -> Result<Vec<Redemption>> {
        self.k.read(actor, Permission::Members, |conn, _| {
            let ids: Vec<RedemptionId> = conn
                .prepare_cached(
                    "SELECT id FROM redemptions WHERE member_id = ?1
                     ORDER BY status = 'pending' DESC, created_at DESC LIMIT 200",
                )?
                .query_map([member], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            ids.into_iter()
                .map(|id| load_redemption(conn, id))
                .collect()
        })
    }
}

/// The demo café's vouchers: a discount, a free croissant-style pastry, and wallet cashback.
pub(crate) fn seed_demo(cx: &Ctx<'_>, freebie: ProductId) -> Result<()> {
    let base = VoucherInput {
        name: String::new(),
        reward: Reward::CashbackPoints { points: 1 },
        points_cost: 1,
        stock: None,
        valid_from: None,
        valid_until: None,
        active: true,
    };
    for v in [
        VoucherInput {
            name: "Potongan Rp 15.000".into(),
            reward: Reward::Discount {
                discount: Discount::Amount(Money(15_000)),
            },
            points_cost: 150,
            ..base.clone()
        },
        VoucherInput {
            name: "Gratis 1 kue".into(),
            reward: Reward::Freebie { product: freebie },
            points_cost: 200,
            stock: Some(50),
            ..base.clone()
        },
        VoucherInput {
            name: "Saldo Rp 25.000".into(),
            reward: Reward::CashbackWallet {
                amount: Money(25_000),
            },
            points_cost: 250,
            ..base
        },
    ] {
        create_in(cx, &v)?;
    }
    Ok(())
}
