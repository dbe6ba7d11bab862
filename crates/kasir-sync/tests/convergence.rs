//! Two real terminals and a real server: menu edits made on either terminal reach the other
//! through the change log, the last edit in the server's order wins on every terminal (the
//! editing one included), and applying the server's menu sends nothing back.

use std::sync::Arc;
use std::time::Duration;

use kasir_core::catalog::{CategoryDraft, ProductDraft, ProductId};
use kasir_core::{Actor, Kasir, SystemClock};
use kasir_sync::Uploader;
use kasir_testpg::{Cluster, Durability};

struct Till {
    k: Arc<Kasir>,
    admin: Actor,
    up: Uploader,
    _dir: tempfile::TempDir,
}

async fn till(pool: &kasir_server::Pool, store: uuid::Uuid, server: &str) -> Till {
    let dir = tempfile::tempdir().unwrap();
    let k = Arc::new(Kasir::open(dir.path(), Arc::new(SystemClock)).unwrap());
    let admin = k.people().create_first_admin("Ayu", "1111").unwrap();
    let code =
        kasir_server::admin::enrolment_code(pool, store, jiff::SignedDuration::from_hours(1))
            .await
            .unwrap();
    kasir_sync::enrol(&k, &admin, server, true, &code, "till")
        .await
        .unwrap();
    let up = Uploader::new(k.clone(), Duration::from_secs(10));
    Till {
        k,
        admin,
        up,
        _dir: dir,
    }
}

fn draft(category: kasir_core::catalog::CategoryId, price: i64) -> ProductDraft {
    ProductDraft {
        category_id: category,
        name: "Kopi Susu".into(),
        description: String::new(),
        price,
        track_stock: false,
        initial_stock: 0,
        low_stock_warning: None,
        low_stock_critical: None,
        active: true,
        barcode: None,
    }
}

fn price(t: &Till, id: ProductId) -> i64 {
    t.k.catalog().product(&t.admin, id).unwrap().price.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_price_changed_on_one_till_reaches_the_other_and_the_last_edit_wins() {
    let cluster = Cluster::start(Durability::NoFsync);
    let url = cluster.create_database();
    let pool = kasir_server::connect(&url, 4).unwrap();
    kasir_server::migrate(&pool).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(kasir_server::serve(
        listener,
        kasir_server::AppState::new(pool.clone()),
        std::future::pending(),
    ));
    let store = kasir_server::admin::create_store(&pool, "Braga")
        .await
        .unwrap();
    let a = till(&pool, store, &server).await;
    let b = till(&pool, store, &server).await;

    // A makes the menu; B learns it.
    let category =
        a.k.catalog()
            .create_category(
                &a.admin,
                CategoryDraft {
                    name: "Kopi".into(),
                    sort_order: 0,
                    active: true,
                },
            )
            .unwrap()
            .id;
    let product =
        a.k.catalog()
            .create_product(&a.admin, draft(category, 25_000))
            .unwrap()
            .id;
    a.up.sync_now().await.unwrap();
    b.up.sync_now().await.unwrap();
    assert_eq!(price(&b, product), 25_000);
    let b_outbox = b.k.outbox().entries(0, 1000).unwrap().len();

    // Both change the price offline; A's edit reaches the server first, B's after it.
    a.k.catalog()
        .update_product(&a.admin, product, draft(category, 27_000))
        .unwrap();
    b.k.catalog()
        .update_product(&b.admin, product, draft(category, 28_000))
        .unwrap();
    a.up.sync_now().await.unwrap();
    b.up.sync_now().await.unwrap();
    a.up.sync_now().await.unwrap();
    // Every till, the editing ones included, has the server's last edit.
    assert_eq!(price(&a, product), 28_000);
    assert_eq!(price(&b, product), 28_000);
    // Applying the server's menu sent nothing back: B's outbox grew by its own edit only.
    assert_eq!(b.k.outbox().entries(0, 1000).unwrap().len(), b_outbox + 1);
    for t in [&a, &b] {
        let s = t.k.sync().status().unwrap();
        assert_eq!((s.pending, s.quarantined.len()), (0, 0));
    }
    // A member added on one till signs in at the other; deactivated there, they cannot.
    let dewi =
        a.k.people()
            .create_staff(&a.admin, "Dewi", kasir_core::Role::Cashier, "4444")
            .unwrap();
    a.up.sync_now().await.unwrap();
    b.up.sync_now().await.unwrap();
    let at_b = b.k.people().login(dewi.id, "4444").unwrap();
    assert_eq!(at_b.name(), "Dewi");
    assert!(b.k.people().login(dewi.id, "0000").is_err());
    a.k.people()
        .update_staff(
            &a.admin,
            dewi.id,
            kasir_core::people::StaffUpdate {
                active: Some(false),
                ..Default::default()
            },
        )
        .unwrap();
    a.up.sync_now().await.unwrap();
    b.up.sync_now().await.unwrap();
    assert!(b.k.people().login(dewi.id, "4444").is_err());

    // Receipt numbers cannot collide: the server gave each till its own code.
    let codes: Vec<String> = [&a, &b]
        .iter()
        .map(|t| t.k.settings().get().unwrap().terminal_code)
        .collect();
    assert_eq!(codes, vec!["T01", "T02"]);
}
