//! The outbox: what the central server must learn, written in the same transaction as the
//! action itself.
//!
//! **Invariant**: every sale, cancellation, stock adjustment and catalog change appends exactly
//! one entry in its own transaction, with a UUIDv7 idempotency key and a sequence number that
//! only goes up (`AUTOINCREMENT`: never reused). The payload is complete: a server can rebuild
//! the action from it alone.

use jiff::Timestamp;
use rusqlite::{Connection, params};
use serde::Serialize;
use uuid::Uuid;

use crate::{Kasir, Result};

/// The kinds of entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxKind {
    Sale,
    OrderStatus,
    OrderCancelled,
    StockAdjusted,
    CategoryUpserted,
    ProductUpserted,
}

impl OutboxKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxKind::Sale => "sale",
            OutboxKind::OrderStatus => "order_status",
            OutboxKind::OrderCancelled => "order_cancelled",
            OutboxKind::StockAdjusted => "stock_adjusted",
            OutboxKind::CategoryUpserted => "category_upserted",
            OutboxKind::ProductUpserted => "product_upserted",
        }
    }
}

/// One entry as the uploader will read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxEntry {
    pub seq: i64,
    /// Idempotency key: the server applies an entry with a key it has seen as a duplicate.
    pub id: Uuid,
    pub terminal: String,
    pub kind: String,
    pub payload: serde_json::Value,
    pub created_at: Timestamp,
}

/// Appends an entry; call inside the transaction of the action it reports.
pub(crate) fn append(
    conn: &Connection,
    now: Timestamp,
    terminal: &str,
    kind: OutboxKind,
    payload: &impl Serialize,
) -> Result<i64> {
    let id = crate::ids::new_uuid(now);
    let payload = serde_json::to_string(payload)?;
    conn.prepare_cached(
        "INSERT INTO outbox (id, terminal, kind, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        id.to_string(),
        terminal,
        kind.as_str(),
        payload,
        now.to_string()
    ])?;
    Ok(conn.last_insert_rowid())
}

impl Kasir {
    /// Entries after `after_seq`, oldest first, at most `limit`.
    pub fn outbox_entries(&self, after_seq: i64, limit: u32) -> Result<Vec<OutboxEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, id, terminal, kind, payload, created_at FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after_seq, limit], |r| {
            let id: String = r.get(1)?;
            let payload: String = r.get(4)?;
            let at: String = r.get(5)?;
            Ok(OutboxEntry {
                seq: r.get(0)?,
                id: Uuid::parse_str(&id).unwrap_or(Uuid::nil()),
                terminal: r.get(2)?,
                kind: r.get(3)?,
                payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
                created_at: at.parse().unwrap_or(Timestamp::UNIX_EPOCH),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
