//! Identities: every row that syncs gets a UUIDv7 made on the terminal from the clock's time,
//! so ids sort by creation time and never need a server to be unique.

use jiff::Timestamp;
use uuid::Uuid;

/// A new UUIDv7 stamped with `now`.
pub(crate) fn new_uuid(now: Timestamp) -> Uuid {
    let ts = uuid::Timestamp::from_unix(
        uuid::NoContext,
        now.as_second().max(0) as u64,
        now.subsec_nanosecond().max(0) as u32,
    );
    Uuid::new_v7(ts)
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            pub(crate) fn new(now: jiff::Timestamp) -> Self {
                $name($crate::kernel::ids::new_uuid(now))
            }
        }

        #[cfg(feature = "specta")]
        impl specta::Type for $name {
            fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
                <String as specta::Type>::definition(types)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::Error;
            fn from_str(s: &str) -> $crate::Result<Self> {
                uuid::Uuid::parse_str(s)
                    .map($name)
                    .map_err(|_| $crate::Error::invalid($crate::kernel::error::Field::Id, $crate::kernel::error::Rule::NotAnId))
            }
        }

        impl rusqlite::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(rusqlite::types::ToSqlOutput::from(self.0.to_string()))
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                let text = value.as_str()?;
                uuid::Uuid::parse_str(text)
                    .map($name)
                    .map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))
            }
        }
    };
}

pub(crate) use id_type;
