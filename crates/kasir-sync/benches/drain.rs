//! The sync bars (DESIGN.md), on demand: `cargo bench -p kasir-sync --bench drain`.
//!
//! - Drain 10,000 queued orders (5 lines each) from one terminal to a local PostgreSQL
//!   (fsync on), through the real server over HTTP: bar ≤ 3 s.
//! - Replay the same 10,000 (all duplicates): bar ≤ 1 s, with zero double effects.
//! - The same rows written by a raw `COPY` in the same run: the server's ingest must reach
//!   ≥ 0.6× its speed.
//!
//! `KASIR_BENCH_ORDERS` changes the count.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::SinkExt;
use kasir_core::{Kasir, SystemClock};
use kasir_proto::{Payload, fixtures};
use kasir_sync::Uploader;
use kasir_testpg::{Cluster, Durability};
use uuid::Uuid;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let orders: usize = std::env::var("KASIR_BENCH_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let cluster = Cluster::start(Durability::Fsync);
    let url = cluster.create_database();
    let pool = kasir_server::connect(&url, 8).unwrap();
    kasir_server::migrate(&pool).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(kasir_server::serve(
        listener,
        kasir_server::AppState::new(pool.clone()),
        std::future::pending(),
    ));

    // A terminal with `orders` sales queued: written straight into its outbox, as checkout
    // writes them (the drain is what is measured).
    let dir = tempfile::tempdir().unwrap();
    let k = Arc::new(Kasir::open(dir.path(), Arc::new(SystemClock)).unwrap());
    let admin = k.people().create_first_admin("Ayu", "1111").unwrap();
    let products: Vec<Uuid> = (0..50).map(|_| Uuid::now_v7()).collect();
    let now = jiff::Timestamp::now();
    let mut envelopes = Vec::with_capacity(orders);
    {
        let mut conn = k.connection();
        let tx = conn.transaction().unwrap();
        for i in 0..orders {
            let lines: Vec<(Uuid, i64, i64)> = (0..5)
                .map(|j| {
                    (
                        products[(i * 5 + j) % products.len()],
                        1 + (j as i64 % 3),
                        18_000,
                    )
                })
                .collect();
            let sale = fixtures::sale(Uuid::now_v7(), &format!("T01-{:06}", i + 1), now, &lines);
            let e = fixtures::envelope("T01", 0, now, Payload::Sale(sale));
            tx.execute(
                "INSERT INTO outbox (id, terminal, kind, payload, created_at)
                 VALUES (?1, 'T01', 'sale', ?2, ?3)",
                rusqlite::params![
                    e.id.to_string(),
                    e.payload.body_json().unwrap(),
                    "2026-12-03T10:00:00.000000000Z"
                ],
            )
            .unwrap();
            envelopes.push(e);
        }
        tx.commit().unwrap();
    }
    let store = kasir_server::admin::create_store(&pool, "Bench")
        .await
        .unwrap();
    let code =
        kasir_server::admin::enrolment_code(&pool, store, jiff::SignedDuration::from_hours(1))
            .await
            .unwrap();
    kasir_sync::enrol(&k, &admin, &format!("http://{addr}"), true, &code, "bench")
        .await
        .unwrap();
    let uploader = Uploader::new(k.clone(), Duration::from_secs(30));

    let started = Instant::now();
    let mut batches = 0;
    while uploader.push_once().await.unwrap().is_some() {
        batches += 1;
    }
    let drain = started.elapsed();

    let c = pool.get().await.unwrap();
    let count = |sql: &'static str| {
        let c = &c;
        async move { c.query_one(sql, &[]).await.unwrap().get::<_, i64>(0) }
    };
    let stored_orders = count("SELECT count(*) FROM orders").await;
    let stored_lines = count("SELECT count(*) FROM order_lines").await;
    let stored_moves = count("SELECT count(*) FROM stock_movements").await;
    let level = count("SELECT sum(level)::bigint FROM stock_levels").await;

    // Replay: the terminal forgets it was answered and sends everything again.
    k.connection()
        .execute("UPDATE sync_state SET acked_seq = 0", [])
        .unwrap();
    let started = Instant::now();
    while uploader.push_once().await.unwrap().is_some() {}
    let replay = started.elapsed();
    let doubled = count("SELECT count(*) FROM orders").await != stored_orders
        || count("SELECT count(*) FROM order_lines").await != stored_lines
        || count("SELECT count(*) FROM stock_movements").await != stored_moves
        || count("SELECT sum(level)::bigint FROM stock_levels").await != level;

    // The server's ingest alone (no HTTP, no terminal): the same entries for a new terminal,
    // in batches of 500, through `push::ingest`.
    let terminal = kasir_server::auth::Terminal {
        id: Uuid::now_v7(),
        store_id: kasir_server::admin::create_store(&pool, "Ingest")
            .await
            .unwrap(),
    };
    c.execute(
        "INSERT INTO terminals (id, store_id, code, name, token_hash) VALUES ($1, $2, 'T01', '', $3)",
        &[&terminal.id, &terminal.store_id, &vec![1u8; 32]],
    )
    .await
    .unwrap();
    let mut fresh = Vec::with_capacity(orders);
    for (i, e) in envelopes.iter().enumerate() {
        let mut e = e.clone();
        e.seq = i as i64 + 1;
        if let Payload::Sale(s) = &mut e.payload {
            s.order.id = Uuid::now_v7();
        }
        fresh.push(serde_json::value::to_raw_value(&e).unwrap());
    }
    let started = Instant::now();
    for chunk in fresh.chunks(500) {
        kasir_server::push::ingest(
            &pool,
            terminal,
            kasir_proto::api::PushRequest {
                head: orders as i64,
                entries: chunk.to_vec(),
            },
        )
        .await
        .unwrap();
    }
    let ingest = started.elapsed();

    // The physical floor: the same rows by COPY into tables shaped like the server's.
    let copy = copy_floor(&c, &envelopes, store).await;

    let secs = |d: Duration| d.as_secs_f64();
    println!("sync drain, {orders} orders x 5 lines, one terminal, PostgreSQL with fsync:");
    println!(
        "  drain   {:>7.3} s  ({batches} batches, {:.0} orders/s)  bar <= 3 s: {}",
        secs(drain),
        orders as f64 / secs(drain),
        if secs(drain) <= 3.0 { "PASS" } else { "MISS" }
    );
    println!(
        "  replay  {:>7.3} s  (all duplicates; double effects: {})  bar <= 1 s: {}",
        secs(replay),
        if doubled { "YES" } else { "none" },
        if secs(replay) <= 1.0 && !doubled {
            "PASS"
        } else {
            "MISS"
        }
    );
    println!(
        "  COPY    {:>7.3} s  (the same orders, lines, payments, movements and inbox rows)",
        secs(copy)
    );
    println!(
        "  ingest  {:>7.3} s  (the server's push::ingest alone, batches of 500, no HTTP)",
        secs(ingest)
    );
    let ratio = secs(copy) / secs(ingest);
    println!(
        "  ingest speed / COPY speed: {ratio:.2}x  bar >= 0.6x: {}  (end to end with HTTP and the terminal: {:.2}x)",
        if ratio >= 0.6 { "PASS" } else { "MISS" },
        secs(copy) / secs(drain)
    );
    assert!(!doubled, "a replay doubled an effect");
    assert_eq!(stored_orders as usize, orders);
}

/// A stand-in digest of the same size as the server's (the floor must write the same bytes).
fn sha256_hex(text: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in text.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}").repeat(4)
}

async fn copy_floor(
    c: &deadpool_postgres::Client,
    envelopes: &[kasir_proto::Envelope],
    store: Uuid,
) -> Duration {
    for t in [
        "inbox",
        "orders",
        "order_lines",
        "payments",
        "stock_movements",
    ] {
        c.batch_execute(&format!(
            "CREATE TABLE copy_{t} (LIKE {t} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)"
        ))
        .await
        .unwrap();
    }
    let terminal = Uuid::now_v7();
    let mut inbox = String::new();
    let mut orders = String::new();
    let mut lines = String::new();
    let mut payments = String::new();
    let mut moves = String::new();
    for (i, e) in envelopes.iter().enumerate() {
        let Payload::Sale(s) = &e.payload else {
            continue;
        };
        let o = &s.order;
        let entry = serde_json::to_value(e)
            .unwrap()
            .to_string()
            .replace('\\', "\\\\");
        let digest: String = sha256_hex(&entry);
        inbox += &format!(
            "{terminal}\t{}\t{}\t1\tsale\t{entry}\t\\\\x{digest}\t2026-12-03 10:00:00+00\t\\N\n",
            i + 1,
            e.id
        );
        orders += &format!(
            // Then shift_id, member_id, delivery_address and out_for_delivery_at (V5, V6,
            // V11), empty for these sales as in the ingest.
            "{}\t{store}\t{terminal}\t{}\t{}\t{}\t{}\tpending\t{}\tSari\ttakeaway\t\tIDR\t0\t{}\t0\t0\t0\t0\t{}\t{}\t0\t{{}}\t\\N\t\\N\t\\N\t\\N\n",
            o.id,
            i + 1,
            o.receipt_no,
            o.business_date,
            o.created_at,
            o.staff_id,
            o.subtotal,
            o.total,
            o.paid
        );
        for (n, l) in o.lines.iter().enumerate() {
            lines += &format!(
                "{}\t{n}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t0\t0\t0\t0\t{}\t\t\\N\n",
                o.id,
                l.product_id,
                l.product_name,
                l.category_name,
                l.quantity,
                l.base_price,
                l.unit_price,
                l.gross,
                l.total
            );
        }
        for (n, p) in o.payments.iter().enumerate() {
            payments += &format!(
                "{}\t{n}\tcash\t{}\t{}\t0\t\\N\n",
                o.id, p.amount, p.tendered
            );
        }
        let mut seen = std::collections::BTreeMap::new();
        for m in &s.stock_movements {
            *seen.entry(m.product_id).or_insert(0) += m.quantity;
        }
        for (p, q) in seen {
            moves += &format!("{terminal}\t{}\t{p}\t{store}\t{}\tsale\n", i + 1, -q);
        }
    }
    let started = Instant::now();
    c.batch_execute("BEGIN").await.unwrap();
    for (table, data) in [
        ("copy_inbox", inbox),
        ("copy_orders", orders),
        ("copy_order_lines", lines),
        ("copy_payments", payments),
        ("copy_stock_movements", moves),
    ] {
        let sink = c
            .copy_in::<_, std::io::Cursor<Vec<u8>>>(&format!("COPY {table} FROM STDIN"))
            .await
            .unwrap();
        futures_util::pin_mut!(sink);
        sink.send(std::io::Cursor::new(data.into_bytes()))
            .await
            .unwrap();
        sink.close().await.unwrap();
    }
    c.batch_execute("COMMIT").await.unwrap();
    started.elapsed()
}
