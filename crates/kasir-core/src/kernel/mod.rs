//! The kernel: what every domain stands on and that knows no domain. The database (opening,
//! migrations, the checkpointer, the reader pool), the transaction context handed to use cases,
//! the clock, ids, timestamps, text validation and the one error type.
//!
//! **Architecture Invariant**: nothing in `kernel/` imports a module outside it.

pub(crate) mod clock;
mod handle;
pub use handle::{DB_FILE, Kasir, Writer};
pub mod db;
pub(crate) mod error;
pub(crate) mod ids;
pub(crate) mod text;
pub(crate) mod time;
