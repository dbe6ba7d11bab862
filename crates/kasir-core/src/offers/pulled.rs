//! The store's offers as the server has them, taken by this till from the change log: coupons
//! and vouchers (their newest version), redemptions (their newest status) and the other tills'
//! coupon uses (so a coupon's limits count the store's uses). Nothing here writes an outbox
//! entry: it is the server's version, not an edit.
//!
//! A coupon whose code another coupon holds here (two tills made the same code while apart)
//! is skipped: the one here keeps the code, and the server keeps both. A redemption used on
//! another till's order keeps its status without the order (the order is not here).

use rusqlite::{Connection, params};
use uuid::Uuid;

use super::coupons::{CouponId, CouponRule, CustomerGroup, TierStep, normalize_code, taken};
use super::vouchers::{RedemptionStatus, Reward};
use crate::catalog::ProductId;
use crate::kernel::time::Stamp;
use crate::money::pricing::Discount;
use crate::{Money, Result};

fn rule(r: &kasir_proto::CouponRule) -> CouponRule {
    use kasir_proto::CouponRule as P;
    match r {
        P::Percent { bp, cap } => CouponRule::Percent {
            bp: *bp,
            cap: cap.map(Money),
        },
        P::Amount { amount } => CouponRule::Amount {
            amount: Money(*amount),
        },
        P::BuyGet {
            buy_product,
            buy_quantity,
            get_product,
            get_quantity,
        } => CouponRule::BuyGet {
            buy_product: ProductId(*buy_product),
            buy_quantity: *buy_quantity,
            get_product: ProductId(*get_product),
            get_quantity: *get_quantity,
        },
        P::Tiered { steps } => CouponRule::Tiered {
            steps: steps
                .iter()
                .map(|s| TierStep {
                    from: Money(s.from),
                    bp: s.bp,
                })
                .collect(),
        },
    }
}

fn reward(r: &kasir_proto::Reward) -> Reward {
    use kasir_proto::Reward as P;
    match r {
        P::DiscountPercent { bp } => Reward::Discount {
            discount: Discount::Percent(*bp),
        },
        P::DiscountAmount { amount } => Reward::Discount {
            discount: Discount::Amount(Money(*amount)),
        },
        P::CashbackPoints { points } => Reward::CashbackPoints { points: *points },
        P::CashbackWallet { amount } => Reward::CashbackWallet {
            amount: Money(*amount),
        },
        P::Freebie { product_id } => Reward::Freebie {
            product: ProductId(*product_id),
        },
    }
}

/// A coupon's newest version.
pub(crate) fn take_coupon(
    conn: &Connection,
    now: jiff::Timestamp,
    c: &kasir_proto::Coupon,
) -> Result<()> {
    let code = normalize_code(&c.code)?;
    taken(conn, &code, Some(CouponId(c.id)))?;
    let rule = rule(&c.rule);
    rule.validate()?;
    let group = CustomerGroup::parse(&c.customer_group)?;
    conn.prepare_cached(
        "INSERT INTO coupons (id, code, name, rule, min_order, usage_limit, per_member_limit,
             customer_group, valid_from, valid_until, active, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)
         ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name,
             rule = excluded.rule, min_order = excluded.min_order,
             usage_limit = excluded.usage_limit, per_member_limit = excluded.per_member_limit,
             customer_group = excluded.customer_group, valid_from = excluded.valid_from,
             valid_until = excluded.valid_until, active = excluded.active,
             updated_at = excluded.updated_at",
    )?
    .execute(params![
        c.id.to_string(),
        code,
        c.name,
        serde_json::to_string(&rule)?,
        c.min_order,
        c.usage_limit,
        c.per_member_limit,
        group.as_str(),
        c.valid_from,
        c.valid_until,
        c.active,
        Stamp(now)
    ])?;
    Ok(())
}

/// Another till's use of a coupon (or its giving back, which stays once set). This till's own
/// uses come back as already held.
pub(crate) fn take_coupon_use(conn: &Connection, u: &kasir_proto::CouponUse) -> Result<()> {
    let id = u.id.to_string();
    let ours: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM coupon_uses WHERE id = ?1)")?
        .query_row([&id], |r| r.get(0))?;
    if ours {
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO coupon_uses_elsewhere (id, coupon_id, member_id, discount, used_at,
             given_back_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE
             SET given_back_at = COALESCE(coupon_uses_elsewhere.given_back_at, excluded.given_back_at)",
    )?
    .execute(params![
        id,
        u.coupon_id.to_string(),
        u.member_id.map(|m| m.to_string()),
        u.discount.max(0),
        Stamp(u.used_at),
        u.given_back_at.map(Stamp)
    ])?;
    Ok(())
}

/// A voucher's newest version: its stock is the count a manager set and when; each till
/// counts the redemptions since, its own and those the server sent.
pub(crate) fn take_voucher(
    conn: &Connection,
    now: jiff::Timestamp,
    v: &kasir_proto::Voucher,
) -> Result<()> {
    let reward = reward(&v.reward);
    reward.validate(conn)?;
    conn.prepare_cached(
        "INSERT INTO vouchers (id, name, reward, points_cost, stock, valid_from, valid_until,
             active, created_at, updated_at, stock_set_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, reward = excluded.reward,
             points_cost = excluded.points_cost, stock = excluded.stock,
             valid_from = excluded.valid_from, valid_until = excluded.valid_until,
             active = excluded.active, updated_at = excluded.updated_at,
             stock_set_at = excluded.stock_set_at",
    )?
    .execute(params![
        v.id.to_string(),
        v.name,
        serde_json::to_string(&reward)?,
        v.points_cost,
        v.stock.map(|s| s.max(0)),
        v.valid_from,
        v.valid_until,
        v.active,
        Stamp(now),
        // A till before counted stock sent what was left at the time of its version.
        Stamp(v.stock_set_at.unwrap_or(v.at))
    ])?;
    Ok(())
}

/// A redemption's newest status. Its points moved as a ledger entry of their own.
pub(crate) fn take_redemption(
    conn: &Connection,
    now: jiff::Timestamp,
    r: &kasir_proto::Redemption,
) -> Result<()> {
    let status = RedemptionStatus::parse(&r.status)?;
    // A code another redemption holds here (two tills numbered as `T01` before they were
    // enrolled): a local variant, never skipped.
    let taken: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM redemptions WHERE code = ?1 AND id <> ?2)")?
        .query_row(params![r.code, r.id.to_string()], |row| row.get(0))?;
    let code = if taken {
        format!("{}-{}", r.code, &r.id.simple().to_string()[28..])
    } else {
        r.code.clone()
    };
    let order: Option<String> = match r.order_id {
        Some(o) => known(
            conn,
            "SELECT EXISTS (SELECT 1 FROM orders WHERE id = ?1)",
            o,
        )?
        .then(|| o.to_string()),
        None => None,
    };
    conn.prepare_cached(
        "INSERT INTO redemptions (id, code, voucher_id, member_id, points, status, order_id,
             created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, order_id = excluded.order_id,
             updated_at = excluded.updated_at",
    )?
    .execute(params![
        r.id.to_string(),
        code,
        r.voucher_id.to_string(),
        r.member_id.to_string(),
        r.points,
        status.as_str(),
        order,
        Stamp(r.at),
        Stamp(now)
    ])?;
    Ok(())
}

fn known(conn: &Connection, sql: &str, id: Uuid) -> Result<bool> {
    Ok(conn
        .prepare_cached(sql)?
        .query_row([id.to_string()], |r| r.get(0))?)
}
