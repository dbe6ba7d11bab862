//! Sales: open tickets (carts), checkout, payments, the life of an order, receipts, refunds,
//! and the shifts of the cash drawer.

pub mod checkout;
pub mod payments;
pub mod receipt;
pub mod refunds;
pub mod shifts;
pub mod tickets;

use crate::Kasir;

/// The till's use cases: `k.sales()`.
pub struct Sales<'k> {
    pub(crate) k: &'k Kasir,
}

impl Kasir {
    /// Selling: tickets, checkout, orders and the kitchen flow, receipts.
    pub fn sales(&self) -> Sales<'_> {
        Sales { k: self }
    }
}
