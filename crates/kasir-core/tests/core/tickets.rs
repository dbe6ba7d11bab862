use kasir_core::Error;
use kasir_core::Field;
use kasir_core::catalog::{ModifierGroupDraft, ModifierOptionDraft, Product};
use kasir_core::money::pricing::Discount;
use kasir_core::sales::tickets::{AddLine, MAX_QUANTITY, OrderType};
use kasir_core::{Money, Role};

use crate::helpers::{MANAGER_PIN, Shop, refused, shop};

fn add(p: &Product, q: i64) -> AddLine {
    AddLine {
        product_id: p.id,
        modifier_ids: vec![],
        note: String::new(),
        quantity: q,
    }
}

pub(crate) fn coffee_with_modifiers(s: &mut Shop) -> Product {
    let p = s.product("Kopi Susu", 25_000, None);
    let a = s.admin.clone();
    s.kasir
        .catalog()
        .set_modifier_groups(
            &a,
            p.id,
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
                    max_choices: 2,
                    options: vec![
                        ModifierOptionDraft {
                            id: None,
                            name: "Extra shot".into(),
                            price_delta: 8_000,
                        },
                        ModifierOptionDraft {
                            id: None,
                            name: "Oat milk".into(),
                            price_delta: 7_000,
                        },
                        ModifierOptionDraft {
                            id: None,
                            name: "Vanilla".into(),
                            price_delta: 5_000,
                        },
                    ],
                },
            ],
        )
        .unwrap()
}

#[test]
fn lines_merge_when_product_modifiers_and_note_match() {
    let mut s = shop();
    let c = s.cashier.clone();
    let p = coffee_with_modifiers(&mut s);
    let large = p.modifier_groups[0].options[1].id;
    let regular = p.modifier_groups[0].options[0].id;
    let shot = p.modifier_groups[1].options[0].id;
    let t = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::DineIn, "Meja 4")
        .unwrap();
    let with = |ids: Vec<_>, note: &str| AddLine {
        product_id: p.id,
        modifier_ids: ids,
        note: note.into(),
        quantity: 1,
    };
    s.kasir
        .sales()
        .add_to_ticket(&c, t.id, with(vec![large, shot], ""))
        .unwrap();
    s.kasir
        .sales()
        .add_to_ticket(&c, t.id, with(vec![shot, large], ""))
        .unwrap(); // same set, other order
    s.kasir
        .sales()
        .add_to_ticket(&c, t.id, with(vec![regular], ""))
        .unwrap();
    let t = s
        .kasir
        .sales()
        .add_to_ticket(&c, t.id, with(vec![regular], "less ice"))
        .unwrap();
    assert_eq!(t.lines.len(), 3);
    assert_eq!(t.lines[0].quantity, 2);
    assert_eq!(t.lines[0].unit_price, Money(38_000));
    assert_eq!(
        t.lines[0]
            .modifiers
            .iter()
            .map(|m| m.option.as_str())
            .collect::<Vec<_>>(),
        ["Large", "Extra shot"]
    );
    assert_eq!(t.lines[2].note, "less ice");
    // 2 x 38.000 + 25.000 + 25.000 = 126.000; service 6.300; tax 13.230; 145.530 -> 145.500
    assert_eq!(t.totals.subtotal, Money(126_000));
    assert_eq!(t.totals.service, Money(6_300));
    assert_eq!(t.totals.tax, Money(13_230));
    assert_eq!(t.totals.rounding, Money(-30));
    assert_eq!(t.totals.total, Money(145_500));
    assert_eq!(t.label, "Meja 4");
}

#[test]
fn modifier_rules_are_enforced_when_adding() {
    let mut s = shop();
    let c = s.cashier.clone();
    let p = coffee_with_modifiers(&mut s);
    let t = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::Takeaway, "")
        .unwrap();
    let opts: Vec<_> = p
        .modifier_groups
        .iter()
        .flat_map(|g| g.options.iter().map(|o| o.id))
        .collect();
    let other = s.product("Teh", 8_000, None);
    let cases = vec![
        vec![],                                   // size missing
        vec![opts[0], opts[1]],                   // two sizes
        vec![opts[0], opts[2], opts[3], opts[4]], // three extras
        vec![opts[0], opts[0]],                   // repeated
    ];
    for ids in cases {
        refused(
            &s.kasir,
            |k| {
                k.sales().add_to_ticket(
                    &c,
                    t.id,
                    AddLine {
                        product_id: p.id,
                        modifier_ids: ids,
                        note: String::new(),
                        quantity: 1,
                    },
                )
            },
            |e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::Modifiers,
                        ..
                    }
                )
            },
        );
    }
    refused(
        &s.kasir,
        |k| {
            k.sales().add_to_ticket(
                &c,
                t.id,
                AddLine {
                    product_id: other.id,
                    modifier_ids: vec![opts[0]],
                    note: String::new(),
                    quantity: 1,
                },
            )
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Modifiers,
                    ..
                }
            )
        },
    );
}

#[test]
fn bad_quantities_and_notes_are_refused() {
    let s = shop();
    let c = s.cashier.clone();
    let p = s.product("Teh", 8_000, None);
    let t = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::Takeaway, "")
        .unwrap();
    for q in [0, -1, MAX_QUANTITY + 1, i64::MAX, i64::MIN] {
        refused(
            &s.kasir,
            |k| k.sales().add_to_ticket(&c, t.id, add(&p, q)),
            |e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::Quantity,
                        ..
                    }
                )
            },
        );
    }
    let t = s
        .kasir
        .sales()
        .add_to_ticket(&c, t.id, add(&p, MAX_QUANTITY))
        .unwrap();
    refused(
        &s.kasir,
        |k| k.sales().add_to_ticket(&c, t.id, add(&p, 1)),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Quantity,
                    ..
                }
            )
        },
    );
    let line = t.lines[0].id;
    refused(
        &s.kasir,
        |k| k.sales().set_line_quantity(&c, t.id, line, 0),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Quantity,
                    ..
                }
            )
        },
    );
    let note = AddLine {
        note: "n".repeat(1 << 20),
        ..add(&p, 1)
    };
    refused(
        &s.kasir,
        |k| k.sales().add_to_ticket(&c, t.id, note),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Note,
                    ..
                }
            )
        },
    );
    let note = AddLine {
        note: "bad\u{7}".into(),
        ..add(&p, 1)
    };
    refused(
        &s.kasir,
        |k| k.sales().add_to_ticket(&c, t.id, note),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Note,
                    ..
                }
            )
        },
    );
    refused(
        &s.kasir,
        |k| {
            k.sales()
                .open_ticket(&c, OrderType::DineIn, &"x".repeat(61))
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Label,
                    ..
                }
            )
        },
    );
}

#[test]
fn stock_is_checked_when_adding_and_raising() {
    let s = shop();
    let c = s.cashier.clone();
    let p = s.product("Croissant", 22_000, Some(3));
    let t = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::Takeaway, "")
        .unwrap();
    let t = s.kasir.sales().add_to_ticket(&c, t.id, add(&p, 2)).unwrap();
    refused(
        &s.kasir,
        |k| k.sales().add_to_ticket(&c, t.id, add(&p, 2)),
        |e| matches!(e, Error::InsufficientStock { available: 3, requested: 4, product } if product == "Croissant"),
    );
    let line = t.lines[0].id;
    refused(
        &s.kasir,
        |k| k.sales().set_line_quantity(&c, t.id, line, 4),
        |e| matches!(e, Error::InsufficientStock { .. }),
    );
    let t = s
        .kasir
        .sales()
        .set_line_quantity(&c, t.id, line, 3)
        .unwrap();
    assert_eq!(t.lines[0].quantity, 3);
    // with a note it is another line, but the stock check counts the whole ticket
    refused(
        &s.kasir,
        |k| {
            k.sales().add_to_ticket(
                &c,
                t.id,
                AddLine {
                    note: "warm".into(),
                    ..add(&p, 1)
                },
            )
        },
        |e| matches!(e, Error::InsufficientStock { .. }),
    );
}

#[test]
fn park_resume_list_discard() {
    let s = shop();
    let c = s.cashier.clone();
    let p = s.product("Teh", 8_000, None);
    let t1 = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::DineIn, "Meja 1")
        .unwrap();
    s.kasir
        .sales()
        .add_to_ticket(&c, t1.id, add(&p, 2))
        .unwrap();
    s.clock.advance(jiff::SignedDuration::from_secs(60));
    let t2 = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::Takeaway, "Andi")
        .unwrap();
    s.clock.advance(jiff::SignedDuration::from_secs(60));
    assert!(
        s.kasir
            .sales()
            .set_ticket_parked(&c, t1.id, true)
            .unwrap()
            .parked
    );
    let list = s.kasir.sales().list_tickets(&c).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].id, t1.id, "most recently touched first");
    assert!(list[0].parked);
    assert_eq!(list[0].items, 2);
    assert!(
        !s.kasir
            .sales()
            .set_ticket_parked(&c, t1.id, false)
            .unwrap()
            .parked
    );
    let info = s
        .kasir
        .sales()
        .set_ticket_info(&c, t2.id, OrderType::Delivery, "GoFood 123")
        .unwrap();
    assert_eq!(
        (info.order_type, info.label.as_str()),
        (OrderType::Delivery, "GoFood 123")
    );
    s.kasir.sales().discard_ticket(&c, t2.id).unwrap();
    assert_eq!(s.kasir.sales().list_tickets(&c).unwrap().len(), 1);
    refused(
        &s.kasir,
        |k| k.sales().discard_ticket(&c, t2.id),
        |e| matches!(e, Error::NotFound { .. }),
    );
}

#[test]
fn remove_line() {
    let s = shop();
    let c = s.cashier.clone();
    let p = s.product("Teh", 8_000, None);
    let t = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::DineIn, "")
        .unwrap();
    let t = s.kasir.sales().add_to_ticket(&c, t.id, add(&p, 2)).unwrap();
    let t = s
        .kasir
        .sales()
        .remove_line(&c, t.id, t.lines[0].id)
        .unwrap();
    assert!(t.lines.is_empty());
    assert_eq!(t.totals.total, Money(0));
}

#[test]
fn discounts_need_the_right_or_a_managers_approval() {
    let s = shop();
    let c = s.cashier.clone();
    let m = s.manager.clone();
    let p = s.product("Nasi Goreng", 35_000, None);
    let t = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::DineIn, "")
        .unwrap();
    let t = s.kasir.sales().add_to_ticket(&c, t.id, add(&p, 2)).unwrap();
    let line = t.lines[0].id;
    refused(
        &s.kasir,
        |k| {
            k.sales()
                .set_order_discount(&c, None, t.id, Some(Discount::Percent(1000)))
        },
        |e| {
            matches!(
                e,
                Error::Forbidden {
                    role: Role::Cashier,
                    ..
                }
            )
        },
    );
    // a cashier as "approver" does not help
    refused(
        &s.kasir,
        |k| {
            k.sales()
                .set_order_discount(&c, Some(&c), t.id, Some(Discount::Percent(1000)))
        },
        |e| matches!(e, Error::Forbidden { .. }),
    );
    // the manager approves at the till with their PIN
    let manager_id = m.id();
    let approver = s.kasir.people().login(manager_id, MANAGER_PIN).unwrap();
    let t = s
        .kasir
        .sales()
        .set_order_discount(&c, Some(&approver), t.id, Some(Discount::Percent(1000)))
        .unwrap();
    assert_eq!(t.totals.order_discount, Money(7_000));
    assert_eq!(t.discount_approved_by, Some(manager_id));
    let t = s
        .kasir
        .sales()
        .set_line_discount(
            &c,
            Some(&m),
            t.id,
            line,
            Some(Discount::Amount(Money(5_000))),
        )
        .unwrap();
    assert_eq!(t.totals.lines[0].line_discount, Money(5_000));
    // a discount larger than the line is refused
    refused(
        &s.kasir,
        |k| {
            k.sales().set_line_discount(
                &c,
                Some(&m),
                t.id,
                line,
                Some(Discount::Amount(Money(70_001))),
            )
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Discount,
                    ..
                }
            )
        },
    );
    refused(
        &s.kasir,
        |k| {
            k.sales()
                .set_line_discount(&c, Some(&m), t.id, line, Some(Discount::Percent(10_001)))
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Discount,
                    ..
                }
            )
        },
    );
    // removing a discount needs no approval
    let t = s
        .kasir
        .sales()
        .set_order_discount(&c, None, t.id, None)
        .unwrap();
    assert_eq!(t.totals.order_discount, Money(0));
    let audited = s
        .kasir
        .audit()
        .entries(&m, 50)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "discount_applied")
        .count();
    assert_eq!(audited, 2);
}

/// A ticket belongs to whoever serves it. Another member signed in at the same till can put it
/// aside but not change, resume, discard or pay it; taking it over is an explicit action, in
/// the audit log, after which the sale is recorded for them.
#[test]
fn a_ticket_is_changed_and_paid_only_by_the_member_serving_it() {
    let s = shop();
    let (c, m) = (s.cashier.clone(), s.manager.clone());
    let p = s.product("Klepon", 4_000, None);
    let t = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::DineIn, "Meja 7")
        .unwrap();
    let t = s.kasir.sales().add_to_ticket(&c, t.id, add(&p, 2)).unwrap();
    assert_eq!((t.staff_id, t.staff_name.as_str()), (c.id(), "Sari"));
    let sari = |e: &Error| matches!(e, Error::TicketOfAnother { owner } if owner == "Sari");
    refused(
        &s.kasir,
        |k| k.sales().add_to_ticket(&m, t.id, add(&p, 1)),
        sari,
    );
    refused(
        &s.kasir,
        |k| k.sales().set_line_quantity(&m, t.id, t.lines[0].id, 5),
        sari,
    );
    refused(&s.kasir, |k| k.sales().discard_ticket(&m, t.id), sari);
    refused(
        &s.kasir,
        |k| k.sales().checkout(&m, t.id, &[crate::helpers::cash(8_000)]),
        sari,
    );
    // Put aside for its owner as they leave the till (their empty tickets stay as they are);
    // found in the open tickets.
    let empty = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::Takeaway, "")
        .unwrap();
    assert_eq!(
        s.kasir.sales().park_my_tickets(&m).unwrap(),
        0,
        "not Budi's"
    );
    assert_eq!(s.kasir.sales().park_my_tickets(&c).unwrap(), 1);
    assert!(s.kasir.sales().ticket(&c, t.id).unwrap().parked);
    assert!(!s.kasir.sales().ticket(&c, empty.id).unwrap().parked);
    s.kasir.sales().discard_ticket(&c, empty.id).unwrap();
    // Anyone may put it aside too (the till does for a ticket left open).
    s.kasir.sales().set_ticket_parked(&m, t.id, true).unwrap();
    let listed = s.kasir.sales().list_tickets(&m).unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].parked && listed[0].staff_name == "Sari");
    refused(
        &s.kasir,
        |k| k.sales().set_ticket_parked(&m, t.id, false),
        sari,
    );
    // Taking over is explicit and recorded.
    let taken = s.kasir.sales().take_over_ticket(&m, t.id).unwrap();
    assert_eq!((taken.staff_id, taken.parked), (m.id(), false));
    let entry = s
        .kasir
        .audit()
        .entries(&m, 10)
        .unwrap()
        .into_iter()
        .find(|e| e.action == "ticket_taken_over")
        .expect("audited");
    assert_eq!(entry.detail["from"], serde_json::json!(c.id()));
    assert_eq!(entry.detail["to"], serde_json::json!(m.id()));
    refused(
        &s.kasir,
        |k| k.sales().add_to_ticket(&c, t.id, add(&p, 1)),
        |e| matches!(e, Error::TicketOfAnother { owner } if owner == "Budi"),
    );
    let order = s
        .kasir
        .sales()
        .checkout(&m, t.id, &[crate::helpers::cash(20_000)])
        .unwrap();
    assert_eq!(
        (order.staff_id, order.staff_name.as_str()),
        (m.id(), "Budi")
    );
}

/// An approval covers what was approved, no more: a 100% line discount approved on one Klepon
/// (Rp 44.000) stays Rp 44.000 off when the line grows to 18; an order discount approved on
/// Rp 87.000 stays what it was as items are added; a total brought to zero by discounts needs
/// a manager's confirmation at payment, which is audited.
#[test]
fn an_approval_covers_what_was_approved_and_no_more() {
    let s = shop();
    let (c, m) = (s.cashier.clone(), s.manager.clone());
    let approver = s.kasir.people().approver(m.id(), MANAGER_PIN).unwrap();
    let klepon = s.product("Klepon", 44_000, None);
    let teh = s.product("Teh", 43_000, None);
    let t = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::Takeaway, "")
        .unwrap();
    let t = s
        .kasir
        .sales()
        .add_to_ticket(&c, t.id, add(&klepon, 1))
        .unwrap();
    let line = t.lines[0].id;
    let t = s
        .kasir
        .sales()
        .set_line_discount(
            &c,
            Some(&approver),
            t.id,
            line,
            Some(Discount::Percent(10_000)),
        )
        .unwrap();
    assert_eq!(t.lines[0].discount_limit, Some(Money(44_000)));
    assert_eq!(t.totals.total, Money::ZERO);
    // Given away: paying needs the discount right, or a manager's confirmation.
    refused(
        &s.kasir,
        |k| k.sales().checkout(&c, t.id, &[]),
        |e| {
            matches!(
                e,
                Error::Forbidden {
                    permission: kasir_core::Permission::Discount,
                    ..
                }
            )
        },
    );
    let t = s
        .kasir
        .sales()
        .set_line_quantity(&c, t.id, line, 18)
        .unwrap();
    assert_eq!(t.totals.line_discounts, Money(44_000), "not 18 × 44.000");
    assert!(t.totals.total > Money(17 * 44_000));

    let t2 = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::Takeaway, "")
        .unwrap();
    s.kasir
        .sales()
        .add_to_ticket(&c, t2.id, add(&klepon, 1))
        .unwrap();
    s.kasir
        .sales()
        .add_to_ticket(&c, t2.id, add(&teh, 1))
        .unwrap();
    let t2 = s
        .kasir
        .sales()
        .set_order_discount(&c, Some(&approver), t2.id, Some(Discount::Percent(1000)))
        .unwrap();
    assert_eq!(t2.discount_limit, Some(Money(8_700)));
    let t2 = s
        .kasir
        .sales()
        .add_to_ticket(&c, t2.id, add(&teh, 5))
        .unwrap();
    assert_eq!(
        t2.totals.order_discount,
        Money(8_700),
        "did not grow with the ticket"
    );
    // The manager serving a ticket of their own gives a discount that follows it.
    let own = s
        .kasir
        .sales()
        .open_ticket(&m, OrderType::Takeaway, "")
        .unwrap();
    s.kasir
        .sales()
        .add_to_ticket(&m, own.id, add(&teh, 1))
        .unwrap();
    let own = s
        .kasir
        .sales()
        .set_order_discount(&m, None, own.id, Some(Discount::Percent(1000)))
        .unwrap();
    assert_eq!(own.discount_limit, None);
    let own = s
        .kasir
        .sales()
        .add_to_ticket(&m, own.id, add(&teh, 1))
        .unwrap();
    assert_eq!(own.totals.order_discount, Money(8_600));

    // Zero total confirmed by a manager's PIN: sold, and the confirmation audited.
    let free = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::Takeaway, "")
        .unwrap();
    s.kasir
        .sales()
        .add_to_ticket(&c, free.id, add(&teh, 1))
        .unwrap();
    let free = s
        .kasir
        .sales()
        .set_order_discount(
            &c,
            Some(&approver),
            free.id,
            Some(Discount::Percent(10_000)),
        )
        .unwrap();
    assert_eq!(free.totals.total, Money::ZERO);
    let order = s
        .kasir
        .sales()
        .checkout_approved(&c, Some(&approver), free.id, &[])
        .unwrap();
    assert_eq!((order.total, order.paid), (Money::ZERO, Money::ZERO));
    assert!(
        s.kasir
            .audit()
            .entries(&m, 20)
            .unwrap()
            .iter()
            .any(|e| e.action == "zero_total_confirmed"
                && e.detail["confirmed_by"] == serde_json::json!(m.id())),
        "audited"
    );
}

/// A discount a manager gave on their own ticket follows it; taken over by a cashier, it holds
/// at what it takes then. And a total brought to zero by cash rounding alone is no gift: it
/// needs no manager.
#[test]
fn a_taken_over_discount_holds_and_rounding_to_zero_is_no_gift() {
    let s = shop();
    let (c, m) = (s.cashier.clone(), s.manager.clone());
    let teh = s.product("Teh", 10_000, None);
    let t = s
        .kasir
        .sales()
        .open_ticket(&m, OrderType::Takeaway, "")
        .unwrap();
    let t = s
        .kasir
        .sales()
        .add_to_ticket(&m, t.id, add(&teh, 1))
        .unwrap();
    let line = t.lines[0].id;
    s.kasir
        .sales()
        .set_line_discount(&m, None, t.id, line, Some(Discount::Percent(5000)))
        .unwrap();
    s.kasir
        .sales()
        .set_order_discount(&m, None, t.id, Some(Discount::Percent(1000)))
        .unwrap();
    let taken = s.kasir.sales().take_over_ticket(&c, t.id).unwrap();
    assert_eq!(taken.lines[0].discount_limit, Some(Money(5_000)));
    assert_eq!(taken.discount_limit, Some(Money(500)));
    let grown = s
        .kasir
        .sales()
        .set_line_quantity(&c, t.id, line, 4)
        .unwrap();
    assert_eq!(
        grown.totals.line_discounts,
        Money(5_000),
        "not half of four"
    );
    assert_eq!(grown.totals.order_discount, Money(500));

    let a = s.admin.clone();
    let mut settings = s.kasir.settings().get().unwrap();
    settings.cash_rounding = 1_000;
    settings.tax_rate_bp = 0;
    settings.service_rate_bp = 0;
    s.kasir.settings().update(&a, settings).unwrap();
    let permen = s.product("Permen", 200, None);
    let t = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::Takeaway, "")
        .unwrap();
    let t = s
        .kasir
        .sales()
        .add_to_ticket(&c, t.id, add(&permen, 1))
        .unwrap();
    assert_eq!(t.totals.total, Money::ZERO);
    let order = s.kasir.sales().checkout(&c, t.id, &[]).unwrap();
    assert_eq!(order.total, Money::ZERO);
}
