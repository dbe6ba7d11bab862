//! A batch's members, points, wallets, reviews, coupons and vouchers. A member's details (a
//! review, a coupon, a voucher, a redemption's status) are the newest version by the server's
//! order (a later entry replaces an earlier one, whichever till sent it); a points or wallet
//! entry is a fact added once by its id; a coupon's use is added once, and its giving back (by
//! a full refund or a cancellation) recorded once. Members and their points and wallet entries
//! go into the store's change log too, so every till of the store learns them (a member's
//! balances are the sums of their entries).

use kasir_proto::Payload;
use tokio_postgres::Transaction;

use super::{Entry, internal, serde_plain};
use crate::Failure;
use crate::auth::Terminal;
use crate::pull::{Subject, record_change};

pub(super) async fn apply_members(
    tx: &Transaction<'_>,
    terminal: Terminal,
    fresh: &[(&Entry, &Payload)],
) -> Result<(), Failure> {
    for (e, payload) in fresh {
        match payload {
            Payload::MemberUpserted(m) => {
                let written = tx.execute(
                    "INSERT INTO members (id, store_id, number, name, phone, email, birthday, address,
                         notes, active, referral_code, referred_by, created_at, updated_at,
                         terminal_id, seq)
                     VALUES ($1, $2, $3, $4, $5, $6, $7::text::date, $8, $9, $10, $11, $12,
                         $13::text::timestamptz, $14::text::timestamptz, $15, $16)
                     ON CONFLICT (id) DO UPDATE SET number = EXCLUDED.number, name = EXCLUDED.name,
                         phone = EXCLUDED.phone, email = EXCLUDED.email,
                         birthday = EXCLUDED.birthday, address = EXCLUDED.address,
                         notes = EXCLUDED.notes, active = EXCLUDED.active,
                         updated_at = EXCLUDED.updated_at, terminal_id = EXCLUDED.terminal_id,
                         seq = EXCLUDED.seq
                     WHERE members.store_id = EXCLUDED.store_id",
                    &[
                        &m.id,
                        &terminal.store_id,
                        &m.number,
                        &m.name,
                        &m.phone,
                        &m.email,
                        &m.birthday.map(|b| b.to_string()),
                        &m.address,
                        &m.notes,
                        &m.active,
                        &m.referral_code,
                        &m.referred_by,
                        &m.created_at.to_string(),
                        &m.updated_at.to_string(),
                        &terminal.id,
                        &e.seq,
                    ],
                )
                .await?;
                if written == 1 {
                    record_change(
                        tx,
                        terminal.store_id,
                        Subject::Member,
                        m.id,
                        &serde_json::to_value(m).map_err(internal)?,
                    )
                    .await?;
                }
            }
            Payload::PointsEntry(p) => {
                let written = tx.execute(
                    "INSERT INTO point_entries (id, store_id, member_id, terminal_id, seq, kind,
                         points, order_id, refund_id, reason, staff_id, at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::text::timestamptz)
                     ON CONFLICT DO NOTHING",
                    &[
                        &p.id,
                        &terminal.store_id,
                        &p.member_id,
                        &terminal.id,
                        &e.seq,
                        &serde_plain(&p.kind),
                        &p.points,
                        &p.order_id,
                        &p.refund_id,
                        &p.reason,
                        &p.staff_id,
                        &p.at.to_string(),
                    ],
                )
                .await?;
                if written == 1 {
                    record_change(
                        tx,
                        terminal.store_id,
                        Subject::PointsEntry,
                        p.id,
                        &serde_json::to_value(p).map_err(internal)?,
                    )
                    .await?;
                }
            }
            Payload::WalletEntry(w) => {
                let written = tx.execute(
                    "INSERT INTO wallet_entries (id, store_id, member_id, terminal_id, seq, kind,
                         amount, method, reference, order_id, refund_id, shift_id, reason, staff_id, at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                         $15::text::timestamptz)
                     ON CONFLICT DO NOTHING",
                    &[
                        &w.id,
                        &terminal.store_id,
                        &w.member_id,
                        &terminal.id,
                        &e.seq,
                        &serde_plain(&w.kind),
                        &w.amount,
                        &w.method.map(|m| serde_plain(&m)),
                        &w.reference,
                        &w.order_id,
                        &w.refund_id,
                        &w.shift_id,
                        &w.reason,
                        &w.staff_id,
                        &w.at.to_string(),
                    ],
                )
                .await?;
                if written == 1 {
                    record_change(
                        tx,
                        terminal.store_id,
                        Subject::WalletEntry,
                        w.id,
                        &serde_json::to_value(w).map_err(internal)?,
                    )
                    .await?;
                }
            }
            Payload::ReviewUpserted(r) => {
                let written = tx.execute(
                    "INSERT INTO reviews (id, store_id, member_id, product_id, rating, comment, image_id,
                         hidden, at, terminal_id, seq)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::timestamptz, $10, $11)
                     ON CONFLICT (id) DO UPDATE SET rating = EXCLUDED.rating,
                         comment = EXCLUDED.comment, image_id = EXCLUDED.image_id,
                         hidden = EXCLUDED.hidden, at = EXCLUDED.at,
                         terminal_id = EXCLUDED.terminal_id, seq = EXCLUDED.seq
                     WHERE reviews.store_id = EXCLUDED.store_id",
                    &[
                        &r.id,
                        &terminal.store_id,
                        &r.member_id,
                        &r.product_id,
                        &i16::from(r.rating),
                        &r.comment,
                        &r.image_id,
                        &r.hidden,
                        &r.at.to_string(),
                        &terminal.id,
                        &e.seq,
                    ],
                )
                .await?;
                if written == 1 {
                    record_change(
                        tx,
                        terminal.store_id,
                        Subject::Review,
                        r.id,
                        &serde_json::to_value(r).map_err(internal)?,
                    )
                    .await?;
                }
            }
            Payload::CouponUpserted(c) => {
                let rule = serde_json::to_value(&c.rule)
                    .map_err(|e| Failure::bad_request(format!("coupon rule: {e}")))?;
                let written = tx.execute(
                    "INSERT INTO coupons (id, store_id, code, name, rule, min_order, usage_limit,
                         per_member_limit, customer_group, valid_from, valid_until, active, at,
                         terminal_id, seq)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text::date, $11::text::date, $12,
                         $13::text::timestamptz, $14, $15)
                     ON CONFLICT (id) DO UPDATE SET code = EXCLUDED.code, name = EXCLUDED.name,
                         rule = EXCLUDED.rule, min_order = EXCLUDED.min_order,
                         usage_limit = EXCLUDED.usage_limit, per_member_limit = EXCLUDED.per_member_limit,
                         customer_group = EXCLUDED.customer_group, valid_from = EXCLUDED.valid_from,
                         valid_until = EXCLUDED.valid_until, active = EXCLUDED.active, at = EXCLUDED.at,
                         terminal_id = EXCLUDED.terminal_id, seq = EXCLUDED.seq
                     WHERE coupons.store_id = EXCLUDED.store_id",
                    &[
                        &c.id,
                        &terminal.store_id,
                        &c.code,
                        &c.name,
                        &rule,
                        &c.min_order,
                        &c.usage_limit.map(|n| n as i32),
                        &c.per_member_limit.map(|n| n as i32),
                        &c.customer_group,
                        &c.valid_from,
                        &c.valid_until,
                        &c.active,
                        &c.at.to_string(),
                        &terminal.id,
                        &e.seq,
                    ],
                )
                .await?;
                if written == 1 {
                    record_change(
                        tx,
                        terminal.store_id,
                        Subject::Coupon,
                        c.id,
                        &serde_json::to_value(c).map_err(internal)?,
                    )
                    .await?;
                }
            }
            Payload::CouponUse(u) => {
                let row = tx.query_opt(
                    "INSERT INTO coupon_uses (id, store_id, coupon_id, order_id, member_id, discount,
                         used_at, given_back_at, terminal_id, seq)
                     VALUES ($1, $2, $3, $4, $5, $6, $7::text::timestamptz, $8::text::timestamptz, $9, $10)
                     ON CONFLICT (id) DO UPDATE
                         SET given_back_at = COALESCE(coupon_uses.given_back_at, EXCLUDED.given_back_at)
                     WHERE coupon_uses.store_id = EXCLUDED.store_id
                     RETURNING (EXTRACT(EPOCH FROM given_back_at) * 1000000)::bigint",
                    &[
                        &u.id,
                        &terminal.store_id,
                        &u.coupon_id,
                        &u.order_id,
                        &u.member_id,
                        &u.discount,
                        &u.used_at.to_string(),
                        &u.given_back_at.map(|t| t.to_string()),
                        &terminal.id,
                        &e.seq,
                    ],
                )
                .await?;
                // The use as it now stands (a giving back, once set, stays).
                if let Some(row) = row {
                    let given_back_at = row
                        .get::<_, Option<i64>>(0)
                        .map(|us| jiff::Timestamp::from_microsecond(us).map_err(internal))
                        .transpose()?;
                    let now = kasir_proto::CouponUse {
                        given_back_at,
                        ..u.clone()
                    };
                    record_change(
                        tx,
                        terminal.store_id,
                        Subject::CouponUse,
                        u.id,
                        &serde_json::to_value(&now).map_err(internal)?,
                    )
                    .await?;
                }
            }
            Payload::VoucherUpserted(v) => {
                let reward = serde_json::to_value(&v.reward)
                    .map_err(|e| Failure::bad_request(format!("voucher reward: {e}")))?;
                let written = tx.execute(
                    "INSERT INTO vouchers (id, store_id, name, reward, points_cost, stock, valid_from,
                         valid_until, active, at, terminal_id, seq)
                     VALUES ($1, $2, $3, $4, $5, $6, $7::text::date, $8::text::date, $9,
                         $10::text::timestamptz, $11, $12)
                     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, reward = EXCLUDED.reward,
                         points_cost = EXCLUDED.points_cost, stock = EXCLUDED.stock,
                         valid_from = EXCLUDED.valid_from, valid_until = EXCLUDED.valid_until,
                         active = EXCLUDED.active, at = EXCLUDED.at,
                         terminal_id = EXCLUDED.terminal_id, seq = EXCLUDED.seq
                     WHERE vouchers.store_id = EXCLUDED.store_id",
                    &[
                        &v.id,
                        &terminal.store_id,
                        &v.name,
                        &reward,
                        &v.points_cost,
                        &v.stock,
                        &v.valid_from,
                        &v.valid_until,
                        &v.active,
                        &v.at.to_string(),
                        &terminal.id,
                        &e.seq,
                    ],
                )
                .await?;
                if written == 1 {
                    record_change(
                        tx,
                        terminal.store_id,
                        Subject::Voucher,
                        v.id,
                        &serde_json::to_value(v).map_err(internal)?,
                    )
                    .await?;
                }
            }
            Payload::Redemption(r) => {
                let written = tx.execute(
                    "INSERT INTO redemptions (id, store_id, code, voucher_id, member_id, points, status,
                         order_id, at, terminal_id, seq)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::timestamptz, $10, $11)
                     ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status,
                         order_id = EXCLUDED.order_id, at = EXCLUDED.at,
                         terminal_id = EXCLUDED.terminal_id, seq = EXCLUDED.seq
                     WHERE redemptions.store_id = EXCLUDED.store_id",
                    &[
                        &r.id,
                        &terminal.store_id,
                        &r.code,
                        &r.voucher_id,
                        &r.member_id,
                        &r.points,
                        &r.status,
                        &r.order_id,
                        &r.at.to_string(),
                        &terminal.id,
                        &e.seq,
                    ],
                )
                .await?;
                if written == 1 {
                    record_change(
                        tx,
                        terminal.store_id,
                        Subject::Redemption,
                        r.id,
                        &serde_json::to_value(r).map_err(internal)?,
                    )
                    .await?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}
