//! Product pictures: `PUT` and `GET /v1/pictures/{id}`.
//!
//! A picture is the display JPEG a till made from its upload (the till checked and re-encoded
//! it; the server only checks it is a JPEG within the size limit). It is kept per store under
//! the id the product's `image_id` names, written once: the same id sent again is a no-op, so
//! a retried upload is harmless. A till fetches the pictures its store's products name and
//! makes its own thumbnail. A token reaches only its own store's pictures.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use kasir_proto::api::ApiError;
use uuid::Uuid;

use crate::auth::Terminal;
use crate::{AppState, Failure};

/// The largest picture taken, in bytes (a till's display rendition is 800 px and far smaller).
pub const MAX_PICTURE: usize = 2 * 1024 * 1024;

/// Stores a picture of the terminal's store.
#[utoipa::path(
    put,
    path = "/v1/pictures/{id}",
    tag = "terminal",
    params(("id" = Uuid, Path, description = "The picture's id, as a product's `image_id` names it")),
    request_body(content = Vec<u8>, content_type = "image/jpeg", description = "The display JPEG"),
    security(("terminal" = [])),
    responses(
        (status = 204, description = "Stored (or already held: nothing changes)"),
        (status = 400, description = "`bad_request`: not a picture id, or not a JPEG", body = ApiError),
        (status = 401, description = "`unauthorized` (no valid terminal token) or `revoked`", body = ApiError),
        (status = 413, description = "`too_large`: over 2 MiB", body = ApiError),
        (status = 503, description = "`unavailable`: the database cannot be reached (retry)", body = ApiError),
    )
)]
pub async fn put(
    terminal: Terminal,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, Failure> {
    let id = picture_id(&id)?;
    // The route's body limit is MAX_PICTURE: a larger body is refused before it is read.
    let body = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Failure::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("a picture is at most {MAX_PICTURE} bytes"),
            )
        } else {
            Failure::bad_request(r.body_text())
        }
    })?;
    if !body.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Err(Failure::bad_request("a picture must be a JPEG"));
    }
    let client = state.pool.get().await?;
    client
        .execute(
            "INSERT INTO pictures (store_id, id, bytes) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            &[&terminal.store_id, &id, &body.as_ref()],
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A picture of the terminal's store.
#[utoipa::path(
    get,
    path = "/v1/pictures/{id}",
    tag = "terminal",
    params(("id" = Uuid, Path, description = "The picture's id")),
    security(("terminal" = [])),
    responses(
        (status = 200, description = "The display JPEG", body = Vec<u8>, content_type = "image/jpeg"),
        (status = 400, description = "`bad_request`: not a picture id", body = ApiError),
        (status = 401, description = "`unauthorized` (no valid terminal token) or `revoked`", body = ApiError),
        (status = 404, description = "`not_found`: the store holds no such picture (yet)", body = ApiError),
        (status = 503, description = "`unavailable`: the database cannot be reached (retry)", body = ApiError),
    )
)]
pub async fn get(
    terminal: Terminal,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, Failure> {
    let id = picture_id(&id)?;
    let client = state.pool.get().await?;
    let row = client
        .query_opt(
            "SELECT bytes FROM pictures WHERE store_id = $1 AND id = $2",
            &[&terminal.store_id, &id],
        )
        .await?;
    match row {
        Some(r) => Ok((
            [(header::CONTENT_TYPE, "image/jpeg")],
            r.get::<_, Vec<u8>>(0),
        )),
        None => Err(Failure::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "the store holds no such picture",
        )),
    }
}

/// A picture's id from the path: a UUID, or a `bad_request` in the API's own error shape (axum's
/// own rejection would be plain text).
fn picture_id(raw: &str) -> Result<Uuid, Failure> {
    Uuid::parse_str(raw).map_err(|_| Failure::bad_request("not a picture id"))
}
