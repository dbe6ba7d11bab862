//! Shared fixtures: a shop with one member of each role, copied from a template database so
//! each test pays for the argon2 hashing only once per test binary.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use jiff::Timestamp;
use kasir_core::catalog::{CategoryDraft, CategoryId, Product, ProductDraft};
use kasir_core::sales::checkout::{Order, PaymentInput, PaymentMethod};
use kasir_core::sales::tickets::{AddLine, OrderType};
use kasir_core::{Actor, FixedClock, Kasir, Role};
use sha2::{Digest, Sha256};
use tempfile::TempDir;

pub const ADMIN_PIN: &str = "1111";
pub const MANAGER_PIN: &str = "2222";
pub const CASHIER_PIN: &str = "3333";

/// The float of the shift open in every fresh shop.
pub const OPENING_FLOAT: i64 = 500_000;

/// 2026-11-21 10:00 in Jakarta.
pub fn start_time() -> Timestamp {
    "2026-11-21T03:00:00Z".parse().unwrap()
}

pub struct Shop {
    pub kasir: Kasir,
    pub clock: Arc<FixedClock>,
    pub admin: Actor,
    pub manager: Actor,
    pub cashier: Actor,
    pub category: CategoryId,
    pub dir: TempDir,
}

impl Shop {
    pub fn actor(&self, role: Role) -> &Actor {
        match role {
            Role::Admin => &self.admin,
            Role::Manager => &self.manager,
            Role::Cashier => &self.cashier,
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A product in the shop's category; `stock: None` is untracked.
    pub fn product(&self, name: &str, price: i64, stock: Option<i64>) -> Product {
        let draft = ProductDraft {
            track_stock: stock.is_some(),
            initial_stock: stock.unwrap_or(0),
            ..draft(self.category, name, price)
        };
        let admin = self.admin.clone();
        self.kasir.catalog().create_product(&admin, draft).unwrap()
    }

    /// Sells `lines` (product, quantity) for cash, exact amount.
    pub fn sell(&self, lines: &[(&Product, i64)]) -> Order {
        let cashier = self.cashier.clone();
        let t = self
            .kasir
            .sales()
            .open_ticket(&cashier, OrderType::Takeaway, "")
            .unwrap();
        let mut ticket = t;
        for (p, q) in lines {
            ticket = self
                .kasir
                .sales()
                .add_to_ticket(
                    &cashier,
                    ticket.id,
                    AddLine {
                        product_id: p.id,
                        modifier_ids: vec![],
                        note: String::new(),
                        quantity: *q,
                    },
                )
                .unwrap();
        }
        let due = ticket.totals.total.0;
        self.kasir
            .sales()
            .checkout(&cashier, ticket.id, &[cash(due)])
            .unwrap()
    }
}

/// An active, untracked product draft; tests override the fields they care about.
pub fn draft(category: CategoryId, name: &str, price: i64) -> ProductDraft {
    ProductDraft {
        category_id: category,
        name: name.into(),
        description: String::new(),
        price,
        track_stock: false,
        initial_stock: 0,
        low_stock_warning: None,
        low_stock_critical: None,
        active: true,
        barcode: None,
        featured: false,
        tags: Vec::new(),
    }
}

pub fn cash(amount: i64) -> PaymentInput {
    PaymentInput {
        method: PaymentMethod::Cash,
        amount,
        reference: None,
    }
}

struct Template {
    dir: TempDir,
    admin: Actor,
    manager: Actor,
    cashier: Actor,
    category: CategoryId,
}

fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(FixedClock::new(start_time()));
        let k = Kasir::open(dir.path(), clock).unwrap();
        let admin = k.people().create_first_admin("Ayu", ADMIN_PIN).unwrap();
        let m = k
            .people()
            .create_staff(&admin, "Budi", Role::Manager, MANAGER_PIN)
            .unwrap();
        let c = k
            .people()
            .create_staff(&admin, "Sari", Role::Cashier, CASHIER_PIN)
            .unwrap();
        let manager = k.people().login(m.id, MANAGER_PIN).unwrap();
        let cashier = k.people().login(c.id, CASHIER_PIN).unwrap();
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
        // Selling needs an open shift (the default): Sari opened one with a float of Rp 500.000.
        k.shifts().open(&cashier, OPENING_FLOAT).unwrap();
        k.connection()
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        drop(k);
        Template {
            dir,
            admin,
            manager,
            cashier,
            category,
        }
    })
}

/// A fresh shop (admin Ayu, manager Budi, cashier Sari, category Kopi), default settings:
/// IDR, 10% tax, 5% service, rounding to Rp 100, terminal T01, and a shift open with a float
/// of [`OPENING_FLOAT`].
pub fn shop() -> Shop {
    let t = template();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        t.dir.path().join(kasir_core::DB_FILE),
        dir.path().join(kasir_core::DB_FILE),
    )
    .unwrap();
    let clock = Arc::new(FixedClock::new(start_time()));
    let kasir = Kasir::open(dir.path(), clock.clone()).unwrap();
    Shop {
        kasir,
        clock,
        admin: t.admin.clone(),
        manager: t.manager.clone(),
        cashier: t.cashier.clone(),
        category: t.category,
        dir,
    }
}

/// A digest of every row of every table: equal before and after means nothing changed.
pub fn fingerprint(kasir: &Kasir) -> String {
    let conn = kasir.connection();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'product_search%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut h = Sha256::new();
    for t in tables {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1"))
            .unwrap();
        let cols = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        h.update(t.as_bytes());
        while let Some(r) = rows.next().unwrap() {
            for i in 0..cols {
                let v: rusqlite::types::Value = r.get(i).unwrap();
                h.update(format!("{v:?}|").as_bytes());
            }
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Asserts `f` fails with an error matching `check` and leaves the database as it was.
#[track_caller]
pub fn refused<T: std::fmt::Debug>(
    kasir: &Kasir,
    f: impl FnOnce(&Kasir) -> kasir_core::Result<T>,
    check: impl FnOnce(&kasir_core::Error) -> bool,
) {
    let before = fingerprint(kasir);
    match f(kasir) {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => assert!(check(&e), "unexpected error: {e:?}"),
    }
    assert_eq!(
        before,
        fingerprint(kasir),
        "a refused action changed the database"
    );
}

pub fn count(kasir: &Kasir, sql: &str) -> i64 {
    kasir.connection().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// What a table of refusals expects of each error.
pub type Check = Box<dyn Fn(&kasir_core::Error) -> bool>;
