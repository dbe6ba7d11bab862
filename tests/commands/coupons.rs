//! Coupons through the commands: the demo café's coupons at the till, a refusal with its
//! reason as the UI gets it, the use on the receipt, a manager's catalogue and usage list, a
//! cashier kept out of it.

use serde_json::json;

use crate::Harness;

#[test]
fn a_coupon_typed_at_the_till_takes_its_discount_and_is_listed_as_used() {
    let h = Harness::new(true);
    h.sign_in("Sari", "3333");
    h.ok("open_shift", json!({"openingFloat": 500_000}));
    let ticket = h.ok("open_ticket", json!({"orderType": "takeaway", "label": ""}));
    let kopi = h.ok(
        "product",
        json!({"id": h.product_named("kopi susu gula aren")["id"]}),
    );
    let size = kopi["modifier_groups"][0]["options"][0]["id"].clone();
    let sugar = kopi["modifier_groups"][2]["options"][0]["id"].clone();
    let t = h.ok(
        "add_to_ticket",
        json!({"ticket": ticket["id"], "line": {"product_id": kopi["id"], "modifier_ids": [size, sugar], "note": "", "quantity": 1}}),
    );
    let price = t["lines"][0]["unit_price"].as_i64().unwrap();
    assert!(price < 50_000);
    // One coffee is below HEMAT20's minimum: refused with the minimum, ticket unchanged.
    let e = h.err(
        "set_ticket_coupon",
        json!({"ticket": ticket["id"], "code": "hemat20"}),
    );
    assert_eq!(
        e,
        json!({"kind": "invalid", "data": {"field": "coupon", "rule": {"rule": "minimum_not_reached", "minimum": 50_000}}})
    );
    let e = h.err(
        "set_ticket_coupon",
        json!({"ticket": ticket["id"], "code": "TIDAKADA"}),
    );
    assert_eq!(e["kind"], "not_found");
    assert_eq!(e["data"]["entity"], "coupon");
    // The new members' coupon needs a member on the ticket.
    let e = h.err(
        "set_ticket_coupon",
        json!({"ticket": ticket["id"], "code": "MEMBERBARU"}),
    );
    assert_eq!(e["data"]["rule"], json!({"rule": "needs_member"}));
    // Three coffees: buy 2 get 1 takes one off.
    let t = h.ok(
        "add_to_ticket",
        json!({"ticket": ticket["id"], "line": {"product_id": kopi["id"], "modifier_ids": [size, sugar], "note": "", "quantity": 2}}),
    );
    assert!(t["coupon"].is_null());
    let t = h.ok(
        "set_ticket_coupon",
        json!({"ticket": ticket["id"], "code": "kopi2gratis1"}),
    );
    assert_eq!(t["coupon"]["code"], "KOPI2GRATIS1");
    assert!(t["coupon"]["refusal"].is_null());
    assert_eq!(t["totals"]["coupon_discount"], price);
    let due = t["totals"]["total"].as_i64().unwrap();
    let order = h.ok(
        "checkout",
        json!({"ticket": ticket["id"], "payments": [{"method": "cash", "amount": due, "reference": null}]}),
    );
    assert_eq!(order["coupon_code"], "KOPI2GRATIS1");
    assert_eq!(order["coupon_discount"], price);
    let receipt = h.ok("receipt", json!({"order": order["id"]}));
    assert!(
        receipt["text_58mm"]
            .as_str()
            .unwrap()
            .contains("KOPI2GRATIS1")
    );

    // The catalogue is a manager's.
    assert_eq!(h.err("list_coupons", json!({}))["kind"], "forbidden");
    h.sign_in("Budi", "2222");
    let coupons = h.ok("list_coupons", json!({}));
    let used = coupons
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "KOPI2GRATIS1")
        .unwrap();
    assert_eq!(
        (used["used"].as_i64(), used["status"].as_str()),
        (Some(1), Some("active"))
    );
    let uses = h.ok("coupon_uses", json!({"id": used["id"], "limit": 10}));
    assert_eq!(uses[0]["receipt_no"], order["receipt_no"]);
    let input = json!({
        "code": "ulang tahun", "name": "Ulang tahun", "rule": {"kind": "amount", "amount": 5000},
        "min_order": 0, "usage_limit": null, "per_member_limit": 1, "customer_group": "all",
        "valid_from": "2099-12-10", "valid_until": "2099-12-01", "active": true
    });
    let e = h.err("create_coupon", json!({"coupon": input}));
    assert_eq!(e["data"]["field"], "code");
    let mut input = input;
    input["code"] = json!("ULTAH");
    let e = h.err("create_coupon", json!({"coupon": input}));
    assert_eq!(
        e,
        json!({"kind": "invalid", "data": {"field": "valid_dates", "rule": {"rule": "dates_out_of_order"}}})
    );
    input["valid_until"] = json!("2099-12-31");
    let made = h.ok("create_coupon", json!({"coupon": input}));
    assert_eq!(
        (made["code"].as_str(), made["status"].as_str()),
        (Some("ULTAH"), Some("scheduled"))
    );
}
