//! Getting a job's bytes to a printer, with short timeouts, and saying what went wrong.
//!
//! A network printer (port 9100) is asked for its status before the job when it can answer
//! (`DLE EOT 1` and `4`: offline, paper out) and again after it, so a printer that took the
//! connection but is hung, or that closed it part way, is a failure to retry, not a job
//! marked printed. A device file (`/dev/usb/lp0`) is written on a helper thread so a printer
//! that stops taking bytes cannot hold the caller past the timeout; while such a write is
//! still blocked nothing else is written to that device, and when it ends its outcome answers
//! the job's retry (printed once, never twice). A file printer saves the job's text for shops
//! without a printer.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

/// Where a printer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// A printer on the network, usually port 9100.
    Network { host: String, port: u16 },
    /// A printer's device file (USB: `/dev/usb/lp0`).
    Device(PathBuf),
    /// No printer: each job's text is saved as a file in this folder.
    File(PathBuf),
}

/// One job: a name for files and logs, its bytes, and its text (for the file printer).
#[derive(Debug, Clone, Copy)]
pub struct Job<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
    pub text: &'a str,
}

/// How long to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    /// Each write, and each status answer.
    pub io: Duration,
}

impl Default for Timeouts {
    /// 3 s to connect, 5 s for each write or answer: a printer on the shop's network answers in
    /// milliseconds, and a job waits in the queue, never a sale.
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(3),
            io: Duration::from_secs(5),
        }
    }
}

/// Why a job did not print.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrintError {
    /// Connection refused, no route, no device: the printer is off, unplugged or elsewhere.
    #[error("the printer cannot be reached: {0}")]
    Unreachable(String),
    /// It took the connection and did not answer in time.
    #[error("the printer does not answer")]
    NotAnswering,
    #[error("the printer is out of paper")]
    PaperOut,
    /// It says it is offline: cover open, or an error it needs cleared.
    #[error("the printer is offline (cover open or an error)")]
    Offline,
    /// The connection broke part way through the job.
    #[error("the printer stopped part way: {0}")]
    Interrupted(String),
    /// The file printer could not save.
    #[error("the file could not be saved: {0}")]
    File(String),
}

impl PrintError {
    /// A stable code for storage and the UI: `unreachable`, `not_answering`, `paper_out`,
    /// `offline`, `interrupted`, `file`.
    pub fn code(&self) -> &'static str {
        match self {
            PrintError::Unreachable(_) => "unreachable",
            PrintError::NotAnswering => "not_answering",
            PrintError::PaperOut => "paper_out",
            PrintError::Offline => "offline",
            PrintError::Interrupted(_) => "interrupted",
            PrintError::File(_) => "file",
        }
    }
}

/// Sends `job` to the printer at `connection`. `ask_status`: the printer answers `DLE EOT`
/// (most network thermal printers do); without it a network job counts as printed once every
/// byte was taken.
pub fn send(
    connection: &Connection,
    job: &Job<'_>,
    ask_status: bool,
    timeouts: Timeouts,
) -> Result<(), PrintError> {
    match connection {
        Connection::Network { host, port } => send_network(host, *port, job, ask_status, timeouts),
        Connection::Device(path) => send_device(path.clone(), job, timeouts),
        Connection::File(dir) => save_file(dir, job),
    }
}

fn connect(host: &str, port: u16, timeout: Duration) -> Result<TcpStream, PrintError> {
    let addrs = (host, port)
        .to_socket_addrs()
        .map_err(|e| PrintError::Unreachable(format!("{host}:{port}: {e}")))?;
    let mut last = format!("{host}:{port}: no address");
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = format!("{addr}: {e}"),
        }
    }
    Err(PrintError::Unreachable(last))
}

/// Asks for the printer's status and paper sensor; an answer that is not a status byte
/// counts as none.
fn status(stream: &mut TcpStream) -> Result<(), PrintError> {
    stream
        .write_all(&[0x10, 0x04, 1, 0x10, 0x04, 4])
        .map_err(|e| PrintError::Interrupted(e.to_string()))?;
    let mut answer = [0u8; 2];
    stream.read_exact(&mut answer).map_err(|e| match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => PrintError::NotAnswering,
        _ => PrintError::Interrupted(e.to_string()),
    })?;
    // Status bytes have bits 1 and 4 set, 0 and 7 clear.
    if answer.iter().any(|b| b & 0x93 != 0x12) {
        return Err(PrintError::NotAnswering);
    }
    if answer[1] & 0x60 == 0x60 {
        return Err(PrintError::PaperOut);
    }
    if answer[0] & 0x08 != 0 {
        return Err(PrintError::Offline);
    }
    Ok(())
}

fn send_network(
    host: &str,
    port: u16,
    job: &Job<'_>,
    ask_status: bool,
    timeouts: Timeouts,
) -> Result<(), PrintError> {
    let mut stream = connect(host, port, timeouts.connect)?;
    let set = |r: std::io::Result<()>| r.map_err(|e| PrintError::Interrupted(e.to_string()));
    set(stream.set_read_timeout(Some(timeouts.io)))?;
    set(stream.set_write_timeout(Some(timeouts.io)))?;
    set(stream.set_nodelay(true))?;
    if ask_status {
        status(&mut stream)?;
    }
    stream.write_all(job.bytes).map_err(|e| match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => PrintError::NotAnswering,
        _ => PrintError::Interrupted(e.to_string()),
    })?;
    set(stream.flush())?;
    if ask_status {
        // Answered after the job's bytes: the printer took them all and is still there.
        status(&mut stream)?;
    }
    Ok(())
}

/// A device write that outlived its timeout: its thread is still in the driver, and its
/// outcome is not known yet. Kept per device file, so nothing else is written there until it
/// ends, and a retry of the same job that it finished is not printed twice.
struct InDoubt {
    job: String,
    outcome: std::sync::Arc<std::sync::Mutex<Option<Result<(), PrintError>>>>,
}

fn in_doubt() -> &'static std::sync::Mutex<std::collections::HashMap<PathBuf, InDoubt>> {
    static MAP: std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<PathBuf, InDoubt>>> =
        std::sync::OnceLock::new();
    MAP.get_or_init(Default::default)
}

fn send_device(path: PathBuf, job: &Job<'_>, timeouts: Timeouts) -> Result<(), PrintError> {
    {
        // A map of outcomes: a panic elsewhere cannot leave it half-written.
        let mut map = in_doubt().lock().unwrap_or_else(|e| e.into_inner());
        if let Some(earlier) = map.get(&path) {
            let outcome = earlier
                .outcome
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            match outcome {
                // Still blocked in the driver: nothing more is written to this device.
                None => return Err(PrintError::NotAnswering),
                Some(result) => {
                    let same_job = earlier.job == job.name;
                    map.remove(&path);
                    // The late write of this very job went through: it printed, once.
                    if same_job && result.is_ok() {
                        return Ok(());
                    }
                }
            }
        }
    }
    let bytes = job.bytes.to_vec();
    let outcome = std::sync::Arc::new(std::sync::Mutex::new(None));
    let (tx, rx) = mpsc::channel();
    let shown = path.display().to_string();
    let (target, slot) = (path.clone(), outcome.clone());
    std::thread::Builder::new()
        .name("kasir-print-device".into())
        .spawn(move || {
            let result = std::fs::OpenOptions::new()
                .append(true)
                .open(&target)
                .map_err(|e| PrintError::Unreachable(format!("{}: {e}", target.display())))
                .and_then(|mut f| {
                    f.write_all(&bytes)
                        .and_then(|()| f.flush())
                        .map_err(|e| PrintError::Interrupted(e.to_string()))
                });
            *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(result.clone());
            let _ = tx.send(result);
        })
        .map_err(|e| PrintError::Interrupted(e.to_string()))?;
    match rx.recv_timeout(timeouts.connect + timeouts.io) {
        Ok(result) => result,
        // The thread stays blocked in the driver until the printer takes the bytes or goes away;
        // until then the device is in doubt and the job is retried against that outcome.
        Err(_) => {
            tracing::warn!(device = %shown, "printer device did not take the job in time");
            in_doubt().lock().unwrap_or_else(|e| e.into_inner()).insert(
                path,
                InDoubt {
                    job: job.name.to_string(),
                    outcome,
                },
            );
            Err(PrintError::NotAnswering)
        }
    }
}

fn save_file(dir: &std::path::Path, job: &Job<'_>) -> Result<(), PrintError> {
    let fail = |e: std::io::Error| PrintError::File(format!("{}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(fail)?;
    let name: String = job
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let path = dir.join(format!("{name}.txt"));
    let partial = dir.join(format!("{name}.txt.partial"));
    std::fs::write(&partial, job.text).map_err(fail)?;
    std::fs::rename(&partial, &path).map_err(fail)
}
