//! Kasir's printing, free of Tauri and of the core: it knows documents, bytes and printers,
//! never sales.
//!
//! - [`Doc`] is what a front end asks to print: lines already laid out to the paper's columns
//!   (the core does the layout, the same for the screen and for paper), a QR code, a picture,
//!   a cut, a drawer pulse. [`Doc::plain_text`] is the same document on a screen or in a file.
//! - [`encode`] turns a document into ESC/POS bytes for a printer's [`CodePage`]: every
//!   character is one the printer can print, the others replaced sensibly ([`fit`]).
//! - [`decode`] turns bytes back into readable text, every byte accounted for, for golden
//!   tests and for the fake printer.
//! - [`send`] delivers a job over a [`Connection`] (network port 9100, a USB device file, or a
//!   file for shops without a printer) with short timeouts, asking the printer's status first
//!   when it can answer, and says what went wrong as a [`PrintError`].
//! - [`fake`] is a printer for tests: a TCP server on 127.0.0.1 that records what it prints and
//!   can refuse, hang, close part way or run out of paper.
//!
//! Everything here blocks (std::net, files): run it on a thread of its own, never on an async
//! runtime's threads or a till's command.

mod codepage;
mod decode;
mod doc;
mod encode;
pub mod fake;
mod transport;

pub use codepage::{CodePage, fit};
pub use decode::{Token, decode, tokens};
pub use doc::{Block, Doc, DrawerPin, Paper, Pulse, Raster, Size, Style};
pub use encode::encode;
pub use transport::{Connection, Job, PrintError, Timeouts, send};

/// Errors of building a document's bytes.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the QR code's text is empty or too long ({len} bytes, at most 700)")]
    QrData { len: usize },
    #[error("ESC/POS: {0}")]
    Escpos(String),
}

pub type Result<T> = std::result::Result<T, Error>;
