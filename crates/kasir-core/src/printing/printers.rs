//! This till's printers as a manager sets them up: how each is reached, its paper and code
//! page, its role, kitchen routing by category, the receipt's logo, and a test page.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{Printing, logo, render, worker};
use crate::access::{Actor, Permission};
use crate::catalog::CategoryId;
use crate::kernel::text;
use crate::kernel::time::Stamp;
use crate::{Entity, Error, Field, Result, Rule, audit};

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

    pub(super) fn parse(s: &str) -> Option<Station> {
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
}
