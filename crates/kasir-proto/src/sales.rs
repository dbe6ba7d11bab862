//! Sales payloads: a sale with everything a server needs to rebuild it, and what happens to an
//! order afterwards.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A sale (`sale`): the order as written at checkout and the stock it took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sale {
    pub order: Order,
    pub stock_movements: Vec<StockTaken>,
}

/// Stock a sale took from one tracked product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockTaken {
    pub product_id: Uuid,
    pub quantity: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderType {
    DineIn,
    Takeaway,
    Delivery,
    Pickup,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Pending,
    Preparing,
    Ready,
    Completed,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cash,
    Card,
    Qris,
    Ewallet,
    /// A member's loyalty points (its ledger entry goes up as `points_entry`).
    Points,
    /// A member's wallet (its ledger entry goes up as `wallet_entry`).
    Wallet,
}

/// An order as written at checkout. Amounts are minor units of `currency`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: Uuid,
    pub receipt_no: String,
    pub terminal: String,
    pub staff_id: Uuid,
    pub staff_name: String,
    pub order_type: OrderType,
    pub label: String,
    pub status: OrderStatus,
    pub subtotal: i64,
    pub order_discount: i64,
    pub service: i64,
    pub tax: i64,
    pub rounding: i64,
    pub total: i64,
    pub paid: i64,
    pub change: i64,
    pub tax_rate_bp: u32,
    pub service_rate_bp: u32,
    pub prices_include_tax: bool,
    pub currency: String,
    /// Digits after the decimal point of `currency`: the amounts are counts of that unit.
    pub minor_unit: u32,
    pub discount_approved_by: Option<Uuid>,
    /// The till's shift it was sold in; absent from tills before shifts existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shift_id: Option<Uuid>,
    /// The member the order was sold to; absent when none (and from tills before members).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_id: Option<Uuid>,
    /// Where a delivery goes; absent for other orders (and from tills before deliveries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_address: Option<String>,
    pub business_date: Date,
    pub created_at: Timestamp,
    pub lines: Vec<OrderLine>,
    pub payments: Vec<Payment>,
}

/// A sold line, snapshotted: name, prices and options as they were at the sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub product_id: Uuid,
    pub product_name: String,
    pub category_name: String,
    pub base_price: i64,
    pub unit_price: i64,
    pub modifiers: Vec<ChosenModifier>,
    pub note: String,
    pub quantity: i64,
    pub gross: i64,
    pub line_discount: i64,
    pub order_discount: i64,
    pub service: i64,
    pub tax: i64,
    pub total: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChosenModifier {
    pub option_id: Uuid,
    pub group: String,
    pub option: String,
    pub price_delta: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub method: PaymentMethod,
    /// What this tender paid towards the order.
    pub amount: i64,
    /// What the customer handed over (cash), or the amount charged.
    pub tendered: i64,
    pub change: i64,
    pub reference: Option<String>,
}

/// An order moved along the kitchen flow (`order_status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderStatusChanged {
    pub order_id: Uuid,
    pub status: OrderStatus,
    pub at: Timestamp,
}

/// A ready delivery handed to its rider (`order_sent_out`); it is delivered when it
/// completes (`order_status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSentOut {
    pub order_id: Uuid,
    pub at: Timestamp,
}

/// An order cancelled, and the stock that went back (`order_cancelled`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCancelled {
    pub order_id: Uuid,
    pub receipt_no: String,
    pub reason: String,
    pub cancelled_by: Uuid,
    pub approved_by: Option<Uuid>,
    pub at: Timestamp,
    pub stock_returned: Vec<StockReturned>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockReturned {
    pub product_id: Uuid,
    pub quantity: i64,
}
