//! The money side of the till: the shift and its cash drawer (X and Z reports), finding an
//! order and refunding it.

use kasir_core::Money;
use kasir_core::sales::checkout::{Order, OrderId};
use kasir_core::sales::receipt::{WIDTH_58MM, WIDTH_80MM};
use kasir_core::sales::refunds::{
    Refund, RefundLineInput, RefundQuote, RefundRequest, RefundableOrder,
};
use kasir_core::sales::shifts::{
    CashCount, CashDirection, CashMovement, Shift, ShiftId, ShiftReport, denominations,
};
use serde::Serialize;
use tauri::State;

use super::{Approval, CmdResult, approver, run};
use crate::state::Shared;

/// An X or Z report, with its text for 58 mm and 80 mm paper.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ReportView {
    pub report: ShiftReport,
    pub text_58mm: String,
    pub text_80mm: String,
}

impl From<ShiftReport> for ReportView {
    fn from(report: ShiftReport) -> ReportView {
        ReportView {
            text_58mm: report.render_text(WIDTH_58MM),
            text_80mm: report.render_text(WIDTH_80MM),
            report,
        }
    }
}

#[tauri::command]
#[specta::specta]
pub async fn current_shift(state: State<'_, Shared>) -> CmdResult<Option<Shift>> {
    run(&state, |k, a| k.shifts().current(a)).await
}

#[tauri::command]
#[specta::specta]
pub async fn open_shift(state: State<'_, Shared>, opening_float: Money) -> CmdResult<Shift> {
    run(&state, move |k, a| k.shifts().open(a, opening_float.0)).await
}

#[tauri::command]
#[specta::specta]
pub async fn move_cash(
    state: State<'_, Shared>,
    direction: CashDirection,
    amount: Money,
    reason: String,
    approval: Option<Approval>,
) -> CmdResult<CashMovement> {
    run(&state, move |k, a| {
        let approver = approver(k, approval)?;
        k.shifts()
            .move_cash(a, approver.as_ref(), direction, amount.0, &reason)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn x_report(state: State<'_, Shared>) -> CmdResult<ReportView> {
    run(&state, |k, a| k.shifts().x_report(a).map(ReportView::from)).await
}

#[tauri::command]
#[specta::specta]
pub async fn close_shift(
    state: State<'_, Shared>,
    count: CashCount,
    note: String,
) -> CmdResult<ReportView> {
    run(&state, move |k, a| {
        k.shifts().close(a, &count, &note).map(ReportView::from)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn shift_history(state: State<'_, Shared>, limit: u32) -> CmdResult<Vec<Shift>> {
    run(&state, move |k, a| k.shifts().history(a, limit)).await
}

#[tauri::command]
#[specta::specta]
pub async fn shift_report(state: State<'_, Shared>, shift: ShiftId) -> CmdResult<ReportView> {
    run(&state, move |k, a| {
        k.shifts().report(a, shift).map(ReportView::from)
    })
    .await
}

/// The shop currency's notes and coins, largest first (empty: count the drawer as a total).
#[tauri::command]
#[specta::specta]
pub async fn cash_denominations(state: State<'_, Shared>) -> CmdResult<Vec<Money>> {
    let app = state.inner().clone();
    crate::state::blocking(move || {
        let currency = app.kasir().settings().get()?.currency;
        Ok(denominations(&currency))
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn find_order(state: State<'_, Shared>, receipt_no: String) -> CmdResult<Order> {
    run(&state, move |k, a| k.sales().find_order(a, &receipt_no)).await
}

#[tauri::command]
#[specta::specta]
pub async fn refundable_order(
    state: State<'_, Shared>,
    order: OrderId,
) -> CmdResult<RefundableOrder> {
    run(&state, move |k, a| k.sales().refundable(a, order)).await
}

#[tauri::command]
#[specta::specta]
pub async fn quote_refund(
    state: State<'_, Shared>,
    order: OrderId,
    lines: Vec<RefundLineInput>,
) -> CmdResult<RefundQuote> {
    run(&state, move |k, a| k.sales().quote_refund(a, order, &lines)).await
}

#[tauri::command]
#[specta::specta]
pub async fn refund(
    state: State<'_, Shared>,
    request: RefundRequest,
    approval: Option<Approval>,
) -> CmdResult<Refund> {
    run(&state, move |k, a| {
        let approver = approver(k, approval)?;
        k.sales().refund(a, approver.as_ref(), &request)
    })
    .await
}

/// The sales report for a range of the shop's days (managers and admins).
#[tauri::command]
#[specta::specta]
pub async fn sales_report(
    state: State<'_, Shared>,
    range: kasir_core::reports::ReportRange,
) -> CmdResult<kasir_core::reports::SalesReport> {
    run(&state, move |k, a| k.reports().sales(a, range)).await
}

/// One table of the sales report for `range`, saved as CSV in the export folder (Downloads);
/// returns the file's path.
#[tauri::command]
#[specta::specta]
pub async fn export_sales_report_csv(
    state: State<'_, Shared>,
    range: kasir_core::reports::ReportRange,
    table: kasir_core::reports::ReportTable,
) -> CmdResult<String> {
    let folder = state.export_dir();
    run(&state, move |k, a| {
        let report = k.reports().sales(a, range)?;
        std::fs::create_dir_all(&folder)?;
        let path = folder.join(format!(
            "kasir-report-{}-{}-{}.csv",
            table.as_str(),
            report.from,
            report.to
        ));
        std::fs::write(&path, report.to_csv(table))?;
        Ok(path.display().to_string())
    })
    .await
}
