//! Members' speed bars (issue 12), measured on demand (not a test): prints medians and p99.
//!
//! ```text
//! cargo bench -p kasir-core --bench members
//! ```
//!
//! On a till with 300 products and 50,000 members (made once under `target/bench-data/`):
//! member search as you type, one call per keystroke, by name, by phone and by number
//! (bar: p99 ≤ 5 ms); and a sale with a member on the ticket (earning points in its
//! transaction) or paid partly from the member's wallet, against the same sale without one.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kasir_core::catalog::{ProductQuery, ProductSort};
use kasir_core::demo::generate_products;
use kasir_core::demo::members::generate_members;
use kasir_core::members::MemberId;
use kasir_core::sales::checkout::{PaymentInput, PaymentMethod};
use kasir_core::sales::tickets::{AddLine, OrderType};
use kasir_core::{Actor, Kasir, SystemClock};

const PIN: &str = "1111";
const MEMBERS: u32 = 50_000;

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
        "{name:<52} n={:<5} p50 {:>8.3} ms  p99 {:>8.3} ms  max {:>8.3} ms",
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

/// The shop, made once: 300 products, 50,000 members, a shift open.
fn shop() -> PathBuf {
    let dir = bench_dir().join(format!("members-{MEMBERS}"));
    let done = dir.join("ready");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let k = Kasir::open(&dir, Arc::new(SystemClock)).unwrap();
        let admin = k.people().create_first_admin("Bench", PIN).unwrap();
        generate_products(&k, &admin, 300, 12).unwrap();
        let started = Instant::now();
        generate_members(&k, &admin, MEMBERS).unwrap();
        println!(
            "generated {MEMBERS} members in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        k.shifts().open(&admin, 500_000).unwrap();
        k.connection()
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        drop(k);
        std::fs::write(&done, b"").unwrap();
    }
    dir
}

/// Every prefix of `text`, as a cashier types it.
fn keystrokes(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    (1..=chars.len())
        .map(|n| chars[..n].iter().collect())
        .collect()
}

fn sale(
    k: &Kasir,
    actor: &Actor,
    product: kasir_core::catalog::ProductId,
    member: Option<MemberId>,
    wallet: bool,
    coupon: Option<&str>,
) -> Duration {
    let t = k
        .sales()
        .open_ticket(actor, OrderType::Takeaway, "")
        .unwrap();
    let mut t = k
        .sales()
        .add_to_ticket(
            actor,
            t.id,
            AddLine {
                product_id: product,
                modifier_ids: vec![],
                note: String::new(),
                quantity: 2,
            },
        )
        .unwrap();
    if let Some(m) = member {
        t = k.sales().set_ticket_member(actor, t.id, Some(m)).unwrap();
    }
    if let Some(code) = coupon {
        t = k
            .sales()
            .set_ticket_coupon(actor, t.id, Some(code))
            .unwrap();
    }
    let due = t.totals.total.0;
    let payments = if wallet {
        vec![
            PaymentInput {
                method: PaymentMethod::Wallet,
                amount: 5_000,
                reference: None,
            },
            PaymentInput {
                method: PaymentMethod::Cash,
                amount: due - 5_000,
                reference: None,
            },
        ]
    } else {
        vec![PaymentInput {
            method: PaymentMethod::Cash,
            amount: due,
            reference: None,
        }]
    };
    // The payment's own transaction: what the cashier waits for after "Pay".
    let started = Instant::now();
    k.sales().checkout(actor, t.id, &payments).unwrap();
    started.elapsed()
}

fn main() {
    println!("Kasir members benchmarks (2 cores)");
    let dir = shop();
    let work = tempfile::tempdir_in(bench_dir()).unwrap();
    std::fs::copy(
        dir.join(kasir_core::DB_FILE),
        work.path().join(kasir_core::DB_FILE),
    )
    .unwrap();
    let k = Kasir::open(work.path(), Arc::new(SystemClock)).unwrap();
    let admin = k.people().list_staff().unwrap()[0].id;
    let admin = k.people().login(admin, PIN).unwrap();
    let n: i64 = k
        .connection()
        .query_row("SELECT COUNT(*) FROM members", [], |r| r.get(0))
        .unwrap();
    println!("{n} members");

    // Search as you type: names, phones and numbers of members that exist, keystroke by
    // keystroke (limit 8, as the till asks).
    let people: Vec<(String, String, String)> = k
        .connection()
        .prepare("SELECT name, phone, number FROM members ORDER BY rid % 97, rid LIMIT 120")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for _ in 0..50 {
        k.members().search(&admin, "dew", 8).unwrap();
    }
    let mut all = Vec::new();
    let mut run = |label: &str, typed: Vec<String>| {
        let mut samples = Vec::new();
        let mut found = 0;
        for q in typed {
            let started = Instant::now();
            let hits = k.members().search(&admin, &q, 8).unwrap();
            samples.push(started.elapsed());
            found += usize::from(!hits.is_empty());
        }
        let total = samples.len();
        all.extend(samples.iter().copied());
        stats(&format!("{label} ({found}/{total} found)"), samples);
    };
    run(
        "search: a name typed letter by letter",
        people
            .iter()
            .flat_map(|(name, _, _)| keystrokes(&name.to_lowercase()))
            .collect(),
    );
    run(
        "search: a phone typed digit by digit",
        people
            .iter()
            .flat_map(|(_, phone, _)| keystrokes(phone))
            .collect(),
    );
    run(
        "search: a member number's count",
        people
            .iter()
            .flat_map(|(_, _, number)| {
                keystrokes(number.rsplit('-').next().unwrap().trim_start_matches('0'))
            })
            .collect(),
    );
    let (_, p99) = stats("search: every keystroke", all);
    verdict(
        p99 <= Duration::from_millis(5),
        format!(
            "member search p99 {:.3} ms (bar 5 ms)",
            p99.as_secs_f64() * 1e3
        ),
    );

    // A sale with and without a member.
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
        .expect("an untracked product")
        .id;
    let member = k.members().search(&admin, &people[0].1, 1).unwrap()[0].id;
    k.wallets()
        .top_up(&admin, member, 50_000_000, PaymentMethod::Card, None)
        .unwrap();
    // A coupon with no limits: its use is a row in the sale's transaction, and every pricing
    // counts its uses (here and, with a server, on the store's other tills).
    if !k
        .coupons()
        .list(&admin)
        .unwrap()
        .iter()
        .any(|c| c.code == "BENCH10")
    {
        use kasir_core::offers::coupons::{CouponInput, CouponRule, CustomerGroup};
        k.coupons()
            .create(
                &admin,
                &CouponInput {
                    code: "BENCH10".into(),
                    name: "Bench 10%".into(),
                    rule: CouponRule::Percent {
                        bp: 1_000,
                        cap: None,
                    },
                    min_order: kasir_core::Money(0),
                    usage_limit: None,
                    per_member_limit: Some(1_000_000),
                    customer_group: CustomerGroup::All,
                    valid_from: None,
                    valid_until: None,
                    active: true,
                },
            )
            .unwrap();
    }
    for _ in 0..30 {
        sale(&k, &admin, product, None, false, None);
    }
    let (mut plain, mut with, mut wallet, mut coupon) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..300 {
        plain.push(sale(&k, &admin, product, None, false, None));
        with.push(sale(&k, &admin, product, Some(member), false, None));
        wallet.push(sale(&k, &admin, product, Some(member), true, None));
        coupon.push(sale(
            &k,
            &admin,
            product,
            Some(member),
            true,
            Some("BENCH10"),
        ));
    }
    let (p50_plain, p99_plain) = stats("checkout: no member", plain);
    let (p50_with, p99_with) = stats("checkout: a member (points earned)", with);
    let (_, p99_wallet) = stats("checkout: a member, part from the wallet", wallet);
    let (_, p99_coupon) = stats("checkout: a member, a coupon, part from the wallet", coupon);
    verdict(
        p99_with <= Duration::from_millis(50)
            && p99_wallet <= Duration::from_millis(50)
            && p99_coupon <= Duration::from_millis(50),
        format!(
            "with a member: p50 {:.2}x and p99 {:.2}x the sale without one; p99 {:.3} ms, {:.3} ms with the wallet, {:.3} ms with a coupon too (bar 50 ms)",
            p50_with.as_secs_f64() / p50_plain.as_secs_f64(),
            p99_with.as_secs_f64() / p99_plain.as_secs_f64(),
            p99_with.as_secs_f64() * 1e3,
            p99_wallet.as_secs_f64() * 1e3,
            p99_coupon.as_secs_f64() * 1e3
        ),
    );
}
