//! A push's effects, for the entries it really inserted: menu, staff and settings edits (in
//! the change log), orders (see `sales`), the stock ledger and the store's levels, and what
//! happened to orders afterwards. One lock order for every push: terminal, store, stock rows.

use std::collections::HashSet;

use kasir_proto::Payload;
use kasir_proto::Sale;
use tokio_postgres::Transaction;
use tokio_postgres::types::Type;
use uuid::Uuid;

use super::sales::Held;
use super::{Entry, copy_writer, internal, serde_plain, summed};
use crate::Failure;
use crate::auth::Terminal;
use crate::pull::Subject;

/// One stock movement of this batch.
struct Movement {
    seq: i64,
    product: Uuid,
    delta: i64,
    reason: &'static str,
}

pub(super) async fn apply_effects(
    tx: &Transaction<'_>,
    terminal: Terminal,
    fresh: &[(&Entry, &Payload)],
) -> Result<(), Failure> {
    // One lock order for every push: terminal (taken by the caller), then the store, then
    // orders, stock rows and keys. The store's row is locked first, so two pushes of one store
    // never hold each other's rows in opposite orders.
    if !fresh.is_empty() {
        tx.execute(
            "SELECT 1 FROM stores WHERE id = $1 FOR UPDATE",
            &[&terminal.store_id],
        )
        .await?;
    }
    // 1. Menu and staff edits, in sequence order. A product's first report seeds the store's
    // opening stock here, before this batch's sales move it.
    let mut seeded: Vec<Uuid> = Vec::new();
    for (e, payload) in fresh {
        match payload {
            Payload::CategoryUpserted(c) => {
                let data = serde_json::to_value(c).map_err(internal)?;
                crate::pull::record_change(tx, terminal.store_id, Subject::Category, c.id, &data)
                    .await?;
            }
            Payload::ProductUpserted(p) => {
                let data = serde_json::to_value(p).map_err(internal)?;
                crate::pull::record_change(
                    tx,
                    terminal.store_id,
                    Subject::Product { price: p.price },
                    p.id,
                    &data,
                )
                .await?;
                if let Some(stock) = p.stock {
                    let seeded_now = tx
                        .execute(
                            "INSERT INTO stock_levels (store_id, product_id, level)
                             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                            &[&terminal.store_id, &p.id, &stock],
                        )
                        .await?;
                    if seeded_now == 1 {
                        seeded.push(p.id);
                        tx.execute(
                            "INSERT INTO stock_movements
                                 (terminal_id, seq, product_id, store_id, delta, reason)
                             VALUES ($1, $2, $3, $4, $5, 'initial') ON CONFLICT DO NOTHING",
                            &[&terminal.id, &e.seq, &p.id, &terminal.store_id, &stock],
                        )
                        .await?;
                    }
                }
            }
            Payload::StaffUpserted(m) => {
                let data = serde_json::to_value(m).map_err(internal)?;
                crate::pull::record_change(tx, terminal.store_id, Subject::Staff, m.id, &data)
                    .await?;
            }
            Payload::SettingsChanged(s) => {
                // A till's settings at enrolment set up a store that has none; an edit
                // replaces them (last write wins, in server order).
                let data = serde_json::to_value(kasir_proto::ShopSettings {
                    initial: false,
                    ..s.clone()
                })
                .map_err(internal)?;
                let only_if_none = if s.initial {
                    " AND settings IS NULL"
                } else {
                    ""
                };
                let taken = tx
                    .execute(
                        &format!("UPDATE stores SET settings = $2 WHERE id = $1{only_if_none}"),
                        &[&terminal.store_id, &data],
                    )
                    .await?;
                if taken == 1 {
                    crate::pull::record_change(
                        tx,
                        terminal.store_id,
                        Subject::Settings,
                        terminal.store_id,
                        &data,
                    )
                    .await?;
                }
            }
            _ => {}
        }
    }

    // 2. Refunds: their lines, payments and stock only for refunds really inserted.
    let refunds: Vec<(i64, &kasir_proto::Refund)> = fresh
        .iter()
        .filter_map(|(e, p)| match p {
            Payload::Refund(r) => Some((e.seq, r)),
            _ => None,
        })
        .collect();
    let refunded = super::till::insert_refunds(tx, terminal, &refunds).await?;
    // A cancellation or an adjustment moves stock once per store by its key: a till enrolled
    // again (a new terminal id) that re-sends an entry the server took before its answer was
    // lost must not move the store's stock twice.
    let keyed: Vec<Uuid> = fresh
        .iter()
        .filter(|(_, p)| matches!(p, Payload::OrderCancelled(_) | Payload::StockAdjusted(_)))
        .map(|(e, _)| e.id)
        .collect();
    let first_time: HashSet<Uuid> = if keyed.is_empty() {
        HashSet::new()
    } else {
        tx.query(
            "INSERT INTO stock_effects (store_id, entry_id)
             SELECT $1, k FROM UNNEST($2::uuid[]) AS k
             ON CONFLICT DO NOTHING RETURNING entry_id",
            &[&terminal.store_id, &keyed],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect()
    };

    // 3. Sales and the stock ledger. A sale moves stock once per order id: only a new order's
    // stock moves, and its order is written once the store's levels are known, flagged when it
    // took a product below zero. Usually every order of a batch is new, so this runs straight
    // away under a savepoint; an order id or a receipt number the server holds makes the
    // orders' `COPY` fail, and it runs again once what is held is read.
    let sales: Vec<(i64, &Sale)> = fresh
        .iter()
        .filter_map(|(e, p)| match p {
            Payload::Sale(s) => Some((e.seq, s)),
            _ => None,
        })
        .collect();
    let stock = Stock {
        fresh,
        sales: &sales,
        refunded: &refunded,
        first_time: &first_time,
        seeded: &seeded,
    };
    if sales.is_empty() {
        // Only the orders' `COPY` can meet a held key.
        sales_and_stock(tx, terminal, &stock, &Held::default()).await?;
    } else {
        tx.batch_execute("SAVEPOINT sales").await?;
        match sales_and_stock(tx, terminal, &stock, &Held::default()).await {
            Ok(()) => {}
            Err(f) if f.key_taken => {
                tx.batch_execute("ROLLBACK TO SAVEPOINT sales").await?;
                let held = super::sales::held(tx, terminal, &sales).await?;
                sales_and_stock(tx, terminal, &stock, &held).await?;
            }
            Err(f) => return Err(f),
        }
        tx.batch_execute("RELEASE SAVEPOINT sales").await?;
    }

    // 4. What happened to orders afterwards, in sequence order (a status change may follow
    // its sale in the same batch). Orders of the terminal's own store, matched by their id:
    // a till enrolled again (a new terminal id) still cancels or completes what it sold
    // before; a token never reaches another store's orders. Order ids are UUIDs a till made
    // and never learns of another till's, so a till changes only orders it sold.
    for (e, payload) in fresh {
        match payload {
            Payload::OrderStatus(s) => {
                let status = serde_plain(&s.status);
                order_event(tx, terminal, e.seq, s.order_id, "status", &status, s.at).await?;
                tx.execute(
                    "UPDATE orders SET status = $2
                     WHERE id = $1 AND store_id = $3 AND status <> 'cancelled'",
                    &[&s.order_id, &status, &terminal.store_id],
                )
                .await?;
            }
            Payload::OrderSentOut(o) => {
                order_event(tx, terminal, e.seq, o.order_id, "sent_out", "ready", o.at).await?;
                tx.execute(
                    "UPDATE orders SET out_for_delivery_at = $2::text::timestamptz
                     WHERE id = $1 AND store_id = $3 AND out_for_delivery_at IS NULL",
                    &[&o.order_id, &o.at.to_string(), &terminal.store_id],
                )
                .await?;
            }
            Payload::OrderCancelled(c) => {
                order_event(
                    tx,
                    terminal,
                    e.seq,
                    c.order_id,
                    "cancelled",
                    "cancelled",
                    c.at,
                )
                .await?;
                tx.execute(
                    "UPDATE orders SET status = 'cancelled' WHERE id = $1 AND store_id = $2",
                    &[&c.order_id, &terminal.store_id],
                )
                .await?;
            }
            _ => {}
        }
    }

    // 5. The drawers: shifts opened and closed, cash in and out.
    super::till::apply_shifts(tx, terminal, fresh).await?;
    // 6. Members and their points.
    super::members::apply_members(tx, terminal, fresh).await?;
    Ok(())
}

/// What a batch's sales and the stock ledger are computed from.
struct Stock<'a> {
    fresh: &'a [(&'a Entry, &'a Payload)],
    sales: &'a [(i64, &'a Sale)],
    /// Refunds this push inserted, by sequence.
    refunded: &'a HashSet<i64>,
    /// Cancellations and adjustments that move stock for the first time in the store.
    first_time: &'a HashSet<Uuid>,
    /// Products whose opening stock this push seeded.
    seeded: &'a [Uuid],
}

/// The new orders (given what the server holds), the batch's stock movements and the store's
/// levels, then the orders with their flags.
async fn sales_and_stock(
    tx: &Transaction<'_>,
    terminal: Terminal,
    stock: &Stock<'_>,
    held: &Held,
) -> Result<(), Failure> {
    let new = super::sales::new_orders(stock.sales, held);
    let movements = movements(stock, &new.kept);
    let negative = apply_movements(tx, terminal, &movements, stock.seeded).await?;
    // A sale that took a product below zero is a fact: flagged, never refused.
    super::sales::insert_orders(tx, terminal, stock.sales, &new, &negative).await
}

/// The batch's stock movements: sales whose order is new (`kept`, by sequence), refunds this
/// push inserted, cancellations and adjustments moving stock for the first time.
fn movements(stock: &Stock<'_>, kept: &HashSet<i64>) -> Vec<Movement> {
    let mut movements: Vec<Movement> = Vec::new();
    for (e, payload) in stock.fresh {
        match payload {
            Payload::OrderCancelled(_) | Payload::StockAdjusted(_)
                if !stock.first_time.contains(&e.id) => {}
            Payload::Sale(sale) if kept.contains(&e.seq) => {
                for (product, qty) in summed(
                    sale.stock_movements
                        .iter()
                        .map(|m| (m.product_id, m.quantity)),
                ) {
                    movements.push(Movement {
                        seq: e.seq,
                        product,
                        delta: -qty,
                        reason: "sale",
                    });
                }
            }
            Payload::OrderCancelled(c) => {
                for (product, qty) in
                    summed(c.stock_returned.iter().map(|m| (m.product_id, m.quantity)))
                {
                    movements.push(Movement {
                        seq: e.seq,
                        product,
                        delta: qty,
                        reason: "cancel",
                    });
                }
            }
            Payload::StockAdjusted(a) => movements.push(Movement {
                seq: e.seq,
                product: a.product_id,
                delta: a.delta,
                reason: "adjustment",
            }),
            Payload::Refund(r) if stock.refunded.contains(&e.seq) => {
                for (product, qty) in summed(
                    r.lines
                        .iter()
                        .filter(|l| l.stock_returned)
                        .map(|l| (l.product_id, l.quantity)),
                ) {
                    movements.push(Movement {
                        seq: e.seq,
                        product,
                        delta: qty,
                        reason: "refund",
                    });
                }
            }
            _ => {}
        }
    }
    movements
}

#[allow(clippy::too_many_arguments)]
async fn order_event(
    tx: &Transaction<'_>,
    terminal: Terminal,
    seq: i64,
    order: Uuid,
    kind: &str,
    status: &str,
    at: jiff::Timestamp,
) -> Result<(), Failure> {
    tx.execute(
        "INSERT INTO order_events (terminal_id, seq, order_id, kind, status, at)
         VALUES ($1, $2, $3, $4, $5, $6::text::timestamptz) ON CONFLICT DO NOTHING",
        &[&terminal.id, &seq, &order, &kind, &status, &at.to_string()],
    )
    .await?;
    Ok(())
}

/// Writes the batch's movements and moves the store's levels; returns the products whose level
/// is now below zero.
async fn apply_movements(
    tx: &Transaction<'_>,
    terminal: Terminal,
    movements: &[Movement],
    seeded: &[Uuid],
) -> Result<HashSet<Uuid>, Failure> {
    // Every product whose store count changed is announced in the change log (its count is
    // read when pulled). The store's lock is already held (taken before any effect): one lock
    // order.
    let by_product = summed(movements.iter().map(|m| (m.product, m.delta)));
    let announce: Vec<Uuid> = by_product
        .keys()
        .chain(seeded)
        .copied()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if announce.is_empty() {
        return Ok(HashSet::new());
    }
    let last: i64 = tx
        .query_one(
            "UPDATE stores SET change_seq = change_seq + $2 WHERE id = $1 RETURNING change_seq",
            &[&terminal.store_id, &(announce.len() as i64)],
        )
        .await?
        .get(0);
    tx.execute(
        "INSERT INTO changes (store_id, cursor, kind, entity_id, data)
         SELECT $1, $2 + n, 'stock_level', p, jsonb_build_object('product_id', p)
         FROM UNNEST($3::uuid[]) WITH ORDINALITY AS m(p, n)",
        &[
            &terminal.store_id,
            &(last - announce.len() as i64),
            &announce,
        ],
    )
    .await?;
    if movements.is_empty() {
        return Ok(HashSet::new());
    }
    // Each movement belongs to an entry this transaction just stored (keyed by its sequence):
    // none can exist yet, so they go in by binary COPY; the key still refuses a second one.
    let writer = copy_writer(
        tx,
        "stock_movements (terminal_id, seq, product_id, store_id, delta, reason)",
        &[
            Type::UUID,
            Type::INT8,
            Type::UUID,
            Type::UUID,
            Type::INT8,
            Type::TEXT,
        ],
    )
    .await?;
    let mut writer = std::pin::pin!(writer);
    for m in movements {
        writer
            .as_mut()
            .write(&[
                &terminal.id,
                &m.seq,
                &m.product,
                &terminal.store_id,
                &m.delta,
                &m.reason,
            ])
            .await?;
    }
    writer.finish().await?;
    // Levels in product order, so two terminals' batches lock the same rows in the same order.
    let products: Vec<Uuid> = by_product.keys().copied().collect();
    let deltas: Vec<i64> = by_product.values().copied().collect();
    let rows = tx
        .query(
            "INSERT INTO stock_levels (store_id, product_id, level)
             SELECT $1, p, d FROM UNNEST($2::uuid[], $3::bigint[]) AS m(p, d)
             ON CONFLICT (store_id, product_id)
                 DO UPDATE SET level = stock_levels.level + EXCLUDED.level
             RETURNING product_id, level",
            &[&terminal.store_id, &products, &deltas],
        )
        .await?;
    Ok(rows
        .iter()
        .filter(|r| r.get::<_, i64>(1) < 0)
        .map(|r| r.get(0))
        .collect())
}
