//! Stock in admin mode: adjustments, counts, a product's ledger, low-stock alerts; and each
//! staff member's notifications.

use kasir_core::catalog::{
    CountLine, CountedLine, LedgerPage, Product, ProductId, StockAlert, StockReason,
};
use kasir_core::notices::Notice;
use tauri::State;

use super::{CmdResult, run};
use crate::state::Shared;

/// Changes a counted product's stock by hand, with a reason and a note.
#[tauri::command]
#[specta::specta]
pub async fn adjust_stock(
    state: State<'_, Shared>,
    id: ProductId,
    delta: i32,
    reason: StockReason,
    note: String,
) -> CmdResult<Product> {
    run(&state, move |k, a| {
        k.catalog()
            .adjust_stock(a, id, i64::from(delta), reason, &note)
    })
    .await
}

/// A stock count: the counted quantity of many products, written in one transaction.
#[tauri::command]
#[specta::specta]
pub async fn count_stock(
    state: State<'_, Shared>,
    lines: Vec<CountLine>,
    note: String,
) -> CmdResult<Vec<CountedLine>> {
    run(&state, move |k, a| {
        k.catalog().count_stock(a, &lines, &note)
    })
    .await
}

/// A product's ledger, newest first, with the count after each movement.
#[tauri::command]
#[specta::specta]
pub async fn stock_history(
    state: State<'_, Shared>,
    id: ProductId,
    before: Option<i32>,
    limit: u32,
) -> CmdResult<LedgerPage> {
    run(&state, move |k, a| {
        k.catalog()
            .stock_history(a, id, before.map(i64::from), limit)
    })
    .await
}

/// Open low-stock alerts, worst first (and the latest resolved ones when asked).
#[tauri::command]
#[specta::specta]
pub async fn stock_alerts(
    state: State<'_, Shared>,
    resolved_too: bool,
) -> CmdResult<Vec<StockAlert>> {
    run(&state, move |k, a| {
        k.catalog().stock_alerts(a, resolved_too)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn resolve_alert(state: State<'_, Shared>, id: i32) -> CmdResult<()> {
    run(&state, move |k, a| {
        k.catalog().resolve_alert(a, i64::from(id))
    })
    .await
}

/// The signed-in member's notifications, unread first.
#[tauri::command]
#[specta::specta]
pub async fn notices(state: State<'_, Shared>) -> CmdResult<Vec<Notice>> {
    run(&state, move |k, a| k.notices().list(a, 100)).await
}

/// What the top bar's badges count: unread notifications, and open alerts for a manager.
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct Badges {
    pub unread: u32,
    pub open_alerts: u32,
}

#[tauri::command]
#[specta::specta]
pub async fn badges(state: State<'_, Shared>) -> CmdResult<Badges> {
    run(&state, move |k, a| {
        let unread = k.notices().unread(a)?;
        let open_alerts = if a.role().allows(kasir_core::Permission::AdjustStock) {
            k.catalog().open_alerts(a)?
        } else {
            0
        };
        Ok(Badges {
            unread,
            open_alerts,
        })
    })
    .await
}

/// Marks one notification read, or all of them (`id: null`); returns how many changed.
#[tauri::command]
#[specta::specta]
pub async fn mark_notices_read(state: State<'_, Shared>, id: Option<i32>) -> CmdResult<u32> {
    run(&state, move |k, a| {
        k.notices().mark_read(a, id.map(i64::from))
    })
    .await
}
