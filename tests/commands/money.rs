//! The drawer and refunds through the commands: a shift opened, a sale, a refund approved by a
//! manager's PIN, cash out, the X and Z reports; who may do what.

use serde_json::json;

use crate::Harness;

#[test]
fn a_shift_a_sale_a_refund_and_the_close_through_the_commands() {
    let h = Harness::new(true);
    h.sign_in("Sari", "3333");
    assert_eq!(h.ok("current_shift", json!({})), json!(null));
    assert_eq!(
        h.err("x_report", json!({})),
        json!({"kind": "no_open_shift"})
    );
    let bad = h.err("open_shift", json!({"openingFloat": -1}));
    assert_eq!(bad["data"]["field"], "float");
    let shift = h.ok("open_shift", json!({"openingFloat": 500_000}));
    assert_eq!(h.ok("current_shift", json!({}))["id"], shift["id"]);

    let ticket = h.ok("open_ticket", json!({"orderType": "takeaway", "label": ""}));
    let product = h.product_named("croissant");
    let ticket = h.ok(
        "add_to_ticket",
        json!({"ticket": ticket["id"], "line": {"product_id": product["id"], "modifier_ids": [], "note": "", "quantity": 2}}),
    );
    let due = ticket["totals"]["total"].as_i64().unwrap();
    let order = h.ok(
        "checkout",
        json!({"ticket": ticket["id"], "payments": [{"method": "cash", "amount": due, "reference": null}]}),
    );
    let found = h.ok("find_order", json!({"receiptNo": " t01-000001 "}));
    assert_eq!(found["id"], order["id"]);
    assert_eq!(
        h.err("find_order", json!({"receiptNo": "T01-424242"}))["kind"],
        "not_found"
    );
    let open = h.ok("refundable_order", json!({"order": order["id"]}));
    assert_eq!(open["lines"][0]["left"], 2);
    let lines = json!([{"line": 0, "quantity": 1, "restock": true}]);
    let quote = h.ok(
        "quote_refund",
        json!({"order": order["id"], "lines": lines}),
    );
    assert_eq!(quote["total"].as_i64().unwrap() * 2, due);

    // A cashier's refund needs a manager's PIN.
    let request = json!({"order_id": order["id"], "lines": lines, "reason": "Gosong", "method": "cash", "reference": null});
    let e = h.err("refund", json!({"request": request, "approval": null}));
    assert_eq!(
        e,
        json!({"kind": "forbidden", "data": {"permission": "refund", "role": "cashier", "needs_approval": true}})
    );
    let wrong = json!({"staff_id": h.staff_id("Budi"), "pin": "0000"});
    assert_eq!(
        h.err("refund", json!({"request": request, "approval": wrong}))["kind"],
        "wrong_pin"
    );
    let approval = json!({"staff_id": h.staff_id("Budi"), "pin": "2222"});
    let refund = h.ok("refund", json!({"request": request, "approval": approval}));
    assert_eq!(refund["refund_no"], "T01-R000001");
    assert_eq!(refund["approved_by"], "Budi");
    let too_many = json!({"order_id": order["id"], "lines": [{"line": 0, "quantity": 2, "restock": true}], "reason": "Lagi", "method": "cash", "reference": null});
    let e = h.err("refund", json!({"request": too_many, "approval": approval}));
    assert_eq!(e["data"]["rule"]["rule"], "refund_exceeds_sold");
    assert_eq!(e["data"]["rule"]["left"], 1);

    // Cash out needs the PIN too; the X report counts everything so far.
    assert_eq!(
        h.err(
            "move_cash",
            json!({"direction": "out", "amount": 35_000, "reason": "Es batu", "approval": null})
        )["kind"],
        "forbidden"
    );
    h.ok(
        "move_cash",
        json!({"direction": "out", "amount": 35_000, "reason": "Es batu", "approval": approval}),
    );
    let x = h.ok("x_report", json!({}));
    let expected = 500_000 + due - refund["total"].as_i64().unwrap() - 35_000;
    assert_eq!(x["report"]["cash"]["expected"], expected);
    assert_eq!(x["report"]["kind"], "X");
    assert!(x["text_58mm"].as_str().unwrap().contains("LAPORAN X"));

    let notes = h.ok("cash_denominations", json!({}));
    assert_eq!(notes[0], 100_000);
    let count = json!({"kind": "denominations", "counts": [{"value": 100_000, "count": 5}]});
    let z = h.ok("close_shift", json!({"count": count, "note": ""}));
    assert_eq!(z["report"]["kind"], "Z");
    assert_eq!(z["report"]["shift"]["z_no"], 1);
    assert_eq!(z["report"]["cash"]["variance"], 500_000 - expected);
    assert!(z["text_80mm"].as_str().unwrap().contains("LAPORAN Z #1"));
    let negative = json!({"kind": "denominations", "counts": [{"value": 100_000, "count": -1}]});
    assert_eq!(
        h.err("close_shift", json!({"count": count, "note": ""})),
        json!({"kind": "no_open_shift"}),
        "closed already"
    );

    // Past shifts are for managers.
    assert_eq!(
        h.err("shift_history", json!({"limit": 10}))["kind"],
        "forbidden"
    );
    h.ok("sign_out", json!({}));
    h.sign_in("Budi", "2222");
    let history = h.ok("shift_history", json!({"limit": 10}));
    assert_eq!(history[0]["z_no"], 1);
    let again = h.ok("shift_report", json!({"shift": history[0]["id"]}));
    assert_eq!(again["report"]["cash"]["counted"], 500_000);
    h.ok("open_shift", json!({"openingFloat": 300_000}));
    let e = h.err("close_shift", json!({"count": negative, "note": ""}));
    assert_eq!(e["data"]["field"], "count");
    assert_eq!(e["data"]["rule"]["rule"], "negative");
}

#[test]
fn the_sales_report_through_the_commands() {
    let h = Harness::new(true);
    h.sign_in("Sari", "3333");
    h.ok("open_shift", json!({"openingFloat": 0}));
    let ticket = h.ok("open_ticket", json!({"orderType": "takeaway", "label": ""}));
    let product = h.product_named("croissant");
    let ticket = h.ok(
        "add_to_ticket",
        json!({"ticket": ticket["id"], "line": {"product_id": product["id"], "modifier_ids": [], "note": "", "quantity": 2}}),
    );
    let due = ticket["totals"]["total"].as_i64().unwrap();
    h.ok(
        "checkout",
        json!({"ticket": ticket["id"], "payments": [{"method": "cash", "amount": due, "reference": null}]}),
    );
    assert_eq!(
        h.err("sales_report", json!({"range": {"kind": "today"}}))["kind"],
        "forbidden"
    );
    h.ok("sign_out", json!({}));
    h.sign_in("Budi", "2222");
    let r = h.ok("sales_report", json!({"range": {"kind": "today"}}));
    assert_eq!(r["totals"]["orders"], 1);
    assert_eq!(r["totals"]["sales"], due);
    assert_eq!(r["by_product"][0]["quantity"], 2);
    assert_eq!(r["by_hour"].as_array().map(Vec::len), Some(24));
    let bad = h.err(
        "sales_report",
        json!({"range": {"kind": "custom", "from": "2026-12-05", "to": "2026-12-01"}}),
    );
    assert_eq!(bad["data"]["field"], "to");
}
