//! Refunds: by the one rounding rule, never more than sold or paid, with a manager's PIN for a
//! cashier, stock back or to waste, numbered per terminal, one transaction with the outbox.

use kasir_core::catalog::Product;
use kasir_core::money::Money;
use kasir_core::money::pricing::Discount;
use kasir_core::sales::checkout::{Order, PaymentInput, PaymentMethod};
use kasir_core::sales::refunds::{RefundLineInput, RefundRequest};
use kasir_core::sales::shifts::CashCount;
use kasir_core::sales::tickets::{AddLine, OrderType};
use kasir_core::{Actor, Entity, Error, Field, Rule};

use crate::helpers::{MANAGER_PIN, Shop, cash, count, refused, shop};

fn approver(s: &Shop) -> Actor {
    s.kasir
        .people()
        .approver(s.manager.id(), MANAGER_PIN)
        .unwrap()
}

/// An order sold by the manager: `lines` of (product, quantity, line discount in basis
/// points), an order discount in basis points, paid with `payments` (cash for the total when
/// empty).
fn order(
    s: &Shop,
    lines: &[(&Product, i64, u32)],
    order_discount_bp: u32,
    payments: &[PaymentInput],
) -> Order {
    let m = s.manager.clone();
    let sales = s.kasir.sales();
    let mut t = sales.open_ticket(&m, OrderType::DineIn, "Meja 2").unwrap();
    for (p, qty, bp) in lines {
        t = sales
            .add_to_ticket(
                &m,
                t.id,
                AddLine {
                    product_id: p.id,
                    modifier_ids: vec![],
                    note: String::new(),
                    quantity: *qty,
                },
            )
            .unwrap();
        if *bp > 0 {
            let line = t.lines.last().unwrap().id;
            t = sales
                .set_line_discount(&m, None, t.id, line, Some(Discount::Percent(*bp)))
                .unwrap();
        }
    }
    if order_discount_bp > 0 {
        t = sales
            .set_order_discount(&m, None, t.id, Some(Discount::Percent(order_discount_bp)))
            .unwrap();
    }
    let pay = if payments.is_empty() {
        vec![cash(t.totals.total.0)]
    } else {
        payments.to_vec()
    };
    sales.checkout(&m, t.id, &pay).unwrap()
}

fn request(order: &Order, lines: &[(u32, i64)], method: PaymentMethod) -> RefundRequest {
    RefundRequest {
        order_id: order.id,
        lines: lines
            .iter()
            .map(|&(line, quantity)| RefundLineInput {
                line,
                quantity,
                restock: true,
            })
            .collect(),
        reason: "Salah pesan".into(),
        method,
        reference: None,
    }
}

struct Case {
    name: &'static str,
    include_tax: bool,
    rounding: i64,
    /// (price, quantity, line discount bp)
    lines: &'static [(i64, i64, u32)],
    order_discount_bp: u32,
    /// Refunds in order: each a list of (line, quantity).
    steps: &'static [&'static [(u32, i64)]],
}

const CASES: &[Case] = &[
    Case {
        name: "one line at a time, one unit at a time",
        include_tax: false,
        rounding: 100,
        lines: &[(18_333, 3, 0), (7_777, 2, 0)],
        order_discount_bp: 0,
        steps: &[&[(0, 1)], &[(0, 1)], &[(1, 1)], &[(0, 1)], &[(1, 1)]],
    },
    Case {
        name: "discounts on lines and on the order",
        include_tax: false,
        rounding: 100,
        lines: &[(25_000, 2, 1_000), (12_345, 3, 0), (9_999, 1, 2_500)],
        order_discount_bp: 750,
        steps: &[&[(1, 2)], &[(0, 1), (2, 1)], &[(1, 1), (0, 1)]],
    },
    Case {
        name: "prices include tax",
        include_tax: true,
        rounding: 500,
        lines: &[(33_333, 3, 0), (21_000, 1, 0)],
        order_discount_bp: 1_000,
        steps: &[&[(0, 2)], &[(1, 1)], &[(0, 1)]],
    },
    Case {
        name: "no cash rounding",
        include_tax: false,
        rounding: 1,
        lines: &[(10_001, 7, 333)],
        order_discount_bp: 0,
        steps: &[&[(0, 3)], &[(0, 3)], &[(0, 1)]],
    },
    Case {
        name: "the whole order at once",
        include_tax: false,
        rounding: 100,
        lines: &[(15_500, 2, 0), (4_250, 4, 0)],
        order_discount_bp: 500,
        steps: &[&[(0, 2), (1, 4)]],
    },
];

#[test]
fn a_full_refund_in_parts_returns_exactly_what_was_paid() {
    for case in CASES {
        let s = shop();
        let a = s.admin.clone();
        let mut settings = s.kasir.settings().get().unwrap();
        settings.prices_include_tax = case.include_tax;
        settings.cash_rounding = case.rounding;
        s.kasir.settings().update(&a, settings).unwrap();
        let products: Vec<Product> = case
            .lines
            .iter()
            .enumerate()
            .map(|(i, (price, _, _))| s.product(&format!("P{i}"), *price, None))
            .collect();
        let lines: Vec<(&Product, i64, u32)> = case
            .lines
            .iter()
            .zip(&products)
            .map(|((_, q, bp), p)| (p, *q, *bp))
            .collect();
        let o = order(&s, &lines, case.order_discount_bp, &[]);
        let mut total = 0;
        let (mut tax, mut service, mut gross, mut rounding) = (0, 0, 0, 0);
        for step in case.steps {
            let r = s
                .kasir
                .sales()
                .refund(&s.manager, None, &request(&o, step, PaymentMethod::Cash))
                .unwrap();
            assert_eq!(
                r.total.0 % case.rounding,
                0,
                "{}: a cash refund is an amount the drawer can pay",
                case.name
            );
            let lines_total: i64 = r.lines.iter().map(|l| l.total.0).sum();
            assert_eq!(r.total.0, lines_total + r.rounding.0, "{}", case.name);
            total += r.total.0;
            tax += r.tax.0;
            service += r.service.0;
            gross += r.gross.0;
            rounding += r.rounding.0;
        }
        assert_eq!(
            total, o.total.0,
            "{}: refunds add up to the order",
            case.name
        );
        assert_eq!(tax, o.tax.0, "{}: tax", case.name);
        assert_eq!(service, o.service.0, "{}: service", case.name);
        assert_eq!(
            gross,
            o.lines.iter().map(|l| l.gross.0).sum::<i64>(),
            "{}",
            case.name
        );
        assert_eq!(rounding, o.rounding.0, "{}: rounding", case.name);
        let after = s.kasir.sales().refundable(&s.manager, o.id).unwrap();
        assert_eq!((after.left, after.refunded), (Money(0), o.total));
        assert!(after.lines.iter().all(|l| l.left == 0));
        refused(
            &s.kasir,
            |k| {
                k.sales().refund(
                    &s.manager,
                    None,
                    &request(&o, &[(0, 1)], PaymentMethod::Cash),
                )
            },
            |e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::Order,
                        rule: Rule::FullyRefunded
                    }
                )
            },
        );
    }
}

#[test]
fn never_more_than_was_sold_across_partial_refunds() {
    let s = shop();
    let p = s.product("Croissant", 22_000, Some(10));
    let o = order(&s, &[(&p, 3, 0)], 0, &[]);
    let m = s.manager.clone();
    s.kasir
        .sales()
        .refund(&m, None, &request(&o, &[(0, 2)], PaymentMethod::Cash))
        .unwrap();
    refused(
        &s.kasir,
        |k| {
            k.sales()
                .refund(&m, None, &request(&o, &[(0, 2)], PaymentMethod::Cash))
        },
        |e| {
            matches!(e, Error::Invalid { field: Field::Quantity, rule: Rule::RefundExceedsSold { product, left } }
                if product == "Croissant" && *left == 1)
        },
    );
    type Check = fn(&Error) -> bool;
    let bad: Vec<(Vec<(u32, i64)>, Check)> = vec![
        (vec![(0, 0)], |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Quantity,
                    rule: Rule::NotPositive
                }
            )
        }),
        (vec![(0, -1)], |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Quantity,
                    rule: Rule::NotPositive
                }
            )
        }),
        (vec![(0, i64::MAX)], |e| {
            matches!(
                e,
                Error::Invalid {
                    rule: Rule::RefundExceedsSold { .. },
                    ..
                }
            )
        }),
        (vec![(7, 1)], |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Lines,
                    rule: Rule::Foreign
                }
            )
        }),
        (vec![], |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Lines,
                    rule: Rule::Required
                }
            )
        }),
    ];
    for (lines, check) in bad {
        refused(
            &s.kasir,
            |k| {
                k.sales()
                    .refund(&m, None, &request(&o, &lines, PaymentMethod::Cash))
            },
            check,
        );
    }
    let mut no_reason = request(&o, &[(0, 1)], PaymentMethod::Cash);
    no_reason.reason = " ".into();
    refused(
        &s.kasir,
        |k| k.sales().refund(&m, None, &no_reason),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Reason,
                    rule: Rule::Required
                }
            )
        },
    );
    let mut long = request(&o, &[(0, 1)], PaymentMethod::Cash);
    long.reason = "x".repeat(10_000);
    refused(
        &s.kasir,
        |k| k.sales().refund(&m, None, &long),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Reason,
                    rule: Rule::TooLong { .. }
                }
            )
        },
    );
}

#[test]
fn a_cashier_refunds_only_with_a_managers_pin() {
    let s = shop();
    let p = s.product("Teh", 8_000, None);
    let o = s.sell(&[(&p, 2)]);
    let c = s.cashier.clone();
    refused(
        &s.kasir,
        |k| {
            k.sales()
                .refund(&c, None, &request(&o, &[(0, 1)], PaymentMethod::Cash))
        },
        |e| matches!(e, Error::Forbidden { .. }),
    );
    let m = approver(&s);
    let r = s
        .kasir
        .sales()
        .refund(&c, Some(&m), &request(&o, &[(0, 1)], PaymentMethod::Cash))
        .unwrap();
    assert_eq!(r.staff_name, "Sari");
    assert_eq!(r.approved_by.as_deref(), Some("Budi"));
    assert_eq!(r.refund_no, "T01-R000001");
    let r2 = s
        .kasir
        .sales()
        .refund(&c, Some(&m), &request(&o, &[(0, 1)], PaymentMethod::Cash))
        .unwrap();
    assert_eq!(r2.refund_no, "T01-R000002");
    let audited = count(
        &s.kasir,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'refund_given'",
    );
    assert_eq!(audited, 2);
}

#[test]
fn money_goes_back_to_cash_or_to_a_method_the_order_was_paid_with() {
    let s = shop();
    let p = s.product("Nasi Goreng", 40_000, None);
    let m = s.manager.clone();
    let t = 46_200; // 40.000 + 5% service (2.000) + 10% tax on both (4.200)
    let o = order(
        &s,
        &[(&p, 2, 0)],
        0,
        &[
            PaymentInput {
                method: PaymentMethod::Card,
                amount: 30_000,
                reference: None,
            },
            cash(2 * t - 30_000),
        ],
    );
    assert_eq!(o.total.0, 2 * t);
    refused(
        &s.kasir,
        |k| {
            k.sales()
                .refund(&m, None, &request(&o, &[(0, 1)], PaymentMethod::Qris))
        },
        |e| matches!(e, Error::Invalid { field: Field::Method, rule: Rule::NotPaidWith { method } } if method == "qris"),
    );
    refused(
        &s.kasir,
        |k| {
            k.sales()
                .refund(&m, None, &request(&o, &[(0, 1)], PaymentMethod::Card))
        },
        |e| matches!(e, Error::Invalid { field: Field::Method, rule: Rule::MoreThanPaidWith { left, .. } } if *left == 30_000),
    );
    let mut to_cash = request(&o, &[(0, 1)], PaymentMethod::Cash);
    to_cash.reference = Some("  ".into());
    let r = s.kasir.sales().refund(&m, None, &to_cash).unwrap();
    assert_eq!(r.payments.len(), 1);
    assert_eq!(
        (r.payments[0].method, r.payments[0].amount.0),
        (PaymentMethod::Cash, t)
    );
    let refundable = s.kasir.sales().refundable(&m, o.id).unwrap();
    let card = refundable
        .methods
        .iter()
        .find(|x| x.method == PaymentMethod::Card)
        .unwrap();
    assert_eq!((card.paid.0, card.left.0), (30_000, 30_000));

    // A card paid in full takes its refund back whole, with the reversal's reference.
    let q = order(
        &s,
        &[(&p, 1, 0)],
        0,
        &[PaymentInput {
            method: PaymentMethod::Card,
            amount: t,
            reference: None,
        }],
    );
    let mut back = request(&q, &[(0, 1)], PaymentMethod::Card);
    back.reference = Some("REV-889".into());
    let r = s.kasir.sales().refund(&m, None, &back).unwrap();
    assert_eq!(r.payments[0].reference.as_deref(), Some("REV-889"));
    // The drawer pays cash refunds only: the card refund leaves it as it was.
    let x = s.kasir.shifts().x_report(&m).unwrap();
    assert_eq!(x.cash.cash_refunds.0, t);
    assert_eq!(x.refunds.0, 2 * t);
}

#[test]
fn goods_go_back_to_stock_or_to_waste() {
    let s = shop();
    let tracked = s.product("Croissant", 22_000, Some(10));
    let untracked = s.product("Kopi", 18_000, None);
    let o = order(&s, &[(&tracked, 4, 0), (&untracked, 1, 0)], 0, &[]);
    let m = s.manager.clone();
    let stock = |s: &Shop| s.kasir.catalog().product(&m, tracked.id).unwrap().stock;
    assert_eq!(stock(&s), Some(6));
    let mut req = request(&o, &[(0, 2), (1, 1)], PaymentMethod::Cash);
    s.kasir.sales().refund(&m, None, &req).unwrap();
    assert_eq!(stock(&s), Some(8));
    req.lines = vec![RefundLineInput {
        line: 0,
        quantity: 1,
        restock: false,
    }];
    s.kasir.sales().refund(&m, None, &req).unwrap();
    assert_eq!(stock(&s), Some(8), "waste does not come back");
    let refunds = count(
        &s.kasir,
        "SELECT COUNT(*) FROM stock_movements WHERE reason = 'refund'",
    );
    assert_eq!(refunds, 1);
}

#[test]
fn cancelled_orders_are_not_refunded_and_refunded_orders_are_not_cancelled() {
    let s = shop();
    let p = s.product("Teh", 8_000, None);
    let m = s.manager.clone();
    let a = s.sell(&[(&p, 1)]);
    s.kasir
        .sales()
        .cancel_order(&m, None, a.id, "batal")
        .unwrap();
    refused(
        &s.kasir,
        |k| {
            k.sales()
                .refund(&m, None, &request(&a, &[(0, 1)], PaymentMethod::Cash))
        },
        |e| matches!(e, Error::InvalidTransition { from, .. } if from == "cancelled"),
    );
    let b = s.sell(&[(&p, 2)]);
    s.kasir
        .sales()
        .refund(&m, None, &request(&b, &[(0, 1)], PaymentMethod::Cash))
        .unwrap();
    refused(
        &s.kasir,
        |k| k.sales().cancel_order(&m, None, b.id, "batal"),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Order,
                    rule: Rule::HasRefunds
                }
            )
        },
    );
}

#[test]
fn a_cash_refund_needs_the_open_shift() {
    let s = shop();
    let p = s.product("Teh", 8_000, None);
    let m = s.manager.clone();
    let o = s.sell(&[(&p, 1)]);
    s.kasir
        .shifts()
        .close(&m, &CashCount::Total { amount: Money(0) }, "")
        .unwrap();
    refused(
        &s.kasir,
        |k| {
            k.sales()
                .refund(&m, None, &request(&o, &[(0, 1)], PaymentMethod::Cash))
        },
        |e| matches!(e, Error::NoOpenShift),
    );
    s.kasir.shifts().open(&m, 100_000).unwrap();
    let r = s
        .kasir
        .sales()
        .refund(&m, None, &request(&o, &[(0, 1)], PaymentMethod::Cash))
        .unwrap();
    let x = s.kasir.shifts().x_report(&m).unwrap();
    assert_eq!(Some(x.shift.id), r.shift_id);
    assert_eq!(x.cash.expected.0, 100_000 - r.total.0);
}

#[test]
fn orders_are_found_by_their_receipt_number() {
    let s = shop();
    let p = s.product("Teh", 8_000, None);
    let o = s.sell(&[(&p, 1)]);
    let c = s.cashier.clone();
    let found = s.kasir.sales().find_order(&c, "  t01-000001 ").unwrap();
    assert_eq!(found.id, o.id);
    assert!(matches!(
        s.kasir.sales().find_order(&c, "T01-999999"),
        Err(Error::NotFound {
            entity: Entity::Order,
            ..
        })
    ));
    assert!(matches!(
        s.kasir.sales().find_order(&c, ""),
        Err(Error::Invalid {
            field: Field::ReceiptNo,
            rule: Rule::Required
        })
    ));
    assert!(matches!(
        s.kasir.sales().find_order(&c, &"9".repeat(500)),
        Err(Error::Invalid {
            field: Field::ReceiptNo,
            rule: Rule::TooLong { .. }
        })
    ));
}

#[test]
fn a_quote_is_what_the_refund_gives_and_changes_nothing() {
    let s = shop();
    let p = s.product("Kue", 13_333, None);
    let o = order(&s, &[(&p, 3, 0)], 1_000, &[]);
    let m = s.manager.clone();
    let lines = [RefundLineInput {
        line: 0,
        quantity: 2,
        restock: true,
    }];
    let before = crate::helpers::fingerprint(&s.kasir);
    let quote = s.kasir.sales().quote_refund(&m, o.id, &lines).unwrap();
    assert_eq!(before, crate::helpers::fingerprint(&s.kasir));
    let r = s
        .kasir
        .sales()
        .refund(&m, None, &request(&o, &[(0, 2)], PaymentMethod::Cash))
        .unwrap();
    assert_eq!(
        (quote.total, quote.tax, quote.service),
        (r.total, r.tax, r.service)
    );
}

#[test]
fn a_refund_is_one_transaction_with_its_outbox_entry() {
    let s = shop();
    let p = s.product("Croissant", 22_000, Some(5));
    let o = s.sell(&[(&p, 2)]);
    let m = s.manager.clone();
    let entries = count(&s.kasir, "SELECT COUNT(*) FROM outbox");
    let r = s
        .kasir
        .sales()
        .refund(&m, None, &request(&o, &[(0, 1)], PaymentMethod::Cash))
        .unwrap();
    assert_eq!(count(&s.kasir, "SELECT COUNT(*) FROM outbox"), entries + 1);
    let last = s.kasir.outbox().entries(0, 1_000).unwrap().pop().unwrap();
    let kasir_proto::Payload::Refund(sent) = last.payload else {
        panic!("the last entry is not a refund: {:?}", last.payload.kind());
    };
    assert_eq!(sent.refund_no, r.refund_no);
    assert_eq!(sent.total, r.total.0);
    assert_eq!(sent.lines.len(), 1);
    assert!(sent.lines[0].stock_returned);
    // Refund rows are facts.
    let conn = s.kasir.connection();
    assert!(conn.execute("UPDATE refunds SET total = 0", []).is_err());
    assert!(conn.execute("DELETE FROM refund_lines", []).is_err());
    assert!(conn.execute("DELETE FROM refund_payments", []).is_err());
    drop(conn);
    let shown = s.kasir.sales().refundable(&m, o.id).unwrap();
    assert_eq!(shown.refunds.len(), 1);
    assert_eq!(shown.refunds[0].lines[0].quantity, 1);
    assert_eq!(shown.lines[0].refunded, 1);
}

#[test]
fn a_refund_rounds_as_its_sale_did_even_after_the_setting_changed() {
    let s = shop();
    let p = s.product("Kue", 13_333, None);
    // 3 × 13.333 = 39.999 + 5% service 2.000 + 10% tax 4.200 = 46.199 → 46.200 at Rp 100.
    let o = order(&s, &[(&p, 3, 0)], 0, &[]);
    assert_eq!(o.total.0 % 100, 0);
    let a = s.admin.clone();
    let mut settings = s.kasir.settings().get().unwrap();
    settings.cash_rounding = 1;
    s.kasir.settings().update(&a, settings).unwrap();
    let m = s.manager.clone();
    let mut total = 0;
    for _ in 0..3 {
        let r = s
            .kasir
            .sales()
            .refund(&m, None, &request(&o, &[(0, 1)], PaymentMethod::Cash))
            .unwrap();
        assert_eq!(
            r.total.0 % 100,
            0,
            "each part is an amount the drawer can pay: {}",
            r.total.0
        );
        total += r.total.0;
    }
    assert_eq!(total, o.total.0);
}

#[test]
fn an_order_shows_what_has_been_refunded_from_it() {
    let s = shop();
    let p = s.product("Croissant", 22_000, Some(10));
    let o = order(&s, &[(&p, 3, 0)], 0, &[]);
    let m = s.manager.clone();
    let sales = s.kasir.sales();
    let board = |s: &Shop| {
        let all = s.kasir.sales().orders_today(&m).unwrap();
        all.into_iter().find(|x| x.id == o.id).unwrap()
    };
    assert_eq!(board(&s).refunded, Money(0));
    assert!(sales.receipt(&m, o.id).unwrap().refunds.is_empty());

    let first = sales
        .refund(&m, None, &request(&o, &[(0, 1)], PaymentMethod::Cash))
        .unwrap();
    let second = sales
        .refund(&m, None, &request(&o, &[(0, 2)], PaymentMethod::Cash))
        .unwrap();
    assert_eq!(board(&s).refunded, Money(first.total.0 + second.total.0));
    assert_eq!(board(&s).refunded, o.total, "all of it came back");

    let copy = sales.receipt(&m, o.id).unwrap();
    let listed: Vec<_> = copy
        .refunds
        .iter()
        .map(|r| (r.refund_no.as_str(), r.total))
        .collect();
    assert_eq!(
        listed,
        [
            (first.refund_no.as_str(), first.total),
            (second.refund_no.as_str(), second.total)
        ]
    );
    assert_eq!(copy.refunds[0].reason, "Salah pesan");
    let text = copy.render_text(32);
    for r in [&first, &second] {
        let line = text
            .lines()
            .find(|l| l.contains(&r.refund_no))
            .unwrap_or_else(|| panic!("{} not on the copy:\n{text}", r.refund_no));
        assert!(
            line.ends_with(&format!("-{}", copy.money_format.number(r.total))),
            "{line}"
        );
    }
}
