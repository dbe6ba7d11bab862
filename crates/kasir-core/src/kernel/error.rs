//! The one error type of the core. Variants name domain failures the caller can act on;
//! infrastructure errors come in through `#[from]` and are logged once where they are handled.

use std::fmt;

use jiff::Timestamp;
use serde::Serialize;

use crate::access::{Permission, Role};
use crate::money::Money;

/// Result alias used by every fallible function in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that breaks a rule: `field` names the input so a form can point at it, and `rule`
    /// says which rule, with its numbers, so a front end can word it in the user's language.
    #[error("{field}: {rule}")]
    Invalid { field: Field, rule: Rule },

    #[error("{entity} not found: {id}")]
    NotFound { entity: Entity, id: String },

    /// A unique value (a barcode, say) is already taken.
    #[error("{field} {value:?} is already in use")]
    Duplicate { field: Field, value: String },

    #[error("not enough stock for {product}: {available} left, {requested} wanted")]
    InsufficientStock {
        product: String,
        available: i64,
        requested: i64,
    },

    #[error("the ticket is empty")]
    EmptyTicket,

    #[error("no shift is open on this till")]
    NoOpenShift,

    #[error("a shift is already open on this till, since {opened_at}, by {opened_by}")]
    ShiftAlreadyOpen {
        opened_by: String,
        opened_at: Timestamp,
    },

    /// The ticket is served by `owner`; another member takes it over before changing or
    /// paying it.
    #[error("this ticket is {owner}'s")]
    TicketOfAnother { owner: String },

    /// Leaving the server would strand entries it has not received: `count` of them. An
    /// admin may confirm it; they stay in the outbox for the next server.
    #[error("{count} entries have not reached the server")]
    UnsentEntries { count: i64 },

    #[error("payments of {paid} do not cover the total of {due}")]
    Underpaid { due: Money, paid: Money },

    #[error("non-cash payments of {non_cash} exceed the total of {due}")]
    Overpaid { due: Money, non_cash: Money },

    #[error("a {role} may not {permission}")]
    Forbidden { permission: Permission, role: Role },

    #[error("wrong PIN")]
    WrongPin { attempts_left: u32 },

    #[error("too many wrong PINs; try again after {until}")]
    LockedOut { until: Timestamp },

    #[error("an order that is {from} cannot become {to}")]
    InvalidTransition { from: String, to: String },

    #[error("the shop is already set up")]
    AlreadySetUp,

    #[error(
        "the database was written by a newer Kasir (schema {found}, this build knows {supported})"
    )]
    DatabaseTooNew { found: i64, supported: i64 },

    #[error("the database file is damaged or is not a Kasir database: {0}")]
    DatabaseCorrupt(String),

    #[error("the audit log was altered at entry {seq}")]
    AuditChainBroken { seq: i64 },

    #[error("amount overflow")]
    Overflow,

    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),

    #[error("migration error: {0}")]
    Migration(#[from] refinery::Error),

    #[error("file error: {0}")]
    Io(#[from] std::io::Error),

    #[error("encoding error: {0}")]
    Json(#[from] serde_json::Error),

    #[error("image error: {0}")]
    Image(String),

    #[error("could not hash a PIN: {0}")]
    PinHash(String),
}

impl Error {
    /// Shorthand for [`Error::Invalid`].
    pub fn invalid(field: Field, rule: Rule) -> Self {
        Error::Invalid { field, rule }
    }

    pub(crate) fn not_found(entity: Entity, id: impl ToString) -> Self {
        Error::NotFound {
            entity,
            id: id.to_string(),
        }
    }
}

/// Which input a rule was broken by: a form points at it, and a front end names it in the
/// user's language (the UI's dictionary is checked to name every one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Field {
    Active,
    AdminName,
    Amount,
    AutoLock,
    Barcode,
    CashRounding,
    Category,
    Count,
    Currency,
    Delta,
    Description,
    Discount,
    Featured,
    File,
    From,
    Id,
    Ids,
    Image,
    InitialStock,
    Label,
    Limit,
    Locale,
    LowStockCritical,
    LowStockWarning,
    MaxChoices,
    Method,
    MinorUnit,
    ModifierGroup,
    ModifierGroups,
    ModifierOption,
    ModifierOptions,
    Modifiers,
    Name,
    Note,
    OrderType,
    Payments,
    Pin,
    Price,
    PriceDelta,
    Quantity,
    Query,
    Reason,
    ReceiptFooter,
    ReceiptHeader,
    Reference,
    Role,
    ServiceRate,
    ShopAddress,
    ShopName,
    SortOrder,
    Status,
    Stock,
    Tags,
    TaxNumber,
    TaxRate,
    TerminalCode,
    Ticket,
    TimeZone,
    To,
    TrackStock,
    Folder,
    Keep,
    Backup,
    Float,
    Counted,
    Denomination,
    Lines,
    ReceiptNo,
    Order,
    Member,
    Phone,
    Email,
    Birthday,
    Address,
    Notes,
    ReferralCode,
    Points,
    EarnPerAmount,
    PointValue,
    TierWindow,
    Tiers,
    Multiplier,
    ExpiryMonths,
    ReferralPoints,
    Wallet,
    Product,
    Rating,
    Comment,
    CustomerGroups,
    ExpiryNotice,
    Coupon,
    Code,
    MinOrder,
    UsageLimit,
    MemberLimit,
    ValidDates,
    Voucher,
    OfflineLimit,
    Printer,
    Paper,
    CodePage,
    Station,
}

/// What was not found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Entity {
    Category,
    Order,
    Product,
    Shift,
    /// No product carries the scanned barcode.
    Barcode,
    StaffMember,
    StockAlert,
    Ticket,
    TicketLine,
    Member,
    Review,
    Coupon,
    Voucher,
    Redemption,
    Printer,
    PrintJob,
}

/// The rule an input broke, with the numbers a message needs. Amounts are in the shop
/// currency's minor unit, for the front end to format; percentages are basis points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Rule {
    /// Must not be empty (a name, a QRIS reference).
    Required,
    /// At most `max` characters.
    TooLong { max: u32 },
    /// Tabs, newlines and other control characters are not allowed here.
    ControlCharacters,
    /// A whole number from `min` to `max`.
    OutOfRange {
        #[cfg_attr(feature = "specta", specta(type = i32))]
        min: i64,
        #[cfg_attr(feature = "specta", specta(type = i32))]
        max: i64,
    },
    /// Must not be zero.
    Zero,
    /// A percentage from `min_bp` to `max_bp` (basis points).
    PercentRange { min_bp: u32, max_bp: u32 },
    /// An amount below zero.
    Negative,
    /// An amount that must be above zero is not.
    NotPositive,
    /// An amount above what Kasir holds (10^15 minor units).
    TooLarge,
    /// A discount larger than the amount it applies to.
    DiscountExceeds {
        #[cfg_attr(feature = "specta", specta(type = i32))]
        discount: i64,
        #[cfg_attr(feature = "specta", specta(type = i32))]
        base: i64,
    },
    /// At most `max` entries in one list or one request.
    TooMany { max: u32 },
    /// The same entry appears twice.
    Repeated,
    /// An entry that belongs to another product or group, or does not exist.
    Foreign,
    /// Not one of the known values (a role, a payment method, a time zone).
    Unknown { value: String },
    /// Not an id this app made.
    NotAnId,
    /// Choose between `min` and `max` options in `group`.
    Choices { group: String, min: u32, max: u32 },
    /// A modifier group needs 0 ≤ min ≤ max and 1 ≤ max ≤ its number of options.
    ChoiceBounds,
    /// The critical stock level is above the warning level.
    AboveWarning,
    /// The product's stock is not tracked.
    NotTracked,
    /// Waste takes stock away; it cannot add.
    WasteAddsStock,
    /// `product` is no longer sold.
    NoLongerSold { product: String },
    /// The options of `product` changed since the line was added.
    OptionsChanged { product: String },
    /// `product`'s options would make it cost less than nothing.
    BelowZero { product: String },
    /// Up to 64 printable characters without spaces.
    BarcodeFormat,
    /// A three-letter ISO 4217 code such as IDR.
    CurrencyCode,
    /// A language tag such as id-ID.
    LanguageTag,
    /// 1 to 8 capital letters or digits, such as T01.
    TerminalCodeFormat,
    /// Given by the server this till is enrolled with (its terminal code).
    SetByServer,
    /// A PIN is `min` to `max` digits.
    PinDigits { min: u32, max: u32 },
    /// The shop must keep at least one active admin.
    LastAdmin,
    /// The file is empty.
    FileEmpty,
    /// The file is larger than `max_mb` MB.
    FileTooLarge { max_mb: u32 },
    /// Not a PNG, JPEG or WebP picture.
    ImageFormat,
    /// The picture cannot be decoded.
    ImageUnreadable,
    /// More than `max_megapixels` megapixels.
    TooManyPixels { max_megapixels: u32 },
    /// A cell that cannot be read as what its column holds.
    Unreadable { expected: Expected },
    /// A CSV file's header lacks columns Kasir needs, or has ones it does not know.
    CsvColumns {
        missing: Vec<String>,
        unknown: Vec<String>,
    },
    /// A CSV file that cannot be read at `line` (broken quoting, a row of another width).
    CsvSyntax { line: u32 },
    /// No folder is chosen for backups yet.
    NoFolder,
    /// The folder does not exist or cannot be written (a USB stick not plugged in).
    FolderUnusable,
    /// The chosen folder holds no Kasir backup.
    NotABackup,
    /// The backup fails SQLite's integrity check, or is not a Kasir database.
    BackupDamaged,
    /// The backup was made by a newer Kasir than this one.
    BackupTooNew,
    /// No restore is waiting to be confirmed.
    NoRestorePending,
    /// A backup of another till, while this one is enrolled with a server.
    BackupOfAnotherTill,
    /// More of a line than is left to refund (what was sold less what earlier refunds took).
    RefundExceedsSold {
        product: String,
        #[cfg_attr(feature = "specta", specta(type = i32))]
        left: i64,
    },
    /// A refund to a non-cash method the order was not paid with.
    NotPaidWith { method: String },
    /// A refund to a non-cash method of more than it paid, less earlier refunds to it.
    MoreThanPaidWith {
        method: String,
        #[cfg_attr(feature = "specta", specta(type = i32))]
        left: i64,
    },
    /// The order has refunds: it can no longer be cancelled.
    HasRefunds,
    /// Everything on the order has already been refunded.
    FullyRefunded,
    /// Not a note or coin of the shop's currency.
    NotADenomination,
    /// Sold in a shift that is closed: refund it rather than cancel it.
    FromAnotherShift,
    /// Not a phone number: digits, spaces, dashes, a leading `+`; 6 to 15 digits.
    PhoneFormat,
    /// Not an email address (`name@domain.tld`).
    EmailFormat,
    /// More points than the member holds.
    NotEnoughPoints {
        #[cfg_attr(feature = "specta", specta(type = i32))]
        held: i64,
    },
    /// Deactivated: kept with its history, but not used any more.
    Inactive,
    /// Tier thresholds must rise: silver < gold < platinum.
    TiersOutOfOrder,
    /// More than the member's wallet holds.
    NotEnoughInWallet {
        #[cfg_attr(feature = "specta", specta(type = i32))]
        held: Money,
    },
    /// Points and wallet tenders need a member on the ticket.
    NeedsMember,
    /// Points are spent in whole points: a multiple of their value.
    NotWholePoints {
        #[cfg_attr(feature = "specta", specta(type = i32))]
        point_value: Money,
    },
    /// The shop gives points no value (0), so they cannot be spent.
    PointsNotSpendable,
    /// Only a member who bought a product may review it.
    NotBought,
    /// 3 to 24 letters, digits or dashes, such as HEMAT20.
    CodeFormat,
    /// The first day comes after the last.
    DatesOutOfOrder,
    /// A coupon that starts on `from` (the shop's date).
    NotStarted { from: String },
    /// A coupon that ended on `until`.
    Expired { until: String },
    /// The order is below the coupon's minimum (after the order discount).
    MinimumNotReached {
        #[cfg_attr(feature = "specta", specta(type = i32))]
        minimum: Money,
    },
    /// Every use the coupon allows has been made.
    UsageLimitReached,
    /// This member has used the coupon as many times as it allows.
    MemberLimitReached,
    /// The coupon is for another group of customers (new, regular, VIP).
    CustomerGroup { group: String },
    /// The coupon takes nothing off this ticket (its products are not on it).
    NothingToDiscount,
    /// None left to give.
    OutOfStock,
    /// A voucher's free item: it comes and goes with the voucher.
    FreeItem,
    /// The till cannot reach its server: only `left` more of this member's points may be
    /// spent here until it does (the offline limit).
    OfflinePointsLimit {
        #[cfg_attr(feature = "specta", specta(type = i32))]
        left: i64,
    },
    /// The till cannot reach its server: only `left` more of this member's wallet may be
    /// spent here until it does (the offline limit).
    OfflineWalletLimit {
        #[cfg_attr(feature = "specta", specta(type = i32))]
        left: Money,
    },
    /// Not a printer's address: `host` or `host:port` on the network, an absolute path for a
    /// device or a folder.
    PrinterAddress,
    /// No printer does this (no receipt printer, no printer with the drawer).
    NoPrinter,
    /// A drawer kick or a test page is not printed again.
    NotReprintable,
}

/// What a cell should have held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Expected {
    /// An amount such as 25000 or 2.50, without grouping.
    Amount,
    /// A whole number.
    WholeNumber,
    /// yes/no (also ya/tidak, true/false, 1/0).
    YesNo,
    /// `Group[min-max]: option=price, option=price | Group…`.
    Modifiers,
    /// A product id from an export.
    Id,
    /// A barcode as text: not shortened by a spreadsheet to `8.99123E+12`.
    Barcode,
}

/// English wording, for logs and tests; the UI words each rule itself.
impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Required => write!(f, "must not be empty"),
            Rule::TooLong { max } => write!(f, "must be at most {max} characters"),
            Rule::ControlCharacters => write!(f, "must not contain control characters"),
            Rule::OutOfRange { min, max } => write!(f, "must be between {min} and {max}"),
            Rule::Zero => write!(f, "must not be zero"),
            Rule::PercentRange { min_bp, max_bp } => write!(
                f,
                "must be between {}% and {}%",
                *min_bp as f64 / 100.0,
                *max_bp as f64 / 100.0
            ),
            Rule::Negative => write!(f, "must not be negative"),
            Rule::NotPositive => write!(f, "must be above zero"),
            Rule::TooLarge => write!(f, "is too large"),
            Rule::DiscountExceeds { discount, base } => write!(
                f,
                "the discount of {discount} is more than the {base} it applies to"
            ),
            Rule::TooMany { max } => write!(f, "at most {max}"),
            Rule::Repeated => write!(f, "appears twice"),
            Rule::Foreign => write!(f, "belongs elsewhere or does not exist"),
            Rule::Unknown { value } => write!(f, "unknown value {value:?}"),
            Rule::NotAnId => write!(f, "is not an id"),
            Rule::Choices { group, min, max } if min == max => {
                write!(f, "choose {min} for {group}")
            }
            Rule::Choices { group, min, max } => write!(f, "choose {min} to {max} for {group}"),
            Rule::ChoiceBounds => write!(f, "need 0 ≤ min ≤ max, 1 ≤ max ≤ number of options"),
            Rule::AboveWarning => write!(f, "must not be above the warning level"),
            Rule::NotTracked => write!(f, "this product's stock is not tracked"),
            Rule::WasteAddsStock => write!(f, "waste takes stock away"),
            Rule::NoLongerSold { product } => write!(f, "{product} is no longer sold"),
            Rule::OptionsChanged { product } => write!(f, "the options for {product} changed"),
            Rule::BelowZero { product } => write!(f, "{product} would cost less than nothing"),
            Rule::BarcodeFormat => write!(f, "up to 64 printable characters without spaces"),
            Rule::CurrencyCode => write!(f, "a three-letter ISO code such as IDR"),
            Rule::LanguageTag => write!(f, "a language tag such as id-ID"),
            Rule::TerminalCodeFormat => write!(f, "1 to 8 capital letters or digits"),
            Rule::SetByServer => write!(f, "given by the server this till is enrolled with"),
            Rule::PinDigits { min, max } => write!(f, "a PIN is {min} to {max} digits"),
            Rule::LastAdmin => write!(f, "the shop must keep at least one active admin"),
            Rule::FileEmpty => write!(f, "the file is empty"),
            Rule::FileTooLarge { max_mb } => write!(f, "the file is larger than {max_mb} MB"),
            Rule::ImageFormat => write!(f, "not a PNG, JPEG or WebP picture"),
            Rule::ImageUnreadable => write!(f, "the picture cannot be read"),
            Rule::Unreadable { expected } => write!(f, "cannot be read as {expected:?}"),
            Rule::CsvColumns { missing, unknown } => write!(
                f,
                "missing columns {missing:?}, unknown columns {unknown:?}"
            ),
            Rule::CsvSyntax { line } => write!(f, "cannot be read at line {line}"),
            Rule::NoFolder => write!(f, "no backup folder is chosen"),
            Rule::FolderUnusable => write!(f, "the folder cannot be written"),
            Rule::NotABackup => write!(f, "not a Kasir backup"),
            Rule::BackupDamaged => write!(f, "the backup is damaged"),
            Rule::BackupTooNew => write!(f, "the backup was made by a newer Kasir"),
            Rule::NoRestorePending => write!(f, "no restore is waiting"),
            Rule::BackupOfAnotherTill => {
                write!(
                    f,
                    "a backup of another till cannot be restored on an enrolled till"
                )
            }
            Rule::RefundExceedsSold { product, left } => {
                write!(f, "only {left} of {product} are left to refund")
            }
            Rule::NotPaidWith { method } => write!(f, "the order was not paid with {method}"),
            Rule::MoreThanPaidWith { method, left } => {
                write!(f, "at most {left} can go back to {method}")
            }
            Rule::HasRefunds => write!(f, "the order has refunds"),
            Rule::FullyRefunded => write!(f, "everything on the order has been refunded"),
            Rule::NotADenomination => write!(f, "not a note or coin of the currency"),
            Rule::FromAnotherShift => {
                write!(f, "sold in a shift that is closed: refund it instead")
            }
            Rule::PhoneFormat => write!(f, "not a phone number"),
            Rule::EmailFormat => write!(f, "not an email address"),
            Rule::NotEnoughPoints { held } => write!(f, "only {held} points are held"),
            Rule::Inactive => write!(f, "is deactivated"),
            Rule::TiersOutOfOrder => write!(f, "tiers must rise from silver to gold to platinum"),
            Rule::NotEnoughInWallet { held } => write!(f, "the wallet holds only {held}"),
            Rule::NeedsMember => write!(f, "needs a member on the ticket"),
            Rule::NotWholePoints { point_value } => {
                write!(f, "must be whole points of {point_value}")
            }
            Rule::PointsNotSpendable => write!(f, "points have no value in this shop"),
            Rule::NotBought => write!(f, "the member has not bought it"),
            Rule::CodeFormat => write!(f, "must be 3 to 24 letters, digits or dashes"),
            Rule::DatesOutOfOrder => write!(f, "starts after it ends"),
            Rule::NotStarted { from } => write!(f, "starts on {from}"),
            Rule::Expired { until } => write!(f, "ended on {until}"),
            Rule::MinimumNotReached { minimum } => {
                write!(f, "needs an order of at least {}", minimum.0)
            }
            Rule::UsageLimitReached => write!(f, "has been used as often as it allows"),
            Rule::MemberLimitReached => write!(f, "this member has used it as often as it allows"),
            Rule::CustomerGroup { group } => write!(f, "is for {group} customers"),
            Rule::NothingToDiscount => write!(f, "takes nothing off this ticket"),
            Rule::OutOfStock => write!(f, "none left"),
            Rule::FreeItem => write!(f, "is a voucher's free item: take the voucher off instead"),
            Rule::OfflinePointsLimit { left } => write!(
                f,
                "the till is offline: only {left} more points of this member's may be spent until it reconnects"
            ),
            Rule::OfflineWalletLimit { left } => write!(
                f,
                "the till is offline: only {left} more of this member's wallet may be spent until it reconnects"
            ),
            Rule::PrinterAddress => write!(
                f,
                "must be host or host:port for a network printer, an absolute path for a device or a folder"
            ),
            Rule::NoPrinter => write!(f, "no printer is set up for this"),
            Rule::NotReprintable => write!(f, "cannot be printed again"),
            Rule::TooManyPixels { max_megapixels } => {
                write!(f, "more than {max_megapixels} megapixels")
            }
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The serde name: the same word the UI receives.
        let v = serde_json::to_value(self).map_err(|_| fmt::Error)?;
        f.write_str(v.as_str().unwrap_or("field"))
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = serde_json::to_value(self).map_err(|_| fmt::Error)?;
        f.write_str(v.as_str().unwrap_or("entity"))
    }
}
