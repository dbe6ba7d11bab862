//! Signing in and out.

use kasir_core::Actor;
use kasir_core::people::{StaffId, StaffMember};
use tauri::State;

use super::CmdResult;
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
