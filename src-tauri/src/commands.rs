//! The IPC surface: one command per core use case. Each turns its arguments into a core call
//! on a blocking thread and maps the result; no SQL and no business rules live here.

use kasir_core::catalog::{Category, Product, ProductCard, ProductId, ProductQuery};
use kasir_core::checkout::{Order, OrderId, OrderStatus, OrderSummary, PaymentInput};
use kasir_core::pricing::Discount;
use kasir_core::receipt::{Receipt, WIDTH_58MM, WIDTH_80MM};
use kasir_core::settings::Settings;
use kasir_core::staff::{ShopSetup, StaffId, StaffMember};
use kasir_core::tickets::{AddLine, OrderType, Ticket, TicketId, TicketLineId, TicketSummary};
use kasir_core::{Actor, Kasir};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::error::CommandError;
use crate::state::{Shared, blocking};

type CmdResult<T> = Result<T, CommandError>;

/// Runs a use case on the writer connection as the signed-in member.
async fn write<T: Send + 'static>(
    state: &State<'_, Shared>,
    f: impl FnOnce(&mut Kasir, &Actor) -> kasir_core::Result<T> + Send + 'static,
) -> CmdResult<T> {
    let app = state.inner().clone();
    blocking(move || {
        let actor = app.actor()?;
        Ok(f(&mut app.writer(), &actor)?)
    })
    .await
}

/// Runs a read on the reader connection, which never waits for a sale to commit.
async fn read<T: Send + 'static>(
    state: &State<'_, Shared>,
    f: impl FnOnce(&Kasir, &Actor) -> kasir_core::Result<T> + Send + 'static,
) -> CmdResult<T> {
    let app = state.inner().clone();
    blocking(move || {
        let actor = app.actor()?;
        Ok(f(&app.reader(), &actor)?)
    })
    .await
}

/// A manager's PIN entered at the till to approve a discount or a cancellation.
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct Approval {
    pub staff_id: StaffId,
    pub pin: String,
}

fn approver(k: &mut Kasir, approval: Option<Approval>) -> kasir_core::Result<Option<Actor>> {
    approval.map(|a| k.login(a.staff_id, &a.pin)).transpose()
}

/// What the UI needs at start-up.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AppStatus {
    pub needs_setup: bool,
    pub settings: Settings,
    pub signed_in: Option<Actor>,
    /// Today's business date in the shop's time zone, `2026-11-21`.
    pub today: String,
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
        let k = app.reader();
        Ok(AppStatus {
            needs_setup: k.needs_setup()?,
            settings: k.settings()?,
            signed_in: app.session(),
            today: k.today()?.to_string(),
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
        return Err(CommandError::Validation {
            field: "at_unix_ms".into(),
            message: "not a time".into(),
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

/// First run: names the shop and creates its first admin, who is then signed in.
#[tauri::command]
#[specta::specta]
pub async fn set_up_shop(state: State<'_, Shared>, setup: ShopSetup) -> CmdResult<Actor> {
    let app = state.inner().clone();
    blocking(move || {
        let actor = app.writer().set_up_shop(setup)?;
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
    blocking(move || Ok(kasir_core::demo::seed_demo(&mut app.writer(), true).map(drop)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_staff(state: State<'_, Shared>) -> CmdResult<Vec<StaffMember>> {
    let app = state.inner().clone();
    blocking(move || Ok(app.reader().active_staff()?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn sign_in(state: State<'_, Shared>, staff_id: StaffId, pin: String) -> CmdResult<Actor> {
    let app = state.inner().clone();
    blocking(move || {
        let actor = app.writer().login(staff_id, &pin)?;
        app.set_session(Some(actor.clone()));
        Ok(actor)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn sign_out(state: State<'_, Shared>) -> CmdResult<()> {
    state.set_session(None);
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn list_categories(state: State<'_, Shared>) -> CmdResult<Vec<Category>> {
    read(&state, |k, a| k.list_categories(a, false)).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_products(
    state: State<'_, Shared>,
    query: ProductQuery,
) -> CmdResult<Vec<ProductCard>> {
    read(&state, move |k, a| k.list_products(a, &query)).await
}

#[tauri::command]
#[specta::specta]
pub async fn search_products(
    state: State<'_, Shared>,
    text: String,
    limit: u32,
) -> CmdResult<Vec<ProductCard>> {
    read(&state, move |k, a| {
        k.search_products(a, &text, limit, false)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn product(state: State<'_, Shared>, id: ProductId) -> CmdResult<Product> {
    read(&state, move |k, a| k.product(a, id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn product_by_barcode(state: State<'_, Shared>, code: String) -> CmdResult<ProductCard> {
    read(&state, move |k, a| k.product_by_barcode(a, &code)).await
}

#[tauri::command]
#[specta::specta]
pub async fn open_ticket(
    state: State<'_, Shared>,
    order_type: OrderType,
    label: String,
) -> CmdResult<Ticket> {
    write(&state, move |k, a| k.open_ticket(a, order_type, &label)).await
}

#[tauri::command]
#[specta::specta]
pub async fn ticket(state: State<'_, Shared>, id: TicketId) -> CmdResult<Ticket> {
    write(&state, move |k, a| k.ticket(a, id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_tickets(state: State<'_, Shared>) -> CmdResult<Vec<TicketSummary>> {
    write(&state, |k, a| k.list_tickets(a)).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_ticket_info(
    state: State<'_, Shared>,
    id: TicketId,
    order_type: OrderType,
    label: String,
) -> CmdResult<Ticket> {
    write(&state, move |k, a| {
        k.set_ticket_info(a, id, order_type, &label)
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
    write(&state, move |k, a| k.set_ticket_parked(a, id, parked)).await
}

#[tauri::command]
#[specta::specta]
pub async fn discard_ticket(state: State<'_, Shared>, id: TicketId) -> CmdResult<()> {
    write(&state, move |k, a| k.discard_ticket(a, id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn add_to_ticket(
    state: State<'_, Shared>,
    ticket: TicketId,
    line: AddLine,
) -> CmdResult<Ticket> {
    write(&state, move |k, a| k.add_to_ticket(a, ticket, line)).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_line_quantity(
    state: State<'_, Shared>,
    ticket: TicketId,
    line: TicketLineId,
    quantity: u32,
) -> CmdResult<Ticket> {
    write(&state, move |k, a| {
        k.set_line_quantity(a, ticket, line, i64::from(quantity))
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
    write(&state, move |k, a| k.remove_line(a, ticket, line)).await
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
    write(&state, move |k, a| {
        let approver = approver(k, approval)?;
        k.set_line_discount(a, approver.as_ref(), ticket, line, discount)
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
    write(&state, move |k, a| {
        let approver = approver(k, approval)?;
        k.set_order_discount(a, approver.as_ref(), ticket, discount)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn checkout(
    state: State<'_, Shared>,
    ticket: TicketId,
    payments: Vec<PaymentInput>,
) -> CmdResult<Order> {
    write(&state, move |k, a| k.checkout(a, ticket, &payments)).await
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
    read(&state, move |k, a| {
        let receipt = k.receipt(a, order)?;
        Ok(ReceiptView {
            text_58mm: receipt.render_text(WIDTH_58MM),
            text_80mm: receipt.render_text(WIDTH_80MM),
            receipt,
        })
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn orders_today(state: State<'_, Shared>) -> CmdResult<Vec<OrderSummary>> {
    read(&state, |k, a| k.orders_today(a)).await
}

#[tauri::command]
#[specta::specta]
pub async fn advance_order(
    state: State<'_, Shared>,
    order: OrderId,
    to: OrderStatus,
) -> CmdResult<Order> {
    write(&state, move |k, a| k.advance_order(a, order, to)).await
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_order(
    state: State<'_, Shared>,
    order: OrderId,
    reason: String,
    approval: Option<Approval>,
) -> CmdResult<Order> {
    write(&state, move |k, a| {
        let approver = approver(k, approval)?;
        k.cancel_order(a, approver.as_ref(), order, &reason)
    })
    .await
}
