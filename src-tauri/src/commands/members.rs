//! Members at the till and in admin mode: finding them as you type, adding and changing them,
//! naming one on a ticket, their points and the loyalty programme's settings.

use kasir_core::catalog::ProductId;
use kasir_core::members::points::{LoyaltySettings, PointsEntry};
use kasir_core::members::reviews::{Review, ReviewId, ReviewInput, Reviewable};
use kasir_core::members::table::{MemberOrder, MemberPage, MemberQuery, MemberStats};
use kasir_core::members::wallet::WalletEntry;
use kasir_core::members::{Member, MemberId, MemberInput};
use kasir_core::sales::checkout::PaymentMethod;
use kasir_core::sales::tickets::{Ticket, TicketId};
use tauri::State;

use super::{Approval, CmdResult, approver, run};
use crate::state::Shared;

/// Members as you type: name words, phone digits or the member number.
#[tauri::command]
#[specta::specta]
pub async fn search_members(
    state: State<'_, Shared>,
    text: String,
    limit: u32,
) -> CmdResult<Vec<Member>> {
    run(&state, move |k, a| k.members().search(a, &text, limit)).await
}

/// Adds a member; `referral` is the code of the member who brought them (empty: none).
#[tauri::command]
#[specta::specta]
pub async fn add_member(
    state: State<'_, Shared>,
    member: MemberInput,
    referral: String,
) -> CmdResult<Member> {
    run(&state, move |k, a| k.members().add(a, &member, &referral)).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_member(
    state: State<'_, Shared>,
    id: MemberId,
    member: MemberInput,
) -> CmdResult<Member> {
    run(&state, move |k, a| k.members().update(a, id, &member)).await
}

#[tauri::command]
#[specta::specta]
pub async fn get_member(state: State<'_, Shared>, id: MemberId) -> CmdResult<Member> {
    run(&state, move |k, a| k.members().get(a, id)).await
}

/// Deactivates a member or makes them active again (managers).
#[tauri::command]
#[specta::specta]
pub async fn set_member_active(
    state: State<'_, Shared>,
    id: MemberId,
    active: bool,
) -> CmdResult<Member> {
    run(&state, move |k, a| k.members().set_active(a, id, active)).await
}

/// Names the member a ticket is for (None: nobody).
#[tauri::command]
#[specta::specta]
pub async fn set_ticket_member(
    state: State<'_, Shared>,
    ticket: TicketId,
    member: Option<MemberId>,
) -> CmdResult<Ticket> {
    run(&state, move |k, a| {
        k.sales().set_ticket_member(a, ticket, member)
    })
    .await
}

/// A member's points entries, newest first.
#[tauri::command]
#[specta::specta]
pub async fn points_history(
    state: State<'_, Shared>,
    member: MemberId,
    limit: u32,
) -> CmdResult<Vec<PointsEntry>> {
    run(&state, move |k, a| k.points().history(a, member, limit)).await
}

/// A manager's correction of a member's points, with a reason (a cashier brings a PIN).
#[tauri::command]
#[specta::specta]
pub async fn adjust_points(
    state: State<'_, Shared>,
    member: MemberId,
    points: i32,
    reason: String,
    approval: Option<Approval>,
) -> CmdResult<Member> {
    run(&state, move |k, a| {
        let approver = approver(k, approval)?;
        k.points()
            .adjust(a, approver.as_ref(), member, i64::from(points), &reason)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn loyalty_settings(state: State<'_, Shared>) -> CmdResult<LoyaltySettings> {
    run(&state, |k, a| k.points().settings(a)).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_loyalty_settings(
    state: State<'_, Shared>,
    settings: LoyaltySettings,
) -> CmdResult<LoyaltySettings> {
    run(&state, move |k, a| k.points().set_settings(a, &settings)).await
}

/// Puts money into a member's wallet (cash goes into the open shift's drawer).
#[tauri::command]
#[specta::specta]
pub async fn top_up_wallet(
    state: State<'_, Shared>,
    member: MemberId,
    amount: kasir_core::Money,
    method: PaymentMethod,
    reference: Option<String>,
) -> CmdResult<Member> {
    run(&state, move |k, a| {
        k.wallets()
            .top_up(a, member, amount.0, method, reference.as_deref())
    })
    .await
}

/// A member's wallet entries, newest first.
#[tauri::command]
#[specta::specta]
pub async fn wallet_history(
    state: State<'_, Shared>,
    member: MemberId,
    limit: u32,
) -> CmdResult<Vec<WalletEntry>> {
    run(&state, move |k, a| k.wallets().history(a, member, limit)).await
}

/// Records a member's review of a product they bought; `photo` is a picture as base64 (or a
/// data URL), checked like any picture.
#[tauri::command]
#[specta::specta]
pub async fn write_review(
    state: State<'_, Shared>,
    review: ReviewInput,
    photo: Option<String>,
) -> CmdResult<Review> {
    run(&state, move |k, a| {
        let bytes = photo
            .as_deref()
            .map(super::catalog::decode_picture)
            .transpose()?;
        k.reviews().write(a, &review, bytes.as_deref())
    })
    .await
}

/// Hides a review or shows it again (managers).
#[tauri::command]
#[specta::specta]
pub async fn set_review_hidden(
    state: State<'_, Shared>,
    id: ReviewId,
    hidden: bool,
) -> CmdResult<Review> {
    run(&state, move |k, a| k.reviews().set_hidden(a, id, hidden)).await
}

/// A product's reviews, newest first (hidden ones too for managers who ask).
#[tauri::command]
#[specta::specta]
pub async fn product_reviews(
    state: State<'_, Shared>,
    product: ProductId,
    include_hidden: bool,
) -> CmdResult<Vec<Review>> {
    run(&state, move |k, a| {
        k.reviews().of_product(a, product, include_hidden, 50)
    })
    .await
}

/// What a member bought, with their rating of each: what the till offers to review.
#[tauri::command]
#[specta::specta]
pub async fn reviewable_products(
    state: State<'_, Shared>,
    member: MemberId,
) -> CmdResult<Vec<Reviewable>> {
    run(&state, move |k, a| k.reviews().reviewable(a, member)).await
}

/// The members table in admin mode.
#[tauri::command]
#[specta::specta]
pub async fn list_members(state: State<'_, Shared>, query: MemberQuery) -> CmdResult<MemberPage> {
    run(&state, move |k, a| k.members().list(a, &query)).await
}

/// The programme at a glance: members per tier, active, points and wallets held.
#[tauri::command]
#[specta::specta]
pub async fn member_stats(state: State<'_, Shared>) -> CmdResult<MemberStats> {
    run(&state, |k, a| k.members().stats(a)).await
}

/// A member's orders, newest first.
#[tauri::command]
#[specta::specta]
pub async fn member_orders(
    state: State<'_, Shared>,
    member: MemberId,
    limit: u32,
) -> CmdResult<Vec<MemberOrder>> {
    run(&state, move |k, a| k.members().orders(a, member, limit)).await
}
