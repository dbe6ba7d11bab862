//! The manager's product table: every filter and sort checked against a model computed in
//! the test from each product as the core reports it, paging, bulk actions, and bad input.

use kasir_core::catalog::{
    CategoryDraft, CategoryId, MAX_PAGE, Product, ProductDraft, ProductQuery, ProductRow,
    ProductSort, ProductTableQuery, StockFilter, StockLevel, TableSort,
};
use kasir_core::{Entity, Error, Field, FixedClock, Role};

use crate::helpers::{Shop, count, draft, refused, shop};

/// A varied menu: two categories, tracked and untracked, active and not, featured and not,
/// some low, some out, some with barcodes. Returns every product as the core reports it.
fn varied(s: &Shop, clock: &FixedClock) -> (CategoryId, Vec<Product>) {
    let a = s.admin.clone();
    let tea = s
        .kasir
        .catalog()
        .create_category(
            &a,
            CategoryDraft {
                name: "Teh".into(),
                sort_order: 2,
                active: true,
            },
        )
        .unwrap();
    let names = [
        "Kopi Susu",
        "kopi hitam",
        "Es Kopi",
        "Teh Tarik",
        "Teh Manis",
        "Roti Bakar",
        "Croissant",
        "Americano",
        "Latte",
        "Matcha Latte",
        "Donat",
        "Air Mineral",
        "Jus Jeruk",
        "Nasi Goreng",
        "Mie Goreng",
        "Pisang Goreng",
        "Es Teh",
        "Cokelat Panas",
        "Brownies",
        "Bagel",
    ];
    let mut out = Vec::new();
    for (i, name) in names.iter().enumerate() {
        clock.advance(jiff::SignedDuration::from_secs(60));
        let i = i as i64;
        let tracked = i % 3 != 0;
        let d = ProductDraft {
            category_id: if i % 4 == 0 { tea.id } else { s.category },
            price: 5_000 + (i * 7_919) % 30_000,
            track_stock: tracked,
            initial_stock: if tracked {
                [0, 2, 5, 40][(i % 4) as usize]
            } else {
                0
            },
            low_stock_warning: tracked.then_some(5),
            low_stock_critical: tracked.then_some(2),
            active: i % 5 != 4,
            barcode: (i % 2 == 0).then(|| format!("899{i:04}")),
            featured: i % 6 == 1,
            description: if i == 7 {
                "espresso dan air".into()
            } else {
                String::new()
            },
            ..draft(s.category, name, 0)
        };
        out.push(s.kasir.catalog().create_product(&a, d).unwrap());
    }
    // A later edit moves one product's "last change" to the end.
    clock.advance(jiff::SignedDuration::from_secs(60));
    let first = out[0].clone();
    let edited = s
        .kasir
        .catalog()
        .update_product(
            &a,
            first.id,
            ProductDraft {
                price: 26_000,
                track_stock: first.stock.is_some(),
                ..draft(first.category_id, &first.name, 0)
            },
        )
        .unwrap();
    out[0] = edited;
    (tea.id, out)
}

fn all_pages(s: &Shop, q: &ProductTableQuery, limit: u32) -> (Vec<ProductRow>, u32) {
    let mut rows = Vec::new();
    let mut total = 0;
    for page in 0.. {
        let got = s
            .kasir
            .catalog()
            .product_table(
                &s.manager,
                &ProductTableQuery {
                    offset: page * limit,
                    limit,
                    ..q.clone()
                },
            )
            .unwrap();
        total = got.total;
        let n = got.rows.len();
        rows.extend(got.rows);
        if n < limit as usize {
            break;
        }
    }
    (rows, total)
}

fn low(p: &Product) -> bool {
    matches!(
        p.stock_level,
        StockLevel::Warning | StockLevel::Critical | StockLevel::Out
    )
}

#[test]
fn every_filter_and_sort_matches_the_model_page_by_page() {
    let s = shop();
    let clock = s.clock.clone();
    let (tea, products) = varied(&s, &clock);
    let updated: std::collections::HashMap<_, _> =
        all_pages(&s, &ProductTableQuery::default(), MAX_PAGE)
            .0
            .into_iter()
            .map(|r| (r.id, r.updated_at))
            .collect();
    type Filter = (
        &'static str,
        ProductTableQuery,
        Box<dyn Fn(&Product) -> bool>,
    );
    let q = ProductTableQuery::default;
    let filters: Vec<Filter> = vec![
        ("none", q(), Box::new(|_| true)),
        (
            "category",
            ProductTableQuery {
                category: Some(tea),
                ..q()
            },
            Box::new(move |p| p.category_id == tea),
        ),
        (
            "inactive",
            ProductTableQuery {
                active: Some(false),
                ..q()
            },
            Box::new(|p| !p.active),
        ),
        (
            "available",
            ProductTableQuery {
                available: Some(true),
                ..q()
            },
            Box::new(|p| p.available),
        ),
        (
            "unavailable",
            ProductTableQuery {
                available: Some(false),
                ..q()
            },
            Box::new(|p| !p.available),
        ),
        (
            "featured",
            ProductTableQuery {
                featured: Some(true),
                ..q()
            },
            Box::new(|p| p.featured),
        ),
        (
            "low stock",
            ProductTableQuery {
                stock: StockFilter::Low,
                ..q()
            },
            Box::new(low),
        ),
        (
            "out of stock",
            ProductTableQuery {
                stock: StockFilter::Out,
                ..q()
            },
            Box::new(|p| p.stock == Some(0)),
        ),
        (
            "untracked",
            ProductTableQuery {
                stock: StockFilter::Untracked,
                ..q()
            },
            Box::new(|p| p.stock.is_none()),
        ),
        (
            "words by prefix, any case",
            ProductTableQuery {
                text: "KOP".into(),
                ..q()
            },
            Box::new(|p| {
                (p.name.clone() + " " + &p.category_name)
                    .to_lowercase()
                    .split(' ')
                    .any(|w| w.starts_with("kop"))
            }),
        ),
        (
            "two words",
            ProductTableQuery {
                text: "goreng pis".into(),
                ..q()
            },
            Box::new(|p| p.name == "Pisang Goreng"),
        ),
        (
            "a word of the description",
            ProductTableQuery {
                text: "espresso".into(),
                ..q()
            },
            Box::new(|p| p.name == "Americano"),
        ),
        (
            "a category's name",
            ProductTableQuery {
                text: "teh".into(),
                ..q()
            },
            Box::new(move |p| {
                p.category_id == tea
                    || p.name
                        .to_lowercase()
                        .split(' ')
                        .any(|w| w.starts_with("teh"))
            }),
        ),
        (
            "an exact barcode",
            ProductTableQuery {
                text: "8990004".into(),
                ..q()
            },
            Box::new(|p| p.barcode.as_deref() == Some("8990004")),
        ),
        (
            "several at once",
            ProductTableQuery {
                active: Some(true),
                stock: StockFilter::Tracked,
                category: Some(tea),
                ..q()
            },
            Box::new(move |p| p.active && p.stock.is_some() && p.category_id == tea),
        ),
        (
            "search syntax is plain text",
            ProductTableQuery {
                text: "\"kopi\" OR *teh NEAR(".into(),
                ..q()
            },
            Box::new(|_| false),
        ),
    ];
    type Key = Box<dyn Fn(&Product) -> String>;
    let sorts: Vec<(TableSort, Key)> = vec![
        (TableSort::Name, Box::new(|p| p.name.to_lowercase())),
        (TableSort::Price, Box::new(|p| format!("{:012}", p.price.0))),
        (
            TableSort::Popularity,
            Box::new(|p| format!("{:012}", p.popularity)),
        ),
        (
            TableSort::Updated,
            Box::new(move |p| updated[&p.id].clone()),
        ),
    ];
    let mut checked = 0;
    for (what, query, keep) in &filters {
        let matching: Vec<&Product> = products.iter().filter(|p| keep(p)).collect();
        if *what != "search syntax is plain text" {
            assert!(
                !matching.is_empty(),
                "{what}: the model finds nothing to compare"
            );
        }
        for (sort, key) in &sorts {
            for descending in [false, true] {
                let mut want: Vec<&Product> = matching.clone();
                // Ties (same price, same popularity) break by name, as the core does.
                want.sort_by_key(|p| (key(p), p.name.to_lowercase()));
                if descending {
                    want.sort_by_key(|p| std::cmp::Reverse(key(p)));
                }
                let want: Vec<&str> = want.iter().map(|p| p.name.as_str()).collect();
                let query = ProductTableQuery {
                    sort: *sort,
                    descending,
                    ..query.clone()
                };
                let (rows, total) = all_pages(&s, &query, 3);
                let got: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
                assert_eq!(got, want, "{what}, {sort:?} descending={descending}");
                assert_eq!(total as usize, want.len(), "{what}: total");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, filters.len() * sorts.len() * 2);
}

#[test]
fn stock_sorts_tracked_first_whatever_the_direction() {
    let s = shop();
    let clock = s.clock.clone();
    let (_, products) = varied(&s, &clock);
    let tracked = products.iter().filter(|p| p.stock.is_some()).count();
    for descending in [false, true] {
        let (rows, _) = all_pages(
            &s,
            &ProductTableQuery {
                sort: TableSort::Stock,
                descending,
                ..Default::default()
            },
            7,
        );
        let stocks: Vec<Option<i64>> = rows.iter().map(|r| r.stock).collect();
        assert!(stocks[..tracked].iter().all(Option::is_some), "{stocks:?}");
        assert!(stocks[tracked..].iter().all(Option::is_none), "{stocks:?}");
        let counted: Vec<i64> = stocks.iter().flatten().copied().collect();
        let mut sorted = counted.clone();
        sorted.sort();
        if descending {
            sorted.reverse();
        }
        assert_eq!(counted, sorted);
    }
}

#[test]
fn a_row_says_what_the_product_form_says() {
    let s = shop();
    let clock = s.clock.clone();
    let (_, products) = varied(&s, &clock);
    let (rows, _) = all_pages(&s, &ProductTableQuery::default(), MAX_PAGE);
    for p in &products {
        let r = rows.iter().find(|r| r.id == p.id).unwrap();
        assert_eq!(
            (
                &r.name,
                &r.category_name,
                r.price,
                r.stock,
                r.stock_level,
                r.active,
                r.available,
                r.featured,
                &r.barcode
            ),
            (
                &p.name,
                &p.category_name,
                p.price,
                p.stock,
                p.stock_level,
                p.active,
                p.available,
                p.featured,
                &p.barcode
            )
        );
    }
}

#[test]
fn bad_table_queries_are_refused() {
    let s = shop();
    let m = s.manager.clone();
    for limit in [0, MAX_PAGE + 1] {
        let e = s
            .kasir
            .catalog()
            .product_table(
                &m,
                &ProductTableQuery {
                    limit,
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert!(
            matches!(
                e,
                Error::Invalid {
                    field: Field::Limit,
                    ..
                }
            ),
            "{e:?}"
        );
    }
    let e = s
        .kasir
        .catalog()
        .product_table(
            &m,
            &ProductTableQuery {
                text: "k".repeat(1 << 20),
                limit: 10,
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Invalid {
                field: Field::Query,
                ..
            }
        ),
        "{e:?}"
    );
    let e = s
        .kasir
        .catalog()
        .product_table(
            &s.cashier,
            &ProductTableQuery {
                limit: 10,
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(matches!(e, Error::Forbidden { .. }), "{e:?}");
    // A page past the end is empty, with the right total.
    s.product("Kopi", 1_000, None);
    let page = s
        .kasir
        .catalog()
        .product_table(
            &m,
            &ProductTableQuery {
                offset: u32::MAX,
                limit: 10,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!((page.rows.len(), page.total), (0, 1));
}

#[test]
fn featured_products_lead_the_all_tab_only() {
    let s = shop();
    let a = s.admin.clone();
    let other = s
        .kasir
        .catalog()
        .create_category(
            &a,
            CategoryDraft {
                name: "Roti".into(),
                sort_order: 5,
                active: true,
            },
        )
        .unwrap();
    for (name, featured) in [("Americano", false), ("Zebra Cake", true), ("Bagel", false)] {
        s.kasir
            .catalog()
            .create_product(
                &a,
                ProductDraft {
                    featured,
                    tags: vec![" Baru ".into(), "baru".into(), "".into(), "Manis".into()],
                    ..draft(other.id, name, 10_000)
                },
            )
            .unwrap();
    }
    let page = |category, sort| -> Vec<String> {
        s.kasir
            .catalog()
            .list_products(
                &s.cashier,
                &ProductQuery {
                    category,
                    sort,
                    offset: 0,
                    limit: 10,
                    include_inactive: false,
                },
            )
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect()
    };
    for sort in [
        ProductSort::Name,
        ProductSort::PriceAsc,
        ProductSort::PriceDesc,
        ProductSort::Popularity,
    ] {
        assert_eq!(page(None, sort)[0], "Zebra Cake", "{sort:?}");
    }
    assert_eq!(
        page(Some(other.id), ProductSort::Name),
        ["Americano", "Bagel", "Zebra Cake"]
    );
    // Tags are trimmed, and repeats (in any case) and blanks dropped.
    let zebra = s
        .kasir
        .catalog()
        .product_table(
            &s.manager,
            &ProductTableQuery {
                featured: Some(true),
                limit: 1,
                ..Default::default()
            },
        )
        .unwrap()
        .rows
        .remove(0);
    let p = s.kasir.catalog().product(&s.manager, zebra.id).unwrap();
    assert_eq!(p.tags, ["Baru", "Manis"]);
    assert!(p.featured);
}

#[test]
fn moving_products_is_one_audited_transaction() {
    let s = shop();
    let a = s.manager.clone();
    let p1 = s.product("A", 1_000, None);
    let p2 = s.product("B", 1_000, Some(3));
    let roti = s
        .kasir
        .catalog()
        .create_category(
            &s.admin,
            CategoryDraft {
                name: "Roti".into(),
                sort_order: 5,
                active: true,
            },
        )
        .unwrap();
    let outbox = count(&s.kasir, "SELECT COUNT(*) FROM outbox");
    assert_eq!(
        s.kasir
            .catalog()
            .move_products(&a, &[p1.id, p2.id, p1.id], roti.id)
            .unwrap(),
        2
    );
    for p in [p1.id, p2.id] {
        let moved = s.kasir.catalog().product(&a, p).unwrap();
        assert_eq!(moved.category_name, "Roti");
    }
    assert_eq!(
        count(&s.kasir, "SELECT COUNT(*) FROM outbox") - outbox,
        2,
        "each moved product goes to the server once"
    );
    assert_eq!(
        count(
            &s.kasir,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'products_moved'"
        ),
        1
    );
    assert_eq!(
        s.kasir
            .catalog()
            .move_products(&a, &[p1.id], roti.id)
            .unwrap(),
        0,
        "already there"
    );
    let missing = "01900000-0000-7000-8000-000000000000".parse().unwrap();
    refused(
        &s.kasir,
        |k| k.catalog().move_products(&a, &[p1.id, missing], s.category),
        |e| {
            matches!(
                e,
                Error::NotFound {
                    entity: Entity::Product,
                    ..
                }
            )
        },
    );
    refused(
        &s.kasir,
        |k| {
            let no_category: CategoryId = "01900000-0000-7000-8000-000000000000".parse().unwrap();
            k.catalog().move_products(&a, &[p1.id], no_category)
        },
        |e| {
            matches!(
                e,
                Error::NotFound {
                    entity: Entity::Category,
                    ..
                }
            )
        },
    );
    refused(
        &s.kasir,
        |k| k.catalog().move_products(&a, &[], s.category),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Ids,
                    ..
                }
            )
        },
    );
    let too_many = vec![p1.id; 10_001];
    refused(
        &s.kasir,
        |k| k.catalog().set_products_active(&a, &too_many, false),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Ids,
                    ..
                }
            )
        },
    );
    refused(
        &s.kasir,
        |k| {
            k.catalog()
                .move_products(s.actor(Role::Cashier), &[p1.id], s.category)
        },
        |e| matches!(e, Error::Forbidden { .. }),
    );
}

/// The table keeps the order it worked out until the next write; every write (a sale, an
/// edit, a sync) makes the next query look again, so it never shows a stale order.
#[test]
fn the_table_sees_every_write_at_once() {
    let s = shop();
    let a = s.manager.clone();
    let kopi = s.product("Kopi", 1_000, Some(5));
    let teh = s.product("Teh", 1_000, Some(3));
    let by_stock = ProductTableQuery {
        sort: TableSort::Stock,
        limit: 10,
        ..Default::default()
    };
    let names = |q: &ProductTableQuery| -> Vec<(String, Option<i64>)> {
        s.kasir
            .catalog()
            .product_table(&a, q)
            .unwrap()
            .rows
            .into_iter()
            .map(|r| (r.name, r.stock))
            .collect()
    };
    assert_eq!(
        names(&by_stock),
        [("Teh".into(), Some(3)), ("Kopi".into(), Some(5))]
    );
    // Page turns come from what was worked out; a sale makes it look again.
    s.sell(&[(&kopi, 4)]);
    assert_eq!(
        names(&by_stock),
        [("Kopi".into(), Some(1)), ("Teh".into(), Some(3))]
    );
    let low = ProductTableQuery {
        stock: StockFilter::Out,
        limit: 10,
        ..Default::default()
    };
    assert!(names(&low).is_empty());
    s.sell(&[(&teh, 3)]);
    assert_eq!(names(&low), [("Teh".into(), Some(0))]);
    // A rename moves a product in the name order at once.
    let by_name = ProductTableQuery {
        limit: 10,
        ..Default::default()
    };
    assert_eq!(names(&by_name)[0].0, "Kopi");
    s.kasir
        .catalog()
        .update_product(
            &a,
            kopi.id,
            ProductDraft {
                track_stock: true,
                ..draft(s.category, "Wedang Kopi", 1_000)
            },
        )
        .unwrap();
    assert_eq!(names(&by_name)[0].0, "Teh");
}

/// The product form's save: the product and its modifier groups in one transaction; a bad
/// group leaves no product behind, and an edit keeps the groups' ids.
#[test]
fn a_product_and_its_modifiers_are_saved_together() {
    use kasir_core::catalog::{ModifierGroupDraft, ModifierOptionDraft};
    let s = shop();
    let a = s.manager.clone();
    let size = |min, max| ModifierGroupDraft {
        id: None,
        name: "Ukuran".into(),
        min_choices: min,
        max_choices: max,
        options: vec![
            ModifierOptionDraft {
                id: None,
                name: "Regular".into(),
                price_delta: 0,
            },
            ModifierOptionDraft {
                id: None,
                name: "Large".into(),
                price_delta: 5_000,
            },
        ],
    };
    refused(
        &s.kasir,
        |k| {
            k.catalog().save_product(
                &a,
                None,
                draft(s.category, "Es Kopi", 20_000),
                Some(vec![size(2, 1)]),
            )
        },
        |e| matches!(e, Error::Invalid { .. }),
    );
    let made = s
        .kasir
        .catalog()
        .save_product(
            &a,
            None,
            draft(s.category, "Es Kopi", 20_000),
            Some(vec![size(1, 1)]),
        )
        .unwrap();
    assert_eq!(made.modifier_groups.len(), 1);
    let group = &made.modifier_groups[0];
    let mut edit = size(0, 1);
    edit.id = Some(group.id);
    edit.options[1].id = Some(group.options[1].id);
    edit.options[1].price_delta = 6_000;
    edit.options.remove(0);
    let saved = s
        .kasir
        .catalog()
        .save_product(
            &a,
            Some(made.id),
            draft(s.category, "Es Kopi Susu", 21_000),
            Some(vec![edit]),
        )
        .unwrap();
    assert_eq!(saved.name, "Es Kopi Susu");
    assert_eq!(
        saved.modifier_groups[0].id, group.id,
        "the group keeps its id"
    );
    assert_eq!(saved.modifier_groups[0].options.len(), 1);
    assert_eq!(saved.modifier_groups[0].options[0].id, group.options[1].id);
    // Without groups, an edit leaves them as they are.
    let renamed = s
        .kasir
        .catalog()
        .save_product(
            &a,
            Some(made.id),
            draft(s.category, "Es Kopi", 21_000),
            None,
        )
        .unwrap();
    assert_eq!(renamed.modifier_groups, saved.modifier_groups);
}
