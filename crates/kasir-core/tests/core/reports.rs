//! Sales reports: the figures of a range from the days' orders and refunds, the same whether a
//! past day is summed from its orders or read from its summary, a summary dropped when its day
//! changes, ranges in the shop's time zone, and bad ranges refused.

use jiff::SignedDuration;
use kasir_core::reports::{ReportRange, ReportTable, SalesReport};
use kasir_core::sales::checkout::{PaymentInput, PaymentMethod};
use kasir_core::sales::refunds::{RefundLineInput, RefundRequest};
use kasir_core::{Error, Field};

use crate::helpers::{Shop, count, shop};

fn day(s: &str) -> jiff::civil::Date {
    s.parse().unwrap()
}

/// Three days of sales: 21 Nov (two orders, one refunded in part), 22 Nov (one cancelled,
/// one by card), 23 Nov (today, one order).
fn three_days(s: &Shop) -> (kasir_core::catalog::Product, kasir_core::catalog::Product) {
    let kopi = s.product("Kopi", 20_000, None);
    let roti = s.product("Roti", 15_000, Some(50));
    let m = s.manager.clone();
    let a = s.sell(&[(&kopi, 2), (&roti, 1)]);
    s.sell(&[(&kopi, 1)]);
    s.kasir
        .sales()
        .refund(
            &m,
            None,
            &RefundRequest {
                order_id: a.id,
                lines: vec![RefundLineInput {
                    line: 1,
                    quantity: 1,
                    restock: true,
                }],
                reason: "Basi".into(),
                method: PaymentMethod::Cash,
                reference: None,
            },
        )
        .unwrap();
    s.clock.advance(SignedDuration::from_hours(24));
    let c = s.sell(&[(&roti, 2)]);
    s.kasir
        .sales()
        .cancel_order(&m, None, c.id, "batal")
        .unwrap();
    let t = s
        .kasir
        .sales()
        .open_ticket(
            &s.cashier,
            kasir_core::sales::tickets::OrderType::Takeaway,
            "",
        )
        .unwrap();
    let t = s
        .kasir
        .sales()
        .add_to_ticket(
            &s.cashier,
            t.id,
            kasir_core::sales::tickets::AddLine {
                product_id: kopi.id,
                modifier_ids: vec![],
                note: String::new(),
                quantity: 3,
            },
        )
        .unwrap();
    s.kasir
        .sales()
        .checkout(
            &s.cashier,
            t.id,
            &[PaymentInput {
                method: PaymentMethod::Card,
                amount: t.totals.total.0,
                reference: None,
            }],
        )
        .unwrap();
    s.clock.advance(SignedDuration::from_hours(24));
    s.sell(&[(&roti, 1)]);
    (kopi, roti)
}

fn all_three(s: &Shop) -> SalesReport {
    s.kasir
        .reports()
        .sales(
            &s.manager,
            ReportRange::Custom {
                from: day("2026-11-21"),
                to: day("2026-11-23"),
            },
        )
        .unwrap()
}

#[test]
fn a_range_adds_up_its_orders_refunds_and_cancellations() {
    let s = shop();
    three_days(&s);
    let r = all_three(&s);
    let sold: i64 = orders(&s)
        .iter()
        .filter(|o| o.1 != "cancelled")
        .map(|o| o.0)
        .sum();
    assert_eq!(r.totals.orders, 4);
    assert_eq!(r.totals.sales.0, sold);
    assert_eq!(r.totals.refund_count, 1);
    assert_eq!(r.totals.net.0, sold - r.totals.refunds.0);
    assert_eq!(r.totals.cancelled_count, 1);
    assert_eq!(r.by_day.len(), 3);
    assert_eq!(
        r.by_day.iter().map(|d| d.orders).collect::<Vec<_>>(),
        [2, 1, 1]
    );
    assert_eq!(r.by_day.iter().map(|d| d.sales.0).sum::<i64>(), sold);
    assert_eq!(r.by_hour.len(), 24);
    // 10:00 in Jakarta every day.
    assert_eq!(r.by_hour[10].orders, 4);
    let kopi = r.by_product.iter().find(|p| p.name == "Kopi").unwrap();
    assert_eq!(kopi.quantity, 6);
    let roti = r.by_product.iter().find(|p| p.name == "Roti").unwrap();
    assert_eq!((roti.quantity, roti.refunded_quantity), (2, 1));
    assert_eq!(
        r.by_product.iter().map(|p| p.sales.0).sum::<i64>() + r.totals.rounding.0,
        sold
    );
    assert_eq!(r.by_category.len(), 1);
    let card = r
        .by_method
        .iter()
        .find(|m| m.method == PaymentMethod::Card)
        .unwrap();
    assert!(card.sales.0 > 0);
    let cash = r
        .by_method
        .iter()
        .find(|m| m.method == PaymentMethod::Cash)
        .unwrap();
    assert_eq!(cash.refunds, r.totals.refunds);
    assert_eq!(r.by_staff.iter().map(|m| m.orders).sum::<i64>(), 4);
}

/// Every order's total and status.
fn orders(s: &Shop) -> Vec<(i64, String)> {
    let conn = s.kasir.connection();
    let mut stmt = conn.prepare("SELECT total, status FROM orders").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn summaries_give_the_same_report_and_are_dropped_when_their_day_changes() {
    let s = shop();
    three_days(&s);
    let live = all_three(&s);
    // Two past days get summaries; today never does.
    assert_eq!(s.kasir.reports().prepare(100).unwrap(), 2);
    assert_eq!(count(&s.kasir, "SELECT COUNT(*) FROM report_days"), 2);
    assert_eq!(
        s.kasir.reports().prepare(100).unwrap(),
        0,
        "nothing left to sum"
    );
    assert_eq!(all_three(&s), live);
    // Anything of the 22nd that changes (here an order's status) drops the 22nd's summary.
    let conn = s.kasir.connection();
    let n: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM report_days WHERE day = '2026-11-22'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
    conn.execute("UPDATE orders SET status = 'completed' WHERE business_date = '2026-11-22' AND status <> 'cancelled'", [])
        .unwrap();
    drop(conn);
    assert_eq!(
        count(
            &s.kasir,
            "SELECT COUNT(*) FROM report_days WHERE day = '2026-11-22'"
        ),
        0
    );
    assert_eq!(
        count(
            &s.kasir,
            "SELECT COUNT(*) FROM report_day_products WHERE day = '2026-11-22'"
        ),
        0
    );
    assert_eq!(
        all_three(&s),
        live,
        "the day is summed from its orders again"
    );
}

#[test]
fn ranges_are_days_in_the_shops_time_zone() {
    let s = shop();
    three_days(&s);
    // Today is Monday 23 November 2026 in Jakarta.
    let today = s
        .kasir
        .reports()
        .sales(&s.manager, ReportRange::Today)
        .unwrap();
    assert_eq!(
        (today.from, today.to, today.totals.orders),
        (day("2026-11-23"), day("2026-11-23"), 1)
    );
    let yesterday = s
        .kasir
        .reports()
        .sales(&s.manager, ReportRange::Yesterday)
        .unwrap();
    assert_eq!(
        (
            yesterday.from,
            yesterday.totals.orders,
            yesterday.totals.cancelled_count
        ),
        (day("2026-11-22"), 1, 1)
    );
    let week = s
        .kasir
        .reports()
        .sales(&s.manager, ReportRange::ThisWeek)
        .unwrap();
    assert_eq!((week.from, week.to), (day("2026-11-23"), day("2026-11-23")));
    let month = s
        .kasir
        .reports()
        .sales(&s.manager, ReportRange::ThisMonth)
        .unwrap();
    assert_eq!((month.from, month.totals.orders), (day("2026-11-01"), 4));
    assert_eq!(month.by_day.len(), 23);
}

#[test]
fn bad_ranges_are_refused() {
    let s = shop();
    for (from, to) in [("2026-11-23", "2026-11-21"), ("2020-01-01", "2026-11-21")] {
        let e = s
            .kasir
            .reports()
            .sales(
                &s.manager,
                ReportRange::Custom {
                    from: day(from),
                    to: day(to),
                },
            )
            .unwrap_err();
        assert!(
            matches!(
                e,
                Error::Invalid {
                    field: Field::To,
                    ..
                }
            ),
            "{from}..{to}: {e:?}"
        );
    }
    assert!(matches!(
        s.kasir.reports().sales(&s.cashier, ReportRange::Today),
        Err(Error::Forbidden { .. })
    ));
}

#[test]
fn each_table_exports_as_csv_a_spreadsheet_reads_safely() {
    let s = shop();
    let m = s.admin.clone();
    let odd = s
        .kasir
        .catalog()
        .create_product(
            &m,
            crate::helpers::draft(s.category, "=SUM(A1), \"Besar\"", 12_500),
        )
        .unwrap();
    s.sell(&[(&odd, 2)]);
    let r = s
        .kasir
        .reports()
        .sales(&s.manager, ReportRange::Today)
        .unwrap();
    let csv = r.to_csv(ReportTable::Products);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("product,category,quantity,sales,refunded_quantity,refunds,net")
    );
    let row = lines.next().unwrap();
    // A formula is never a formula; commas and quotes stay inside their field.
    assert!(
        row.starts_with("\"'=SUM(A1), \"\"Besar\"\"\",Kopi,2,"),
        "{row}"
    );
    let days = r.to_csv(ReportTable::Days);
    assert_eq!(days.lines().count(), 2);
    assert!(days.contains(&format!(",{},", r.totals.orders)), "{days}");
    assert_eq!(r.to_csv(ReportTable::Hours).lines().count(), 25);
    for table in [
        ReportTable::Categories,
        ReportTable::Methods,
        ReportTable::Staff,
    ] {
        assert!(r.to_csv(table).lines().count() >= 2, "{table:?}");
    }
}
