//! Applying a confirmed restore at start-up, before the database is opened.
//!
//! Steps, each safe to repeat after a crash: (1) carry over into the waiting copy what must
//! survive the restore (the outbox entries no server has yet, the sequence and receipt
//! counters, the sync enrolment, the backup settings) and record the restore in its audit
//! log, then mark it carried; (2) move the live database into `replaced/`; (3) move the copy
//! into place and its pictures beside the others; (4) remove the waiting folder.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use super::{PENDING_DIR, READY, read_plan};
use crate::kernel::db;
use crate::{DB_FILE, Result, audit};

/// The mark, in the waiting folder, that step 1 is done.
const CARRIED: &str = "CARRIED";
/// Replaced databases kept in `replaced/`.
const REPLACED_KEPT: usize = 3;

/// What a restore did at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreDone {
    /// The backup's folder.
    pub from: String,
    /// Outbox entries carried over from the replaced database (not yet sent when it went).
    pub carried_entries: u32,
    /// Where the replaced database now is.
    pub replaced: Option<String>,
}

/// Applies a restore that was confirmed (see [`super::Backups::confirm_restore`]); call it
/// before [`crate::Kasir::open`]. Without one, does nothing.
pub fn finish_pending_restore(data_dir: &Path) -> Result<Option<RestoreDone>> {
    let pending = data_dir.join(PENDING_DIR);
    if !pending.join(READY).is_file() {
        return Ok(None);
    }
    let staged = pending.join(DB_FILE);
    let live = data_dir.join(DB_FILE);
    let plan = read_plan(&pending)?;
    let from = plan
        .as_ref()
        .map(|p| p.backup.path.clone())
        .unwrap_or_default();
    if !staged.is_file() {
        // Moved into place before a crash: only the tidying is left.
        std::fs::remove_dir_all(&pending)?;
        return Ok(None);
    }
    // 1. Carry over.
    let mut carried_entries = 0;
    if !pending.join(CARRIED).is_file() {
        let after = plan.as_ref().map_or(0, |p| p.backup.outbox_seq);
        let mut copy = db::open_writer(&staged)?;
        let live_conn = if live.is_file() {
            match db::open_reader(&live) {
                Ok(c) => Some(c),
                Err(e) => {
                    // A dead database is what restores are for: nothing can be carried.
                    tracing::warn!(error = %e, "the replaced database cannot be read");
                    None
                }
            }
        } else {
            None
        };
        let tx = copy.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if let Some(live_conn) = &live_conn {
            carried_entries = carry_over(live_conn, &tx, after)?;
        }
        let now = jiff::Timestamp::now();
        audit::append(
            &tx,
            now,
            None,
            "backup_restored",
            serde_json::json!({"from": from, "carried_entries": carried_entries}),
        )?;
        tx.commit()?;
        copy.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        drop(copy);
        drop(live_conn);
        super::write_synced(
            &pending.join(CARRIED),
            carried_entries.to_string().as_bytes(),
        )?;
    } else {
        carried_entries = std::fs::read_to_string(pending.join(CARRIED))
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0);
    }
    // 2. The live database goes to `replaced/`, with its WAL (a renamed pair stays a pair).
    let mut replaced = None;
    if live.is_file() {
        let dir = data_dir.join("replaced");
        std::fs::create_dir_all(&dir)?;
        let name = format!(
            "kasir-{}.db",
            jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S%.fZ")
        );
        for suffix in ["-wal", "-shm"] {
            let side = data_dir.join(format!("{DB_FILE}{suffix}"));
            if side.exists() {
                std::fs::rename(&side, dir.join(format!("{name}{suffix}")))?;
            }
        }
        std::fs::rename(&live, dir.join(&name))?;
        replaced = Some(dir.join(&name).display().to_string());
        prune_replaced(&dir);
    }
    // 3. The copy into place, and its pictures beside the others.
    for suffix in ["-wal", "-shm"] {
        let side = pending.join(format!("{DB_FILE}{suffix}"));
        if side.exists() {
            std::fs::rename(&side, data_dir.join(format!("{DB_FILE}{suffix}")))?;
        }
    }
    std::fs::rename(&staged, &live)?;
    super::sync_dir(data_dir);
    let media = data_dir.join("media").join("products");
    std::fs::create_dir_all(&media)?;
    if let Ok(pictures) = std::fs::read_dir(pending.join("media").join("products")) {
        for p in pictures.flatten() {
            let target = media.join(p.file_name());
            if !target.exists() {
                let _ = std::fs::rename(p.path(), target);
            }
        }
    }
    // 4. Done.
    std::fs::remove_dir_all(&pending)?;
    tracing::info!(from, carried_entries, "backup restored");
    Ok(Some(RestoreDone {
        from,
        carried_entries,
        replaced,
    }))
}

/// Copies into the restored database (`to`, in its transaction) what the replaced one
/// (`from`) must not take with it. Returns how many outbox entries were carried.
fn carry_over(from: &Connection, to: &Connection, after: i64) -> Result<u32> {
    // The enrolment and how far the server has answered. The pull cursor stays the backup's:
    // menu changes pulled since then are pulled again (applying a change twice is harmless).
    let sync: Option<SyncRow> = from
        .query_row(
            "SELECT server_url, allow_http, terminal_id, store_id, store_name, token,
                    enrolled_at, acked_seq, pull_cursor
             FROM sync_state WHERE id = 1",
            [],
            |r| {
                Ok(SyncRow {
                    server_url: r.get(0)?,
                    allow_http: r.get(1)?,
                    terminal_id: r.get(2)?,
                    store_id: r.get(3)?,
                    store_name: r.get(4)?,
                    token: r.get(5)?,
                    enrolled_at: r.get(6)?,
                    acked_seq: r.get(7)?,
                    pull_cursor: r.get(8)?,
                })
            },
        )
        .optional()?;
    let acked = sync.as_ref().map_or(0, |s| s.acked_seq);
    if let Some(s) = &sync {
        to.execute(
            "UPDATE sync_state SET server_url = ?1, allow_http = ?2, terminal_id = ?3,
                    store_id = ?4, store_name = ?5, token = ?6, enrolled_at = ?7,
                    acked_seq = ?8, pull_cursor = MIN(pull_cursor, ?9)
             WHERE id = 1",
            params![
                s.server_url,
                s.allow_http,
                s.terminal_id,
                s.store_id,
                s.store_name,
                s.token,
                s.enrolled_at,
                s.acked_seq,
                s.pull_cursor
            ],
        )?;
    }
    // What no server has yet, made after the backup: still sent, in its own sequence.
    let mut carried = 0u32;
    {
        let mut read = from.prepare(
            "SELECT seq, id, terminal, kind, payload, created_at FROM outbox
             WHERE seq > ?1 ORDER BY seq",
        )?;
        let mut write = to.prepare(
            "INSERT OR IGNORE INTO outbox (seq, id, terminal, kind, payload, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        let mut rows = read.query([after.max(acked)])?;
        while let Some(r) = rows.next()? {
            let values: (i64, String, String, String, String, String) = (
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            );
            carried += write.execute(params![
                values.0, values.1, values.2, values.3, values.4, values.5
            ])? as u32;
        }
    }
    // Numbers carry on after the highest ever used: a sequence or a receipt number the
    // server (or a customer's receipt) already has is never given again.
    let high: i64 = from
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0);
    to.execute(
        "UPDATE sqlite_sequence SET seq = MAX(seq, ?1) WHERE name = 'outbox'",
        [high],
    )?;
    to.execute(
        "INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox', ?1
         WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'outbox')",
        [high],
    )?;
    // Entries the backup holds as waiting that the server has since answered are done.
    to.execute(
        "UPDATE sync_state SET acked_seq = MAX(acked_seq, ?1) WHERE id = 1",
        [acked],
    )?;
    let mut counters = from.prepare("SELECT terminal, last FROM receipt_counters")?;
    let mut rows = counters.query([])?;
    while let Some(r) = rows.next()? {
        let (terminal, last): (String, i64) = (r.get(0)?, r.get(1)?);
        to.execute(
            "INSERT INTO receipt_counters (terminal, last) VALUES (?1, ?2)
             ON CONFLICT (terminal) DO UPDATE SET last = MAX(last, excluded.last)",
            params![terminal, last],
        )?;
    }
    for table in ["sync_quarantine", "sync_pictures_sent"] {
        copy_rows(from, to, table)?;
    }
    // This till's backup settings, not the backup's.
    let settings: Option<Vec<rusqlite::types::Value>> = from
        .query_row(
            "SELECT folder, keep, daily, last_at, last_path FROM backup_settings WHERE id = 1",
            [],
            |r| (0..5).map(|i| r.get(i)).collect(),
        )
        .optional()?;
    if let Some(values) = settings {
        to.execute(
            "UPDATE backup_settings SET folder = ?1, keep = ?2, daily = ?3, last_at = ?4,
                    last_path = ?5 WHERE id = 1",
            rusqlite::params_from_iter(values),
        )?;
    }
    Ok(carried)
}

struct SyncRow {
    server_url: Option<String>,
    allow_http: bool,
    terminal_id: Option<String>,
    store_id: Option<String>,
    store_name: Option<String>,
    token: Option<String>,
    enrolled_at: Option<String>,
    acked_seq: i64,
    pull_cursor: i64,
}

/// Adds `table`'s rows from `from` that `to` lacks (same columns on both sides).
fn copy_rows(from: &Connection, to: &Connection, table: &str) -> Result<()> {
    let mut read = from.prepare(&format!("SELECT * FROM {table}"))?;
    let columns = read.column_count();
    let marks = vec!["?"; columns].join(", ");
    let mut write = to.prepare(&format!("INSERT OR IGNORE INTO {table} VALUES ({marks})"))?;
    let mut rows = read.query([])?;
    while let Some(r) = rows.next()? {
        let values: Vec<rusqlite::types::Value> = (0..columns)
            .map(|i| r.get(i))
            .collect::<rusqlite::Result<_>>()?;
        write.execute(rusqlite::params_from_iter(values))?;
    }
    Ok(())
}

/// Keeps the newest few replaced databases (names sort by time).
fn prune_replaced(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut dbs: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "db"))
        .collect();
    dbs.sort();
    let excess = dbs.len().saturating_sub(REPLACED_KEPT);
    for old in &dbs[..excess] {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", old.display()));
        }
    }
}
