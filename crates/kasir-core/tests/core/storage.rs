use std::sync::Arc;

use kasir_core::{Error, FixedClock, Kasir, db};

use crate::helpers::{shop, start_time};

#[test]
fn data_survives_reopening_and_readers_see_committed_sales() {
    let s = shop();
    let p = s.product("Teh", 8_000, Some(10));
    let reader = db::open_reader(&s.kasir.db_path()).unwrap();
    let o = s.sell(&[(&p, 2)]);
    // the handle's readers (opened before the sale) see it once committed
    assert_eq!(s.kasir.sales().order(&s.cashier, o.id).unwrap(), o);
    assert!(
        reader.execute("DELETE FROM tickets", []).is_err(),
        "readers cannot write"
    );
    let dir = s.dir;
    drop(s.kasir);
    let again = Kasir::open(dir.path(), Arc::new(FixedClock::new(start_time()))).unwrap();
    db::integrity_check(&again.connection()).unwrap();
    assert_eq!(again.sales().order(&s.cashier, o.id).unwrap(), o);
}

#[test]
fn a_damaged_file_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(kasir_core::DB_FILE);
    let junk: Vec<u8> = (0..65_536u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, &junk).unwrap();
    let r = Kasir::open(dir.path(), Arc::new(FixedClock::new(start_time())));
    assert!(matches!(r, Err(Error::DatabaseCorrupt(_))), "{:?}", r.err());
    assert_eq!(std::fs::read(&path).unwrap(), junk);
}

#[test]
fn a_database_with_damaged_pages_fails_the_integrity_check() {
    let s = shop();
    let dir = s.dir;
    drop(s.kasir);
    let path = dir.path().join(kasir_core::DB_FILE);
    let mut bytes = std::fs::read(&path).unwrap();
    let page = 4096;
    assert!(bytes.len() > 3 * page);
    for b in &mut bytes[2 * page + 100..3 * page] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    match Kasir::open(dir.path(), Arc::new(FixedClock::new(start_time()))) {
        Err(Error::DatabaseCorrupt(_)) => {}
        Err(e) => panic!("unexpected error {e:?}"),
        Ok(k) => assert!(matches!(
            db::integrity_check(&k.connection()),
            Err(Error::DatabaseCorrupt(_))
        )),
    }
}

/// Opening a file that is refused changes nothing: a foreign SQLite database is not switched
/// to WAL, and no `media/` folder appears beside it.
#[test]
fn a_foreign_database_is_refused_and_left_exactly_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(kasir_core::DB_FILE);
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('mine');")
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    let r = Kasir::open(dir.path(), Arc::new(FixedClock::new(start_time())));
    assert!(matches!(r, Err(Error::DatabaseCorrupt(_))), "{:?}", r.err());
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file is unchanged"
    );
    let mode: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete", "not switched to WAL");
    assert!(!dir.path().join("media").exists(), "no media folder made");
}

/// A database written by a newer Kasir is refused before anything is written to it.
#[test]
fn a_newer_database_is_refused_and_left_as_it_was() {
    let s = shop();
    let dir = s.dir;
    drop(s.kasir);
    let path = dir.path().join(kasir_core::DB_FILE);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (999, 'future', '2030-01-01T00:00:00Z', '0')",
            [],
        )
        .unwrap();
        conn.execute_batch("PRAGMA journal_mode = DELETE").unwrap();
    }
    std::fs::remove_dir_all(dir.path().join("media")).unwrap();
    let before = std::fs::read(&path).unwrap();
    let r = Kasir::open(dir.path(), Arc::new(FixedClock::new(start_time())));
    assert!(
        matches!(r, Err(Error::DatabaseTooNew { found: 999, .. })),
        "{:?}",
        r.err()
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(!dir.path().join("media").exists());
}

/// A first start makes the data directory itself, however deep.
#[test]
fn a_first_start_makes_its_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("a/b/kasir");
    let k = Kasir::open(&data, Arc::new(FixedClock::new(start_time()))).unwrap();
    assert!(k.people().needs_setup().unwrap());
    assert!(data.join("media").is_dir());
}

/// A settings row changed behind Kasir's back to an unknown time zone is an error, never a
/// silent UTC business date.
#[test]
fn an_unknown_time_zone_in_the_database_is_an_error() {
    let s = shop();
    let p = s.product("Teh", 8_000, None);
    s.kasir
        .connection()
        .execute("UPDATE settings SET time_zone = 'Mars/Olympus'", [])
        .unwrap();
    let t = s
        .kasir
        .sales()
        .open_ticket(
            &s.cashier,
            kasir_core::sales::tickets::OrderType::Takeaway,
            "",
        )
        .unwrap();
    s.kasir
        .sales()
        .add_to_ticket(
            &s.cashier,
            t.id,
            kasir_core::sales::tickets::AddLine {
                product_id: p.id,
                modifier_ids: vec![],
                note: String::new(),
                quantity: 1,
            },
        )
        .unwrap();
    let r = s
        .kasir
        .sales()
        .checkout(&s.cashier, t.id, &[crate::helpers::cash(9_300)]);
    assert!(matches!(r, Err(Error::DatabaseCorrupt(_))), "{r:?}");
    assert!(matches!(
        s.kasir.settings().today(),
        Err(Error::DatabaseCorrupt(_))
    ));
}

/// A ticket's discount that cannot be read is an error, never "no discount".
#[test]
fn an_unreadable_ticket_discount_is_an_error() {
    let s = shop();
    let t = s
        .kasir
        .sales()
        .open_ticket(
            &s.cashier,
            kasir_core::sales::tickets::OrderType::Takeaway,
            "",
        )
        .unwrap();
    for (kind, value) in [
        ("percent", None),
        ("percent", Some(20_000)),
        ("amount", Some(-5)),
    ] {
        s.kasir
            .connection()
            .execute(
                "UPDATE tickets SET discount_kind = ?2, discount_value = ?3 WHERE id = ?1",
                rusqlite::params![t.id, kind, value],
            )
            .unwrap();
        let r = s.kasir.sales().ticket(&s.cashier, t.id);
        assert!(
            matches!(r, Err(Error::DatabaseCorrupt(_))),
            "{kind} {value:?}: {r:?}"
        );
    }
}

/// Upgrading to V4 keeps every stock movement and gives each the row id of its product, so a
/// product's ledger found through the new index still adds up to its stock.
#[test]
fn the_stock_ledger_survives_the_upgrade_to_its_smaller_index() {
    let dir = tempfile::tempdir().unwrap();
    let conn = db::open_writer_up_to(&dir.path().join(kasir_core::DB_FILE), 3).unwrap();
    conn.execute_batch(
        "INSERT INTO categories (id, name, sort_order, active, updated_at)
         VALUES ('0190f1c2-0000-7000-8000-0000000000c1', 'Kue', 0, 1, '2026-11-21T03:00:05.000000000Z');
         INSERT INTO products (id, category_id, name, description, price, stock, active, popularity, updated_at)
         VALUES ('0190f1c2-0000-7000-8000-0000000000a1', '0190f1c2-0000-7000-8000-0000000000c1', 'Klepon', '', 4000, 7, 1, 0, '2026-11-21T03:00:05.000000000Z'),
                ('0190f1c2-0000-7000-8000-0000000000a2', '0190f1c2-0000-7000-8000-0000000000c1', 'Lapis', '', 5000, 3, 1, 0, '2026-11-21T03:00:05.000000000Z');
         INSERT INTO stock_movements (product_id, delta, reason, staff_id, created_at) VALUES
            ('0190f1c2-0000-7000-8000-0000000000a1', 10, 'initial', 'x', '2026-11-21T03:00:05.000000000Z'),
            ('0190f1c2-0000-7000-8000-0000000000a2', 3, 'initial', 'x', '2026-11-21T03:00:05.000000000Z'),
            ('0190f1c2-0000-7000-8000-0000000000a1', -3, 'waste', 'x', '2026-11-21T03:00:06.000000000Z');",
    )
    .unwrap();
    drop(conn);
    let k = Kasir::open(dir.path(), Arc::new(FixedClock::new(start_time()))).unwrap();
    let conn = k.connection();
    let unlinked: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM stock_movements WHERE product_rid IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unlinked, 0);
    let ledger: Vec<(String, i64, i64)> = conn
        .prepare(
            "SELECT p.name, p.stock, (SELECT SUM(m.delta) FROM stock_movements m INDEXED BY stock_movements_by_product
                                      WHERE m.product_rid = p.rid)
             FROM products p ORDER BY p.name",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        ledger,
        [("Klepon".to_string(), 7, 7), ("Lapis".to_string(), 3, 3)]
    );
    assert!(
        conn.execute("UPDATE stock_movements SET delta = 1", [])
            .is_err(),
        "movements are still facts"
    );
}
