//! The wire, pinned: the JSON of every outbox kind. A change here is a change of what a
//! server receives: renaming a field in the core or the UI can never change it silently.
//! Update deliberately with `UPDATE_EXPECT=1 cargo test -p kasir-proto`.

use expect_test::{Expect, expect};
use kasir_proto::*;
use uuid::Uuid;

fn id(n: u8) -> Uuid {
    Uuid::from_bytes([
        0x01, 0x90, 0xf1, 0xc2, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, n,
    ])
}

fn at() -> jiff::Timestamp {
    "2026-11-21T03:00:05.1Z".parse().unwrap()
}

fn envelope(seq: i64, payload: Payload) -> Envelope {
    Envelope {
        v: VERSION,
        id: id(100 + seq as u8),
        terminal: "T01".into(),
        seq,
        created_at: at(),
        payload,
    }
}

fn check(e: &Envelope, expected: Expect) {
    let json = serde_json::to_string_pretty(e).unwrap();
    expected.assert_eq(&json);
    // What goes out comes back the same, and the kind and body stored apart rebuild it.
    let back: Envelope = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, e);
    let body: serde_json::Value = serde_json::from_str(&e.payload.body_json().unwrap()).unwrap();
    assert_eq!(
        Payload::from_kind(e.payload.kind(), &body).unwrap(),
        e.payload
    );
    assert_eq!(
        Payload::from_kind_str(e.payload.kind(), &e.payload.body_json().unwrap()).unwrap(),
        e.payload
    );
    assert_eq!(
        Payload::from_parts(e.payload.kind(), body).unwrap(),
        e.payload
    );
}

fn sale() -> Sale {
    Sale {
        order: Order {
            id: id(1),
            receipt_no: "T01-000042".into(),
            terminal: "T01".into(),
            staff_id: id(2),
            staff_name: "Sari".into(),
            order_type: OrderType::DineIn,
            label: "Meja 4".into(),
            status: OrderStatus::Pending,
            subtotal: 50_000,
            order_discount: 0,
            service: 2_500,
            tax: 5_250,
            rounding: 50,
            total: 57_800,
            paid: 60_000,
            change: 2_200,
            tax_rate_bp: 1_000,
            service_rate_bp: 500,
            prices_include_tax: false,
            currency: "IDR".into(),
            minor_unit: 0,
            discount_approved_by: None,
            shift_id: None,
            member_id: None,
            delivery_address: None,
            business_date: "2026-11-21".parse().unwrap(),
            created_at: at(),
            lines: vec![OrderLine {
                product_id: id(3),
                product_name: "Kopi Susu".into(),
                category_name: "Kopi".into(),
                base_price: 20_000,
                unit_price: 25_000,
                modifiers: vec![ChosenModifier {
                    option_id: id(4),
                    group: "Size".into(),
                    option: "Large".into(),
                    price_delta: 5_000,
                }],
                note: "less ice".into(),
                quantity: 2,
                gross: 50_000,
                line_discount: 0,
                order_discount: 0,
                service: 2_500,
                tax: 5_250,
                total: 57_750,
            }],
            payments: vec![Payment {
                method: PaymentMethod::Cash,
                amount: 57_800,
                tendered: 60_000,
                change: 2_200,
                reference: None,
            }],
        },
        stock_movements: vec![StockTaken {
            product_id: id(3),
            quantity: 2,
        }],
    }
}

/// One example of every kind, in [`Payload::KINDS`] order.
fn examples() -> Vec<Payload> {
    vec![
        Payload::Sale(sale()),
        Payload::OrderStatus(OrderStatusChanged {
            order_id: id(1),
            status: OrderStatus::Ready,
            at: at(),
        }),
        Payload::OrderCancelled(OrderCancelled {
            order_id: id(1),
            receipt_no: "T01-000042".into(),
            reason: "salah pesan".into(),
            cancelled_by: id(2),
            approved_by: Some(id(5)),
            at: at(),
            stock_returned: vec![],
        }),
        Payload::StockAdjusted(StockAdjusted {
            product_id: id(3),
            delta: -2,
            reason: "waste".into(),
            note: "jatuh".into(),
            stock_after: Some(8),
            staff_id: id(5),
            at: at(),
        }),
        Payload::CategoryUpserted(Category {
            id: id(6),
            name: "Kopi".into(),
            sort_order: 1,
            active: true,
        }),
        Payload::ProductUpserted(Product {
            id: id(3),
            category_id: id(6),
            name: "Kopi Susu".into(),
            description: String::new(),
            price: 20_000,
            stock: None,
            low_stock_warning: None,
            low_stock_critical: None,
            active: true,
            barcode: Some("899100".into()),
            featured: true,
            tags: vec!["vegan".into()],
            image_id: None,
            pictures: vec![],
            modifier_groups: vec![ModifierGroup {
                id: id(7),
                name: "Size".into(),
                min_choices: 1,
                max_choices: 1,
                options: vec![ModifierOption {
                    id: id(4),
                    name: "Large".into(),
                    price_delta: 5_000,
                }],
            }],
        }),
        Payload::StaffUpserted(StaffMember {
            id: id(8),
            name: "Sari".into(),
            role: "cashier".into(),
            active: true,
            pin_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        }),
        Payload::SettingsChanged(ShopSettings {
            shop_name: "Kopi Kenangan Senja".into(),
            shop_address: "Jl. Braga 12, Bandung".into(),
            currency: "IDR".into(),
            minor_unit: 0,
            locale: "id-ID".into(),
            time_zone: "Asia/Jakarta".into(),
            tax_rate_bp: 1_100,
            service_rate_bp: 500,
            prices_include_tax: false,
            cash_rounding: 100,
            receipt_header: "Selamat datang".into(),
            receipt_footer: "Terima kasih".into(),
            tax_number: "01.234.567.8-901.000".into(),
            auto_lock_minutes: 10,
            require_open_shift: true,
            initial: false,
        }),
        Payload::ShiftOpened(ShiftOpened {
            id: id(20),
            terminal: "T01".into(),
            opened_by: id(2),
            opened_by_name: "Sari".into(),
            opened_at: at(),
            business_date: "2026-11-21".parse().unwrap(),
            opening_float: 500_000,
        }),
        Payload::CashMoved(CashMoved {
            id: id(21),
            shift_id: id(20),
            direction: CashDirection::Out,
            amount: 35_000,
            reason: "Es batu".into(),
            staff_id: id(2),
            approved_by: Some(id(9)),
            at: at(),
        }),
        Payload::ShiftClosed(ShiftClosed {
            id: id(20),
            terminal: "T01".into(),
            z_no: 12,
            closed_by: id(2),
            closed_at: at(),
            business_date: "2026-11-21".parse().unwrap(),
            counted: 1_234_000,
            expected: 1_235_500,
            variance: -1_500,
            note: String::new(),
        }),
        Payload::Refund(Refund {
            id: id(22),
            refund_no: "T01-R000003".into(),
            order_id: id(1),
            terminal: "T01".into(),
            shift_id: Some(id(20)),
            staff_id: id(2),
            staff_name: "Sari".into(),
            approved_by: Some(id(9)),
            reason: "Salah pesan".into(),
            gross: 20_000,
            discount: 0,
            service: 1_000,
            tax: 2_100,
            rounding: 0,
            total: 23_100,
            business_date: "2026-11-21".parse().unwrap(),
            created_at: at(),
            lines: vec![RefundLine {
                order_line: 0,
                product_id: id(3),
                product_name: "Kopi Susu".into(),
                quantity: 1,
                gross: 20_000,
                line_discount: 0,
                order_discount: 0,
                service: 1_000,
                tax: 2_100,
                total: 23_100,
                restock: false,
                stock_returned: false,
            }],
            payments: vec![RefundPayment {
                method: PaymentMethod::Cash,
                amount: 23_100,
                reference: None,
            }],
        }),
        Payload::MemberUpserted(Member {
            id: id(30),
            number: "MEM-T01-000123".into(),
            name: "Dewi Lestari".into(),
            phone: Some("081234567890".into()),
            email: Some("dewi@example.com".into()),
            birthday: Some("1994-05-17".parse().unwrap()),
            address: "Jl. Kemang Raya 12".into(),
            notes: "Alergi kacang".into(),
            active: true,
            referral_code: "DEWI7Q2".into(),
            referred_by: Some(id(31)),
            created_at: at(),
            updated_at: at(),
        }),
        Payload::PointsEntry(PointsEntry {
            id: id(32),
            member_id: id(30),
            kind: PointsKind::Earn,
            points: 9,
            order_id: Some(id(1)),
            refund_id: None,
            reason: String::new(),
            staff_id: Some(id(2)),
            at: at(),
        }),
        Payload::WalletEntry(WalletEntry {
            id: id(33),
            member_id: id(30),
            kind: WalletKind::TopUp,
            amount: 100_000,
            method: Some(PaymentMethod::Cash),
            reference: None,
            order_id: None,
            refund_id: None,
            shift_id: Some(id(20)),
            reason: String::new(),
            staff_id: Some(id(2)),
            at: at(),
        }),
        Payload::ReviewUpserted(Review {
            id: id(34),
            member_id: id(30),
            product_id: id(3),
            rating: 5,
            comment: "Kopinya pas".into(),
            image_id: Some("0190f1c2-0000-7000-8000-000000000023".into()),
            hidden: false,
            at: at(),
        }),
        Payload::CouponUpserted(Coupon {
            id: id(40),
            code: "HEMAT20".into(),
            name: "20% off, at most Rp 15.000".into(),
            rule: CouponRule::Percent {
                bp: 2000,
                cap: Some(15_000),
            },
            min_order: 50_000,
            usage_limit: Some(100),
            per_member_limit: Some(1),
            customer_group: "all".into(),
            valid_from: Some("2026-11-01".into()),
            valid_until: Some("2026-12-31".into()),
            active: true,
            at: at(),
        }),
        Payload::CouponUse(CouponUse {
            id: id(41),
            coupon_id: id(40),
            order_id: id(1),
            member_id: Some(id(30)),
            discount: 10_000,
            used_at: at(),
            given_back_at: None,
        }),
        Payload::VoucherUpserted(Voucher {
            id: id(42),
            name: "Gratis 1 kue".into(),
            reward: Reward::Freebie { product_id: id(3) },
            points_cost: 200,
            stock: Some(49),
            valid_from: None,
            valid_until: Some("2026-12-31".into()),
            active: true,
            at: at(),
            stock_set_at: Some(at()),
        }),
        Payload::Redemption(Redemption {
            id: id(43),
            code: "V-T01-000001".into(),
            voucher_id: id(42),
            member_id: id(30),
            points: 200,
            status: "used".into(),
            order_id: Some(id(1)),
            at: at(),
        }),
        Payload::OrderSentOut(OrderSentOut {
            order_id: id(1),
            at: at(),
        }),
    ]
}

#[test]
fn every_kind_has_an_example() {
    let kinds: Vec<&str> = examples().iter().map(Payload::kind).collect();
    assert_eq!(kinds, Payload::KINDS);
}

fn example(kind: &str) -> Envelope {
    let (i, payload) = examples()
        .into_iter()
        .enumerate()
        .find(|(_, p)| p.kind() == kind)
        .unwrap();
    envelope(i as i64 + 1, payload)
}

#[test]
fn snapshot_sale() {
    check(
        &example("sale"),
        expect![[r#"
            {
              "v": 1,
              "id": "0190f1c2-0000-7000-8000-000000000065",
              "terminal": "T01",
              "seq": 1,
              "created_at": "2026-11-21T03:00:05.1Z",
              "kind": "sale",
              "payload": {
                "order": {
                  "id": "0190f1c2-0000-7000-8000-000000000001",
                  "receipt_no": "T01-000042",
                  "terminal": "T01",
                  "staff_id": "0190f1c2-0000-7000-8000-000000000002",
                  "staff_name": "Sari",
                  "order_type": "dine_in",
                  "label": "Meja 4",
                  "status": "pending",
                  "subtotal": 50000,
                  "order_discount": 0,
                  "service": 2500,
                  "tax": 5250,
                  "rounding": 50,
                  "total": 57800,
                  "paid": 60000,
                  "change": 2200,
                  "tax_rate_bp": 1000,
                  "service_rate_bp": 500,
                  "prices_include_tax": false,
                  "currency": "IDR",
                  "minor_unit": 0,
                  "discount_approved_by": null,
                  "business_date": "2026-11-21",
                  "created_at": "2026-11-21T03:00:05.1Z",
                  "lines": [
                    {
                      "product_id": "0190f1c2-0000-7000-8000-000000000003",
                      "product_name": "Kopi Susu",
                      "category_name": "Kopi",
                      "base_price": 20000,
                      "unit_price": 25000,
                      "modifiers": [
                        {
                          "option_id": "0190f1c2-0000-7000-8000-000000000004",
                          "group": "Size",
                          "option": "Large",
                          "price_delta": 5000
                        }
                      ],
                      "note": "less ice",
                      "quantity": 2,
                      "gross": 50000,
                      "line_discount": 0,
                      "order_discount": 0,
                      "service": 2500,
                      "tax": 5250,
                      "total": 57750
                    }
                  ],
                  "payments": [
                    {
                      "method": "cash",
                      "amount": 57800,
                      "tendered": 60000,
                      "change": 2200,
                      "reference": null
                    }
                  ]
                },
                "stock_movements": [
                  {
                    "product_id": "0190f1c2-0000-7000-8000-000000000003",
                    "quantity": 2
                  }
                ]
              }
            }"#]],
    );
}

#[test]
fn snapshot_order_status() {
    check(
        &example("order_status"),
        expect![[r#"
        {
          "v": 1,
          "id": "0190f1c2-0000-7000-8000-000000000066",
          "terminal": "T01",
          "seq": 2,
          "created_at": "2026-11-21T03:00:05.1Z",
          "kind": "order_status",
          "payload": {
            "order_id": "0190f1c2-0000-7000-8000-000000000001",
            "status": "ready",
            "at": "2026-11-21T03:00:05.1Z"
          }
        }"#]],
    );
}

#[test]
fn snapshot_order_cancelled() {
    check(
        &example("order_cancelled"),
        expect![[r#"
        {
          "v": 1,
          "id": "0190f1c2-0000-7000-8000-000000000067",
          "terminal": "T01",
          "seq": 3,
          "created_at": "2026-11-21T03:00:05.1Z",
          "kind": "order_cancelled",
          "payload": {
            "order_id": "0190f1c2-0000-7000-8000-000000000001",
            "receipt_no": "T01-000042",
            "reason": "salah pesan",
            "cancelled_by": "0190f1c2-0000-7000-8000-000000000002",
            "approved_by": "0190f1c2-0000-7000-8000-000000000005",
            "at": "2026-11-21T03:00:05.1Z",
            "stock_returned": []
          }
        }"#]],
    );
}

#[test]
fn snapshot_stock_adjusted() {
    check(
        &example("stock_adjusted"),
        expect![[r#"
        {
          "v": 1,
          "id": "0190f1c2-0000-7000-8000-000000000068",
          "terminal": "T01",
          "seq": 4,
          "created_at": "2026-11-21T03:00:05.1Z",
          "kind": "stock_adjusted",
          "payload": {
            "product_id": "0190f1c2-0000-7000-8000-000000000003",
            "delta": -2,
            "reason": "waste",
            "note": "jatuh",
            "stock_after": 8,
            "staff_id": "0190f1c2-0000-7000-8000-000000000005",
            "at": "2026-11-21T03:00:05.1Z"
          }
        }"#]],
    );
}

#[test]
fn snapshot_category_upserted() {
    check(
        &example("category_upserted"),
        expect![[r#"
        {
          "v": 1,
          "id": "0190f1c2-0000-7000-8000-000000000069",
          "terminal": "T01",
          "seq": 5,
          "created_at": "2026-11-21T03:00:05.1Z",
          "kind": "category_upserted",
          "payload": {
            "id": "0190f1c2-0000-7000-8000-000000000006",
            "name": "Kopi",
            "sort_order": 1,
            "active": true
          }
        }"#]],
    );
}

#[test]
fn snapshot_product_upserted() {
    check(
        &example("product_upserted"),
        expect![[r#"
            {
              "v": 1,
              "id": "0190f1c2-0000-7000-8000-00000000006a",
              "terminal": "T01",
              "seq": 6,
              "created_at": "2026-11-21T03:00:05.1Z",
              "kind": "product_upserted",
              "payload": {
                "id": "0190f1c2-0000-7000-8000-000000000003",
                "category_id": "0190f1c2-0000-7000-8000-000000000006",
                "name": "Kopi Susu",
                "description": "",
                "price": 20000,
                "stock": null,
                "low_stock_warning": null,
                "low_stock_critical": null,
                "active": true,
                "barcode": "899100",
                "featured": true,
                "tags": [
                  "vegan"
                ],
                "image_id": null,
                "modifier_groups": [
                  {
                    "id": "0190f1c2-0000-7000-8000-000000000007",
                    "name": "Size",
                    "min_choices": 1,
                    "max_choices": 1,
                    "options": [
                      {
                        "id": "0190f1c2-0000-7000-8000-000000000004",
                        "name": "Large",
                        "price_delta": 5000
                      }
                    ]
                  }
                ]
              }
            }"#]],
    );
}

/// A server reads an envelope as version 1 wrote it, whatever is added later: unknown fields
/// are ignored, so a newer terminal's additions do not break an older reader either.
#[test]
fn unknown_fields_are_ignored() {
    let mut json = serde_json::to_value(example("order_status")).unwrap();
    json["added_later"] = serde_json::json!(true);
    json["payload"]["also_new"] = serde_json::json!("x");
    let e: Envelope = serde_json::from_value(json).unwrap();
    assert_eq!(e, example("order_status"));
}

#[test]
fn snapshot_staff_upserted() {
    check(
        &example("staff_upserted"),
        expect![[r#"
        {
          "v": 1,
          "id": "0190f1c2-0000-7000-8000-00000000006b",
          "terminal": "T01",
          "seq": 7,
          "created_at": "2026-11-21T03:00:05.1Z",
          "kind": "staff_upserted",
          "payload": {
            "id": "0190f1c2-0000-7000-8000-000000000008",
            "name": "Sari",
            "role": "cashier",
            "active": true,
            "pin_hash": "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"
          }
        }"#]],
    );
}

/// A change of a kind this build does not know is read as `Unknown`, data and all, so a
/// newer server never stops an older till's pull.
#[test]
fn unknown_change_kinds_are_read_and_skipped() {
    use kasir_proto::api::{ChangeData, PullResponse};
    let page: PullResponse = serde_json::from_str(
        r#"{"changes":[
            {"cursor":7,"kind":"picture","data":{"id":"abc","bytes":1000}},
            {"cursor":8,"kind":"loyalty_tier","data":[1,2,3]},
            {"cursor":9,"kind":"category","data":{"id":"0190f1c2-0000-7000-8000-000000000006","name":"Kopi","sort_order":1,"active":true}}
        ],"cursor":9,"more":false}"#,
    )
    .unwrap();
    assert_eq!(page.changes[0].data, ChangeData::Unknown);
    assert_eq!(page.changes[1].data, ChangeData::Unknown);
    assert!(matches!(page.changes[2].data, ChangeData::Category(_)));
    // A known kind with broken data is an error, not silently skipped.
    let broken = serde_json::from_str::<PullResponse>(
        r#"{"changes":[{"cursor":1,"kind":"product","data":{"id":"x"}}],"cursor":1,"more":false}"#,
    );
    assert!(broken.is_err());
}

#[test]
fn snapshot_settings_changed() {
    check(
        &example("settings_changed"),
        expect![[r#"
            {
              "v": 1,
              "id": "0190f1c2-0000-7000-8000-00000000006c",
              "terminal": "T01",
              "seq": 8,
              "created_at": "2026-11-21T03:00:05.1Z",
              "kind": "settings_changed",
              "payload": {
                "shop_name": "Kopi Kenangan Senja",
                "shop_address": "Jl. Braga 12, Bandung",
                "currency": "IDR",
                "minor_unit": 0,
                "locale": "id-ID",
                "time_zone": "Asia/Jakarta",
                "tax_rate_bp": 1100,
                "service_rate_bp": 500,
                "prices_include_tax": false,
                "cash_rounding": 100,
                "receipt_header": "Selamat datang",
                "receipt_footer": "Terima kasih",
                "tax_number": "01.234.567.8-901.000",
                "auto_lock_minutes": 10,
                "require_open_shift": true,
                "initial": false
              }
            }"#]],
    );
}

/// The pull's two store-wide kinds on the wire: settings and a product's summed stock.
#[test]
fn snapshot_settings_and_stock_level_changes() {
    use kasir_proto::api::{Change, ChangeData, PullResponse};
    let Payload::SettingsChanged(settings) = example("settings_changed").payload else {
        unreachable!()
    };
    let page = PullResponse {
        changes: vec![
            Change {
                cursor: 4,
                data: ChangeData::Settings(settings),
            },
            Change {
                cursor: 5,
                data: ChangeData::StockLevel(StockLevel {
                    product_id: id(2),
                    level: -3,
                }),
            },
        ],
        cursor: 5,
        more: false,
    };
    let text = serde_json::to_string_pretty(&page).unwrap();
    expect![[r#"
        {
          "changes": [
            {
              "cursor": 4,
              "kind": "settings",
              "data": {
                "shop_name": "Kopi Kenangan Senja",
                "shop_address": "Jl. Braga 12, Bandung",
                "currency": "IDR",
                "minor_unit": 0,
                "locale": "id-ID",
                "time_zone": "Asia/Jakarta",
                "tax_rate_bp": 1100,
                "service_rate_bp": 500,
                "prices_include_tax": false,
                "cash_rounding": 100,
                "receipt_header": "Selamat datang",
                "receipt_footer": "Terima kasih",
                "tax_number": "01.234.567.8-901.000",
                "auto_lock_minutes": 10,
                "require_open_shift": true,
                "initial": false
              }
            },
            {
              "cursor": 5,
              "kind": "stock_level",
              "data": {
                "product_id": "0190f1c2-0000-7000-8000-000000000002",
                "level": -3
              }
            }
          ],
          "cursor": 5,
          "more": false
        }"#]]
    .assert_eq(&text);
    let back: PullResponse = serde_json::from_str(&text).unwrap();
    assert_eq!(back, page);
}

#[test]
fn snapshot_shift_opened() {
    check(
        &example("shift_opened"),
        expect![[r#"
        {
          "v": 1,
          "id": "0190f1c2-0000-7000-8000-00000000006d",
          "terminal": "T01",
          "seq": 9,
          "created_at": "2026-11-21T03:00:05.1Z",
          "kind": "shift_opened",
          "payload": {
            "id": "0190f1c2-0000-7000-8000-000000000014",
            "terminal": "T01",
            "opened_by": "0190f1c2-0000-7000-8000-000000000002",
            "opened_by_name": "Sari",
            "opened_at": "2026-11-21T03:00:05.1Z",
            "business_date": "2026-11-21",
            "opening_float": 500000
          }
        }"#]],
    );
}

#[test]
fn snapshot_cash_moved() {
    check(
        &example("cash_moved"),
        expect![[r#"
        {
          "v": 1,
          "id": "0190f1c2-0000-7000-8000-00000000006e",
          "terminal": "T01",
          "seq": 10,
          "created_at": "2026-11-21T03:00:05.1Z",
          "kind": "cash_moved",
          "payload": {
            "id": "0190f1c2-0000-7000-8000-000000000015",
            "shift_id": "0190f1c2-0000-7000-8000-000000000014",
            "direction": "out",
            "amount": 35000,
            "reason": "Es batu",
            "staff_id": "0190f1c2-0000-7000-8000-000000000002",
            "approved_by": "0190f1c2-0000-7000-8000-000000000009",
            "at": "2026-11-21T03:00:05.1Z"
          }
        }"#]],
    );
}

#[test]
fn snapshot_shift_closed() {
    check(
        &example("shift_closed"),
        expect![[r#"
        {
          "v": 1,
          "id": "0190f1c2-0000-7000-8000-00000000006f",
          "terminal": "T01",
          "seq": 11,
          "created_at": "2026-11-21T03:00:05.1Z",
          "kind": "shift_closed",
          "payload": {
            "id": "0190f1c2-0000-7000-8000-000000000014",
            "terminal": "T01",
            "z_no": 12,
            "closed_by": "0190f1c2-0000-7000-8000-000000000002",
            "closed_at": "2026-11-21T03:00:05.1Z",
            "business_date": "2026-11-21",
            "counted": 1234000,
            "expected": 1235500,
            "variance": -1500,
            "note": ""
          }
        }"#]],
    );
}

#[test]
fn snapshot_refund() {
    check(
        &example("refund"),
        expect![[r#"
        {
          "v": 1,
          "id": "0190f1c2-0000-7000-8000-000000000070",
          "terminal": "T01",
          "seq": 12,
          "created_at": "2026-11-21T03:00:05.1Z",
          "kind": "refund",
          "payload": {
            "id": "0190f1c2-0000-7000-8000-000000000016",
            "refund_no": "T01-R000003",
            "order_id": "0190f1c2-0000-7000-8000-000000000001",
            "terminal": "T01",
            "shift_id": "0190f1c2-0000-7000-8000-000000000014",
            "staff_id": "0190f1c2-0000-7000-8000-000000000002",
            "staff_name": "Sari",
            "approved_by": "0190f1c2-0000-7000-8000-000000000009",
            "reason": "Salah pesan",
            "gross": 20000,
            "discount": 0,
            "service": 1000,
            "tax": 2100,
            "rounding": 0,
            "total": 23100,
            "business_date": "2026-11-21",
            "created_at": "2026-11-21T03:00:05.1Z",
            "lines": [
              {
                "order_line": 0,
                "product_id": "0190f1c2-0000-7000-8000-000000000003",
                "product_name": "Kopi Susu",
                "quantity": 1,
                "gross": 20000,
                "line_discount": 0,
                "order_discount": 0,
                "service": 1000,
                "tax": 2100,
                "total": 23100,
                "restock": false,
                "stock_returned": false
              }
            ],
            "payments": [
              {
                "method": "cash",
                "amount": 23100,
                "reference": null
              }
            ]
          }
        }"#]],
    );
}

#[test]
fn settings_from_before_shifts_require_one() {
    let mut v = serde_json::to_value(match example("settings_changed").payload {
        Payload::SettingsChanged(s) => s,
        _ => unreachable!(),
    })
    .unwrap();
    v.as_object_mut().unwrap().remove("require_open_shift");
    let s: ShopSettings = serde_json::from_value(v).unwrap();
    assert!(s.require_open_shift);
}

#[test]
fn a_product_from_before_featured_and_tags_still_reads() {
    let old = r#"{"id":"0190f1c2-0000-7000-8000-000000000003","category_id":"0190f1c2-0000-7000-8000-000000000006",
        "name":"Kopi","description":"","price":1,"stock":null,"low_stock_warning":null,
        "low_stock_critical":null,"active":true,"barcode":null,"image_id":null,"modifier_groups":[]}"#;
    let p: kasir_proto::Product = serde_json::from_str(old).unwrap();
    assert_eq!((p.featured, p.tags.len()), (false, 0));
}

#[test]
fn snapshot_member_upserted() {
    check(
        &example("member_upserted"),
        expect![[r#"
        {
          "v": 1,
          "id": "0190f1c2-0000-7000-8000-000000000071",
          "terminal": "T01",
          "seq": 13,
          "created_at": "2026-11-21T03:00:05.1Z",
          "kind": "member_upserted",
          "payload": {
            "id": "0190f1c2-0000-7000-8000-00000000001e",
            "number": "MEM-T01-000123",
            "name": "Dewi Lestari",
            "phone": "081234567890",
            "email": "dewi@example.com",
            "birthday": "1994-05-17",
            "address": "Jl. Kemang Raya 12",
            "notes": "Alergi kacang",
            "active": true,
            "referral_code": "DEWI7Q2",
            "referred_by": "0190f1c2-0000-7000-8000-00000000001f",
            "created_at": "2026-11-21T03:00:05.1Z",
            "updated_at": "2026-11-21T03:00:05.1Z"
          }
        }"#]],
    );
}

#[test]
fn snapshot_points_entry() {
    check(
        &example("points_entry"),
        expect![[r#"
        {
          "v": 1,
          "id": "0190f1c2-0000-7000-8000-000000000072",
          "terminal": "T01",
          "seq": 14,
          "created_at": "2026-11-21T03:00:05.1Z",
          "kind": "points_entry",
          "payload": {
            "id": "0190f1c2-0000-7000-8000-000000000020",
            "member_id": "0190f1c2-0000-7000-8000-00000000001e",
            "kind": "earn",
            "points": 9,
            "order_id": "0190f1c2-0000-7000-8000-000000000001",
            "refund_id": null,
            "reason": "",
            "staff_id": "0190f1c2-0000-7000-8000-000000000002",
            "at": "2026-11-21T03:00:05.1Z"
          }
        }"#]],
    );
}

#[test]
fn snapshot_wallet_entry() {
    check(
        &example("wallet_entry"),
        expect![[r#"
        {
          "v": 1,
          "id": "0190f1c2-0000-7000-8000-000000000073",
          "terminal": "T01",
          "seq": 15,
          "created_at": "2026-11-21T03:00:05.1Z",
          "kind": "wallet_entry",
          "payload": {
            "id": "0190f1c2-0000-7000-8000-000000000021",
            "member_id": "0190f1c2-0000-7000-8000-00000000001e",
            "kind": "top_up",
            "amount": 100000,
            "method": "cash",
            "reference": null,
            "order_id": null,
            "refund_id": null,
            "shift_id": "0190f1c2-0000-7000-8000-000000000014",
            "reason": "",
            "staff_id": "0190f1c2-0000-7000-8000-000000000002",
            "at": "2026-11-21T03:00:05.1Z"
          }
        }"#]],
    );
}

#[test]
fn snapshot_review_upserted() {
    check(
        &example("review_upserted"),
        expect![[r#"
        {
          "v": 1,
          "id": "0190f1c2-0000-7000-8000-000000000074",
          "terminal": "T01",
          "seq": 16,
          "created_at": "2026-11-21T03:00:05.1Z",
          "kind": "review_upserted",
          "payload": {
            "id": "0190f1c2-0000-7000-8000-000000000022",
            "member_id": "0190f1c2-0000-7000-8000-00000000001e",
            "product_id": "0190f1c2-0000-7000-8000-000000000003",
            "rating": 5,
            "comment": "Kopinya pas",
            "image_id": "0190f1c2-0000-7000-8000-000000000023",
            "hidden": false,
            "at": "2026-11-21T03:00:05.1Z"
          }
        }"#]],
    );
}

#[test]
fn snapshot_coupon_upserted() {
    check(
        &example("coupon_upserted"),
        expect![[r#"
        {
          "v": 1,
          "id": "0190f1c2-0000-7000-8000-000000000075",
          "terminal": "T01",
          "seq": 17,
          "created_at": "2026-11-21T03:00:05.1Z",
          "kind": "coupon_upserted",
          "payload": {
            "id": "0190f1c2-0000-7000-8000-000000000028",
            "code": "HEMAT20",
            "name": "20% off, at most Rp 15.000",
            "rule": {
              "kind": "percent",
              "bp": 2000,
              "cap": 15000
            },
            "min_order": 50000,
            "usage_limit": 100,
            "per_member_limit": 1,
            "customer_group": "all",
            "valid_from": "2026-11-01",
            "valid_until": "2026-12-31",
            "active": true,
            "at": "2026-11-21T03:00:05.1Z"
          }
        }"#]],
    );
}

#[test]
fn snapshot_coupon_use() {
    check(
        &example("coupon_use"),
        expect![[r#"
        {
          "v": 1,
          "id": "0190f1c2-0000-7000-8000-000000000076",
          "terminal": "T01",
          "seq": 18,
          "created_at": "2026-11-21T03:00:05.1Z",
          "kind": "coupon_use",
          "payload": {
            "id": "0190f1c2-0000-7000-8000-000000000029",
            "coupon_id": "0190f1c2-0000-7000-8000-000000000028",
            "order_id": "0190f1c2-0000-7000-8000-000000000001",
            "member_id": "0190f1c2-0000-7000-8000-00000000001e",
            "discount": 10000,
            "used_at": "2026-11-21T03:00:05.1Z",
            "given_back_at": null
          }
        }"#]],
    );
}

/// Every rule kind reads back as itself.
#[test]
fn coupon_rules_round_trip() {
    for rule in [
        CouponRule::Amount { amount: 5_000 },
        CouponRule::BuyGet {
            buy_product: id(3),
            buy_quantity: 2,
            get_product: id(3),
            get_quantity: 1,
        },
        CouponRule::Tiered {
            steps: vec![
                TierStep {
                    from: 50_000,
                    bp: 500,
                },
                TierStep {
                    from: 100_000,
                    bp: 1000,
                },
            ],
        },
    ] {
        let json = serde_json::to_string(&rule).unwrap();
        assert_eq!(
            serde_json::from_str::<CouponRule>(&json).unwrap(),
            rule,
            "{json}"
        );
    }
}

#[test]
fn snapshot_voucher_upserted() {
    check(
        &example("voucher_upserted"),
        expect![[r#"
            {
              "v": 1,
              "id": "0190f1c2-0000-7000-8000-000000000077",
              "terminal": "T01",
              "seq": 19,
              "created_at": "2026-11-21T03:00:05.1Z",
              "kind": "voucher_upserted",
              "payload": {
                "id": "0190f1c2-0000-7000-8000-00000000002a",
                "name": "Gratis 1 kue",
                "reward": {
                  "kind": "freebie",
                  "product_id": "0190f1c2-0000-7000-8000-000000000003"
                },
                "points_cost": 200,
                "stock": 49,
                "valid_from": null,
                "valid_until": "2026-12-31",
                "active": true,
                "at": "2026-11-21T03:00:05.1Z",
                "stock_set_at": "2026-11-21T03:00:05.1Z"
              }
            }"#]],
    );
}

#[test]
fn snapshot_redemption() {
    check(
        &example("redemption"),
        expect![[r#"
        {
          "v": 1,
          "id": "0190f1c2-0000-7000-8000-000000000078",
          "terminal": "T01",
          "seq": 20,
          "created_at": "2026-11-21T03:00:05.1Z",
          "kind": "redemption",
          "payload": {
            "id": "0190f1c2-0000-7000-8000-00000000002b",
            "code": "V-T01-000001",
            "voucher_id": "0190f1c2-0000-7000-8000-00000000002a",
            "member_id": "0190f1c2-0000-7000-8000-00000000001e",
            "points": 200,
            "status": "used",
            "order_id": "0190f1c2-0000-7000-8000-000000000001",
            "at": "2026-11-21T03:00:05.1Z"
          }
        }"#]],
    );
}

#[test]
fn snapshot_order_sent_out() {
    check(
        &example("order_sent_out"),
        expect![[r#"
        {
          "v": 1,
          "id": "0190f1c2-0000-7000-8000-000000000079",
          "terminal": "T01",
          "seq": 21,
          "created_at": "2026-11-21T03:00:05.1Z",
          "kind": "order_sent_out",
          "payload": {
            "order_id": "0190f1c2-0000-7000-8000-000000000001",
            "at": "2026-11-21T03:00:05.1Z"
          }
        }"#]],
    );
}
