//! The IPC surface: one command per core use case, split by domain as the core is. Each turns
//! its arguments into one core call on a blocking thread and maps the result; no SQL and no
//! business rules live here.

pub mod app;
pub mod audit;
pub mod backup;
pub mod catalog;
pub mod coupons;
pub mod members;
pub mod money;
pub mod orders;
pub mod printing;
pub mod sales;
pub mod staff;
pub mod stock;
pub mod sync;

use kasir_core::access::StaffId;
use kasir_core::{Actor, Kasir};
use serde::Deserialize;
use tauri::State;

use crate::error::CommandError;
use crate::state::{Shared, blocking};

pub type CmdResult<T> = Result<T, CommandError>;

/// Runs a use case as the signed-in member, off the main thread. The core takes its own locks
/// (the writer's only for a transaction, a pooled reader for reads), so a menu search never
/// waits for a sale and a PIN check never holds up either.
pub(crate) async fn run<T: Send + 'static>(
    state: &State<'_, Shared>,
    f: impl FnOnce(&Kasir, &Actor) -> kasir_core::Result<T> + Send + 'static,
) -> CmdResult<T> {
    let app = state.inner().clone();
    blocking(move || {
        let actor = app.actor()?;
        Ok(f(app.kasir(), &actor)?)
    })
    .await
}

/// A manager's PIN entered at the till to approve a discount or a cancellation.
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct Approval {
    pub staff_id: StaffId,
    pub pin: String,
}

/// The approving manager, if their PIN is right: wrong PINs count on their approval counter,
/// never toward their sign-in lock-out.
pub(crate) fn approver(k: &Kasir, approval: Option<Approval>) -> kasir_core::Result<Option<Actor>> {
    approval
        .map(|a| k.people().approver(a.staff_id, &a.pin))
        .transpose()
}
