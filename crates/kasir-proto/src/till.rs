//! The money side of a till: shifts, cash in and out of the drawer, refunds. Each is a fact
//! made on a terminal; the server only ever adds them.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::sales::PaymentMethod;

/// A shift opened on a terminal with a counted float (`shift_opened`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftOpened {
    pub id: Uuid,
    pub terminal: String,
    pub opened_by: Uuid,
    pub opened_by_name: String,
    pub opened_at: Timestamp,
    pub business_date: Date,
    pub opening_float: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CashDirection {
    In,
    Out,
}

/// Cash put into the drawer or taken out during a shift, with its reason (`cash_moved`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashMoved {
    pub id: Uuid,
    pub shift_id: Uuid,
    pub direction: CashDirection,
    pub amount: i64,
    pub reason: String,
    pub staff_id: Uuid,
    pub approved_by: Option<Uuid>,
    pub at: Timestamp,
}

/// A shift closed with its count (`shift_closed`): the Z report's cash figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftClosed {
    pub id: Uuid,
    pub terminal: String,
    pub z_no: i64,
    pub closed_by: Uuid,
    pub closed_at: Timestamp,
    pub business_date: Date,
    pub counted: i64,
    pub expected: i64,
    pub variance: i64,
    pub note: String,
}

/// Money given back for a paid order (`refund`): new rows that point at the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    pub id: Uuid,
    /// `T01-R000001`: numbered per terminal.
    pub refund_no: String,
    pub order_id: Uuid,
    pub terminal: String,
    pub shift_id: Option<Uuid>,
    pub staff_id: Uuid,
    pub staff_name: String,
    pub approved_by: Option<Uuid>,
    pub reason: String,
    pub gross: i64,
    pub discount: i64,
    pub service: i64,
    pub tax: i64,
    pub rounding: i64,
    pub total: i64,
    pub business_date: Date,
    pub created_at: Timestamp,
    pub lines: Vec<RefundLine>,
    pub payments: Vec<RefundPayment>,
}

/// A refunded quantity of one order line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundLine {
    /// The order line's position (0-based).
    pub order_line: u32,
    pub product_id: Uuid,
    pub product_name: String,
    pub quantity: i64,
    pub gross: i64,
    pub line_discount: i64,
    pub order_discount: i64,
    pub service: i64,
    pub tax: i64,
    pub total: i64,
    /// Back to stock (true) or thrown away (false). Stock moves only for tracked products
    /// that went back.
    pub restock: bool,
    /// Whether the terminal moved stock for it (the product was tracked and it went back).
    pub stock_returned: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundPayment {
    pub method: PaymentMethod,
    pub amount: i64,
    pub reference: Option<String>,
}
