//! The one error type that crosses IPC. TypeScript sees it as a discriminated union on `kind`,
//! so the UI can branch (name the product that ran out, ask for a manager's PIN, point at the
//! bad field) instead of parsing strings.

use serde::Serialize;

/// What a command can fail with.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type, thiserror::Error)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum CommandError {
    /// Input broke a rule; `field` names it.
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    #[error("{message}")]
    NotFound { message: String },
    #[error("not enough {product}: {available} left")]
    InsufficientStock {
        product: String,
        #[specta(type = i32)]
        available: i64,
        #[specta(type = i32)]
        requested: i64,
    },
    /// The payments do not add up: `due` and what was offered.
    #[error("{message}")]
    Payment {
        message: String,
        #[specta(type = i32)]
        due: i64,
        #[specta(type = i32)]
        offered: i64,
    },
    /// The action conflicts with the current state (a used barcode, an order already served).
    #[error("{message}")]
    Conflict { message: String },
    /// Nobody is signed in, or the signed-in member lacks the right; a manager may approve.
    #[error("{message}")]
    Unauthorized {
        message: String,
        needs_approval: bool,
    },
    #[error("wrong PIN")]
    WrongPin { attempts_left: u32 },
    #[error("locked until {until}")]
    LockedOut { until: String },
    #[error("{message}")]
    Internal { message: String },
}

impl From<kasir_core::Error> for CommandError {
    fn from(e: kasir_core::Error) -> Self {
        use kasir_core::Error as E;
        match e {
            E::Invalid { field, reason } => CommandError::Validation {
                field: field.into(),
                message: reason,
            },
            E::NotFound { .. } => CommandError::NotFound {
                message: e.to_string(),
            },
            E::Duplicate { .. } | E::InvalidTransition { .. } | E::AlreadySetUp => {
                CommandError::Conflict {
                    message: e.to_string(),
                }
            }
            E::InsufficientStock {
                product,
                available,
                requested,
            } => CommandError::InsufficientStock {
                product,
                available,
                requested,
            },
            E::EmptyTicket => CommandError::Validation {
                field: "ticket".into(),
                message: e.to_string(),
            },
            E::Underpaid { due, paid } => CommandError::Payment {
                message: e.to_string(),
                due: due.0,
                offered: paid.0,
            },
            E::Overpaid { due, non_cash } => CommandError::Payment {
                message: e.to_string(),
                due: due.0,
                offered: non_cash.0,
            },
            E::Forbidden { permission, .. } => CommandError::Unauthorized {
                message: e.to_string(),
                needs_approval: permission.approvable(),
            },
            E::WrongPin { attempts_left } => CommandError::WrongPin { attempts_left },
            E::LockedOut { until } => CommandError::LockedOut {
                until: until.to_string(),
            },
            E::Overflow => CommandError::Validation {
                field: "amount".into(),
                message: "the amount is too large".into(),
            },
            other => {
                tracing::error!(error = %other, "command failed");
                CommandError::Internal {
                    message: other.to_string(),
                }
            }
        }
    }
}

impl CommandError {
    pub(crate) fn signed_out() -> Self {
        CommandError::Unauthorized {
            message: "sign in first".into(),
            needs_approval: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape TypeScript relies on: `{ kind, data }`.
    #[test]
    fn serialises_as_kind_and_data() {
        let e = CommandError::from(kasir_core::Error::InsufficientStock {
            product: "Croissant".into(),
            available: 2,
            requested: 3,
        });
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"kind": "insufficient_stock", "data": {"product": "Croissant", "available": 2, "requested": 3}})
        );
        let e = CommandError::from(kasir_core::Error::WrongPin { attempts_left: 4 });
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"kind": "wrong_pin", "data": {"attempts_left": 4}})
        );
        let e = CommandError::from(kasir_core::Error::invalid("price", "must not be negative"));
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"kind": "validation", "data": {"field": "price", "message": "must not be negative"}})
        );
    }
}
