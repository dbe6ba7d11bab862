//! Fault schedules: terminals sell and sync through a proxy that follows a seeded plan (drop a
//! request; drop the answer after the server committed; send a request twice; replay an old
//! request late; answer 503; slow links; hold the answer past the client's timeout; restart
//! the server), and the schedule itself kills an uploader in the middle of a batch (its task
//! dropped at a random moment, a new uploader in its place, as after a `kill -9` of the app)
//! and, in about one schedule in a hundred, crashes PostgreSQL and starts it again. After each
//! schedule the network heals, and every sale committed on the terminal must be on the server
//! exactly once, with exactly one stock effect, and the terminal's sequence must have no gap;
//! likewise every refund (and the stock it put back), shift close and cash movement, coupon
//! use and redemption. The store's regular visits every till: a till that cannot reach the
//! server spends her points and wallet only up to the offline limits (and says so only then),
//! and once every till has taken the whole log, each holds her balances as the server's ledgers
//! sum them, with any shortfall owed.
//! (`crash.rs` kills a real uploader process with SIGKILL.)
//!
//! `KASIR_FAULT_SCHEDULES` sets how many (default 1000); `KASIR_FAULT_SEED=n` replays one.
//! A failing schedule prints its seed.

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kasir_sync::Uploader;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use uuid::Uuid;

use crate::common::{check, check_balances, cluster, start_server, terminal};

/// Where the proxy forwards to, and the server it started itself, if it did (a restart).
type Upstream = Arc<Mutex<(SocketAddr, Option<tokio::sync::oneshot::Sender<()>>)>>;

/// The client's timeout in these tests; the `Timeout` fault holds an answer longer.
const CLIENT_TIMEOUT: Duration = Duration::from_millis(400);

// ---------------------------------------------------------------- the proxy

#[derive(Debug, Clone, Copy)]
enum Fault {
    Pass,
    DropRequest,
    DropResponse,
    Duplicate,
    ReplayOld,
    Unavailable,
    Slow(u64),
    Timeout,
    RestartServer,
    /// Not the proxy's: the schedule drops an uploader mid-push and starts a new one.
    KillUploader,
    /// Not the proxy's: the schedule crashes PostgreSQL and starts it again.
    RestartPostgres,
    /// Not a fault: a till that could not reach its server refused a member's tender beyond
    /// the offline limit (counted to show the schedules reach it).
    OfflineLimitRefused,
    /// Not a fault: two tills spent the same balance while apart, and a member owes the rest.
    Owed,
}

/// Held (shared) while a schedule sets up, heals and checks; a PostgreSQL restart takes it
/// alone, so a restart lands only in schedules' faulty phases, never under a set-up or check.
static CALM: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

/// Crashes PostgreSQL and starts it again, then lets the checking pool find its broken
/// connections (the servers' pools find theirs on their next requests: 503, retried).
async fn restart_postgres(pool: &kasir_server::Pool) {
    let _alone = CALM.write().await;
    tokio::task::spawn_blocking(|| {
        cluster().crash();
        cluster().start_again();
    })
    .await
    .unwrap();
    for _ in 0..8 {
        let mut held = Vec::new();
        for _ in 0..4 {
            if let Ok(c) = pool.get().await {
                let _ = c.simple_query("SELECT 1").await;
                held.push(c);
            }
        }
    }
}

struct Plan {
    rng: StdRng,
    faulty: bool,
    log: Vec<Fault>,
}

impl Plan {
    fn next(&mut self) -> Fault {
        if !self.faulty {
            return Fault::Pass;
        }
        let f = match self.rng.random_range(0..100) {
            0..40 => Fault::Pass,
            40..50 => Fault::DropRequest,
            50..65 => Fault::DropResponse,
            65..73 => Fault::Duplicate,
            73..81 => Fault::ReplayOld,
            81..88 => Fault::Unavailable,
            88..93 => Fault::Slow(self.rng.random_range(1..40)),
            93..97 => Fault::Timeout,
            _ => Fault::RestartServer,
        };
        self.log.push(f);
        f
    }
}

struct Proxy {
    addr: SocketAddr,
    plan: Arc<Mutex<Plan>>,
    /// Dropped with the proxy: it stops, and so does a server it restarted.
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start_proxy(seed: u64, db_url: String, upstream: SocketAddr) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let plan = Arc::new(Mutex::new(Plan {
        rng: StdRng::seed_from_u64(seed),
        faulty: true,
        log: Vec::new(),
    }));
    let upstream: Upstream = Arc::new(Mutex::new((upstream, None)));
    let history: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let p = plan.clone();
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                a = listener.accept() => a,
                _ = &mut stopped => {
                    upstream.lock().unwrap().1.take();
                    return;
                }
            };
            let Ok((client, _)) = accepted else {
                return;
            };
            let (plan, upstream, history, db_url) =
                (p.clone(), upstream.clone(), history.clone(), db_url.clone());
            tokio::spawn(async move {
                let _ = handle(client, plan, upstream, history, db_url).await;
            });
        }
    });
    Proxy {
        addr,
        plan,
        _stop: stop,
    }
}

async fn handle(
    mut client: TcpStream,
    plan: Arc<Mutex<Plan>>,
    upstream: Upstream,
    history: Arc<Mutex<Vec<Vec<u8>>>>,
    db_url: String,
) -> std::io::Result<()> {
    let request = read_message(&mut client).await?;
    let fault = plan.lock().unwrap().next();
    if let Fault::RestartServer = fault {
        let (addr, stop) = start_server(&db_url).await;
        // The old one stops (if this proxy started it), finishing what it was doing.
        let _old = std::mem::replace(&mut *upstream.lock().unwrap(), (addr, Some(stop)));
    }
    let to = upstream.lock().unwrap().0;
    let old = {
        let h = history.lock().unwrap();
        (!h.is_empty()).then(|| h[h.len() / 2].clone())
    };
    history.lock().unwrap().push(request.clone());
    match fault {
        Fault::DropRequest => return Ok(()),
        Fault::Unavailable => {
            let body = r#"{"code":"unavailable","message":"proxy says 503"}"#;
            let head = format!(
                "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            client.write_all(head.as_bytes()).await?;
            client.write_all(body.as_bytes()).await?;
            return Ok(());
        }
        Fault::Slow(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
        _ => {}
    }
    let response = match fault {
        Fault::Duplicate => {
            let (a, b) = tokio::join!(forward(to, &request), forward(to, &request));
            let _ = b;
            a?
        }
        _ => forward(to, &request).await?,
    };
    match fault {
        Fault::DropResponse => return Ok(()),
        Fault::Timeout => {
            tokio::time::sleep(CLIENT_TIMEOUT + Duration::from_millis(100)).await;
            return Ok(());
        }
        _ => {}
    }
    client.write_all(&response).await?;
    client.shutdown().await?;
    if let (Fault::ReplayOld, Some(old)) = (fault, old) {
        // An old request arrives late, after newer ones.
        let _ = forward(to, &old).await;
    }
    Ok(())
}

async fn forward(to: SocketAddr, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut s = TcpStream::connect(to).await?;
    s.write_all(request).await?;
    read_message(&mut s).await
}

/// One HTTP/1.1 message, head and body (by content-length; none means no body).
async fn read_message(s: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(8192);
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(buf)
}

// ---------------------------------------------------------------- a schedule

struct World {
    db_url: String,
    pool: kasir_server::Pool,
    server: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn world() -> &'static World {
    static W: tokio::sync::OnceCell<World> = tokio::sync::OnceCell::const_new();
    W.get_or_init(|| async {
        let db_url = cluster().create_database();
        let (server, stop) = start_server(&db_url).await;
        let pool = kasir_server::connect(&db_url, 4).unwrap();
        World {
            db_url,
            pool,
            server,
            _stop: stop,
        }
    })
    .await
}

async fn run_schedule(seed: u64) -> anyhow::Result<Vec<Fault>> {
    let w = world().await;
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    let setting_up = CALM.read().await;
    let proxy = start_proxy(seed, w.db_url.clone(), w.server).await;
    let store =
        kasir_server::admin::create_store(&w.pool, &format!("store-{seed}-{}", Uuid::now_v7()))
            .await?;
    let n_terminals = rng.random_range(1..=2);
    let mut terminals = Vec::new();
    for i in 1..=n_terminals {
        terminals.push(terminal(&w.pool, store, i, &format!("http://{}", proxy.addr)).await);
    }
    let batch = rng.random_range(1..=6);
    let mut uploaders: Vec<Uploader> = terminals
        .iter()
        .map(|t| Uploader::with_batch(t.k.clone(), CLIENT_TIMEOUT, batch))
        .collect();

    drop(setting_up);

    // Faulty: sell and push, interleaved.
    let steps = rng.random_range(4..12);
    let restart_postgres_at = (rng.random_range(0..100) == 0).then(|| rng.random_range(0..steps));
    for step in 0..steps {
        if restart_postgres_at == Some(step) {
            restart_postgres(&w.pool).await;
            proxy.plan.lock().unwrap().log.push(Fault::RestartPostgres);
        }
        for (t, u) in terminals.iter().zip(uploaders.iter_mut()) {
            for _ in 0..rng.random_range(0..=2) {
                t.sell(&mut rng);
            }
            if rng.random_range(0..100) < 25 {
                t.restock_or_count(&mut rng);
            }
            if rng.random_range(0..100) < 30 {
                for _ in 0..t.money_work(&mut rng) {
                    proxy
                        .plan
                        .lock()
                        .unwrap()
                        .log
                        .push(Fault::OfflineLimitRefused);
                }
            }
            if rng.random_range(0..100) < 8 {
                // Killed mid-batch: before, during or after the request, or after the answer
                // was recorded; a new uploader takes over, knowing only what the till stored.
                let cut = Duration::from_millis(rng.random_range(0..25));
                let _ = tokio::time::timeout(cut, u.push_once()).await;
                *u = Uploader::with_batch(t.k.clone(), CLIENT_TIMEOUT, batch);
                proxy.plan.lock().unwrap().log.push(Fault::KillUploader);
            } else {
                // As the uploader's loop does: a failure is recorded (the till is offline
                // until its next contact), and a push that went through is followed by a pull.
                let mut done = u.push_once().await.map(|_| ());
                if done.is_ok() {
                    done = u.pull_once().await.map(|_| ());
                }
                match done {
                    Ok(()) => t.k.sync().record_success()?,
                    Err(e) => t.k.sync().record_failure(&e.to_string())?,
                }
            }
        }
    }
    // The network heals: everything drains. The servers' pools may still hold connections a
    // PostgreSQL restart broke: such an answer (503) is retried, as the uploader would.
    proxy.plan.lock().unwrap().faulty = false;
    let _calm = CALM.read().await;
    for u in &uploaders {
        let (mut rounds, mut retries) = (0, 0);
        loop {
            match u.push_once().await {
                Ok(None) => break,
                Ok(Some(_)) => {}
                Err(e) if e.is_retryable() && retries < 20 => {
                    retries += 1;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => anyhow::bail!("after healing: {e}"),
            }
            rounds += 1;
            if rounds > 200 {
                anyhow::bail!("did not drain");
            }
        }
    }
    // Late replays may still be in flight: let them land before checking.
    tokio::time::sleep(Duration::from_millis(20)).await;
    for t in &terminals {
        check(&w.pool, t).await?;
    }
    // Every till takes the store's whole log: members' balances converge to the server's.
    for (t, u) in terminals.iter().zip(&uploaders) {
        let mut retries = 0;
        loop {
            match u.pull_once().await {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) if e.is_retryable() && retries < 20 => {
                    retries += 1;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => anyhow::bail!("pulling after healing: {e}"),
            }
        }
        if check_balances(&w.pool, t).await? {
            proxy.plan.lock().unwrap().log.push(Fault::Owed);
        }
    }
    let log = proxy.plan.lock().unwrap().log.clone();
    Ok(log)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sale_reaches_the_server_exactly_once_whatever_the_network_does() {
    let seeds: Vec<u64> = match std::env::var("KASIR_FAULT_SEED") {
        Ok(s) => vec![s.parse().expect("KASIR_FAULT_SEED is a number")],
        Err(_) => {
            let n: u64 = std::env::var("KASIR_FAULT_SCHEDULES")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(1000);
            (1..=n).collect()
        }
    };
    let started = std::time::Instant::now();
    let mut seen = std::collections::HashMap::<String, usize>::new();
    for chunk in seeds.chunks(4) {
        let mut set = tokio::task::JoinSet::new();
        for &seed in chunk {
            set.spawn(async move { (seed, run_schedule(seed).await) });
        }
        if std::env::var_os("KASIR_FAULT_DEBUG").is_some() {
            let c = world().await.pool.get().await.unwrap();
            let n: i64 = c
                .query_one("SELECT count(*) FROM pg_stat_activity", &[])
                .await
                .unwrap()
                .get(0);
            eprintln!("connections: {n}");
        }
        while let Some(done) = set.join_next().await {
            let (seed, result) = done.unwrap();
            match result {
                Ok(log) => {
                    for f in log {
                        let name = format!("{f:?}");
                        let name = name.split('(').next().unwrap().to_owned();
                        *seen.entry(name).or_default() += 1;
                    }
                }
                Err(e) => panic!(
                    "schedule {seed} failed: {e}\nreplay: KASIR_FAULT_SEED={seed} cargo test -p kasir-sync --test faults"
                ),
            }
        }
    }
    eprintln!(
        "{} schedules in {:.1} s; faults injected: {seen:?}",
        seeds.len(),
        started.elapsed().as_secs_f64()
    );
    if seeds.len() >= 1000 {
        assert!(
            seen.get("RestartPostgres").copied().unwrap_or(0) > 0,
            "PostgreSQL was never restarted"
        );
    }
    if seeds.len() >= 100 {
        for fault in [
            "DropRequest",
            "DropResponse",
            "Duplicate",
            "ReplayOld",
            "Unavailable",
            "Slow",
            "Timeout",
            "RestartServer",
            "KillUploader",
            "OfflineLimitRefused",
        ] {
            assert!(
                seen.get(fault).copied().unwrap_or(0) > 0,
                "{fault} was never injected"
            );
        }
    }
}
