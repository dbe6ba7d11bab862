//! Two real terminals and a real server: menu edits made on either terminal reach the other
//! through the change log, the last edit in the server's order wins on every terminal (the
//! editing one included), and applying the server's menu sends nothing back. A member's
//! points and wallet reach every till too, and what two tills apart spent beyond her balance
//! is owed on each.

use std::sync::Arc;
use std::time::Duration;

use kasir_core::catalog::{CategoryDraft, ProductDraft, ProductId, StockReason};
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
    till_named(pool, store, server, "Kasir").await
}

/// A till whose first-run settings carry `shop` as the shop's name, enrolled in `store`.
async fn till_named(
    pool: &kasir_server::Pool,
    store: uuid::Uuid,
    server: &str,
    shop: &str,
) -> Till {
    let dir = tempfile::tempdir().unwrap();
    let k = Arc::new(Kasir::open(dir.path(), Arc::new(SystemClock)).unwrap());
    let admin = k.people().create_first_admin("Ayu", "1111").unwrap();
    let mut settings = k.settings().get().unwrap();
    settings.shop_name = shop.into();
    k.settings().update(&admin, settings).unwrap();
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

/// A new category on `t`'s menu.
fn category(t: &Till, name: &str) -> kasir_core::catalog::CategoryId {
    t.k.catalog()
        .create_category(
            &t.admin,
            CategoryDraft {
                name: name.into(),
                sort_order: 0,
                active: true,
            },
        )
        .unwrap()
        .id
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
        featured: false,
        tags: Vec::new(),
    }
}

fn price(t: &Till, id: ProductId) -> i64 {
    t.k.catalog().product(&t.admin, id).unwrap().price.0
}

/// A private PostgreSQL, a migrated database and a server on a free port.
async fn server() -> (Cluster, kasir_server::Pool, String) {
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
    (cluster, pool, server)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_price_changed_on_one_till_reaches_the_other_and_the_last_edit_wins() {
    let (_cluster, pool, server) = server().await;
    let store = kasir_server::admin::create_store(&pool, "Braga")
        .await
        .unwrap();
    let a = till(&pool, store, &server).await;
    let b = till(&pool, store, &server).await;

    // A makes the menu; B learns it.
    let category = category(&a, "Kopi");
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

fn stock(t: &Till, id: ProductId) -> i64 {
    t.k.catalog().product(&t.admin, id).unwrap().stock.unwrap()
}

/// Sells `quantity` of `product` for cash.
fn sell(t: &Till, product: ProductId, quantity: i64) {
    use kasir_core::sales::checkout::{PaymentInput, PaymentMethod};
    use kasir_core::sales::tickets::AddLine;
    // Selling needs the till's shift open.
    if t.k.shifts().current(&t.admin).unwrap().is_none() {
        t.k.shifts().open(&t.admin, 0).unwrap();
    }
    let sales = t.k.sales();
    let ticket = sales
        .open_ticket(
            &t.admin,
            kasir_core::sales::tickets::OrderType::Takeaway,
            "",
        )
        .unwrap();
    let ticket = sales
        .add_to_ticket(
            &t.admin,
            ticket.id,
            AddLine {
                product_id: product,
                modifier_ids: vec![],
                note: String::new(),
                quantity,
            },
        )
        .unwrap();
    let due = ticket.totals.total.0;
    sales
        .checkout(
            &t.admin,
            ticket.id,
            &[PaymentInput {
                method: PaymentMethod::Cash,
                amount: due,
                reference: None,
            }],
        )
        .unwrap();
}

/// The sum of a product's stock ledger on a till: it must always equal the count.
fn ledger(t: &Till, id: ProductId) -> i64 {
    let db = rusqlite::Connection::open(t._dir.path().join(kasir_core::DB_FILE)).unwrap();
    db.query_row(
        "SELECT COALESCE(sum(delta), 0) FROM stock_movements WHERE product_id = ?1",
        [id.to_string()],
        |r| r.get(0),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_settings_and_stock_counts_reach_every_till() {
    let (_cluster, pool, server) = server().await;
    let store = kasir_server::admin::create_store(&pool, "Braga")
        .await
        .unwrap();
    // The first till sets the store up; the second's first-run settings never replace them.
    let a = till_named(&pool, store, &server, "Kopi Braga").await;
    let b = till_named(&pool, store, &server, "Kasir baru").await;
    a.up.sync_now().await.unwrap();
    b.up.sync_now().await.unwrap();
    a.up.sync_now().await.unwrap();
    for t in [&a, &b] {
        assert_eq!(t.k.settings().get().unwrap().shop_name, "Kopi Braga");
    }
    // A manager's edit on the second reaches the first; each till keeps its own code.
    let mut edited = b.k.settings().get().unwrap();
    edited.tax_rate_bp = 1_100;
    edited.receipt_footer = "Sampai jumpa".into();
    b.k.settings().update(&b.admin, edited).unwrap();
    b.up.sync_now().await.unwrap();
    a.up.sync_now().await.unwrap();
    let at_a = a.k.settings().get().unwrap();
    assert_eq!(
        (
            at_a.tax_rate_bp,
            at_a.receipt_footer.as_str(),
            at_a.terminal_code.as_str()
        ),
        (1_100, "Sampai jumpa", "T01")
    );
    assert_eq!(b.k.settings().get().unwrap().terminal_code, "T02");

    // Stock is the store's: a product made on A with 20 counts 20 on B too.
    let category = category(&a, "Roti");
    let product =
        a.k.catalog()
            .create_product(
                &a.admin,
                ProductDraft {
                    track_stock: true,
                    initial_stock: 20,
                    ..draft(category, 18_000)
                },
            )
            .unwrap()
            .id;
    a.up.sync_now().await.unwrap();
    b.up.sync_now().await.unwrap();
    assert_eq!(stock(&b, product), 20);

    // Both sell; each learns the other's sales once they reach the server.
    sell(&b, product, 3);
    sell(&a, product, 2);
    b.up.sync_now().await.unwrap();
    assert_eq!(
        stock(&b, product),
        17,
        "A's sale has not reached the server"
    );
    a.up.sync_now().await.unwrap();
    b.up.sync_now().await.unwrap();
    assert_eq!((stock(&a, product), stock(&b, product)), (15, 15));

    // A sale the server has not confirmed still counts here when the store's count comes.
    sell(&b, product, 1);
    a.k.catalog()
        .adjust_stock(&a.admin, product, 5, StockReason::Received, "")
        .unwrap();
    a.up.sync_now().await.unwrap();
    b.up.pull_once().await.unwrap();
    assert_eq!(
        stock(&b, product),
        19,
        "20 on the server, 1 sold here unsent"
    );
    b.up.sync_now().await.unwrap();
    a.up.sync_now().await.unwrap();
    assert_eq!((stock(&a, product), stock(&b, product)), (19, 19));
    for t in [&a, &b] {
        assert_eq!(ledger(t, product), stock(t, product), "the ledger adds up");
    }
    let level: i64 = pool
        .get()
        .await
        .unwrap()
        .query_one(
            "SELECT level FROM stock_levels WHERE store_id = $1 AND product_id = $2",
            &[&store, &product.0],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(level, 19);

    // Store counts and settings from the server sent nothing back.
    let before = a.k.outbox().entries(0, 1000).unwrap().len();
    b.k.catalog()
        .adjust_stock(&b.admin, product, -4, StockReason::Waste, "")
        .unwrap();
    b.up.sync_now().await.unwrap();
    a.up.sync_now().await.unwrap();
    assert_eq!(stock(&a, product), 15);
    assert_eq!(a.k.outbox().entries(0, 1000).unwrap().len(), before);
}

/// A PNG of `w`×`h` in one colour.
fn png(w: u32, h: u32, rgb: [u8; 3]) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(w, h, image::Rgb(rgb));
    let mut buf = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut buf), image::ImageFormat::Png)
        .unwrap();
    buf
}

fn picture_files(t: &Till, image_id: &str) -> [bool; 2] {
    use kasir_core::catalog::images::{ImageSize, image_path};
    [ImageSize::Display, ImageSize::Thumbnail].map(|size| {
        image_path(&t.k.media_dir(), image_id, size)
            .unwrap()
            .exists()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_picture_set_on_one_till_shows_on_the_other() {
    let (_cluster, pool, server) = server().await;
    let store = kasir_server::admin::create_store(&pool, "Braga")
        .await
        .unwrap();
    let a = till(&pool, store, &server).await;
    let b = till(&pool, store, &server).await;
    let category = category(&a, "Kopi");
    let product =
        a.k.catalog()
            .create_product(&a.admin, draft(category, 25_000))
            .unwrap()
            .id;
    // A first picture, replaced before it was ever sent: only the second goes up.
    a.k.catalog()
        .set_product_image(&a.admin, product, &png(64, 48, [200, 30, 30]))
        .unwrap();
    let image_id =
        a.k.catalog()
            .set_product_image(&a.admin, product, &png(1200, 900, [30, 30, 200]))
            .unwrap()
            .image_id
            .unwrap();
    a.up.sync_now().await.unwrap();
    b.up.sync_now().await.unwrap();

    let at_b = b.k.catalog().product(&b.admin, product).unwrap();
    assert_eq!(at_b.image_id.as_deref(), Some(image_id.as_str()));
    assert_eq!(picture_files(&b, &image_id), [true, true]);
    let thumb = image::open(
        kasir_core::catalog::images::image_path(
            &b.k.media_dir(),
            &image_id,
            kasir_core::catalog::images::ImageSize::Thumbnail,
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!((thumb.width(), thumb.height()), (240, 180));
    let held: i64 = pool
        .get()
        .await
        .unwrap()
        .query_one("SELECT count(*) FROM pictures", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(held, 1, "the replaced picture was never sent");

    // A picture lost on B (a disk wiped) comes back on a later sync.
    for size in [
        kasir_core::catalog::images::ImageSize::Display,
        kasir_core::catalog::images::ImageSize::Thumbnail,
    ] {
        std::fs::remove_file(
            kasir_core::catalog::images::image_path(&b.k.media_dir(), &image_id, size).unwrap(),
        )
        .unwrap();
    }
    let fresh = Uploader::new(b.k.clone(), Duration::from_secs(10));
    fresh.sync_now().await.unwrap();
    assert_eq!(picture_files(&b, &image_id), [true, true]);
}

/// Every picture of a product travels, in the order the manager set: B shows them all, the
/// cover first, with their files; a removal on A reaches B too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_products_pictures_arrive_in_order_on_the_other_till() {
    let (_cluster, pool, server) = server().await;
    let store = kasir_server::admin::create_store(&pool, "Braga")
        .await
        .unwrap();
    let a = till(&pool, store, &server).await;
    let b = till(&pool, store, &server).await;
    let category = category(&a, "Kopi");
    let product =
        a.k.catalog()
            .create_product(&a.admin, draft(category, 25_000))
            .unwrap()
            .id;
    let cat = a.k.catalog();
    for rgb in [[200, 30, 30], [30, 200, 30], [30, 30, 200]] {
        cat.add_product_picture(&a.admin, product, &png(64, 48, rgb))
            .unwrap();
    }
    let all = cat.product_pictures(&a.admin, product).unwrap();
    let order = vec![all[2].clone(), all[0].clone(), all[1].clone()];
    cat.arrange_product_pictures(&a.admin, product, &order)
        .unwrap();
    a.up.sync_now().await.unwrap();
    b.up.sync_now().await.unwrap();
    assert_eq!(
        b.k.catalog().product_pictures(&b.admin, product).unwrap(),
        order
    );
    for id in &order {
        assert_eq!(picture_files(&b, id), [true, true], "{id}");
    }
    assert_eq!(
        b.k.catalog()
            .product(&b.admin, product)
            .unwrap()
            .image_id
            .as_deref(),
        Some(order[0].as_str())
    );

    cat.arrange_product_pictures(&a.admin, product, &order[1..])
        .unwrap();
    a.up.sync_now().await.unwrap();
    b.up.sync_now().await.unwrap();
    assert_eq!(
        b.k.catalog().product_pictures(&b.admin, product).unwrap(),
        order[1..].to_vec()
    );
}

/// The background loop pulls when woken ("send now") even with nothing to send, not only once
/// a minute: a manager who asks sees another till's change at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_now_pulls_even_when_nothing_waits() {
    let (_cluster, pool, server) = server().await;
    let store = kasir_server::admin::create_store(&pool, "Braga")
        .await
        .unwrap();
    let a = till(&pool, store, &server).await;
    let b = till(&pool, store, &server).await;
    let category = category(&a, "Kopi");
    let product =
        a.k.catalog()
            .create_product(&a.admin, draft(category, 25_000))
            .unwrap()
            .id;
    a.up.sync_now().await.unwrap();

    let (wake, stop) = (
        Arc::new(tokio::sync::Notify::new()),
        Arc::new(tokio::sync::Notify::new()),
    );
    let looping = tokio::spawn(
        Uploader::new(b.k.clone(), Duration::from_secs(10)).run(wake.clone(), stop.clone()),
    );
    let settled = |want: i64| {
        let b = &b;
        async move {
            for _ in 0..100 {
                if b.k
                    .catalog()
                    .product(&b.admin, product)
                    .is_ok_and(|p| p.price.0 == want)
                {
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            false
        }
    };
    assert!(settled(25_000).await, "the loop's first pull");
    // Nothing waits on B: it has sent everything.
    assert_eq!(b.k.sync().status().unwrap().pending, 0);
    a.k.catalog()
        .update_product(&a.admin, product, draft(category, 29_000))
        .unwrap();
    a.up.sync_now().await.unwrap();
    wake.notify_one();
    assert!(settled(29_000).await, "woken, B pulled A's change");
    stop.notify_one();
    looping.await.unwrap();
}

/// Sells one `product` to `member`, `from_wallet` of it from her wallet and the rest in cash.
fn sell_to(
    t: &Till,
    member: kasir_core::members::MemberId,
    product: ProductId,
    from_wallet: i64,
) -> kasir_core::Result<()> {
    use kasir_core::sales::checkout::{PaymentInput, PaymentMethod};
    use kasir_core::sales::tickets::AddLine;
    if t.k.shifts().current(&t.admin).unwrap().is_none() {
        t.k.shifts().open(&t.admin, 0).unwrap();
    }
    let sales = t.k.sales();
    let ticket = sales
        .open_ticket(
            &t.admin,
            kasir_core::sales::tickets::OrderType::Takeaway,
            "",
        )
        .unwrap();
    sales
        .add_to_ticket(
            &t.admin,
            ticket.id,
            AddLine {
                product_id: product,
                modifier_ids: vec![],
                note: String::new(),
                quantity: 1,
            },
        )
        .unwrap();
    let ticket = sales
        .set_ticket_member(&t.admin, ticket.id, Some(member))
        .unwrap();
    let due = ticket.totals.total.0;
    let tender = |method, amount| PaymentInput {
        method,
        amount,
        reference: None,
    };
    let done = sales.checkout(
        &t.admin,
        ticket.id,
        &[
            tender(PaymentMethod::Wallet, from_wallet),
            tender(PaymentMethod::Cash, due - from_wallet),
        ],
    );
    if done.is_err() {
        sales.discard_ticket(&t.admin, ticket.id).unwrap();
    }
    done.map(|_| ())
}

/// A member's wallet on a till: (what can be spent, what is owed).
fn wallet(t: &Till, member: kasir_core::members::MemberId) -> (i64, i64) {
    let m = t.k.members().get(&t.admin, member).unwrap();
    (m.wallet.0, m.wallet_owed.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_members_balances_reach_every_till_and_what_two_tills_apart_overspend_is_owed() {
    use kasir_core::sales::checkout::PaymentMethod;
    let (_cluster, pool, server) = server().await;
    let store = kasir_server::admin::create_store(&pool, "Braga")
        .await
        .unwrap();
    let a = till(&pool, store, &server).await;
    let b = till(&pool, store, &server).await;
    let category = category(&a, "Kopi");
    let cake =
        a.k.catalog()
            .create_product(&a.admin, draft(category, 100_000))
            .unwrap()
            .id;
    // Dewi joins at A, tops up Rp 30.000 and is given 500 points.
    let dewi =
        a.k.members()
            .add(
                &a.admin,
                &kasir_core::members::MemberInput {
                    name: "Dewi Lestari".into(),
                    phone: "0812-3456-7890".into(),
                    ..Default::default()
                },
                "",
            )
            .unwrap();
    a.k.shifts().open(&a.admin, 0).unwrap();
    a.k.wallets()
        .top_up(&a.admin, dewi.id, 30_000, PaymentMethod::Cash, None)
        .unwrap();
    a.k.points()
        .adjust(&a.admin, None, dewi.id, 500, "welcome")
        .unwrap();
    a.up.sync_now().await.unwrap();
    b.up.sync_now().await.unwrap();

    // B finds her by phone with her balances, as A has them.
    let at_b = b.k.members().search(&b.admin, "0812 3456", 5).unwrap();
    assert_eq!(at_b.len(), 1);
    assert_eq!(at_b[0].id, dewi.id);
    assert_eq!((at_b[0].wallet.0, at_b[0].points), (30_000, 500));

    // Both tills spend her whole wallet before either hears of the other's sale: the
    // server's ledger goes below zero, and every till shows her wallet empty with the
    // Rp 30.000 owed.
    sell_to(&a, dewi.id, cake, 30_000).unwrap();
    sell_to(&b, dewi.id, cake, 30_000).unwrap();
    b.up.sync_now().await.unwrap();
    a.up.sync_now().await.unwrap();
    b.up.sync_now().await.unwrap();
    for t in [&a, &b] {
        assert_eq!(wallet(t, dewi.id), (0, 30_000));
    }
    let c = pool.get().await.unwrap();
    let server_sum: i64 = c
        .query_one(
            "SELECT sum(amount)::bigint FROM wallet_entries WHERE member_id = $1",
            &[&dewi.id.0],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(server_sum, -30_000);
    // Points earned on both tills reach both, each once.
    let points = |t: &Till| t.k.members().get(&t.admin, dewi.id).unwrap().points;
    let server_points: i64 = c
        .query_one(
            "SELECT sum(points)::bigint FROM point_entries WHERE member_id = $1",
            &[&dewi.id.0],
        )
        .await
        .unwrap()
        .get(0);
    assert!(server_points > 500, "both sales earned points");
    assert_eq!((points(&a), points(&b)), (server_points, server_points));

    // Her next top-up, at B, pays the debt first; A learns it.
    b.k.wallets()
        .top_up(&b.admin, dewi.id, 50_000, PaymentMethod::Cash, None)
        .unwrap();
    assert_eq!(wallet(&b, dewi.id), (20_000, 0));
    b.up.sync_now().await.unwrap();
    a.up.sync_now().await.unwrap();
    assert_eq!(wallet(&a, dewi.id), (20_000, 0));

    // B cannot reach its server (as its uploader records a failed attempt): it spends her
    // wallet only up to the offline limit, Rp 10.000 here.
    let mut loyalty = b.k.points().settings(&b.admin).unwrap();
    loyalty.offline_wallet_limit = kasir_core::Money(10_000);
    b.k.points().set_settings(&b.admin, &loyalty).unwrap();
    b.k.sync().record_failure("connection refused").unwrap();
    match sell_to(&b, dewi.id, cake, 15_000) {
        Err(kasir_core::Error::Invalid {
            rule: kasir_core::Rule::OfflineWalletLimit { left },
            ..
        }) => assert_eq!(left.0, 10_000),
        other => panic!("expected the offline limit, got {other:?}"),
    }
    sell_to(&b, dewi.id, cake, 10_000).unwrap();
    // Back in touch, it sends the sale, and A has her at Rp 10.000.
    b.up.sync_now().await.unwrap();
    a.up.sync_now().await.unwrap();
    assert_eq!(wallet(&a, dewi.id), (10_000, 0));
    assert_eq!(wallet(&b, dewi.id), (10_000, 0));
}
