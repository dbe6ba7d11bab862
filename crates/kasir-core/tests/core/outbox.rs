use std::collections::HashSet;

use kasir_core::catalog::StockReason;
use kasir_core::checkout::{PaymentInput, PaymentMethod, SaleRecord};
use kasir_core::pricing::Discount;
use kasir_core::tickets::{AddLine, OrderType};

use crate::helpers::{cash, count, shop};

#[test]
fn every_action_the_server_needs_is_in_the_outbox_and_complete() {
    let mut s = shop();
    let c = s.cashier.clone();
    let m = s.manager.clone();
    let before = count(&s.kasir, "SELECT COUNT(*) FROM outbox");
    let kopi = s.product("Kopi", 25_000, None); // product_upserted
    let roti = s.product("Roti", 15_000, Some(10)); // product_upserted (with its initial stock)
    s.kasir
        .adjust_stock(&m, roti.id, 5, StockReason::Restock, "pagi")
        .unwrap(); // stock_adjusted

    let t = s
        .kasir
        .open_ticket(&c, OrderType::DineIn, "Meja 9")
        .unwrap();
    s.kasir
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
        .set_order_discount(&m, None, t.id, Some(Discount::Percent(1500)))
        .unwrap();
    let t = s.kasir.ticket(&c, t.id).unwrap();
    let due = t.totals.total.0;
    let sale = s
        .kasir
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
        .advance_order(&c, second.id, kasir_core::checkout::OrderStatus::Preparing)
        .unwrap();
    s.kasir
        .cancel_order(&m, None, second.id, "salah pesan")
        .unwrap();

    let entries = s.kasir.outbox_entries(0, 1000).unwrap();
    let kinds: Vec<&str> = entries[before as usize..]
        .iter()
        .map(|e| e.kind.as_str())
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
    for e in entries.iter().filter(|e| e.kind == "sale") {
        let record: SaleRecord = serde_json::from_value(e.payload.clone()).unwrap();
        let stored = s.kasir.order(&c, record.order.id).unwrap();
        let mut expected = stored.clone();
        expected.status = kasir_core::checkout::OrderStatus::Pending; // as it was when sold
        expected.cancel_reason = None;
        assert_eq!(record.order, expected);
        let lines: i64 = record.order.lines.iter().map(|l| l.total.0).sum();
        assert_eq!(lines + record.order.rounding.0, record.order.total.0);
        assert_eq!(
            record
                .order
                .payments
                .iter()
                .map(|p| p.amount.0)
                .sum::<i64>(),
            record.order.total.0
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
    let first: SaleRecord = serde_json::from_value(
        entries
            .iter()
            .find(|e| e.kind == "sale")
            .unwrap()
            .payload
            .clone(),
    )
    .unwrap();
    assert_eq!(first.order.id, sale.id);
    assert_eq!(first.order.lines[0].note, "panas");
    assert_eq!(
        first.order.payments[0].reference.as_deref(),
        Some("APPR 1234")
    );
    assert_eq!(first.stock_movements.len(), 1, "only the tracked product");

    let cancelled = entries
        .iter()
        .find(|e| e.kind == "order_cancelled")
        .unwrap();
    assert_eq!(cancelled.payload["reason"], "salah pesan");
    assert_eq!(cancelled.payload["stock_returned"][0]["quantity"], 1);

    // paging
    let page = s.kasir.outbox_entries(2, 3).unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 4, 5]);
}

#[test]
fn a_refused_action_leaves_no_outbox_entry_and_no_sequence_gap() {
    let mut s = shop();
    let p = s.product("Roti", 15_000, Some(1));
    let c = s.cashier.clone();
    let t = s.kasir.open_ticket(&c, OrderType::Takeaway, "").unwrap();
    let t = s
        .kasir
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
    assert!(s.kasir.checkout(&c, t.id, &[cash(1)]).is_err());
    s.sell(&[(&p, 1)]);
    let seqs: Vec<i64> = s
        .kasir
        .outbox_entries(0, 100)
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
}
