//! A batch the server refuses whole (here: one entry too large for its body limit) does not
//! stall the queue: the uploader goes one entry at a time through the refused batch, the
//! server applies the rest, the entry it refuses alone is set aside with its reason, and full
//! batches resume after it.

mod common;

use kasir_proto::api::MAX_BODY;
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::common::{cluster, start_server, terminal};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_too_large_for_the_server_is_set_aside_and_the_rest_flows() {
    let url = cluster().create_database();
    let (addr, _stop) = start_server(&url).await;
    let pool = kasir_server::connect(&url, 2).unwrap();
    let store = kasir_server::admin::create_store(&pool, "Braga")
        .await
        .unwrap();
    let t = terminal(&pool, store, 1, &format!("http://{addr}")).await;
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..5 {
        t.sell(&mut rng);
    }
    // An entry larger than any request the server reads (written by hand: the core's own
    // limits never make one).
    let huge = format!(
        r#"{{"id":"0190f1c2-0000-7000-8000-000000000099","name":"Kopi","sort_order":1,"active":true,"pad":"{}"}}"#,
        "x".repeat(MAX_BODY + 1)
    );
    let huge_seq = {
        let conn = t.k.connection();
        conn.execute(
            "INSERT INTO outbox (id, terminal, kind, payload, created_at)
             VALUES ('0190f1c2-0000-7000-8000-0000000000aa', 'T01', 'category_upserted', ?1,
                     '2026-12-03T10:00:00.000000000Z')",
            [&huge],
        )
        .unwrap();
        conn.last_insert_rowid()
    };
    for _ in 0..5 {
        t.sell(&mut rng);
    }
    let uploader = kasir_sync::Uploader::new(t.k.clone(), std::time::Duration::from_secs(30));
    let mut calls = 0;
    while uploader.push_once().await.unwrap().is_some() {
        calls += 1;
        assert!(calls < 40, "the queue does not drain");
    }
    let status = t.k.sync().status().unwrap();
    assert_eq!(status.pending, 0);
    assert_eq!(status.quarantined.len(), 1);
    assert_eq!(status.quarantined[0].seq, huge_seq);
    assert!(
        status.quarantined[0].reason.starts_with("too_large"),
        "{:?}",
        status.quarantined
    );
    // Every sale is on the server once (the set-aside entry is no sale).
    let sales: i64 = pool
        .get()
        .await
        .unwrap()
        .query_one("SELECT count(*) FROM orders", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(sales, 10);
    // The server holds a stand-in at the set-aside entry's sequence (with the reason), so the
    // terminal's run has no gap.
    let c = pool.get().await.unwrap();
    let held: i64 = c
        .query_one("SELECT held_through FROM terminals WHERE id = $1", &[&t.id])
        .await
        .unwrap()
        .get(0);
    assert_eq!(held, t.k.sync().head().unwrap());
    let stand_in: String = c
        .query_one(
            "SELECT entry FROM inbox WHERE terminal_id = $1 AND seq = $2 AND rejected IS NOT NULL",
            &[&t.id, &huge_seq],
        )
        .await
        .unwrap()
        .get(0);
    assert!(stand_in.contains("unsendable") && stand_in.contains("too_large"));
    // Sent once: nothing waits any more.
    assert!(t.k.sync().stand_ins(10).unwrap().is_empty());
}
