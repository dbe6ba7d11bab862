//! Kasir's core: the Tauri-free library that owns the shop's data and rules.
//!
//! Every front end (the desktop app, the demo CLI, the sync module, tests) goes through
//! [`Kasir`], a handle on one terminal's SQLite database. Its methods are the use cases; each
//! takes the acting staff member ([`Actor`]) and checks that member's role itself, and each
//! business action is one SQLite transaction that includes its outbox entry.
//!
//! Where to start reading: [`pricing`] (the money rule), [`checkout`] (the sale transaction),
//! `migrations/V1__initial.sql` (the data model).

pub mod audit;
pub mod catalog;
pub mod checkout;
pub mod clock;
pub mod db;
pub mod demo;
mod error;
mod ids;
pub mod images;
pub mod money;
pub mod outbox;
pub mod payments;
pub mod pricing;
pub mod receipt;
pub mod settings;
pub mod staff;
mod text;
pub mod tickets;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::Timestamp;
use rusqlite::{Connection, Transaction, TransactionBehavior};

pub use crate::clock::{Clock, FixedClock, SystemClock};
pub use crate::error::{Error, Result};
pub use crate::money::Money;
pub use crate::staff::{Actor, Permission, Role};

/// One terminal's database and the services its use cases need.
///
/// Open one writer per process with [`Kasir::open`]; open readers beside it with
/// [`Kasir::open_reader`] for search and lists, which WAL lets run while the writer commits.
pub struct Kasir {
    conn: Connection,
    /// The writer's WAL fill, for the checkpointer (a reader's stays at zero).
    wal: db::WalFill,
    clock: Arc<dyn Clock>,
    data_dir: PathBuf,
}

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "kasir.db";

impl Kasir {
    /// Opens (creating if needed) the terminal's data directory: `kasir.db` and `media/`.
    pub fn open(data_dir: &Path, clock: Arc<dyn Clock>) -> Result<Kasir> {
        std::fs::create_dir_all(data_dir.join("media"))?;
        let mut conn = db::open_writer(&data_dir.join(DB_FILE))?;
        let wal = db::watch_wal(&mut conn)?;
        Ok(Kasir {
            conn,
            wal,
            clock,
            data_dir: data_dir.to_path_buf(),
        })
    }

    /// A read-only handle on the same database, for a second thread.
    pub fn open_reader(&self) -> Result<Kasir> {
        Ok(Kasir {
            conn: db::open_reader(&self.db_path())?,
            wal: db::WalFill::default(),
            clock: self.clock.clone(),
            data_dir: self.data_dir.clone(),
        })
    }

    /// Starts the background checkpointer for this writer's database (see [`db::Checkpointer`]).
    pub fn spawn_checkpointer(&self) -> Result<db::Checkpointer> {
        db::Checkpointer::spawn(self.db_path(), self.wal.clone(), db::CHECKPOINT_FRAMES)
    }

    /// Frames (pages) in the WAL after this writer's latest commit.
    pub fn wal_frames(&self) -> u32 {
        self.wal.frames()
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join(DB_FILE)
    }

    pub fn media_dir(&self) -> PathBuf {
        self.data_dir.join("media")
    }

    /// The raw connection, for inspection in tests and tools. Use cases never need it.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction and commits it; any error rolls all of it back.
    pub(crate) fn write<T>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>, Timestamp) -> Result<T>,
    ) -> Result<T> {
        let now = self.clock.now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx, now)?;
        tx.commit()?;
        Ok(value)
    }
}
