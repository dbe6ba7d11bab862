//! The transaction context: what the write helper hands a use case.
//!
//! **Invariant**: every use case that writes runs in one `BEGIN IMMEDIATE` transaction that
//! starts by re-reading the acting member (inside the transaction, so a role change cannot
//! slip in between the check and the write) and holds, for the whole action, the time, the
//! member as they are now and this terminal's code. No use case reloads settings for the
//! terminal code, and no decision uses the role an actor had at sign-in.

use std::ops::Deref;

use jiff::Timestamp;
use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::access::{Actor, Member, Permission, StaffId, authorize, authorize_with_approval};
use crate::kernel::db;
use crate::{Kasir, Result};

/// One business action in progress. Derefs to the transaction's connection, so store
/// functions that take `&Connection` take `&cx` too.
pub(crate) struct Ctx<'a> {
    tx: &'a Transaction<'a>,
    /// The moment of the action: every row it writes carries this time.
    pub now: Timestamp,
    /// The acting member, as the database has them inside this transaction.
    pub member: Member,
    /// Who approved, when the action needed a right the member lacks (a manager's PIN).
    pub approved_by: Option<StaffId>,
    /// This terminal's code (`T01`): receipt numbers and outbox entries carry it.
    pub terminal: String,
}

impl<'a> Ctx<'a> {
    /// A context for work done as `member` inside a transaction the caller opened (the demo
    /// seed, which creates the member it acts as in the same transaction).
    pub(crate) fn inside(
        tx: &'a Transaction<'a>,
        now: Timestamp,
        member: Member,
    ) -> Result<Ctx<'a>> {
        Ok(Ctx {
            tx,
            now,
            member,
            approved_by: None,
            terminal: db::terminal_code(tx)?,
        })
    }
}

impl Deref for Ctx<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.tx
    }
}

impl Kasir {
    /// Runs a use case as `actor`, who must hold `permission`, in one transaction.
    pub(crate) fn write<T>(
        &self,
        actor: &Actor,
        permission: Permission,
        f: impl FnOnce(&Ctx<'_>) -> Result<T>,
    ) -> Result<T> {
        self.write_approved(actor, None, permission, permission, f)
    }

    /// Runs a use case as `actor`, who must hold `base` and either hold `permission` or bring
    /// an `approver` who does (see [`authorize_with_approval`]).
    pub(crate) fn write_approved<T>(
        &self,
        actor: &Actor,
        approver: Option<&Actor>,
        base: Permission,
        permission: Permission,
        f: impl FnOnce(&Ctx<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut conn = self.connection();
        let now = self.now();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (member, approved_by) =
            authorize_with_approval(&tx, actor, approver, base, permission)?;
        let terminal = db::terminal_code(&tx)?;
        let cx = Ctx {
            tx: &tx,
            now,
            member,
            approved_by,
            terminal,
        };
        let value = f(&cx)?;
        drop(cx);
        tx.commit()?;
        Ok(value)
    }

    /// Runs a read as `actor`, who must hold `permission`, on a reader connection.
    pub(crate) fn read<T>(
        &self,
        actor: &Actor,
        permission: Permission,
        f: impl FnOnce(&Connection, &Member) -> Result<T>,
    ) -> Result<T> {
        self.read_any(|conn| {
            // One snapshot for the whole read: every statement sees the same data, and the
            // read lock is taken once rather than per statement.
            let tx = conn.unchecked_transaction()?;
            let member = authorize(&tx, actor, permission)?;
            let value = f(&tx, &member)?;
            tx.finish()?;
            Ok(value)
        })
    }
}
