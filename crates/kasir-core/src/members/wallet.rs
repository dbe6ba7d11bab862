//! Members' wallets: money a member keeps at the shop, topped up with cash, card, QRIS or an
//! e-wallet, spent as a tender at the till, given back by refunds.
//!
//! **Invariants**: an entry is a fact (triggers refuse edits and deletes); `members.wallet`
//! is the sum of the member's entries, written in the same transaction as each entry, and
//! never below zero (a CHECK, and [`post`] refuses first with a typed error); a cash top-up
//! names the open shift, whose expected cash counts it; each entry goes up to the server as
//! its own outbox entry.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::MemberId;
use crate::access::{Actor, Permission, StaffId};
use crate::kernel::ids::id_type;
use crate::kernel::text;
use crate::kernel::time::Stamp;
use crate::money::validate_amount;
use crate::outbox;
use crate::sales::checkout::OrderId;
use crate::sales::payments::PaymentMethod;
use crate::sales::shifts::ShiftId;
use crate::{Entity, Error, Field, Kasir, Money, Result, Rule, audit, settings};
use kasir_proto::Payload;

id_type!(
    /// A wallet entry's id.
    WalletEntryId
);

/// What a wallet entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum WalletKind {
    /// Money put in, paid with cash, card, QRIS or an e-wallet.
    TopUp,
    /// Spent as a tender on an order.
    Payment,
    /// Given back by a refund (of an order paid with the wallet, or as store credit).
    Refund,
    /// A manager's correction, with a reason.
    Adjust,
}

impl WalletKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WalletKind::TopUp => "top_up",
            WalletKind::Payment => "payment",
            WalletKind::Refund => "refund",
            WalletKind::Adjust => "adjust",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "top_up" => WalletKind::TopUp,
            "payment" => WalletKind::Payment,
            "refund" => WalletKind::Refund,
            "adjust" => WalletKind::Adjust,
            other => return Err(Error::DatabaseCorrupt(format!("wallet kind {other:?}"))),
        })
    }

    fn to_proto(self) -> kasir_proto::WalletKind {
        match self {
            WalletKind::TopUp => kasir_proto::WalletKind::TopUp,
            WalletKind::Payment => kasir_proto::WalletKind::Payment,
            WalletKind::Refund => kasir_proto::WalletKind::Refund,
            WalletKind::Adjust => kasir_proto::WalletKind::Adjust,
        }
    }
}

/// One entry of a member's wallet, as their history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WalletEntry {
    pub id: WalletEntryId,
    pub kind: WalletKind,
    /// Signed: money in is positive.
    pub amount: Money,
    pub method: Option<PaymentMethod>,
    pub reference: Option<String>,
    pub order_id: Option<OrderId>,
    pub receipt_no: Option<String>,
    pub reason: String,
    pub staff_name: Option<String>,
    pub at: Timestamp,
}

/// A wallet entry to write.
pub(crate) struct NewWalletEntry<'a> {
    pub member: MemberId,
    pub kind: WalletKind,
    pub amount: i64,
    pub method: Option<PaymentMethod>,
    pub reference: Option<&'a str>,
    pub order: Option<OrderId>,
    pub refund: Option<uuid::Uuid>,
    pub shift: Option<ShiftId>,
    pub reason: &'a str,
    pub staff: Option<StaffId>,
}

/// Writes one entry, the member's balance, and its outbox entry, inside the caller's
/// transaction. A debit larger than the balance is refused with what the wallet holds.
pub(crate) fn post(
    conn: &Connection,
    now: Timestamp,
    terminal: &str,
    e: &NewWalletEntry<'_>,
) -> Result<WalletEntryId> {
    if e.amount == 0 {
        return Err(Error::invalid(Field::Amount, Rule::Zero));
    }
    let held: i64 = conn
        .prepare_cached("SELECT wallet FROM members WHERE id = ?1")?
        .query_row([e.member], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::not_found(Entity::Member, e.member))?;
    let after = held.checked_add(e.amount).ok_or(Error::Overflow)?;
    if after < 0 {
        return Err(Error::invalid(
            Field::Wallet,
            Rule::NotEnoughInWallet { held: Money(held) },
        ));
    }
    validate_amount(Field::Wallet, after)?;
    if e.kind == WalletKind::Payment {
        check_offline_limit(conn, now, e.member, -e.amount)?;
    }
    let id = WalletEntryId::new(now);
    conn.prepare_cached(
        "INSERT INTO wallet_entries (id, member_id, kind, amount, method, reference, order_id, refund_id,
             shift_id, reason, staff_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        id,
        e.member,
        e.kind.as_str(),
        e.amount,
        e.method.map(PaymentMethod::as_str),
        e.reference,
        e.order,
        e.refund.map(|r| r.to_string()),
        e.shift,
        e.reason,
        e.staff,
        Stamp(now)
    ])?;
    book(conn, e.member, e.amount)?;
    outbox::append_at(
        conn,
        now,
        terminal,
        &Payload::WalletEntry(kasir_proto::WalletEntry {
            id: id.0,
            member_id: e.member.0,
            kind: e.kind.to_proto(),
            amount: e.amount,
            method: e.method.map(PaymentMethod::to_proto),
            reference: e.reference.map(String::from),
            order_id: e.order.map(|o| o.0),
            refund_id: e.refund,
            shift_id: e.shift.map(|s| s.0),
            reason: e.reason.to_string(),
            staff_id: e.staff.map(|s| s.0),
            at: now,
        }),
    )?;
    Ok(id)
}

/// Moves a member's wallet by an entry of `amount` just written. A debit beyond what it holds
/// (another till's, taken from the server) leaves it at zero and the rest owed; a top-up pays
/// what is owed first. The ledger's sum is always `wallet - wallet_owed`.
fn book(conn: &Connection, member: MemberId, amount: i64) -> Result<()> {
    // Every right-hand side reads the row as it was.
    conn.prepare_cached(
        "UPDATE members SET wallet = max(wallet - wallet_owed + ?2, 0),
             wallet_owed = max(wallet_owed - wallet - ?2, 0)
         WHERE id = ?1",
    )?
    .execute(params![member, amount])?;
    Ok(())
}

/// Refuses paying `spend` from a member's wallet beyond the offline limit, when this till
/// cannot reach its server: what it took from the wallet since its last contact counts.
fn check_offline_limit(
    conn: &Connection,
    now: Timestamp,
    member: MemberId,
    spend: i64,
) -> Result<()> {
    let Some(spent) = super::spent_offline(
        conn,
        now,
        member,
        "SELECT COALESCE(-SUM(amount), 0) FROM wallet_entries
         WHERE member_id = ?1 AND kind = 'payment' AND pulled = 0 AND created_at >= ?2",
    )?
    else {
        return Ok(());
    };
    let limit = super::points::load_settings(conn)?.offline_wallet_limit.0;
    if spent.saturating_add(spend) > limit {
        return Err(Error::invalid(
            Field::Wallet,
            Rule::OfflineWalletLimit {
                left: Money((limit - spent).max(0)),
            },
        ));
    }
    Ok(())
}

/// Takes an entry another till wrote (from the server) once, by its id: the balance follows,
/// and nothing goes to the outbox. Returns whether it was new here.
pub(crate) fn take_pulled(conn: &Connection, e: &kasir_proto::WalletEntry) -> Result<bool> {
    if e.amount == 0 {
        return Err(Error::invalid(Field::Amount, Rule::Zero));
    }
    validate_amount(Field::Wallet, e.amount.saturating_abs())?;
    let kind = match e.kind {
        kasir_proto::WalletKind::TopUp => WalletKind::TopUp,
        kasir_proto::WalletKind::Payment => WalletKind::Payment,
        kasir_proto::WalletKind::Refund => WalletKind::Refund,
        kasir_proto::WalletKind::Adjust => WalletKind::Adjust,
    };
    let member = MemberId(e.member_id);
    let new =
        conn.prepare_cached(
            "INSERT OR IGNORE INTO wallet_entries (id, member_id, kind, amount, method, reference,
                 order_id, refund_id, shift_id, reason, staff_id, created_at, pulled)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 1)",
        )?
        .execute(params![
            e.id.to_string(),
            member,
            kind.as_str(),
            e.amount,
            e.method
                .map(PaymentMethod::from_proto)
                .map(PaymentMethod::as_str),
            e.reference,
            e.order_id.map(|o| o.to_string()),
            e.refund_id.map(|r| r.to_string()),
            e.shift_id.map(|s| s.to_string()),
            e.reason,
            e.staff_id.map(|s| s.to_string()),
            Stamp(e.at)
        ])? == 1;
    if new {
        book(conn, member, e.amount)?;
    }
    Ok(new)
}

/// Cash top-ups into a shift's drawer: its expected cash counts them.
pub(crate) fn cash_top_ups(conn: &Connection, shift: ShiftId) -> Result<Money> {
    Ok(Money(
        conn.prepare_cached(
            "SELECT COALESCE(SUM(amount), 0) FROM wallet_entries
             WHERE shift_id = ?1 AND kind = 'top_up' AND method = 'cash'",
        )?
        .query_row([shift], |r| r.get(0))?,
    ))
}

pub struct Wallets<'k> {
    k: &'k Kasir,
}

impl Kasir {
    /// Members' wallets: top-ups and history (payments are tenders at checkout).
    pub fn wallets(&self) -> Wallets<'_> {
        Wallets { k: self }
    }
}

impl Wallets<'_> {
    /// Puts money into a member's wallet, paid with cash (into the open shift's drawer),
    /// card, QRIS or an e-wallet (these two with their reference); audited.
    pub fn top_up(
        &self,
        actor: &Actor,
        member: MemberId,
        amount: i64,
        method: PaymentMethod,
        reference: Option<&str>,
    ) -> Result<super::Member> {
        let amount = validate_amount(Field::Amount, amount)?;
        if amount == Money::ZERO {
            return Err(Error::invalid(Field::Amount, Rule::NotPositive));
        }
        if matches!(method, PaymentMethod::Points | PaymentMethod::Wallet) {
            return Err(Error::invalid(
                Field::Method,
                Rule::Unknown {
                    value: method.as_str().into(),
                },
            ));
        }
        let reference = match reference.map(str::trim) {
            None | Some("") => None,
            Some(r) => Some(text::line(Field::Reference, r, 64)?),
        };
        if matches!(method, PaymentMethod::Qris | PaymentMethod::Ewallet) && reference.is_none() {
            return Err(Error::invalid(Field::Reference, Rule::Required));
        }
        self.k.write(actor, Permission::Members, |cx| {
            let m = super::load_member(cx, member)?;
            if !m.active {
                return Err(Error::invalid(Field::Member, Rule::Inactive));
            }
            let shift = if method == PaymentMethod::Cash {
                let require = settings::load(cx)?.require_open_shift;
                crate::sales::shifts::shift_for_sale(cx, require)?
            } else {
                None
            };
            let id = post(
                cx,
                cx.now,
                &cx.terminal,
                &NewWalletEntry {
                    member,
                    kind: WalletKind::TopUp,
                    amount: amount.0,
                    method: Some(method),
                    reference: reference.as_deref(),
                    order: None,
                    refund: None,
                    shift,
                    reason: "",
                    staff: Some(cx.member.id),
                },
            )?;
            audit::record(
                cx,
                "wallet_topped_up",
                serde_json::json!({
                    "entry": id, "member": member, "number": m.number, "amount": amount,
                    "method": method.as_str(), "shift": shift,
                }),
            )?;
            super::load_member(cx, member)
        })
    }

    /// A member's wallet entries, newest first.
    pub fn history(&self, actor: &Actor, member: MemberId, limit: u32) -> Result<Vec<WalletEntry>> {
        let limit = limit.clamp(1, 1000);
        self.k.read(actor, Permission::Members, |conn, _| {
            super::load_member(conn, member)?;
            let mut stmt = conn.prepare_cached(
                "SELECT e.id, e.kind, e.amount, e.method, e.reference, e.order_id, o.receipt_no, e.reason, s.name,
                        e.created_at
                 FROM wallet_entries e LEFT JOIN orders o ON o.id = e.order_id LEFT JOIN staff s ON s.id = e.staff_id
                 WHERE e.member_id = ?1 ORDER BY e.created_at DESC, e.id DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![member, limit], |r| {
                Ok((
                    (r.get::<_, WalletEntryId>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, Option<String>>(3)?),
                    (r.get::<_, Option<String>>(4)?, r.get::<_, Option<OrderId>>(5)?, r.get::<_, Option<String>>(6)?),
                    (r.get::<_, String>(7)?, r.get::<_, Option<String>>(8)?, r.get::<_, Stamp>(9)?),
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let ((id, kind, amount, method), (reference, order_id, receipt_no), (reason, staff_name, at)) = row?;
                out.push(WalletEntry {
                    id,
                    kind: WalletKind::parse(&kind)?,
                    amount: Money(amount),
                    method: method.map(|m| PaymentMethod::parse(&m)).transpose()?,
                    reference,
                    order_id,
                    receipt_no,
                    reason,
                    staff_name,
                    at: at.0,
                });
            }
            Ok(out)
        })
    }
}
