use kasir_core::Field;
use std::io::Cursor;
use std::str::FromStr;

use image::{ImageFormat, RgbImage};
use kasir_core::Error;
use kasir_core::catalog::images::{ImageSize, MAX_IMAGE_BYTES, image_path};

use crate::helpers::{fingerprint, shop};

fn encode(w: u32, h: u32, format: ImageFormat) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, _| image::Rgb([(x * 5) as u8, 120, 200]));
    let mut buf = Vec::new();
    img.write_to(&mut Cursor::new(&mut buf), format).unwrap();
    buf
}

/// A JPEG carrying an EXIF orientation tag (6 = rotate 90° clockwise to display).
fn jpeg_with_orientation(w: u32, h: u32, orientation: u16) -> Vec<u8> {
    let jpeg = encode(w, h, ImageFormat::Jpeg);
    let mut app1 = vec![0xFF, 0xE1, 0x00, 34];
    app1.extend_from_slice(b"Exif\0\0MM\0\x2A\0\0\0\x08");
    app1.extend_from_slice(&[0x00, 0x01, 0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01]);
    app1.extend_from_slice(&orientation.to_be_bytes());
    app1.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    let mut out = jpeg[..2].to_vec();
    out.extend(app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn files_in(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

#[test]
fn png_jpeg_and_webp_become_display_and_thumbnail() {
    let s = shop();
    let a = s.admin.clone();
    let p = s.product("Latte", 28_000, None);
    for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP] {
        let updated = s
            .kasir
            .catalog()
            .set_product_image(&a, p.id, &encode(1600, 1200, format))
            .unwrap();
        let id = updated.image_id.expect("image set");
        let display =
            image::open(image_path(&s.kasir.media_dir(), &id, ImageSize::Display).unwrap())
                .unwrap();
        let thumb =
            image::open(image_path(&s.kasir.media_dir(), &id, ImageSize::Thumbnail).unwrap())
                .unwrap();
        assert_eq!(
            (display.width(), display.height()),
            (800, 600),
            "{format:?}"
        );
        assert_eq!((thumb.width(), thumb.height()), (240, 180), "{format:?}");
    }
    // replacing a picture removes the old files: one display + one thumbnail remain
    assert_eq!(files_in(&s.kasir.media_dir().join("products")), 2);
}

#[test]
fn exif_orientation_is_honoured() {
    let s = shop();
    let a = s.admin.clone();
    let p = s.product("Latte", 28_000, None);
    let updated = s
        .kasir
        .catalog()
        .set_product_image(&a, p.id, &jpeg_with_orientation(400, 200, 6))
        .unwrap();
    let id = updated.image_id.unwrap();
    let thumb =
        image::open(image_path(&s.kasir.media_dir(), &id, ImageSize::Thumbnail).unwrap()).unwrap();
    assert_eq!(
        (thumb.width(), thumb.height()),
        (120, 240),
        "portrait after rotation"
    );
}

#[test]
fn bad_images_are_refused_and_write_nothing() {
    let s = shop();
    let a = s.admin.clone();
    let p = s.product("Latte", 28_000, None);
    let mut truncated = encode(300, 300, ImageFormat::Png);
    truncated.truncate(truncated.len() / 2);
    let mut garbage_jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
    garbage_jpeg.extend(std::iter::repeat_n(0x55, 5000));
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        (
            "text",
            b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec(),
        ),
        ("bmp", b"BM\x46\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0".to_vec()),
        ("truncated png", truncated),
        ("garbage jpeg", garbage_jpeg),
        ("over 10 MB", vec![0x89; MAX_IMAGE_BYTES + 1]),
    ];
    let media = s.kasir.media_dir().join("products");
    for (name, bytes) in cases {
        let before = fingerprint(&s.kasir);
        let r = s.kasir.catalog().set_product_image(&a, p.id, &bytes);
        assert!(
            matches!(
                r,
                Err(Error::Invalid {
                    field: Field::Image,
                    ..
                })
            ),
            "{name}: {r:?}"
        );
        assert_eq!(before, fingerprint(&s.kasir), "{name}");
        assert_eq!(files_in(&media), 0, "{name}: no files left behind");
    }
    let missing = "01900000-0000-7000-8000-000000000000".parse().unwrap();
    assert!(matches!(
        s.kasir
            .catalog()
            .set_product_image(&a, missing, &encode(10, 10, ImageFormat::Png)),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(
        files_in(&media),
        0,
        "files of a refused product are removed"
    );
}

/// Several pictures per product: added after the others (the first is the cover, and the
/// product's `image_id`), reordered, removed (their files go), each change one audited
/// transaction with the product's outbox entry; a foreign or repeated id, a ninth picture, a
/// broken file and an unknown product are refused with nothing changed and no file left.
#[test]
fn a_product_has_several_pictures_in_order_with_a_cover() {
    let s = shop();
    let p = s.product("Es kopi", 20_000, None);
    let cat = s.kasir.catalog();
    let media = s.path().join("media");
    let a = cat
        .add_product_picture(&s.manager, p.id, &encode(40, 30, ImageFormat::Png))
        .unwrap();
    let b = cat
        .add_product_picture(&s.manager, p.id, &encode(30, 40, ImageFormat::Jpeg))
        .unwrap();
    let all = cat
        .add_product_picture(&s.manager, p.id, &encode(50, 50, ImageFormat::WebP))
        .unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(&all[..1], &a[..]);
    assert_eq!(&all[..2], &b[..]);
    assert_eq!(cat.product_pictures(&s.manager, p.id).unwrap(), all);
    let cover = |k: &kasir_core::Kasir| -> Option<String> {
        k.connection()
            .query_row("SELECT image_id FROM products WHERE id = ?1", [p.id], |r| {
                r.get(0)
            })
            .unwrap()
    };
    assert_eq!(cover(&s.kasir).as_deref(), Some(all[0].as_str()));
    for id in &all {
        assert!(
            image_path(&media, id, ImageSize::Thumbnail)
                .unwrap()
                .is_file()
        );
    }

    // The last first, the middle one removed.
    let order = vec![all[2].clone(), all[0].clone()];
    assert_eq!(
        cat.arrange_product_pictures(&s.manager, p.id, &order)
            .unwrap(),
        order
    );
    assert_eq!(cat.product_pictures(&s.manager, p.id).unwrap(), order);
    assert_eq!(cover(&s.kasir).as_deref(), Some(all[2].as_str()));
    assert!(
        !image_path(&media, &all[1], ImageSize::Display)
            .unwrap()
            .exists()
    );
    assert!(
        image_path(&media, &all[0], ImageSize::Display)
            .unwrap()
            .exists()
    );
    let last_sent: String = s
        .kasir
        .connection()
        .query_row(
            "SELECT json_extract(payload, '$.image_id') FROM outbox
             WHERE kind = 'product_upserted' ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(last_sent, all[2], "the new cover goes to the other tills");
    let audited = crate::helpers::count(
        &s.kasir,
        "SELECT COUNT(*) FROM audit_log WHERE action IN ('picture_added', 'pictures_arranged')",
    );
    assert_eq!(audited, 4);

    // Refusals change nothing and leave no file behind.
    let stray = "01900000-0000-7000-8000-000000000000".to_string();
    for bad in [vec![stray], vec![all[0].clone(), all[0].clone()]] {
        crate::helpers::refused(
            &s.kasir,
            |k| k.catalog().arrange_product_pictures(&s.manager, p.id, &bad),
            |e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::Image,
                        ..
                    }
                )
            },
        );
    }
    for _ in 0..6 {
        cat.add_product_picture(&s.manager, p.id, &encode(20, 20, ImageFormat::Png))
            .unwrap();
    }
    let files = files_in(&media.join("products"));
    crate::helpers::refused(
        &s.kasir,
        |k| {
            k.catalog()
                .add_product_picture(&s.manager, p.id, &encode(20, 20, ImageFormat::Png))
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Image,
                    rule: kasir_core::Rule::TooMany { max: 8 }
                }
            )
        },
    );
    crate::helpers::refused(
        &s.kasir,
        |k| {
            k.catalog()
                .add_product_picture(&s.manager, p.id, b"GIF89a not really")
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Image,
                    ..
                }
            )
        },
    );
    let other =
        kasir_core::catalog::ProductId::from_str("01900000-0000-7000-8000-00000000abcd").unwrap();
    crate::helpers::refused(
        &s.kasir,
        |k| {
            k.catalog()
                .add_product_picture(&s.manager, other, &encode(20, 20, ImageFormat::Png))
        },
        |e| matches!(e, Error::NotFound { .. }),
    );
    assert_eq!(
        files_in(&media.join("products")),
        files,
        "no file left behind"
    );

    // Replacing the cover keeps the others after it.
    let before = cat.product_pictures(&s.manager, p.id).unwrap();
    cat.set_product_image(&s.manager, p.id, &encode(64, 64, ImageFormat::Png))
        .unwrap();
    let after = cat.product_pictures(&s.manager, p.id).unwrap();
    assert_eq!(after.len(), before.len());
    assert_ne!(after[0], before[0]);
    assert_eq!(after[1..], before[1..]);
    assert!(
        !image_path(&media, &before[0], ImageSize::Display)
            .unwrap()
            .exists()
    );
}
