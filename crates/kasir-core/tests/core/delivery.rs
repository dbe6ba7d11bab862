//! Delivery orders: the member's address on the ticket (changeable), a delivery refused
//! without one, the address on the order and its receipt, and after "ready" the order goes
//! out and is delivered (completed), in that order only.

use kasir_core::members::MemberInput;
use kasir_core::sales::checkout::{Order, OrderStatus};
use kasir_core::sales::tickets::{AddLine, OrderType, Ticket};
use kasir_core::{Error, Field, Rule};

use crate::helpers::{Shop, cash, refused, shop};

fn delivery_ticket(s: &Shop) -> Ticket {
    let c = s.cashier.clone();
    let kopi = s.product("Kopi Susu", 25_000, None);
    let sales = s.kasir.sales();
    let t = sales.open_ticket(&c, OrderType::Takeaway, "").unwrap();
    sales
        .add_to_ticket(
            &c,
            t.id,
            AddLine {
                product_id: kopi.id,
                modifier_ids: vec![],
                note: String::new(),
                quantity: 2,
            },
        )
        .unwrap()
}

fn pay(s: &Shop, t: &Ticket) -> Order {
    let c = s.cashier.clone();
    s.kasir
        .sales()
        .checkout(&c, t.id, &[cash(t.totals.total.0)])
        .unwrap()
}

#[test]
fn a_delivery_takes_the_members_address_and_keeps_it_on_the_order() {
    let s = shop();
    let c = s.cashier.clone();
    let dewi = s
        .kasir
        .members()
        .add(
            &c,
            &MemberInput {
                name: "Dewi".into(),
                address: "Jl. Dago 12\nBandung".into(),
                ..MemberInput::default()
            },
            "",
        )
        .unwrap();
    let t = delivery_ticket(&s);
    let sales = s.kasir.sales();
    // Named first, then switched to delivery: the address follows either way.
    let t = sales.set_ticket_member(&c, t.id, Some(dewi.id)).unwrap();
    assert_eq!(t.delivery_address, "");
    let t = sales
        .set_ticket_info(&c, t.id, OrderType::Delivery, "Dewi")
        .unwrap();
    assert_eq!(t.delivery_address, "Jl. Dago 12\nBandung");
    // The cashier changes it for today (she is at the office); a new member does not overwrite it.
    let t = sales
        .set_ticket_address(&c, t.id, "Kantor, Jl. Asia Afrika 8")
        .unwrap();
    let t = sales.set_ticket_member(&c, t.id, Some(dewi.id)).unwrap();
    assert_eq!(t.delivery_address, "Kantor, Jl. Asia Afrika 8");
    let o = pay(&s, &t);
    assert_eq!(
        o.delivery_address.as_deref(),
        Some("Kantor, Jl. Asia Afrika 8")
    );
    let receipt = sales.receipt(&c, o.id).unwrap().render_text(32);
    assert!(receipt.contains("Antar ke: Kantor"), "{receipt}");
    // A takeaway keeps no address.
    let t = delivery_ticket(&s);
    let t = sales.set_ticket_address(&c, t.id, "Jl. Braga 1").unwrap();
    assert_eq!(pay(&s, &t).delivery_address, None);
}

#[test]
fn a_delivery_without_an_address_is_refused_and_bad_addresses_too() {
    let s = shop();
    let c = s.cashier.clone();
    let t = delivery_ticket(&s);
    let t = s
        .kasir
        .sales()
        .set_ticket_info(&c, t.id, OrderType::Delivery, "")
        .unwrap();
    refused(
        &s.kasir,
        |k| k.sales().checkout(&c, t.id, &[cash(t.totals.total.0)]),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Address,
                    rule: Rule::Required
                }
            )
        },
    );
    refused(
        &s.kasir,
        |k| k.sales().set_ticket_address(&c, t.id, &"x".repeat(301)),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Address,
                    rule: Rule::TooLong { .. }
                }
            )
        },
    );
    refused(
        &s.kasir,
        |k| k.sales().set_ticket_address(&c, t.id, "Jl.\u{7} Braga"),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Address,
                    rule: Rule::ControlCharacters
                }
            )
        },
    );
}

#[test]
fn after_ready_a_delivery_goes_out_then_is_delivered() {
    let s = shop();
    let c = s.cashier.clone();
    let sales = s.kasir.sales();
    let t = delivery_ticket(&s);
    sales
        .set_ticket_info(&c, t.id, OrderType::Delivery, "Budi")
        .unwrap();
    let t = sales.set_ticket_address(&c, t.id, "Jl. Riau 5").unwrap();
    let o = pay(&s, &t);
    let board = |s: &Shop| {
        s.kasir
            .sales()
            .orders_today(&c)
            .unwrap()
            .into_iter()
            .find(|x| x.id == o.id)
            .unwrap()
    };
    // Not yet ready: it cannot go out.
    refused(
        &s.kasir,
        |k| k.sales().send_out(&c, o.id),
        |e| matches!(e, Error::InvalidTransition { .. }),
    );
    sales
        .advance_order(&c, o.id, OrderStatus::Preparing)
        .unwrap();
    sales.advance_order(&c, o.id, OrderStatus::Ready).unwrap();
    let b = board(&s);
    assert_eq!(
        (b.next_status, b.ready_to_send, b.out_for_delivery),
        (None, true, false)
    );
    assert_eq!(b.delivery_address.as_deref(), Some("Jl. Riau 5"));
    // Completed before it went out: refused.
    refused(
        &s.kasir,
        |k| k.sales().advance_order(&c, o.id, OrderStatus::Completed),
        |e| matches!(e, Error::InvalidTransition { to, .. } if to == "delivered"),
    );
    let out = sales.send_out(&c, o.id).unwrap();
    assert!(out.out_for_delivery_at.is_some());
    // The server hears where it went and when it went out, in the order they happened.
    let sent = s.kasir.sync().sent_kinds().unwrap();
    let address = sent.iter().find_map(|(_, p)| match p {
        kasir_proto::Payload::Sale(sale) if sale.order.id == o.id.0 => {
            Some(sale.order.delivery_address.clone())
        }
        _ => None,
    });
    assert_eq!(address, Some(Some("Jl. Riau 5".to_string())));
    assert!(matches!(
        sent.last(),
        Some((_, kasir_proto::Payload::OrderSentOut(e))) if e.order_id == o.id.0
    ));
    let b = board(&s);
    assert_eq!(
        (b.next_status, b.ready_to_send, b.out_for_delivery),
        (Some(OrderStatus::Completed), false, true)
    );
    refused(
        &s.kasir,
        |k| k.sales().send_out(&c, o.id),
        |e| matches!(e, Error::InvalidTransition { .. }),
    );
    let done = sales
        .advance_order(&c, o.id, OrderStatus::Completed)
        .unwrap();
    assert_eq!(done.status, OrderStatus::Completed);
    assert!(done.delivered_at.is_some());
    // A takeaway never goes out.
    let t = delivery_ticket(&s);
    let o = pay(&s, &t);
    sales
        .advance_order(&c, o.id, OrderStatus::Preparing)
        .unwrap();
    sales.advance_order(&c, o.id, OrderStatus::Ready).unwrap();
    refused(
        &s.kasir,
        |k| k.sales().send_out(&c, o.id),
        |e| matches!(e, Error::InvalidTransition { .. }),
    );
}
