//! Crash test: a child process sells (to a member too, partly from her wallet, with a coupon), refunds, moves cash and closes shifts in a loop and is
//! killed (SIGKILL) at random moments. After each kill the reopened database passes
//! `PRAGMA integrity_check`, every sale, refund and Z report the child acknowledged is there
//! and complete, and no partial sale, refund or shift exists.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use kasir_core::catalog::{ProductQuery, ProductSort, StockReason};
use kasir_core::demo::seed_demo;
use kasir_core::sales::checkout::OrderId;
use kasir_core::{Actor, FixedClock, Kasir, SystemClock, db};

use crate::helpers::{count, start_time};

const ROUNDS: u64 = 25;

#[test]
fn killed_mid_sale_loses_nothing_and_leaves_no_partial_sale() {
    let dir = tempfile::tempdir().unwrap();
    let admin = {
        let k = Kasir::open(dir.path(), Arc::new(SystemClock)).unwrap();
        let shop = seed_demo(&k, false).unwrap();
        let menu = k
            .catalog()
            .list_products(
                &shop.admin,
                &ProductQuery {
                    limit: 500,
                    sort: ProductSort::Name,
                    ..Default::default()
                },
            )
            .unwrap();
        for p in menu
            .iter()
            .filter(|p| p.stock.is_some() && !p.has_modifiers)
        {
            k.catalog()
                .adjust_stock(
                    &shop.admin,
                    p.id,
                    1_000_000,
                    StockReason::Received,
                    "crash test",
                )
                .unwrap();
        }
        shop.admin
    };
    let mut acknowledged: Vec<OrderId> = Vec::new();
    let mut refunds: Vec<String> = Vec::new();
    let mut z_numbers: Vec<i64> = Vec::new();
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    for round in 0..ROUNDS {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = Duration::from_millis(seed % 250);
        let mut child = Command::new(env!("CARGO_BIN_EXE_kasir-demo"))
            .arg("sale-loop")
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let (others_tx, others) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(id) = line.strip_prefix("ACK ") {
                    let _ = tx.send(id.parse::<OrderId>().unwrap());
                } else {
                    let _ = others_tx.send(line);
                }
            }
        });
        // Wait for the first acknowledged sale (bounded), then kill at a random moment.
        let first = rx.recv_timeout(Duration::from_secs(30));
        if first.is_err() {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "round {round}: the child never sold: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(delay);
        child.kill().unwrap();
        child.wait().unwrap();
        reader.join().unwrap();
        acknowledged.extend(first);
        acknowledged.extend(rx.try_iter());
        for line in others.try_iter() {
            if let Some(id) = line.strip_prefix("REFUND ") {
                refunds.push(id.to_string());
            } else if let Some(n) = line.strip_prefix("Z ") {
                z_numbers.push(n.parse().unwrap());
            }
        }

        let k = Kasir::open(dir.path(), Arc::new(FixedClock::new(start_time()))).unwrap();
        db::integrity_check(&k.connection()).unwrap_or_else(|e| panic!("round {round}: {e}"));
        check_consistent(&k, &admin, &acknowledged, round);
        check_money(&k, &refunds, &z_numbers, round);
    }
    assert!(
        acknowledged.len() as u64 >= ROUNDS,
        "at least one sale per round"
    );
    assert!(
        !refunds.is_empty() && !z_numbers.is_empty(),
        "kills landed among refunds and closes: {} refunds, {} Z",
        refunds.len(),
        z_numbers.len()
    );
}

fn check_consistent(k: &Kasir, admin: &Actor, acknowledged: &[OrderId], round: u64) {
    for id in acknowledged {
        let o = k
            .sales()
            .order(admin, *id)
            .unwrap_or_else(|e| panic!("round {round}: acknowledged sale {id} lost: {e}"));
        assert!(!o.lines.is_empty());
        assert_eq!(
            o.payments.iter().map(|p| p.amount.0).sum::<i64>(),
            o.total.0
        );
    }
    let partial = [
        "SELECT COUNT(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id)",
        "SELECT COUNT(*) FROM orders o WHERE o.paid <> (SELECT COALESCE(SUM(amount), 0) FROM payments p WHERE p.order_id = o.id)",
        "SELECT COUNT(*) FROM orders o WHERE o.total <> o.rounding + (SELECT SUM(total) FROM order_lines l WHERE l.order_id = o.id)",
        "SELECT COUNT(*) FROM orders o WHERE (SELECT COUNT(*) FROM outbox x WHERE x.kind = 'sale' AND json_extract(x.payload, '$.order.id') = o.id) <> 1",
        "SELECT COUNT(*) FROM products p WHERE p.stock IS NOT NULL AND p.stock <> (SELECT COALESCE(SUM(delta), 0) FROM stock_movements m WHERE m.product_id = p.id)",
        "SELECT COUNT(*) FROM order_lines l WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = l.order_id)",
        "SELECT (SELECT MAX(seq) FROM outbox) - (SELECT COUNT(*) FROM outbox)",
        "SELECT COUNT(*) - COUNT(DISTINCT receipt_no) FROM orders",
    ];
    for sql in partial {
        assert_eq!(count(k, sql), 0, "round {round}: {sql}");
    }
}

/// Refunds and shifts after a kill: every acknowledged refund and Z report is there, and no
/// refund or shift is half written.
fn check_money(k: &Kasir, refunds: &[String], z_numbers: &[i64], round: u64) {
    for id in refunds {
        let n = count(
            k,
            &format!("SELECT COUNT(*) FROM refunds WHERE id = '{id}'"),
        );
        assert_eq!(n, 1, "round {round}: acknowledged refund {id} lost");
    }
    for z in z_numbers {
        let n = count(k, &format!("SELECT COUNT(*) FROM shifts WHERE z_no = {z}"));
        assert_eq!(n, 1, "round {round}: acknowledged Z report {z} lost");
    }
    let partial = [
        "SELECT COUNT(*) FROM refunds f WHERE NOT EXISTS (SELECT 1 FROM refund_lines l WHERE l.refund_id = f.id)",
        "SELECT COUNT(*) FROM refunds f WHERE f.total <> f.rounding + (SELECT SUM(total) FROM refund_lines l WHERE l.refund_id = f.id)",
        "SELECT COUNT(*) FROM refunds f WHERE f.total <> (SELECT COALESCE(SUM(amount), 0) FROM refund_payments p WHERE p.refund_id = f.id)",
        "SELECT COUNT(*) FROM refunds f WHERE (SELECT COUNT(*) FROM outbox x WHERE x.kind = 'refund' AND json_extract(x.payload, '$.id') = f.id) <> 1",
        "SELECT COUNT(*) FROM order_lines ol WHERE ol.quantity < (SELECT COALESCE(SUM(rl.quantity), 0) FROM refunds f JOIN refund_lines rl ON rl.refund_id = f.id WHERE f.order_id = ol.order_id AND rl.order_position = ol.position)",
        "SELECT COUNT(*) FROM shifts s WHERE (SELECT COUNT(*) FROM outbox x WHERE x.kind = 'shift_opened' AND json_extract(x.payload, '$.id') = s.id) <> 1",
        "SELECT COUNT(*) FROM shifts s WHERE s.closed_at IS NOT NULL AND (SELECT COUNT(*) FROM outbox x WHERE x.kind = 'shift_closed' AND json_extract(x.payload, '$.id') = s.id) <> 1",
        "SELECT COUNT(*) FROM shifts s WHERE s.closed_at IS NOT NULL AND s.variance <> s.counted - s.expected",
        "SELECT MAX(0, COUNT(*) - 1) FROM shifts WHERE closed_at IS NULL",
        "SELECT COALESCE(MAX(z_no), 0) - COUNT(z_no) FROM shifts",
        // Members: balances are their ledgers' sums; every entry went up once; a wallet
        // tender has its wallet entry, and an order's member earned its points with it.
        "SELECT COUNT(*) FROM members m WHERE m.points - m.points_owed <> (SELECT COALESCE(SUM(points), 0) FROM point_entries e WHERE e.member_id = m.id)",
        "SELECT COUNT(*) FROM members m WHERE m.wallet - m.wallet_owed <> (SELECT COALESCE(SUM(amount), 0) FROM wallet_entries e WHERE e.member_id = m.id)",
        "SELECT COUNT(*) FROM point_entries e WHERE (SELECT COUNT(*) FROM outbox x WHERE x.kind = 'points_entry' AND json_extract(x.payload, '$.id') = e.id) <> 1",
        "SELECT COUNT(*) FROM wallet_entries e WHERE (SELECT COUNT(*) FROM outbox x WHERE x.kind = 'wallet_entry' AND json_extract(x.payload, '$.id') = e.id) <> 1",
        "SELECT COUNT(*) FROM payments p WHERE p.method = 'wallet' AND p.amount <> (SELECT -SUM(amount) FROM wallet_entries e WHERE e.order_id = p.order_id AND e.kind = 'payment')",
        "SELECT COUNT(*) FROM orders o WHERE o.member_id IS NOT NULL AND o.total >= 10000 AND NOT EXISTS (SELECT 1 FROM point_entries e WHERE e.order_id = o.id AND e.kind = 'earn')",
        "SELECT COUNT(*) FROM cash_movements m WHERE (SELECT COUNT(*) FROM outbox x WHERE x.kind = 'cash_moved' AND json_extract(x.payload, '$.id') = m.id) <> 1",
        // Coupons: an order that names one has its use (of what it took), written with it and
        // sent up; no use without its order.
        "SELECT COUNT(*) FROM orders o WHERE o.coupon_code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM coupon_uses u WHERE u.order_id = o.id AND u.discount = o.coupon_discount)",
        "SELECT COUNT(*) FROM coupon_uses u WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = u.order_id AND o.coupon_code IS NOT NULL)",
        "SELECT COUNT(*) FROM coupon_uses u WHERE NOT EXISTS (SELECT 1 FROM outbox x WHERE x.kind = 'coupon_use' AND json_extract(x.payload, '$.id') = u.id)",
    ];
    for sql in partial {
        assert_eq!(count(k, sql), 0, "round {round}: {sql}");
    }
}

/// Kills `kasir-demo open DIR` after `delay`; returns whether it was still running.
fn open_and_kill(dir: &std::path::Path, delay: Duration) -> bool {
    run_and_kill("open", dir, delay)
}

/// Kills `kasir-demo COMMAND DIR` after `delay`; returns whether it was still running.
fn run_and_kill(command: &str, dir: &std::path::Path, delay: Duration) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kasir-demo"))
        .arg(command)
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for the delay, or less if the child finishes first.
    let started = std::time::Instant::now();
    while started.elapsed() < delay && child.try_wait().unwrap().is_none() {
        std::thread::sleep(Duration::from_micros(200));
    }
    let killed = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let status = child.wait().unwrap();
    assert!(
        killed || status.success(),
        "open failed by itself: {status}"
    );
    killed
}

/// A power cut during a first start, or during an upgrade to a newer schema, never leaves a
/// directory that later opens refuse: each migration commits together with its history row
/// and the file's application id.
#[test]
fn killed_during_first_start_or_upgrade_every_directory_opens_afterwards() {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut killed = [0, 0];
    for round in 0..400 {
        let dir = tempfile::tempdir().unwrap();
        let upgrade = round % 2 == 1;
        if upgrade {
            // A database of the first schema, with rows for the upgrade to rewrite.
            let conn = db::open_writer_up_to(&dir.path().join(kasir_core::DB_FILE), 1).unwrap();
            conn.execute_batch(
                "INSERT INTO staff (id, name, role, pin_hash, created_at)
                 VALUES ('0190f1c2-0000-7000-8000-000000000001', 'Ayu', 'admin', 'x', '2026-11-21T03:00:05.1Z');",
            )
            .unwrap();
        }
        let delay = Duration::from_micros(next() % 30_000);
        if open_and_kill(dir.path(), delay) {
            killed[upgrade as usize] += 1;
        }
        let k = Kasir::open(dir.path(), Arc::new(SystemClock))
            .unwrap_or_else(|e| panic!("round {round} (killed after {delay:?}): {e}"));
        db::integrity_check(&k.connection()).unwrap();
        let version: i64 = k
            .connection()
            .query_row(
                "SELECT MAX(version) FROM refinery_schema_history",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(version, db::schema_version());
        if upgrade {
            let at: String = k
                .connection()
                .query_row("SELECT created_at FROM staff", [], |r| r.get(0))
                .unwrap();
            assert_eq!(at, "2026-11-21T03:00:05.100000000Z", "round {round}");
        }
    }
    // The test only means something if the kills landed while the child was working.
    assert!(
        killed[0] > 20 && killed[1] > 20,
        "kills that landed: {killed:?}"
    );
}

/// What a seeded demo holds: staff, products, pictures, outbox entries.
fn demo_counts(k: &Kasir) -> [i64; 4] {
    [
        "SELECT COUNT(*) FROM staff",
        "SELECT COUNT(*) FROM products",
        "SELECT COUNT(*) FROM products WHERE image_id IS NOT NULL",
        "SELECT COUNT(*) FROM outbox",
    ]
    .map(|sql| count(k, sql))
}

/// Seeding the demo is one transaction: killed at any moment, the database holds the whole
/// demo or nothing, and a database with nothing can be seeded again (a killed seed used to
/// leave staff without a menu, and then refuse to seed again).
#[test]
fn killed_while_seeding_the_demo_leaves_all_of_it_or_none() {
    let reference = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    assert!(!run_and_kill(
        "seed",
        reference.path(),
        Duration::from_secs(120)
    ));
    let full_time = started.elapsed();
    let full = demo_counts(&Kasir::open(reference.path(), Arc::new(SystemClock)).unwrap());
    assert!(full[1] > 30 && full[2] == full[1], "the demo: {full:?}");

    let mut seed: u64 = 0x0DDB_1A5E_5BAD_5EED;
    let (mut empty, mut whole) = (0, 0);
    for round in 0..12 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let dir = tempfile::tempdir().unwrap();
        let delay = full_time.mul_f64((seed % 1000) as f64 / 1000.0);
        run_and_kill("seed", dir.path(), delay);
        let k = Kasir::open(dir.path(), Arc::new(SystemClock)).unwrap();
        db::integrity_check(&k.connection()).unwrap();
        let counts = demo_counts(&k);
        if counts == [0, 0, 0, 0] {
            empty += 1;
            assert!(k.people().needs_setup().unwrap());
            seed_demo(&k, false).unwrap_or_else(|e| panic!("round {round}: seeding again: {e}"));
        } else {
            whole += 1;
            assert_eq!(counts, full, "round {round} (killed after {delay:?})");
        }
    }
    assert!(
        empty > 0,
        "some kills landed before the commit ({empty} empty, {whole} whole)"
    );
}
