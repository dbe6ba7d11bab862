//! Start-up, the first run, and the shop's settings.

use kasir_core::Actor;
use kasir_core::money::MoneyFormat;
use kasir_core::people::ShopSetup;
use kasir_core::settings::{Settings, SetupOptions};
use serde::{Deserialize, Serialize};
use tauri::State;

use super::{CmdResult, run};
use crate::error::CommandError;
use crate::state::{RestoreAtStart, Shared, blocking};

/// What the UI needs at start-up.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AppStatus {
    pub needs_setup: bool,
    pub settings: Settings,
    /// How the shop writes money, as the core formats it: the UI formats with this and keeps
    /// no currency table of its own.
    pub money_format: MoneyFormat,
    pub signed_in: Option<Actor>,
    /// Today's business date in the shop's time zone, `2026-11-21`.
    pub today: String,
    /// The backup this start restored (said once, to the first status asked after it).
    pub restored_from: Option<String>,
    /// Why a confirmed restore could not be applied (the till kept its own data).
    pub restore_failed: Option<String>,
}

#[tauri::command]
#[specta::specta]
pub async fn app_status(state: State<'_, Shared>) -> CmdResult<AppStatus> {
    static FIRST: std::sync::Once = std::sync::Once::new();
    FIRST.call_once(|| {
        let (ms, at_unix_ms) = (crate::ms_since_start(), crate::unix_ms_now());
        tracing::info!(ms, at_unix_ms, "the UI is up");
    });
    let app = state.inner().clone();
    blocking(move || {
        let k = app.kasir();
        let settings = k.settings().get()?;
        let restored = app.take_restored();
        Ok(AppStatus {
            needs_setup: k.people().needs_setup()?,
            money_format: settings.money_format(),
            settings,
            signed_in: app.session(),
            today: k.settings().today()?.to_string(),
            restored_from: match &restored {
                Some(RestoreAtStart::Restored { from }) => Some(from.clone()),
                _ => None,
            },
            restore_failed: match restored {
                Some(RestoreAtStart::SetAside { reason }) => Some(reason),
                _ => None,
            },
        })
    })
    .await
}

/// A start-up milestone the UI reached: a `performance.mark` name and when, in Unix ms
/// (`performance.timeOrigin + startTime`).
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct StartupMark {
    pub name: String,
    pub at_unix_ms: f64,
}

/// The UI reports its start-up milestones; they go to the log (as ms after the process began),
/// so a slow start on a shop's machine shows there, and the app benchmark reads them.
#[tauri::command]
#[specta::specta]
pub async fn report_startup(marks: Vec<StartupMark>) -> CmdResult<()> {
    if marks
        .iter()
        .any(|m| !m.at_unix_ms.is_finite() || m.at_unix_ms < 0.0)
    {
        // Our own UI sent it: a fault of the app, not of anyone's input.
        return Err(CommandError::Internal {
            message: "a start-up mark is not a time".into(),
        });
    }
    for m in marks.iter().take(8) {
        let name: String = m
            .name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '_'))
            .take(40)
            .collect();
        let ms = (m.at_unix_ms - crate::started_unix_ms()).round() as i64;
        let at_unix_ms = m.at_unix_ms.round() as i64;
        tracing::info!(mark = %name, ms, at_unix_ms, "start-up milestone");
    }
    Ok(())
}

/// Replaces the shop's settings (admins only), validated as a whole; a refused field comes back
/// as `invalid` naming it.
#[tauri::command]
#[specta::specta]
pub async fn update_settings(state: State<'_, Shared>, settings: Settings) -> CmdResult<Settings> {
    run(&state, move |k, a| k.settings().update(a, settings)).await
}

/// First run: the currencies (with their minor digits), the time zones and the machine's own.
#[tauri::command]
#[specta::specta]
pub async fn setup_options() -> CmdResult<SetupOptions> {
    Ok(kasir_core::settings::setup_options())
}

/// First run: names the shop and creates its first admin, who is then signed in.
#[tauri::command]
#[specta::specta]
pub async fn set_up_shop(state: State<'_, Shared>, setup: ShopSetup) -> CmdResult<Actor> {
    let app = state.inner().clone();
    blocking(move || {
        let actor = app.kasir().people().set_up_shop(setup)?;
        app.set_session(Some(actor.clone()));
        Ok(actor)
    })
    .await
}

/// First run: loads the demo café instead (demo PINs in the README).
#[tauri::command]
#[specta::specta]
pub async fn load_demo(state: State<'_, Shared>) -> CmdResult<()> {
    let app = state.inner().clone();
    blocking(move || Ok(kasir_core::demo::seed_demo(app.kasir(), true).map(drop)?)).await
}
