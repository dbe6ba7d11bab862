//! The wallet and the member's tenders: top-ups (cash into the shift's drawer), paying with
//! points and the wallet beside cash, refunds back to points or to the wallet (store credit),
//! and every refusal typed with nothing changed.

use kasir_core::members::wallet::WalletKind;
use kasir_core::members::{Member, MemberInput};
use kasir_core::money::Money;
use kasir_core::sales::checkout::{PaymentInput, PaymentMethod};
use kasir_core::sales::refunds::{RefundLineInput, RefundRequest};
use kasir_core::sales::tickets::{AddLine, OrderType, TicketId};
use kasir_core::{Error, Field, Rule};

use crate::helpers::{Shop, cash, refused, shop};

fn add(s: &Shop, name: &str) -> Member {
    let c = s.cashier.clone();
    let input = MemberInput {
        name: name.into(),
        ..MemberInput::default()
    };
    s.kasir.members().add(&c, &input, "").unwrap()
}

fn pay(method: PaymentMethod, amount: i64) -> PaymentInput {
    PaymentInput {
        method,
        amount,
        reference: None,
    }
}

/// A ticket of `qty` × `product` for `member` (none: nobody), as the cashier.
fn ticket(
    s: &Shop,
    member: Option<&Member>,
    product: &kasir_core::catalog::Product,
    qty: i64,
) -> (TicketId, i64) {
    let c = s.cashier.clone();
    let sales = s.kasir.sales();
    let t = sales.open_ticket(&c, OrderType::Takeaway, "").unwrap();
    let mut t = sales
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
    if let Some(m) = member {
        t = sales.set_ticket_member(&c, t.id, Some(m.id)).unwrap();
    }
    (t.id, t.totals.total.0)
}

fn member(s: &Shop, m: &Member) -> Member {
    let a = s.admin.clone();
    s.kasir.members().get(&a, m.id).unwrap()
}

#[test]
fn a_cash_top_up_goes_into_the_shifts_drawer_and_others_do_not() {
    let s = shop();
    let c = s.cashier.clone();
    let dewi = add(&s, "Dewi");
    let before = s.kasir.shifts().x_report(&c).unwrap().cash.expected;
    let w = s.kasir.wallets();
    assert_eq!(
        w.top_up(&c, dewi.id, 100_000, PaymentMethod::Cash, None)
            .unwrap()
            .wallet,
        Money(100_000)
    );
    s.clock.advance(jiff::SignedDuration::from_secs(1));
    w.top_up(&c, dewi.id, 50_000, PaymentMethod::Card, None)
        .unwrap();
    s.clock.advance(jiff::SignedDuration::from_secs(1));
    w.top_up(&c, dewi.id, 25_000, PaymentMethod::Qris, Some("QR-1"))
        .unwrap();
    assert_eq!(member(&s, &dewi).wallet, Money(175_000));
    let x = s.kasir.shifts().x_report(&c).unwrap();
    assert_eq!(x.cash.wallet_top_ups, Money(100_000));
    assert_eq!(
        x.cash.expected,
        Money(before.0 + 100_000),
        "only the cash one is in the drawer"
    );
    assert!(x.render_text(32).contains("100.000"));
    let history = w.history(&c, dewi.id, 10).unwrap();
    assert_eq!(
        history.iter().map(|e| e.kind).collect::<Vec<_>>(),
        [WalletKind::TopUp; 3]
    );
    assert_eq!(history[0].method, Some(PaymentMethod::Qris));

    type Check = fn(&Error) -> bool;
    let bad: Vec<(i64, PaymentMethod, Option<&str>, Check)> = vec![
        (0, PaymentMethod::Cash, None, |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Amount,
                    rule: Rule::NotPositive
                }
            )
        }),
        (-5, PaymentMethod::Cash, None, |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Amount,
                    ..
                }
            )
        }),
        (i64::MAX, PaymentMethod::Cash, None, |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Amount,
                    rule: Rule::TooLarge
                }
            )
        }),
        (10_000, PaymentMethod::Qris, None, |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Reference,
                    rule: Rule::Required
                }
            )
        }),
        (10_000, PaymentMethod::Points, None, |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Method,
                    ..
                }
            )
        }),
        (10_000, PaymentMethod::Wallet, None, |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Method,
                    ..
                }
            )
        }),
    ];
    for (amount, method, reference, check) in bad {
        refused(
            &s.kasir,
            |k| k.wallets().top_up(&c, dewi.id, amount, method, reference),
            check,
        );
    }
    let m = s.manager.clone();
    s.kasir.members().set_active(&m, dewi.id, false).unwrap();
    refused(
        &s.kasir,
        |k| {
            k.wallets()
                .top_up(&c, dewi.id, 10_000, PaymentMethod::Card, None)
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Member,
                    rule: Rule::Inactive
                }
            )
        },
    );
}

#[test]
fn a_sale_is_paid_from_points_the_wallet_and_cash_together() {
    let s = shop();
    let c = s.cashier.clone();
    let a = s.admin.clone();
    let dewi = add(&s, "Dewi");
    s.kasir
        .points()
        .adjust(&a, None, dewi.id, 120, "Saldo awal")
        .unwrap();
    s.kasir
        .wallets()
        .top_up(&c, dewi.id, 30_000, PaymentMethod::Card, None)
        .unwrap();
    let kopi = s.product("Kopi", 50_000, None);
    let (t, due) = ticket(&s, Some(&dewi), &kopi, 2);
    // 100 points at Rp 100 = Rp 10.000, Rp 30.000 from the wallet, the rest in cash.
    let order = s
        .kasir
        .sales()
        .checkout(
            &c,
            t,
            &[
                pay(PaymentMethod::Points, 10_000),
                pay(PaymentMethod::Wallet, 30_000),
                cash(due - 40_000),
            ],
        )
        .unwrap();
    let after = member(&s, &dewi);
    let earned = (due - 10_000) / 10_000;
    assert_eq!(after.points, 120 - 100 + earned, "points spent earn none");
    assert_eq!(after.wallet, Money(0));
    let methods: Vec<PaymentMethod> = order.payments.iter().map(|p| p.method).collect();
    assert_eq!(
        methods,
        [
            PaymentMethod::Points,
            PaymentMethod::Wallet,
            PaymentMethod::Cash
        ]
    );
    let text = s
        .kasir
        .sales()
        .receipt(&c, order.id)
        .unwrap()
        .render_text(48);
    assert!(
        text.contains("Poin") && text.contains("Saldo member"),
        "{text}"
    );
    let x = s.kasir.shifts().x_report(&c).unwrap();
    assert_eq!(
        x.cash.cash_sales.0,
        due - 40_000,
        "only the cash went into the drawer"
    );
}

#[test]
fn the_members_tenders_are_refused_with_nothing_changed() {
    let s = shop();
    let c = s.cashier.clone();
    let a = s.admin.clone();
    let dewi = add(&s, "Dewi");
    s.kasir
        .points()
        .adjust(&a, None, dewi.id, 50, "Saldo awal")
        .unwrap();
    s.kasir
        .wallets()
        .top_up(&c, dewi.id, 20_000, PaymentMethod::Card, None)
        .unwrap();
    let kopi = s.product("Kopi", 50_000, None);
    let (nobody, due0) = ticket(&s, None, &kopi, 1);
    refused(
        &s.kasir,
        |k| {
            k.sales().checkout(
                &c,
                nobody,
                &[pay(PaymentMethod::Wallet, 10_000), cash(due0)],
            )
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Payments,
                    rule: Rule::NeedsMember
                }
            )
        },
    );
    let (t, due) = ticket(&s, Some(&dewi), &kopi, 1);
    type Check = fn(&Error) -> bool;
    let cases: Vec<(Vec<PaymentInput>, Check)> = vec![
        (vec![pay(PaymentMethod::Points, 5_050), cash(due)], |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Amount,
                    rule: Rule::NotWholePoints {
                        point_value: Money(100)
                    }
                }
            )
        }),
        (vec![pay(PaymentMethod::Points, 5_100), cash(due)], |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Points,
                    rule: Rule::NotEnoughPoints { held: 50 }
                }
            )
        }),
        (vec![pay(PaymentMethod::Wallet, 20_100), cash(due)], |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Wallet,
                    rule: Rule::NotEnoughInWallet {
                        held: Money(20_000)
                    }
                }
            )
        }),
        (vec![pay(PaymentMethod::Wallet, due + 100)], |e| {
            matches!(e, Error::Overpaid { .. })
        }),
    ];
    for (payments, check) in cases {
        refused(&s.kasir, |k| k.sales().checkout(&c, t, &payments), check);
    }
}

#[test]
fn refunds_give_back_to_points_exactly_and_to_the_wallet_as_store_credit() {
    let s = shop();
    let c = s.cashier.clone();
    let m = s.manager.clone();
    let a = s.admin.clone();
    let dewi = add(&s, "Dewi");
    s.kasir
        .points()
        .adjust(&a, None, dewi.id, 400, "Saldo awal")
        .unwrap();
    let kopi = s.product("Kopi", 10_000, None);
    let (t, due) = ticket(&s, Some(&dewi), &kopi, 3);
    // All of it in points (the total is rounded to Rp 100, so whole points): none earned.
    let spent = due / 100;
    let order = s
        .kasir
        .sales()
        .checkout(&c, t, &[pay(PaymentMethod::Points, due)])
        .unwrap();
    assert_eq!(member(&s, &dewi).points, 400 - spent);
    let refund = |qty: i64, method: PaymentMethod| {
        s.kasir
            .sales()
            .refund(
                &m,
                None,
                &RefundRequest {
                    order_id: order.id,
                    lines: vec![RefundLineInput {
                        line: 0,
                        quantity: qty,
                        restock: false,
                    }],
                    reason: "Salah".into(),
                    method,
                    reference: None,
                },
            )
            .unwrap()
    };
    // One cup at a time back to points: in step (rounded up), and exactly all once all went back.
    let first = refund(1, PaymentMethod::Points);
    let expected_first = (spent * first.total.0 + due - 1) / due;
    assert_eq!(member(&s, &dewi).points, 400 - spent + expected_first);
    refund(1, PaymentMethod::Points);
    refund(1, PaymentMethod::Points);
    assert_eq!(
        member(&s, &dewi).points,
        400,
        "every point spent came back, not one more"
    );

    // A cash order refunded to the wallet: store credit.
    let (t2, due2) = ticket(&s, Some(&dewi), &kopi, 1);
    let cash_order = s.kasir.sales().checkout(&c, t2, &[cash(due2)]).unwrap();
    let before = member(&s, &dewi).wallet;
    let credit = s
        .kasir
        .sales()
        .refund(
            &m,
            None,
            &RefundRequest {
                order_id: cash_order.id,
                lines: vec![RefundLineInput {
                    line: 0,
                    quantity: 1,
                    restock: true,
                }],
                reason: "Kopi dingin".into(),
                method: PaymentMethod::Wallet,
                reference: None,
            },
        )
        .unwrap();
    assert_eq!(member(&s, &dewi).wallet, Money(before.0 + credit.total.0));

    // Without a member, nothing goes to a wallet.
    let (t3, due3) = ticket(&s, None, &kopi, 1);
    let plain = s.kasir.sales().checkout(&c, t3, &[cash(due3)]).unwrap();
    refused(
        &s.kasir,
        |k| {
            k.sales().refund(
                &m,
                None,
                &RefundRequest {
                    order_id: plain.id,
                    lines: vec![RefundLineInput {
                        line: 0,
                        quantity: 1,
                        restock: true,
                    }],
                    reason: "x".into(),
                    method: PaymentMethod::Wallet,
                    reference: None,
                },
            )
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Method,
                    rule: Rule::NeedsMember
                }
            )
        },
    );
}
