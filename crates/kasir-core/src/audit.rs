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

use crate::staff::{Actor, Permission, StaffId, authorize};
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
    let at = now.to_string();
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

impl Kasir {
    /// Walks the whole chain; returns the number of entries, or where it was altered.
    pub fn verify_audit_chain(&self) -> Result<u64> {
        let mut stmt = self.conn.prepare(
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

    /// The newest `limit` entries, newest first. Managers and admins only.
    pub fn audit_entries(&self, actor: &Actor, limit: u32) -> Result<Vec<AuditEntry>> {
        authorize(&self.conn, actor, Permission::ViewAudit)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, at, staff_id, action, detail FROM audit_log ORDER BY seq DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit.min(10_000)], |r| {
            let at: String = r.get(1)?;
            let detail: String = r.get(4)?;
            Ok(AuditEntry {
                seq: r.get(0)?,
                at: at.parse().unwrap_or(Timestamp::UNIX_EPOCH),
                staff_id: r.get(2)?,
                action: r.get(3)?,
                detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
