//! Printing through the commands, with the app's print thread running and a fake network
//! printer: a manager sets the printer up, a cash sale prints the drawer's kick and its
//! receipt by itself, asking again prints a copy, a cashier is kept out of the printers.

use std::time::{Duration, Instant};

use kasir_print::fake::FakePrinter;
use kasir_print::{CodePage, decode};
use serde_json::json;

use crate::Harness;

/// Waits (at most 10 s) until the printer holds `n` jobs.
fn printed(printer: &FakePrinter, n: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let jobs = printer.jobs();
        if jobs.len() >= n || Instant::now() > deadline {
            return jobs.iter().map(|j| decode(j, CodePage::Pc858)).collect();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_cash_sale_prints_by_itself_and_a_reprint_is_a_copy() {
    let printer = FakePrinter::start().unwrap();
    let h = Harness::with_printing(true);
    h.sign_in("Budi", "2222");
    let bad = h.err(
        "save_printer",
        json!({"id": null, "printer": {"name": "Kasir", "connection": "network", "address": "kasir printer",
            "paper_mm": 58, "code_page": "PC858", "role": "receipt", "auto_receipt": true, "drawer": true,
            "ask_status": true, "active": true}}),
    );
    assert_eq!(
        bad,
        json!({"kind": "invalid", "data": {"field": "address", "rule": {"rule": "printer_address"}}})
    );
    let saved = h.ok(
        "save_printer",
        json!({"id": null, "printer": {"name": "Kasir", "connection": "network",
            "address": format!("127.0.0.1:{}", printer.port()), "paper_mm": 58, "code_page": "PC858",
            "role": "receipt", "auto_receipt": true, "drawer": true, "ask_status": true, "active": true}}),
    );
    assert_eq!(saved["drawer"], true);
    assert_eq!(
        h.ok("test_printer", json!({"id": saved["id"]}))["printed"],
        true
    );
    assert!(printed(&printer, 1)[0].contains("TES PRINTER"));

    h.sign_in("Sari", "3333");
    assert_eq!(h.err("list_printers", json!({}))["kind"], "forbidden");
    h.ok("open_shift", json!({"openingFloat": 500_000}));
    let ticket = h.ok("open_ticket", json!({"orderType": "takeaway", "label": ""}));
    let croissant = h.product_named("croissant");
    let t = h.ok(
        "add_to_ticket",
        json!({"ticket": ticket["id"], "line": {"product_id": croissant["id"], "modifier_ids": [], "note": "", "quantity": 1}}),
    );
    let due = t["totals"]["total"].as_i64().unwrap();
    let order = h.ok(
        "checkout",
        json!({"ticket": ticket["id"], "payments": [{"method": "cash", "amount": due, "reference": null}]}),
    );
    let jobs = printed(&printer, 3);
    assert_eq!(jobs.len(), 3, "{jobs:#?}");
    assert!(jobs[1].contains("[drawer pin 2 on 50 ms off 500 ms]"));
    assert!(jobs[2].contains(order["receipt_no"].as_str().unwrap()));
    assert!(!jobs[2].contains("SALINAN"));
    assert_eq!(h.ok("print_receipt", json!({"order": order["id"]})), 1);
    let jobs = printed(&printer, 4);
    assert!(jobs[3].contains("*** SALINAN ***"), "{}", jobs[3]);
    // Marked printed once the printer answered after the job.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut status = h.ok("print_status", json!({}));
    while status["waiting"] != 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        status = h.ok("print_status", json!({}));
    }
    assert_eq!(status, json!({"printers": 1, "waiting": 0, "failing": 0}));
}
