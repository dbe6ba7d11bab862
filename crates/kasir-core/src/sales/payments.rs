//! Payments: the tenders a cashier enters, and how they settle an amount due. Change comes
//! back from cash only; card, QRIS, e-wallet, points and the member's wallet never exceed what
//! is due (checkout checks the member's balances).

use serde::{Deserialize, Serialize};

use crate::kernel::text;
use crate::money::MAX_AMOUNT;
use crate::{Error, Money, Result};
use crate::{Field, Rule};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum PaymentMethod {
    Cash,
    Card,
    Qris,
    Ewallet,
    /// A member's loyalty points, at the settings' value per point.
    Points,
    /// A member's wallet.
    Wallet,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 6] = [
        PaymentMethod::Cash,
        PaymentMethod::Card,
        PaymentMethod::Qris,
        PaymentMethod::Ewallet,
        PaymentMethod::Points,
        PaymentMethod::Wallet,
    ];

    /// Whether the tender is a member's balance (points or wallet): it needs a member.
    pub fn is_members(self) -> bool {
        matches!(self, PaymentMethod::Points | PaymentMethod::Wallet)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::Card => "card",
            PaymentMethod::Qris => "qris",
            PaymentMethod::Ewallet => "ewallet",
            PaymentMethod::Points => "points",
            PaymentMethod::Wallet => "wallet",
        }
    }

    pub(crate) fn to_proto(self) -> kasir_proto::PaymentMethod {
        match self {
            PaymentMethod::Cash => kasir_proto::PaymentMethod::Cash,
            PaymentMethod::Card => kasir_proto::PaymentMethod::Card,
            PaymentMethod::Qris => kasir_proto::PaymentMethod::Qris,
            PaymentMethod::Ewallet => kasir_proto::PaymentMethod::Ewallet,
            PaymentMethod::Points => kasir_proto::PaymentMethod::Points,
            PaymentMethod::Wallet => kasir_proto::PaymentMethod::Wallet,
        }
    }

    pub(crate) fn from_proto(m: kasir_proto::PaymentMethod) -> PaymentMethod {
        match m {
            kasir_proto::PaymentMethod::Cash => PaymentMethod::Cash,
            kasir_proto::PaymentMethod::Card => PaymentMethod::Card,
            kasir_proto::PaymentMethod::Qris => PaymentMethod::Qris,
            kasir_proto::PaymentMethod::Ewallet => PaymentMethod::Ewallet,
            kasir_proto::PaymentMethod::Points => PaymentMethod::Points,
            kasir_proto::PaymentMethod::Wallet => PaymentMethod::Wallet,
        }
    }

    pub(crate) fn parse(s: &str) -> Result<PaymentMethod> {
        Ok(match s {
            "cash" => PaymentMethod::Cash,
            "card" => PaymentMethod::Card,
            "qris" => PaymentMethod::Qris,
            "ewallet" => PaymentMethod::Ewallet,
            "points" => PaymentMethod::Points,
            "wallet" => PaymentMethod::Wallet,
            other => {
                return Err(Error::invalid(
                    Field::Method,
                    Rule::Unknown {
                        value: other.into(),
                    },
                ));
            }
        })
    }
}

/// One tender as the cashier enters it. For cash, `amount` is what the customer handed
/// over; change comes back from cash only. For card, QRIS and e-wallet, `amount` is what was
/// charged, and QRIS and e-wallet need the transaction's reference.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PaymentInput {
    pub method: PaymentMethod,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub amount: i64,
    pub reference: Option<String>,
}

/// A payment as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Payment {
    pub method: PaymentMethod,
    /// What this tender paid towards the order.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub amount: Money,
    pub tendered: Money,
    pub change: Money,
    pub reference: Option<String>,
}

/// The most tenders on one order.
pub const MAX_PAYMENTS: usize = 10;

/// Checks tenders against what is due and records change from cash.
pub fn settle(due: Money, inputs: &[PaymentInput]) -> Result<(Vec<Payment>, Money)> {
    if inputs.len() > MAX_PAYMENTS {
        return Err(Error::invalid(
            Field::Payments,
            Rule::TooMany {
                max: MAX_PAYMENTS as u32,
            },
        ));
    }
    let mut payments = Vec::with_capacity(inputs.len());
    for p in inputs {
        if p.amount <= 0 {
            return Err(Error::invalid(Field::Amount, Rule::NotPositive));
        }
        if p.amount > MAX_AMOUNT {
            return Err(Error::invalid(Field::Amount, Rule::TooLarge));
        }
        let reference = match p.reference.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(r) => Some(text::line(Field::Reference, r, 64)?),
        };
        if matches!(p.method, PaymentMethod::Qris | PaymentMethod::Ewallet) && reference.is_none() {
            return Err(Error::invalid(Field::Reference, Rule::Required));
        }
        payments.push(Payment {
            method: p.method,
            amount: Money(p.amount),
            tendered: Money(p.amount),
            change: Money::ZERO,
            reference,
        });
    }
    let non_cash = Money::sum(
        payments
            .iter()
            .filter(|p| p.method != PaymentMethod::Cash)
            .map(|p| p.amount),
    )?;
    if non_cash > due {
        return Err(Error::Overpaid { due, non_cash });
    }
    let tendered = Money::sum(payments.iter().map(|p| p.tendered))?;
    if tendered < due {
        return Err(Error::Underpaid {
            due,
            paid: tendered,
        });
    }
    let change = tendered.checked_sub(due)?;
    // Change comes out of the cash tenders, last first.
    let mut left = change;
    for p in payments
        .iter_mut()
        .rev()
        .filter(|p| p.method == PaymentMethod::Cash)
    {
        let take = left.min(p.tendered);
        p.change = take;
        p.amount = p.tendered.checked_sub(take)?;
        left = left.checked_sub(take)?;
    }
    if left.0 > 0 {
        // Cannot happen while non-cash ≤ due (change ≤ cash), but never mis-record money.
        return Err(Error::Overpaid { due, non_cash });
    }
    // A cash tender that went wholly to change paid nothing: leave it off the record.
    payments.retain(|p| p.amount.0 > 0);
    Ok((payments, change))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cash(n: i64) -> PaymentInput {
        PaymentInput {
            method: PaymentMethod::Cash,
            amount: n,
            reference: None,
        }
    }
    fn card(n: i64) -> PaymentInput {
        PaymentInput {
            method: PaymentMethod::Card,
            amount: n,
            reference: None,
        }
    }
    fn qris(n: i64, r: &str) -> PaymentInput {
        PaymentInput {
            method: PaymentMethod::Qris,
            amount: n,
            reference: Some(r.into()),
        }
    }

    #[test]
    fn settle_table() {
        // (due, tenders) -> (amounts applied, change)
        let cases: Vec<(i64, Vec<PaymentInput>, Vec<i64>, i64)> = vec![
            (28_900, vec![cash(50_000)], vec![28_900], 21_100),
            (28_900, vec![cash(28_900)], vec![28_900], 0),
            (28_900, vec![card(28_900)], vec![28_900], 0),
            (
                28_900,
                vec![card(20_000), cash(10_000)],
                vec![20_000, 8_900],
                1_100,
            ),
            (
                28_900,
                vec![qris(8_900, "QR-1"), cash(20_000)],
                vec![8_900, 20_000],
                0,
            ),
            (
                30_000,
                vec![cash(10_000), cash(50_000)],
                vec![10_000, 20_000],
                30_000,
            ),
            (0, vec![], vec![], 0),
        ];
        for (i, (due, tenders, applied, change)) in cases.into_iter().enumerate() {
            let (payments, got_change) = settle(Money(due), &tenders).unwrap();
            assert_eq!(
                payments.iter().map(|p| p.amount.0).collect::<Vec<_>>(),
                applied,
                "case {i}"
            );
            assert_eq!(got_change.0, change, "case {i}");
            assert_eq!(
                payments.iter().map(|p| p.amount.0).sum::<i64>(),
                due,
                "case {i}: applied = due"
            );
            for p in &payments {
                assert_eq!(p.tendered.0 - p.amount.0, p.change.0);
            }
        }
    }

    #[test]
    fn settle_refusals() {
        assert!(matches!(
            settle(Money(10_000), &[cash(9_999)]),
            Err(Error::Underpaid { .. })
        ));
        assert!(matches!(
            settle(Money(10_000), &[]),
            Err(Error::Underpaid { .. })
        ));
        assert!(matches!(
            settle(Money(10_000), &[card(10_001)]),
            Err(Error::Overpaid { .. })
        ));
        assert!(matches!(
            settle(Money(10_000), &[card(6_000), qris(6_000, "x")]),
            Err(Error::Overpaid { .. })
        ));
        assert!(matches!(
            settle(Money(10_000), &[cash(-5)]),
            Err(Error::Invalid { .. })
        ));
        assert!(matches!(
            settle(Money(10_000), &[cash(0)]),
            Err(Error::Invalid { .. })
        ));
        assert!(matches!(
            settle(Money(10_000), &[cash(i64::MAX)]),
            Err(Error::Invalid { .. })
        ));
        assert!(matches!(
            settle(
                Money(10_000),
                &[PaymentInput {
                    method: PaymentMethod::Qris,
                    amount: 10_000,
                    reference: None
                }]
            ),
            Err(Error::Invalid {
                field: Field::Reference,
                ..
            })
        ));
        let many: Vec<_> = (0..11).map(|_| cash(1_000)).collect();
        assert!(matches!(
            settle(Money(10_000), &many),
            Err(Error::Invalid { .. })
        ));
    }

    /// Each tender is capped, and so is their sum: ten tenders at the cap cannot make a
    /// change beyond what a JavaScript number holds exactly.
    #[test]
    fn the_sum_of_tenders_stays_within_the_cap() {
        let big = PaymentInput {
            method: PaymentMethod::Cash,
            amount: MAX_AMOUNT,
            reference: None,
        };
        let ten = vec![big; MAX_PAYMENTS];
        assert!(matches!(settle(Money(100), &ten), Err(Error::Overflow)));
        let two = vec![ten[0].clone(); 2];
        assert!(matches!(settle(Money(100), &two), Err(Error::Overflow)));
        let (_, change) = settle(Money(100), &ten[..1]).unwrap();
        assert_eq!(change, Money(MAX_AMOUNT - 100));
    }
}
