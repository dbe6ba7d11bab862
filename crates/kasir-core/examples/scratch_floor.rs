use kasir_core::catalog::{ProductQuery, ProductSort};
use kasir_core::{Kasir, SystemClock};
use std::sync::Arc;
use std::time::Instant;
fn main() {
    let dir = tempfile::tempdir_in("/work/main/target").unwrap();
    std::process::Command::new("cp")
        .arg("-r")
        .arg("/work/main/target/bench-data/catalog-100000/.")
        .arg(dir.path())
        .status()
        .unwrap();
    let k = Kasir::open(dir.path(), Arc::new(SystemClock)).unwrap();
    let r = k.open_reader().unwrap();
    let id = r.active_staff().unwrap()[0].id;
    drop(k);
    let mut k = Kasir::open(dir.path(), Arc::new(SystemClock)).unwrap();
    let a = k.login(id, "1111").unwrap();
    for sort in [
        ProductSort::Name,
        ProductSort::Name,
        ProductSort::Popularity,
    ] {
        let t = Instant::now();
        let v = r
            .list_products(
                &a,
                &ProductQuery {
                    category: None,
                    sort,
                    offset: 0,
                    limit: 48,
                    include_inactive: false,
                },
            )
            .unwrap();
        println!(
            "{sort:?}: {} rows in {:.2} ms",
            v.len(),
            t.elapsed().as_secs_f64() * 1e3
        );
    }
}
