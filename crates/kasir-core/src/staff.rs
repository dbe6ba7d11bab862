//! Staff, roles, PIN login and the permission check every use case calls.
//!
//! **Invariant**: permissions live here, not in the UI. An [`Actor`] can only be made by
//! logging in, and [`authorize`] re-reads the member's role and active flag from the database,
//! so a demoted or deactivated member loses rights at once, even with an open session.
//! PINs are stored only as argon2id hashes and never logged.

use std::fmt;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::audit;
use crate::ids::id_type;
use crate::{Error, Kasir, Result, text};

id_type!(
    /// A staff member's id.
    StaffId
);

/// What a staff member is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Role {
    Cashier,
    Manager,
    Admin,
}

/// Something a use case needs the actor to be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Permission {
    /// Tickets, checkout, moving orders through the kitchen.
    Sell,
    /// Line and order discounts.
    Discount,
    /// Cancelling a paid order.
    CancelOrder,
    /// Categories, products, modifiers, images.
    ManageCatalog,
    AdjustStock,
    /// Creating and changing staff (admins only for managers and admins).
    ManageStaff,
    ManageSettings,
    ViewAudit,
}

impl Permission {
    pub const ALL: [Permission; 8] = [
        Permission::Sell,
        Permission::Discount,
        Permission::CancelOrder,
        Permission::ManageCatalog,
        Permission::AdjustStock,
        Permission::ManageStaff,
        Permission::ManageSettings,
        Permission::ViewAudit,
    ];
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Cashier, Role::Manager, Role::Admin];

    /// The permission table.
    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::Manager => !matches!(permission, ManageSettings),
            Role::Cashier => matches!(permission, Sell),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Role::Cashier => "cashier",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    fn parse(s: &str) -> Result<Role> {
        match s {
            "cashier" => Ok(Role::Cashier),
            "manager" => Ok(Role::Manager),
            "admin" => Ok(Role::Admin),
            other => Err(Error::invalid("role", format!("unknown role {other:?}"))),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Permission::Sell => "sell",
            Permission::Discount => "give discounts",
            Permission::CancelOrder => "cancel orders",
            Permission::ManageCatalog => "change the menu",
            Permission::AdjustStock => "adjust stock",
            Permission::ManageStaff => "manage staff",
            Permission::ManageSettings => "change settings",
            Permission::ViewAudit => "read the audit log",
        };
        f.pad(s)
    }
}

/// A signed-in staff member: the "who" of every use case. Only [`Kasir::login`] and
/// [`Kasir::create_first_admin`] make one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Actor {
    id: StaffId,
    name: String,
    role: Role,
}

impl Actor {
    pub fn id(&self) -> StaffId {
        self.id
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn role(&self) -> Role {
        self.role
    }
}

/// A staff member as lists show them (never the PIN hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StaffMember {
    pub id: StaffId,
    pub name: String,
    pub role: Role,
    pub active: bool,
}

/// Changes to a staff member; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, Deserialize)]
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

/// Checks that `actor` is still an active member whose role allows `permission`.
pub(crate) fn authorize(conn: &Connection, actor: &Actor, permission: Permission) -> Result<()> {
    let row: Option<(String, bool)> = conn
        .prepare_cached("SELECT role, active FROM staff WHERE id = ?1")?
        .query_row([actor.id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((role, active)) = row else {
        return Err(Error::not_found("staff member", actor.id));
    };
    let role = Role::parse(&role)?;
    if !active || !role.allows(permission) {
        return Err(Error::Forbidden { permission, role });
    }
    Ok(())
}

/// Like [`authorize`], but a cashier may borrow the right from an approver who has it
/// (a manager's PIN at the till). Returns who approved, when it was not the actor.
pub(crate) fn authorize_with_approval(
    conn: &Connection,
    actor: &Actor,
    approver: Option<&Actor>,
    permission: Permission,
) -> Result<Option<StaffId>> {
    match authorize(conn, actor, permission) {
        Ok(()) => Ok(None),
        Err(e @ Error::Forbidden { .. }) => match approver {
            Some(a) => {
                authorize(conn, a, permission)?;
                Ok(Some(a.id))
            }
            None => Err(e),
        },
        Err(e) => Err(e),
    }
}

fn validate_pin(pin: &str) -> Result<()> {
    if !(4..=8).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid("pin", "a PIN is 4 to 8 digits"));
    }
    Ok(())
}

fn hash_pin(pin: &str) -> Result<String> {
    validate_pin(pin)?;
    Argon2::default()
        .hash_password(pin.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::invalid("pin", format!("could not hash: {e}")))
}

fn insert_staff(
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
    .execute(params![id, name, role.as_str(), pin_hash, now.to_string()])?;
    Ok(StaffMember {
        id,
        name: name.to_string(),
        role,
        active: true,
    })
}

impl Kasir {
    /// True until the shop's first admin exists.
    pub fn needs_setup(&self) -> Result<bool> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM staff", [], |r| r.get(0))?;
        Ok(n == 0)
    }

    /// First run: creates the shop's first admin with the PIN the user chose and signs them in.
    /// Refused once any staff member exists.
    pub fn create_first_admin(&mut self, name: &str, pin: &str) -> Result<Actor> {
        self.first_admin("name", name, pin, None)
    }

    /// First run, in one step: the shop's name, currency and locale, and its first admin.
    /// Refused once any staff member exists.
    pub fn set_up_shop(&mut self, setup: ShopSetup) -> Result<Actor> {
        let mut settings = crate::settings::load(&self.conn)?;
        settings.shop_name = setup.shop_name;
        settings.currency = setup.currency;
        settings.minor_unit = setup.minor_unit;
        settings.locale = setup.locale;
        settings.time_zone = setup.time_zone;
        let settings = settings.validate()?;
        self.first_admin("admin_name", &setup.admin_name, &setup.pin, Some(settings))
    }

    /// The first admin (and optionally the shop's settings) in one transaction.
    fn first_admin(
        &mut self,
        field: &'static str,
        name: &str,
        pin: &str,
        settings: Option<crate::settings::Settings>,
    ) -> Result<Actor> {
        let name = text::name(field, name, 60)?;
        let hash = hash_pin(pin)?;
        let member = self.write(|tx, now| {
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
        Ok(Actor {
            id: member.id,
            name: member.name,
            role: member.role,
        })
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
        let mut stmt = self.conn.prepare_cached(
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
    }

    /// Signs a member in with their PIN. Wrong PINs are counted; after
    /// [`MAX_PIN_ATTEMPTS`] in a row the member is locked out for a while that doubles with
    /// each further failure. Failures and lockouts go to the audit log.
    pub fn login(&mut self, staff_id: StaffId, pin: &str) -> Result<Actor> {
        let row: Option<(String, String, String, bool, u32, Option<String>)> = self
            .conn
            .prepare_cached(
                "SELECT name, role, pin_hash, active, failed_attempts, locked_until FROM staff WHERE id = ?1",
            )?
            .query_row([staff_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            .optional()?;
        let Some((name, role, pin_hash, active, failed, locked_until)) = row else {
            return Err(Error::not_found("staff member", staff_id));
        };
        if !active {
            return Err(Error::not_found("staff member", staff_id));
        }
        let now = self.clock.now();
        if let Some(until) = locked_until.and_then(|s| s.parse::<Timestamp>().ok())
            && until > now
        {
            return Err(Error::LockedOut { until });
        }
        // The slow part runs outside any transaction, so it never holds the write lock.
        let pin_ok = validate_pin(pin).is_ok()
            && Argon2::default()
                .verify_password(pin.as_bytes(), pin_hash.as_str())
                .is_ok();
        if pin_ok {
            if failed > 0 {
                self.write(|tx, _| {
                    tx.execute(
                        "UPDATE staff SET failed_attempts = 0, locked_until = NULL WHERE id = ?1",
                        [staff_id],
                    )?;
                    Ok(())
                })?;
            }
            return Ok(Actor {
                id: staff_id,
                name,
                role: Role::parse(&role)?,
            });
        }
        let failed = failed + 1;
        let lock = (failed >= MAX_PIN_ATTEMPTS).then(|| {
            let doublings = (failed - MAX_PIN_ATTEMPTS).min(10);
            let secs = FIRST_LOCKOUT.as_secs() << doublings;
            now + SignedDuration::from_secs(secs.min(LONGEST_LOCKOUT.as_secs()))
        });
        self.write(|tx, now| {
            tx.execute(
                "UPDATE staff SET failed_attempts = ?2, locked_until = ?3 WHERE id = ?1",
                params![staff_id, failed, lock.map(|t| t.to_string())],
            )?;
            audit::append(tx, now, Some(staff_id), "login_failed", serde_json::json!({"failed_attempts": failed, "locked_until": lock.map(|t| t.to_string())}))?;
            Ok(())
        })?;
        match lock {
            Some(until) => Err(Error::LockedOut { until }),
            None => Err(Error::WrongPin {
                attempts_left: MAX_PIN_ATTEMPTS - failed,
            }),
        }
    }

    /// Adds a staff member. Managers may add cashiers; only admins add managers and admins.
    pub fn create_staff(
        &mut self,
        actor: &Actor,
        name: &str,
        role: Role,
        pin: &str,
    ) -> Result<StaffMember> {
        authorize(&self.conn, actor, Permission::ManageStaff)?;
        if role != Role::Cashier && actor.role != Role::Admin {
            return Err(Error::Forbidden {
                permission: Permission::ManageStaff,
                role: actor.role,
            });
        }
        let name = text::name("name", name, 60)?;
        let hash = hash_pin(pin)?;
        let actor_id = actor.id;
        self.write(|tx, now| {
            let m = insert_staff(tx, now, &name, role, &hash)?;
            audit::append(
                tx,
                now,
                Some(actor_id),
                "staff_created",
                serde_json::json!({"staff": m.id, "role": role}),
            )?;
            Ok(m)
        })
    }

    /// Changes a member's name, role, active flag or PIN. Role changes are audited; only
    /// admins touch managers and admins; nobody can remove the last active admin.
    pub fn update_staff(
        &mut self,
        actor: &Actor,
        id: StaffId,
        update: StaffUpdate,
    ) -> Result<StaffMember> {
        authorize(&self.conn, actor, Permission::ManageStaff)?;
        let name = update
            .name
            .as_deref()
            .map(|n| text::name("name", n, 60))
            .transpose()?;
        let hash = update.pin.as_deref().map(hash_pin).transpose()?;
        let actor = actor.clone();
        self.write(|tx, now| {
            let current: Option<(String, String, bool)> = tx
                .query_row("SELECT name, role, active FROM staff WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            let Some((old_name, old_role, old_active)) = current else {
                return Err(Error::not_found("staff member", id));
            };
            let old_role = Role::parse(&old_role)?;
            let new_role = update.role.unwrap_or(old_role);
            let touches_senior = old_role != Role::Cashier || new_role != Role::Cashier;
            if touches_senior && actor.role != Role::Admin {
                return Err(Error::Forbidden { permission: Permission::ManageStaff, role: actor.role });
            }
            let new_active = update.active.unwrap_or(old_active);
            if old_role == Role::Admin && old_active && (new_role != Role::Admin || !new_active) {
                let admins: i64 = tx.query_row("SELECT COUNT(*) FROM staff WHERE role = 'admin' AND active = 1", [], |r| r.get(0))?;
                if admins <= 1 {
                    return Err(Error::invalid("role", "the shop must keep at least one active admin"));
                }
            }
            let new_name = name.clone().unwrap_or(old_name);
            tx.execute(
                "UPDATE staff SET name = ?2, role = ?3, active = ?4, pin_hash = COALESCE(?5, pin_hash),
                 failed_attempts = CASE WHEN ?5 IS NULL THEN failed_attempts ELSE 0 END,
                 locked_until = CASE WHEN ?5 IS NULL THEN locked_until ELSE NULL END
                 WHERE id = ?1",
                params![id, new_name, new_role.as_str(), new_active, hash],
            )?;
            if new_role != old_role || new_active != old_active {
                audit::append(tx, now, Some(actor.id), "role_changed", serde_json::json!({
                    "staff": id, "from": old_role, "to": new_role, "active": new_active
                }))?;
            }
            if hash.is_some() {
                audit::append(tx, now, Some(actor.id), "pin_changed", serde_json::json!({"staff": id}))?;
            }
            Ok(StaffMember { id, name: new_name, role: new_role, active: new_active })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_table() {
        use Permission::*;
        let expected = [
            (Role::Cashier, vec![Sell]),
            (
                Role::Manager,
                vec![
                    Sell,
                    Discount,
                    CancelOrder,
                    ManageCatalog,
                    AdjustStock,
                    ManageStaff,
                    ViewAudit,
                ],
            ),
            (Role::Admin, Permission::ALL.to_vec()),
        ];
        for (role, allowed) in expected {
            for p in Permission::ALL {
                assert_eq!(role.allows(p), allowed.contains(&p), "{role} / {p}");
            }
        }
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
