//! Every command through Tauri's mock runtime: arguments as the UI sends them (JSON), results
//! and typed errors as the UI receives them.

use std::sync::Arc;

use kasir_app::{AppState, specta_builder};
use serde_json::{Value, json};
use tauri::test::{
    INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets,
};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

struct Harness {
    _app: App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    _dir: tempfile::TempDir,
}

impl Harness {
    /// An app on a fresh data directory; `demo` seeds the demo café (without pictures) first.
    fn new(demo: bool) -> Harness {
        Harness::with_sync(demo, false)
    }

    /// The same, with the background uploader running as in the app.
    fn with_sync(demo: bool, sync: bool) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        if demo {
            let k = kasir_core::Kasir::open(dir.path(), Arc::new(kasir_core::SystemClock)).unwrap();
            kasir_core::demo::seed_demo(&k, false).unwrap();
        }
        let state = AppState::open(dir.path()).unwrap();
        if sync {
            state.start_sync();
        }
        let app = mock_builder()
            .invoke_handler(specta_builder::<MockRuntime>().invoke_handler())
            .manage(state)
            .build(mock_context(noop_assets()))
            .unwrap();
        let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        Harness {
            _app: app,
            webview,
            _dir: dir,
        }
    }

    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.webview, request).map(|body| body.deserialize::<Value>().unwrap())
    }

    #[track_caller]
    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    #[track_caller]
    fn err(&self, cmd: &str, args: Value) -> Value {
        match self.call(cmd, args) {
            Ok(v) => panic!("{cmd} should have failed, gave {v}"),
            Err(e) => e,
        }
    }

    fn staff_id(&self, name: &str) -> Value {
        let staff = self.ok("list_staff", json!({}));
        staff
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .unwrap()["id"]
            .clone()
    }

    fn sign_in(&self, name: &str, pin: &str) -> Value {
        let id = self.staff_id(name);
        self.ok("sign_in", json!({"staffId": id, "pin": pin}))
    }

    fn product_named(&self, text: &str) -> Value {
        self.ok("search_products", json!({"text": text, "limit": 5}))[0].clone()
    }
}

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

/// Sync through the commands, against a real server on a real PostgreSQL: only a manager
/// enrols (checked before the code goes over the network), a bad address and a wrong code are
/// worded errors, and once enrolled the background uploader sends the outbox until nothing
/// waits.
#[test]
fn sync_enrols_and_drains_through_the_commands() {
    let cluster = kasir_testpg::Cluster::start(kasir_testpg::Durability::NoFsync);
    let url = cluster.create_database();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (pool, addr, code) = rt.block_on(async {
        let pool = kasir_server::connect(&url, 4).unwrap();
        kasir_server::migrate(&pool).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(kasir_server::serve(
            listener,
            kasir_server::AppState::new(pool.clone()),
            std::future::pending(),
        ));
        let store = kasir_server::admin::create_store(&pool, "Braga")
            .await
            .unwrap();
        let code =
            kasir_server::admin::enrolment_code(&pool, store, jiff::SignedDuration::from_hours(1))
                .await
                .unwrap();
        (pool, addr, code)
    });
    let server = format!("http://{addr}");
    let h = Harness::with_sync(true, true);

    h.sign_in("Sari", "3333");
    let status = h.ok("sync_status", json!({}));
    assert_eq!(status["enrolled"], false);
    assert!(
        status["pending"].as_i64().unwrap() > 0,
        "the demo's menu waits to be sent"
    );
    let enrol = |url: &str, allow_http: bool, code: &str| {
        h.call(
            "sync_enrol",
            json!({"serverUrl": url, "allowHttp": allow_http, "code": code}),
        )
    };
    assert_eq!(
        enrol(&server, true, &code).unwrap_err(),
        json!({"kind": "forbidden", "data": {"permission": "manage_sync", "role": "cashier", "needs_approval": false}})
    );
    assert_eq!(h.err("sync_now", json!({}))["kind"], "forbidden");

    h.ok("sign_out", json!({}));
    h.sign_in("Budi", "2222");
    assert_eq!(
        enrol(&server, false, &code).unwrap_err(),
        json!({"kind": "sync", "data": {"problem": "address"}})
    );
    assert_eq!(
        enrol(&server, true, "ABCD-EFGH-JKMN").unwrap_err(),
        json!({"kind": "sync", "data": {"problem": "enrolment_refused"}})
    );
    assert_eq!(
        enrol("http://127.0.0.1:9", true, &code).unwrap_err(),
        json!({"kind": "sync", "data": {"problem": "unreachable"}})
    );
    let status = enrol(&server, true, &code).unwrap();
    assert_eq!(status["enrolled"], true);
    assert_eq!(status["store_name"], "Braga");
    assert_eq!(status["server_url"], server);

    // The uploader drains the outbox in the background.
    h.ok("sync_now", json!({}));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let s = h.ok("sync_status", json!({}));
        if s["pending"] == 0 && !s["last_success"].is_null() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "sync did not drain: {s}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let products: i64 = rt.block_on(async {
        let c = pool.get().await.unwrap();
        c.query_one("SELECT count(*) FROM products", &[])
            .await
            .unwrap()
            .get(0)
    });
    assert!(
        products > 10,
        "the demo's menu is on the server: {products}"
    );
}
