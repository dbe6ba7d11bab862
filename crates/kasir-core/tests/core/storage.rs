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
