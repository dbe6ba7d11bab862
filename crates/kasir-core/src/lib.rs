//! Kasir's core: the Tauri-free library that owns the shop's data and rules.
//!
//! Every front end (the desktop app, the demo CLI, the sync module, tests) goes through
//! [`Kasir`], a handle on one terminal's SQLite database. Its use cases hang off views by
//! domain (`k.catalog()`, `k.sales()`, `k.people()`, `k.settings()`, `k.audit()`,
//! `k.outbox()`); each takes the acting staff member ([`Actor`]) and checks that member's
//! role itself, and each business action is one SQLite transaction that includes its outbox
//! entry.
//!
//! The modules are layers; a module imports only from its own layer or below:
//!
//! 1. [`kernel`]: database, transaction plumbing, clock, ids, timestamps, text, [`Error`].
//! 2. [`money`]: amounts and the pricing rule, pure.
//! 3. [`access`] (roles, permissions, the transaction context), then [`audit`], then
//!    [`settings`].
//! 4. Domains: [`catalog`], then [`sales`] (which sells the catalog's products), [`people`],
//!    [`reports`] (which read the sales).
//! 5. [`outbox`] payloads are built by the domains from `kasir-proto` types; [`sync`] and
//!    [`backup`] sit beside sales and people and work on the whole database (the outbox, the
//!    counters).
//!
//! Where to start reading: [`money::pricing`] (the money rule), [`sales::checkout`] (the sale
//! transaction), `migrations/V1__initial.sql` (the data model).

pub mod access;
pub mod audit;
pub mod backup;
pub mod catalog;
pub mod demo;
pub mod kernel;
pub mod members;
pub mod money;
pub mod notices;
pub mod offers;
pub mod outbox;
pub mod people;
pub mod printing;
pub mod reports;
pub mod sales;
pub mod settings;
pub mod sync;

pub use crate::access::{Actor, Permission, Role};
pub use crate::kernel::clock::{Clock, FixedClock, SystemClock};
pub use crate::kernel::db;
pub use crate::kernel::error::{Entity, Error, Expected, Field, Result, Rule};
pub use crate::kernel::{DB_FILE, Kasir};
pub use crate::money::Money;
