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

/// A filter of the audit log viewer; every part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuditQuery {
    /// One kind of entry (`price_changed`, `stock_adjusted` …).
    pub action: Option<String>,
    pub staff: Option<StaffId>,
    /// First and last day, in the shop's time zone (`2026-12-03`), both included.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Older than this entry (paging back).
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub before: Option<i64>,
    pub limit: u32,
}

/// One entry as the viewer shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuditRow {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub seq: i64,
    /// RFC 3339, UTC.
    pub at: String,
    /// Who (empty for the system, or a member unknown to this till).
    pub staff_name: String,
    pub action: String,
    /// The entry's details as JSON text, exactly as hashed.
    pub detail: String,
}

/// A page of the viewer, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    /// Older entries match too: ask with `before` = the last row's `seq`.
    pub more: bool,
}

/// What checking the chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChainCheck {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub entries: i64,
    /// The first entry whose hash does not follow, if any.
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub broken_at: Option<i64>,
}

/// The most rows one viewer page shows.
pub const MAX_AUDIT_PAGE: u32 = 500;

/// A day's start in the shop's time zone, as stored text.
fn day_start(day: &str, tz: &jiff::tz::TimeZone, field: crate::Field) -> Result<String> {
    let date: jiff::civil::Date = day.trim().parse().map_err(|_| {
        Error::invalid(
            field,
            crate::Rule::Unknown {
                value: day.chars().take(40).collect(),
            },
        )
    })?;
    let at = date.to_zoned(tz.clone()).map_err(|_| {
        Error::invalid(
            field,
            crate::Rule::Unknown {
                value: day.chars().take(40).collect(),
            },
        )
    })?;
    Ok(Stamp(at.timestamp()).to_string())
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

    /// The viewer's page: entries matching `q`, newest first. Managers and admins only.
    pub fn search(&self, actor: &Actor, q: &AuditQuery) -> Result<AuditPage> {
        if q.limit == 0 || q.limit > MAX_AUDIT_PAGE {
            return Err(Error::invalid(
                crate::Field::Limit,
                crate::Rule::OutOfRange {
                    min: 1,
                    max: MAX_AUDIT_PAGE as i64,
                },
            ));
        }
        if q.action.as_ref().is_some_and(|a| a.len() > 64) {
            return Err(Error::invalid(
                crate::Field::Query,
                crate::Rule::TooLong { max: 64 },
            ));
        }
        self.k.read(actor, Permission::ViewAudit, |conn, _| {
            // The shop's zone, read here: the settings module sits above the audit log.
            let zone: String =
                conn.query_row("SELECT time_zone FROM settings WHERE id = 1", [], |r| r.get(0))?;
            let tz = jiff::tz::TimeZone::get(&zone)
                .map_err(|e| Error::DatabaseCorrupt(format!("time zone {zone:?}: {e}")))?;
            let from = q
                .from
                .as_deref()
                .filter(|d| !d.trim().is_empty())
                .map(|d| day_start(d, &tz, crate::Field::From))
                .transpose()?;
            // Up to the start of the day after `to`.
            let to = match q.to.as_deref().filter(|d| !d.trim().is_empty()) {
                None => None,
                Some(d) => {
                    let date: jiff::civil::Date = d.trim().parse().map_err(|_| {
                        Error::invalid(
                            crate::Field::To,
                            crate::Rule::Unknown {
                                value: d.chars().take(40).collect(),
                            },
                        )
                    })?;
                    let next = date.tomorrow().map_err(|_| {
                        Error::invalid(crate::Field::To, crate::Rule::TooLarge)
                    })?;
                    Some(day_start(&next.to_string(), &tz, crate::Field::To)?)
                }
            };
            let mut stmt = conn.prepare_cached(
                "SELECT a.seq, a.at, COALESCE((SELECT s.name FROM staff s WHERE s.id = a.staff_id), ''),
                        a.action, a.detail
                 FROM audit_log a
                 WHERE a.seq < ?1
                   AND (?2 IS NULL OR a.action = ?2)
                   AND (?3 IS NULL OR a.staff_id = ?3)
                   AND (?4 IS NULL OR a.at >= ?4)
                   AND (?5 IS NULL OR a.at < ?5)
                 ORDER BY a.seq DESC LIMIT ?6",
            )?;
            let rows = stmt.query_map(
                params![
                    q.before.unwrap_or(i64::MAX),
                    q.action.as_deref().filter(|a| !a.is_empty()),
                    q.staff,
                    from,
                    to,
                    q.limit + 1
                ],
                |r| {
                    Ok(AuditRow {
                        seq: r.get(0)?,
                        at: r.get(1)?,
                        staff_name: r.get(2)?,
                        action: r.get(3)?,
                        detail: r.get(4)?,
                    })
                },
            )?;
            let mut rows: Vec<AuditRow> = rows.collect::<rusqlite::Result<_>>()?;
            let more = rows.len() > q.limit as usize;
            rows.truncate(q.limit as usize);
            Ok(AuditPage { rows, more })
        })
    }

    /// The kinds of entry the log holds, for the viewer's filter.
    pub fn actions(&self, actor: &Actor) -> Result<Vec<String>> {
        self.k.read(actor, Permission::ViewAudit, |conn, _| {
            let mut stmt =
                conn.prepare_cached("SELECT DISTINCT action FROM audit_log ORDER BY action")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Checks the whole chain for a manager: intact, or where it breaks.
    pub fn check(&self, actor: &Actor) -> Result<ChainCheck> {
        self.k.read(actor, Permission::ViewAudit, |conn, _| {
            match verify_chain(conn) {
                Ok(n) => Ok(ChainCheck {
                    entries: n as i64,
                    broken_at: None,
                }),
                Err(Error::AuditChainBroken { seq }) => {
                    let n: i64 =
                        conn.query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))?;
                    Ok(ChainCheck {
                        entries: n,
                        broken_at: Some(seq),
                    })
                }
                Err(e) => Err(e),
            }
        })
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
