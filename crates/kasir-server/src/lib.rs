//! Kasir's central server: stores and their terminals, exactly-once ingest of the terminals'
//! outboxes, and the change log terminals pull their menu from.
//!
//! Stateless by design: every request's state is in PostgreSQL, so any number of server
//! processes can serve one database. Two things keep it exactly-once whatever the network
//! does: a push is applied in one transaction that holds the terminal's row lock, with
//! `INSERT … ON CONFLICT DO NOTHING` on (terminal, sequence) and the idempotency key, and
//! effects are applied only for entries really inserted; and the change log's cursor is
//! handed out under the store's row lock, so cursors are in commit order.
//!
//! Where to start reading: [`push`] (the ingest), [`pull`] (the change log), [`auth`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::HeaderValue;
use axum::routing::{get, post};
use kasir_proto::api::{ApiError, MAX_BODY, PROTOCOL, PROTOCOL_HEADER};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub mod admin;
pub mod auth;
pub mod db;
pub mod docs;
mod enrol;
mod error;
mod ops;
pub mod pictures;
pub mod pull;
pub mod push;

pub use crate::db::{Pool, connect, migrate};
pub use crate::error::Failure;

/// What every handler shares: the pool and the enrolment rate limiter.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub(crate) limiter: Arc<enrol::RateLimiter>,
}

impl AppState {
    pub fn new(pool: Pool) -> AppState {
        AppState {
            pool,
            limiter: Arc::new(enrol::RateLimiter::new(enrol::ATTEMPTS_PER_MINUTE)),
        }
    }
}

/// Every route. All but `/health` and the docs (`/openapi.json`, `/docs`) need a credential: a
/// terminal's token for `/v1/push`, `/v1/pull` and `/v1/pictures`, an enrolment code for `/v1/enrol`, an
/// operator's token for `/v1/ops/*`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(docs::routes())
        .route("/health", get(health))
        .route("/v1/enrol", post(enrol::enrol))
        .route("/v1/push", post(push::push))
        .route("/v1/pull", get(pull::pull))
        .route(
            "/v1/pictures/{id}",
            get(pictures::get)
                .put(pictures::put.layer(DefaultBodyLimit::max(pictures::MAX_PICTURE))),
        )
        .route("/v1/ops/stores", get(ops::stores))
        .route("/v1/ops/terminals", get(ops::terminals))
        .route("/v1/ops/sales", get(ops::sales))
        .route("/v1/ops/flagged", get(ops::flagged))
        .fallback(error::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            axum::http::HeaderName::from_static(PROTOCOL_HEADER),
            HeaderValue::from(PROTOCOL),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// `GET /health`: 200 when the database answers, 503 when it does not.
#[utoipa::path(
    get,
    path = "/health",
    tag = "server",
    responses(
        (status = 200, description = "The database answers", body = String, content_type = "text/plain",
            example = "ok"),
        (status = 503, description = "`unavailable`: the database cannot be reached", body = ApiError),
    )
)]
async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<&'static str, Failure> {
    let client = state.pool.get().await?;
    client.simple_query("SELECT 1").await?;
    Ok("ok")
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
