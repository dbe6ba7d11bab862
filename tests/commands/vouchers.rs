//! Vouchers through the commands: a demo regular buys one with her points and uses it on her
//! ticket; a refusal as the UI gets it; the catalogue is changed only by a manager.

use serde_json::json;

use crate::Harness;

#[test]
fn a_regular_buys_a_voucher_and_uses_it_on_her_ticket() {
    let h = Harness::new(true);
    h.sign_in("Sari", "3333");
    h.ok("open_shift", json!({"openingFloat": 500_000}));
    let dewi = h.ok("search_members", json!({"text": "dewi", "limit": 5}))[0].clone();
    let points = dewi["points"].as_i64().unwrap();
    let vouchers = h.ok("list_vouchers", json!({}));
    let find = |name: &str| {
        vouchers
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == name)
            .unwrap()
            .clone()
    };
    let potongan = find("Potongan Rp 15.000");
    let saldo = find("Saldo Rp 25.000");
    assert!(points < saldo["points_cost"].as_i64().unwrap());
    let e = h.err(
        "redeem_voucher",
        json!({"member": dewi["id"], "voucher": saldo["id"]}),
    );
    assert_eq!(
        e,
        json!({"kind": "invalid", "data": {"field": "points", "rule": {"rule": "not_enough_points", "held": points}}})
    );
    let r = h.ok(
        "redeem_voucher",
        json!({"member": dewi["id"], "voucher": potongan["id"]}),
    );
    assert_eq!(r["status"], "pending");
    assert_eq!(r["code"], "V-T01-000001");

    let ticket = h.ok("open_ticket", json!({"orderType": "takeaway", "label": ""}));
    let croissant = h.product_named("croissant");
    h.ok(
        "add_to_ticket",
        json!({"ticket": ticket["id"], "line": {"product_id": croissant["id"], "modifier_ids": [], "note": "", "quantity": 2}}),
    );
    // Not hers without her on the ticket.
    let e = h.err(
        "set_ticket_voucher",
        json!({"ticket": ticket["id"], "redemption": r["id"]}),
    );
    assert_eq!(e["data"]["rule"], json!({"rule": "needs_member"}));
    h.ok(
        "set_ticket_member",
        json!({"ticket": ticket["id"], "member": dewi["id"]}),
    );
    let t = h.ok(
        "set_ticket_voucher",
        json!({"ticket": ticket["id"], "redemption": r["id"]}),
    );
    assert_eq!(t["totals"]["voucher_discount"], 15_000);
    let due = t["totals"]["total"].as_i64().unwrap();
    let order = h.ok(
        "checkout",
        json!({"ticket": ticket["id"], "payments": [{"method": "cash", "amount": due, "reference": null}]}),
    );
    assert_eq!(order["voucher_discount"], 15_000);
    let mine = h.ok("member_redemptions", json!({"member": dewi["id"]}));
    assert_eq!(mine[0]["status"], "used");
    assert_eq!(mine[0]["order_id"], order["id"]);
    // The catalogue is a manager's.
    let input = json!({"name": "Gratis", "reward": {"kind": "cashback_points", "points": 10}, "points_cost": 50,
        "stock": null, "valid_from": null, "valid_until": null, "active": true});
    assert_eq!(
        h.err("create_voucher", json!({"voucher": input}))["kind"],
        "forbidden"
    );
    h.sign_in("Budi", "2222");
    let made = h.ok("create_voucher", json!({"voucher": input}));
    assert_eq!(made["status"], "active");
}
