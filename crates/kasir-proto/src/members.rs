//! Members (a café's regulars) and their loyalty points. A member's details are the latest
//! version (last write wins by the server's order); points are a ledger of entries, each a
//! fact with its own id that the server only ever adds.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A member's details as a till last wrote them (`member_upserted`). Balances are not here:
/// they are the sums of the member's ledgers.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub id: Uuid,
    /// `MEM-T01-000123`: never reused.
    pub number: String,
    pub name: String,
    /// Digits, as the till keeps them (`081234567890`).
    pub phone: Option<String>,
    pub email: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub birthday: Option<Date>,
    pub address: String,
    pub notes: String,
    pub active: bool,
    pub referral_code: String,
    pub referred_by: Option<Uuid>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointsKind {
    Earn,
    Redeem,
    Expire,
    Adjust,
    Referral,
    Refund,
}

/// One entry of a member's points ledger (`points_entry`): signed, never edited.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsEntry {
    pub id: Uuid,
    pub member_id: Uuid,
    pub kind: PointsKind,
    pub points: i64,
    pub order_id: Option<Uuid>,
    pub refund_id: Option<Uuid>,
    pub reason: String,
    pub staff_id: Option<Uuid>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WalletKind {
    TopUp,
    Payment,
    Refund,
    Adjust,
}

/// One entry of a member's wallet (`wallet_entry`): signed, never edited.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletEntry {
    pub id: Uuid,
    pub member_id: Uuid,
    pub kind: WalletKind,
    pub amount: i64,
    /// How a top-up was paid.
    pub method: Option<crate::sales::PaymentMethod>,
    pub reference: Option<String>,
    pub order_id: Option<Uuid>,
    pub refund_id: Option<Uuid>,
    /// The shift whose drawer took a cash top-up.
    pub shift_id: Option<Uuid>,
    pub reason: String,
    pub staff_id: Option<Uuid>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}

/// A member's review of a product, as last written (`review_upserted`): the newest version
/// wins, in the server's order.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub id: Uuid,
    pub member_id: Uuid,
    pub product_id: Uuid,
    pub rating: u8,
    pub comment: String,
    pub image_id: Option<String>,
    pub hidden: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}
