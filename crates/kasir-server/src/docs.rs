//! The API's own description: the OpenAPI document at `GET /openapi.json` and Swagger UI at
//! `/docs`, both open like `/health`. The document is built at compile time from the handlers'
//! `#[utoipa::path]` attributes and `kasir-proto`'s types (its `openapi` feature), so it
//! follows the code; Swagger UI's files are vendored into the binary (no download at build or
//! run time).

use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

/// Where the OpenAPI document is served.
pub const OPENAPI_PATH: &str = "/openapi.json";

/// Where Swagger UI is served (`/docs` redirects to `/docs/`).
pub const DOCS_PATH: &str = "/docs";

/// The server's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kasir server API",
        version = kasir_proto::api::PROTOCOL.to_string(),
        description = "The central server of Kasir, an offline-first point of sale: terminals \
            enrol with a one-time code, push their outbox entries (applied exactly once) and \
            pull their store's menu changes; operators read stores, terminals and daily sales. \
            Every request but `/health` and these docs carries a bearer token: a terminal's \
            for `/v1/push`, `/v1/pull` and `/v1/pictures`, an operator's for `/v1/ops/*`. Every answer carries \
            the server's protocol version in the `kasir-protocol` header (the version of this \
            document), and every error answer has an `ApiError` body with a stable code. A \
            request that takes over 30 seconds is answered 503."
    ),
    paths(
        crate::health,
        crate::enrol::enrol,
        crate::push::push,
        crate::pull::pull,
        crate::pictures::put,
        crate::pictures::get,
        crate::ops::stores,
        crate::ops::terminals,
        crate::ops::sales,
        crate::ops::flagged,
    ),
    components(schemas(kasir_proto::api::ApiError)),
    modifiers(&BearerSchemes),
    tags(
        (name = "terminal", description = "Enrolment, push and pull, for a till"),
        (name = "operator", description = "Reads for the business's operator"),
        (name = "server", description = "The server itself"),
    )
)]
pub struct ApiDoc;

/// The two bearer schemes the paths name: `terminal` and `operator`.
struct BearerSchemes;

impl Modify for BearerSchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, description) in [
            ("terminal", "The token `POST /v1/enrol` gave the terminal."),
            (
                "operator",
                "A token made with `kasir-server operator-token` (never a terminal's).",
            ),
        ] {
            components.add_security_scheme(
                name,
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some(description))
                        .build(),
                ),
            );
        }
    }
}

/// `GET /openapi.json` and Swagger UI under `/docs`.
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    SwaggerUi::new(DOCS_PATH)
        .url(OPENAPI_PATH, ApiDoc::openapi())
        .into()
}
