//! The audit log viewer: filters by kind, member and days (in the shop's time zone), pages
//! back, and a check that says the chain is intact or where it breaks.

use kasir_core::audit::AuditQuery;
use kasir_core::catalog::{ProductDraft, StockReason};
use kasir_core::{Error, Field};

use crate::helpers::{draft, shop};

#[test]
fn the_viewer_filters_pages_and_checks_the_chain() {
    let s = shop();
    let (m, a) = (s.manager.clone(), s.admin.clone());
    let p = s.product("Croissant", 22_000, Some(10));
    // Day one (2026-11-21 in Jakarta): a price change by the manager.
    s.kasir
        .catalog()
        .update_product(
            &m,
            p.id,
            ProductDraft {
                track_stock: true,
                ..draft(s.category, "Croissant", 24_000)
            },
        )
        .unwrap();
    // Day three: the admin receives stock twice.
    s.clock.advance(jiff::SignedDuration::from_hours(48));
    for _ in 0..2 {
        s.kasir
            .catalog()
            .adjust_stock(&a, p.id, 5, StockReason::Received, "")
            .unwrap();
    }
    let q = |f: AuditQuery| {
        s.kasir
            .audit()
            .search(&m, &AuditQuery { limit: 50, ..f })
            .unwrap()
    };
    let actions =
        |f: AuditQuery| -> Vec<String> { q(f).rows.into_iter().map(|r| r.action).collect() };

    let stock = actions(AuditQuery {
        action: Some("stock_adjusted".into()),
        ..Default::default()
    });
    assert_eq!(stock, ["stock_adjusted", "stock_adjusted"]);
    let by_manager = q(AuditQuery {
        staff: Some(m.id()),
        ..Default::default()
    });
    assert!(
        by_manager.rows.iter().all(|r| r.staff_name == "Budi"),
        "{by_manager:?}"
    );
    assert!(by_manager.rows.iter().any(|r| r.action == "price_changed"));
    let price = &by_manager
        .rows
        .iter()
        .find(|r| r.action == "price_changed")
        .unwrap()
        .detail;
    assert!(
        price.contains("24000") && price.contains("22000"),
        "{price}"
    );
    // Days are the shop's: the 21st holds the price change, the 23rd the deliveries.
    let day = |d: &str| {
        actions(AuditQuery {
            from: Some(d.into()),
            to: Some(d.into()),
            ..Default::default()
        })
    };
    assert!(day("2026-11-21").contains(&"price_changed".to_string()));
    assert!(!day("2026-11-21").contains(&"stock_adjusted".to_string()));
    assert_eq!(day("2026-11-23"), ["stock_adjusted", "stock_adjusted"]);
    assert!(day("2026-11-22").is_empty());
    // Paging back gives every entry once.
    let all = q(AuditQuery::default()).rows;
    let first = s
        .kasir
        .audit()
        .search(
            &m,
            &AuditQuery {
                limit: 2,
                ..Default::default()
            },
        )
        .unwrap();
    assert!(first.more);
    let rest = q(AuditQuery {
        before: Some(first.rows[1].seq),
        ..Default::default()
    });
    let seqs: Vec<i64> = first.rows.iter().chain(&rest.rows).map(|r| r.seq).collect();
    assert_eq!(seqs, all.iter().map(|r| r.seq).collect::<Vec<_>>());
    assert!(
        s.kasir
            .audit()
            .actions(&m)
            .unwrap()
            .contains(&"price_changed".to_string())
    );

    // Bad filters are refused.
    for (bad, field) in [
        (
            AuditQuery {
                from: Some("kemarin".into()),
                ..Default::default()
            },
            Field::From,
        ),
        (
            AuditQuery {
                to: Some("2026-13-40".into()),
                ..Default::default()
            },
            Field::To,
        ),
        (
            AuditQuery {
                action: Some("x".repeat(100)),
                ..Default::default()
            },
            Field::Query,
        ),
    ] {
        let e = s
            .kasir
            .audit()
            .search(&m, &AuditQuery { limit: 10, ..bad })
            .unwrap_err();
        assert!(
            matches!(e, Error::Invalid { field: f, .. } if f == field),
            "{e:?}"
        );
    }
    let e = s
        .kasir
        .audit()
        .search(
            &m,
            &AuditQuery {
                limit: 0,
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(matches!(
        e,
        Error::Invalid {
            field: Field::Limit,
            ..
        }
    ));
    assert!(matches!(
        s.kasir.audit().search(
            &s.cashier,
            &AuditQuery {
                limit: 10,
                ..Default::default()
            }
        ),
        Err(Error::Forbidden { .. })
    ));

    // The check: intact, then broken where an entry was edited around the triggers.
    let check = s.kasir.audit().check(&m).unwrap();
    assert_eq!((check.entries, check.broken_at), (all.len() as i64, None));
    let edited = all[1].seq;
    {
        let conn = s.kasir.connection();
        conn.execute_batch("DROP TRIGGER audit_log_no_update")
            .unwrap();
        conn.execute(
            "UPDATE audit_log SET detail = '{}' WHERE seq = ?1",
            [edited],
        )
        .unwrap();
    }
    assert_eq!(s.kasir.audit().check(&m).unwrap().broken_at, Some(edited));
}
