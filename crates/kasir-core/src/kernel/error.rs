//! The one error type of the core. Variants name domain failures the caller can act on;
//! infrastructure errors come in through `#[from]` and are logged once where they are handled.

use jiff::Timestamp;

use crate::access::{Permission, Role};
use crate::money::Money;

/// Result alias used by every fallible function in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that breaks a rule; `field` names the input so a form can point at it.
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },

    #[error("{entity} not found: {id}")]
    NotFound { entity: &'static str, id: String },

    /// A unique value (a barcode, say) is already taken.
    #[error("{field} {value:?} is already in use")]
    Duplicate { field: &'static str, value: String },

    #[error("not enough stock for {product}: {available} left, {requested} wanted")]
    InsufficientStock {
        product: String,
        available: i64,
        requested: i64,
    },

    #[error("the ticket is empty")]
    EmptyTicket,

    #[error("payments of {paid} do not cover the total of {due}")]
    Underpaid { due: Money, paid: Money },

    #[error("non-cash payments of {non_cash} exceed the total of {due}")]
    Overpaid { due: Money, non_cash: Money },

    #[error("a {role} may not {permission}")]
    Forbidden { permission: Permission, role: Role },

    #[error("wrong PIN")]
    WrongPin { attempts_left: u32 },

    #[error("too many wrong PINs; try again after {until}")]
    LockedOut { until: Timestamp },

    #[error("an order that is {from} cannot become {to}")]
    InvalidTransition { from: String, to: String },

    #[error("the shop is already set up")]
    AlreadySetUp,

    #[error(
        "the database was written by a newer Kasir (schema {found}, this build knows {supported})"
    )]
    DatabaseTooNew { found: i64, supported: i64 },

    #[error("the database file is damaged or is not a Kasir database: {0}")]
    DatabaseCorrupt(String),

    #[error("the audit log was altered at entry {seq}")]
    AuditChainBroken { seq: i64 },

    #[error("amount overflow")]
    Overflow,

    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),

    #[error("migration error: {0}")]
    Migration(#[from] refinery::Error),

    #[error("file error: {0}")]
    Io(#[from] std::io::Error),

    #[error("encoding error: {0}")]
    Json(#[from] serde_json::Error),

    #[error("image error: {0}")]
    Image(String),
}

impl Error {
    /// Shorthand for [`Error::Invalid`].
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::Invalid {
            field,
            reason: reason.into(),
        }
    }

    pub(crate) fn not_found(entity: &'static str, id: impl ToString) -> Self {
        Error::NotFound {
            entity,
            id: id.to_string(),
        }
    }
}
