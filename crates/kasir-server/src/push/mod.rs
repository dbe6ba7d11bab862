//! `POST /v1/push`: a terminal's outbox entries, applied exactly once.
//!
//! One PostgreSQL transaction per batch, holding the terminal's row lock (a re-sent or
//! duplicated request waits for the first, then finds its entries stored):
//!
//! 1. every entry not yet held goes into `inbox` by binary `COPY`, keyed by (terminal, sequence)
//!    and by its idempotency key (under a savepoint: a key held at another sequence makes it
//!    fail, and it is written again once the held keys are read);
//! 2. effects (orders, lines, payments, stock movements and levels, order events, menu edits)
//!    are applied only for the entries that step 1 really inserted: orders by binary `COPY`
//!    under a savepoint (an order id or receipt number already held makes it fail, and the
//!    sales are written again once what is held is read), and their lines and payments and the
//!    stock movements by binary `COPY` too (they belong to rows just inserted, so none can
//!    exist yet);
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
use kasir_proto::{Payload, VERSION};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio_postgres::Transaction;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::Type;
use uuid::Uuid;

use crate::auth::Terminal;
use crate::error::Body;
use crate::{AppState, Failure};

mod effects;
mod members;
mod sales;
mod till;

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
    // Digesting and parsing are most of a batch's CPU: a large batch is read in two halves at
    // once (the database waits for this either way).
    let entries: Vec<Entry> = if raw.len() >= 64 {
        let mut raw = raw;
        let second = raw.split_off(raw.len() / 2);
        let offset = raw.len();
        let (a, b) = std::thread::scope(|scope| {
            let b = scope.spawn(|| read_entries(second, offset));
            (read_entries(raw, 0), b.join())
        });
        let b = b.map_err(|_| internal("a batch reader panicked"))?;
        let mut entries = a?;
        entries.extend(b?);
        entries
    } else {
        read_entries(raw, 0)?
    };
    let mut seen = HashSet::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        if e.seq <= 0 || !seen.insert(e.seq) {
            return Err(Failure::bad_request(format!(
                "entry {i}: sequence {} is not positive or appears twice",
                e.seq
            )));
        }
    }
    Ok(entries)
}

/// Reads entries; `offset` is the first one's place in the batch, for error messages.
fn read_entries(
    raw: Vec<Box<serde_json::value::RawValue>>,
    offset: usize,
) -> Result<Vec<Entry>, Failure> {
    let mut entries = Vec::with_capacity(raw.len());
    for (i, raw) in raw.into_iter().enumerate() {
        let i = i + offset;
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
        let body = head.payload.map_or("null", |p| p.get());
        let payload = if holds_nul(body) {
            // PostgreSQL's text and jsonb cannot hold U+0000: rejected alone, never a push
            // that fails every time.
            Err(Rejection::Malformed {
                detail: "a text holds the character U+0000, which the server cannot store".into(),
            })
        } else {
            Payload::from_kind_str(&head.kind, body).map_err(|e| Rejection::Malformed {
                // The reason quotes what it could not read, which may hold U+0000 (a kind).
                detail: e.to_string().replace('\0', "\u{FFFD}"),
            })
        };
        // A kind holding U+0000 is no kind the server knows (rejected above); it is kept with
        // a stand-in, as PostgreSQL cannot store the character (nor anywhere else in a text).
        let kind = head.kind.replace('\0', "\u{FFFD}");
        let (seq, id, v) = (head.seq, head.id, head.v);
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

/// Whether JSON text holds the escape `\u0000` (U+0000; JSON has no other way to write it):
/// an escape only when the backslashes right before it are an odd run (`\\u0000` is a
/// backslash and the letters `u0000`).
fn holds_nul(json: &str) -> bool {
    let bytes = json.as_bytes();
    json.match_indices("\\u0000").any(|(at, _)| {
        bytes[..at]
            .iter()
            .rev()
            .take_while(|b| **b == b'\\')
            .count()
            % 2
            == 0
    })
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
    // The highest sequence held (one step down an index): 0 when none.
    let max_held: i64 = tx
        .query_one(
            "SELECT COALESCE(max(seq), 0) FROM inbox WHERE terminal_id = $1",
            &[&terminal.id],
        )
        .await?
        .get(0);
    // A terminal's first push may start after 1: a till that left another server keeps its
    // outbox's numbers. Its run then starts where its first batch does.
    let lowest = entries.iter().map(|e| e.seq).min().unwrap_or(1);
    if max_held == 0 {
        held_before = lowest - 1;
    }

    // 1. Store every entry that is new. What the server already holds is looked up first, so a
    // replayed batch costs one indexed read and sends no payload to the database; a batch
    // wholly past everything held (the usual case) needs no look-up at all.
    let mut stored: HashMap<i64, (Uuid, Vec<u8>, Option<String>)> = HashMap::new();
    if lowest <= max_held {
        let all_seqs: Vec<i64> = entries.iter().map(|e| e.seq).collect();
        for r in tx
            .query(
                "SELECT seq, id, digest, rejected FROM inbox
                 WHERE terminal_id = $1 AND seq = ANY($2)",
                &[&terminal.id, &all_seqs],
            )
            .await?
        {
            stored.insert(r.get(0), (r.get(1), r.get(2), r.get(3)));
        }
    }
    let new: Vec<&Entry> = entries
        .iter()
        .filter(|e| !stored.contains_key(&e.seq))
        .collect();
    let inserted = store_new(tx, terminal, &new).await?;

    // 2. Effects, for what was really inserted.
    let fresh: Vec<(&Entry, &Payload)> = entries
        .iter()
        .filter(|e| inserted.contains(&e.seq))
        .filter_map(|e| e.payload.as_ref().ok().map(|p| (e, p)))
        .collect();
    effects::apply_effects(tx, terminal, &fresh).await?;

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
    // last one known. The usual case needs no query: nothing was held past the run, and this
    // batch, all of it now held, continues it without a hole.
    let mut seqs_now: Vec<i64> = entries.iter().map(|e| e.seq).collect();
    seqs_now.sort_unstable();
    let continues = max_held <= held_before
        && seqs_now
            .iter()
            .enumerate()
            .all(|(i, seq)| *seq == held_before + 1 + i as i64);
    let held_through: i64 = if continues {
        seqs_now.last().copied().unwrap_or(held_before)
    } else {
        tx.query_one(
            "SELECT COALESCE(MAX(seq), $2) FROM (
                 SELECT seq, seq - ROW_NUMBER() OVER (ORDER BY seq) AS base
                 FROM inbox WHERE terminal_id = $1 AND seq > $2) run
             WHERE base = $2",
            &[&terminal.id, &held_before],
        )
        .await?
        .get(0)
    };
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

/// Writes the batch's new entries into the inbox (one binary `COPY`); returns the sequences
/// stored under their own key. An entry whose key is already held at another sequence (or
/// comes twice in the batch) is a conflict: applied nowhere, but its sequence is held (under
/// a key of its own, with the reason), so the terminal's run has no gap and `held_through`
/// moves past it.
///
/// Usually no key of a batch is held, so the entries are written straight away, under a
/// savepoint; a key held at another sequence makes the `COPY` fail, and the batch is written
/// again once the held keys are read. The caller holds the terminal's row lock, which every
/// push of this terminal takes first: nothing can store one of its keys or sequences in
/// between, so the second `COPY` never meets a held key.
async fn store_new(
    tx: &Transaction<'_>,
    terminal: Terminal,
    new: &[&Entry],
) -> Result<HashSet<i64>, Failure> {
    if new.is_empty() {
        return Ok(HashSet::new());
    }
    tx.batch_execute("SAVEPOINT inbox").await?;
    let inserted = match copy_into_inbox(tx, terminal, new, HashSet::new()).await {
        Ok(inserted) => inserted,
        Err(f) if f.key_taken => {
            tx.batch_execute("ROLLBACK TO SAVEPOINT inbox").await?;
            let ids: Vec<Uuid> = new.iter().map(|e| e.id).collect();
            let held = tx
                .query(
                    "SELECT id FROM inbox WHERE terminal_id = $1 AND id = ANY($2)",
                    &[&terminal.id, &ids],
                )
                .await?
                .iter()
                .map(|r| r.get(0))
                .collect();
            copy_into_inbox(tx, terminal, new, held).await?
        }
        Err(f) => return Err(f),
    };
    tx.batch_execute("RELEASE SAVEPOINT inbox").await?;
    Ok(inserted)
}

/// The `COPY` of [`store_new`], given the keys held (`keys`).
async fn copy_into_inbox(
    tx: &Transaction<'_>,
    terminal: Terminal,
    new: &[&Entry],
    mut keys: HashSet<Uuid>,
) -> Result<HashSet<i64>, Failure> {
    let writer = copy_writer(
        tx,
        "inbox (terminal_id, seq, id, v, kind, entry, digest, rejected)",
        &[
            Type::UUID,
            Type::INT8,
            Type::UUID,
            Type::INT4,
            Type::TEXT,
            Type::TEXT,
            Type::BYTEA,
            Type::TEXT,
        ],
    )
    .await?;
    let mut writer = std::pin::pin!(writer);
    let mut inserted = HashSet::with_capacity(new.len());
    for e in new {
        let (key, rejected) = if keys.insert(e.id) {
            inserted.insert(e.seq);
            (e.id, e.payload.as_ref().err().map(|r| r.to_string()))
        } else {
            (Uuid::now_v7(), Some(Rejection::Conflict.to_string()))
        };
        writer
            .as_mut()
            .write(&[
                &terminal.id,
                &e.seq,
                &key,
                &(e.v as i32),
                &e.kind,
                &e.raw.get(),
                &e.digest,
                &rejected,
            ])
            .await?;
    }
    writer.finish().await?;
    Ok(inserted)
}

/// Opens a binary `COPY` into `target` (`table (columns…)`), whose columns are of `types`.
async fn copy_writer(
    tx: &Transaction<'_>,
    target: &str,
    types: &[Type],
) -> Result<BinaryCopyInWriter, Failure> {
    let sink = tx
        .copy_in(&format!("COPY {target} FROM STDIN (FORMAT binary)"))
        .await?;
    Ok(BinaryCopyInWriter::new(sink, types))
}

pub(super) fn internal(e: impl std::fmt::Display) -> Failure {
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
