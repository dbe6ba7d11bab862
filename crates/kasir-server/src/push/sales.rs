//! A batch's sales: which orders are new (once per order id and receipt number), then the
//! orders with their flags, their lines and payments, by binary `COPY`.

use std::collections::{HashMap, HashSet};

use kasir_proto::Sale;
use tokio_postgres::Transaction;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::Type;
use uuid::Uuid;

use super::{internal, serde_plain};
use crate::Failure;
use crate::auth::Terminal;

/// What the server already holds of a batch's orders.
#[derive(Default)]
pub(super) struct Held {
    /// Order ids.
    ids: HashSet<Uuid>,
    /// Receipt numbers this terminal used.
    receipts: HashSet<String>,
}

/// Reads what the server holds of `sales`' orders. The caller holds the store's lock (every
/// push of the store's terminals takes it first), so what this read does not find is still
/// absent when [`insert_orders`] writes. Only a till of another store sending the same order
/// id at the same moment could slip in between: the `COPY` then fails on the key, the whole
/// push rolls back and the terminal's retry finds the order held.
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
    Ok(held)
}

/// The sales whose order is new, given what the server holds: an order id held (a till copied
/// from another's disk, a till enrolled again re-sending what it sold) is the same sale, not
/// inserted again, and nothing of it is applied twice; within the batch, the first sale of an
/// order id counts. A new order under a receipt number this terminal already used (a till
/// whose counter went back) is another sale, never dropped: it is kept with its number marked
/// (see [`insert_orders`]).
pub(super) fn new_orders(sales: &[(i64, &Sale)], held: &Held) -> NewOrders {
    let mut ids: HashSet<Uuid> = HashSet::with_capacity(sales.len());
    let mut receipts: HashSet<&str> = HashSet::with_capacity(sales.len());
    let mut new = NewOrders::default();
    for (seq, sale) in sales {
        let order = &sale.order;
        if held.ids.contains(&order.id) || !ids.insert(order.id) {
            continue;
        }
        new.kept.insert(*seq);
        if held.receipts.contains(&order.receipt_no) || !receipts.insert(&order.receipt_no) {
            new.renumbered.insert(*seq);
        }
    }
    new
}

/// What [`new_orders`] found: the sales to write, by sequence.
#[derive(Default)]
pub(super) struct NewOrders {
    /// Sales whose order is new.
    pub kept: HashSet<i64>,
    /// Those among them whose receipt number this terminal already used: written as
    /// `<number>/<sequence>` with the flag `receipt_reused`.
    pub renumbered: HashSet<i64>,
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

    let sink = tx
        .copy_in(
            "COPY orders (id, store_id, terminal_id, seq, receipt_no, business_date, created_at,
                          status, staff_id, staff_name, order_type, label, currency, minor_unit,
                          subtotal, discount, service, tax, rounding, total, paid, change, flags,
                          shift_id, member_id, delivery_address)
             FROM STDIN (FORMAT binary)",
        )
        .await?;
    let writer = BinaryCopyInWriter::new(
        sink,
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
    );
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
        let renumbered;
        let receipt_no = if new.renumbered.contains(&seq) {
            flags.push("receipt_reused");
            renumbered = format!("{}/{seq}", o.receipt_no);
            &renumbered
        } else {
            &o.receipt_no
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
    let sink = tx
        .copy_in(
            "COPY order_lines (order_id, line_no, product_id, product_name, category_name,
                               quantity, base_price, unit_price, gross, line_discount,
                               order_discount, service, tax, total, note, modifiers)
             FROM STDIN (FORMAT binary)",
        )
        .await?;
    let writer = BinaryCopyInWriter::new(
        sink,
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
    );
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
    let sink = tx
        .copy_in(
            "COPY payments (order_id, idx, method, amount, tendered, change, reference)
             FROM STDIN (FORMAT binary)",
        )
        .await?;
    let writer = BinaryCopyInWriter::new(
        sink,
        &[
            Type::UUID,
            Type::INT4,
            Type::TEXT,
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::TEXT,
        ],
    );
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
