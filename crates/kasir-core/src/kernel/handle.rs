//! [`Kasir`], the handle every front end holds: one terminal's database as a writer
//! connection and a small pool of readers, the clock, and the data directory.
//!
//! **Invariant**: the handle takes its own locks, and holds the writer's only for a
//! transaction. Slow pure work (argon2, decoding a picture, parsing a CSV file) runs before the
//! lock is taken, so it never makes a sale wait. Reads run on the reader pool, which WAL lets
//! run beside a committing sale, and a slow report holds one reader while menu search uses
//! another.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use jiff::Timestamp;
use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::Result;
use crate::kernel::clock::Clock;
use crate::kernel::db;

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "kasir.db";

/// How many reader connections a handle keeps: the till's menu and search, a report, and the
/// sync uploader can each have one without waiting for the others.
const READERS: usize = 3;

/// One terminal's database and the services its use cases need. Use cases hang off borrowed
/// views by domain: `k.catalog()`, `k.sales()`, `k.people()`, `k.settings()`, `k.audit()`,
/// `k.outbox()`.
///
/// `Kasir` is `Send + Sync`: share one per process (`Arc<Kasir>`); it locks for itself.
pub struct Kasir {
    writer: Mutex<Connection>,
    /// Opened on first use: start-up pays for none of them.
    readers: Vec<Mutex<Option<Connection>>>,
    next_reader: AtomicUsize,
    /// The writer's WAL fill, for the checkpointer.
    wal: db::WalFill,
    clock: Arc<dyn Clock>,
    data_dir: PathBuf,
    /// Counts the times the writer was let go: a read that saw `writes` at `n` before it began
    /// and sees `n` again afterwards saw no commit in between (see [`Kasir::writes`]).
    writes: AtomicU64,
    /// Recent orders of row ids worked out by long reads (the manager's product table).
    pub(crate) orders: Mutex<OrderCache>,
}

/// Lists of row ids in some order, each kept with the write count it was read at and a key
/// saying what it answers (the query, written out). A list read at another count is stale:
/// [`Kasir::writes`] moved, so some commit came between. Keeps a few, the newest last.
#[derive(Debug, Default)]
pub(crate) struct OrderCache {
    entries: Vec<(u64, String, Arc<Vec<i64>>)>,
}

impl OrderCache {
    /// How many lists are kept: switching between a few filters stays instant.
    const KEPT: usize = 4;

    pub(crate) fn get(&self, writes: u64, key: &str) -> Option<Arc<Vec<i64>>> {
        self.entries
            .iter()
            .find(|(w, k, _)| *w == writes && k == key)
            .map(|(_, _, rids)| rids.clone())
    }

    pub(crate) fn put(&mut self, writes: u64, key: String, rids: Arc<Vec<i64>>) {
        self.entries.retain(|(w, k, _)| *w == writes && *k != key);
        if self.entries.len() >= Self::KEPT {
            self.entries.remove(0);
        }
        self.entries.push((writes, key, rids));
    }
}

/// The writer connection, held. Letting it go counts as a write (after any commit it made),
/// so caches of what readers saw know to look again.
pub struct Writer<'k> {
    guard: MutexGuard<'k, Connection>,
    writes: &'k AtomicU64,
}

impl std::ops::Deref for Writer<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.guard
    }
}

impl std::ops::DerefMut for Writer<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.guard
    }
}

impl Drop for Writer<'_> {
    fn drop(&mut self) {
        self.writes.fetch_add(1, Ordering::Release);
    }
}

impl Kasir {
    /// Opens (creating if needed) the terminal's data directory: `kasir.db` and `media/`.
    /// A file that is refused (damaged, foreign, newer) is left exactly as it was.
    pub fn open(data_dir: &Path, clock: Arc<dyn Clock>) -> Result<Kasir> {
        let path = data_dir.join(DB_FILE);
        std::fs::create_dir_all(data_dir)?;
        let mut writer = db::open_writer(&path)?;
        std::fs::create_dir_all(data_dir.join("media"))?;
        let wal = db::watch_wal(&mut writer)?;
        let readers = (0..READERS).map(|_| Mutex::new(None)).collect();
        Ok(Kasir {
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
            wal,
            clock,
            data_dir: data_dir.to_path_buf(),
            writes: AtomicU64::new(0),
            orders: Mutex::default(),
        })
    }

    /// How many times the writer has been let go since the handle opened. Every commit
    /// happens before the count moves, so a result read between two equal counts is current.
    pub(crate) fn writes(&self) -> u64 {
        self.writes.load(Ordering::Acquire)
    }

    fn writer(&self) -> Writer<'_> {
        // A panic while holding the lock cannot leave the database half-written (an open
        // transaction rolls back when dropped), so the connection is still safe to use.
        Writer {
            guard: self.writer.lock().unwrap_or_else(|e| e.into_inner()),
            writes: &self.writes,
        }
    }

    /// Starts the background checkpointer for this database (see [`db::Checkpointer`]).
    pub fn spawn_checkpointer(&self) -> Result<db::Checkpointer> {
        db::Checkpointer::spawn(self.db_path(), self.wal.clone(), db::CHECKPOINT_FRAMES)
    }

    /// Frames (pages) in the WAL after the latest commit.
    pub fn wal_frames(&self) -> u32 {
        self.wal.frames()
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join(DB_FILE)
    }

    /// The terminal's data directory (the database, `media/`, a restore waiting).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn media_dir(&self) -> PathBuf {
        self.data_dir.join("media")
    }

    /// The writer connection, for inspection in tests and tools only: it checks no
    /// permission and opens no transaction. Use cases never need it, and a front end must not
    /// use it. Do not hold the guard across a use case call (it is the writer's lock).
    #[doc(hidden)]
    pub fn connection(&self) -> Writer<'_> {
        self.writer()
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// A reader connection: a free one if there is one, else the next in turn; opened on
    /// first use.
    fn reader(&self) -> Result<Reader<'_>> {
        let mut guard = self
            .readers
            .iter()
            .find_map(|r| r.try_lock().ok())
            .unwrap_or_else(|| {
                let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
                self.readers[i].lock().unwrap_or_else(|e| e.into_inner())
            });
        if guard.is_none() {
            *guard = Some(db::open_reader(&self.db_path())?);
        }
        Ok(Reader(guard))
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction on the writer and commits it; any error
    /// rolls all of it back. For work no staff member does (sign-in bookkeeping, seeding);
    /// use cases go through `write` (in `access`), which also checks the actor.
    pub(crate) fn transact<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>, Timestamp) -> Result<T>,
    ) -> Result<T> {
        let mut conn = self.writer();
        let now = self.clock.now();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx, now)?;
        tx.commit()?;
        Ok(value)
    }

    /// Runs `f` on a reader connection.
    pub(crate) fn read_any<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let reader = self.reader()?;
        f(&reader)
    }
}

/// A pooled reader connection, held for one read.
struct Reader<'k>(MutexGuard<'k, Option<Connection>>);

impl std::ops::Deref for Reader<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.0
            .as_ref()
            .expect("a reader is opened before it is handed out")
    }
}

impl std::fmt::Debug for Kasir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kasir")
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

// One handle serves every thread of the process.
const _: () = {
    const fn shared<T: Send + Sync>() {}
    shared::<Kasir>();
};
