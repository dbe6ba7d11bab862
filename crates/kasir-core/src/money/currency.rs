//! The currencies Kasir knows: the one table of how each is written (symbol, space after it)
//! and how many minor digits it has. The UI reads it (through the first-run options and the
//! shop's [`MoneyFormat`](super::MoneyFormat)) and keeps no table of its own.

use serde::Serialize;

/// One currency, as ISO 4217 and the shops that use it write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Currency {
    /// ISO 4217 code: `IDR`.
    pub code: &'static str,
    /// Its English name, for the first-run screen.
    pub name: &'static str,
    /// `Rp`, `$`, `RM`.
    pub symbol: &'static str,
    /// A space between symbol and amount ("Rp 25.000") or not ("$25.00").
    pub spaced: bool,
    /// Digits after the decimal point (ISO 4217's minor unit).
    pub minor_unit: u32,
    /// The locale a shop with this currency most often writes in (`id-ID`).
    pub locale: &'static str,
}

const fn c(
    code: &'static str,
    name: &'static str,
    symbol: &'static str,
    spaced: bool,
    minor_unit: u32,
    locale: &'static str,
) -> Currency {
    Currency {
        code,
        name,
        symbol,
        spaced,
        minor_unit,
        locale,
    }
}

/// Every currency Kasir knows, the shop's first users' first.
pub const CURRENCIES: [Currency; 14] = [
    c("IDR", "Indonesian rupiah", "Rp", true, 0, "id-ID"),
    c("USD", "US dollar", "$", false, 2, "en-US"),
    c("SGD", "Singapore dollar", "S$", false, 2, "en-SG"),
    c("MYR", "Malaysian ringgit", "RM", false, 2, "ms-MY"),
    c("THB", "Thai baht", "฿", false, 2, "th-TH"),
    c("PHP", "Philippine peso", "₱", false, 2, "en-PH"),
    c("VND", "Vietnamese dong", "₫", true, 0, "vi-VN"),
    c("EUR", "Euro", "€", false, 2, "de-DE"),
    c("GBP", "Pound sterling", "£", false, 2, "en-GB"),
    c("AUD", "Australian dollar", "A$", false, 2, "en-AU"),
    c("JPY", "Japanese yen", "¥", false, 0, "ja-JP"),
    c("KRW", "South Korean won", "₩", false, 0, "ko-KR"),
    c("INR", "Indian rupee", "₹", false, 2, "en-IN"),
    c("CNY", "Chinese yuan", "¥", false, 2, "zh-CN"),
];

/// The currency with this ISO code, if Kasir knows it.
pub fn currency(code: &str) -> Option<&'static Currency> {
    CURRENCIES.iter().find(|c| c.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_iso_shaped_and_minor_units_sane() {
        let mut codes: Vec<&str> = CURRENCIES.iter().map(|c| c.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), CURRENCIES.len());
        for c in CURRENCIES {
            assert!(c.code.len() == 3 && c.code.bytes().all(|b| b.is_ascii_uppercase()));
            assert!(c.minor_unit <= super::super::MAX_MINOR_UNIT);
        }
        assert_eq!(currency("IDR").unwrap().minor_unit, 0);
        assert_eq!(currency("JPY").unwrap().minor_unit, 0);
        assert!(currency("XYZ").is_none());
    }
}
