//! Who may do what: roles, the permission table, the signed-in [`Actor`] and [`authorize`],
//! the check every use case makes inside its own transaction.
//!
//! **Invariant**: permissions live here, not in the UI. An [`Actor`] can only be made by
//! signing in, and [`authorize`] re-reads the member's role and active flag from the database
//! and returns the member as they are now ([`Member`]); no decision uses the role an actor had
//! at sign-in, so a demoted or deactivated member loses rights at once, even with an open
//! session.

mod context;

use std::fmt;

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

pub(crate) use self::context::Ctx;
use crate::kernel::ids::id_type;
use crate::{Entity, Field, Rule};
use crate::{Error, Result};

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
    /// Enrolling the terminal with a central server.
    ManageSync,
    /// Choosing the backup folder and making a backup.
    BackUp,
    /// Replacing the till's data with a backup: an admin's decision alone.
    Restore,
    /// Opening and closing the till's shift, reading its X report: whoever runs the till.
    Shift,
    /// Putting cash into the drawer or taking it out (paid-outs, drops) during a shift.
    CashInOut,
    /// Giving money back for a paid order.
    Refund,
    /// The sales reports and past shifts' Z reports.
    ViewReports,
    /// Finding, adding and changing members at the till, and attaching them to a ticket.
    Members,
    /// Deactivating members, the members table and its statistics.
    ManageMembers,
    /// Correcting a member's points by hand.
    AdjustPoints,
    /// Making and changing coupons, and reading their uses.
    ManageCoupons,
    /// This till's printers, kitchen routing and the print queue.
    ManagePrinters,
}

impl Permission {
    pub const ALL: [Permission; 20] = [
        Permission::Sell,
        Permission::Discount,
        Permission::CancelOrder,
        Permission::ManageCatalog,
        Permission::AdjustStock,
        Permission::ManageStaff,
        Permission::ManageSettings,
        Permission::ViewAudit,
        Permission::ManageSync,
        Permission::BackUp,
        Permission::Restore,
        Permission::Shift,
        Permission::CashInOut,
        Permission::Refund,
        Permission::ViewReports,
        Permission::Members,
        Permission::ManageMembers,
        Permission::AdjustPoints,
        Permission::ManageCoupons,
        Permission::ManagePrinters,
    ];

    /// The permission table: the roles that hold each permission. The match is exhaustive,
    /// so a new permission does not compile until someone decides, role by role, who gets it.
    pub const fn roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Permission::Sell => &[Cashier, Manager, Admin],
            Permission::Discount => &[Manager, Admin],
            Permission::CancelOrder => &[Manager, Admin],
            Permission::ManageCatalog => &[Manager, Admin],
            Permission::AdjustStock => &[Manager, Admin],
            Permission::ManageStaff => &[Manager, Admin],
            Permission::ManageSettings => &[Admin],
            Permission::ViewAudit => &[Manager, Admin],
            Permission::ManageSync => &[Manager, Admin],
            Permission::BackUp => &[Manager, Admin],
            Permission::Restore => &[Admin],
            Permission::Shift => &[Cashier, Manager, Admin],
            Permission::CashInOut => &[Manager, Admin],
            Permission::Refund => &[Manager, Admin],
            Permission::ViewReports => &[Manager, Admin],
            Permission::Members => &[Cashier, Manager, Admin],
            Permission::ManageMembers => &[Manager, Admin],
            Permission::AdjustPoints => &[Manager, Admin],
            Permission::ManageCoupons => &[Manager, Admin],
            Permission::ManagePrinters => &[Manager, Admin],
        }
    }

    /// Whether a member who lacks this permission may borrow it at the till from someone who
    /// has it (a manager typing their PIN): discounts, cancellations, refunds and cash in or
    /// out of the drawer.
    pub const fn approvable(self) -> bool {
        match self {
            Permission::Discount
            | Permission::CancelOrder
            | Permission::Refund
            | Permission::CashInOut
            | Permission::AdjustPoints => true,
            Permission::Sell
            | Permission::ManageCatalog
            | Permission::AdjustStock
            | Permission::ManageStaff
            | Permission::ManageSettings
            | Permission::ViewAudit
            | Permission::ManageSync
            | Permission::BackUp
            | Permission::Restore
            | Permission::Shift
            | Permission::Members
            | Permission::ManageMembers
            | Permission::ManageCoupons
            | Permission::ManagePrinters
            | Permission::ViewReports => false,
        }
    }
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Cashier, Role::Manager, Role::Admin];

    /// Whether this role holds `permission` (see [`Permission::roles`]).
    pub fn allows(self, permission: Permission) -> bool {
        permission.roles().contains(&self)
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Role::Cashier => "cashier",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Role> {
        match s {
            "cashier" => Ok(Role::Cashier),
            "manager" => Ok(Role::Manager),
            "admin" => Ok(Role::Admin),
            other => Err(Error::invalid(
                Field::Role,
                Rule::Unknown {
                    value: other.into(),
                },
            )),
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
            Permission::ManageSync => "set up sync",
            Permission::BackUp => "make backups",
            Permission::Restore => "restore a backup",
            Permission::Shift => "open or close a shift",
            Permission::CashInOut => "put cash in or take it out",
            Permission::Refund => "give refunds",
            Permission::ViewReports => "read reports",
            Permission::Members => "serve members",
            Permission::ManageMembers => "manage members",
            Permission::AdjustPoints => "adjust points",
            Permission::ManageCoupons => "manage coupons",
            Permission::ManagePrinters => "manage printers",
        };
        f.pad(s)
    }
}

/// A signed-in staff member: the "who" of every use case. Only signing in
/// (`k.people().login`, `create_first_admin`, `set_up_shop`) makes one. Its role is the one
/// shown when they signed in; decisions use [`authorize`]'s [`Member`] instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Actor {
    id: StaffId,
    name: String,
    role: Role,
}

impl Actor {
    pub(crate) fn signed_in(id: StaffId, name: String, role: Role) -> Actor {
        Actor { id, name, role }
    }
    pub fn id(&self) -> StaffId {
        self.id
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The role at sign-in, for display. Rights are decided by [`authorize`].
    pub fn role(&self) -> Role {
        self.role
    }
}

/// A staff member as the database has them now: what [`authorize`] returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: StaffId,
    pub name: String,
    pub role: Role,
}

/// Checks that `actor` is still an active member whose current role allows `permission`, and
/// returns them as they are now.
pub(crate) fn authorize(
    conn: &Connection,
    actor: &Actor,
    permission: Permission,
) -> Result<Member> {
    let row: Option<(String, String, bool)> = conn
        .prepare_cached("SELECT name, role, active FROM staff WHERE id = ?1")?
        .query_row([actor.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((name, role, active)) = row else {
        return Err(Error::not_found(Entity::StaffMember, actor.id));
    };
    let role = Role::parse(&role)?;
    if !active || !role.allows(permission) {
        return Err(Error::Forbidden { permission, role });
    }
    Ok(Member {
        id: actor.id,
        name,
        role,
    })
}

/// Like [`authorize`], but a member who lacks an [approvable](Permission::approvable)
/// permission may borrow it from an approver who has it (a manager's PIN at the till). The
/// actor must still hold `base` themselves. Returns the actor as they are now and who
/// approved, when it was not the actor.
pub(crate) fn authorize_with_approval(
    conn: &Connection,
    actor: &Actor,
    approver: Option<&Actor>,
    base: Permission,
    permission: Permission,
) -> Result<(Member, Option<StaffId>)> {
    let member = authorize(conn, actor, base)?;
    if member.role.allows(permission) {
        return Ok((member, None));
    }
    match approver {
        Some(a) if permission.approvable() => {
            authorize(conn, a, permission)?;
            Ok((member, Some(a.id)))
        }
        _ => Err(Error::Forbidden {
            permission,
            role: member.role,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table, written out role by role: a change to [`Permission::roles`] must change this.
    #[test]
    fn permission_table() {
        use Permission::*;
        let expected = [
            (Role::Cashier, vec![Sell, Shift, Members]),
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
                    ManageSync,
                    BackUp,
                    Shift,
                    CashInOut,
                    Refund,
                    ViewReports,
                    Members,
                    ManageMembers,
                    AdjustPoints,
                    ManageCoupons,
                    ManagePrinters,
                ],
            ),
            (Role::Admin, Permission::ALL.to_vec()),
        ];
        for (role, allowed) in expected {
            for p in Permission::ALL {
                assert_eq!(role.allows(p), allowed.contains(&p), "{role} / {p}");
            }
        }
        let approvable: Vec<_> = Permission::ALL
            .into_iter()
            .filter(|p| p.approvable())
            .collect();
        assert_eq!(
            approvable,
            vec![Discount, CancelOrder, CashInOut, Refund, AdjustPoints]
        );
    }
}
