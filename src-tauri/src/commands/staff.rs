//! Signing in and out.

use kasir_core::people::{StaffAccount, StaffId, StaffMember, StaffUpdate};
use kasir_core::{Actor, Role};
use tauri::State;

use super::{CmdResult, run};
use crate::state::{Shared, blocking};

/// Who can sign in: the login screen's tiles and the approval dialog's managers.
#[tauri::command]
#[specta::specta]
pub async fn list_staff(state: State<'_, Shared>) -> CmdResult<Vec<StaffMember>> {
    let app = state.inner().clone();
    blocking(move || Ok(app.kasir().people().active_staff()?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn sign_in(state: State<'_, Shared>, staff_id: StaffId, pin: String) -> CmdResult<Actor> {
    let app = state.inner().clone();
    blocking(move || {
        let actor = app.kasir().people().login(staff_id, &pin)?;
        app.set_session(Some(actor.clone()));
        Ok(actor)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn sign_out(state: State<'_, Shared>) -> CmdResult<()> {
    // The member's open tickets stay theirs, put aside, before anyone else can sign in: in the
    // core and in one transaction, so a crash between the two cannot leave one open.
    // The session ends whatever happens to the parking (a full disk, a member deactivated
    // meanwhile): the till never stays signed in behind the login screen. A ticket left
    // open is parked for its owner at the next sign-in.
    let parked = match state.actor() {
        Ok(actor) => {
            let app = state.inner().clone();
            blocking(move || Ok(app.kasir().sales().park_my_tickets(&actor)?)).await
        }
        Err(_) => Ok(0),
    };
    state.set_session(None);
    parked.map(drop)
}

/// Every member with their lock-outs, for the staff screen (managers and admins).
#[tauri::command]
#[specta::specta]
pub async fn staff_accounts(state: State<'_, Shared>) -> CmdResult<Vec<StaffAccount>> {
    run(&state, |k, a| k.people().staff_accounts(a)).await
}

/// Adds a member: managers add cashiers, admins anyone.
#[tauri::command]
#[specta::specta]
pub async fn create_staff(
    state: State<'_, Shared>,
    name: String,
    role: Role,
    pin: String,
) -> CmdResult<StaffMember> {
    run(&state, move |k, a| {
        k.people().create_staff(a, &name, role, &pin)
    })
    .await
}

/// Renames, changes the role of, (de)activates or sets a new PIN for a member.
#[tauri::command]
#[specta::specta]
pub async fn update_staff(
    state: State<'_, Shared>,
    id: StaffId,
    update: StaffUpdate,
) -> CmdResult<StaffMember> {
    run(&state, move |k, a| k.people().update_staff(a, id, update)).await
}

/// Lets a locked-out member sign in again at once.
#[tauri::command]
#[specta::specta]
pub async fn clear_lockout(state: State<'_, Shared>, id: StaffId) -> CmdResult<StaffMember> {
    run(&state, move |k, a| k.people().clear_lockout(a, id)).await
}

/// The signed-in member changes their own PIN, proving it with the current one.
#[tauri::command]
#[specta::specta]
pub async fn change_own_pin(
    state: State<'_, Shared>,
    current: String,
    new_pin: String,
) -> CmdResult<()> {
    run(&state, move |k, a| {
        k.people().change_own_pin(a, &current, &new_pin)
    })
    .await
}
