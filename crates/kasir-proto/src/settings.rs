//! Settings payloads: what a terminal reports when the shop's settings change.

use serde::{Deserialize, Serialize};

/// The store's settings as they now stand (`settings_changed`): everything a shop sets once for
/// all its tills. A till's own code (`T01`) is not here: the server gives each till its own.
///
/// `initial` marks the settings a till had when it enrolled: the server takes them only for a
/// store that has none yet (the first till sets up the store), so a new till never overwrites
/// the store's settings with its first-run defaults. A manager's edit is never initial, and
/// the last edit in server order wins, as for the menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShopSettings {
    pub shop_name: String,
    pub shop_address: String,
    /// ISO 4217: `IDR`.
    pub currency: String,
    pub minor_unit: u32,
    /// BCP 47: `id-ID`.
    pub locale: String,
    /// IANA: `Asia/Jakarta`.
    pub time_zone: String,
    pub tax_rate_bp: u32,
    pub service_rate_bp: u32,
    pub prices_include_tax: bool,
    pub cash_rounding: i64,
    pub receipt_header: String,
    pub receipt_footer: String,
    /// Absent from tills before it existed.
    #[serde(default)]
    pub tax_number: String,
    #[serde(default = "five")]
    pub auto_lock_minutes: u32,
    /// Whether selling needs an open shift; absent from tills before shifts existed (yes).
    #[serde(default = "yes")]
    pub require_open_shift: bool,
    #[serde(default)]
    pub initial: bool,
}

/// A product's stock summed over the store's terminals (`stock_level` change): what the server
/// holds after every terminal's sales, cancellations and adjustments it has received. May be
/// negative (a sale is a fact, even past zero).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockLevel {
    pub product_id: uuid::Uuid,
    pub level: i64,
}

fn five() -> u32 {
    5
}

fn yes() -> bool {
    true
}
