//! Members for benchmarks and load tests (feature `generators`): many regulars in one
//! transaction, straight into the table (no outbox), numbered as the till numbers them, with
//! Indonesian names, unique phones, points, and a last visit for most.

use jiff::SignedDuration;
use rusqlite::params;

use crate::kernel::ids::new_uuid;
use crate::kernel::time::Stamp;
use crate::{Actor, Error, Field, Kasir, Result, Rule};

const FIRST: [&str; 40] = [
    "Dewi", "Budi", "Sari", "Agus", "Rina", "Andi", "Putri", "Eko", "Wulan", "Joko", "Ayu",
    "Rizky", "Indah", "Fajar", "Lestari", "Hendra", "Maya", "Bayu", "Nur", "Dimas", "Sinta",
    "Yusuf", "Fitri", "Arief", "Kartika", "Teguh", "Ratna", "Ilham", "Desi", "Bambang", "Nadia",
    "Rudi", "Citra", "Galih", "Intan", "Hadi", "Laras", "Wahyu", "Mega", "Anton",
];
const LAST: [&str; 30] = [
    "Lestari",
    "Santoso",
    "Wijaya",
    "Pratama",
    "Saputra",
    "Hidayat",
    "Kusuma",
    "Nugroho",
    "Siregar",
    "Hasibuan",
    "Setiawan",
    "Gunawan",
    "Permana",
    "Halim",
    "Utami",
    "Rahayu",
    "Purnomo",
    "Wibowo",
    "Susanto",
    "Syahputra",
    "Harahap",
    "Simanjuntak",
    "Tanjung",
    "Putra",
    "Maharani",
    "Anggraini",
    "Firmansyah",
    "Ramadhan",
    "Kurniawan",
    "Sembiring",
];

/// The most members one call makes.
pub const MAX_MEMBERS: u32 = 1_000_000;

/// Adds `n` members numbered after the till's last one, added by `by`. Returns the phone of
/// the first, so a benchmark can type it.
pub fn generate_members(kasir: &Kasir, by: &Actor, n: u32) -> Result<String> {
    if n == 0 || n > MAX_MEMBERS {
        return Err(Error::invalid(
            Field::Count,
            Rule::OutOfRange {
                min: 1,
                max: i64::from(MAX_MEMBERS),
            },
        ));
    }
    kasir.transact(|tx, now| {
        let terminal = crate::settings::load(tx)?.terminal_code;
        let key = format!("{terminal}-M");
        let last: i64 = tx
            .query_row("SELECT COALESCE((SELECT last FROM receipt_counters WHERE terminal = ?1), 0)", [&key], |r| r.get(0))?;
        let mut insert = tx.prepare(
            "INSERT INTO members (id, number, number_seq, name, phone, email, referral_code, tier, points,
                 visits, spent, last_visit, created_by, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)",
        )?;
        let mut rng: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let mut first_phone = String::new();
        for i in 0..i64::from(n) {
            let seq = last + i + 1;
            let r = next();
            let name = format!("{} {}", FIRST[(r % 40) as usize], LAST[((r >> 8) % 30) as usize]);
            let phone = format!("08{:010}", 1_200_000_000 + seq * 7 + (r % 7) as i64);
            if i == 0 {
                first_phone = phone.clone();
            }
            let points = ((r >> 16) % 3000) as i64;
            let tier = match points {
                p if p >= 2000 => "gold",
                p if p >= 500 => "silver",
                _ => "bronze",
            };
            let visited = (r >> 24) % 5 != 0;
            let last_visit = visited.then(|| Stamp(now - SignedDuration::from_mins(((r >> 32) % 500_000) as i64)));
            let email = ((r >> 40) % 3 == 0).then(|| format!("member{seq}@example.com"));
            insert.execute(params![
                new_uuid(now).to_string(),
                format!("MEM-{terminal}-{seq:06}"),
                seq,
                name,
                phone,
                email,
                format!("M{seq:07}"),
                tier,
                points,
                ((r >> 48) % 60) as i64,
                ((r >> 48) % 60) as i64 * 45_000,
                last_visit,
                by.id().to_string(),
                Stamp(now)
            ])?;
        }
        tx.execute(
            "INSERT INTO receipt_counters (terminal, last) VALUES (?1, ?2)
             ON CONFLICT (terminal) DO UPDATE SET last = excluded.last",
            params![key, last + i64::from(n)],
        )?;
        Ok(first_phone)
    })
}
