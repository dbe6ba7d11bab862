//! The audit trail: an append-only log of sensitive actions (failed logins, discounts,
//! cancellations, price changes, role changes, stock adjustments, settings changes).
//!
//! **Invariant**: each entry's `hash` is SHA-256 over the previous entry's hash and this entry's
//! fields, so editing or deleting any entry breaks every hash after it. Triggers refuse UPDATE
//! and DELETE; [`Kasir::verify_audit_chain`] finds tampering done around them.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::access::{Actor, Ctx, Permission, StaffId};
use crate::kernel::time::Stamp;
use crate::{Error, Kasir, Result};

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: Timestamp,
    pub staff_id: Option<StaffId>,
    pub action: String,
    pub detail: serde_json::Value,
}

fn entry_hash(prev: &str, seq: i64, at: &str, staff: &str, action: &str, detail: &str) -> String {
    let mut h = Sha256::new();
    for part in [prev, &seq.to_string(), at, staff, action, detail] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends an entry; call inside the transaction of the action it records.
pub(crate) fn append(
    conn: &Connection,
    now: Timestamp,
    staff: Option<StaffId>,
    action: &str,
    detail: serde_json::Value,
) -> Result<()> {
    let last: Option<(i64, String)> = conn
        .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_string()),
    };
    let at = Stamp(now).to_string();
    let staff_text = staff.map(|s| s.to_string()).unwrap_or_default();
    let detail = detail.to_string();
    let hash = entry_hash(&prev, seq, &at, &staff_text, action, &detail);
    conn.prepare_cached(
        "INSERT INTO audit_log (seq, at, staff_id, action, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![seq, at, staff, action, detail, prev, hash])?;
    Ok(())
}

/// The audit log's use cases: `k.audit()`.
pub struct Audit<'k> {
    k: &'k Kasir,
}

/// Appends an entry for the acting member of `cx`, at its time.
pub(crate) fn record(cx: &Ctx<'_>, action: &str, detail: serde_json::Value) -> Result<()> {
    append(cx, cx.now, Some(cx.member.id), action, detail)
}

impl Kasir {
    /// The audit log.
    pub fn audit(&self) -> Audit<'_> {
        Audit { k: self }
    }
}

impl Audit<'_> {
    /// Walks the whole chain; returns the number of entries, or where it was altered.
    pub fn verify_chain(&self) -> Result<u64> {
        self.k.read_any(verify_chain)
    }

    /// The newest `limit` entries, newest first. Managers and admins only. An entry whose
    /// time or detail cannot be read is an error, never a default.
    pub fn entries(&self, actor: &Actor, limit: u32) -> Result<Vec<AuditEntry>> {
        self.k.read(actor, Permission::ViewAudit, |conn, _| {
            let mut stmt = conn.prepare_cached(
                "SELECT seq, at, staff_id, action, detail FROM audit_log ORDER BY seq DESC LIMIT ?1",
            )?;
            let mut rows = stmt.query([limit.min(10_000)])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let seq: i64 = r.get(0)?;
                let at: Stamp = r.get(1)?;
                let detail: String = r.get(4)?;
                out.push(AuditEntry {
                    seq,
                    at: at.0,
                    staff_id: r.get(2)?,
                    action: r.get(3)?,
                    detail: serde_json::from_str(&detail).map_err(|e| {
                        Error::DatabaseCorrupt(format!("audit entry {seq}: unreadable detail: {e}"))
                    })?,
                });
            }
            Ok(out)
        })
    }
}

fn verify_chain(conn: &rusqlite::Connection) -> Result<u64> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, COALESCE(staff_id, ''), action, detail, prev_hash, hash FROM audit_log ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS.to_string();
    let mut expected_seq = 1;
    let mut count = 0;
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let at: String = r.get(1)?;
        let staff: String = r.get(2)?;
        let action: String = r.get(3)?;
        let detail: String = r.get(4)?;
        let prev_hash: String = r.get(5)?;
        let hash: String = r.get(6)?;
        if seq != expected_seq
            || prev_hash != prev
            || hash != entry_hash(&prev, seq, &at, &staff, &action, &detail)
        {
            return Err(Error::AuditChainBroken { seq });
        }
        prev = hash;
        expected_seq += 1;
        count += 1;
    }
    Ok(count)
}
