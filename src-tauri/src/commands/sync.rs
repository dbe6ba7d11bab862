//! Sync with the central server: its status for the top bar and the sync screen, enrolment,
//! and "send now". The uploader itself runs in the background (`AppState::start_sync`).

use kasir_core::sync::SyncStatus;
use tauri::State;

use super::{CmdResult, run};
use crate::state::{Shared, blocking};

/// What sync is doing: counts and times, never the token. Any signed-in member (the top bar
/// shows it to cashiers too).
#[tauri::command]
#[specta::specta]
pub async fn sync_status(state: State<'_, Shared>) -> CmdResult<SyncStatus> {
    run(&state, |k, _| k.sync().status()).await
}

/// Enrols this terminal with a server (a manager's action): trades the one-time code for the
/// terminal's identity, then wakes the uploader. Plain `http://` only when `allow_http`.
#[tauri::command]
#[specta::specta]
pub async fn sync_enrol(
    state: State<'_, Shared>,
    server_url: String,
    allow_http: bool,
    code: String,
) -> CmdResult<SyncStatus> {
    let app = state.inner().clone();
    let actor = app.actor()?;
    // The right is checked before the code goes over the network (the server uses it up).
    run(&state, |k, a| k.sync().authorize(a)).await?;
    let name = std::env::var("HOSTNAME").unwrap_or_default();
    kasir_sync::enrol(
        &app.kasir_arc(),
        &actor,
        &server_url,
        allow_http,
        &code,
        &name,
    )
    .await?;
    app.wake_sync();
    blocking(move || Ok(app.kasir().sync().status()?)).await
}

/// Asks the uploader to send and pull now (a manager's button on the sync screen).
#[tauri::command]
#[specta::specta]
pub async fn sync_now(state: State<'_, Shared>) -> CmdResult<()> {
    run(&state, |k, a| k.sync().authorize(a)).await?;
    state.inner().wake_sync();
    Ok(())
}

/// Leaves the server (a manager's action). Refused with `unsent_entries` while entries wait,
/// unless an admin confirms (`confirmUnsent`): they stay on this till for the next server.
#[tauri::command]
#[specta::specta]
pub async fn sync_unenrol(state: State<'_, Shared>, confirm_unsent: bool) -> CmdResult<SyncStatus> {
    run(&state, move |k, a| {
        k.sync().unenrol(a, confirm_unsent)?;
        k.sync().status()
    })
    .await
}
