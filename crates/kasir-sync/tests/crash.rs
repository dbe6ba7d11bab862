//! The uploader killed with SIGKILL in the middle of its work (a child process, batches of
//! two, killed at random moments while the till keeps selling), over and over; then one run
//! to the end. Every sale must be on the server exactly once with one stock effect, and the
//! sequence without a gap: a kill after the server committed but before the till recorded the
//! answer means the batch is sent again and answered `duplicate`.

mod common;

use std::process::Command;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::common::{check, cluster, start_server, terminal};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploader_killed_mid_batch_never_loses_or_doubles_a_sale() {
    let url = cluster().create_database();
    let (addr, _stop) = start_server(&url).await;
    let pool = kasir_server::connect(&url, 2).unwrap();
    let store = kasir_server::admin::create_store(&pool, "Braga")
        .await
        .unwrap();
    let t = terminal(&pool, store, 1, &format!("http://{addr}")).await;
    let mut rng = StdRng::seed_from_u64(0xdead);
    for _ in 0..300 {
        t.sell(&mut rng);
    }
    let drain = env!("CARGO_BIN_EXE_kasir-sync-drain");
    let mut killed_with_work_left = 0;
    for _ in 0..15 {
        let mut child = Command::new(drain)
            .arg(t.dir.path())
            .env("KASIR_SYNC_BATCH", "2")
            .spawn()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(rng.random_range(5..60))).await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        if t.k.sync().status().unwrap().pending > 0 {
            killed_with_work_left += 1;
        }
        for _ in 0..rng.random_range(2..8) {
            t.sell(&mut rng);
        }
    }
    assert!(
        killed_with_work_left >= 8,
        "most kills must land while entries wait ({killed_with_work_left} of 15)"
    );
    let finished = Command::new(drain).arg(t.dir.path()).status().unwrap();
    assert!(finished.success());
    check(&pool, &t).await.unwrap();
}

/// PostgreSQL killed (`pg_ctl -m immediate`) and started again, five times, while the till
/// sells and its uploader pushes: pushes fail (503) and are retried; nothing is lost or
/// doubled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_restarting_under_the_uploader_loses_and_doubles_nothing() {
    let own = kasir_testpg::Cluster::start(kasir_testpg::Durability::NoFsync);
    let url = own.create_database();
    let (addr, _stop) = start_server(&url).await;
    let pool = kasir_server::connect(&url, 2).unwrap();
    let store = kasir_server::admin::create_store(&pool, "Braga")
        .await
        .unwrap();
    let t = terminal(&pool, store, 1, &format!("http://{addr}")).await;
    let uploader = kasir_sync::Uploader::with_batch(t.k.clone(), Duration::from_secs(2), 4);
    let mut rng = StdRng::seed_from_u64(0xbeef);
    let mut failed = 0;
    for _ in 0..5 {
        for _ in 0..20 {
            t.sell(&mut rng);
        }
        for _ in 0..rng.random_range(1..6) {
            let _ = uploader.push_once().await;
        }
        own.crash();
        for _ in 0..3 {
            if uploader.push_once().await.is_err() {
                failed += 1;
            }
        }
        own.start_again();
    }
    assert!(
        failed >= 10,
        "pushes must have met the database down ({failed})"
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        match uploader.push_once().await {
            Ok(None) => break,
            Ok(Some(_)) => {}
            Err(e) => {
                assert!(std::time::Instant::now() < deadline, "did not drain: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    check(&pool, &t).await.unwrap();
}
