//! What terminals learn: the store's change log (menu, staff, settings, stock counts) in
//! cursor order across pages and stores, and product pictures.

use super::*;

#[tokio::test]
async fn menu_edits_reach_every_terminal_of_the_store_and_no_other() {
    let s = Server::start().await;
    let braga = s.store("Braga").await;
    let dago = s.store("Dago").await;
    let a = s.enrol(braga).await;
    let b = s.enrol(braga).await;
    let other = s.enrol(dago).await;
    let cat = Uuid::now_v7();
    let product = Uuid::now_v7();

    let edits = vec![
        fixtures::envelope(
            "T01",
            1,
            now(),
            Payload::CategoryUpserted(fixtures::category(cat, "Kopi")),
        ),
        fixtures::envelope(
            "T01",
            2,
            now(),
            Payload::ProductUpserted(fixtures::product(product, cat, "Kopi Susu", 25_000)),
        ),
    ];
    s.push(&a.token, &edits).await;
    // B edits the same product later: the last write in server order wins.
    let mut b_edit = fixtures::product(product, cat, "Kopi Susu", 27_000);
    b_edit.name = "Kopi Susu Aren".into();
    s.push(
        &b.token,
        &[fixtures::envelope(
            "T02",
            1,
            now(),
            Payload::ProductUpserted(b_edit.clone()),
        )],
    )
    .await;

    for token in [&a.token, &b.token] {
        let page = s.pull(token, 0).await;
        assert_eq!(page.changes.len(), 4);
        assert!(!page.more);
        assert_eq!(page.cursor, 4);
        let cursors: Vec<i64> = page.changes.iter().map(|c| c.cursor).collect();
        assert_eq!(cursors, vec![1, 2, 3, 4]);
        // The product's first report seeded the store's count (100), announced after it.
        assert_eq!(
            page.changes[2].data,
            ChangeData::StockLevel(kasir_proto::StockLevel {
                product_id: product,
                level: 100
            })
        );
        assert_eq!(page.changes[3].data, ChangeData::Product(b_edit.clone()));
        // Nothing new after the cursor.
        let next = s.pull(token, page.cursor).await;
        assert!(next.changes.is_empty());
        assert_eq!(next.cursor, 4);
    }
    // Another store sees none of it.
    assert!(s.pull(&other.token, 0).await.changes.is_empty());
    // A sale at the old price is a fact, flagged as stale.
    let sale = fixtures::sale(Uuid::now_v7(), "T01-000001", now(), &[(product, 1, 25_000)]);
    s.push(
        &a.token,
        &[fixtures::envelope("T01", 3, now(), Payload::Sale(sale))],
    )
    .await;
    assert_eq!(
        s.count("SELECT count(*) FROM orders WHERE 'stale_price' = ANY(flags)")
            .await,
        1
    );
    // The product's first report gave the store its opening stock (100), so one sold leaves
    // 99: not flagged as negative.
    assert_eq!(
        s.count("SELECT sum(level)::bigint FROM stock_levels").await,
        99
    );
    assert_eq!(
        s.count("SELECT count(*) FROM orders WHERE 'negative_stock' = ANY(flags)")
            .await,
        0
    );
    // B learns the store's count after A's sale.
    let next = s.pull(&b.token, 4).await;
    let data: Vec<ChangeData> = next.changes.into_iter().map(|c| c.data).collect();
    assert_eq!(
        data,
        vec![ChangeData::StockLevel(kasir_proto::StockLevel {
            product_id: product,
            level: 99
        })]
    );
}

/// The first till to report sets the store's settings up; a later till's first settings never
/// replace them; a manager's edit on any till does, and reaches every till of the store.
#[tokio::test]
async fn a_stores_settings_come_from_its_first_till_then_from_edits() {
    let s = Server::start().await;
    let braga = s.store("Braga").await;
    let a = s.enrol(braga).await;
    let b = s.enrol(braga).await;
    let change = |name: &str, initial: bool, terminal: &str, seq: i64| {
        fixtures::envelope(
            terminal,
            seq,
            now(),
            Payload::SettingsChanged(fixtures::settings(name, initial)),
        )
    };
    s.push(&a.token, &[change("Kopi Braga", true, "T01", 1)])
        .await;
    s.push(&b.token, &[change("Kasir", true, "T02", 1)]).await;
    let page = s.pull(&b.token, 0).await;
    let data: Vec<ChangeData> = page.changes.into_iter().map(|c| c.data).collect();
    assert_eq!(
        data,
        vec![ChangeData::Settings(fixtures::settings(
            "Kopi Braga",
            false
        ))]
    );
    s.push(&b.token, &[change("Kopi Braga Dago", false, "T02", 2)])
        .await;
    let next = s.pull(&a.token, page.cursor).await;
    let data: Vec<ChangeData> = next.changes.into_iter().map(|c| c.data).collect();
    assert_eq!(
        data,
        vec![ChangeData::Settings(fixtures::settings(
            "Kopi Braga Dago",
            false
        ))]
    );
}

#[tokio::test]
async fn a_pull_pages_through_a_long_offline_stretch() {
    let s = Server::start().await;
    let store = s.store("Braga").await;
    let a = s.enrol(store).await;
    let b = s.enrol(store).await;
    let cat = Uuid::now_v7();
    let edits: Vec<Envelope> = (1..=1000)
        .map(|seq| {
            fixtures::envelope(
                "T01",
                seq,
                now(),
                Payload::ProductUpserted(fixtures::product(Uuid::now_v7(), cat, "Teh", seq)),
            )
        })
        .collect();
    for chunk in edits.chunks(500) {
        s.push(&a.token, chunk).await;
    }
    s.push(
        &a.token,
        &[fixtures::envelope(
            "T01",
            1001,
            now(),
            Payload::ProductUpserted(fixtures::product(Uuid::now_v7(), cat, "Teh", 1)),
        )],
    )
    .await;
    let mut cursor = 0;
    let mut seen = 0;
    loop {
        let r = s
            .get(
                &format!("/v1/pull?after={cursor}&limit=400"),
                Some(&b.token),
            )
            .await;
        let page: PullResponse = r.json().await.unwrap();
        seen += page.changes.len();
        assert!(
            page.changes
                .windows(2)
                .all(|w| w[1].cursor == w[0].cursor + 1)
        );
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    // Each product and its opening count: two changes per product.
    assert_eq!((seen, cursor), (2002, 2002));
}

/// A store's pictures: written once under their id, read back whole by the store's tills and
/// by no other store's; what is not a JPEG, or too large, is refused with a clear error.
#[tokio::test]
async fn pictures_are_kept_once_per_store_and_read_back_whole() {
    let s = Server::start().await;
    let braga = s.store("Braga").await;
    let dago = s.store("Dago").await;
    let a = s.enrol(braga).await;
    let b = s.enrol(braga).await;
    let other = s.enrol(dago).await;
    let path = format!("/v1/pictures/{}", Uuid::now_v7());
    let mut picture = JPEG.to_vec();
    picture.extend((0..50_000u32).map(|i| (i % 251) as u8));

    let r = s.put_picture(&path, Some(&a.token), picture.clone()).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // The same id again changes nothing: the first upload stays.
    let r = s
        .put_picture(&path, Some(&b.token), [JPEG, b"other"].concat())
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = s.get(&path, Some(&b.token)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert_eq!(r.bytes().await.unwrap().to_vec(), picture);
    // Another store's till finds nothing.
    let r = s.get(&path, Some(&other.token)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.json::<ApiError>().await.unwrap().code, "not_found");

    let fresh = format!("/v1/pictures/{}", Uuid::now_v7());
    let r = s
        .put_picture(&fresh, Some(&a.token), b"<svg>no</svg>".to_vec())
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<ApiError>().await.unwrap().code, "bad_request");
    let huge = [JPEG, &vec![0u8; kasir_server::pictures::MAX_PICTURE]].concat();
    let r = s.put_picture(&fresh, Some(&a.token), huge).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.json::<ApiError>().await.unwrap().code, "too_large");
    let r = s
        .put_picture("/v1/pictures/not-an-id", Some(&a.token), JPEG.to_vec())
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // In the API's own error shape, as documented (schemathesis found axum's plain text here).
    assert_eq!(r.json::<ApiError>().await.unwrap().code, "bad_request");
    let r = s.get("/v1/pictures/null,null", Some(&a.token)).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<ApiError>().await.unwrap().code, "bad_request");
    assert_eq!(s.count("SELECT count(*) FROM pictures").await, 1);
}

/// What a server took before members and offers went into the change log (migration V12):
/// appended once, members first, exactly as they were sent; running it again adds nothing.
#[tokio::test]
async fn members_and_offers_a_server_held_before_the_log_had_them_are_added_once() {
    let s = Server::start().await;
    let braga = s.store("Braga").await;
    let (a, b) = (s.enrol(braga).await, s.enrol(braga).await);
    let at: jiff::Timestamp = "2026-11-21T03:00:00.123456Z".parse().unwrap();
    let dewi = kasir_proto::Member {
        id: Uuid::now_v7(),
        number: "MEM-T01-000001".into(),
        name: "Dewi".into(),
        phone: Some("081234567890".into()),
        email: None,
        birthday: Some("1994-05-17".parse().unwrap()),
        address: "Jl. Dago 12".into(),
        notes: String::new(),
        active: true,
        referral_code: "DEWI7Q2K".into(),
        referred_by: None,
        created_at: at,
        updated_at: at,
    };
    let earned = kasir_proto::PointsEntry {
        id: Uuid::now_v7(),
        member_id: dewi.id,
        kind: kasir_proto::PointsKind::Earn,
        points: 12,
        order_id: Some(Uuid::now_v7()),
        refund_id: None,
        reason: String::new(),
        staff_id: None,
        at,
    };
    let coupon = kasir_proto::Coupon {
        id: Uuid::now_v7(),
        code: "HEMAT20".into(),
        name: "Hemat".into(),
        rule: kasir_proto::CouponRule::Percent {
            bp: 2_000,
            cap: Some(15_000),
        },
        min_order: 50_000,
        usage_limit: None,
        per_member_limit: Some(1),
        customer_group: "all".into(),
        valid_from: None,
        valid_until: Some("2026-12-31".into()),
        active: true,
        at,
    };
    let pushed = s
        .push(
            &a.token,
            &[
                fixtures::envelope("T01", 1, now(), Payload::CouponUpserted(coupon.clone())),
                fixtures::envelope("T01", 2, now(), Payload::MemberUpserted(dewi.clone())),
                fixtures::envelope("T01", 3, now(), Payload::PointsEntry(earned.clone())),
            ],
        )
        .await;
    assert!(outcomes(&pushed).iter().all(|o| *o == Outcome::Applied));
    // As a server before V12 held them: in their tables, not in the log.
    let c = s.pool.get().await.unwrap();
    c.execute(
        "DELETE FROM changes WHERE kind IN ('member', 'points_entry', 'coupon')",
        &[],
    )
    .await
    .unwrap();
    let migration =
        include_str!("../../migrations/V12__members_and_offers_into_the_change_log.sql");
    c.batch_execute(migration).await.unwrap();
    let page = s.pull(&b.token, 0).await;
    let learnt: Vec<ChangeData> = page
        .changes
        .into_iter()
        .map(|c| c.data)
        .filter(|d| {
            matches!(
                d,
                ChangeData::Member(_) | ChangeData::PointsEntry(_) | ChangeData::Coupon(_)
            )
        })
        .collect();
    assert_eq!(
        learnt,
        vec![
            ChangeData::Member(dewi),
            ChangeData::PointsEntry(earned),
            ChangeData::Coupon(coupon),
        ],
        "each once, members first, as they were sent"
    );
    let total = s.count("SELECT count(*) FROM changes").await;
    c.batch_execute(migration).await.unwrap();
    assert_eq!(s.count("SELECT count(*) FROM changes").await, total);
    assert_eq!(
        s.count("SELECT change_seq FROM stores WHERE name = 'Braga'")
            .await,
        s.count("SELECT max(cursor) FROM changes").await
    );
}
