//! What the app holds while it runs: the terminal's core handle, the signed-in staff member,
//! and the background checkpointer.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use kasir_core::db::Checkpointer;
use kasir_core::{Actor, Kasir, SystemClock};

use crate::error::CommandError;

pub struct AppState {
    /// One handle for every command: it takes its own locks (see `kasir_core::Kasir`).
    kasir: Kasir,
    session: Mutex<Option<Actor>>,
    data_dir: PathBuf,
    _checkpointer: Checkpointer,
}

/// Tauri manages this; commands clone the `Arc` into blocking tasks.
pub type Shared = Arc<AppState>;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The session is a plain value: a panic elsewhere cannot leave it half-written.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl AppState {
    pub fn open(data_dir: &Path) -> kasir_core::Result<Shared> {
        let kasir = Kasir::open(data_dir, Arc::new(SystemClock))?;
        let checkpointer = kasir.spawn_checkpointer()?;
        Ok(Arc::new(AppState {
            kasir,
            session: Mutex::new(None),
            data_dir: data_dir.to_path_buf(),
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

    pub fn kasir(&self) -> &Kasir {
        &self.kasir
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
