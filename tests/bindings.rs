//! `ui/src/bindings.ts` is generated from the commands and committed. This test fails when the
//! committed file is stale; `UPDATE_BINDINGS=1 cargo test --test bindings` rewrites it.

use std::path::Path;

#[test]
fn bindings_are_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/bindings.ts");
    let tmp = tempfile::tempdir().unwrap();
    let fresh_path = tmp.path().join("bindings.ts");
    kasir_app::specta_builder::<tauri::Wry>()
        .export(kasir_app::typescript_bindings(), &fresh_path)
        .expect("export bindings");
    let fresh = std::fs::read_to_string(&fresh_path).unwrap();
    assert!(
        fresh.contains("export const commands"),
        "bindings hold the commands"
    );
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != fresh {
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).unwrap();
        } else {
            panic!(
                "ui/src/bindings.ts is stale: run `UPDATE_BINDINGS=1 cargo test --test bindings` and commit it"
            );
        }
    }
}
