//! Members and their points: numbers never reused, phone and email unique, search as you
//! type, points earned in the sale's transaction and taken back by refunds and cancellations,
//! tiers, referral, a manager's adjustment, expiry; bad input refused with nothing changed.

use jiff::SignedDuration;
use kasir_core::members::points::{LoyaltySettings, PointsKind};
use kasir_core::members::{Member, MemberInput, Tier, normalize_email, normalize_phone};
use kasir_core::money::Money;
use kasir_core::sales::checkout::{Order, PaymentMethod};
use kasir_core::sales::refunds::{RefundLineInput, RefundRequest};
use kasir_core::sales::tickets::{AddLine, OrderType};
use kasir_core::{Actor, Entity, Error, Field, Rule};

use crate::helpers::{MANAGER_PIN, Shop, cash, count, refused, shop};

fn input(name: &str, phone: &str, email: &str) -> MemberInput {
    MemberInput {
        name: name.into(),
        phone: phone.into(),
        email: email.into(),
        ..MemberInput::default()
    }
}

fn add(s: &Shop, name: &str, phone: &str) -> Member {
    let c = s.cashier.clone();
    s.kasir
        .members()
        .add(&c, &input(name, phone, ""), "")
        .unwrap()
}

/// Sells `qty` of `product` to `member` for cash, as the cashier.
fn sell_to(s: &Shop, member: &Member, product: &kasir_core::catalog::Product, qty: i64) -> Order {
    let c = s.cashier.clone();
    let sales = s.kasir.sales();
    let t = sales.open_ticket(&c, OrderType::Takeaway, "").unwrap();
    sales
        .add_to_ticket(
            &c,
            t.id,
            AddLine {
                product_id: product.id,
                modifier_ids: vec![],
                note: String::new(),
                quantity: qty,
            },
        )
        .unwrap();
    let t = sales.set_ticket_member(&c, t.id, Some(member.id)).unwrap();
    assert_eq!(t.member.as_ref().map(|m| m.id), Some(member.id));
    sales.checkout(&c, t.id, &[cash(t.totals.total.0)]).unwrap()
}

fn approver(s: &Shop) -> Actor {
    s.kasir
        .people()
        .approver(s.manager.id(), MANAGER_PIN)
        .unwrap()
}

fn member(s: &Shop, id: kasir_core::members::MemberId) -> Member {
    let m = s.manager.clone();
    s.kasir.members().get(&m, id).unwrap()
}

#[test]
fn members_are_numbered_by_the_till_and_never_reused() {
    let s = shop();
    let a = add(&s, "Dewi Lestari", "0812-3456-7890");
    let b = add(&s, "Budi Santoso", "");
    assert_eq!(a.number, "MEM-T01-000001");
    assert_eq!(b.number, "MEM-T01-000002");
    assert_eq!(a.phone.as_deref(), Some("081234567890"));
    assert_eq!(a.tier, Tier::Bronze);
    assert_eq!((a.points, a.visits, a.spent), (0, 0, Money(0)));
    // Deactivated, the number stays taken: the next is the third.
    let m = s.manager.clone();
    s.kasir.members().set_active(&m, b.id, false).unwrap();
    assert_eq!(add(&s, "Citra", "").number, "MEM-T01-000003");
    assert_eq!(
        count(
            &s.kasir,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'member_upserted'"
        ),
        4
    );
    // Members are never deleted.
    let deleted = s
        .kasir
        .connection()
        .execute("DELETE FROM members WHERE id = ?1", [b.id.to_string()]);
    assert!(deleted.is_err());
}

#[test]
fn phones_and_emails_are_kept_one_way_and_unique() {
    let cases: &[(&str, Option<&str>)] = &[
        ("0812 3456 7890", Some("081234567890")),
        ("+62 812-3456-7890", Some("081234567890")),
        ("62812 3456 7890", Some("081234567890")),
        ("(021) 555-0123", Some("0215550123")),
        ("+1 415 555 0100", Some("+14155550100")),
        ("", None),
    ];
    for (raw, kept) in cases {
        assert_eq!(normalize_phone(raw).unwrap().as_deref(), *kept, "{raw}");
    }
    for bad in [
        "12345",
        "0812 34x6",
        "0812345678901234567",
        "++62812345678",
        "0812/3456",
    ] {
        assert!(
            matches!(
                normalize_phone(bad),
                Err(Error::Invalid {
                    field: Field::Phone,
                    ..
                })
            ),
            "{bad} was taken"
        );
    }
    assert_eq!(
        normalize_email(" Dewi@Example.COM ").unwrap().as_deref(),
        Some("dewi@example.com")
    );
    for bad in [
        "dewi",
        "dewi@",
        "@example.com",
        "dewi@example",
        "de wi@example.com",
        "a@b@c.com",
    ] {
        assert!(
            matches!(
                normalize_email(bad),
                Err(Error::Invalid {
                    field: Field::Email,
                    rule: Rule::EmailFormat
                })
            ),
            "{bad} was taken"
        );
    }

    let s = shop();
    let c = s.cashier.clone();
    s.kasir
        .members()
        .add(&c, &input("Dewi", "0812-3456-7890", "dewi@example.com"), "")
        .unwrap();
    refused(
        &s.kasir,
        |k| {
            k.members()
                .add(&c, &input("Dewi Dua", "+6281234567890", ""), "")
        },
        |e| matches!(e, Error::Duplicate { field: Field::Phone, value } if value == "081234567890"),
    );
    refused(
        &s.kasir,
        |k| {
            k.members()
                .add(&c, &input("Dewi Tiga", "", "DEWI@example.com"), "")
        },
        |e| {
            matches!(
                e,
                Error::Duplicate {
                    field: Field::Email,
                    ..
                }
            )
        },
    );
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let s = shop();
    let c = s.cashier.clone();
    let ok = add(&s, "Dewi", "081234567890");
    type Check = fn(&Error) -> bool;
    let future = "2027-01-01".parse().unwrap();
    let cases: Vec<(MemberInput, &str, Check)> = vec![
        (input("", "", ""), "", |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Name,
                    rule: Rule::Required
                }
            )
        }),
        (input(&"x".repeat(81), "", ""), "", |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Name,
                    rule: Rule::TooLong { max: 80 }
                }
            )
        }),
        (input("Ali\u{0}", "", ""), "", |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Name,
                    rule: Rule::ControlCharacters
                }
            )
        }),
        (input("Ali", "abc", ""), "", |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Phone,
                    rule: Rule::PhoneFormat
                }
            )
        }),
        (input("Ali", "", "ali@"), "", |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Email,
                    rule: Rule::EmailFormat
                }
            )
        }),
        (
            MemberInput {
                birthday: Some(future),
                ..input("Ali", "", "")
            },
            "",
            |e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::Birthday,
                        ..
                    }
                )
            },
        ),
        (
            MemberInput {
                notes: "n".repeat(501),
                ..input("Ali", "", "")
            },
            "",
            |e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::Notes,
                        rule: Rule::TooLong { max: 500 }
                    }
                )
            },
        ),
        (input("Ali", "", ""), "NOPE1234", |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::ReferralCode,
                    rule: Rule::Unknown { .. }
                }
            )
        }),
    ];
    for (i, referral, check) in cases {
        refused(&s.kasir, |k| k.members().add(&c, &i, referral), check);
    }
    refused(
        &s.kasir,
        |k| k.members().update(&c, ok.id, &input("Dewi", "12", "")),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Phone,
                    ..
                }
            )
        },
    );
    refused(
        &s.kasir,
        |k| k.members().search(&c, &"a".repeat(101), 10),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Query,
                    ..
                }
            )
        },
    );
    refused(
        &s.kasir,
        |k| k.members().search(&c, "dewi", 0),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Limit,
                    ..
                }
            )
        },
    );
    // A cashier may not deactivate.
    refused(
        &s.kasir,
        |k| k.members().set_active(&c, ok.id, false),
        |e| matches!(e, Error::Forbidden { .. }),
    );
}

#[test]
fn search_finds_by_name_phone_and_number_as_you_type() {
    let s = shop();
    let c = s.cashier.clone();
    let dewi = add(&s, "Dewi Lestari", "0812-3456-7890");
    let desi = add(&s, "Desi Ratna", "0813-1111-2222");
    let budi = add(&s, "Budi Dewantara", "0857-0000-1111");
    let gone = add(&s, "Dewa Gone", "0812-9999-0000");
    let m = s.manager.clone();
    s.kasir.members().set_active(&m, gone.id, false).unwrap();
    let names = |q: &str| -> Vec<String> {
        s.kasir
            .members()
            .search(&c, q, 10)
            .unwrap()
            .into_iter()
            .map(|m| m.name)
            .collect()
    };
    // A name's start ranks before a later word's start; the inactive member is never found.
    assert_eq!(
        names("de"),
        ["Desi Ratna", "Dewi Lestari", "Budi Dewantara"]
    );
    assert_eq!(names("dewi les"), ["Dewi Lestari"]);
    assert_eq!(
        names("DÉWI"),
        ["Dewi Lestari"],
        "accents and case do not matter"
    );
    assert_eq!(names("0812"), ["Dewi Lestari"]);
    assert_eq!(names("+62 812 3456"), ["Dewi Lestari"]);
    assert_eq!(names("081311112222"), ["Desi Ratna"]);
    assert_eq!(names("3"), ["Budi Dewantara"], "a number's count alone");
    assert_eq!(names(&desi.number.to_lowercase()), ["Desi Ratna"]);
    assert!(names("zzz").is_empty());
    assert!(names("   ").is_empty());
    // Search syntax is only text.
    for odd in ["\"", "de*", "NEAR(de", "de OR bu", "-de", "de:x", "%", "_"] {
        s.kasir.members().search(&c, odd, 10).unwrap();
    }
    // Whoever visited last comes first among equals.
    let p = s.product("Kopi", 20_000, None);
    sell_to(&s, &budi, &p, 1);
    s.clock.advance(SignedDuration::from_secs(60));
    sell_to(&s, &dewi, &p, 1);
    assert_eq!(names("d"), ["Dewi Lestari", "Desi Ratna", "Budi Dewantara"]);
}

#[test]
fn a_sale_earns_points_in_its_own_transaction_and_the_receipt_says_so() {
    let s = shop();
    let dewi = add(&s, "Dewi Lestari", "081234567890");
    let kopi = s.product("Kopi", 23_500, None);
    let order = sell_to(&s, &dewi, &kopi, 4);
    assert_eq!(order.member_id, Some(dewi.id));
    // One point per Rp 10.000 of the total, rounded down, at bronze (×1).
    let expected = order.total.0 / 10_000;
    let after = member(&s, dewi.id);
    assert_eq!(after.points, expected);
    assert_eq!((after.visits, after.spent), (1, order.total));
    assert!(after.last_visit.is_some());
    let m = s.manager.clone();
    let history = s.kasir.points().history(&m, dewi.id, 10).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].kind, history[0].points),
        (PointsKind::Earn, expected)
    );
    assert_eq!(
        history[0].receipt_no.as_deref(),
        Some(order.receipt_no.as_str())
    );
    // The sale and its points went up together.
    let kinds: Vec<String> = s
        .kasir
        .connection()
        .prepare("SELECT kind FROM outbox ORDER BY seq DESC LIMIT 2")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(kinds, ["points_entry", "sale"]);
    let receipt = s.kasir.sales().receipt(&m, order.id).unwrap();
    let rm = receipt.member.as_ref().unwrap();
    assert_eq!(
        (rm.number.as_str(), rm.earned, rm.balance),
        (dewi.number.as_str(), expected, expected)
    );
    let text = receipt.render_text(48);
    assert!(
        text.contains(&format!("Member: {} Dewi Lestari", dewi.number)),
        "{text}"
    );
    assert!(text.contains(&format!("+{expected}")), "{text}");
    // A ticket for an inactive member is refused at the ticket.
    s.kasir.members().set_active(&m, dewi.id, false).unwrap();
    let c = s.cashier.clone();
    let t = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::Takeaway, "")
        .unwrap();
    refused(
        &s.kasir,
        |k| k.sales().set_ticket_member(&c, t.id, Some(dewi.id)),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Member,
                    rule: Rule::Inactive
                }
            )
        },
    );
}

#[test]
fn refunds_and_cancellations_take_the_points_back_in_step() {
    let s = shop();
    let dewi = add(&s, "Dewi", "081234567890");
    let kopi = s.product("Kopi", 50_000, None);
    let order = sell_to(&s, &dewi, &kopi, 3);
    let earned = member(&s, dewi.id).points;
    assert!(earned >= 15, "{earned}");
    let m = s.manager.clone();
    let refund = |qty: i64| {
        s.kasir
            .sales()
            .refund(
                &m,
                None,
                &RefundRequest {
                    order_id: order.id,
                    lines: vec![RefundLineInput {
                        line: 0,
                        quantity: qty,
                        restock: false,
                    }],
                    reason: "Salah".into(),
                    method: PaymentMethod::Cash,
                    reference: None,
                },
            )
            .unwrap()
    };
    let first = refund(1);
    let after_one = member(&s, dewi.id);
    let taken = earned - after_one.points;
    assert_eq!(
        taken,
        earned * first.total.0 / order.total.0,
        "in step with the money"
    );
    assert_eq!(after_one.spent, Money(order.total.0 - first.total.0));
    assert_eq!(after_one.visits, 1, "a partial refund leaves the visit");
    refund(1);
    refund(1);
    let after_all = member(&s, dewi.id);
    assert_eq!(
        after_all.points, 0,
        "every point the order earned went back"
    );
    assert_eq!(after_all.spent, Money(0));

    // A cancelled order: its points and its visit go back.
    let second = sell_to(&s, &dewi, &kopi, 1);
    assert!(member(&s, dewi.id).points > 0);
    s.kasir
        .sales()
        .cancel_order(&m, None, second.id, "Salah input")
        .unwrap();
    let after_cancel = member(&s, dewi.id);
    assert_eq!(
        (after_cancel.points, after_cancel.visits, after_cancel.spent),
        (0, 1, Money(0))
    );
}

#[test]
fn points_already_spent_are_not_taken_below_zero() {
    let s = shop();
    let dewi = add(&s, "Dewi", "081234567890");
    let kopi = s.product("Kopi", 100_000, None);
    let order = sell_to(&s, &dewi, &kopi, 1);
    let earned = member(&s, dewi.id).points;
    assert_eq!(earned, order.total.0 / 10_000);
    let m = s.manager.clone();
    s.kasir
        .points()
        .adjust(&m, None, dewi.id, -(earned - 2), "Tukar merchandise")
        .unwrap();
    s.kasir
        .sales()
        .cancel_order(&m, None, order.id, "Batal")
        .unwrap();
    assert_eq!(
        member(&s, dewi.id).points,
        0,
        "two were left, two were taken"
    );
}

#[test]
fn tiers_and_earning_follow_the_settings() {
    let s = LoyaltySettings {
        earn_per_amount: Money(10_000),
        point_value: Money(100),
        tier_window_months: 12,
        silver_from: 500,
        gold_from: 2_000,
        platinum_from: 5_000,
        bronze_percent: 100,
        silver_percent: 125,
        gold_percent: 150,
        platinum_percent: 200,
        expiry_months: 12,
        referral_new_points: 50,
        referral_giver_points: 100,
        regular_orders: 3,
        regular_spent: Money(1_000_000),
        vip_orders: 10,
        vip_spent: Money(10_000_000),
        expiry_notice_days: 7,
        offline_points_limit: 500,
        offline_wallet_limit: Money(100_000),
    };
    let tiers = [
        (0, Tier::Bronze),
        (499, Tier::Bronze),
        (500, Tier::Silver),
        (1_999, Tier::Silver),
        (2_000, Tier::Gold),
        (5_000, Tier::Platinum),
        (1_000_000, Tier::Platinum),
    ];
    for (earned, tier) in tiers {
        assert_eq!(s.tier_for(earned), tier, "{earned}");
    }
    let earning = [
        (Tier::Bronze, 9_999, 0),
        (Tier::Bronze, 10_000, 1),
        (Tier::Bronze, 99_900, 9),
        (Tier::Silver, 40_000, 5),
        (Tier::Silver, 30_000, 3),
        (Tier::Gold, 30_000, 4),
        (Tier::Platinum, 35_000, 6),
        (Tier::Bronze, 0, 0),
        (Tier::Bronze, -5_000, 0),
    ];
    for (tier, paid, points) in earning {
        assert_eq!(s.points_for(tier, Money(paid)), points, "{tier:?} {paid}");
    }
    let off = LoyaltySettings {
        earn_per_amount: Money(0),
        ..s.clone()
    };
    assert_eq!(off.points_for(Tier::Platinum, Money(1_000_000)), 0);

    // In a shop: a member who earns past silver's threshold becomes silver with that entry,
    // and earns at silver's rate from the next sale.
    let shop = shop();
    let a = shop.admin.clone();
    let set = LoyaltySettings {
        silver_from: 20,
        gold_from: 40,
        platinum_from: 80,
        ..s
    };
    shop.kasir.points().set_settings(&a, &set).unwrap();
    let dewi = add(&shop, "Dewi", "081234567890");
    let kopi = shop.product("Kopi", 100_000, None);
    let first = sell_to(&shop, &dewi, &kopi, 2).total.0 / 10_000;
    assert!((20..40).contains(&first), "{first}");
    assert_eq!(
        (member(&shop, dewi.id).points, member(&shop, dewi.id).tier),
        (first, Tier::Silver)
    );
    let second = sell_to(&shop, &dewi, &kopi, 2).total.0 / 10_000 * 125 / 100;
    assert!(first + second >= 40 && first + second < 80);
    assert_eq!(
        (member(&shop, dewi.id).points, member(&shop, dewi.id).tier),
        (first + second, Tier::Gold),
        "at silver's ×1.25"
    );
}

#[test]
fn loyalty_settings_are_an_admins_and_checked() {
    let s = shop();
    let a = s.admin.clone();
    let m = s.manager.clone();
    let current = s.kasir.points().settings(&m).unwrap();
    refused(
        &s.kasir,
        |k| k.points().set_settings(&m, &current),
        |e| matches!(e, Error::Forbidden { .. }),
    );
    type Check = fn(&Error) -> bool;
    let bad: Vec<(LoyaltySettings, Check)> = vec![
        (
            LoyaltySettings {
                earn_per_amount: Money(-1),
                ..current.clone()
            },
            |e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::EarnPerAmount,
                        rule: Rule::Negative
                    }
                )
            },
        ),
        (
            LoyaltySettings {
                point_value: Money(i64::MAX),
                ..current.clone()
            },
            |e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::PointValue,
                        rule: Rule::TooLarge
                    }
                )
            },
        ),
        (
            LoyaltySettings {
                gold_from: current.silver_from,
                ..current.clone()
            },
            |e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::Tiers,
                        rule: Rule::TiersOutOfOrder
                    }
                )
            },
        ),
        (
            LoyaltySettings {
                tier_window_months: 0,
                ..current.clone()
            },
            |e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::TierWindow,
                        ..
                    }
                )
            },
        ),
        (
            LoyaltySettings {
                gold_percent: 1001,
                ..current.clone()
            },
            |e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::Multiplier,
                        ..
                    }
                )
            },
        ),
        (
            LoyaltySettings {
                expiry_months: 121,
                ..current.clone()
            },
            |e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::ExpiryMonths,
                        ..
                    }
                )
            },
        ),
    ];
    for (settings, check) in bad {
        refused(&s.kasir, |k| k.points().set_settings(&a, &settings), check);
    }
    let changed = LoyaltySettings {
        point_value: Money(250),
        ..current
    };
    assert_eq!(
        s.kasir.points().set_settings(&a, &changed).unwrap(),
        changed
    );
    assert_eq!(
        count(
            &s.kasir,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'loyalty_settings_changed'"
        ),
        1
    );
}

#[test]
fn a_referral_credits_both_members_once() {
    let s = shop();
    let c = s.cashier.clone();
    let dewi = add(&s, "Dewi", "081234567890");
    assert!(
        dewi.referral_code.starts_with("DEWI") && dewi.referral_code.len() == 8,
        "{}",
        dewi.referral_code
    );
    let budi = s
        .kasir
        .members()
        .add(
            &c,
            &input("Budi", "", ""),
            &dewi.referral_code.to_lowercase(),
        )
        .unwrap();
    assert_eq!(budi.referred_by, Some(dewi.id));
    assert_eq!(budi.points, 50);
    assert_eq!(member(&s, dewi.id).points, 100);
    // A deactivated member's code no longer brings anyone.
    let m = s.manager.clone();
    s.kasir.members().set_active(&m, dewi.id, false).unwrap();
    refused(
        &s.kasir,
        |k| {
            k.members()
                .add(&c, &input("Citra", "", ""), &dewi.referral_code)
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::ReferralCode,
                    rule: Rule::Inactive
                }
            )
        },
    );
}

#[test]
fn a_manager_adjusts_points_with_a_reason_and_a_cashier_needs_a_pin() {
    let s = shop();
    let dewi = add(&s, "Dewi", "081234567890");
    let c = s.cashier.clone();
    refused(
        &s.kasir,
        |k| k.points().adjust(&c, None, dewi.id, 10, "Kompensasi"),
        |e| matches!(e, Error::Forbidden { .. }),
    );
    let approved = s
        .kasir
        .points()
        .adjust(&c, Some(&approver(&s)), dewi.id, 10, "Kompensasi")
        .unwrap();
    assert_eq!(approved.points, 10);
    refused(
        &s.kasir,
        |k| {
            k.points()
                .adjust(&c, Some(&approver(&s)), dewi.id, -11, "Koreksi")
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Points,
                    rule: Rule::NotEnoughPoints { held: 10 }
                }
            )
        },
    );
    let m = s.manager.clone();
    for (points, reason, check) in [
        (
            0,
            "x",
            (|e: &Error| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::Points,
                        rule: Rule::Zero
                    }
                )
            }) as fn(&Error) -> bool,
        ),
        (5, "", |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Reason,
                    rule: Rule::Required
                }
            )
        }),
        (i64::MAX, "x", |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Points,
                    rule: Rule::TooLarge
                }
            )
        }),
    ] {
        refused(
            &s.kasir,
            |k| k.points().adjust(&m, None, dewi.id, points, reason),
            check,
        );
    }
    let unknown = kasir_core::members::MemberId(uuid::Uuid::nil());
    refused(
        &s.kasir,
        |k| k.points().adjust(&m, None, unknown, 5, "x"),
        |e| {
            matches!(
                e,
                Error::NotFound {
                    entity: Entity::Member,
                    ..
                }
            )
        },
    );
    assert_eq!(
        count(
            &s.kasir,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'points_adjusted'"
        ),
        1
    );
}

#[test]
fn points_expire_oldest_first_after_the_set_months() {
    let s = shop();
    let dewi = add(&s, "Dewi", "081234567890");
    let budi = add(&s, "Budi", "");
    let m = s.manager.clone();
    s.kasir
        .points()
        .adjust(&m, None, dewi.id, 100, "Saldo awal")
        .unwrap();
    s.kasir
        .points()
        .adjust(&m, None, budi.id, 40, "Saldo awal")
        .unwrap();
    // A month on, Dewi spends 30 (of her oldest) and earns 20 more.
    s.clock.advance(SignedDuration::from_hours(24 * 31));
    s.kasir
        .points()
        .adjust(&m, None, dewi.id, -30, "Tukar")
        .unwrap();
    s.kasir
        .points()
        .adjust(&m, None, dewi.id, 20, "Bonus")
        .unwrap();
    assert_eq!(
        s.kasir.points().expire_due().unwrap(),
        0,
        "nothing is a year old yet"
    );
    // Twelve months after the first entries, not yet after the later ones.
    s.clock.advance(SignedDuration::from_hours(24 * 340));
    assert_eq!(s.kasir.points().expire_due().unwrap(), 2);
    assert_eq!(
        member(&s, dewi.id).points,
        20,
        "the 70 left of the first 100 expired"
    );
    assert_eq!(member(&s, budi.id).points, 0);
    assert_eq!(
        s.kasir.points().expire_due().unwrap(),
        0,
        "run again: nothing more"
    );
    s.clock.advance(SignedDuration::from_hours(24 * 40));
    assert_eq!(s.kasir.points().expire_due().unwrap(), 1);
    assert_eq!(member(&s, dewi.id).points, 0);
    let kinds: Vec<PointsKind> = s
        .kasir
        .points()
        .history(&m, dewi.id, 10)
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds[..2], [PointsKind::Expire, PointsKind::Expire]);
    assert_eq!(
        count(
            &s.kasir,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'points_entry'"
        ),
        7
    );
}

#[test]
fn the_demo_cafe_has_regulars_to_find_at_the_till() {
    let dir = tempfile::tempdir().unwrap();
    let k =
        kasir_core::Kasir::open(dir.path(), std::sync::Arc::new(kasir_core::SystemClock)).unwrap();
    let shop = kasir_core::demo::seed_demo(&k, false).unwrap();
    let found = k.members().search(&shop.admin, "0812 3456", 5).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].name.as_str(), found[0].points),
        ("Dewi Lestari", 180)
    );
    assert_eq!(found[0].notes, "Alergi kacang");
    for name in ["budi", "rina w"] {
        assert_eq!(
            k.members().search(&shop.admin, name, 10).unwrap().len(),
            1,
            "{name}"
        );
    }
}

#[test]
fn the_members_table_filters_sorts_pages_and_counts() {
    use kasir_core::members::table::{MemberQuery, MemberSort};
    let s = shop();
    let m = s.manager.clone();
    let a = s.admin.clone();
    let dewi = add(&s, "Dewi Lestari", "081234567890");
    let budi = add(&s, "Budi Santoso", "081300000000");
    s.clock.advance(SignedDuration::from_hours(48));
    let rina = add(&s, "Rina Wijaya", "085700000000");
    s.kasir
        .points()
        .adjust(&a, None, budi.id, 700, "Saldo")
        .unwrap();
    s.kasir
        .points()
        .adjust(&a, None, rina.id, 20, "Saldo")
        .unwrap();
    s.kasir.members().set_active(&m, dewi.id, false).unwrap();
    let kopi = s.product("Kopi", 30_000, None);
    let order = sell_to(&s, &rina, &kopi, 1);
    let q = |f: &dyn Fn(&mut MemberQuery)| {
        let mut q = MemberQuery {
            limit: 50,
            ..Default::default()
        };
        f(&mut q);
        let page = s.kasir.members().list(&m, &q).unwrap();
        (
            page.members.into_iter().map(|x| x.name).collect::<Vec<_>>(),
            page.total,
        )
    };
    assert_eq!(
        q(&|_| {}).0,
        ["Budi Santoso", "Dewi Lestari", "Rina Wijaya"]
    );
    assert_eq!(
        q(&|q| q.active = Some(true)).0,
        ["Budi Santoso", "Rina Wijaya"]
    );
    assert_eq!(
        q(&|q| q.tier = Some(Tier::Silver)).1,
        0,
        "points given by hand raise no tier"
    );
    assert_eq!(q(&|q| q.tier = Some(Tier::Bronze)).1, 3);
    assert_eq!(q(&|q| q.sort = MemberSort::Points).0[0], "Budi Santoso");
    assert_eq!(q(&|q| q.sort = MemberSort::LastVisit).0[0], "Rina Wijaya");
    assert_eq!(q(&|q| q.sort = MemberSort::Joined).0[0], "Rina Wijaya");
    assert_eq!(q(&|q| q.text = "0813".into()).0, ["Budi Santoso"]);
    assert_eq!(q(&|q| q.text = "wij".into()).0, ["Rina Wijaya"]);
    let day = |d: &str| Some(d.parse().unwrap());
    assert_eq!(q(&|q| q.joined_from = day("2026-11-22")).0, ["Rina Wijaya"]);
    assert_eq!(
        q(&|q| q.joined_to = day("2026-11-21")).0,
        ["Budi Santoso", "Dewi Lestari"]
    );
    let (page, total) = q(&|q| {
        q.limit = 1;
        q.offset = 1;
    });
    assert_eq!((page, total), (vec!["Dewi Lestari".to_string()], 3));
    let stats = s.kasir.members().stats(&m).unwrap();
    assert_eq!(
        (stats.active, stats.inactive, stats.visited_30_days),
        (2, 1, 1)
    );
    assert_eq!(stats.points_outstanding, 700 + 20 + order.total.0 / 10_000);
    let orders = s.kasir.members().orders(&m, rina.id, 10).unwrap();
    assert_eq!(
        orders
            .iter()
            .map(|o| o.receipt_no.as_str())
            .collect::<Vec<_>>(),
        [order.receipt_no.as_str()]
    );
    let c = s.cashier.clone();
    refused(
        &s.kasir,
        |k| {
            k.members().list(
                &c,
                &MemberQuery {
                    limit: 10,
                    ..Default::default()
                },
            )
        },
        |e| matches!(e, Error::Forbidden { .. }),
    );
    refused(
        &s.kasir,
        |k| {
            k.members().list(
                &m,
                &MemberQuery {
                    limit: 0,
                    ..Default::default()
                },
            )
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Limit,
                    ..
                }
            )
        },
    );
}
