//! Error answers: a status and an [`ApiError`] body with a stable code.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kasir_proto::api::ApiError;

/// A request that did not succeed, as the client will see it.
#[derive(Debug)]
pub struct Failure {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// A write met a row already holding its key (a unique violation): the ingest, which
    /// writes optimistically, reads what is held and writes again.
    pub(crate) key_taken: bool,
}

impl Failure {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            status,
            code,
            message: message.into(),
            key_taken: false,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn unauthorized() -> Failure {
        Failure::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is needed",
        )
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::warn!(code = self.code, message = %self.message, "request failed");
        }
        let body = ApiError {
            code: self.code.to_owned(),
            message: self.message,
        };
        (self.status, Json(body)).into_response()
    }
}

/// A database that cannot be reached or a query that failed is the server's problem: 503
/// (the terminal retries) for lost connections, 500 otherwise.
impl From<tokio_postgres::Error> for Failure {
    fn from(e: tokio_postgres::Error) -> Failure {
        if e.is_closed() || e.as_db_error().is_none() {
            Failure::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                format!("database: {e}"),
            )
        } else {
            Failure {
                key_taken: e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION),
                ..Failure::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    format!("database: {e}"),
                )
            }
        }
    }
}

impl From<deadpool_postgres::PoolError> for Failure {
    fn from(e: deadpool_postgres::PoolError) -> Failure {
        Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            format!("database: {e}"),
        )
    }
}

/// Unknown routes answer in the same shape.
pub async fn not_found() -> Failure {
    Failure::new(StatusCode::NOT_FOUND, "not_found", "no such route")
}

/// Reads a JSON body, answering a bad or oversized one with an [`ApiError`] (axum's own
/// rejection is plain text).
pub struct Body<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for Body<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Failure;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Failure> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(rejection) => {
                let status = rejection.status();
                let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
                    "too_large"
                } else {
                    "bad_request"
                };
                Err(Failure::new(status, code, rejection.body_text()))
            }
        }
    }
}
