//! Who gets in: credentials on every route, the API's own docs, enrolment and its rate
//! limit, revoked terminals, and a token that reaches only its own terminal's orders.

use super::*;

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
    let operator_routes = [
        "/v1/ops/stores",
        "/v1/ops/terminals",
        "/v1/ops/sales",
        "/v1/ops/flagged",
    ];
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
            "/v1/ops/flagged",
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
    for path in [
        "/v1/ops/stores",
        "/v1/ops/terminals",
        "/v1/ops/sales",
        "/v1/ops/flagged",
    ] {
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
