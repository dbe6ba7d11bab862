//! Printing: the printers in admin mode (with a test page), kitchen routing, the queue (retry,
//! cancel, reprint), a receipt or report printed on request, the drawer opened by a manager,
//! and the top bar's summary. The app's print thread (`AppState::start_printing`) prints.

use kasir_core::catalog::CategoryId;
use kasir_core::printing::{
    CategoryStation, PrintJob, PrintStatus, Printer, PrinterInput, Station, TestPrint,
};
use kasir_core::sales::checkout::OrderId;
use kasir_core::sales::shifts::ShiftId;
use tauri::State;

use super::{Approval, CmdResult, approver, run};
use crate::state::Shared;

#[tauri::command]
#[specta::specta]
pub async fn list_printers(state: State<'_, Shared>) -> CmdResult<Vec<Printer>> {
    run(&state, |k, a| k.printing().printers(a)).await
}

/// Adds a printer (`id` null) or changes one.
#[tauri::command]
#[specta::specta]
pub async fn save_printer(
    state: State<'_, Shared>,
    id: Option<i32>,
    printer: PrinterInput,
) -> CmdResult<Printer> {
    run(&state, move |k, a| {
        k.printing().save_printer(a, id.map(i64::from), printer)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn remove_printer(state: State<'_, Shared>, id: i32) -> CmdResult<()> {
    run(&state, move |k, a| {
        k.printing().remove_printer(a, i64::from(id))
    })
    .await
}

/// Prints a test page now and says how it went (waits a few seconds at most).
#[tauri::command]
#[specta::specta]
pub async fn test_printer(state: State<'_, Shared>, id: i32) -> CmdResult<TestPrint> {
    run(&state, move |k, a| {
        k.printing().test_print(a, i64::from(id))
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn printer_stations(state: State<'_, Shared>) -> CmdResult<Vec<CategoryStation>> {
    run(&state, |k, a| k.printing().stations(a)).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_printer_station(
    state: State<'_, Shared>,
    category: CategoryId,
    station: Option<Station>,
) -> CmdResult<()> {
    run(&state, move |k, a| {
        k.printing().set_station(a, category, station)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn print_jobs(state: State<'_, Shared>, limit: u32) -> CmdResult<Vec<PrintJob>> {
    run(&state, move |k, a| k.printing().jobs(a, limit)).await
}

#[tauri::command]
#[specta::specta]
pub async fn print_status(state: State<'_, Shared>) -> CmdResult<PrintStatus> {
    run(&state, |k, a| k.printing().status(a)).await
}

#[tauri::command]
#[specta::specta]
pub async fn retry_print_job(state: State<'_, Shared>, id: i32) -> CmdResult<PrintJob> {
    run(&state, move |k, a| k.printing().retry(a, i64::from(id))).await
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_print_job(state: State<'_, Shared>, id: i32) -> CmdResult<PrintJob> {
    run(&state, move |k, a| k.printing().cancel(a, i64::from(id))).await
}

#[tauri::command]
#[specta::specta]
pub async fn reprint_job(state: State<'_, Shared>, id: i32) -> CmdResult<PrintJob> {
    run(&state, move |k, a| k.printing().reprint(a, i64::from(id))).await
}

/// Prints an order's receipt: the original the first time, a copy after. How many printers.
#[tauri::command]
#[specta::specta]
pub async fn print_receipt(state: State<'_, Shared>, order: OrderId) -> CmdResult<u32> {
    run(&state, move |k, a| k.printing().print_receipt(a, order)).await
}

/// Prints a shift's report (X while open, Z once closed) on the receipt printers.
#[tauri::command]
#[specta::specta]
pub async fn print_shift_report(state: State<'_, Shared>, shift: ShiftId) -> CmdResult<u32> {
    run(&state, move |k, a| k.printing().print_report(a, shift)).await
}

/// Opens the cash drawer with a reason (a manager's, or a cashier with a manager's PIN).
#[tauri::command]
#[specta::specta]
pub async fn open_drawer(
    state: State<'_, Shared>,
    reason: String,
    approval: Option<Approval>,
) -> CmdResult<()> {
    run(&state, move |k, a| {
        let approver = approver(k, approval)?;
        k.printing().open_drawer(a, approver.as_ref(), &reason)
    })
    .await
}

/// The logo printed at the top of receipts, as a base64 PNG (grey), or null.
#[tauri::command]
#[specta::specta]
pub async fn receipt_logo(state: State<'_, Shared>) -> CmdResult<Option<String>> {
    use base64::Engine;
    run(&state, |k, a| {
        Ok(k.printing()
            .logo(a)?
            .map(|png| base64::engine::general_purpose::STANDARD.encode(png)))
    })
    .await
}

/// Sets the receipt's logo from a picture (base64 PNG, JPEG or WebP), or removes it (null).
#[tauri::command]
#[specta::specta]
pub async fn set_receipt_logo(state: State<'_, Shared>, data: Option<String>) -> CmdResult<()> {
    run(&state, move |k, a| {
        let bytes = data
            .as_deref()
            .map(super::catalog::decode_picture)
            .transpose()?;
        k.printing().set_logo(a, bytes.as_deref())
    })
    .await
}
