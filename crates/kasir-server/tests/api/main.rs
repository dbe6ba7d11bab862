//! The server over real HTTP against a real PostgreSQL (a private cluster this test starts).
//! `access`: credentials on every route, docs, enrolment; `push`: exactly-once ingest, two
//! servers on one database, a database restart; `pull`: the change log and pictures. This file
//! holds the helpers: `Server::start()` (a migrated database and a server on a free port),
//! enrolment, push and pull calls, and entry fixtures.

use std::sync::OnceLock;

use kasir_proto::api::*;
use kasir_proto::fixtures;
use kasir_proto::{Envelope, Payload};
use kasir_testpg::{Cluster, Durability};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

mod access;
mod pull;
mod push;

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
