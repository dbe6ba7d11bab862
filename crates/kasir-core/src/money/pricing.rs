//! Ticket totals: the one place that turns lines, discounts and the shop's rates into money.
//! Pure functions, no database; the UI shows exactly what this computes.
//!
//! # The rule, in order (see [`crate::money`] for rounding: half up, to the minor unit)
//! 1. `gross = unit price × quantity` for each line.
//! 2. A line discount is a percentage of `gross` (rounded) or an amount `≤ gross`; `net = gross − discount`.
//! 3. `subtotal = Σ net`. An order discount is a percentage of `subtotal` or an amount `≤ subtotal`;
//!    `base = subtotal − order discount`.
//! 4. Tax-exclusive prices: `service = base × service rate`, `tax = (base + service) × tax rate`
//!    (PB1 is charged on the service charge too), `total = base + service + tax`.
//!    Tax-inclusive prices: `base` already holds service and tax; `net = base ÷ (1+s)(1+t)`,
//!    `service = net × s`, `tax = base − net − service`, `total = base`.
//! 5. Cash rounding: `total` is rounded to the shop's rounding unit (e.g. Rp 100);
//!    `rounding = rounded − total` is shown on the receipt. It applies to every tender, so a
//!    split payment can never disagree with itself.
//! 6. Order discount, service and tax are shared out over the lines in proportion to `net`
//!    by largest remainder, so the lines always add up to the order exactly.

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
    pub order_discount: Money,
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

/// Computes totals by the rule in the module docs. A discount with a limit (the amount a
/// manager approved for someone without the discount right) never takes more than it, however
/// the ticket grows afterwards: growing past it takes a new approval.
pub fn compute(
    lines: &[LineInput],
    order_discount: Option<Discount>,
    order_discount_limit: Option<Money>,
    rates: &Rates,
) -> Result<Totals> {
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
    let order_disc = match order_discount {
        Some(d) => capped(d.validate()?.apply_to(subtotal)?, order_discount_limit),
        None => Money::ZERO,
    };
    let base = subtotal.checked_sub(order_disc)?;

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
    let od_shares = allocate(order_disc.0, &weights);
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
        service,
        tax,
        rounding: rounded.checked_sub(total)?,
        total: rounded,
        prices_include_tax: rates.prices_include_tax,
    })
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
}
