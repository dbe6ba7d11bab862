//! A batch's sales: which orders are new (once per order id; a receipt number used again is
//! renumbered, never dropped), then the orders with their flags, their lines and payments, by
//! binary `COPY`.

use std::collections::{HashMap, HashSet};

use kasir_proto::Sale;
use tokio_postgres::Transaction;
use tokio_postgres::types::Type;
use uuid::Uuid;

use super::{copy_writer, internal, serde_plain};
use crate::Failure;
use crate::auth::Terminal;

/// What the server already holds of a batch's orders.
#[derive(Default)]
pub(super) struct Held {
    /// Order ids.
    ids: HashSet<Uuid>,
    /// Receipt numbers this terminal used: those the batch's sales carry, and for a sale to be
    /// renumbered, every one its new number could take (`<number>/…`).
    receipts: HashSet<String>,
}

/// Reads what the server holds of `sales`' orders. The caller holds the terminal's and the
/// store's locks (every push takes them, in that order, before this), so what this read does
/// not find is still absent when [`insert_orders`] writes. Only a till of another store sending
/// the same order id at the same moment could slip in between: the `COPY` then fails on the
/// key, the whole push rolls back and the terminal's retry finds the order held.
pub(super) async fn held(
    tx: &Transaction<'_>,
    terminal: Terminal,
    sales: &[(i64, &Sale)],
) -> Result<Held, Failure> {
    let ids: Vec<Uuid> = sales.iter().map(|(_, s)| s.order.id).collect();
    let receipts: Vec<&str> = sales
        .iter()
        .map(|(_, s)| s.order.receipt_no.as_str())
        .collect();
    let mut held = Held::default();
    for r in tx
        .query(
            "SELECT id, terminal_id = $2 AND receipt_no = ANY($3), receipt_no FROM orders
             WHERE id = ANY($1) OR (terminal_id = $2 AND receipt_no = ANY($3))",
            &[&ids, &terminal.id, &receipts],
        )
        .await?
    {
        held.ids.insert(r.get::<_, Uuid>(0));
        if r.get::<_, bool>(1) {
            held.receipts.insert(r.get::<_, String>(2));
        }
    }
    // A sale to be renumbered takes `<number>/<seq>` (or, should a payload made to clash hold
    // that too, `<number>/<seq>/2`, …): every number held under `<number>/` is read, so the
    // new one is free. What is read can move another sale's new number onto a number a later
    // sale carries, renumbering that one too: read again until no sale is left unread (each
    // round reads for at least one more sale of the batch, so this ends).
    let mut read: HashSet<i64> = HashSet::new();
    loop {
        let prefixes: Vec<String> = new_orders(sales, &held)
            .renumbered
            .keys()
            .filter(|seq| read.insert(**seq))
            .filter_map(|seq| sales.iter().find(|(s, _)| s == seq))
            .map(|(_, sale)| format!("{}/", sale.order.receipt_no))
            .collect();
        if prefixes.is_empty() {
            break;
        }
        for r in tx
            .query(
                "SELECT receipt_no FROM orders WHERE terminal_id = $1
                 AND EXISTS (SELECT 1 FROM UNNEST($2::text[]) AS p(prefix)
                             WHERE starts_with(receipt_no, prefix))",
                &[&terminal.id, &prefixes],
            )
            .await?
        {
            held.receipts.insert(r.get(0));
        }
    }
    Ok(held)
}

/// The sales whose order is new, given what the server holds: an order id held (a till copied
/// from another's disk, a till enrolled again re-sending what it sold) is the same sale, not
/// inserted again, and nothing of it is applied twice; within the batch, the first sale of an
/// order id counts. A new order under a receipt number this terminal already used (a till
/// whose counter went back) is another sale, never dropped: it is renumbered
/// `<number>/<seq>` (see [`insert_orders`]).
pub(super) fn new_orders(sales: &[(i64, &Sale)], held: &Held) -> NewOrders {
    let mut ids: HashSet<Uuid> = HashSet::with_capacity(sales.len());
    let mut taken: HashSet<String> = held.receipts.clone();
    let mut new = NewOrders::default();
    for (seq, sale) in sales {
        let order = &sale.order;
        if held.ids.contains(&order.id) || !ids.insert(order.id) {
            continue;
        }
        new.kept.insert(*seq);
        if taken.insert(order.receipt_no.clone()) {
            continue;
        }
        let mut number = format!("{}/{seq}", order.receipt_no);
        let mut n = 1;
        while taken.contains(&number) {
            n += 1;
            number = format!("{}/{seq}/{n}", order.receipt_no);
        }
        taken.insert(number.clone());
        new.renumbered.insert(*seq, number);
    }
    new
}

/// What [`new_orders`] found: the sales to write, by sequence.
#[derive(Default)]
pub(super) struct NewOrders {
    /// Sales whose order is new.
    pub kept: HashSet<i64>,
    /// Those among them whose receipt number this terminal already used, with the number they
    /// are written under (flagged `receipt_reused`).
    pub renumbered: HashMap<i64, String>,
}

/// Writes the kept orders (see [`new_orders`]) with their lines and payments, all by binary
/// `COPY` (a fraction of an `INSERT`'s cost, and the bulk of a sale's rows), each with its
/// flags: `stale_price` when a line was sold at a price the server's menu no longer has,
/// `negative_stock` when the sale took a product below zero in the store (`negative`),
/// `receipt_reused` when its receipt number was renumbered.
pub(super) async fn insert_orders(
    tx: &Transaction<'_>,
    terminal: Terminal,
    sales: &[(i64, &Sale)],
    new: &NewOrders,
    negative: &HashSet<Uuid>,
) -> Result<(), Failure> {
    let kept = || {
        sales
            .iter()
            .filter(|(seq, _)| new.kept.contains(seq))
            .map(|(seq, s)| (*seq, *s))
    };
    if kept().next().is_none() {
        return Ok(());
    }
    // The server's menu prices, to flag a sale made at a price the server no longer has.
    let mut product_ids: Vec<Uuid> = kept()
        .flat_map(|(_, s)| s.order.lines.iter().map(|l| l.product_id))
        .collect();
    product_ids.sort();
    product_ids.dedup();
    let prices: HashMap<Uuid, i64> = tx
        .query(
            "SELECT id, price FROM products WHERE store_id = $1 AND id = ANY($2)",
            &[&terminal.store_id, &product_ids],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();

    let writer = copy_writer(
        tx,
        "orders (id, store_id, terminal_id, seq, receipt_no, business_date, created_at,
                 status, staff_id, staff_name, order_type, label, currency, minor_unit,
                 subtotal, discount, service, tax, rounding, total, paid, change, flags,
                 shift_id, member_id, delivery_address)",
        &[
            Type::UUID,
            Type::UUID,
            Type::UUID,
            Type::INT8,
            Type::TEXT,
            Type::DATE,
            Type::TIMESTAMPTZ,
            Type::TEXT,
            Type::UUID,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::INT4,
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::TEXT_ARRAY,
            Type::UUID,
            Type::UUID,
            Type::TEXT,
        ],
    )
    .await?;
    let mut writer = std::pin::pin!(writer);
    for (seq, sale) in kept() {
        let o = &sale.order;
        let mut flags: Vec<&str> = Vec::new();
        if o.lines.iter().any(|line| {
            prices
                .get(&line.product_id)
                .is_some_and(|p| *p != line.base_price)
        }) {
            flags.push("stale_price");
        }
        if sale
            .stock_movements
            .iter()
            .any(|m| negative.contains(&m.product_id))
        {
            flags.push("negative_stock");
        }
        let receipt_no = match new.renumbered.get(&seq) {
            Some(number) => {
                flags.push("receipt_reused");
                number
            }
            None => &o.receipt_no,
        };
        writer
            .as_mut()
            .write(&[
                &o.id,
                &terminal.store_id,
                &terminal.id,
                &seq,
                receipt_no,
                &o.business_date,
                &o.created_at,
                &serde_plain(&o.status),
                &o.staff_id,
                &o.staff_name,
                &serde_plain(&o.order_type),
                &o.label,
                &o.currency,
                &(o.minor_unit as i32),
                &o.subtotal,
                &o.order_discount,
                &o.service,
                &o.tax,
                &o.rounding,
                &o.total,
                &o.paid,
                &o.change,
                &flags,
                &o.shift_id,
                &o.member_id,
                &o.delivery_address,
            ])
            .await?;
    }
    writer.finish().await?;
    let kept = || kept().map(|(_, s)| &s.order);
    let writer = copy_writer(
        tx,
        "order_lines (order_id, line_no, product_id, product_name, category_name,
                      quantity, base_price, unit_price, gross, line_discount,
                      order_discount, service, tax, total, note, modifiers)",
        &[
            Type::UUID,
            Type::INT4,
            Type::UUID,
            Type::TEXT,
            Type::TEXT,
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::TEXT,
            Type::JSONB,
        ],
    )
    .await?;
    let mut writer = std::pin::pin!(writer);
    for order in kept() {
        for (i, line) in order.lines.iter().enumerate() {
            // NULL when there are none (most lines).
            let modifiers = if line.modifiers.is_empty() {
                None
            } else {
                Some(serde_json::to_value(&line.modifiers).map_err(internal)?)
            };
            writer
                .as_mut()
                .write(&[
                    &order.id,
                    &(i as i32),
                    &line.product_id,
                    &line.product_name,
                    &line.category_name,
                    &line.quantity,
                    &line.base_price,
                    &line.unit_price,
                    &line.gross,
                    &line.line_discount,
                    &line.order_discount,
                    &line.service,
                    &line.tax,
                    &line.total,
                    &line.note,
                    &modifiers,
                ])
                .await?;
        }
    }
    writer.finish().await?;
    let writer = copy_writer(
        tx,
        "payments (order_id, idx, method, amount, tendered, change, reference)",
        &[
            Type::UUID,
            Type::INT4,
            Type::TEXT,
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::TEXT,
        ],
    )
    .await?;
    let mut writer = std::pin::pin!(writer);
    for order in kept() {
        for (i, pay) in order.payments.iter().enumerate() {
            writer
                .as_mut()
                .write(&[
                    &order.id,
                    &(i as i32),
                    &serde_plain(&pay.method),
                    &pay.amount,
                    &pay.tendered,
                    &pay.change,
                    &pay.reference,
                ])
                .await?;
        }
    }
    writer.finish().await?;
    Ok(())
}
