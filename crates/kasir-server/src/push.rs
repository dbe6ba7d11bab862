//! `POST /v1/push`: a terminal's outbox entries, applied exactly once.
//!
//! One PostgreSQL transaction per batch, holding the terminal's row lock (a re-sent or
//! duplicated request waits for the first, then finds its entries stored):
//!
//! 1. every entry goes into `inbox` with `INSERT … SELECT FROM UNNEST … ON CONFLICT DO NOTHING
//!    RETURNING seq`, keyed by (terminal, sequence) and by its idempotency key;
//! 2. effects (orders, lines, payments, stock movements and levels, order events, menu edits)
//!    are applied only for the entries that step 1 really inserted (lines, payments and stock
//!    movements by binary `COPY`: they belong to rows just inserted, so none can exist yet);
//! 3. an entry not inserted is a `duplicate` when the stored one has the same key, sequence and
//!    digest, and a `conflict` otherwise: never a silent overwrite;
//! 4. `held_through`, the highest sequence held with no gap, moves on.
//!
//! A sale is a fact: a stock level going below zero or a price that differs from the server's
//! menu is recorded as a flag on the order, never a refusal. An entry that cannot be read is
//! kept with its reason (`rejected`) so the sequence has no gap, and the rest of the batch
//! applies.

use std::collections::{BTreeMap, HashMap, HashSet};

use axum::Json;
use axum::extract::State;
use kasir_proto::api::{
    ApiError, EntryResult, MAX_BATCH, Outcome, PushRequest, PushResponse, Rejection,
};
use kasir_proto::{Payload, Sale, VERSION};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio_postgres::Transaction;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::Type;
use uuid::Uuid;

use crate::auth::Terminal;
use crate::error::Body;
use crate::pull::Subject;
use crate::{AppState, Failure};

/// The envelope's own fields; the payload is read apart, so an unreadable one is rejected
/// alone.
#[derive(Deserialize)]
struct Head<'a> {
    v: u32,
    id: Uuid,
    seq: i64,
    kind: String,
    #[serde(borrow)]
    payload: Option<&'a serde_json::value::RawValue>,
}

/// One entry of the batch, read.
struct Entry {
    seq: i64,
    id: Uuid,
    v: u32,
    kind: String,
    /// The entry as sent.
    raw: Box<serde_json::value::RawValue>,
    digest: Vec<u8>,
    payload: Result<Payload, Rejection>,
}

/// Sends outbox entries in sequence order; each is applied exactly once.
#[utoipa::path(
    post,
    path = "/v1/push",
    tag = "terminal",
    request_body = PushRequest,
    security(("terminal" = [])),
    responses(
        (status = 200, description = "One result per entry, in order", body = PushResponse),
        (status = 400, description = "`bad_request`, `batch_too_large` or `unsupported_version`: \
            the batch is refused whole and nothing is written", body = ApiError),
        (status = 401, description = "`unauthorized` (no valid terminal token) or `revoked`", body = ApiError),
        (status = 413, description = "`too_large`: the body is over the limit", body = ApiError),
        (status = 415, description = "`bad_request`: the body is not `application/json`", body = ApiError),
        (status = 422, description = "`bad_request`: the JSON is not a `PushRequest`", body = ApiError),
        (status = 503, description = "`unavailable`: the database cannot be reached (retry)", body = ApiError),
    )
)]
pub async fn push(
    terminal: Terminal,
    State(state): State<AppState>,
    Body(req): Body<PushRequest>,
) -> Result<Json<PushResponse>, Failure> {
    Ok(Json(ingest(&state.pool, terminal, req).await?))
}

/// Applies one push for `terminal` (what `POST /v1/push` does after authentication; public
/// for the benchmark, which measures the ingest without HTTP).
pub async fn ingest(
    pool: &crate::Pool,
    terminal: Terminal,
    req: PushRequest,
) -> Result<PushResponse, Failure> {
    let entries = read_batch(req.entries)?;
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let response = apply(&tx, terminal, req.head, &entries).await?;
    tx.commit().await?;
    Ok(response)
}

fn read_batch(raw: Vec<Box<serde_json::value::RawValue>>) -> Result<Vec<Entry>, Failure> {
    if raw.len() > MAX_BATCH {
        return Err(Failure::new(
            axum::http::StatusCode::BAD_REQUEST,
            "batch_too_large",
            format!("a push carries at most {MAX_BATCH} entries"),
        ));
    }
    let mut seen = HashSet::new();
    let mut entries = Vec::with_capacity(raw.len());
    for (i, raw) in raw.into_iter().enumerate() {
        // The digest covers the entry as sent: a terminal sends an entry as the same bytes
        // every time (its stored payload, verbatim, in a fixed envelope).
        let digest = Sha256::digest(raw.get().as_bytes()).to_vec();
        let head: Head<'_> = serde_json::from_str(raw.get())
            .map_err(|e| Failure::bad_request(format!("entry {i}: {e}")))?;
        if head.v > VERSION {
            return Err(Failure::new(
                axum::http::StatusCode::BAD_REQUEST,
                "unsupported_version",
                format!(
                    "entry {i} has envelope version {}; this server reads up to {VERSION}",
                    head.v
                ),
            ));
        }
        if head.seq <= 0 || !seen.insert(head.seq) {
            return Err(Failure::bad_request(format!(
                "entry {i}: sequence {} is not positive or appears twice",
                head.seq
            )));
        }
        let body = head.payload.map_or("null", |p| p.get());
        let payload = Payload::from_kind_str(&head.kind, body).map_err(|e| Rejection::Malformed {
            detail: e.to_string(),
        });
        let (seq, id, v, kind) = (head.seq, head.id, head.v, head.kind);
        entries.push(Entry {
            seq,
            id,
            v,
            kind,
            raw,
            digest,
            payload,
        });
    }
    Ok(entries)
}

async fn apply(
    tx: &Transaction<'_>,
    terminal: Terminal,
    head: i64,
    entries: &[Entry],
) -> Result<PushResponse, Failure> {
    let row = tx
        .query_one(
            "SELECT held_through FROM terminals WHERE id = $1 FOR UPDATE",
            &[&terminal.id],
        )
        .await?;
    let mut held_before: i64 = row.get(0);
    // A terminal's first push may start after 1: a till that left another server keeps its
    // outbox's numbers. Its run then starts where its first batch does.
    if held_before == 0 {
        let known: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM inbox WHERE terminal_id = $1)",
                &[&terminal.id],
            )
            .await?
            .get(0);
        if !known {
            held_before = entries.iter().map(|e| e.seq).min().unwrap_or(1) - 1;
        }
    }

    // 1. Store every entry that is new. What the server already holds is looked up first, so a
    // replayed batch costs one indexed read and sends no payload to the database.
    let all_seqs: Vec<i64> = entries.iter().map(|e| e.seq).collect();
    let mut stored: HashMap<i64, (Uuid, Vec<u8>, Option<String>)> = HashMap::new();
    for r in tx
        .query(
            "SELECT seq, id, digest, rejected FROM inbox WHERE terminal_id = $1 AND seq = ANY($2)",
            &[&terminal.id, &all_seqs],
        )
        .await?
    {
        stored.insert(r.get(0), (r.get(1), r.get(2), r.get(3)));
    }
    let new: Vec<&Entry> = entries
        .iter()
        .filter(|e| !stored.contains_key(&e.seq))
        .collect();
    let mut seqs = Vec::with_capacity(new.len());
    let mut ids = Vec::with_capacity(new.len());
    let mut vs = Vec::with_capacity(new.len());
    let mut kinds = Vec::with_capacity(new.len());
    let mut texts = Vec::with_capacity(new.len());
    let mut digests = Vec::with_capacity(new.len());
    let mut rejected = Vec::with_capacity(new.len());
    for e in &new {
        seqs.push(e.seq);
        ids.push(e.id);
        vs.push(e.v as i32);
        kinds.push(e.kind.as_str());
        texts.push(e.raw.get());
        digests.push(e.digest.as_slice());
        rejected.push(e.payload.as_ref().err().map(|r| r.to_string()));
    }
    // ON CONFLICT still guards: a key already used at another sequence is not inserted.
    let inserted: HashSet<i64> = if new.is_empty() {
        HashSet::new()
    } else {
        tx.query(
            "INSERT INTO inbox (terminal_id, seq, id, v, kind, entry, digest, rejected)
             SELECT $1, * FROM UNNEST($2::bigint[], $3::uuid[], $4::int[], $5::text[],
                                      $6::text[], $7::bytea[], $8::text[])
             ON CONFLICT DO NOTHING RETURNING seq",
            &[
                &terminal.id,
                &seqs,
                &ids,
                &vs,
                &kinds,
                &texts,
                &digests,
                &rejected,
            ],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect()
    };

    // An entry whose key is held at another sequence is a conflict: applied nowhere, but its
    // sequence is held (under a key of its own, with the reason), so the terminal's run has no
    // gap and `held_through` moves past it.
    for e in new.iter().filter(|e| !inserted.contains(&e.seq)) {
        tx.execute(
            "INSERT INTO inbox (terminal_id, seq, id, v, kind, entry, digest, rejected)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
            &[
                &terminal.id,
                &e.seq,
                &Uuid::now_v7(),
                &(e.v as i32),
                &e.kind,
                &e.raw.get(),
                &e.digest,
                &Rejection::Conflict.to_string(),
            ],
        )
        .await?;
    }

    // 2. Effects, for what was really inserted.
    let fresh: Vec<(&Entry, &Payload)> = entries
        .iter()
        .filter(|e| inserted.contains(&e.seq))
        .filter_map(|e| e.payload.as_ref().ok().map(|p| (e, p)))
        .collect();
    apply_effects(tx, terminal, &fresh).await?;

    // 3. What became of each.
    let results = entries
        .iter()
        .map(|e| {
            let outcome = if inserted.contains(&e.seq) {
                match &e.payload {
                    Ok(_) => Outcome::Applied,
                    Err(reason) => Outcome::Rejected {
                        reason: reason.clone(),
                    },
                }
            } else {
                match stored.get(&e.seq) {
                    Some((id, digest, rejected)) if *id == e.id && *digest == e.digest => {
                        match (rejected, &e.payload) {
                            (Some(_), Err(reason)) => Outcome::Rejected {
                                reason: reason.clone(),
                            },
                            _ => Outcome::Duplicate,
                        }
                    }
                    _ => Outcome::Rejected {
                        reason: Rejection::Conflict,
                    },
                }
            };
            EntryResult {
                seq: e.seq,
                outcome,
            }
        })
        .collect();

    // 4. The highest sequence held with no gap: the run of consecutive sequences after the
    // last one known.
    let held_through: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(seq), $2) FROM (
                 SELECT seq, seq - ROW_NUMBER() OVER (ORDER BY seq) AS base
                 FROM inbox WHERE terminal_id = $1 AND seq > $2) run
             WHERE base = $2",
            &[&terminal.id, &held_before],
        )
        .await?
        .get(0);
    tx.execute(
        "UPDATE terminals SET held_through = $2, head_seq = GREATEST(head_seq, $3),
                last_contact = now() WHERE id = $1",
        &[&terminal.id, &held_through, &head],
    )
    .await?;
    Ok(PushResponse {
        results,
        held_through,
    })
}

/// One stock movement of this batch.
struct Movement {
    seq: i64,
    product: Uuid,
    delta: i64,
    reason: &'static str,
}

async fn apply_effects(
    tx: &Transaction<'_>,
    terminal: Terminal,
    fresh: &[(&Entry, &Payload)],
) -> Result<(), Failure> {
    // 1. Menu and staff edits, in sequence order. They take the store's row lock; taking it
    // before any stock row keeps one lock order for every push (terminal, store, stock
    // levels). A product's first report seeds the store's opening stock here, before this
    // batch's sales move it.
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

    // 2. Sales: the orders first; what follows them only for orders really inserted.
    let sales: Vec<(i64, &Sale)> = fresh
        .iter()
        .filter_map(|(e, p)| match p {
            Payload::Sale(s) => Some((e.seq, s)),
            _ => None,
        })
        .collect();
    let inserted = insert_sales(tx, terminal, &sales).await?;

    // 3. The stock ledger and the store's levels. A sale moves stock once per order id (above);
    // a cancellation or an adjustment once per store by its key: a till enrolled again (a new
    // terminal id) that re-sends an entry the server took before its answer was lost must not
    // move the store's stock twice.
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
    let mut movements: Vec<Movement> = Vec::new();
    for (e, payload) in fresh {
        match payload {
            Payload::OrderCancelled(_) | Payload::StockAdjusted(_)
                if !first_time.contains(&e.id) => {}
            Payload::Sale(sale) if inserted.contains(&sale.order.id) => {
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
            _ => {}
        }
    }
    let negative = apply_movements(tx, terminal, &movements, &seeded).await?;
    // A sale that took a product below zero is a fact: flagged, never refused.
    let flagged: Vec<Uuid> = sales
        .iter()
        .filter(|(_, s)| inserted.contains(&s.order.id))
        .filter(|(_, s)| {
            s.stock_movements
                .iter()
                .any(|m| negative.contains(&m.product_id))
        })
        .map(|(_, s)| s.order.id)
        .collect();
    if !flagged.is_empty() {
        tx.execute(
            "UPDATE orders SET flags = array_append(flags, 'negative_stock') WHERE id = ANY($1)",
            &[&flagged],
        )
        .await?;
    }

    // 4. What happened to orders afterwards, in sequence order (a status change may follow
    // its sale in the same batch). Only the terminal's own orders: a token never reaches
    // another terminal's, let alone another store's.
    for (e, payload) in fresh {
        match payload {
            Payload::OrderStatus(s) => {
                let status = serde_plain(&s.status);
                order_event(tx, terminal, e.seq, s.order_id, "status", &status, s.at).await?;
                tx.execute(
                    "UPDATE orders SET status = $2
                     WHERE id = $1 AND terminal_id = $3 AND status <> 'cancelled'",
                    &[&s.order_id, &status, &terminal.id],
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
                    "UPDATE orders SET status = 'cancelled' WHERE id = $1 AND terminal_id = $2",
                    &[&c.order_id, &terminal.id],
                )
                .await?;
            }
            _ => {}
        }
    }
    Ok(())
}

fn internal(e: impl std::fmt::Display) -> Failure {
    Failure::new(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        e.to_string(),
    )
}

/// An enum's wire name (`"dine_in"` → `dine_in`).
fn serde_plain<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        other => format!("{other:?}"),
    }
}

/// Quantities per product, summed (a sale may list a product twice).
fn summed(items: impl Iterator<Item = (Uuid, i64)>) -> BTreeMap<Uuid, i64> {
    let mut out = BTreeMap::new();
    for (product, qty) in items {
        *out.entry(product).or_insert(0) += qty;
    }
    out
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
    // read when pulled). The store's lock is taken here, before any stock row: one lock order.
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
    let sink = tx
        .copy_in(
            "COPY stock_movements (terminal_id, seq, product_id, store_id, delta, reason)
             FROM STDIN (FORMAT binary)",
        )
        .await?;
    let writer = BinaryCopyInWriter::new(
        sink,
        &[
            Type::UUID,
            Type::INT8,
            Type::UUID,
            Type::UUID,
            Type::INT8,
            Type::TEXT,
        ],
    );
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

async fn insert_sales(
    tx: &Transaction<'_>,
    terminal: Terminal,
    sales: &[(i64, &Sale)],
) -> Result<HashSet<Uuid>, Failure> {
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
                             subtotal, discount, service, tax, rounding, total, paid, change, flags)
         SELECT id, $1, $2, seq, receipt_no, day::date, at::timestamptz, status, staff_id,
                staff_name, order_type, label, currency, minor_unit, subtotal, discount, service,
                tax, rounding, total, paid, change,
                CASE WHEN flags = '' THEN '{}'::text[] ELSE string_to_array(flags, ',') END
         FROM UNNEST($3::uuid[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::uuid[], $10::text[], $11::text[], $12::text[], $13::text[], $14::int[],
                     $15::bigint[], $16::bigint[], $17::bigint[], $18::bigint[], $19::bigint[],
                     $20::bigint[], $21::bigint[], $22::bigint[], $23::text[])
             AS u(id, seq, receipt_no, day, at, status, staff_id, staff_name, order_type, label,
                  currency, minor_unit, subtotal, discount, service, tax, rounding, total, paid,
                  change, flags)
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
        ],
    )
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect();
    // Lines and payments belong to orders this transaction just inserted, so none can exist
    // yet: they go in by binary COPY (a fraction of an INSERT's WAL, the bulk of a sale's
    // rows). The primary keys still refuse a second copy of any row.
    let kept = || {
        sales
            .iter()
            .map(|(_, s)| &s.order)
            .filter(|o| inserted.contains(&o.id))
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
    Ok(inserted)
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
    }
}
