//! Timestamps as stored: one fixed-width UTC text form, so that text order is time order.
//!
//! `2026-11-21T10:35:54.120000000Z`: always nine fractional digits. jiff's own `Display` drops
//! trailing zeros (`…54.12Z`), and then `…05.1Z` sorts after `…05.12Z` as text, which misplaces
//! rows in `ORDER BY` and at the edges of range filters. Every timestamp the core writes goes
//! through [`Stamp`]; reading accepts any RFC 3339 form (rows written before V2 was applied).

use jiff::Timestamp;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

/// A timestamp in its stored form. Wraps [`Timestamp`] for `ToSql`/`FromSql`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Stamp(pub Timestamp);

/// The stored text of `t`: fixed width, UTC, nanoseconds.
pub(crate) fn stamp_text(t: Timestamp) -> String {
    // Timestamps before 1970 have a negative sub-second part; jiff's strftime handles the
    // date and time, and the fraction is taken from the nanosecond of the civil time.
    let civil = t.to_zoned(jiff::tz::TimeZone::UTC).datetime();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
        civil.year(),
        civil.month(),
        civil.day(),
        civil.hour(),
        civil.minute(),
        civil.second(),
        civil.subsec_nanosecond()
    )
}

impl std::fmt::Display for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&stamp_text(self.0))
    }
}

impl ToSql for Stamp {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(stamp_text(self.0)))
    }
}

impl FromSql for Stamp {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        text.parse::<Timestamp>()
            .map(Stamp)
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_text_is_fixed_width_and_sorts_as_time() {
        let cases = [
            ("2026-11-21T10:35:05Z", "2026-11-21T10:35:05.000000000Z"),
            ("2026-11-21T10:35:05.1Z", "2026-11-21T10:35:05.100000000Z"),
            ("2026-11-21T10:35:05.12Z", "2026-11-21T10:35:05.120000000Z"),
            (
                "2026-11-21T10:35:05.123456789Z",
                "2026-11-21T10:35:05.123456789Z",
            ),
            ("1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59.500000000Z"),
            ("9999-12-30T12:00:00.5Z", "9999-12-30T12:00:00.500000000Z"),
        ];
        for (input, stored) in cases {
            let t: Timestamp = input.parse().unwrap();
            assert_eq!(stamp_text(t), stored, "{input}");
            assert_eq!(stamp_text(t).parse::<Timestamp>().unwrap(), t, "round trip");
        }
        // Text order is time order, within a second too.
        let mut texts: Vec<String> = ["05.12", "05.1", "05", "05.123", "04.9"]
            .iter()
            .map(|s| stamp_text(format!("2026-11-21T10:35:{s}Z").parse().unwrap()))
            .collect();
        texts.sort();
        let times: Vec<Timestamp> = texts.iter().map(|t| t.parse().unwrap()).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{texts:?}");
    }
}
