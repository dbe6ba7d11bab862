//! The refund rule: how much of a sold line, and of the order's total, a refund gives back.
//! Pure functions, no database; the refunds of `sales` write what they compute.
//!
//! # The rule
//! 1. A line sold `Q` times has parts (gross, line discount, order discount, service, tax,
//!    total), each already rounded at the sale. After `r` of its `Q` have been refunded in all,
//!    each part's refunded share is `part × r ÷ Q`, rounded half up. A refund of `q` more gives
//!    back the difference between the share after (`r + q`) and before (`r`); so refunding a
//!    line in any number of steps gives back exactly its parts, never a unit more or less.
//! 2. The order's refunded money after a refund is the refunded line totals of every refund so
//!    far, rounded to the shop's cash rounding unit as the sale's total was (so cash refunds
//!    are amounts the drawer can pay); once every line is wholly refunded it is exactly what
//!    the order cost. A refund gives back that amount less what earlier refunds gave back; the
//!    difference from its lines' totals is its rounding.
//!
//! So a full refund in parts returns exactly what was paid, and each part is as close to
//! proportional as the minor unit and the cash rounding allow.

use crate::money::pricing::LineTotals;
use crate::money::{Money, round_div};

/// One part's refunded share after `refunded` of `sold` have gone back.
fn share(part: Money, refunded: i64, sold: i64) -> Money {
    if sold <= 0 || refunded >= sold {
        return part;
    }
    Money(round_div(part.0 as i128 * refunded as i128, sold as i128) as i64)
}

/// A line's parts refunded in all once `refunded` of its `sold` have gone back.
pub fn line_share_after(line: &LineTotals, sold: i64, refunded: i64) -> LineTotals {
    LineTotals {
        gross: share(line.gross, refunded, sold),
        line_discount: share(line.line_discount, refunded, sold),
        order_discount: share(line.order_discount, refunded, sold),
        service: share(line.service, refunded, sold),
        tax: share(line.tax, refunded, sold),
        total: share(line.total, refunded, sold),
    }
}

/// What refunding `quantity` more of a line gives back, when `before` were refunded earlier.
pub fn line_refund(line: &LineTotals, sold: i64, before: i64, quantity: i64) -> LineTotals {
    let after = line_share_after(line, sold, before + quantity);
    let prior = line_share_after(line, sold, before);
    LineTotals {
        gross: Money(after.gross.0 - prior.gross.0),
        line_discount: Money(after.line_discount.0 - prior.line_discount.0),
        order_discount: Money(after.order_discount.0 - prior.order_discount.0),
        service: Money(after.service.0 - prior.service.0),
        tax: Money(after.tax.0 - prior.tax.0),
        total: Money(after.total.0 - prior.total.0),
    }
}

/// The order's money refunded in all after a refund: `lines_after` (the refunded line totals of
/// every refund so far, this one included) rounded to `cash_rounding`, or the order's whole
/// total once `everything` is refunded.
pub fn order_refunded_after(
    order_total: Money,
    lines_after: Money,
    everything: bool,
    cash_rounding: i64,
) -> Money {
    if everything {
        order_total
    } else {
        lines_after.round_to(cash_rounding).min(order_total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(gross: i64, ld: i64, od: i64, service: i64, tax: i64) -> LineTotals {
        LineTotals {
            gross: Money(gross),
            line_discount: Money(ld),
            order_discount: Money(od),
            service: Money(service),
            tax: Money(tax),
            total: Money(gross - ld - od + service + tax),
        }
    }

    #[test]
    fn refunding_one_at_a_time_gives_back_exactly_the_line() {
        // 3 × Rp 18.333 with odd service and tax: no share divides evenly.
        let l = line(55_000, 1_000, 3_333, 2_533, 5_320);
        let mut sum = LineTotals {
            gross: Money(0),
            line_discount: Money(0),
            order_discount: Money(0),
            service: Money(0),
            tax: Money(0),
            total: Money(0),
        };
        for before in 0..3 {
            let r = line_refund(&l, 3, before, 1);
            sum.gross.0 += r.gross.0;
            sum.line_discount.0 += r.line_discount.0;
            sum.order_discount.0 += r.order_discount.0;
            sum.service.0 += r.service.0;
            sum.tax.0 += r.tax.0;
            sum.total.0 += r.total.0;
        }
        assert_eq!(sum, l);
    }

    #[test]
    fn a_share_is_proportional_rounded_half_up() {
        let l = line(10_001, 0, 0, 0, 0);
        assert_eq!(line_refund(&l, 2, 0, 1).gross, Money(5_001));
        assert_eq!(line_refund(&l, 2, 1, 1).gross, Money(5_000));
    }

    #[test]
    fn the_order_total_rounds_like_the_sale_and_ends_exact() {
        assert_eq!(
            order_refunded_after(Money(60_500), Money(20_149), false, 100),
            Money(20_100)
        );
        assert_eq!(
            order_refunded_after(Money(60_500), Money(20_150), false, 100),
            Money(20_200)
        );
        assert_eq!(
            order_refunded_after(Money(60_500), Money(60_449), true, 100),
            Money(60_500)
        );
        // Never past the order's total, whatever the rounding.
        assert_eq!(
            order_refunded_after(Money(60_400), Money(60_390), false, 100),
            Money(60_400)
        );
    }
}
