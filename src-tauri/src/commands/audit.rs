//! The audit log in admin mode: the viewer's pages and the chain check.

use kasir_core::audit::{AuditPage, AuditQuery, ChainCheck};
use tauri::State;

use super::{CmdResult, run};
use crate::state::Shared;

/// A page of the audit log, filtered by kind, member and days, newest first.
#[tauri::command]
#[specta::specta]
pub async fn audit_log(state: State<'_, Shared>, query: AuditQuery) -> CmdResult<AuditPage> {
    run(&state, move |k, a| k.audit().search(a, &query)).await
}

/// The kinds of entry the log holds.
#[tauri::command]
#[specta::specta]
pub async fn audit_actions(state: State<'_, Shared>) -> CmdResult<Vec<String>> {
    run(&state, move |k, a| k.audit().actions(a)).await
}

/// Walks the whole chain: intact, or the first entry that does not follow.
#[tauri::command]
#[specta::specta]
pub async fn audit_check(state: State<'_, Shared>) -> CmdResult<ChainCheck> {
    run(&state, move |k, a| k.audit().check(a)).await
}
