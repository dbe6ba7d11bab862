//! The HTTP API between a terminal and the server: enrolment, push, pull, and the operator's
//! reads. Every request but `/health` and the docs carries a bearer token; every answer carries
//! the server's protocol version in the [`PROTOCOL_HEADER`] header, and a terminal refuses a
//! server whose version is newer than its own ([`check_server_protocol`]).
//!
//! An error answer (any status but 2xx) has an [`ApiError`] body: a stable code the terminal
//! branches on, and a sentence for the operator's logs.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalog::{Category, Product};
use crate::members::{Member, PointsEntry, Review, WalletEntry};
use crate::offers::{Coupon, CouponUse, Redemption, Voucher};
use crate::people::StaffMember;
use crate::settings::{ShopSettings, StockLevel};

/// The protocol this build speaks: the envelope version ([`crate::VERSION`]) and the API's
/// major version are one number.
pub const PROTOCOL: u32 = crate::VERSION;

/// The response header that carries the server's protocol version.
pub const PROTOCOL_HEADER: &str = "kasir-protocol";

/// The most entries a push may carry; the server refuses a longer batch (400 `batch_too_large`).
pub const MAX_BATCH: usize = 1000;

/// The largest request body the server reads, in bytes (413 `too_large` beyond it).
pub const MAX_BODY: usize = 16 * 1024 * 1024;

/// What a terminal makes of the server's protocol version.
pub fn check_server_protocol(server: u32) -> Result<(), NewerServer> {
    if server > PROTOCOL {
        Err(NewerServer {
            server,
            ours: PROTOCOL,
        })
    } else {
        Ok(())
    }
}

/// The server speaks a newer protocol than this terminal: the app must be updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewerServer {
    pub server: u32,
    pub ours: u32,
}

impl std::fmt::Display for NewerServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the server speaks protocol {} and this app speaks {}: update the app",
            self.server, self.ours
        )
    }
}

impl std::error::Error for NewerServer {}

/// `POST /v1/enrol` (no token): trades a one-time code for the terminal's identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolRequest {
    /// The code the operator made (`kasir-server enrol --store …`), as typed: case, spaces
    /// and dashes do not matter.
    pub code: String,
    /// A name for the terminal, for the operator's list (e.g. the machine's name).
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolResponse {
    pub terminal_id: Uuid,
    /// The terminal's code in its store (`T01`, `T02`, …): receipt numbers start with it, so
    /// they never collide across the store's terminals.
    pub terminal_code: String,
    pub store_id: Uuid,
    pub store_name: String,
    /// The bearer token for every later call. The server keeps only its hash; lose it and the
    /// terminal must be enrolled again.
    pub token: String,
}

/// `POST /v1/push`: outbox entries in sequence order.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    /// The highest sequence the terminal has written (the server shows the lag).
    pub head: i64,
    /// Entries as [`crate::Envelope`] writes them, kept as raw JSON text: the terminal sends
    /// its stored payloads without parsing them, and the server reads each on its own, so one
    /// it cannot read is rejected alone and the rest of the batch still applies.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<EnvelopeSchema>))]
    pub entries: Vec<Box<serde_json::value::RawValue>>,
}

/// How the OpenAPI document shows one pushed entry: [`crate::Envelope`] as JSON (the wire
/// type keeps it as raw text, which has no schema of its own).
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[schema(as = Envelope)]
#[allow(dead_code)]
pub struct EnvelopeSchema {
    /// The envelope version.
    v: u32,
    /// Idempotency key: an id the server has seen before is applied as a duplicate.
    id: Uuid,
    /// The terminal's code (`T01`).
    terminal: String,
    /// The terminal's outbox sequence number: only goes up, never reused.
    seq: i64,
    #[schema(value_type = String, format = DateTime)]
    created_at: Timestamp,
    /// The outbox kind: `sale`, `order_status`, `order_cancelled`, `stock_adjusted`,
    /// `category_upserted` or `product_upserted`.
    kind: String,
    /// The kind's payload.
    #[schema(value_type = Object)]
    payload: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// One per entry sent, in the same order.
    pub results: Vec<EntryResult>,
    /// The highest sequence the server holds for this terminal with no gap below it (rejected
    /// entries count as held: the server keeps them with their reason).
    pub held_through: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntryResult {
    pub seq: i64,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// What the server did with one entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Stored now, and its effects applied.
    Applied,
    /// The server already had this entry (same key, same payload): nothing was applied again.
    Duplicate,
    /// Kept apart with its reason; the terminal shows it to a manager and goes on.
    Rejected { reason: Rejection },
}

/// Why an entry was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Rejection {
    /// The key or the sequence is known with a different payload: never a silent overwrite.
    Conflict,
    /// The entry could not be read (unknown kind, missing fields): `detail` says what.
    Malformed { detail: String },
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rejection::Conflict => {
                f.write_str("conflict: the server holds this key or sequence with another payload")
            }
            Rejection::Malformed { detail } => write!(f, "malformed: {detail}"),
        }
    }
}

/// `GET /v1/pull?after=<cursor>&limit=<n>`: what the terminal must learn, in cursor order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// The cursor to ask after next time (the last change's, or the one asked for when there
    /// is nothing new). Apply the page and store this in one transaction.
    pub cursor: i64,
    /// More changes are waiting: ask again at once.
    pub more: bool,
}

/// One change from the store's log. The cursor is assigned by the server under the store's
/// lock, in commit order, so a reader never skips a change committed late.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub cursor: i64,
    #[serde(flatten)]
    pub data: ChangeData,
}

/// What changed. A terminal reads a kind it does not know as `Unknown`, whatever its data,
/// and skips it: a newer server may add kinds within a protocol version. (Read by hand:
/// serde's `other` on an adjacently tagged enum only takes a unit variant with no data.)
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum ChangeData {
    Category(Category),
    Product(Product),
    /// A member of the store's staff, with their PIN's hash: any member signs in at any till.
    Staff(StaffMember),
    /// The store's settings (never `initial` here).
    Settings(ShopSettings),
    /// A product's stock summed over the store's terminals, as it stands when pulled.
    StockLevel(StockLevel),
    /// A member's details, the newest version whichever till wrote it.
    Member(Member),
    /// An entry of a member's points ledger a till wrote (each once; a till takes its own
    /// back as already held).
    PointsEntry(PointsEntry),
    /// An entry of a member's wallet a till wrote.
    WalletEntry(WalletEntry),
    /// A member's review of a product, the newest version.
    Review(Review),
    /// A coupon, the newest version.
    Coupon(Coupon),
    /// A coupon's use on a till's order (again when it is given back).
    CouponUse(CouponUse),
    /// A voucher, the newest version.
    Voucher(Voucher),
    /// A member's redemption of a voucher, its newest status.
    Redemption(Redemption),
    Unknown,
}

impl<'de> Deserialize<'de> for ChangeData {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        #[derive(Deserialize)]
        struct Tagged {
            kind: String,
            #[serde(default)]
            data: serde_json::Value,
        }
        let Tagged { kind, data } = Tagged::deserialize(deserializer)?;
        let read = |e: serde_json::Error| D::Error::custom(format!("{kind}: {e}"));
        Ok(match kind.as_str() {
            "category" => ChangeData::Category(serde_json::from_value(data).map_err(read)?),
            "product" => ChangeData::Product(serde_json::from_value(data).map_err(read)?),
            "staff" => ChangeData::Staff(serde_json::from_value(data).map_err(read)?),
            "settings" => ChangeData::Settings(serde_json::from_value(data).map_err(read)?),
            "stock_level" => ChangeData::StockLevel(serde_json::from_value(data).map_err(read)?),
            "member" => ChangeData::Member(serde_json::from_value(data).map_err(read)?),
            "points_entry" => ChangeData::PointsEntry(serde_json::from_value(data).map_err(read)?),
            "wallet_entry" => ChangeData::WalletEntry(serde_json::from_value(data).map_err(read)?),
            "review" => ChangeData::Review(serde_json::from_value(data).map_err(read)?),
            "coupon" => ChangeData::Coupon(serde_json::from_value(data).map_err(read)?),
            "coupon_use" => ChangeData::CouponUse(serde_json::from_value(data).map_err(read)?),
            "voucher" => ChangeData::Voucher(serde_json::from_value(data).map_err(read)?),
            "redemption" => ChangeData::Redemption(serde_json::from_value(data).map_err(read)?),
            _ => ChangeData::Unknown,
        })
    }
}

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    /// Stable: `unauthorized`, `revoked`, `bad_request`, `batch_too_large`, `too_large`,
    /// `unsupported_version`, `enrolment_refused`, `rate_limited`, `unavailable`, `internal`.
    pub code: String,
    pub message: String,
}

/// `GET /v1/ops/stores` (operator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreSummary {
    pub id: Uuid,
    pub name: String,
    pub terminals: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

/// `GET /v1/ops/terminals` (operator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TerminalSummary {
    pub id: Uuid,
    pub store_id: Uuid,
    pub code: String,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub enrolled_at: Timestamp,
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<String>, format = DateTime)
    )]
    pub last_contact: Option<Timestamp>,
    /// The highest sequence held with no gap.
    pub held_through: i64,
    /// Entries the terminal said it had written but the server does not hold yet.
    pub lag: i64,
    pub revoked: bool,
}

/// `GET /v1/ops/sales?store=<id>&from=<date>&to=<date>` (operator): one row per store and
/// business day (the terminal's day, in the shop's time zone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DailySales {
    pub store_id: Uuid,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub business_date: Date,
    pub orders: i64,
    pub cancelled: i64,
    /// Minor units of the orders' currency (not cancelled).
    pub total: i64,
}

/// `GET /v1/ops/flagged?store=<id>&from=<date>&to=<date>&limit=<n>` (operator): orders the
/// server took as facts but flagged for a person to look at, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlaggedOrder {
    pub order_id: Uuid,
    pub store_id: Uuid,
    /// The terminal's code (`T01`).
    pub terminal: String,
    pub receipt_no: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub business_date: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// Minor units of the order's currency.
    pub total: i64,
    /// `negative_stock` (it took a product below zero in its store), `stale_price` (a line sold
    /// at a price the server's menu no longer had), `receipt_reused` (its terminal had used the
    /// receipt number before: kept as `<number>/<sequence>`).
    pub flags: Vec<String>,
}

#[cfg(all(test, feature = "openapi"))]
mod openapi_tests {
    use serde_json::{Value, json};
    use utoipa::PartialSchema;

    use super::*;

    fn schema<T: PartialSchema>() -> Value {
        serde_json::to_value(T::schema()).unwrap()
    }

    /// The tag values of a tagged enum's `oneOf`, in order.
    fn tags(schema: &Value, tag: &str) -> Vec<String> {
        schema["oneOf"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["properties"][tag]["enum"][0].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn tagged_enums_follow_serde() {
        let outcome = schema::<Outcome>();
        assert_eq!(
            tags(&outcome, "outcome"),
            ["applied", "duplicate", "rejected"]
        );
        assert_eq!(
            outcome["oneOf"][2]["properties"]["reason"]["$ref"],
            "#/components/schemas/Rejection"
        );
        assert_eq!(
            tags(&schema::<Rejection>(), "code"),
            ["conflict", "malformed"]
        );
        let change = schema::<ChangeData>();
        assert_eq!(
            tags(&change, "kind"),
            [
                "category",
                "product",
                "staff",
                "settings",
                "stock_level",
                "member",
                "points_entry",
                "wallet_entry",
                "review",
                "coupon",
                "coupon_use",
                "voucher",
                "redemption",
                "unknown"
            ]
        );
        assert_eq!(
            change["oneOf"][1]["properties"]["data"]["$ref"],
            "#/components/schemas/Product"
        );
    }

    #[test]
    fn flattened_fields_are_merged() {
        let result = schema::<EntryResult>();
        assert_eq!(result["allOf"][0]["$ref"], "#/components/schemas/Outcome");
        assert_eq!(result["allOf"][1]["required"], json!(["seq"]));
        let change = schema::<Change>();
        assert_eq!(
            change["allOf"][0]["$ref"],
            "#/components/schemas/ChangeData"
        );
    }

    #[test]
    fn times_dates_and_raw_entries_have_their_json_shape() {
        let terminal = schema::<TerminalSummary>();
        assert_eq!(terminal["properties"]["enrolled_at"]["format"], "date-time");
        assert_eq!(
            terminal["properties"]["last_contact"]["format"],
            "date-time"
        );
        assert_eq!(
            terminal["properties"]["last_contact"]["type"],
            json!(["string", "null"])
        );
        let sales = schema::<DailySales>();
        assert_eq!(sales["properties"]["business_date"]["format"], "date");
        let push = schema::<PushRequest>();
        assert_eq!(push["properties"]["entries"]["type"], "array");
        assert_eq!(
            push["properties"]["entries"]["items"]["$ref"],
            "#/components/schemas/Envelope"
        );
        let envelope = schema::<EnvelopeSchema>();
        assert_eq!(
            envelope["required"],
            json!([
                "v",
                "id",
                "terminal",
                "seq",
                "created_at",
                "kind",
                "payload"
            ])
        );
        assert_eq!(envelope["properties"]["payload"]["type"], "object");
    }
}
