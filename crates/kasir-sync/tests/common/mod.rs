//! What the sync tests share: a template till (an admin, three tracked products), tills copied
//! from it and enrolled with a server, selling, the server in this process, and the check that
//! every sale committed on a till is on the server exactly once.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use kasir_core::Money;
use kasir_core::catalog::{CategoryDraft, CountLine, ProductDraft, ProductId, StockReason};
use kasir_core::sales::checkout::{Order, PaymentInput, PaymentMethod};
use kasir_core::sales::refunds::{RefundLineInput, RefundRequest};
use kasir_core::sales::shifts::{CashCount, CashDirection};
use kasir_core::sales::tickets::{AddLine, OrderType};
use kasir_core::{Actor, Kasir, SystemClock};
use kasir_proto::Payload;
use kasir_testpg::{Cluster, Durability};
use rand::Rng;
use rand::rngs::StdRng;
use tokio::net::TcpListener;
use uuid::Uuid;

// ---------------------------------------------------------------- the terminal

pub struct Template {
    pub dir: tempfile::TempDir,
    pub admin: Actor,
    pub products: Vec<ProductId>,
}

pub fn scratch() -> PathBuf {
    let shm = PathBuf::from("/dev/shm");
    if shm.is_dir() {
        shm
    } else {
        std::env::temp_dir()
    }
}

pub fn template() -> &'static Template {
    static T: OnceLock<Template> = OnceLock::new();
    T.get_or_init(|| {
        let dir = tempfile::tempdir_in(scratch()).unwrap();
        let k = Kasir::open(dir.path(), Arc::new(SystemClock)).unwrap();
        let admin = k.people().create_first_admin("Ayu", "1111").unwrap();
        let category = k
            .catalog()
            .create_category(
                &admin,
                CategoryDraft {
                    name: "Kopi".into(),
                    sort_order: 0,
                    active: true,
                },
            )
            .unwrap()
            .id;
        let products = ["Kopi Susu", "Teh Tarik", "Roti Bakar"]
            .iter()
            .map(|name| {
                k.catalog()
                    .create_product(
                        &admin,
                        ProductDraft {
                            category_id: category,
                            name: (*name).into(),
                            description: String::new(),
                            price: 25_000,
                            track_stock: true,
                            initial_stock: 1_000_000,
                            low_stock_warning: None,
                            low_stock_critical: None,
                            active: true,
                            barcode: None,
                            featured: false,
                            tags: Vec::new(),
                        },
                    )
                    .unwrap()
                    .id
            })
            .collect();
        // Offline, a till spends none of a member's points and Rp 15.000 of her wallet.
        let mut loyalty = k.points().settings(&admin).unwrap();
        loyalty.offline_points_limit = 0;
        loyalty.offline_wallet_limit = Money(15_000);
        k.points().set_settings(&admin, &loyalty).unwrap();
        k.connection()
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        drop(k);
        Template {
            dir,
            admin,
            products,
        }
    })
}

pub struct Terminal {
    pub k: Arc<Kasir>,
    pub dir: tempfile::TempDir,
    pub id: Uuid,
    pub store: Uuid,
}

impl Terminal {
    pub fn sell(&self, rng: &mut StdRng) -> Order {
        let t = template();
        let admin = &t.admin;
        let mut ticket = self
            .k
            .sales()
            .open_ticket(admin, OrderType::Takeaway, "")
            .unwrap();
        for _ in 0..rng.random_range(1..=3) {
            let product = t.products[rng.random_range(0..t.products.len())];
            ticket = self
                .k
                .sales()
                .add_to_ticket(
                    admin,
                    ticket.id,
                    AddLine {
                        product_id: product,
                        modifier_ids: vec![],
                        note: String::new(),
                        quantity: rng.random_range(1..=4),
                    },
                )
                .unwrap();
        }
        let due = ticket.totals.total.0;
        self.k
            .sales()
            .checkout(
                admin,
                ticket.id,
                &[PaymentInput {
                    method: PaymentMethod::Cash,
                    amount: due,
                    reference: None,
                }],
            )
            .unwrap()
    }

    /// The drawer's work: a refund of part of a recent sale (back to stock or thrown away),
    /// cash in or out, a regular's visit ([`Terminal::member_sale`]), or the shift closed and
    /// the next one opened. Each is an entry for the server. Returns how many of the regular's
    /// tenders the offline limits refused.
    pub fn money_work(&self, rng: &mut StdRng) -> u32 {
        let admin = &template().admin;
        match rng.random_range(0..5) {
            0 | 1 => {
                let orders = self.k.sales().orders_today(admin).unwrap();
                let Some(order) = orders.last() else { return 0 };
                let open = self.k.sales().refundable(admin, order.id).unwrap();
                let Some(line) = open.lines.iter().find(|l| l.left > 0) else {
                    return 0;
                };
                self.k
                    .sales()
                    .refund(
                        admin,
                        None,
                        &RefundRequest {
                            order_id: order.id,
                            lines: vec![RefundLineInput {
                                line: line.line,
                                quantity: rng.random_range(1..=line.left),
                                restock: rng.random_bool(0.5),
                            }],
                            reason: "fault test".into(),
                            method: PaymentMethod::Cash,
                            reference: None,
                        },
                    )
                    .unwrap();
            }
            2 => {
                let direction = if rng.random_bool(0.5) {
                    CashDirection::In
                } else {
                    CashDirection::Out
                };
                self.k
                    .shifts()
                    .move_cash(
                        admin,
                        None,
                        direction,
                        rng.random_range(1..=50) * 1_000,
                        "fault test",
                    )
                    .unwrap();
            }
            4 => return self.member_sale(rng),
            _ => {
                let counted = Money(rng.random_range(0..=2_000) * 1_000);
                self.k
                    .shifts()
                    .close(admin, &CashCount::Total { amount: counted }, "")
                    .unwrap();
                self.k.shifts().open(admin, 500_000).unwrap();
            }
        }
        0
    }
}

impl Terminal {
    /// A regular's visit: the store's regular visits any of its tills. She joins on her
    /// first visit (at a till that has not yet learnt of her from another, she is added again:
    /// the server keeps both), tops up her wallet in cash and pays part of a sale from it,
    /// with the till's coupon (made on the first visit) on it; the sale earns her points; from
    /// her second visit she buys a voucher with a point. A till that cannot reach its server
    /// spends her points and wallet only up to the offline limits: a refusal says so, and only
    /// then, and the cashier takes cash instead. Returns how many tenders were refused so.
    pub fn member_sale(&self, rng: &mut StdRng) -> u32 {
        let admin = &template().admin;
        let mut refused = 0;
        let phone = format!("0812{:08}", self.store.as_u128() % 100_000_000);
        let member = match self.k.members().search(admin, &phone, 1).unwrap().pop() {
            Some(m) => m,
            None => {
                let input = kasir_core::members::MemberInput {
                    name: "Pelanggan".into(),
                    phone: phone.clone(),
                    ..Default::default()
                };
                self.k.members().add(admin, &input, "").unwrap()
            }
        };
        self.k
            .wallets()
            .top_up(
                admin,
                member.id,
                rng.random_range(1..=5) * 10_000,
                PaymentMethod::Cash,
                None,
            )
            .unwrap();
        let t = template();
        let ticket = self
            .k
            .sales()
            .open_ticket(admin, OrderType::Takeaway, "")
            .unwrap();
        let product = t.products[rng.random_range(0..t.products.len())];
        self.k
            .sales()
            .add_to_ticket(
                admin,
                ticket.id,
                AddLine {
                    product_id: product,
                    modifier_ids: vec![],
                    note: String::new(),
                    quantity: 2,
                },
            )
            .unwrap();
        self.k
            .sales()
            .set_ticket_member(admin, ticket.id, Some(member.id))
            .unwrap();
        if !self
            .k
            .coupons()
            .list(admin)
            .unwrap()
            .iter()
            .any(|c| c.code == "LANGGANAN5")
        {
            let input = kasir_core::offers::coupons::CouponInput {
                code: "LANGGANAN5".into(),
                name: "5% for regulars".into(),
                rule: kasir_core::offers::coupons::CouponRule::Percent { bp: 500, cap: None },
                min_order: Money(0),
                usage_limit: None,
                per_member_limit: None,
                customer_group: kasir_core::offers::coupons::CustomerGroup::All,
                valid_from: None,
                valid_until: None,
                active: true,
            };
            self.k.coupons().create(admin, &input).unwrap();
        }
        let ticket = self
            .k
            .sales()
            .set_ticket_coupon(admin, ticket.id, Some("langganan5"))
            .unwrap();
        assert!(ticket.totals.coupon_discount.0 > 0);
        // From her second visit she has points: one buys the till's small voucher, used here.
        if member.points >= 1 {
            let vouchers = self.k.vouchers().list(admin).unwrap();
            let voucher = match vouchers.into_iter().find(|v| v.name == "Potongan kecil") {
                Some(v) => v,
                None => {
                    let input = kasir_core::offers::vouchers::VoucherInput {
                        name: "Potongan kecil".into(),
                        reward: kasir_core::offers::vouchers::Reward::Discount {
                            discount: kasir_core::money::pricing::Discount::Amount(Money(1_000)),
                        },
                        points_cost: 1,
                        stock: None,
                        valid_from: None,
                        valid_until: None,
                        active: true,
                    };
                    self.k.vouchers().create(admin, &input).unwrap()
                }
            };
            match self.k.vouchers().redeem(admin, member.id, voucher.id) {
                Ok(r) => {
                    self.k
                        .sales()
                        .set_ticket_voucher(admin, ticket.id, Some(r.id))
                        .unwrap();
                }
                Err(kasir_core::Error::Invalid {
                    rule: kasir_core::Rule::OfflinePointsLimit { .. },
                    ..
                }) => {
                    self.assert_offline();
                    refused += 1;
                }
                Err(e) => panic!("redeeming a voucher: {e}"),
            }
        }
        let ticket = self.k.sales().ticket(admin, ticket.id).unwrap();
        let due = ticket.totals.total.0;
        let held = self.k.members().get(admin, member.id).unwrap().wallet.0;
        // Half the bill, or all she holds: two tills apart may both spend the same money.
        let from_wallet = (due / 2).min(held);
        let cash = |amount| PaymentInput {
            method: PaymentMethod::Cash,
            amount,
            reference: None,
        };
        let mut split = vec![cash(due - from_wallet)];
        if from_wallet > 0 {
            split.push(PaymentInput {
                method: PaymentMethod::Wallet,
                amount: from_wallet,
                reference: None,
            });
        }
        match self.k.sales().checkout(admin, ticket.id, &split) {
            Ok(_) => {}
            Err(kasir_core::Error::Invalid {
                rule: kasir_core::Rule::OfflineWalletLimit { .. },
                ..
            }) => {
                self.assert_offline();
                refused += 1;
                self.k
                    .sales()
                    .checkout(admin, ticket.id, &[cash(due)])
                    .unwrap();
            }
            Err(e) => panic!("checkout with the wallet: {e}"),
        }
        refused
    }

    /// The till cannot reach its server: a failure came after its last contact.
    fn assert_offline(&self) {
        let status = self.k.sync().status().unwrap();
        assert!(
            status.last_error_at.as_deref() > status.last_success.as_deref(),
            "an offline limit refused a tender while the till was in touch: {status:?}"
        );
    }

    /// A manager's stock work: a delivery, or a stock count of one product that may find the
    /// count right (no movement) or off by a few. Each change is an entry for the server.
    pub fn restock_or_count(&self, rng: &mut StdRng) {
        let t = template();
        let product = t.products[rng.random_range(0..t.products.len())];
        if rng.random_bool(0.5) {
            self.k
                .catalog()
                .adjust_stock(
                    &t.admin,
                    product,
                    rng.random_range(1..=20),
                    StockReason::Received,
                    "",
                )
                .unwrap();
        } else {
            let now = self
                .k
                .catalog()
                .product(&t.admin, product)
                .unwrap()
                .stock
                .unwrap();
            let counted = (now + rng.random_range(-5..=5)).max(0);
            self.k
                .catalog()
                .count_stock(
                    &t.admin,
                    &[CountLine {
                        product_id: product,
                        counted,
                        expected: Some(now),
                    }],
                    "",
                )
                .unwrap();
        }
    }
}

// ---------------------------------------------------------------- the server

pub fn cluster() -> &'static Cluster {
    static C: OnceLock<Cluster> = OnceLock::new();
    C.get_or_init(|| Cluster::start(Durability::NoFsync))
}

/// A server process on the shared database: stateless, so a "restart" is a new one. It stops
/// (and closes its connections) when the returned sender is dropped. Started while PostgreSQL
/// restarts, it waits for it, as a real one would be restarted by its supervisor.
pub async fn start_server(url: &str) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let pool = kasir_server::connect(url, 2).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while let Err(e) = kasir_server::migrate(&pool).await {
        assert!(
            std::time::Instant::now() < deadline,
            "the server cannot reach PostgreSQL: {e}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(kasir_server::serve(
        listener,
        kasir_server::AppState::new(pool),
        async {
            let _ = stopped.await;
        },
    ));
    (addr, stop)
}

/// A till of `store` that reaches the server at `server` (created on the server directly: the
/// enrolment itself has its own tests).
pub async fn terminal(
    pool: &kasir_server::Pool,
    store: Uuid,
    number: usize,
    server: &str,
) -> Terminal {
    let t = template();
    let dir = tempfile::tempdir_in(scratch()).unwrap();
    std::fs::copy(
        t.dir.path().join(kasir_core::DB_FILE),
        dir.path().join(kasir_core::DB_FILE),
    )
    .unwrap();
    let k = Arc::new(Kasir::open(dir.path(), Arc::new(SystemClock)).unwrap());
    let id = Uuid::now_v7();
    let token = kasir_server::auth::new_token();
    let code = format!("T{number:02}");
    pool
        .get()
        .await
        .unwrap()
        .execute(
            "INSERT INTO terminals (id, store_id, code, name, token_hash) VALUES ($1, $2, $3, '', $4)",
            &[&id, &store, &code, &kasir_server::auth::token_hash(&token)],
        )
        .await
        .unwrap();
    let answer = kasir_proto::api::EnrolResponse {
        terminal_id: id,
        terminal_code: code,
        store_id: store,
        store_name: "Braga".into(),
        token,
    };
    k.sync().enrolled(&t.admin, server, true, &answer).unwrap();
    // Selling needs an open shift: each till opens its own (a shift in the template would be
    // one fact copied to every till).
    k.shifts().open(&t.admin, 500_000).unwrap();
    Terminal { k, dir, id, store }
}

/// Every sale committed on the terminal is on the server once, with one stock effect, and the
/// terminal's sequence has no gap.
pub async fn check(pool: &kasir_server::Pool, t: &Terminal) -> anyhow::Result<()> {
    let entries = t.k.sync().sent_kinds()?;
    let head = entries.last().map_or(0, |(seq, _)| *seq);
    let mut order_ids = Vec::new();
    let mut movements = 0i64;
    let mut taken: std::collections::HashMap<Uuid, i64> = Default::default();
    let mut adjusted: std::collections::HashMap<Uuid, i64> = Default::default();
    let (mut refunds, mut closed, mut cash_moved) = (Vec::new(), 0i64, 0i64);
    let mut returned: std::collections::HashMap<Uuid, i64> = Default::default();
    let (mut points, mut wallet, mut members) = (Vec::new(), Vec::new(), Vec::new());
    let mut coupon_uses = Vec::new();
    let mut redemptions: std::collections::BTreeMap<Uuid, String> = Default::default();
    for (_, p) in &entries {
        match p {
            Payload::Refund(r) => {
                refunds.push(r.id);
                for l in r.lines.iter().filter(|l| l.stock_returned) {
                    *returned.entry(l.product_id).or_default() += l.quantity;
                }
            }
            Payload::ShiftClosed(_) => closed += 1,
            Payload::CashMoved(_) => cash_moved += 1,
            Payload::PointsEntry(e) => points.push((e.id, e.points)),
            Payload::WalletEntry(e) => wallet.push((e.id, e.amount)),
            Payload::MemberUpserted(m) => members.push(m.id),
            Payload::CouponUse(u) => coupon_uses.push(u.id),
            Payload::Redemption(r) => {
                redemptions.insert(r.id, r.status.clone());
            }
            _ => {}
        }
        if let Payload::StockAdjusted(a) = p {
            *adjusted.entry(a.product_id).or_default() += a.delta;
        }
        if let Payload::Sale(s) = p {
            order_ids.push(s.order.id);
            let mut products: Vec<Uuid> = s.stock_movements.iter().map(|m| m.product_id).collect();
            products.sort();
            products.dedup();
            movements += products.len() as i64;
            for m in &s.stock_movements {
                *taken.entry(m.product_id).or_default() += m.quantity;
            }
        }
    }
    let status = t.k.sync().status()?;
    if status.pending != 0 || !status.quarantined.is_empty() {
        anyhow::bail!(
            "terminal: {} pending, quarantined {:?}",
            status.pending,
            status.quarantined
        );
    }
    let c = pool.get().await?;
    let q = |sql: &'static str| {
        let c = &c;
        async move { c.query_one(sql, &[&t.id]).await.map(|r| r.get::<_, i64>(0)) }
    };
    let orders = q("SELECT count(*) FROM orders WHERE terminal_id = $1").await?;
    let distinct_local = {
        let mut ids = order_ids.clone();
        ids.sort();
        ids.dedup();
        ids.len() as i64
    };
    if orders != order_ids.len() as i64 || distinct_local != orders {
        anyhow::bail!(
            "{} sales on the terminal, {orders} orders on the server",
            order_ids.len()
        );
    }
    let matching: i64 = c
        .query_one(
            "SELECT count(*) FROM orders WHERE terminal_id = $1 AND id = ANY($2)",
            &[&t.id, &order_ids],
        )
        .await?
        .get(0);
    if matching != orders {
        anyhow::bail!("only {matching} of {orders} orders are the terminal's");
    }
    let server_movements =
        q("SELECT count(*) FROM stock_movements WHERE terminal_id = $1 AND reason = 'sale'")
            .await?;
    if server_movements != movements {
        anyhow::bail!("{movements} stock effects expected, {server_movements} on the server");
    }
    let inbox = q("SELECT count(*) FROM inbox WHERE terminal_id = $1").await?;
    let held = q("SELECT held_through FROM terminals WHERE id = $1").await?;
    let max_seq = q("SELECT COALESCE(max(seq), 0) FROM inbox WHERE terminal_id = $1").await?;
    if inbox != head || held != head || max_seq != head {
        anyhow::bail!(
            "sequence: terminal head {head}, server holds {inbox} entries, max {max_seq}, held through {held}"
        );
    }
    for (product, qty) in taken {
        let sold: i64 = c
            .query_one(
                "SELECT COALESCE(-sum(delta), 0)::bigint FROM stock_movements
                 WHERE terminal_id = $1 AND product_id = $2 AND reason = 'sale'",
                &[&t.id, &product],
            )
            .await?
            .get(0);
        if sold != qty {
            anyhow::bail!("product {product}: sold {qty}, the server took {sold}");
        }
    }
    // The drawer's facts: every refund once, its stock back once; every close and cash
    // movement once.
    let server_refunds: i64 = c
        .query_one(
            "SELECT count(*) FROM refunds WHERE terminal_id = $1 AND id = ANY($2)",
            &[&t.id, &refunds],
        )
        .await?
        .get(0);
    let all_refunds = q("SELECT count(*) FROM refunds WHERE terminal_id = $1").await?;
    if server_refunds != refunds.len() as i64 || all_refunds != server_refunds {
        anyhow::bail!(
            "{} refunds on the terminal, {server_refunds} of them on the server ({all_refunds} in all)",
            refunds.len()
        );
    }
    for (product, qty) in returned {
        let back: i64 = c
            .query_one(
                "SELECT COALESCE(sum(delta), 0)::bigint FROM stock_movements
                 WHERE terminal_id = $1 AND product_id = $2 AND reason = 'refund'",
                &[&t.id, &product],
            )
            .await?
            .get(0);
        if back != qty {
            anyhow::bail!(
                "product {product}: {qty} refunded to stock, the server took back {back}"
            );
        }
    }
    let server_closed =
        q("SELECT count(*) FROM shifts WHERE terminal_id = $1 AND closed_at IS NOT NULL").await?;
    let server_cash = q("SELECT count(*) FROM cash_movements WHERE terminal_id = $1").await?;
    if (server_closed, server_cash) != (closed, cash_moved) {
        anyhow::bail!(
            "{closed} shifts closed and {cash_moved} cash movements on the terminal; \
             {server_closed} and {server_cash} on the server"
        );
    }
    // Members and their ledgers: every entry once, the sums as the till has them.
    for (table, column, rows) in [
        ("point_entries", "points", &points),
        ("wallet_entries", "amount", &wallet),
    ] {
        let ids: Vec<Uuid> = rows.iter().map(|(id, _)| *id).collect();
        let row = c
            .query_one(
                &format!("SELECT count(*), COALESCE(sum({column}), 0)::bigint FROM {table} WHERE id = ANY($1)"),
                &[&ids],
            )
            .await?;
        let (n, sum): (i64, i64) = (row.get(0), row.get(1));
        let local: i64 = rows.iter().map(|(_, v)| v).sum();
        if n != ids.len() as i64 || sum != local {
            anyhow::bail!(
                "{table}: {} entries summing {local} on the till, {n} summing {sum} on the server",
                ids.len()
            );
        }
    }
    members.sort();
    members.dedup();
    let server_members: i64 = c
        .query_one(
            "SELECT count(*) FROM members WHERE id = ANY($1)",
            &[&members],
        )
        .await?
        .get(0);
    if server_members != members.len() as i64 {
        anyhow::bail!(
            "{} members on the till, {server_members} on the server",
            members.len()
        );
    }
    // Each coupon use once (a use given back is sent again under its own id).
    coupon_uses.sort();
    coupon_uses.dedup();
    let server_uses: i64 = c
        .query_one(
            "SELECT count(*) FROM coupon_uses WHERE id = ANY($1)",
            &[&coupon_uses],
        )
        .await?
        .get(0);
    let all_uses = q("SELECT count(*) FROM coupon_uses WHERE terminal_id = $1").await?;
    if server_uses != coupon_uses.len() as i64 || all_uses != server_uses {
        anyhow::bail!(
            "{} coupon uses on the till, {server_uses} of them on the server ({all_uses} in all)",
            coupon_uses.len()
        );
    }
    // Each redemption once, in the state the till last sent.
    for (id, status) in &redemptions {
        let server: String = c
            .query_one("SELECT status FROM redemptions WHERE id = $1", &[id])
            .await?
            .get(0);
        if &server != status {
            anyhow::bail!("redemption {id}: {status} on the till, {server} on the server");
        }
    }
    // Deliveries and counts moved the server's stock exactly once each.
    for (product, delta) in adjusted {
        let moved: i64 = c
            .query_one(
                "SELECT COALESCE(sum(delta), 0)::bigint FROM stock_movements
                 WHERE terminal_id = $1 AND product_id = $2 AND reason = 'adjustment'",
                &[&t.id, &product],
            )
            .await?
            .get(0);
        if moved != delta {
            anyhow::bail!("product {product}: adjusted by {delta}, the server moved {moved}");
        }
    }
    Ok(())
}

/// Once a till has taken the store's whole log: each member it knows holds, as points and
/// wallet, what the server's ledgers sum to (entries from every till, each once), and what
/// is owed is only ever the shortfall (never beside a balance above zero); each coupon counts
/// the store's uses and each redemption has its newest status. Returns whether a
/// member owes anything (two tills spent the same balance while apart).
pub async fn check_balances(pool: &kasir_server::Pool, t: &Terminal) -> anyhow::Result<bool> {
    let mut owed = false;
    let members: Vec<(String, i64, i64, i64, i64)> = {
        let conn = t.k.connection();
        let mut stmt = conn.prepare(
            "SELECT id, points, points_owed, wallet, wallet_owed FROM members ORDER BY id",
        )?;
        stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?
    };
    let c = pool.get().await?;
    for (id, points, points_owed, wallet, wallet_owed) in members {
        let member: Uuid = id.parse()?;
        let sum = |table: &'static str, column: &'static str| {
            let c = &c;
            async move {
                c.query_one(
                    &format!(
                        "SELECT COALESCE(sum({column}), 0)::bigint FROM {table} WHERE member_id = $1"
                    ),
                    &[&member],
                )
                .await
                .map(|r| r.get::<_, i64>(0))
            }
        };
        let (server_points, server_wallet) = (
            sum("point_entries", "points").await?,
            sum("wallet_entries", "amount").await?,
        );
        if points - points_owed != server_points || wallet - wallet_owed != server_wallet {
            anyhow::bail!(
                "member {member}: the till holds {points} points (owes {points_owed}) and \
                 {wallet} in the wallet (owes {wallet_owed}); the server's ledgers sum to \
                 {server_points} and {server_wallet}"
            );
        }
        if (points > 0 && points_owed > 0) || (wallet > 0 && wallet_owed > 0) {
            anyhow::bail!("member {member}: a balance beside a debt");
        }
        owed |= points_owed > 0 || wallet_owed > 0;
    }
    // Each coupon the till knows counts the store's uses (its own and the other tills'), as
    // the server has them; each redemption stands as the server has it.
    type Counted = Vec<(String, i64)>;
    type Statuses = Vec<(String, String)>;
    let (coupons, redemptions): (Counted, Statuses) = {
        let conn = t.k.connection();
        let coupons = conn
            .prepare(
                "SELECT c.id,
                    (SELECT count(*) FROM coupon_uses u WHERE u.coupon_id = c.id AND u.given_back_at IS NULL)
                  + (SELECT count(*) FROM coupon_uses_elsewhere u WHERE u.coupon_id = c.id AND u.given_back_at IS NULL)
                 FROM coupons c",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let redemptions = conn
            .prepare("SELECT id, status FROM redemptions")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        (coupons, redemptions)
    };
    for (id, here) in coupons {
        let coupon: Uuid = id.parse()?;
        let there: i64 = c
            .query_one(
                "SELECT count(*) FROM coupon_uses WHERE coupon_id = $1 AND given_back_at IS NULL",
                &[&coupon],
            )
            .await?
            .get(0);
        if here != there {
            anyhow::bail!("coupon {coupon}: {here} uses on the till, {there} on the server");
        }
    }
    for (id, here) in redemptions {
        let redemption: Uuid = id.parse()?;
        let there: String = c
            .query_one(
                "SELECT status FROM redemptions WHERE id = $1",
                &[&redemption],
            )
            .await?
            .get(0);
        if here != there {
            anyhow::bail!("redemption {redemption}: {here} on the till, {there} on the server");
        }
    }
    Ok(owed)
}
