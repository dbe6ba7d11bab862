//! Product pictures: only real PNG, JPEG or WebP, within size and pixel limits (no
//! decompression bombs), turned upright by their EXIF orientation, re-encoded as a display
//! JPEG and a thumbnail under the data directory. Originals (and their metadata) are not kept.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};

use crate::access::{Actor, Ctx, Permission};
use crate::catalog::{Catalog, Product, ProductId};
use crate::{Entity, Field, Rule};
use crate::{Error, Result};

/// The largest upload accepted, in bytes.
pub const MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;
/// The largest picture accepted, in pixels (width × height).
pub const MAX_IMAGE_PIXELS: u64 = 40_000_000;
const MAX_SIDE: u32 = 12_000;
const DISPLAY_SIDE: u32 = 800;
const THUMB_SIDE: u32 = 240;

/// Which rendition of a picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageSize {
    Display,
    Thumbnail,
}

/// Where a stored picture lives under `media_dir`.
pub fn image_path(media_dir: &Path, image_id: &str, size: ImageSize) -> Option<PathBuf> {
    // Ids are UUIDs we made; anything else is refused so a path can never escape the folder.
    uuid::Uuid::parse_str(image_id).ok()?;
    let name = match size {
        ImageSize::Display => format!("{image_id}.jpg"),
        ImageSize::Thumbnail => format!("{image_id}.thumb.jpg"),
    };
    Some(media_dir.join("products").join(name))
}

/// Decodes and checks an upload; returns the upright picture.
pub fn decode(bytes: &[u8]) -> Result<DynamicImage> {
    if bytes.is_empty() {
        return Err(Error::invalid(Field::Image, Rule::FileEmpty));
    }
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(Error::invalid(
            Field::Image,
            Rule::FileTooLarge {
                max_mb: (MAX_IMAGE_BYTES >> 20) as u32,
            },
        ));
    }
    let format =
        image::guess_format(bytes).map_err(|_| Error::invalid(Field::Image, Rule::ImageFormat))?;
    if !matches!(
        format,
        ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP
    ) {
        return Err(Error::invalid(Field::Image, Rule::ImageFormat));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_IMAGE_PIXELS * 4 + 64 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| {
        tracing::debug!(error = %e, "picture refused");
        Error::invalid(Field::Image, Rule::ImageUnreadable)
    })?;
    let (w, h) = decoder.dimensions();
    if w == 0 || h == 0 || u64::from(w) * u64::from(h) > MAX_IMAGE_PIXELS {
        return Err(Error::invalid(
            Field::Image,
            Rule::TooManyPixels {
                max_megapixels: (MAX_IMAGE_PIXELS / 1_000_000) as u32,
            },
        ));
    }
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| {
        tracing::debug!(error = %e, "picture refused");
        Error::invalid(Field::Image, Rule::ImageUnreadable)
    })?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    Ok(img)
}

/// Flattens transparency onto white (JPEG has none) and scales to fit `side`.
fn rendition(img: &DynamicImage, side: u32) -> RgbImage {
    let scaled = if img.width() > side || img.height() > side {
        img.resize(side, side, image::imageops::FilterType::Triangle)
    } else {
        img.clone()
    };
    let rgba = scaled.to_rgba8();
    let mut out = RgbImage::new(rgba.width(), rgba.height());
    for (dst, src) in out.pixels_mut().zip(rgba.pixels()) {
        let a = u16::from(src[3]);
        for c in 0..3 {
            dst[c] = ((u16::from(src[c]) * a + 255 * (255 - a)) / 255) as u8;
        }
    }
    out
}

fn save_jpeg(img: &RgbImage, path: &Path) -> Result<()> {
    let mut buf = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, 85);
    img.write_with_encoder(encoder)
        .map_err(|e| Error::Image(e.to_string()))?;
    // On disk before the transaction that points a product at it commits: a power cut must
    // not leave a product naming an empty file.
    let tmp = path.with_extension("tmp");
    let mut file = std::fs::File::create(&tmp)?;
    std::io::Write::write_all(&mut file, &buf)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)?;
    // The rename itself is durable once the folder is synced (Linux; elsewhere a folder cannot
    // be opened for this, and the file's own sync is what there is).
    if let Some(dir) = path.parent()
        && let Ok(dir) = std::fs::File::open(dir)
    {
        dir.sync_all()?;
    }
    Ok(())
}

/// A picture decoded, resized and written to the media folder, not yet attached to a product.
pub(crate) struct PreparedImage {
    id: String,
    files: [PathBuf; 2],
}

impl PreparedImage {
    /// The slow part of adding a picture, done before any lock: checks and decodes `bytes`,
    /// writes the display and thumbnail JPEGs under `media`.
    pub(crate) fn write(media: &Path, bytes: &[u8], now: jiff::Timestamp) -> Result<PreparedImage> {
        let img = decode(bytes)?;
        std::fs::create_dir_all(media.join("products"))?;
        let id = crate::kernel::ids::new_uuid(now).to_string();
        let display = image_path(media, &id, ImageSize::Display).ok_or(Error::Overflow)?;
        let thumb = image_path(media, &id, ImageSize::Thumbnail).ok_or(Error::Overflow)?;
        let prepared = PreparedImage {
            id,
            files: [display, thumb],
        };
        let written = save_jpeg(&rendition(&img, DISPLAY_SIDE), &prepared.files[0])
            .and_then(|()| save_jpeg(&rendition(&img, THUMB_SIDE), &prepared.files[1]));
        match written {
            Ok(()) => Ok(prepared),
            Err(e) => {
                prepared.discard();
                Err(e)
            }
        }
    }

    /// The picture's id (a UUID).
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    /// Removes the files, when the transaction that would have used them did not commit.
    pub(crate) fn discard(&self) {
        for f in &self.files {
            let _ = std::fs::remove_file(f);
        }
    }

    /// Makes this picture `product`'s cover inside the caller's transaction, in place of the
    /// cover it had (its other pictures stay, after it), and reports it. Returns the product
    /// and the pictures that left it (their files go after the commit, see
    /// [`super::pictures::remove_unused_files`]).
    pub(crate) fn attach(
        &self,
        cx: &Ctx<'_>,
        product: ProductId,
    ) -> Result<(Product, Vec<String>)> {
        let found: bool = cx.query_row(
            "SELECT EXISTS (SELECT 1 FROM products WHERE id = ?1)",
            [product],
            |r| r.get(0),
        )?;
        if !found {
            return Err(Error::not_found(Entity::Product, product));
        }
        let mut ids = super::pictures::pictures_of(cx, product)?;
        if ids.is_empty() {
            ids.push(self.id.clone());
        } else {
            ids[0] = self.id.clone();
        }
        let removed = super::pictures::write_pictures(cx, product, &ids)?;
        Ok((super::load_product(cx, product)?, removed))
    }
}

/// Stores a picture another till made (its display JPEG, from the server) under its id: checked
/// like an upload, then written as this till's display and thumbnail renditions. Writing the
/// same id again replaces the files with the same picture.
pub(crate) fn save_received(media: &Path, image_id: &str, bytes: &[u8]) -> Result<()> {
    let img = decode(bytes)?;
    let display = image_path(media, image_id, ImageSize::Display)
        .ok_or(Error::invalid(Field::Id, Rule::NotAnId))?;
    let thumb = image_path(media, image_id, ImageSize::Thumbnail)
        .ok_or(Error::invalid(Field::Id, Rule::NotAnId))?;
    std::fs::create_dir_all(media.join("products"))?;
    // The thumbnail first: the display file is what says "this till has the picture".
    save_jpeg(&rendition(&img, THUMB_SIDE), &thumb)?;
    save_jpeg(&rendition(&img, DISPLAY_SIDE), &display)
}

impl Catalog<'_> {
    /// Sets a product's picture from uploaded bytes. The slow part (decoding, resizing,
    /// encoding, writing the files) runs before the writer's lock is taken, so a sale never
    /// waits for it; then the product points at the files in one transaction; the old files go
    /// after the commit.
    pub fn set_product_image(
        &self,
        actor: &Actor,
        product: ProductId,
        bytes: &[u8],
    ) -> Result<Product> {
        // Refuse early, before spending a second of CPU on someone who may not do this; the
        // transaction checks again.
        self.k
            .read(actor, Permission::ManageCatalog, |_, _| Ok(()))?;
        let media = self.k.media_dir();
        let prepared = PreparedImage::write(&media, bytes, self.k.now())?;
        match self.k.write(actor, Permission::ManageCatalog, |cx| {
            prepared.attach(cx, product)
        }) {
            Ok((p, removed)) => {
                super::pictures::remove_unused_files(self.k, &media, &removed);
                Ok(p)
            }
            Err(e) => {
                prepared.discard();
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_pixel(w, h, image::Rgba([200, 100, 50, 128]));
        let mut buf = Vec::new();
        img.write_to(&mut Cursor::new(&mut buf), ImageFormat::Png)
            .unwrap();
        buf
    }

    #[test]
    fn accepts_real_pictures() {
        let img = decode(&png(40, 30)).unwrap();
        assert_eq!((img.width(), img.height()), (40, 30));
        let flat = rendition(&img, 20);
        assert_eq!((flat.width(), flat.height()), (20, 15));
        // half-transparent orange on white
        assert_eq!(flat.get_pixel(0, 0).0, [227, 177, 152]);
    }

    #[test]
    fn refuses_bad_files() {
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("empty", vec![]),
            ("text", b"hello, not a picture".to_vec()),
            ("gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00".to_vec()),
            ("truncated png", png(50, 50)[..60].to_vec()),
            ("too big", vec![0u8; MAX_IMAGE_BYTES + 1]),
        ];
        for (name, bytes) in cases {
            assert!(
                matches!(
                    decode(&bytes),
                    Err(Error::Invalid {
                        field: Field::Image,
                        ..
                    })
                ),
                "{name}"
            );
        }
    }

    #[test]
    fn refuses_decompression_bombs() {
        // A tiny PNG whose header claims 20000 x 20000 pixels.
        let mut bomb = png(1, 1);
        // IHDR width/height live at bytes 16..24; patch them and fix the CRC.
        bomb[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        assert!(matches!(
            decode(&bomb),
            Err(Error::Invalid {
                field: Field::Image,
                ..
            })
        ));
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn image_paths_stay_inside_media() {
        let media = Path::new("/data/media");
        assert!(image_path(media, "../../etc/passwd", ImageSize::Display).is_none());
        let id = "0190f5d2-1c2b-7cde-8f00-123456789abc";
        assert_eq!(
            image_path(media, id, ImageSize::Thumbnail).unwrap(),
            media.join("products").join(format!("{id}.thumb.jpg"))
        );
    }
}
