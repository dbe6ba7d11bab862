//! Menu payloads: what a terminal reports when a category, product or stock count changes.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A category as it now stands (`category_upserted`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Category {
    pub id: Uuid,
    pub name: String,
    pub sort_order: i64,
    pub active: bool,
}

/// A product as it now stands (`product_upserted`): the whole record, so the last write wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Product {
    pub id: Uuid,
    pub category_id: Uuid,
    pub name: String,
    pub description: String,
    /// Minor units.
    pub price: i64,
    /// `None`: stock is not tracked.
    pub stock: Option<i64>,
    pub low_stock_warning: Option<i64>,
    pub low_stock_critical: Option<i64>,
    pub active: bool,
    pub barcode: Option<String>,
    /// First in the cashier's "All" tab. Absent from tills before it existed.
    #[serde(default)]
    pub featured: bool,
    #[serde(default)]
    pub tags: Vec<String>,
    pub image_id: Option<String>,
    /// Every picture in order, the cover (`image_id`) first; empty when there is none, and
    /// from tills before it existed (their `image_id` is then all there is).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pictures: Vec<String>,
    pub modifier_groups: Vec<ModifierGroup>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModifierGroup {
    pub id: Uuid,
    pub name: String,
    pub min_choices: u32,
    pub max_choices: u32,
    pub options: Vec<ModifierOption>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModifierOption {
    pub id: Uuid,
    pub name: String,
    /// Minor units; may be negative.
    pub price_delta: i64,
}

/// A stock count changed by hand (`stock_adjusted`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockAdjusted {
    pub product_id: Uuid,
    pub delta: i64,
    /// `restock`, `adjustment` or `waste`.
    pub reason: String,
    pub note: String,
    pub stock_after: Option<i64>,
    pub staff_id: Uuid,
    pub at: Timestamp,
}
