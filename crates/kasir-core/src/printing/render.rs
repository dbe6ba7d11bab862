//! What each job prints, as a `kasir_print::Doc` laid out for the printer's paper. Receipts
//! and reports reuse the screen's layout (`Receipt::lines`, `ShiftReport::render_text`), so
//! paper and screen never disagree; kitchen tickets are laid out here, in large type.

use std::path::Path;

use jiff::Timestamp;
use kasir_print::{Block, Doc, Paper, Pulse, Size, Style};
use rusqlite::{Connection, OptionalExtension};

use super::{Printer, Station, load_printer, report_kind};
use crate::kernel::time::Stamp;
use crate::money::MoneyFormat;
use crate::outbox::print::JobKind;
use crate::sales::checkout::{OrderId, load_order};
use crate::sales::receipt::{ReceiptLine, center, load_receipt, two_cols, wrap};
use crate::sales::tickets::OrderType;
use crate::settings::Settings;
use crate::{Entity, Error, Money, Result};

const BOLD: Style = Style {
    bold: true,
    size: Size::Normal,
};
const TALL: Style = Style {
    bold: true,
    size: Size::Tall,
};
const LARGE: Style = Style {
    bold: true,
    size: Size::Large,
};

fn paper_of(printer: &Printer) -> Paper {
    Paper::from_millimetres(printer.paper_mm).unwrap_or(Paper::Mm58)
}

fn indonesian(settings: &Settings) -> bool {
    settings.locale.starts_with("id")
}

fn copy_mark(doc: &mut Doc, settings: &Settings, width: usize) {
    let mark = if indonesian(settings) {
        "*** SALINAN ***"
    } else {
        "*** COPY ***"
    };
    doc.styled(center(mark, width), TALL);
}

/// A job's printer and document.
pub(crate) fn job_doc(
    conn: &Connection,
    media: &Path,
    job: i64,
    now: Timestamp,
) -> Result<(Printer, Doc)> {
    type Row = (
        i64,
        String,
        String,
        Option<String>,
        Option<String>,
        bool,
        Stamp,
    );
    let row: Option<Row> = conn
        .query_row(
            "SELECT printer_id, kind, subject, station, lines, copy, created_at FROM print_jobs WHERE id = ?1",
            [job],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
        )
        .optional()?;
    let (printer_id, kind, subject, station, lines, copy, created_at) =
        row.ok_or_else(|| Error::not_found(Entity::PrintJob, job))?;
    let printer = load_printer(conn, printer_id)?;
    let settings = crate::settings::load(conn)?;
    let paper = paper_of(&printer);
    let doc = match JobKind::parse(&kind) {
        Some(JobKind::Receipt) => receipt(conn, media, subject.parse()?, copy, paper, &settings)?,
        Some(JobKind::Kitchen) => {
            let station = station
                .as_deref()
                .and_then(Station::parse)
                .unwrap_or(Station::Kitchen);
            // The lines routed to the station when the sale was made.
            let positions: Option<Vec<usize>> =
                lines.as_deref().and_then(|l| serde_json::from_str(l).ok());
            kitchen(
                conn,
                subject.parse()?,
                station,
                positions,
                copy,
                paper,
                &settings,
            )?
        }
        Some(JobKind::Refund) => refund(conn, media, &subject, copy, paper, &settings)?,
        Some(JobKind::Report) => {
            let (shift, kind) =
                report_kind(&subject).ok_or_else(|| Error::not_found(Entity::Shift, &subject))?;
            let made_at = match kind {
                crate::sales::shifts::ReportKind::Z => {
                    crate::sales::shifts::load_shift(conn, shift)?
                        .0
                        .closed_at
                        .unwrap_or(created_at.0)
                }
                crate::sales::shifts::ReportKind::X => created_at.0,
            };
            let report = crate::sales::shifts::build_report(conn, shift, kind, made_at)?;
            let mut doc = Doc::new();
            if copy {
                copy_mark(&mut doc, &settings, paper.columns());
            }
            for line in report.render_text(paper.columns()).lines() {
                doc.line(line);
            }
            doc.push(Block::Cut);
            doc
        }
        Some(JobKind::Drawer) => drawer(),
        Some(JobKind::Test) | None => test_page(media, &printer, &settings, now),
    };
    Ok((printer, doc))
}

/// The drawer's kick, nothing printed.
pub(crate) fn drawer() -> Doc {
    let mut doc = Doc::new();
    doc.push(Block::Drawer(Pulse::default()));
    doc
}

/// An order's receipt: the original as it was sold, a copy as it stands now (with what was
/// refunded since), marked as a copy. Its number as a QR code at the end, for the refund
/// screen's scanner.
pub(crate) fn receipt(
    conn: &Connection,
    media: &Path,
    order: OrderId,
    copy: bool,
    paper: Paper,
    settings: &Settings,
) -> Result<Doc> {
    let mut receipt = load_receipt(conn, order)?;
    if !copy {
        receipt.refunds.clear();
    }
    let width = paper.columns();
    let mut doc = Doc::new();
    if copy {
        copy_mark(&mut doc, settings, width);
    }
    if let Some(logo) = super::logo::block(media, paper) {
        doc.push(logo);
    }
    for (line, kind) in receipt.lines(width) {
        let style = match kind {
            ReceiptLine::Title => TALL,
            ReceiptLine::Total => BOLD,
            ReceiptLine::Plain => Style::default(),
        };
        doc.styled(line, style);
    }
    doc.push(Block::Feed(1));
    doc.push(Block::Qr(receipt.order.receipt_no.clone()));
    doc.push(Block::Cut);
    Ok(doc)
}

fn order_type(t: OrderType, id: bool) -> &'static str {
    match (t, id) {
        (OrderType::DineIn, true) => "MAKAN DI TEMPAT",
        (OrderType::Takeaway, true) => "BAWA PULANG",
        (OrderType::Delivery, true) => "ANTAR",
        (OrderType::Pickup, true) => "AMBIL SENDIRI",
        (OrderType::DineIn, false) => "DINE IN",
        (OrderType::Takeaway, false) => "TAKEAWAY",
        (OrderType::Delivery, false) => "DELIVERY",
        (OrderType::Pickup, false) => "PICKUP",
    }
}

/// A station's ticket: only that station's lines (`positions`, as routed when the sale was
/// made; the routing now when the job has none), with their modifiers and notes, in large
/// type, under the order type, the table or name, the number and the time.
pub(crate) fn kitchen(
    conn: &Connection,
    order: OrderId,
    station: Station,
    positions: Option<Vec<usize>>,
    copy: bool,
    paper: Paper,
    settings: &Settings,
) -> Result<Doc> {
    let o = load_order(conn, order)?;
    let positions: Vec<usize> = match positions {
        Some(p) => p,
        None => {
            let mut stmt = conn.prepare_cached(
                "SELECT l.position FROM order_lines l
                   JOIN products pr ON pr.id = l.product_id
                   JOIN category_stations s ON s.category_id = pr.category_id
                  WHERE l.order_id = ?1 AND s.station = ?2 ORDER BY l.position",
            )?;
            stmt.query_map(rusqlite::params![order, station.as_str()], |r| {
                r.get::<_, i64>(0)
            })?
            .map(|p| p.map(|p| p.max(0) as usize))
            .collect::<rusqlite::Result<_>>()?
        }
    };
    let id = indonesian(settings);
    let width = paper.columns();
    let large = width / 2;
    let mut doc = Doc::new();
    if copy {
        copy_mark(&mut doc, settings, width);
    }
    let title = match (station, id) {
        (Station::Kitchen, true) => "DAPUR",
        (Station::Kitchen, false) => "KITCHEN",
        (Station::Bar, _) => "BAR",
    };
    doc.styled(center(title, large), LARGE);
    let kind = order_type(o.order_type, id);
    for line in wrap(kind, large) {
        doc.styled(line, LARGE);
    }
    if !o.label.is_empty() {
        for line in wrap(&o.label, large) {
            doc.styled(line, LARGE);
        }
    }
    let local = o
        .created_at
        .to_zoned(settings.time_zone()?)
        .strftime("%H:%M")
        .to_string();
    doc.line(two_cols(&o.receipt_no, &local, width));
    doc.line(wrap(&o.staff_name, width).join(" "));
    doc.line("=".repeat(width));
    for pos in positions {
        let Some(l) = o.lines.get(pos) else { continue };
        for line in wrap(&format!("{}x {}", l.quantity, l.product_name), large) {
            doc.styled(line, LARGE);
        }
        for m in &l.modifiers {
            for line in wrap(&format!("  + {}", m.option), width) {
                doc.styled(line, TALL);
            }
        }
        if !l.note.is_empty() {
            for line in wrap(&format!("  ! {}", l.note), width) {
                doc.styled(line, TALL);
            }
        }
    }
    doc.line("=".repeat(width));
    doc.push(Block::Feed(1));
    doc.push(Block::Cut);
    Ok(doc)
}

/// A refund's receipt: what went back, how, and why.
pub(crate) fn refund(
    conn: &Connection,
    media: &Path,
    refund: &str,
    copy: bool,
    paper: Paper,
    settings: &Settings,
) -> Result<Doc> {
    let head: Option<(String, OrderId, String, String, i64, Stamp)> = conn
        .query_row(
            "SELECT refund_no, order_id, staff_name, reason, total, created_at FROM refunds WHERE id = ?1",
            [refund],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .optional()?;
    let (refund_no, order_id, staff, reason, total, at) =
        head.ok_or_else(|| Error::not_found(Entity::Order, refund))?;
    let order = load_order(conn, order_id)?;
    let fmt = MoneyFormat::new(&order.currency, &settings.locale, order.minor_unit);
    let id = indonesian(settings);
    let width = paper.columns();
    let mut doc = Doc::new();
    if copy {
        copy_mark(&mut doc, settings, width);
    }
    if let Some(logo) = super::logo::block(media, paper) {
        doc.push(logo);
    }
    for line in wrap(&settings.shop_name, width) {
        doc.styled(center(&line, width), TALL);
    }
    doc.styled(
        center(if id { "PENGEMBALIAN" } else { "REFUND" }, width),
        BOLD,
    );
    doc.line("-".repeat(width));
    let local =
        at.0.to_zoned(settings.time_zone()?)
            .strftime("%Y-%m-%d %H:%M")
            .to_string();
    doc.line(two_cols(&format!("No: {refund_no}"), &local, width));
    let of = if id { "Dari struk" } else { "Of receipt" };
    doc.line(format!("{of}: {}", order.receipt_no));
    let by = if id { "Kasir" } else { "Cashier" };
    doc.line(format!("{by}: {staff}"));
    doc.line("-".repeat(width));
    let mut stmt = conn.prepare_cached(
        "SELECT product_name, quantity, total FROM refund_lines WHERE refund_id = ?1 ORDER BY position",
    )?;
    let lines: Vec<(String, i64, i64)> = stmt
        .query_map([refund], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (name, qty, line_total) in lines {
        for l in wrap(&name, width) {
            doc.line(l);
        }
        doc.line(two_cols(
            &format!("  {qty} x"),
            &format!("-{}", fmt.number(Money(line_total))),
            width,
        ));
    }
    doc.line("-".repeat(width));
    let back = if id { "TOTAL KEMBALI" } else { "TOTAL BACK" };
    for line in two_cols(back, &format!("-{}", fmt.format(Money(total))), width).lines() {
        doc.styled(line, BOLD);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT method, amount FROM refund_payments WHERE refund_id = ?1 ORDER BY position",
    )?;
    let payments: Vec<(String, i64)> = stmt
        .query_map([refund], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (method, amount) in payments {
        doc.line(two_cols(
            &method.to_uppercase(),
            &fmt.number(Money(amount)),
            width,
        ));
    }
    if !reason.is_empty() {
        let why = if id { "Alasan" } else { "Reason" };
        for l in wrap(&format!("{why}: {reason}"), width) {
            doc.line(l);
        }
    }
    doc.push(Block::Feed(1));
    doc.push(Block::Cut);
    Ok(doc)
}

/// A test page: what the printer is set to, a line of each width, the letters of names in the
/// printer's code page.
pub(crate) fn test_page(
    media: &Path,
    printer: &Printer,
    settings: &Settings,
    now: Timestamp,
) -> Doc {
    let paper = paper_of(printer);
    let width = paper.columns();
    let mut doc = Doc::new();
    if let Some(logo) = super::logo::block(media, paper) {
        doc.push(logo);
    }
    for line in wrap(&settings.shop_name, width) {
        doc.styled(center(&line, width), TALL);
    }
    let title = if indonesian(settings) {
        "TES PRINTER"
    } else {
        "PRINTER TEST"
    };
    doc.styled(center(title, width / 2), LARGE);
    doc.line("-".repeat(width));
    doc.line(printer.name.clone());
    doc.line(format!(
        "{} mm, {} / {}",
        printer.paper_mm, width, printer.code_page
    ));
    let local = settings
        .time_zone()
        .map(|z| now.to_zoned(z).strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default();
    doc.line(local);
    doc.line("1234567890".repeat(width / 10 + 1)[..width].to_string());
    doc.line("Kopi Susu Gula Aren  Rp 18.000");
    doc.line("Crème brûlée, Señor, Müller, €");
    doc.line("-".repeat(width));
    doc.push(Block::Qr("KASIR-TEST".into()));
    doc.push(Block::Cut);
    doc
}
