//! The receipt's logo: a picture a manager uploads (PNG, JPEG or WebP, checked like product
//! pictures), kept as a small grey PNG in the media folder and printed as a raster at the top
//! of receipts, dithered by `kasir-print` for printers that only know black.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::{DynamicImage, GrayImage, ImageFormat};
use kasir_print::{Block, Paper, Raster};

use crate::{Error, Result};

/// Where the logo is kept under the media folder.
pub(crate) fn path(media: &Path) -> PathBuf {
    media.join("receipt-logo.png")
}

/// The widest and tallest logo kept, in dots: the width of 58 mm paper, and no taller than a
/// few lines of text so a receipt stays short.
const MAX_WIDTH: u32 = 384;
const MAX_HEIGHT: u32 = 160;

/// Checks and shrinks an upload to the logo kept: grey, transparency on white.
pub(crate) fn prepare(bytes: &[u8]) -> Result<Vec<u8>> {
    let img = crate::catalog::images::decode(bytes)?;
    let img = if img.width() > MAX_WIDTH || img.height() > MAX_HEIGHT {
        img.resize(MAX_WIDTH, MAX_HEIGHT, image::imageops::FilterType::Triangle)
    } else {
        img
    };
    let rgba = img.to_rgba8();
    let mut grey = GrayImage::new(rgba.width(), rgba.height());
    for (dst, src) in grey.pixels_mut().zip(rgba.pixels()) {
        let a = u32::from(src[3]);
        let luma =
            (299 * u32::from(src[0]) + 587 * u32::from(src[1]) + 114 * u32::from(src[2])) / 1000;
        dst[0] = ((luma * a + 255 * (255 - a)) / 255) as u8;
    }
    let mut out = Vec::new();
    DynamicImage::ImageLuma8(grey)
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .map_err(|e| Error::Io(std::io::Error::other(e)))?;
    Ok(out)
}

/// The logo as printed on `paper`, if the shop has one (a logo that cannot be read is left
/// off the receipt, never a reason not to print it).
pub(crate) fn block(media: &Path, paper: Paper) -> Option<Block> {
    let bytes = std::fs::read(path(media)).ok()?;
    let grey = image::load_from_memory_with_format(&bytes, ImageFormat::Png)
        .map_err(|e| tracing::warn!(error = %e, "the receipt logo cannot be read"))
        .ok()?
        .to_luma8();
    Raster::from_grey(grey.width(), grey.height(), grey.as_raw(), paper.dots()).map(Block::Image)
}
