//! Vouchers: bought with points (points and stock taken in one transaction, given back by a
//! cancellation), used at the till (a discount after the coupon, a free item at zero, cashback
//! with the sale), made pending again by a full refund; refusals change nothing.

use jiff::civil::date;
use kasir_core::catalog::Product;
use kasir_core::members::{Member, MemberInput};
use kasir_core::money::Money;
use kasir_core::money::pricing::Discount;
use kasir_core::offers::vouchers::{
    RedemptionStatus, Reward, Voucher, VoucherInput, VoucherStatus,
};
use kasir_core::sales::checkout::{Order, PaymentMethod};
use kasir_core::sales::refunds::{RefundLineInput, RefundRequest};
use kasir_core::sales::tickets::{AddLine, OrderType, Ticket};
use kasir_core::{Entity, Error, Field, Rule};

use crate::helpers::{Check, Shop, cash, count, refused, shop};

fn voucher(name: &str, reward: Reward, cost: i64) -> VoucherInput {
    VoucherInput {
        name: name.into(),
        reward,
        points_cost: cost,
        stock: None,
        valid_from: None,
        valid_until: None,
        active: true,
    }
}

fn create(s: &Shop, input: &VoucherInput) -> Voucher {
    let m = s.manager.clone();
    s.kasir.vouchers().create(&m, input).unwrap()
}

/// A member holding `points`.
fn member(s: &Shop, name: &str, points: i64) -> Member {
    let c = s.cashier.clone();
    let m = s
        .kasir
        .members()
        .add(
            &c,
            &MemberInput {
                name: name.into(),
                ..MemberInput::default()
            },
            "",
        )
        .unwrap();
    if points == 0 {
        return m;
    }
    let mgr = s.manager.clone();
    s.kasir
        .points()
        .adjust(&mgr, None, m.id, points, "Saldo awal")
        .unwrap()
}

fn held(s: &Shop, m: &Member) -> (i64, Money) {
    let mgr = s.manager.clone();
    let m = s.kasir.members().get(&mgr, m.id).unwrap();
    (m.points, m.wallet)
}

fn ticket_for(s: &Shop, product: &Product, qty: i64, m: &Member) -> Ticket {
    let c = s.cashier.clone();
    let sales = s.kasir.sales();
    let t = sales.open_ticket(&c, OrderType::Takeaway, "").unwrap();
    sales
        .add_to_ticket(
            &c,
            t.id,
            AddLine {
                product_id: product.id,
                modifier_ids: vec![],
                note: String::new(),
                quantity: qty,
            },
        )
        .unwrap();
    sales.set_ticket_member(&c, t.id, Some(m.id)).unwrap()
}

fn pay(s: &Shop, t: &Ticket) -> Order {
    let c = s.cashier.clone();
    let tenders = if t.totals.total.0 > 0 {
        vec![cash(t.totals.total.0)]
    } else {
        vec![]
    };
    s.kasir.sales().checkout(&c, t.id, &tenders).unwrap()
}

#[test]
fn redeeming_takes_points_and_stock_and_cancelling_gives_both_back() {
    let s = shop();
    let kue = s.product("Kue Lumpur", 12_000, Some(10));
    let v = create(
        &s,
        &VoucherInput {
            stock: Some(2),
            ..voucher("Gratis kue", Reward::Freebie { product: kue.id }, 200)
        },
    );
    let dewi = member(&s, "Dewi", 450);
    let c = s.cashier.clone();
    let r = s.kasir.vouchers().redeem(&c, dewi.id, v.id).unwrap();
    assert_eq!(
        (r.code.as_str(), r.status, r.points),
        ("V-T01-000001", RedemptionStatus::Pending, 200)
    );
    assert_eq!(held(&s, &dewi).0, 250);
    let listed = s.kasir.vouchers().list(&c).unwrap();
    assert_eq!((listed[0].stock, listed[0].redeemed), (Some(1), 1));
    let r2 = s.kasir.vouchers().redeem(&c, dewi.id, v.id).unwrap();
    assert_eq!(held(&s, &dewi).0, 50);
    assert_eq!(
        s.kasir.vouchers().list(&c).unwrap()[0].status,
        VoucherStatus::OutOfStock
    );
    // Cancelled: the points and one of the stock come back; a second cancel is refused.
    let back = s.kasir.vouchers().cancel(&c, r2.id).unwrap();
    assert_eq!(back.status, RedemptionStatus::Cancelled);
    assert_eq!(held(&s, &dewi).0, 250);
    assert_eq!(s.kasir.vouchers().list(&c).unwrap()[0].stock, Some(1));
    refused(
        &s.kasir,
        |k| k.vouchers().cancel(&c, r2.id),
        |e| matches!(e, Error::InvalidTransition { .. }),
    );
    assert_eq!(
        count(
            &s.kasir,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'redemption'"
        ),
        3
    );
    let mine = s.kasir.vouchers().of_member(&c, dewi.id).unwrap();
    assert_eq!(
        mine.iter().map(|r| r.status).collect::<Vec<_>>(),
        [RedemptionStatus::Pending, RedemptionStatus::Cancelled]
    );
}

#[test]
fn refused_redemptions_take_nothing() {
    let s = shop();
    let dewi = member(&s, "Dewi", 100);
    let off = |name: &str| {
        voucher(
            name,
            Reward::Discount {
                discount: Discount::Amount(Money(5_000)),
            },
            50,
        )
    };
    let dear = create(
        &s,
        &voucher("Mahal", Reward::CashbackPoints { points: 10 }, 500),
    );
    let gone = create(
        &s,
        &VoucherInput {
            stock: Some(0),
            ..off("Habis")
        },
    );
    let old = create(
        &s,
        &VoucherInput {
            valid_until: Some(date(2026, 11, 20)),
            ..off("Lama")
        },
    );
    let later = create(
        &s,
        &VoucherInput {
            valid_from: Some(date(2026, 12, 1)),
            ..off("Nanti")
        },
    );
    let off_ = create(
        &s,
        &VoucherInput {
            active: false,
            ..off("Mati")
        },
    );
    let invalid = |rule: Rule| -> Check {
        Box::new(move |e| matches!(e, Error::Invalid { rule: r, .. } if *r == rule))
    };
    let cases: Vec<(&Voucher, Check)> = vec![
        (&dear, invalid(Rule::NotEnoughPoints { held: 100 })),
        (&gone, invalid(Rule::OutOfStock)),
        (
            &old,
            invalid(Rule::Expired {
                until: "2026-11-20".into(),
            }),
        ),
        (
            &later,
            invalid(Rule::NotStarted {
                from: "2026-12-01".into(),
            }),
        ),
        (&off_, invalid(Rule::Inactive)),
    ];
    for (v, check) in cases {
        let c = s.cashier.clone();
        refused(&s.kasir, |k| k.vouchers().redeem(&c, dewi.id, v.id), check);
    }
}

#[test]
fn a_discount_voucher_comes_after_the_coupon_and_is_used_by_the_sale() {
    let s = shop();
    let kopi = s.product("Kopi Susu", 25_000, None);
    let v = create(
        &s,
        &voucher(
            "Potongan",
            Reward::Discount {
                discount: Discount::Amount(Money(15_000)),
            },
            150,
        ),
    );
    let m = s.manager.clone();
    s.kasir
        .coupons()
        .create(
            &m,
            &kasir_core::offers::coupons::CouponInput {
                code: "HEMAT10".into(),
                name: "10%".into(),
                rule: kasir_core::offers::coupons::CouponRule::Percent {
                    bp: 1000,
                    cap: None,
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
    let dewi = member(&s, "Dewi", 180);
    let c = s.cashier.clone();
    let r = s.kasir.vouchers().redeem(&c, dewi.id, v.id).unwrap();
    let t = ticket_for(&s, &kopi, 4, &dewi);
    s.kasir
        .sales()
        .set_ticket_coupon(&c, t.id, Some("hemat10"))
        .unwrap();
    let t = s
        .kasir
        .sales()
        .set_ticket_voucher(&c, t.id, Some(r.id))
        .unwrap();
    // 100.000 − coupon 10.000 − voucher 15.000 = 75.000; service 3.750; tax 7.875; 86.625 → 86.600
    assert_eq!(
        (t.totals.coupon_discount, t.totals.voucher_discount),
        (Money(10_000), Money(15_000))
    );
    assert_eq!(t.totals.total, Money(86_600));
    assert_eq!(t.voucher.as_ref().map(|v| v.refusal.clone()), Some(None));
    let o = pay(&s, &t);
    assert_eq!(
        (o.order_discount, o.voucher_discount),
        (Money(25_000), Money(15_000))
    );
    assert_eq!(o.voucher.as_deref(), Some("V-T01-000001 Potongan"));
    let r = &s.kasir.vouchers().of_member(&c, dewi.id).unwrap()[0];
    assert_eq!((r.status, r.order_id), (RedemptionStatus::Used, Some(o.id)));
    let receipt = s.kasir.sales().receipt(&c, o.id).unwrap().render_text(32);
    assert!(receipt.contains("Voucher V-T01-000001"), "{receipt}");
    // Used, it is refused on another ticket.
    let t2 = ticket_for(&s, &kopi, 1, &dewi);
    refused(
        &s.kasir,
        |k| k.sales().set_ticket_voucher(&c, t2.id, Some(r.id)),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Voucher,
                    rule: Rule::Inactive
                }
            )
        },
    );
}

#[test]
fn a_free_item_is_a_line_at_zero_that_comes_and_goes_with_its_voucher() {
    let s = shop();
    let kopi = s.product("Kopi Susu", 25_000, None);
    let kue = s.product("Kue Lumpur", 12_000, Some(10));
    let v = create(
        &s,
        &voucher("Gratis kue", Reward::Freebie { product: kue.id }, 100),
    );
    let dewi = member(&s, "Dewi", 100);
    let budi = member(&s, "Budi", 0);
    let c = s.cashier.clone();
    let r = s.kasir.vouchers().redeem(&c, dewi.id, v.id).unwrap();
    // Someone else's voucher is refused.
    let other = ticket_for(&s, &kopi, 1, &budi);
    refused(
        &s.kasir,
        |k| k.sales().set_ticket_voucher(&c, other.id, Some(r.id)),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Voucher,
                    rule: Rule::NeedsMember
                }
            )
        },
    );
    let t = ticket_for(&s, &kopi, 1, &dewi);
    let t = s
        .kasir
        .sales()
        .set_ticket_voucher(&c, t.id, Some(r.id))
        .unwrap();
    let free = t.lines.iter().find(|l| l.free).unwrap();
    assert_eq!(
        (free.product_id, free.unit_price, free.totals.total),
        (kue.id, Money(0), Money(0))
    );
    assert_eq!(t.totals.subtotal, Money(25_000));
    refused(
        &s.kasir,
        |k| k.sales().set_line_quantity(&c, t.id, free.id, 2),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    rule: Rule::FreeItem,
                    ..
                }
            )
        },
    );
    // Removing the free line takes the voucher off; putting it back brings the line back.
    let t = s.kasir.sales().remove_line(&c, t.id, free.id).unwrap();
    assert!(t.voucher.is_none() && t.lines.iter().all(|l| !l.free));
    let t = s
        .kasir
        .sales()
        .set_ticket_voucher(&c, t.id, Some(r.id))
        .unwrap();
    // Adding the same product by hand is a paid line of its own.
    let t = s
        .kasir
        .sales()
        .add_to_ticket(
            &c,
            t.id,
            AddLine {
                product_id: kue.id,
                modifier_ids: vec![],
                note: String::new(),
                quantity: 1,
            },
        )
        .unwrap();
    assert_eq!(t.lines.iter().filter(|l| l.product_id == kue.id).count(), 2);
    assert_eq!(t.totals.subtotal, Money(37_000));
    let o = pay(&s, &t);
    assert!(
        o.lines
            .iter()
            .any(|l| l.product_id == kue.id && l.total == Money(0))
    );
    // The free one leaves the stock like any sold one.
    let mgr = s.manager.clone();
    assert_eq!(
        s.kasir.catalog().product(&mgr, kue.id).unwrap().stock,
        Some(8)
    );
}

#[test]
fn cashback_comes_with_the_sale_and_a_full_refund_takes_it_back() {
    let s = shop();
    let kopi = s.product("Kopi Susu", 25_000, None);
    let v = create(
        &s,
        &voucher(
            "Saldo",
            Reward::CashbackWallet {
                amount: Money(25_000),
            },
            100,
        ),
    );
    let dewi = member(&s, "Dewi", 100);
    let c = s.cashier.clone();
    let r = s.kasir.vouchers().redeem(&c, dewi.id, v.id).unwrap();
    let t = ticket_for(&s, &kopi, 1, &dewi);
    let t = s
        .kasir
        .sales()
        .set_ticket_voucher(&c, t.id, Some(r.id))
        .unwrap();
    assert_eq!(t.totals.voucher_discount, Money(0));
    let o = pay(&s, &t);
    assert_eq!(held(&s, &dewi).1, Money(25_000));
    let mgr = s.manager.clone();
    s.kasir
        .sales()
        .refund(
            &mgr,
            None,
            &RefundRequest {
                order_id: o.id,
                lines: vec![RefundLineInput {
                    line: 0,
                    quantity: 1,
                    restock: false,
                }],
                reason: "salah pesan".into(),
                method: PaymentMethod::Cash,
                reference: None,
            },
        )
        .unwrap();
    assert_eq!(
        held(&s, &dewi).1,
        Money(0),
        "the cashback went back with the order"
    );
    let r = &s.kasir.vouchers().of_member(&c, dewi.id).unwrap()[0];
    assert_eq!((r.status, r.order_id), (RedemptionStatus::Pending, None));
    // The member left the ticket: the voucher no longer applies and payment waits.
    let t = ticket_for(&s, &kopi, 1, &dewi);
    let t = s
        .kasir
        .sales()
        .set_ticket_voucher(&c, t.id, Some(r.id))
        .unwrap();
    let t = s.kasir.sales().set_ticket_member(&c, t.id, None).unwrap();
    assert_eq!(
        t.voucher.as_ref().and_then(|v| v.refusal.clone()),
        Some(Rule::NeedsMember)
    );
    refused(
        &s.kasir,
        |k| k.sales().checkout(&c, t.id, &[cash(t.totals.total.0)]),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Voucher,
                    ..
                }
            )
        },
    );
}

#[test]
fn bad_vouchers_are_refused_and_change_nothing() {
    let s = shop();
    let invalid = |field: Field| -> Check {
        Box::new(move |e| matches!(e, Error::Invalid { field: f, .. } if *f == field))
    };
    let amount = |m| Reward::Discount {
        discount: Discount::Amount(Money(m)),
    };
    let cases: Vec<(VoucherInput, Check)> = vec![
        (voucher(" ", amount(1_000), 10), invalid(Field::Name)),
        (voucher("Nol", amount(0), 10), invalid(Field::Discount)),
        (
            voucher(
                "Persen",
                Reward::Discount {
                    discount: Discount::Percent(10_001),
                },
                10,
            ),
            invalid(Field::Discount),
        ),
        (
            voucher("Poin", Reward::CashbackPoints { points: 0 }, 10),
            invalid(Field::Points),
        ),
        (
            voucher("Saldo", Reward::CashbackWallet { amount: Money(-1) }, 10),
            invalid(Field::Amount),
        ),
        (voucher("Gratis", amount(1_000), 0), invalid(Field::Points)),
        (
            VoucherInput {
                stock: Some(-1),
                ..voucher("Stok", amount(1_000), 10)
            },
            invalid(Field::Stock),
        ),
        (
            VoucherInput {
                valid_from: Some(date(2026, 12, 2)),
                valid_until: Some(date(2026, 12, 1)),
                ..voucher("Tanggal", amount(1_000), 10)
            },
            invalid(Field::ValidDates),
        ),
        (
            voucher(
                "Asing",
                Reward::Freebie {
                    product: kasir_core::catalog::ProductId(uuid::Uuid::nil()),
                },
                10,
            ),
            Box::new(|e| {
                matches!(
                    e,
                    Error::NotFound {
                        entity: Entity::Product,
                        ..
                    }
                )
            }),
        ),
    ];
    for (input, check) in cases {
        let m = s.manager.clone();
        refused(&s.kasir, |k| k.vouchers().create(&m, &input), check);
    }
    let c = s.cashier.clone();
    refused(
        &s.kasir,
        |k| {
            k.vouchers()
                .create(&c, &voucher("Kasir", amount(1_000), 10))
        },
        |e| matches!(e, Error::Forbidden { .. }),
    );
}
