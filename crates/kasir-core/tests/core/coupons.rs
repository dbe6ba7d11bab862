//! Coupons: each kind priced on a ticket in the one written order, refusals with their
//! reasons (the ticket left as it was), the use recorded in the sale's transaction and given
//! back by a full refund or a cancellation, the admin's bad input refused, notifications of
//! coupons ending soon.

use jiff::SignedDuration;
use jiff::civil::date;
use kasir_core::members::{Member, MemberInput};
use kasir_core::money::Money;
use kasir_core::notices::NoticeKind;
use kasir_core::offers::coupons::{
    Coupon, CouponInput, CouponRule, CouponStatus, CustomerGroup, TierStep,
};
use kasir_core::sales::checkout::{Order, PaymentMethod};
use kasir_core::sales::refunds::{RefundLineInput, RefundRequest};
use kasir_core::sales::tickets::{AddLine, OrderType, Ticket};
use kasir_core::{Entity, Error, Field, Rule};

use crate::helpers::{Check, Shop, cash, count, refused, shop};

fn coupon(code: &str, rule: CouponRule) -> CouponInput {
    CouponInput {
        code: code.into(),
        name: format!("{code} promo"),
        rule,
        min_order: Money(0),
        usage_limit: None,
        per_member_limit: None,
        customer_group: CustomerGroup::All,
        valid_from: None,
        valid_until: None,
        active: true,
    }
}

fn create(s: &Shop, input: &CouponInput) -> Coupon {
    let m = s.manager.clone();
    s.kasir.coupons().create(&m, input).unwrap()
}

/// A ticket with `lines` (product, quantity), for `member` when given.
fn ticket(
    s: &Shop,
    lines: &[(&kasir_core::catalog::Product, i64)],
    member: Option<&Member>,
) -> Ticket {
    let c = s.cashier.clone();
    let sales = s.kasir.sales();
    let mut t = sales.open_ticket(&c, OrderType::Takeaway, "").unwrap();
    for (p, q) in lines {
        t = sales
            .add_to_ticket(
                &c,
                t.id,
                AddLine {
                    product_id: p.id,
                    modifier_ids: vec![],
                    note: String::new(),
                    quantity: *q,
                },
            )
            .unwrap();
    }
    if let Some(m) = member {
        t = sales.set_ticket_member(&c, t.id, Some(m.id)).unwrap();
    }
    t
}

fn apply(s: &Shop, t: &Ticket, code: &str) -> kasir_core::Result<Ticket> {
    let c = s.cashier.clone();
    s.kasir.sales().set_ticket_coupon(&c, t.id, Some(code))
}

fn pay(s: &Shop, t: &Ticket) -> Order {
    let c = s.cashier.clone();
    // Nothing to pay (a coupon took it all): no tender.
    let tenders = if t.totals.total.0 > 0 {
        vec![cash(t.totals.total.0)]
    } else {
        vec![]
    };
    s.kasir.sales().checkout(&c, t.id, &tenders).unwrap()
}

fn member(s: &Shop, name: &str) -> Member {
    let c = s.cashier.clone();
    s.kasir
        .members()
        .add(
            &c,
            &MemberInput {
                name: name.into(),
                ..MemberInput::default()
            },
            "",
        )
        .unwrap()
}

/// A shop without service, tax or cash rounding, so the figures read plainly.
fn plain_shop() -> Shop {
    let s = shop();
    let a = s.admin.clone();
    let mut settings = s.kasir.settings().get().unwrap();
    settings.tax_rate_bp = 0;
    settings.service_rate_bp = 0;
    settings.cash_rounding = 1;
    s.kasir.settings().update(&a, settings).unwrap();
    s
}

/// (rule, lines as (price, quantity) of two products, want coupon discount)
#[test]
fn each_kind_takes_what_its_rule_says() {
    let s = plain_shop();
    let kopi = s.product("Kopi Susu", 25_000, None);
    let roti = s.product("Roti Bakar", 18_000, None);
    let tiers = CouponRule::Tiered {
        steps: vec![
            TierStep {
                from: Money(50_000),
                bp: 500,
            },
            TierStep {
                from: Money(100_000),
                bp: 1000,
            },
        ],
    };
    type Case = (CouponRule, i64, i64, i64);
    let cases: Vec<Case> = vec![
        (
            CouponRule::Percent {
                bp: 2000,
                cap: None,
            },
            2,
            0,
            10_000,
        ),
        (
            CouponRule::Percent {
                bp: 2000,
                cap: Some(Money(7_500)),
            },
            2,
            0,
            7_500,
        ),
        (
            CouponRule::Amount {
                amount: Money(15_000),
            },
            1,
            1,
            15_000,
        ),
        // more than the order: takes the order, never more
        (
            CouponRule::Amount {
                amount: Money(30_000),
            },
            1,
            0,
            25_000,
        ),
        (tiers.clone(), 2, 0, 2_500),
        (tiers, 4, 1, 11_800),
        // buy 2 kopi get 1 roti: 4 kopi earn 2 free roti, only 1 on the ticket
        (
            CouponRule::BuyGet {
                buy_product: kopi.id,
                buy_quantity: 2,
                get_product: roti.id,
                get_quantity: 1,
            },
            4,
            1,
            18_000,
        ),
        // buy 2 get 1 of one product: a set is 3, so 5 kopi give 1 free
        (
            CouponRule::BuyGet {
                buy_product: kopi.id,
                buy_quantity: 2,
                get_product: kopi.id,
                get_quantity: 1,
            },
            5,
            0,
            25_000,
        ),
    ];
    for (i, (rule, kopi_q, roti_q, want)) in cases.into_iter().enumerate() {
        let code = format!("KASUS{i}");
        create(&s, &coupon(&code, rule));
        let mut lines = vec![(&kopi, kopi_q)];
        if roti_q > 0 {
            lines.push((&roti, roti_q));
        }
        let t = ticket(&s, &lines, None);
        let t = apply(&s, &t, &code.to_lowercase()).unwrap();
        assert_eq!(t.totals.coupon_discount, Money(want), "case {i}");
        assert_eq!(
            t.totals.total,
            Money(t.totals.subtotal.0 - want),
            "case {i}"
        );
        let c = t.coupon.as_ref().unwrap();
        assert_eq!(
            (c.code.as_str(), c.refusal.clone()),
            (code.as_str(), None),
            "case {i}"
        );
        let o = pay(&s, &t);
        assert_eq!(
            (o.coupon_discount, o.coupon_code.as_deref()),
            (Money(want), Some(code.as_str())),
            "case {i}"
        );
        assert_eq!(o.order_discount, Money(want), "case {i}");
        // The lines' shares add up to what the coupon took.
        assert_eq!(
            o.lines.iter().map(|l| l.order_discount.0).sum::<i64>(),
            want,
            "case {i}"
        );
    }
    let m = s.manager.clone();
    let listed = s.kasir.coupons().list(&m).unwrap();
    assert!(listed.iter().all(|c| c.used == 1), "{listed:?}");
}

#[test]
fn the_use_is_recorded_with_the_sale_and_printed_on_the_receipt() {
    let s = shop();
    let kopi = s.product("Kopi Susu", 25_000, None);
    let c = create(
        &s,
        &coupon(
            "HEMAT20",
            CouponRule::Percent {
                bp: 2000,
                cap: None,
            },
        ),
    );
    let t = apply(&s, &ticket(&s, &[(&kopi, 2)], None), "hemat20").unwrap();
    // 50.000 - 10.000 = 40.000; service 2.000; tax 4.200; 46.200
    assert_eq!(t.totals.total, Money(46_200));
    let o = pay(&s, &t);
    assert_eq!(
        count(
            &s.kasir,
            &format!(
                "SELECT COUNT(*) FROM coupon_uses WHERE coupon_id = '{}' AND discount = 10000",
                c.id
            )
        ),
        1
    );
    assert_eq!(
        count(
            &s.kasir,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'coupon_use'"
        ),
        1
    );
    assert_eq!(
        count(
            &s.kasir,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'coupon_upserted'"
        ),
        1
    );
    let receipt = s
        .kasir
        .sales()
        .receipt(&s.cashier, o.id)
        .unwrap()
        .render_text(32);
    assert!(receipt.contains("HEMAT20"), "{receipt}");
    assert!(receipt.contains("-10.000"), "{receipt}");
    let m = s.manager.clone();
    let uses = s.kasir.coupons().uses(&m, c.id, 10).unwrap();
    assert_eq!(
        (uses.len(), uses[0].receipt_no.as_deref(), uses[0].discount),
        (1, Some(o.receipt_no.as_str()), Money(10_000))
    );
}

/// Each refusal names its reason, and the ticket is left exactly as it was.
#[test]
fn refusals_say_why_and_change_nothing() {
    let s = shop();
    let kopi = s.product("Kopi Susu", 25_000, None);
    let roti = s.product("Roti Bakar", 18_000, None);
    let today = date(2026, 11, 21);
    let newcomer = member(&s, "Citra");
    let regular = member(&s, "Dewi");
    // A sale without a coupon keeps no code.
    assert!(
        pay(&s, &ticket(&s, &[(&kopi, 1)], None))
            .coupon_code
            .is_none()
    );
    // Dewi has one order: not new any more, not regular yet.
    let t = ticket(&s, &[(&kopi, 1)], Some(&regular));
    pay(&s, &t);

    let base = |code: &str| {
        coupon(
            code,
            CouponRule::Percent {
                bp: 1000,
                cap: None,
            },
        )
    };
    create(
        &s,
        &CouponInput {
            active: false,
            ..base("MATI")
        },
    );
    create(
        &s,
        &CouponInput {
            valid_from: Some(today.tomorrow().unwrap()),
            ..base("BESOK")
        },
    );
    create(
        &s,
        &CouponInput {
            valid_until: Some(today.yesterday().unwrap()),
            ..base("KEMARIN")
        },
    );
    create(
        &s,
        &CouponInput {
            min_order: Money(100_000),
            ..base("MINIMAL")
        },
    );
    create(
        &s,
        &CouponInput {
            customer_group: CustomerGroup::New,
            ..base("BARU")
        },
    );
    create(
        &s,
        &CouponInput {
            customer_group: CustomerGroup::Regular,
            ..base("LANGGANAN")
        },
    );
    create(
        &s,
        &CouponInput {
            per_member_limit: Some(1),
            ..base("SEKALI")
        },
    );
    let once = create(
        &s,
        &CouponInput {
            usage_limit: Some(1),
            ..base("TERBATAS")
        },
    );
    create(
        &s,
        &coupon(
            "GRATISROTI",
            CouponRule::BuyGet {
                buy_product: kopi.id,
                buy_quantity: 1,
                get_product: roti.id,
                get_quantity: 1,
            },
        ),
    );
    create(
        &s,
        &coupon(
            "BERTINGKAT",
            CouponRule::Tiered {
                steps: vec![TierStep {
                    from: Money(60_000),
                    bp: 500,
                }],
            },
        ),
    );
    // The limited coupon's one use is spent by Citra.
    let t = apply(&s, &ticket(&s, &[(&kopi, 1)], Some(&newcomer)), "TERBATAS").unwrap();
    pay(&s, &t);
    assert_eq!(
        s.kasir
            .coupons()
            .list(&s.manager)
            .unwrap()
            .iter()
            .find(|c| c.id == once.id)
            .unwrap()
            .status,
        CouponStatus::UsedUp
    );
    // Citra uses SEKALI once.
    let t = apply(&s, &ticket(&s, &[(&kopi, 1)], Some(&newcomer)), "SEKALI").unwrap();
    pay(&s, &t);

    let guest = ticket(&s, &[(&kopi, 1)], None);
    let dewi = ticket(&s, &[(&kopi, 1)], Some(&regular));
    let citra = ticket(&s, &[(&kopi, 1)], Some(&newcomer));
    let rule = |want: Rule| -> Check {
        Box::new(
            move |e| matches!(e, Error::Invalid { field: Field::Coupon, rule } if *rule == want),
        )
    };
    let cases: Vec<(&Ticket, &str, Check)> = vec![
        (
            &guest,
            "TIDAKADA",
            Box::new(|e| {
                matches!(
                    e,
                    Error::NotFound {
                        entity: Entity::Coupon,
                        ..
                    }
                )
            }),
        ),
        (
            &guest,
            "!!",
            Box::new(|e| {
                matches!(
                    e,
                    Error::NotFound {
                        entity: Entity::Coupon,
                        ..
                    }
                )
            }),
        ),
        (&guest, "MATI", rule(Rule::Inactive)),
        (
            &guest,
            "BESOK",
            rule(Rule::NotStarted {
                from: "2026-11-22".into(),
            }),
        ),
        (
            &guest,
            "KEMARIN",
            rule(Rule::Expired {
                until: "2026-11-20".into(),
            }),
        ),
        (
            &guest,
            "MINIMAL",
            rule(Rule::MinimumNotReached {
                minimum: Money(100_000),
            }),
        ),
        (&guest, "BARU", rule(Rule::NeedsMember)),
        (
            &dewi,
            "BARU",
            rule(Rule::CustomerGroup {
                group: "new".into(),
            }),
        ),
        (
            &citra,
            "LANGGANAN",
            rule(Rule::CustomerGroup {
                group: "regular".into(),
            }),
        ),
        (&guest, "SEKALI", rule(Rule::NeedsMember)),
        (&citra, "SEKALI", rule(Rule::MemberLimitReached)),
        (&guest, "TERBATAS", rule(Rule::UsageLimitReached)),
        (&guest, "GRATISROTI", rule(Rule::NothingToDiscount)),
        (
            &guest,
            "BERTINGKAT",
            rule(Rule::MinimumNotReached {
                minimum: Money(60_000),
            }),
        ),
    ];
    for (t, code, check) in cases {
        let c = s.cashier.clone();
        refused(
            &s.kasir,
            |k| k.sales().set_ticket_coupon(&c, t.id, Some(code)),
            check,
        );
    }
    // Citra is new, and the new customers' coupon is hers (a first order for a member).
    assert!(
        apply(
            &s,
            &ticket(&s, &[(&kopi, 1)], Some(&member(&s, "Eka"))),
            "BARU"
        )
        .is_ok()
    );
}

/// A ticket that falls below the minimum after the coupon went on shows why it stopped
/// applying, takes nothing off, and checkout refuses it with the same reason.
#[test]
fn a_coupon_that_stops_applying_says_so_and_blocks_payment() {
    let s = shop();
    let kopi = s.product("Kopi Susu", 25_000, None);
    create(
        &s,
        &CouponInput {
            min_order: Money(50_000),
            ..coupon(
                "DUAGELAS",
                CouponRule::Amount {
                    amount: Money(5_000),
                },
            )
        },
    );
    let t = apply(&s, &ticket(&s, &[(&kopi, 2)], None), "DUAGELAS").unwrap();
    assert_eq!(t.totals.coupon_discount, Money(5_000));
    let c = s.cashier.clone();
    let t = s
        .kasir
        .sales()
        .set_line_quantity(&c, t.id, t.lines[0].id, 1)
        .unwrap();
    let tc = t.coupon.as_ref().unwrap();
    assert_eq!(
        tc.refusal,
        Some(Rule::MinimumNotReached {
            minimum: Money(50_000)
        })
    );
    assert_eq!(t.totals.coupon_discount, Money(0));
    refused(
        &s.kasir,
        |k| k.sales().checkout(&c, t.id, &[cash(t.totals.total.0)]),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Coupon,
                    rule: Rule::MinimumNotReached { .. }
                }
            )
        },
    );
    // Taking it off lets the sale go through.
    let t = s.kasir.sales().set_ticket_coupon(&c, t.id, None).unwrap();
    assert!(t.coupon.is_none());
    pay(&s, &t);
}

fn refund(s: &Shop, o: &Order, line: u32, quantity: i64) -> Money {
    let m = s.manager.clone();
    s.kasir
        .sales()
        .refund(
            &m,
            None,
            &RefundRequest {
                order_id: o.id,
                lines: vec![RefundLineInput {
                    line,
                    quantity,
                    restock: false,
                }],
                reason: "salah pesan".into(),
                method: PaymentMethod::Cash,
                reference: None,
            },
        )
        .unwrap()
        .total
}

/// A refund in parts gives back exactly what was paid (each line's share of the coupon
/// included); only the full refund gives the use back, and a cancellation does too.
#[test]
fn a_full_refund_or_a_cancellation_gives_the_use_back() {
    let s = shop();
    let kopi = s.product("Kopi Susu", 25_000, None);
    let roti = s.product("Roti Bakar", 18_000, None);
    let c = create(
        &s,
        &CouponInput {
            usage_limit: Some(1),
            ..coupon(
                "SATUKALI",
                CouponRule::Percent {
                    bp: 1500,
                    cap: None,
                },
            )
        },
    );
    let o = pay(
        &s,
        &apply(&s, &ticket(&s, &[(&kopi, 3), (&roti, 1)], None), "SATUKALI").unwrap(),
    );
    let used = |s: &Shop| {
        s.kasir
            .coupons()
            .list(&s.manager)
            .unwrap()
            .into_iter()
            .find(|x| x.id == c.id)
            .unwrap()
            .used
    };
    assert_eq!(used(&s), 1);
    let a = refund(&s, &o, 0, 2);
    assert_eq!(used(&s), 1, "a part refund keeps the use");
    let b = refund(&s, &o, 0, 1);
    let last = refund(&s, &o, 1, 1);
    assert_eq!(
        Money(a.0 + b.0 + last.0),
        o.total,
        "the parts add up to what was paid"
    );
    assert_eq!(used(&s), 0, "the full refund gave it back");
    assert_eq!(
        count(
            &s.kasir,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'coupon_use'"
        ),
        2
    );
    // Given back, the once-only coupon is usable again; a cancellation gives it back too.
    let o = pay(
        &s,
        &apply(&s, &ticket(&s, &[(&kopi, 1)], None), "SATUKALI").unwrap(),
    );
    assert_eq!(used(&s), 1);
    let m = s.manager.clone();
    s.kasir
        .sales()
        .cancel_order(&m, None, o.id, "pelanggan batal")
        .unwrap();
    assert_eq!(used(&s), 0);
}

#[test]
fn bad_coupons_are_refused_and_change_nothing() {
    let s = shop();
    let kopi = s.product("Kopi Susu", 25_000, None);
    create(
        &s,
        &coupon(
            "ADA",
            CouponRule::Amount {
                amount: Money(1_000),
            },
        ),
    );
    let pct = |bp| CouponRule::Percent { bp, cap: None };
    let invalid = |field: Field| -> Check {
        Box::new(move |e| matches!(e, Error::Invalid { field: f, .. } if *f == field))
    };
    let cases: Vec<(CouponInput, Check)> = vec![
        (coupon("AB", pct(1000)), invalid(Field::Code)),
        (coupon("KODE DENGAN SPASI", pct(1000)), invalid(Field::Code)),
        (coupon(&"X".repeat(25), pct(1000)), invalid(Field::Code)),
        (
            CouponInput {
                name: " ".into(),
                ..coupon("NAMA", pct(1000))
            },
            invalid(Field::Name),
        ),
        (coupon("NOL", pct(0)), invalid(Field::Discount)),
        (coupon("LEBIH", pct(10_001)), invalid(Field::Discount)),
        (
            coupon("MINUS", CouponRule::Amount { amount: Money(-1) }),
            invalid(Field::Discount),
        ),
        (
            coupon(
                "BESAR",
                CouponRule::Amount {
                    amount: Money(i64::MAX),
                },
            ),
            invalid(Field::Discount),
        ),
        (
            coupon(
                "CAP",
                CouponRule::Percent {
                    bp: 1000,
                    cap: Some(Money(0)),
                },
            ),
            invalid(Field::Discount),
        ),
        (
            coupon("TINGKAT", CouponRule::Tiered { steps: vec![] }),
            invalid(Field::Discount),
        ),
        (
            coupon(
                "TURUN",
                CouponRule::Tiered {
                    steps: vec![
                        TierStep {
                            from: Money(100),
                            bp: 100,
                        },
                        TierStep {
                            from: Money(50),
                            bp: 200,
                        },
                    ],
                },
            ),
            invalid(Field::Discount),
        ),
        (
            coupon(
                "BELI",
                CouponRule::BuyGet {
                    buy_product: kopi.id,
                    buy_quantity: 0,
                    get_product: kopi.id,
                    get_quantity: 1,
                },
            ),
            invalid(Field::Quantity),
        ),
        (
            coupon(
                "ASING",
                CouponRule::BuyGet {
                    buy_product: kasir_core::catalog::ProductId(uuid::Uuid::nil()),
                    buy_quantity: 1,
                    get_product: kopi.id,
                    get_quantity: 1,
                },
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
        (
            CouponInput {
                min_order: Money(-5),
                ..coupon("MIN", pct(1000))
            },
            invalid(Field::MinOrder),
        ),
        (
            CouponInput {
                usage_limit: Some(0),
                ..coupon("BATAS", pct(1000))
            },
            invalid(Field::UsageLimit),
        ),
        (
            CouponInput {
                per_member_limit: Some(0),
                ..coupon("ORANG", pct(1000))
            },
            invalid(Field::MemberLimit),
        ),
        (
            CouponInput {
                valid_from: Some(date(2026, 12, 2)),
                valid_until: Some(date(2026, 12, 1)),
                ..coupon("TANGGAL", pct(1000))
            },
            invalid(Field::ValidDates),
        ),
        (
            coupon("ada", pct(1000)),
            Box::new(|e| {
                matches!(
                    e,
                    Error::Duplicate {
                        field: Field::Code,
                        ..
                    }
                )
            }),
        ),
    ];
    for (input, check) in cases {
        let m = s.manager.clone();
        refused(&s.kasir, |k| k.coupons().create(&m, &input), check);
    }
    let c = s.cashier.clone();
    refused(
        &s.kasir,
        |k| k.coupons().create(&c, &coupon("KASIR", pct(1000))),
        |e| matches!(e, Error::Forbidden { .. }),
    );
    refused(
        &s.kasir,
        |k| k.coupons().list(&c),
        |e| matches!(e, Error::Forbidden { .. }),
    );
}

#[test]
fn managers_hear_of_coupons_ending_soon_once() {
    let s = shop();
    let today = date(2026, 11, 21);
    create(
        &s,
        &CouponInput {
            valid_until: Some(today.checked_add(jiff::Span::new().days(3)).unwrap()),
            ..coupon(
                "SEGERA",
                CouponRule::Amount {
                    amount: Money(1_000),
                },
            )
        },
    );
    create(
        &s,
        &CouponInput {
            valid_until: Some(today.checked_add(jiff::Span::new().days(30)).unwrap()),
            ..coupon(
                "NANTI",
                CouponRule::Amount {
                    amount: Money(1_000),
                },
            )
        },
    );
    assert_eq!(s.kasir.coupons().notify_expiring().unwrap(), 1);
    assert_eq!(s.kasir.coupons().notify_expiring().unwrap(), 0, "told once");
    let m = s.manager.clone();
    let notices = s.kasir.notices().list(&m, 10).unwrap();
    let n = notices
        .iter()
        .find(|n| n.kind == NoticeKind::CouponExpiring)
        .unwrap();
    assert_eq!(n.detail.coupon_code.as_deref(), Some("SEGERA"));
    // Three weeks on, the other one is still more than a week away; 25 days on, it is due.
    s.clock.advance(SignedDuration::from_hours(24 * 21));
    assert_eq!(s.kasir.coupons().notify_expiring().unwrap(), 0);
    s.clock.advance(SignedDuration::from_hours(24 * 4));
    assert_eq!(s.kasir.coupons().notify_expiring().unwrap(), 1);
}
