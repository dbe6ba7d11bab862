//! Kasir's sync wire: the versioned [`Envelope`] and one payload type per outbox kind.
//!
//! **Architecture Invariant**: this crate knows nothing of SQLite, HTTP or the UI: serde types
//! only. The terminal's core and the server both depend on it, never on each other.
//! The optional `openapi` feature (off by default; the server turns it on) derives
//! `utoipa::ToSchema` on the HTTP API's types for the server's OpenAPI document.
//!
//! **Compatibility**: a payload field is only ever added (with `#[serde(default)]`), never
//! renamed or retyped, within a major version; [`VERSION`] goes up when the meaning of an
//! envelope changes. A newer server reads every older version; a terminal refuses a server
//! whose major version is newer than its own (`kasir-sync`). The snapshot tests in
//! `tests/snapshots.rs` pin the JSON of every kind.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub mod api;
pub mod catalog;
#[cfg(feature = "fixtures")]
pub mod fixtures;
pub mod members;
pub mod offers;
pub mod people;
pub mod sales;
pub mod settings;
pub mod till;

pub use crate::catalog::{Category, ModifierGroup, ModifierOption, Product, StockAdjusted};
pub use crate::members::{Member, PointsEntry, PointsKind, Review, WalletEntry, WalletKind};
pub use crate::offers::{Coupon, CouponRule, CouponUse, Redemption, Reward, TierStep, Voucher};
pub use crate::people::StaffMember;
pub use crate::sales::{
    ChosenModifier, Order, OrderCancelled, OrderLine, OrderSentOut, OrderStatus,
    OrderStatusChanged, OrderType, Payment, PaymentMethod, Sale, StockReturned, StockTaken,
};
pub use crate::settings::{ShopSettings, StockLevel};
pub use crate::till::{
    CashDirection, CashMoved, Refund, RefundLine, RefundPayment, ShiftClosed, ShiftOpened,
};

/// The envelope version this build writes.
pub const VERSION: u32 = 1;

/// One outbox entry on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// The envelope version ([`VERSION`] when written by this build).
    pub v: u32,
    /// Idempotency key: the server applies an id it has seen before as a duplicate.
    pub id: Uuid,
    /// The terminal's code (`T01`).
    pub terminal: String,
    /// The terminal's outbox sequence number: only goes up, never reused.
    pub seq: i64,
    pub created_at: Timestamp,
    /// The kind and its payload: `"kind": "sale", "payload": {…}`.
    #[serde(flatten)]
    pub payload: Payload,
}

/// What happened, one variant per outbox kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum Payload {
    Sale(Sale),
    OrderStatus(OrderStatusChanged),
    OrderCancelled(OrderCancelled),
    StockAdjusted(StockAdjusted),
    CategoryUpserted(Category),
    ProductUpserted(Product),
    StaffUpserted(StaffMember),
    SettingsChanged(ShopSettings),
    ShiftOpened(ShiftOpened),
    CashMoved(CashMoved),
    ShiftClosed(ShiftClosed),
    Refund(Refund),
    MemberUpserted(Member),
    PointsEntry(PointsEntry),
    WalletEntry(WalletEntry),
    ReviewUpserted(Review),
    CouponUpserted(Coupon),
    CouponUse(CouponUse),
    VoucherUpserted(Voucher),
    Redemption(Redemption),
    OrderSentOut(OrderSentOut),
}

impl Payload {
    /// The kind's name on the wire and in the outbox table.
    pub fn kind(&self) -> &'static str {
        match self {
            Payload::Sale(_) => "sale",
            Payload::OrderStatus(_) => "order_status",
            Payload::OrderCancelled(_) => "order_cancelled",
            Payload::StockAdjusted(_) => "stock_adjusted",
            Payload::CategoryUpserted(_) => "category_upserted",
            Payload::ProductUpserted(_) => "product_upserted",
            Payload::StaffUpserted(_) => "staff_upserted",
            Payload::SettingsChanged(_) => "settings_changed",
            Payload::ShiftOpened(_) => "shift_opened",
            Payload::CashMoved(_) => "cash_moved",
            Payload::ShiftClosed(_) => "shift_closed",
            Payload::Refund(_) => "refund",
            Payload::MemberUpserted(_) => "member_upserted",
            Payload::PointsEntry(_) => "points_entry",
            Payload::WalletEntry(_) => "wallet_entry",
            Payload::ReviewUpserted(_) => "review_upserted",
            Payload::CouponUpserted(_) => "coupon_upserted",
            Payload::CouponUse(_) => "coupon_use",
            Payload::VoucherUpserted(_) => "voucher_upserted",
            Payload::Redemption(_) => "redemption",
            Payload::OrderSentOut(_) => "order_sent_out",
        }
    }

    /// Every kind's name, for tests and the server's routing.
    pub const KINDS: [&'static str; 21] = [
        "sale",
        "order_status",
        "order_cancelled",
        "stock_adjusted",
        "category_upserted",
        "product_upserted",
        "staff_upserted",
        "settings_changed",
        "shift_opened",
        "cash_moved",
        "shift_closed",
        "refund",
        "member_upserted",
        "points_entry",
        "wallet_entry",
        "review_upserted",
        "coupon_upserted",
        "coupon_use",
        "voucher_upserted",
        "redemption",
        "order_sent_out",
    ];

    /// Reads a payload from its kind and a borrowed JSON value, without copying the value.
    pub fn from_kind(kind: &str, payload: &serde_json::Value) -> serde_json::Result<Payload> {
        use serde::Deserialize;
        use serde::de::Error;
        Ok(match kind {
            "sale" => Payload::Sale(Sale::deserialize(payload)?),
            "order_status" => Payload::OrderStatus(OrderStatusChanged::deserialize(payload)?),
            "order_cancelled" => Payload::OrderCancelled(OrderCancelled::deserialize(payload)?),
            "stock_adjusted" => Payload::StockAdjusted(StockAdjusted::deserialize(payload)?),
            "category_upserted" => Payload::CategoryUpserted(Category::deserialize(payload)?),
            "product_upserted" => Payload::ProductUpserted(Product::deserialize(payload)?),
            "staff_upserted" => Payload::StaffUpserted(StaffMember::deserialize(payload)?),
            "settings_changed" => Payload::SettingsChanged(ShopSettings::deserialize(payload)?),
            "shift_opened" => Payload::ShiftOpened(ShiftOpened::deserialize(payload)?),
            "cash_moved" => Payload::CashMoved(CashMoved::deserialize(payload)?),
            "shift_closed" => Payload::ShiftClosed(ShiftClosed::deserialize(payload)?),
            "refund" => Payload::Refund(Refund::deserialize(payload)?),
            "member_upserted" => Payload::MemberUpserted(Member::deserialize(payload)?),
            "points_entry" => Payload::PointsEntry(PointsEntry::deserialize(payload)?),
            "wallet_entry" => Payload::WalletEntry(WalletEntry::deserialize(payload)?),
            "review_upserted" => Payload::ReviewUpserted(Review::deserialize(payload)?),
            "coupon_upserted" => Payload::CouponUpserted(Coupon::deserialize(payload)?),
            "coupon_use" => Payload::CouponUse(CouponUse::deserialize(payload)?),
            "voucher_upserted" => Payload::VoucherUpserted(Voucher::deserialize(payload)?),
            "redemption" => Payload::Redemption(Redemption::deserialize(payload)?),
            "order_sent_out" => Payload::OrderSentOut(OrderSentOut::deserialize(payload)?),
            other => {
                return Err(serde_json::Error::unknown_variant(other, &Payload::KINDS));
            }
        })
    }

    /// Reads a payload from its kind and its JSON text.
    pub fn from_kind_str(kind: &str, payload: &str) -> serde_json::Result<Payload> {
        use serde::de::Error;
        Ok(match kind {
            "sale" => Payload::Sale(serde_json::from_str(payload)?),
            "order_status" => Payload::OrderStatus(serde_json::from_str(payload)?),
            "order_cancelled" => Payload::OrderCancelled(serde_json::from_str(payload)?),
            "stock_adjusted" => Payload::StockAdjusted(serde_json::from_str(payload)?),
            "category_upserted" => Payload::CategoryUpserted(serde_json::from_str(payload)?),
            "product_upserted" => Payload::ProductUpserted(serde_json::from_str(payload)?),
            "staff_upserted" => Payload::StaffUpserted(serde_json::from_str(payload)?),
            "settings_changed" => Payload::SettingsChanged(serde_json::from_str(payload)?),
            "shift_opened" => Payload::ShiftOpened(serde_json::from_str(payload)?),
            "cash_moved" => Payload::CashMoved(serde_json::from_str(payload)?),
            "shift_closed" => Payload::ShiftClosed(serde_json::from_str(payload)?),
            "refund" => Payload::Refund(serde_json::from_str(payload)?),
            "member_upserted" => Payload::MemberUpserted(serde_json::from_str(payload)?),
            "points_entry" => Payload::PointsEntry(serde_json::from_str(payload)?),
            "wallet_entry" => Payload::WalletEntry(serde_json::from_str(payload)?),
            "review_upserted" => Payload::ReviewUpserted(serde_json::from_str(payload)?),
            "coupon_upserted" => Payload::CouponUpserted(serde_json::from_str(payload)?),
            "coupon_use" => Payload::CouponUse(serde_json::from_str(payload)?),
            "voucher_upserted" => Payload::VoucherUpserted(serde_json::from_str(payload)?),
            "redemption" => Payload::Redemption(serde_json::from_str(payload)?),
            "order_sent_out" => Payload::OrderSentOut(serde_json::from_str(payload)?),
            other => {
                return Err(serde_json::Error::unknown_variant(other, &Payload::KINDS));
            }
        })
    }

    /// Reads a payload stored apart from its kind (the outbox table keeps them in two columns).
    pub fn from_parts(kind: &str, payload: serde_json::Value) -> serde_json::Result<Payload> {
        serde_json::from_value(serde_json::json!({ "kind": kind, "payload": payload }))
    }

    /// The payload's JSON without its kind, as the outbox table stores it.
    pub fn body_json(&self) -> serde_json::Result<String> {
        match self {
            Payload::Sale(p) => serde_json::to_string(p),
            Payload::OrderStatus(p) => serde_json::to_string(p),
            Payload::OrderCancelled(p) => serde_json::to_string(p),
            Payload::StockAdjusted(p) => serde_json::to_string(p),
            Payload::CategoryUpserted(p) => serde_json::to_string(p),
            Payload::ProductUpserted(p) => serde_json::to_string(p),
            Payload::StaffUpserted(p) => serde_json::to_string(p),
            Payload::SettingsChanged(p) => serde_json::to_string(p),
            Payload::ShiftOpened(p) => serde_json::to_string(p),
            Payload::CashMoved(p) => serde_json::to_string(p),
            Payload::ShiftClosed(p) => serde_json::to_string(p),
            Payload::Refund(p) => serde_json::to_string(p),
            Payload::MemberUpserted(p) => serde_json::to_string(p),
            Payload::PointsEntry(p) => serde_json::to_string(p),
            Payload::WalletEntry(p) => serde_json::to_string(p),
            Payload::ReviewUpserted(p) => serde_json::to_string(p),
            Payload::CouponUpserted(p) => serde_json::to_string(p),
            Payload::CouponUse(p) => serde_json::to_string(p),
            Payload::VoucherUpserted(p) => serde_json::to_string(p),
            Payload::Redemption(p) => serde_json::to_string(p),
            Payload::OrderSentOut(p) => serde_json::to_string(p),
        }
    }
}
