//! In-app notifications: what a staff member should know about (a product running low, and
//! later a failed import or a sync that keeps failing), each read or unread per member.
//!
//! **Invariant**: a notification is written in the transaction of the event it tells about,
//! so there is never an alert without its notification or the other way round. Reading one
//! is a row of its own (`notification_reads`); the notification itself never changes.

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::access::{Actor, Ctx, Permission, Role};
use crate::kernel::time::Stamp;
use crate::{Kasir, Result};

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum NoticeKind {
    /// A product went to or below its warning or critical level, or sold out.
    StockAlert,
    /// The day's backup could not be made (the folder is gone, the disk is full).
    BackupFailed,
    /// A menu import stopped part way (the rows before it are in; importing the same file
    /// again finishes it: rows already in are found and left as they are).
    ImportFailed,
    /// A coupon ends within the days the loyalty settings name.
    CouponExpiring,
    /// A voucher members buy with points ends within those days.
    VoucherExpiring,
}

impl NoticeKind {
    fn as_str(self) -> &'static str {
        match self {
            NoticeKind::StockAlert => "stock_alert",
            NoticeKind::BackupFailed => "backup_failed",
            NoticeKind::ImportFailed => "import_failed",
            NoticeKind::CouponExpiring => "coupon_expiring",
            NoticeKind::VoucherExpiring => "voucher_expiring",
        }
    }

    fn parse(s: &str) -> Option<NoticeKind> {
        match s {
            "stock_alert" => Some(NoticeKind::StockAlert),
            "backup_failed" => Some(NoticeKind::BackupFailed),
            "import_failed" => Some(NoticeKind::ImportFailed),
            "coupon_expiring" => Some(NoticeKind::CouponExpiring),
            "voucher_expiring" => Some(NoticeKind::VoucherExpiring),
            _ => None,
        }
    }
}

/// The details a notification carries; which ones are set depends on its kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NoticeDetail {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    /// `warning`, `critical` or `out`, for a stock alert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub stock: Option<i64>,
    /// What went wrong, for a failed backup or import.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For a failed import: the rows written before it stopped, and the file's line it
    /// stopped at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows_done: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// For an expiring coupon: its code and name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_name: Option<String>,
    /// For an expiring coupon or voucher: its last day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// For an expiring voucher: its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voucher_name: Option<String>,
}

/// One notification as a staff member sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Notice {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub kind: NoticeKind,
    pub detail: NoticeDetail,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub read: bool,
}

/// The newest notifications a list shows.
pub const MAX_NOTICES: u32 = 200;

/// Tells every manager and admin, inside the caller's transaction.
pub(crate) fn to_managers(
    conn: &Connection,
    now: jiff::Timestamp,
    kind: NoticeKind,
    detail: &NoticeDetail,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO notifications (kind, detail, staff_id, created_at) VALUES (?1, ?2, NULL, ?3)",
    )?
    .execute(params![
        kind.as_str(),
        serde_json::to_string(detail)?,
        Stamp(now)
    ])?;
    Ok(())
}

/// Whose notifications a member sees: their own, and the managers' if they are one.
const FOR_MEMBER: &str = "(n.staff_id = ?1 OR (n.staff_id IS NULL AND ?2))";

/// A staff member's notifications: `k.notices()`.
pub struct Notices<'k> {
    k: &'k Kasir,
}

impl Kasir {
    pub fn notices(&self) -> Notices<'_> {
        Notices { k: self }
    }
}

fn managers(role: Role) -> bool {
    role.allows(Permission::AdjustStock)
}

impl Notices<'_> {
    /// The member's newest notifications, unread ones first.
    pub fn list(&self, actor: &Actor, limit: u32) -> Result<Vec<Notice>> {
        let limit = limit.clamp(1, MAX_NOTICES);
        self.k.read(actor, Permission::Sell, |conn, member| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT n.id, n.kind, n.detail, n.created_at,
                        EXISTS (SELECT 1 FROM notification_reads r
                                WHERE r.notification_id = n.id AND r.staff_id = ?1) AS read
                 FROM notifications n WHERE {FOR_MEMBER}
                 ORDER BY read, n.id DESC LIMIT ?3"
            ))?;
            let rows = stmt.query_map(params![member.id, managers(member.role), limit], |r| {
                let kind: String = r.get(1)?;
                let detail: String = r.get(2)?;
                Ok((r.get(0)?, kind, detail, r.get(3)?, r.get(4)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, kind, detail, created_at, read): (i64, String, String, String, bool) =
                    row?;
                // A kind from a newer Kasir is skipped, not an error.
                let Some(kind) = NoticeKind::parse(&kind) else {
                    continue;
                };
                out.push(Notice {
                    id,
                    kind,
                    detail: serde_json::from_str(&detail).unwrap_or_default(),
                    created_at,
                    read,
                });
            }
            Ok(out)
        })
    }

    /// How many of the member's notifications are unread (the top bar's badge).
    pub fn unread(&self, actor: &Actor) -> Result<u32> {
        self.k.read(actor, Permission::Sell, |conn, member| {
            let n: i64 = conn
                .prepare_cached(&format!(
                    "SELECT COUNT(*) FROM notifications n WHERE {FOR_MEMBER}
                     AND NOT EXISTS (SELECT 1 FROM notification_reads r
                                     WHERE r.notification_id = n.id AND r.staff_id = ?1)"
                ))?
                .query_row(params![member.id, managers(member.role)], |r| r.get(0))?;
            Ok(n as u32)
        })
    }

    /// Marks one notification read (`Some(id)`) or all of them; returns how many changed.
    pub fn mark_read(&self, actor: &Actor, id: Option<i64>) -> Result<u32> {
        self.k.write(actor, Permission::Sell, |cx: &Ctx<'_>| {
            let n = cx
                .prepare_cached(&format!(
                    "INSERT OR IGNORE INTO notification_reads (notification_id, staff_id, read_at)
                     SELECT n.id, ?1, ?3 FROM notifications n
                     WHERE {FOR_MEMBER} AND (?4 IS NULL OR n.id = ?4)"
                ))?
                .execute(params![
                    cx.member.id,
                    managers(cx.member.role),
                    Stamp(cx.now),
                    id
                ])?;
            Ok(n as u32)
        })
    }
}
