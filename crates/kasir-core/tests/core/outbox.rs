use std::collections::HashSet;

use kasir_core::catalog::StockReason;
use kasir_core::money::pricing::Discount;
use kasir_core::sales::checkout::{PaymentInput, PaymentMethod};
use kasir_core::sales::tickets::{AddLine, OrderType};
use kasir_proto::{Envelope, Payload, Sale};

use crate::helpers::{cash, count, shop};

#[test]
fn every_action_the_server_needs_is_in_the_outbox_and_complete() {
    let s = shop();
    let c = s.cashier.clone();
    let m = s.manager.clone();
    let before = count(&s.kasir, "SELECT COUNT(*) FROM outbox");
    let kopi = s.product("Kopi", 25_000, None); // product_upserted
    let roti = s.product("Roti", 15_000, Some(10)); // product_upserted (with its initial stock)
    s.kasir
        .catalog()
        .adjust_stock(&m, roti.id, 5, StockReason::Received, "pagi")
        .unwrap(); // stock_adjusted

    let t = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::DineIn, "Meja 9")
        .unwrap();
    s.kasir
        .sales()
        .add_to_ticket(
            &c,
            t.id,
            AddLine {
                product_id: kopi.id,
                modifier_ids: vec![],
                note: "panas".into(),
                quantity: 3,
            },
        )
        .unwrap();
    s.kasir
        .sales()
        .add_to_ticket(
            &c,
            t.id,
            AddLine {
                product_id: roti.id,
                modifier_ids: vec![],
                note: String::new(),
                quantity: 2,
            },
        )
        .unwrap();
    s.kasir
        .sales()
        .set_order_discount(&c, Some(&m), t.id, Some(Discount::Percent(1500)))
        .unwrap();
    let t = s.kasir.sales().ticket(&c, t.id).unwrap();
    let due = t.totals.total.0;
    let sale = s
        .kasir
        .sales()
        .checkout(
            &c,
            t.id,
            &[
                PaymentInput {
                    method: PaymentMethod::Card,
                    amount: 50_000,
                    reference: Some("APPR 1234".into()),
                },
                cash(due),
            ],
        )
        .unwrap();
    let second = s.sell(&[(&roti, 1)]);
    s.kasir
        .sales()
        .advance_order(
            &c,
            second.id,
            kasir_core::sales::checkout::OrderStatus::Preparing,
        )
        .unwrap();
    s.kasir
        .sales()
        .cancel_order(&m, None, second.id, "salah pesan")
        .unwrap();

    let entries = s.kasir.outbox().entries(0, 1000).unwrap();
    let kinds: Vec<&str> = entries[before as usize..]
        .iter()
        .map(|e| e.payload.kind())
        .collect();
    assert_eq!(
        kinds,
        [
            "product_upserted",
            "product_upserted",
            "stock_adjusted",
            "sale",
            "sale",
            "order_status",
            "order_cancelled"
        ]
    );

    // sequence only goes up, without gaps; keys are unique UUIDv7s
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.seq, i as i64 + 1);
        assert_eq!(e.id.get_version_num(), 7);
        assert_eq!(e.terminal, "T01");
    }
    assert_eq!(
        entries.iter().map(|e| e.id).collect::<HashSet<_>>().len(),
        entries.len()
    );

    // a sale's payload alone rebuilds the order exactly
    for record in entries.iter().filter_map(sale_of) {
        let stored = s
            .kasir
            .sales()
            .order(&c, kasir_core::sales::checkout::OrderId(record.order.id))
            .unwrap();
        let mut expected = stored.to_proto();
        expected.status = kasir_proto::OrderStatus::Pending; // as it was when sold
        assert_eq!(record.order, expected);
        let lines: i64 = record.order.lines.iter().map(|l| l.total).sum();
        assert_eq!(lines + record.order.rounding, record.order.total);
        assert_eq!(
            record.order.payments.iter().map(|p| p.amount).sum::<i64>(),
            record.order.total
        );
        let moved = count(
            &s.kasir,
            &format!(
                "SELECT -SUM(delta) FROM stock_movements WHERE order_id = '{}' AND reason = 'sale'",
                record.order.id
            ),
        );
        assert_eq!(
            record
                .stock_movements
                .iter()
                .map(|m| m.quantity)
                .sum::<i64>(),
            moved
        );
    }
    let first = entries.iter().find_map(sale_of).unwrap();
    assert_eq!(first.order.id, sale.id.0);
    assert_eq!(first.order.lines[0].note, "panas");
    assert_eq!(
        first.order.payments[0].reference.as_deref(),
        Some("APPR 1234")
    );
    assert_eq!(first.stock_movements.len(), 1, "only the tracked product");

    let cancelled = entries
        .iter()
        .find_map(|e| match &e.payload {
            Payload::OrderCancelled(c) => Some(c),
            _ => None,
        })
        .unwrap();
    assert_eq!(cancelled.reason, "salah pesan");
    assert_eq!(cancelled.stock_returned[0].quantity, 1);
    assert_eq!(
        cancelled.approved_by, None,
        "a manager cancelled it themselves"
    );
    assert_eq!(cancelled.cancelled_by, m.id().0);

    // paging
    let page = s.kasir.outbox().entries(2, 3).unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 4, 5]);
}

fn sale_of(e: &Envelope) -> Option<&Sale> {
    match &e.payload {
        Payload::Sale(s) => Some(s),
        _ => None,
    }
}

#[test]
fn a_refused_action_leaves_no_outbox_entry_and_no_sequence_gap() {
    let s = shop();
    let p = s.product("Roti", 15_000, Some(1));
    let c = s.cashier.clone();
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
    assert!(matches!(
        s.kasir.sales().checkout(&c, t.id, &[cash(1)]),
        Err(kasir_core::Error::Underpaid { .. })
    ));
    s.sell(&[(&p, 1)]);
    let seqs: Vec<i64> = s
        .kasir
        .outbox()
        .entries(0, 100)
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
}

#[test]
fn an_unreadable_outbox_row_is_an_error_never_a_default() {
    let s = shop();
    let p = s.product("Roti", 15_000, None);
    s.sell(&[(&p, 1)]);
    let n = count(&s.kasir, "SELECT COUNT(*) FROM outbox");
    assert!(s.kasir.outbox().entries(0, 100).is_ok());
    for (column, bad) in [
        ("id", "not-a-uuid"),
        ("payload", "{not json"),
        ("payload", "{}"),
        ("created_at", "yesterday"),
    ] {
        let conn = s.kasir.connection();
        let before: String = conn
            .query_row(
                &format!("SELECT {column} FROM outbox WHERE seq = ?1"),
                [n],
                |r| r.get(0),
            )
            .unwrap();
        conn.execute(
            &format!("UPDATE outbox SET {column} = ?1 WHERE seq = ?2"),
            rusqlite::params![bad, n],
        )
        .unwrap();
        drop(conn);
        match s.kasir.outbox().entries(0, 100) {
            Err(kasir_core::Error::DatabaseCorrupt(msg)) => {
                assert!(msg.contains(&format!("outbox entry {n}")), "{msg}")
            }
            other => panic!("{column} = {bad:?}: expected DatabaseCorrupt, got {other:?}"),
        }
        s.kasir
            .connection()
            .execute(
                &format!("UPDATE outbox SET {column} = ?1 WHERE seq = ?2"),
                rusqlite::params![before, n],
            )
            .unwrap();
    }
    assert!(s.kasir.outbox().entries(0, 100).is_ok());
}

/// An audit entry whose detail cannot be read is an error naming the entry, never a null.
#[test]
fn an_unreadable_audit_entry_is_an_error() {
    let s = shop();
    assert!(s.kasir.audit().entries(&s.admin, 10).is_ok());
    s.kasir
        .connection()
        .execute(
            "INSERT INTO audit_log (seq, at, staff_id, action, detail, prev_hash, hash)
             VALUES ((SELECT MAX(seq) + 1 FROM audit_log), '2026-11-21T03:00:00.000000000Z', NULL, 'x', '{broken', '', '')",
            [],
        )
        .unwrap();
    match s.kasir.audit().entries(&s.admin, 10) {
        Err(kasir_core::Error::DatabaseCorrupt(msg)) => {
            assert!(msg.contains("audit entry"), "{msg}")
        }
        other => panic!("expected DatabaseCorrupt, got {other:?}"),
    }
}
