use expect_test::expect;
use kasir_core::Field;
use kasir_core::Money;
use kasir_core::catalog::{ModifierGroupDraft, ModifierOptionDraft};
use kasir_core::money::pricing::Discount;
use kasir_core::sales::checkout::{PaymentInput, PaymentMethod};
use kasir_core::sales::receipt::{WIDTH_58MM, WIDTH_80MM};
use kasir_core::sales::tickets::{AddLine, OrderType};

use crate::helpers::{Shop, cash, refused, shop};

fn sample_order(s: &mut Shop) -> kasir_core::sales::checkout::OrderId {
    let a = s.admin.clone();
    let c = s.cashier.clone();
    let m = s.manager.clone();
    let mut settings = s.kasir.settings().get().unwrap();
    settings.shop_name = "Kopi Kasir".into();
    settings.shop_address = "Jl. Braga No. 12, Bandung".into();
    settings.receipt_header = "NPWP 01.234.567.8-901.000".into();
    settings.receipt_footer = "Terima kasih!\nWiFi: kopikasir".into();
    s.kasir.settings().update(&a, settings).unwrap();
    let kopi = s.product("Kopi Susu Gula Aren", 25_000, None);
    let kopi = s
        .kasir
        .catalog()
        .set_modifier_groups(
            &a,
            kopi.id,
            vec![
                ModifierGroupDraft {
                    id: None,
                    name: "Size".into(),
                    min_choices: 1,
                    max_choices: 1,
                    options: vec![
                        ModifierOptionDraft {
                            id: None,
                            name: "Regular".into(),
                            price_delta: 0,
                        },
                        ModifierOptionDraft {
                            id: None,
                            name: "Large".into(),
                            price_delta: 5_000,
                        },
                    ],
                },
                ModifierGroupDraft {
                    id: None,
                    name: "Extras".into(),
                    min_choices: 0,
                    max_choices: 1,
                    options: vec![ModifierOptionDraft {
                        id: None,
                        name: "Extra shot espresso".into(),
                        price_delta: 8_000,
                    }],
                },
            ],
        )
        .unwrap();
    let roti = s.product("Roti Bakar Cokelat Keju Spesial Jumbo", 22_000, None);
    let t = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::DineIn, "Meja 4")
        .unwrap();
    let opts = |g: usize, o: usize| kopi.modifier_groups[g].options[o].id;
    s.kasir
        .sales()
        .add_to_ticket(
            &c,
            t.id,
            AddLine {
                product_id: kopi.id,
                modifier_ids: vec![opts(0, 1), opts(1, 0)],
                note: "less sugar".into(),
                quantity: 2,
            },
        )
        .unwrap();
    let t = s
        .kasir
        .sales()
        .add_to_ticket(
            &c,
            t.id,
            AddLine {
                product_id: roti.id,
                modifier_ids: vec![],
                note: String::new(),
                quantity: 1,
            },
        )
        .unwrap();
    s.kasir
        .sales()
        .set_line_discount(
            &c,
            Some(&m),
            t.id,
            t.lines[1].id,
            Some(Discount::Amount(Money(2_000))),
        )
        .unwrap();
    let t = s
        .kasir
        .sales()
        .set_order_discount(&c, Some(&m), t.id, Some(Discount::Percent(1000)))
        .unwrap();
    let o = s
        .kasir
        .sales()
        .checkout(
            &c,
            t.id,
            &[
                PaymentInput {
                    method: PaymentMethod::Qris,
                    amount: 50_000,
                    reference: Some("QR20261121-0042".into()),
                },
                cash(100_000),
            ],
        )
        .unwrap();
    o.id
}

#[test]
fn receipt_58mm_indonesian() {
    let mut s = shop();
    let id = sample_order(&mut s);
    let r = s.kasir.sales().receipt(&s.cashier, id).unwrap();
    expect![[r#"
                   Kopi Kasir
           Jl. Braga No. 12, Bandung
           NPWP 01.234.567.8-901.000
        --------------------------------
        No: T01-000001
        2026-11-21 10:00     Kasir: Sari
        Makan di tempat - Meja 4
        --------------------------------
        Kopi Susu Gula Aren
          2 x 38.000              76.000
          + Large (+5.000)
          + Extra shot espresso (+8.000)
          * less sugar
        Roti Bakar Cokelat Keju Spesial
        Jumbo
          1 x 22.000              22.000
          Diskon                  -2.000
        --------------------------------
        Subtotal                  96.000
        Diskon pesanan            -9.600
        Servis 5%                  4.320
        PB1 10%                    9.072
        Pembulatan                     8
        TOTAL                  Rp 99.800
        --------------------------------
        QRIS                      50.000
          Ref QR20261121-0042
        Tunai                    100.000
        Kembali                   50.200
        --------------------------------
                 Terima kasih!
                WiFi: kopikasir
    "#]]
    .assert_eq(&r.render_text(WIDTH_58MM));
}

#[test]
fn receipt_80mm_english_dollars() {
    let s = shop();
    let a = s.admin.clone();
    let mut settings = s.kasir.settings().get().unwrap();
    settings.currency = "USD".into();
    settings.minor_unit = 2;
    settings.locale = "en-US".into();
    settings.time_zone = "America/New_York".into();
    settings.cash_rounding = 1;
    settings.service_rate_bp = 0;
    settings.tax_rate_bp = 875;
    s.kasir.settings().update(&a, settings).unwrap();
    let p = s.product("Flat White", 450, None);
    let o = s.sell(&[(&p, 2)]);
    let r = s.kasir.sales().receipt(&s.cashier, o.id).unwrap();
    expect![[r#"
                             Kasir
        ------------------------------------------------
        No: T01-000001
        2026-11-20 22:00                   Cashier: Sari
        Takeaway
        ------------------------------------------------
        Flat White
          2 x 4.50                                  9.00
        ------------------------------------------------
        Subtotal                                    9.00
        Tax 8.75%                                   0.79
        TOTAL                                      $9.79
        ------------------------------------------------
        Cash                                        9.79
        Change                                      0.00
    "#]]
    .assert_eq(&r.render_text(WIDTH_80MM));
}

/// Any width renders without a panic: clamped to what a printer or screen can use.
#[test]
fn extreme_widths_are_clamped() {
    let mut s = shop();
    let id = sample_order(&mut s);
    let r = s.kasir.sales().receipt(&s.cashier, id).unwrap();
    for width in [0, 1, usize::MAX] {
        let text = r.render_text(width);
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap();
        assert!((24..=200).contains(&widest), "width {width}: {widest}");
    }
}

/// Tax and service rates have sane bounds, so a total cannot run past the amount cap.
#[test]
fn rates_above_half_the_price_are_refused() {
    let s = shop();
    let mut settings = s.kasir.settings().get().unwrap();
    settings.tax_rate_bp = 10_000;
    refused(
        &s.kasir,
        |k| k.settings().update(&s.admin, settings.clone()),
        |e| {
            matches!(
                e,
                kasir_core::Error::Invalid {
                    field: Field::TaxRate,
                    ..
                }
            )
        },
    );
    settings.tax_rate_bp = 1_000;
    settings.service_rate_bp = 10_000;
    refused(
        &s.kasir,
        |k| k.settings().update(&s.admin, settings.clone()),
        |e| {
            matches!(
                e,
                kasir_core::Error::Invalid {
                    field: Field::ServiceRate,
                    ..
                }
            )
        },
    );
}

/// Every line of a receipt fits the paper, with the longest value each field allows: shop
/// texts, a staff name and a label of 60 characters (unbroken, as a scanner of names would
/// never see), a product of 120, options of 60, a note of 200, a reference of 64, and amounts
/// near the cap.
#[test]
fn every_line_fits_the_paper_with_the_longest_values() {
    let s = shop();
    let a = s.admin.clone();
    let mut settings = s.kasir.settings().get().unwrap();
    settings.shop_name = "W".repeat(80);
    settings.shop_address = format!("{}\n{}", "A".repeat(150), "Jl. ".repeat(37));
    settings.receipt_header = "H".repeat(500);
    settings.receipt_footer = format!("{} {}", "F".repeat(249), "f".repeat(250));
    s.kasir.settings().update(&a, settings).unwrap();
    let long_name = "N".repeat(60);
    let staff = s
        .kasir
        .people()
        .create_staff(&a, &long_name, kasir_core::Role::Cashier, "4826")
        .unwrap();
    let seller = s.kasir.people().login(staff.id, "4826").unwrap();
    let product = s.product(&"P".repeat(120), 80_000_000_000, None);
    let product = s
        .kasir
        .catalog()
        .set_modifier_groups(
            &a,
            product.id,
            vec![ModifierGroupDraft {
                id: None,
                name: "G".repeat(60),
                min_choices: 1,
                max_choices: 1,
                options: vec![ModifierOptionDraft {
                    id: None,
                    name: "O".repeat(60),
                    price_delta: 999_000_000,
                }],
            }],
        )
        .unwrap();
    let t = s
        .kasir
        .sales()
        .open_ticket(&seller, OrderType::Delivery, &"L".repeat(60))
        .unwrap();
    let t = s
        .kasir
        .sales()
        .add_to_ticket(
            &seller,
            t.id,
            AddLine {
                product_id: product.id,
                modifier_ids: vec![product.modifier_groups[0].options[0].id],
                note: "n".repeat(200),
                quantity: 9_999,
            },
        )
        .unwrap();
    // The longest address, on several lines, with a word longer than the paper.
    let address = format!("{}\n{}", "A".repeat(100), "Jl. Panjang ".repeat(16));
    let t = s
        .kasir
        .sales()
        .set_ticket_address(&seller, t.id, &address)
        .unwrap();
    let due = t.totals.total.0;
    assert!(due > 100_000_000_000_000, "amounts near the cap: {due}");
    let o = s
        .kasir
        .sales()
        .checkout(
            &seller,
            t.id,
            &[PaymentInput {
                method: PaymentMethod::Qris,
                amount: due,
                reference: Some("R".repeat(64)),
            }],
        )
        .unwrap();
    let r = s.kasir.sales().receipt(&seller, o.id).unwrap();
    for width in [WIDTH_58MM, WIDTH_80MM] {
        let text = r.render_text(width);
        if std::env::var_os("SHOW_RECEIPT").is_some() {
            println!("{text}");
        }
        for line in text.lines() {
            assert!(
                line.chars().count() <= width,
                "{width} columns, a line of {}:\n{line}\n\n{text}",
                line.chars().count()
            );
        }
        // Nothing is cut: each long value is there whole, wrapped over lines.
        let solid: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let label = format!("Antar-{}", "L".repeat(60));
        let reference = format!("Ref{}", "R".repeat(64));
        for whole in [
            &long_name,
            &label,
            &"n".repeat(200),
            &reference,
            &"P".repeat(120),
        ] {
            assert!(
                solid.contains(whole.as_str()),
                "{whole:?} is printed:\n{text}"
            );
        }
    }
}

/// A sale keeps the currency and minor unit it was made in: after the shop changes to two
/// decimals, an old order of Rp 17.300 still prints as Rp 17.300, not "Rp 173.00".
#[test]
fn an_old_receipt_keeps_the_currency_it_was_sold_in() {
    let s = shop();
    let p = s.product("Klepon", 17_300, None);
    let o = s.sell(&[(&p, 1)]);
    let a = s.admin.clone();
    let mut settings = s.kasir.settings().get().unwrap();
    settings.minor_unit = 2;
    settings.cash_rounding = 1;
    s.kasir.settings().update(&a, settings).unwrap();
    let r = s.kasir.sales().receipt(&s.cashier, o.id).unwrap();
    assert_eq!((r.currency.as_str(), r.minor_unit), ("IDR", 0));
    assert_eq!(r.order.minor_unit, 0);
    let text = r.render_text(WIDTH_58MM);
    assert!(text.contains("1 x 17.300"), "{text}");
    assert!(text.contains("TOTAL                  Rp 20.000"), "{text}");
    assert!(
        !text.contains("173.00") && !text.contains("200.00"),
        "{text}"
    );
    // What the amounts mean is a fact like the amounts.
    assert!(
        s.kasir
            .connection()
            .execute("UPDATE orders SET minor_unit = 2", [])
            .is_err()
    );
    // A sale made after the change is in the new unit.
    let later = s.sell(&[(&p, 1)]);
    assert_eq!(later.minor_unit, 2);
}

/// With prices that include tax, service and tax are inside the prices: printed after the
/// total, for information, so the block still reads as a sum from top to bottom.
#[test]
fn included_tax_is_printed_after_the_total() {
    let s = shop();
    let a = s.admin.clone();
    let mut settings = s.kasir.settings().get().unwrap();
    settings.prices_include_tax = true;
    s.kasir.settings().update(&a, settings).unwrap();
    let p = s.product("Es Kopi Susu", 23_100, None);
    let o = s.sell(&[(&p, 2)]);
    let r = s.kasir.sales().receipt(&s.cashier, o.id).unwrap();
    expect![[r#"
                     Kasir
        --------------------------------
        No: T01-000001
        2026-11-21 10:00     Kasir: Sari
        Bawa pulang
        --------------------------------
        Es Kopi Susu
          2 x 23.100              46.200
        --------------------------------
        Subtotal                  46.200
        TOTAL                  Rp 46.200
          termasuk Servis 5%       2.000
          termasuk PB1 10%         4.200
        --------------------------------
        Tunai                     46.200
        Kembali                        0
    "#]]
    .assert_eq(&r.render_text(WIDTH_58MM));
}
