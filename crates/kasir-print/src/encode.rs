//! A document's ESC/POS bytes, through escpos.
//!
//! Every job starts with `ESC @` (the printer's defaults) and the code page, so a job never
//! depends on what the one before it left set. Text goes through [`fit`] first. The drawer's
//! pulse is written out with its timing bytes (escpos's own command has none).

use std::cell::RefCell;
use std::rc::Rc;

use escpos::driver::Driver;
use escpos::printer::Printer;
use escpos::printer_options::PrinterOptions;
use escpos::utils::{JustifyMode, Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption};

use crate::doc::{Block, Doc, DrawerPin, Size, Style};
use crate::{CodePage, Error, Result};

/// Collects what escpos writes.
#[derive(Clone, Default)]
struct Memory(Rc<RefCell<Vec<u8>>>);

impl Driver for Memory {
    fn name(&self) -> String {
        "memory".into()
    }

    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.0.borrow_mut().extend_from_slice(data);
        Ok(())
    }

    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }

    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

fn escpos_error(e: escpos::errors::PrinterError) -> Error {
    Error::Escpos(e.to_string())
}

fn printer(page: CodePage) -> (Printer<Memory>, Memory) {
    let memory = Memory::default();
    let options = PrinterOptions::new(Some(page.escpos()), None, 48);
    (
        Printer::new(memory.clone(), Protocol::default(), Some(options)),
        memory,
    )
}

/// The bytes escpos writes for `text` on `page`, without anything around them.
pub(crate) fn page_bytes(page: CodePage, text: &str) -> Result<Vec<u8>> {
    let (mut p, memory) = printer(page);
    p.write(text).map_err(escpos_error)?;
    p.print().map_err(escpos_error)?;
    Ok(memory.0.take())
}

/// The longest QR text accepted (a receipt's number is a dozen characters).
const QR_MAX: usize = 700;

/// The document's ESC/POS bytes for a printer using `page`.
pub fn encode(doc: &Doc, page: CodePage) -> Result<Vec<u8>> {
    let (mut p, memory) = printer(page);
    // init() writes ESC @ and then ESC t with the page.
    p.init().map_err(escpos_error)?;
    let mut style = Style::default();
    for block in &doc.blocks {
        match block {
            Block::Line { text, style: want } => {
                if want.bold != style.bold {
                    p.bold(want.bold).map_err(escpos_error)?;
                }
                if want.size != style.size {
                    let (w, h) = match want.size {
                        Size::Normal => (1, 1),
                        Size::Tall => (1, 2),
                        Size::Large => (2, 2),
                    };
                    p.size(w, h).map_err(escpos_error)?;
                }
                style = *want;
                let mut bytes = crate::codepage::to_bytes(text, page);
                bytes.push(b'\n');
                p.custom(&bytes).map_err(escpos_error)?;
            }
            Block::Qr(data) => {
                if data.is_empty() || data.len() > QR_MAX {
                    return Err(Error::QrData { len: data.len() });
                }
                p.justify(JustifyMode::CENTER).map_err(escpos_error)?;
                let option = QRCodeOption::new(QRCodeModel::Model2, 6, QRCodeCorrectionLevel::M);
                p.qrcode_option(data, option).map_err(escpos_error)?;
                p.justify(JustifyMode::LEFT).map_err(escpos_error)?;
            }
            Block::Image(raster) => {
                // GS v 0: raster bit image, normal density.
                let row_bytes = raster.width() / 8;
                let mut cmd = vec![0x1D, b'v', b'0', 0];
                cmd.extend_from_slice(&(row_bytes as u16).to_le_bytes());
                cmd.extend_from_slice(&(raster.height() as u16).to_le_bytes());
                cmd.extend_from_slice(raster.bits());
                p.justify(JustifyMode::CENTER).map_err(escpos_error)?;
                p.custom(&cmd).map_err(escpos_error)?;
                p.justify(JustifyMode::LEFT).map_err(escpos_error)?;
            }
            Block::Feed(n) => {
                p.feeds(*n).map_err(escpos_error)?;
            }
            Block::Cut => {
                p.cut().map_err(escpos_error)?;
            }
            Block::Drawer(pulse) => {
                let m = match pulse.pin {
                    DrawerPin::Pin2 => 0,
                    DrawerPin::Pin5 => 1,
                };
                let unit = |ms: u16| (ms / 2).min(255) as u8;
                p.custom(&[0x1B, b'p', m, unit(pulse.on_ms), unit(pulse.off_ms)])
                    .map_err(escpos_error)?;
            }
        }
    }
    p.print().map_err(escpos_error)?;
    Ok(memory.0.take())
}
