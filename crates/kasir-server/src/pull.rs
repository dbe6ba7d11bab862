//! The store's change log and `GET /v1/pull`.
//!
//! **Invariant: a cursor never skips a change committed late.** Cursors are per store and
//! handed out by `UPDATE stores SET change_seq = change_seq + 1`, which holds the store's row
//! lock until the transaction ends; so a change with cursor n+1 cannot commit before the one
//! with cursor n, and a reader that has seen n+1 has seen everything below it. (A bare
//! sequence or a clock would let a slow transaction commit a smaller number after a reader
//! had moved past it.)
//!
//! Menu edits are ordered the same way: the last one to take the lock wins (last write wins,
//! in server order), and every terminal, the editing one included, converges to it.

use axum::Json;
use axum::extract::{Query, State};
use kasir_proto::api::{ApiError, Change, ChangeData, PullResponse};
use serde::Deserialize;
use tokio_postgres::Transaction;
use uuid::Uuid;

use crate::auth::Terminal;
use crate::{AppState, Failure};

/// The most changes one page carries.
pub const MAX_PAGE: i64 = 1000;

/// What a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Category,
    /// A product, with its price (kept as a column to flag stale prices).
    Product {
        price: i64,
    },
    Staff,
    /// The store's settings (the entity is the store).
    Settings,
    /// A member's details (the newest version).
    Member,
    /// A points or wallet entry a till wrote (each logged once, when first taken).
    PointsEntry,
    WalletEntry,
    /// A review, coupon, voucher or redemption (the newest version), or a coupon's use as it
    /// now stands.
    Review,
    Coupon,
    CouponUse,
    Voucher,
    Redemption,
}

/// Records that `entity` now stands as `data`: the store's menu tables (for the menu) and the
/// change log, under the store's lock.
pub async fn record_change(
    tx: &Transaction<'_>,
    store: Uuid,
    subject: Subject,
    entity: Uuid,
    data: &serde_json::Value,
) -> Result<i64, Failure> {
    let kind = match subject {
        Subject::Category => "category",
        Subject::Product { .. } => "product",
        Subject::Staff => "staff",
        Subject::Settings => "settings",
        Subject::Member => "member",
        Subject::PointsEntry => "points_entry",
        Subject::WalletEntry => "wallet_entry",
        Subject::Review => "review",
        Subject::Coupon => "coupon",
        Subject::CouponUse => "coupon_use",
        Subject::Voucher => "voucher",
        Subject::Redemption => "redemption",
    };
    let cursor: i64 = tx
        .query_one(
            "UPDATE stores SET change_seq = change_seq + 1 WHERE id = $1 RETURNING change_seq",
            &[&store],
        )
        .await?
        .get(0);
    match subject {
        Subject::Product { price } => {
            tx.execute(
                "INSERT INTO products (store_id, id, price, data, cursor) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (store_id, id) DO UPDATE
                     SET price = EXCLUDED.price, data = EXCLUDED.data, cursor = EXCLUDED.cursor",
                &[&store, &entity, &price, data, &cursor],
            )
            .await?;
        }
        Subject::Category => {
            tx.execute(
                "INSERT INTO categories (store_id, id, data, cursor) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (store_id, id) DO UPDATE
                     SET data = EXCLUDED.data, cursor = EXCLUDED.cursor",
                &[&store, &entity, data, &cursor],
            )
            .await?;
        }
        Subject::Staff
        | Subject::Settings
        | Subject::Member
        | Subject::PointsEntry
        | Subject::WalletEntry
        | Subject::Review
        | Subject::Coupon
        | Subject::CouponUse
        | Subject::Voucher
        | Subject::Redemption => {}
    }
    tx.execute(
        "INSERT INTO changes (store_id, cursor, kind, entity_id, data) VALUES ($1, $2, $3, $4, $5)",
        &[&store, &cursor, &kind, &entity, data],
    )
    .await?;
    Ok(cursor)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PullQuery {
    /// The cursor the terminal last stored (0, or absent, for the whole log).
    #[serde(default)]
    after: i64,
    /// The most changes to answer (1 to 1000; 1000 when absent).
    limit: Option<i64>,
}

/// The store's changes after a cursor, in cursor order.
#[utoipa::path(
    get,
    path = "/v1/pull",
    tag = "terminal",
    params(PullQuery),
    security(("terminal" = [])),
    responses(
        (status = 200, description = "A page of changes and the cursor to store", body = PullResponse),
        (status = 400, description = "The query cannot be read (plain text)", body = String, content_type = "text/plain"),
        (status = 401, description = "`unauthorized` (no valid terminal token) or `revoked`", body = ApiError),
        (status = 503, description = "`unavailable`: the database cannot be reached (retry)", body = ApiError),
    )
)]

pub async fn pull(
    terminal: Terminal,
    State(state): State<AppState>,
    Query(q): Query<PullQuery>,
) -> Result<Json<PullResponse>, Failure> {
    let limit = q.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
    let client = state.pool.get().await?;
    let rows = client
        .query(
            "SELECT c.cursor, c.kind, c.data, c.entity_id, l.level
             FROM changes c
             LEFT JOIN stock_levels l ON c.kind = 'stock_level' AND l.store_id = c.store_id
                 AND l.product_id = c.entity_id
             WHERE c.store_id = $1 AND c.cursor > $2 ORDER BY c.cursor LIMIT $3",
            &[&terminal.store_id, &q.after, &(limit + 1)],
        )
        .await?;
    client
        .execute(
            "UPDATE terminals SET last_contact = now() WHERE id = $1",
            &[&terminal.id],
        )
        .await?;
    let more = rows.len() as i64 > limit;
    let mut changes = Vec::with_capacity(rows.len());
    for r in rows.iter().take(limit as usize) {
        let cursor: i64 = r.get(0);
        let kind: String = r.get(1);
        let data: serde_json::Value = r.get(2);
        let data = match kind.as_str() {
            "category" => serde_json::from_value(data).map(ChangeData::Category),
            "product" => serde_json::from_value(data).map(ChangeData::Product),
            "staff" => serde_json::from_value(data).map(ChangeData::Staff),
            "settings" => serde_json::from_value(data).map(ChangeData::Settings),
            "member" => serde_json::from_value(data).map(ChangeData::Member),
            "points_entry" => serde_json::from_value(data).map(ChangeData::PointsEntry),
            "wallet_entry" => serde_json::from_value(data).map(ChangeData::WalletEntry),
            "review" => serde_json::from_value(data).map(ChangeData::Review),
            "coupon" => serde_json::from_value(data).map(ChangeData::Coupon),
            "coupon_use" => serde_json::from_value(data).map(ChangeData::CouponUse),
            "voucher" => serde_json::from_value(data).map(ChangeData::Voucher),
            "redemption" => serde_json::from_value(data).map(ChangeData::Redemption),
            // The count as it stands now, not when the change was logged: a till that pulls
            // late takes the latest count at once.
            "stock_level" => Ok(ChangeData::StockLevel(kasir_proto::StockLevel {
                product_id: r.get(3),
                level: r.get::<_, Option<i64>>(4).unwrap_or(0),
            })),
            _ => Ok(ChangeData::Unknown),
        }
        .map_err(|e| {
            Failure::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                format!("change {cursor} cannot be read: {e}"),
            )
        })?;
        changes.push(Change { cursor, data });
    }
    let cursor = changes.last().map_or(q.after, |c| c.cursor);
    Ok(Json(PullResponse {
        changes,
        cursor,
        more,
    }))
}
