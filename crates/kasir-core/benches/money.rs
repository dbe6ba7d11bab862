//! The money side's speed bars (issue 11), measured on demand (not a test): prints medians and
//! p99.
//!
//! ```text
//! cargo bench -p kasir-core --bench money
//! ```
//!
//! On a year of a busy café (365 days × 685 orders: 250,025 orders, about a million lines, one
//! in a hundred refunded, a closed shift a day), made once under `target/bench-data/` and
//! reused: the open shift's X report and a past shift's Z report ≤ 100 ms; closing a shift
//! (its Z) ≤ 100 ms; a sale still commits with p99 ≤ 50 ms while reports run without pause on
//! another thread (with the same sales alone beside it, for comparison); a sales report over
//! any range (today, yesterday, this week, this month, a random range, the whole year) p99 ≤
//! 200 ms, and a sale p99 ≤ 50 ms while whole-year reports run.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use kasir_core::catalog::{ProductQuery, ProductSort};
use kasir_core::demo::generate_products;
use kasir_core::demo::history::generate_sales_history;
use kasir_core::reports::ReportRange;
use kasir_core::sales::checkout::{PaymentInput, PaymentMethod};
use kasir_core::sales::shifts::CashCount;
use kasir_core::sales::tickets::{AddLine, OrderType};
use kasir_core::{Actor, Kasir, Money, SystemClock};

const PIN: &str = "1111";
const DAYS: u32 = 365;
const PER_DAY: u32 = 685;

fn bench_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stats(name: &str, mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let pct = |p: f64| samples[((samples.len() as f64 - 1.0) * p).round() as usize];
    let (p50, p99) = (pct(0.5), pct(0.99));
    println!(
        "{name:<52} n={:<4} p50 {:>9.3} ms  p99 {:>9.3} ms  max {:>9.3} ms",
        samples.len(),
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        samples.last().unwrap().as_secs_f64() * 1e3
    );
    (p50, p99)
}

fn verdict(ok: bool, what: String) {
    println!("  {} {what}", if ok { "PASS" } else { "MISS" });
}

/// The year, made once: a shop with 300 products, a year of sales, today's shift open.
fn year() -> (PathBuf, Actor) {
    let dir = bench_dir().join(format!("year-{DAYS}x{PER_DAY}"));
    let done = dir.join("ready");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let k = Kasir::open(&dir, Arc::new(SystemClock)).unwrap();
        let admin = k.people().create_first_admin("Bench", PIN).unwrap();
        generate_products(&k, &admin, 300, 12).unwrap();
        let started = Instant::now();
        let made = generate_sales_history(&k, &admin, DAYS, PER_DAY).unwrap();
        println!(
            "generated {} orders, {} lines, {} refunds, {} shifts in {:.1} s",
            made.orders,
            made.lines,
            made.refunds,
            made.shifts,
            started.elapsed().as_secs_f64()
        );
        k.connection()
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        drop(k);
        std::fs::write(&done, b"").unwrap();
    }
    let k = Kasir::open(&dir, Arc::new(SystemClock)).unwrap();
    let admin = k.people().list_staff().unwrap()[0].id;
    let admin = k.people().login(admin, PIN).unwrap();
    (dir, admin)
}

fn sell(k: &Kasir, actor: &Actor, product: kasir_core::catalog::ProductId) -> Duration {
    let started = Instant::now();
    let t = k
        .sales()
        .open_ticket(actor, OrderType::Takeaway, "")
        .unwrap();
    let t = k
        .sales()
        .add_to_ticket(
            actor,
            t.id,
            AddLine {
                product_id: product,
                modifier_ids: vec![],
                note: String::new(),
                quantity: 1,
            },
        )
        .unwrap();
    k.sales()
        .checkout(
            actor,
            t.id,
            &[PaymentInput {
                method: PaymentMethod::Cash,
                amount: t.totals.total.0,
                reference: None,
            }],
        )
        .unwrap();
    started.elapsed()
}

fn main() {
    println!("Kasir money benchmarks (2 cores)");
    let (dir, admin) = year();
    // A copy to write to: the year stays as made for the next run.
    let work = tempfile::tempdir_in(bench_dir()).unwrap();
    std::fs::copy(
        dir.join(kasir_core::DB_FILE),
        work.path().join(kasir_core::DB_FILE),
    )
    .unwrap();
    let k = Arc::new(Kasir::open(work.path(), Arc::new(SystemClock)).unwrap());
    let counts: (i64, i64) = k
        .connection()
        .query_row(
            "SELECT (SELECT COUNT(*) FROM orders), (SELECT COUNT(*) FROM order_lines)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    println!("the year: {} orders, {} lines", counts.0, counts.1);

    let x = k.shifts().x_report(&admin).unwrap();
    println!(
        "  today's shift: {} orders, expected cash {}",
        x.orders, x.cash.expected.0
    );
    let samples = (0..40)
        .map(|_| {
            let t = Instant::now();
            k.shifts().x_report(&admin).unwrap();
            t.elapsed()
        })
        .collect();
    let (_, x_p99) = stats("X report of the open shift", samples);
    verdict(
        x_p99 <= Duration::from_millis(100),
        format!("X report p99 {x_p99:?} (bar 100 ms)"),
    );

    let past = k.shifts().history(&admin, 200).unwrap();
    let samples = (0..40)
        .map(|i| {
            let id = past[1 + i % (past.len() - 1)].id;
            let t = Instant::now();
            k.shifts().report(&admin, id).unwrap();
            t.elapsed()
        })
        .collect();
    let (_, z_p99) = stats("Z report of a past shift (a reprint)", samples);
    verdict(
        z_p99 <= Duration::from_millis(100),
        format!("Z reprint p99 {z_p99:?} (bar 100 ms)"),
    );

    // Sales alone, then sales while reports run without pause on another thread.
    let product = k
        .catalog()
        .list_products(
            &admin,
            &ProductQuery {
                limit: 50,
                sort: ProductSort::Name,
                ..Default::default()
            },
        )
        .unwrap()
        .into_iter()
        .find(|p| p.stock.is_none() && !p.has_modifiers)
        .map(|p| p.id)
        .expect("an untracked product");
    let alone: Vec<Duration> = (0..200).map(|_| sell(&k, &admin, product)).collect();
    stats("sale, alone", alone);
    let running = Arc::new(AtomicBool::new(true));
    let reports = Arc::new(AtomicU64::new(0));
    let reader = {
        let (k, admin, running, reports) =
            (k.clone(), admin.clone(), running.clone(), reports.clone());
        std::thread::spawn(move || {
            while running.load(Ordering::Relaxed) {
                k.shifts().x_report(&admin).unwrap();
                reports.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    let during: Vec<Duration> = (0..200).map(|_| sell(&k, &admin, product)).collect();
    running.store(false, Ordering::Relaxed);
    reader.join().unwrap();
    let (_, sale_p99) = stats("sale, while X reports run on another thread", during);
    println!(
        "  ({} X reports ran meanwhile)",
        reports.load(Ordering::Relaxed)
    );
    verdict(
        sale_p99 <= Duration::from_millis(50),
        format!("sale p99 {sale_p99:?} during reports (bar 50 ms)"),
    );

    // Sales reports: the past days' summaries first (the app writes them in the background).
    let t = Instant::now();
    let days = k.reports().prepare(10_000).unwrap();
    println!(
        "summaries of {days} past days written in {:.1} s (once; then a day each night)",
        t.elapsed().as_secs_f64()
    );
    let today = k.settings().today().unwrap();
    let year_ago = today.checked_sub(jiff::Span::new().days(364)).unwrap();
    let mut samples = Vec::new();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..60 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let range = match i % 6 {
            0 => ReportRange::Today,
            1 => ReportRange::Yesterday,
            2 => ReportRange::ThisWeek,
            3 => ReportRange::ThisMonth,
            4 => ReportRange::Custom {
                from: year_ago,
                to: today,
            },
            _ => {
                let a = year_ago
                    .checked_add(jiff::Span::new().days((x % 300) as i64))
                    .unwrap();
                let b = a
                    .checked_add(jiff::Span::new().days((x % 64) as i64))
                    .unwrap();
                ReportRange::Custom {
                    from: a,
                    to: b.min(today),
                }
            }
        };
        let t = Instant::now();
        let r = k.reports().sales(&admin, range).unwrap();
        samples.push(t.elapsed());
        assert!(r.by_hour.len() == 24);
    }
    let (_, report_p99) = stats("sales report, any range (today … a whole year)", samples);
    verdict(
        report_p99 <= Duration::from_millis(200),
        format!("report p99 {report_p99:?} (bar 200 ms)"),
    );
    let year = ReportRange::Custom {
        from: year_ago,
        to: today,
    };
    let samples = (0..10)
        .map(|_| {
            let t = Instant::now();
            k.reports().sales(&admin, year).unwrap();
            t.elapsed()
        })
        .collect();
    stats("sales report, the whole year", samples);
    let running = Arc::new(AtomicBool::new(true));
    let reader = {
        let (k, admin, running, reports) =
            (k.clone(), admin.clone(), running.clone(), reports.clone());
        std::thread::spawn(move || {
            while running.load(Ordering::Relaxed) {
                k.reports().sales(&admin, year).unwrap();
                reports.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    let before = reports.load(Ordering::Relaxed);
    let during: Vec<Duration> = (0..200).map(|_| sell(&k, &admin, product)).collect();
    running.store(false, Ordering::Relaxed);
    reader.join().unwrap();
    let (_, sale_p99) = stats("sale, while year reports run on another thread", during);
    println!(
        "  ({} year reports ran meanwhile)",
        reports.load(Ordering::Relaxed) - before
    );
    verdict(
        sale_p99 <= Duration::from_millis(50),
        format!("sale p99 {sale_p99:?} during year reports (bar 50 ms)"),
    );

    let t = Instant::now();
    let z = k
        .shifts()
        .close(
            &admin,
            &CashCount::Total {
                amount: Money(1_000_000),
            },
            "",
        )
        .unwrap();
    let close = t.elapsed();
    println!(
        "close the shift (Z #{}, {} orders)                       {:.3} ms",
        z.shift.z_no.unwrap_or(0),
        z.orders,
        close.as_secs_f64() * 1e3
    );
    verdict(
        close <= Duration::from_millis(100),
        format!("closing took {close:?} (bar 100 ms)"),
    );
}
