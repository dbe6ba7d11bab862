//! A batch's sales: the orders (once per order id), then their lines and payments by binary
//! `COPY`, and the `stale_price` flag.

use std::collections::{HashMap, HashSet};

use kasir_proto::Sale;
use tokio_postgres::Transaction;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::Type;
use uuid::Uuid;

use super::{internal, serde_plain};
use crate::Failure;
use crate::auth::Terminal;

/// Inserts the batch's new orders; returns the sequences of the sales whose order this call
/// inserted (the first sale of an order id: a batch naming one order twice applies it once).
pub(super) async fn insert_sales(
    tx: &Transaction<'_>,
    terminal: Terminal,
    sales: &[(i64, &Sale)],
) -> Result<HashSet<i64>, Failure> {
    if sales.is_empty() {
        return Ok(HashSet::new());
    }
    // The server's menu prices, to flag a sale made at a price the server no longer has.
    let mut product_ids: Vec<Uuid> = sales
        .iter()
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

    let n = sales.len();
    let mut o = OrderColumns::with_capacity(n);
    for (seq, sale) in sales {
        let order = &sale.order;
        let mut flags = Vec::new();
        if order.lines.iter().any(|line| {
            prices
                .get(&line.product_id)
                .is_some_and(|p| *p != line.base_price)
        }) {
            flags.push("stale_price");
        }
        o.push(*seq, order, flags.join(","));
    }
    // An order id the server already holds (a till copied from another's disk) is not
    // inserted again, and nothing of it is applied twice: lines, payments and stock follow
    // only the orders this statement really inserted.
    let inserted: HashSet<Uuid> = tx
        .query(
        "INSERT INTO orders (id, store_id, terminal_id, seq, receipt_no, business_date, created_at,
                             status, staff_id, staff_name, order_type, label, currency, minor_unit,
                             subtotal, discount, service, tax, rounding, total, paid, change, flags,
                             shift_id, member_id, delivery_address)
         SELECT id, $1, $2, seq, receipt_no, day::date, at::timestamptz, status, staff_id,
                staff_name, order_type, label, currency, minor_unit, subtotal, discount, service,
                tax, rounding, total, paid, change,
                CASE WHEN flags = '' THEN '{}'::text[] ELSE string_to_array(flags, ',') END,
                shift_id, member_id, delivery_address
         FROM UNNEST($3::uuid[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::uuid[], $10::text[], $11::text[], $12::text[], $13::text[], $14::int[],
                     $15::bigint[], $16::bigint[], $17::bigint[], $18::bigint[], $19::bigint[],
                     $20::bigint[], $21::bigint[], $22::bigint[], $23::text[], $24::uuid[],
                     $25::uuid[], $26::text[])
             AS u(id, seq, receipt_no, day, at, status, staff_id, staff_name, order_type, label,
                  currency, minor_unit, subtotal, discount, service, tax, rounding, total, paid,
                  change, flags, shift_id, member_id, delivery_address)
         ON CONFLICT DO NOTHING RETURNING id",
        &[
            &terminal.store_id,
            &terminal.id,
            &o.id,
            &o.seq,
            &o.receipt_no,
            &o.day,
            &o.at,
            &o.status,
            &o.staff_id,
            &o.staff_name,
            &o.order_type,
            &o.label,
            &o.currency,
            &o.minor_unit,
            &o.subtotal,
            &o.discount,
            &o.service,
            &o.tax,
            &o.rounding,
            &o.total,
            &o.paid,
            &o.change,
            &o.flags,
            &o.shift_id,
            &o.member_id,
            &o.delivery_address,
        ],
    )
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect();
    // Lines and payments belong to orders this transaction just inserted, so none can exist
    // yet: they go in by binary COPY (a fraction of an INSERT's WAL, the bulk of a sale's
    // rows). The primary keys still refuse a second copy of any row.
    let mut first = HashSet::new();
    let kept_seqs: HashSet<i64> = sales
        .iter()
        .filter(|(_, s)| inserted.contains(&s.order.id) && first.insert(s.order.id))
        .map(|(seq, _)| *seq)
        .collect();
    let kept = || {
        sales
            .iter()
            .filter(|(seq, _)| kept_seqs.contains(seq))
            .map(|(_, s)| &s.order)
    };
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
    Ok(kept_seqs)
}

#[derive(Default)]
struct OrderColumns {
    id: Vec<Uuid>,
    seq: Vec<i64>,
    receipt_no: Vec<String>,
    day: Vec<String>,
    at: Vec<String>,
    status: Vec<String>,
    staff_id: Vec<Uuid>,
    staff_name: Vec<String>,
    order_type: Vec<String>,
    label: Vec<String>,
    currency: Vec<String>,
    minor_unit: Vec<i32>,
    subtotal: Vec<i64>,
    discount: Vec<i64>,
    service: Vec<i64>,
    tax: Vec<i64>,
    rounding: Vec<i64>,
    total: Vec<i64>,
    paid: Vec<i64>,
    change: Vec<i64>,
    flags: Vec<String>,
    /// The till's shift it was sold in (none from tills before shifts).
    shift_id: Vec<Option<Uuid>>,
    /// The member it was sold to, if any.
    member_id: Vec<Option<Uuid>>,
    /// Where a delivery goes.
    delivery_address: Vec<Option<String>>,
}

impl OrderColumns {
    fn with_capacity(n: usize) -> OrderColumns {
        let mut c = OrderColumns::default();
        c.id.reserve(n);
        c
    }

    fn push(&mut self, seq: i64, o: &kasir_proto::Order, flags: String) {
        self.id.push(o.id);
        self.seq.push(seq);
        self.receipt_no.push(o.receipt_no.clone());
        self.day.push(o.business_date.to_string());
        self.at.push(o.created_at.to_string());
        self.status.push(serde_plain(&o.status));
        self.staff_id.push(o.staff_id);
        self.staff_name.push(o.staff_name.clone());
        self.order_type.push(serde_plain(&o.order_type));
        self.label.push(o.label.clone());
        self.currency.push(o.currency.clone());
        self.minor_unit.push(o.minor_unit as i32);
        self.subtotal.push(o.subtotal);
        self.discount.push(o.order_discount);
        self.service.push(o.service);
        self.tax.push(o.tax);
        self.rounding.push(o.rounding);
        self.total.push(o.total);
        self.paid.push(o.paid);
        self.change.push(o.change);
        self.flags.push(flags);
        self.shift_id.push(o.shift_id);
        self.member_id.push(o.member_id);
        self.delivery_address.push(o.delivery_address.clone());
    }
}
