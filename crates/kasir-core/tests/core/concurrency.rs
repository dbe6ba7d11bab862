use std::sync::Arc;

use kasir_core::sales::tickets::{AddLine, OrderType};
use kasir_core::{Error, FixedClock, Kasir};

use crate::helpers::{cash, count, shop, start_time};

/// Two terminals' worth of writers race for the last units of one product: every sale that
/// was acknowledged is there, stock never goes below zero, and nothing is sold twice.
#[test]
fn two_writers_selling_the_last_units() {
    let s = shop();
    const STOCK: i64 = 30;
    let p = s.product("Croissant", 22_000, Some(STOCK));
    let cashier = s.cashier.clone();
    let dir = s.path().to_path_buf();
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let dir = dir.clone();
            let cashier = cashier.clone();
            std::thread::spawn(move || {
                let k = Kasir::open(&dir, Arc::new(FixedClock::new(start_time()))).unwrap();
                let mut sold = Vec::new();
                loop {
                    let t = k
                        .sales()
                        .open_ticket(&cashier, OrderType::Takeaway, "")
                        .unwrap();
                    let added = k.sales().add_to_ticket(
                        &cashier,
                        t.id,
                        AddLine {
                            product_id: p.id,
                            modifier_ids: vec![],
                            note: String::new(),
                            quantity: 1,
                        },
                    );
                    let t = match added {
                        Ok(t) => t,
                        Err(Error::InsufficientStock { .. }) => break,
                        Err(e) => panic!("{e:?}"),
                    };
                    match k.sales().checkout(&cashier, t.id, &[cash(100_000)]) {
                        Ok(order) => sold.push(order.id),
                        // the other writer took the last unit between add and pay
                        Err(Error::InsufficientStock { available: 0, .. }) => break,
                        Err(e) => panic!("{e:?}"),
                    }
                }
                sold
            })
        })
        .collect();
    let sold: Vec<_> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    assert_eq!(sold.len() as i64, STOCK, "every unit sold exactly once");
    assert_eq!(
        s.kasir.catalog().product(&cashier, p.id).unwrap().stock,
        Some(0)
    );
    for id in &sold {
        s.kasir.sales().order(&cashier, *id).unwrap();
    }
    assert_eq!(count(&s.kasir, "SELECT COUNT(*) FROM orders"), STOCK);
    assert_eq!(
        count(&s.kasir, "SELECT COUNT(DISTINCT receipt_no) FROM orders"),
        STOCK
    );
    assert_eq!(
        count(&s.kasir, "SELECT COUNT(*) FROM outbox WHERE kind = 'sale'"),
        STOCK
    );
}

/// Reads keep answering while the writer is busy: they run on the handle's reader pool, so a
/// search never waits for a sale's transaction (here one held open on purpose).
#[test]
fn readers_do_not_block_on_the_writer() {
    let s = shop();
    let p = s.product("Teh", 8_000, None);
    let writer = s.kasir.connection();
    writer.execute_batch("BEGIN IMMEDIATE").unwrap();
    writer
        .execute("UPDATE products SET name = 'Kopi' WHERE id = ?1", [p.id])
        .unwrap();
    let found = s
        .kasir
        .catalog()
        .search_products(&s.cashier, "teh", 10, false)
        .unwrap();
    assert_eq!(
        found.len(),
        1,
        "readers see the last commit, not the open transaction"
    );
    writer.execute_batch("ROLLBACK").unwrap();
    drop(writer);

    // and many readers at once, from threads, while sales commit
    let kasir = &s.kasir;
    let cashier = s.cashier.clone();
    let total: usize = std::thread::scope(|scope| {
        let searches: Vec<_> = (0..3)
            .map(|_| {
                scope.spawn(|| {
                    (0..100)
                        .map(|_| {
                            kasir
                                .catalog()
                                .search_products(&cashier, "teh", 10, false)
                                .unwrap()
                                .len()
                        })
                        .sum::<usize>()
                })
            })
            .collect();
        searches.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(total, 300);
}
