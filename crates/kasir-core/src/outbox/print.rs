//! The print queue's writers: what a sale, a refund or cash moved asks the printers for,
//! written in that action's own transaction (a crash never loses a receipt or a kitchen
//! ticket). The jobs are this till's own and never synced; `printing` renders and sends them.
//!
//! A sale asks, in this order (jobs print in id order per printer): the drawer's kick when
//! cash was taken, its receipt on every receipt printer that prints receipts by itself, and a
//! ticket for each station that has a line of the sale, on that station's printers, with the
//! lines routed there now. `print_originals` remembers which receipts, refund receipts and Z
//! reports had their original: asked again, they print as copies.

use rusqlite::{Connection, params};

use crate::Result;
use crate::access::Ctx;
use crate::kernel::time::Stamp;

/// What a job prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    Receipt,
    Kitchen,
    Refund,
    Drawer,
    Report,
    Test,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Receipt => "receipt",
            JobKind::Kitchen => "kitchen",
            JobKind::Refund => "refund",
            JobKind::Drawer => "drawer",
            JobKind::Report => "report",
            JobKind::Test => "test",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<JobKind> {
        [
            JobKind::Receipt,
            JobKind::Kitchen,
            JobKind::Refund,
            JobKind::Drawer,
            JobKind::Report,
            JobKind::Test,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A job to add.
pub(crate) struct NewJob<'a> {
    pub printer: i64,
    pub kind: JobKind,
    pub subject: &'a str,
    pub station: Option<&'a str>,
    /// A station ticket's lines (order line positions, JSON).
    pub lines: Option<&'a str>,
    pub copy: bool,
}

/// Records that the original of `kind`/`subject` was asked for; whether it had been before
/// (then what is asked now is a copy).
pub(crate) fn original_taken(conn: &Connection, kind: JobKind, subject: &str) -> Result<bool> {
    let inserted = conn
        .prepare_cached("INSERT OR IGNORE INTO print_originals (kind, subject) VALUES (?1, ?2)")?
        .execute(params![kind.as_str(), subject])?;
    Ok(inserted == 0)
}

/// Adds one job, due now.
pub(crate) fn enqueue(
    conn: &Connection,
    now: jiff::Timestamp,
    staff: Option<&str>,
    job: &NewJob<'_>,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO print_jobs (printer_id, kind, subject, station, lines, copy, next_try_at, created_at, staff_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)",
    )?
    .execute(params![
        job.printer,
        job.kind.as_str(),
        job.subject,
        job.station,
        job.lines,
        job.copy,
        Stamp(now),
        staff
    ])?;
    Ok(conn.last_insert_rowid())
}

fn ids_for(conn: &Connection, sql: &str, arg: &str) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([arg], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn ids(conn: &Connection, sql: &str) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The active printer the cash drawer is plugged into (the first, if several say so).
pub(crate) fn drawer_printer(conn: &Connection) -> Result<Option<i64>> {
    Ok(ids(
        conn,
        "SELECT id FROM printers WHERE active = 1 AND drawer = 1 ORDER BY id LIMIT 1",
    )?
    .into_iter()
    .next())
}

/// The drawer's kick, when a printer has the drawer. Whether one was queued.
pub(crate) fn kick_drawer(cx: &Ctx<'_>) -> Result<bool> {
    let Some(printer) = drawer_printer(cx)? else {
        return Ok(false);
    };
    enqueue(
        cx,
        cx.now,
        Some(&cx.member.id.to_string()),
        &NewJob {
            printer,
            kind: JobKind::Drawer,
            subject: "",
            station: None,
            lines: None,
            copy: false,
        },
    )?;
    Ok(true)
}

/// Active receipt printers.
pub(crate) fn receipt_printers(conn: &Connection) -> Result<Vec<i64>> {
    ids(
        conn,
        "SELECT id FROM printers WHERE active = 1 AND role = 'receipt' ORDER BY id",
    )
}

/// Receipt printers that print every receipt by themselves.
fn auto_receipt_printers(conn: &Connection) -> Result<Vec<i64>> {
    ids(
        conn,
        "SELECT id FROM printers WHERE active = 1 AND role = 'receipt' AND auto_receipt = 1 ORDER BY id",
    )
}

/// A sale's jobs: the drawer when `cash`, the receipt, and one ticket per station with lines.
pub(crate) fn after_sale(cx: &Ctx<'_>, order: &str, cash: bool) -> Result<()> {
    let staff = cx.member.id.to_string();
    if cash {
        kick_drawer(cx)?;
    }
    let receipts = auto_receipt_printers(cx)?;
    if !receipts.is_empty() {
        original_taken(cx, JobKind::Receipt, order)?;
    }
    for printer in receipts {
        let job = NewJob {
            printer,
            kind: JobKind::Receipt,
            subject: order,
            station: None,
            lines: None,
            copy: false,
        };
        enqueue(cx, cx.now, Some(&staff), &job)?;
    }
    // Each station's lines, as routed now: the ticket keeps them.
    let mut stmt = cx.prepare_cached(
        "SELECT s.station, json_group_array(l.position)
           FROM order_lines l
           JOIN products pr ON pr.id = l.product_id
           JOIN category_stations s ON s.category_id = pr.category_id
          WHERE l.order_id = ?1
          GROUP BY s.station ORDER BY s.station",
    )?;
    let stations: Vec<(String, String)> = stmt
        .query_map([order], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (station, lines) in &stations {
        let printers = ids_for(
            cx,
            "SELECT id FROM printers WHERE active = 1 AND role = ?1 ORDER BY id",
            station,
        )?;
        for printer in printers {
            let job = NewJob {
                printer,
                kind: JobKind::Kitchen,
                subject: order,
                station: Some(station),
                lines: Some(lines),
                copy: false,
            };
            enqueue(cx, cx.now, Some(&staff), &job)?;
        }
    }
    Ok(())
}

/// A refund's jobs: the drawer when cash went back, and its receipt.
pub(crate) fn after_refund(cx: &Ctx<'_>, refund: &str, cash: bool) -> Result<()> {
    let staff = cx.member.id.to_string();
    if cash {
        kick_drawer(cx)?;
    }
    let receipts = auto_receipt_printers(cx)?;
    if !receipts.is_empty() {
        original_taken(cx, JobKind::Refund, refund)?;
    }
    for printer in receipts {
        let job = NewJob {
            printer,
            kind: JobKind::Refund,
            subject: refund,
            station: None,
            lines: None,
            copy: false,
        };
        enqueue(cx, cx.now, Some(&staff), &job)?;
    }
    Ok(())
}

/// A shift's X or Z report on the receipt printers (`report` is `"<shift id>:x"` or `":z"`).
pub(crate) fn report(cx: &Ctx<'_>, report: &str) -> Result<()> {
    let staff = cx.member.id.to_string();
    let printers = receipt_printers(cx)?;
    if !printers.is_empty() {
        original_taken(cx, JobKind::Report, report)?;
    }
    for printer in printers {
        let job = NewJob {
            printer,
            kind: JobKind::Report,
            subject: report,
            station: None,
            lines: None,
            copy: false,
        };
        enqueue(cx, cx.now, Some(&staff), &job)?;
    }
    Ok(())
}
