//! Offers a ticket can carry besides the cashier's own discounts: coupons (codes typed or
//! scanned at the till). Each resolves to a [`crate::money::pricing::Offer`] that pricing
//! applies in its one written order.

pub mod coupons;
