//! The operator's reads: stores, terminals with their last contact and lag, sales per day,
//! and the orders the server flagged.

use axum::Json;
use axum::extract::{Query, State};
use kasir_proto::api::{ApiError, DailySales, FlaggedOrder, StoreSummary, TerminalSummary};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::Operator;
use crate::{AppState, Failure};

fn stamp(t: Option<std::time::SystemTime>) -> Option<jiff::Timestamp> {
    t.and_then(|t| jiff::Timestamp::try_from(t).ok())
}

/// Every store, by name, with its number of terminals.
#[utoipa::path(
    get,
    path = "/v1/ops/stores",
    tag = "operator",
    security(("operator" = [])),
    responses(
        (status = 200, description = "The stores", body = Vec<StoreSummary>),
        (status = 401, description = "`unauthorized`: no valid operator token", body = ApiError),
        (status = 503, description = "`unavailable`: the database cannot be reached (retry)", body = ApiError),
    )
)]
pub async fn stores(
    _: Operator,
    State(state): State<AppState>,
) -> Result<Json<Vec<StoreSummary>>, Failure> {
    let client = state.pool.get().await?;
    let rows = client
        .query(
            "SELECT s.id, s.name, s.created_at,
                    (SELECT count(*) FROM terminals t WHERE t.store_id = s.id)
             FROM stores s ORDER BY s.name",
            &[],
        )
        .await?;
    Ok(Json(
        rows.iter()
            .map(|r| StoreSummary {
                id: r.get(0),
                name: r.get(1),
                created_at: stamp(Some(r.get(2))).unwrap_or_default(),
                terminals: r.get(3),
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StoreFilter {
    /// Only this store's terminals (every store's when absent).
    store: Option<Uuid>,
}

/// Terminals with their last contact, what the server holds and their lag.
#[utoipa::path(
    get,
    path = "/v1/ops/terminals",
    tag = "operator",
    params(StoreFilter),
    security(("operator" = [])),
    responses(
        (status = 200, description = "The terminals, by store and code", body = Vec<TerminalSummary>),
        (status = 400, description = "The query cannot be read (plain text)", body = String, content_type = "text/plain"),
        (status = 401, description = "`unauthorized`: no valid operator token", body = ApiError),
        (status = 503, description = "`unavailable`: the database cannot be reached (retry)", body = ApiError),
    )
)]

pub async fn terminals(
    _: Operator,
    State(state): State<AppState>,
    Query(f): Query<StoreFilter>,
) -> Result<Json<Vec<TerminalSummary>>, Failure> {
    let client = state.pool.get().await?;
    let rows = client
        .query(
            "SELECT id, store_id, code, name, enrolled_at, last_contact, held_through,
                    GREATEST(head_seq - held_through, 0), revoked_at IS NOT NULL
             FROM terminals WHERE $1::uuid IS NULL OR store_id = $1 ORDER BY store_id, code",
            &[&f.store],
        )
        .await?;
    Ok(Json(
        rows.iter()
            .map(|r| TerminalSummary {
                id: r.get(0),
                store_id: r.get(1),
                code: r.get(2),
                name: r.get(3),
                enrolled_at: stamp(Some(r.get(4))).unwrap_or_default(),
                last_contact: stamp(r.get(5)),
                held_through: r.get(6),
                lag: r.get(7),
                revoked: r.get(8),
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SalesQuery {
    /// Only this store (every store when absent).
    store: Option<Uuid>,
    /// The first business day, inclusive (`2026-01-31`).
    #[param(value_type = Option<String>, format = Date)]
    from: Option<jiff::civil::Date>,
    /// The last business day, inclusive.
    #[param(value_type = Option<String>, format = Date)]
    to: Option<jiff::civil::Date>,
}

/// Orders, cancellations and takings per store and business day.
#[utoipa::path(
    get,
    path = "/v1/ops/sales",
    tag = "operator",
    params(SalesQuery),
    security(("operator" = [])),
    responses(
        (status = 200, description = "One row per store and business day, by day", body = Vec<DailySales>),
        (status = 400, description = "The query cannot be read (plain text)", body = String, content_type = "text/plain"),
        (status = 401, description = "`unauthorized`: no valid operator token", body = ApiError),
        (status = 503, description = "`unavailable`: the database cannot be reached (retry)", body = ApiError),
    )
)]

pub async fn sales(
    _: Operator,
    State(state): State<AppState>,
    Query(q): Query<SalesQuery>,
) -> Result<Json<Vec<DailySales>>, Failure> {
    let client = state.pool.get().await?;
    let rows = client
        .query(
            "SELECT store_id, business_date,
                    count(*) FILTER (WHERE status <> 'cancelled'),
                    count(*) FILTER (WHERE status = 'cancelled'),
                    COALESCE(sum(total) FILTER (WHERE status <> 'cancelled'), 0)::bigint
             FROM orders
             WHERE ($1::uuid IS NULL OR store_id = $1)
               AND ($2::date IS NULL OR business_date >= $2)
               AND ($3::date IS NULL OR business_date <= $3)
             GROUP BY store_id, business_date ORDER BY business_date, store_id",
            &[&q.store, &q.from, &q.to],
        )
        .await?;
    Ok(Json(
        rows.iter()
            .map(|r| DailySales {
                store_id: r.get(0),
                business_date: r.get(1),
                orders: r.get(2),
                cancelled: r.get(3),
                total: r.get(4),
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FlaggedQuery {
    /// Only this store (every store when absent).
    store: Option<Uuid>,
    /// The first business day, inclusive (`2026-01-31`).
    #[param(value_type = Option<String>, format = Date)]
    from: Option<jiff::civil::Date>,
    /// The last business day, inclusive.
    #[param(value_type = Option<String>, format = Date)]
    to: Option<jiff::civil::Date>,
    /// At most this many (100 when absent; taken as 1 to 1000, like `/v1/pull`'s).
    limit: Option<i64>,
}

/// The orders the server took as facts but flagged (negative stock, a stale price, a receipt
/// number used again), newest first: what an operator looks into.
#[utoipa::path(
    get,
    path = "/v1/ops/flagged",
    tag = "operator",
    params(FlaggedQuery),
    security(("operator" = [])),
    responses(
        (status = 200, description = "Flagged orders, newest first", body = Vec<FlaggedOrder>),
        (status = 400, description = "The query cannot be read (plain text)", body = String, content_type = "text/plain"),
        (status = 401, description = "`unauthorized`: no valid operator token", body = ApiError),
        (status = 503, description = "`unavailable`: the database cannot be reached (retry)", body = ApiError),
    )
)]
pub async fn flagged(
    _: Operator,
    State(state): State<AppState>,
    Query(q): Query<FlaggedQuery>,
) -> Result<Json<Vec<FlaggedOrder>>, Failure> {
    let client = state.pool.get().await?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let rows = client
        .query(
            "SELECT o.id, o.store_id, t.code, o.receipt_no, o.business_date, o.created_at,
                    o.total, o.flags
             FROM orders o JOIN terminals t ON t.id = o.terminal_id
             WHERE o.flags <> '{}'
               AND ($1::uuid IS NULL OR o.store_id = $1)
               AND ($2::date IS NULL OR o.business_date >= $2)
               AND ($3::date IS NULL OR o.business_date <= $3)
             ORDER BY o.created_at DESC, o.id DESC LIMIT $4",
            &[&q.store, &q.from, &q.to, &limit],
        )
        .await?;
    Ok(Json(
        rows.iter()
            .map(|r| FlaggedOrder {
                order_id: r.get(0),
                store_id: r.get(1),
                terminal: r.get(2),
                receipt_no: r.get(3),
                business_date: r.get(4),
                created_at: r.get(5),
                total: r.get(6),
                flags: r.get(7),
            })
            .collect(),
    ))
}
