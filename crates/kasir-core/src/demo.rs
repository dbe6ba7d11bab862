//! Demo data: a realistic Indonesian café for first runs and screenshots, with documented
//! demo PINs; and, behind the `generators` feature (benches and tests only, not the shipped
//! API), a generator of N products.
//!
//! Demo staff and PINs (change them before real use):
//!
//! | name | role    | PIN  |
//! |------|---------|------|
//! | Ayu  | admin   | 1111 |
//! | Budi | manager | 2222 |
//! | Sari | cashier | 3333 |
//! | Dewi | cashier | 4444 |

use std::io::Cursor;

use image::{ImageFormat, Rgb, RgbImage};
#[cfg(feature = "generators")]
use rusqlite::params;

use crate::access::{Ctx, Member, Role};
use crate::catalog::images::PreparedImage;
use crate::catalog::{
    CategoryDraft, ModifierGroupDraft, ModifierOptionDraft, ProductDraft, create_product_in,
    save_category_in, set_modifier_groups_in,
};
#[cfg(feature = "generators")]
use crate::catalog::{CategoryId, ProductId};
use crate::people::{hash_pin, insert_staff};
use crate::settings::{self, Settings};
use crate::{Actor, Error, Kasir, Result, audit};
#[cfg(feature = "generators")]
use crate::{Field, Rule};

/// The demo staff, as (name, role, PIN).
pub const DEMO_STAFF: [(&str, Role, &str); 4] = [
    ("Ayu", Role::Admin, "1111"),
    ("Budi", Role::Manager, "2222"),
    ("Sari", Role::Cashier, "3333"),
    ("Dewi", Role::Cashier, "4444"),
];

struct Item {
    name: &'static str,
    description: &'static str,
    price: i64,
    /// (stock, warning, critical); `None` for untracked.
    stock: Option<(i64, i64, i64)>,
    barcode: Option<&'static str>,
    mods: Mods,
    active: bool,
}

#[derive(Clone, Copy)]
enum Mods {
    None,
    Coffee,
    Tea,
    Spicy,
}

/// The demo shop's signature drink: featured, so it leads the cashier's "All" tab.
const SIGNATURE: &str = "Kopi Susu Gula Aren";

const fn item(name: &'static str, description: &'static str, price: i64) -> Item {
    Item {
        name,
        description,
        price,
        stock: None,
        barcode: None,
        mods: Mods::None,
        active: true,
    }
}

const fn with_mods(mut i: Item, mods: Mods) -> Item {
    i.mods = mods;
    i
}

const fn stocked(mut i: Item, stock: i64, warning: i64, critical: i64) -> Item {
    i.stock = Some((stock, warning, critical));
    i
}

const fn coded(mut i: Item, code: &'static str) -> Item {
    i.barcode = Some(code);
    i
}

const fn inactive(mut i: Item) -> Item {
    i.active = false;
    i
}

fn menu() -> Vec<(&'static str, [u8; 3], Vec<Item>)> {
    vec![
        (
            "Kopi",
            [111, 78, 55],
            vec![
                with_mods(
                    item("Espresso", "Single shot, biji Gayo / Gayo beans", 18_000),
                    Mods::Coffee,
                ),
                with_mods(
                    item(
                        "Americano",
                        "Espresso dan air panas / with hot water",
                        22_000,
                    ),
                    Mods::Coffee,
                ),
                with_mods(
                    item(
                        "Kopi Susu Gula Aren",
                        "Es kopi susu dengan gula aren / iced palm-sugar milk coffee",
                        25_000,
                    ),
                    Mods::Coffee,
                ),
                with_mods(
                    item(
                        "Cappuccino",
                        "Espresso, susu, busa tebal / thick foam",
                        28_000,
                    ),
                    Mods::Coffee,
                ),
                with_mods(
                    item(
                        "Caffe Latte",
                        "Espresso dan susu steamed / steamed milk",
                        28_000,
                    ),
                    Mods::Coffee,
                ),
                with_mods(
                    item(
                        "Kopi Tubruk",
                        "Kopi hitam tradisional / traditional black coffee",
                        15_000,
                    ),
                    Mods::Coffee,
                ),
                item(
                    "V60 Manual Brew",
                    "Pour-over, biji pilihan hari ini / today's single origin",
                    32_000,
                ),
                with_mods(
                    item(
                        "Es Kopi Susu",
                        "Kopi susu dingin / iced milk coffee",
                        24_000,
                    ),
                    Mods::Coffee,
                ),
                inactive(item(
                    "Kopi Rempah Musiman",
                    "Menu musiman, sedang tidak tersedia / seasonal spiced coffee",
                    30_000,
                )),
            ],
        ),
        (
            "Non-Kopi",
            [46, 125, 50],
            vec![
                with_mods(
                    item(
                        "Es Teh Manis",
                        "Teh melati manis / sweet jasmine iced tea",
                        8_000,
                    ),
                    Mods::Tea,
                ),
                with_mods(
                    item("Teh Tarik", "Teh susu ditarik / pulled milk tea", 15_000),
                    Mods::Tea,
                ),
                with_mods(
                    item(
                        "Matcha Latte",
                        "Matcha Jepang dan susu / Japanese matcha with milk",
                        30_000,
                    ),
                    Mods::Tea,
                ),
                item(
                    "Cokelat Panas",
                    "Hot chocolate, cokelat Bali / Balinese cocoa",
                    27_000,
                ),
                item(
                    "Jus Alpukat",
                    "Avocado juice with chocolate drizzle",
                    25_000,
                ),
                with_mods(
                    item("Es Jeruk", "Jeruk peras segar / fresh orange", 12_000),
                    Mods::Tea,
                ),
                with_mods(
                    item("Lemon Tea", "Teh lemon segar / fresh lemon tea", 15_000),
                    Mods::Tea,
                ),
            ],
        ),
        (
            "Makanan",
            [198, 40, 40],
            vec![
                with_mods(
                    item(
                        "Nasi Goreng Kampung",
                        "Fried rice, telur, kerupuk / with egg and crackers",
                        35_000,
                    ),
                    Mods::Spicy,
                ),
                with_mods(
                    item("Mie Goreng Jawa", "Javanese fried noodles", 32_000),
                    Mods::Spicy,
                ),
                with_mods(
                    item("Ayam Geprek", "Smashed fried chicken with sambal", 30_000),
                    Mods::Spicy,
                ),
                item("Nasi Ayam Bakar", "Grilled chicken rice, lalapan", 38_000),
                item("Soto Ayam", "Chicken turmeric soup", 28_000),
                item(
                    "Sate Ayam (10 tusuk)",
                    "Chicken satay, peanut sauce",
                    35_000,
                ),
                stocked(
                    item("Rendang Sapi", "Beef rendang with rice", 45_000),
                    15,
                    5,
                    2,
                ),
                item("Gado-gado", "Vegetables with peanut sauce", 25_000),
            ],
        ),
        (
            "Camilan",
            [239, 108, 0],
            vec![
                item("Pisang Goreng", "Fried banana, 5 pcs", 15_000),
                item("Kentang Goreng", "French fries", 20_000),
                item("Tahu Crispy", "Crispy tofu with chili", 15_000),
                item(
                    "Roti Bakar Cokelat Keju",
                    "Toast with chocolate and cheese",
                    22_000,
                ),
                item("Cireng", "Fried tapioca bites, rujak sauce", 15_000),
                item("Singkong Keju", "Cassava with cheese", 18_000),
            ],
        ),
        (
            "Kue & Roti",
            [173, 20, 87],
            vec![
                stocked(item("Croissant", "Butter croissant", 22_000), 18, 6, 2),
                stocked(
                    item("Pain au Chocolat", "Chocolate croissant", 25_000),
                    12,
                    5,
                    2,
                ),
                stocked(
                    item("Banana Bread", "Slice of banana bread", 20_000),
                    10,
                    4,
                    2,
                ),
                stocked(
                    item("Cheesecake", "Baked cheesecake slice", 32_000),
                    0,
                    3,
                    1,
                ),
                stocked(item("Brownies", "Fudgy chocolate brownie", 18_000), 4, 5, 2),
                stocked(item("Bolu Pandan", "Pandan chiffon cake", 15_000), 20, 5, 2),
            ],
        ),
        (
            "Dessert",
            [94, 53, 177],
            vec![
                item("Es Campur", "Shaved ice with fruit and jelly", 20_000),
                item("Klepon", "Palm sugar rice cake balls, 5 pcs", 12_000),
                item("Pisang Ijo", "Green banana dessert from Makassar", 18_000),
            ],
        ),
        (
            "Biji Kopi & Retail",
            [69, 90, 100],
            vec![
                coded(
                    stocked(
                        item("Biji Kopi Gayo 250g", "Whole beans, Aceh Gayo", 95_000),
                        24,
                        6,
                        3,
                    ),
                    "8990000000011",
                ),
                coded(
                    stocked(
                        item(
                            "Biji Kopi Toraja 250g",
                            "Whole beans, Toraja Sapan",
                            105_000,
                        ),
                        20,
                        6,
                        3,
                    ),
                    "8990000000028",
                ),
                coded(
                    stocked(item("Air Mineral 600ml", "Bottled water", 6_000), 48, 12, 6),
                    "8990000000035",
                ),
                coded(
                    stocked(
                        item("Tumbler Kasir", "Stainless tumbler 450ml", 120_000),
                        8,
                        3,
                        1,
                    ),
                    "8990000000042",
                ),
            ],
        ),
    ]
}

fn modifier_groups(mods: Mods) -> Vec<ModifierGroupDraft> {
    let group = |name: &str, min, max, options: &[(&str, i64)]| ModifierGroupDraft {
        id: None,
        name: name.into(),
        min_choices: min,
        max_choices: max,
        options: options
            .iter()
            .map(|(n, d)| ModifierOptionDraft {
                id: None,
                name: (*n).into(),
                price_delta: *d,
            })
            .collect(),
    };
    match mods {
        Mods::None => vec![],
        Mods::Coffee => vec![
            group("Ukuran / Size", 1, 1, &[("Regular", 0), ("Large", 5_000)]),
            group(
                "Tambahan / Extras",
                0,
                2,
                &[
                    ("Extra shot", 8_000),
                    ("Oat milk", 7_000),
                    ("Sirup vanila", 5_000),
                ],
            ),
            group(
                "Gula / Sugar",
                1,
                1,
                &[("Normal", 0), ("Less sugar", 0), ("No sugar", 0)],
            ),
        ],
        Mods::Tea => vec![
            group(
                "Es / Ice",
                1,
                1,
                &[("Normal ice", 0), ("Less ice", 0), ("Hangat / Warm", 0)],
            ),
            group(
                "Gula / Sugar",
                1,
                1,
                &[("Normal", 0), ("Less sugar", 0), ("No sugar", 0)],
            ),
        ],
        Mods::Spicy => vec![
            group(
                "Level pedas / Spice",
                1,
                1,
                &[
                    ("Tidak pedas", 0),
                    ("Sedang", 0),
                    ("Pedas", 0),
                    ("Extra pedas", 2_000),
                ],
            ),
            group(
                "Tambahan / Add-ons",
                0,
                3,
                &[
                    ("Telur ceplok", 5_000),
                    ("Kerupuk", 3_000),
                    ("Nasi tambah", 6_000),
                ],
            ),
        ],
    }
}

/// A simple generated picture: a warm background in the category's colour and a plate whose
/// shade depends on the product, so every tile looks distinct.
pub fn demo_picture(color: [u8; 3], seed: u32) -> Vec<u8> {
    let (w, h) = (320u32, 240u32);
    let hue_shift = (seed % 7) as i32 * 12 - 36;
    let shade = |c: u8, k: i32| (i32::from(c) + k).clamp(0, 255) as u8;
    let img = RgbImage::from_fn(w, h, |x, y| {
        let dx = x as i32 - (w / 2) as i32;
        let dy = y as i32 - (h / 2 + 10) as i32;
        let d2 = dx * dx + dy * dy * 2;
        let light = (y as i32 * 40 / h as i32) - 20;
        if d2 < 70 * 70 {
            // food in the middle
            Rgb([
                shade(color[0], 60 + hue_shift),
                shade(color[1], 40),
                shade(color[2], 20 - hue_shift),
            ])
        } else if d2 < 95 * 95 {
            Rgb([245, 242, 236]) // plate
        } else if d2 < 98 * 98 {
            Rgb([210, 205, 195]) // plate rim
        } else {
            Rgb([
                shade(color[0], light),
                shade(color[1], light),
                shade(color[2], light),
            ])
        }
    });
    let mut buf = Vec::new();
    img.write_to(&mut Cursor::new(&mut buf), ImageFormat::Png)
        .expect("encoding a PNG in memory cannot fail");
    buf
}

/// Logins of the demo staff after seeding.
pub struct DemoShop {
    pub admin: Actor,
}

/// Seeds the demo café into a new database, in one transaction: killed at any moment, the
/// database holds either the whole demo or nothing (and can be seeded again). Refused once
/// the shop is set up. The slow parts (hashing four PINs, drawing and encoding the pictures)
/// run before the writer's lock is taken.
pub fn seed_demo(kasir: &Kasir, with_pictures: bool) -> Result<DemoShop> {
    if !kasir.people().needs_setup()? {
        return Err(Error::AlreadySetUp);
    }
    let hashes = DEMO_STAFF
        .iter()
        .map(|(_, _, pin)| hash_pin(pin))
        .collect::<Result<Vec<_>>>()?;
    let menu = menu();
    let mut pictures: Vec<PreparedImage> = Vec::new();
    if with_pictures {
        let media = kasir.media_dir();
        let mut seed = 0u32;
        for (_, color, items) in &menu {
            for _ in items {
                seed += 1;
                match PreparedImage::write(&media, &demo_picture(*color, seed), kasir.now()) {
                    Ok(p) => pictures.push(p),
                    Err(e) => {
                        pictures.iter().for_each(PreparedImage::discard);
                        return Err(e);
                    }
                }
            }
        }
    }
    let seeded = kasir.transact(|tx, now| {
        let n: i64 = tx.query_row("SELECT COUNT(*) FROM staff", [], |r| r.get(0))?;
        if n > 0 {
            return Err(Error::AlreadySetUp);
        }
        let mut members = Vec::new();
        for ((name, role, _), hash) in DEMO_STAFF.iter().zip(&hashes) {
            let m = insert_staff(tx, now, name, *role, hash)?;
            members.push(m);
        }
        let admin = &members[0];
        let cx = Ctx::inside(
            tx,
            now,
            Member {
                id: admin.id,
                name: admin.name.clone(),
                role: admin.role,
            },
        )?;
        for m in &members {
            let first_run = m.id == admin.id;
            audit::record(
                &cx,
                "staff_created",
                serde_json::json!({"staff": m.id, "role": m.role, "first_run": first_run, "demo": true}),
            )?;
        }
        settings::update_in(&cx, &demo_settings().validate()?)?;
        let mut pictures = pictures.iter();
        let mut signature = None;
        let mut croissant = None;
        for (sort, (category, _, items)) in menu.into_iter().enumerate() {
            let cat = save_category_in(
                &cx,
                None,
                &CategoryDraft {
                    name: category.into(),
                    sort_order: sort as i64,
                    active: true,
                },
            )?;
            // Kitchen routing: drinks made at the bar, hot food in the kitchen; cakes and retail
            // are handed over at the counter (no ticket).
            let station = match category {
                "Kopi" | "Non-Kopi" => Some("bar"),
                "Makanan" | "Camilan" => Some("kitchen"),
                _ => None,
            };
            if let Some(station) = station {
                cx.execute(
                    "INSERT INTO category_stations (category_id, station) VALUES (?1, ?2)",
                    rusqlite::params![cat.id, station],
                )?;
            }
            for it in items {
                let p = create_product_in(
                    &cx,
                    &ProductDraft {
                        category_id: cat.id,
                        name: it.name.into(),
                        description: it.description.into(),
                        price: it.price,
                        track_stock: it.stock.is_some(),
                        initial_stock: it.stock.map_or(0, |s| s.0),
                        low_stock_warning: it.stock.map(|s| s.1),
                        low_stock_critical: it.stock.map(|s| s.2),
                        active: it.active,
                        barcode: it.barcode.map(Into::into),
                        featured: it.name == SIGNATURE,
                        tags: if it.name == SIGNATURE {
                            vec!["signature".into()]
                        } else {
                            Vec::new()
                        },
                    },
                )?;
                if it.name == SIGNATURE {
                    signature = Some(p.id);
                }
                if it.name == "Croissant" {
                    croissant = Some(p.id);
                }
                let groups = modifier_groups(it.mods);
                if !groups.is_empty() {
                    set_modifier_groups_in(&cx, p.id, &groups)?;
                }
                if let Some(picture) = pictures.next() {
                    picture.attach(&cx, p.id)?;
                }
            }
        }
        // Three regulars with some points, to find at the till.
        let today = now.to_zoned(settings::load(&cx)?.time_zone()?).date();
        crate::members::seed_demo_members(&cx, today)?;
        // A few coupons to try at the till.
        if let Some(signature) = signature {
            crate::offers::coupons::seed_demo(&cx, today, signature)?;
        }
        // And vouchers the regulars can buy with their points.
        if let Some(croissant) = croissant {
            crate::offers::vouchers::seed_demo(&cx, croissant)?;
        }
        Ok(Actor::signed_in(admin.id, admin.name.clone(), admin.role))
    });
    match seeded {
        Ok(admin) => Ok(DemoShop { admin }),
        Err(e) => {
            pictures.iter().for_each(PreparedImage::discard);
            Err(e)
        }
    }
}

fn demo_settings() -> Settings {
    Settings {
        shop_name: "Kopi Kasir".into(),
        shop_address: "Jl. Braga No. 12, Bandung".into(),
        currency: "IDR".into(),
        minor_unit: 0,
        locale: "id-ID".into(),
        time_zone: "Asia/Jakarta".into(),
        tax_rate_bp: 1000,
        service_rate_bp: 500,
        prices_include_tax: false,
        cash_rounding: 100,
        receipt_header: "Buka setiap hari 07.00-22.00".into(),
        receipt_footer: "Terima kasih! / Thank you!\nWiFi: kopikasir".into(),
        terminal_code: "T01".into(),
        tax_number: "01.234.567.8-901.000".into(),
        auto_lock_minutes: 5,
        require_open_shift: true,
    }
}

#[cfg(feature = "generators")]
pub mod history;

#[cfg(feature = "generators")]
pub mod members;

#[cfg(feature = "generators")]
const WORDS_A: [&str; 24] = [
    "Kopi", "Teh", "Nasi", "Mie", "Roti", "Es", "Jus", "Ayam", "Sate", "Soto", "Bakso", "Pisang",
    "Kue", "Susu", "Sambal", "Tahu", "Tempe", "Ikan", "Udang", "Sapi", "Bebek", "Keju", "Cokelat",
    "Matcha",
];
#[cfg(feature = "generators")]
const WORDS_B: [&str; 24] = [
    "Goreng", "Bakar", "Rebus", "Manis", "Pedas", "Gurih", "Spesial", "Kampung", "Madura",
    "Padang", "Bali", "Jawa", "Aren", "Pandan", "Kelapa", "Jahe", "Lada", "Kecap", "Telur",
    "Hijau", "Merah", "Hitam", "Putih", "Asam",
];
#[cfg(feature = "generators")]
const WORDS_C: [&str; 16] = [
    "Original", "Premium", "Jumbo", "Mini", "Classic", "Deluxe", "Double", "Reguler", "Komplit",
    "Hemat", "Keluarga", "Pagi", "Malam", "Dingin", "Panas", "Crispy",
];

/// The most products [`generate_products`] makes in one call.
#[cfg(feature = "generators")]
pub const MAX_GENERATED: usize = 2_000_000;

/// Adds `n` generated products in `categories` new categories, in one transaction, straight
/// into the tables (no outbox, no audit): a fixture for benchmarks and load tests. A tracked
/// product's stock comes with its `initial` stock movement, made by `by`, so the ledger holds.
#[cfg(feature = "generators")]
pub fn generate_products(
    kasir: &Kasir,
    by: &Actor,
    n: usize,
    categories: usize,
) -> Result<Vec<ProductId>> {
    if n > MAX_GENERATED || categories > 10_000 {
        return Err(Error::invalid(
            Field::Count,
            Rule::TooMany {
                max: MAX_GENERATED as u32,
            },
        ));
    }
    let categories = categories.max(1);
    kasir.transact(|tx, now| {
        let ts = crate::kernel::time::Stamp(now);
        let mut cat_ids = Vec::with_capacity(categories);
        for i in 0..categories {
            let id = CategoryId::new(now);
            tx.execute(
                "INSERT INTO categories (id, name, sort_order, active, updated_at) VALUES (?1, ?2, ?3, 1, ?4)",
                params![id, format!("Kategori {i:03}"), 1000 + i as i64, ts],
            )?;
            cat_ids.push(id);
        }
        let mut insert = tx.prepare(
            "INSERT INTO products (id, category_id, name, description, price, stock, active, barcode,
                                   popularity, updated_at, featured, low_stock_warning, low_stock_critical)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?10, ?7, ?8, ?9, ?11, ?12, ?13)",
        )?;
        let mut movement = tx.prepare(
            "INSERT INTO stock_movements (product_id, product_rid, delta, reason, staff_id, created_at)
             VALUES (?1, last_insert_rowid(), ?2, 'initial', ?3, ?4)",
        )?;
        let mut ids = Vec::with_capacity(n);
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..n {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let a = WORDS_A[(x % 24) as usize];
            let b = WORDS_B[((x >> 8) % 24) as usize];
            let c = WORDS_C[((x >> 16) % 16) as usize];
            let name = format!("{a} {b} {c} {}", i % 997);
            let id = ProductId::new(now);
            let price = 5_000 + ((x >> 24) % 200) as i64 * 500;
            let stock = (i % 4 == 0).then_some(((x >> 32) % 500) as i64);
            // One in twenty inactive, one in a hundred featured; tracked ones warn at 20 and
            // are critical at 5; each changed a second after the one before.
            let changed = now
                .checked_sub(jiff::SignedDuration::from_secs((n - i) as i64))
                .unwrap_or(now);
            insert.execute(params![
                id, cat_ids[i % categories], name, format!("{b} {c} nomor {i}"), price, stock,
                format!("GEN{i:09}"), ((x >> 40) % 10_000) as i64,
                crate::kernel::time::Stamp(changed), i % 20 != 19, i % 100 == 7,
                stock.map(|_| 20), stock.map(|_| 5)
            ])?;
            if let Some(stock) = stock.filter(|s| *s > 0) {
                movement.execute(params![id, stock, by.id(), ts])?;
            }
            ids.push(id);
        }
        Ok(ids)
    })
}
