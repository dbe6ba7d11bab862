//! The terminal's side of sync: its enrolment, how far the outbox has been answered, the
//! entries the server rejected, and applying the pages of menu changes the server sends.
//!
//! The network is not here: `kasir-sync` talks HTTP and calls these use cases. Each one is one
//! transaction, so a crash between two leaves a state the uploader can resume from: an entry
//! is only ever marked done after the server's answer, and a page of changes is applied
//! together with its cursor.
//!
//! **Invariant: applying the server's menu writes no outbox entry** (it is the server's
//! version, not an edit), so a change never echoes back.

use std::collections::HashMap;

use kasir_proto::api::{Change, ChangeData, Outcome, PullResponse, PushResponse};
use kasir_proto::{Envelope, Payload};
use rusqlite::{OptionalExtension, params};

use crate::access::{Actor, Permission};
use crate::kernel::time::Stamp;
use crate::{Error, Kasir, Result};

/// What the uploader needs to reach the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    pub server_url: String,
    pub allow_http: bool,
    pub terminal_id: String,
    pub terminal_code: String,
    pub store_name: String,
    pub token: String,
}

/// One entry the server rejected.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Quarantined {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub seq: i64,
    pub kind: String,
    pub reason: String,
    pub at: String,
}

/// Sync as it really is, for the top bar and the sync screen.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SyncStatus {
    pub enrolled: bool,
    pub server_url: Option<String>,
    pub store_name: Option<String>,
    /// Outbox entries the server has not answered yet.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub pending: i64,
    /// When the oldest of them was written.
    pub oldest_pending_at: Option<String>,
    pub last_success: Option<String>,
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
    pub quarantined: Vec<Quarantined>,
    /// How far this till has taken the store's changes: when it moves, the menu, stock and
    /// settings on screen may be stale (the UI reloads them).
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub pull_cursor: i64,
}

/// Sync's use cases: `k.sync()`.
pub struct Sync<'k> {
    k: &'k Kasir,
}

impl Kasir {
    /// The terminal's side of sync.
    pub fn sync(&self) -> Sync<'_> {
        Sync { k: self }
    }
}

impl Sync<'_> {
    /// What sync is doing, counts and times only (no token).
    pub fn status(&self) -> Result<SyncStatus> {
        self.k.read_any(|conn| {
            let (mut status, acked) = conn.query_row(
                "SELECT server_url, store_name, acked_seq, last_success, last_error,
                        last_error_at, token IS NOT NULL, pull_cursor FROM sync_state WHERE id = 1",
                [],
                |r| {
                    let status = SyncStatus {
                        enrolled: r.get(6)?,
                        server_url: r.get(0)?,
                        store_name: r.get(1)?,
                        pending: 0,
                        oldest_pending_at: None,
                        last_success: r.get(3)?,
                        last_error: r.get(4)?,
                        last_error_at: r.get(5)?,
                        quarantined: Vec::new(),
                        pull_cursor: r.get(7)?,
                    };
                    Ok((status, r.get::<_, i64>(2)?))
                },
            )?;
            let (pending, oldest): (i64, Option<String>) = conn.query_row(
                "SELECT count(*), min(created_at) FROM outbox WHERE seq > ?1",
                [acked],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let mut stmt = conn.prepare_cached(
                "SELECT q.seq, o.kind, q.reason, q.at FROM sync_quarantine q
                 JOIN outbox o ON o.seq = q.seq ORDER BY q.seq DESC LIMIT 100",
            )?;
            let quarantined = stmt
                .query_map([], |r| {
                    Ok(Quarantined {
                        seq: r.get(0)?,
                        kind: r.get(1)?,
                        reason: r.get(2)?,
                        at: r.get(3)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            status.pending = pending;
            status.oldest_pending_at = oldest;
            status.quarantined = quarantined;
            Ok(status)
        })
    }

    /// Where the server is and who this terminal is there; `None` before enrolment.
    pub fn enrolment(&self) -> Result<Option<Enrolment>> {
        self.k.read_any(|conn| {
            conn.query_row(
                "SELECT s.server_url, s.allow_http, s.terminal_id, t.terminal_code, s.store_name,
                        s.token
                 FROM sync_state s, settings t WHERE s.id = 1 AND s.token IS NOT NULL",
                [],
                |r| {
                    Ok(Enrolment {
                        server_url: r.get(0)?,
                        allow_http: r.get(1)?,
                        terminal_id: r.get(2)?,
                        terminal_code: r.get(3)?,
                        store_name: r.get(4)?,
                        token: r.get(5)?,
                    })
                },
            )
            .optional()
            .map_err(Error::from)
        })
    }

    /// Records a successful enrolment: the server's address, the store, the token, and the
    /// terminal code the server gave (receipt numbers use it from the next sale on); the
    /// enrolment is the till's first contact. A manager's action.
    pub fn enrolled(
        &self,
        actor: &Actor,
        server_url: &str,
        allow_http: bool,
        answer: &kasir_proto::api::EnrolResponse,
    ) -> Result<()> {
        self.k.write(actor, Permission::ManageSync, |cx| {
            cx.execute(
                "UPDATE sync_state SET server_url = ?1, allow_http = ?2, terminal_id = ?3,
                        store_id = ?4, store_name = ?5, token = ?6, enrolled_at = ?7,
                        last_success = ?7, last_error = NULL, last_error_at = NULL WHERE id = 1",
                params![
                    server_url,
                    allow_http,
                    answer.terminal_id.to_string(),
                    answer.store_id.to_string(),
                    answer.store_name,
                    answer.token,
                    Stamp(cx.now)
                ],
            )?;
            cx.execute(
                "UPDATE settings SET terminal_code = ?1",
                [&answer.terminal_code],
            )?;
            // Entries set aside before this enrolment are not this server's to hold.
            cx.execute("UPDATE sync_quarantine SET server_holds = 1", [])?;
            // The settings this till starts with: the store takes them only if it has none
            // (its first till sets it up); a store that has some sends them down instead.
            let settings = crate::settings::load(cx)?;
            crate::outbox::append(cx, &Payload::SettingsChanged(settings.shop_wide(true)))?;
            crate::audit::record(
                cx,
                "sync_enrolled",
                serde_json::json!({
                    "server": server_url,
                    "store": answer.store_name,
                    "terminal": answer.terminal_code,
                }),
            )?;
            Ok(())
        })
    }

    /// Leaves the server: forgets its address, the store and the token, and will pull a next
    /// store's menu from the start. Refused with `UnsentEntries` while the server has not
    /// answered every entry, unless an admin confirms (`confirm_unsent`) after being told how
    /// many: the entries stay in the outbox and go to the next server this till enrols with.
    pub fn unenrol(&self, actor: &Actor, confirm_unsent: bool) -> Result<()> {
        self.k.write(actor, Permission::ManageSync, |cx| {
            let acked: i64 =
                cx.query_row("SELECT acked_seq FROM sync_state WHERE id = 1", [], |r| {
                    r.get(0)
                })?;
            let unsent: i64 =
                cx.query_row("SELECT count(*) FROM outbox WHERE seq > ?1", [acked], |r| {
                    r.get(0)
                })?;
            if unsent > 0 && !(confirm_unsent && cx.member.role == crate::Role::Admin) {
                return Err(Error::UnsentEntries { count: unsent });
            }
            let server: Option<String> =
                cx.query_row("SELECT server_url FROM sync_state WHERE id = 1", [], |r| {
                    r.get(0)
                })?;
            cx.execute(
                "UPDATE sync_state SET server_url = NULL, allow_http = 0, terminal_id = NULL,
                        store_id = NULL, store_name = NULL, token = NULL, enrolled_at = NULL,
                        pull_cursor = 0, last_error = NULL, last_error_at = NULL WHERE id = 1",
                [],
            )?;
            // A next server has none of this till's pictures.
            cx.execute("DELETE FROM sync_pictures_sent", [])?;
            crate::audit::record(
                cx,
                "sync_unenrolled",
                serde_json::json!({"server": server, "unsent": unsent}),
            )?;
            Ok(())
        })
    }

    /// Pictures that waiting product entries name and the server may not have: (id, its
    /// display JPEG, or `None` when the file is gone: replaced since, nothing to send). The
    /// uploader sends each and marks it with [`Sync::picture_sent`] before pushing entries.
    pub fn pictures_to_send(&self, limit: u32) -> Result<Vec<(String, Option<Vec<u8>>)>> {
        let acked = self.acked()?;
        let ids: Vec<String> = self.k.read_any(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT DISTINCT img FROM (
                     SELECT json_extract(payload, '$.image_id') AS img FROM outbox
                     WHERE seq > ?1 AND kind = 'product_upserted'
                     UNION ALL
                     SELECT p.value FROM outbox o, json_each(o.payload, '$.pictures') p
                     WHERE o.seq > ?1 AND o.kind = 'product_upserted')
                 WHERE img IS NOT NULL AND img NOT IN (SELECT image_id FROM sync_pictures_sent)
                 LIMIT ?2",
            )?;
            let ids = stmt
                .query_map(params![acked, limit], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            Ok(ids)
        })?;
        let media = self.k.media_dir();
        Ok(ids
            .into_iter()
            .map(|id| {
                let file = crate::catalog::images::image_path(
                    &media,
                    &id,
                    crate::catalog::images::ImageSize::Display,
                )
                .and_then(|path| std::fs::read(path).ok());
                (id, file)
            })
            .collect())
    }

    /// Marks a picture as held by the server (or gone: never to be sent).
    pub fn picture_sent(&self, image_id: &str) -> Result<()> {
        self.k.transact(|tx, now| {
            tx.execute(
                "INSERT OR IGNORE INTO sync_pictures_sent (image_id, at) VALUES (?1, ?2)",
                params![image_id, Stamp(now)],
            )?;
            Ok(())
        })
    }

    /// Pictures products here name but this till does not have (made on another till), at
    /// most `limit`; from `among` only, when given.
    pub fn missing_pictures(&self, among: Option<&[String]>, limit: usize) -> Result<Vec<String>> {
        let named: Vec<String> = match among {
            Some(ids) => ids.to_vec(),
            None => self.k.read_any(|conn| {
                let mut stmt = conn.prepare_cached(
                    "SELECT image_id FROM products WHERE image_id IS NOT NULL
                     UNION SELECT image_id FROM product_images",
                )?;
                let ids = stmt
                    .query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<String>>>()?;
                Ok(ids)
            })?,
        };
        let media = self.k.media_dir();
        Ok(named
            .into_iter()
            .filter(|id| {
                crate::catalog::images::image_path(
                    &media,
                    id,
                    crate::catalog::images::ImageSize::Display,
                )
                .is_some_and(|path| !path.exists())
            })
            .take(limit)
            .collect())
    }

    /// Keeps a picture from the server, checked like an upload (a till never trusts bytes it
    /// did not make), as this till's own renditions.
    pub fn save_picture(&self, image_id: &str, jpeg: &[u8]) -> Result<()> {
        crate::catalog::images::save_received(&self.k.media_dir(), image_id, jpeg)
    }

    /// The next entries to send: after the last answered one, oldest first.
    pub fn pending(&self, limit: u32) -> Result<(i64, Vec<Envelope>)> {
        let acked = self.acked()?;
        Ok((acked, self.k.outbox().entries(acked, limit)?))
    }

    /// The same, as the wire carries them (sequence, envelope JSON).
    pub fn pending_wire(&self, limit: u32) -> Result<Vec<(i64, Box<serde_json::value::RawValue>)>> {
        let acked = self.acked()?;
        self.k.outbox().wire_entries(acked, limit)
    }

    fn acked(&self) -> Result<i64> {
        self.k.read_any(|conn| {
            Ok(
                conn.query_row("SELECT acked_seq FROM sync_state WHERE id = 1", [], |r| {
                    r.get(0)
                })?,
            )
        })
    }

    /// Whether the outbox holds entries the server has not answered.
    pub fn has_pending(&self) -> Result<bool> {
        let acked = self.acked()?;
        Ok(self.head()? > acked)
    }

    /// Checks that `actor` may set up sync, before anything goes over the network (an
    /// enrolment code is used up by the server on success).
    pub fn authorize(&self, actor: &Actor) -> Result<()> {
        self.k.read(actor, Permission::ManageSync, |_, _| Ok(()))
    }

    /// The highest sequence the outbox holds (the server shows the lag).
    pub fn head(&self) -> Result<i64> {
        self.k.read_any(|conn| {
            Ok(conn.query_row("SELECT COALESCE(max(seq), 0) FROM outbox", [], |r| r.get(0))?)
        })
    }

    /// Records the server's answer to a push of `sent` (sequences, in order): entries answered
    /// `applied` or `duplicate` are done, `rejected` ones are done and quarantined with their
    /// reason. `acked_seq` moves only over a run of answered entries, so an answer that misses
    /// an entry never skips it.
    pub fn record_push(&self, sent: &[i64], answer: &PushResponse) -> Result<i64> {
        self.k.transact(|tx, now| {
            let mut acked: i64 =
                tx.query_row("SELECT acked_seq FROM sync_state WHERE id = 1", [], |r| {
                    r.get(0)
                })?;
            let answered: std::collections::HashMap<i64, &Outcome> =
                answer.results.iter().map(|r| (r.seq, &r.outcome)).collect();
            for &seq in sent {
                if seq <= acked {
                    continue;
                }
                if seq != acked + 1 {
                    break;
                }
                match answered.get(&seq) {
                    Some(Outcome::Applied | Outcome::Duplicate) => {}
                    Some(Outcome::Rejected { reason }) => {
                        tx.execute(
                            "INSERT OR REPLACE INTO sync_quarantine (seq, reason, at)
                             VALUES (?1, ?2, ?3)",
                            params![seq, reason.to_string(), Stamp(now)],
                        )?;
                        tracing::warn!(seq, %reason, "the server rejected an outbox entry");
                    }
                    None => break,
                }
                acked = seq;
            }
            tx.execute(
                "UPDATE sync_state SET acked_seq = ?1, last_success = ?2, last_error = NULL,
                        last_error_at = NULL WHERE id = 1",
                params![acked, Stamp(now)],
            )?;
            Ok(acked)
        })
    }

    /// Quarantines an entry the server refused on its own in a whole-batch refusal (too large,
    /// unreadable), so the queue goes on; returns the new `acked_seq`.
    pub fn quarantine_here(&self, seq: i64, reason: &str) -> Result<i64> {
        self.k.transact(|tx, now| {
            let acked: i64 =
                tx.query_row("SELECT acked_seq FROM sync_state WHERE id = 1", [], |r| {
                    r.get(0)
                })?;
            if seq != acked + 1 {
                return Ok(acked);
            }
            tx.execute(
                "INSERT OR REPLACE INTO sync_quarantine (seq, reason, at, server_holds)
                 VALUES (?1, ?2, ?3, 0)",
                params![seq, reason, Stamp(now)],
            )?;
            tx.execute("UPDATE sync_state SET acked_seq = ?1 WHERE id = 1", [seq])?;
            Ok(seq)
        })
    }

    /// Stand-ins for the entries this till set aside that the server holds nothing for: each
    /// an envelope with the entry's key and sequence, kind `unsendable` and the reason (the
    /// server keeps it as a rejected entry), so the server's run of sequences has no gap.
    pub fn stand_ins(&self, limit: u32) -> Result<Vec<(i64, Box<serde_json::value::RawValue>)>> {
        self.k.read_any(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT q.seq, o.id, o.terminal, o.created_at, o.kind, q.reason
                 FROM sync_quarantine q JOIN outbox o ON o.seq = q.seq
                 WHERE q.server_holds = 0 ORDER BY q.seq LIMIT ?1",
            )?;
            let mut rows = stmt.query([limit])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let seq: i64 = r.get(0)?;
                let envelope = serde_json::json!({
                    "v": kasir_proto::VERSION,
                    "id": r.get::<_, String>(1)?,
                    "terminal": r.get::<_, String>(2)?,
                    "seq": seq,
                    "created_at": r.get::<_, String>(3)?,
                    "kind": "unsendable",
                    "payload": {"kind": r.get::<_, String>(4)?, "reason": r.get::<_, String>(5)?},
                });
                out.push((seq, serde_json::value::to_raw_value(&envelope)?));
            }
            Ok(out)
        })
    }

    /// Notes that the server answered the stand-ins of these sequences.
    pub fn stand_ins_held(&self, seqs: &[i64]) -> Result<()> {
        self.k.transact(|tx, _| {
            for seq in seqs {
                tx.prepare_cached("UPDATE sync_quarantine SET server_holds = 1 WHERE seq = ?1")?
                    .execute([seq])?;
            }
            Ok(())
        })
    }

    /// Notes a failure (network, server) for the sync screen.
    pub fn record_failure(&self, message: &str) -> Result<()> {
        let message: String = message.chars().take(500).collect();
        self.k.transact(|tx, now| {
            tx.execute(
                "UPDATE sync_state SET last_error = ?1, last_error_at = ?2 WHERE id = 1",
                params![message, Stamp(now)],
            )?;
            Ok(())
        })
    }

    /// Notes a contact that worked (a pull with nothing to send).
    pub fn record_success(&self) -> Result<()> {
        self.k.transact(|tx, now| {
            tx.execute(
                "UPDATE sync_state SET last_success = ?1, last_error = NULL,
                        last_error_at = NULL WHERE id = 1",
                params![Stamp(now)],
            )?;
            Ok(())
        })
    }

    /// The cursor to pull after.
    pub fn pull_cursor(&self) -> Result<i64> {
        self.k.read_any(|conn| {
            Ok(
                conn.query_row("SELECT pull_cursor FROM sync_state WHERE id = 1", [], |r| {
                    r.get(0)
                })?,
            )
        })
    }

    /// Applies a page of the server's changes and its cursor in one transaction. A page that
    /// starts before the stored cursor (a late answer to an older request) changes nothing.
    pub fn apply_pull(&self, page: &PullResponse) -> Result<usize> {
        self.k.transact(|tx, now| {
            let cursor: i64 =
                tx.query_row("SELECT pull_cursor FROM sync_state WHERE id = 1", [], |r| {
                    r.get(0)
                })?;
            let mut applied = 0;
            // What this till took or returned that the server has not confirmed yet, per
            // product: a store's count from the server plus this is the count here.
            let unconfirmed = if page
                .changes
                .iter()
                .any(|c| matches!(c.data, ChangeData::StockLevel(_)))
            {
                unconfirmed_stock(tx)?
            } else {
                HashMap::new()
            };
            for Change {
                cursor: at,
                data,
            } in &page.changes
            {
                if *at <= cursor {
                    continue;
                }
                // Each change on its own savepoint: one this till cannot take (a rule of its
                // own database broken) is skipped and logged, never a page that blocks the
                // store's menu forever.
                tx.execute_batch("SAVEPOINT change")?;
                let done = match data {
                    ChangeData::Category(c) => apply_category(tx, now, c),
                    ChangeData::Product(p) => apply_product(tx, now, p),
                    ChangeData::Staff(m) => apply_staff(tx, now, m),
                    ChangeData::Settings(s) => apply_settings(tx, s),
                    ChangeData::StockLevel(l) => apply_stock_level(tx, now, l, &unconfirmed),
                    ChangeData::Member(m) => unless_newer_here(tx, "member_upserted", m.id, || {
                        apply_member(tx, now, m)
                    }),
                    ChangeData::PointsEntry(e) => {
                        crate::members::points::take_pulled(tx, now, e).map(|_| ())
                    }
                    ChangeData::WalletEntry(e) => {
                        crate::members::wallet::take_pulled(tx, e).map(|_| ())
                    }
                    ChangeData::Review(r) => unless_newer_here(tx, "review_upserted", r.id, || {
                        crate::members::reviews::take_pulled(tx, now, r)
                    }),
                    ChangeData::Coupon(c) => unless_newer_here(tx, "coupon_upserted", c.id, || {
                        crate::offers::pulled::take_coupon(tx, now, c)
                    }),
                    ChangeData::CouponUse(u) => crate::offers::pulled::take_coupon_use(tx, u),
                    ChangeData::Voucher(v) => unless_newer_here(tx, "voucher_upserted", v.id, || {
                        crate::offers::pulled::take_voucher(tx, now, v)
                    }),
                    ChangeData::Redemption(r) => unless_newer_here(tx, "redemption", r.id, || {
                        crate::offers::pulled::take_redemption(tx, now, r)
                    }),
                    ChangeData::Unknown => {
                        tx.execute_batch("RELEASE change")?;
                        continue;
                    }
                };
                match done {
                    Ok(()) => {
                        tx.execute_batch("RELEASE change")?;
                        applied += 1;
                    }
                    Err(e) => {
                        tx.execute_batch("ROLLBACK TO change; RELEASE change")?;
                        tracing::warn!(cursor = at, error = %e, "skipped a change from the server this till cannot apply");
                    }
                }
            }
            if page.cursor > cursor {
                tx.execute(
                    "UPDATE sync_state SET pull_cursor = ?1 WHERE id = 1",
                    [page.cursor],
                )?;
            }
            Ok(applied)
        })
    }

    /// Entries in the outbox of a kind, for tests and the sync screen: (seq, payload).
    pub fn sent_kinds(&self) -> Result<Vec<(i64, Payload)>> {
        Ok(self
            .k
            .outbox()
            .entries(0, u32::MAX)?
            .into_iter()
            .map(|e| (e.seq, e.payload))
            .collect())
    }
}

/// Applies the server's version of something unless this till changed it since its last
/// answer: its own newer version is on its way up, and the server sends it back once it has
/// it. Without this, a pull between an edit and its push would put the older version back
/// for a while (a redemption just used could look pending again).
fn unless_newer_here(
    conn: &rusqlite::Connection,
    kind: &str,
    id: uuid::Uuid,
    apply: impl FnOnce() -> Result<()>,
) -> Result<()> {
    let unsent: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM outbox
                WHERE seq > (SELECT acked_seq FROM sync_state WHERE id = 1)
                  AND kind = ?1 AND json_extract(payload, '$.id') = ?2)",
        )?
        .query_row(params![kind, id.to_string()], |r| r.get(0))?;
    if unsent { Ok(()) } else { apply() }
}

/// How long a till may go without reaching its server before it counts as offline (three
/// missed pulls).
pub const OFFLINE_AFTER: jiff::SignedDuration = jiff::SignedDuration::from_secs(180);

/// Since when this till has been unable to reach its server, if it cannot now: it is enrolled,
/// and its last contact is older than [`OFFLINE_AFTER`] or a failure came after it. The answer
/// is that contact, or the oldest entry the server has not answered if that is older. `None`
/// when it reaches its server, or has none (a till on its own is the whole store).
pub(crate) fn offline_since(
    conn: &rusqlite::Connection,
    now: jiff::Timestamp,
) -> Result<Option<jiff::Timestamp>> {
    let (enrolled, success, failure, unsent): (bool, Option<Stamp>, Option<Stamp>, Option<Stamp>) =
        conn.prepare_cached(
            "SELECT token IS NOT NULL, last_success, last_error_at,
                    (SELECT created_at FROM outbox WHERE seq > s.acked_seq ORDER BY seq LIMIT 1)
             FROM sync_state s WHERE id = 1",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    if !enrolled {
        return Ok(None);
    }
    Ok(match success {
        None => Some(jiff::Timestamp::UNIX_EPOCH),
        Some(Stamp(at)) => {
            let stale = now.duration_since(at) > OFFLINE_AFTER;
            let failed = failure.is_some_and(|Stamp(f)| f > at);
            // What the server has not taken yet counts too: a contact that sent one batch
            // of a long offline stretch does not start the limit again.
            (stale || failed).then(|| unsent.map_or(at, |Stamp(u)| u.min(at)))
        }
    })
}

/// With a server, the beginning of the numbers of the members this till added
/// (`MEM-T02-`): the till that added a member is the one that expires her points. `None`
/// for a till on its own (it expires everyone's).
pub(crate) fn store_member_prefix(conn: &rusqlite::Connection) -> Result<Option<String>> {
    let enrolled: bool = conn
        .prepare_cached("SELECT token IS NOT NULL FROM sync_state WHERE id = 1")?
        .query_row([], |r| r.get(0))?;
    if !enrolled {
        return Ok(None);
    }
    let code = crate::settings::load(conn)?.terminal_code;
    Ok(Some(format!("MEM-{code}-")))
}

/// A member as the server has them (the newest version, whichever till wrote it): their
/// details; balances come as ledger entries of their own. A phone or email another member
/// holds here (two tills that each added the same person) stays with that member: this one
/// comes without it, the server keeps both. A number or referral code another member holds
/// here gets a local variant. A referrer unknown here is left out.
fn apply_member(
    conn: &rusqlite::Connection,
    now: jiff::Timestamp,
    m: &kasir_proto::Member,
) -> Result<()> {
    let id = m.id.to_string();
    let held_by_another = |sql: &str, value: &Option<String>| -> Result<Option<String>> {
        let Some(v) = value else { return Ok(None) };
        let held: bool = conn
            .prepare_cached(sql)?
            .query_row(params![v, id], |r| r.get(0))?;
        Ok((!held).then(|| v.clone()))
    };
    let phone = held_by_another(
        "SELECT EXISTS (SELECT 1 FROM members WHERE phone = ?1 AND id <> ?2)",
        &m.phone,
    )?;
    let email = held_by_another(
        "SELECT EXISTS (SELECT 1 FROM members WHERE email = ?1 AND id <> ?2)",
        &m.email,
    )?;
    let referred_by: Option<String> = match m.referred_by {
        Some(r) => conn
            .prepare_cached("SELECT id FROM members WHERE id = ?1")?
            .query_row([r.to_string()], |r| r.get(0))
            .optional()?,
        None => None,
    };
    let number_seq: i64 = m
        .number
        .rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    // A number or referral code another member holds here (two tills that numbered members
    // as `T01` before they were enrolled): she comes with a local variant, never skipped, so
    // her ledger entries that follow find her.
    let short = &m.id.simple().to_string()[28..];
    let clash = |sql: &str, value: &str| -> Result<bool> {
        Ok(conn
            .prepare_cached(sql)?
            .query_row(params![value, id], |r| r.get(0))?)
    };
    let number = if clash(
        "SELECT EXISTS (SELECT 1 FROM members WHERE number = ?1 AND id <> ?2)",
        &m.number,
    )? {
        format!("{}-{short}", m.number)
    } else {
        m.number.clone()
    };
    let referral_code = if clash(
        "SELECT EXISTS (SELECT 1 FROM members WHERE referral_code = ?1 AND id <> ?2)",
        &m.referral_code,
    )? {
        format!("{}{}", m.referral_code, short.to_ascii_uppercase())
    } else {
        m.referral_code.clone()
    };
    conn.prepare_cached(
        "INSERT INTO members (id, number, number_seq, name, phone, email, birthday, address, notes,
                              active, referral_code, referred_by, created_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, phone = excluded.phone,
             email = excluded.email, birthday = excluded.birthday, address = excluded.address,
             notes = excluded.notes, active = excluded.active, updated_at = excluded.updated_at",
    )?
    .execute(params![
        id,
        number,
        number_seq,
        m.name,
        phone,
        email,
        m.birthday.map(|b| b.to_string()),
        m.address,
        m.notes,
        m.active,
        referral_code,
        referred_by,
        uuid::Uuid::nil().to_string(),
        Stamp(m.created_at),
        Stamp(now),
    ])?;
    Ok(())
}

/// The stock moves of the entries the server has not answered, summed per product.
fn unconfirmed_stock(conn: &rusqlite::Connection) -> Result<HashMap<uuid::Uuid, i64>> {
    let acked: i64 = conn.query_row("SELECT acked_seq FROM sync_state WHERE id = 1", [], |r| {
        r.get(0)
    })?;
    let mut stmt = conn.prepare_cached(
        "SELECT seq, kind, payload FROM outbox
         WHERE seq > ?1 AND kind IN ('sale', 'order_cancelled', 'stock_adjusted')",
    )?;
    let mut rows = stmt.query([acked])?;
    let mut sums = HashMap::new();
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let kind: String = r.get(1)?;
        let payload: String = r.get(2)?;
        let payload = Payload::from_kind_str(&kind, &payload).map_err(|e| {
            Error::DatabaseCorrupt(format!("outbox entry {seq}: unreadable payload: {e}"))
        })?;
        let mut add = |product, delta| *sums.entry(product).or_insert(0) += delta;
        match payload {
            Payload::Sale(s) => {
                for m in s.stock_movements {
                    add(m.product_id, -m.quantity);
                }
            }
            Payload::OrderCancelled(c) => {
                for m in c.stock_returned {
                    add(m.product_id, m.quantity);
                }
            }
            Payload::StockAdjusted(a) => add(a.product_id, a.delta),
            _ => {}
        }
    }
    Ok(sums)
}

/// The store's settings from the server; this till keeps its own code. Settings this till's
/// rules refuse are skipped (as any change it cannot take).
fn apply_settings(conn: &rusqlite::Connection, s: &kasir_proto::ShopSettings) -> Result<()> {
    let merged = crate::settings::load(conn)?.with_store_wide(s).validate()?;
    crate::settings::store(conn, &merged)
}

/// A product's count summed over the store's tills: this till's count becomes the store's plus
/// what this till has not yet sent, by one stock movement, so its ledger still adds up. A count
/// below zero (sales are facts on the server) shows as zero here. An untracked or unknown
/// product is left alone.
fn apply_stock_level(
    conn: &rusqlite::Connection,
    now: jiff::Timestamp,
    l: &kasir_proto::StockLevel,
    unconfirmed: &HashMap<uuid::Uuid, i64>,
) -> Result<()> {
    let stock: Option<Option<i64>> = conn
        .prepare_cached("SELECT stock FROM products WHERE id = ?1")?
        .query_row([l.product_id.to_string()], |r| r.get(0))
        .optional()?;
    let Some(Some(here)) = stock else {
        return Ok(());
    };
    let target = l
        .level
        .saturating_add(unconfirmed.get(&l.product_id).copied().unwrap_or(0))
        .clamp(0, crate::catalog::MAX_STOCK);
    if target == here {
        return Ok(());
    }
    crate::catalog::move_stock(
        conn,
        now,
        &crate::catalog::StockMove {
            product: crate::catalog::ProductId(l.product_id),
            delta: target - here,
            reason: "adjustment",
            order: None,
            staff: crate::people::StaffId(uuid::Uuid::nil()),
            note: STORE_COUNT_NOTE,
        },
    )
}

/// The note on a stock movement that brings this till's count to the store's.
pub const STORE_COUNT_NOTE: &str = "store count from the server";

fn apply_category(
    conn: &rusqlite::Connection,
    now: jiff::Timestamp,
    c: &kasir_proto::Category,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO categories (id, name, sort_order, active, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, sort_order = excluded.sort_order,
             active = excluded.active, updated_at = excluded.updated_at",
    )?
    .execute(params![
        c.id.to_string(),
        c.name,
        c.sort_order,
        c.active,
        Stamp(now)
    ])?;
    Ok(())
}

/// A member of the store's staff as the server has them: name, role, active flag and PIN
/// hash. This till's own counts of wrong PINs stay its own. An unknown role is skipped (a
/// newer server's), never a failed page.
fn apply_staff(
    conn: &rusqlite::Connection,
    now: jiff::Timestamp,
    m: &kasir_proto::StaffMember,
) -> Result<()> {
    if !matches!(m.role.as_str(), "cashier" | "manager" | "admin") {
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO staff (id, name, role, pin_hash, active, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role,
             pin_hash = excluded.pin_hash, active = excluded.active",
    )?
    .execute(params![
        m.id.to_string(),
        m.name,
        m.role,
        m.pin_hash,
        m.active,
        Stamp(now)
    ])?;
    Ok(())
}

/// The server's version of a product: its menu fields, picture and modifiers, and whether its
/// stock is counted. The count stays the terminal's ledger's (a product newly counted starts
/// at zero; the store's count comes as its own change). A picture made elsewhere is fetched by the uploader; until it
/// arrives the till shows the product without one.
fn apply_product(
    conn: &rusqlite::Connection,
    now: jiff::Timestamp,
    p: &kasir_proto::Product,
) -> Result<()> {
    let id = p.id.to_string();
    // Tracking switched on or off on another till: the same steps as an edit here. Off: what
    // was counted leaves by one `untracked` movement (the ledger still adds up) and an open
    // alert closes; on: counted from zero here, the store's count follows as its own change.
    let here: Option<Option<i64>> = conn
        .prepare_cached("SELECT stock FROM products WHERE id = ?1")?
        .query_row([&id], |r| r.get(0))
        .optional()?;
    let nobody = crate::people::StaffId(uuid::Uuid::nil());
    match (here, p.stock.is_some()) {
        (Some(Some(counted)), false) => {
            if counted > 0 {
                crate::catalog::move_stock(
                    conn,
                    now,
                    &crate::catalog::StockMove {
                        product: crate::catalog::ProductId(p.id),
                        delta: -counted,
                        reason: "untracked",
                        order: None,
                        staff: nobody,
                        note: STORE_COUNT_NOTE,
                    },
                )?;
            }
            conn.prepare_cached("UPDATE products SET stock = NULL WHERE id = ?1")?
                .execute([&id])?;
            crate::catalog::stock::close_alert(conn, crate::catalog::ProductId(p.id), nobody, now)?;
        }
        (Some(None), true) => {
            conn.prepare_cached("UPDATE products SET stock = 0 WHERE id = ?1")?
                .execute([&id])?;
        }
        _ => {}
    }
    // A barcode another local product holds goes to the newer one (the server's).
    if let Some(code) = &p.barcode {
        conn.prepare_cached("UPDATE products SET barcode = NULL WHERE barcode = ?1 AND id <> ?2")?
            .execute(params![code, id])?;
    }
    conn.prepare_cached(
        "INSERT INTO products (id, category_id, name, description, price, stock,
                               low_stock_warning, low_stock_critical, active, barcode, updated_at,
                               image_id, featured, tags)
         VALUES (?1, ?2, ?3, ?4, ?5, CASE WHEN ?6 THEN 0 END, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (id) DO UPDATE SET category_id = excluded.category_id,
             name = excluded.name, description = excluded.description, price = excluded.price,
             low_stock_warning = excluded.low_stock_warning,
             low_stock_critical = excluded.low_stock_critical, active = excluded.active,
             barcode = excluded.barcode, updated_at = excluded.updated_at,
             image_id = excluded.image_id, featured = excluded.featured, tags = excluded.tags",
    )?
    .execute(params![
        id,
        p.category_id.to_string(),
        p.name,
        p.description,
        p.price,
        p.stock.is_some(),
        p.low_stock_warning,
        p.low_stock_critical,
        p.active,
        p.barcode,
        Stamp(now),
        p.image_id
            .as_deref()
            .filter(|id| uuid::Uuid::parse_str(id).is_ok()),
        p.featured,
        serde_json::to_string(&p.tags)?,
    ])?;
    let cover = p
        .image_id
        .as_deref()
        .filter(|id| uuid::Uuid::parse_str(id).is_ok());
    let gallery: Vec<&str> = p
        .pictures
        .iter()
        .map(String::as_str)
        .filter(|id| uuid::Uuid::parse_str(id).is_ok())
        .collect();
    if gallery.first().copied() == cover && !gallery.is_empty() {
        crate::catalog::pictures::follow_pictures(conn, now, &id, &gallery)?;
    } else {
        crate::catalog::pictures::follow_cover(conn, now, &id, cover)?;
    }
    conn.prepare_cached("UPDATE modifier_groups SET retired = 1 WHERE product_id = ?1")?
        .execute([&id])?;
    for (gi, g) in p.modifier_groups.iter().enumerate() {
        let gid = g.id.to_string();
        conn.prepare_cached(
            "INSERT INTO modifier_groups (id, product_id, name, min_choices, max_choices,
                                          sort_order, retired)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name,
                 min_choices = excluded.min_choices, max_choices = excluded.max_choices,
                 sort_order = excluded.sort_order, retired = 0",
        )?
        .execute(params![
            gid,
            id,
            g.name,
            g.min_choices,
            g.max_choices,
            gi as i64
        ])?;
        conn.prepare_cached("UPDATE modifier_options SET retired = 1 WHERE group_id = ?1")?
            .execute([&gid])?;
        for (oi, o) in g.options.iter().enumerate() {
            conn.prepare_cached(
                "INSERT INTO modifier_options (id, group_id, name, price_delta, sort_order,
                                               retired)
                 VALUES (?1, ?2, ?3, ?4, ?5, 0)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name,
                     price_delta = excluded.price_delta, sort_order = excluded.sort_order,
                     retired = 0",
            )?
            .execute(params![
                o.id.to_string(),
                gid,
                o.name,
                o.price_delta,
                oi as i64
            ])?;
        }
    }
    Ok(())
}
