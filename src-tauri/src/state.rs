//! What the app holds while it runs: the terminal's core handle, the signed-in staff member,
//! and the background checkpointer.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use kasir_core::db::Checkpointer;
use kasir_core::{Actor, Kasir, SystemClock};

use crate::error::CommandError;

pub struct AppState {
    /// One handle for every command and the uploader: it takes its own locks (see
    /// `kasir_core::Kasir`).
    kasir: Arc<Kasir>,
    /// Wakes the uploader at once ("send now", a fresh enrolment).
    sync_wake: Arc<tokio::sync::Notify>,
    session: Mutex<Option<Actor>>,
    data_dir: PathBuf,
    /// Where exports are saved: the Downloads folder in the app, `exports/` in the data folder
    /// until told.
    export_dir: Mutex<PathBuf>,
    /// Sends an event to the UI (set by the app; tests without a window have none).
    emitter: Mutex<Option<Emitter>>,
    /// Restarts the app (set by the app; tests have none).
    restarter: Mutex<Option<Arc<dyn Fn() + Send + Sync>>>,
    /// What this start did with a confirmed restore, if there was one (the UI says so once).
    restored: Mutex<Option<RestoreAtStart>>,
    _checkpointer: Checkpointer,
}

/// What a start did with a restore confirmed before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreAtStart {
    /// The backup in this folder is now the till's data.
    Restored { from: String },
    /// It could not be applied and was set aside; the till kept its own data.
    SetAside { reason: String },
}

/// Sends a named event with a JSON payload to the UI.
pub type Emitter = Arc<dyn Fn(&str, serde_json::Value) + Send + Sync>;

/// Tauri manages this; commands clone the `Arc` into blocking tasks.
pub type Shared = Arc<AppState>;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The session is a plain value: a panic elsewhere cannot leave it half-written.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl AppState {
    pub fn open(data_dir: &Path) -> kasir_core::Result<Shared> {
        // A restore confirmed before the restart is swapped in before the database opens.
        let restored = match kasir_core::backup::finish_pending_restore(data_dir) {
            Ok(done) => done.map(|done| {
                tracing::info!(from = %done.from, carried = done.carried_entries, "restored a backup");
                RestoreAtStart::Restored { from: done.from }
            }),
            // Set aside before anything moved: the till starts on its own data and says so.
            Err(e) if !kasir_core::backup::restore_waiting(data_dir) => {
                Some(RestoreAtStart::SetAside {
                    reason: e.to_string(),
                })
            }
            // Stopped part way through the swap: no database to start on until it finishes.
            Err(e) => return Err(e),
        };
        let kasir = Kasir::open(data_dir, Arc::new(SystemClock))?;
        let checkpointer = kasir.spawn_checkpointer()?;
        Ok(Arc::new(AppState {
            kasir: Arc::new(kasir),
            sync_wake: Arc::new(tokio::sync::Notify::new()),
            session: Mutex::new(None),
            data_dir: data_dir.to_path_buf(),
            export_dir: Mutex::new(data_dir.join("exports")),
            emitter: Mutex::new(None),
            restored: Mutex::new(restored),
            restarter: Mutex::new(None),
            _checkpointer: checkpointer,
        }))
    }

    /// Seeds the demo café when the shop is not set up yet (`KASIR_DEMO=1`, used by run.sh).
    pub fn load_demo_if_new(&self) -> kasir_core::Result<()> {
        if self.kasir.people().needs_setup()? {
            tracing::info!("first run: loading the demo café");
            kasir_core::demo::seed_demo(&self.kasir, true)?;
        }
        Ok(())
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn export_dir(&self) -> PathBuf {
        lock(&self.export_dir).clone()
    }

    pub fn set_export_dir(&self, dir: PathBuf) {
        *lock(&self.export_dir) = dir;
    }

    pub fn set_emitter(&self, emitter: Emitter) {
        *lock(&self.emitter) = Some(emitter);
    }

    /// Sends `event` to the UI, if there is one.
    pub fn emit(&self, event: &str, payload: serde_json::Value) {
        if let Some(emit) = lock(&self.emitter).clone() {
            emit(event, payload);
        }
    }

    pub fn kasir(&self) -> &Kasir {
        &self.kasir
    }

    pub fn kasir_arc(&self) -> Arc<Kasir> {
        self.kasir.clone()
    }

    /// Starts the terminal's one uploader on the app's async runtime. It runs for the app's
    /// life, does nothing until the terminal is enrolled, and never holds up the till.
    pub fn start_sync(&self) {
        let uploader =
            kasir_sync::Uploader::new(self.kasir_arc(), std::time::Duration::from_secs(20));
        let (wake, stop) = (self.sync_wake.clone(), Arc::new(tokio::sync::Notify::new()));
        tauri::async_runtime::spawn(uploader.run(wake, stop));
    }

    pub fn set_restarter(&self, restart: Arc<dyn Fn() + Send + Sync>) {
        *lock(&self.restarter) = Some(restart);
    }

    /// Restarts the app, when it can (a confirmed restore is applied as it starts).
    pub fn request_restart(&self) {
        if let Some(restart) = lock(&self.restarter).clone() {
            restart();
        }
    }

    /// What this start did with a restore, once: the first to ask gets it.
    pub fn take_restored(&self) -> Option<RestoreAtStart> {
        lock(&self.restored).take()
    }

    /// Makes the daily backup when it is due: at start, then every hour, on a thread of its
    /// own (a copy takes seconds on a big shop; the till's commands never wait for it).
    pub fn start_backups(&self) {
        let kasir = self.kasir_arc();
        let started = std::thread::Builder::new()
            .name("kasir-backup".into())
            .spawn(move || {
                loop {
                    match kasir.backups().back_up_if_due() {
                        Ok(Some(info)) => tracing::info!(path = %info.path, "daily backup made"),
                        Ok(None) => {}
                        Err(e) => tracing::warn!(error = %e, "daily backup failed"),
                    }
                    std::thread::sleep(std::time::Duration::from_secs(3600));
                }
            });
        if let Err(e) = started {
            tracing::warn!(error = %e, "could not start the backup thread");
        }
    }

    /// Prints the queue on a thread of its own (blocking network and device I/O with short
    /// timeouts; a printer that is down only delays its own jobs): a pass every 400 ms.
    pub fn start_printing(&self) {
        let kasir = self.kasir_arc();
        let started = std::thread::Builder::new()
            .name("kasir-print".into())
            .spawn(move || {
                loop {
                    match kasir.printing().work() {
                        Ok(done) if done.printed > 0 || done.failed > 0 => {
                            tracing::debug!(
                                printed = done.printed,
                                failed = done.failed,
                                "print pass"
                            )
                        }
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "print pass failed"),
                    }
                    std::thread::sleep(std::time::Duration::from_millis(400));
                }
            });
        if let Err(e) = started {
            tracing::warn!(error = %e, "could not start the print thread");
        }
    }

    /// Housekeeping in the background, a minute after start (so start-up and the first sales
    /// have the machine), then hourly: members' points past the shop's expiry, coupons ending
    /// soon, and the sales
    /// reports' summaries of past days (a few days per round, one day per short transaction;
    /// a report is right without them, only slower).
    pub fn start_report_summaries(&self) {
        let kasir = self.kasir_arc();
        let started = std::thread::Builder::new()
            .name("kasir-reports".into())
            .spawn(move || {
                std::thread::sleep(std::time::Duration::from_secs(60));
                loop {
                    // Points past the shop's expiry: a minute after start, then every hour
                    // (it writes only what is due, so running often costs nothing).
                    match kasir.points().expire_due() {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(members = n, "points expired"),
                        Err(e) => tracing::warn!(error = %e, "expiring points failed"),
                    }
                    // Coupons and vouchers about to end: one notification each for the
                    // managers.
                    match kasir.coupons().notify_expiring() {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(coupons = n, "coupons ending soon"),
                        Err(e) => tracing::warn!(error = %e, "coupon notices failed"),
                    }
                    match kasir.vouchers().notify_expiring() {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(vouchers = n, "vouchers ending soon"),
                        Err(e) => tracing::warn!(error = %e, "voucher notices failed"),
                    }
                    // At most a month's days per pass, then a pause: an old till catching up
                    // on a year never keeps the writer busy for long.
                    loop {
                        match kasir.reports().prepare(31) {
                            Ok(0) => break,
                            Ok(n) => {
                                tracing::info!(days = n, "report summaries written");
                                std::thread::sleep(std::time::Duration::from_secs(5));
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "report summaries failed");
                                break;
                            }
                        }
                    }
                    std::thread::sleep(std::time::Duration::from_secs(3600));
                }
            });
        if let Err(e) = started {
            tracing::warn!(error = %e, "could not start the report summaries thread");
        }
    }

    /// Asks the uploader to send and pull now.
    pub fn wake_sync(&self) {
        self.sync_wake.notify_one();
    }

    pub fn actor(&self) -> Result<Actor, CommandError> {
        lock(&self.session).clone().ok_or(CommandError::SignedOut)
    }

    pub fn session(&self) -> Option<Actor> {
        lock(&self.session).clone()
    }

    pub fn set_session(&self, actor: Option<Actor>) {
        *lock(&self.session) = actor;
    }
}

/// Runs blocking database work off the main thread.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, CommandError> + Send + 'static,
) -> Result<T, CommandError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| CommandError::Internal {
            message: format!("background task failed: {e}"),
        })?
}
