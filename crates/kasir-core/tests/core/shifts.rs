//! Shifts and the cash drawer: opening, cash in and out, the X and Z reports, the expected
//! cash and the variance, and what a closed shift refuses.

use kasir_core::money::Money;
use kasir_core::sales::checkout::{PaymentInput, PaymentMethod};
use kasir_core::sales::receipt::{WIDTH_58MM, WIDTH_80MM};
use kasir_core::sales::refunds::{RefundLineInput, RefundRequest};
use kasir_core::sales::shifts::{
    CashCount, CashDirection, DenominationCount, ReportKind, denominations, expected_cash,
};
use kasir_core::sales::tickets::{AddLine, OrderType};
use kasir_core::{Error, Field, Rule};

use crate::helpers::{MANAGER_PIN, OPENING_FLOAT, Shop, cash, count, refused, shop};

fn manager(s: &Shop) -> kasir_core::Actor {
    s.kasir
        .people()
        .approver(s.manager.id(), MANAGER_PIN)
        .unwrap()
}

/// Sells `qty` of a product at `price` to the cashier, paid with `payments`.
fn sell_paid(
    s: &Shop,
    price: i64,
    qty: i64,
    payments: &[PaymentInput],
) -> kasir_core::sales::checkout::Order {
    let p = s.product(&format!("Item {price}"), price, None);
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
                product_id: p.id,
                modifier_ids: vec![],
                note: String::new(),
                quantity: qty,
            },
        )
        .unwrap();
    s.kasir.sales().checkout(&c, t.id, payments).unwrap()
}

fn card(amount: i64) -> PaymentInput {
    PaymentInput {
        method: PaymentMethod::Card,
        amount,
        reference: None,
    }
}

fn qris(amount: i64) -> PaymentInput {
    PaymentInput {
        method: PaymentMethod::Qris,
        amount,
        reference: Some("QR-1".into()),
    }
}

#[derive(Clone, Copy, Debug)]
enum Step {
    /// Sell one item at this price (tax and service on top, rounded to Rp 100) for cash,
    /// handing over this much.
    CashSale(i64, i64),
    CardSale(i64),
    /// Sell for cash, then cancel the order.
    CancelledCashSale(i64),
    /// Sell for cash, then refund it in cash.
    RefundedCashSale(i64),
    In(i64),
    Out(i64),
}

/// What one item at `price` costs with 5% service and 10% tax, rounded to Rp 100.
fn due(price: i64) -> i64 {
    let service = (price * 5 + 50) / 100;
    let tax = ((price + service) * 10 + 50) / 100;
    (price + service + tax + 50) / 100 * 100
}

#[test]
fn the_expected_cash_and_the_variance_follow_every_movement_of_the_drawer() {
    use Step::*;
    // (steps, expected cash in the drawer, counted at close, variance)
    let cases: &[(&[Step], i64, i64, i64)] = &[
        (&[], 500_000, 500_000, 0),
        (
            &[CashSale(20_000, 50_000)],
            500_000 + due(20_000),
            523_100,
            0,
        ),
        // Change comes back out of the drawer: only what the sale cost stays in it.
        (
            &[CashSale(20_000, 100_000), CardSale(50_000)],
            523_100,
            523_000,
            -100,
        ),
        (&[In(100_000), Out(35_000)], 565_000, 566_000, 1_000),
        (&[CancelledCashSale(40_000)], 500_000, 500_000, 0),
        (
            &[CashSale(10_000, 20_000), RefundedCashSale(30_000)],
            500_000 + due(10_000),
            511_600,
            0,
        ),
        (
            &[
                CashSale(18_333, 30_000),
                CardSale(7_000),
                In(50_000),
                Out(20_000),
                RefundedCashSale(5_000),
            ],
            500_000 + due(18_333) + 50_000 - 20_000,
            551_000,
            551_000 - (500_000 + due(18_333) + 30_000),
        ),
    ];
    for (i, (steps, expected, counted, variance)) in cases.iter().enumerate() {
        let s = shop();
        let m = manager(&s);
        let c = s.cashier.clone();
        for step in steps.iter() {
            match *step {
                CashSale(price, handed) => {
                    sell_paid(&s, price, 1, &[cash(handed)]);
                }
                CardSale(price) => {
                    sell_paid(&s, price, 1, &[card(due(price))]);
                }
                CancelledCashSale(price) => {
                    let o = sell_paid(&s, price, 1, &[cash(due(price))]);
                    s.kasir
                        .sales()
                        .cancel_order(&c, Some(&m), o.id, "salah")
                        .unwrap();
                }
                RefundedCashSale(price) => {
                    let o = sell_paid(&s, price, 1, &[cash(due(price))]);
                    let r = s
                        .kasir
                        .sales()
                        .refund(
                            &c,
                            Some(&m),
                            &RefundRequest {
                                order_id: o.id,
                                lines: vec![RefundLineInput {
                                    line: 0,
                                    quantity: 1,
                                    restock: false,
                                }],
                                reason: "Dingin".into(),
                                method: PaymentMethod::Cash,
                                reference: None,
                            },
                        )
                        .unwrap();
                    assert_eq!(
                        r.total.0,
                        due(price),
                        "case {i}: a whole refund is the whole total"
                    );
                }
                In(a) => {
                    s.kasir
                        .shifts()
                        .move_cash(&c, Some(&m), CashDirection::In, a, "Uang kecil")
                        .unwrap();
                }
                Out(a) => {
                    s.kasir
                        .shifts()
                        .move_cash(&c, Some(&m), CashDirection::Out, a, "Beli es")
                        .unwrap();
                }
            }
        }
        let x = s.kasir.shifts().x_report(&c).unwrap();
        assert_eq!(x.cash.expected.0, *expected, "case {i}: {steps:?}");
        assert_eq!(expected_cash(&x.cash).unwrap(), x.cash.expected);
        let z = s
            .kasir
            .shifts()
            .close(
                &c,
                &CashCount::Total {
                    amount: Money(*counted),
                },
                "",
            )
            .unwrap();
        assert_eq!(z.kind, ReportKind::Z);
        assert_eq!(z.cash.expected.0, *expected, "case {i}");
        assert_eq!(z.cash.counted, Some(Money(*counted)), "case {i}");
        assert_eq!(
            z.cash.variance,
            Some(Money(*variance)),
            "case {i}: {steps:?}"
        );
        assert_eq!(z.shift.variance, Some(Money(*variance)));
    }
}

#[test]
fn a_count_by_denomination_adds_up_and_is_kept() {
    let s = shop();
    let c = s.cashier.clone();
    let counts = vec![
        DenominationCount {
            value: Money(100_000),
            count: 4,
        },
        DenominationCount {
            value: Money(50_000),
            count: 1,
        },
        DenominationCount {
            value: Money(20_000),
            count: 2,
        },
        DenominationCount {
            value: Money(500),
            count: 3,
        },
        DenominationCount {
            value: Money(200),
            count: 0,
        },
    ];
    let z = s
        .kasir
        .shifts()
        .close(&c, &CashCount::Denominations { counts }, "Laci rapi")
        .unwrap();
    assert_eq!(z.cash.counted, Some(Money(491_500)));
    assert_eq!(z.cash.variance, Some(Money(-8_500)));
    // Kept as counted, without the notes that were not there.
    assert_eq!(z.shift.count_detail.len(), 4);
    assert_eq!(z.shift.note, "Laci rapi");
    assert_eq!(denominations("IDR")[0], Money(100_000));
    assert!(denominations("XXX").is_empty());
}

#[test]
fn bad_counts_and_amounts_are_refused_and_change_nothing() {
    let s = shop();
    let c = s.cashier.clone();
    let m = manager(&s);
    let dc = |value: i64, count: i64| DenominationCount {
        value: Money(value),
        count,
    };
    type RuleCheck = fn(&Rule) -> bool;
    let bad: Vec<(CashCount, Field, RuleCheck)> = vec![
        (
            CashCount::Total { amount: Money(-1) },
            Field::Counted,
            |r| matches!(r, Rule::Negative),
        ),
        (
            CashCount::Total {
                amount: Money(i64::MAX),
            },
            Field::Counted,
            |r| matches!(r, Rule::TooLarge),
        ),
        (
            CashCount::Denominations {
                counts: vec![dc(100_000, -2)],
            },
            Field::Count,
            |r| matches!(r, Rule::Negative),
        ),
        (
            CashCount::Denominations {
                counts: vec![dc(75_000, 1)],
            },
            Field::Denomination,
            |r| matches!(r, Rule::NotADenomination),
        ),
        (
            CashCount::Denominations {
                counts: vec![dc(1_000, 1), dc(1_000, 2)],
            },
            Field::Denomination,
            |r| matches!(r, Rule::Repeated),
        ),
        (
            CashCount::Denominations {
                counts: vec![dc(100_000, 1_000_000)],
            },
            Field::Count,
            |r| matches!(r, Rule::OutOfRange { .. }),
        ),
    ];
    for (count, field, rule) in bad {
        refused(
            &s.kasir,
            |k| k.shifts().close(&c, &count, ""),
            |e| matches!(e, Error::Invalid { field: f, rule: r } if *f == field && rule(r)),
        );
    }
    refused(
        &s.kasir,
        |k| {
            k.shifts()
                .move_cash(&c, Some(&m), CashDirection::In, 0, "x")
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Amount,
                    rule: Rule::NotPositive
                }
            )
        },
    );
    refused(
        &s.kasir,
        |k| {
            k.shifts()
                .move_cash(&c, Some(&m), CashDirection::In, -5, "x")
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Amount,
                    ..
                }
            )
        },
    );
    refused(
        &s.kasir,
        |k| {
            k.shifts()
                .move_cash(&c, Some(&m), CashDirection::In, 5_000, "  ")
        },
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
    // The drawer cannot give more than it holds.
    refused(
        &s.kasir,
        |k| {
            k.shifts()
                .move_cash(&c, Some(&m), CashDirection::Out, OPENING_FLOAT + 1, "Setor")
        },
        |e| matches!(e, Error::Invalid { field: Field::Amount, rule: Rule::OutOfRange { max, .. } } if *max == OPENING_FLOAT),
    );
    // A cashier takes cash out only with a manager's PIN.
    refused(
        &s.kasir,
        |k| {
            k.shifts()
                .move_cash(&c, None, CashDirection::Out, 1_000, "Parkir")
        },
        |e| matches!(e, Error::Forbidden { .. }),
    );
    refused(
        &s.kasir,
        |k| k.shifts().open(&c, 0),
        |e| matches!(e, Error::ShiftAlreadyOpen { opened_by, .. } if opened_by == "Sari"),
    );
}

#[test]
fn no_sale_without_an_open_shift_unless_the_shop_says_so() {
    let s = shop();
    let c = s.cashier.clone();
    let p = s.product("Teh", 8_000, Some(10));
    s.kasir
        .shifts()
        .close(
            &c,
            &CashCount::Total {
                amount: Money(OPENING_FLOAT),
            },
            "",
        )
        .unwrap();
    let t = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::Takeaway, "")
        .unwrap();
    let t = s
        .kasir
        .sales()
        .add_to_ticket(
            &c,
            t.id,
            AddLine {
                product_id: p.id,
                modifier_ids: vec![],
                note: String::new(),
                quantity: 1,
            },
        )
        .unwrap();
    refused(
        &s.kasir,
        |k| k.sales().checkout(&c, t.id, &[cash(t.totals.total.0)]),
        |e| matches!(e, Error::NoOpenShift),
    );
    refused(
        &s.kasir,
        |k| k.shifts().x_report(&c),
        |e| matches!(e, Error::NoOpenShift),
    );
    refused(
        &s.kasir,
        |k| {
            k.shifts()
                .close(&c, &CashCount::Total { amount: Money(0) }, "")
        },
        |e| matches!(e, Error::NoOpenShift),
    );
    let m = manager(&s);
    refused(
        &s.kasir,
        |k| {
            k.shifts()
                .move_cash(&c, Some(&m), CashDirection::In, 1_000, "Uang kecil")
        },
        |e| matches!(e, Error::NoOpenShift),
    );

    let a = s.admin.clone();
    let mut settings = s.kasir.settings().get().unwrap();
    settings.require_open_shift = false;
    s.kasir.settings().update(&a, settings).unwrap();
    let order = s
        .kasir
        .sales()
        .checkout(&c, t.id, &[cash(t.totals.total.0)])
        .unwrap();
    assert_eq!(order.shift_id, None);
}

#[test]
fn z_numbers_count_up_per_terminal_and_a_closed_shift_is_a_fact() {
    let s = shop();
    let c = s.cashier.clone();
    let mut numbers = Vec::new();
    for round in 0..3 {
        if round > 0 {
            s.kasir.shifts().open(&c, 200_000).unwrap();
        }
        let z = s
            .kasir
            .shifts()
            .close(&c, &CashCount::Total { amount: Money(0) }, "")
            .unwrap();
        numbers.push(z.shift.z_no.unwrap());
    }
    assert_eq!(numbers, [1, 2, 3]);
    let conn = s.kasir.connection();
    let err = conn
        .execute("UPDATE shifts SET counted = 1 WHERE z_no = 1", [])
        .unwrap_err();
    assert!(
        err.to_string().contains("a closed shift is a fact"),
        "{err}"
    );
    assert!(conn.execute("DELETE FROM shifts", []).is_err());
    drop(conn);
    let history = s.kasir.shifts().history(&s.manager, 10).unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(history[0].z_no, Some(3));
    let reprint = s.kasir.shifts().report(&s.manager, history[2].id).unwrap();
    assert_eq!((reprint.kind, reprint.shift.z_no), (ReportKind::Z, Some(1)));
}

#[test]
fn the_x_report_sums_the_shift_by_method_and_staff() {
    let s = shop();
    let c = s.cashier.clone();
    let m = manager(&s);
    let a = sell_paid(&s, 20_000, 2, &[cash(50_000)]);
    let b = sell_paid(&s, 30_000, 1, &[card(10_000), qris(due(30_000) - 10_000)]);
    let cancelled = sell_paid(&s, 9_000, 1, &[cash(due(9_000))]);
    s.kasir
        .sales()
        .cancel_order(&c, Some(&m), cancelled.id, "batal")
        .unwrap();
    let x = s.kasir.shifts().x_report(&c).unwrap();
    assert_eq!(x.kind, ReportKind::X);
    assert_eq!(x.orders, 2);
    assert_eq!(x.gross, Money(70_000));
    assert_eq!(x.sales, Money(a.total.0 + b.total.0));
    assert_eq!(x.service, Money(a.service.0 + b.service.0));
    assert_eq!(x.tax, Money(a.tax.0 + b.tax.0));
    assert_eq!(x.net, x.sales);
    assert_eq!((x.cancelled_count, x.cancelled_total), (1, cancelled.total));
    assert_eq!(x.average_ticket, Money((a.total.0 + b.total.0 + 1) / 2));
    let by = |m: PaymentMethod| {
        x.by_method
            .iter()
            .find(|t| t.method == m)
            .map(|t| t.sales.0)
    };
    assert_eq!(by(PaymentMethod::Cash), Some(a.total.0));
    assert_eq!(by(PaymentMethod::Card), Some(10_000));
    assert_eq!(by(PaymentMethod::Qris), Some(due(30_000) - 10_000));
    assert_eq!(by(PaymentMethod::Ewallet), None);
    assert_eq!(x.by_staff.len(), 1);
    assert_eq!(
        (x.by_staff[0].name.as_str(), x.by_staff[0].orders),
        ("Sari", 2)
    );
    // An X report closes nothing.
    assert!(s.kasir.shifts().current(&c).unwrap().is_some());
}

#[test]
fn reports_print_on_58_and_80_mm_paper() {
    let s = shop();
    let c = s.cashier.clone();
    let m = manager(&s);
    sell_paid(&s, 20_000, 1, &[cash(50_000)]);
    s.kasir
        .shifts()
        .move_cash(
            &c,
            Some(&m),
            CashDirection::Out,
            35_000,
            "Beli es batu untuk bar",
        )
        .unwrap();
    let z = s
        .kasir
        .shifts()
        .close(
            &c,
            &CashCount::Total {
                amount: Money(480_000),
            },
            "",
        )
        .unwrap();
    for width in [WIDTH_58MM, WIDTH_80MM] {
        let text = z.render_text(width);
        for line in text.lines() {
            assert!(
                line.chars().count() <= width,
                "{line:?} is wider than {width}"
            );
        }
        assert!(text.contains("LAPORAN Z #1"), "{text}");
        // Nothing taken away is written without a minus sign.
        assert!(!text.lines().any(|l| l.ends_with(" -0")), "{text}");
        assert!(text.contains("Beli es batu"), "{text}");
        assert!(text.contains("-35.000"), "{text}");
        // Expected 500.000 + 23.100 − 35.000 = 488.100; counted 480.000: 8.100 short.
        assert!(text.contains("488.100"), "{text}");
        assert!(text.contains("-8.100"), "{text}");
    }
}

#[test]
fn every_shift_action_writes_its_outbox_entry_and_audit_in_the_same_transaction() {
    let s = shop();
    let c = s.cashier.clone();
    let m = manager(&s);
    let entries = || count(&s.kasir, "SELECT COUNT(*) FROM outbox");
    let audits = || count(&s.kasir, "SELECT COUNT(*) FROM audit_log");
    let (e0, a0) = (entries(), audits());
    let moved = s
        .kasir
        .shifts()
        .move_cash(&c, Some(&m), CashDirection::In, 25_000, "Uang kecil")
        .unwrap();
    assert_eq!((entries(), audits()), (e0 + 1, a0 + 1));
    s.kasir
        .shifts()
        .close(
            &c,
            &CashCount::Total {
                amount: Money(525_000),
            },
            "",
        )
        .unwrap();
    s.kasir.shifts().open(&c, 300_000).unwrap();
    assert_eq!((entries(), audits()), (e0 + 3, a0 + 3));
    let kinds: Vec<String> = s
        .kasir
        .outbox()
        .entries(0, 100)
        .unwrap()
        .into_iter()
        .map(|e| e.payload.kind().to_string())
        .collect();
    assert!(
        kinds.ends_with(&[
            "cash_moved".into(),
            "shift_closed".into(),
            "shift_opened".into()
        ]),
        "{kinds:?}"
    );
    let approved: Option<String> = s
        .kasir
        .connection()
        .query_row(
            "SELECT approved_by FROM cash_movements WHERE id = ?1",
            [moved.id.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(approved, Some(s.manager.id().to_string()));
}

#[test]
fn an_order_of_a_closed_shift_is_refunded_not_cancelled_and_the_z_keeps_its_figures() {
    let s = shop();
    let c = s.cashier.clone();
    let m = manager(&s);
    let o = sell_paid(&s, 20_000, 1, &[cash(due(20_000))]);
    let z = s
        .kasir
        .shifts()
        .close(
            &c,
            &CashCount::Total {
                amount: Money(500_000 + due(20_000)),
            },
            "",
        )
        .unwrap();
    assert_eq!(z.cash.variance, Some(Money(0)));
    s.kasir.shifts().open(&c, 100_000).unwrap();
    // The order's cash went into the closed drawer: cancelling it now would give it back out
    // of this one unrecorded.
    refused(
        &s.kasir,
        |k| k.sales().cancel_order(&c, Some(&m), o.id, "batal"),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Order,
                    rule: Rule::FromAnotherShift
                }
            )
        },
    );
    let r = s
        .kasir
        .sales()
        .refund(
            &c,
            Some(&m),
            &RefundRequest {
                order_id: o.id,
                lines: vec![RefundLineInput {
                    line: 0,
                    quantity: 1,
                    restock: false,
                }],
                reason: "Dingin".into(),
                method: PaymentMethod::Cash,
                reference: None,
            },
        )
        .unwrap();
    // The refund is this shift's; the closed one's Z reads as it did.
    let x = s.kasir.shifts().x_report(&c).unwrap();
    assert_eq!(x.cash.expected.0, 100_000 - r.total.0);
    let again = s.kasir.shifts().report(&s.manager, z.shift.id).unwrap();
    assert_eq!(again.cash.expected, z.cash.expected);
    assert_eq!(
        again.cash.counted.unwrap().0,
        again.cash.expected.0 + again.cash.variance.unwrap().0
    );
}

#[test]
fn a_shift_across_midnight_counts_both_days() {
    let s = shop();
    let c = s.cashier.clone();
    // 22:00 in Jakarta, then 01:00 the next day.
    s.clock.advance(jiff::SignedDuration::from_hours(12));
    let late = sell_paid(&s, 20_000, 1, &[cash(due(20_000))]);
    s.clock.advance(jiff::SignedDuration::from_hours(3));
    let later = sell_paid(&s, 10_000, 1, &[cash(due(10_000))]);
    assert_ne!(late.business_date, later.business_date);
    let x = s.kasir.shifts().x_report(&c).unwrap();
    assert_eq!(x.orders, 2);
    assert_eq!(x.cash.cash_sales.0, late.total.0 + later.total.0);
    let z = s
        .kasir
        .shifts()
        .close(&c, &CashCount::Total { amount: Money(0) }, "")
        .unwrap();
    assert_eq!(z.orders, 2);
}

#[test]
fn a_cash_refund_never_takes_more_than_the_drawer_holds() {
    let s = shop();
    let c = s.cashier.clone();
    let m = manager(&s);
    let o = sell_paid(&s, 20_000, 1, &[card(due(20_000))]);
    s.kasir
        .shifts()
        .move_cash(
            &c,
            Some(&m),
            CashDirection::Out,
            OPENING_FLOAT - 1_000,
            "Setor ke brankas",
        )
        .unwrap();
    refused(
        &s.kasir,
        |k| {
            k.sales().refund(
                &c,
                Some(&m),
                &RefundRequest {
                    order_id: o.id,
                    lines: vec![RefundLineInput {
                        line: 0,
                        quantity: 1,
                        restock: false,
                    }],
                    reason: "Batal".into(),
                    method: PaymentMethod::Cash,
                    reference: None,
                },
            )
        },
        |e| matches!(e, Error::Invalid { field: Field::Method, rule: Rule::MoreThanPaidWith { left, .. } } if *left == 1_000),
    );
}
