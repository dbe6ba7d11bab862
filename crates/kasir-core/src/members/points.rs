//! Loyalty points: a ledger of signed entries per member (earn, redeem, expire, adjust,
//! referral, refund), tiers by the points earned in a rolling window, and the programme's
//! settings.
//!
//! **Invariants**: an entry is a fact (triggers refuse edits and deletes); `members.points`
//! is the sum of the member's entries, written in the same transaction as each entry, and
//! never below zero (a CHECK, and [`post`] refuses first with a typed error); the tier is
//! recomputed with each entry; each entry goes up to the server as its own outbox entry.
//!
//! **Expiry** takes the oldest points first: the points earned before the cut-off that are
//! still held are the credits before it minus every debit so far (redeemed, expired, taken
//! back), when that is positive. So no entry needs a "remaining" column that changes.

use jiff::{Timestamp, ToSpan};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{MemberId, Tier};
use crate::access::{Actor, Ctx, Permission, StaffId};
use crate::kernel::ids::id_type;
use crate::kernel::text;
use crate::kernel::time::Stamp;
use crate::money::MAX_AMOUNT;
use crate::outbox;
use crate::sales::checkout::OrderId;
use crate::{Entity, Error, Field, Kasir, Money, Result, Rule, audit, settings};
use kasir_proto::Payload;

id_type!(
    /// A points entry's id.
    PointsEntryId
);

/// The most points one entry may move (a typo guard: a billion points is never meant).
pub const MAX_POINTS: i64 = 100_000_000;

/// What a points entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum PointsKind {
    /// Credited by a paid order.
    Earn,
    /// Spent: at the till as a tender, or for a voucher.
    Redeem,
    /// Older than the settings keep.
    Expire,
    /// A manager's correction, with a reason.
    Adjust,
    /// For joining with a member's code, or for bringing a friend.
    Referral,
    /// Taken back (or given back) when an order is refunded or cancelled.
    Refund,
}

impl PointsKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PointsKind::Earn => "earn",
            PointsKind::Redeem => "redeem",
            PointsKind::Expire => "expire",
            PointsKind::Adjust => "adjust",
            PointsKind::Referral => "referral",
            PointsKind::Refund => "refund",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "earn" => PointsKind::Earn,
            "redeem" => PointsKind::Redeem,
            "expire" => PointsKind::Expire,
            "adjust" => PointsKind::Adjust,
            "referral" => PointsKind::Referral,
            "refund" => PointsKind::Refund,
            other => return Err(Error::DatabaseCorrupt(format!("points kind {other:?}"))),
        })
    }

    fn to_proto(self) -> kasir_proto::PointsKind {
        match self {
            PointsKind::Earn => kasir_proto::PointsKind::Earn,
            PointsKind::Redeem => kasir_proto::PointsKind::Redeem,
            PointsKind::Expire => kasir_proto::PointsKind::Expire,
            PointsKind::Adjust => kasir_proto::PointsKind::Adjust,
            PointsKind::Referral => kasir_proto::PointsKind::Referral,
            PointsKind::Refund => kasir_proto::PointsKind::Refund,
        }
    }
}

/// One entry of a member's points, as their history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PointsEntry {
    pub id: PointsEntryId,
    pub kind: PointsKind,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub points: i64,
    pub order_id: Option<OrderId>,
    /// The order's receipt number, when the entry came from one.
    pub receipt_no: Option<String>,
    pub reason: String,
    pub staff_name: Option<String>,
    pub at: Timestamp,
}

/// The loyalty programme's settings (a shop-wide choice, an admin's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LoyaltySettings {
    /// One point per this much paid, net after discounts (0: points are not earned).
    pub earn_per_amount: Money,
    /// What one point is worth when spent at the till.
    pub point_value: Money,
    /// Tiers go by the points earned in this many months.
    pub tier_window_months: u32,
    pub silver_from: u32,
    pub gold_from: u32,
    pub platinum_from: u32,
    /// Earning multipliers per tier, in percent (100 = ×1).
    pub bronze_percent: u32,
    pub silver_percent: u32,
    pub gold_percent: u32,
    pub platinum_percent: u32,
    /// Points older than this many months expire (0: never).
    pub expiry_months: u32,
    /// Points for a new member who joins with a member's code, and for that member.
    pub referral_new_points: u32,
    pub referral_giver_points: u32,
    /// Coupons for REGULAR customers: at least this many orders and this much spent.
    pub regular_orders: u32,
    pub regular_spent: Money,
    /// Coupons for VIP customers: at least this many orders and this much spent.
    pub vip_orders: u32,
    pub vip_spent: Money,
    /// Coupons and vouchers ending within this many days are in the managers' notifications
    /// (0: none).
    pub expiry_notice_days: u32,
    /// A till that cannot reach its server spends at most this many of a member's points
    /// (since its last contact); beyond it the cashier takes another tender. Other tills may
    /// spend the same points meanwhile: this bounds what a member can end up owing.
    pub offline_points_limit: u32,
    /// The same limit for the member's wallet.
    pub offline_wallet_limit: Money,
}

impl LoyaltySettings {
    /// The tier of a member who earned `earned` points in the window.
    pub fn tier_for(&self, earned: i64) -> Tier {
        if earned >= i64::from(self.platinum_from) {
            Tier::Platinum
        } else if earned >= i64::from(self.gold_from) {
            Tier::Gold
        } else if earned >= i64::from(self.silver_from) {
            Tier::Silver
        } else {
            Tier::Bronze
        }
    }

    /// The tier's earning multiplier, in percent.
    pub fn percent(&self, tier: Tier) -> u32 {
        match tier {
            Tier::Bronze => self.bronze_percent,
            Tier::Silver => self.silver_percent,
            Tier::Gold => self.gold_percent,
            Tier::Platinum => self.platinum_percent,
        }
    }

    /// Points earned by paying `paid` at `tier`: whole points per `earn_per_amount`, then the
    /// tier's multiplier, rounded down (a point is never given for part of the amount).
    pub fn points_for(&self, tier: Tier, paid: Money) -> i64 {
        if self.earn_per_amount.0 <= 0 || paid.0 <= 0 {
            return 0;
        }
        let base = paid.0 / self.earn_per_amount.0;
        base * i64::from(self.percent(tier)) / 100
    }

    fn validate(&self) -> Result<()> {
        let amount = |field: Field, m: Money| {
            if m.0 < 0 {
                Err(Error::invalid(field, Rule::Negative))
            } else if m.0 > MAX_AMOUNT {
                Err(Error::invalid(field, Rule::TooLarge))
            } else {
                Ok(())
            }
        };
        amount(Field::EarnPerAmount, self.earn_per_amount)?;
        amount(Field::PointValue, self.point_value)?;
        amount(Field::CustomerGroups, self.regular_spent)?;
        amount(Field::CustomerGroups, self.vip_spent)?;
        amount(Field::OfflineLimit, self.offline_wallet_limit)?;
        let range = |field: Field, v: u32, min: i64, max: i64| {
            if i64::from(v) < min || i64::from(v) > max {
                Err(Error::invalid(field, Rule::OutOfRange { min, max }))
            } else {
                Ok(())
            }
        };
        range(Field::TierWindow, self.tier_window_months, 1, 60)?;
        range(Field::Tiers, self.silver_from, 1, MAX_POINTS)?;
        range(Field::Tiers, self.gold_from, 1, MAX_POINTS)?;
        range(Field::Tiers, self.platinum_from, 1, MAX_POINTS)?;
        if !(self.silver_from < self.gold_from && self.gold_from < self.platinum_from) {
            return Err(Error::invalid(Field::Tiers, Rule::TiersOutOfOrder));
        }
        for p in [
            self.bronze_percent,
            self.silver_percent,
            self.gold_percent,
            self.platinum_percent,
        ] {
            range(Field::Multiplier, p, 0, 1000)?;
        }
        range(Field::ExpiryMonths, self.expiry_months, 0, 120)?;
        range(Field::CustomerGroups, self.regular_orders, 1, 1_000_000)?;
        range(Field::CustomerGroups, self.vip_orders, 1, 1_000_000)?;
        range(Field::ExpiryNotice, self.expiry_notice_days, 0, 90)?;
        range(
            Field::OfflineLimit,
            self.offline_points_limit,
            0,
            MAX_POINTS,
        )?;
        range(
            Field::ReferralPoints,
            self.referral_new_points,
            0,
            1_000_000,
        )?;
        range(
            Field::ReferralPoints,
            self.referral_giver_points,
            0,
            1_000_000,
        )?;
        Ok(())
    }
}

pub(crate) fn load_settings(conn: &Connection) -> Result<LoyaltySettings> {
    Ok(conn
        .prepare_cached(
            "SELECT earn_per_amount, point_value, tier_window_months, silver_from, gold_from, platinum_from,
                    bronze_percent, silver_percent, gold_percent, platinum_percent, expiry_months,
                    referral_new_points, referral_giver_points, regular_orders, regular_spent, vip_orders,
                    vip_spent, expiry_notice_days, offline_points_limit, offline_wallet_limit
             FROM loyalty_settings WHERE id = 1",
        )?
        .query_row([], |r| {
            Ok(LoyaltySettings {
                earn_per_amount: Money(r.get(0)?),
                point_value: Money(r.get(1)?),
                tier_window_months: r.get(2)?,
                silver_from: r.get(3)?,
                gold_from: r.get(4)?,
                platinum_from: r.get(5)?,
                bronze_percent: r.get(6)?,
                silver_percent: r.get(7)?,
                gold_percent: r.get(8)?,
                platinum_percent: r.get(9)?,
                expiry_months: r.get(10)?,
                referral_new_points: r.get(11)?,
                referral_giver_points: r.get(12)?,
                regular_orders: r.get(13)?,
                regular_spent: Money(r.get(14)?),
                vip_orders: r.get(15)?,
                vip_spent: Money(r.get(16)?),
                expiry_notice_days: r.get(17)?,
                offline_points_limit: r.get(18)?,
                offline_wallet_limit: Money(r.get(19)?),
            })
        })?)
}

/// A points entry to write.
pub(crate) struct NewEntry<'a> {
    pub member: MemberId,
    pub kind: PointsKind,
    pub points: i64,
    pub order: Option<OrderId>,
    pub refund: Option<uuid::Uuid>,
    pub reason: &'a str,
    pub staff: Option<StaffId>,
}

/// Writes one entry, the member's balance and tier, and its outbox entry, inside the caller's
/// transaction. A debit larger than the balance is refused with the points held; points
/// spent (`redeem`) on a till that cannot reach its server are refused beyond the offline limit.
pub(crate) fn post(
    conn: &Connection,
    now: Timestamp,
    terminal: &str,
    e: &NewEntry<'_>,
) -> Result<PointsEntryId> {
    post_as(conn, now, terminal, PointsEntryId::new(now), e)
}

/// [`post`] under a given id.
fn post_as(
    conn: &Connection,
    now: Timestamp,
    terminal: &str,
    id: PointsEntryId,
    e: &NewEntry<'_>,
) -> Result<PointsEntryId> {
    if e.points == 0 {
        return Err(Error::invalid(Field::Points, Rule::Zero));
    }
    if e.points.abs() > MAX_POINTS {
        return Err(Error::invalid(Field::Points, Rule::TooLarge));
    }
    let held: i64 = conn
        .prepare_cached("SELECT points FROM members WHERE id = ?1")?
        .query_row([e.member], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::not_found(Entity::Member, e.member))?;
    if held + e.points < 0 {
        return Err(Error::invalid(
            Field::Points,
            Rule::NotEnoughPoints { held },
        ));
    }
    if e.kind == PointsKind::Redeem {
        check_offline_limit(conn, now, e.member, -e.points)?;
    }
    conn.prepare_cached(
        "INSERT INTO point_entries (id, member_id, kind, points, order_id, refund_id, reason, staff_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        id,
        e.member,
        e.kind.as_str(),
        e.points,
        e.order,
        e.refund.map(|r| r.to_string()),
        e.reason,
        e.staff,
        Stamp(now)
    ])?;
    book(conn, now, e.member, e.points)?;
    outbox::append_at(
        conn,
        now,
        terminal,
        &Payload::PointsEntry(kasir_proto::PointsEntry {
            id: id.0,
            member_id: e.member.0,
            kind: e.kind.to_proto(),
            points: e.points,
            order_id: e.order.map(|o| o.0),
            refund_id: e.refund,
            reason: e.reason.to_string(),
            staff_id: e.staff.map(|s| s.0),
            at: now,
        }),
    )?;
    Ok(id)
}

/// Moves a member's balance by an entry of `points` just written, and recomputes the tier. A
/// debit beyond what is held (another till's, taken from the server) leaves the balance at
/// zero and the rest owed; a credit pays what is owed first. The ledger's sum is always
/// `points - points_owed`.
fn book(conn: &Connection, now: Timestamp, member: MemberId, points: i64) -> Result<()> {
    let settings = load_settings(conn)?;
    let tier = settings.tier_for(earned_in_window(conn, member, now, &settings)?);
    // Every right-hand side reads the row as it was.
    conn.prepare_cached(
        "UPDATE members SET points = max(points - points_owed + ?2, 0),
             points_owed = max(points_owed - points - ?2, 0), tier = ?3
         WHERE id = ?1",
    )?
    .execute(params![member, points, tier.as_str()])?;
    Ok(())
}

/// Refuses spending `spend` points of a member's beyond the offline limit, when this till
/// cannot reach its server: what it spent of them since its last contact counts.
fn check_offline_limit(
    conn: &Connection,
    now: Timestamp,
    member: MemberId,
    spend: i64,
) -> Result<()> {
    let Some(spent) = super::spent_offline(
        conn,
        now,
        member,
        "SELECT COALESCE(-SUM(points), 0) FROM point_entries
         WHERE member_id = ?1 AND kind = 'redeem' AND pulled = 0 AND created_at >= ?2",
    )?
    else {
        return Ok(());
    };
    let limit = i64::from(load_settings(conn)?.offline_points_limit);
    if spent.saturating_add(spend) > limit {
        return Err(Error::invalid(
            Field::Points,
            Rule::OfflinePointsLimit {
                left: (limit - spent).max(0),
            },
        ));
    }
    Ok(())
}

/// Takes an entry another till wrote (from the server) once, by its id: the balance and tier
/// follow, and nothing goes to the outbox. Returns whether it was new here.
pub(crate) fn take_pulled(
    conn: &Connection,
    now: Timestamp,
    e: &kasir_proto::PointsEntry,
) -> Result<bool> {
    if e.points == 0 || e.points.abs() > MAX_POINTS {
        return Err(Error::invalid(
            Field::Points,
            Rule::OutOfRange {
                min: -MAX_POINTS,
                max: MAX_POINTS,
            },
        ));
    }
    let kind = match e.kind {
        kasir_proto::PointsKind::Earn => PointsKind::Earn,
        kasir_proto::PointsKind::Redeem => PointsKind::Redeem,
        kasir_proto::PointsKind::Expire => PointsKind::Expire,
        kasir_proto::PointsKind::Adjust => PointsKind::Adjust,
        kasir_proto::PointsKind::Referral => PointsKind::Referral,
        kasir_proto::PointsKind::Refund => PointsKind::Refund,
    };
    let member = MemberId(e.member_id);
    let new =
        conn.prepare_cached(
            "INSERT OR IGNORE INTO point_entries (id, member_id, kind, points, order_id, refund_id,
                 reason, staff_id, created_at, pulled)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1)",
        )?
        .execute(params![
            e.id.to_string(),
            member,
            kind.as_str(),
            e.points,
            e.order_id.map(|o| o.to_string()),
            e.refund_id.map(|r| r.to_string()),
            e.reason,
            e.staff_id.map(|s| s.to_string()),
            Stamp(e.at)
        ])? == 1;
    if new {
        book(conn, now, member, e.points)?;
    }
    Ok(new)
}

/// Points earned (by orders and referrals, less what refunds took back) in the tier window.
fn earned_in_window(
    conn: &Connection,
    member: MemberId,
    now: Timestamp,
    s: &LoyaltySettings,
) -> Result<i64> {
    let since = months_before(now, s.tier_window_months);
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE(SUM(points), 0) FROM point_entries
             WHERE member_id = ?1 AND created_at >= ?2 AND kind IN ('earn', 'referral', 'refund')",
        )?
        .query_row(params![member, Stamp(since)], |r| r.get::<_, i64>(0))?
        .max(0))
}

fn months_before(now: Timestamp, months: u32) -> Timestamp {
    // Calendar months in UTC: a day either way at a month's end does not change a tier.
    now.to_zoned(jiff::tz::TimeZone::UTC)
        .checked_sub(i64::from(months).months())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::MIN)
}

/// The points an order earned, less what was already taken back: what a refund or a
/// cancellation may still take.
pub(crate) fn order_points(conn: &Connection, order: OrderId) -> Result<(i64, i64)> {
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE(SUM(CASE WHEN kind = 'earn' THEN points END), 0),
                    COALESCE(-SUM(CASE WHEN kind = 'refund' THEN points END), 0)
             FROM point_entries WHERE order_id = ?1",
        )?
        .query_row([order], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// Takes back an order's points in step with the money given back: after refunds of
/// `refunded` out of `total`, `earned × refunded / total` (rounded down, all of it once all
/// was given back) has been taken in all. Never more than the member holds: points already
/// spent stay spent. Returns the points taken by this call.
pub(crate) fn take_back(
    cx: &Ctx<'_>,
    member: MemberId,
    order: OrderId,
    refund: Option<uuid::Uuid>,
    refunded: Money,
    total: Money,
) -> Result<i64> {
    let (earned, taken) = order_points(cx, order)?;
    if earned <= 0 {
        return Ok(0);
    }
    let due_in_all = if total.0 <= 0 || refunded.0 >= total.0 {
        earned
    } else {
        (i128::from(earned) * i128::from(refunded.0) / i128::from(total.0)) as i64
    };
    let held: i64 = cx
        .prepare_cached("SELECT points FROM members WHERE id = ?1")?
        .query_row([member], |r| r.get(0))?;
    let take = (due_in_all - taken).min(held);
    if take <= 0 {
        return Ok(0);
    }
    post(
        cx,
        cx.now,
        &cx.terminal,
        &NewEntry {
            member,
            kind: PointsKind::Refund,
            points: -take,
            order: Some(order),
            refund,
            reason: "",
            staff: Some(cx.member.id),
        },
    )?;
    Ok(take)
}

/// Gives back points spent on an order when money paid with points is refunded: after
/// `refunded` of the `paid` money went back to points, `spent × refunded / paid` points
/// (rounded up, in the member's favour by less than a point; all of them once all went back)
/// have come back in all. Returns the points given by this call.
pub(crate) fn give_back_spent(
    cx: &Ctx<'_>,
    member: MemberId,
    order: OrderId,
    refund: uuid::Uuid,
    refunded: Money,
    paid: Money,
) -> Result<i64> {
    let (spent, given): (i64, i64) = cx
        .prepare_cached(
            "SELECT COALESCE(-SUM(CASE WHEN kind = 'redeem' THEN points END), 0),
                    COALESCE(SUM(CASE WHEN kind = 'refund' AND points > 0 THEN points END), 0)
             FROM point_entries WHERE order_id = ?1",
        )?
        .query_row([order], |r| Ok((r.get(0)?, r.get(1)?)))?;
    if spent <= 0 || paid.0 <= 0 {
        return Ok(0);
    }
    let due_in_all = if refunded.0 >= paid.0 {
        spent
    } else {
        let n = i128::from(spent) * i128::from(refunded.0);
        let d = i128::from(paid.0);
        ((n + d - 1) / d) as i64
    }
    .min(spent);
    let give = due_in_all - given;
    if give <= 0 {
        return Ok(0);
    }
    post(
        cx,
        cx.now,
        &cx.terminal,
        &NewEntry {
            member,
            kind: PointsKind::Refund,
            points: give,
            order: Some(order),
            refund: Some(refund),
            reason: "",
            staff: Some(cx.member.id),
        },
    )?;
    Ok(give)
}

pub struct Points<'k> {
    k: &'k Kasir,
}

impl Kasir {
    /// Loyalty points: the programme's settings, a member's history, adjustments, expiry.
    pub fn points(&self) -> Points<'_> {
        Points { k: self }
    }
}

impl Points<'_> {
    pub fn settings(&self, actor: &Actor) -> Result<LoyaltySettings> {
        self.k
            .read(actor, Permission::Members, |conn, _| load_settings(conn))
    }

    /// Changes the programme's settings (an admin's); audited. Tiers follow with each
    /// member's next entry.
    pub fn set_settings(&self, actor: &Actor, s: &LoyaltySettings) -> Result<LoyaltySettings> {
        s.validate()?;
        self.k.write(actor, Permission::ManageSettings, |cx| {
            cx.execute(
                "UPDATE loyalty_settings SET earn_per_amount = ?1, point_value = ?2, tier_window_months = ?3,
                     silver_from = ?4, gold_from = ?5, platinum_from = ?6, bronze_percent = ?7, silver_percent = ?8,
                     gold_percent = ?9, platinum_percent = ?10, expiry_months = ?11, referral_new_points = ?12,
                     referral_giver_points = ?13, updated_at = ?14, regular_orders = ?15, regular_spent = ?16,
                     vip_orders = ?17, vip_spent = ?18, expiry_notice_days = ?19,
                     offline_points_limit = ?20, offline_wallet_limit = ?21
                 WHERE id = 1",
                params![
                    s.earn_per_amount.0,
                    s.point_value.0,
                    s.tier_window_months,
                    s.silver_from,
                    s.gold_from,
                    s.platinum_from,
                    s.bronze_percent,
                    s.silver_percent,
                    s.gold_percent,
                    s.platinum_percent,
                    s.expiry_months,
                    s.referral_new_points,
                    s.referral_giver_points,
                    Stamp(cx.now),
                    s.regular_orders,
                    s.regular_spent.0,
                    s.vip_orders,
                    s.vip_spent.0,
                    s.expiry_notice_days,
                    s.offline_points_limit,
                    s.offline_wallet_limit.0
                ],
            )?;
            audit::record(cx, "loyalty_settings_changed", serde_json::to_value(s)?)?;
            load_settings(cx)
        })
    }

    /// A member's entries, newest first.
    pub fn history(&self, actor: &Actor, member: MemberId, limit: u32) -> Result<Vec<PointsEntry>> {
        let limit = limit.clamp(1, 1000);
        self.k.read(actor, Permission::Members, |conn, _| {
            super::load_member(conn, member)?;
            let mut stmt = conn.prepare_cached(
                "SELECT e.id, e.kind, e.points, e.order_id, o.receipt_no, e.reason, s.name, e.created_at
                 FROM point_entries e LEFT JOIN orders o ON o.id = e.order_id LEFT JOIN staff s ON s.id = e.staff_id
                 WHERE e.member_id = ?1 ORDER BY e.created_at DESC, e.id DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![member, limit], |r| {
                Ok((
                    r.get::<_, PointsEntryId>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Option<OrderId>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Stamp>(7)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, kind, points, order_id, receipt_no, reason, staff_name, at) = row?;
                out.push(PointsEntry { id, kind: PointsKind::parse(&kind)?, points, order_id, receipt_no, reason, staff_name, at: at.0 });
            }
            Ok(out)
        })
    }

    /// A manager's correction of a member's points (positive or negative), with a reason;
    /// audited. A cashier needs a manager's PIN. Never below zero.
    pub fn adjust(
        &self,
        actor: &Actor,
        approver: Option<&Actor>,
        member: MemberId,
        points: i64,
        reason: &str,
    ) -> Result<super::Member> {
        let reason = text::name(Field::Reason, reason, 200)?;
        self.k.write_approved(
            actor,
            approver,
            Permission::Members,
            Permission::AdjustPoints,
            |cx| {
                let m = super::load_member(cx, member)?;
                let id = post(
                    cx,
                    cx.now,
                    &cx.terminal,
                    &NewEntry {
                        member,
                        kind: PointsKind::Adjust,
                        points,
                        order: None,
                        refund: None,
                        reason: &reason,
                        staff: Some(cx.member.id),
                    },
                )?;
                audit::record(
                    cx,
                    "points_adjusted",
                    serde_json::json!({
                        "entry": id, "member": member, "number": m.number, "points": points,
                        "reason": reason, "approved_by": cx.approved_by,
                    }),
                )?;
                super::load_member(cx, member)
            },
        )
    }

    /// Writes an `expire` entry for every member holding points earned before the settings'
    /// expiry months (oldest points first). With a server, each member's points are expired
    /// by one till only, the one that added her (her number names it, `MEM-T01-…`), so two
    /// tills never expire the same points differently; the entry comes to the others as any
    /// entry does. The members are found on a reader, then written 50 to a transaction, each
    /// checked again inside it: a sale never waits long. Run at start-up and daily by the
    /// app; returns how many members' points expired.
    pub fn expire_due(&self) -> Result<u32> {
        let s = self.k.read_any(load_settings)?;
        if s.expiry_months == 0 {
            return Ok(0);
        }
        let cutoff = months_before(self.k.now(), s.expiry_months);
        let candidates: Vec<MemberId> = self.k.read_any(|conn| {
            let ours = match crate::sync::store_member_prefix(conn)? {
                Some(prefix) => format!("{prefix}%"),
                None => "%".into(),
            };
            Ok(conn
                .prepare(
                    "SELECT id FROM members m WHERE points > 0 AND number LIKE ?2
                       AND EXISTS (SELECT 1 FROM point_entries e
                                   WHERE e.member_id = m.id AND e.points > 0 AND e.created_at < ?1)",
                )?
                .query_map(params![Stamp(cutoff), ours], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?)
        })?;
        let mut expired = 0;
        for batch in candidates.chunks(50) {
            expired += self.k.transact(|tx, now| {
                let terminal = settings::load(tx)?.terminal_code;
                let mut n = 0;
                for member in batch {
                    let due = expirable(tx, *member, cutoff)?;
                    if due > 0 {
                        // One id per member and day: an expiry run twice in a day (a restore,
                        // a second start) writes one entry.
                        let id = PointsEntryId(uuid::Uuid::new_v5(
                            &member.0,
                            format!("expire {}", cutoff.to_zoned(jiff::tz::TimeZone::UTC).date())
                                .as_bytes(),
                        ));
                        let taken: bool = tx
                            .prepare_cached(
                                "SELECT EXISTS (SELECT 1 FROM point_entries WHERE id = ?1)",
                            )?
                            .query_row([id], |r| r.get(0))?;
                        if taken {
                            continue;
                        }
                        post_as(
                            tx,
                            now,
                            &terminal,
                            id,
                            &NewEntry {
                                member: *member,
                                kind: PointsKind::Expire,
                                points: -due,
                                order: None,
                                refund: None,
                                reason: "",
                                staff: None,
                            },
                        )?;
                        n += 1;
                    }
                }
                Ok(n)
            })?;
        }
        Ok(expired)
    }
}

/// What a member still holds of the points credited before `cutoff`: those credits minus
/// every debit so far (the oldest points go first), at most the balance.
pub(crate) fn expirable(conn: &Connection, member: MemberId, cutoff: Timestamp) -> Result<i64> {
    let (old, debits, held): (i64, i64, i64) = conn
        .prepare_cached(
            "SELECT COALESCE(SUM(CASE WHEN points > 0 AND created_at < ?2 THEN points END), 0),
                    COALESCE(-SUM(CASE WHEN points < 0 THEN points END), 0),
                    (SELECT points FROM members WHERE id = ?1)
             FROM point_entries WHERE member_id = ?1",
        )?
        .query_row(params![member, Stamp(cutoff)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    Ok((old - debits).min(held).max(0))
}
