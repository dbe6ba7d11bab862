//! `POST /v1/enrol`: a terminal trades a one-time code for its id, its code in the store and a
//! bearer token.
//!
//! Every failure answers the same 403 `enrolment_refused` (an unknown, used, expired or wrong
//! code, or one out of attempts), so the answer tells a guesser nothing. A wrong secret counts
//! against the code's attempts; and each server process allows [`ATTEMPTS_PER_MINUTE`] attempts
//! a minute per client address (429 `rate_limited` beyond).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use kasir_proto::api::{ApiError, EnrolRequest, EnrolResponse};
use uuid::Uuid;

use crate::auth::{new_token, parse_code, token_hash, verify_secret};
use crate::error::Body;
use crate::{AppState, Failure};

pub const ATTEMPTS_PER_MINUTE: u32 = 20;

fn refused() -> Failure {
    Failure::new(
        StatusCode::FORBIDDEN,
        "enrolment_refused",
        "the enrolment code is unknown, used, expired or wrong",
    )
}

/// Trades a one-time enrolment code for the terminal's identity and bearer token.
#[utoipa::path(
    post,
    path = "/v1/enrol",
    tag = "terminal",
    request_body = EnrolRequest,
    responses(
        (status = 200, description = "Enrolled: keep the token, it is shown once", body = EnrolResponse),
        (status = 400, description = "`bad_request`: the body is not JSON", body = ApiError),
        (status = 403, description = "`enrolment_refused`: the code is unknown, used, expired or wrong", body = ApiError),
        (status = 413, description = "`too_large`: the body is over the limit", body = ApiError),
        (status = 415, description = "`bad_request`: the body is not `application/json`", body = ApiError),
        (status = 422, description = "`bad_request`: the JSON is not an `EnrolRequest`", body = ApiError),
        (status = 429, description = "`rate_limited`: too many attempts from this address this minute", body = ApiError),
        (status = 503, description = "`unavailable`: the database cannot be reached (retry)", body = ApiError),
    )
)]
pub async fn enrol(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Body(req): Body<EnrolRequest>,
) -> Result<Json<EnrolResponse>, Failure> {
    if !state.limiter.allow(peer.ip()) {
        return Err(Failure::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many enrolment attempts: wait a minute",
        ));
    }
    let (code_id, secret) = parse_code(&req.code).ok_or_else(refused)?;
    let name: String = req.name.trim().chars().take(60).collect();

    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    let row = tx
        .query_opt(
            "SELECT store_id, secret_hash, attempts < max_attempts AND used_at IS NULL
                    AND expires_at > now()
             FROM enrolment_codes WHERE id = $1 FOR UPDATE",
            &[&code_id],
        )
        .await?
        .ok_or_else(refused)?;
    let store_id: Uuid = row.get(0);
    let phc: String = row.get(1);
    if !row.get::<_, bool>(2) {
        return Err(refused());
    }
    let ok = tokio::task::spawn_blocking(move || verify_secret(&secret, &phc))
        .await
        .unwrap_or(false);
    if !ok {
        tx.execute(
            "UPDATE enrolment_codes SET attempts = attempts + 1 WHERE id = $1",
            &[&code_id],
        )
        .await?;
        tx.commit().await?;
        return Err(refused());
    }
    tx.execute(
        "UPDATE enrolment_codes SET used_at = now(), attempts = attempts + 1 WHERE id = $1",
        &[&code_id],
    )
    .await?;
    let store = tx
        .query_one(
            "UPDATE stores SET terminals_made = terminals_made + 1 WHERE id = $1
             RETURNING terminals_made, name",
            &[&store_id],
        )
        .await?;
    let number: i32 = store.get(0);
    let terminal_code = format!("T{number:02}");
    let terminal_id = Uuid::now_v7();
    let token = new_token();
    tx.execute(
        "INSERT INTO terminals (id, store_id, code, name, token_hash) VALUES ($1, $2, $3, $4, $5)",
        &[
            &terminal_id,
            &store_id,
            &terminal_code,
            &name,
            &token_hash(&token),
        ],
    )
    .await?;
    tx.commit().await?;
    tracing::info!(%store_id, %terminal_id, code = %terminal_code, "terminal enrolled");
    Ok(Json(EnrolResponse {
        terminal_id,
        terminal_code,
        store_id,
        store_name: store.get(1),
        token,
    }))
}

/// A fixed window per client address, per process.
pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    pub fn allow(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > 10_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(60));
        }
        let (start, count) = windows.entry(ip).or_insert((now, 0));
        if now.duration_since(*start) >= Duration::from_secs(60) {
            *start = now;
            *count = 0;
        }
        *count += 1;
        *count <= self.per_minute
    }
}
