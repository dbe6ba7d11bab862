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
mod render;
mod worker;

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::access::{Actor, Permission};
use crate::catalog::CategoryId;
use crate::kernel::text;
use crate::kernel::time::Stamp;
use crate::outbox::print::{NewJob, enqueue, receipt_printers};
use crate::sales::checkout::OrderId;
use crate::sales::shifts::{ReportKind, ShiftId};
use crate::{Entity, Error, Field, Kasir, Result, Rule, audit};

pub use crate::outbox::print::JobKind;
pub use worker::{WorkDone, set_timeouts};

/// How a printer is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ConnectionKind {
    /// On the shop's network: `address` is `host` or `host:port` (9100 when left out).
    Network,
    /// A device file: `address` is `/dev/usb/lp0` (USB) or another absolute path.
    Device,
    /// No printer: each job's text is saved in the folder `address`.
    File,
}

impl ConnectionKind {
    fn as_str(self) -> &'static str {
        match self {
            ConnectionKind::Network => "network",
            ConnectionKind::Device => "device",
            ConnectionKind::File => "file",
        }
    }

    fn parse(s: &str) -> ConnectionKind {
        match s {
            "device" => ConnectionKind::Device,
            "file" => ConnectionKind::File,
            _ => ConnectionKind::Network,
        }
    }
}

/// What a printer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum PrinterRole {
    /// Receipts, refunds, reports; the drawer hangs on one of these.
    Receipt,
    /// The kitchen station's tickets.
    Kitchen,
    /// The bar station's tickets.
    Bar,
    /// Labels (nothing prints on it yet).
    Label,
}

impl PrinterRole {
    fn as_str(self) -> &'static str {
        match self {
            PrinterRole::Receipt => "receipt",
            PrinterRole::Kitchen => "kitchen",
            PrinterRole::Bar => "bar",
            PrinterRole::Label => "label",
        }
    }

    fn parse(s: &str) -> PrinterRole {
        match s {
            "kitchen" => PrinterRole::Kitchen,
            "bar" => PrinterRole::Bar,
            "label" => PrinterRole::Label,
            _ => PrinterRole::Receipt,
        }
    }
}

/// A station the kitchen's tickets go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Station {
    Kitchen,
    Bar,
}

impl Station {
    pub fn as_str(self) -> &'static str {
        match self {
            Station::Kitchen => "kitchen",
            Station::Bar => "bar",
        }
    }

    fn parse(s: &str) -> Option<Station> {
        match s {
            "kitchen" => Some(Station::Kitchen),
            "bar" => Some(Station::Bar),
            _ => None,
        }
    }
}

/// A printer as the admin screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Printer {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub name: String,
    pub connection: ConnectionKind,
    pub address: String,
    /// 58 or 80.
    pub paper_mm: u32,
    /// `PC437`, `PC858` or `WPC1252`.
    pub code_page: String,
    pub role: PrinterRole,
    pub auto_receipt: bool,
    pub drawer: bool,
    pub ask_status: bool,
    pub active: bool,
    /// Jobs waiting for it.
    pub waiting: u32,
    /// Of those, how many failed at least once.
    pub failing: u32,
    /// The newest failure of a waiting job: its code (`unreachable`, `not_answering`,
    /// `paper_out`, `offline`, `interrupted`, `file`) and details.
    pub last_error: Option<String>,
    pub last_error_detail: Option<String>,
}

/// A printer as a manager enters it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PrinterInput {
    pub name: String,
    pub connection: ConnectionKind,
    pub address: String,
    pub paper_mm: u32,
    pub code_page: String,
    pub role: PrinterRole,
    pub auto_receipt: bool,
    pub drawer: bool,
    pub ask_status: bool,
    pub active: bool,
}

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

/// A category and the station its lines print at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CategoryStation {
    pub category_id: CategoryId,
    pub category_name: String,
    pub station: Option<Station>,
}

/// How a test page went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TestPrint {
    pub printed: bool,
    /// The failure's code (as [`Printer::last_error`]) and details.
    pub error: Option<String>,
    pub detail: Option<String>,
}

pub struct Printing<'k> {
    k: &'k Kasir,
}

impl Kasir {
    pub fn printing(&self) -> Printing<'_> {
        Printing { k: self }
    }
}

/// A network printer's address: an IPv4 or IPv6 address or a host name, with a port or 9100.
/// `None` when it is none of these.
fn parse_network(address: &str) -> Option<(String, u16)> {
    use std::net::{IpAddr, SocketAddr};
    if let Ok(socket) = address.parse::<SocketAddr>() {
        return (socket.port() > 0).then(|| (socket.ip().to_string(), socket.port()));
    }
    let bare = address.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Some((ip.to_string(), 9100));
    }
    let (host, port) = match address.split_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().ok().filter(|p| *p > 0)?),
        None => (address, 9100),
    };
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    (host.len() <= 253 && host.split('.').all(label_ok)).then(|| (host.to_string(), port))
}

/// `host:port`, with an IPv6 address in brackets.
fn network_address(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// The address, checked for its connection and written one way: `host:port` (IPv6 in
/// brackets, 9100 when left out); a device file under `/dev/`; an absolute folder. Neither path
/// may climb with `..`.
fn check_address(connection: ConnectionKind, address: &str) -> Result<String> {
    let address = text::name(Field::Address, address, 200)?;
    let bad = || Error::invalid(Field::Address, Rule::PrinterAddress);
    match connection {
        ConnectionKind::Network => {
            let (host, port) = parse_network(&address).ok_or_else(bad)?;
            Ok(network_address(&host, port))
        }
        ConnectionKind::Device | ConnectionKind::File => {
            let path = Path::new(&address);
            let climbs = path
                .components()
                .any(|c| matches!(c, std::path::Component::ParentDir));
            let device_ok = connection == ConnectionKind::File || address.starts_with("/dev/");
            if !path.is_absolute() || climbs || !device_ok {
                return Err(bad());
            }
            Ok(address)
        }
    }
}

/// Where `printer` is, for kasir-print.
pub(crate) fn connection_of(printer: &Printer) -> kasir_print::Connection {
    match printer.connection {
        ConnectionKind::Network => {
            let (host, port) =
                parse_network(&printer.address).unwrap_or((printer.address.clone(), 9100));
            kasir_print::Connection::Network { host, port }
        }
        ConnectionKind::Device => kasir_print::Connection::Device(printer.address.clone().into()),
        ConnectionKind::File => kasir_print::Connection::File(printer.address.clone().into()),
    }
}

const PRINTER_COLUMNS: &str = "p.id, p.name, p.connection, p.address, p.paper_mm, p.code_page, p.role,
    p.auto_receipt, p.drawer, p.ask_status, p.active,
    (SELECT COUNT(*) FROM print_jobs j WHERE j.printer_id = p.id AND j.state = 'waiting'),
    (SELECT COUNT(*) FROM print_jobs j WHERE j.printer_id = p.id AND j.state = 'waiting' AND j.attempts > 0),
    (SELECT error FROM print_jobs j WHERE j.printer_id = p.id AND j.state = 'waiting' AND j.error IS NOT NULL ORDER BY j.id LIMIT 1),
    (SELECT error_detail FROM print_jobs j WHERE j.printer_id = p.id AND j.state = 'waiting' AND j.error IS NOT NULL ORDER BY j.id LIMIT 1)";

fn printer_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Printer> {
    Ok(Printer {
        id: r.get(0)?,
        name: r.get(1)?,
        connection: ConnectionKind::parse(&r.get::<_, String>(2)?),
        address: r.get(3)?,
        paper_mm: r.get(4)?,
        code_page: r.get(5)?,
        role: PrinterRole::parse(&r.get::<_, String>(6)?),
        auto_receipt: r.get(7)?,
        drawer: r.get(8)?,
        ask_status: r.get(9)?,
        active: r.get(10)?,
        waiting: r.get(11)?,
        failing: r.get(12)?,
        last_error: r.get(13)?,
        last_error_detail: r.get(14)?,
    })
}

pub(crate) fn load_printer(conn: &Connection, id: i64) -> Result<Printer> {
    conn.prepare_cached(&format!(
        "SELECT {PRINTER_COLUMNS} FROM printers p WHERE p.id = ?1"
    ))?
    .query_row([id], printer_row)
    .optional()?
    .ok_or_else(|| Error::not_found(Entity::Printer, id))
}

fn list_printers(conn: &Connection) -> Result<Vec<Printer>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {PRINTER_COLUMNS} FROM printers p ORDER BY p.role, p.name"
    ))?;
    let rows = stmt.query_map([], printer_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
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
    /// This till's printers, receipts first. Managers and admins.
    pub fn printers(&self, actor: &Actor) -> Result<Vec<Printer>> {
        self.k.read(actor, Permission::ManagePrinters, |conn, _| {
            list_printers(conn)
        })
    }

    /// Adds a printer (`id` none) or changes one. Audited.
    pub fn save_printer(
        &self,
        actor: &Actor,
        id: Option<i64>,
        input: PrinterInput,
    ) -> Result<Printer> {
        let name = text::name(Field::Name, &input.name, 40)?;
        let address = check_address(input.connection, &input.address)?;
        if kasir_print::Paper::from_millimetres(input.paper_mm).is_none() {
            return Err(Error::invalid(
                Field::Paper,
                Rule::Unknown {
                    value: input.paper_mm.to_string(),
                },
            ));
        }
        let Some(page) = kasir_print::CodePage::parse(&input.code_page) else {
            return Err(Error::invalid(
                Field::CodePage,
                Rule::Unknown {
                    value: input.code_page.chars().take(20).collect(),
                },
            ));
        };
        let receipt = input.role == PrinterRole::Receipt;
        self.k.write(actor, Permission::ManagePrinters, |cx| {
            let ts = Stamp(cx.now);
            let clash: Option<i64> = cx
                .query_row(
                    "SELECT id FROM printers WHERE name = ?1 AND id IS NOT ?2",
                    params![name, id],
                    |r| r.get(0),
                )
                .optional()?;
            if clash.is_some() {
                return Err(Error::Duplicate {
                    field: Field::Name,
                    value: name.clone(),
                });
            }
            let values = params![
                name,
                input.connection.as_str(),
                address,
                input.paper_mm,
                page.as_str(),
                input.role.as_str(),
                receipt && input.auto_receipt,
                receipt && input.drawer,
                input.ask_status,
                input.active,
                ts
            ];
            let id = match id {
                Some(id) => {
                    load_printer(cx, id)?;
                    cx.execute(
                        "UPDATE printers SET name = ?1, connection = ?2, address = ?3, paper_mm = ?4,
                            code_page = ?5, role = ?6, auto_receipt = ?7, drawer = ?8, ask_status = ?9,
                            active = ?10, updated_at = ?11 WHERE id = ?12",
                        rusqlite::params_from_iter(values.iter().copied().chain([&id as &dyn rusqlite::ToSql])),
                    )?;
                    id
                }
                None => {
                    cx.execute(
                        "INSERT INTO printers (name, connection, address, paper_mm, code_page, role,
                            auto_receipt, drawer, ask_status, active, created_at, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
                        values,
                    )?;
                    cx.last_insert_rowid()
                }
            };
            // A printer taken out of use drops what waits for it (a kitchen ticket or a drawer
            // kick printed hours later helps nobody); the queue says why.
            if !input.active {
                cx.execute(
                    "UPDATE print_jobs SET state = 'cancelled', error = 'inactive', error_detail = NULL
                      WHERE printer_id = ?1 AND state = 'waiting'",
                    [id],
                )?;
            }
            // One drawer: the printer that has it now is the only one.
            if receipt && input.drawer {
                cx.execute(
                    "UPDATE printers SET drawer = 0 WHERE id <> ?1 AND drawer = 1",
                    [id],
                )?;
            }
            audit::record(
                cx,
                "printer_saved",
                serde_json::json!({"printer": id, "name": name, "connection": input.connection.as_str(),
                    "address": address, "role": input.role.as_str(), "active": input.active}),
            )?;
            load_printer(cx, id)
        })
    }

    /// Removes a printer and its jobs. Audited.
    pub fn remove_printer(&self, actor: &Actor, id: i64) -> Result<()> {
        self.k.write(actor, Permission::ManagePrinters, |cx| {
            let printer = load_printer(cx, id)?;
            let waiting = printer.waiting;
            cx.execute("DELETE FROM print_jobs WHERE printer_id = ?1", [id])?;
            cx.execute("DELETE FROM printers WHERE id = ?1", [id])?;
            audit::record(
                cx,
                "printer_removed",
                serde_json::json!({"printer": id, "name": printer.name, "jobs_dropped": waiting}),
            )
        })
    }

    /// Every category with the station its lines print at. Managers and admins.
    pub fn stations(&self, actor: &Actor) -> Result<Vec<CategoryStation>> {
        self.k.read(actor, Permission::ManagePrinters, |conn, _| {
            let mut stmt = conn.prepare_cached(
                "SELECT c.id, c.name, s.station FROM categories c
                   LEFT JOIN category_stations s ON s.category_id = c.id
                  WHERE c.active = 1 ORDER BY c.sort_order, c.name",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(CategoryStation {
                    category_id: r.get(0)?,
                    category_name: r.get(1)?,
                    station: r
                        .get::<_, Option<String>>(2)?
                        .as_deref()
                        .and_then(Station::parse),
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Sends a category's lines to a station's tickets, or to none. Audited.
    pub fn set_station(
        &self,
        actor: &Actor,
        category: CategoryId,
        station: Option<Station>,
    ) -> Result<()> {
        self.k.write(actor, Permission::ManagePrinters, |cx| {
            let known: bool = cx.query_row(
                "SELECT EXISTS (SELECT 1 FROM categories WHERE id = ?1)",
                [category],
                |r| r.get(0),
            )?;
            if !known {
                return Err(Error::not_found(Entity::Category, category));
            }
            match station {
                Some(s) => cx.execute(
                    "INSERT INTO category_stations (category_id, station) VALUES (?1, ?2)
                     ON CONFLICT (category_id) DO UPDATE SET station = excluded.station",
                    params![category, s.as_str()],
                )?,
                None => cx.execute(
                    "DELETE FROM category_stations WHERE category_id = ?1",
                    [category],
                )?,
            };
            audit::record(
                cx,
                "station_set",
                serde_json::json!({"category": category, "station": station.map(Station::as_str)}),
            )
        })
    }

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

    /// Prints a test page now, waiting for the printer (at most a few seconds), and says how
    /// it went. Nothing is queued.
    pub fn test_print(&self, actor: &Actor, id: i64) -> Result<TestPrint> {
        let (printer, doc, shop) = self.k.read(actor, Permission::ManagePrinters, |conn, _| {
            let printer = load_printer(conn, id)?;
            let settings = crate::settings::load(conn)?;
            let doc = render::test_page(&self.k.media_dir(), &printer, &settings, self.k.now());
            Ok((printer, doc, settings.shop_name))
        })?;
        let result = worker::deliver(&printer, &doc, &format!("test-{}", printer.id));
        tracing::info!(printer = %printer.name, shop = %shop, ok = result.is_ok(), "test print");
        Ok(match result {
            Ok(()) => TestPrint {
                printed: true,
                error: None,
                detail: None,
            },
            Err(e) => TestPrint {
                printed: false,
                error: Some(e.code().into()),
                detail: Some(e.to_string()),
            },
        })
    }

    /// The document a job prints, as text (the admin's preview, the tests).
    pub fn job_text(&self, actor: &Actor, job: i64) -> Result<String> {
        self.k.read(actor, Permission::ManagePrinters, |conn, _| {
            let (_, doc) = render::job_doc(conn, &self.k.media_dir(), job, self.k.now())?;
            Ok(doc.plain_text())
        })
    }

    /// Sets the logo printed at the top of receipts (PNG, JPEG or WebP, checked like a product
    /// picture; kept grey, at most 384 × 160 dots), or removes it (`None`). Audited.
    pub fn set_logo(&self, actor: &Actor, picture: Option<&[u8]>) -> Result<()> {
        let prepared = picture.map(logo::prepare).transpose()?;
        let media = self.k.media_dir();
        self.k.write(actor, Permission::ManagePrinters, |cx| {
            let path = logo::path(&media);
            match &prepared {
                Some(png) => {
                    std::fs::create_dir_all(&media)?;
                    let partial = path.with_extension("png.partial");
                    std::fs::write(&partial, png)?;
                    std::fs::rename(&partial, &path)?;
                }
                None => match std::fs::remove_file(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                    _ => {}
                },
            }
            audit::record(
                cx,
                "receipt_logo_set",
                serde_json::json!({"logo": prepared.as_ref().map(Vec::len)}),
            )
        })
    }

    /// The receipt's logo as kept (a grey PNG), for the admin's preview.
    pub fn logo(&self, actor: &Actor) -> Result<Option<Vec<u8>>> {
        self.k.read(
            actor,
            Permission::ManagePrinters,
            |_, _| match std::fs::read(logo::path(&self.k.media_dir())) {
                Ok(bytes) => Ok(Some(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e.into()),
            },
        )
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
