//! Coupons and vouchers: a cashier puts a coupon on a ticket by its code, a member buys a
//! voucher with points and uses it on a ticket; managers keep both catalogues and read each
//! coupon's uses.

use kasir_core::members::MemberId;
use kasir_core::offers::coupons::{Coupon, CouponId, CouponInput, CouponUse};
use kasir_core::offers::vouchers::{Redemption, RedemptionId, Voucher, VoucherId, VoucherInput};
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

/// The voucher catalogue (anyone at the till: members choose from it).
#[tauri::command]
#[specta::specta]
pub async fn list_vouchers(state: State<'_, Shared>) -> CmdResult<Vec<Voucher>> {
    run(&state, move |k, a| k.vouchers().list(a)).await
}

#[tauri::command]
#[specta::specta]
pub async fn create_voucher(state: State<'_, Shared>, voucher: VoucherInput) -> CmdResult<Voucher> {
    run(&state, move |k, a| k.vouchers().create(a, &voucher)).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_voucher(
    state: State<'_, Shared>,
    id: VoucherId,
    voucher: VoucherInput,
) -> CmdResult<Voucher> {
    run(&state, move |k, a| k.vouchers().update(a, id, &voucher)).await
}

/// A member buys a voucher with points.
#[tauri::command]
#[specta::specta]
pub async fn redeem_voucher(
    state: State<'_, Shared>,
    member: MemberId,
    voucher: VoucherId,
) -> CmdResult<Redemption> {
    run(&state, move |k, a| k.vouchers().redeem(a, member, voucher)).await
}

/// Cancels a pending redemption: the points and the stock come back.
#[tauri::command]
#[specta::specta]
pub async fn cancel_redemption(
    state: State<'_, Shared>,
    id: RedemptionId,
) -> CmdResult<Redemption> {
    run(&state, move |k, a| k.vouchers().cancel(a, id)).await
}

/// A member's redemptions, pending first.
#[tauri::command]
#[specta::specta]
pub async fn member_redemptions(
    state: State<'_, Shared>,
    member: MemberId,
) -> CmdResult<Vec<Redemption>> {
    run(&state, move |k, a| k.vouchers().of_member(a, member)).await
}

/// Uses a member's pending redemption on the ticket (None: takes it off).
#[tauri::command]
#[specta::specta]
pub async fn set_ticket_voucher(
    state: State<'_, Shared>,
    ticket: TicketId,
    redemption: Option<RedemptionId>,
) -> CmdResult<Ticket> {
    run(&state, move |k, a| {
        k.sales().set_ticket_voucher(a, ticket, redemption)
    })
    .await
}
