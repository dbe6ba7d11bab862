use kasir_core::Error;
use kasir_core::Field;
use kasir_core::catalog::StockReason;
use kasir_core::sales::checkout::{OrderStatus, PaymentInput, PaymentMethod};
use kasir_core::sales::tickets::{AddLine, OrderType};
use kasir_core::{Money, Role};

use crate::helpers::{MANAGER_PIN, cash, count, draft, refused, shop};

fn add(p: &kasir_core::catalog::Product, q: i64) -> AddLine {
    AddLine {
        product_id: p.id,
        modifier_ids: vec![],
        note: String::new(),
        quantity: q,
    }
}

#[test]
fn a_cash_sale_writes_everything_at_once() {
    let s = shop();
    let c = s.cashier.clone();
    let kopi = s.product("Kopi Susu", 25_000, None);
    let roti = s.product("Croissant", 22_000, Some(5));
    let t = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::DineIn, "Meja 2")
        .unwrap();
    s.kasir
        .sales()
        .add_to_ticket(&c, t.id, add(&kopi, 2))
        .unwrap();
    let t = s
        .kasir
        .sales()
        .add_to_ticket(&c, t.id, add(&roti, 1))
        .unwrap();
    // 72.000 + 3.600 service + 7.560 tax = 83.160 -> 83.200
    assert_eq!(t.totals.total, Money(83_200));
    let order = s
        .kasir
        .sales()
        .checkout(&c, t.id, &[cash(100_000)])
        .unwrap();
    assert_eq!(order.receipt_no, "T01-000001");
    assert_eq!(order.status, OrderStatus::Pending);
    assert_eq!(
        (order.total, order.paid, order.change),
        (Money(83_200), Money(83_200), Money(16_800))
    );
    assert_eq!(order.rounding, Money(40));
    assert_eq!(order.lines.len(), 2);
    assert_eq!(order.lines[0].product_name, "Kopi Susu");
    assert_eq!(
        order.lines.iter().map(|l| l.total.0).sum::<i64>() + order.rounding.0,
        order.total.0
    );
    assert_eq!(order.payments[0].tendered, Money(100_000));
    assert_eq!(order.payments[0].change, Money(16_800));
    assert_eq!(order.business_date.to_string(), "2026-11-21");
    assert_eq!(
        s.kasir.catalog().product(&c, roti.id).unwrap().stock,
        Some(4)
    );
    assert!(
        matches!(
            s.kasir.sales().ticket(&c, t.id),
            Err(Error::NotFound { .. })
        ),
        "the ticket became the order"
    );
    assert_eq!(
        count(&s.kasir, "SELECT COUNT(*) FROM outbox WHERE kind = 'sale'"),
        1
    );
    // snapshots survive later menu changes
    let a = s.admin.clone();
    let d = draft(s.category, "Kopi Susu Baru", 99_000);
    s.kasir
        .catalog()
        .update_product(&a, kopi.id, d.clone())
        .unwrap();
    let again = s.kasir.sales().order(&c, order.id).unwrap();
    assert_eq!(again, order);
}

#[test]
fn split_tenders_and_references() {
    let s = shop();
    let c = s.cashier.clone();
    let p = s.product("Nasi Goreng", 35_000, None);
    let t = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::Takeaway, "")
        .unwrap();
    let t = s.kasir.sales().add_to_ticket(&c, t.id, add(&p, 2)).unwrap();
    let due = t.totals.total.0; // 70.000 + 3.500 + 7.350 = 80.850 -> 80.900
    assert_eq!(due, 80_900);
    let order = s
        .kasir
        .sales()
        .checkout(
            &c,
            t.id,
            &[
                PaymentInput {
                    method: PaymentMethod::Qris,
                    amount: 30_000,
                    reference: Some("QR-889".into()),
                },
                PaymentInput {
                    method: PaymentMethod::Card,
                    amount: 20_000,
                    reference: None,
                },
                cash(50_000),
            ],
        )
        .unwrap();
    assert_eq!(order.payments.len(), 3);
    assert_eq!(order.payments[0].reference.as_deref(), Some("QR-889"));
    assert_eq!(order.payments[2].amount, Money(30_900));
    assert_eq!(order.change, Money(19_100));
    assert_eq!(order.payments.iter().map(|p| p.amount.0).sum::<i64>(), due);
}

#[test]
fn refusals_write_nothing() {
    let s = shop();
    let c = s.cashier.clone();
    let m = s.manager.clone();
    let p = s.product("Croissant", 22_000, Some(2));
    let empty = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::Takeaway, "")
        .unwrap();
    refused(
        &s.kasir,
        |k| k.sales().checkout(&c, empty.id, &[cash(1_000)]),
        |e| matches!(e, Error::EmptyTicket),
    );

    let t = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::Takeaway, "")
        .unwrap();
    let t = s.kasir.sales().add_to_ticket(&c, t.id, add(&p, 2)).unwrap();
    let due = t.totals.total.0;
    refused(
        &s.kasir,
        |k| k.sales().checkout(&c, t.id, &[cash(due - 1)]),
        |e| matches!(e, Error::Underpaid { .. }),
    );
    refused(
        &s.kasir,
        |k| k.sales().checkout(&c, t.id, &[]),
        |e| matches!(e, Error::Underpaid { .. }),
    );
    refused(
        &s.kasir,
        |k| {
            k.sales().checkout(
                &c,
                t.id,
                &[PaymentInput {
                    method: PaymentMethod::Card,
                    amount: due + 1,
                    reference: None,
                }],
            )
        },
        |e| matches!(e, Error::Overpaid { .. }),
    );
    refused(
        &s.kasir,
        |k| k.sales().checkout(&c, t.id, &[cash(-due)]),
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
            k.sales()
                .checkout(&c, t.id, &[cash(i64::MAX), cash(i64::MAX)])
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
            k.sales().checkout(
                &c,
                t.id,
                &[PaymentInput {
                    method: PaymentMethod::Ewallet,
                    amount: due,
                    reference: Some("r".repeat(1 << 20)),
                }],
            )
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Reference,
                    ..
                }
            )
        },
    );

    // the stock went away between adding and paying: checked again at checkout
    s.kasir
        .catalog()
        .adjust_stock(&m, p.id, -1, StockReason::Waste, "dropped")
        .unwrap();
    refused(
        &s.kasir,
        |k| k.sales().checkout(&c, t.id, &[cash(due)]),
        |e| matches!(e, Error::InsufficientStock { product, available: 1, requested: 2 } if product == "Croissant"),
    );
    assert_eq!(count(&s.kasir, "SELECT COUNT(*) FROM orders"), 0);
    assert_eq!(
        count(&s.kasir, "SELECT COUNT(*) FROM receipt_counters"),
        0,
        "no receipt number was used up"
    );
}

#[test]
fn a_deactivated_product_in_a_ticket_blocks_checkout() {
    let s = shop();
    let c = s.cashier.clone();
    let a = s.admin.clone();
    let p = s.product("Es Teh", 8_000, None);
    let t = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::Takeaway, "")
        .unwrap();
    let t = s.kasir.sales().add_to_ticket(&c, t.id, add(&p, 1)).unwrap();
    s.kasir
        .catalog()
        .set_products_active(&a, &[p.id], false)
        .unwrap();
    refused(
        &s.kasir,
        |k| k.sales().checkout(&c, t.id, &[cash(100_000)]),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Ticket,
                    ..
                }
            )
        },
    );
}

#[test]
fn receipt_numbers_count_up_per_terminal_and_never_repeat() {
    let s = shop();
    let p = s.product("Teh", 8_000, None);
    let nos: Vec<String> = (0..3).map(|_| s.sell(&[(&p, 1)]).receipt_no).collect();
    assert_eq!(nos, ["T01-000001", "T01-000002", "T01-000003"]);
    let a = s.admin.clone();
    let mut settings = s.kasir.settings().get().unwrap();
    settings.terminal_code = "T02".into();
    s.kasir.settings().update(&a, settings).unwrap();
    // The open shift follows the till to its new code.
    assert_eq!(
        s.kasir
            .shifts()
            .current(&s.cashier)
            .unwrap()
            .unwrap()
            .terminal,
        "T02"
    );
    assert_eq!(s.sell(&[(&p, 1)]).receipt_no, "T02-000001");
    assert_eq!(
        count(&s.kasir, "SELECT COUNT(DISTINCT receipt_no) FROM orders"),
        4
    );
}

#[test]
fn business_day_is_the_shops_local_date() {
    let s = shop();
    let p = s.product("Teh", 8_000, None);
    // 18:30 UTC is 01:30 the next day in Jakarta
    s.clock
        .advance(jiff::SignedDuration::from_hours(15) + jiff::SignedDuration::from_mins(30));
    let o = s.sell(&[(&p, 1)]);
    assert_eq!(o.business_date.to_string(), "2026-11-22");
    let c = s.cashier.clone();
    assert_eq!(
        s.kasir
            .sales()
            .orders_for_day(&c, "2026-11-22".parse().unwrap())
            .unwrap()
            .len(),
        1
    );
    assert!(
        s.kasir
            .sales()
            .orders_for_day(&c, "2026-11-21".parse().unwrap())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn kitchen_flow_moves_one_step_at_a_time() {
    let s = shop();
    let c = s.cashier.clone();
    let p = s.product("Soto", 28_000, None);
    let o = s.sell(&[(&p, 1)]);
    refused(
        &s.kasir,
        |k| k.sales().advance_order(&c, o.id, OrderStatus::Ready),
        |e| matches!(e, Error::InvalidTransition { .. }),
    );
    refused(
        &s.kasir,
        |k| k.sales().advance_order(&c, o.id, OrderStatus::Cancelled),
        |e| matches!(e, Error::InvalidTransition { .. }),
    );
    for next in [
        OrderStatus::Preparing,
        OrderStatus::Ready,
        OrderStatus::Completed,
    ] {
        assert_eq!(
            s.kasir
                .sales()
                .advance_order(&c, o.id, next)
                .unwrap()
                .status,
            next
        );
    }
    refused(
        &s.kasir,
        |k| k.sales().advance_order(&c, o.id, OrderStatus::Pending),
        |e| matches!(e, Error::InvalidTransition { .. }),
    );
    let m = s.manager.clone();
    refused(
        &s.kasir,
        |k| k.sales().cancel_order(&m, None, o.id, "too late"),
        |e| matches!(e, Error::InvalidTransition { .. }),
    );
    let board = s.kasir.sales().orders_for_day(&c, o.business_date).unwrap();
    assert_eq!(board[0].status, OrderStatus::Completed);
}

#[test]
fn cancelling_restores_stock_and_needs_a_manager() {
    let s = shop();
    let c = s.cashier.clone();
    let p = s.product("Croissant", 22_000, Some(5));
    let o = s.sell(&[(&p, 3)]);
    assert_eq!(s.kasir.catalog().product(&c, p.id).unwrap().stock, Some(2));
    refused(
        &s.kasir,
        |k| k.sales().cancel_order(&c, None, o.id, "customer left"),
        |e| {
            matches!(
                e,
                Error::Forbidden {
                    role: Role::Cashier,
                    ..
                }
            )
        },
    );
    let approver = s.kasir.people().login(s.manager.id(), MANAGER_PIN).unwrap();
    refused(
        &s.kasir,
        |k| k.sales().cancel_order(&c, Some(&approver), o.id, "  "),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Reason,
                    ..
                }
            )
        },
    );
    let cancelled = s
        .kasir
        .sales()
        .cancel_order(&c, Some(&approver), o.id, "customer left")
        .unwrap();
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert_eq!(cancelled.cancel_reason.as_deref(), Some("customer left"));
    assert_eq!(cancelled.total, o.total, "the money facts stay");
    assert_eq!(s.kasir.catalog().product(&c, p.id).unwrap().stock, Some(5));
    let m = s.manager.clone();
    refused(
        &s.kasir,
        |k| k.sales().cancel_order(&m, None, o.id, "again"),
        |e| matches!(e, Error::InvalidTransition { .. }),
    );
    assert!(
        s.kasir
            .audit()
            .entries(&m, 10)
            .unwrap()
            .iter()
            .any(|e| e.action == "order_cancelled")
    );
    assert_eq!(
        count(
            &s.kasir,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'order_cancelled'"
        ),
        1
    );
}

#[test]
fn orders_are_facts() {
    let s = shop();
    let p = s.product("Teh", 8_000, Some(5));
    let o = s.sell(&[(&p, 1)]);
    let conn = s.kasir.connection();
    for sql in [
        format!("UPDATE orders SET total = 1 WHERE id = '{}'", o.id),
        format!("DELETE FROM orders WHERE id = '{}'", o.id),
        format!(
            "UPDATE order_lines SET quantity = 9 WHERE order_id = '{}'",
            o.id
        ),
        format!("DELETE FROM payments WHERE order_id = '{}'", o.id),
        "UPDATE stock_movements SET delta = 1".to_string(),
        "DELETE FROM audit_log".to_string(),
    ] {
        let err = conn.execute(&sql, []).expect_err(&sql);
        assert!(
            err.to_string().contains("facts") || err.to_string().contains("append-only"),
            "{sql}: {err}"
        );
    }
}

#[test]
fn the_board_shows_what_to_make() {
    let mut s = shop();
    let c = s.cashier.clone();
    let kopi = crate::tickets::coffee_with_modifiers(&mut s);
    let teh = s.product("Teh", 8_000, None);
    let t = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::DineIn, "Meja 4")
        .unwrap();
    let (large, oat) = (
        kopi.modifier_groups[0].options[1].id,
        kopi.modifier_groups[1].options[1].id,
    );
    let line = |product_id, modifier_ids, note: &str, quantity| AddLine {
        product_id,
        modifier_ids,
        note: note.into(),
        quantity,
    };
    s.kasir
        .sales()
        .add_to_ticket(&c, t.id, line(kopi.id, vec![oat, large], "less ice", 2))
        .unwrap();
    let ticket = s
        .kasir
        .sales()
        .add_to_ticket(&c, t.id, line(teh.id, vec![], "", 1))
        .unwrap();
    let first = s
        .kasir
        .sales()
        .checkout(&c, t.id, &[cash(ticket.totals.total.0)])
        .unwrap();
    let second = s.sell(&[(&teh, 3)]);

    let board = s
        .kasir
        .sales()
        .orders_for_day(&c, first.business_date)
        .unwrap();
    assert_eq!(board.len(), 2);
    assert_eq!(board[0].id, first.id);
    assert_eq!(board[0].label, "Meja 4");
    assert_eq!(board[0].items, 3);
    let made: Vec<_> = board[0]
        .lines
        .iter()
        .map(|l| {
            (
                l.name.as_str(),
                l.quantity,
                l.modifiers.join("+"),
                l.note.as_str(),
            )
        })
        .collect();
    assert_eq!(
        made,
        [
            ("Kopi Susu", 2, "Large+Oat milk".to_string(), "less ice"),
            ("Teh", 1, String::new(), ""),
        ]
    );
    assert_eq!(board[1].id, second.id);
    assert_eq!(board[1].lines.len(), 1);
    assert_eq!(board[1].lines[0].quantity, 3);
}

/// Times are stored in one fixed-width form, so text order is time order even within a
/// second: a sale at …05.1 comes before one at …05.12 on the board (jiff's own text form,
/// `…05.1Z` and `…05.12Z`, sorted the other way).
#[test]
fn orders_within_one_second_keep_their_order() {
    let s = shop();
    let p = s.product("Teh", 8_000, None);
    s.clock.advance(jiff::SignedDuration::from_millis(5_100));
    let first = s.sell(&[(&p, 1)]);
    s.clock.advance(jiff::SignedDuration::from_millis(20));
    let second = s.sell(&[(&p, 2)]);
    let board = s.kasir.sales().orders_today(&s.cashier).unwrap();
    assert_eq!(
        board.iter().map(|o| o.id).collect::<Vec<_>>(),
        [first.id, second.id]
    );
    let stored: Vec<String> = s
        .kasir
        .connection()
        .prepare("SELECT created_at FROM orders ORDER BY created_at")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        stored,
        [
            "2026-11-21T03:00:05.100000000Z",
            "2026-11-21T03:00:05.120000000Z"
        ]
    );
}

/// The board shows the kitchen's next step and whether an order can still be cancelled, as
/// the core decides them.
#[test]
fn the_board_carries_the_core_s_flow() {
    let s = shop();
    let p = s.product("Teh", 8_000, None);
    let o = s.sell(&[(&p, 1)]);
    let c = s.cashier.clone();
    let step = |s: &crate::helpers::Shop| {
        let b = s.kasir.sales().orders_today(&c).unwrap();
        (b[0].status, b[0].next_status, b[0].cancellable)
    };
    use kasir_core::sales::checkout::OrderStatus::*;
    assert_eq!(step(&s), (Pending, Some(Preparing), true));
    for to in [Preparing, Ready, Completed] {
        s.kasir.sales().advance_order(&c, o.id, to).unwrap();
    }
    assert_eq!(step(&s), (Completed, None, false));
}
