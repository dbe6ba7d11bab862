//! Reviews: only a member who bought a product reviews it, once (writing again replaces the
//! review), 1 to 5 stars, a photo through the picture checks; the product's average on its
//! card without a query per product; a manager hides a review and it stops counting.

use std::io::Cursor;

use image::{ImageFormat, RgbImage};
use kasir_core::members::reviews::ReviewInput;
use kasir_core::members::{Member, MemberInput};
use kasir_core::sales::tickets::{AddLine, OrderType};
use kasir_core::{Entity, Error, Field, Rule};

use crate::helpers::{Shop, cash, count, refused, shop};

fn png() -> Vec<u8> {
    let img = RgbImage::from_fn(64, 48, |x, _| image::Rgb([(x * 3) as u8, 90, 180]));
    let mut buf = Vec::new();
    img.write_to(&mut Cursor::new(&mut buf), ImageFormat::Png)
        .unwrap();
    buf
}

fn member_who_bought(
    s: &Shop,
    name: &str,
    phone: &str,
    product: &kasir_core::catalog::Product,
) -> Member {
    let c = s.cashier.clone();
    let m = s
        .kasir
        .members()
        .add(
            &c,
            &MemberInput {
                name: name.into(),
                phone: phone.into(),
                ..Default::default()
            },
            "",
        )
        .unwrap();
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
                quantity: 1,
            },
        )
        .unwrap();
    let t = sales.set_ticket_member(&c, t.id, Some(m.id)).unwrap();
    sales.checkout(&c, t.id, &[cash(t.totals.total.0)]).unwrap();
    m
}

fn review(m: &Member, p: &kasir_core::catalog::Product, rating: u8, comment: &str) -> ReviewInput {
    ReviewInput {
        member_id: m.id,
        product_id: p.id,
        rating,
        comment: comment.into(),
    }
}

/// The product's rating as the till's menu shows it: (sum, count).
fn rating_on_card(s: &Shop, name: &str) -> (i64, i64) {
    let c = s.cashier.clone();
    let card = s
        .kasir
        .catalog()
        .search_products(&c, name, 5, false)
        .unwrap()
        .remove(0);
    (card.rating_total, card.ratings)
}

#[test]
fn a_member_who_bought_reviews_once_and_the_card_shows_the_average() {
    let s = shop();
    let c = s.cashier.clone();
    let kopi = s.product("Kopi Tubruk", 18_000, None);
    let dewi = member_who_bought(&s, "Dewi", "081234567890", &kopi);
    let budi = member_who_bought(&s, "Budi", "081300000000", &kopi);
    let r = s
        .kasir
        .reviews()
        .write(&c, &review(&dewi, &kopi, 4, "Mantap"), Some(&png()))
        .unwrap();
    assert!(r.image_id.is_some());
    s.kasir
        .reviews()
        .write(&c, &review(&budi, &kopi, 2, ""), None)
        .unwrap();
    assert_eq!(rating_on_card(&s, "tubruk"), (6, 2));
    // Writing again replaces the review: still two, the new stars counted, the photo kept.
    let again = s
        .kasir
        .reviews()
        .write(&c, &review(&dewi, &kopi, 5, "Lebih mantap"), None)
        .unwrap();
    assert_eq!(again.id, r.id);
    assert_eq!(again.image_id, r.image_id);
    assert_eq!(rating_on_card(&s, "tubruk"), (7, 2));
    assert_eq!(count(&s.kasir, "SELECT COUNT(*) FROM reviews"), 2);
    assert_eq!(
        count(
            &s.kasir,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'review_upserted'"
        ),
        3
    );
    let listed = s
        .kasir
        .reviews()
        .of_product(&c, kopi.id, false, 10)
        .unwrap();
    assert_eq!(listed.len(), 2);
    let offered = s.kasir.reviews().reviewable(&c, dewi.id).unwrap();
    assert_eq!(offered.len(), 1);
    assert_eq!(
        (offered[0].product_name.as_str(), offered[0].rating),
        ("Kopi Tubruk", Some(5))
    );

    // A manager hides Budi's: it no longer counts, and is audited; a cashier may not.
    let m = s.manager.clone();
    let budis = listed.iter().find(|x| x.member_id == budi.id).unwrap().id;
    refused(
        &s.kasir,
        |k| k.reviews().set_hidden(&c, budis, true),
        |e| matches!(e, Error::Forbidden { .. }),
    );
    s.kasir.reviews().set_hidden(&m, budis, true).unwrap();
    assert_eq!(rating_on_card(&s, "tubruk"), (5, 1));
    assert_eq!(
        s.kasir
            .reviews()
            .of_product(&c, kopi.id, false, 10)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        s.kasir
            .reviews()
            .of_product(&m, kopi.id, true, 10)
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        count(
            &s.kasir,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'review_hidden'"
        ),
        1
    );
    s.kasir.reviews().set_hidden(&m, budis, false).unwrap();
    assert_eq!(rating_on_card(&s, "tubruk"), (7, 2));
    // Reviews are never deleted.
    assert!(
        s.kasir
            .connection()
            .execute("DELETE FROM reviews", [])
            .is_err()
    );
}

#[test]
fn bad_reviews_are_refused_and_change_nothing() {
    let s = shop();
    let c = s.cashier.clone();
    let kopi = s.product("Kopi Tubruk", 18_000, None);
    let teh = s.product("Teh Tarik", 15_000, None);
    let dewi = member_who_bought(&s, "Dewi", "081234567890", &kopi);
    type Check = fn(&Error) -> bool;
    let cases: Vec<(
        kasir_core::members::reviews::ReviewInput,
        Option<Vec<u8>>,
        Check,
    )> = vec![
        (review(&dewi, &kopi, 0, ""), None, |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Rating,
                    rule: Rule::OutOfRange { min: 1, max: 5 }
                }
            )
        }),
        (review(&dewi, &kopi, 6, ""), None, |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Rating,
                    ..
                }
            )
        }),
        (review(&dewi, &teh, 5, ""), None, |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Product,
                    rule: Rule::NotBought
                }
            )
        }),
        (review(&dewi, &kopi, 5, &"x".repeat(1001)), None, |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Comment,
                    rule: Rule::TooLong { max: 1000 }
                }
            )
        }),
        (review(&dewi, &kopi, 5, "bad\u{7}"), None, |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Comment,
                    rule: Rule::ControlCharacters
                }
            )
        }),
        (
            review(&dewi, &kopi, 5, ""),
            Some(b"not a picture at all".to_vec()),
            |e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::Image,
                        ..
                    }
                )
            },
        ),
        (
            kasir_core::members::reviews::ReviewInput {
                member_id: kasir_core::members::MemberId(uuid::Uuid::nil()),
                ..review(&dewi, &kopi, 5, "")
            },
            None,
            |e| {
                matches!(
                    e,
                    Error::NotFound {
                        entity: Entity::Member,
                        ..
                    }
                )
            },
        ),
    ];
    for (input, photo, check) in cases {
        refused(
            &s.kasir,
            |k| k.reviews().write(&c, &input, photo.as_deref()),
            check,
        );
    }
    let media: usize = walk(&s.kasir.media_dir());
    assert_eq!(media, 0, "a refused photo leaves no file behind");
}

fn walk(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .map(|e| e.unwrap().path())
        .map(|p| if p.is_dir() { walk(&p) } else { 1 })
        .sum()
}
