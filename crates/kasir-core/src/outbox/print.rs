//! The print queue's writers: what a sale, a refund or cash moved asks the printers for,
//! written in that action's own transaction (a crash never loses a receipt or a kitchen
//! ticket). The jobs are this till's own and never synced; `printing` renders and sends them.
//!
//! A sale asks, in this order (jobs print in id order per printer): the drawer's kick when
//! cash was taken, its receipt on every receipt printer that prints receipts by itself, and a
//! ticket for each station that has a line of the sale, on that station's printers.

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
    pub copy: bool,
}

/// Adds one job, due now.
pub(crate) fn enqueue(
    conn: &Connection,
    now: jiff::Timestamp,
    staff: Option<&str>,
    job: &NewJob<'_>,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO print_jobs (printer_id, kind, subject, station, copy, next_try_at, created_at, staff_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
    )?
    .execute(params![
        job.printer,
        job.kind.as_str(),
        job.subject,
        job.station,
        job.copy,
        Stamp(now),
        staff
    ])?;
    Ok(conn.last_insert_rowid())
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
            copy: false,
        },
    )?;
    Ok(true)
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
    for printer in auto_receipt_printers(cx)? {
        let job = NewJob {
            printer,
            kind: JobKind::Receipt,
            subject: order,
            station: None,
            copy: false,
        };
        enqueue(cx, cx.now, Some(&staff), &job)?;
    }
    let mut stmt = cx.prepare_cached(
        "SELECT DISTINCT p.id, s.station
           FROM order_lines l
           JOIN products pr ON pr.id = l.product_id
           JOIN category_stations s ON s.category_id = pr.category_id
           JOIN printers p ON p.role = s.station AND p.active = 1
          WHERE l.order_id = ?1
          ORDER BY s.station, p.id",
    )?;
    let tickets: Vec<(i64, String)> = stmt
        .query_map([order], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (printer, station) in &tickets {
        let job = NewJob {
            printer: *printer,
            kind: JobKind::Kitchen,
            subject: order,
            station: Some(station),
            copy: false,
        };
        enqueue(cx, cx.now, Some(&staff), &job)?;
    }
    Ok(())
}

/// A refund's jobs: the drawer when cash went back, and its receipt.
pub(crate) fn after_refund(cx: &Ctx<'_>, refund: &str, cash: bool) -> Result<()> {
    let staff = cx.member.id.to_string();
    if cash {
        kick_drawer(cx)?;
    }
    for printer in auto_receipt_printers(cx)? {
        let job = NewJob {
            printer,
            kind: JobKind::Refund,
            subject: refund,
            station: None,
            copy: false,
        };
        enqueue(cx, cx.now, Some(&staff), &job)?;
    }
    Ok(())
}

/// A shift's X or Z report on the receipt printers (`report` is `"<shift id>:x"` or `":z"`).
pub(crate) fn report(cx: &Ctx<'_>, report: &str) -> Result<()> {
    let staff = cx.member.id.to_string();
    for printer in ids(
        cx,
        "SELECT id FROM printers WHERE active = 1 AND role = 'receipt' ORDER BY id",
    )? {
        let job = NewJob {
            printer,
            kind: JobKind::Report,
            subject: report,
            station: None,
            copy: false,
        };
        enqueue(cx, cx.now, Some(&staff), &job)?;
    }
    Ok(())
}
