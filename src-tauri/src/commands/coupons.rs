//! Coupons: a cashier puts one on a ticket by its code; managers keep the catalogue and read
//! each coupon's uses.

use kasir_core::offers::coupons::{Coupon, CouponId, CouponInput, CouponUse};
use kasir_core::sales::tickets::{Ticket, TicketId};
use tauri::State;

use super::{CmdResult, run};
use crate::state::Shared;

/// Puts the coupon with this code (typed or scanned) on the ticket, or takes it off (None).
/// A refusal says why: expired, minimum not reached, limit used, another customer group.
#[tauri::command]
#[specta::specta]
pub async fn set_ticket_coupon(
    state: State<'_, Shared>,
    ticket: TicketId,
    code: Option<String>,
) -> CmdResult<Ticket> {
    run(&state, move |k, a| {
        k.sales().set_ticket_coupon(a, ticket, code.as_deref())
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn list_coupons(state: State<'_, Shared>) -> CmdResult<Vec<Coupon>> {
    run(&state, move |k, a| k.coupons().list(a)).await
}

#[tauri::command]
#[specta::specta]
pub async fn create_coupon(state: State<'_, Shared>, coupon: CouponInput) -> CmdResult<Coupon> {
    run(&state, move |k, a| k.coupons().create(a, &coupon)).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_coupon(
    state: State<'_, Shared>,
    id: CouponId,
    coupon: CouponInput,
) -> CmdResult<Coupon> {
    run(&state, move |k, a| k.coupons().update(a, id, &coupon)).await
}

/// A coupon's uses, newest first.
#[tauri::command]
#[specta::specta]
pub async fn coupon_uses(
    state: State<'_, Shared>,
    id: CouponId,
    limit: u32,
) -> CmdResult<Vec<CouponUse>> {
    run(&state, move |k, a| k.coupons().uses(a, id, limit)).await
}
