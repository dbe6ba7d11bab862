//! The cashier's commands: first run, signing in, the menu, a whole sale, tickets.

use serde_json::{Value, json};

use crate::Harness;

#[test]
fn first_run_setup() {
    let h = Harness::new(false);
    let status = h.ok("app_status", json!({}));
    assert_eq!(status["needs_setup"], true);
    assert_eq!(status["signed_in"], Value::Null);
    let setup = json!({"setup": {"shop_name": "Warung Senja", "currency": "IDR", "minor_unit": 0, "locale": "id-ID",
        "time_zone": "Asia/Jakarta", "admin_name": "Rina", "pin": "12"}});
    assert_eq!(
        h.err("set_up_shop", setup.clone()),
        json!({"kind": "invalid", "data": {"field": "pin", "rule": {"rule": "pin_digits", "min": 4, "max": 8}}})
    );
    let mut good = setup.clone();
    good["setup"]["pin"] = json!("2580");
    let admin = h.ok("set_up_shop", good.clone());
    assert_eq!(admin["role"], "admin");
    assert_eq!(admin["name"], "Rina");
    let status = h.ok("app_status", json!({}));
    assert_eq!(status["needs_setup"], false);
    assert_eq!(status["signed_in"]["name"], "Rina");
    assert_eq!(status["settings"]["shop_name"], "Warung Senja");
    assert_eq!(
        h.err("set_up_shop", good),
        json!({"kind": "already_set_up"})
    );
    assert_eq!(
        h.err("load_demo", json!({})),
        json!({"kind": "already_set_up"})
    );
}

#[test]
fn load_demo_seeds_the_cafe_with_pictures() {
    let h = Harness::new(false);
    h.ok("load_demo", json!({}));
    let names: Vec<String> = h
        .ok("list_staff", json!({}))
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["Ayu", "Budi", "Dewi", "Sari"]);
    h.sign_in("Sari", "3333");
    let kopi = h.product_named("kopi susu gula");
    assert!(kopi["image_id"].is_string(), "demo products have pictures");
}

#[test]
fn sign_in_and_out() {
    let h = Harness::new(true);
    // signed out: every use case refuses with a typed error
    let e = h.err("list_categories", json!({}));
    assert_eq!(e, json!({"kind": "signed_out"}));
    let id = h.staff_id("Sari");
    assert_eq!(
        h.err("sign_in", json!({"staffId": id, "pin": "0000"})),
        json!({"kind": "wrong_pin", "data": {"attempts_left": 4}})
    );
    let unknown = h.err(
        "sign_in",
        json!({"staffId": "01900000-0000-7000-8000-000000000000", "pin": "1111"}),
    );
    assert_eq!(
        unknown,
        json!({"kind": "not_found", "data": {"entity": "staff_member"}})
    );
    let bad_id = h.call("sign_in", json!({"staffId": "not-a-uuid", "pin": "1111"}));
    assert!(bad_id.is_err(), "malformed ids are refused before the core");
    let sari = h.ok("sign_in", json!({"staffId": id, "pin": "3333"}));
    assert_eq!(sari["role"], "cashier");
    assert_eq!(h.ok("app_status", json!({}))["signed_in"]["name"], "Sari");
    h.ok("sign_out", json!({}));
    assert_eq!(
        h.err("list_tickets", json!({})),
        json!({"kind": "signed_out"})
    );
    for left in (1..5).rev() {
        assert_eq!(
            h.err("sign_in", json!({"staffId": id, "pin": "9999"}))["data"]["attempts_left"],
            left
        );
    }
    assert_eq!(
        h.err("sign_in", json!({"staffId": id, "pin": "9999"}))["kind"],
        "locked_out"
    );
    assert_eq!(
        h.err("sign_in", json!({"staffId": id, "pin": "3333"}))["kind"],
        "locked_out"
    );
}

#[test]
fn menu_commands() {
    let h = Harness::new(true);
    h.sign_in("Sari", "3333");
    let cats = h.ok("list_categories", json!({}));
    assert_eq!(cats.as_array().unwrap().len(), 7);
    let first = cats[0]["id"].clone();
    let page = h.ok("list_products", json!({"query": {"category": first, "sort": "price_asc", "offset": 0, "limit": 50, "include_inactive": false}}));
    let prices: Vec<i64> = page
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["price"].as_i64().unwrap())
        .collect();
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "{prices:?}");
    assert!(
        page.as_array()
            .unwrap()
            .iter()
            .all(|p| p["name"] != "Kopi Rempah Musiman"),
        "inactive never shown"
    );
    let all = json!({"query": {"category": null, "sort": "name", "offset": 0, "limit": 50, "include_inactive": true}});
    assert_eq!(
        h.err("list_products", all),
        json!({"kind": "forbidden", "data": {"permission": "manage_catalog", "role": "cashier", "needs_approval": false}})
    );
    assert_eq!(h.err("list_products", json!({"query": {"category": null, "sort": "name", "offset": 0, "limit": 0, "include_inactive": false}}))["data"]["field"], "limit");
    let hits = h.ok("search_products", json!({"text": "croiss", "limit": 10}));
    assert_eq!(hits[0]["name"], "Croissant");
    assert!(
        h.ok("search_products", json!({"text": "\"(NEAR*", "limit": 10}))
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        h.err(
            "search_products",
            json!({"text": "x".repeat(1000), "limit": 10})
        )["data"]["field"],
        "query"
    );
    let product = h.ok("product", json!({"id": hits[0]["id"]}));
    assert_eq!(product["stock"], 18);
    let water = h.ok("product_by_barcode", json!({"code": "8990000000035"}));
    assert_eq!(water["name"], "Air Mineral 600ml");
    assert_eq!(
        h.err("product_by_barcode", json!({"code": "000"}))["kind"],
        "not_found"
    );
    let cheesecake = h.product_named("cheesecake");
    assert_eq!(cheesecake["available"], false);
    assert_eq!(cheesecake["stock_level"], "out");
}

#[test]
fn a_whole_sale_through_the_commands() {
    let h = Harness::new(true);
    h.sign_in("Sari", "3333");
    let ticket = h.ok(
        "open_ticket",
        json!({"orderType": "dine_in", "label": "Meja 4"}),
    );
    let tid = ticket["id"].clone();
    let kopi = h.ok(
        "product",
        json!({"id": h.product_named("kopi susu gula")["id"]}),
    );
    let large = kopi["modifier_groups"][0]["options"][1]["id"].clone();
    let sugar = kopi["modifier_groups"][2]["options"][0]["id"].clone();
    let missing = h.err("add_to_ticket", json!({"ticket": tid, "line": {"product_id": kopi["id"], "modifier_ids": [large], "note": "", "quantity": 1}}));
    assert_eq!(missing["kind"], "invalid");
    assert_eq!(missing["data"]["field"], "modifiers");
    assert_eq!(missing["data"]["rule"]["rule"], "choices");
    let t = h.ok("add_to_ticket", json!({"ticket": tid, "line": {"product_id": kopi["id"], "modifier_ids": [large, sugar], "note": "es sedikit", "quantity": 2}}));
    assert_eq!(t["lines"][0]["unit_price"], 30_000);
    assert_eq!(t["totals"]["subtotal"], 60_000);
    let croissant = h.product_named("croissant");
    let t = h.ok("add_to_ticket", json!({"ticket": tid, "line": {"product_id": croissant["id"], "modifier_ids": [], "note": "", "quantity": 1}}));
    let line = t["lines"][1]["id"].clone();
    let t = h.ok(
        "set_line_quantity",
        json!({"ticket": tid, "line": line, "quantity": 2}),
    );
    assert_eq!(t["lines"][1]["quantity"], 2);
    assert_eq!(
        h.err(
            "set_line_quantity",
            json!({"ticket": tid, "line": line, "quantity": 0})
        )["data"]["field"],
        "quantity"
    );
    let short = h.err(
        "set_line_quantity",
        json!({"ticket": tid, "line": line, "quantity": 19}),
    );
    assert_eq!(
        short,
        json!({"kind": "insufficient_stock", "data": {"product": "Croissant", "available": 18, "requested": 19}})
    );
    let t = h.ok(
        "set_ticket_info",
        json!({"id": tid, "orderType": "takeaway", "label": "Andi"}),
    );
    assert_eq!(t["order_type"], "takeaway");

    // a cashier's discount needs a manager
    let discount = json!({"kind": "percent", "value": 1000});
    let e = h.err(
        "set_order_discount",
        json!({"ticket": tid, "discount": discount, "approval": null}),
    );
    assert_eq!(
        e,
        json!({"kind": "forbidden", "data": {"permission": "discount", "role": "cashier", "needs_approval": true}})
    );
    let wrong = json!({"staff_id": h.staff_id("Budi"), "pin": "0000"});
    assert_eq!(
        h.err(
            "set_order_discount",
            json!({"ticket": tid, "discount": discount, "approval": wrong})
        )["kind"],
        "wrong_pin"
    );
    let approval = json!({"staff_id": h.staff_id("Budi"), "pin": "2222"});
    let t = h.ok(
        "set_order_discount",
        json!({"ticket": tid, "discount": discount, "approval": approval}),
    );
    // 60.000 + 44.000 = 104.000; -10% = 93.600; service 4.680; tax 9.828; 108.108 -> 108.100
    assert_eq!(t["totals"]["order_discount"], 10_400);
    assert_eq!(t["totals"]["total"], 108_100);

    // Selling needs the till's shift open (the default): the sale is refused until one is.
    let pay = json!({"ticket": tid, "payments": [{"method": "cash", "amount": 200_000, "reference": null}]});
    assert_eq!(h.err("checkout", pay), json!({"kind": "no_open_shift"}));
    let shift = h.ok("open_shift", json!({"openingFloat": 500_000}));
    assert_eq!(shift["opening_float"], 500_000);
    assert_eq!(
        h.err("open_shift", json!({"openingFloat": 0}))["kind"],
        "shift_already_open"
    );
    let under = h.err("checkout", json!({"ticket": tid, "payments": [{"method": "cash", "amount": 100_000, "reference": null}]}));
    assert_eq!(
        under,
        json!({"kind": "underpaid", "data": {"due": 108_100, "paid": 100_000}})
    );
    let order = h.ok(
        "checkout",
        json!({"ticket": tid, "payments": [
            {"method": "qris", "amount": 8_100, "reference": "QR-1"},
            {"method": "cash", "amount": 150_000, "reference": null}
        ]}),
    );
    assert_eq!(order["receipt_no"], "T01-000001");
    assert_eq!(order["change"], 50_000);
    assert_eq!(order["status"], "pending");
    let receipt = h.ok("receipt", json!({"order": order["id"]}));
    assert!(
        receipt["text_58mm"]
            .as_str()
            .unwrap()
            .contains("Kembali                   50.000")
    );
    assert!(
        receipt["text_80mm"]
            .as_str()
            .unwrap()
            .lines()
            .any(|l| l.chars().count() == 48)
    );
    assert_eq!(h.err("ticket", json!({"id": tid}))["kind"], "not_found");

    let board = h.ok("orders_today", json!({}));
    assert_eq!(board[0]["receipt_no"], "T01-000001");
    let made = &board[0]["lines"];
    assert_eq!(
        made.as_array().map(Vec::len),
        order["lines"].as_array().map(Vec::len)
    );
    assert_eq!(made[0]["name"], order["lines"][0]["product_name"]);
    assert_eq!(made[0]["quantity"], order["lines"][0]["quantity"]);
    assert!(made[0]["modifiers"].is_array() && made[0]["note"].is_string());
    assert_eq!(
        h.err(
            "advance_order",
            json!({"order": order["id"], "to": "completed"})
        ),
        json!({"kind": "invalid_transition", "data": {"from": "pending", "to": "completed"}})
    );
    let moved = h.ok(
        "advance_order",
        json!({"order": order["id"], "to": "preparing"}),
    );
    assert_eq!(moved["status"], "preparing");
    let e = h.err(
        "cancel_order",
        json!({"order": order["id"], "reason": "salah", "approval": null}),
    );
    assert_eq!(e["data"]["needs_approval"], true);
    let cancelled = h.ok(
        "cancel_order",
        json!({"order": order["id"], "reason": "salah pesan", "approval": approval}),
    );
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(
        h.ok("product", json!({"id": croissant["id"]}))["stock"],
        18,
        "stock came back"
    );
}

#[test]
fn tickets_park_resume_discard() {
    let h = Harness::new(true);
    h.sign_in("Dewi", "4444");
    let a = h.ok(
        "open_ticket",
        json!({"orderType": "dine_in", "label": "Meja 1"}),
    );
    let water = h.ok("product_by_barcode", json!({"code": "8990000000035"}));
    h.ok("add_to_ticket", json!({"ticket": a["id"], "line": {"product_id": water["id"], "modifier_ids": [], "note": "", "quantity": 3}}));
    let parked = h.ok("set_ticket_parked", json!({"id": a["id"], "parked": true}));
    assert_eq!(parked["parked"], true);
    let b = h.ok("open_ticket", json!({"orderType": "pickup", "label": ""}));
    let list = h.ok("list_tickets", json!({}));
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|t| t["parked"] == true && t["items"] == 3)
    );
    let t = h.ok(
        "remove_line",
        json!({"ticket": a["id"], "line": parked["lines"][0]["id"]}),
    );
    assert!(t["lines"].as_array().unwrap().is_empty());
    h.ok("discard_ticket", json!({"id": b["id"]}));
    assert_eq!(
        h.err("discard_ticket", json!({"id": b["id"]}))["kind"],
        "not_found"
    );
    let empty = h.err("checkout", json!({"ticket": a["id"], "payments": []}));
    assert_eq!(empty, json!({"kind": "empty_ticket"}));
    assert_eq!(
        h.err(
            "open_ticket",
            json!({"orderType": "dine_in", "label": "x".repeat(100)})
        )["data"]["field"],
        "label"
    );
    let with_line = h.ok("add_to_ticket", json!({"ticket": a["id"], "line": {"product_id": water["id"], "modifier_ids": [], "note": "", "quantity": 1}}));
    let line = with_line["lines"][0]["id"].clone();
    let pct = json!({"kind": "percent", "value": 500});
    assert_eq!(
        h.err(
            "set_line_discount",
            json!({"ticket": a["id"], "line": line, "discount": pct, "approval": null})
        )["kind"],
        "forbidden"
    );
    h.ok(
        "sign_in",
        json!({"staffId": h.staff_id("Budi"), "pin": "2222"}),
    );
    // Dewi's ticket: the manager signed in at her till takes it over before changing it.
    assert_eq!(
        h.err(
            "set_line_discount",
            json!({"ticket": a["id"], "line": line, "discount": pct, "approval": null})
        ),
        json!({"kind": "ticket_of_another", "data": {"owner": "Dewi"}})
    );
    let taken = h.ok("take_over_ticket", json!({"id": a["id"]}));
    assert_eq!(taken["staff_name"], "Budi");
    let t = h.ok(
        "set_line_discount",
        json!({"ticket": a["id"], "line": line, "discount": pct, "approval": null}),
    );
    assert_eq!(t["lines"][0]["totals"]["line_discount"], 300);
}

#[test]
fn start_up_milestones_are_accepted_and_bad_times_refused() {
    let h = Harness::new(false);
    let marks = json!({"marks": [
        {"name": "kasir:script", "at_unix_ms": 1_795_246_555_437.5},
        {"name": format!("kasir:{}\n\u{1b}[31m", "x".repeat(10_000)), "at_unix_ms": 1_795_246_555_533.0},
    ]});
    assert_eq!(h.ok("report_startup", marks), Value::Null);
    let bad = h.err(
        "report_startup",
        json!({"marks": [{"name": "kasir:login-ready", "at_unix_ms": -1.0}]}),
    );
    assert_eq!(bad["kind"], "internal");
}

/// Signing out puts the member's tickets aside in the core, so whoever signs in next finds
/// them parked under their owner's name and starts afresh.
#[test]
fn signing_out_parks_the_members_tickets() {
    let h = Harness::new(true);
    h.sign_in("Dewi", "4444");
    let t = h.ok(
        "open_ticket",
        json!({"orderType": "dine_in", "label": "Meja 3"}),
    );
    let water = h.ok("product_by_barcode", json!({"code": "8990000000035"}));
    h.ok("add_to_ticket", json!({"ticket": t["id"], "line": {"product_id": water["id"], "modifier_ids": [], "note": "", "quantity": 1}}));
    h.ok("sign_out", json!({}));
    h.sign_in("Budi", "2222");
    let list = h.ok("list_tickets", json!({}));
    let mine = &list.as_array().unwrap()[0];
    assert_eq!(
        (&mine["parked"], &mine["staff_name"]),
        (&json!(true), &json!("Dewi"))
    );
}
