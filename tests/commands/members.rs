//! Members through the commands: added at the till, found as you type, named on a ticket,
//! credited with points at checkout (the receipt says so); typed errors as the UI gets them.

use serde_json::json;

use crate::Harness;

#[test]
fn a_member_added_at_the_till_earns_points_on_their_sale() {
    let h = Harness::new(true);
    h.sign_in("Sari", "3333");
    h.ok("open_shift", json!({"openingFloat": 500_000}));
    let input = |name: &str, phone: &str| json!({"name": name, "phone": phone, "email": "", "birthday": null, "address": "", "notes": "Tanpa gula"});
    let bad = h.err(
        "add_member",
        json!({"member": input("Dewi", "0812-abc"), "referral": ""}),
    );
    assert_eq!(
        bad,
        json!({"kind": "invalid", "data": {"field": "phone", "rule": {"rule": "phone_format"}}})
    );
    let dewi = h.ok(
        "add_member",
        json!({"member": input("Sekar Ayu", "0811 2222 3333"), "referral": ""}),
    );
    // The demo café has three regulars: the next number is the fourth.
    assert_eq!(dewi["number"], "MEM-T01-000004");
    assert_eq!(dewi["phone"], "081122223333");
    assert_eq!(dewi["tier"], "bronze");
    let twice = h.err(
        "add_member",
        json!({"member": input("Sekar Dua", "+6281122223333"), "referral": ""}),
    );
    assert_eq!(
        twice,
        json!({"kind": "duplicate", "data": {"field": "phone", "value": "081122223333"}})
    );
    let found = h.ok("search_members", json!({"text": "sek", "limit": 10}));
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(
        h.ok("search_members", json!({"text": "08112", "limit": 10}))[0]["id"],
        dewi["id"]
    );

    let ticket = h.ok("open_ticket", json!({"orderType": "takeaway", "label": ""}));
    let product = h.product_named("croissant");
    h.ok(
        "add_to_ticket",
        json!({"ticket": ticket["id"], "line": {"product_id": product["id"], "modifier_ids": [], "note": "", "quantity": 3}}),
    );
    let ticket = h.ok(
        "set_ticket_member",
        json!({"ticket": ticket["id"], "member": dewi["id"]}),
    );
    assert_eq!(ticket["member"]["name"], "Sekar Ayu");
    assert_eq!(ticket["member"]["notes"], "Tanpa gula");
    let due = ticket["totals"]["total"].as_i64().unwrap();
    let order = h.ok(
        "checkout",
        json!({"ticket": ticket["id"], "payments": [{"method": "cash", "amount": due, "reference": null}]}),
    );
    assert_eq!(order["member_id"], dewi["id"]);
    let earned = due / 10_000;
    assert!(earned > 0);
    let now = h.ok("get_member", json!({"id": dewi["id"]}));
    assert_eq!(
        (
            now["points"].as_i64().unwrap(),
            now["visits"].as_i64().unwrap()
        ),
        (earned, 1)
    );
    let receipt = h.ok("receipt", json!({"order": order["id"]}));
    assert_eq!(receipt["receipt"]["member"]["earned"], earned);
    assert!(
        receipt["text_58mm"]
            .as_str()
            .unwrap()
            .contains("MEM-T01-000004")
    );
    let history = h.ok("points_history", json!({"member": dewi["id"], "limit": 10}));
    assert_eq!(history[0]["kind"], "earn");
    assert_eq!(history[0]["receipt_no"], order["receipt_no"]);

    // Points by hand need a manager: the cashier is asked for a PIN.
    let e = h.err(
        "adjust_points",
        json!({"member": dewi["id"], "points": 10, "reason": "Kompensasi", "approval": null}),
    );
    assert_eq!(
        e,
        json!({"kind": "forbidden", "data": {"permission": "adjust_points", "role": "cashier", "needs_approval": true}})
    );
    let approval = json!({"staff_id": h.staff_id("Budi"), "pin": "2222"});
    let adjusted = h.ok(
        "adjust_points",
        json!({"member": dewi["id"], "points": 10, "reason": "Kompensasi", "approval": approval}),
    );
    assert_eq!(adjusted["points"].as_i64().unwrap(), earned + 10);
    let e = h.err(
        "adjust_points",
        json!({"member": dewi["id"], "points": -1000, "reason": "Koreksi", "approval": approval}),
    );
    assert_eq!(
        e["data"]["rule"],
        json!({"rule": "not_enough_points", "held": earned + 10})
    );

    // The programme's settings: anyone reads them, only an admin changes them.
    let settings = h.ok("loyalty_settings", json!({}));
    assert_eq!(settings["earn_per_amount"], 10_000);
    assert_eq!(
        h.err("set_loyalty_settings", json!({"settings": settings}))["kind"],
        "forbidden"
    );
    assert_eq!(
        h.err(
            "set_member_active",
            json!({"id": dewi["id"], "active": false})
        )["kind"],
        "forbidden"
    );
}

#[test]
fn a_sale_paid_with_points_and_the_wallet_through_the_commands() {
    let h = Harness::new(true);
    h.sign_in("Sari", "3333");
    h.ok("open_shift", json!({"openingFloat": 500_000}));
    let dewi = h.ok(
        "add_member",
        json!({"member": {"name": "Dewi", "phone": "", "email": "", "birthday": null, "address": "", "notes": ""}, "referral": ""}),
    );
    let e = h.err(
        "top_up_wallet",
        json!({"member": dewi["id"], "amount": 50_000, "method": "qris", "reference": null}),
    );
    assert_eq!(
        e,
        json!({"kind": "invalid", "data": {"field": "reference", "rule": {"rule": "required"}}})
    );
    let topped = h.ok(
        "top_up_wallet",
        json!({"member": dewi["id"], "amount": 50_000, "method": "cash", "reference": null}),
    );
    assert_eq!(topped["wallet"], 50_000);
    let x = h.ok("x_report", json!({}));
    assert_eq!(x["report"]["cash"]["wallet_top_ups"], 50_000);

    let ticket = h.ok("open_ticket", json!({"orderType": "takeaway", "label": ""}));
    let product = h.product_named("croissant");
    let added = h.ok(
        "add_to_ticket",
        json!({"ticket": ticket["id"], "line": {"product_id": product["id"], "modifier_ids": [], "note": "", "quantity": 1}}),
    );
    let due = added["totals"]["total"].as_i64().unwrap();
    let paying = json!([
        {"method": "wallet", "amount": 10_000, "reference": null},
        {"method": "cash", "amount": due - 10_000, "reference": null}
    ]);
    let e = h.err(
        "checkout",
        json!({"ticket": ticket["id"], "payments": paying}),
    );
    assert_eq!(e["data"]["rule"]["rule"], "needs_member", "{e}");
    let ticket = h.ok(
        "set_ticket_member",
        json!({"ticket": ticket["id"], "member": dewi["id"]}),
    );
    assert_eq!(ticket["member"]["wallet"], 50_000);
    let due = ticket["totals"]["total"].as_i64().unwrap();
    let order = h.ok(
        "checkout",
        json!({"ticket": ticket["id"], "payments": [{"method": "wallet", "amount": due, "reference": null}]}),
    );
    assert_eq!(order["payments"][0]["method"], "wallet");
    let after = h.ok("get_member", json!({"id": dewi["id"]}));
    assert_eq!(after["wallet"].as_i64().unwrap(), 50_000 - due);
    let history = h.ok("wallet_history", json!({"member": dewi["id"], "limit": 10}));
    assert_eq!(history[0]["kind"], "payment");
    assert_eq!(history[1]["kind"], "top_up");
}

#[test]
fn a_review_through_the_commands_shows_on_the_tile() {
    let h = Harness::new(true);
    h.sign_in("Sari", "3333");
    h.ok("open_shift", json!({"openingFloat": 500_000}));
    let dewi = h.ok("search_members", json!({"text": "dewi", "limit": 5}))[0].clone();
    let product = h.product_named("croissant");
    let review = |rating: u8| json!({"member_id": dewi["id"], "product_id": product["id"], "rating": rating, "comment": "Renyah"});
    let e = h.err("write_review", json!({"review": review(5), "photo": null}));
    assert_eq!(e["data"]["rule"]["rule"], "not_bought", "{e}");
    let ticket = h.ok("open_ticket", json!({"orderType": "takeaway", "label": ""}));
    h.ok(
        "add_to_ticket",
        json!({"ticket": ticket["id"], "line": {"product_id": product["id"], "modifier_ids": [], "note": "", "quantity": 1}}),
    );
    let ticket = h.ok(
        "set_ticket_member",
        json!({"ticket": ticket["id"], "member": dewi["id"]}),
    );
    let due = ticket["totals"]["total"].as_i64().unwrap();
    h.ok(
        "checkout",
        json!({"ticket": ticket["id"], "payments": [{"method": "cash", "amount": due, "reference": null}]}),
    );
    let e = h.err("write_review", json!({"review": review(6), "photo": null}));
    assert_eq!(e["data"]["field"], "rating");
    let e = h.err(
        "write_review",
        json!({"review": review(5), "photo": "bm90IGEgcGljdHVyZQ=="}),
    );
    assert_eq!(e["data"]["field"], "image", "{e}");
    let saved = h.ok("write_review", json!({"review": review(4), "photo": null}));
    assert_eq!(saved["rating"], 4);
    let offered = h.ok("reviewable_products", json!({"member": dewi["id"]}));
    assert_eq!(offered[0]["rating"], 4);
    let card = h.product_named("croissant");
    assert_eq!(
        (card["rating_total"].as_i64(), card["ratings"].as_i64()),
        (Some(4), Some(1))
    );
    assert_eq!(
        h.err(
            "set_review_hidden",
            json!({"id": saved["id"], "hidden": true})
        )["kind"],
        "forbidden"
    );
}
