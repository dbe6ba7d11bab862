//! Receipts: the data a receipt shows, and a plain-text rendering for 58 mm (32 columns) and
//! 80 mm (48 columns) paper. Labels follow the shop's locale (Indonesian or English); times
//! are in the shop's time zone.

use rusqlite::Connection;
use serde::Serialize;

use super::Sales;
use crate::access::{Actor, Permission};
use crate::kernel::time::Stamp;
use crate::money::MoneyFormat;
use crate::sales::checkout::{Order, OrderId, OrderStatus, PaymentMethod, load_order};
use crate::sales::tickets::OrderType;
use crate::settings::{self, Settings};
use crate::{Money, Result};

/// Paper widths, in characters.
pub const WIDTH_58MM: usize = 32;
pub const WIDTH_80MM: usize = 48;

/// Everything printed on a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Receipt {
    pub shop_name: String,
    pub shop_address: String,
    /// The shop's tax number (NPWP), empty when it has none.
    pub tax_number: String,
    pub header: String,
    pub footer: String,
    pub locale: String,
    pub currency: String,
    pub minor_unit: u32,
    /// How to write the order's amounts: its own currency and minor unit, the shop's language.
    pub money_format: MoneyFormat,
    /// Local date and time, `2026-11-21 11:55`.
    pub local_time: String,
    pub order: Order,
    /// What has been given back from this order since, oldest first: a copy of the receipt
    /// says so, so nobody refunds from a copy what already went back.
    pub refunds: Vec<RefundNote>,
    /// The member the order was sold to, with the points it earned and their balance now.
    pub member: Option<ReceiptMember>,
}

/// The member on a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReceiptMember {
    pub number: String,
    pub name: String,
    /// Points the order earned (less any taken back since).
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub earned: i64,
    /// The member's points now.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub balance: i64,
}

/// One refund of an order, as its receipt copy lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RefundNote {
    pub refund_no: String,
    /// Local date and time, `2026-11-21 14:02`.
    pub local_time: String,
    pub reason: String,
    pub total: Money,
}

struct Labels {
    receipt: &'static str,
    tax_number: &'static str,
    cashier: &'static str,
    subtotal: &'static str,
    discount: &'static str,
    order_discount: &'static str,
    coupon: &'static str,
    deliver_to: &'static str,
    voucher: &'static str,
    service: &'static str,
    tax: &'static str,
    included: &'static str,
    rounding: &'static str,
    total: &'static str,
    change: &'static str,
    cancelled: &'static str,
    refunded: &'static str,
    member: &'static str,
    points: &'static str,
    order_type: fn(OrderType) -> &'static str,
    method: fn(PaymentMethod) -> &'static str,
}

const ID: Labels = Labels {
    receipt: "No",
    tax_number: "NPWP",
    cashier: "Kasir",
    subtotal: "Subtotal",
    discount: "Diskon",
    order_discount: "Diskon pesanan",
    coupon: "Kupon",
    deliver_to: "Antar ke",
    voucher: "Voucher",
    service: "Servis",
    tax: "PB1",
    included: "termasuk",
    rounding: "Pembulatan",
    total: "TOTAL",
    change: "Kembali",
    cancelled: "*** DIBATALKAN ***",
    refunded: "Dikembalikan",
    member: "Member",
    points: "Poin",
    order_type: |t| match t {
        OrderType::DineIn => "Makan di tempat",
        OrderType::Takeaway => "Bawa pulang",
        OrderType::Delivery => "Antar",
        OrderType::Pickup => "Ambil sendiri",
    },
    method: |m| match m {
        PaymentMethod::Cash => "Tunai",
        PaymentMethod::Card => "Kartu",
        PaymentMethod::Qris => "QRIS",
        PaymentMethod::Ewallet => "E-wallet",
        PaymentMethod::Points => "Poin",
        PaymentMethod::Wallet => "Saldo member",
    },
};

const EN: Labels = Labels {
    receipt: "No",
    tax_number: "Tax no.",
    cashier: "Cashier",
    subtotal: "Subtotal",
    discount: "Discount",
    order_discount: "Order discount",
    coupon: "Coupon",
    deliver_to: "Deliver to",
    voucher: "Voucher",
    service: "Service",
    tax: "Tax",
    included: "incl.",
    rounding: "Rounding",
    total: "TOTAL",
    change: "Change",
    cancelled: "*** CANCELLED ***",
    refunded: "Refunded",
    member: "Member",
    points: "Points",
    order_type: |t| match t {
        OrderType::DineIn => "Dine in",
        OrderType::Takeaway => "Takeaway",
        OrderType::Delivery => "Delivery",
        OrderType::Pickup => "Pickup",
    },
    method: |m| match m {
        PaymentMethod::Cash => "Cash",
        PaymentMethod::Card => "Card",
        PaymentMethod::Qris => "QRIS",
        PaymentMethod::Ewallet => "E-wallet",
        PaymentMethod::Points => "Points",
        PaymentMethod::Wallet => "Member wallet",
    },
};

fn percent(bp: u32) -> String {
    if bp.is_multiple_of(100) {
        format!("{}%", bp / 100)
    } else {
        let frac = format!("{:02}", bp % 100);
        format!("{}.{}%", bp / 100, frac.trim_end_matches('0'))
    }
}

/// Builds the receipt of an order with the shop's current header and footer.
pub fn build(order: Order, settings: &Settings) -> Result<Receipt> {
    let local = order.created_at.to_zoned(settings.time_zone()?);
    Ok(Receipt {
        shop_name: settings.shop_name.clone(),
        shop_address: settings.shop_address.clone(),
        tax_number: settings.tax_number.clone(),
        header: settings.receipt_header.clone(),
        footer: settings.receipt_footer.clone(),
        locale: settings.locale.clone(),
        currency: order.currency.clone(),
        // The order's own: its amounts are counts of the unit it was sold in.
        minor_unit: order.minor_unit,
        money_format: MoneyFormat::new(&order.currency, &settings.locale, order.minor_unit),
        local_time: local.strftime("%Y-%m-%d %H:%M").to_string(),
        order,
        refunds: Vec::new(),
        member: None,
    })
}

/// The refunds of an order, oldest first, with times in the shop's zone.
fn refund_notes(conn: &Connection, order: OrderId, settings: &Settings) -> Result<Vec<RefundNote>> {
    let zone = settings.time_zone()?;
    let mut stmt = conn.prepare_cached(
        "SELECT refund_no, created_at, reason, total FROM refunds WHERE order_id = ?1 ORDER BY created_at, refund_no",
    )?;
    let rows = stmt.query_map([order], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Stamp>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (refund_no, at, reason, total) = row?;
        out.push(RefundNote {
            refund_no,
            local_time: at
                .0
                .to_zoned(zone.clone())
                .strftime("%Y-%m-%d %H:%M")
                .to_string(),
            reason,
            total: Money(total),
        });
    }
    Ok(out)
}

impl Receipt {
    /// The receipt as monospaced text, `width` characters wide, clamped to 24..=200.
    pub fn render_text(&self, width: usize) -> String {
        let mut text = self
            .lines(width)
            .into_iter()
            .map(|(line, _)| line)
            .collect::<Vec<_>>()
            .join("\n");
        text.push('\n');
        text
    }

    /// The receipt's lines, `width` characters wide (clamped to 24..=200), each with what it
    /// is: paper prints the shop's name tall and the total in bold.
    pub fn lines(&self, width: usize) -> Vec<(String, ReceiptLine)> {
        let (entries, title_end, total_at) = self.layout(width);
        let mut lines = Vec::new();
        for (i, entry) in entries.into_iter().enumerate() {
            let kind = if i < title_end {
                ReceiptLine::Title
            } else if i == total_at {
                ReceiptLine::Total
            } else {
                ReceiptLine::Plain
            };
            lines.extend(entry.split('\n').map(|l| (l.to_string(), kind)));
        }
        lines
    }

    /// The entries (an entry may hold several lines), how many open the receipt with the
    /// shop's name, and which is the total.
    fn layout(&self, width: usize) -> (Vec<String>, usize, usize) {
        let width = width.clamp(24, 200);
        let labels = if self.locale.starts_with("id") {
            &ID
        } else {
            &EN
        };
        let fmt = &self.money_format;
        let num = |m: Money| fmt.number(m);
        let o = &self.order;
        let mut out = Vec::new();
        let rule = "-".repeat(width);

        let tax_number = if self.tax_number.is_empty() {
            String::new()
        } else {
            format!("{} {}", labels.tax_number, self.tax_number)
        };
        for line in self.shop_name.lines().filter(|l| !l.trim().is_empty()) {
            for w in wrap(line.trim(), width) {
                out.push(center(&w, width));
            }
        }
        let title_end = out.len();
        for text in [&self.shop_address, &tax_number, &self.header] {
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                for w in wrap(line.trim(), width) {
                    out.push(center(&w, width));
                }
            }
        }
        out.push(rule.clone());
        out.extend(wrap(
            &format!("{}: {}", labels.receipt, o.receipt_no),
            width,
        ));
        out.push(two_cols(
            &self.local_time,
            &format!("{}: {}", labels.cashier, o.staff_name),
            width,
        ));
        let kind = (labels.order_type)(o.order_type);
        out.extend(wrap(
            &if o.label.is_empty() {
                kind.to_string()
            } else {
                format!("{kind} - {}", o.label)
            },
            width,
        ));
        if let Some(address) = o.delivery_address.as_deref() {
            let one_line: Vec<&str> = address
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            out.extend(wrap(
                &format!("{}: {}", labels.deliver_to, one_line.join(", ")),
                width,
            ));
        }
        if o.status == OrderStatus::Cancelled {
            out.push(center(labels.cancelled, width));
        }
        out.push(rule.clone());
        for l in &o.lines {
            out.extend(wrap(&l.product_name, width));
            out.push(two_cols(
                &format!("  {} x {}", l.quantity, num(l.unit_price)),
                &num(l.gross),
                width,
            ));
            for m in &l.modifiers {
                let delta = if m.price_delta.0 == 0 {
                    String::new()
                } else {
                    format!(
                        " ({}{})",
                        if m.price_delta.0 > 0 { "+" } else { "" },
                        num(m.price_delta)
                    )
                };
                out.extend(wrap(&format!("  + {}{delta}", m.option), width));
            }
            if !l.note.is_empty() {
                out.extend(wrap(&format!("  * {}", l.note), width));
            }
            if l.line_discount.0 > 0 {
                out.push(two_cols(
                    &format!("  {}", labels.discount),
                    &format!("-{}", num(l.line_discount)),
                    width,
                ));
            }
        }
        out.push(rule.clone());
        out.push(two_cols(labels.subtotal, &num(o.subtotal), width));
        // The order discount holds the coupon's and the voucher's parts too: each is printed on
        // its own row.
        let cashier_discount =
            Money(o.order_discount.0 - o.coupon_discount.0 - o.voucher_discount.0);
        if cashier_discount.0 > 0 {
            out.push(two_cols(
                labels.order_discount,
                &format!("-{}", num(cashier_discount)),
                width,
            ));
        }
        if o.coupon_discount.0 > 0 {
            let code = o.coupon_code.as_deref().unwrap_or_default();
            out.push(two_cols(
                &format!("{} {code}", labels.coupon),
                &format!("-{}", num(o.coupon_discount)),
                width,
            ));
        }
        if o.voucher_discount.0 > 0 {
            // The redemption's code (the voucher's name is in its history): one line on paper.
            let code = o
                .voucher
                .as_deref()
                .and_then(|v| v.split_whitespace().next())
                .unwrap_or_default();
            out.push(two_cols(
                &format!("{} {code}", labels.voucher),
                &format!("-{}", num(o.voucher_discount)),
                width,
            ));
        } else if let Some(v) = &o.voucher {
            // A free item or cashback: named, without an amount off.
            out.extend(wrap(&format!("{} {v}", labels.voucher), width));
        }
        // Added service and tax are rows of the sum; included ones are inside the prices, so
        // they are printed after the total, for information: the block reads as a sum.
        let mut included = Vec::new();
        if o.service_rate_bp > 0 {
            let label = format!("{} {}", labels.service, percent(o.service_rate_bp));
            included.push((label, o.service));
        }
        if o.tax_rate_bp > 0 {
            let label = format!("{} {}", labels.tax, percent(o.tax_rate_bp));
            included.push((label, o.tax));
        }
        if !o.prices_include_tax {
            for (label, amount) in included.drain(..) {
                out.push(two_cols(&label, &num(amount), width));
            }
        }
        if o.rounding.0 != 0 {
            out.push(two_cols(labels.rounding, &num(o.rounding), width));
        }
        let total_at = out.len();
        out.push(two_cols(labels.total, &fmt.format(o.total), width));
        for (label, amount) in included {
            out.push(two_cols(
                &format!("  {} {label}", labels.included),
                &num(amount),
                width,
            ));
        }
        out.push(rule.clone());
        for p in &o.payments {
            out.push(two_cols((labels.method)(p.method), &num(p.tendered), width));
            if let Some(r) = &p.reference {
                out.extend(wrap(&format!("  Ref {r}"), width));
            }
        }
        if o.change.0 > 0 || o.payments.iter().any(|p| p.method == PaymentMethod::Cash) {
            out.push(two_cols(labels.change, &num(o.change), width));
        }
        if let Some(m) = &self.member {
            out.push(rule.clone());
            out.extend(wrap(
                &format!("{}: {} {}", labels.member, m.number, m.name),
                width,
            ));
            out.push(two_cols(
                &format!("{} +{}", labels.points, m.earned),
                &format!("= {}", m.balance),
                width,
            ));
        }
        if !self.refunds.is_empty() {
            out.push(rule.clone());
            for r in &self.refunds {
                out.push(two_cols(
                    &format!("{} {}", labels.refunded, r.refund_no),
                    &format!("-{}", num(r.total)),
                    width,
                ));
                out.extend(wrap(&format!("  {}", r.local_time), width));
            }
        }
        if !self.footer.trim().is_empty() {
            out.push(rule);
            for line in self.footer.lines().filter(|l| !l.trim().is_empty()) {
                for w in wrap(line.trim(), width) {
                    out.push(center(&w, width));
                }
            }
        }
        (out, title_end, total_at)
    }
}

/// What a receipt's line is, for paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptLine {
    Plain,
    /// The shop's name.
    Title,
    /// The total to pay.
    Total,
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

pub(crate) fn center(s: &str, width: usize) -> String {
    let pad = width.saturating_sub(chars(s)) / 2;
    format!("{}{s}", " ".repeat(pad)).trim_end().to_string()
}

/// Left text and right-aligned amount on one line. When both do not fit, the left side wraps
/// and the amount goes on its last line if it fits there, else on a line of its own, still
/// right-aligned (a long name beside the time, a huge amount): an amount is never cut.
pub(crate) fn two_cols(left: &str, right: &str, width: usize) -> String {
    if chars(left) + 1 + chars(right) <= width {
        let gap = width - chars(left) - chars(right);
        return format!("{left}{}{right}", " ".repeat(gap));
    }
    let mut lines = wrap(left, width);
    let last = lines.pop().unwrap_or_default();
    if chars(&last) + 1 + chars(right) <= width {
        let gap = width - chars(&last) - chars(right);
        lines.push(format!("{last}{}{right}", " ".repeat(gap)));
    } else {
        lines.push(last);
        lines.extend(
            wrap(right.trim_start(), width)
                .into_iter()
                .map(|r| format!("{}{r}", " ".repeat(width.saturating_sub(chars(&r))))),
        );
    }
    lines.join("\n")
}

/// Word wrap to `width` characters; words longer than a line are cut.
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let indent: String = text.chars().take_while(|c| *c == ' ').collect();
    let mut lines = Vec::new();
    let mut current = indent.clone();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let used = chars(&current);
            let sep = usize::from(used > chars(&indent));
            if used + sep + word.len() <= width {
                if sep == 1 {
                    current.push(' ');
                }
                current.extend(word.iter());
                break;
            }
            if used > chars(&indent) {
                // A word that fits a line of its own starts one; a longer word is cut anyway,
                // so it starts here (after the bullet or label before it) when there is room.
                let fits_alone = word.len() <= width.saturating_sub(chars(&indent));
                if fits_alone || used + sep + 4 > width {
                    lines.push(std::mem::replace(&mut current, indent.clone()));
                    continue;
                }
                current.push(' ');
            }
            let room = width.saturating_sub(chars(&current)).max(1);
            let rest = word.split_off(room.min(word.len()));
            current.extend(word.iter());
            lines.push(std::mem::replace(&mut current, indent.clone()));
            word = rest;
            if word.is_empty() {
                break;
            }
        }
    }
    if chars(&current) > chars(&indent) || lines.is_empty() {
        lines.push(current);
    }
    lines
}

impl Sales<'_> {
    /// The receipt of an order.
    pub fn receipt(&self, actor: &Actor, order: OrderId) -> Result<Receipt> {
        self.k
            .read(actor, Permission::Sell, |conn, _| load_receipt(conn, order))
    }
}

/// The receipt of an order as it stands (refunds since included).
pub(crate) fn load_receipt(conn: &Connection, order: OrderId) -> Result<Receipt> {
    let settings = settings::load(conn)?;
    let mut receipt = build(load_order(conn, order)?, &settings)?;
    receipt.refunds = refund_notes(conn, order, &settings)?;
    if let Some(id) = receipt.order.member_id {
        let m = crate::members::load_member(conn, id)?;
        let (earned, taken) = crate::members::points::order_points(conn, order)?;
        receipt.member = Some(ReceiptMember {
            number: m.number,
            name: m.name,
            earned: earned - taken,
            balance: m.points,
        });
    }
    Ok(receipt)
}

impl Sales<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping() {
        assert_eq!(wrap("Kopi Susu Gula Aren", 10), ["Kopi Susu", "Gula Aren"]);
        assert_eq!(
            wrap("  + Extra shot espresso", 12),
            ["  + Extra", "  shot", "  espresso"]
        );
        assert_eq!(
            wrap("Supercalifragilistic", 8),
            ["Supercal", "ifragili", "stic"]
        );
        assert_eq!(two_cols("Subtotal", "45.000", 20), "Subtotal      45.000");
        assert_eq!(percent(1000), "10%");
        assert_eq!(percent(550), "5.5%");
        assert_eq!(percent(1125), "11.25%");
    }
}
