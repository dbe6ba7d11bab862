//! The worker: each printer's due jobs in id order, on a thread per printer (a printer that is
//! down or hung delays only its own jobs), sent outside any transaction with short timeouts,
//! marked printed or failed (with back-off) in a short transaction each.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use kasir_print::{Doc, Job, PrintError, Timeouts};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Printer, connection_of, render};
use crate::kernel::time::Stamp;
use crate::{Kasir, Result};

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WorkDone {
    pub printed: u32,
    pub failed: u32,
}

static CONNECT_MS: AtomicU64 = AtomicU64::new(3_000);
static IO_MS: AtomicU64 = AtomicU64::new(5_000);

/// Sets how long the worker and test prints wait for a printer (the app keeps the defaults,
/// 3 s to connect and 5 s per write or answer; tests shorten them).
pub fn set_timeouts(timeouts: Timeouts) {
    CONNECT_MS.store(timeouts.connect.as_millis() as u64, Ordering::Relaxed);
    IO_MS.store(timeouts.io.as_millis() as u64, Ordering::Relaxed);
}

fn timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_millis(CONNECT_MS.load(Ordering::Relaxed)),
        io: Duration::from_millis(IO_MS.load(Ordering::Relaxed)),
    }
}

/// A drawer kick older than this is dropped, not sent: a drawer that springs open minutes
/// after the sale, when its printer comes back, with nobody at the till, is worse than none.
const DRAWER_KICK_LIFE: SignedDuration = SignedDuration::from_secs(60);

/// The wait before trying a failed job again: 1 s, doubling, at most 30 s.
fn back_off(attempts: u32) -> SignedDuration {
    SignedDuration::from_secs(1i64 << attempts.saturating_sub(1).min(5))
        .min(SignedDuration::from_secs(30))
}

/// The document's bytes for `printer`; an error is the document's, never the printer's.
fn encode(printer: &Printer, doc: &Doc) -> kasir_print::Result<Vec<u8>> {
    let page =
        kasir_print::CodePage::parse(&printer.code_page).unwrap_or(kasir_print::CodePage::Pc437);
    kasir_print::encode(doc, page)
}

/// Sends `bytes` (and `doc`'s text, for a file printer) to `printer`.
fn send(
    printer: &Printer,
    doc: &Doc,
    bytes: &[u8],
    name: &str,
) -> std::result::Result<(), PrintError> {
    let job = Job {
        name,
        bytes,
        text: &doc.plain_text(),
    };
    kasir_print::send(
        &connection_of(printer),
        &job,
        printer.ask_status,
        timeouts(),
    )
}

/// Encodes and sends `doc` now (the test page).
pub(crate) fn deliver(
    printer: &Printer,
    doc: &Doc,
    name: &str,
) -> std::result::Result<(), PrintError> {
    let bytes = encode(printer, doc)
        .map_err(|e| PrintError::Interrupted(format!("the page could not be built: {e}")))?;
    send(printer, doc, &bytes, name)
}

/// The oldest waiting job of `printer` if it is due, its kind and when it was asked for.
fn due_head(k: &Kasir, printer: i64, now: Timestamp) -> Result<Option<(i64, String, Timestamp)>> {
    k.read_any(|conn| {
        let head: Option<(i64, String, Stamp, Stamp)> = conn
            .prepare_cached(
                "SELECT id, kind, created_at, next_try_at FROM print_jobs
                  WHERE printer_id = ?1 AND state = 'waiting' ORDER BY id LIMIT 1",
            )?
            .query_row([printer], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        Ok(head
            .filter(|(_, _, _, at)| at.0 <= now)
            .map(|(id, kind, created, _)| (id, kind, created.0)))
    })
}

/// Sets a job aside for good, with why: the queue goes on behind it.
fn cancel(k: &Kasir, job: i64, code: &str, detail: Option<String>) -> Result<()> {
    k.transact(|tx, _| {
        tx.execute(
            "UPDATE print_jobs SET state = 'cancelled', error = ?1, error_detail = ?2 WHERE id = ?3",
            params![code, detail, job],
        )?;
        Ok(())
    })
}

/// One printer's due jobs, in order, until it is empty or fails.
fn work_printer(k: &Kasir, printer: i64) -> Result<WorkDone> {
    let mut done = WorkDone::default();
    while let Some((job, kind, created)) = due_head(k, printer, k.now())? {
        if kind == "drawer" && k.now().duration_since(created) > DRAWER_KICK_LIFE {
            cancel(k, job, "expired", None)?;
            continue;
        }
        let media = k.media_dir();
        let rendered = k
            .read_any(|conn| render::job_doc(conn, &media, job, k.now()))
            .and_then(|(p, doc)| {
                let bytes = encode(&p, &doc)
                    .map_err(|e| crate::Error::Io(std::io::Error::other(e.to_string())))?;
                Ok((p, doc, bytes))
            });
        let (p, doc, bytes) = match rendered {
            Ok(x) => x,
            Err(e) => {
                // What cannot be drawn never will be: set aside so the queue drains.
                tracing::warn!(job, error = %e, "print job cannot be rendered; cancelled");
                cancel(k, job, "render", Some(e.to_string()))?;
                done.failed += 1;
                continue;
            }
        };
        match send(&p, &doc, &bytes, &format!("job-{job}")) {
            Ok(()) => {
                // Printed, whatever happened to the row meanwhile (a cancel while it was sent).
                k.transact(|tx, now| {
                    tx.execute(
                        "UPDATE print_jobs SET state = 'printed', printed_at = ?1, attempts = attempts + 1
                          WHERE id = ?2",
                        params![Stamp(now), job],
                    )?;
                    Ok(())
                })?;
                done.printed += 1;
            }
            Err(e) => {
                tracing::info!(job, printer = %p.name, error = %e, "print job failed; will retry");
                k.transact(|tx, now| {
                    let attempts: u32 = tx.query_row(
                        "SELECT attempts + 1 FROM print_jobs WHERE id = ?1",
                        [job],
                        |r| r.get(0),
                    )?;
                    tx.execute(
                        "UPDATE print_jobs SET attempts = ?1, error = ?2, error_detail = ?3, next_try_at = ?4
                          WHERE id = ?5",
                        params![
                            attempts,
                            e.code(),
                            e.to_string(),
                            Stamp(now + back_off(attempts)),
                            job
                        ],
                    )?;
                    Ok(())
                })?;
                done.failed += 1;
                // The printer is down: its other jobs wait behind this one.
                break;
            }
        }
    }
    Ok(done)
}

/// One pass over every active printer with waiting jobs, each on its own thread.
pub(crate) fn work(k: &Kasir) -> Result<WorkDone> {
    let printers: Vec<i64> = k.read_any(|conn| {
        let mut stmt = conn.prepare_cached(
            "SELECT DISTINCT j.printer_id FROM print_jobs j JOIN printers p ON p.id = j.printer_id
              WHERE j.state = 'waiting' AND p.active = 1 ORDER BY j.printer_id",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    })?;
    let results: Vec<Result<WorkDone>> = std::thread::scope(|scope| {
        let handles: Vec<_> = printers
            .into_iter()
            .map(|p| scope.spawn(move || work_printer(k, p)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(crate::Error::Io(std::io::Error::other(
                        "a printer's thread panicked",
                    )))
                })
            })
            .collect()
    });
    let mut done = WorkDone::default();
    for r in results {
        let r = r?;
        done.printed += r.printed;
        done.failed += r.failed;
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_to_thirty_seconds() {
        let secs: Vec<i64> = (1..=8).map(|a| back_off(a).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 30, 30, 30]);
    }
}
