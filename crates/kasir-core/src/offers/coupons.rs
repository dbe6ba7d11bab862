//! Coupons: codes a cashier types or scans at the till. A coupon's rule is one of percent
//! (with an optional cap), fixed amount, buy X get Y, or tiered (spend ≥ A: x %, ≥ B: y %);
//! its limits are a minimum order, uses in all and per member, valid from and until (the
//! shop's dates, both inclusive), and a group of customers (all, new, regular, VIP).
//!
//! A ticket names its coupon; every pricing of the ticket checks the coupon against the
//! ticket as it stands ([`evaluate`]), so the till shows why a coupon stopped applying (the
//! ticket fell below the minimum) and checkout refuses it with the same reason.
//!
//! **Invariants**: a use is written in the sale's own transaction with its outbox entry, and
//! given back (never deleted) by a full refund or a cancellation; only uses not given back
//! count against the limits; what a coupon takes is part of the order-level discount that
//! pricing shares over the lines, so a refund gives back each line's share exactly.

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::access::{Actor, Ctx, Permission};
use crate::catalog::ProductId;
use crate::kernel::ids::id_type;
use crate::kernel::text;
use crate::kernel::time::Stamp;
use crate::members::MemberId;
use crate::members::points::LoyaltySettings;
use crate::money::pricing::Offer;
use crate::money::{MAX_AMOUNT, validate_amount};
use crate::outbox;
use crate::sales::checkout::OrderId;
use crate::sales::tickets::TicketLine;
use crate::{Entity, Error, Field, Kasir, Money, Result, Rule, audit};
use kasir_proto::Payload;

id_type!(
    /// A coupon's id.
    CouponId
);
id_type!(
    /// One use of a coupon on an order.
    CouponUseId
);

/// What a coupon takes off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum CouponRule {
    /// Basis points of the order (after the order discount), at most `cap` when given.
    Percent {
        bp: u32,
        #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
        cap: Option<Money>,
    },
    /// A fixed amount; on a smaller order it takes the whole order, never more.
    Amount {
        #[cfg_attr(feature = "specta", specta(type = i32))]
        amount: Money,
    },
    /// For every `buy_quantity` of `buy_product`, `get_quantity` of `get_product` are free
    /// (the cheapest units on the ticket; when both are one product a set is buy + get).
    BuyGet {
        buy_product: ProductId,
        buy_quantity: u32,
        get_product: ProductId,
        get_quantity: u32,
    },
    /// Spend at least a step's amount: its percentage off; the highest step reached applies.
    Tiered { steps: Vec<TierStep> },
}

/// One step of a tiered coupon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TierStep {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub from: Money,
    pub bp: u32,
}

/// Who may use a coupon, by their history at the shop (thresholds in the loyalty settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum CustomerGroup {
    /// Anyone, member or not.
    All,
    /// A member with no orders yet.
    New,
    /// A member with enough orders and spending (3+ orders by default).
    Regular,
    /// A member with many orders and much spending (10+ orders by default).
    Vip,
}

impl CustomerGroup {
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerGroup::All => "all",
            CustomerGroup::New => "new",
            CustomerGroup::Regular => "regular",
            CustomerGroup::Vip => "vip",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "all" => CustomerGroup::All,
            "new" => CustomerGroup::New,
            "regular" => CustomerGroup::Regular,
            "vip" => CustomerGroup::Vip,
            other => return Err(Error::DatabaseCorrupt(format!("customer group {other:?}"))),
        })
    }

    /// Whether a member with `visits` orders and `spent` in all belongs to the group.
    pub fn admits(self, visits: i64, spent: Money, s: &LoyaltySettings) -> bool {
        match self {
            CustomerGroup::All => true,
            CustomerGroup::New => visits == 0,
            CustomerGroup::Regular => {
                visits >= i64::from(s.regular_orders) && spent >= s.regular_spent
            }
            CustomerGroup::Vip => visits >= i64::from(s.vip_orders) && spent >= s.vip_spent,
        }
    }
}

/// Where a coupon stands today, for the admin list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum CouponStatus {
    Active,
    /// Starts later.
    Scheduled,
    Expired,
    /// Every use it allows has been made.
    UsedUp,
    /// Switched off by a manager.
    Inactive,
}

/// A coupon as admin mode lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Coupon {
    pub id: CouponId,
    pub code: String,
    pub name: String,
    pub rule: CouponRule,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub min_order: Money,
    pub usage_limit: Option<u32>,
    pub per_member_limit: Option<u32>,
    pub customer_group: CustomerGroup,
    pub valid_from: Option<Date>,
    pub valid_until: Option<Date>,
    pub active: bool,
    /// Uses not given back.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub used: i64,
    /// What those uses took off, in all.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub discount_given: Money,
    pub status: CouponStatus,
    pub updated_at: Timestamp,
}

/// What a manager writes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CouponInput {
    pub code: String,
    pub name: String,
    pub rule: CouponRule,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub min_order: Money,
    pub usage_limit: Option<u32>,
    pub per_member_limit: Option<u32>,
    pub customer_group: CustomerGroup,
    pub valid_from: Option<Date>,
    pub valid_until: Option<Date>,
    pub active: bool,
}

/// One use of a coupon, for its usage list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CouponUse {
    pub id: CouponUseId,
    /// The order and its receipt; None for a use on another till of the store (its order
    /// is that till's).
    pub order_id: Option<OrderId>,
    pub receipt_no: Option<String>,
    pub member_name: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub discount: Money,
    pub used_at: Timestamp,
    /// Set when a full refund or a cancellation gave the use back.
    pub given_back_at: Option<Timestamp>,
}

/// The coupon on a ticket: what it takes now, or why it does not apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TicketCoupon {
    pub id: CouponId,
    pub code: String,
    pub name: String,
    /// Why it takes nothing now (checkout refuses it with this reason); None: it applies.
    pub refusal: Option<Rule>,
}

/// The most steps a tiered coupon has, and the most units of a "buy X get Y" set.
const MAX_STEPS: usize = 5;
const MAX_SET: u32 = 100;

/// A code as Kasir keeps it: trimmed, in capitals; 3 to 24 letters, digits or dashes.
pub fn normalize_code(code: &str) -> Result<String> {
    let c = code.trim().to_ascii_uppercase();
    let ok =
        (3..=24).contains(&c.len()) && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-');
    if ok {
        Ok(c)
    } else {
        Err(Error::invalid(Field::Code, Rule::CodeFormat))
    }
}

fn bp_in_range(bp: u32) -> Result<()> {
    if (1..=10_000).contains(&bp) {
        Ok(())
    } else {
        Err(Error::invalid(
            Field::Discount,
            Rule::PercentRange {
                min_bp: 1,
                max_bp: 10_000,
            },
        ))
    }
}

/// An amount a coupon takes off: above zero, within what Kasir holds.
fn positive(m: Money) -> Result<()> {
    if m.0 <= 0 {
        return Err(Error::invalid(Field::Discount, Rule::NotPositive));
    }
    validate_amount(Field::Discount, m.0).map(|_| ())
}

fn limit_in_range(field: Field, v: Option<u32>) -> Result<()> {
    match v {
        Some(n) if !(1..=1_000_000).contains(&n) => Err(Error::invalid(
            field,
            Rule::OutOfRange {
                min: 1,
                max: 1_000_000,
            },
        )),
        _ => Ok(()),
    }
}

impl CouponRule {
    fn to_proto(&self) -> kasir_proto::CouponRule {
        use kasir_proto::CouponRule as P;
        match self {
            CouponRule::Percent { bp, cap } => P::Percent {
                bp: *bp,
                cap: cap.map(|c| c.0),
            },
            CouponRule::Amount { amount } => P::Amount { amount: amount.0 },
            CouponRule::BuyGet {
                buy_product,
                buy_quantity,
                get_product,
                get_quantity,
            } => P::BuyGet {
                buy_product: buy_product.0,
                buy_quantity: *buy_quantity,
                get_product: get_product.0,
                get_quantity: *get_quantity,
            },
            CouponRule::Tiered { steps } => P::Tiered {
                steps: steps
                    .iter()
                    .map(|s| kasir_proto::TierStep {
                        from: s.from.0,
                        bp: s.bp,
                    })
                    .collect(),
            },
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        match self {
            CouponRule::Percent { bp, cap } => {
                bp_in_range(*bp)?;
                if let Some(c) = cap {
                    positive(*c)?;
                }
            }
            CouponRule::Amount { amount } => positive(*amount)?,
            CouponRule::BuyGet {
                buy_quantity,
                get_quantity,
                ..
            } => {
                for q in [*buy_quantity, *get_quantity] {
                    if !(1..=MAX_SET).contains(&q) {
                        return Err(Error::invalid(
                            Field::Quantity,
                            Rule::OutOfRange {
                                min: 1,
                                max: i64::from(MAX_SET),
                            },
                        ));
                    }
                }
            }
            CouponRule::Tiered { steps } => {
                if steps.is_empty() {
                    return Err(Error::invalid(Field::Discount, Rule::Required));
                }
                if steps.len() > MAX_STEPS {
                    return Err(Error::invalid(
                        Field::Discount,
                        Rule::TooMany {
                            max: MAX_STEPS as u32,
                        },
                    ));
                }
                for (i, s) in steps.iter().enumerate() {
                    bp_in_range(s.bp)?;
                    if s.from.0 < 0 {
                        return Err(Error::invalid(Field::MinOrder, Rule::Negative));
                    }
                    if s.from.0 > MAX_AMOUNT {
                        return Err(Error::invalid(Field::MinOrder, Rule::TooLarge));
                    }
                    if i > 0 && steps[i - 1].from >= s.from {
                        return Err(Error::invalid(Field::Discount, Rule::TiersOutOfOrder));
                    }
                }
            }
        }
        Ok(())
    }
}

/// A checked input: the code in capitals, the name trimmed.
struct Valid {
    code: String,
    name: String,
    rule: String,
}

fn validate(conn: &Connection, input: &CouponInput) -> Result<Valid> {
    let code = normalize_code(&input.code)?;
    let name = text::name(Field::Name, &input.name, 80)?;
    input.rule.validate()?;
    if let CouponRule::BuyGet {
        buy_product,
        get_product,
        ..
    } = &input.rule
    {
        for p in [buy_product, get_product] {
            let known: bool = conn
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM products WHERE id = ?1)")?
                .query_row([p], |r| r.get(0))?;
            if !known {
                return Err(Error::not_found(Entity::Product, p));
            }
        }
    }
    if input.min_order.0 < 0 {
        return Err(Error::invalid(Field::MinOrder, Rule::Negative));
    }
    if input.min_order.0 > MAX_AMOUNT {
        return Err(Error::invalid(Field::MinOrder, Rule::TooLarge));
    }
    limit_in_range(Field::UsageLimit, input.usage_limit)?;
    limit_in_range(Field::MemberLimit, input.per_member_limit)?;
    if let (Some(from), Some(until)) = (input.valid_from, input.valid_until)
        && from > until
    {
        return Err(Error::invalid(Field::ValidDates, Rule::DatesOutOfOrder));
    }
    Ok(Valid {
        code,
        name,
        rule: serde_json::to_string(&input.rule)?,
    })
}

const COLUMNS: &str = "c.id, c.code, c.name, c.rule, c.min_order, c.usage_limit, c.per_member_limit,
    c.customer_group, c.valid_from, c.valid_until, c.active, c.updated_at,
    (SELECT COUNT(*) FROM coupon_uses u WHERE u.coupon_id = c.id AND u.given_back_at IS NULL)
      + (SELECT COUNT(*) FROM coupon_uses_elsewhere u WHERE u.coupon_id = c.id AND u.given_back_at IS NULL),
    (SELECT COALESCE(SUM(discount), 0) FROM coupon_uses u WHERE u.coupon_id = c.id AND u.given_back_at IS NULL)
      + (SELECT COALESCE(SUM(discount), 0) FROM coupon_uses_elsewhere u WHERE u.coupon_id = c.id AND u.given_back_at IS NULL)";

type RawCoupon = (
    CouponId,
    String,
    String,
    String,
    i64,
    Option<u32>,
    Option<u32>,
    String,
    Option<String>,
    Option<String>,
    bool,
    Stamp,
    i64,
    i64,
);

fn raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawCoupon> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
        r.get(12)?,
        r.get(13)?,
    ))
}

fn parse_date(s: Option<String>) -> Result<Option<Date>> {
    s.map(|d| {
        d.parse::<Date>()
            .map_err(|e| Error::DatabaseCorrupt(format!("coupon date {d:?}: {e}")))
    })
    .transpose()
}

fn build(raw: RawCoupon, today: Date) -> Result<Coupon> {
    let (
        id,
        code,
        name,
        rule,
        min_order,
        usage_limit,
        per_member_limit,
        group,
        from,
        until,
        active,
        at,
        used,
        given,
    ) = raw;
    let rule: CouponRule = serde_json::from_str(&rule)
        .map_err(|e| Error::DatabaseCorrupt(format!("coupon {code}: rule {e}")))?;
    let valid_from = parse_date(from)?;
    let valid_until = parse_date(until)?;
    let status = if !active {
        CouponStatus::Inactive
    } else if valid_until.is_some_and(|u| u < today) {
        CouponStatus::Expired
    } else if valid_from.is_some_and(|f| f > today) {
        CouponStatus::Scheduled
    } else if usage_limit.is_some_and(|l| used >= i64::from(l)) {
        CouponStatus::UsedUp
    } else {
        CouponStatus::Active
    };
    Ok(Coupon {
        id,
        code,
        name,
        rule,
        min_order: Money(min_order),
        usage_limit,
        per_member_limit,
        customer_group: CustomerGroup::parse(&group)?,
        valid_from,
        valid_until,
        active,
        used,
        discount_given: Money(given),
        status,
        updated_at: at.0,
    })
}

pub(crate) fn load(conn: &Connection, id: CouponId, today: Date) -> Result<Coupon> {
    let raw = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM coupons c WHERE c.id = ?1"))?
        .query_row([id], raw)
        .optional()?
        .ok_or_else(|| Error::not_found(Entity::Coupon, id))?;
    build(raw, today)
}

fn by_code(conn: &Connection, code: &str, today: Date) -> Result<Coupon> {
    let raw = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM coupons c WHERE c.code = ?1"
        ))?
        .query_row([code], raw)
        .optional()?
        .ok_or_else(|| Error::not_found(Entity::Coupon, code))?;
    build(raw, today)
}

/// The shop's date at `now`.
pub(crate) fn today_at(conn: &Connection, now: Timestamp) -> Result<Date> {
    Ok(now
        .to_zoned(crate::settings::load(conn)?.time_zone()?)
        .date())
}

/// The member as a coupon's limits see them.
pub(crate) struct Customer {
    pub id: MemberId,
    pub visits: i64,
    pub spent: Money,
}

/// Checks a coupon against a ticket as it stands and resolves what it takes: the offer for
/// pricing, or the rule it breaks (in the order a cashier can act on: the coupon itself, then
/// the customer, then the ticket). `base` is the ticket after its order discount.
pub(crate) fn evaluate(
    conn: &Connection,
    coupon: &Coupon,
    lines: &[TicketLine],
    base: Money,
    customer: Option<&Customer>,
    today: Date,
) -> Result<std::result::Result<Offer, Rule>> {
    if !coupon.active {
        return Ok(Err(Rule::Inactive));
    }
    if let Some(from) = coupon.valid_from
        && from > today
    {
        return Ok(Err(Rule::NotStarted {
            from: from.to_string(),
        }));
    }
    if let Some(until) = coupon.valid_until
        && until < today
    {
        return Ok(Err(Rule::Expired {
            until: until.to_string(),
        }));
    }
    if coupon
        .usage_limit
        .is_some_and(|l| coupon.used >= i64::from(l))
    {
        return Ok(Err(Rule::UsageLimitReached));
    }
    let needs_member =
        coupon.customer_group != CustomerGroup::All || coupon.per_member_limit.is_some();
    match customer {
        None if needs_member => return Ok(Err(Rule::NeedsMember)),
        None => {}
        Some(c) => {
            let settings = crate::members::points::load_settings(conn)?;
            if !coupon.customer_group.admits(c.visits, c.spent, &settings) {
                return Ok(Err(Rule::CustomerGroup {
                    group: coupon.customer_group.as_str().into(),
                }));
            }
            if let Some(limit) = coupon.per_member_limit {
                let used: i64 = conn
                    .prepare_cached(
                        "SELECT (SELECT COUNT(*) FROM coupon_uses
                                 WHERE member_id = ?1 AND coupon_id = ?2 AND given_back_at IS NULL)
                              + (SELECT COUNT(*) FROM coupon_uses_elsewhere
                                 WHERE member_id = ?1 AND coupon_id = ?2 AND given_back_at IS NULL)",
                    )?
                    .query_row(params![c.id, coupon.id], |r| r.get(0))?;
                if used >= i64::from(limit) {
                    return Ok(Err(Rule::MemberLimitReached));
                }
            }
        }
    }
    if base < coupon.min_order {
        return Ok(Err(Rule::MinimumNotReached {
            minimum: coupon.min_order,
        }));
    }
    let offer = match &coupon.rule {
        CouponRule::Percent { bp, cap } => Offer::Percent { bp: *bp, cap: *cap },
        CouponRule::Amount { amount } => Offer::Amount(*amount),
        CouponRule::Tiered { steps } => {
            let lowest = steps.iter().map(|s| s.from).min().unwrap_or(Money::ZERO);
            if base < lowest {
                return Ok(Err(Rule::MinimumNotReached { minimum: lowest }));
            }
            Offer::Tiered(steps.iter().map(|s| (s.from, s.bp)).collect())
        }
        CouponRule::BuyGet {
            buy_product,
            buy_quantity,
            get_product,
            get_quantity,
        } => {
            let free = free_units_value(
                lines,
                *buy_product,
                *buy_quantity,
                *get_product,
                *get_quantity,
            );
            if free == Money::ZERO {
                return Ok(Err(Rule::NothingToDiscount));
            }
            Offer::Amount(free)
        }
    };
    Ok(Ok(offer))
}

/// What the free units of a "buy X get Y" are worth on these lines: the cheapest units of the
/// free product (after their line discounts), as many as the bought sets earn.
pub fn free_units_value(
    lines: &[TicketLine],
    buy: ProductId,
    buy_quantity: u32,
    get: ProductId,
    get_quantity: u32,
) -> Money {
    let (buy_q, get_q) = (i64::from(buy_quantity), i64::from(get_quantity));
    let units = |p: ProductId| -> i64 {
        lines
            .iter()
            .filter(|l| l.product_id == p)
            .map(|l| l.quantity)
            .sum()
    };
    let free = if buy == get {
        // A set is the bought units and the free ones together: buy 2 get 1 needs 3.
        (units(buy) / (buy_q + get_q)) * get_q
    } else {
        ((units(buy) / buy_q) * get_q).min(units(get))
    };
    // Unit values of the free product's units, cheapest first (a line's discount spread over
    // its units, rounded down, so the free units never take more than the line holds).
    let mut prices: Vec<(i64, i64)> = lines
        .iter()
        .filter(|l| l.product_id == get && l.quantity > 0)
        .map(|l| {
            let net = l.totals.gross.0 - l.totals.line_discount.0;
            (net / l.quantity, l.quantity)
        })
        .collect();
    prices.sort_unstable();
    let mut left = free;
    let mut value = 0i64;
    for (unit, qty) in prices {
        let n = left.min(qty);
        value = value.saturating_add(unit.saturating_mul(n));
        left -= n;
        if left == 0 {
            break;
        }
    }
    Money(value.max(0))
}

/// Records the use of the ticket's coupon on a new order, in the sale's transaction.
pub(crate) fn record_use(
    cx: &Ctx<'_>,
    coupon: CouponId,
    order: OrderId,
    member: Option<MemberId>,
    discount: Money,
) -> Result<()> {
    let id = CouponUseId::new(cx.now);
    cx.prepare_cached(
        "INSERT INTO coupon_uses (id, coupon_id, order_id, member_id, discount, used_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        id,
        coupon,
        order,
        member,
        discount.0,
        Stamp(cx.now)
    ])?;
    send_use(cx, id)
}

/// Gives back the order's coupon use (a full refund, a cancellation): it stops counting
/// against the limits. Nothing to do when the order had no coupon or it was given back.
pub(crate) fn give_back_use(cx: &Ctx<'_>, order: OrderId) -> Result<()> {
    let id: Option<CouponUseId> = cx
        .prepare_cached(
            "UPDATE coupon_uses SET given_back_at = ?2
             WHERE order_id = ?1 AND given_back_at IS NULL RETURNING id",
        )?
        .query_row(params![order, Stamp(cx.now)], |r| r.get(0))
        .optional()?;
    match id {
        Some(id) => send_use(cx, id),
        None => Ok(()),
    }
}

fn send_use(cx: &Ctx<'_>, id: CouponUseId) -> Result<()> {
    let u = cx
        .prepare_cached(
            "SELECT coupon_id, order_id, member_id, discount, used_at, given_back_at
             FROM coupon_uses WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(kasir_proto::CouponUse {
                id: id.0,
                coupon_id: r.get::<_, CouponId>(0)?.0,
                order_id: r.get::<_, OrderId>(1)?.0,
                member_id: r.get::<_, Option<MemberId>>(2)?.map(|m| m.0),
                discount: r.get(3)?,
                used_at: r.get::<_, Stamp>(4)?.0,
                given_back_at: r.get::<_, Option<Stamp>>(5)?.map(|s| s.0),
            })
        })?;
    outbox::append(cx, &Payload::CouponUse(u))?;
    Ok(())
}

fn send(cx: &Ctx<'_>, c: &Coupon) -> Result<()> {
    outbox::append(
        cx,
        &Payload::CouponUpserted(kasir_proto::Coupon {
            id: c.id.0,
            code: c.code.clone(),
            name: c.name.clone(),
            rule: c.rule.to_proto(),
            min_order: c.min_order.0,
            usage_limit: c.usage_limit,
            per_member_limit: c.per_member_limit,
            customer_group: c.customer_group.as_str().into(),
            valid_from: c.valid_from.map(|d| d.to_string()),
            valid_until: c.valid_until.map(|d| d.to_string()),
            active: c.active,
            at: c.updated_at,
        }),
    )?;
    Ok(())
}

/// Coupons ending within the notice days that the managers were not told of yet: one
/// notification each, written in this transaction. Returns how many.
fn notify_expiring(cx: &Connection, now: Timestamp) -> Result<usize> {
    let days = crate::members::points::load_settings(cx)?.expiry_notice_days;
    if days == 0 {
        return Ok(0);
    }
    let today = today_at(cx, now)?;
    let last = today
        .checked_add(jiff::Span::new().days(i64::from(days)))
        .map_err(|e| Error::DatabaseCorrupt(format!("notice window: {e}")))?;
    let due: Vec<(CouponId, String, String, String)> = cx
        .prepare_cached(
            "SELECT id, code, name, valid_until FROM coupons
             WHERE active = 1 AND valid_until IS NOT NULL AND valid_until >= ?1 AND valid_until <= ?2
               AND (expiry_noticed IS NULL OR expiry_noticed <> valid_until)
             ORDER BY valid_until, code",
        )?
        .query_map(params![today.to_string(), last.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (id, code, name, until) in &due {
        crate::notices::to_managers(
            cx,
            now,
            crate::notices::NoticeKind::CouponExpiring,
            &crate::notices::NoticeDetail {
                coupon_code: Some(code.clone()),
                coupon_name: Some(name.clone()),
                until: Some(until.clone()),
                ..Default::default()
            },
        )?;
        cx.prepare_cached("UPDATE coupons SET expiry_noticed = valid_until WHERE id = ?1")?
            .execute([id])?;
    }
    Ok(due.len())
}

pub struct Coupons<'k> {
    k: &'k Kasir,
}

impl Kasir {
    /// Coupons: the catalogue managers keep, and their uses.
    pub fn coupons(&self) -> Coupons<'_> {
        Coupons { k: self }
    }
}

impl Coupons<'_> {
    /// Makes a coupon (a manager's); audited; goes up to the server.
    pub fn create(&self, actor: &Actor, input: &CouponInput) -> Result<Coupon> {
        self.k
            .write(actor, Permission::ManageCoupons, |cx| create_in(cx, input))
    }

    /// Changes a coupon; its uses so far stay as they were. Audited; goes up to the server.
    pub fn update(&self, actor: &Actor, id: CouponId, input: &CouponInput) -> Result<Coupon> {
        self.k.write(actor, Permission::ManageCoupons, |cx| {
            let v = validate(cx, input)?;
            let today = today_at(cx, cx.now)?;
            load(cx, id, today)?;
            taken(cx, &v.code, Some(id))?;
            cx.prepare_cached(
                "UPDATE coupons SET code = ?2, name = ?3, rule = ?4, min_order = ?5, usage_limit = ?6,
                    per_member_limit = ?7, customer_group = ?8, valid_from = ?9, valid_until = ?10,
                    active = ?11, updated_at = ?12
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                v.code,
                v.name,
                v.rule,
                input.min_order.0,
                input.usage_limit,
                input.per_member_limit,
                input.customer_group.as_str(),
                input.valid_from.map(|d| d.to_string()),
                input.valid_until.map(|d| d.to_string()),
                input.active,
                Stamp(cx.now)
            ])?;
            let c = load(cx, id, today)?;
            audit::record(cx, "coupon_changed", serde_json::json!({ "coupon": id, "code": c.code }))?;
            send(cx, &c)?;
            Ok(c)
        })
    }

    /// Every coupon, active ones first, then by code.
    pub fn list(&self, actor: &Actor) -> Result<Vec<Coupon>> {
        let now = self.k.now();
        self.k.read(actor, Permission::ManageCoupons, |conn, _| {
            let today = today_at(conn, now)?;
            let raws: Vec<RawCoupon> = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM coupons c ORDER BY c.active DESC, c.code"
                ))?
                .query_map([], raw)?
                .collect::<rusqlite::Result<_>>()?;
            raws.into_iter().map(|r| build(r, today)).collect()
        })
    }

    /// Tells the managers of coupons that end within the loyalty settings' notice days, once
    /// per coupon and end date. Run by the app's hourly housekeeping; returns how many.
    pub fn notify_expiring(&self) -> Result<usize> {
        self.k.transact(|tx, now| notify_expiring(tx, now))
    }

    /// A coupon's uses, newest first (at most `limit`).
    pub fn uses(&self, actor: &Actor, id: CouponId, limit: u32) -> Result<Vec<CouponUse>> {
        let limit = limit.clamp(1, 1000);
        let now = self.k.now();
        self.k.read(actor, Permission::ManageCoupons, |conn, _| {
            load(conn, id, today_at(conn, now)?)?;
            let uses = conn
                .prepare_cached(
                    "SELECT u.id, u.order_id, o.receipt_no, m.name, u.discount, u.used_at, u.given_back_at
                     FROM coupon_uses u JOIN orders o ON o.id = u.order_id
                     LEFT JOIN members m ON m.id = u.member_id
                     WHERE u.coupon_id = ?1
                     UNION ALL
                     SELECT u.id, NULL, NULL, m.name, u.discount, u.used_at, u.given_back_at
                     FROM coupon_uses_elsewhere u LEFT JOIN members m ON m.id = u.member_id
                     WHERE u.coupon_id = ?1
                     ORDER BY 6 DESC LIMIT ?2",
                )?
                .query_map(params![id, limit], |r| {
                    Ok(CouponUse {
                        id: r.get(0)?,
                        order_id: r.get(1)?,
                        receipt_no: r.get(2)?,
                        member_name: r.get(3)?,
                        discount: Money(r.get(4)?),
                        used_at: r.get::<_, Stamp>(5)?.0,
                        given_back_at: r.get::<_, Option<Stamp>>(6)?.map(|s| s.0),
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(uses)
        })
    }
}

/// Makes a coupon inside the caller's transaction: audited, with its outbox entry.
pub(crate) fn create_in(cx: &Ctx<'_>, input: &CouponInput) -> Result<Coupon> {
    let v = validate(cx, input)?;
    taken(cx, &v.code, None)?;
    let id = CouponId::new(cx.now);
    cx.prepare_cached(
        "INSERT INTO coupons (id, code, name, rule, min_order, usage_limit, per_member_limit,
            customer_group, valid_from, valid_until, active, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
    )?
    .execute(params![
        id,
        v.code,
        v.name,
        v.rule,
        input.min_order.0,
        input.usage_limit,
        input.per_member_limit,
        input.customer_group.as_str(),
        input.valid_from.map(|d| d.to_string()),
        input.valid_until.map(|d| d.to_string()),
        input.active,
        Stamp(cx.now)
    ])?;
    let c = load(cx, id, today_at(cx, cx.now)?)?;
    audit::record(
        cx,
        "coupon_created",
        serde_json::json!({ "coupon": id, "code": c.code }),
    )?;
    send(cx, &c)?;
    Ok(c)
}

/// The demo café's coupons: a percentage with a cap and a minimum, a "buy 2 get 1" on its
/// signature coffee, one for new members, and tiers for large orders.
pub(crate) fn seed_demo(cx: &Ctx<'_>, today: Date, signature: ProductId) -> Result<()> {
    let month = today
        .checked_add(jiff::Span::new().days(30))
        .map_err(|e| Error::DatabaseCorrupt(format!("demo dates: {e}")))?;
    let base = CouponInput {
        code: String::new(),
        name: String::new(),
        rule: CouponRule::Amount { amount: Money(1) },
        min_order: Money::ZERO,
        usage_limit: None,
        per_member_limit: None,
        customer_group: CustomerGroup::All,
        valid_from: None,
        valid_until: Some(month),
        active: true,
    };
    let coupons = [
        CouponInput {
            code: "HEMAT20".into(),
            name: "Diskon 20% belanja min. Rp 50.000 (maks. Rp 15.000)".into(),
            rule: CouponRule::Percent {
                bp: 2000,
                cap: Some(Money(15_000)),
            },
            min_order: Money(50_000),
            usage_limit: Some(500),
            ..base.clone()
        },
        CouponInput {
            code: "KOPI2GRATIS1".into(),
            name: "Beli 2 Kopi Susu Gula Aren, gratis 1".into(),
            rule: CouponRule::BuyGet {
                buy_product: signature,
                buy_quantity: 2,
                get_product: signature,
                get_quantity: 1,
            },
            ..base.clone()
        },
        CouponInput {
            code: "MEMBERBARU".into(),
            name: "Potongan Rp 10.000 pesanan pertama member baru".into(),
            rule: CouponRule::Amount {
                amount: Money(10_000),
            },
            customer_group: CustomerGroup::New,
            per_member_limit: Some(1),
            valid_until: None,
            ..base.clone()
        },
        CouponInput {
            code: "BORONG".into(),
            name: "Borong: 5% mulai Rp 150.000, 10% mulai Rp 300.000".into(),
            rule: CouponRule::Tiered {
                steps: vec![
                    TierStep {
                        from: Money(150_000),
                        bp: 500,
                    },
                    TierStep {
                        from: Money(300_000),
                        bp: 1000,
                    },
                ],
            },
            ..base
        },
    ];
    for c in &coupons {
        create_in(cx, c)?;
    }
    Ok(())
}

/// Refuses a code another coupon has.
pub(crate) fn taken(conn: &Connection, code: &str, except: Option<CouponId>) -> Result<()> {
    let other: Option<CouponId> = conn
        .prepare_cached("SELECT id FROM coupons WHERE code = ?1")?
        .query_row([code], |r| r.get(0))
        .optional()?;
    match other {
        Some(o) if Some(o) != except => Err(Error::Duplicate {
            field: Field::Code,
            value: code.into(),
        }),
        _ => Ok(()),
    }
}

/// Finds the coupon a cashier typed or scanned, for a ticket (the sales side checks it
/// against the ticket).
pub(crate) fn find_for_ticket(conn: &Connection, code: &str, now: Timestamp) -> Result<Coupon> {
    let code = normalize_code(code).map_err(|_| Error::not_found(Entity::Coupon, code.trim()))?;
    by_code(conn, &code, today_at(conn, now)?)
}
