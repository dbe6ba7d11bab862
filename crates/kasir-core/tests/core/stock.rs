//! Stock by hand: adjustments with reasons, stock counts, the ledger with its running balance,
//! low-stock alerts and the notifications they send.

use kasir_core::catalog::{CountLine, ProductDraft, StockReason};
use kasir_core::{Entity, Error, Field, Role};

use crate::helpers::{Check, Shop, count, draft, refused, shop};

fn levelled(s: &Shop, name: &str, stock: i64) -> kasir_core::catalog::Product {
    s.kasir
        .catalog()
        .create_product(
            &s.admin,
            ProductDraft {
                track_stock: true,
                initial_stock: stock,
                low_stock_warning: Some(5),
                low_stock_critical: Some(2),
                ..draft(s.category, name, 10_000)
            },
        )
        .unwrap()
}

#[test]
fn the_ledger_shows_who_why_and_the_count_after_each_movement() {
    let s = shop();
    let m = s.manager.clone();
    let p = s.product("Croissant", 22_000, Some(10));
    let c = s.kasir.catalog();
    c.adjust_stock(&m, p.id, 12, StockReason::Received, "delivery pagi")
        .unwrap();
    let order = s.sell(&[(&p, 3)]);
    c.adjust_stock(&m, p.id, -2, StockReason::Waste, "jatuh")
        .unwrap();
    c.adjust_stock(&m, p.id, 1, StockReason::Correction, "")
        .unwrap();
    let page = c.stock_history(&m, p.id, None, 10).unwrap();
    let got: Vec<(&str, i64, i64)> = page
        .entries
        .iter()
        .map(|e| (e.reason.as_str(), e.delta, e.balance))
        .collect();
    assert_eq!(
        got,
        [
            ("correction", 1, 18),
            ("waste", -2, 17),
            ("sale", -3, 19),
            ("received", 12, 22),
            ("initial", 10, 10),
        ]
    );
    assert!(!page.more);
    assert_eq!(page.entries[1].note, "jatuh");
    assert_eq!(page.entries[1].staff_name, "Budi");
    assert_eq!(
        page.entries[2].receipt_no.as_deref(),
        Some(order.receipt_no.as_str())
    );
    // Paging back from an entry gives the older ones with the same balances.
    let first = c.stock_history(&m, p.id, None, 2).unwrap();
    assert!(first.more);
    let rest = c
        .stock_history(&m, p.id, Some(first.entries[1].seq), 10)
        .unwrap();
    let joined: Vec<i64> = first
        .entries
        .iter()
        .chain(&rest.entries)
        .map(|e| e.balance)
        .collect();
    assert_eq!(joined, [18, 17, 19, 22, 10]);
    refused(
        &s.kasir,
        |k| k.catalog().stock_history(&m, p.id, None, 0),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Limit,
                    ..
                }
            )
        },
    );
    refused(
        &s.kasir,
        |k| k.catalog().stock_history(&s.cashier, p.id, None, 10),
        |e| matches!(e, Error::Forbidden { .. }),
    );
}

#[test]
fn a_stock_count_writes_each_difference_in_one_transaction() {
    let s = shop();
    let m = s.manager.clone();
    let a = s.product("A", 1_000, Some(10));
    let b = s.product("B", 1_000, Some(4));
    let same = s.product("C", 1_000, Some(7));
    let outbox = count(&s.kasir, "SELECT COUNT(*) FROM outbox");
    let lines = s
        .kasir
        .catalog()
        .count_stock(
            &m,
            &[
                CountLine {
                    product_id: a.id,
                    counted: 8,
                    expected: None,
                },
                CountLine {
                    product_id: b.id,
                    counted: 9,
                    expected: None,
                },
                CountLine {
                    product_id: same.id,
                    counted: 7,
                    expected: None,
                },
            ],
            "opname malam",
        )
        .unwrap();
    let deltas: Vec<(i64, i64, i64)> = lines
        .iter()
        .map(|l| (l.before, l.counted, l.delta))
        .collect();
    assert_eq!(deltas, [(10, 8, -2), (4, 9, 5), (7, 7, 0)]);
    for (p, want) in [(a.id, 8), (b.id, 9), (same.id, 7)] {
        assert_eq!(s.kasir.catalog().product(&m, p).unwrap().stock, Some(want));
    }
    assert_eq!(
        count(
            &s.kasir,
            "SELECT COUNT(*) FROM stock_movements WHERE reason = 'counted'"
        ),
        2,
        "no movement for a product counted as it stood"
    );
    assert_eq!(count(&s.kasir, "SELECT COUNT(*) FROM outbox") - outbox, 2);
    assert_eq!(
        count(
            &s.kasir,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'stock_counted'"
        ),
        1
    );

    // Bad counts change nothing, however many good lines come with them.
    let untracked = s.product("D", 1_000, None);
    let good = CountLine {
        product_id: a.id,
        counted: 1,
        expected: None,
    };
    let cases: Vec<(&str, Vec<CountLine>, Check)> = vec![
        (
            "empty",
            vec![],
            Box::new(|e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::Count,
                        ..
                    }
                )
            }),
        ),
        (
            "a product twice",
            vec![good, good],
            Box::new(|e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::Count,
                        ..
                    }
                )
            }),
        ),
        (
            "a negative count",
            vec![
                good,
                CountLine {
                    product_id: b.id,
                    counted: -1,
                    expected: None,
                },
            ],
            Box::new(|e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::Count,
                        ..
                    }
                )
            }),
        ),
        (
            "an absurd count",
            vec![
                good,
                CountLine {
                    product_id: b.id,
                    counted: i64::MAX,
                    expected: None,
                },
            ],
            Box::new(|e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::Count,
                        ..
                    }
                )
            }),
        ),
        (
            "an untracked product",
            vec![
                good,
                CountLine {
                    product_id: untracked.id,
                    counted: 3,
                    expected: None,
                },
            ],
            Box::new(|e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::Stock,
                        ..
                    }
                )
            }),
        ),
        (
            "an unknown product",
            vec![
                good,
                CountLine {
                    product_id: "01900000-0000-7000-8000-000000000000".parse().unwrap(),
                    counted: 3,
                    expected: None,
                },
            ],
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
    for (what, lines, check) in cases {
        println!("case: {what}");
        refused(
            &s.kasir,
            |k| k.catalog().count_stock(&m, &lines, ""),
            |e| check(e),
        );
    }
    refused(
        &s.kasir,
        |k| k.catalog().count_stock(&m, &[good], &"n".repeat(1 << 20)),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Note,
                    ..
                }
            )
        },
    );
    refused(
        &s.kasir,
        |k| k.catalog().count_stock(&s.cashier, &[good], ""),
        |e| matches!(e, Error::Forbidden { .. }),
    );
}

fn open_alerts(s: &Shop) -> Vec<(String, String, i64)> {
    s.kasir
        .catalog()
        .stock_alerts(&s.manager, false)
        .unwrap()
        .into_iter()
        .map(|a| (a.product_name, a.level, a.stock_then))
        .collect()
}

#[test]
fn alerts_are_raised_worsened_resolved_and_cleared_by_restocking() {
    let s = shop();
    let m = s.manager.clone();
    let p = levelled(&s, "Croissant", 10);
    assert!(open_alerts(&s).is_empty());
    s.sell(&[(&p, 4)]); // 6: fine
    assert!(open_alerts(&s).is_empty());
    s.sell(&[(&p, 1)]); // 5: warning
    assert_eq!(open_alerts(&s), [("Croissant".into(), "warning".into(), 5)]);
    s.sell(&[(&p, 1)]); // 4: still warning, no second alert
    assert_eq!(count(&s.kasir, "SELECT COUNT(*) FROM stock_alerts"), 1);
    s.sell(&[(&p, 2)]); // 2: critical replaces warning
    assert_eq!(
        open_alerts(&s),
        [("Croissant".into(), "critical".into(), 2)]
    );
    assert_eq!(count(&s.kasir, "SELECT COUNT(*) FROM stock_alerts"), 1);
    assert_eq!(s.kasir.catalog().open_alerts(&m).unwrap(), 1);

    // A manager resolves it: who and when are kept; the same level raises nothing new.
    let id = s.kasir.catalog().stock_alerts(&m, false).unwrap()[0].id;
    s.kasir.catalog().resolve_alert(&m, id).unwrap();
    s.kasir.catalog().resolve_alert(&m, id).unwrap(); // again: nothing changes
    assert!(open_alerts(&s).is_empty());
    let all = s.kasir.catalog().stock_alerts(&m, true).unwrap();
    assert_eq!(all[0].resolved_by.as_deref(), Some("Budi"));
    assert_eq!(
        count(
            &s.kasir,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'stock_alert_resolved'"
        ),
        1
    );
    s.sell(&[(&p, 1)]); // 1: critical again, already seen
    assert!(open_alerts(&s).is_empty());
    s.sell(&[(&p, 1)]); // 0: sold out is worse: a new alert
    assert_eq!(open_alerts(&s), [("Croissant".into(), "out".into(), 0)]);

    // A delivery above the warning level resolves it by itself.
    s.kasir
        .catalog()
        .adjust_stock(&m, p.id, 20, StockReason::Received, "")
        .unwrap();
    assert!(open_alerts(&s).is_empty());
    let newest = &s.kasir.catalog().stock_alerts(&m, true).unwrap()[0];
    assert!(newest.resolved_at.is_some() && newest.resolved_by.is_none());
    refused(
        &s.kasir,
        |k| k.catalog().resolve_alert(&m, 9_999),
        |e| {
            matches!(
                e,
                Error::NotFound {
                    entity: Entity::StockAlert,
                    ..
                }
            )
        },
    );
    refused(
        &s.kasir,
        |k| k.catalog().resolve_alert(&s.cashier, id),
        |e| matches!(e, Error::Forbidden { .. }),
    );
}

#[test]
fn a_product_made_with_little_stock_raises_its_alert_at_once() {
    let s = shop();
    levelled(&s, "Roti Sobek", 4);
    levelled(&s, "Donat", 30);
    assert_eq!(
        open_alerts(&s),
        [("Roti Sobek".into(), "warning".into(), 4)]
    );
}

#[test]
fn a_refused_sale_raises_no_alert() {
    let s = shop();
    let p = levelled(&s, "Croissant", 3);
    let cashier = s.cashier.clone();
    let t = s
        .kasir
        .sales()
        .open_ticket(
            &cashier,
            kasir_core::sales::tickets::OrderType::Takeaway,
            "",
        )
        .unwrap();
    // The ticket takes 2; a waste of 2 leaves 1, so paying for 2 is refused whole.
    let t = s
        .kasir
        .sales()
        .add_to_ticket(
            &cashier,
            t.id,
            kasir_core::sales::tickets::AddLine {
                product_id: p.id,
                modifier_ids: vec![],
                note: String::new(),
                quantity: 2,
            },
        )
        .unwrap();
    s.kasir
        .catalog()
        .adjust_stock(&s.manager, p.id, -2, StockReason::Waste, "")
        .unwrap();
    let alerts = count(&s.kasir, "SELECT COUNT(*) FROM stock_alerts");
    let notices = count(&s.kasir, "SELECT COUNT(*) FROM notifications");
    let due = t.totals.total.0;
    refused(
        &s.kasir,
        |k| {
            k.sales()
                .checkout(&cashier, t.id, &[crate::helpers::cash(due)])
        },
        |e| matches!(e, Error::InsufficientStock { .. }),
    );
    assert_eq!(count(&s.kasir, "SELECT COUNT(*) FROM stock_alerts"), alerts);
    assert_eq!(
        count(&s.kasir, "SELECT COUNT(*) FROM notifications"),
        notices
    );
}

#[test]
fn managers_are_notified_and_each_reads_their_own() {
    let s = shop();
    let p = levelled(&s, "Croissant", 6);
    s.sell(&[(&p, 1)]); // warning
    s.sell(&[(&p, 5)]); // out
    let n = s.kasir.notices();
    for role in [Role::Manager, Role::Admin] {
        let list = n.list(s.actor(role), 50).unwrap();
        let levels: Vec<Option<&str>> = list.iter().map(|x| x.detail.level.as_deref()).collect();
        assert_eq!(levels, [Some("out"), Some("warning")], "{role}");
        assert_eq!(list[0].detail.product_name.as_deref(), Some("Croissant"));
        assert_eq!(n.unread(s.actor(role)).unwrap(), 2);
    }
    assert!(
        n.list(&s.cashier, 50).unwrap().is_empty(),
        "not a cashier's business"
    );
    assert_eq!(n.unread(&s.cashier).unwrap(), 0);

    let first = n.list(&s.manager, 50).unwrap()[1].id;
    assert_eq!(n.mark_read(&s.manager, Some(first)).unwrap(), 1);
    assert_eq!(n.unread(&s.manager).unwrap(), 1);
    // Read ones go after unread ones.
    assert!(n.list(&s.manager, 50).unwrap()[1].read);
    assert_eq!(n.mark_read(&s.manager, None).unwrap(), 1);
    assert_eq!(n.mark_read(&s.manager, None).unwrap(), 0);
    assert_eq!(n.unread(&s.manager).unwrap(), 0);
    assert_eq!(
        n.unread(&s.admin).unwrap(),
        2,
        "each member reads their own"
    );
}

/// Review fixes: what sold during a count is kept; a delivery only adds; a product that
/// stops being counted raises nothing and closes its alert; new levels re-check the alert at
/// once; a product that starts being counted takes its starting count.
#[test]
fn counts_levels_and_tracking_keep_alerts_true() {
    let s = shop();
    let m = s.manager.clone();
    let p = levelled(&s, "Croissant", 20);
    // Counted 20 on the shelf while the screen showed 20; 2 sold before saving.
    s.sell(&[(&p, 2)]);
    let done = s
        .kasir
        .catalog()
        .count_stock(
            &m,
            &[CountLine {
                product_id: p.id,
                counted: 19,
                expected: Some(20),
            }],
            "",
        )
        .unwrap();
    assert_eq!(done[0].delta, -1, "one missing, the two sold kept");
    assert_eq!(s.kasir.catalog().product(&m, p.id).unwrap().stock, Some(17));
    refused(
        &s.kasir,
        |k| {
            k.catalog()
                .adjust_stock(&m, p.id, -3, StockReason::Received, "")
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Delta,
                    ..
                }
            )
        },
    );

    // Raising the warning level above the count raises the alert now; lowering it clears it.
    let edit = |warning: i64, track: bool, initial: i64| ProductDraft {
        track_stock: track,
        initial_stock: initial,
        low_stock_warning: Some(warning),
        low_stock_critical: Some(2),
        ..draft(s.category, "Croissant", 10_000)
    };
    s.kasir
        .catalog()
        .update_product(&m, p.id, edit(20, true, 0))
        .unwrap();
    assert_eq!(
        open_alerts(&s),
        [("Croissant".into(), "warning".into(), 17)]
    );
    s.kasir
        .catalog()
        .update_product(&m, p.id, edit(5, true, 0))
        .unwrap();
    assert!(open_alerts(&s).is_empty());
    s.kasir
        .catalog()
        .update_product(&m, p.id, edit(20, true, 0))
        .unwrap();
    assert_eq!(open_alerts(&s).len(), 1);
    // No longer counted: no "sold out" alert, and the open one is closed.
    s.kasir
        .catalog()
        .update_product(&m, p.id, edit(20, false, 0))
        .unwrap();
    assert!(open_alerts(&s).is_empty());
    assert_eq!(
        count(
            &s.kasir,
            "SELECT COUNT(*) FROM stock_alerts WHERE level = 'out'"
        ),
        0
    );
    // Counted again, from a starting count.
    let back = s
        .kasir
        .catalog()
        .update_product(&m, p.id, edit(5, true, 30))
        .unwrap();
    assert_eq!(back.stock, Some(30));
    assert!(back.available);
}
