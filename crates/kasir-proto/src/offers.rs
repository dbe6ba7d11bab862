//! Coupons on the wire: the catalogue (`coupon_upserted`, the newest version wins in the
//! server's order) and each use on an order (`coupon_use`, sent again when a full refund or a
//! cancellation gives it back).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a coupon takes off (amounts in minor units, percentages in basis points).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CouponRule {
    Percent {
        bp: u32,
        cap: Option<i64>,
    },
    Amount {
        amount: i64,
    },
    BuyGet {
        buy_product: Uuid,
        buy_quantity: u32,
        get_product: Uuid,
        get_quantity: u32,
    },
    Tiered {
        steps: Vec<TierStep>,
    },
}

/// Spend at least `from`: `bp` off.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierStep {
    pub from: i64,
    pub bp: u32,
}

/// A coupon as last written.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coupon {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub rule: CouponRule,
    pub min_order: i64,
    pub usage_limit: Option<u32>,
    pub per_member_limit: Option<u32>,
    /// `all`, `new`, `regular` or `vip`.
    pub customer_group: String,
    /// The shop's dates, `YYYY-MM-DD`, both inclusive.
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub active: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}

/// One use of a coupon on an order; `given_back_at` is set once a full refund or a
/// cancellation gave it back (the same id is sent again).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponUse {
    pub id: Uuid,
    pub coupon_id: Uuid,
    pub order_id: Uuid,
    pub member_id: Option<Uuid>,
    pub discount: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub used_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub given_back_at: Option<Timestamp>,
}

/// What a voucher gives (amounts in minor units, percentages in basis points).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reward {
    DiscountPercent { bp: u32 },
    DiscountAmount { amount: i64 },
    CashbackPoints { points: i64 },
    CashbackWallet { amount: i64 },
    Freebie { product_id: Uuid },
}

/// A voucher as last written (`voucher_upserted`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Voucher {
    pub id: Uuid,
    pub name: String,
    pub reward: Reward,
    pub points_cost: i64,
    /// The count a manager set (None: no limit); what is left is this less the
    /// redemptions (not cancelled) made since `stock_set_at`, on any till.
    pub stock: Option<i64>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub active: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// When `stock` was set; absent from tills before it (their `stock` was what was left
    /// then, sent again after each redemption).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub stock_set_at: Option<Timestamp>,
}

/// A member's redemption as it stands (`redemption`): `pending`, `used` (with its order) or
/// `cancelled`; sent again at each change, the newest in the server's order wins.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redemption {
    pub id: Uuid,
    pub code: String,
    pub voucher_id: Uuid,
    pub member_id: Uuid,
    pub points: i64,
    pub status: String,
    pub order_id: Option<Uuid>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}
