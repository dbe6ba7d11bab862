//! Backups and restore: a shop with no server must not lose its history to a dead disk.
//!
//! A backup is a folder `kasir-T01-20261204-213000/` in a folder the manager chooses (a USB
//! stick): `kasir.db`, a consistent copy made with SQLite's online backup while the till keeps
//! selling; `media/products/`, the pictures the copy's products show; and `manifest.json`,
//! what it holds. It is written as `….partial` and renamed when complete and checked, so a
//! half-made backup is never listed. The last N of this till's backups are kept.
//!
//! Restoring is two steps with a restart between (the database cannot be swapped under open
//! connections): [`Backups::prepare_restore`] copies and checks the backup beside the live
//! database and says what would be lost; [`Backups::confirm_restore`] marks it ready; the next
//! start ([`finish_pending_restore`], before the database is opened) swaps it in.
//!
//! **Invariant**: a restore never makes a sale vanish from the server nor repeats a number.
//! What this till did after the backup and has not yet sent goes on waiting in the restored
//! outbox (so the server still gets every sale that took money), the outbox and receipt
//! numbers carry on after the highest ever used, and the replaced database is kept in
//! `replaced/`, never deleted by the restore.

mod restore;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::access::{Actor, Permission};
use crate::kernel::db;
use crate::kernel::time::Stamp;
use crate::notices::{NoticeDetail, NoticeKind};
use crate::{Error, Field, Kasir, Money, Result, Rule, audit};

pub use self::restore::{RestoreDone, finish_pending_restore};

/// Whether a restore is waiting in `data_dir` (prepared, confirmed, or stopped part way).
pub fn restore_waiting(data_dir: &Path) -> bool {
    data_dir.join(PENDING_DIR).exists()
}

/// The backup's manifest file.
const MANIFEST: &str = "manifest.json";
/// Where a restore waits, inside the data directory, until the next start.
const PENDING_DIR: &str = "restore-pending";
/// The file in [`PENDING_DIR`] that says the restore was confirmed.
const READY: &str = "READY";
/// The plan of the restore waiting in [`PENDING_DIR`].
const PLAN: &str = "plan.json";
/// How long after the last backup the daily one is due.
const DAILY: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);
/// The most backups a till keeps.
pub const MAX_KEEP: u32 = 60;

/// Where and how often this till backs up (this till's own: never synced, kept by a restore).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BackupSettings {
    /// The folder the backups go into; `None` until a manager chooses one.
    pub folder: Option<String>,
    /// How many of this till's backups are kept there (1–60); older ones are removed.
    pub keep: u32,
    /// Whether a backup is made by itself once a day while the app runs.
    pub daily: bool,
}

/// The backup settings and how the last backup went, for the backup screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BackupStatus {
    pub settings: BackupSettings,
    /// When the last backup was made (RFC 3339, UTC).
    pub last_at: Option<String>,
    pub last_path: Option<String>,
    /// Why the last attempt failed, if it did (after the last success).
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
    /// Whether the daily backup is due now.
    pub due: bool,
    /// A restore copied and checked, waiting for confirmation or for the next start.
    pub pending_restore: Option<RestorePlan>,
}

/// One backup, as its manifest describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BackupInfo {
    /// The backup's folder.
    pub path: String,
    /// When it was made (RFC 3339, UTC).
    pub made_at: String,
    pub terminal: String,
    pub shop_name: String,
    /// Orders it holds, and the newest one's receipt number.
    pub orders: u32,
    pub last_receipt: Option<String>,
    /// Pictures copied, and pictures its products name that were not found.
    pub pictures: u32,
    pub pictures_missing: u32,
    /// The database copy's size.
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub bytes: u64,
    /// The highest outbox sequence it holds.
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub outbox_seq: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub schema_version: i64,
}

/// What restoring a backup would do, for the confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RestorePlan {
    pub backup: BackupInfo,
    /// Sales made here after the backup: they leave this till's history and reports.
    pub lost_sales: u32,
    pub lost_sales_total: Money,
    pub first_lost_receipt: Option<String>,
    pub last_lost_receipt: Option<String>,
    /// Every change made here after the backup (sales, cancellations, stock, menu, staff).
    pub later_changes: u32,
    /// Of those, the ones no server has yet: kept in the restored outbox and still sent, so
    /// the server loses nothing (with no server, they wait for one).
    pub unsent_kept: u32,
    /// Whether this till is enrolled with a server.
    pub enrolled: bool,
    /// The backup was made by another till (another terminal code).
    pub other_terminal: bool,
}

/// Backups: `k.backups()`.
pub struct Backups<'k> {
    k: &'k Kasir,
}

impl Kasir {
    pub fn backups(&self) -> Backups<'_> {
        Backups { k: self }
    }
}

impl Backups<'_> {
    /// The settings, the last backup and any restore waiting. Managers and admins.
    pub fn status(&self, actor: &Actor) -> Result<BackupStatus> {
        let status = self.k.read(actor, Permission::BackUp, |conn, _| {
            read_status(conn, self.k.now())
        })?;
        Ok(BackupStatus {
            pending_restore: read_plan(&self.k.data_dir().join(PENDING_DIR))?,
            ..status
        })
    }

    /// Chooses the folder (which must exist and be writable), how many backups to keep and
    /// whether to make one daily. Audited.
    pub fn configure(&self, actor: &Actor, settings: BackupSettings) -> Result<BackupStatus> {
        if !(1..=MAX_KEEP).contains(&settings.keep) {
            return Err(Error::invalid(
                Field::Keep,
                Rule::OutOfRange {
                    min: 1,
                    max: i64::from(MAX_KEEP),
                },
            ));
        }
        let folder = match settings.folder.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(f) => {
                let path = Path::new(f);
                if f.len() > 1024 || !path.is_absolute() || !writable(path) {
                    return Err(Error::invalid(Field::Folder, Rule::FolderUnusable));
                }
                Some(f.to_string())
            }
        };
        self.k.write(actor, Permission::BackUp, |cx| {
            cx.execute(
                "UPDATE backup_settings SET folder = ?1, keep = ?2, daily = ?3 WHERE id = 1",
                params![folder, settings.keep, settings.daily],
            )?;
            audit::record(
                cx,
                "backup_settings_changed",
                serde_json::json!({"folder": folder, "keep": settings.keep, "daily": settings.daily}),
            )
        })?;
        self.status(actor)
    }

    /// Makes a backup now into the chosen folder. Audited; a failure is recorded (and said).
    pub fn back_up_now(&self, actor: &Actor) -> Result<BackupInfo> {
        let settings = self
            .k
            .read(actor, Permission::BackUp, |conn, _| read_settings(conn))?;
        let folder = settings
            .folder
            .ok_or(Error::invalid(Field::Folder, Rule::NoFolder))?;
        self.make(Path::new(&folder), settings.keep, Some(actor), false)
    }

    /// The daily backup, when it is due (a folder chosen, daily on, the last one a day old or
    /// more). Run by the app at start and every hour; no staff member runs it. A failure is
    /// recorded and every manager is told.
    pub fn back_up_if_due(&self) -> Result<Option<BackupInfo>> {
        let (settings, due) = self.k.read_any(|conn| {
            let status = read_status(conn, self.k.now())?;
            Ok((status.settings, status.due))
        })?;
        match (due, settings.folder) {
            (true, Some(folder)) => self
                .make(Path::new(&folder), settings.keep, None, true)
                .map(Some),
            _ => Ok(None),
        }
    }

    /// The Kasir backups in a folder (this till's and others'), newest first.
    pub fn list(&self, actor: &Actor, folder: &str) -> Result<Vec<BackupInfo>> {
        self.k.read(actor, Permission::BackUp, |_, _| Ok(()))?;
        let dir = Path::new(folder);
        if !dir.is_dir() {
            return Err(Error::invalid(Field::Folder, Rule::FolderUnusable));
        }
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir)?.flatten() {
            let path = entry.path();
            if is_backup_dir(&path)
                && let Ok(info) = read_manifest(&path)
            {
                out.push(info);
            }
        }
        out.sort_by(|a, b| b.made_at.cmp(&a.made_at));
        Ok(out)
    }

    fn make(
        &self,
        folder: &Path,
        keep: u32,
        actor: Option<&Actor>,
        tell_managers: bool,
    ) -> Result<BackupInfo> {
        match make_backup(self.k, folder, keep) {
            Ok(info) => {
                let detail = serde_json::json!({
                    "path": info.path, "orders": info.orders, "automatic": actor.is_none()
                });
                let record = |conn: &Connection, now| -> Result<()> {
                    conn.execute(
                        "UPDATE backup_settings SET last_at = ?1, last_path = ?2,
                                last_error = NULL, last_error_at = NULL WHERE id = 1",
                        params![Stamp(now), info.path],
                    )?;
                    Ok(())
                };
                match actor {
                    Some(a) => self.k.write(a, Permission::BackUp, |cx| {
                        record(cx, cx.now)?;
                        audit::record(cx, "backup_made", detail)
                    })?,
                    None => self.k.transact(|tx, now| {
                        record(tx, now)?;
                        audit::append(tx, now, None, "backup_made", detail)
                    })?,
                }
                Ok(info)
            }
            Err(e) => {
                let reason = e.to_string();
                tracing::warn!(error = %reason, "backup failed");
                self.k.transact(|tx, now| {
                    tx.execute(
                        "UPDATE backup_settings SET last_error = ?1, last_error_at = ?2 WHERE id = 1",
                        params![reason, Stamp(now)],
                    )?;
                    if tell_managers {
                        crate::notices::to_managers(
                            tx,
                            now,
                            NoticeKind::BackupFailed,
                            &NoticeDetail {
                                reason: Some(reason.clone()),
                                ..NoticeDetail::default()
                            },
                        )?;
                    }
                    Ok(())
                })?;
                Err(e)
            }
        }
    }

    /// Copies a backup (its folder, or the `kasir.db` in it) beside the live database, checks
    /// it, and says what restoring it would lose. Nothing changes until
    /// [`Backups::confirm_restore`] and a restart. Admins only.
    pub fn prepare_restore(&self, actor: &Actor, backup: &str) -> Result<RestorePlan> {
        self.k.read(actor, Permission::Restore, |_, _| Ok(()))?;
        let source = Path::new(backup);
        let source_dir = if source.is_file() {
            source.parent().unwrap_or(source).to_path_buf()
        } else {
            source.to_path_buf()
        };
        let source_db = source_dir.join(crate::DB_FILE);
        if !source_db.is_file() {
            return Err(Error::invalid(Field::Backup, Rule::NotABackup));
        }
        let pending = self.k.data_dir().join(PENDING_DIR);
        if pending.exists() {
            std::fs::remove_dir_all(&pending)?;
        }
        std::fs::create_dir_all(pending.join("media").join("products"))?;
        let staged = (|| {
            let copy = pending.join(crate::DB_FILE);
            std::fs::copy(&source_db, &copy)?;
            let facts = check_copy(&copy)?;
            let (pictures, pictures_missing) = copy_pictures(
                &source_dir.join("media").join("products"),
                &pending.join("media").join("products"),
                &facts.image_ids,
            )?;
            let info = BackupInfo {
                pictures,
                pictures_missing,
                path: source_dir.display().to_string(),
                made_at: read_manifest(&source_dir)
                    .map(|m| m.made_at)
                    .unwrap_or_else(|_| facts.newest_change.clone().unwrap_or_default()),
                bytes: std::fs::metadata(&copy)?.len(),
                ..facts.info()
            };
            let plan = self
                .k
                .read(actor, Permission::Restore, |conn, _| plan(conn, info))?;
            // Another till's history pushed under this till's enrolment would be wrong on
            // the server: that restore is for a till with no server (moving to a new machine).
            if plan.other_terminal && plan.enrolled {
                return Err(Error::invalid(Field::Backup, Rule::BackupOfAnotherTill));
            }
            write_synced(&pending.join(PLAN), &serde_json::to_vec_pretty(&plan)?)?;
            Ok(plan)
        })();
        if staged.is_err() {
            let _ = std::fs::remove_dir_all(&pending);
        }
        staged
    }

    /// Confirms the prepared restore: it happens at the next start. Audited here (the
    /// restored database records it too).
    pub fn confirm_restore(&self, actor: &Actor) -> Result<RestorePlan> {
        let pending = self.k.data_dir().join(PENDING_DIR);
        let plan = self.k.write(actor, Permission::Restore, |cx| {
            let plan = read_plan(&pending)?
                .ok_or(Error::invalid(Field::Backup, Rule::NoRestorePending))?;
            audit::record(
                cx,
                "restore_confirmed",
                serde_json::json!({
                    "from": plan.backup.path, "made_at": plan.backup.made_at,
                    "lost_sales": plan.lost_sales, "unsent_kept": plan.unsent_kept
                }),
            )?;
            Ok(plan)
        })?;
        let ready = serde_json::json!({"by": actor.id(), "at": self.k.now().to_string()});
        write_synced(&pending.join(READY), &serde_json::to_vec(&ready)?)?;
        Ok(plan)
    }

    /// Drops a prepared (or confirmed, not yet applied) restore.
    pub fn cancel_restore(&self, actor: &Actor) -> Result<()> {
        self.k.read(actor, Permission::Restore, |_, _| Ok(()))?;
        let pending = self.k.data_dir().join(PENDING_DIR);
        if pending.exists() {
            std::fs::remove_dir_all(pending)?;
        }
        Ok(())
    }
}

fn read_settings(conn: &Connection) -> Result<BackupSettings> {
    Ok(conn.query_row(
        "SELECT folder, keep, daily FROM backup_settings WHERE id = 1",
        [],
        |r| {
            Ok(BackupSettings {
                folder: r.get(0)?,
                keep: r.get(1)?,
                daily: r.get(2)?,
            })
        },
    )?)
}

fn read_status(conn: &Connection, now: jiff::Timestamp) -> Result<BackupStatus> {
    let settings = read_settings(conn)?;
    let (last_at, last_path, last_error, last_error_at): (
        Option<Stamp>,
        Option<String>,
        Option<String>,
        Option<Stamp>,
    ) = conn.query_row(
        "SELECT last_at, last_path, last_error, last_error_at FROM backup_settings WHERE id = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let due = settings.daily
        && settings.folder.is_some()
        && last_at
            .as_ref()
            .is_none_or(|t| now.duration_since(t.0) >= DAILY);
    Ok(BackupStatus {
        settings,
        last_at: last_at.map(|t| t.0.to_string()),
        last_path,
        last_error,
        last_error_at: last_error_at.map(|t| t.0.to_string()),
        due,
        pending_restore: None,
    })
}

fn read_plan(pending: &Path) -> Result<Option<RestorePlan>> {
    match std::fs::read(pending.join(PLAN)) {
        Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Whether a folder exists and a file can be made in it.
fn writable(dir: &Path) -> bool {
    if !dir.is_dir() {
        return false;
    }
    let probe = dir.join(format!(".kasir-probe-{}", std::process::id()));
    let ok = std::fs::write(&probe, b"").is_ok();
    let _ = std::fs::remove_file(probe);
    ok
}

fn is_backup_dir(path: &Path) -> bool {
    path.is_dir()
        && path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("kasir-") && !n.ends_with(".partial"))
}

fn read_manifest(dir: &Path) -> Result<BackupInfo> {
    let bytes = std::fs::read(dir.join(MANIFEST))
        .map_err(|_| Error::invalid(Field::Backup, Rule::NotABackup))?;
    let mut info: BackupInfo = serde_json::from_slice(&bytes)
        .map_err(|_| Error::invalid(Field::Backup, Rule::NotABackup))?;
    info.path = dir.display().to_string();
    Ok(info)
}

/// Writes a file and makes it durable before returning.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = std::fs::File::create(path)?;
    std::io::Write::write_all(&mut file, bytes)?;
    file.sync_all()?;
    Ok(())
}

fn sync_dir(dir: &Path) {
    // Linux makes a rename durable once its folder is synced; elsewhere a folder cannot be
    // opened for this and the files' own syncs are what there is.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// What a database copy holds, read from the copy itself (never from a manifest).
struct CopyFacts {
    terminal: String,
    shop_name: String,
    orders: u32,
    last_receipt: Option<String>,
    newest_change: Option<String>,
    outbox_seq: i64,
    schema_version: i64,
    image_ids: Vec<String>,
}

impl CopyFacts {
    fn read(conn: &Connection) -> Result<CopyFacts> {
        let (terminal, shop_name): (String, String) = conn.query_row(
            "SELECT terminal_code, shop_name FROM settings WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let orders: u32 = conn.query_row("SELECT COUNT(*) FROM orders", [], |r| r.get(0))?;
        let newest: Option<(String, String)> = conn
            .query_row(
                "SELECT receipt_no, created_at FROM orders
                 ORDER BY created_at DESC, receipt_no DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let outbox_seq: i64 = conn
            .query_row(
                "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'",
                [],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0);
        let schema_version: i64 = conn.query_row(
            "SELECT COALESCE(MAX(version), 0) FROM refinery_schema_history",
            [],
            |r| r.get(0),
        )?;
        // Every picture a product shows: the covers, and (from V12) the galleries.
        let galleries: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'product_images')",
            [],
            |r| r.get(0),
        )?;
        let mut stmt = conn.prepare(if galleries {
            "SELECT image_id FROM products WHERE image_id IS NOT NULL
             UNION SELECT image_id FROM product_images"
        } else {
            "SELECT DISTINCT image_id FROM products WHERE image_id IS NOT NULL"
        })?;
        let image_ids = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        let (last_receipt, newest_change) = newest.unzip();
        Ok(CopyFacts {
            terminal,
            shop_name,
            orders,
            last_receipt,
            newest_change,
            outbox_seq,
            schema_version,
            image_ids,
        })
    }

    fn info(&self) -> BackupInfo {
        BackupInfo {
            path: String::new(),
            made_at: String::new(),
            terminal: self.terminal.clone(),
            shop_name: self.shop_name.clone(),
            orders: self.orders,
            last_receipt: self.last_receipt.clone(),
            pictures: 0,
            pictures_missing: 0,
            bytes: 0,
            outbox_seq: self.outbox_seq,
            schema_version: self.schema_version,
        }
    }
}

/// Checks a database copy: SQLite's integrity check, Kasir's, not newer than this build.
/// Returns what it holds.
fn check_copy(path: &Path) -> Result<CopyFacts> {
    let damaged = |_| Error::invalid(Field::Backup, Rule::BackupDamaged);
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(damaged)?;
    let verdict: String = conn
        .query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))
        .map_err(damaged)?;
    let app_id: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(damaged)?;
    if verdict != "ok" || app_id != db::APPLICATION_ID {
        return Err(Error::invalid(Field::Backup, Rule::BackupDamaged));
    }
    let facts = CopyFacts::read(&conn).map_err(|e| match e {
        Error::Sqlite(_) => Error::invalid(Field::Backup, Rule::BackupDamaged),
        e => e,
    })?;
    if facts.schema_version > db::schema_version() {
        return Err(Error::invalid(Field::Backup, Rule::BackupTooNew));
    }
    Ok(facts)
}

/// Copies the named pictures' files (display and thumbnail); returns (copied, missing).
fn copy_pictures(from: &Path, to: &Path, ids: &[String]) -> Result<(u32, u32)> {
    use crate::catalog::images::{ImageSize, image_path};
    let (mut copied, mut missing) = (0, 0);
    for id in ids {
        let mut found = false;
        for size in [ImageSize::Display, ImageSize::Thumbnail] {
            // Both folders are `…/products`: image_path wants the folder above it.
            let (Some(src), Some(dst)) = (
                from.parent().and_then(|m| image_path(m, id, size)),
                to.parent().and_then(|m| image_path(m, id, size)),
            ) else {
                continue;
            };
            if std::fs::copy(&src, &dst).is_ok() {
                found = true;
            }
        }
        if found {
            copied += 1;
        } else {
            missing += 1;
        }
    }
    Ok((copied, missing))
}

/// The backup's folder name: this till's code and the shop's local time, so the manager
/// reads them in order; a second backup in the same second gets a suffix.
fn backup_name(folder: &Path, terminal: &str, now: jiff::Timestamp, tz: &str) -> String {
    let local = jiff::tz::TimeZone::get(tz)
        .map(|z| now.to_zoned(z))
        .unwrap_or_else(|_| now.to_zoned(jiff::tz::TimeZone::UTC));
    let base = format!("kasir-{terminal}-{}", local.strftime("%Y%m%d-%H%M%S"));
    let mut name = base.clone();
    let mut n = 2;
    while folder.join(&name).exists() || folder.join(format!("{name}.partial")).exists() {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}

/// One backup at a time in this process: the daily one and "back up now" never write or
/// prune beside each other.
static BACKING_UP: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn make_backup(k: &Kasir, folder: &Path, keep: u32) -> Result<BackupInfo> {
    let _one = BACKING_UP.lock().unwrap_or_else(|e| e.into_inner());
    if !writable(folder) {
        return Err(Error::invalid(Field::Folder, Rule::FolderUnusable));
    }
    // A connection of its own: the copy holds one read snapshot for its whole length (WAL
    // lets sales commit meanwhile), and no pooled reader waits for it.
    let src = db::open_reader(&k.db_path())?;
    let (terminal, tz): (String, String) = src.query_row(
        "SELECT terminal_code, time_zone FROM settings WHERE id = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let now = k.now();
    let name = backup_name(folder, &terminal, now, &tz);
    let partial = folder.join(format!("{name}.partial"));
    std::fs::create_dir_all(partial.join("media").join("products"))
        .map_err(|_| Error::invalid(Field::Folder, Rule::FolderUnusable))?;
    let made = (|| {
        let copy = partial.join(crate::DB_FILE);
        {
            let mut dst = Connection::open(&copy)?;
            let backup = rusqlite::backup::Backup::new(&src, &mut dst)?;
            // All pages in one step: one snapshot, never restarted by a sale committing
            // between steps (a stepped copy starts over after each write to the source).
            backup.step(-1)?;
        }
        drop(src);
        // One self-contained file: the copy leaves WAL mode.
        let conn = Connection::open(&copy)?;
        let _: String = conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
        drop(conn);
        let facts = check_copy(&copy)?;
        let (pictures, pictures_missing) = copy_pictures(
            &k.media_dir().join("products"),
            &partial.join("media").join("products"),
            &facts.image_ids,
        )?;
        std::fs::File::open(&copy)?.sync_all()?;
        let info = BackupInfo {
            made_at: now.to_string(),
            pictures,
            pictures_missing,
            bytes: std::fs::metadata(&copy)?.len(),
            ..facts.info()
        };
        write_synced(&partial.join(MANIFEST), &serde_json::to_vec_pretty(&info)?)?;
        sync_dir(&partial.join("media").join("products"));
        sync_dir(&partial);
        Ok(info)
    })();
    let info = match made {
        Ok(info) => info,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&partial);
            return Err(e);
        }
    };
    let done = folder.join(&name);
    std::fs::rename(&partial, &done)?;
    sync_dir(folder);
    prune(folder, &terminal, keep);
    Ok(BackupInfo {
        path: done.display().to_string(),
        ..info
    })
}

/// Keeps this till's newest `keep` backups in `folder` and removes leftovers of interrupted
/// ones. Other tills' backups are theirs to prune.
fn prune(folder: &Path, terminal: &str, keep: u32) {
    let prefix = format!("kasir-{terminal}-");
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let mut ours: Vec<(jiff::Timestamp, PathBuf)> = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !name.starts_with(&prefix) || !path.is_dir() {
            continue;
        }
        if name.ends_with(".partial") {
            let _ = std::fs::remove_dir_all(&path);
        } else if let Ok(info) = read_manifest(&path)
            && info.terminal == terminal
            && let Ok(made) = info.made_at.parse::<jiff::Timestamp>()
        {
            ours.push((made, path));
        }
    }
    // By when they were made (names are the shop's local time, which a time-zone change
    // would reorder).
    ours.sort();
    let excess = ours.len().saturating_sub(keep as usize);
    for (_, old) in &ours[..excess] {
        if let Err(e) = std::fs::remove_dir_all(old) {
            tracing::warn!(error = %e, path = %old.display(), "could not remove an old backup");
        }
    }
}

/// What restoring `backup` over the live database (`conn`) would lose and keep.
fn plan(conn: &Connection, backup: BackupInfo) -> Result<RestorePlan> {
    let after = backup.outbox_seq;
    let (lost_sales, lost_total, first, last): (u32, i64, Option<String>, Option<String>) = conn
        .query_row(
            "SELECT COUNT(*), COALESCE(SUM(json_extract(payload, '$.order.total')), 0),
                    MIN(json_extract(payload, '$.order.receipt_no')),
                    MAX(json_extract(payload, '$.order.receipt_no'))
             FROM outbox WHERE seq > ?1 AND kind = 'sale'",
            [after],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
    let (later, enrolled, acked, terminal): (u32, bool, i64, String) = conn.query_row(
        "SELECT (SELECT COUNT(*) FROM outbox WHERE seq > ?1),
                s.token IS NOT NULL, s.acked_seq, t.terminal_code
         FROM sync_state s, settings t WHERE s.id = 1",
        [after],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let unsent: u32 = conn.query_row(
        "SELECT COUNT(*) FROM outbox WHERE seq > ?1",
        [after.max(acked)],
        |r| r.get(0),
    )?;
    Ok(RestorePlan {
        other_terminal: backup.terminal != terminal,
        backup,
        lost_sales,
        lost_sales_total: Money(lost_total),
        first_lost_receipt: first,
        last_lost_receipt: last,
        later_changes: later,
        unsent_kept: unsent,
        enrolled,
    })
}
