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

/// The UI formats money with the `MoneyFormat` the core hands it. This table, written by the
/// core, is what the UI's formatter must reproduce (`ui/tests/money.test.ts` reads it), so the
/// two can never disagree; `UPDATE_BINDINGS=1` rewrites it with the bindings.
#[test]
fn money_cases_for_the_ui_are_up_to_date() {
    use kasir_core::Money;
    use kasir_core::money::MoneyFormat;
    use kasir_core::money::currency::CURRENCIES;
    let amounts = [
        0,
        5,
        999,
        1_000,
        28_900,
        1_234_567,
        -5_000,
        1_000_000_000_000_000,
    ];
    let mut cases = Vec::new();
    for c in CURRENCIES {
        for locale in [c.locale, "en-US", "id-ID"] {
            let format = MoneyFormat::new(c.code, locale, c.minor_unit);
            for amount in amounts {
                cases.push(serde_json::json!({
                    "currency": c.code, "locale": locale, "format": format,
                    "amount": amount, "text": format.format(Money(amount)),
                }));
            }
        }
    }
    let fresh = serde_json::to_string_pretty(&cases).unwrap() + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/tests/money-cases.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != fresh {
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).unwrap();
        } else {
            panic!(
                "ui/tests/money-cases.json is stale: run `UPDATE_BINDINGS=1 cargo test --test bindings` and commit it"
            );
        }
    }
}
