//! The store's offers on every till: coupons, vouchers, redemptions and reviews another till
//! made arrive from the server's change log (their newest version), other tills' coupon uses
//! count against a coupon's limits here, this till's own unsent change is never put back to an
//! older version, and managers hear of vouchers ending soon.

use jiff::SignedDuration;
use kasir_core::members::MemberInput;
use kasir_core::money::Money;
use kasir_core::notices::NoticeKind;
use kasir_core::offers::vouchers::{RedemptionStatus, VoucherInput};
use kasir_core::sales::tickets::{AddLine, OrderType, Ticket};
use kasir_core::{Error, Rule};
use kasir_proto::api::{Change, ChangeData, PullResponse};
use uuid::Uuid;

use crate::helpers::{Shop, count, shop};

/// Applies `data` as the next page after the till's cursor.
fn pull(s: &Shop, data: Vec<ChangeData>) -> usize {
    let first = s.kasir.sync().pull_cursor().unwrap() + 1;
    let changes: Vec<Change> = data
        .into_iter()
        .enumerate()
        .map(|(i, data)| Change {
            cursor: first + i as i64,
            data,
        })
        .collect();
    let page = PullResponse {
        cursor: first + changes.len() as i64 - 1,
        changes,
        more: false,
    };
    s.kasir.sync().apply_pull(&page).unwrap()
}

fn coupon(code: &str, usage_limit: Option<u32>, at: jiff::Timestamp) -> kasir_proto::Coupon {
    kasir_proto::Coupon {
        id: Uuid::now_v7(),
        code: code.into(),
        name: "Dari kasir 2".into(),
        rule: kasir_proto::CouponRule::Percent {
            bp: 1_000,
            cap: None,
        },
        min_order: 0,
        usage_limit,
        per_member_limit: None,
        customer_group: "all".into(),
        valid_from: None,
        valid_until: None,
        active: true,
        at,
    }
}

fn coupon_use(c: &kasir_proto::Coupon, at: jiff::Timestamp) -> kasir_proto::CouponUse {
    kasir_proto::CouponUse {
        id: Uuid::now_v7(),
        coupon_id: c.id,
        order_id: Uuid::now_v7(),
        member_id: None,
        discount: 2_500,
        used_at: at,
        given_back_at: None,
    }
}

fn ticket(s: &Shop, product: &kasir_core::catalog::Product) -> Ticket {
    let c = s.cashier.clone();
    let t = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::Takeaway, "")
        .unwrap();
    s.kasir
        .sales()
        .add_to_ticket(
            &c,
            t.id,
            AddLine {
                product_id: product.id,
                modifier_ids: vec![],
                note: String::new(),
                quantity: 1,
            },
        )
        .unwrap()
}

#[test]
fn another_tills_coupon_is_taken_here_and_the_stores_uses_count_against_its_limit() {
    let s = shop();
    let (c, m) = (s.cashier.clone(), s.manager.clone());
    let now = s.kasir.now();
    let kopi = s.product("Kopi", 25_000, None);
    let promo = coupon("toko10", Some(2), now);
    assert_eq!(pull(&s, vec![ChangeData::Coupon(promo.clone())]), 1);
    let t = ticket(&s, &kopi);
    let priced = s
        .kasir
        .sales()
        .set_ticket_coupon(&c, t.id, Some("TOKO10"))
        .unwrap();
    assert_eq!(priced.totals.coupon_discount, Money(2_500));
    s.kasir.sales().set_ticket_coupon(&c, t.id, None).unwrap();

    // Two uses on another till: the limit is reached here too.
    let (a, b) = (coupon_use(&promo, now), coupon_use(&promo, now));
    pull(
        &s,
        vec![
            ChangeData::CouponUse(a.clone()),
            ChangeData::CouponUse(b.clone()),
        ],
    );
    match s.kasir.sales().set_ticket_coupon(&c, t.id, Some("toko10")) {
        Err(Error::Invalid {
            rule: Rule::UsageLimitReached,
            ..
        }) => {}
        other => panic!("expected the limit, got {other:?}"),
    }
    let listed = s
        .kasir
        .coupons()
        .list(&m)
        .unwrap()
        .into_iter()
        .find(|x| x.code == "TOKO10")
        .unwrap();
    assert_eq!((listed.used, listed.discount_given), (2, Money(5_000)));
    let uses = s.kasir.coupons().uses(&m, listed.id, 10).unwrap();
    assert_eq!(uses.len(), 2);
    assert!(
        uses.iter()
            .all(|u| u.receipt_no.is_none() && u.order_id.is_none())
    );

    // One is given back there (a full refund): one use is left here. The same use again, or
    // its older version, changes nothing.
    let back = kasir_proto::CouponUse {
        given_back_at: Some(now),
        ..a.clone()
    };
    pull(
        &s,
        vec![
            ChangeData::CouponUse(back),
            ChangeData::CouponUse(a),
            ChangeData::CouponUse(b),
        ],
    );
    let priced = s
        .kasir
        .sales()
        .set_ticket_coupon(&c, t.id, Some("toko10"))
        .unwrap();
    assert_eq!(priced.coupon.unwrap().refusal, None);

    // A later version (deactivated) replaces it.
    pull(
        &s,
        vec![ChangeData::Coupon(kasir_proto::Coupon {
            active: false,
            ..promo.clone()
        })],
    );
    let again = s.kasir.sales().ticket(&c, t.id).unwrap();
    assert_eq!(again.coupon.unwrap().refusal, Some(Rule::Inactive));

    // Two tills that made the same code while apart: the one here keeps it, the other is
    // skipped (the server keeps both).
    let mine = s
        .kasir
        .coupons()
        .create(
            &m,
            &kasir_core::offers::coupons::CouponInput {
                code: "SAMA".into(),
                name: "Mine".into(),
                rule: kasir_core::offers::coupons::CouponRule::Amount {
                    amount: Money(1_000),
                },
                min_order: Money(0),
                usage_limit: None,
                per_member_limit: None,
                customer_group: kasir_core::offers::coupons::CustomerGroup::All,
                valid_from: None,
                valid_until: None,
                active: true,
            },
        )
        .unwrap();
    assert_eq!(
        pull(&s, vec![ChangeData::Coupon(coupon("sama", None, now))]),
        0
    );
    let kept: Vec<_> = s
        .kasir
        .coupons()
        .list(&m)
        .unwrap()
        .into_iter()
        .filter(|x| x.code == "SAMA")
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].id, mine.id);
}

#[test]
fn a_redemption_made_on_another_till_is_used_here_and_this_tills_unsent_change_stands() {
    let s = shop();
    let (c, a) = (s.cashier.clone(), s.admin.clone());
    let now = s.kasir.now();
    let kopi = s.product("Kopi", 25_000, None);
    let dewi = s
        .kasir
        .members()
        .add(
            &c,
            &MemberInput {
                name: "Dewi".into(),
                ..MemberInput::default()
            },
            "",
        )
        .unwrap();
    // Another till made the voucher and Dewi bought one there.
    let voucher = kasir_proto::Voucher {
        id: Uuid::now_v7(),
        name: "Potongan 5 ribu".into(),
        reward: kasir_proto::Reward::DiscountAmount { amount: 5_000 },
        points_cost: 50,
        stock: Some(9),
        valid_from: None,
        valid_until: None,
        active: true,
        at: now,
        stock_set_at: Some(now),
    };
    let bought = kasir_proto::Redemption {
        id: Uuid::now_v7(),
        code: "V-T02-000001".into(),
        voucher_id: voucher.id,
        member_id: dewi.id.0,
        points: 50,
        status: "pending".into(),
        order_id: None,
        at: now,
    };
    assert_eq!(
        pull(
            &s,
            vec![
                ChangeData::Voucher(voucher.clone()),
                ChangeData::Redemption(bought.clone()),
            ],
        ),
        2
    );
    // Nine set, one bought there: eight left here too.
    let listed = s.kasir.vouchers().list(&a).unwrap();
    assert_eq!(
        (listed[0].name.as_str(), listed[0].stock),
        ("Potongan 5 ribu", Some(8))
    );
    let hers = s.kasir.vouchers().of_member(&c, dewi.id).unwrap();
    assert_eq!(hers.len(), 1);
    assert_eq!(hers[0].status, RedemptionStatus::Pending);

    // She uses it here.
    let t = ticket(&s, &kopi);
    s.kasir
        .sales()
        .set_ticket_member(&c, t.id, Some(dewi.id))
        .unwrap();
    let t = s
        .kasir
        .sales()
        .set_ticket_voucher(&c, t.id, Some(hers[0].id))
        .unwrap();
    assert_eq!(t.totals.voucher_discount, Money(5_000));
    s.kasir
        .sales()
        .checkout(&c, t.id, &[crate::helpers::cash(t.totals.total.0)])
        .unwrap();
    // The server's older version (pending) comes before this till's use has gone up: the use
    // stands.
    pull(&s, vec![ChangeData::Redemption(bought.clone())]);
    let hers = s.kasir.vouchers().of_member(&c, dewi.id).unwrap();
    assert_eq!(hers[0].status, RedemptionStatus::Used);

    // Used on another till (its order is not here): a ticket here that names it is refused.
    let other = kasir_proto::Redemption {
        id: Uuid::now_v7(),
        code: "V-T02-000002".into(),
        ..bought.clone()
    };
    pull(&s, vec![ChangeData::Redemption(other.clone())]);
    let second = s
        .kasir
        .vouchers()
        .of_member(&c, dewi.id)
        .unwrap()
        .into_iter()
        .find(|r| r.code == "V-T02-000002")
        .unwrap();
    let t = ticket(&s, &kopi);
    s.kasir
        .sales()
        .set_ticket_member(&c, t.id, Some(dewi.id))
        .unwrap();
    s.kasir
        .sales()
        .set_ticket_voucher(&c, t.id, Some(second.id))
        .unwrap();
    pull(
        &s,
        vec![ChangeData::Redemption(kasir_proto::Redemption {
            status: "used".into(),
            order_id: Some(Uuid::now_v7()),
            ..other
        })],
    );
    let t = s.kasir.sales().ticket(&c, t.id).unwrap();
    assert_eq!(t.voucher.unwrap().refusal, Some(Rule::Inactive));
}

#[test]
fn another_tills_review_counts_in_the_products_rating() {
    let s = shop();
    let c = s.cashier.clone();
    let a = s.admin.clone();
    let kopi = s.product("Kopi", 25_000, None);
    let dewi = s
        .kasir
        .members()
        .add(
            &c,
            &MemberInput {
                name: "Dewi".into(),
                ..MemberInput::default()
            },
            "",
        )
        .unwrap();
    let review = kasir_proto::Review {
        id: Uuid::now_v7(),
        member_id: dewi.id.0,
        product_id: kopi.id.0,
        rating: 4,
        comment: "Enak".into(),
        image_id: Some(Uuid::now_v7().to_string()),
        hidden: false,
        at: s.kasir.now(),
    };
    assert_eq!(pull(&s, vec![ChangeData::Review(review.clone())]), 1);
    let rating = |s: &Shop| {
        (
            count(
                &s.kasir,
                &format!("SELECT rating_total FROM products WHERE id = '{}'", kopi.id),
            ),
            count(
                &s.kasir,
                &format!("SELECT ratings FROM products WHERE id = '{}'", kopi.id),
            ),
        )
    };
    assert_eq!(rating(&s), (4, 1));
    // Hidden there: it no longer counts here. Its photo stayed on the till that took it.
    pull(
        &s,
        vec![ChangeData::Review(kasir_proto::Review {
            hidden: true,
            ..review.clone()
        })],
    );
    assert_eq!(rating(&s), (0, 0));
    let reviews = s.kasir.reviews().of_product(&a, kopi.id, true, 10).unwrap();
    assert_eq!(reviews[0].image_id, None);
    // A rating out of range is skipped, the page still lands.
    assert_eq!(
        pull(
            &s,
            vec![ChangeData::Review(kasir_proto::Review {
                rating: 9,
                ..review
            })]
        ),
        0
    );
}

#[test]
fn managers_hear_once_of_a_voucher_ending_soon() {
    let s = shop();
    let a = s.admin.clone();
    let today = jiff::civil::date(2026, 11, 21);
    let input = |name: &str, days: i64| VoucherInput {
        name: name.into(),
        reward: kasir_core::offers::vouchers::Reward::CashbackPoints { points: 10 },
        points_cost: 100,
        stock: None,
        valid_from: None,
        valid_until: Some(today.checked_add(jiff::Span::new().days(days)).unwrap()),
        active: true,
    };
    s.kasir.vouchers().create(&a, &input("Segera", 3)).unwrap();
    s.kasir.vouchers().create(&a, &input("Nanti", 30)).unwrap();
    assert_eq!(s.kasir.vouchers().notify_expiring().unwrap(), 1);
    assert_eq!(
        s.kasir.vouchers().notify_expiring().unwrap(),
        0,
        "told once"
    );
    let m = s.manager.clone();
    let n = s
        .kasir
        .notices()
        .list(&m, 10)
        .unwrap()
        .into_iter()
        .find(|n| n.kind == NoticeKind::VoucherExpiring)
        .unwrap();
    assert_eq!(n.detail.voucher_name.as_deref(), Some("Segera"));
    s.clock.advance(SignedDuration::from_hours(24 * 25));
    assert_eq!(s.kasir.vouchers().notify_expiring().unwrap(), 1);
}

#[test]
fn a_vouchers_stock_counts_the_redemptions_of_every_till() {
    let s = shop();
    let (c, m) = (s.cashier.clone(), s.manager.clone());
    let now = s.kasir.now();
    let dewi = s
        .kasir
        .members()
        .add(
            &c,
            &MemberInput {
                name: "Dewi".into(),
                ..MemberInput::default()
            },
            "",
        )
        .unwrap();
    s.kasir
        .points()
        .adjust(&m, None, dewi.id, 1_000, "welcome")
        .unwrap();
    let voucher = kasir_proto::Voucher {
        id: Uuid::now_v7(),
        name: "Kue gratis".into(),
        reward: kasir_proto::Reward::CashbackPoints { points: 5 },
        points_cost: 100,
        stock: Some(2),
        valid_from: None,
        valid_until: None,
        active: true,
        at: now,
        stock_set_at: Some(now),
    };
    // Another till redeemed one of the two at the same time as this one.
    let theirs = kasir_proto::Redemption {
        id: Uuid::now_v7(),
        code: "V-T02-000001".into(),
        voucher_id: voucher.id,
        member_id: dewi.id.0,
        points: 100,
        status: "pending".into(),
        order_id: None,
        at: now,
    };
    pull(&s, vec![ChangeData::Voucher(voucher.clone())]);
    let id = s.kasir.vouchers().list(&m).unwrap()[0].id;
    s.kasir.vouchers().redeem(&c, dewi.id, id).unwrap();
    assert_eq!(s.kasir.vouchers().list(&m).unwrap()[0].stock, Some(1));
    pull(&s, vec![ChangeData::Redemption(theirs.clone())]);
    let listed = s.kasir.vouchers().list(&m).unwrap();
    assert_eq!((listed[0].stock, listed[0].redeemed), (Some(0), 2));
    match s.kasir.vouchers().redeem(&c, dewi.id, id) {
        Err(Error::Invalid {
            rule: Rule::OutOfStock,
            ..
        }) => {}
        other => panic!("expected out of stock, got {other:?}"),
    }
    // Cancelled there: one comes back here.
    pull(
        &s,
        vec![ChangeData::Redemption(kasir_proto::Redemption {
            status: "cancelled".into(),
            ..theirs
        })],
    );
    assert_eq!(s.kasir.vouchers().list(&m).unwrap()[0].stock, Some(1));
    // A manager's new count starts from now: redemptions before it are in it.
    let mut input = VoucherInput {
        name: "Kue gratis".into(),
        reward: kasir_core::offers::vouchers::Reward::CashbackPoints { points: 5 },
        points_cost: 100,
        stock: Some(10),
        valid_from: None,
        valid_until: None,
        active: true,
    };
    s.clock.advance(SignedDuration::from_secs(5));
    s.kasir.vouchers().update(&m, id, &input).unwrap();
    assert_eq!(s.kasir.vouchers().list(&m).unwrap()[0].stock, Some(10));
    s.kasir.vouchers().redeem(&c, dewi.id, id).unwrap();
    assert_eq!(s.kasir.vouchers().list(&m).unwrap()[0].stock, Some(9));
    input.stock = None;
    s.kasir.vouchers().update(&m, id, &input).unwrap();
    assert_eq!(s.kasir.vouchers().list(&m).unwrap()[0].stock, None);
}

/// Upgrading to V23 keeps what each voucher had left: its stock was already less what was
/// redeemed, and becomes the count set at the upgrade.
#[test]
fn the_upgrade_to_counted_stock_keeps_what_each_voucher_had_left() {
    use kasir_core::kernel::db;
    let dir = tempfile::tempdir().unwrap();
    let conn = db::open_writer_up_to(&dir.path().join(kasir_core::DB_FILE), 22).unwrap();
    let reward =
        serde_json::to_string(&kasir_core::offers::vouchers::Reward::CashbackPoints { points: 5 })
            .unwrap();
    conn.execute_batch(&format!(
        "INSERT INTO members (id, number, number_seq, name, referral_code, created_by, created_at, updated_at)
         VALUES ('0190f1c2-0000-7000-8000-0000000000e1', 'MEM-T01-000001', 1, 'Dewi', 'DEWI7Q2K', 'x',
                 '2026-11-21T03:00:05.000000000Z', '2026-11-21T03:00:05.000000000Z');
         INSERT INTO vouchers (id, name, reward, points_cost, stock, active, created_at, updated_at)
         VALUES ('0190f1c2-0000-7000-8000-0000000000f1', 'Kue', '{reward}', 100, 3, 1,
                 '2026-11-21T03:00:05.000000000Z', '2026-11-21T03:00:05.000000000Z');
         INSERT INTO redemptions (id, code, voucher_id, member_id, points, status, created_at, updated_at) VALUES
            ('0190f1c2-0000-7000-8000-0000000000d1', 'V-T01-000001', '0190f1c2-0000-7000-8000-0000000000f1',
             '0190f1c2-0000-7000-8000-0000000000e1', 100, 'pending', '2026-11-21T03:00:06.000000000Z', '2026-11-21T03:00:06.000000000Z'),
            ('0190f1c2-0000-7000-8000-0000000000d2', 'V-T01-000002', '0190f1c2-0000-7000-8000-0000000000f1',
             '0190f1c2-0000-7000-8000-0000000000e1', 100, 'used', '2026-11-21T03:00:07.000000000Z', '2026-11-21T03:00:07.000000000Z');"
    ))
    .unwrap();
    drop(conn);
    let k = kasir_core::Kasir::open(
        dir.path(),
        std::sync::Arc::new(kasir_core::FixedClock::new(crate::helpers::start_time())),
    )
    .unwrap();
    let admin = k.people().create_first_admin("Ayu", "1111").unwrap();
    let v = k.vouchers().list(&admin).unwrap();
    assert_eq!((v[0].stock, v[0].redeemed), (Some(3), 2));
}
