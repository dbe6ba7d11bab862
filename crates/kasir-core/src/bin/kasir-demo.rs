//! A tiny command line over the core, until the desktop app exists:
//!
//! ```text
//! kasir-demo [DATA_DIR]          seed the demo café on first run, sell one order, print its receipt
//! kasir-demo sale-loop DATA_DIR  sell in a loop, printing "ACK <order id>" after each commit
//!                                (the crash test kills it at random moments)
//! ```

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use kasir_core::Money;
use kasir_core::catalog::{ProductQuery, ProductSort};
use kasir_core::demo::{DEMO_STAFF, seed_demo};
use kasir_core::sales::checkout::{PaymentInput, PaymentMethod};
use kasir_core::sales::receipt::WIDTH_58MM;
use kasir_core::sales::refunds::{RefundLineInput, RefundRequest};
use kasir_core::sales::shifts::{CashCount, CashDirection};
use kasir_core::sales::tickets::{AddLine, OrderType};
use kasir_core::{Actor, Kasir, Role, SystemClock};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("sale-loop") => match args.get(1) {
            Some(dir) => sale_loop(PathBuf::from(dir)),
            None => Err("usage: kasir-demo sale-loop DATA_DIR".into()),
        },
        Some("open") => match args.get(1) {
            // Opens (creating or upgrading) a data directory and exits: the crash test kills
            // it at random moments of a first start or an upgrade.
            Some(dir) => Kasir::open(&PathBuf::from(dir), Arc::new(SystemClock))
                .map(drop)
                .map_err(Into::into),
            None => Err("usage: kasir-demo open DATA_DIR".into()),
        },
        Some("seed") => match args.get(1) {
            // Seeds the demo café (with pictures) and exits: the crash test kills it mid-seed.
            Some(dir) => Kasir::open(&PathBuf::from(dir), Arc::new(SystemClock))
                .and_then(|k| seed_demo(&k, true))
                .map(drop)
                .map_err(Into::into),
            None => Err("usage: kasir-demo seed DATA_DIR".into()),
        },
        Some("-h" | "--help") => {
            println!("usage: kasir-demo [DATA_DIR] | kasir-demo sale-loop|open|seed DATA_DIR");
            Ok(())
        }
        Some(dir) => demo(PathBuf::from(dir)),
        None => demo(PathBuf::from("kasir-data")),
    };
    if let Err(e) = result {
        eprintln!("kasir-demo: {e}");
        std::process::exit(1);
    }
}

type Outcome = Result<(), Box<dyn std::error::Error>>;

fn cashier(kasir: &mut Kasir) -> Result<Actor, Box<dyn std::error::Error>> {
    member(kasir, Role::Cashier)
}

/// Signs in the first demo member of `role`.
fn member(kasir: &mut Kasir, wanted: Role) -> Result<Actor, Box<dyn std::error::Error>> {
    let (name, _, pin) = DEMO_STAFF
        .iter()
        .find(|(_, role, _)| *role == wanted)
        .ok_or("no demo member of that role")?;
    let member = kasir
        .people()
        .list_staff()?
        .into_iter()
        .find(|m| m.name == *name)
        .ok_or("the demo cashier is missing")?;
    Ok(kasir.people().login(member.id, pin)?)
}

fn demo(dir: PathBuf) -> Outcome {
    let mut kasir = Kasir::open(&dir, Arc::new(SystemClock))?;
    if kasir.people().needs_setup()? {
        println!("First run: seeding the demo café into {}", dir.display());
        seed_demo(&kasir, true)?;
        println!("Demo staff and PINs:");
        for (name, role, pin) in DEMO_STAFF {
            println!("  {name:<5} {role:<8} {pin}");
        }
    }
    let sari = cashier(&mut kasir)?;
    for c in kasir.catalog().list_categories(&sari, false)? {
        let n = kasir
            .catalog()
            .list_products(
                &sari,
                &ProductQuery {
                    category: Some(c.id),
                    sort: ProductSort::Name,
                    offset: 0,
                    limit: 500,
                    include_inactive: false,
                },
            )?
            .len();
        println!("{:<22} {n:>3} products", c.name);
    }
    let hits = kasir
        .catalog()
        .search_products(&sari, "kopi susu", 5, false)?;
    println!(
        "search \"kopi susu\": {}",
        hits.iter()
            .map(|h| h.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );

    let kopi = kasir
        .catalog()
        .product(&sari, hits.first().ok_or("no coffee on the menu")?.id)?;
    let picks: Vec<_> = kopi
        .modifier_groups
        .iter()
        .filter(|g| g.min_choices > 0)
        .map(|g| g.options[g.options.len() - 1].id)
        .collect();
    let water = kasir.catalog().product_by_barcode(&sari, "8990000000035")?;
    open_shift(&kasir, &sari)?;
    let ticket = kasir
        .sales()
        .open_ticket(&sari, OrderType::DineIn, "Meja 4")?;
    kasir.sales().add_to_ticket(
        &sari,
        ticket.id,
        AddLine {
            product_id: kopi.id,
            modifier_ids: picks,
            note: "es sedikit".into(),
            quantity: 2,
        },
    )?;
    let ticket = kasir.sales().add_to_ticket(
        &sari,
        ticket.id,
        AddLine {
            product_id: water.id,
            modifier_ids: vec![],
            note: String::new(),
            quantity: 1,
        },
    )?;
    let tendered = ticket.totals.total.0.div_euclid(50_000) * 50_000 + 50_000;
    let order = kasir.sales().checkout(
        &sari,
        ticket.id,
        &[PaymentInput {
            method: PaymentMethod::Cash,
            amount: tendered,
            reference: None,
        }],
    )?;
    println!();
    print!(
        "{}",
        kasir
            .sales()
            .receipt(&sari, order.id)?
            .render_text(WIDTH_58MM)
    );
    Ok(())
}

/// Selling needs an open shift: opens one with a float of Rp 500.000 unless one is open.
fn open_shift(kasir: &Kasir, sari: &kasir_core::Actor) -> Outcome {
    if kasir.shifts().current(sari)?.is_none() {
        kasir.shifts().open(sari, 500_000)?;
    }
    Ok(())
}

fn sale_loop(dir: PathBuf) -> Outcome {
    let mut kasir = Kasir::open(&dir, Arc::new(SystemClock))?;
    let sari = cashier(&mut kasir)?;
    let manager = member(&mut kasir, Role::Manager)?;
    open_shift(&kasir, &sari)?;
    let menu = kasir.catalog().list_products(
        &sari,
        &ProductQuery {
            category: None,
            sort: ProductSort::Name,
            offset: 0,
            limit: 500,
            include_inactive: false,
        },
    )?;
    let untracked = menu
        .iter()
        .find(|p| p.stock.is_none() && !p.has_modifiers)
        .ok_or("no untracked product")?
        .id;
    let tracked = menu
        .iter()
        .filter(|p| p.stock.unwrap_or(0) > 1000 && !p.has_modifiers)
        .map(|p| p.id)
        .collect::<Vec<_>>();
    if tracked.is_empty() {
        return Err("no product with stock above 1000".into());
    }
    // A regular: every other sale is hers, every fourth partly paid from her wallet.
    let regular = match kasir
        .members()
        .search(&sari, "081200000001", 1)?
        .into_iter()
        .next()
    {
        Some(m) => m.id,
        None => {
            let input = kasir_core::members::MemberInput {
                name: "Pelanggan Uji".into(),
                phone: "081200000001".into(),
                ..Default::default()
            };
            kasir.members().add(&sari, &input, "")?.id
        }
    };
    // A coupon on every fourth sale (hers, with the wallet tender).
    let has_coupon = kasir
        .coupons()
        .list(&manager)?
        .iter()
        .any(|c| c.code == "UJI10");
    if !has_coupon {
        use kasir_core::offers::coupons::{CouponInput, CouponRule, CustomerGroup};
        kasir.coupons().create(
            &manager,
            &CouponInput {
                code: "UJI10".into(),
                name: "Crash test 10%".into(),
                rule: CouponRule::Percent {
                    bp: 1_000,
                    cap: None,
                },
                min_order: kasir_core::Money(0),
                usage_limit: None,
                per_member_limit: None,
                customer_group: CustomerGroup::All,
                valid_from: None,
                valid_until: None,
                active: true,
            },
        )?;
    }
    let mut out = std::io::stdout().lock();
    for i in 0..100_000usize {
        let ticket = kasir.sales().open_ticket(&sari, OrderType::Takeaway, "")?;
        kasir.sales().add_to_ticket(
            &sari,
            ticket.id,
            AddLine {
                product_id: untracked,
                modifier_ids: vec![],
                note: String::new(),
                quantity: 1 + (i % 3) as i64,
            },
        )?;
        let mut ticket = kasir.sales().add_to_ticket(
            &sari,
            ticket.id,
            AddLine {
                product_id: tracked[i % tracked.len()],
                modifier_ids: vec![],
                note: String::new(),
                quantity: 1,
            },
        )?;
        if i % 2 == 0 {
            ticket = kasir
                .sales()
                .set_ticket_member(&sari, ticket.id, Some(regular))?;
        }
        if i % 4 == 0 {
            ticket = kasir
                .sales()
                .set_ticket_coupon(&sari, ticket.id, Some("UJI10"))?;
        }
        let mut payments = vec![PaymentInput {
            method: PaymentMethod::Cash,
            amount: ticket.totals.total.0 + 1_000,
            reference: None,
        }];
        if i % 4 == 0 {
            kasir
                .wallets()
                .top_up(&sari, regular, 20_000, PaymentMethod::Cash, None)?;
            payments.insert(
                0,
                PaymentInput {
                    method: PaymentMethod::Wallet,
                    amount: 10_000.min(ticket.totals.total.0),
                    reference: None,
                },
            );
        }
        let order = kasir.sales().checkout(&sari, ticket.id, &payments)?;
        writeln!(out, "ACK {}", order.id)?;
        // The drawer's other actions, so a kill lands in them too: a refund of the tracked
        // line (with the manager's approval), cash in, and a shift closed and opened again.
        if i % 3 == 1 {
            let refund = kasir.sales().refund(
                &sari,
                Some(&manager),
                &RefundRequest {
                    order_id: order.id,
                    lines: vec![RefundLineInput {
                        line: 1,
                        quantity: 1,
                        restock: i % 2 == 0,
                    }],
                    reason: "crash test".into(),
                    method: PaymentMethod::Cash,
                    reference: None,
                },
            )?;
            writeln!(out, "REFUND {}", refund.id)?;
        }
        if i % 5 == 2 {
            kasir.shifts().move_cash(
                &sari,
                Some(&manager),
                CashDirection::In,
                10_000,
                "crash test",
            )?;
        }
        if i % 10 == 9 {
            let z = kasir.shifts().close(
                &sari,
                &CashCount::Total {
                    amount: Money(1_000_000),
                },
                "",
            )?;
            writeln!(out, "Z {}", z.shift.z_no.unwrap_or(0))?;
            kasir.shifts().open(&sari, 500_000)?;
        }
        out.flush()?;
    }
    Ok(())
}
