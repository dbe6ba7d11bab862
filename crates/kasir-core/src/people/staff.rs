//! Staff: the first run, PIN sign-in with lock-out, and managing members and their roles.
//!
//! **Invariant**: PINs are stored only as argon2id hashes and never logged; hashing and
//! checking a PIN run before the writer's lock is taken. Decisions about who may change whom
//! use the acting member's role as re-read in the transaction (`cx.member`), never the role
//! they signed in with. Roles and the permission table live in [`crate::access`].

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::access::{Actor, Permission, Role, StaffId};
use crate::kernel::text;
use crate::kernel::time::Stamp;
use crate::{Entity, Field, Rule};
use crate::{Error, Kasir, Result, audit};

/// A staff member as lists show them (never the PIN hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StaffMember {
    pub id: StaffId,
    pub name: String,
    pub role: Role,
    pub active: bool,
}

/// A staff member as the manager's staff screen shows them: with their lock-out, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StaffAccount {
    pub id: StaffId,
    pub name: String,
    pub role: Role,
    pub active: bool,
    /// Until when wrong PINs keep them from signing in (RFC 3339, UTC); `None` when not.
    pub locked_until: Option<String>,
    /// Until when their approvals are refused after wrong approval PINs.
    pub approvals_locked_until: Option<String>,
    /// Wrong sign-in PINs in a row so far.
    pub failed_attempts: u32,
    /// When they were added (RFC 3339, UTC).
    pub created_at: String,
}

/// Changes to a staff member; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StaffUpdate {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub pin: Option<String>,
}

/// What the first-run screen asks.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ShopSetup {
    pub shop_name: String,
    pub currency: String,
    pub minor_unit: u32,
    pub locale: String,
    pub time_zone: String,
    pub admin_name: String,
    pub pin: String,
}

/// Failures in a row before the member is locked out.
pub const MAX_PIN_ATTEMPTS: u32 = 5;
const FIRST_LOCKOUT: SignedDuration = SignedDuration::from_secs(30);
const LONGEST_LOCKOUT: SignedDuration = SignedDuration::from_secs(15 * 60);
/// Wrong approval PINs in a row before that member's approvals are refused for a while.
pub const MAX_APPROVAL_ATTEMPTS: u32 = 3;
const FIRST_APPROVAL_LOCKOUT: SignedDuration = SignedDuration::from_secs(60);
const LONGEST_APPROVAL_LOCKOUT: SignedDuration = SignedDuration::from_secs(10 * 60);

fn validate_pin(pin: &str) -> Result<()> {
    if !(4..=8).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid(
            Field::Pin,
            Rule::PinDigits { min: 4, max: 8 },
        ));
    }
    Ok(())
}

pub(crate) fn hash_pin(pin: &str) -> Result<String> {
    validate_pin(pin)?;
    Argon2::default()
        .hash_password(pin.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::PinHash(e.to_string()))
}

/// Reports a member as they now stand to the outbox (`staff_upserted`), in the caller's
/// transaction, so every till of the store can sign them in.
pub(crate) fn report_staff(conn: &Connection, now: Timestamp, id: StaffId) -> Result<()> {
    let (name, role, active, pin_hash, terminal): (String, String, bool, String, String) = conn
        .query_row(
            "SELECT s.name, s.role, s.active, s.pin_hash, t.terminal_code
             FROM staff s, settings t WHERE s.id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?;
    let member = kasir_proto::StaffMember {
        id: id.0,
        name,
        role,
        active,
        pin_hash,
    };
    crate::outbox::append_at(
        conn,
        now,
        &terminal,
        &kasir_proto::Payload::StaffUpserted(member),
    )?;
    Ok(())
}

pub(crate) fn insert_staff(
    conn: &Connection,
    now: Timestamp,
    name: &str,
    role: Role,
    pin_hash: &str,
) -> Result<StaffMember> {
    let id = StaffId::new(now);
    conn.prepare_cached(
        "INSERT INTO staff (id, name, role, pin_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![id, name, role.as_str(), pin_hash, Stamp(now)])?;
    report_staff(conn, now, id)?;
    Ok(StaffMember {
        id,
        name: name.to_string(),
        role,
        active: true,
    })
}

/// The staff's use cases: `k.people()`.
pub struct People<'k> {
    k: &'k Kasir,
}

impl Kasir {
    /// Staff: first run, sign-in, and managing members.
    pub fn people(&self) -> People<'_> {
        People { k: self }
    }
}

/// What sign-in reads of a member before checking the PIN.
struct PinRecord {
    name: String,
    role: String,
    pin_hash: String,
    active: bool,
    failed: u32,
    locked_until: Option<Stamp>,
}

impl People<'_> {
    /// True until the shop's first admin exists.
    pub fn needs_setup(&self) -> Result<bool> {
        self.k.read_any(|conn| {
            let n: i64 = conn.query_row("SELECT COUNT(*) FROM staff", [], |r| r.get(0))?;
            Ok(n == 0)
        })
    }

    /// First run: creates the shop's first admin with the PIN the user chose and signs them in.
    /// Refused once any staff member exists.
    pub fn create_first_admin(&self, name: &str, pin: &str) -> Result<Actor> {
        self.first_admin(Field::Name, name, pin, None)
    }

    /// First run, in one step: the shop's name, currency and locale, and its first admin.
    /// Refused once any staff member exists.
    pub fn set_up_shop(&self, setup: ShopSetup) -> Result<Actor> {
        let mut settings = self.k.settings().get()?;
        settings.shop_name = setup.shop_name;
        settings.currency = setup.currency;
        settings.minor_unit = setup.minor_unit;
        settings.locale = setup.locale;
        settings.time_zone = setup.time_zone;
        let settings = settings.validate()?;
        self.first_admin(
            Field::AdminName,
            &setup.admin_name,
            &setup.pin,
            Some(settings),
        )
    }

    /// The first admin (and optionally the shop's settings) in one transaction.
    fn first_admin(
        &self,
        field: Field,
        name: &str,
        pin: &str,
        settings: Option<crate::settings::Settings>,
    ) -> Result<Actor> {
        let name = text::name(field, name, 60)?;
        let hash = hash_pin(pin)?; // slow: before the writer's lock
        let member = self.k.transact(|tx, now| {
            let n: i64 = tx.query_row("SELECT COUNT(*) FROM staff", [], |r| r.get(0))?;
            if n > 0 {
                return Err(Error::AlreadySetUp);
            }
            if let Some(settings) = &settings {
                crate::settings::store(tx, settings)?;
            }
            let m = insert_staff(tx, now, &name, Role::Admin, &hash)?;
            let detail = serde_json::json!({"staff": m.id, "role": "admin", "first_run": true});
            audit::append(tx, now, Some(m.id), "staff_created", detail)?;
            Ok(m)
        })?;
        Ok(Actor::signed_in(member.id, member.name, member.role))
    }

    /// Who can sign in: active staff by name, for the login screen and the approval dialog.
    pub fn active_staff(&self) -> Result<Vec<StaffMember>> {
        Ok(self
            .list_staff()?
            .into_iter()
            .filter(|m| m.active)
            .collect())
    }

    /// All staff, active first, then by name.
    pub fn list_staff(&self) -> Result<Vec<StaffMember>> {
        self.k.read_any(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, name, role, active FROM staff ORDER BY active DESC, name COLLATE NOCASE",
            )?;
            let rows = stmt.query_map([], |r| {
                let role: String = r.get(2)?;
                Ok((r.get(0)?, r.get(1)?, role, r.get(3)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, name, role, active): (StaffId, String, String, bool) = row?;
                out.push(StaffMember {
                    id,
                    name,
                    role: Role::parse(&role)?,
                    active,
                });
            }
            Ok(out)
        })
    }

    /// Signs a member in with their PIN. Wrong PINs are counted; after
    /// [`MAX_PIN_ATTEMPTS`] in a row the member is locked out for a while that doubles with
    /// each further failure. Failures and lockouts go to the audit log. The PIN check (argon2,
    /// tens of milliseconds) runs with no lock held: only the bookkeeping takes the writer.
    pub fn login(&self, staff_id: StaffId, pin: &str) -> Result<Actor> {
        self.check_pin(staff_id, pin, PinUse::SignIn)
    }

    /// A manager's (or admin's) PIN typed at someone else's till to approve an action: the
    /// approver, if the PIN is right. Wrong PINs typed there count on a counter of their own,
    /// so a cashier can never lock a manager out of signing in: after
    /// [`MAX_APPROVAL_ATTEMPTS`] in a row, that member's approvals (only) are refused for a
    /// minute, doubling with each further failure up to ten. Each failure is audited. Whether
    /// the approver may approve the action is decided by the use case, as for anyone.
    pub fn approver(&self, staff_id: StaffId, pin: &str) -> Result<Actor> {
        self.check_pin(staff_id, pin, PinUse::Approval)
    }

    fn check_pin(&self, staff_id: StaffId, pin: &str, usage: PinUse) -> Result<Actor> {
        let record = self
            .k
            .read_any(|conn| read_pin_record(conn, staff_id, usage))?;
        let Some(record) = record.filter(|r| r.active) else {
            return Err(Error::not_found(Entity::StaffMember, staff_id));
        };
        let now = self.k.now();
        if let Some(until) = record.locked_until
            && until.0 > now
        {
            return Err(Error::LockedOut { until: until.0 });
        }
        if usage == PinUse::Approval {
            // A member locked out of signing in approves nothing either: the approval dialog
            // must not become a second way to keep guessing their PIN.
            let signed_in = self
                .k
                .read_any(|conn| read_pin_record(conn, staff_id, PinUse::SignIn))?;
            if let Some(until) = signed_in.and_then(|r| r.locked_until)
                && until.0 > now
            {
                return Err(Error::LockedOut { until: until.0 });
            }
        }
        let pin_ok = validate_pin(pin).is_ok()
            && Argon2::default()
                .verify_password(pin.as_bytes(), record.pin_hash.as_str())
                .is_ok();
        let (failed_column, locked_column) = usage.columns();
        if pin_ok {
            // Checked again in the transaction: attempts made at the same moment may have
            // locked the member out (or an admin deactivated them) while argon2 ran.
            let (name, role) = self.k.transact(|tx, now| {
                let now_record = read_pin_record(tx, staff_id, usage)?
                    .filter(|r| r.active)
                    .ok_or_else(|| Error::not_found(Entity::StaffMember, staff_id))?;
                if let Some(until) = now_record.locked_until
                    && until.0 > now
                {
                    return Err(Error::LockedOut { until: until.0 });
                }
                if now_record.failed > 0 {
                    tx.execute(
                        &format!("UPDATE staff SET {failed_column} = 0, {locked_column} = NULL WHERE id = ?1"),
                        [staff_id],
                    )?;
                }
                Ok((now_record.name, now_record.role))
            })?;
            return Ok(Actor::signed_in(staff_id, name, Role::parse(&role)?));
        }
        // Counted in the database, so two wrong PINs at once both count.
        let (failed, lock) = self.k.transact(|tx, now| {
            let failed: u32 = tx.query_row(
                &format!("UPDATE staff SET {failed_column} = {failed_column} + 1 WHERE id = ?1 RETURNING {failed_column}"),
                [staff_id],
                |r| r.get(0),
            )?;
            let lock = usage.lock_until(now, failed);
            tx.execute(
                &format!("UPDATE staff SET {locked_column} = ?2 WHERE id = ?1"),
                params![staff_id, lock.map(Stamp)],
            )?;
            audit::append(tx, now, Some(staff_id), usage.audit_kind(), serde_json::json!({"failed_attempts": failed, "locked_until": lock}))?;
            Ok((failed, lock))
        })?;
        match lock {
            Some(until) => Err(Error::LockedOut { until }),
            None => Err(Error::WrongPin {
                attempts_left: usage.max_attempts().saturating_sub(failed),
            }),
        }
    }

    /// Every member with their lock-outs, for the staff screen: managers and admins only.
    pub fn staff_accounts(&self, actor: &Actor) -> Result<Vec<StaffAccount>> {
        self.k.read(actor, Permission::ManageStaff, |conn, _| {
            let now = self.k.now();
            let mut stmt = conn.prepare_cached(
                "SELECT id, name, role, active, locked_until, approval_locked_until,
                        failed_attempts, created_at
                 FROM staff ORDER BY active DESC, name COLLATE NOCASE",
            )?;
            let rows = stmt.query_map([], |r| {
                let role: String = r.get(2)?;
                let locked: Option<Stamp> = r.get(4)?;
                let approvals: Option<Stamp> = r.get(5)?;
                let created: Stamp = r.get(7)?;
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    role,
                    r.get(3)?,
                    locked,
                    approvals,
                    r.get(6)?,
                    created,
                ))
            })?;
            let still = |t: Option<Stamp>| t.filter(|t| t.0 > now).map(|t| t.0.to_string());
            let mut out = Vec::new();
            for row in rows {
                let (id, name, role, active, locked, approvals, failed, created): (
                    StaffId,
                    String,
                    String,
                    bool,
                    Option<Stamp>,
                    Option<Stamp>,
                    u32,
                    Stamp,
                ) = row?;
                out.push(StaffAccount {
                    id,
                    name,
                    role: Role::parse(&role)?,
                    active,
                    locked_until: still(locked),
                    approvals_locked_until: still(approvals),
                    failed_attempts: failed,
                    created_at: created.0.to_string(),
                });
            }
            Ok(out)
        })
    }

    /// Lets a locked-out member sign in (and approve) again at once: both counts of wrong
    /// PINs go back to zero. Managers do it for cashiers, admins for anyone; audited.
    pub fn clear_lockout(&self, actor: &Actor, id: StaffId) -> Result<StaffMember> {
        self.k.write(actor, Permission::ManageStaff, |cx| {
            let current: Option<(String, String, bool)> = cx
                .query_row(
                    "SELECT name, role, active FROM staff WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let Some((name, role, active)) = current else {
                return Err(Error::not_found(Entity::StaffMember, id));
            };
            let role = Role::parse(&role)?;
            if role != Role::Cashier && cx.member.role != Role::Admin {
                return Err(Error::Forbidden {
                    permission: Permission::ManageStaff,
                    role: cx.member.role,
                });
            }
            cx.execute(
                "UPDATE staff SET failed_attempts = 0, locked_until = NULL,
                        approval_failures = 0, approval_locked_until = NULL
                 WHERE id = ?1",
                [id],
            )?;
            audit::record(cx, "lockout_cleared", serde_json::json!({"staff": id}))?;
            Ok(StaffMember {
                id,
                name,
                role,
                active,
            })
        })
    }

    /// A member changes their own PIN, proving it is them with the current one. A wrong
    /// current PIN counts toward their sign-in lock-out, as at the login screen; audited.
    pub fn change_own_pin(&self, actor: &Actor, current: &str, new: &str) -> Result<()> {
        let hash = hash_pin(new)?; // a malformed new PIN is refused before anything counts
        let me = actor.id();
        self.check_pin(me, current, PinUse::SignIn)?;
        // Every role may change its own PIN: the permission here is only "still an active
        // member", which selling is for everyone.
        self.k.write(actor, Permission::Sell, |cx| {
            cx.execute(
                "UPDATE staff SET pin_hash = ?2, failed_attempts = 0, locked_until = NULL
                 WHERE id = ?1",
                params![me, hash],
            )?;
            audit::record(
                cx,
                "pin_changed",
                serde_json::json!({"staff": me, "own": true}),
            )?;
            report_staff(cx, cx.now, me)
        })
    }

    /// Adds a staff member. Managers may add cashiers; only admins add managers and admins.
    pub fn create_staff(
        &self,
        actor: &Actor,
        name: &str,
        role: Role,
        pin: &str,
    ) -> Result<StaffMember> {
        let name = text::name(Field::Name, name, 60)?;
        let hash = hash_pin(pin)?; // slow: before the writer's lock
        self.k.write(actor, Permission::ManageStaff, |cx| {
            // The role as it is now, read inside this transaction: never the sign-in role.
            if role != Role::Cashier && cx.member.role != Role::Admin {
                return Err(Error::Forbidden {
                    permission: Permission::ManageStaff,
                    role: cx.member.role,
                });
            }
            let m = insert_staff(cx, cx.now, &name, role, &hash)?;
            audit::record(
                cx,
                "staff_created",
                serde_json::json!({"staff": m.id, "role": role}),
            )?;
            Ok(m)
        })
    }

    /// Changes a member's name, role, active flag or PIN. Role changes are audited; only
    /// admins touch managers and admins; nobody can remove the last active admin.
    pub fn update_staff(
        &self,
        actor: &Actor,
        id: StaffId,
        update: StaffUpdate,
    ) -> Result<StaffMember> {
        let name = update
            .name
            .as_deref()
            .map(|n| text::name(Field::Name, n, 60))
            .transpose()?;
        let hash = update.pin.as_deref().map(hash_pin).transpose()?; // before the lock
        self.k.write(actor, Permission::ManageStaff, |cx| {
            let current: Option<(String, String, bool)> = cx
                .query_row("SELECT name, role, active FROM staff WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            let Some((old_name, old_role, old_active)) = current else {
                return Err(Error::not_found(Entity::StaffMember, id));
            };
            let old_role = Role::parse(&old_role)?;
            let new_role = update.role.unwrap_or(old_role);
            let touches_senior = old_role != Role::Cashier || new_role != Role::Cashier;
            if touches_senior && cx.member.role != Role::Admin {
                return Err(Error::Forbidden { permission: Permission::ManageStaff, role: cx.member.role });
            }
            let new_active = update.active.unwrap_or(old_active);
            if old_role == Role::Admin && old_active && (new_role != Role::Admin || !new_active) {
                let admins: i64 = cx.query_row("SELECT COUNT(*) FROM staff WHERE role = 'admin' AND active = 1", [], |r| r.get(0))?;
                if admins <= 1 {
                    return Err(Error::invalid(Field::Role, Rule::LastAdmin));
                }
            }
            let new_name = name.clone().unwrap_or_else(|| old_name.clone());
            cx.execute(
                "UPDATE staff SET name = ?2, role = ?3, active = ?4, pin_hash = COALESCE(?5, pin_hash),
                 failed_attempts = CASE WHEN ?5 IS NULL THEN failed_attempts ELSE 0 END,
                 locked_until = CASE WHEN ?5 IS NULL THEN locked_until ELSE NULL END
                 WHERE id = ?1",
                params![id, new_name, new_role.as_str(), new_active, hash],
            )?;
            if new_role != old_role || new_active != old_active {
                audit::record(cx, "role_changed", serde_json::json!({
                    "staff": id, "from": old_role, "to": new_role, "active": new_active
                }))?;
            }
            if new_name != old_name {
                audit::record(cx, "staff_renamed", serde_json::json!({
                    "staff": id, "from": old_name, "to": new_name
                }))?;
            }
            if hash.is_some() {
                audit::record(cx, "pin_changed", serde_json::json!({"staff": id}))?;
            }
            report_staff(cx, cx.now, id)?;
            Ok(StaffMember { id, name: new_name, role: new_role, active: new_active })
        })
    }
}

/// What a PIN is typed for. Each use has its own count of wrong PINs and its own lock-out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PinUse {
    /// Signing in at the till.
    SignIn,
    /// Approving someone else's action (a discount, a cancellation).
    Approval,
}

impl PinUse {
    /// The staff columns counting this use's wrong PINs and holding its lock.
    fn columns(self) -> (&'static str, &'static str) {
        match self {
            PinUse::SignIn => ("failed_attempts", "locked_until"),
            PinUse::Approval => ("approval_failures", "approval_locked_until"),
        }
    }

    fn max_attempts(self) -> u32 {
        match self {
            PinUse::SignIn => MAX_PIN_ATTEMPTS,
            PinUse::Approval => MAX_APPROVAL_ATTEMPTS,
        }
    }

    fn audit_kind(self) -> &'static str {
        match self {
            PinUse::SignIn => "login_failed",
            PinUse::Approval => "approval_pin_failed",
        }
    }

    fn lock_until(self, now: Timestamp, failed: u32) -> Option<Timestamp> {
        match self {
            PinUse::SignIn => lockout_until(now, failed),
            PinUse::Approval => (failed >= MAX_APPROVAL_ATTEMPTS).then(|| {
                let doublings = (failed - MAX_APPROVAL_ATTEMPTS).min(10);
                let secs = FIRST_APPROVAL_LOCKOUT.as_secs() << doublings;
                now + SignedDuration::from_secs(secs.min(LONGEST_APPROVAL_LOCKOUT.as_secs()))
            }),
        }
    }
}

fn read_pin_record(
    conn: &Connection,
    staff_id: StaffId,
    usage: PinUse,
) -> Result<Option<PinRecord>> {
    let (failed, locked) = usage.columns();
    Ok(conn
        .prepare_cached(&format!(
            "SELECT name, role, pin_hash, active, {failed}, {locked} FROM staff WHERE id = ?1"
        ))?
        .query_row([staff_id], |r| {
            Ok(PinRecord {
                name: r.get(0)?,
                role: r.get(1)?,
                pin_hash: r.get(2)?,
                active: r.get(3)?,
                failed: r.get(4)?,
                locked_until: r.get(5)?,
            })
        })
        .optional()?)
}

/// When a member with `failed` wrong PINs in a row is locked out until: from the
/// [`MAX_PIN_ATTEMPTS`]th failure, 30 s, doubling with each further failure, at most 15 min.
fn lockout_until(now: Timestamp, failed: u32) -> Option<Timestamp> {
    (failed >= MAX_PIN_ATTEMPTS).then(|| {
        let doublings = (failed - MAX_PIN_ATTEMPTS).min(10);
        let secs = FIRST_LOCKOUT.as_secs() << doublings;
        now + SignedDuration::from_secs(secs.min(LONGEST_LOCKOUT.as_secs()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockouts_double_up_to_fifteen_minutes() {
        let now: Timestamp = "2026-11-21T10:00:00Z".parse().unwrap();
        let secs = |failed| lockout_until(now, failed).map(|t| (t - now).get_seconds());
        assert_eq!(secs(1), None);
        assert_eq!(secs(MAX_PIN_ATTEMPTS - 1), None);
        assert_eq!(secs(MAX_PIN_ATTEMPTS), Some(30));
        assert_eq!(secs(MAX_PIN_ATTEMPTS + 1), Some(60));
        assert_eq!(secs(MAX_PIN_ATTEMPTS + 4), Some(480));
        assert_eq!(secs(MAX_PIN_ATTEMPTS + 5), Some(900));
        assert_eq!(secs(u32::MAX), Some(900));
    }

    #[test]
    fn pins_are_digits() {
        for bad in ["", "123", "123456789", "12a4", "12 34", "١٢٣٤"] {
            assert!(validate_pin(bad).is_err(), "{bad:?}");
        }
        validate_pin("0000").unwrap();
        let h = hash_pin("2468").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(!h.contains("2468"));
    }
}
