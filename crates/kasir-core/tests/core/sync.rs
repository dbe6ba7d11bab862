//! The terminal's side of sync: answers mark entries done only in order, rejected entries are
//! quarantined and the queue goes on, and the server's menu applies with its cursor and writes
//! no outbox entry.

use kasir_proto::api::{
    Change, ChangeData, EntryResult, Outcome, PullResponse, PushResponse, Rejection,
};
use uuid::Uuid;

use crate::helpers::{count, shop};

fn answer(results: &[(i64, Outcome)]) -> PushResponse {
    PushResponse {
        results: results
            .iter()
            .map(|(seq, outcome)| EntryResult {
                seq: *seq,
                outcome: outcome.clone(),
            })
            .collect(),
        held_through: 0,
    }
}

#[test]
fn answers_mark_entries_done_in_order_and_rejections_are_set_aside() {
    let s = shop();
    let p = s.product("Croissant", 22_000, Some(50));
    for _ in 0..3 {
        s.sell(&[(&p, 1)]);
    }
    let (acked, pending) = s.kasir.sync().pending(100).unwrap();
    assert_eq!(acked, 0);
    let seqs: Vec<i64> = pending.iter().map(|e| e.seq).collect();
    assert!(
        seqs.len() >= 4,
        "the template's category, the product and three sales"
    );
    let before = s.kasir.sync().status().unwrap().pending;
    assert_eq!(before, seqs.len() as i64);

    // The answer misses the third entry: only the first two are done.
    let (a, b, d) = (seqs[0], seqs[1], seqs[3]);
    let rejected = Outcome::Rejected {
        reason: Rejection::Malformed {
            detail: "test".into(),
        },
    };
    let acked = s
        .kasir
        .sync()
        .record_push(
            &seqs,
            &answer(&[
                (a, Outcome::Applied),
                (b, rejected.clone()),
                (d, Outcome::Duplicate),
            ]),
        )
        .unwrap();
    assert_eq!(acked, b);
    let status = s.kasir.sync().status().unwrap();
    assert_eq!(status.pending, before - 2);
    assert_eq!(status.quarantined.len(), 1);
    assert_eq!(status.quarantined[0].seq, b);
    assert!(status.quarantined[0].reason.contains("test"));
    assert!(status.last_success.is_some());

    // The rest, answered: all done, and the next pending list is empty.
    s.kasir
        .sync()
        .record_push(
            &seqs[2..],
            &answer(
                &seqs[2..]
                    .iter()
                    .map(|&q| (q, Outcome::Applied))
                    .collect::<Vec<_>>(),
            ),
        )
        .unwrap();
    assert_eq!(s.kasir.sync().status().unwrap().pending, 0);
    assert!(s.kasir.sync().pending(100).unwrap().1.is_empty());
}

#[test]
fn the_servers_menu_applies_with_its_cursor_and_never_echoes_back() {
    let s = shop();
    let p = s.product("Croissant", 22_000, Some(50));
    let outbox_before = s.kasir.outbox().entries(0, 10_000).unwrap().len();
    let cat = Uuid::now_v7();
    let new_product = Uuid::now_v7();
    let mut changed = kasir_proto::Product {
        id: p.id.0,
        category_id: s.category.0,
        name: "Croissant Mentega".into(),
        description: String::new(),
        price: 24_000,
        stock: Some(999),
        low_stock_warning: None,
        low_stock_critical: None,
        active: true,
        barcode: Some("8991234567890".into()),
        featured: true,
        tags: vec!["baru".into()],
        image_id: None,
        pictures: vec![],
        modifier_groups: vec![],
    };
    let page = PullResponse {
        changes: vec![
            Change {
                cursor: 1,
                data: ChangeData::Category(kasir_proto::Category {
                    id: cat,
                    name: "Roti".into(),
                    sort_order: 2,
                    active: true,
                }),
            },
            Change {
                cursor: 2,
                data: ChangeData::Product(changed.clone()),
            },
            Change {
                cursor: 3,
                data: ChangeData::Product(kasir_proto::Product {
                    id: new_product,
                    category_id: cat,
                    name: "Roti Bakar".into(),
                    price: 18_000,
                    barcode: None,
                    ..changed.clone()
                }),
            },
            Change {
                cursor: 4,
                data: ChangeData::Unknown,
            },
        ],
        cursor: 4,
        more: false,
    };
    assert_eq!(s.kasir.sync().apply_pull(&page).unwrap(), 3);
    assert_eq!(s.kasir.sync().pull_cursor().unwrap(), 4);
    let admin = s.admin.clone();
    let now = s.kasir.catalog().product(&admin, p.id).unwrap();
    assert_eq!(
        (now.name.as_str(), now.price.0),
        ("Croissant Mentega", 24_000)
    );
    assert_eq!(now.stock, Some(50), "stock stays the terminal's ledger's");
    assert_eq!(
        (now.featured, now.tags.as_slice()),
        (true, &["baru".to_string()][..])
    );
    let fresh = s
        .kasir
        .catalog()
        .product(&admin, kasir_core::catalog::ProductId(new_product))
        .unwrap();
    assert_eq!((fresh.price.0, fresh.stock), (18_000, Some(0)));
    assert_eq!(
        s.kasir.outbox().entries(0, 10_000).unwrap().len(),
        outbox_before,
        "applying the server's menu writes no outbox entry"
    );

    // A late answer to an older request changes nothing.
    changed.price = 1;
    let stale = PullResponse {
        changes: vec![Change {
            cursor: 2,
            data: ChangeData::Product(changed),
        }],
        cursor: 2,
        more: false,
    };
    assert_eq!(s.kasir.sync().apply_pull(&stale).unwrap(), 0);
    assert_eq!(s.kasir.sync().pull_cursor().unwrap(), 4);
    assert_eq!(
        s.kasir.catalog().product(&admin, p.id).unwrap().price.0,
        24_000
    );
}

#[test]
fn leaving_the_server_is_refused_while_entries_wait_unless_an_admin_confirms() {
    let s = shop();
    let p = s.product("Croissant", 22_000, Some(50));
    s.sell(&[(&p, 1)]);
    let enrolment = kasir_proto::api::EnrolResponse {
        terminal_id: Uuid::now_v7(),
        terminal_code: "T02".into(),
        store_id: Uuid::now_v7(),
        store_name: "Braga".into(),
        token: "t".repeat(43),
    };
    let manager = s.manager.clone();
    let admin = s.admin.clone();
    s.kasir
        .sync()
        .enrolled(&manager, "https://kasir.example", false, &enrolment)
        .unwrap();
    let waiting = s.kasir.sync().status().unwrap().pending;
    assert!(waiting > 0);

    // A manager is told how many would be stranded, and cannot force it; nothing changes.
    let before = crate::helpers::fingerprint(&s.kasir);
    for confirm in [false, true] {
        match s.kasir.sync().unenrol(&manager, confirm) {
            Err(kasir_core::Error::UnsentEntries { count }) => assert_eq!(count, waiting),
            other => panic!("{other:?}"),
        }
    }
    // An admin is told too, until they confirm.
    assert!(matches!(
        s.kasir.sync().unenrol(&admin, false),
        Err(kasir_core::Error::UnsentEntries { .. })
    ));
    assert_eq!(crate::helpers::fingerprint(&s.kasir), before);

    s.kasir.sync().unenrol(&admin, true).unwrap();
    let status = s.kasir.sync().status().unwrap();
    assert!(!status.enrolled);
    assert_eq!(status.server_url, None);
    assert_eq!(
        status.pending, waiting,
        "the entries stay for the next server"
    );
    assert!(s.kasir.sync().enrolment().unwrap().is_none());

    // With nothing waiting, a manager leaves at once.
    s.kasir
        .sync()
        .enrolled(&manager, "https://kasir.example", false, &enrolment)
        .unwrap();
    let (_, all) = s.kasir.sync().pending(10_000).unwrap();
    let seqs: Vec<i64> = all.iter().map(|e| e.seq).collect();
    s.kasir
        .sync()
        .record_push(
            &seqs,
            &answer(
                &seqs
                    .iter()
                    .map(|&q| (q, Outcome::Applied))
                    .collect::<Vec<_>>(),
            ),
        )
        .unwrap();
    s.kasir.sync().unenrol(&manager, false).unwrap();
    assert!(!s.kasir.sync().status().unwrap().enrolled);
}

#[test]
fn a_change_this_till_cannot_take_is_skipped_and_the_rest_applies() {
    let s = shop();
    let p = s.product("Croissant", 22_000, Some(50));
    let good = kasir_proto::Product {
        id: p.id.0,
        category_id: s.category.0,
        name: "Croissant Mentega".into(),
        description: String::new(),
        price: 24_000,
        stock: Some(50),
        low_stock_warning: None,
        low_stock_critical: None,
        active: true,
        barcode: None,
        featured: false,
        tags: vec![],
        image_id: None,
        pictures: vec![],
        modifier_groups: vec![],
    };
    let page = PullResponse {
        changes: vec![
            Change {
                cursor: 1,
                // A negative price, or a category this till does not have: its database
                // refuses both.
                data: ChangeData::Product(kasir_proto::Product {
                    id: Uuid::now_v7(),
                    price: -1,
                    ..good.clone()
                }),
            },
            Change {
                cursor: 2,
                data: ChangeData::Product(kasir_proto::Product {
                    id: Uuid::now_v7(),
                    category_id: Uuid::now_v7(),
                    ..good.clone()
                }),
            },
            Change {
                cursor: 3,
                data: ChangeData::Product(good),
            },
        ],
        cursor: 3,
        more: false,
    };
    assert_eq!(s.kasir.sync().apply_pull(&page).unwrap(), 1);
    assert_eq!(s.kasir.sync().pull_cursor().unwrap(), 3);
    let admin = s.admin.clone();
    assert_eq!(
        s.kasir.catalog().product(&admin, p.id).unwrap().price.0,
        24_000
    );
}

/// The store's settings from the server replace the shop-wide ones and keep this till's code;
/// settings this till's rules refuse are skipped whole. Edits before this till joins a store
/// stay its own (the enrolment sends the latest, `initial`); afterwards each edit goes up.
#[test]
fn the_stores_settings_apply_and_this_tills_code_stays() {
    let s = shop();
    let admin = s.admin.clone();
    let settings_sent = |k: &kasir_core::Kasir| -> Vec<kasir_proto::ShopSettings> {
        k.sync()
            .sent_kinds()
            .unwrap()
            .into_iter()
            .filter_map(|(_, p)| match p {
                kasir_proto::Payload::SettingsChanged(x) => Some(x),
                _ => None,
            })
            .collect()
    };
    let mut edited = s.kasir.settings().get().unwrap();
    edited.receipt_footer = "Terima".into();
    s.kasir.settings().update(&admin, edited.clone()).unwrap();
    edited.receipt_footer = "Terima kasih".into();
    s.kasir.settings().update(&admin, edited.clone()).unwrap();
    assert!(settings_sent(&s.kasir).is_empty(), "not in a store yet");
    let enrolment = kasir_proto::api::EnrolResponse {
        terminal_id: Uuid::now_v7(),
        terminal_code: "T03".into(),
        store_id: Uuid::now_v7(),
        store_name: "Braga".into(),
        token: "t".repeat(43),
    };
    s.kasir
        .sync()
        .enrolled(&s.manager, "https://kasir.example", false, &enrolment)
        .unwrap();
    let sent = settings_sent(&s.kasir);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].receipt_footer.as_str(), sent[0].initial),
        ("Terima kasih", true),
        "the latest, as the till's start"
    );
    edited = s.kasir.settings().get().unwrap();
    edited.receipt_header = "Selamat datang".into();
    s.kasir.settings().update(&admin, edited.clone()).unwrap();
    let sent = settings_sent(&s.kasir);
    assert_eq!(
        (sent.len(), sent[1].receipt_header.as_str(), sent[1].initial),
        (2, "Selamat datang", false)
    );

    let store = kasir_proto::ShopSettings {
        shop_name: "Kopi Braga".into(),
        tax_rate_bp: 1_100,
        initial: false,
        ..edited.shop_wide(false)
    };
    let page = PullResponse {
        changes: vec![
            Change {
                cursor: 1,
                data: ChangeData::Settings(store.clone()),
            },
            Change {
                cursor: 2,
                data: ChangeData::Settings(kasir_proto::ShopSettings {
                    time_zone: "Mars/Olympus".into(),
                    ..store.clone()
                }),
            },
        ],
        cursor: 2,
        more: false,
    };
    let outbox = count(&s.kasir, "SELECT count(*) FROM outbox");
    assert_eq!(s.kasir.sync().apply_pull(&page).unwrap(), 1);
    let now = s.kasir.settings().get().unwrap();
    assert_eq!(
        (
            now.shop_name.as_str(),
            now.tax_rate_bp,
            now.time_zone.as_str()
        ),
        ("Kopi Braga", 1_100, edited.time_zone.as_str())
    );
    assert_eq!(now.terminal_code, edited.terminal_code);
    assert_eq!(count(&s.kasir, "SELECT count(*) FROM outbox"), outbox);
}

/// A product's store count becomes this till's count plus what this till has not sent yet, by
/// one ledger row; a count below zero shows as zero; an untracked product is left alone.
#[test]
fn a_store_stock_count_adds_what_this_till_has_not_sent() {
    let s = shop();
    let tracked = s.product("Croissant", 22_000, Some(50));
    let untracked = s.product("Es Teh", 8_000, None);
    s.sell(&[(&tracked, 2)]);
    let level = |product: &kasir_core::catalog::Product, cursor, level| Change {
        cursor,
        data: ChangeData::StockLevel(kasir_proto::StockLevel {
            product_id: product.id.0,
            level,
        }),
    };
    let stock =
        |p: &kasir_core::catalog::Product| s.kasir.catalog().product(&s.admin, p.id).unwrap().stock;
    let ledger = |p: &kasir_core::catalog::Product| {
        count(
            &s.kasir,
            &format!(
                "SELECT COALESCE(sum(delta), 0) FROM stock_movements WHERE product_id = '{}'",
                p.id
            ),
        )
    };
    // Nothing sent yet: the server's 40 (another till sold 10) less the 2 sold here.
    let page = PullResponse {
        changes: vec![level(&tracked, 1, 40), level(&untracked, 2, 7)],
        cursor: 2,
        more: false,
    };
    s.kasir.sync().apply_pull(&page).unwrap();
    assert_eq!(stock(&tracked), Some(38));
    assert_eq!(stock(&untracked), None);
    assert_eq!(ledger(&tracked), 38);
    // Everything answered: the server's count is the count. Below zero shows as zero.
    let head = s.kasir.sync().head().unwrap();
    let seqs: Vec<i64> = (1..=head).collect();
    let all_applied: Vec<(i64, Outcome)> = seqs.iter().map(|q| (*q, Outcome::Applied)).collect();
    s.kasir
        .sync()
        .record_push(&seqs, &answer(&all_applied))
        .unwrap();
    let page = PullResponse {
        changes: vec![level(&tracked, 3, 45), level(&tracked, 4, -3)],
        cursor: 4,
        more: false,
    };
    let outbox = count(&s.kasir, "SELECT count(*) FROM outbox");
    s.kasir.sync().apply_pull(&page).unwrap();
    assert_eq!(stock(&tracked), Some(0));
    assert_eq!(ledger(&tracked), 0);
    assert_eq!(count(&s.kasir, "SELECT count(*) FROM outbox"), outbox);
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(w, h, image::Rgb([20, 120, 60]));
    let mut buf = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut buf), image::ImageFormat::Png)
        .unwrap();
    buf
}

/// The pictures waiting product entries name are offered once each, until marked sent; a
/// picture from the server is checked like an upload before it is kept.
#[test]
fn pictures_go_up_once_and_only_real_ones_come_down() {
    let s = shop();
    let p = s.product("Croissant", 22_000, Some(50));
    let image_id = s
        .kasir
        .catalog()
        .set_product_image(&s.admin, p.id, &png(300, 200))
        .unwrap()
        .image_id
        .unwrap();
    let offered = s.kasir.sync().pictures_to_send(10).unwrap();
    assert_eq!(offered.len(), 1);
    assert_eq!(offered[0].0, image_id);
    let jpeg = offered[0].1.clone().expect("the display file");
    assert!(jpeg.starts_with(&[0xFF, 0xD8, 0xFF]));
    s.kasir.sync().picture_sent(&image_id).unwrap();
    assert!(s.kasir.sync().pictures_to_send(10).unwrap().is_empty());
    assert!(
        s.kasir
            .sync()
            .missing_pictures(None, 10)
            .unwrap()
            .is_empty()
    );

    // Another till's picture: kept as this till's renditions once it is checked.
    let other = Uuid::now_v7().to_string();
    assert_eq!(
        s.kasir
            .sync()
            .missing_pictures(Some(std::slice::from_ref(&other)), 10)
            .unwrap(),
        vec![other.clone()]
    );
    for bad in [&b"<svg/>"[..], &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0][..], &[][..]] {
        assert!(matches!(
            s.kasir.sync().save_picture(&other, bad),
            Err(kasir_core::Error::Invalid { .. })
        ));
    }
    assert!(
        s.kasir
            .sync()
            .save_picture("../../etc/passwd", &jpeg)
            .is_err()
    );
    s.kasir.sync().save_picture(&other, &jpeg).unwrap();
    assert!(
        s.kasir
            .sync()
            .missing_pictures(Some(&[other]), 10)
            .unwrap()
            .is_empty()
    );
}

/// Once enrolled, the terminal code is the server's: an admin cannot change it here; the
/// refusal names its field and changes nothing.
#[test]
fn the_terminal_code_is_the_servers_once_enrolled() {
    let s = shop();
    let admin = s.admin.clone();
    let enrolment = kasir_proto::api::EnrolResponse {
        terminal_id: Uuid::now_v7(),
        terminal_code: "T07".into(),
        store_id: Uuid::now_v7(),
        store_name: "Braga".into(),
        token: "t".repeat(43),
    };
    s.kasir
        .sync()
        .enrolled(&s.manager, "https://kasir.example", false, &enrolment)
        .unwrap();
    let enrolled = s.kasir.settings().get().unwrap();
    assert_eq!(enrolled.terminal_code, "T07");
    crate::helpers::refused(
        &s.kasir,
        |k| {
            k.settings().update(
                &admin,
                kasir_core::settings::Settings {
                    terminal_code: "T01".into(),
                    ..enrolled.clone()
                },
            )
        },
        |e| {
            matches!(
                e,
                kasir_core::Error::Invalid {
                    field: kasir_core::Field::TerminalCode,
                    rule: kasir_core::Rule::SetByServer
                }
            )
        },
    );
    // Anything else still changes.
    let saved = s
        .kasir
        .settings()
        .update(
            &admin,
            kasir_core::settings::Settings {
                receipt_footer: "Sampai jumpa".into(),
                ..enrolled
            },
        )
        .unwrap();
    assert_eq!(saved.receipt_footer, "Sampai jumpa");
}

/// A cover the server sends becomes this till's first picture; this till's other pictures
/// stay after it; a product the server says has no picture has none here either.
#[test]
fn a_pulled_cover_leads_this_tills_pictures() {
    let s = shop();
    let p = s.product("Croissant", 22_000, None);
    let cat = s.kasir.catalog();
    cat.add_product_picture(&s.manager, p.id, &png(30, 30))
        .unwrap();
    let mine = cat
        .add_product_picture(&s.manager, p.id, &png(40, 30))
        .unwrap();
    let theirs = Uuid::now_v7().to_string();
    let product = |image_id: Option<String>| kasir_proto::Product {
        id: p.id.0,
        category_id: s.category.0,
        name: "Croissant".into(),
        description: String::new(),
        price: 22_000,
        stock: None,
        low_stock_warning: None,
        low_stock_critical: None,
        active: true,
        barcode: None,
        featured: false,
        tags: vec![],
        image_id,
        pictures: vec![],
        modifier_groups: vec![],
    };
    let page = |cursor, image_id| PullResponse {
        changes: vec![Change {
            cursor,
            data: ChangeData::Product(product(image_id)),
        }],
        cursor,
        more: false,
    };
    s.kasir
        .sync()
        .apply_pull(&page(1, Some(theirs.clone())))
        .unwrap();
    assert_eq!(
        cat.product_pictures(&s.manager, p.id).unwrap(),
        vec![theirs.clone(), mine[1].clone()],
        "the server's cover first, this till's second picture after it"
    );
    // The same cover again changes nothing.
    s.kasir
        .sync()
        .apply_pull(&page(2, Some(theirs.clone())))
        .unwrap();
    assert_eq!(cat.product_pictures(&s.manager, p.id).unwrap().len(), 2);
    s.kasir.sync().apply_pull(&page(3, None)).unwrap();
    assert!(cat.product_pictures(&s.manager, p.id).unwrap().is_empty());
    assert_eq!(cat.product(&s.admin, p.id).unwrap().image_id, None);

    // A till that sends every picture: this till takes the list as it is, and fetches the
    // ones it lacks.
    let (a, b) = (Uuid::now_v7().to_string(), Uuid::now_v7().to_string());
    let full = PullResponse {
        changes: vec![Change {
            cursor: 4,
            data: ChangeData::Product(kasir_proto::Product {
                pictures: vec![a.clone(), b.clone(), "not-an-id".into()],
                ..product(Some(a.clone()))
            }),
        }],
        cursor: 4,
        more: false,
    };
    s.kasir.sync().apply_pull(&full).unwrap();
    assert_eq!(
        cat.product_pictures(&s.manager, p.id).unwrap(),
        vec![a.clone(), b.clone()]
    );
    let missing = s.kasir.sync().missing_pictures(None, 10).unwrap();
    assert!(missing.contains(&a) && missing.contains(&b), "{missing:?}");
}

/// Every picture of a product goes up with its entry, not only the cover.
#[test]
fn every_picture_of_a_product_is_sent() {
    let s = shop();
    let p = s.product("Croissant", 22_000, None);
    let cat = s.kasir.catalog();
    cat.add_product_picture(&s.manager, p.id, &png(30, 30))
        .unwrap();
    let both = cat
        .add_product_picture(&s.manager, p.id, &png(40, 30))
        .unwrap();
    let sent: Vec<String> = s
        .kasir
        .sync()
        .pictures_to_send(10)
        .unwrap()
        .into_iter()
        .filter(|(_, file)| file.is_some())
        .map(|(id, _)| id)
        .collect();
    for id in &both {
        assert!(sent.contains(id), "{id} not offered: {sent:?}");
    }
    let last: String = s
        .kasir
        .connection()
        .query_row(
            "SELECT json_extract(payload, '$.pictures') FROM outbox
             WHERE kind = 'product_upserted' ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(last, serde_json::to_string(&both).unwrap());
}

/// A manager on another till stops counting a product's stock, then counts it again: this
/// till follows, its ledger still adding up, and the store's count arrives as ever.
#[test]
fn counting_a_products_stock_switched_off_and_on_elsewhere_is_followed_here() {
    let s = shop();
    let a = s.admin.clone();
    let p = s.product("Croissant", 22_000, Some(12));
    let version = |stock: Option<i64>| kasir_proto::Product {
        id: p.id.0,
        category_id: s.category.0,
        name: "Croissant".into(),
        description: String::new(),
        price: 22_000,
        stock,
        low_stock_warning: None,
        low_stock_critical: None,
        active: true,
        barcode: None,
        featured: false,
        tags: vec![],
        image_id: None,
        pictures: vec![],
        modifier_groups: vec![],
    };
    let ledger = |s: &crate::helpers::Shop| {
        crate::helpers::count(
            &s.kasir,
            &format!(
                "SELECT COALESCE(SUM(delta), 0) FROM stock_movements m
                 JOIN products p ON p.rid = m.product_rid WHERE p.id = '{}'",
                p.id
            ),
        )
    };
    let page = |cursor: i64, data: ChangeData| PullResponse {
        changes: vec![Change { cursor, data }],
        cursor,
        more: false,
    };
    s.kasir
        .sync()
        .apply_pull(&page(1, ChangeData::Product(version(None))))
        .unwrap();
    assert_eq!(s.kasir.catalog().product(&a, p.id).unwrap().stock, None);
    assert_eq!(ledger(&s), 0, "the twelve left by one movement");
    s.kasir
        .sync()
        .apply_pull(&page(2, ChangeData::Product(version(Some(0)))))
        .unwrap();
    assert_eq!(s.kasir.catalog().product(&a, p.id).unwrap().stock, Some(0));
    s.kasir
        .sync()
        .apply_pull(&page(
            3,
            ChangeData::StockLevel(kasir_proto::StockLevel {
                product_id: p.id.0,
                level: 30,
            }),
        ))
        .unwrap();
    assert_eq!(s.kasir.catalog().product(&a, p.id).unwrap().stock, Some(30));
    assert_eq!(ledger(&s), 30);
}
