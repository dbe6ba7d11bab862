use std::sync::Arc;

use kasir_core::tickets::{AddLine, OrderType};
use kasir_core::{Error, FixedClock, Kasir};

use crate::helpers::{cash, count, shop, start_time};

/// Two terminals' worth of writers race for the last units of one product: every sale that
/// was acknowledged is there, stock never goes below zero, and nothing is sold twice.
#[test]
fn two_writers_selling_the_last_units() {
    let mut s = shop();
    const STOCK: i64 = 30;
    let p = s.product("Croissant", 22_000, Some(STOCK));
    let cashier = s.cashier.clone();
    let dir = s.path().to_path_buf();
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let dir = dir.clone();
            let cashier = cashier.clone();
            std::thread::spawn(move || {
                let mut k = Kasir::open(&dir, Arc::new(FixedClock::new(start_time()))).unwrap();
                let mut sold = Vec::new();
                loop {
                    let t = k.open_ticket(&cashier, OrderType::Takeaway, "").unwrap();
                    let added = k.add_to_ticket(
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
                    match k.checkout(&cashier, t.id, &[cash(100_000)]) {
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
    assert_eq!(s.kasir.product(&cashier, p.id).unwrap().stock, Some(0));
    for id in &sold {
        s.kasir.order(&cashier, *id).unwrap();
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

/// A reader keeps answering while a writer commits.
#[test]
fn readers_do_not_block_on_the_writer() {
    let mut s = shop();
    let p = s.product("Teh", 8_000, None);
    let reader = s.kasir.open_reader().unwrap();
    let cashier = s.cashier.clone();
    let handle = std::thread::spawn(move || {
        let mut found = 0;
        for _ in 0..200 {
            found += reader
                .search_products(&cashier, "teh", 10, false)
                .unwrap()
                .len();
        }
        found
    });
    for _ in 0..20 {
        s.sell(&[(&p, 1)]);
    }
    assert_eq!(handle.join().unwrap(), 200);
}
