//! The server over real HTTP against a real PostgreSQL (a private cluster this test starts):
//! credentials on every route, enrolment, exactly-once push, the change log, two servers on
//! one database, and a database restart.

use std::sync::OnceLock;

use kasir_proto::api::*;
use kasir_proto::fixtures;
use kasir_proto::{Envelope, Payload};
use kasir_testpg::{Cluster, Durability};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| Cluster::start(Durability::NoFsync))
}

/// A server on its own database, in this process.
struct Server {
    base: String,
    pool: kasir_server::Pool,
    http: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Server {
    async fn start() -> Server {
        let url = cluster().create_database();
        Server::on(&url).await
    }

    async fn on(url: &str) -> Server {
        let pool = kasir_server::connect(url, 8).unwrap();
        kasir_server::migrate(&pool).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let state = kasir_server::AppState::new(pool.clone());
        tokio::spawn(kasir_server::serve(listener, state, async {
            let _ = rx.await;
        }));
        Server {
            base,
            pool,
            http: reqwest::Client::new(),
            stop: Some(tx),
        }
    }

    async fn store(&self, name: &str) -> Uuid {
        kasir_server::admin::create_store(&self.pool, name)
            .await
            .unwrap()
    }

    async fn code(&self, store: Uuid) -> String {
        kasir_server::admin::enrolment_code(&self.pool, store, jiff::SignedDuration::from_hours(1))
            .await
            .unwrap()
    }

    async fn enrol(&self, store: Uuid) -> EnrolResponse {
        let code = self.code(store).await;
        let r = self
            .post("/v1/enrol", None, &json!({"code": code, "name": "kasir-1"}))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.unwrap()
    }

    async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> reqwest::Response {
        let mut req = self.http.post(format!("{}{path}", self.base)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    async fn put_picture(
        &self,
        path: &str,
        token: Option<&str>,
        bytes: Vec<u8>,
    ) -> reqwest::Response {
        let mut req = self
            .http
            .put(format!("{}{path}", self.base))
            .header("content-type", "image/jpeg")
            .body(bytes);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        req.send().await.unwrap()
    }

    async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut req = self.http.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    async fn push(&self, token: &str, entries: &[Envelope]) -> PushResponse {
        let r = self
            .post("/v1/push", Some(token), &push_body(entries))
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        r.json().await.unwrap()
    }

    async fn pull(&self, token: &str, after: i64) -> PullResponse {
        let r = self
            .get(&format!("/v1/pull?after={after}"), Some(token))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.unwrap()
    }

    async fn count(&self, sql: &str) -> i64 {
        let c = self.pool.get().await.unwrap();
        c.query_one(sql, &[]).await.unwrap().get(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

fn push_body(entries: &[Envelope]) -> Value {
    json!({
        "head": entries.last().map_or(0, |e| e.seq),
        "entries": entries.iter().map(|e| serde_json::to_value(e).unwrap()).collect::<Vec<_>>(),
    })
}

/// The start of a JPEG and a little of its header: what the server checks.
const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0];

fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

fn sale_entry(seq: i64, product: Uuid, qty: i64) -> Envelope {
    let sale = fixtures::sale(
        Uuid::now_v7(),
        &format!("T01-{seq:06}"),
        now(),
        &[(product, qty, 25_000)],
    );
    fixtures::envelope("T01", seq, now(), Payload::Sale(sale))
}

fn outcomes(r: &PushResponse) -> Vec<Outcome> {
    r.results.iter().map(|e| e.outcome.clone()).collect()
}

#[tokio::test]
async fn every_route_but_health_needs_the_right_credential() {
    let s = Server::start().await;
    let store = s.store("Braga").await;
    let terminal = s.enrol(store).await;
    let operator = kasir_server::admin::operator_token(&s.pool, "ops")
        .await
        .unwrap();

    let r = s.get("/health", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[PROTOCOL_HEADER], PROTOCOL.to_string().as_str());

    let wrong = "x".repeat(43);
    let picture = format!("/v1/pictures/{}", Uuid::now_v7());
    let terminal_routes = ["/v1/pull", picture.as_str()];
    let operator_routes = ["/v1/ops/stores", "/v1/ops/terminals", "/v1/ops/sales"];
    for path in terminal_routes.iter().chain(&operator_routes) {
        for token in [None, Some(wrong.as_str())] {
            let r = s.get(path, token).await;
            assert_eq!(
                r.status(),
                StatusCode::UNAUTHORIZED,
                "{path} with {token:?}"
            );
            let body: ApiError = r.json().await.unwrap();
            assert_eq!(body.code, "unauthorized");
        }
    }
    for token in [None, Some(wrong.as_str()), Some(operator.as_str())] {
        let r = s.post("/v1/push", token, &push_body(&[])).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "push with {token:?}");
        let r = s.put_picture(&picture, token, JPEG.to_vec()).await;
        assert_eq!(
            r.status(),
            StatusCode::UNAUTHORIZED,
            "picture with {token:?}"
        );
    }
    assert_eq!(s.count("SELECT count(*) FROM pictures").await, 0);
    // An operator's token is not a terminal's, and a terminal's is not an operator's.
    assert_eq!(
        s.get("/v1/pull", Some(&operator)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    for path in operator_routes {
        assert_eq!(
            s.get(path, Some(&terminal.token)).await.status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(s.get(path, Some(&operator)).await.status(), StatusCode::OK);
    }
    assert_eq!(
        s.get("/v1/pull", Some(&terminal.token)).await.status(),
        StatusCode::OK
    );
    // Enrolment's credential is the code.
    let r = s
        .post("/v1/enrol", None, &json!({"code": "ABCD-EFGH-JKMN"}))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The docs are open, like /health.
    for path in ["/openapi.json", "/docs", "/docs/"] {
        let r = s.get(path, None).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(r.headers()[PROTOCOL_HEADER], PROTOCOL.to_string().as_str());
    }
    // Unknown routes answer in the same shape.
    let r = s.get("/v1/nothing", Some(&terminal.token)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.json::<ApiError>().await.unwrap().code, "not_found");
}

#[tokio::test]
async fn the_openapi_document_describes_every_route_and_its_credential() {
    let s = Server::start().await;
    let r = s.get("/openapi.json", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[PROTOCOL_HEADER], PROTOCOL.to_string().as_str());
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["info"]["title"], "Kasir server API");
    assert_eq!(doc["info"]["version"], PROTOCOL.to_string());

    let paths = doc["paths"].as_object().unwrap();
    let mut listed: Vec<&str> = paths.keys().map(String::as_str).collect();
    listed.sort();
    assert_eq!(
        listed,
        [
            "/health",
            "/v1/enrol",
            "/v1/ops/sales",
            "/v1/ops/stores",
            "/v1/ops/terminals",
            "/v1/pictures/{id}",
            "/v1/pull",
            "/v1/push",
        ]
    );
    let security = |path: &str, method: &str| doc["paths"][path][method]["security"].clone();
    assert_eq!(security("/v1/push", "post"), json!([{ "terminal": [] }]));
    assert_eq!(security("/v1/pull", "get"), json!([{ "terminal": [] }]));
    for method in ["get", "put"] {
        assert_eq!(
            security("/v1/pictures/{id}", method),
            json!([{ "terminal": [] }])
        );
    }
    for path in ["/v1/ops/stores", "/v1/ops/terminals", "/v1/ops/sales"] {
        assert_eq!(security(path, "get"), json!([{ "operator": [] }]), "{path}");
    }
    assert_eq!(security("/v1/enrol", "post"), Value::Null);
    assert_eq!(security("/health", "get"), Value::Null);
    assert!(
        doc.get("security").is_none(),
        "no document-wide requirement"
    );
    for scheme in ["terminal", "operator"] {
        let scheme = &doc["components"]["securitySchemes"][scheme];
        assert_eq!(scheme["type"], "http");
        assert_eq!(scheme["scheme"], "bearer");
    }

    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "PushRequest",
        "PushResponse",
        "Envelope",
        "EntryResult",
        "Outcome",
        "PullResponse",
        "ChangeData",
        "Product",
        "EnrolResponse",
        "DailySales",
        "ApiError",
    ] {
        assert!(
            schemas.contains_key(name),
            "{name} is not in the components"
        );
    }
    let params: Vec<&str> = doc["paths"]["/v1/pull"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(params, ["after", "limit"]);
    let params = &doc["paths"]["/v1/ops/sales"]["get"]["parameters"];
    assert_eq!(params[1]["name"], "from");
    assert_eq!(params[1]["schema"]["format"], "date");
    assert_eq!(
        doc["paths"]["/v1/push"]["post"]["responses"]["401"]["content"]["application/json"]["schema"]
            ["$ref"],
        "#/components/schemas/ApiError"
    );

    // The router serves every operation the document lists (no credential: 401, 400 or 200,
    // never 404 or 405).
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let r = match method.as_str() {
                "get" => s.get(path, None).await,
                "post" => s.post(path, None, &json!({})).await,
                "put" => s.put_picture(path, None, JPEG.to_vec()).await,
                other => panic!("{path}: unexpected method {other}"),
            };
            assert!(
                ![StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED].contains(&r.status()),
                "{method} {path}: {}",
                r.status()
            );
        }
    }
}

#[tokio::test]
async fn swagger_ui_is_served_at_docs_and_reads_the_document() {
    let s = Server::start().await;
    // `/docs` redirects to `/docs/` (followed).
    let r = s.get("/docs", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.url().path(), "/docs/");
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = r.text().await.unwrap();
    assert!(html.to_lowercase().contains("swagger"), "{html}");
    // Its files come from the binary, and it is pointed at our document.
    let r = s.get("/docs/swagger-initializer.js", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("/openapi.json"));
    let r = s.get("/docs/swagger-ui-bundle.js", None).await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_code_enrols_one_terminal_once_and_terminal_codes_count_up() {
    let s = Server::start().await;
    let store = s.store("Braga").await;
    let a = s.enrol(store).await;
    let b = s.enrol(store).await;
    assert_eq!(
        (a.terminal_code.as_str(), b.terminal_code.as_str()),
        ("T01", "T02")
    );
    assert_eq!(a.store_id, store);
    assert_eq!(a.store_name, "Braga");
    assert_ne!(a.token, b.token);
    assert_eq!(a.token.len(), 43);
    let stored: i64 = s
        .count(&format!(
            "SELECT count(*) FROM terminals WHERE token_hash = '\\x{}'::bytea",
            a.token
                .bytes()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        ))
        .await;
    assert_eq!(stored, 0, "the token itself is never stored");

    // A used code is refused, typed however.
    let code = s.code(store).await;
    let body = json!({"code": code.to_lowercase().replace('-', " ")});
    assert_eq!(
        s.post("/v1/enrol", None, &body).await.status(),
        StatusCode::OK
    );
    let r = s.post("/v1/enrol", None, &body).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        r.json::<ApiError>().await.unwrap().code,
        "enrolment_refused"
    );

    // Five wrong secrets kill a code: the right one is refused afterwards.
    let code = s.code(store).await;
    let wrong = format!("{}-2222-2222", &code[..4]);
    for _ in 0..kasir_server::admin::CODE_ATTEMPTS {
        let r = s.post("/v1/enrol", None, &json!({ "code": wrong })).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    let r = s.post("/v1/enrol", None, &json!({ "code": code })).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // An expired code is refused.
    let code = s.code(store).await;
    s.pool
        .get()
        .await
        .unwrap()
        .execute(
            "UPDATE enrolment_codes SET expires_at = now() - interval '1 second' WHERE id = $1",
            &[&code[..4].to_string()],
        )
        .await
        .unwrap();
    let r = s.post("/v1/enrol", None, &json!({ "code": code })).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(s.count("SELECT count(*) FROM terminals").await, 3);
}

#[tokio::test]
async fn enrolment_attempts_are_rate_limited() {
    let s = Server::start().await;
    let mut statuses = Vec::new();
    for _ in 0..25 {
        let r = s
            .post("/v1/enrol", None, &json!({"code": "nonsense"}))
            .await;
        statuses.push(r.status());
    }
    assert!(statuses[..20].iter().all(|s| *s == StatusCode::FORBIDDEN));
    assert!(
        statuses[20..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS)
    );
}

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

#[tokio::test]
async fn a_revoked_terminal_is_refused_and_told_so() {
    let s = Server::start().await;
    let store = s.store("Braga").await;
    let t = s.enrol(store).await;
    kasir_server::admin::revoke_terminal(&s.pool, t.terminal_id)
        .await
        .unwrap();
    let r = s
        .post(
            "/v1/push",
            Some(&t.token),
            &push_body(&[sale_entry(1, Uuid::now_v7(), 1)]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.json::<ApiError>().await.unwrap().code, "revoked");
    assert_eq!(s.count("SELECT count(*) FROM inbox").await, 0);
}

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
async fn a_terminal_reaches_only_its_own_orders() {
    let s = Server::start().await;
    let braga = s.store("Braga").await;
    let dago = s.store("Dago").await;
    let a = s.enrol(braga).await;
    let b = s.enrol(dago).await;
    let product = Uuid::now_v7();
    let order = Uuid::now_v7();
    let sale = fixtures::sale(order, "T01-000001", now(), &[(product, 1, 25_000)]);
    s.push(
        &a.token,
        &[fixtures::envelope(
            "T01",
            1,
            now(),
            Payload::Sale(sale.clone()),
        )],
    )
    .await;

    // Another store's terminal cancels and advances it: recorded as its own events, but the
    // order is untouched.
    let cancel = kasir_proto::OrderCancelled {
        order_id: order,
        receipt_no: "T01-000001".into(),
        reason: "x".into(),
        cancelled_by: Uuid::now_v7(),
        approved_by: None,
        at: now(),
        stock_returned: vec![],
    };
    let advance = kasir_proto::OrderStatusChanged {
        order_id: order,
        status: kasir_proto::OrderStatus::Ready,
        at: now(),
    };
    s.push(
        &b.token,
        &[
            fixtures::envelope("T01", 1, now(), Payload::OrderStatus(advance)),
            fixtures::envelope("T01", 2, now(), Payload::OrderCancelled(cancel)),
        ],
    )
    .await;
    assert_eq!(
        s.count("SELECT count(*) FROM orders WHERE status = 'pending'")
            .await,
        1
    );
    // The same order id sent by another terminal (a till copied from another's disk) moves
    // no stock twice and adds no lines or payments.
    s.push(
        &b.token,
        &[fixtures::envelope("T01", 3, now(), Payload::Sale(sale))],
    )
    .await;
    assert_eq!(s.count("SELECT count(*) FROM orders").await, 1);
    assert_eq!(s.count("SELECT count(*) FROM order_lines").await, 1);
    assert_eq!(s.count("SELECT count(*) FROM payments").await, 1);
    assert_eq!(
        s.count("SELECT count(*) FROM stock_movements WHERE reason = 'sale'")
            .await,
        1
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
    assert_eq!(s.count("SELECT count(*) FROM pictures").await, 1);
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
