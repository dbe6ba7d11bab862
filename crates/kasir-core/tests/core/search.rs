//! Search as the cashier types: by word prefix across name, description and category, the
//! best matches first however many products match, and never a piece of query syntax.

use kasir_core::Error;
use kasir_core::Field;
use kasir_core::catalog::CategoryDraft;

use crate::helpers::{count, draft, shop};

#[test]
fn search_finds_by_prefix_across_name_description_and_category() {
    let s = shop();
    let a = s.admin.clone();
    let snacks = s
        .kasir
        .catalog()
        .create_category(
            &a,
            CategoryDraft {
                name: "Camilan".into(),
                sort_order: 1,
                active: true,
            },
        )
        .unwrap();
    s.kasir
        .catalog()
        .create_product(&a, draft(s.category, "Kopi Susu Gula Aren", 25_000))
        .unwrap();
    s.kasir
        .catalog()
        .create_product(&a, draft(s.category, "Es Kopi", 24_000))
        .unwrap();
    let mut pisang = draft(snacks.id, "Pisang Goreng", 15_000);
    pisang.description = "Fried banana".into();
    s.kasir.catalog().create_product(&a, pisang).unwrap();
    s.kasir
        .catalog()
        .create_product(&a, draft(snacks.id, "Crème brûlée", 30_000))
        .unwrap();

    let names = |k: &kasir_core::Kasir, q: &str| {
        k.catalog()
            .search_products(&s.cashier, q, 20, false)
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&s.kasir, "kop"),
        ["Kopi Susu Gula Aren", "Es Kopi"],
        "name prefix first"
    );
    assert_eq!(names(&s.kasir, "banana"), ["Pisang Goreng"], "description");
    let mut by_category = names(&s.kasir, "camil");
    by_category.sort();
    assert_eq!(by_category, ["Crème brûlée", "Pisang Goreng"], "category");
    assert_eq!(
        names(&s.kasir, "creme"),
        ["Crème brûlée"],
        "diacritics folded"
    );
    assert_eq!(
        names(&s.kasir, "gula kop"),
        ["Kopi Susu Gula Aren"],
        "all words must match"
    );
    // renaming the category re-indexes its products
    s.kasir
        .catalog()
        .update_category(
            &a,
            snacks.id,
            CategoryDraft {
                name: "Jajanan".into(),
                sort_order: 1,
                active: true,
            },
        )
        .unwrap();
    assert_eq!(names(&s.kasir, "jajan").len(), 2);
    assert!(names(&s.kasir, "camil").is_empty());
}

#[test]
fn search_syntax_is_plain_text() {
    let s = shop();
    let a = s.admin.clone();
    s.kasir
        .catalog()
        .create_product(&a, draft(s.category, "Kopi Susu", 25_000))
        .unwrap();
    for q in [
        "\"kopi",
        "kopi*",
        "kopi NEAR susu",
        "-kopi",
        "(kopi",
        "kopi)",
        "kopi AND",
        "OR",
        "name:kopi",
        "^kopi",
        "\"\"\"",
        "*",
        "NEAR(",
        "'; DROP TABLE products; --",
    ] {
        let r = s.kasir.catalog().search_products(&s.cashier, q, 20, false);
        assert!(r.is_ok(), "{q:?} gave {r:?}");
    }
    assert_eq!(
        s.kasir
            .catalog()
            .search_products(&s.cashier, "(kopi)", 20, false)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        s.kasir
            .catalog()
            .search_products(&s.cashier, "\"kopi\" -susu", 20, false)
            .unwrap()
            .len(),
        1,
        "minus is not NOT"
    );
    assert!(
        s.kasir
            .catalog()
            .search_products(&s.cashier, "", 20, false)
            .unwrap()
            .is_empty()
    );
    let long = "k".repeat(1 << 20);
    assert!(matches!(
        s.kasir
            .catalog()
            .search_products(&s.cashier, &long, 20, false),
        Err(Error::Invalid {
            field: Field::Query,
            ..
        })
    ));
    assert!(matches!(
        s.kasir
            .catalog()
            .search_products(&s.cashier, "kopi", 0, false),
        Err(Error::Invalid {
            field: Field::Limit,
            ..
        })
    ));
}

/// The best matches come first however many products match: a product whose name starts
/// with the word is found first among thousands that merely contain it, in a 100,000-product
/// catalog where it was added last (the old search ranked only the first 200 hits the index
/// gave, in rowid order, and dropped it).
#[test]
fn search_puts_whole_words_and_name_starts_first_in_a_big_catalog() {
    let s = shop();
    let a = s.admin.clone();
    kasir_core::demo::generate_products(&s.kasir, &a, 100_000, 20).unwrap();
    for name in ["Pandanus Cake", "Pandan Wangi Latte"] {
        s.kasir
            .catalog()
            .create_product(&a, draft(s.category, name, 30_000))
            .unwrap();
    }
    // The generator keeps the stock ledger true: every count is the sum of its movements.
    assert_eq!(
        count(&s.kasir, "SELECT COALESCE(SUM(stock), 0) FROM products"),
        count(
            &s.kasir,
            "SELECT COALESCE(SUM(delta), 0) FROM stock_movements"
        )
    );
    assert!(matches!(
        kasir_core::demo::generate_products(&s.kasir, &a, usize::MAX, 1),
        Err(Error::Invalid {
            field: Field::Count,
            ..
        })
    ));
    let containing = count(
        &s.kasir,
        "SELECT COUNT(*) FROM products WHERE name LIKE '% Pandan %'",
    );
    assert!(
        containing > 3_000,
        "thousands of other matches: {containing}"
    );
    let found = s
        .kasir
        .catalog()
        .search_products(&s.cashier, "pandan", 20, false)
        .unwrap();
    assert_eq!(found.len(), 20);
    assert_eq!(
        found[0].name, "Pandan Wangi Latte",
        "the name starts with the word"
    );
    assert!(
        found[1..]
            .iter()
            .all(|p| p.name.split(' ').any(|w| w == "Pandan")),
        "then names holding the whole word, before a prefix-only match: {:?}",
        found.iter().map(|p| &p.name).collect::<Vec<_>>()
    );
    let prefix_only = s
        .kasir
        .catalog()
        .search_products(&s.cashier, "pandanu", 20, false)
        .unwrap();
    assert_eq!(prefix_only[0].name, "Pandanus Cake");
}

/// A name's first word is found however the name starts: after leading punctuation, and
/// split at `&`, `+` or an apostrophe as well as spaces.
#[test]
fn search_finds_first_words_after_punctuation() {
    let s = shop();
    let a = s.admin.clone();
    for name in ["(Baru) Kopi Tubruk", "Roti Baru", "Kopi&Susu", "Susu Murni"] {
        s.kasir
            .catalog()
            .create_product(&a, draft(s.category, name, 10_000))
            .unwrap();
    }
    let names = |q: &str| -> Vec<String> {
        s.kasir
            .catalog()
            .search_products(&s.cashier, q, 20, false)
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect()
    };
    assert_eq!(names("baru"), ["(Baru) Kopi Tubruk", "Roti Baru"]);
    assert_eq!(names("susu"), ["Susu Murni", "Kopi&Susu"]);
}
