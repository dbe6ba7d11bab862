//! Printing (`k.printing()`): this till's printers, kitchen routing, the print queue as a
//! manager sees it, and the worker that empties it.
//!
//! **Invariant**: a job is written in the transaction of what asks for it
//! (`outbox::print`), so a crash never loses one; the worker sends each printer's jobs in id
//! order, outside any transaction, and marks a job printed only after the printer took all of
//! it (and, when it answers status queries, said it is still there); a failure keeps the job
//! at the head of its printer's queue and retries it with back-off (1 s doubling to 30 s), so
//! a sale never waits for paper and the jobs come out in order when the printer returns. A
//! reprint is always a copy, marked as one. A crash between the printer taking a job and the
//! mark prints that job again on restart (one more copy, never a lost receipt).

mod logo;
mod printers;
mod render;
mod worker;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::access::{Actor, Permission};
use crate::kernel::text;
use crate::kernel::time::Stamp;
use crate::outbox::print::{NewJob, enqueue, receipt_printers};
use crate::sales::checkout::OrderId;
use crate::sales::shifts::{ReportKind, ShiftId};
use crate::{Entity, Error, Field, Kasir, Result, Rule, audit};

pub use crate::outbox::print::JobKind;
pub use printers::{
    CategoryStation, ConnectionKind, Printer, PrinterInput, PrinterRole, Station, TestPrint,
};
pub(crate) use printers::{connection_of, load_printer};
pub use worker::{WorkDone, set_timeouts};

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Not printed yet (`error` says why, when it failed).
    Waiting,
    Printed,
    Cancelled,
}

/// A job in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PrintJob {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub printer_id: i64,
    pub printer_name: String,
    pub kind: JobKind,
    /// What it prints, for people: the receipt or refund number, the report.
    pub subject: String,
    pub station: Option<Station>,
    pub copy: bool,
    pub state: JobState,
    pub attempts: u32,
    pub error: Option<String>,
    pub error_detail: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub printed_at: Option<String>,
}

/// The top bar's summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PrintStatus {
    pub printers: u32,
    pub waiting: u32,
    /// Jobs that failed at least once and still wait: the top bar warns.
    pub failing: u32,
}

pub struct Printing<'k> {
    k: &'k Kasir,
}

impl Kasir {
    pub fn printing(&self) -> Printing<'_> {
        Printing { k: self }
    }
}

fn job_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PrintJob> {
    let kind: String = r.get(3)?;
    let state: String = r.get(7)?;
    let station: Option<String> = r.get(5)?;
    Ok(PrintJob {
        id: r.get(0)?,
        printer_id: r.get(1)?,
        printer_name: r.get(2)?,
        kind: JobKind::parse(&kind).unwrap_or(JobKind::Test),
        subject: r.get(4)?,
        station: station.as_deref().and_then(Station::parse),
        copy: r.get(6)?,
        state: match state.as_str() {
            "printed" => JobState::Printed,
            "cancelled" => JobState::Cancelled,
            _ => JobState::Waiting,
        },
        attempts: r.get(8)?,
        error: r.get(9)?,
        error_detail: r.get(10)?,
        created_at: r.get::<_, Stamp>(11)?.0.to_string(),
        printed_at: r.get::<_, Option<Stamp>>(12)?.map(|s| s.0.to_string()),
    })
}

/// The job's subject for people: receipt and refund numbers, the report's name.
const JOB_COLUMNS: &str = "j.id, j.printer_id, p.name, j.kind,
    CASE j.kind
        WHEN 'receipt' THEN COALESCE((SELECT receipt_no FROM orders o WHERE o.id = j.subject), j.subject)
        WHEN 'kitchen' THEN COALESCE((SELECT receipt_no FROM orders o WHERE o.id = j.subject), j.subject)
        WHEN 'refund' THEN COALESCE((SELECT refund_no FROM refunds f WHERE f.id = j.subject), j.subject)
        WHEN 'report' THEN upper(substr(j.subject, -1)) || ' ' ||
            COALESCE((SELECT z_no FROM shifts s WHERE s.id = substr(j.subject, 1, 36)), '')
        ELSE '' END,
    j.station, j.copy, j.state, j.attempts, j.error, j.error_detail, j.created_at, j.printed_at";

pub(crate) fn load_job(conn: &Connection, id: i64) -> Result<PrintJob> {
    conn.prepare_cached(&format!(
        "SELECT {JOB_COLUMNS} FROM print_jobs j JOIN printers p ON p.id = j.printer_id WHERE j.id = ?1"
    ))?
    .query_row([id], job_row)
    .optional()?
    .ok_or_else(|| Error::not_found(Entity::PrintJob, id))
}

impl Printing<'_> {
    /// The queue: every waiting job, then the newest others, newest first, at most `limit`
    /// (1–500). Managers and admins.
    pub fn jobs(&self, actor: &Actor, limit: u32) -> Result<Vec<PrintJob>> {
        let limit = limit.clamp(1, 500);
        self.k.read(actor, Permission::ManagePrinters, |conn, _| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {JOB_COLUMNS} FROM print_jobs j JOIN printers p ON p.id = j.printer_id
                  ORDER BY j.state <> 'waiting', j.id DESC LIMIT ?1"
            ))?;
            let rows = stmt.query_map([limit], job_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// The top bar's summary. Anyone signed in.
    pub fn status(&self, actor: &Actor) -> Result<PrintStatus> {
        self.k.read(actor, Permission::Sell, |conn, _| {
            Ok(conn.query_row(
                "SELECT (SELECT COUNT(*) FROM printers WHERE active = 1),
                        COUNT(*), COUNT(*) FILTER (WHERE j.attempts > 0)
                   FROM print_jobs j JOIN printers p ON p.id = j.printer_id AND p.active = 1
                  WHERE j.state = 'waiting'",
                [],
                |r| {
                    Ok(PrintStatus {
                        printers: r.get(0)?,
                        waiting: r.get(1)?,
                        failing: r.get(2)?,
                    })
                },
            )?)
        })
    }

    /// Prints an order's receipt on the receipt printers: the original if it never was
    /// queued, else a copy marked as one. How many jobs were queued.
    pub fn print_receipt(&self, actor: &Actor, order: OrderId) -> Result<u32> {
        self.k.write(actor, Permission::Sell, |cx| {
            crate::sales::checkout::load_order(cx, order)?;
            let printers = receipt_printers(cx)?;
            if printers.is_empty() {
                return Err(Error::invalid(Field::Printer, Rule::NoPrinter));
            }
            let subject = order.to_string();
            let had_original =
                crate::outbox::print::original_taken(cx, JobKind::Receipt, &subject)?;
            let staff = cx.member.id.to_string();
            for printer in &printers {
                let job = NewJob {
                    printer: *printer,
                    kind: JobKind::Receipt,
                    subject: &subject,
                    station: None,
                    lines: None,
                    copy: had_original,
                };
                enqueue(cx, cx.now, Some(&staff), &job)?;
            }
            if had_original {
                audit::record(cx, "receipt_reprinted", serde_json::json!({"order": order}))?;
            }
            Ok(printers.len() as u32)
        })
    }

    /// Prints a shift's report (X while it is open, its Z once closed) on the receipt printers.
    pub fn print_report(&self, actor: &Actor, shift: ShiftId) -> Result<u32> {
        self.k.write(actor, Permission::Shift, |cx| {
            let (s, _, _) = crate::sales::shifts::load_shift(cx, shift)?;
            let printers = receipt_printers(cx)?;
            if printers.is_empty() {
                return Err(Error::invalid(Field::Printer, Rule::NoPrinter));
            }
            let kind = if s.closed_at.is_some() { "z" } else { "x" };
            let subject = format!("{shift}:{kind}");
            // An X report is the figures so far, new each time; a Z is printed once, then copies.
            let copy =
                kind == "z" && crate::outbox::print::original_taken(cx, JobKind::Report, &subject)?;
            let staff = cx.member.id.to_string();
            for printer in &printers {
                let job = NewJob {
                    printer: *printer,
                    kind: JobKind::Report,
                    subject: &subject,
                    station: None,
                    lines: None,
                    copy,
                };
                enqueue(cx, cx.now, Some(&staff), &job)?;
            }
            Ok(printers.len() as u32)
        })
    }

    /// Opens the cash drawer without a sale: a manager's right (a cashier brings a manager's
    /// PIN), with a reason, audited.
    pub fn open_drawer(&self, actor: &Actor, approver: Option<&Actor>, reason: &str) -> Result<()> {
        let reason = text::name(Field::Reason, reason, 200)?;
        self.k.write_approved(
            actor,
            approver,
            Permission::Sell,
            Permission::CashInOut,
            |cx| {
                if !crate::outbox::print::kick_drawer(cx)? {
                    return Err(Error::invalid(Field::Printer, Rule::NoPrinter));
                }
                audit::record(
                    cx,
                    "drawer_opened",
                    serde_json::json!({"reason": reason, "approved_by": cx.approved_by}),
                )
            },
        )
    }

    /// Tries a waiting job again now.
    pub fn retry(&self, actor: &Actor, job: i64) -> Result<PrintJob> {
        self.k.write(actor, Permission::ManagePrinters, |cx| {
            let j = load_job(cx, job)?;
            if j.state != JobState::Waiting {
                return Err(Error::InvalidTransition {
                    from: format!("{:?}", j.state).to_lowercase(),
                    to: "waiting".into(),
                });
            }
            cx.execute(
                "UPDATE print_jobs SET next_try_at = ?1 WHERE id = ?2",
                params![Stamp(cx.now), job],
            )?;
            load_job(cx, job)
        })
    }

    /// Drops a waiting job (a ticket the kitchen no longer needs). Audited.
    pub fn cancel(&self, actor: &Actor, job: i64) -> Result<PrintJob> {
        self.k.write(actor, Permission::ManagePrinters, |cx| {
            let j = load_job(cx, job)?;
            if j.state != JobState::Waiting {
                return Err(Error::InvalidTransition {
                    from: format!("{:?}", j.state).to_lowercase(),
                    to: "cancelled".into(),
                });
            }
            cx.execute(
                "UPDATE print_jobs SET state = 'cancelled' WHERE id = ?1",
                [job],
            )?;
            audit::record(
                cx,
                "print_job_cancelled",
                serde_json::json!({"job": job, "kind": j.kind.as_str(), "subject": j.subject}),
            )?;
            load_job(cx, job)
        })
    }

    /// Prints a job again, as a copy, on the same printer. Drawer kicks and test pages are
    /// not reprinted.
    pub fn reprint(&self, actor: &Actor, job: i64) -> Result<PrintJob> {
        self.k.write(actor, Permission::ManagePrinters, |cx| {
            let j = load_job(cx, job)?;
            if matches!(j.kind, JobKind::Drawer | JobKind::Test) {
                return Err(Error::invalid(Field::Id, Rule::NotReprintable));
            }
            let (subject, station, lines): (String, Option<String>, Option<String>) = cx.query_row(
                "SELECT subject, station, lines FROM print_jobs WHERE id = ?1",
                [job],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            let staff = cx.member.id.to_string();
            let new = enqueue(
                cx,
                cx.now,
                Some(&staff),
                &NewJob {
                    printer: j.printer_id,
                    kind: j.kind,
                    subject: &subject,
                    station: station.as_deref(),
                    lines: lines.as_deref(),
                    copy: true,
                },
            )?;
            audit::record(
                cx,
                "print_job_reprinted",
                serde_json::json!({"job": job, "copy": new, "kind": j.kind.as_str(), "subject": j.subject}),
            )?;
            load_job(cx, new)
        })
    }

    /// The document a job prints, as text (the admin's preview, the tests).
    pub fn job_text(&self, actor: &Actor, job: i64) -> Result<String> {
        self.k.read(actor, Permission::ManagePrinters, |conn, _| {
            let (_, doc) = render::job_doc(conn, &self.k.media_dir(), job, self.k.now())?;
            Ok(doc.plain_text())
        })
    }

    /// One pass of the worker: every printer's due jobs, in order, until each printer is empty
    /// or fails. Run by the app's print thread; no staff member runs it.
    pub fn work(&self) -> Result<WorkDone> {
        worker::work(self.k)
    }
}

/// The report kind a job's subject names.
fn report_kind(subject: &str) -> Option<(ShiftId, ReportKind)> {
    let (id, kind) = subject.rsplit_once(':')?;
    let id: ShiftId = id.parse().ok()?;
    Some((
        id,
        match kind {
            "z" => ReportKind::Z,
            _ => ReportKind::X,
        },
    ))
}
