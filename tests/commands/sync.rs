//! Sync through the commands, against a real server and PostgreSQL.

use serde_json::json;

use crate::Harness;

/// Sync through the commands, against a real server on a real PostgreSQL: only a manager
/// enrols (checked before the code goes over the network), a bad address and a wrong code are
/// worded errors, and once enrolled the background uploader sends the outbox until nothing
/// waits.
#[test]
fn sync_enrols_and_drains_through_the_commands() {
    let cluster = kasir_testpg::Cluster::start(kasir_testpg::Durability::NoFsync);
    let url = cluster.create_database();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (pool, addr, code) = rt.block_on(async {
        let pool = kasir_server::connect(&url, 4).unwrap();
        kasir_server::migrate(&pool).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(kasir_server::serve(
            listener,
            kasir_server::AppState::new(pool.clone()),
            std::future::pending(),
        ));
        let store = kasir_server::admin::create_store(&pool, "Braga")
            .await
            .unwrap();
        let code =
            kasir_server::admin::enrolment_code(&pool, store, jiff::SignedDuration::from_hours(1))
                .await
                .unwrap();
        (pool, addr, code)
    });
    let server = format!("http://{addr}");
    let h = Harness::with_sync(true, true);

    h.sign_in("Sari", "3333");
    let status = h.ok("sync_status", json!({}));
    assert_eq!(status["enrolled"], false);
    assert!(
        status["pending"].as_i64().unwrap() > 0,
        "the demo's menu waits to be sent"
    );
    let enrol = |url: &str, allow_http: bool, code: &str| {
        h.call(
            "sync_enrol",
            json!({"serverUrl": url, "allowHttp": allow_http, "code": code}),
        )
    };
    assert_eq!(
        enrol(&server, true, &code).unwrap_err(),
        json!({"kind": "forbidden", "data": {"permission": "manage_sync", "role": "cashier", "needs_approval": false}})
    );
    assert_eq!(h.err("sync_now", json!({}))["kind"], "forbidden");

    h.ok("sign_out", json!({}));
    h.sign_in("Budi", "2222");
    assert_eq!(
        enrol(&server, false, &code).unwrap_err(),
        json!({"kind": "sync", "data": {"problem": "address"}})
    );
    assert_eq!(
        enrol(&server, true, "ABCD-EFGH-JKMN").unwrap_err(),
        json!({"kind": "sync", "data": {"problem": "enrolment_refused"}})
    );
    assert_eq!(
        enrol("http://127.0.0.1:9", true, &code).unwrap_err(),
        json!({"kind": "sync", "data": {"problem": "unreachable"}})
    );
    let status = enrol(&server, true, &code).unwrap();
    assert_eq!(status["enrolled"], true);
    assert_eq!(status["store_name"], "Braga");
    assert_eq!(status["server_url"], server);

    // The uploader drains the outbox in the background.
    h.ok("sync_now", json!({}));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let s = h.ok("sync_status", json!({}));
        if s["pending"] == 0 && !s["last_success"].is_null() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "sync did not drain: {s}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let products: i64 = rt.block_on(async {
        let c = pool.get().await.unwrap();
        c.query_one("SELECT count(*) FROM products", &[])
            .await
            .unwrap()
            .get(0)
    });
    assert!(
        products > 10,
        "the demo's menu is on the server: {products}"
    );
}
