//! The shop's settings: one row, validated as a whole.

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::access::{Actor, Ctx, Permission};
use crate::kernel::text;
use crate::money::MoneyFormat;
use crate::money::pricing::Rates;
use crate::{Error, Kasir, Result, audit};
use crate::{Field, Rule};

/// What the first-run screen offers: every currency Kasir knows (with its minor digits and
/// usual locale), every time zone, and the machine's own zone to start from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SetupOptions {
    pub currencies: Vec<crate::money::currency::Currency>,
    pub time_zones: Vec<String>,
    pub suggested_time_zone: String,
}

/// The first-run screen's choices (see [`SetupOptions`]).
pub fn setup_options() -> SetupOptions {
    let mut time_zones: Vec<String> = jiff::tz::db()
        .available()
        .map(|name| name.as_str().to_string())
        .filter(|name| name.contains('/') && !name.starts_with("Etc/"))
        .collect();
    time_zones.sort();
    let system = jiff::tz::TimeZone::system()
        .iana_name()
        .map(str::to_string)
        .filter(|name| time_zones.contains(name))
        .unwrap_or_else(|| "Asia/Jakarta".to_string());
    SetupOptions {
        currencies: crate::money::currency::CURRENCIES.to_vec(),
        time_zones,
        suggested_time_zone: system,
    }
}

/// The highest tax or service rate, in basis points (50%).
pub const MAX_RATE_BP: u32 = 5_000;

/// Everything a shop sets once and changes rarely.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Settings {
    pub shop_name: String,
    pub shop_address: String,
    /// ISO 4217 code: `IDR`, `USD`.
    pub currency: String,
    /// Digits after the decimal point in the currency (0 for rupiah, 2 for dollars).
    pub minor_unit: u32,
    /// BCP 47: `id-ID`, `en-US`.
    pub locale: String,
    /// IANA name: `Asia/Jakarta`.
    pub time_zone: String,
    /// Basis points: 1000 = 10%.
    pub tax_rate_bp: u32,
    pub service_rate_bp: u32,
    pub prices_include_tax: bool,
    /// Totals round to a multiple of this many minor units (1 = none; 100 = Rp 100).
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub cash_rounding: i64,
    pub receipt_header: String,
    pub receipt_footer: String,
    /// This terminal's code, the prefix of its receipt numbers: `T01`.
    pub terminal_code: String,
    /// The shop's tax number (NPWP), printed on receipts when set.
    pub tax_number: String,
    /// Idle minutes before a till locks itself (0: never); each till may choose otherwise.
    pub auto_lock_minutes: u32,
    /// Whether selling needs an open shift (a counted float) on the till.
    pub require_open_shift: bool,
}

/// The longest idle time a till may stay unlocked, in minutes.
pub const MAX_AUTO_LOCK_MINUTES: u32 = 240;

impl Settings {
    pub fn rates(&self) -> Rates {
        Rates {
            tax_bp: self.tax_rate_bp,
            service_bp: self.service_rate_bp,
            prices_include_tax: self.prices_include_tax,
            cash_rounding: self.cash_rounding,
        }
    }

    /// The store-wide part, as the wire carries it (all but this till's code).
    pub fn shop_wide(&self, initial: bool) -> kasir_proto::ShopSettings {
        kasir_proto::ShopSettings {
            shop_name: self.shop_name.clone(),
            shop_address: self.shop_address.clone(),
            currency: self.currency.clone(),
            minor_unit: self.minor_unit,
            locale: self.locale.clone(),
            time_zone: self.time_zone.clone(),
            tax_rate_bp: self.tax_rate_bp,
            service_rate_bp: self.service_rate_bp,
            prices_include_tax: self.prices_include_tax,
            cash_rounding: self.cash_rounding,
            receipt_header: self.receipt_header.clone(),
            receipt_footer: self.receipt_footer.clone(),
            tax_number: self.tax_number.clone(),
            auto_lock_minutes: self.auto_lock_minutes,
            require_open_shift: self.require_open_shift,
            initial,
        }
    }

    /// These settings with the store's from the server; this till's code stays its own.
    pub fn with_store_wide(self, s: &kasir_proto::ShopSettings) -> Settings {
        Settings {
            shop_name: s.shop_name.clone(),
            shop_address: s.shop_address.clone(),
            currency: s.currency.clone(),
            minor_unit: s.minor_unit,
            locale: s.locale.clone(),
            time_zone: s.time_zone.clone(),
            tax_rate_bp: s.tax_rate_bp,
            service_rate_bp: s.service_rate_bp,
            prices_include_tax: s.prices_include_tax,
            cash_rounding: s.cash_rounding,
            receipt_header: s.receipt_header.clone(),
            receipt_footer: s.receipt_footer.clone(),
            terminal_code: self.terminal_code,
            tax_number: s.tax_number.clone(),
            auto_lock_minutes: s.auto_lock_minutes,
            require_open_shift: s.require_open_shift,
        }
    }

    pub fn money_format(&self) -> MoneyFormat {
        MoneyFormat::new(&self.currency, &self.locale, self.minor_unit)
    }

    /// The shop's time zone. Settings are validated when stored, so an unknown zone means
    /// the row was changed behind Kasir's back: an error, never a silent UTC (it decides
    /// every sale's business date).
    pub fn time_zone(&self) -> Result<jiff::tz::TimeZone> {
        jiff::tz::TimeZone::get(&self.time_zone).map_err(|e| {
            Error::DatabaseCorrupt(format!(
                "settings: unknown time zone {:?}: {e}",
                self.time_zone
            ))
        })
    }

    /// Checks every field; returns the cleaned-up settings.
    pub fn validate(mut self) -> Result<Settings> {
        self.shop_name = text::name(Field::ShopName, &self.shop_name, 80)?;
        self.shop_address = text::multiline(Field::ShopAddress, &self.shop_address, 300)?;
        if self.currency.len() != 3 || !self.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(Error::invalid(Field::Currency, Rule::CurrencyCode));
        }
        if self.minor_unit > crate::money::MAX_MINOR_UNIT {
            return Err(Error::invalid(
                Field::MinorUnit,
                Rule::OutOfRange {
                    min: 0,
                    max: crate::money::MAX_MINOR_UNIT as i64,
                },
            ));
        }
        if self.locale.is_empty()
            || self.locale.len() > 20
            || !self
                .locale
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(Error::invalid(Field::Locale, Rule::LanguageTag));
        }
        if jiff::tz::TimeZone::get(&self.time_zone).is_err() {
            return Err(Error::invalid(
                Field::TimeZone,
                Rule::Unknown {
                    value: self.time_zone.clone(),
                },
            ));
        }
        // Sane bounds: no tax or service charge anywhere comes near half the price, and with
        // both at their bound a total stays within the amount cap's reach of its subtotal.
        if self.tax_rate_bp > MAX_RATE_BP {
            return Err(Error::invalid(
                Field::TaxRate,
                Rule::PercentRange {
                    min_bp: 0,
                    max_bp: MAX_RATE_BP,
                },
            ));
        }
        if self.service_rate_bp > MAX_RATE_BP {
            return Err(Error::invalid(
                Field::ServiceRate,
                Rule::PercentRange {
                    min_bp: 0,
                    max_bp: MAX_RATE_BP,
                },
            ));
        }
        if !(1..=1_000_000).contains(&self.cash_rounding) {
            return Err(Error::invalid(
                Field::CashRounding,
                Rule::OutOfRange {
                    min: 1,
                    max: 1_000_000,
                },
            ));
        }
        self.receipt_header = text::multiline(Field::ReceiptHeader, &self.receipt_header, 500)?;
        self.receipt_footer = text::multiline(Field::ReceiptFooter, &self.receipt_footer, 500)?;
        self.tax_number = text::line(Field::TaxNumber, &self.tax_number, 32)?;
        if self.auto_lock_minutes > MAX_AUTO_LOCK_MINUTES {
            return Err(Error::invalid(
                Field::AutoLock,
                Rule::OutOfRange {
                    min: 0,
                    max: i64::from(MAX_AUTO_LOCK_MINUTES),
                },
            ));
        }
        if self.terminal_code.is_empty()
            || self.terminal_code.len() > 8
            || !self
                .terminal_code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Err(Error::invalid(
                Field::TerminalCode,
                Rule::TerminalCodeFormat,
            ));
        }
        Ok(self)
    }
}

pub(crate) fn load(conn: &Connection) -> Result<Settings> {
    Ok(conn
        .prepare_cached(
            "SELECT shop_name, shop_address, currency, minor_unit, locale, time_zone, tax_rate_bp,
                    service_rate_bp, prices_include_tax, cash_rounding, receipt_header,
                    receipt_footer, terminal_code, tax_number, auto_lock_minutes,
                    require_open_shift
             FROM settings WHERE id = 1",
        )?
        .query_row([], |r| {
            Ok(Settings {
                shop_name: r.get(0)?,
                shop_address: r.get(1)?,
                currency: r.get(2)?,
                minor_unit: r.get(3)?,
                locale: r.get(4)?,
                time_zone: r.get(5)?,
                tax_rate_bp: r.get(6)?,
                service_rate_bp: r.get(7)?,
                prices_include_tax: r.get(8)?,
                cash_rounding: r.get(9)?,
                receipt_header: r.get(10)?,
                receipt_footer: r.get(11)?,
                terminal_code: r.get(12)?,
                tax_number: r.get(13)?,
                auto_lock_minutes: r.get(14)?,
                require_open_shift: r.get(15)?,
            })
        })?)
}

pub(crate) fn store(conn: &Connection, s: &Settings) -> Result<()> {
    conn.execute(
        "UPDATE settings SET shop_name = ?1, shop_address = ?2, currency = ?3, minor_unit = ?4,
            locale = ?5, time_zone = ?6, tax_rate_bp = ?7, service_rate_bp = ?8,
            prices_include_tax = ?9, cash_rounding = ?10, receipt_header = ?11,
            receipt_footer = ?12, terminal_code = ?13, tax_number = ?14, auto_lock_minutes = ?15,
            require_open_shift = ?16
         WHERE id = 1",
        params![
            s.shop_name,
            s.shop_address,
            s.currency,
            s.minor_unit,
            s.locale,
            s.time_zone,
            s.tax_rate_bp,
            s.service_rate_bp,
            s.prices_include_tax,
            s.cash_rounding,
            s.receipt_header,
            s.receipt_footer,
            s.terminal_code,
            s.tax_number,
            s.auto_lock_minutes,
            s.require_open_shift
        ],
    )?;
    Ok(())
}

/// The settings' use cases: `k.settings()`.
pub struct ShopSettings<'k> {
    k: &'k Kasir,
}

impl Kasir {
    /// The shop's settings.
    pub fn settings(&self) -> ShopSettings<'_> {
        ShopSettings { k: self }
    }
}

impl ShopSettings<'_> {
    /// The settings as they stand. Anyone may read them: the login screen needs the shop's
    /// name, language and money format before anyone has signed in.
    pub fn get(&self) -> Result<Settings> {
        self.k.read_any(load)
    }

    /// Today's business date in the shop's time zone.
    pub fn today(&self) -> Result<jiff::civil::Date> {
        let tz = self.get()?.time_zone()?;
        Ok(self.k.now().to_zoned(tz).date())
    }

    /// Replaces the settings (admins only); the change is audited and, once this till is in a
    /// store, goes to the server (every till of the store takes it).
    /// The terminal code is the server's while this till is enrolled. (The currency may change:
    /// every order keeps the currency and minor digits it was sold in.)
    pub fn update(&self, actor: &Actor, settings: Settings) -> Result<Settings> {
        let settings = settings.validate()?;
        self.k.write(actor, Permission::ManageSettings, |cx| {
            let current = load(cx)?;
            let enrolled: bool = cx.query_row(
                "SELECT store_id IS NOT NULL FROM sync_state WHERE id = 1",
                [],
                |r| r.get(0),
            )?;
            if enrolled && settings.terminal_code != current.terminal_code {
                return Err(Error::invalid(Field::TerminalCode, Rule::SetByServer));
            }
            let saved = update_in(cx, &settings)?;
            // Before this till joins a store its settings are its own: the enrolment sends them
            // (as `initial`, see `Sync::enrolled`), so only the latest counts.
            if enrolled {
                crate::outbox::append(
                    cx,
                    &kasir_proto::Payload::SettingsChanged(saved.shop_wide(false)),
                )?;
            }
            Ok(saved)
        })
    }
}

/// Replaces the (validated) settings inside the caller's transaction; audited.
pub(crate) fn update_in(cx: &Ctx<'_>, settings: &Settings) -> Result<Settings> {
    let before = load(cx)?;
    store(cx, settings)?;
    audit::record(
        cx,
        "settings_changed",
        serde_json::json!({
            "before": before, "after": settings
        }),
    )?;
    Ok(settings.clone())
}
