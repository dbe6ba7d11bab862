//! Applying a confirmed restore at start-up, before the database is opened.
//!
//! Steps, each safe to repeat after a crash:
//! 1. Carry over into the waiting copy what must survive the restore (the outbox entries no
//!    server has yet, the sequence and receipt counters, the sync enrolment and what it has
//!    sent, this till's backup settings), drop the copy's open tickets the live till no longer
//!    has (paid or discarded since: never charged twice), record the restore in the copy's
//!    audit log, then mark it carried. If the copy cannot take it, nothing has moved: the
//!    waiting folder is set aside as `restore-failed-…` and the till starts on its own data.
//!    If the live database cannot be read (what restores are for), nothing is carried.
//! 2. Move the pictures beside the others (extra files harm nothing).
//! 3. Move the live database (its WAL first) into `replaced/`, under a name chosen once and
//!    kept in the waiting folder, so a crash between two renames keeps the pair together.
//! 4. Move the copy into place; remove the waiting folder.

use std::collections::HashSet;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use super::{PENDING_DIR, READY, read_plan};
use crate::kernel::db;
use crate::{DB_FILE, Result, audit};

/// The mark, in the waiting folder, that step 1 is done (it holds the carried count).
const CARRIED: &str = "CARRIED";
/// The name the live database takes in `replaced/`, chosen once.
const REPLACED_NAME: &str = "REPLACED";
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
///
/// An error with the waiting folder gone means the restore was set aside before anything
/// moved: the live database is as it was and the till may start. An error with it still
/// there means the swap stopped part way: start no database, the next start goes on.
pub fn finish_pending_restore(data_dir: &Path) -> Result<Option<RestoreDone>> {
    let pending = data_dir.join(PENDING_DIR);
    if !pending.join(READY).is_file() {
        return Ok(None);
    }
    let from = read_plan(&pending)?
        .map(|p| p.backup.path)
        .unwrap_or_default();
    let carried_entries = match std::fs::read_to_string(pending.join(CARRIED)) {
        Ok(text) => text.trim().parse().unwrap_or(0),
        Err(_) => match carry(data_dir, &pending, &from) {
            Ok(n) => n,
            Err(e) => {
                let aside = data_dir.join(format!("restore-failed-{}", file_stamp()));
                tracing::error!(error = %e, aside = %aside.display(), "the restore could not be applied");
                std::fs::rename(&pending, &aside)?;
                return Err(e);
            }
        },
    };
    let replaced = swap(data_dir, &pending)?;
    tracing::info!(from, carried_entries, "backup restored");
    Ok(Some(RestoreDone {
        from,
        carried_entries,
        replaced,
    }))
}

/// Step 1. Returns how many outbox entries were carried.
fn carry(data_dir: &Path, pending: &Path, from: &str) -> Result<u32> {
    let staged = pending.join(DB_FILE);
    let live = data_dir.join(DB_FILE);
    let mut copy = db::open_writer(&staged)?;
    let live_conn = if live.is_file() {
        db::open_reader(&live)
            .map_err(|e| tracing::warn!(error = %e, "the replaced database cannot be read"))
            .ok()
    } else {
        None
    };
    let mut tx = copy.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut carried = 0;
    let mut live_read = false;
    if let Some(live_conn) = &live_conn {
        // A live database that opens but fails part way (a damaged page) carries nothing:
        // what it could give is undone, and the restore goes on, as for one that will not open.
        let sp = tx.savepoint()?;
        match carry_over(live_conn, &sp) {
            Ok(n) => {
                sp.commit()?;
                carried = n;
                live_read = true;
            }
            Err(e) => {
                tracing::warn!(error = %e, "nothing could be carried from the replaced database");
                drop(sp); // rolls back
            }
        }
    }
    audit::append(
        &tx,
        jiff::Timestamp::now(),
        None,
        "backup_restored",
        serde_json::json!({"from": from, "carried_entries": carried, "carried": live_read}),
    )?;
    tx.commit()?;
    copy.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    drop(copy);
    drop(live_conn);
    super::write_synced(&pending.join(CARRIED), carried.to_string().as_bytes())?;
    Ok(carried)
}

/// Steps 2–4. Returns where the replaced database went.
fn swap(data_dir: &Path, pending: &Path) -> Result<Option<String>> {
    // 2. Pictures first: the copy may name them, and a crash later must not lose them.
    let media = data_dir.join("media").join("products");
    std::fs::create_dir_all(&media)?;
    if let Ok(pictures) = std::fs::read_dir(pending.join("media").join("products")) {
        for p in pictures.flatten() {
            let target = media.join(p.file_name());
            if !target.exists() {
                std::fs::rename(p.path(), target)?;
            }
        }
    }
    super::sync_dir(&media);
    let staged = pending.join(DB_FILE);
    let live = data_dir.join(DB_FILE);
    let mut replaced = None;
    if staged.is_file() {
        // 3. The live database, its WAL first, under the one name chosen for it.
        let side = |base: &Path, suffix: &str| base.with_file_name(format!("{DB_FILE}{suffix}"));
        if live.is_file() || side(&live, "-wal").exists() {
            let dir = data_dir.join("replaced");
            std::fs::create_dir_all(&dir)?;
            let name = match std::fs::read_to_string(pending.join(REPLACED_NAME)) {
                Ok(name) => name.trim().to_string(),
                Err(_) => {
                    let name = format!("kasir-{}.db", file_stamp());
                    super::write_synced(&pending.join(REPLACED_NAME), name.as_bytes())?;
                    name
                }
            };
            for suffix in ["-wal", "-shm"] {
                if side(&live, suffix).exists() {
                    std::fs::rename(side(&live, suffix), dir.join(format!("{name}{suffix}")))?;
                }
            }
            if live.is_file() {
                std::fs::rename(&live, dir.join(&name))?;
            }
            super::sync_dir(&dir);
            replaced = Some(dir.join(&name).display().to_string());
            prune_replaced(&dir);
        }
        // 4. The copy into place.
        for suffix in ["-wal", "-shm"] {
            if side(&staged, suffix).exists() {
                std::fs::rename(side(&staged, suffix), side(&live, suffix))?;
            }
        }
        std::fs::rename(&staged, &live)?;
        super::sync_dir(data_dir);
    }
    std::fs::remove_dir_all(pending)?;
    Ok(replaced)
}

/// A UTC time for file names: sorts in time order.
fn file_stamp() -> String {
    jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%S%.fZ")
        .to_string()
}

/// Copies into the restored database (`to`, in its transaction) what the replaced one
/// (`from`) must not take with it. Returns how many outbox entries were carried.
fn carry_over(from: &Connection, to: &Connection) -> Result<u32> {
    // The enrolment and how far the server has answered. The pull cursor stays the backup's
    // (or the live one's, if lower): menu changes pulled since are pulled again, harmlessly.
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
    // Every entry no server has answered goes on waiting, unless the copy holds it already
    // (same sequence, same key). A sequence the copy uses for another entry (a backup of
    // another till) gives the carried one a new sequence after the highest.
    let mut carried = 0u32;
    {
        let mut read = from.prepare(
            "SELECT seq, id, terminal, kind, payload, created_at FROM outbox
             WHERE seq > ?1 ORDER BY seq",
        )?;
        let mut held = to.prepare("SELECT id FROM outbox WHERE seq = ?1")?;
        let mut write = to.prepare(
            "INSERT INTO outbox (seq, id, terminal, kind, payload, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        let mut rows = read.query([acked])?;
        while let Some(r) = rows.next()? {
            let (seq, id): (i64, String) = (r.get(0)?, r.get(1)?);
            let there: Option<String> = held.query_row([seq], |r| r.get(0)).optional()?;
            let seq = match there {
                Some(other) if other == id => continue,
                Some(_) => None,
                None => Some(seq),
            };
            write.execute(params![
                seq,
                id,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?
            ])?;
            carried += 1;
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
    // What the current server has said and holds: this till's, not the backup's (which may
    // date from another enrolment).
    to.execute("DELETE FROM sync_quarantine", [])?;
    {
        let mut read = from.prepare("SELECT seq, reason, at FROM sync_quarantine")?;
        let mut write =
            to.prepare("INSERT INTO sync_quarantine (seq, reason, at) VALUES (?1, ?2, ?3)")?;
        let mut rows = read.query([])?;
        while let Some(r) = rows.next()? {
            let values: (i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
            write.execute(params![values.0, values.1, values.2])?;
        }
    }
    to.execute("DELETE FROM sync_pictures_sent", [])?;
    {
        let mut read = from.prepare("SELECT image_id, at FROM sync_pictures_sent")?;
        let mut write =
            to.prepare("INSERT INTO sync_pictures_sent (image_id, at) VALUES (?1, ?2)")?;
        let mut rows = read.query([])?;
        while let Some(r) = rows.next()? {
            let values: (String, String) = (r.get(0)?, r.get(1)?);
            write.execute(params![values.0, values.1])?;
        }
    }
    // Open tickets the live till no longer has were paid or discarded since the backup: they
    // must not come back to be charged again.
    let live_tickets: HashSet<String> = {
        let mut stmt = from.prepare("SELECT id FROM tickets")?;
        stmt.query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    let copy_tickets: Vec<String> = {
        let mut stmt = to.prepare("SELECT id FROM tickets")?;
        stmt.query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    for id in copy_tickets.iter().filter(|id| !live_tickets.contains(*id)) {
        to.execute("DELETE FROM ticket_lines WHERE ticket_id = ?1", [id])?;
        to.execute("DELETE FROM tickets WHERE id = ?1", [id])?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap()
    }

    /// A crash after the live WAL moved but before the live database did: the next start
    /// moves the database under the same name, so the pair stays a pair.
    #[test]
    fn a_swap_cut_between_two_renames_keeps_the_replaced_pair_together() {
        let dir = tempfile::tempdir().unwrap();
        let (data, pending) = (dir.path(), dir.path().join(PENDING_DIR));
        write(&data.join(DB_FILE), "live db");
        write(&pending.join(DB_FILE), "restored db");
        write(&pending.join(REPLACED_NAME), "kasir-cut.db");
        write(&data.join("replaced").join("kasir-cut.db-wal"), "live wal");
        swap(data, &pending).unwrap();
        assert_eq!(read(&data.join(DB_FILE)), "restored db");
        assert_eq!(read(&data.join("replaced").join("kasir-cut.db")), "live db");
        assert_eq!(
            read(&data.join("replaced").join("kasir-cut.db-wal")),
            "live wal"
        );
        assert!(!pending.exists());
    }

    /// A crash after the copy was moved into place but before the waiting folder went: the
    /// next start only tidies, and the pictures still waiting are moved first, never lost.
    #[test]
    fn a_swap_cut_after_the_database_moved_still_keeps_the_pictures() {
        let dir = tempfile::tempdir().unwrap();
        let (data, pending) = (dir.path(), dir.path().join(PENDING_DIR));
        write(&data.join(DB_FILE), "restored db");
        let pic = "0190f5d2-1c2b-7cde-8f00-123456789abc.jpg";
        write(&pending.join("media").join("products").join(pic), "jpeg");
        write(
            &data.join("media").join("products").join("other.jpg"),
            "mine",
        );
        assert_eq!(swap(data, &pending).unwrap(), None);
        assert_eq!(read(&data.join("media").join("products").join(pic)), "jpeg");
        assert_eq!(
            read(&data.join("media").join("products").join("other.jpg")),
            "mine"
        );
        assert_eq!(
            read(&data.join(DB_FILE)),
            "restored db",
            "nothing replaced twice"
        );
        assert!(!pending.exists());
    }

    #[test]
    fn only_the_newest_replaced_databases_stay() {
        let dir = tempfile::tempdir().unwrap();
        for n in 1..=5 {
            write(&dir.path().join(format!("kasir-2026120{n}.db")), "db");
            write(&dir.path().join(format!("kasir-2026120{n}.db-wal")), "wal");
        }
        prune_replaced(dir.path());
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "kasir-20261203.db",
                "kasir-20261203.db-wal",
                "kasir-20261204.db",
                "kasir-20261204.db-wal",
                "kasir-20261205.db",
                "kasir-20261205.db-wal"
            ]
        );
    }
}
