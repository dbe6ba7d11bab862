//! The orders board: today's orders and the kitchen flow.

use kasir_core::sales::checkout::{Order, OrderId, OrderStatus, OrderSummary};
use tauri::State;

use super::{Approval, CmdResult, approver, run};
use crate::state::Shared;

#[tauri::command]
#[specta::specta]
pub async fn orders_today(state: State<'_, Shared>) -> CmdResult<Vec<OrderSummary>> {
    run(&state, |k, a| k.sales().orders_today(a)).await
}

#[tauri::command]
#[specta::specta]
pub async fn advance_order(
    state: State<'_, Shared>,
    order: OrderId,
    to: OrderStatus,
) -> CmdResult<Order> {
    run(&state, move |k, a| k.sales().advance_order(a, order, to)).await
}

/// Sends a ready delivery out (completing it later means delivered).
#[tauri::command]
#[specta::specta]
pub async fn send_out_order(state: State<'_, Shared>, order: OrderId) -> CmdResult<Order> {
    run(&state, move |k, a| k.sales().send_out(a, order)).await
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_order(
    state: State<'_, Shared>,
    order: OrderId,
    reason: String,
    approval: Option<Approval>,
) -> CmdResult<Order> {
    run(&state, move |k, a| {
        let approver = approver(k, approval)?;
        k.sales().cancel_order(a, approver.as_ref(), order, &reason)
    })
    .await
}
