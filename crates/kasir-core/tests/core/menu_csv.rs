//! The menu as CSV: export, preview, import; a round trip changes nothing, bad rows are listed
//! by line and left out, a bad file changes nothing.

use kasir_core::catalog::{
    ModifierGroupDraft, ModifierOptionDraft, ProductDraft, ProductTableQuery,
};
use kasir_core::{Error, Expected, Field, Rule};

use crate::helpers::{Check, Shop, count, draft, fingerprint, refused, shop};

fn no_progress(_: u32, _: u32) {}

/// A small menu with the awkward cases: a formula-like name, a counted product, modifiers
/// with a negative option, tags, a barcode.
fn menu(s: &Shop) {
    let a = s.admin.clone();
    let c = s.kasir.catalog();
    c.save_product(
        &a,
        None,
        ProductDraft {
            barcode: Some("899001".into()),
            tags: vec!["signature".into(), "dingin".into()],
            featured: true,
            ..draft(s.category, "Kopi Susu; Gula \"Aren\"", 25_000)
        },
        Some(vec![ModifierGroupDraft {
            id: None,
            name: "Ukuran".into(),
            min_choices: 1,
            max_choices: 1,
            options: vec![
                ModifierOptionDraft {
                    id: None,
                    name: "Regular".into(),
                    price_delta: 0,
                },
                ModifierOptionDraft {
                    id: None,
                    name: "Kecil, tanpa es".into(),
                    price_delta: -2_000,
                },
            ],
        }]),
    )
    .unwrap();
    c.create_product(
        &a,
        ProductDraft {
            track_stock: true,
            initial_stock: 12,
            low_stock_warning: Some(5),
            low_stock_critical: Some(2),
            description: "=cmd|' /C calc'!A0".into(),
            ..draft(s.category, "=1+1 Croissant", 22_000)
        },
    )
    .unwrap();
    c.create_product(
        &a,
        ProductDraft {
            active: false,
            ..draft(s.category, "Teh Tarik", 18_000)
        },
    )
    .unwrap();
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn exporting_and_importing_the_same_file_changes_nothing() {
    let s = shop();
    menu(&s);
    let m = s.manager.clone();
    let file = s.kasir.catalog().export_csv(&m).unwrap();
    assert!(
        file.starts_with(b"\xEF\xBB\xBF"),
        "a BOM, so spreadsheets read UTF-8"
    );
    let body = text(&file[3..]);
    let header = body.lines().next().unwrap();
    assert!(
        header.starts_with("id;category;name;"),
        "Indonesian shop: `;` ({header})"
    );
    // No cell starts a formula; the escaped ones come back whole.
    for line in body.lines() {
        for cell in line.split(';') {
            let cell = cell.trim_start_matches('"');
            assert!(!cell.starts_with(['=', '+', '@']), "{line}");
        }
    }
    assert!(body.contains("'=1+1 Croissant"));
    let before = fingerprint(&s.kasir);
    let preview = s.kasir.catalog().preview_import(&m, &file).unwrap();
    assert_eq!(
        (
            preview.rows,
            preview.created,
            preview.updated,
            preview.unchanged
        ),
        (3, 0, 0, 3)
    );
    assert!(preview.problems.is_empty(), "{:?}", preview.problems);
    let report = s
        .kasir
        .catalog()
        .import_csv(&m, &file, &no_progress)
        .unwrap();
    assert_eq!(
        (report.created, report.updated, report.unchanged),
        (0, 0, 3)
    );
    assert_eq!(
        before,
        fingerprint(&s.kasir),
        "a round trip changed the database"
    );
    // The same file as an English spreadsheet would save it (`,`) reads alike.
    let comma = text(&file[3..]).replace(';', "\u{1}");
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let mut r = csv::ReaderBuilder::new()
        .delimiter(1)
        .has_headers(false)
        .from_reader(comma.as_bytes());
    for rec in r.records() {
        let rec = rec.unwrap();
        let fields: Vec<String> = rec.iter().map(|f| f.replace('\u{1}', ";")).collect();
        w.write_record(&fields).unwrap();
    }
    let english = w.into_inner().unwrap();
    let report = s
        .kasir
        .catalog()
        .import_csv(&m, &english, &no_progress)
        .unwrap();
    assert_eq!(report.unchanged, 3, "{report:?}");
    assert_eq!(before, fingerprint(&s.kasir));
}

#[test]
fn an_import_creates_updates_counts_and_makes_categories() {
    let s = shop();
    menu(&s);
    let m = s.manager.clone();
    let file = text(&s.kasir.catalog().export_csv(&m).unwrap()[3..]);
    // Change the counted product's price (and its stock cell, which an import leaves to
    // stock counts), add a product in a new category by
    // barcode only, with modifiers.
    let mut lines: Vec<String> = file.lines().map(str::to_string).collect();
    let i = lines.iter().position(|l| l.contains("Croissant")).unwrap();
    lines[i] = lines[i]
        .replace(";22000;", ";23000;")
        .replace(";yes;12;5;2;", ";yes;9;5;2;");
    lines.push(
        ";Roti;Roti Bakar;;15000;899777;yes;no;yes;20;;;baru;Selai[1-1]: Cokelat=0, Keju=3000"
            .into(),
    );
    let edited = lines.join("\n");
    let preview = s
        .kasir
        .catalog()
        .preview_import(&m, edited.as_bytes())
        .unwrap();
    assert_eq!(
        (preview.created, preview.updated, preview.unchanged),
        (1, 1, 2)
    );
    assert_eq!(preview.new_categories, ["Roti"]);
    let seen = std::sync::Mutex::new(Vec::new());
    let report = s
        .kasir
        .catalog()
        .import_csv(&m, edited.as_bytes(), &|done, total| {
            seen.lock().unwrap().push((done, total))
        })
        .unwrap();
    assert_eq!(
        (report.created, report.updated, report.unchanged),
        (1, 1, 2)
    );
    assert_eq!(seen.lock().unwrap().last(), Some(&(4, 4)));
    let find = |text: &str| {
        let id = s
            .kasir
            .catalog()
            .product_table(
                &m,
                &ProductTableQuery {
                    text: text.into(),
                    limit: 5,
                    ..Default::default()
                },
            )
            .unwrap()
            .rows[0]
            .id;
        s.kasir.catalog().product(&m, id).unwrap()
    };
    let croissant = find("croissant");
    assert_eq!((croissant.price.0, croissant.stock), (23_000, Some(12)));
    assert_eq!(
        count(
            &s.kasir,
            "SELECT COUNT(*) FROM stock_movements WHERE reason = 'counted'"
        ),
        0,
        "an import never recounts a product's stock (sales since the export would be lost)"
    );
    let roti = find("899777");
    assert_eq!(roti.category_name, "Roti");
    assert_eq!(roti.stock, Some(20));
    assert_eq!(roti.tags, ["baru"]);
    assert_eq!(roti.modifier_groups[0].options[1].price_delta.0, 3_000);
    assert_eq!(
        count(
            &s.kasir,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'menu_imported'"
        ),
        1
    );
    // Exported again, the file imports as unchanged, modifier ids and all.
    let again = s.kasir.catalog().export_csv(&m).unwrap();
    let before = fingerprint(&s.kasir);
    let report = s
        .kasir
        .catalog()
        .import_csv(&m, &again, &no_progress)
        .unwrap();
    assert_eq!(report.unchanged, 4);
    assert_eq!(before, fingerprint(&s.kasir));
}

#[test]
fn a_preview_lists_every_bad_row_by_line_and_changes_nothing() {
    let s = shop();
    let m = s.manager.clone();
    let file = "category,name,price,stock,active,modifiers,barcode\n\
                Kopi,Es Kopi,20000,,yes,,\n\
                Kopi,Negative,-5,,yes,,\n\
                Kopi,,1000,,yes,,\n\
                Kopi,Grouped,25.000,,yes,,\n\
                Kopi,Odd flag,1000,,maybe,,\n\
                Kopi,Bad groups,1000,,yes,Size[2-1]: A=0,\n\
                Kopi,Bad modifiers,1000,,yes,Size,\n\
                Kopi,Huge stock,1000,99999999999,yes,,\n\
                Kopi,Code,1000,,yes,,111\n\
                Kopi,Code again,1000,,yes,,111\n";
    let before = fingerprint(&s.kasir);
    let report = s
        .kasir
        .catalog()
        .preview_import(&m, file.as_bytes())
        .unwrap();
    let got: Vec<(u32, Field)> = report.problems.iter().map(|p| (p.line, p.field)).collect();
    assert_eq!(
        got,
        [
            (3, Field::Price),
            (4, Field::Name),
            (5, Field::Price),
            (6, Field::Active),
            (7, Field::MaxChoices),
            (8, Field::Modifiers),
            (9, Field::InitialStock),
            (11, Field::Barcode),
        ],
        "{:?}",
        report.problems
    );
    assert_eq!(
        report.problems[0].rule,
        Rule::Unreadable {
            expected: Expected::Amount
        }
    );
    assert_eq!(
        (report.rows, report.created, report.problem_rows),
        (10, 2, 8)
    );
    assert_eq!(before, fingerprint(&s.kasir), "a preview writes nothing");
    // Applying writes the good rows only.
    let report = s
        .kasir
        .catalog()
        .import_csv(&m, file.as_bytes(), &no_progress)
        .unwrap();
    assert_eq!((report.created, report.problem_rows), (2, 8));
}

#[test]
fn a_bad_file_is_refused_whole() {
    let s = shop();
    let m = s.manager.clone();
    let cases: Vec<(&str, Vec<u8>, Check)> = vec![
        (
            "empty",
            vec![],
            Box::new(|e| {
                matches!(
                    e,
                    Error::Invalid {
                        rule: Rule::FileEmpty,
                        ..
                    }
                )
            }),
        ),
        (
            "wrong columns",
            b"nama,harga\nKopi,1000\n".to_vec(),
            Box::new(|e| {
                matches!(e, Error::Invalid { field: Field::File, rule: Rule::CsvColumns { missing, unknown } }
                    if missing.len() == 3 && unknown == &["nama", "harga"])
            }),
        ),
        (
            "broken quoting",
            b"category,name,price\nKopi,\"Es Kopi,1000\nKopi,Teh,2000\n".to_vec(),
            Box::new(|e| {
                matches!(
                    e,
                    Error::Invalid {
                        rule: Rule::CsvSyntax { .. },
                        ..
                    }
                )
            }),
        ),
        (
            "a row of another width",
            b"category,name,price\nKopi,Es Kopi,1000,extra\n".to_vec(),
            Box::new(|e| {
                matches!(
                    e,
                    Error::Invalid {
                        rule: Rule::CsvSyntax { line: 2 },
                        ..
                    }
                )
            }),
        ),
        (
            "not text",
            vec![0xff, 0xfe, 0x00, 0x01, 0x80, 0x81],
            Box::new(|e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::File,
                        ..
                    }
                )
            }),
        ),
        (
            "too large",
            vec![b'a'; kasir_core::catalog::MAX_CSV_BYTES + 1],
            Box::new(|e| {
                matches!(
                    e,
                    Error::Invalid {
                        rule: Rule::FileTooLarge { .. },
                        ..
                    }
                )
            }),
        ),
    ];
    for (what, bytes, check) in cases {
        println!("case: {what}");
        refused(
            &s.kasir,
            |k| k.catalog().import_csv(&m, &bytes, &no_progress),
            |e| check(e),
        );
        refused(
            &s.kasir,
            |k| k.catalog().preview_import(&m, &bytes),
            |e| check(e),
        );
    }
    refused(
        &s.kasir,
        |k| k.catalog().export_csv(&s.cashier),
        |e| matches!(e, Error::Forbidden { .. }),
    );
    refused(
        &s.kasir,
        |k| {
            k.catalog()
                .import_csv(&s.cashier, b"category,name,price\nKopi,A,1\n", &no_progress)
        },
        |e| matches!(e, Error::Forbidden { .. }),
    );
}

#[test]
fn a_byte_order_mark_and_a_semicolon_file_import() {
    let s = shop();
    let m = s.manager.clone();
    let file = "\u{feff}category;name;price;stock\nKopi;Es Kopi;20000;5\nKue;Bolu;15000;\n";
    let report = s
        .kasir
        .catalog()
        .import_csv(&m, file.as_bytes(), &no_progress)
        .unwrap();
    assert_eq!(
        (report.created, report.problem_rows),
        (2, 0),
        "{:?}",
        report.problems
    );
    assert_eq!(report.new_categories, ["Kue"]);
    // A hand-made file has no ids or barcodes: its rows are found again by category and
    // name, so importing it twice doubles nothing.
    let before = fingerprint(&s.kasir);
    let again = s
        .kasir
        .catalog()
        .import_csv(&m, file.as_bytes(), &no_progress)
        .unwrap();
    assert_eq!((again.created, again.unchanged), (0, 2));
    assert_eq!(before, fingerprint(&s.kasir));
}

/// A large file is written in chunks (each its own transaction with its audit entry), so the
/// till keeps selling; the counts add up across chunks and progress reaches the end.
#[test]
fn a_large_import_is_written_in_chunks() {
    let s = shop();
    let m = s.manager.clone();
    let n = kasir_core::catalog::IMPORT_CHUNK * 2 + 7;
    let mut file = String::from("category,name,price,barcode\n");
    for i in 0..n {
        file.push_str(&format!("Kopi,Produk {i},{},B{i:05}\n", 1_000 + i));
    }
    file.push_str("Kopi,Bad,x,\n");
    let seen = std::sync::Mutex::new(Vec::new());
    let report = s
        .kasir
        .catalog()
        .import_csv(&m, file.as_bytes(), &|done, total| {
            seen.lock().unwrap().push((done, total))
        })
        .unwrap();
    assert_eq!((report.created, report.problem_rows), (n as u32, 1));
    assert_eq!(report.problems[0].line, n as u32 + 2);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert_eq!(seen.last(), Some(&(n as u32, n as u32)));
    assert_eq!(
        count(
            &s.kasir,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'menu_imported'"
        ),
        3
    );
    assert_eq!(count(&s.kasir, "SELECT COUNT(*) FROM products"), n as i64);
}

/// A file with a few columns changes only those: a price list leaves stock, barcodes,
/// descriptions, tags, levels and flags as they were.
#[test]
fn a_price_list_changes_prices_only() {
    let s = shop();
    menu(&s);
    let m = s.manager.clone();
    let before = s.kasir.catalog().export_csv(&m).unwrap();
    let file = "category;name;price\nKopi;=1+1 Croissant;23000\nKopi;Teh Tarik;18000\n";
    let report = s
        .kasir
        .catalog()
        .import_csv(&m, file.as_bytes(), &no_progress)
        .unwrap();
    assert_eq!(
        (report.updated, report.unchanged, report.created),
        (1, 1, 0),
        "{report:?}"
    );
    let after = text(&s.kasir.catalog().export_csv(&m).unwrap());
    let was = text(&before);
    // Only the croissant's price moved.
    assert_eq!(after.replace(";23000;", ";22000;"), was);
}

#[test]
fn spreadsheet_mangled_barcodes_and_ambiguous_names_are_refused() {
    let s = shop();
    let m = s.manager.clone();
    for _ in 0..2 {
        s.product("Kopi Susu", 20_000, None);
    }
    let file = "category,name,price,barcode\nKopi,Es Teh,8000,8.99123E+12\nKopi,Kopi Susu,21000,\n";
    let report = s
        .kasir
        .catalog()
        .preview_import(&m, file.as_bytes())
        .unwrap();
    let got: Vec<(u32, Field, Rule)> = report
        .problems
        .iter()
        .map(|p| (p.line, p.field, p.rule.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (
                2,
                Field::Barcode,
                Rule::Unreadable {
                    expected: Expected::Barcode
                }
            ),
            (3, Field::Name, Rule::Repeated),
        ]
    );
}

/// A currency with cents in a `;` file: prices with decimal commas, modifier prices with
/// points (a comma there would split the options), and the round trip still changes nothing.
#[test]
fn cents_and_modifiers_survive_a_semicolon_file() {
    let s = shop();
    let a = s.admin.clone();
    let mut settings = s.kasir.settings().get().unwrap();
    settings.currency = "EUR".into();
    settings.minor_unit = 2;
    settings.locale = "de-DE".into();
    settings.cash_rounding = 1;
    s.kasir.settings().update(&a, settings).unwrap();
    s.kasir
        .catalog()
        .save_product(
            &a,
            None,
            draft(s.category, "Latte", 350),
            Some(vec![ModifierGroupDraft {
                id: None,
                name: "Milch".into(),
                min_choices: 0,
                max_choices: 1,
                options: vec![ModifierOptionDraft {
                    id: None,
                    name: "Hafer".into(),
                    price_delta: 50,
                }],
            }]),
        )
        .unwrap();
    let file = s.kasir.catalog().export_csv(&s.manager).unwrap();
    let body = text(&file[3..]);
    assert!(body.contains(";3,50;"), "{body}");
    assert!(body.contains("Hafer=0.50"), "{body}");
    let before = fingerprint(&s.kasir);
    let report = s
        .kasir
        .catalog()
        .import_csv(&s.manager, &file, &no_progress)
        .unwrap();
    assert_eq!(report.unchanged, 1, "{report:?}");
    assert_eq!(before, fingerprint(&s.kasir));
}

/// An import that stops part way (here: the manager running it is deactivated between two
/// chunks) keeps the rows written before, says so to every manager, and the same file imported
/// again finishes it without doubling anything.
#[test]
fn an_import_that_stops_part_way_is_told_and_finishes_when_run_again() {
    let s = shop();
    let mut file = String::from("category,name,price\n");
    for i in 0..120 {
        file.push_str(&format!("Roti,Roti {i:03},{}\n", 10_000 + i));
    }
    let manager = s.manager.clone();
    let admin = s.admin.clone();
    let stopped = s
        .kasir
        .catalog()
        .import_csv(&manager, file.as_bytes(), &|done, _| {
            if done == 50 {
                s.kasir
                    .people()
                    .update_staff(
                        &admin,
                        manager.id(),
                        kasir_core::people::StaffUpdate {
                            active: Some(false),
                            ..Default::default()
                        },
                    )
                    .unwrap();
            }
        });
    assert!(stopped.is_err());
    assert_eq!(
        count(
            &s.kasir,
            "SELECT COUNT(*) FROM products WHERE name LIKE 'Roti %'"
        ),
        50,
        "the first chunk stays"
    );
    let notices = s.kasir.notices().list(&s.admin, 10).unwrap();
    let told = notices
        .iter()
        .find(|n| n.kind == kasir_core::notices::NoticeKind::ImportFailed)
        .expect("the admin is told");
    assert_eq!(
        (told.detail.rows_done, told.detail.line),
        (Some(50), Some(52))
    );
    assert!(told.detail.reason.is_some());

    let again = s
        .kasir
        .catalog()
        .import_csv(&s.admin, file.as_bytes(), &no_progress)
        .unwrap();
    assert_eq!((again.created, again.unchanged), (70, 50));
    assert_eq!(
        count(
            &s.kasir,
            "SELECT COUNT(*) FROM products WHERE name LIKE 'Roti %'"
        ),
        120
    );
}
