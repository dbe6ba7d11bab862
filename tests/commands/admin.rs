//! Admin mode's commands: categories, products, stock, the menu file, settings, staff.

use serde_json::{Value, json};

use crate::Harness;

/// Admin mode's categories: a cashier is refused every one of them; a manager adds, renames,
/// deactivates and reorders, and the till's menu follows.
#[test]
fn category_commands() {
    let h = Harness::new(true);
    h.sign_in("Sari", "3333");
    let forbidden = json!({"kind": "forbidden", "data": {"permission": "manage_catalog", "role": "cashier", "needs_approval": false}});
    let draft = json!({"draft": {"name": "Musiman", "sort_order": 5, "active": true}});
    assert_eq!(h.err("list_all_categories", json!({})), forbidden);
    assert_eq!(h.err("create_category", draft.clone()), forbidden);
    assert_eq!(h.err("reorder_categories", json!({"order": []})), forbidden);
    h.ok("sign_out", json!({}));
    h.sign_in("Budi", "2222");
    let all = h.ok("list_all_categories", json!({}));
    assert_eq!(all.as_array().unwrap().len(), 7);
    let made = h.ok("create_category", draft);
    assert_eq!(made["name"], "Musiman");
    let bad = h.err(
        "create_category",
        json!({"draft": {"name": "  ", "sort_order": 0, "active": true}}),
    );
    assert_eq!(
        (bad["kind"].as_str(), bad["data"]["field"].as_str()),
        (Some("invalid"), Some("name"))
    );
    let hidden = h.ok(
        "update_category",
        json!({"id": made["id"], "draft": {"name": "Musiman (off)", "sort_order": 5, "active": false}}),
    );
    assert_eq!(hidden["active"], false);
    // Off the till's tabs, still in admin mode's list.
    let tabs = h.ok("list_categories", json!({}));
    assert!(
        tabs.as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != made["id"])
    );
    let last = all.as_array().unwrap().last().unwrap()["id"].clone();
    let order = h.ok(
        "reorder_categories",
        json!({"order": [last.clone(), made["id"].clone()]}),
    );
    assert_eq!(order[0]["id"], last);
    assert_eq!(order[1]["id"], made["id"]);
    assert_eq!(order.as_array().unwrap().len(), 8);
    assert_eq!(h.ok("list_categories", json!({}))[0]["id"], last);
}

/// Admin mode's products: a cashier is refused the table and the form; a manager pages and
/// filters the table, saves a product with a field error first, and moves products in bulk.
#[test]
fn product_commands() {
    let h = Harness::new(true);
    h.sign_in("Sari", "3333");
    let query = json!({"query": {"text": "", "category": null, "active": null, "available": null,
        "featured": null, "stock": "any", "sort": "name", "descending": false, "offset": 0, "limit": 5}});
    assert_eq!(h.err("product_table", query.clone())["kind"], "forbidden");
    h.ok("sign_out", json!({}));
    h.sign_in("Budi", "2222");
    let page = h.ok("product_table", query.clone());
    assert_eq!(page["rows"].as_array().unwrap().len(), 5);
    let total = page["total"].as_u64().unwrap();
    assert!(total > 20, "the demo menu: {total}");
    let mut low = query.clone();
    low["query"]["stock"] = json!("low");
    low["query"]["limit"] = json!(100);
    let low = h.ok("product_table", low);
    assert!(
        low["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["stock_level"] != "ok" && r["stock_level"] != "untracked"),
        "{low}"
    );
    let category = h.ok("list_all_categories", json!({}))[1]["id"].clone();
    let draft = json!({"category_id": category, "name": "Es Kopi Pandan", "description": "",
        "price": 27_000, "track_stock": true, "initial_stock": 12, "low_stock_warning": 5,
        "low_stock_critical": 2, "active": true, "barcode": "899777", "featured": true, "tags": ["baru"]});
    let mut bad = draft.clone();
    bad["price"] = json!(-1);
    let err = h.err("create_product", json!({"draft": bad}));
    assert_eq!(
        (err["kind"].as_str(), err["data"]["field"].as_str()),
        (Some("invalid"), Some("price"))
    );
    assert_eq!(
        h.ok("product_table", query.clone())["total"]
            .as_u64()
            .unwrap(),
        total
    );
    let made = h.ok("create_product", json!({"draft": draft.clone()}));
    assert_eq!(
        (made["stock"].as_i64(), made["featured"].as_bool()),
        (Some(12), Some(true))
    );
    let mut dup = draft.clone();
    dup["name"] = json!("Another");
    let err = h.err("create_product", json!({"draft": dup}));
    assert_eq!(
        (err["kind"].as_str(), err["data"]["field"].as_str()),
        (Some("duplicate"), Some("barcode"))
    );
    let mut cheaper = draft.clone();
    cheaper["price"] = json!(25_000);
    let saved = h.ok(
        "update_product",
        json!({"id": made["id"], "draft": cheaper}),
    );
    assert_eq!(saved["price"], 25_000);
    let mut found = query.clone();
    found["query"]["text"] = json!("899777");
    let found = h.ok("product_table", found);
    assert_eq!(found["total"], 1);
    assert_eq!(found["rows"][0]["price"], 25_000);
    let other = h.ok("list_all_categories", json!({}))[2]["id"].clone();
    assert_eq!(
        h.ok(
            "move_products",
            json!({"ids": [made["id"]], "category": other})
        ),
        1
    );
    assert_eq!(
        h.ok(
            "set_products_active",
            json!({"ids": [made["id"]], "active": false})
        ),
        1
    );
    let p = h.ok("product", json!({"id": made["id"]}));
    assert_eq!(
        (p["category_id"].clone(), p["active"].as_bool()),
        (other, Some(false))
    );
}

/// Stock in admin mode: a cashier is refused; a manager's delivery and count land in the
/// ledger with their balances, a count below the critical level raises an alert and a
/// notification (the badges say so), and resolving it clears the alert badge.
#[test]
fn stock_commands() {
    let h = Harness::new(true);
    h.sign_in("Budi", "2222");
    let category = h.ok("list_all_categories", json!({}))[0]["id"].clone();
    let made = h.ok(
        "create_product",
        json!({"draft": {"category_id": category, "name": "Roti Sobek", "description": "",
            "price": 15_000, "track_stock": true, "initial_stock": 10, "low_stock_warning": 5,
            "low_stock_critical": 2, "active": true, "barcode": null, "featured": false, "tags": []}}),
    );
    let id = made["id"].clone();
    h.ok("sign_out", json!({}));
    h.sign_in("Sari", "3333");
    let delivery = json!({"id": id, "delta": 6, "reason": "received", "note": "pagi"});
    assert_eq!(h.err("adjust_stock", delivery.clone())["kind"], "forbidden");
    assert_eq!(
        h.ok("badges", json!({})),
        json!({"unread": 0, "open_alerts": 0})
    );
    h.ok("sign_out", json!({}));
    h.sign_in("Budi", "2222");
    // The demo café opens with one alert of its own (a product made with little stock).
    let base = h.ok("badges", json!({}));
    let (unread, open) = (
        base["unread"].as_u64().unwrap(),
        base["open_alerts"].as_u64().unwrap(),
    );
    assert_eq!(h.ok("adjust_stock", delivery)["stock"], 16);
    let bad = h.err(
        "adjust_stock",
        json!({"id": id, "delta": 3, "reason": "waste", "note": ""}),
    );
    assert_eq!(
        (bad["kind"].as_str(), bad["data"]["field"].as_str()),
        (Some("invalid"), Some("delta"))
    );
    let counted = h.ok(
        "count_stock",
        json!({"lines": [{"product_id": id, "counted": 1}], "note": "opname"}),
    );
    assert_eq!(counted[0]["delta"], -15);
    let ledger = h.ok(
        "stock_history",
        json!({"id": id, "before": null, "limit": 10}),
    );
    let rows: Vec<(String, i64, i64)> = ledger["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["reason"].as_str().unwrap().to_string(),
                e["delta"].as_i64().unwrap(),
                e["balance"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("counted".to_string(), -15, 1),
            ("received".to_string(), 6, 16),
            ("initial".to_string(), 10, 10)
        ]
    );
    assert_eq!(
        h.ok("badges", json!({})),
        json!({"unread": unread + 1, "open_alerts": open + 1})
    );
    let alerts = h.ok("stock_alerts", json!({"resolvedToo": false}));
    let alerts: Vec<&serde_json::Value> = alerts
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["product_name"] == "Roti Sobek")
        .collect();
    assert_eq!(
        (alerts[0]["level"].as_str(), alerts[0]["stock_now"].as_i64()),
        (Some("critical"), Some(1))
    );
    h.ok("resolve_alert", json!({"id": alerts[0]["id"]}));
    let notices = h.ok("notices", json!({}));
    assert_eq!(notices[0]["detail"]["product_name"], "Roti Sobek");
    assert_eq!(
        h.ok("mark_notices_read", json!({"id": null})),
        json!(unread + 1)
    );
    assert_eq!(
        h.ok("badges", json!({})),
        json!({"unread": 0, "open_alerts": open})
    );
}

/// The menu as CSV through the commands: export writes a file with a BOM and `;` (the demo
/// shop is Indonesian); a preview of a file with two bad rows lists them and changes
/// nothing; importing the export back changes nothing; a cashier is refused.
#[test]
fn menu_csv_commands() {
    let h = Harness::new(true);
    h.sign_in("Sari", "3333");
    assert_eq!(h.err("export_menu_csv", json!({}))["kind"], "forbidden");
    h.ok("sign_out", json!({}));
    h.sign_in("Budi", "2222");
    let path = h.ok("export_menu_csv", json!({}));
    let bytes = std::fs::read(path.as_str().unwrap()).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.starts_with("id;category;name;"), "{}", &text[..60]);
    let products = text.lines().count() - 1;
    let report = h.ok("import_menu_csv", json!({"text": text}));
    assert_eq!(report["unchanged"], products);
    assert_eq!(
        (report["created"].as_u64(), report["updated"].as_u64()),
        (Some(0), Some(0))
    );
    let bad = "category;name;price\nKopi;Es Baru;20000\nKopi;;1000\nKopi;Mahal;abc\n";
    let preview = h.ok("preview_menu_import", json!({"text": bad}));
    let lines: Vec<u64> = preview["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 4]);
    assert_eq!(
        preview["problems"][1]["rule"],
        json!({"rule": "unreadable", "expected": "amount"})
    );
    assert_eq!(preview["created"], 1);
    assert_eq!(
        h.ok(
            "product_table",
            json!({"query": {"text": "es baru", "limit": 5, "offset": 0}})
        )["total"],
        0,
        "a preview writes nothing"
    );
    let wrong = h.err(
        "preview_menu_import",
        json!({"text": "nama;harga\nKopi;1\n"}),
    );
    assert_eq!(
        (wrong["kind"].as_str(), wrong["data"]["field"].as_str()),
        (Some("invalid"), Some("file"))
    );
}

/// Settings are an admin's: a manager is refused; an admin's bad field comes back named and
/// changes nothing; a good change is read back by app_status.
#[test]
fn settings_commands() {
    let h = Harness::new(true);
    h.sign_in("Budi", "2222");
    let settings = h.ok("app_status", json!({}))["settings"].clone();
    assert_eq!(
        h.err("update_settings", json!({"settings": settings.clone()}))["data"]["permission"],
        "manage_settings"
    );
    h.ok("sign_out", json!({}));
    h.sign_in("Ayu", "1111");
    let mut bad = settings.clone();
    bad["tax_rate_bp"] = json!(90_000);
    let err = h.err("update_settings", json!({"settings": bad}));
    assert_eq!(
        (err["kind"].as_str(), err["data"]["field"].as_str()),
        (Some("invalid"), Some("tax_rate"))
    );
    assert_eq!(h.ok("app_status", json!({}))["settings"], settings);
    let mut good = settings.clone();
    good["receipt_footer"] = json!("Sampai jumpa lagi!");
    good["tax_rate_bp"] = json!(1_100);
    let saved = h.ok("update_settings", json!({"settings": good}));
    assert_eq!(saved["tax_rate_bp"], 1_100);
    assert_eq!(
        h.ok("app_status", json!({}))["settings"]["receipt_footer"],
        "Sampai jumpa lagi!"
    );
}

/// Staff in admin mode: a cashier is refused the list; a manager adds a cashier but not a
/// manager, sees and clears a lock-out, and renames; the last admin cannot be demoted; every
/// member changes their own PIN with the current one.
#[test]
fn staff_commands() {
    let h = Harness::new(true);
    h.sign_in("Sari", "3333");
    assert_eq!(h.err("staff_accounts", json!({}))["kind"], "forbidden");
    assert_eq!(
        h.err(
            "change_own_pin",
            json!({"current": "0000", "newPin": "5555"})
        ),
        json!({"kind": "wrong_pin", "data": {"attempts_left": 4}})
    );
    h.ok(
        "change_own_pin",
        json!({"current": "3333", "newPin": "5555"}),
    );
    h.ok("sign_out", json!({}));
    let dewi = h.staff_id("Dewi");
    for _ in 0..5 {
        let _ = h.call("sign_in", json!({"staffId": dewi, "pin": "0000"}));
    }

    h.sign_in("Budi", "2222");
    let accounts = h.ok("staff_accounts", json!({}));
    let locked: Vec<&Value> = accounts
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| !a["locked_until"].is_null())
        .collect();
    assert_eq!(locked.len(), 1);
    assert_eq!(locked[0]["name"], "Dewi");
    h.ok("clear_lockout", json!({"id": dewi}));
    assert!(
        h.ok("staff_accounts", json!({}))
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["locked_until"].is_null())
    );

    assert_eq!(
        h.err(
            "create_staff",
            json!({"name": " ", "role": "cashier", "pin": "1234"})
        )["data"]["field"],
        "name"
    );
    assert_eq!(
        h.err(
            "create_staff",
            json!({"name": "Rudi", "role": "cashier", "pin": "12"})
        )["data"]["field"],
        "pin"
    );
    assert_eq!(
        h.err(
            "create_staff",
            json!({"name": "Rudi", "role": "manager", "pin": "1234"})
        )["kind"],
        "forbidden"
    );
    let rudi = h.ok(
        "create_staff",
        json!({"name": "Rudi", "role": "cashier", "pin": "1234"}),
    );
    let renamed = h.ok(
        "update_staff",
        json!({"id": rudi["id"], "update": {"name": "Rudi Hartono", "role": null, "active": null, "pin": null}}),
    );
    assert_eq!(renamed["name"], "Rudi Hartono");
    h.ok(
        "update_staff",
        json!({"id": rudi["id"], "update": {"name": null, "role": null, "active": false, "pin": null}}),
    );
    assert!(
        !h.ok("list_staff", json!({}))
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["name"] == "Rudi Hartono"),
        "a deactivated member is off the login screen"
    );
    h.ok("sign_out", json!({}));

    h.sign_in("Ayu", "1111");
    let ayu = h.staff_id("Ayu");
    assert_eq!(
        h.err(
            "update_staff",
            json!({"id": ayu, "update": {"name": null, "role": "manager", "active": null, "pin": null}})
        ),
        json!({"kind": "invalid", "data": {"field": "role", "rule": {"rule": "last_admin"}}})
    );
    // Sari's new PIN works; the old one no longer does.
    h.ok("sign_out", json!({}));
    assert_eq!(h.sign_in("Sari", "5555")["name"], "Sari");
}

/// Backups through the commands: a cashier is refused; a manager chooses a folder and backs
/// up, but may not restore; an admin prepares a restore (the plan names the sale made after
/// the backup), confirms it, and the next start applies it and says so once.
#[test]
fn backup_commands() {
    let h = Harness::new(true);
    let folder = tempfile::tempdir().unwrap();
    let folder_path = folder.path().display().to_string();
    h.sign_in("Sari", "3333");
    assert_eq!(h.err("backup_status", json!({}))["kind"], "forbidden");
    h.ok("sign_out", json!({}));

    h.sign_in("Budi", "2222");
    assert_eq!(
        h.err("back_up_now", json!({})),
        json!({"kind": "invalid", "data": {"field": "folder", "rule": {"rule": "no_folder"}}})
    );
    assert_eq!(
        h.err(
            "configure_backups",
            json!({"settings": {"folder": "/no/such/stick", "keep": 5, "daily": true}})
        )["data"]["field"],
        "folder"
    );
    let status = h.ok(
        "configure_backups",
        json!({"settings": {"folder": folder_path, "keep": 5, "daily": true}}),
    );
    assert_eq!(status["due"], true);
    assert!(h.ok("backup_places", json!({})).is_array());
    let made = h.ok("back_up_now", json!({}));
    assert_eq!(made["terminal"], "T01");
    let listed = h.ok("list_backups", json!({"folder": folder_path}));
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(h.ok("backup_status", json!({}))["last_path"], made["path"]);
    assert_eq!(
        h.err("prepare_restore", json!({"path": made["path"]}))["kind"],
        "forbidden"
    );
    h.ok("sign_out", json!({}));

    // A sale after the backup, then the admin restores.
    h.sign_in("Sari", "3333");
    h.ok("open_shift", json!({"openingFloat": 0}));
    let ticket = h.ok("open_ticket", json!({"orderType": "takeaway", "label": ""}));
    let product = h.product_named("croissant");
    let ticket = h.ok(
        "add_to_ticket",
        json!({"ticket": ticket["id"], "line": {"product_id": product["id"], "modifier_ids": [], "note": "", "quantity": 1}}),
    );
    let due = ticket["totals"]["total"].clone();
    let order = h.ok(
        "checkout",
        json!({"ticket": ticket["id"], "payments": [{"method": "cash", "amount": due, "reference": null}]}),
    );
    h.ok("sign_out", json!({}));
    h.sign_in("Ayu", "1111");
    assert_eq!(
        h.err("restart_to_restore", json!({}))["data"]["rule"]["rule"],
        "no_restore_pending"
    );
    let plan = h.ok("prepare_restore", json!({"path": made["path"]}));
    assert_eq!(plan["lost_sales"], 1);
    assert_eq!(plan["first_lost_receipt"], order["receipt_no"]);
    assert_eq!(plan["unsent_kept"], plan["later_changes"]);
    assert_eq!(
        h.ok("backup_status", json!({}))["pending_restore"]["lost_sales"],
        1
    );
    h.ok("confirm_restore", json!({}));
    // No window to restart in the tests: the command is accepted, and the restart is ours.
    h.ok("restart_to_restore", json!({}));

    let h = h.restart();
    let status = h.ok("app_status", json!({}));
    assert_eq!(status["restored_from"], made["path"]);
    assert_eq!(
        h.ok("app_status", json!({}))["restored_from"],
        json!(null),
        "said once"
    );
    h.sign_in("Sari", "3333");
    let orders = h.ok("orders_today", json!({}));
    assert!(
        !orders
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["receipt_no"] == order["receipt_no"]),
        "the sale after the backup left this till's history"
    );
}

/// Pictures through the commands: a cashier is refused; a manager adds two (base64), the
/// first is the cover the till shows; reorders and removes; text that is not base64, a file
/// that is not a picture, and a stranger's id are refused with their field.
#[test]
fn picture_commands() {
    use base64::Engine;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let h = Harness::new(true);
    h.sign_in("Budi", "2222");
    let product = h.product_named("croissant");
    let id = product["id"].clone();
    let first = h.ok(
        "add_product_picture",
        json!({"id": id, "data": b64(&kasir_core::demo::demo_picture([200, 120, 40], 1))}),
    );
    let both = h.ok(
        "add_product_picture",
        json!({"id": id, "data": b64(&kasir_core::demo::demo_picture([40, 120, 200], 2))}),
    );
    assert_eq!(both[0], first[0]);
    assert_eq!(both.as_array().unwrap().len(), 2);
    assert_eq!(
        h.product_named("croissant")["image_id"],
        first[0],
        "the cover is the first"
    );
    for (data, rule) in [
        ("not base64 at all!".to_string(), "image_unreadable"),
        (b64(b"hello, not a picture"), "image_format"),
    ] {
        assert_eq!(
            h.err("add_product_picture", json!({"id": id, "data": data}))["data"]["rule"]["rule"],
            rule
        );
    }
    let swapped = json!([both[1], both[0]]);
    assert_eq!(
        h.ok(
            "arrange_product_pictures",
            json!({"id": id, "order": swapped})
        ),
        swapped
    );
    assert_eq!(h.product_named("croissant")["image_id"], both[1]);
    assert_eq!(
        h.err(
            "arrange_product_pictures",
            json!({"id": id, "order": ["01900000-0000-7000-8000-000000000000"]})
        )["data"]["field"],
        "image"
    );
    h.ok(
        "arrange_product_pictures",
        json!({"id": id, "order": [both[1]]}),
    );
    assert_eq!(
        h.ok("product_pictures", json!({"id": id})),
        json!([both[1]])
    );
    h.ok("sign_out", json!({}));
    h.sign_in("Sari", "3333");
    assert_eq!(
        h.err("product_pictures", json!({"id": id}))["kind"],
        "forbidden"
    );
}
