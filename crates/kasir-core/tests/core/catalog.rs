use kasir_core::Error;
use kasir_core::Field;
use kasir_core::catalog::{
    ModifierGroupDraft, ModifierOptionDraft, ProductDraft, ProductQuery, ProductSort, StockLevel,
    StockReason,
};

use crate::helpers::{count, draft, refused, shop};

#[test]
fn products_are_created_listed_and_sorted() {
    let s = shop();
    let a = s.admin.clone();
    for (name, price) in [
        ("Latte", 28_000),
        ("Americano", 22_000),
        ("Espresso", 18_000),
    ] {
        s.kasir
            .catalog()
            .create_product(&a, draft(s.category, name, price))
            .unwrap();
    }
    let names = |sort| {
        s.kasir
            .catalog()
            .list_products(
                &s.cashier,
                &ProductQuery {
                    category: Some(s.category),
                    sort,
                    offset: 0,
                    limit: 10,
                    include_inactive: false,
                },
            )
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(names(ProductSort::Name), ["Americano", "Espresso", "Latte"]);
    assert_eq!(
        names(ProductSort::PriceAsc),
        ["Espresso", "Americano", "Latte"]
    );
    assert_eq!(
        names(ProductSort::PriceDesc),
        ["Latte", "Americano", "Espresso"]
    );
    let page2 = s
        .kasir
        .catalog()
        .list_products(
            &s.cashier,
            &ProductQuery {
                category: None,
                sort: ProductSort::Name,
                offset: 1,
                limit: 1,
                include_inactive: false,
            },
        )
        .unwrap();
    assert_eq!(page2[0].name, "Espresso");
}

#[test]
fn inactive_products_never_reach_a_cashier() {
    let s = shop();
    let a = s.admin.clone();
    let p = s
        .kasir
        .catalog()
        .create_product(&a, draft(s.category, "Kopi Rahasia", 10_000))
        .unwrap();
    let mut d = draft(s.category, "Kopi Rahasia", 10_000);
    d.active = false;
    d.barcode = Some("123".into());
    s.kasir.catalog().update_product(&a, p.id, d).unwrap();
    let q = ProductQuery {
        category: None,
        sort: ProductSort::Name,
        offset: 0,
        limit: 50,
        include_inactive: false,
    };
    assert!(
        s.kasir
            .catalog()
            .list_products(&s.cashier, &q)
            .unwrap()
            .is_empty()
    );
    assert!(
        s.kasir
            .catalog()
            .search_products(&s.cashier, "rahasia", 20, false)
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        s.kasir.catalog().product_by_barcode(&s.cashier, "123"),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        s.kasir.catalog().product(&s.cashier, p.id),
        Err(Error::NotFound { .. })
    ));
    // a cashier cannot ask for inactive ones
    let all = ProductQuery {
        include_inactive: true,
        ..q
    };
    assert!(matches!(
        s.kasir.catalog().list_products(&s.cashier, &all),
        Err(Error::Forbidden { .. })
    ));
    // a manager sees it
    assert_eq!(
        s.kasir
            .catalog()
            .list_products(&s.manager, &all)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        s.kasir
            .catalog()
            .search_products(&s.manager, "rahasia", 20, true)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn availability_follows_stock() {
    let s = shop();
    let p = s.product("Croissant", 22_000, Some(1));
    assert!(
        s.kasir
            .catalog()
            .product(&s.cashier, p.id)
            .unwrap()
            .available
    );
    s.sell(&[(&p, 1)]);
    let after = s.kasir.catalog().product(&s.cashier, p.id).unwrap();
    assert_eq!(after.stock, Some(0));
    assert!(!after.available, "sold out");
    assert_eq!(after.stock_level, StockLevel::Out);
    let untracked = s.product("Teh", 8_000, None);
    assert!(
        s.kasir
            .catalog()
            .product(&s.cashier, untracked.id)
            .unwrap()
            .available
    );
}

#[test]
fn barcodes_are_unique_and_found() {
    let s = shop();
    let a = s.admin.clone();
    let mut d = draft(s.category, "Air Mineral", 6_000);
    d.barcode = Some(" 8990000000035 ".into());
    let p = s.kasir.catalog().create_product(&a, d.clone()).unwrap();
    assert_eq!(p.barcode.as_deref(), Some("8990000000035"));
    assert_eq!(
        s.kasir
            .catalog()
            .product_by_barcode(&s.cashier, "8990000000035")
            .unwrap()
            .id,
        p.id
    );
    d.name = "Another".into();
    refused(
        &s.kasir,
        |k| k.catalog().create_product(&a, d.clone()),
        |e| {
            matches!(
                e,
                Error::Duplicate {
                    field: Field::Barcode,
                    ..
                }
            )
        },
    );
    assert!(matches!(
        s.kasir.catalog().product_by_barcode(&s.cashier, "nope"),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn bad_product_input_is_refused_and_changes_nothing() {
    let s = shop();
    let a = s.admin.clone();
    let c = s.category;
    let cases: Vec<(&str, ProductDraft, Field)> = vec![
        (
            "negative price",
            ProductDraft {
                price: -1,
                ..draft(c, "X", 0)
            },
            Field::Price,
        ),
        (
            "overflowing price",
            ProductDraft {
                price: i64::MAX,
                ..draft(c, "X", 0)
            },
            Field::Price,
        ),
        ("empty name", draft(c, "   ", 1), Field::Name),
        (
            "megabyte name",
            draft(c, &"x".repeat(1 << 20), 1),
            Field::Name,
        ),
        (
            "control characters",
            draft(c, "Kopi\u{0}\u{1b}[31m", 1),
            Field::Name,
        ),
        (
            "megabyte description",
            ProductDraft {
                description: "d".repeat(1 << 20),
                ..draft(c, "X", 1)
            },
            Field::Description,
        ),
        (
            "negative stock",
            ProductDraft {
                track_stock: true,
                initial_stock: -5,
                ..draft(c, "X", 1)
            },
            Field::InitialStock,
        ),
        (
            "absurd stock",
            ProductDraft {
                track_stock: true,
                initial_stock: i64::MAX,
                ..draft(c, "X", 1)
            },
            Field::InitialStock,
        ),
        (
            "critical above warning",
            ProductDraft {
                low_stock_warning: Some(2),
                low_stock_critical: Some(5),
                ..draft(c, "X", 1)
            },
            Field::LowStockCritical,
        ),
        (
            "barcode with spaces",
            ProductDraft {
                barcode: Some("12 34".into()),
                ..draft(c, "X", 1)
            },
            Field::Barcode,
        ),
        (
            "thirteen tags",
            ProductDraft {
                tags: (0..13).map(|i| format!("t{i}")).collect(),
                ..draft(c, "X", 1)
            },
            Field::Tags,
        ),
        (
            "a tag too long",
            ProductDraft {
                tags: vec!["t".repeat(33)],
                ..draft(c, "X", 1)
            },
            Field::Tags,
        ),
        (
            "a megabyte of tags",
            ProductDraft {
                tags: vec!["t".repeat(1 << 20)],
                ..draft(c, "X", 1)
            },
            Field::Tags,
        ),
        (
            "a tag with a newline",
            ProductDraft {
                tags: vec!["vegan\npedas".into()],
                ..draft(c, "X", 1)
            },
            Field::Tags,
        ),
    ];
    for (what, d, field) in cases {
        println!("case: {what}");
        refused(
            &s.kasir,
            |k| k.catalog().create_product(&a, d),
            |e| matches!(e, Error::Invalid { field: f, .. } if *f == field),
        );
    }
    let missing_category = draft(
        "01900000-0000-7000-8000-000000000000".parse().unwrap(),
        "X",
        1,
    );
    refused(
        &s.kasir,
        |k| k.catalog().create_product(&a, missing_category),
        |e| matches!(e, Error::NotFound { .. }),
    );
}

#[test]
fn price_changes_are_audited() {
    let s = shop();
    let a = s.admin.clone();
    let p = s
        .kasir
        .catalog()
        .create_product(&a, draft(s.category, "Latte", 28_000))
        .unwrap();
    s.kasir
        .catalog()
        .update_product(&a, p.id, draft(s.category, "Latte", 30_000))
        .unwrap();
    let entries = s.kasir.audit().entries(&s.manager, 10).unwrap();
    let change = entries
        .iter()
        .find(|e| e.action == "price_changed")
        .expect("audited");
    assert_eq!(change.detail["from"], 28_000);
    assert_eq!(change.detail["to"], 30_000);
    s.kasir.audit().verify_chain().unwrap();
}

#[test]
fn stock_is_a_ledger() {
    let s = shop();
    let m = s.manager.clone();
    let p = s.product("Croissant", 22_000, Some(10));
    s.kasir
        .catalog()
        .adjust_stock(&m, p.id, 5, StockReason::Received, "delivery")
        .unwrap();
    s.kasir
        .catalog()
        .adjust_stock(&m, p.id, -2, StockReason::Waste, "dropped")
        .unwrap();
    s.sell(&[(&p, 3)]);
    let now = s.kasir.catalog().product(&m, p.id).unwrap().stock.unwrap();
    assert_eq!(now, 10);
    let ledger = count(
        &s.kasir,
        &format!(
            "SELECT SUM(delta) FROM stock_movements WHERE product_id = '{}'",
            p.id
        ),
    );
    assert_eq!(ledger, now, "stock equals the sum of its movements");
    refused(
        &s.kasir,
        |k| {
            k.catalog()
                .adjust_stock(&m, p.id, -11, StockReason::Correction, "")
        },
        |e| matches!(e, Error::InsufficientStock { available: 10, .. }),
    );
    refused(
        &s.kasir,
        |k| {
            k.catalog()
                .adjust_stock(&m, p.id, 0, StockReason::Correction, "")
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Delta,
                    ..
                }
            )
        },
    );
    refused(
        &s.kasir,
        |k| {
            k.catalog()
                .adjust_stock(&m, p.id, 3, StockReason::Waste, "")
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Delta,
                    ..
                }
            )
        },
    );
    refused(
        &s.kasir,
        |k| {
            k.catalog()
                .adjust_stock(&m, p.id, i64::MIN, StockReason::Correction, "")
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Delta,
                    ..
                }
            )
        },
    );
    let untracked = s.product("Teh", 8_000, None);
    refused(
        &s.kasir,
        |k| {
            k.catalog()
                .adjust_stock(&m, untracked.id, 1, StockReason::Received, "")
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Stock,
                    ..
                }
            )
        },
    );
}

#[test]
fn turning_tracking_off_and_on_keeps_the_ledger_true() {
    let s = shop();
    let a = s.admin.clone();
    let p = s.product("Brownies", 18_000, Some(7));
    let mut d = draft(s.category, "Brownies", 18_000);
    s.kasir
        .catalog()
        .update_product(&a, p.id, d.clone())
        .unwrap();
    assert_eq!(s.kasir.catalog().product(&a, p.id).unwrap().stock, None);
    d.track_stock = true;
    assert_eq!(
        s.kasir.catalog().update_product(&a, p.id, d).unwrap().stock,
        Some(0)
    );
    let ledger = count(
        &s.kasir,
        &format!(
            "SELECT SUM(delta) FROM stock_movements WHERE product_id = '{}'",
            p.id
        ),
    );
    assert_eq!(ledger, 0);
}

#[test]
fn low_stock_levels() {
    let s = shop();
    let a = s.admin.clone();
    let mut d = draft(s.category, "Roti", 10_000);
    d.track_stock = true;
    d.initial_stock = 4;
    d.low_stock_warning = Some(5);
    d.low_stock_critical = Some(2);
    let p = s.kasir.catalog().create_product(&a, d).unwrap();
    assert_eq!(p.stock_level, StockLevel::Warning);
    s.sell(&[(&p, 2)]);
    assert_eq!(
        s.kasir.catalog().product(&a, p.id).unwrap().stock_level,
        StockLevel::Critical
    );
    let low = s.kasir.catalog().low_stock(&s.manager).unwrap();
    assert_eq!(low.len(), 1);
    assert_eq!(low[0].stock_level, StockLevel::Critical);
}

#[test]
fn bulk_deactivate() {
    let s = shop();
    let a = s.admin.clone();
    let p1 = s.product("A", 1_000, None);
    let p2 = s.product("B", 1_000, None);
    assert_eq!(
        s.kasir
            .catalog()
            .set_products_active(&a, &[p1.id, p2.id], false)
            .unwrap(),
        2
    );
    assert_eq!(
        s.kasir
            .catalog()
            .set_products_active(&a, &[p1.id, p2.id], false)
            .unwrap(),
        0,
        "already inactive"
    );
    let missing = "01900000-0000-7000-8000-000000000000".parse().unwrap();
    refused(
        &s.kasir,
        |k| k.catalog().set_products_active(&a, &[p1.id, missing], true),
        |e| matches!(e, Error::NotFound { .. }),
    );
}

#[test]
fn modifier_groups_are_validated() {
    let s = shop();
    let a = s.admin.clone();
    let p = s.product("Latte", 28_000, None);
    let group = |min, max, n: usize| ModifierGroupDraft {
        id: None,
        name: "Size".into(),
        min_choices: min,
        max_choices: max,
        options: (0..n)
            .map(|i| ModifierOptionDraft {
                id: None,
                name: format!("o{i}"),
                price_delta: 1_000,
            })
            .collect(),
    };
    for bad in [
        group(0, 0, 2),
        group(2, 1, 2),
        group(1, 3, 2),
        group(0, 1, 0),
        group(0, 1, 51),
    ] {
        refused(
            &s.kasir,
            |k| k.catalog().set_modifier_groups(&a, p.id, vec![bad]),
            |e| matches!(e, Error::Invalid { .. }),
        );
    }
    let ok = s
        .kasir
        .catalog()
        .set_modifier_groups(&a, p.id, vec![group(1, 1, 2)])
        .unwrap();
    assert_eq!(ok.modifier_groups.len(), 1);
    assert_eq!(ok.modifier_groups[0].options.len(), 2);
}

#[test]
fn popularity_counts_recent_sales_and_orders_the_menu() {
    let s = shop();
    let teh = s.product("Teh", 8_000, None);
    let kopi = s.product("Kopi", 20_000, None);
    let roti = s.product("Roti", 15_000, None);
    s.sell(&[(&kopi, 3), (&teh, 1)]);
    let cancelled = s.sell(&[(&roti, 10)]);
    let m = s.manager.clone();
    s.kasir
        .sales()
        .cancel_order(&m, None, cancelled.id, "salah")
        .unwrap();
    // a sale from long ago does not count
    s.clock.advance(jiff::SignedDuration::from_hours(24 * 40));
    s.sell(&[(&teh, 1)]);
    assert_eq!(s.kasir.catalog().refresh_popularity(30).unwrap(), 1);
    let order = s
        .kasir
        .catalog()
        .list_products(
            &s.cashier,
            &ProductQuery {
                category: None,
                sort: ProductSort::Popularity,
                offset: 0,
                limit: 10,
                include_inactive: false,
            },
        )
        .unwrap();
    assert_eq!(
        order
            .iter()
            .map(|p| (p.name.as_str(), p.popularity))
            .collect::<Vec<_>>(),
        [("Teh", 1), ("Kopi", 0), ("Roti", 0)]
    );
    s.clock.advance(jiff::SignedDuration::from_hours(-24 * 40));
    s.kasir.catalog().refresh_popularity(30).unwrap();
    assert_eq!(
        s.kasir
            .catalog()
            .product(&s.cashier, kopi.id)
            .unwrap()
            .popularity,
        3
    );
}

/// Editing a product's modifiers keeps every group's and option's id, so open tickets keep
/// their options; a removed option is retired (kept for history, gone from the menu); a
/// changed option price is audited like a product price.
#[test]
fn modifier_ids_stay_stable_across_edits() {
    let s = shop();
    let a = s.admin.clone();
    let p = s.product("Kopi Susu", 25_000, None);
    let group = |id, options: Vec<ModifierOptionDraft>| ModifierGroupDraft {
        id,
        name: "Size".into(),
        min_choices: 1,
        max_choices: 1,
        options,
    };
    let option = |id, name: &str, price_delta| ModifierOptionDraft {
        id,
        name: name.into(),
        price_delta,
    };
    let first = s
        .kasir
        .catalog()
        .set_modifier_groups(
            &a,
            p.id,
            vec![group(
                None,
                vec![
                    option(None, "Regular", 0),
                    option(None, "Large", 5_000),
                    option(None, "Jumbo", 9_000),
                ],
            )],
        )
        .unwrap();
    let g = &first.modifier_groups[0];
    let (regular, large, jumbo) = (g.options[0].id, g.options[1].id, g.options[2].id);

    // A cashier has a Large on an open ticket.
    let c = s.cashier.clone();
    let t = s
        .kasir
        .sales()
        .open_ticket(&c, kasir_core::sales::tickets::OrderType::Takeaway, "")
        .unwrap();
    s.kasir
        .sales()
        .add_to_ticket(
            &c,
            t.id,
            kasir_core::sales::tickets::AddLine {
                product_id: p.id,
                modifier_ids: vec![large],
                note: String::new(),
                quantity: 1,
            },
        )
        .unwrap();

    // The manager renames the group, makes Large dearer and drops Jumbo.
    let audits_before = count(
        &s.kasir,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'modifier_price_changed'",
    );
    let mut edited = group(
        Some(g.id),
        vec![
            option(Some(regular), "Regular", 0),
            option(Some(large), "Large", 6_000),
        ],
    );
    edited.name = "Ukuran".into();
    let second = s
        .kasir
        .catalog()
        .set_modifier_groups(&a, p.id, vec![edited])
        .unwrap();
    let g2 = &second.modifier_groups[0];
    assert_eq!((g2.id, g2.name.as_str()), (g.id, "Ukuran"));
    assert_eq!(
        g2.options
            .iter()
            .map(|o| (o.id, o.price_delta.0))
            .collect::<Vec<_>>(),
        [(regular, 0), (large, 6_000)],
        "same ids, Jumbo gone from the menu"
    );
    assert_eq!(
        count(
            &s.kasir,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'modifier_price_changed'"
        ),
        audits_before + 1
    );
    assert_eq!(
        count(
            &s.kasir,
            &format!("SELECT retired FROM modifier_options WHERE id = '{jumbo}'")
        ),
        1,
        "retired, not deleted"
    );
    // The open ticket still holds its Large, at the new price.
    let t = s.kasir.sales().ticket(&c, t.id).unwrap();
    assert_eq!(t.lines[0].modifiers[0].option_id, large);
    assert_eq!(t.lines[0].unit_price.0, 31_000);

    // An id from another product, or given twice, is refused and changes nothing.
    let other = s.product("Teh", 8_000, None);
    refused(
        &s.kasir,
        |k| {
            k.catalog().set_modifier_groups(
                &a,
                other.id,
                vec![group(Some(g.id), vec![option(None, "X", 0)])],
            )
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::ModifierGroups,
                    ..
                }
            )
        },
    );
    refused(
        &s.kasir,
        |k| {
            k.catalog().set_modifier_groups(
                &a,
                p.id,
                vec![group(
                    Some(g.id),
                    vec![option(Some(large), "L", 0), option(Some(large), "L2", 0)],
                )],
            )
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::ModifierOptions,
                    ..
                }
            )
        },
    );
}

/// Categories are created, renamed, deactivated (never deleted) and reordered by a manager, each
/// change audited and sent up; a bad reorder changes nothing.
#[test]
fn categories_are_kept_renamed_and_reordered() {
    use kasir_core::catalog::CategoryDraft;
    let s = shop();
    let a = s.admin.clone();
    let cat = |name: &str, sort_order| CategoryDraft {
        name: name.into(),
        sort_order,
        active: true,
    };
    let kopi = s.category;
    let teh = s
        .kasir
        .catalog()
        .create_category(&a, cat("Teh", 20))
        .unwrap();
    let roti = s
        .kasir
        .catalog()
        .create_category(&a, cat("Roti", 30))
        .unwrap();
    let renamed = s
        .kasir
        .catalog()
        .update_category(
            &a,
            teh.id,
            CategoryDraft {
                active: false,
                ..cat("Teh & Tisane", 20)
            },
        )
        .unwrap();
    assert_eq!(
        (renamed.name.as_str(), renamed.active),
        ("Teh & Tisane", false)
    );
    assert!(
        count(
            &s.kasir,
            "SELECT count(*) FROM audit_log WHERE action = 'category_saved'"
        ) >= 3
    );

    let outbox = count(&s.kasir, "SELECT count(*) FROM outbox");
    let order = s
        .kasir
        .catalog()
        .reorder_categories(&a, &[roti.id, kopi])
        .unwrap();
    assert_eq!(order[0].id, roti.id);
    assert_eq!(order[1].id, kopi);
    assert_eq!(
        order.last().unwrap().id,
        teh.id,
        "the ones not named follow"
    );
    let listed: Vec<_> = s
        .kasir
        .catalog()
        .list_categories(&a, true)
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(listed, order.iter().map(|c| c.id).collect::<Vec<_>>());
    assert!(count(&s.kasir, "SELECT count(*) FROM outbox") > outbox);
    assert_eq!(
        count(
            &s.kasir,
            "SELECT count(*) FROM audit_log WHERE action = 'categories_reordered'"
        ),
        1
    );
    let names: String = s
        .kasir
        .connection()
        .query_row(
            "SELECT json_extract(detail, '$.names') FROM audit_log
             WHERE action = 'categories_reordered'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        names, r#"["Roti","Kopi","Teh & Tisane"]"#,
        "the log reads by name"
    );

    // Repeated or unknown ids: refused, nothing changed.
    refused(
        &s.kasir,
        |k| k.catalog().reorder_categories(&a, &[kopi, kopi]),
        |e| matches!(e, Error::Invalid { .. }),
    );
    let stranger = kasir_core::catalog::CategoryId(uuid::Uuid::now_v7());
    refused(
        &s.kasir,
        |k| k.catalog().reorder_categories(&a, &[kopi, stranger]),
        |e| matches!(e, Error::NotFound { .. }),
    );
}
