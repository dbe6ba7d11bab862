//! The till: tickets, discounts with a manager's approval, checkout, receipts.

use kasir_core::money::pricing::Discount;
use kasir_core::sales::checkout::{Order, OrderId, PaymentInput};
use kasir_core::sales::receipt::{Receipt, WIDTH_58MM, WIDTH_80MM};
use kasir_core::sales::tickets::{
    AddLine, OrderType, Ticket, TicketId, TicketLineId, TicketSummary,
};
use serde::Serialize;
use tauri::State;

use super::{Approval, CmdResult, approver, run};
use crate::state::Shared;

#[tauri::command]
#[specta::specta]
pub async fn open_ticket(
    state: State<'_, Shared>,
    order_type: OrderType,
    label: String,
) -> CmdResult<Ticket> {
    run(&state, move |k, a| {
        k.sales().open_ticket(a, order_type, &label)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn ticket(state: State<'_, Shared>, id: TicketId) -> CmdResult<Ticket> {
    run(&state, move |k, a| k.sales().ticket(a, id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_tickets(state: State<'_, Shared>) -> CmdResult<Vec<TicketSummary>> {
    run(&state, |k, a| k.sales().list_tickets(a)).await
}

/// Where a delivery goes.
#[tauri::command]
#[specta::specta]
pub async fn set_ticket_address(
    state: State<'_, Shared>,
    ticket: TicketId,
    address: String,
) -> CmdResult<Ticket> {
    run(&state, move |k, a| {
        k.sales().set_ticket_address(a, ticket, &address)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn set_ticket_info(
    state: State<'_, Shared>,
    id: TicketId,
    order_type: OrderType,
    label: String,
) -> CmdResult<Ticket> {
    run(&state, move |k, a| {
        k.sales().set_ticket_info(a, id, order_type, &label)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn set_ticket_parked(
    state: State<'_, Shared>,
    id: TicketId,
    parked: bool,
) -> CmdResult<Ticket> {
    run(&state, move |k, a| {
        k.sales().set_ticket_parked(a, id, parked)
    })
    .await
}

/// Takes over a ticket another member was serving (audited); it is then the caller's to change
/// and pay.
#[tauri::command]
#[specta::specta]
pub async fn take_over_ticket(state: State<'_, Shared>, id: TicketId) -> CmdResult<Ticket> {
    run(&state, move |k, a| k.sales().take_over_ticket(a, id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn discard_ticket(state: State<'_, Shared>, id: TicketId) -> CmdResult<()> {
    run(&state, move |k, a| k.sales().discard_ticket(a, id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn add_to_ticket(
    state: State<'_, Shared>,
    ticket: TicketId,
    line: AddLine,
) -> CmdResult<Ticket> {
    run(&state, move |k, a| k.sales().add_to_ticket(a, ticket, line)).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_line_quantity(
    state: State<'_, Shared>,
    ticket: TicketId,
    line: TicketLineId,
    quantity: u32,
) -> CmdResult<Ticket> {
    run(&state, move |k, a| {
        k.sales()
            .set_line_quantity(a, ticket, line, i64::from(quantity))
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn remove_line(
    state: State<'_, Shared>,
    ticket: TicketId,
    line: TicketLineId,
) -> CmdResult<Ticket> {
    run(&state, move |k, a| k.sales().remove_line(a, ticket, line)).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_line_discount(
    state: State<'_, Shared>,
    ticket: TicketId,
    line: TicketLineId,
    discount: Option<Discount>,
    approval: Option<Approval>,
) -> CmdResult<Ticket> {
    run(&state, move |k, a| {
        let approver = approver(k, approval)?;
        k.sales()
            .set_line_discount(a, approver.as_ref(), ticket, line, discount)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn set_order_discount(
    state: State<'_, Shared>,
    ticket: TicketId,
    discount: Option<Discount>,
    approval: Option<Approval>,
) -> CmdResult<Ticket> {
    run(&state, move |k, a| {
        let approver = approver(k, approval)?;
        k.sales()
            .set_order_discount(a, approver.as_ref(), ticket, discount)
    })
    .await
}

/// Sells the ticket. `approval`: a manager's PIN, needed only when discounts brought the total
/// to zero and the cashier lacks the discount right (the error says so).
#[tauri::command]
#[specta::specta]
pub async fn checkout(
    state: State<'_, Shared>,
    ticket: TicketId,
    payments: Vec<PaymentInput>,
    approval: Option<Approval>,
) -> CmdResult<Order> {
    run(&state, move |k, a| {
        let approver = approver(k, approval)?;
        k.sales()
            .checkout_approved(a, approver.as_ref(), ticket, &payments)
    })
    .await
}

/// A receipt's data and its text for 58 mm and 80 mm paper.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ReceiptView {
    pub receipt: Receipt,
    pub text_58mm: String,
    pub text_80mm: String,
}

#[tauri::command]
#[specta::specta]
pub async fn receipt(state: State<'_, Shared>, order: OrderId) -> CmdResult<ReceiptView> {
    run(&state, move |k, a| {
        let receipt = k.sales().receipt(a, order)?;
        Ok(ReceiptView {
            text_58mm: receipt.render_text(WIDTH_58MM),
            text_80mm: receipt.render_text(WIDTH_80MM),
            receipt,
        })
    })
    .await
}
