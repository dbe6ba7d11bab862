//! Exactly-once ingest: replays, conflicts, unreadable entries and batches, two servers on one
//! database, a database restart, opening stock, and a till enrolled again.

use super::*;

#[tokio::test]
async fn a_push_applies_once_and_a_replay_is_all_duplicates() {
    let s = Server::start().await;
    let store = s.store("Braga").await;
    let t = s.enrol(store).await;
    let product = Uuid::now_v7();
    let entries: Vec<Envelope> = (1..=20).map(|seq| sale_entry(seq, product, 2)).collect();

    let first = s.push(&t.token, &entries).await;
    assert!(outcomes(&first).iter().all(|o| *o == Outcome::Applied));
    assert_eq!(first.held_through, 20);
    let replay = s.push(&t.token, &entries).await;
    assert!(outcomes(&replay).iter().all(|o| *o == Outcome::Duplicate));
    assert_eq!(replay.held_through, 20);
    // Half again, out of order: still duplicates.
    let mut half: Vec<Envelope> = entries[5..15].to_vec();
    half.reverse();
    let again = s.push(&t.token, &half).await;
    assert!(outcomes(&again).iter().all(|o| *o == Outcome::Duplicate));

    assert_eq!(s.count("SELECT count(*) FROM orders").await, 20);
    assert_eq!(s.count("SELECT count(*) FROM order_lines").await, 20);
    assert_eq!(s.count("SELECT count(*) FROM payments").await, 20);
    assert_eq!(s.count("SELECT count(*) FROM stock_movements").await, 20);
    assert_eq!(
        s.count("SELECT sum(level)::bigint FROM stock_levels").await,
        -40
    );
    // Selling below zero is a fact: recorded, flagged, never refused.
    assert_eq!(
        s.count("SELECT count(*) FROM orders WHERE 'negative_stock' = ANY(flags)")
            .await,
        20
    );
}

#[tokio::test]
async fn the_same_key_with_another_payload_is_a_conflict_never_an_overwrite() {
    let s = Server::start().await;
    let store = s.store("Braga").await;
    let t = s.enrol(store).await;
    let product = Uuid::now_v7();
    let original = sale_entry(1, product, 1);
    s.push(&t.token, std::slice::from_ref(&original)).await;

    // Same key and sequence, other content.
    let mut changed = original.clone();
    if let Payload::Sale(sale) = &mut changed.payload {
        sale.order.total += 1;
    }
    // Another key at a sequence already taken.
    let mut other_key = sale_entry(1, product, 5);
    other_key.seq = 1;
    for entry in [changed, other_key] {
        let r = s.push(&t.token, &[entry]).await;
        assert_eq!(
            outcomes(&r),
            vec![Outcome::Rejected {
                reason: Rejection::Conflict
            }]
        );
    }
    assert_eq!(s.count("SELECT count(*) FROM orders").await, 1);
    assert_eq!(
        s.count("SELECT sum(total)::bigint FROM orders").await,
        25_000
    );
    assert_eq!(
        s.count("SELECT sum(level)::bigint FROM stock_levels").await,
        -1
    );
    // A key already held, sent again at a new sequence: a conflict too, applied nowhere, but
    // the sequence is held (with the reason), so the terminal's run has no gap, and asking
    // again gives the same answer.
    let mut moved = original.clone();
    moved.seq = 2;
    let next = sale_entry(3, product, 1);
    for _ in 0..2 {
        let r = s.push(&t.token, &[moved.clone(), next.clone()]).await;
        assert_eq!(
            outcomes(&r)[0],
            Outcome::Rejected {
                reason: Rejection::Conflict
            }
        );
        assert_eq!(r.held_through, 3);
    }
    assert_eq!(s.count("SELECT count(*) FROM orders").await, 2);
    assert_eq!(
        s.count("SELECT count(*) FROM inbox WHERE rejected IS NOT NULL")
            .await,
        1
    );
}

#[tokio::test]
async fn an_unreadable_entry_is_rejected_alone_and_the_batch_goes_on() {
    let s = Server::start().await;
    let store = s.store("Braga").await;
    let t = s.enrol(store).await;
    let product = Uuid::now_v7();
    let good1 = serde_json::to_value(sale_entry(1, product, 1)).unwrap();
    let mut bad = serde_json::to_value(sale_entry(2, product, 1)).unwrap();
    bad["kind"] = json!("teleport");
    let mut missing = serde_json::to_value(sale_entry(3, product, 1)).unwrap();
    missing["payload"]["order"]
        .as_object_mut()
        .unwrap()
        .remove("total");
    let good4 = serde_json::to_value(sale_entry(4, product, 1)).unwrap();
    let body = json!({"head": 4, "entries": [good1, bad, missing, good4]});
    let r = s.post("/v1/push", Some(&t.token), &body).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r: PushResponse = r.json().await.unwrap();
    let o = outcomes(&r);
    assert_eq!(o[0], Outcome::Applied);
    assert!(
        matches!(&o[1], Outcome::Rejected { reason: Rejection::Malformed { detail } } if detail.contains("teleport"))
    );
    assert!(
        matches!(&o[2], Outcome::Rejected { reason: Rejection::Malformed { detail } } if detail.contains("total"))
    );
    assert_eq!(o[3], Outcome::Applied);
    // Rejected entries are held with their reason: no gap.
    assert_eq!(r.held_through, 4);
    assert_eq!(s.count("SELECT count(*) FROM orders").await, 2);
    // Sent again, the same answers.
    let again: PushResponse = s
        .post("/v1/push", Some(&t.token), &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(outcomes(&again)[0], Outcome::Duplicate);
    assert_eq!(outcomes(&again)[1], o[1]);
    assert_eq!(s.count("SELECT count(*) FROM orders").await, 2);
}

#[tokio::test]
async fn bad_batches_are_refused_whole_and_write_nothing() {
    let s = Server::start().await;
    let store = s.store("Braga").await;
    let t = s.enrol(store).await;
    let product = Uuid::now_v7();

    // A newer envelope version: the terminal is newer than the server.
    let mut newer = serde_json::to_value(sale_entry(1, product, 1)).unwrap();
    newer["v"] = json!(PROTOCOL + 1);
    let r = s
        .post(
            "/v1/push",
            Some(&t.token),
            &json!({"head": 1, "entries": [newer]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json::<ApiError>().await.unwrap().code,
        "unsupported_version"
    );

    // Too many entries.
    let many: Vec<Envelope> = (1..=(MAX_BATCH as i64 + 1))
        .map(|seq| sale_entry(seq, product, 1))
        .collect();
    let r = s.post("/v1/push", Some(&t.token), &push_body(&many)).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<ApiError>().await.unwrap().code, "batch_too_large");

    // A body over the limit.
    let huge = json!({"head": 1, "entries": [], "pad": "x".repeat(MAX_BODY + 1)});
    let r = s.post("/v1/push", Some(&t.token), &huge).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.json::<ApiError>().await.unwrap().code, "too_large");

    // Not JSON, no sequence, a sequence twice.
    for body in [
        reqwest::Body::from("{not json"),
        reqwest::Body::from(
            r#"{"head":1,"entries":[{"v":1,"id":"0190f1c2-0000-7000-8000-000000000001","kind":"sale"}]}"#,
        ),
    ] {
        let r = s
            .http
            .post(format!("{}/v1/push", s.base))
            .bearer_auth(&t.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(r.json::<ApiError>().await.unwrap().code, "bad_request");
    }
    let twice = [sale_entry(1, product, 1), sale_entry(1, product, 1)];
    let r = s.post("/v1/push", Some(&t.token), &push_body(&twice)).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    assert_eq!(s.count("SELECT count(*) FROM inbox").await, 0);
    assert_eq!(s.count("SELECT count(*) FROM orders").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_database_apply_a_doubled_push_once() {
    let url = cluster().create_database();
    let one = Server::on(&url).await;
    let two = Server::on(&url).await;
    let store = one.store("Braga").await;
    let t = one.enrol(store).await;
    let product = Uuid::now_v7();
    let entries: Vec<Envelope> = (1..=200).map(|seq| sale_entry(seq, product, 1)).collect();
    // The same batches sent to both servers at once, many times over.
    let mut tasks = Vec::new();
    for round in 0..4 {
        for chunk in entries.chunks(50) {
            let server = if round % 2 == 0 { &one } else { &two };
            let (http, base, token, body) = (
                server.http.clone(),
                server.base.clone(),
                t.token.clone(),
                push_body(chunk),
            );
            tasks.push(tokio::spawn(async move {
                http.post(format!("{base}/v1/push"))
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
                    .status()
            }));
        }
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(one.count("SELECT count(*) FROM orders").await, 200);
    assert_eq!(one.count("SELECT count(*) FROM stock_movements").await, 200);
    assert_eq!(
        one.count("SELECT sum(level)::bigint FROM stock_levels")
            .await,
        -200
    );
    assert_eq!(one.count("SELECT held_through FROM terminals").await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_keeps_serving_across_a_database_restart() {
    let own = Cluster::start(Durability::NoFsync);
    let s = Server::on(&own.create_database()).await;
    let store = s.store("Braga").await;
    let t = s.enrol(store).await;
    let product = Uuid::now_v7();
    s.push(&t.token, &[sale_entry(1, product, 1)]).await;

    own.crash();
    let second = push_body(&[sale_entry(2, product, 1)]);
    let r = s.post("/v1/push", Some(&t.token), &second).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.json::<ApiError>().await.unwrap().code, "unavailable");
    assert_eq!(
        s.get("/health", None).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    own.start_again();

    // The pool replaces its dead connections: within a few tries the push goes through.
    let mut status = StatusCode::SERVICE_UNAVAILABLE;
    for _ in 0..20 {
        status = s.post("/v1/push", Some(&t.token), &second).await.status();
        if status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s.count("SELECT count(*) FROM orders").await, 2);
}

#[tokio::test]
async fn a_product_and_its_sale_in_one_push_start_from_the_opening_stock() {
    let s = Server::start().await;
    let store = s.store("Braga").await;
    let t = s.enrol(store).await;
    let cat = Uuid::now_v7();
    let product = Uuid::now_v7();
    let mut p = fixtures::product(product, cat, "Croissant", 22_000);
    p.stock = Some(50);
    let sale = fixtures::sale(Uuid::now_v7(), "T01-000001", now(), &[(product, 2, 22_000)]);
    s.push(
        &t.token,
        &[
            fixtures::envelope("T01", 1, now(), Payload::ProductUpserted(p)),
            fixtures::envelope("T01", 2, now(), Payload::Sale(sale)),
        ],
    )
    .await;
    assert_eq!(
        s.count("SELECT sum(level)::bigint FROM stock_levels").await,
        48
    );
    assert_eq!(
        s.count("SELECT count(*) FROM orders WHERE 'negative_stock' = ANY(flags)")
            .await,
        0
    );
}

#[tokio::test]
async fn a_terminal_whose_outbox_starts_later_is_held_from_its_first_entry() {
    let s = Server::start().await;
    let store = s.store("Braga").await;
    let t = s.enrol(store).await;
    let product = Uuid::now_v7();
    // A till that left another server: its outbox here starts at 41.
    let first: Vec<Envelope> = (41..=45).map(|seq| sale_entry(seq, product, 1)).collect();
    assert_eq!(s.push(&t.token, &first).await.held_through, 45);
    let next: Vec<Envelope> = (46..=47).map(|seq| sale_entry(seq, product, 1)).collect();
    assert_eq!(s.push(&t.token, &next).await.held_through, 47);
    // A gap stays a gap.
    assert_eq!(
        s.push(&t.token, &[sale_entry(49, product, 1)])
            .await
            .held_through,
        47
    );
}

/// A till enrolled again (a new terminal id in the same store) re-sends entries the server
/// took before their answer was lost: no order, and no stock move, happens twice.
#[tokio::test]
async fn a_till_enrolled_again_moves_nothing_twice() {
    let s = Server::start().await;
    let braga = s.store("Braga").await;
    let first = s.enrol(braga).await;
    let cat = Uuid::now_v7();
    let product = Uuid::now_v7();
    let sale = sale_entry(3, product, 2);
    let Payload::Sale(sold) = &sale.payload else {
        unreachable!()
    };
    let entries = vec![
        fixtures::envelope(
            "T01",
            1,
            now(),
            Payload::CategoryUpserted(fixtures::category(cat, "Roti")),
        ),
        fixtures::envelope(
            "T01",
            2,
            now(),
            Payload::ProductUpserted(fixtures::product(product, cat, "Croissant", 22_000)),
        ),
        sale.clone(),
        fixtures::envelope(
            "T01",
            4,
            now(),
            Payload::StockAdjusted(kasir_proto::StockAdjusted {
                product_id: product,
                delta: 10,
                reason: "restock".into(),
                note: String::new(),
                stock_after: Some(108),
                staff_id: Uuid::now_v7(),
                at: now(),
            }),
        ),
        fixtures::envelope(
            "T01",
            5,
            now(),
            Payload::OrderCancelled(kasir_proto::OrderCancelled {
                order_id: sold.order.id,
                receipt_no: sold.order.receipt_no.clone(),
                reason: "wrong order".into(),
                cancelled_by: Uuid::now_v7(),
                approved_by: None,
                at: now(),
                stock_returned: vec![kasir_proto::StockReturned {
                    product_id: product,
                    quantity: 2,
                }],
            }),
        ),
    ];
    s.push(&first.token, &entries).await;
    let level = "SELECT level FROM stock_levels";
    assert_eq!(s.count(level).await, 110, "100 - 2 + 10 + 2");
    // The answer was lost; the till is enrolled again and sends from the sale on.
    let again = s.enrol(braga).await;
    let answer = s.push(&again.token, &entries[2..]).await;
    assert!(
        outcomes(&answer)
            .iter()
            .all(|o| matches!(o, Outcome::Applied)),
        "new to this terminal id: {answer:?}"
    );
    assert_eq!(s.count(level).await, 110, "nothing moved twice");
    assert_eq!(s.count("SELECT count(*) FROM orders").await, 1);
}

/// A till enrolled again (a new terminal id in the same store) completes and cancels orders
/// it sold before: their status follows. A terminal of another store cannot touch them.
#[tokio::test]
async fn a_till_enrolled_again_changes_the_status_of_what_it_sold_before() {
    let s = Server::start().await;
    let braga = s.store("Braga").await;
    let dago = s.store("Dago").await;
    let first = s.enrol(braga).await;
    let (one, two) = (
        sale_entry(1, Uuid::now_v7(), 1),
        sale_entry(2, Uuid::now_v7(), 1),
    );
    let id = |e: &Envelope| match &e.payload {
        Payload::Sale(sold) => sold.order.id,
        _ => unreachable!(),
    };
    let (one_id, two_id) = (id(&one), id(&two));
    s.push(&first.token, &[one, two]).await;
    let again = s.enrol(braga).await;
    let other = s.enrol(dago).await;
    let status = |order: Uuid| {
        format!(
            "SELECT CASE status WHEN 'completed' THEN 1 WHEN 'cancelled' THEN 2 ELSE 0 END::bigint FROM orders WHERE id = '{order}'"
        )
    };
    let completed = kasir_proto::OrderStatusChanged {
        order_id: one_id,
        status: kasir_proto::OrderStatus::Completed,
        at: now(),
    };
    let cancel = |order: Uuid, receipt: &str| kasir_proto::OrderCancelled {
        order_id: order,
        receipt_no: receipt.into(),
        reason: "salah pesan".into(),
        cancelled_by: Uuid::now_v7(),
        approved_by: None,
        at: now(),
        stock_returned: vec![],
    };
    // Another store's terminal: applied as an entry of its own, but the order stays as it was.
    let r = s
        .push(
            &other.token,
            &[fixtures::envelope(
                "T01",
                1,
                now(),
                Payload::OrderCancelled(cancel(two_id, "T01-000002")),
            )],
        )
        .await;
    assert_eq!(r.held_through, 1);
    assert_eq!(s.count(&status(two_id)).await, 0);
    // The same till under its new id: both changes reach the orders it sold before.
    s.push(
        &again.token,
        &[
            fixtures::envelope("T01", 1, now(), Payload::OrderStatus(completed)),
            fixtures::envelope(
                "T01",
                2,
                now(),
                Payload::OrderCancelled(cancel(two_id, "T01-000002")),
            ),
        ],
    )
    .await;
    assert_eq!(s.count(&status(one_id)).await, 1);
    assert_eq!(s.count(&status(two_id)).await, 2);
}

/// A batch that names one order twice (a till's disk copied into itself, say) applies it once
/// and still answers: it never stops the terminal's queue.
#[tokio::test]
async fn one_order_twice_in_a_batch_applies_once() {
    let s = Server::start().await;
    let store = s.store("Braga").await;
    let t = s.enrol(store).await;
    let product = Uuid::now_v7();
    let first = sale_entry(1, product, 3);
    let mut again = sale_entry(2, product, 3);
    if let (Payload::Sale(a), Payload::Sale(b)) = (&first.payload, &mut again.payload) {
        b.order.id = a.order.id;
    }
    let r = s.push(&t.token, &[first, again]).await;
    assert_eq!(r.held_through, 2);
    assert_eq!(s.count("SELECT count(*) FROM orders").await, 1);
    assert_eq!(s.count("SELECT count(*) FROM order_lines").await, 1);
    assert_eq!(
        s.count("SELECT sum(level)::bigint FROM stock_levels").await,
        -3
    );
}

/// A receipt number this terminal used before, under another order (a till whose counter went
/// back), is another sale: kept, renumbered and flagged, never dropped and never a stuck
/// queue, even when a payload carries the very number a renumbered sale would take. A key
/// sent twice in one batch is a conflict the second time, applied once.
#[tokio::test]
async fn a_receipt_number_used_again_is_kept_apart_and_a_key_twice_applies_once() {
    let s = Server::start().await;
    let store = s.store("Braga").await;
    let t = s.enrol(store).await;
    let product = Uuid::now_v7();
    let numbered = |seq: i64, qty: i64, number: &str| {
        let mut e = sale_entry(seq, product, qty);
        if let Payload::Sale(sale) = &mut e.payload {
            sale.order.receipt_no = number.into();
        }
        e
    };
    s.push(&t.token, &[numbered(1, 2, "T01-000001")]).await;

    // Seq 2 reuses a number held before; seq 3 carries the number seq 2 will take; seq 4 and
    // 5 share one; seq 6 is seq 5's key again.
    let e5 = numbered(5, 6, "T01-000005");
    let mut e6 = e5.clone();
    e6.seq = 6;
    let batch = [
        numbered(2, 3, "T01-000001"),
        numbered(3, 4, "T01-000001/2"),
        numbered(4, 5, "T01-000005"),
        e5,
        e6,
    ];
    let conflict = Outcome::Rejected {
        reason: Rejection::Conflict,
    };
    let r = s.push(&t.token, &batch).await;
    assert_eq!(r.held_through, 6);
    assert_eq!(
        outcomes(&r),
        [vec![Outcome::Applied; 4], vec![conflict.clone()]].concat()
    );
    let r = s.push(&t.token, &batch).await;
    assert_eq!(
        outcomes(&r),
        [vec![Outcome::Duplicate; 4], vec![conflict]].concat()
    );
    let numbers: Vec<String> = s
        .pool
        .get()
        .await
        .unwrap()
        .query(
            "SELECT receipt_no FROM orders WHERE 'receipt_reused' = ANY(flags) ORDER BY seq",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(numbers, ["T01-000001/2", "T01-000001/2/3", "T01-000005/5"]);
    assert_eq!(s.count("SELECT count(*) FROM orders").await, 5);
    assert_eq!(s.count("SELECT count(*) FROM order_lines").await, 5);
    assert_eq!(s.count("SELECT count(*) FROM payments").await, 5);
    assert_eq!(s.count("SELECT count(*) FROM stock_movements").await, 5);
    assert_eq!(
        s.count("SELECT sum(level)::bigint FROM stock_levels").await,
        -(2 + 3 + 4 + 5 + 6)
    );
    assert_eq!(
        s.count("SELECT count(*) FROM orders WHERE 'negative_stock' = ANY(flags)")
            .await,
        5
    );

    // The server already holds the number a renumbered sale would take (sent earlier as is):
    // it takes the next one.
    s.push(&t.token, &[numbered(7, 1, "X"), numbered(8, 1, "X/9")])
        .await;
    let r = s.push(&t.token, &[numbered(9, 1, "X")]).await;
    assert_eq!(outcomes(&r), vec![Outcome::Applied]);
    assert_eq!(
        s.count("SELECT count(*) FROM orders WHERE receipt_no = 'X/9/2'")
            .await,
        1
    );
}

/// A text holding U+0000 (which PostgreSQL cannot store), in the payload or in the kind,
/// rejects its entry alone; a text that only looks like the escape (a backslash, then
/// `u0000`) is stored as sent.
#[tokio::test]
async fn a_nul_character_rejects_its_entry_alone() {
    let s = Server::start().await;
    let store = s.store("Braga").await;
    let t = s.enrol(store).await;
    let product = Uuid::now_v7();
    let named = |seq: i64, name: &str| {
        let mut e = sale_entry(seq, product, 1);
        if let Payload::Sale(sale) = &mut e.payload {
            sale.order.lines[0].product_name = name.into();
        }
        serde_json::to_value(e).unwrap()
    };
    let mut odd_kind = named(4, "Teh");
    odd_kind["kind"] = json!("sale\u{0}");
    let body = json!({"head": 4, "entries": [
        named(1, "Kopi\0Susu"), named(2, "Kopi\\u0000"), named(3, "Teh"), odd_kind
    ]});
    let r = s.post("/v1/push", Some(&t.token), &body).await;
    let text = r.text().await.unwrap();
    let r: PushResponse =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: the server said {text}"));
    let o = outcomes(&r);
    assert!(
        matches!(&o[0], Outcome::Rejected { reason: Rejection::Malformed { detail } } if detail.contains("U+0000")),
        "{o:?}"
    );
    assert_eq!(o[1..3], [Outcome::Applied, Outcome::Applied]);
    assert!(
        matches!(
            &o[3],
            Outcome::Rejected {
                reason: Rejection::Malformed { .. }
            }
        ),
        "{o:?}"
    );
    assert_eq!(r.held_through, 4);
    assert_eq!(
        s.count("SELECT count(*) FROM order_lines WHERE product_name = 'Kopi\\u0000'")
            .await,
        1
    );
}

/// What the server flagged (a sale below zero, at a price its menu no longer has, under a
/// receipt number used before) an operator finds, newest first, by store, day and count;
/// what was not flagged is not listed.
#[tokio::test]
async fn the_operator_finds_the_flagged_orders() {
    let s = Server::start().await;
    let (braga, dago) = (s.store("Braga").await, s.store("Dago").await);
    let (t, u) = (s.enrol(braga).await, s.enrol(dago).await);
    let operator = kasir_server::admin::operator_token(&s.pool, "ops")
        .await
        .unwrap();
    let (stocked, cat) = (Uuid::now_v7(), Uuid::now_v7());
    let mut croissant = fixtures::product(stocked, cat, "Croissant", 25_000);
    croissant.stock = Some(10);
    let sale = |seq: i64, product: Uuid, price: i64| {
        let sale = fixtures::sale(
            Uuid::now_v7(),
            &format!("T01-{seq:06}"),
            now(),
            &[(product, 1, price)],
        );
        fixtures::envelope("T01", seq, now(), Payload::Sale(sale))
    };
    s.push(
        &t.token,
        &[
            fixtures::envelope("T01", 1, now(), Payload::ProductUpserted(croissant)),
            sale(2, stocked, 25_000),
            sale(3, stocked, 20_000),
            sale(4, Uuid::now_v7(), 18_000),
        ],
    )
    .await;
    s.push(&u.token, &[sale(1, Uuid::now_v7(), 9_000)]).await;

    let flagged = |query: String| {
        let s = &s;
        let operator = operator.clone();
        async move {
            let r = s
                .get(&format!("/v1/ops/flagged{query}"), Some(&operator))
                .await;
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<Vec<kasir_proto::api::FlaggedOrder>>()
                .await
                .unwrap()
        }
    };
    let all = flagged(String::new()).await;
    assert_eq!(all.len(), 3, "{all:?}");
    let in_braga = flagged(format!("?store={braga}")).await;
    let found: Vec<(&str, &str, Vec<&str>)> = in_braga
        .iter()
        .map(|o| {
            (
                o.terminal.as_str(),
                o.receipt_no.as_str(),
                o.flags.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("T01", "T01-000004", vec!["negative_stock"]),
            ("T01", "T01-000003", vec!["stale_price"]),
        ]
    );
    assert_eq!(in_braga[1].total, 20_000);
    assert_eq!(flagged("?limit=1".into()).await.len(), 1);
    let tomorrow = now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .tomorrow()
        .unwrap();
    assert!(flagged(format!("?from={tomorrow}")).await.is_empty());
    assert_eq!(flagged(format!("?to={tomorrow}")).await.len(), 3);
    let r = s.get("/v1/ops/flagged?limit=zero", Some(&operator)).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // The day's sales, by the same filters: every order counts, flagged or not.
    let today = now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let days = |query: String| {
        let s = &s;
        let operator = operator.clone();
        async move {
            s.get(&format!("/v1/ops/sales{query}"), Some(&operator))
                .await
                .json::<Vec<kasir_proto::api::DailySales>>()
                .await
                .unwrap()
        }
    };
    let braga_days = days(format!("?store={braga}&from={today}&to={today}")).await;
    assert_eq!(braga_days.len(), 1);
    assert_eq!(
        (
            braga_days[0].business_date,
            braga_days[0].orders,
            braga_days[0].total
        ),
        (today, 3, 25_000 + 20_000 + 18_000)
    );
    assert!(days(format!("?from={tomorrow}")).await.is_empty());
}

/// A delivery keeps where it goes and when it went out (once, the first time); it is
/// delivered when it completes.
#[tokio::test]
async fn a_delivery_keeps_its_address_and_when_it_went_out() {
    let s = Server::start().await;
    let store = s.store("Braga").await;
    let t = s.enrol(store).await;
    let mut sale = sale_entry(1, Uuid::now_v7(), 1);
    let Payload::Sale(ref mut sold) = sale.payload else {
        unreachable!()
    };
    sold.order.order_type = kasir_proto::OrderType::Delivery;
    sold.order.delivery_address = Some("Jl. Riau 5, Bandung".into());
    let order = sold.order.id;
    let out = |seq| {
        fixtures::envelope(
            "T01",
            seq,
            now(),
            Payload::OrderSentOut(kasir_proto::OrderSentOut {
                order_id: order,
                at: "2026-11-21T05:00:00Z".parse().unwrap(),
            }),
        )
    };
    let entries = vec![
        sale,
        out(2),
        fixtures::envelope(
            "T01",
            3,
            now(),
            Payload::OrderStatus(kasir_proto::OrderStatusChanged {
                order_id: order,
                status: kasir_proto::OrderStatus::Completed,
                at: now(),
            }),
        ),
    ];
    let r = s.push(&t.token, &entries).await;
    assert!(outcomes(&r).iter().all(|o| *o == Outcome::Applied), "{r:?}");
    let mut late = out(4);
    if let Payload::OrderSentOut(ref mut e) = late.payload {
        e.at = "2026-11-21T09:00:00Z".parse().unwrap();
    }
    s.push(&t.token, &[late]).await;
    assert_eq!(
        s.count(
            "SELECT count(*) FROM orders WHERE delivery_address = 'Jl. Riau 5, Bandung'
               AND out_for_delivery_at = '2026-11-21T05:00:00Z' AND status = 'completed'"
        )
        .await,
        1
    );
    assert_eq!(
        s.count("SELECT count(*) FROM order_events WHERE kind = 'sent_out'")
            .await,
        2
    );
}

/// The money side of a till arrives as facts: a shift opened, cash out, a refund with its
/// stock, the shift closed. Each is added once, whatever is sent again, and a refund moves the
/// store's stock once even from a till enrolled again.
#[tokio::test]
async fn shifts_cash_and_refunds_are_added_once() {
    let s = Server::start().await;
    let braga = s.store("Braga").await;
    let t = s.enrol(braga).await;
    let cat = Uuid::now_v7();
    let product = Uuid::now_v7();
    let mut p = fixtures::product(product, cat, "Croissant", 22_000);
    p.stock = Some(50);
    let mut sale = fixtures::sale(Uuid::now_v7(), "T01-000001", now(), &[(product, 3, 22_000)]);
    let (order_id, shift) = (sale.order.id, Uuid::now_v7());
    sale.order.shift_id = Some(shift);
    let staff = Uuid::now_v7();
    let day = now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let refund_line = |restock: bool| kasir_proto::RefundLine {
        order_line: 0,
        product_id: product,
        product_name: "Croissant".into(),
        quantity: 1,
        gross: 22_000,
        line_discount: 0,
        order_discount: 0,
        service: 0,
        tax: 0,
        total: 22_000,
        restock,
        stock_returned: restock,
    };
    let refund = kasir_proto::Refund {
        id: Uuid::now_v7(),
        refund_no: "T01-R000001".into(),
        order_id,
        terminal: "T01".into(),
        shift_id: Some(shift),
        staff_id: staff,
        staff_name: "Sari".into(),
        approved_by: Some(Uuid::now_v7()),
        reason: "Gosong".into(),
        gross: 44_000,
        discount: 0,
        service: 0,
        tax: 0,
        rounding: 0,
        total: 44_000,
        business_date: day,
        created_at: now(),
        lines: vec![refund_line(true), refund_line(false)],
        payments: vec![kasir_proto::RefundPayment {
            method: kasir_proto::PaymentMethod::Cash,
            amount: 44_000,
            reference: None,
        }],
    };
    let entries = vec![
        fixtures::envelope("T01", 1, now(), Payload::ProductUpserted(p)),
        fixtures::envelope(
            "T01",
            2,
            now(),
            Payload::ShiftOpened(kasir_proto::ShiftOpened {
                id: shift,
                terminal: "T01".into(),
                opened_by: staff,
                opened_by_name: "Sari".into(),
                opened_at: now(),
                business_date: day,
                opening_float: 500_000,
            }),
        ),
        fixtures::envelope("T01", 3, now(), Payload::Sale(sale)),
        fixtures::envelope(
            "T01",
            4,
            now(),
            Payload::CashMoved(kasir_proto::CashMoved {
                id: Uuid::now_v7(),
                shift_id: shift,
                direction: kasir_proto::CashDirection::Out,
                amount: 35_000,
                reason: "Es batu".into(),
                staff_id: staff,
                approved_by: None,
                at: now(),
            }),
        ),
        fixtures::envelope("T01", 5, now(), Payload::Refund(refund)),
        fixtures::envelope(
            "T01",
            6,
            now(),
            Payload::ShiftClosed(kasir_proto::ShiftClosed {
                id: shift,
                terminal: "T01".into(),
                z_no: 1,
                closed_by: staff,
                closed_at: now(),
                business_date: day,
                counted: 530_000,
                expected: 509_000,
                variance: 21_000,
                note: String::new(),
            }),
        ),
    ];
    let first = s.push(&t.token, &entries).await;
    assert!(
        outcomes(&first).iter().all(|o| *o == Outcome::Applied),
        "{first:?}"
    );
    let level = "SELECT level FROM stock_levels";
    assert_eq!(
        s.count(level).await,
        48,
        "50 - 3 + 1 back (the other thrown away)"
    );
    let shift_row = "SELECT count(*) FROM shifts WHERE z_no = 1 AND opening_float = 500000 AND variance = 21000";
    assert_eq!(
        s.count("SELECT count(*) FROM orders o JOIN shifts s ON s.id = o.shift_id")
            .await,
        1,
        "the order knows its shift"
    );
    assert_eq!(s.count(shift_row).await, 1);
    assert_eq!(
        s.count("SELECT count(*) FROM cash_movements WHERE direction = 'out'")
            .await,
        1
    );
    assert_eq!(s.count("SELECT count(*) FROM refunds").await, 1);
    assert_eq!(s.count("SELECT count(*) FROM refund_lines").await, 2);
    assert_eq!(
        s.count("SELECT sum(amount)::bigint FROM refund_payments")
            .await,
        44_000
    );
    assert_eq!(
        s.count("SELECT count(*) FROM stock_movements WHERE reason = 'refund'")
            .await,
        1
    );

    let replay = s.push(&t.token, &entries).await;
    assert!(outcomes(&replay).iter().all(|o| *o == Outcome::Duplicate));
    // The answer was lost; the till enrolled again sends the money side once more.
    let again = s.enrol(braga).await;
    s.push(&again.token, &entries[1..]).await;
    assert_eq!(s.count(level).await, 48, "nothing moved twice");
    assert_eq!(s.count("SELECT count(*) FROM refunds").await, 1);
    assert_eq!(s.count("SELECT count(*) FROM refund_lines").await, 2);
    assert_eq!(s.count("SELECT count(*) FROM shifts").await, 1);
    assert_eq!(s.count(shift_row).await, 1);
    assert_eq!(s.count("SELECT count(*) FROM cash_movements").await, 1);

    // Another refund under a number this till used before (its counter went back): kept,
    // renumbered, never dropped.
    let Payload::Refund(first_refund) = &entries[4].payload else {
        unreachable!("a refund")
    };
    let other = kasir_proto::Refund {
        id: Uuid::now_v7(),
        ..first_refund.clone()
    };
    let r = s
        .push(
            &t.token,
            &[fixtures::envelope("T01", 7, now(), Payload::Refund(other))],
        )
        .await;
    assert_eq!(outcomes(&r), vec![Outcome::Applied]);
    assert_eq!(
        s.count("SELECT count(*) FROM refunds WHERE refund_no = 'T01-R000001/7'")
            .await,
        1
    );
    assert_eq!(s.count("SELECT count(*) FROM refund_lines").await, 4);
    assert_eq!(
        s.count(level).await,
        49,
        "its croissant back on the shelf, once"
    );
}

#[tokio::test]
async fn members_take_the_newest_version_and_points_are_added_once() {
    let s = Server::start().await;
    let braga = s.store("Braga").await;
    let (t1, t2) = (s.enrol(braga).await, s.enrol(braga).await);
    let dewi = Uuid::now_v7();
    let member = |name: &str, phone: Option<&str>| kasir_proto::Member {
        id: dewi,
        number: "MEM-T01-000001".into(),
        name: name.into(),
        phone: phone.map(String::from),
        email: None,
        birthday: Some("1994-05-17".parse().unwrap()),
        address: String::new(),
        notes: "Alergi kacang".into(),
        active: true,
        referral_code: "DEWI7Q2K".into(),
        referred_by: None,
        created_at: now(),
        updated_at: now(),
    };
    let mut sale = fixtures::sale(
        Uuid::now_v7(),
        "T01-000001",
        now(),
        &[(Uuid::now_v7(), 2, 25_000)],
    );
    sale.order.member_id = Some(dewi);
    let order = sale.order.id;
    let entry = |points: i64, kind: kasir_proto::PointsKind| kasir_proto::PointsEntry {
        id: Uuid::now_v7(),
        member_id: dewi,
        kind,
        points,
        order_id: Some(order),
        refund_id: None,
        reason: String::new(),
        staff_id: None,
        at: now(),
    };
    let earn = entry(5, kasir_proto::PointsKind::Earn);
    let review_id = Uuid::now_v7();
    let review = |rating: u8, hidden: bool| kasir_proto::Review {
        id: review_id,
        member_id: dewi,
        product_id: Uuid::now_v7(),
        rating,
        comment: "Enak".into(),
        image_id: None,
        hidden,
        at: now(),
    };
    let top_up = kasir_proto::WalletEntry {
        id: Uuid::now_v7(),
        member_id: dewi,
        kind: kasir_proto::WalletKind::TopUp,
        amount: 100_000,
        method: Some(kasir_proto::PaymentMethod::Cash),
        reference: None,
        order_id: None,
        refund_id: None,
        shift_id: Some(Uuid::now_v7()),
        reason: String::new(),
        staff_id: None,
        at: now(),
    };
    let first = vec![
        fixtures::envelope(
            "T01",
            1,
            now(),
            Payload::MemberUpserted(member("Dewi", Some("0812"))),
        ),
        fixtures::envelope("T01", 2, now(), Payload::Sale(sale)),
        fixtures::envelope("T01", 3, now(), Payload::PointsEntry(earn.clone())),
        fixtures::envelope("T01", 4, now(), Payload::WalletEntry(top_up.clone())),
        fixtures::envelope("T01", 5, now(), Payload::ReviewUpserted(review(4, false))),
    ];
    let pushed = s.push(&t1.token, &first).await;
    assert!(
        outcomes(&pushed).iter().all(|o| *o == Outcome::Applied),
        "{pushed:?}"
    );
    // Another till renames her; then the first till's entries arrive again.
    let second = vec![
        fixtures::envelope(
            "T02",
            1,
            now(),
            Payload::MemberUpserted(member("Dewi Lestari", None)),
        ),
        fixtures::envelope(
            "T02",
            2,
            now(),
            Payload::PointsEntry(entry(-3, kasir_proto::PointsKind::Redeem)),
        ),
        fixtures::envelope("T02", 3, now(), Payload::ReviewUpserted(review(5, true))),
    ];
    let pushed = s.push(&t2.token, &second).await;
    assert!(
        outcomes(&pushed).iter().all(|o| *o == Outcome::Applied),
        "{pushed:?}"
    );
    let replay = s.push(&t1.token, &first).await;
    assert!(outcomes(&replay).iter().all(|o| *o == Outcome::Duplicate));
    assert_eq!(
        s.count("SELECT count(*) FROM members WHERE name = 'Dewi Lestari' AND phone IS NULL")
            .await,
        1,
        "the newest version, in the server's order"
    );
    assert_eq!(
        s.count("SELECT count(*) FROM reviews WHERE rating = 5 AND hidden")
            .await,
        1,
        "the review's newest version, a replay of the older one notwithstanding"
    );
    assert_eq!(
        s.count("SELECT sum(points)::bigint FROM point_entries")
            .await,
        2
    );
    assert_eq!(
        s.count("SELECT count(*) FROM orders WHERE member_id IS NOT NULL")
            .await,
        1,
        "the order knows its member"
    );
    // A till enrolled again sends the earning once more: it is added once.
    let again = s.enrol(braga).await;
    s.push(
        &again.token,
        &[
            fixtures::envelope("T01", 1, now(), Payload::PointsEntry(earn)),
            fixtures::envelope("T01", 2, now(), Payload::WalletEntry(top_up)),
        ],
    )
    .await;
    assert_eq!(s.count("SELECT count(*) FROM point_entries").await, 2);
    assert_eq!(
        s.count("SELECT sum(amount)::bigint FROM wallet_entries WHERE method = 'cash'")
            .await,
        100_000,
        "the top-up once"
    );
    // Every till of the store learns her, each of her entries once (replays and a till
    // enrolled again add none), her newest version last; another store learns nothing.
    let page = s.pull(&t2.token, 0).await;
    let mut names = Vec::new();
    let (mut points, mut wallet) = (Vec::new(), Vec::new());
    for c in &page.changes {
        match &c.data {
            ChangeData::Member(m) => names.push(m.name.clone()),
            ChangeData::PointsEntry(e) => points.push(e.points),
            ChangeData::WalletEntry(e) => wallet.push(e.amount),
            _ => {}
        }
    }
    assert_eq!(names, ["Dewi", "Dewi Lestari"]);
    assert_eq!(points, [5, -3]);
    assert_eq!(wallet, [100_000]);
    let dago = s.store("Dago").await;
    let elsewhere = s.enrol(dago).await;
    assert!(s.pull(&elsewhere.token, 0).await.changes.is_empty());
}

#[tokio::test]
async fn coupons_take_the_newest_version_and_uses_are_added_and_given_back_once() {
    let s = Server::start().await;
    let braga = s.store("Braga").await;
    let (t1, t2) = (s.enrol(braga).await, s.enrol(braga).await);
    let id = Uuid::now_v7();
    let coupon = |name: &str, active: bool| kasir_proto::Coupon {
        id,
        code: "HEMAT20".into(),
        name: name.into(),
        rule: kasir_proto::CouponRule::Percent {
            bp: 2000,
            cap: Some(15_000),
        },
        min_order: 50_000,
        usage_limit: Some(100),
        per_member_limit: None,
        customer_group: "all".into(),
        valid_from: None,
        valid_until: Some("2026-12-31".into()),
        active,
        at: now(),
    };
    let sale = fixtures::sale(
        Uuid::now_v7(),
        "T01-000001",
        now(),
        &[(Uuid::now_v7(), 2, 25_000)],
    );
    let order = sale.order.id;
    let used = kasir_proto::CouponUse {
        id: Uuid::now_v7(),
        coupon_id: id,
        order_id: order,
        member_id: None,
        discount: 10_000,
        used_at: now(),
        given_back_at: None,
    };
    let first = vec![
        fixtures::envelope(
            "T01",
            1,
            now(),
            Payload::CouponUpserted(coupon("Hemat 20%", true)),
        ),
        fixtures::envelope("T01", 2, now(), Payload::Sale(sale)),
        fixtures::envelope("T01", 3, now(), Payload::CouponUse(used.clone())),
    ];
    let pushed = s.push(&t1.token, &first).await;
    assert!(
        outcomes(&pushed).iter().all(|o| *o == Outcome::Applied),
        "{pushed:?}"
    );
    // Another till switches the coupon off; the first till gives the use back (full refund).
    let second = vec![fixtures::envelope(
        "T02",
        1,
        now(),
        Payload::CouponUpserted(coupon("Hemat 20%", false)),
    )];
    s.push(&t2.token, &second).await;
    let back = kasir_proto::CouponUse {
        given_back_at: Some(now()),
        ..used.clone()
    };
    s.push(
        &t1.token,
        &[fixtures::envelope(
            "T01",
            4,
            now(),
            Payload::CouponUse(back),
        )],
    )
    .await;
    let replay = s.push(&t1.token, &first).await;
    assert!(outcomes(&replay).iter().all(|o| *o == Outcome::Duplicate));
    assert_eq!(
        s.count("SELECT count(*) FROM coupons WHERE NOT active")
            .await,
        1,
        "the newest version"
    );
    assert_eq!(
        s.count("SELECT count(*) FROM coupons WHERE rule->>'kind' = 'percent' AND (rule->>'bp')::int = 2000").await,
        1,
        "the rule as sent"
    );
    // A re-enrolled till sends the first use again: still one use, still given back.
    let again = s.enrol(braga).await;
    s.push(&again.token, &first[2..]).await;
    assert_eq!(s.count("SELECT count(*) FROM coupon_uses").await, 1);
    assert_eq!(
        s.count("SELECT count(*) FROM coupon_uses WHERE given_back_at IS NOT NULL")
            .await,
        1
    );
    // Every till learns the coupon's newest version and the use as it now stands (given
    // back, the re-sent first version notwithstanding).
    let page = s.pull(&t2.token, 0).await;
    let coupons: Vec<bool> = page
        .changes
        .iter()
        .filter_map(|c| match &c.data {
            ChangeData::Coupon(c) => Some(c.active),
            _ => None,
        })
        .collect();
    assert_eq!(coupons, [true, false]);
    let uses: Vec<bool> = page
        .changes
        .iter()
        .filter_map(|c| match &c.data {
            ChangeData::CouponUse(u) => Some(u.given_back_at.is_some()),
            _ => None,
        })
        .collect();
    assert_eq!(uses.first(), Some(&false));
    assert_eq!(uses.last(), Some(&true));
    assert!(uses.len() >= 2);
}

#[tokio::test]
async fn vouchers_and_redemptions_take_their_newest_state_once() {
    let s = Server::start().await;
    let braga = s.store("Braga").await;
    let t1 = s.enrol(braga).await;
    let voucher = |stock: i64| kasir_proto::Voucher {
        id: Uuid::from_u128(7),
        name: "Gratis 1 kue".into(),
        reward: kasir_proto::Reward::Freebie {
            product_id: Uuid::now_v7(),
        },
        points_cost: 200,
        stock: Some(stock),
        valid_from: None,
        valid_until: None,
        active: true,
        at: now(),
        stock_set_at: None,
    };
    let redemption = |status: &str, order: Option<Uuid>| kasir_proto::Redemption {
        id: Uuid::from_u128(8),
        code: "V-T01-000001".into(),
        voucher_id: Uuid::from_u128(7),
        member_id: Uuid::now_v7(),
        points: 200,
        status: status.into(),
        order_id: order,
        at: now(),
    };
    let order = Uuid::now_v7();
    let entries = vec![
        fixtures::envelope("T01", 1, now(), Payload::VoucherUpserted(voucher(50))),
        fixtures::envelope("T01", 2, now(), Payload::VoucherUpserted(voucher(49))),
        fixtures::envelope(
            "T01",
            3,
            now(),
            Payload::Redemption(redemption("pending", None)),
        ),
        fixtures::envelope(
            "T01",
            4,
            now(),
            Payload::Redemption(redemption("used", Some(order))),
        ),
    ];
    let pushed = s.push(&t1.token, &entries).await;
    assert!(
        outcomes(&pushed).iter().all(|o| *o == Outcome::Applied),
        "{pushed:?}"
    );
    let replay = s.push(&t1.token, &entries).await;
    assert!(outcomes(&replay).iter().all(|o| *o == Outcome::Duplicate));
    assert_eq!(s.count("SELECT stock FROM vouchers").await, 49);
    assert_eq!(
        s.count("SELECT count(*) FROM redemptions WHERE status = 'used' AND order_id IS NOT NULL")
            .await,
        1
    );
    assert_eq!(
        s.count("SELECT count(*) FROM vouchers WHERE reward->>'kind' = 'freebie'")
            .await,
        1
    );
    // Another till of the store learns each version in order: the last is the newest.
    let other = s.enrol(braga).await;
    let page = s.pull(&other.token, 0).await;
    let mut stock = Vec::new();
    let mut statuses = Vec::new();
    for c in &page.changes {
        match &c.data {
            ChangeData::Voucher(v) => stock.push(v.stock),
            ChangeData::Redemption(r) => statuses.push(r.status.clone()),
            _ => {}
        }
    }
    assert_eq!(stock, [Some(50), Some(49)]);
    assert_eq!(statuses, ["pending", "used"]);
}
