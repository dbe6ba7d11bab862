//! Ticket totals: the one place that turns lines, discounts and the shop's rates into money.
//! Pure functions, no database; the UI shows exactly what this computes.
//!
//! # The rule, in order (see [`crate::money`] for rounding: half up, to the minor unit)
//! 1. `gross = unit price × quantity` for each line.
//! 2. A line discount is a percentage of `gross` (rounded) or an amount `≤ gross`; `net = gross − discount`.
//! 3. `subtotal = Σ net`. An order discount is a percentage of `subtotal` or an amount `≤ subtotal`.
//!    Then a coupon, then a voucher, each an [`Offer`] on what is left (a percentage with an
//!    optional cap, an amount that takes at most what is left, or tiers by what is left);
//!    `base = subtotal − order discount − coupon − voucher`. A freebie is a line at zero, so it
//!    adds nothing anywhere. Points and the wallet are tenders, not discounts.
//! 4. Tax-exclusive prices: `service = base × service rate`, `tax = (base + service) × tax rate`
//!    (PB1 is charged on the service charge too), `total = base + service + tax`.
//!    Tax-inclusive prices: `base` already holds service and tax; `net = base ÷ (1+s)(1+t)`,
//!    `service = net × s`, `tax = base − net − service`, `total = base`.
//! 5. Cash rounding: `total` is rounded to the shop's rounding unit (e.g. Rp 100);
//!    `rounding = rounded − total` is shown on the receipt. It applies to every tender, so a
//!    split payment can never disagree with itself.
//! 6. Order discount, coupon and voucher together (a line's `order_discount`), then service and
//!    tax, are shared out over the lines in proportion to `net` by largest remainder, so the
//!    lines always add up to the order exactly and a refund of a line gives back its share.

use serde::{Deserialize, Serialize};

use crate::money::{MAX_AMOUNT, Money, round_div};
use crate::{Error, Result};
use crate::{Field, Rule};

/// A discount on a line or on the whole order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Discount {
    /// Basis points of the amount: 1000 = 10%. At most 10 000.
    Percent(u32),
    /// A fixed amount in minor units, at most the amount it applies to.
    Amount(Money),
}

impl Discount {
    /// Checks the discount on its own (not against the amount it will apply to).
    pub fn validate(self) -> Result<Discount> {
        match self {
            Discount::Percent(bp) if bp == 0 || bp > 10_000 => Err(Error::invalid(
                Field::Discount,
                Rule::PercentRange {
                    min_bp: 1,
                    max_bp: 10_000,
                },
            )),
            Discount::Amount(m) if m.0 <= 0 => {
                Err(Error::invalid(Field::Discount, Rule::NotPositive))
            }
            Discount::Amount(m) if m.0 > MAX_AMOUNT => {
                Err(Error::invalid(Field::Discount, Rule::TooLarge))
            }
            d => Ok(d),
        }
    }

    fn apply_to(self, amount: Money) -> Result<Money> {
        match self {
            Discount::Percent(bp) => Ok(amount.percent(bp)),
            Discount::Amount(m) if m > amount => Err(Error::invalid(
                Field::Discount,
                Rule::DiscountExceeds {
                    discount: m.0,
                    base: amount.0,
                },
            )),
            Discount::Amount(m) => Ok(m),
        }
    }
}

/// The shop's rates, taken from settings at the moment of computing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rates {
    pub tax_bp: u32,
    pub service_bp: u32,
    pub prices_include_tax: bool,
    /// Round totals to a multiple of this (1 = no rounding).
    pub cash_rounding: i64,
}

/// One line as pricing sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineInput {
    /// Base price plus modifier deltas.
    pub unit_price: Money,
    pub quantity: i64,
    pub discount: Option<Discount>,
    /// The most the discount may take: what a manager approved (see [`compute`]).
    pub discount_limit: Option<Money>,
}

/// A line's share of everything, always adding up to the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LineTotals {
    pub gross: Money,
    pub line_discount: Money,
    pub order_discount: Money,
    pub service: Money,
    pub tax: Money,
    /// What the customer pays for this line before cash rounding.
    pub total: Money,
}

/// The totals of a ticket or order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Totals {
    pub lines: Vec<LineTotals>,
    /// Σ line gross.
    pub gross: Money,
    /// Σ line discounts.
    pub line_discounts: Money,
    /// Σ (gross − line discount).
    pub subtotal: Money,
    /// The order discount a cashier gave (not the coupon or voucher).
    pub order_discount: Money,
    /// What the ticket's coupon takes off.
    pub coupon_discount: Money,
    /// What the voucher being used takes off.
    pub voucher_discount: Money,
    pub service: Money,
    pub tax: Money,
    /// Added by cash rounding (may be negative).
    pub rounding: Money,
    /// What the customer pays.
    pub total: Money,
    /// Whether `service` and `tax` are inside the prices (shown for information) rather than
    /// added to them: a totals block reads as a sum only if it knows which.
    pub prices_include_tax: bool,
}

/// A coupon's or voucher's effect on the order, resolved by the core from its rule (a "buy X
/// get Y" is resolved to the amount of the free units, since only the core knows products).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offer {
    /// Basis points of what is left, at most `cap` when given.
    Percent { bp: u32, cap: Option<Money> },
    /// An amount off; a larger one takes what is left, never more.
    Amount(Money),
    /// Steps of (spend at least, basis points off): the highest step reached applies.
    Tiered(Vec<(Money, u32)>),
}

impl Offer {
    /// What the offer takes from `base` (never more than `base`, never below zero).
    pub fn take(&self, base: Money) -> Money {
        let off = match self {
            Offer::Percent { bp, cap } => {
                let p = base.percent((*bp).min(10_000));
                cap.map_or(p, |c| p.min(c.max(Money::ZERO)))
            }
            Offer::Amount(m) => (*m).max(Money::ZERO),
            Offer::Tiered(steps) => steps
                .iter()
                .filter(|(from, _)| *from <= base)
                .map(|(_, bp)| *bp)
                .max()
                .map_or(Money::ZERO, |bp| base.percent(bp.min(10_000))),
        };
        off.min(base.max(Money::ZERO))
    }
}

/// Everything taken off the order as a whole, in the rule's order.
#[derive(Debug, Clone, Copy, Default)]
pub struct OrderLevel<'a> {
    pub discount: Option<Discount>,
    /// The most the discount may take: what a manager approved.
    pub discount_limit: Option<Money>,
    pub coupon: Option<&'a Offer>,
    pub voucher: Option<&'a Offer>,
}

/// Computes totals by the rule in the module docs, without coupon or voucher. A discount with a limit (the amount a
/// manager approved for someone without the discount right) never takes more than it, however
/// the ticket grows afterwards: growing past it takes a new approval.
pub fn compute(
    lines: &[LineInput],
    order_discount: Option<Discount>,
    order_discount_limit: Option<Money>,
    rates: &Rates,
) -> Result<Totals> {
    compute_order(
        lines,
        &OrderLevel {
            discount: order_discount,
            discount_limit: order_discount_limit,
            ..OrderLevel::default()
        },
        rates,
    )
}

/// Computes totals by the rule in the module docs, with the order's coupon and voucher.
pub fn compute_order(lines: &[LineInput], order: &OrderLevel<'_>, rates: &Rates) -> Result<Totals> {
    let mut gross = Vec::with_capacity(lines.len());
    let mut line_discount = Vec::with_capacity(lines.len());
    let mut net = Vec::with_capacity(lines.len());
    for line in lines {
        if line.unit_price.0 < 0 {
            return Err(Error::invalid(Field::Price, Rule::Negative));
        }
        let g = line.unit_price.checked_mul(line.quantity)?;
        let d = match line.discount {
            Some(d) => capped(d.validate()?.apply_to(g)?, line.discount_limit),
            None => Money::ZERO,
        };
        gross.push(g);
        line_discount.push(d);
        net.push(g.checked_sub(d)?);
    }
    let subtotal = Money::sum(net.iter().copied())?;
    if subtotal.0 > MAX_AMOUNT {
        return Err(Error::Overflow);
    }
    let order_disc = match order.discount {
        Some(d) => capped(d.validate()?.apply_to(subtotal)?, order.discount_limit),
        None => Money::ZERO,
    };
    let after_discount = subtotal.checked_sub(order_disc)?;
    let coupon = order.coupon.map_or(Money::ZERO, |o| o.take(after_discount));
    let after_coupon = after_discount.checked_sub(coupon)?;
    let voucher = order.voucher.map_or(Money::ZERO, |o| o.take(after_coupon));
    let base = after_coupon.checked_sub(voucher)?;
    let order_level = subtotal.checked_sub(base)?;

    let (service, tax, total) = if rates.prices_include_tax {
        let denominator = (10_000 + rates.service_bp as i128) * (10_000 + rates.tax_bp as i128);
        let net_of_both = Money(round_div(base.0 as i128 * 100_000_000, denominator) as i64);
        let service = net_of_both.percent(rates.service_bp);
        let tax = base.checked_sub(net_of_both)?.checked_sub(service)?;
        (service, tax, base)
    } else {
        let service = base.percent(rates.service_bp);
        let tax = base.checked_add(service)?.percent(rates.tax_bp);
        (service, tax, base.checked_add(service)?.checked_add(tax)?)
    };
    let rounded = total.round_to(rates.cash_rounding);
    if rounded.0 > MAX_AMOUNT {
        return Err(Error::Overflow);
    }

    let weights: Vec<i64> = net.iter().map(|m| m.0).collect();
    let od_shares = allocate(order_level.0, &weights);
    let after_od: Vec<i64> = weights.iter().zip(&od_shares).map(|(n, s)| n - s).collect();
    let service_shares = allocate(service.0, &after_od);
    let tax_shares = allocate(tax.0, &after_od);

    let line_totals = (0..lines.len())
        .map(|i| {
            let added = if rates.prices_include_tax {
                0
            } else {
                service_shares[i] + tax_shares[i]
            };
            LineTotals {
                gross: gross[i],
                line_discount: line_discount[i],
                order_discount: Money(od_shares[i]),
                service: Money(service_shares[i]),
                tax: Money(tax_shares[i]),
                total: Money(after_od[i] + added),
            }
        })
        .collect();

    Ok(Totals {
        lines: line_totals,
        gross: Money::sum(gross)?,
        line_discounts: Money::sum(line_discount)?,
        subtotal,
        order_discount: order_disc,
        coupon_discount: coupon,
        voucher_discount: voucher,
        service,
        tax,
        rounding: rounded.checked_sub(total)?,
        total: rounded,
        prices_include_tax: rates.prices_include_tax,
    })
}

impl Totals {
    /// Everything taken off the subtotal: the order discount, the coupon and the voucher
    /// (what an order's `order_discount` holds, and what the lines' shares add up to).
    pub fn order_level_discounts(&self) -> Money {
        Money(self.order_discount.0 + self.coupon_discount.0 + self.voucher_discount.0)
    }
}

/// `amount`, but at most `limit` (never below zero).
fn capped(amount: Money, limit: Option<Money>) -> Money {
    match limit {
        Some(l) => amount.min(l.max(Money::ZERO)),
        None => amount,
    }
}

/// Shares `amount` out over `weights` in proportion, by largest remainder: the shares always
/// add up to `amount` exactly, and ties go to the earlier line. All weights zero: the first
/// line takes it all.
pub fn allocate(amount: i64, weights: &[i64]) -> Vec<i64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let total: i128 = weights.iter().map(|w| *w as i128).sum();
    if total <= 0 {
        let mut shares = vec![0; weights.len()];
        shares[0] = amount;
        return shares;
    }
    let mut shares = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let exact = amount as i128 * *w as i128;
        shares.push(exact.div_euclid(total) as i64);
        remainders.push((exact.rem_euclid(total), i));
    }
    let mut left = amount - shares.iter().sum::<i64>();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders {
        if left == 0 {
            break;
        }
        shares[i] += 1;
        left -= 1;
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    const PB1: Rates = Rates {
        tax_bp: 1000,
        service_bp: 500,
        prices_include_tax: false,
        cash_rounding: 100,
    };

    fn line(price: i64, qty: i64) -> LineInput {
        LineInput {
            unit_price: Money(price),
            quantity: qty,
            discount: None,
            discount_limit: None,
        }
    }

    /// (lines, order discount, rates) -> (subtotal, order discount, service, tax, rounding, total)
    #[test]
    fn totals_table() {
        let no_round = Rates {
            cash_rounding: 1,
            ..PB1
        };
        let inclusive = Rates {
            prices_include_tax: true,
            ..PB1
        };
        let plain = Rates {
            tax_bp: 0,
            service_bp: 0,
            prices_include_tax: false,
            cash_rounding: 1,
        };
        type Case = (Vec<LineInput>, Option<Discount>, Rates, [i64; 6]);
        let cases: Vec<Case> = vec![
            // 25.000 + 5% service 1.250 + 10% of 26.250 = 2.625 -> 28.875, rounded to 28.900
            (
                vec![line(25_000, 1)],
                None,
                PB1,
                [25_000, 0, 1_250, 2_625, 25, 28_900],
            ),
            (
                vec![line(25_000, 1)],
                None,
                no_round,
                [25_000, 0, 1_250, 2_625, 0, 28_875],
            ),
            // two lines, 10% order discount: base 45.000
            (
                vec![line(18_000, 2), line(14_000, 1)],
                Some(Discount::Percent(1000)),
                no_round,
                [50_000, 5_000, 2_250, 4_725, 0, 51_975],
            ),
            // amount discount on the order
            (
                vec![line(10_000, 3)],
                Some(Discount::Amount(Money(5_000))),
                plain,
                [30_000, 5_000, 0, 0, 0, 25_000],
            ),
            // tax-inclusive: 28.875 includes 5% service and 10% tax on it: net 25.000
            (
                vec![line(28_875, 1)],
                None,
                Rates {
                    cash_rounding: 1,
                    ..inclusive
                },
                [28_875, 0, 1_250, 2_625, 0, 28_875],
            ),
            // tax-inclusive rounding: 10.000 -> net 8.658.0087 -> 8.658; service 432.9 -> 433
            (
                vec![line(10_000, 1)],
                None,
                Rates {
                    cash_rounding: 1,
                    ..inclusive
                },
                [10_000, 0, 433, 909, 0, 10_000],
            ),
            // rounding down: 1 x 3.333 plain with rounding 100 -> 3.300
            (
                vec![line(3_333, 1)],
                None,
                Rates {
                    cash_rounding: 100,
                    ..plain
                },
                [3_333, 0, 0, 0, -33, 3_300],
            ),
            // a free item costs nothing and breaks nothing
            (vec![line(0, 2)], None, PB1, [0, 0, 0, 0, 0, 0]),
            // 100% order discount
            (
                vec![line(9_999, 1)],
                Some(Discount::Percent(10_000)),
                PB1,
                [9_999, 9_999, 0, 0, 0, 0],
            ),
        ];
        for (i, (lines, od, rates, want)) in cases.into_iter().enumerate() {
            let t = compute(&lines, od, None, &rates).unwrap();
            let got = [
                t.subtotal.0,
                t.order_discount.0,
                t.service.0,
                t.tax.0,
                t.rounding.0,
                t.total.0,
            ];
            assert_eq!(got, want, "case {i}");
            // lines always add up to the order
            let line_sum: i64 = t.lines.iter().map(|l| l.total.0).sum();
            assert_eq!(line_sum + t.rounding.0, t.total.0, "case {i}: lines add up");
            assert_eq!(
                t.lines.iter().map(|l| l.tax.0).sum::<i64>(),
                t.tax.0,
                "case {i}: tax shares"
            );
        }
    }

    #[test]
    fn line_discounts() {
        let lines = [
            LineInput {
                unit_price: Money(15_000),
                quantity: 3,
                discount: Some(Discount::Percent(3333)),
                discount_limit: None,
            },
            LineInput {
                unit_price: Money(8_000),
                quantity: 1,
                discount: Some(Discount::Amount(Money(8_000))),
                discount_limit: None,
            },
        ];
        let t = compute(
            &lines,
            None,
            None,
            &Rates {
                tax_bp: 0,
                service_bp: 0,
                prices_include_tax: false,
                cash_rounding: 1,
            },
        )
        .unwrap();
        // 45.000 x 33.33% = 14.998.5 -> 14.999
        assert_eq!(t.lines[0].line_discount, Money(14_999));
        assert_eq!(t.lines[1].line_discount, Money(8_000));
        assert_eq!(t.subtotal, Money(30_001));
        assert_eq!(t.line_discounts, Money(22_999));
    }

    #[test]
    fn bad_discounts_are_refused() {
        let l = [line(10_000, 1)];
        for bad in [
            Discount::Percent(0),
            Discount::Percent(10_001),
            Discount::Amount(Money(0)),
            Discount::Amount(Money(-5)),
            Discount::Amount(Money(10_001)),
        ] {
            assert!(
                matches!(
                    compute(&l, Some(bad), None, &PB1),
                    Err(Error::Invalid {
                        field: Field::Discount,
                        ..
                    })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        let huge = [line(MAX_AMOUNT, 2)];
        assert!(matches!(
            compute(&huge, None, None, &PB1),
            Err(Error::Overflow)
        ));
        let many = [line(MAX_AMOUNT / 2 + 1, 1), line(MAX_AMOUNT / 2 + 1, 1)];
        assert!(matches!(
            compute(&many, None, None, &PB1),
            Err(Error::Overflow)
        ));
        let max = [line(i64::MAX, i64::MAX)];
        assert!(matches!(
            compute(&max, None, None, &PB1),
            Err(Error::Overflow)
        ));
    }

    #[test]
    fn allocate_table() {
        let cases: [(i64, &[i64], &[i64]); 6] = [
            (100, &[1, 1, 1], &[34, 33, 33]),
            (10, &[50, 30, 20], &[5, 3, 2]),
            (1, &[1, 1], &[1, 0]),
            (0, &[5, 5], &[0, 0]),
            (7, &[0, 0], &[7, 0]),
            (2_625, &[36_000, 14_000], &[1_890, 735]),
        ];
        for (amount, weights, want) in cases {
            let got = allocate(amount, weights);
            assert_eq!(got, want, "{amount} over {weights:?}");
            assert_eq!(got.iter().sum::<i64>(), amount);
        }
    }

    /// An approved discount never takes more than was approved: 100% of one Klepon at
    /// Rp 44.000 stays Rp 44.000 off when the line grows to 18; an order discount approved on
    /// Rp 87.000 (10%: 8.700) stays 8.700 as items are added.
    #[test]
    fn approved_discounts_are_capped_at_what_was_approved() {
        let rates = Rates {
            tax_bp: 0,
            service_bp: 0,
            prices_include_tax: false,
            cash_rounding: 1,
        };
        let klepon = |qty| LineInput {
            unit_price: Money(44_000),
            quantity: qty,
            discount: Some(Discount::Percent(10_000)),
            discount_limit: Some(Money(44_000)),
        };
        let t = compute(&[klepon(18)], None, None, &rates).unwrap();
        assert_eq!(t.line_discounts, Money(44_000));
        assert_eq!(t.total, Money(18 * 44_000 - 44_000));
        let t = compute(
            &[line(87_000, 1)],
            Some(Discount::Percent(1000)),
            Some(Money(8_700)),
            &rates,
        )
        .unwrap();
        assert_eq!(t.order_discount, Money(8_700));
        let t = compute(
            &[line(87_000, 3)],
            Some(Discount::Percent(1000)),
            Some(Money(8_700)),
            &rates,
        )
        .unwrap();
        assert_eq!((t.order_discount, t.total), (Money(8_700), Money(252_300)));
        // Without a limit (given by someone with the right) it follows the ticket.
        let t = compute(
            &[line(87_000, 3)],
            Some(Discount::Percent(1000)),
            None,
            &rates,
        )
        .unwrap();
        assert_eq!(t.order_discount, Money(26_100));
    }

    /// The pricing order with a coupon and a voucher: order discount, then the coupon on what
    /// is left, then the voucher on what is left after it, then service and tax on the rest.
    /// (lines, order discount, coupon, voucher) -> (order discount, coupon, voucher, service, tax, total)
    #[test]
    fn coupon_and_voucher_table() {
        let rates = Rates {
            cash_rounding: 1,
            ..PB1
        };
        let pct = |bp, cap: Option<i64>| Offer::Percent {
            bp,
            cap: cap.map(Money),
        };
        let tiers = Offer::Tiered(vec![(Money(50_000), 500), (Money(100_000), 1000)]);
        type Case = (
            Vec<LineInput>,
            Option<Discount>,
            Option<Offer>,
            Option<Offer>,
            [i64; 6],
        );
        let cases: Vec<Case> = vec![
            // 20% coupon on 50.000: 10.000 off; service 5% of 40.000 = 2.000; tax 10% of 42.000
            (
                vec![line(25_000, 2)],
                None,
                Some(pct(2000, None)),
                None,
                [0, 10_000, 0, 2_000, 4_200, 46_200],
            ),
            // the same capped at 7.500
            (
                vec![line(25_000, 2)],
                None,
                Some(pct(2000, Some(7_500))),
                None,
                [0, 7_500, 0, 2_125, 4_463, 49_088],
            ),
            // 10% order discount first (5.000), then the coupon's 20% of 45.000 = 9.000
            (
                vec![line(25_000, 2)],
                Some(Discount::Percent(1000)),
                Some(pct(2000, None)),
                None,
                [5_000, 9_000, 0, 1_800, 3_780, 41_580],
            ),
            // a fixed coupon larger than the order takes what is left, never more
            (
                vec![line(15_000, 1)],
                None,
                Some(Offer::Amount(Money(20_000))),
                None,
                [0, 15_000, 0, 0, 0, 0],
            ),
            // tiers: 60.000 reaches the 5% step, 120.000 the 10% one, 40.000 none
            (
                vec![line(60_000, 1)],
                None,
                Some(tiers.clone()),
                None,
                [0, 3_000, 0, 2_850, 5_985, 65_835],
            ),
            (
                vec![line(60_000, 2)],
                None,
                Some(tiers.clone()),
                None,
                [0, 12_000, 0, 5_400, 11_340, 124_740],
            ),
            (
                vec![line(40_000, 1)],
                None,
                Some(tiers),
                None,
                [0, 0, 0, 2_000, 4_200, 46_200],
            ),
            // coupon, then a voucher of 5.000 on what the coupon left
            (
                vec![line(25_000, 2)],
                None,
                Some(pct(1000, None)),
                Some(Offer::Amount(Money(5_000))),
                [0, 5_000, 5_000, 2_000, 4_200, 46_200],
            ),
            // a voucher's percentage is of what is left after the coupon
            (
                vec![line(50_000, 1)],
                None,
                Some(Offer::Amount(Money(10_000))),
                Some(pct(5000, None)),
                [0, 10_000, 20_000, 1_000, 2_100, 23_100],
            ),
        ];
        for (i, (lines, od, coupon, voucher, want)) in cases.into_iter().enumerate() {
            let t = compute_order(
                &lines,
                &OrderLevel {
                    discount: od,
                    discount_limit: None,
                    coupon: coupon.as_ref(),
                    voucher: voucher.as_ref(),
                },
                &rates,
            )
            .unwrap();
            let got = [
                t.order_discount.0,
                t.coupon_discount.0,
                t.voucher_discount.0,
                t.service.0,
                t.tax.0,
                t.total.0,
            ];
            assert_eq!(got, want, "case {i}");
            // The lines' order-level shares add up to all three, so refunds stay exact.
            assert_eq!(
                t.lines.iter().map(|l| l.order_discount.0).sum::<i64>(),
                t.order_level_discounts().0,
                "case {i}: shares"
            );
            let line_sum: i64 = t.lines.iter().map(|l| l.total.0).sum();
            assert_eq!(line_sum + t.rounding.0, t.total.0, "case {i}: lines add up");
        }
    }

    #[test]
    fn offers_never_take_more_than_is_left_or_below_zero() {
        for (offer, base, want) in [
            (Offer::Amount(Money(-5)), 100, 0),
            (Offer::Amount(Money(500)), 100, 100),
            (
                Offer::Percent {
                    bp: 20_000,
                    cap: None,
                },
                100,
                100,
            ),
            (
                Offer::Percent {
                    bp: 5000,
                    cap: Some(Money(-1)),
                },
                100,
                0,
            ),
            (Offer::Tiered(vec![]), 100, 0),
            (
                Offer::Percent {
                    bp: 5000,
                    cap: None,
                },
                0,
                0,
            ),
        ] {
            assert_eq!(offer.take(Money(base)), Money(want), "{offer:?} on {base}");
        }
    }
}
