//! Backups and restore (admin mode): the folder, a backup now, the backups in a folder, and a
//! restore prepared, confirmed and applied by restarting the app.

use std::path::{Path, PathBuf};

use kasir_core::backup::{BackupInfo, BackupSettings, BackupStatus, RestorePlan};
use tauri::State;

use super::{CmdResult, run};
use crate::state::Shared;

#[tauri::command]
#[specta::specta]
pub async fn backup_status(state: State<'_, Shared>) -> CmdResult<BackupStatus> {
    run(&state, |k, a| k.backups().status(a)).await
}

/// Chooses the folder, how many backups to keep and whether to make one daily.
#[tauri::command]
#[specta::specta]
pub async fn configure_backups(
    state: State<'_, Shared>,
    settings: BackupSettings,
) -> CmdResult<BackupStatus> {
    run(&state, move |k, a| k.backups().configure(a, settings)).await
}

/// Makes a backup now (seconds on a big shop; the till keeps selling meanwhile).
#[tauri::command]
#[specta::specta]
pub async fn back_up_now(state: State<'_, Shared>) -> CmdResult<BackupInfo> {
    run(&state, |k, a| k.backups().back_up_now(a)).await
}

/// The Kasir backups in a folder, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_backups(state: State<'_, Shared>, folder: String) -> CmdResult<Vec<BackupInfo>> {
    run(&state, move |k, a| k.backups().list(a, &folder)).await
}

/// Where a backup could go on this machine: plugged-in drives (USB sticks) first, then the
/// member's documents folder. Only folders that exist are offered.
#[tauri::command]
#[specta::specta]
pub async fn backup_places(state: State<'_, Shared>) -> CmdResult<Vec<String>> {
    run(&state, |k, a| {
        k.backups().status(a)?; // managers and admins only, like the rest of this screen
        Ok(places(
            std::env::var_os("HOME").map(PathBuf::from).as_deref(),
            std::env::var("USER").ok().as_deref(),
        ))
    })
    .await
}

/// Copies and checks a backup, and says what restoring it would lose. Admins only.
#[tauri::command]
#[specta::specta]
pub async fn prepare_restore(state: State<'_, Shared>, path: String) -> CmdResult<RestorePlan> {
    run(&state, move |k, a| k.backups().prepare_restore(a, &path)).await
}

/// Confirms the prepared restore; it is applied when the app restarts.
#[tauri::command]
#[specta::specta]
pub async fn confirm_restore(state: State<'_, Shared>) -> CmdResult<RestorePlan> {
    run(&state, |k, a| k.backups().confirm_restore(a)).await
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_restore(state: State<'_, Shared>) -> CmdResult<()> {
    run(&state, |k, a| k.backups().cancel_restore(a)).await
}

/// Restarts the app to apply a confirmed restore (only then: anyone else restarting the till
/// from the UI would be a surprise).
#[tauri::command]
#[specta::specta]
pub async fn restart_to_restore(state: State<'_, Shared>) -> CmdResult<()> {
    let status = run(&state, |k, a| k.backups().status(a)).await?;
    if status.pending_restore.is_none() {
        return Err(kasir_core::Error::invalid(
            kasir_core::Field::Backup,
            kasir_core::Rule::NoRestorePending,
        )
        .into());
    }
    state.request_restart();
    Ok(())
}

/// Removable drives and the documents folder that exist on this machine.
fn places(home: Option<&Path>, user: Option<&str>) -> Vec<String> {
    let mut roots: Vec<PathBuf> = Vec::new();
    if let Some(user) = user {
        roots.push(PathBuf::from("/media").join(user));
        roots.push(PathBuf::from("/run/media").join(user));
    }
    roots.push(PathBuf::from("/media"));
    roots.push(PathBuf::from("/mnt"));
    roots.push(PathBuf::from("/Volumes"));
    let mut out: Vec<String> = Vec::new();
    for root in roots {
        let Ok(entries) = std::fs::read_dir(&root) else {
            continue;
        };
        let mut found: Vec<String> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir() && !user.is_some_and(|u| p.ends_with(u)))
            .map(|p| p.display().to_string())
            .collect();
        found.sort();
        for f in found {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    if cfg!(windows) {
        for letter in 'D'..='Z' {
            let drive = format!("{letter}:\\");
            if Path::new(&drive).is_dir() {
                out.push(drive);
            }
        }
    }
    if let Some(home) = home {
        for sub in ["Documents", "Dokumen"] {
            let p = home.join(sub);
            if p.is_dir() {
                out.push(p.display().to_string());
            }
        }
        out.push(home.display().to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_drives_then_documents() {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join("Documents")).unwrap();
        let found = places(Some(home.path()), Some("nobody-here"));
        let docs = home.path().join("Documents").display().to_string();
        assert!(found.contains(&docs), "{found:?}");
        assert_eq!(found.last().unwrap(), &home.path().display().to_string());
        assert!(found.iter().all(|p| Path::new(p).is_dir()), "{found:?}");
    }
}
