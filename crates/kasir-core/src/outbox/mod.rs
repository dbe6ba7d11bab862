//! The outbox: what the central server must learn, written in the same transaction as the
//! action itself.
//!
//! **Invariant**: every sale, cancellation, status change, stock adjustment and catalog change
//! appends exactly one entry in its own transaction, with a UUIDv7 idempotency key and a
//! sequence number that only goes up (`AUTOINCREMENT`: never reused). The payload is a
//! `kasir-proto` type, never one of the core's or the UI's structs, and is complete: a server
//! can rebuild the action from it alone. A row that cannot be read back is an error, never a
//! default (a nil id would make a server drop unrelated entries as duplicates).

pub mod print;

use kasir_proto::{Envelope, Payload, VERSION};
use rusqlite::params;
use uuid::Uuid;

use crate::access::Ctx;
use crate::kernel::time::Stamp;
use crate::{Error, Kasir, Result};

/// Appends an entry; call inside the transaction of the action it reports.
pub(crate) fn append(cx: &Ctx<'_>, payload: &Payload) -> Result<i64> {
    append_at(cx, cx.now, &cx.terminal, payload)
}

/// The same, for work done outside a use case's context (first run, seeding).
pub(crate) fn append_at(
    conn: &rusqlite::Connection,
    now: jiff::Timestamp,
    terminal: &str,
    payload: &Payload,
) -> Result<i64> {
    let id = crate::kernel::ids::new_uuid(now);
    conn.prepare_cached(
        "INSERT INTO outbox (id, terminal, kind, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        id.to_string(),
        terminal,
        payload.kind(),
        payload.body_json()?,
        Stamp(now)
    ])?;
    Ok(conn.last_insert_rowid())
}

/// The outbox's use cases: `k.outbox()`.
pub struct Outbox<'k> {
    k: &'k Kasir,
}

impl Kasir {
    /// The outbox, for the uploader.
    pub fn outbox(&self) -> Outbox<'_> {
        Outbox { k: self }
    }
}

impl Outbox<'_> {
    /// Entries after `after_seq` as the wire carries them: each the JSON text of an
    /// [`Envelope`], built around the stored payload without parsing it (the uploader's hot
    /// path: a terminal sends the same entry as the same bytes every time).
    pub fn wire_entries(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<(i64, Box<serde_json::value::RawValue>)>> {
        self.k.read_any(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT seq, id, terminal, kind, payload, created_at FROM outbox
                 WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?;
            let mut rows = stmt.query(params![after_seq, limit])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let seq: i64 = r.get(0)?;
                let id: String = r.get(1)?;
                let terminal: String = r.get(2)?;
                let kind: String = r.get(3)?;
                let payload: String = r.get(4)?;
                let created_at: String = r.get(5)?;
                let text = format!(
                    r#"{{"v":{VERSION},"id":{},"terminal":{},"seq":{seq},"created_at":{},"kind":{},"payload":{payload}}}"#,
                    serde_json::to_string(&id)?,
                    serde_json::to_string(&terminal)?,
                    serde_json::to_string(&created_at)?,
                    serde_json::to_string(&kind)?,
                );
                let raw = serde_json::value::RawValue::from_string(text).map_err(|e| {
                    Error::DatabaseCorrupt(format!("outbox entry {seq}: unreadable payload: {e}"))
                })?;
                out.push((seq, raw));
            }
            Ok(out)
        })
    }

    /// Entries after `after_seq`, oldest first, at most `limit`, as envelopes for the wire.
    pub fn entries(&self, after_seq: i64, limit: u32) -> Result<Vec<Envelope>> {
        self.k.read_any(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT seq, id, terminal, kind, payload, created_at FROM outbox
                 WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?;
            let mut rows = stmt.query(params![after_seq, limit])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let seq: i64 = r.get(0)?;
                let unreadable = |what: &str, e: &dyn std::fmt::Display| {
                    Error::DatabaseCorrupt(format!("outbox entry {seq}: unreadable {what}: {e}"))
                };
                let id: String = r.get(1)?;
                let id = Uuid::parse_str(&id).map_err(|e| unreadable("id", &e))?;
                let kind: String = r.get(3)?;
                let body: String = r.get(4)?;
                let body: serde_json::Value =
                    serde_json::from_str(&body).map_err(|e| unreadable("payload", &e))?;
                let payload =
                    Payload::from_parts(&kind, body).map_err(|e| unreadable("payload", &e))?;
                let created_at: String = r.get(5)?;
                let created_at = created_at.parse().map_err(|e| unreadable("time", &e))?;
                out.push(Envelope {
                    v: VERSION,
                    id,
                    terminal: r.get(2)?,
                    seq,
                    created_at,
                    payload,
                });
            }
            Ok(out)
        })
    }
}
