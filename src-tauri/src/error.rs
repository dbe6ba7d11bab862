//! The one error type that crosses IPC. TypeScript sees it as a discriminated union on `kind`,
//! so the UI can branch (name the product that ran out, ask for a manager's PIN, point at the
//! bad field) instead of parsing strings.

use kasir_core::sales::checkout::OrderStatus;
use kasir_core::{Entity, Field, Permission, Role, Rule};
use serde::Serialize;

/// What a command can fail with. Every variant is a code with parameters, never a sentence:
/// the UI words each one in the user's language, formatting amounts (minor units here) with
/// the shop's money format. Only `internal` carries text, for the log and a bug report.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type, thiserror::Error)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum CommandError {
    /// Input broke `rule`; `field` names the input so a form can point at it.
    #[error("{field}: {rule}")]
    Invalid { field: Field, rule: Rule },
    #[error("{entity} not found")]
    NotFound { entity: Entity },
    /// A unique value (a barcode, say) is already taken.
    #[error("{field} {value:?} is already in use")]
    Duplicate { field: Field, value: String },
    #[error("not enough {product}: {available} left")]
    InsufficientStock {
        product: String,
        #[specta(type = i32)]
        available: i64,
        #[specta(type = i32)]
        requested: i64,
    },
    #[error("the ticket is empty")]
    EmptyTicket,
    /// Selling (or a cash refund) needs the till's shift open: open one with a counted float.
    #[error("no shift is open on this till")]
    NoOpenShift,
    /// Only one shift at a time on a till.
    #[error("a shift is already open, by {opened_by}")]
    ShiftAlreadyOpen {
        opened_by: String,
        opened_at: String,
    },
    /// The ticket is served by `owner`: take it over first (`take_over_ticket`).
    #[error("this ticket is {owner}'s")]
    TicketOfAnother { owner: String },
    /// The payments fall short of the total.
    #[error("payments of {paid} do not cover {due}")]
    Underpaid {
        #[specta(type = i32)]
        due: i64,
        #[specta(type = i32)]
        paid: i64,
    },
    /// Card, QRIS and e-wallet payments add up to more than the total (only cash gives change).
    #[error("non-cash payments of {non_cash} exceed {due}")]
    Overpaid {
        #[specta(type = i32)]
        due: i64,
        #[specta(type = i32)]
        non_cash: i64,
    },
    /// An order cannot move from `from` to `to` (an order already served, say).
    #[error("an order that is {from:?} cannot become {to:?}")]
    InvalidTransition { from: OrderStatus, to: OrderStatus },
    #[error("the shop is already set up")]
    AlreadySetUp,
    /// The member (as the database has them now) lacks `permission`; a manager may approve
    /// when `needs_approval`.
    #[error("a {role:?} may not {permission:?}")]
    Forbidden {
        permission: Permission,
        role: Role,
        needs_approval: bool,
    },
    /// Nobody is signed in.
    #[error("sign in first")]
    SignedOut,
    #[error("wrong PIN")]
    WrongPin { attempts_left: u32 },
    #[error("locked until {until}")]
    LockedOut { until: String },
    /// A total or a sum passed the largest amount Kasir holds.
    #[error("the amount is too large")]
    Overflow,
    /// Leaving the server would strand `count` entries it has not received (an admin may
    /// confirm).
    #[error("{count} entries have not reached the server")]
    UnsentEntries {
        #[specta(type = i32)]
        count: i64,
    },
    /// Talking to the sync server did not work; `problem` says how.
    #[error("sync: {problem:?}")]
    Sync { problem: SyncProblem },
    /// A fault of the app or the machine (the disk, the database); logged where it happened.
    #[error("{message}")]
    Internal { message: String },
}

/// Why enrolling with, or reaching, the sync server failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SyncProblem {
    /// The address is not `https://…` (or `http://…` when plain HTTP is allowed).
    Address,
    /// The server could not be reached or did not answer in time.
    Unreachable,
    /// The code is unknown, used, expired or wrong.
    EnrolmentRefused,
    /// Too many enrolment attempts: wait a minute.
    RateLimited,
    /// The server speaks a newer protocol: update the app.
    NewerServer,
    /// The server refused this terminal: enrol it again.
    Unauthorized,
    /// The server refused the request for another reason (see the log).
    Refused,
}

impl From<kasir_sync::SyncError> for CommandError {
    fn from(e: kasir_sync::SyncError) -> Self {
        use kasir_sync::SyncError as S;
        let problem = match e {
            S::Local(core) => return core.into(),
            S::Address(_) => SyncProblem::Address,
            S::Unknown(_) | S::Transient(_) => SyncProblem::Unreachable,
            S::NewerServer(_) => SyncProblem::NewerServer,
            S::Unauthorized { .. } | S::NotEnrolled => SyncProblem::Unauthorized,
            S::Refused { ref code, .. } if code == "enrolment_refused" => {
                SyncProblem::EnrolmentRefused
            }
            S::Refused { ref code, .. } if code == "rate_limited" => SyncProblem::RateLimited,
            S::Refused { .. } => SyncProblem::Refused,
        };
        tracing::warn!(error = %e, "sync request failed");
        CommandError::Sync { problem }
    }
}

impl From<kasir_core::Error> for CommandError {
    fn from(e: kasir_core::Error) -> Self {
        use kasir_core::Error as E;
        match e {
            E::Invalid { field, rule } => CommandError::Invalid { field, rule },
            E::NotFound { entity, .. } => CommandError::NotFound { entity },
            E::Duplicate { field, value } => CommandError::Duplicate { field, value },
            E::InvalidTransition { from, to } => {
                match (OrderStatus::parse(&from), OrderStatus::parse(&to)) {
                    (Ok(from), Ok(to)) => CommandError::InvalidTransition { from, to },
                    _ => CommandError::Internal {
                        message: format!("an order that is {from} cannot become {to}"),
                    },
                }
            }
            E::AlreadySetUp => CommandError::AlreadySetUp,
            E::InsufficientStock {
                product,
                available,
                requested,
            } => CommandError::InsufficientStock {
                product,
                available,
                requested,
            },
            E::EmptyTicket => CommandError::EmptyTicket,
            E::NoOpenShift => CommandError::NoOpenShift,
            E::ShiftAlreadyOpen {
                opened_by,
                opened_at,
            } => CommandError::ShiftAlreadyOpen {
                opened_by,
                opened_at: opened_at.to_string(),
            },
            E::TicketOfAnother { owner } => CommandError::TicketOfAnother { owner },
            E::UnsentEntries { count } => CommandError::UnsentEntries { count },
            E::Underpaid { due, paid } => CommandError::Underpaid {
                due: due.0,
                paid: paid.0,
            },
            E::Overpaid { due, non_cash } => CommandError::Overpaid {
                due: due.0,
                non_cash: non_cash.0,
            },
            E::Forbidden { permission, role } => CommandError::Forbidden {
                permission,
                role,
                needs_approval: permission.approvable(),
            },
            E::WrongPin { attempts_left } => CommandError::WrongPin { attempts_left },
            E::LockedOut { until } => CommandError::LockedOut {
                until: until.to_string(),
            },
            E::Overflow => CommandError::Overflow,
            other => {
                tracing::error!(error = %other, "command failed");
                CommandError::Internal {
                    message: other.to_string(),
                }
            }
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
        let e = CommandError::from(kasir_core::Error::invalid(
            Field::LowStockCritical,
            Rule::TooLong { max: 60 },
        ));
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"kind": "invalid", "data": {"field": "low_stock_critical", "rule": {"rule": "too_long", "max": 60}}})
        );
        let e = CommandError::from(kasir_core::Error::Underpaid {
            due: kasir_core::Money(2500),
            paid: kasir_core::Money(2000),
        });
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"kind": "underpaid", "data": {"due": 2500, "paid": 2000}})
        );
        assert_eq!(
            serde_json::to_value(CommandError::SignedOut).unwrap(),
            serde_json::json!({"kind": "signed_out"})
        );
    }
}
