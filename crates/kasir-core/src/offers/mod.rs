//! Offers a ticket can carry besides the cashier's own discounts: coupons (codes typed or
//! scanned at the till) and vouchers members buy with points. Each discount resolves to a
//! [`crate::money::pricing::Offer`] that pricing applies in its one written order (the coupon,
//! then the voucher); a voucher's free product is a line at zero.

pub mod coupons;
pub(crate) mod pulled;
pub mod vouchers;
