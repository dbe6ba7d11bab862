//! Opening the database: pragmas, migrations, refusal of damaged or newer files, and the
//! background checkpointer that keeps WAL checkpoints off the sale path.
//!
//! **Invariant**: every connection that writes uses WAL with `synchronous=FULL` (a printed
//! receipt's sale survives a power cut), foreign keys on, and automatic checkpoints off; the
//! WAL is folded back into the database by [`Checkpointer`], never by a sale's commit.
//!
//! Why the checkpointer waits for the WAL to fill (about 4 MB) rather than running on a timer:
//! after a complete checkpoint the next commit starts the WAL over and must sync its header
//! first, a second fsync. Checkpointing between every two sales (a timer at a counter) would
//! make every sale pay two fsyncs; checkpointing at a fill level makes one sale in a few
//! hundred pay it, and keeps the WAL file at a steady size so commits overwrite it in place
//! instead of growing it (growing a file makes `fdatasync` write the inode too).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, ffi};

use crate::{Error, Result};

mod embedded {
    refinery::embed_migrations!("../../migrations");
}

/// How long a connection waits for another writer before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// `application_id` stamped into every Kasir database ("KSIR").
pub(crate) const APPLICATION_ID: i64 = 0x4B53_4952;

/// The newest schema version this build knows.
pub fn schema_version() -> i64 {
    embedded::migrations::runner()
        .get_migrations()
        .iter()
        .map(|m| m.version() as i64)
        .max()
        .unwrap_or(0)
}

/// Opens (creating if missing) the database at `path` for reading and writing, and brings its
/// schema up to date. Refuses a damaged file, a foreign one and one written by a newer Kasir,
/// and a file it refuses is left exactly as it was: everything is checked before the first
/// write (the switch to WAL is one).
pub fn open_writer(path: &Path) -> Result<Connection> {
    open_writer_up_to(path, i64::MAX)
}

/// [`open_writer`], applying migrations only up to `version`: for tests of upgrades.
#[doc(hidden)]
pub fn open_writer_up_to(path: &Path, version: i64) -> Result<Connection> {
    let mut conn = Connection::open(path).map_err(classify_open_error)?;
    configure_connection(&conn).map_err(classify_open_error)?;
    let fresh = check_ours(&conn)?;
    configure_writer(&conn).map_err(classify_open_error)?;
    migrate(&mut conn, fresh, version)?;
    Ok(conn)
}

/// Opens an existing database for reading only (search and lists beside a writer).
pub fn open_reader(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )
    .map_err(classify_open_error)?;
    configure_connection(&conn).map_err(classify_open_error)?;
    // A reader may walk the whole menu (the manager's product table, reports): 64 MB of pages
    // keeps 100,000 products in memory between two walks, where 16 MB made each walk read
    // the file again. Pages are only kept once read, so a small shop never uses it.
    conn.execute_batch("PRAGMA query_only = ON; PRAGMA cache_size = -65536;")?;
    if check_ours(&conn)? {
        return Err(Error::DatabaseCorrupt(
            "the database has no tables yet".into(),
        ));
    }
    Ok(conn)
}

/// This terminal's code (`T01`), read inside the caller's transaction.
pub(crate) fn terminal_code(conn: &Connection) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT terminal_code FROM settings WHERE id = 1")?
        .query_row([], |r| r.get(0))?)
}

/// Settings of every connection; none of them writes to the file.
fn configure_connection(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Every use case's statements stay prepared: re-parsing SQL was the largest CPU cost of a sale.
    conn.set_prepared_statement_cache_capacity(256);
    // Keep them prepared: without the query planner stability guarantee, SQLite (built with
    // STAT4) re-plans a statement whenever a parameter compared with an indexed column gets a
    // new value, i.e. on every call (a JOIN or a lookup on a non-unique index), which cost a
    // ticket's pricing two thirds of its time. Our plans do not depend on the values.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    // Reading the header here makes a file that is not a database fail now, with a clear error.
    let _: i64 = conn.query_row("PRAGMA schema_version", [], |r| r.get(0))?;
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         PRAGMA cache_size = -16000;
         PRAGMA temp_store = MEMORY;",
    )?;
    Ok(())
}

/// The writer's durability settings. The switch to WAL writes the file: call only once the
/// file is known to be Kasir's (or new).
fn configure_writer(conn: &Connection) -> rusqlite::Result<()> {
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(mode, "could not switch the database to WAL");
    }
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA wal_autocheckpoint = 0;
         PRAGMA journal_size_limit = 67108864;",
    )
}

/// Checks, reading only, that the file is Kasir's and not newer than this build. Returns
/// `true` for a file with no tables yet (a new database).
fn check_ours(conn: &Connection) -> Result<bool> {
    let app_id: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let has_tables: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table')",
        [],
        |r| r.get(0),
    )?;
    if !has_tables {
        return Ok(true);
    }
    if app_id != APPLICATION_ID {
        return Err(Error::DatabaseCorrupt(
            "the file holds tables that are not Kasir's".into(),
        ));
    }
    check_version(conn)?;
    Ok(false)
}

/// Kasir's schema history: refinery's table, so its tools can still read it.
const HISTORY_TABLE: &str = "CREATE TABLE IF NOT EXISTS refinery_schema_history (
    version INTEGER PRIMARY KEY, name VARCHAR(255), applied_on VARCHAR(255), checksum VARCHAR(255))";

/// Applies the migrations the file lacks, up to `up_to`, each in one transaction with its
/// history row and the application id stamp: a power cut leaves the file either before or
/// after a migration, never between (refinery's own runner commits a migration apart from its
/// history row, and the stamp came last, so a cut there left a file every later open refused).
fn migrate(conn: &mut Connection, fresh: bool, up_to: i64) -> Result<()> {
    let mut applied: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
    if !fresh {
        let mut stmt = conn.prepare("SELECT version, checksum FROM refinery_schema_history")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (version, checksum) = row?;
            applied.insert(version, checksum);
        }
    }
    let runner = embedded::migrations::runner();
    let mut migrations: Vec<_> = runner.get_migrations().iter().collect();
    migrations.sort_by_key(|m| m.version());
    for m in migrations {
        let version = m.version() as i64;
        if version > up_to {
            break;
        }
        if let Some(checksum) = applied.get(&version) {
            if *checksum != m.checksum().to_string() {
                return Err(Error::DatabaseCorrupt(format!(
                    "migration V{version} differs from the one this database was built with"
                )));
            }
            continue;
        }
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(HISTORY_TABLE)?;
        let sql = m.sql().ok_or_else(|| {
            Error::DatabaseCorrupt(format!("migration V{version} has no SQL in this build"))
        })?;
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum)
             VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![
                version,
                m.name(),
                jiff::Timestamp::now().to_string(),
                m.checksum().to_string()
            ],
        )?;
        tx.execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID}"))?;
        tx.commit()?;
    }
    Ok(())
}

fn check_version(conn: &Connection) -> Result<()> {
    let found: Option<i64> = conn
        .query_row(
            "SELECT MAX(version) FROM refinery_schema_history",
            [],
            |r| r.get(0),
        )
        .map_err(|e| Error::DatabaseCorrupt(format!("no schema history: {e}")))?;
    let supported = schema_version();
    match found {
        Some(found) if found > supported => Err(Error::DatabaseTooNew { found, supported }),
        _ => Ok(()),
    }
}

fn classify_open_error(e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(ffi::ErrorCode::NotADatabase) | Some(ffi::ErrorCode::DatabaseCorrupt) => {
            Error::DatabaseCorrupt(e.to_string())
        }
        _ => Error::Sqlite(e),
    }
}

/// Runs `PRAGMA integrity_check`; `Ok(())` when the database is sound.
pub fn integrity_check(conn: &Connection) -> Result<()> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let problems: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<_>>()?;
    if problems.len() == 1 && problems[0] == "ok" {
        Ok(())
    } else {
        Err(Error::DatabaseCorrupt(problems.join("; ")))
    }
}

/// How many WAL frames (4 KiB pages) the checkpointer lets pile up before folding them back:
/// SQLite's own default, about 4 MB, some fifty sales with their ticket edits.
pub const CHECKPOINT_FRAMES: u32 = 1000;

/// How full the WAL is: the frame count SQLite reports to the writer's WAL hook after each
/// commit, and the signal that wakes the [`Checkpointer`] when there is work. Shared between
/// the writer and the checkpointer.
#[derive(Debug, Clone, Default)]
pub struct WalFill(Arc<WalShared>);

#[derive(Debug)]
struct WalShared {
    frames: AtomicU32,
    /// The fill at which the writer wakes the checkpointer (`u32::MAX` until one watches).
    threshold: AtomicU32,
    stop: AtomicBool,
    lock: Mutex<()>,
    wake: Condvar,
    /// How many times the checkpointer woke (for tests: an idle till wakes it never).
    wakeups: AtomicU32,
}

impl Default for WalShared {
    fn default() -> Self {
        WalShared {
            frames: AtomicU32::new(0),
            threshold: AtomicU32::new(u32::MAX),
            stop: AtomicBool::new(false),
            lock: Mutex::new(()),
            wake: Condvar::new(),
            wakeups: AtomicU32::new(0),
        }
    }
}

impl WalFill {
    /// Frames in the WAL after the writer's latest commit.
    pub fn frames(&self) -> u32 {
        self.0.frames.load(Ordering::Relaxed)
    }

    fn report(&self, frames: u32) {
        self.0.frames.store(frames, Ordering::Relaxed);
        if frames >= self.0.threshold.load(Ordering::Relaxed) {
            self.notify();
        }
    }

    fn notify(&self) {
        // Taking the lock orders this wake-up after the checkpointer's last look at the fill.
        let _guard = self.0.lock.lock().unwrap_or_else(|e| e.into_inner());
        self.0.wake.notify_all();
    }
}

/// Makes `conn` report its WAL fill after every commit. Call after the pragmas (setting
/// `wal_autocheckpoint` replaces the hook).
pub fn watch_wal(conn: &mut Connection) -> Result<WalFill> {
    let fill = WalFill::default();
    let shared = fill.clone();
    conn.wal_hook(Some(move |_: &mut rusqlite::hooks::Wal, frames: i32| {
        shared.report(frames.max(0) as u32);
        Ok(())
    }))?;
    Ok(fill)
}

/// A background thread that folds the WAL back into the database file once it holds
/// `threshold` frames, so no sale ever pays for a checkpoint. It sleeps until the writer's
/// commit reports that fill (no polling). Stops when dropped.
pub struct Checkpointer {
    fill: WalFill,
    handle: Option<JoinHandle<()>>,
}

/// How soon the checkpointer tries again when readers kept it from copying the whole WAL.
const RETRY: Duration = Duration::from_millis(200);

impl Checkpointer {
    /// Starts watching `fill` (the writer's, from [`watch_wal`]) and checkpointing `path` with
    /// its own connection whenever the WAL holds `threshold` frames or more.
    pub fn spawn(path: PathBuf, fill: WalFill, threshold: u32) -> Result<Checkpointer> {
        let conn = Connection::open(&path)?;
        conn.busy_timeout(Duration::from_millis(50))?;
        fill.0.threshold.store(threshold, Ordering::Relaxed);
        let shared = fill.clone();
        let handle = std::thread::Builder::new()
            .name("kasir-checkpoint".into())
            .spawn(move || checkpoint_loop(&conn, &shared, threshold))?;
        Ok(Checkpointer {
            fill,
            handle: Some(handle),
        })
    }
}

fn checkpoint_loop(conn: &Connection, fill: &WalFill, threshold: u32) {
    let shared = &fill.0;
    let mut guard = shared.lock.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        if shared.stop.load(Ordering::Relaxed) {
            return;
        }
        if fill.frames() < threshold {
            guard = shared.wake.wait(guard).unwrap_or_else(|e| e.into_inner());
            shared.wakeups.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        drop(guard);
        let finished = match checkpoint_if_full(conn, fill, threshold) {
            Ok(_) => fill.frames() < threshold,
            Err(e) => {
                tracing::warn!(error = %e, "background checkpoint failed");
                false
            }
        };
        guard = shared.lock.lock().unwrap_or_else(|e| e.into_inner());
        if !finished && !shared.stop.load(Ordering::Relaxed) {
            // Readers held part of the WAL: try again a little later, not in a busy loop.
            guard = shared
                .wake
                .wait_timeout(guard, RETRY)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// One step of the checkpointer: when the WAL holds `threshold` frames or more, copies what it
/// can back into the database (PASSIVE: never waits for readers or writers; what it cannot
/// copy now it copies next time). Returns whether it checkpointed.
fn checkpoint_if_full(conn: &Connection, fill: &WalFill, threshold: u32) -> rusqlite::Result<bool> {
    let seen = fill.frames();
    if seen < threshold {
        return Ok(false);
    }
    let (log, copied): (i64, i64) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok((r.get(1)?, r.get(2)?))
    })?;
    if log == copied {
        // All copied: the writer's next commit restarts the WAL and reports a small fill;
        // until then there is nothing to do (unless the writer committed meanwhile).
        let _ = fill
            .0
            .frames
            .compare_exchange(seen, 0, Ordering::Relaxed, Ordering::Relaxed);
    }
    Ok(true)
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.fill.0.stop.store(true, Ordering::Relaxed);
        self.fill.notify();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_migrates_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let conn = open_writer(&path).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "FULL");
        let auto: i64 = conn
            .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
            .unwrap();
        assert_eq!(auto, 0);
        drop(conn);
        let again = open_writer(&path).unwrap();
        integrity_check(&again).unwrap();
        let reader = open_reader(&path).unwrap();
        assert!(
            reader.execute("DELETE FROM settings", []).is_err(),
            "reader is read-only"
        );
    }

    #[test]
    fn cached_statements_are_not_re_planned_per_call() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_writer(&dir.path().join("k.db")).unwrap();
        // A JOIN and a lookup on a non-unique index, the shapes SQLite re-plans per binding
        // unless the query planner stability guarantee is on.
        let sql = "SELECT p.name FROM products p JOIN categories c ON c.id = p.category_id
                   JOIN modifier_groups g ON g.product_id = p.id WHERE p.id = ?1";
        for i in 0..5 {
            let mut stmt = conn.prepare_cached(sql).unwrap();
            let rows: Vec<String> = stmt
                .query_map([format!("product-{i}")], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert!(rows.is_empty());
        }
        let stmt = conn.prepare_cached(sql).unwrap();
        assert_eq!(stmt.get_status(rusqlite::StatementStatus::RePrepare), 0);
    }

    #[test]
    fn refuses_garbage_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        std::fs::write(&path, vec![0x42u8; 8192]).unwrap();
        assert!(matches!(open_writer(&path), Err(Error::DatabaseCorrupt(_))));
        // and did not rewrite it
        assert_eq!(std::fs::read(&path).unwrap(), vec![0x42u8; 8192]);
    }

    #[test]
    fn refuses_foreign_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE notes (x TEXT)")
            .unwrap();
        assert!(matches!(open_writer(&path), Err(Error::DatabaseCorrupt(_))));
    }

    #[test]
    fn refuses_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let conn = open_writer(&path).unwrap();
        let newer = schema_version() + 1;
        conn.execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (?1, 'future', '2030-01-01', '0')",
            [newer],
        )
        .unwrap();
        drop(conn);
        match open_writer(&path) {
            Err(Error::DatabaseTooNew { found, supported }) => {
                assert_eq!(found, newer);
                assert_eq!(supported, schema_version());
            }
            other => panic!("expected DatabaseTooNew, got {other:?}"),
        }
        assert!(matches!(
            open_reader(&path),
            Err(Error::DatabaseTooNew { .. })
        ));
    }

    #[test]
    fn checkpointer_leaves_a_small_wal_alone_and_folds_a_full_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let mut conn = open_writer(&path).unwrap();
        conn.execute_batch("CREATE TABLE scratch (x BLOB); PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
        let fill = watch_wal(&mut conn).unwrap();
        let insert = |n: usize| {
            for _ in 0..n {
                conn.execute("INSERT INTO scratch VALUES (zeroblob(4000))", [])
                    .unwrap();
            }
        };
        let other = Connection::open(&path).unwrap();
        let size = || std::fs::metadata(&path).unwrap().len();

        insert(10);
        assert!(fill.frames() >= 10, "the hook reports the fill");
        let before = size();
        assert!(!checkpoint_if_full(&other, &fill, 40).unwrap());
        assert_eq!(
            size(),
            before,
            "below the threshold nothing is checkpointed"
        );

        insert(40);
        assert!(checkpoint_if_full(&other, &fill, 40).unwrap());
        assert!(
            size() >= before + 40 * 4000,
            "the WAL was copied into the file"
        );
        assert_eq!(fill.frames(), 0, "nothing left to do until the next commit");
        insert(1);
        assert!(fill.frames() < 40, "the next commit restarted the WAL");
    }

    /// An idle till wakes the checkpointer never: it sleeps until a commit reports a full WAL.
    #[test]
    fn checkpointer_sleeps_while_the_wal_is_small() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let mut conn = open_writer(&path).unwrap();
        let fill = watch_wal(&mut conn).unwrap();
        let cp = Checkpointer::spawn(path.clone(), fill.clone(), 1_000).unwrap();
        conn.execute_batch("CREATE TABLE scratch (x BLOB)").unwrap();
        for _ in 0..5 {
            conn.execute("INSERT INTO scratch VALUES (zeroblob(100))", [])
                .unwrap();
        }
        std::thread::sleep(Duration::from_millis(300));
        // The old loop polled every 50 ms: six wake-ups here.
        assert_eq!(fill.0.wakeups.load(Ordering::Relaxed), 0);
        drop(cp);
    }

    #[test]
    fn checkpointer_thread_folds_a_full_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let mut conn = open_writer(&path).unwrap();
        let fill = watch_wal(&mut conn).unwrap();
        conn.execute_batch("CREATE TABLE scratch (x BLOB)").unwrap();
        for _ in 0..50 {
            conn.execute("INSERT INTO scratch VALUES (zeroblob(4000))", [])
                .unwrap();
        }
        let before = std::fs::metadata(&path).unwrap().len();
        let _cp = Checkpointer::spawn(path.clone(), fill, 40).unwrap();
        // The thread works on its own schedule: poll (bounded) for its effect on the file.
        let done = (0..100).any(|_| {
            std::thread::sleep(Duration::from_millis(20));
            std::fs::metadata(&path).unwrap().len() >= before + 50 * 4000
        });
        assert!(
            done,
            "the checkpointer copied the WAL into the database file"
        );
    }
}
