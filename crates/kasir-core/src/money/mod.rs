//! Money: an integer count of the currency's minor unit, with checked arithmetic.
//!
//! # The rounding rule
//! Every derived amount (a percentage discount, service charge, tax, a tax-inclusive split, cash
//! rounding) is computed exactly in 128-bit integers and then rounded **half up** to the minor
//! unit: 0.5 and above goes up, below 0.5 goes down. Amounts that feed a derived amount are
//! already rounded; nothing is rounded twice. Rates are basis points (1000 = 10%).

pub mod currency;
pub mod pricing;
pub mod refund;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};
use crate::{Field, Rule};

/// An amount in the shop currency's minor unit (rupiah have none, so Rp 25.000 is `Money(25000)`).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(pub i64);

/// The largest amount Kasir accepts anywhere: far below 2^53, so it survives JavaScript numbers.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000_000; // 10^15

impl Money {
    pub const ZERO: Money = Money(0);

    /// `self + other`; [`Error::Overflow`] past ±[`MAX_AMOUNT`], so no amount the core
    /// stores or returns leaves the range a JavaScript number holds exactly.
    pub fn checked_add(self, other: Money) -> Result<Money> {
        self.0
            .checked_add(other.0)
            .filter(|v| v.unsigned_abs() <= MAX_AMOUNT as u64)
            .map(Money)
            .ok_or(Error::Overflow)
    }

    /// `self - other`, within ±[`MAX_AMOUNT`] like [`Money::checked_add`].
    pub fn checked_sub(self, other: Money) -> Result<Money> {
        self.0
            .checked_sub(other.0)
            .filter(|v| v.unsigned_abs() <= MAX_AMOUNT as u64)
            .map(Money)
            .ok_or(Error::Overflow)
    }

    pub fn checked_mul(self, factor: i64) -> Result<Money> {
        self.0
            .checked_mul(factor)
            .filter(|v| v.unsigned_abs() <= MAX_AMOUNT as u64)
            .map(Money)
            .ok_or(Error::Overflow)
    }

    /// `self × bp / 10 000`, rounded half up.
    pub fn percent(self, bp: u32) -> Money {
        Money(round_div(self.0 as i128 * bp as i128, 10_000) as i64)
    }

    /// Rounds to the nearest multiple of `unit` (half up); `unit` 1 leaves the amount as it is.
    pub fn round_to(self, unit: i64) -> Money {
        if unit <= 1 {
            return self;
        }
        Money((round_div(self.0 as i128, unit as i128) * unit as i128) as i64)
    }

    /// Sums amounts, failing on overflow.
    pub fn sum(amounts: impl IntoIterator<Item = Money>) -> Result<Money> {
        amounts
            .into_iter()
            .try_fold(Money::ZERO, |acc, m| acc.checked_add(m))
    }
}

/// Money crosses to TypeScript as a plain `number` (declared as i32 so TypeScript gets `number`,
/// not `number | null`): amounts are capped at 10^15, far below 2^53.
#[cfg(feature = "specta")]
impl specta::Type for Money {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        <i32 as specta::Type>::definition(types)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// `n / d` rounded half up (towards +∞ at exactly .5), for `d > 0`.
pub(crate) fn round_div(n: i128, d: i128) -> i128 {
    debug_assert!(d > 0);
    let q = n.div_euclid(d);
    let r = n.rem_euclid(d);
    if r * 2 >= d { q + 1 } else { q }
}

/// Checks that a user-entered amount is within `0..=MAX_AMOUNT`.
pub fn validate_amount(field: Field, value: i64) -> Result<Money> {
    if value < 0 {
        return Err(Error::invalid(field, Rule::Negative));
    }
    if value > MAX_AMOUNT {
        return Err(Error::invalid(field, Rule::TooLarge));
    }
    Ok(Money(value))
}

/// The most digits after the decimal point any currency has (ISO 4217 has none above 4).
pub const MAX_MINOR_UNIT: u32 = 4;

/// How the shop writes money: currency symbol, separators and minor digits. The UI formats
/// with the shop's `MoneyFormat` as the core made it, so the two never disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MoneyFormat {
    pub symbol: String,
    /// Symbol followed by a space ("Rp 25.000") or not ("$25.00").
    pub spaced: bool,
    pub group_separator: char,
    pub decimal_separator: char,
    pub minor_unit: u32,
}

impl MoneyFormat {
    /// The format for a currency (ISO 4217 code) written in a locale (BCP 47, e.g. `id-ID`).
    /// `minor_unit` is clamped to [`MAX_MINOR_UNIT`].
    pub fn new(currency: &str, locale: &str, minor_unit: u32) -> MoneyFormat {
        let minor_unit = minor_unit.min(MAX_MINOR_UNIT);
        // The one currency table; an unknown code is written as itself and a space.
        let (symbol, spaced) = match currency::currency(currency) {
            Some(c) => (c.symbol, c.spaced),
            None => (currency, true),
        };
        let comma_decimal = matches!(
            locale.split(['-', '_']).next().unwrap_or(""),
            "id" | "de" | "nl" | "es" | "it" | "pt" | "tr" | "da"
        );
        let (group_separator, decimal_separator) = if comma_decimal {
            ('.', ',')
        } else {
            (',', '.')
        };
        MoneyFormat {
            symbol: symbol.to_string(),
            spaced,
            group_separator,
            decimal_separator,
            minor_unit,
        }
    }

    /// The amount without the symbol: `25.000`, `1,234.50`, `-5.000`.
    pub fn number(&self, amount: Money) -> String {
        let negative = amount.0 < 0;
        let abs = amount.0.unsigned_abs();
        let scale = 10u64.pow(self.minor_unit.min(MAX_MINOR_UNIT));
        let (whole, frac) = (abs / scale, abs % scale);
        let digits = whole.to_string();
        let mut out = String::with_capacity(digits.len() + 8);
        if negative {
            out.push('-');
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(self.group_separator);
            }
            out.push(c);
        }
        if self.minor_unit > 0 {
            out.push(self.decimal_separator);
            out.push_str(&format!(
                "{:0width$}",
                frac,
                width = self.minor_unit.min(MAX_MINOR_UNIT) as usize
            ));
        }
        out
    }

    /// The amount with its symbol: `Rp 25.000`, `$25.00`, `-Rp 5.000`.
    pub fn format(&self, amount: Money) -> String {
        let number = self.number(amount);
        let (sign, number) = match number.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", number.as_str()),
        };
        let space = if self.spaced { " " } else { "" };
        format!("{sign}{}{space}{number}", self.symbol)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_div_is_half_up() {
        let cases = [
            (10, 4, 3),   // 2.5 -> 3
            (9, 4, 2),    // 2.25 -> 2
            (11, 4, 3),   // 2.75 -> 3
            (0, 7, 0),    //
            (-10, 4, -2), // -2.5 -> -2 (half up, towards +inf)
            (-11, 4, -3), // -2.75 -> -3
            (5, 10, 1),   // 0.5 -> 1
            (4, 10, 0),   // 0.4 -> 0
        ];
        for (n, d, want) in cases {
            assert_eq!(round_div(n, d), want, "{n}/{d}");
        }
    }

    #[test]
    fn percent_table() {
        let cases = [
            (25_000, 1000, 2_500),
            (12_345, 1000, 1_235), // 1234.5 -> 1235
            (12_344, 1000, 1_234), // 1234.4
            (33_333, 500, 1_667),  // 1666.65 -> 1667
            (1, 5000, 1),          // 0.5 -> 1
            (1, 4999, 0),
            (0, 1000, 0),
            (MAX_AMOUNT, 10_000, MAX_AMOUNT),
        ];
        for (amount, bp, want) in cases {
            assert_eq!(Money(amount).percent(bp), Money(want), "{amount} x {bp}bp");
        }
    }

    #[test]
    fn cash_rounding_table() {
        let cases = [
            (28_849, 100, 28_800),
            (28_850, 100, 28_900),
            (28_851, 100, 28_900),
            (28_800, 100, 28_800),
            (1_049, 1, 1_049),
            (2_499, 500, 2_500),
            (2_249, 500, 2_000),
            (2_250, 500, 2_500),
        ];
        for (amount, unit, want) in cases {
            assert_eq!(
                Money(amount).round_to(unit),
                Money(want),
                "{amount} to {unit}"
            );
        }
    }

    #[test]
    fn checked_arithmetic_refuses_overflow() {
        assert!(matches!(
            Money(i64::MAX).checked_add(Money(1)),
            Err(Error::Overflow)
        ));
        assert!(matches!(
            Money(MAX_AMOUNT).checked_mul(2),
            Err(Error::Overflow)
        ));
        assert!(matches!(
            Money(i64::MIN).checked_sub(Money(1)),
            Err(Error::Overflow)
        ));
        assert_eq!(Money(25_000).checked_mul(3).unwrap(), Money(75_000));
    }

    #[test]
    fn validate_amount_bounds() {
        assert!(validate_amount(Field::Price, -1).is_err());
        assert!(validate_amount(Field::Price, MAX_AMOUNT + 1).is_err());
        assert_eq!(validate_amount(Field::Price, 0).unwrap(), Money(0));
    }

    #[test]
    fn formats_by_currency_and_locale() {
        let idr = MoneyFormat::new("IDR", "id-ID", 0);
        let usd = MoneyFormat::new("USD", "en-US", 2);
        let cases = [
            (&idr, 25_000, "Rp 25.000"),
            (&idr, 0, "Rp 0"),
            (&idr, 1_234_567, "Rp 1.234.567"),
            (&idr, -5_000, "-Rp 5.000"),
            (&idr, 100, "Rp 100"),
            (&usd, 2_500, "$25.00"),
            (&usd, 5, "$0.05"),
            (&usd, 123_456_789, "$1,234,567.89"),
            (&idr, i64::MIN, "-Rp 9.223.372.036.854.775.808"),
        ];
        for (format, amount, want) in cases {
            assert_eq!(format.format(Money(amount)), want);
        }
    }

    /// No public function panics on extreme arguments.
    #[test]
    fn extreme_arguments_are_clamped_not_panics() {
        let f = MoneyFormat::new("XYZ", "en-US", 64);
        assert_eq!(f.minor_unit, MAX_MINOR_UNIT);
        assert_eq!(f.number(Money(MAX_AMOUNT)), "100,000,000,000.0000");
        assert!(f.format(Money(i64::MIN)).starts_with('-'));
        assert!(matches!(
            Money(MAX_AMOUNT).checked_add(Money(1)),
            Err(Error::Overflow)
        ));
        assert!(matches!(
            Money(-MAX_AMOUNT).checked_sub(Money(1)),
            Err(Error::Overflow)
        ));
        assert_eq!(
            Money(MAX_AMOUNT).checked_sub(Money(1)).unwrap(),
            Money(MAX_AMOUNT - 1)
        );
    }
}
