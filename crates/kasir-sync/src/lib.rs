//! The terminal's sync with the central server: enrolment, the uploader that drains the
//! outbox, and pulling the menu the server orders. Tauri-free: the app runs [`Uploader::run`]
//! on its tokio runtime, and the tests drive [`Uploader::push_once`] and
//! [`Uploader::pull_once`] through a faulty network.
//!
//! **Failure classes** (ARCHITECTURE.md, "sync"):
//! - a timeout is [`SyncError::Unknown`]: the server may have applied the batch; the same
//!   entries (same keys) are sent again, and the server answers `duplicate`;
//! - a network error, a 5xx or a 429 is [`SyncError::Transient`]: back off exponentially with
//!   jitter (capped), then try again;
//! - an entry the server rejects (in a 200 answer) is quarantined with its reason and the
//!   queue goes on; a batch refused whole with 400/413 is sent one entry at a time, and an entry
//!   refused alone is quarantined here;
//! - a 401 is [`SyncError::Unauthorized`]: sync stops until the terminal is enrolled again;
//! - a server speaking a newer protocol is [`SyncError::NewerServer`]: sync stops until the
//!   app is updated.
//!
//! **Invariant: an entry is marked done only after the server's answer for it**, in one
//! SQLite transaction (`k.sync().record_push`), so a crash or a lost answer means it is sent
//! again, never skipped.

use std::sync::Arc;
use std::time::Duration;

use kasir_core::Kasir;
use kasir_proto::api::{
    ApiError, EnrolRequest, EnrolResponse, NewerServer, PROTOCOL_HEADER, PullResponse, PushRequest,
    PushResponse, check_server_protocol,
};
use rand::Rng;

/// About how many entries one push carries.
pub const BATCH: u32 = 500;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The request may or may not have been applied (a timeout): send the same entries again.
    #[error("no answer in time: {0}")]
    Unknown(String),
    /// The server could not be reached or was busy: try again later.
    #[error("server not reachable: {0}")]
    Transient(String),
    /// The token was refused: the terminal must be enrolled again.
    #[error("the server refused this terminal ({code}): enrol it again")]
    Unauthorized { code: String },
    /// The server refused the request itself.
    #[error("the server refused the request ({code}): {message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    #[error(transparent)]
    NewerServer(#[from] NewerServer),
    /// Only `https://` addresses, unless plain HTTP was allowed for a server on the shop's own
    /// network.
    #[error("the server address must start with https:// (or http:// when allowed): {0}")]
    Address(String),
    #[error("this terminal is not enrolled with a server")]
    NotEnrolled,
    #[error(transparent)]
    Local(#[from] kasir_core::Error),
}

impl SyncError {
    /// Whether waiting and trying again may help.
    pub fn is_retryable(&self) -> bool {
        matches!(self, SyncError::Unknown(_) | SyncError::Transient(_))
    }
}

/// The HTTP side, with the failure classes.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    /// A client for `server_url`; `https://` always, `http://` only with `allow_http`.
    pub fn new(server_url: &str, allow_http: bool, timeout: Duration) -> Result<Client, SyncError> {
        let base = server_url.trim().trim_end_matches('/').to_owned();
        let scheme_ok = base.starts_with("https://") || (allow_http && base.starts_with("http://"));
        if !scheme_ok || base.len() > 300 {
            return Err(SyncError::Address(base));
        }
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .pool_max_idle_per_host(0)
            .https_only(!allow_http)
            .user_agent(concat!("kasir/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SyncError::Transient(e.to_string()))?;
        Ok(Client { http, base })
    }

    pub async fn enrol(&self, code: &str, name: &str) -> Result<EnrolResponse, SyncError> {
        let req = self
            .http
            .post(format!("{}/v1/enrol", self.base))
            .json(&EnrolRequest {
                code: code.to_owned(),
                name: name.to_owned(),
            });
        answer(req.send().await).await
    }

    pub async fn push(&self, token: &str, req: &PushRequest) -> Result<PushResponse, SyncError> {
        let req = self
            .http
            .post(format!("{}/v1/push", self.base))
            .bearer_auth(token)
            .json(req);
        answer(req.send().await).await
    }

    pub async fn pull(&self, token: &str, after: i64) -> Result<PullResponse, SyncError> {
        let req = self
            .http
            .get(format!("{}/v1/pull?after={after}", self.base))
            .bearer_auth(token);
        answer(req.send().await).await
    }

    /// Sends a product picture (its display JPEG); sending one the server holds is a no-op.
    pub async fn put_picture(&self, token: &str, id: &str, jpeg: Vec<u8>) -> Result<(), SyncError> {
        let req = self
            .http
            .put(format!("{}/v1/pictures/{id}", self.base))
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "image/jpeg")
            .body(jpeg);
        accepted(req.send().await).await.map(drop)
    }

    /// A product picture of the store; `None` when the server holds none (yet).
    pub async fn get_picture(&self, token: &str, id: &str) -> Result<Option<Vec<u8>>, SyncError> {
        let req = self
            .http
            .get(format!("{}/v1/pictures/{id}", self.base))
            .bearer_auth(token);
        match accepted(req.send().await).await {
            Ok(r) => {
                // Never more than a picture can be (the server's own limit, twice over).
                const MOST: usize = 4 * 1024 * 1024;
                if r.content_length().unwrap_or(0) > MOST as u64 {
                    return Err(SyncError::Transient(format!("picture {id} is too large")));
                }
                let bytes = r.bytes().await.map_err(unreadable)?;
                if bytes.len() > MOST {
                    return Err(SyncError::Transient(format!("picture {id} is too large")));
                }
                Ok(Some(bytes.to_vec()))
            }
            Err(SyncError::Refused { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Sorts an answer into the failure classes and reads its JSON.
async fn answer<T: serde::de::DeserializeOwned>(
    sent: reqwest::Result<reqwest::Response>,
) -> Result<T, SyncError> {
    accepted(sent).await?.json::<T>().await.map_err(unreadable)
}

/// A body that did not arrive whole: a timeout is unknown (the server may have acted).
fn unreadable(e: reqwest::Error) -> SyncError {
    if e.is_timeout() {
        SyncError::Unknown(e.to_string())
    } else {
        SyncError::Transient(format!("unreadable answer: {e}"))
    }
}

/// The response when it is a success; otherwise its failure class.
async fn accepted(
    sent: reqwest::Result<reqwest::Response>,
) -> Result<reqwest::Response, SyncError> {
    let response = match sent {
        Ok(r) => r,
        Err(e) if e.is_timeout() => return Err(SyncError::Unknown(e.to_string())),
        Err(e) => return Err(SyncError::Transient(e.to_string())),
    };
    if let Some(v) = response.headers().get(PROTOCOL_HEADER) {
        let server: u32 = v.to_str().ok().and_then(|v| v.parse().ok()).unwrap_or(0);
        check_server_protocol(server)?;
    }
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let body: Option<ApiError> = response.json().await.ok();
    let (code, message) = body.map_or_else(
        || (status.as_str().to_owned(), status.to_string()),
        |b| (b.code, b.message),
    );
    if status.as_u16() == 401 {
        Err(SyncError::Unauthorized { code })
    } else if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408 {
        Err(SyncError::Transient(format!("{status}: {message}")))
    } else {
        Err(SyncError::Refused {
            status: status.as_u16(),
            code,
            message,
        })
    }
}

/// Enrols this terminal: trades the code for an identity and records it (a manager's action).
pub async fn enrol(
    k: &Arc<Kasir>,
    actor: &kasir_core::Actor,
    server_url: &str,
    allow_http: bool,
    code: &str,
    name: &str,
) -> Result<EnrolResponse, SyncError> {
    let client = Client::new(server_url, allow_http, Duration::from_secs(20))?;
    let answer = client.enrol(code, name).await?;
    let (k, actor, url, a) = (
        k.clone(),
        actor.clone(),
        client.base.clone(),
        answer.clone(),
    );
    blocking(move || k.sync().enrolled(&actor, &url, allow_http, &a)).await?;
    Ok(answer)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> kasir_core::Result<T> + Send + 'static,
) -> Result<T, SyncError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| SyncError::Local(kasir_core::Error::DatabaseCorrupt(e.to_string())))?
        .map_err(SyncError::Local)
}

/// What one push did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pushed {
    pub sent: usize,
    /// Entries still waiting after it.
    pub acked_through: i64,
}

/// The one uploader of a terminal.
pub struct Uploader {
    k: Arc<Kasir>,
    timeout: Duration,
    batch: std::sync::atomic::AtomicU32,
    configured: std::sync::atomic::AtomicU32,
    /// After a refused batch: send one entry at a time until this sequence is answered.
    narrow_until: std::sync::atomic::AtomicI64,
    /// Pictures the server did not have when asked, not asked for again by this process until
    /// a product names them anew.
    absent: std::sync::Mutex<std::collections::HashSet<String>>,
    /// When this process last looked for pictures products lack (a scan of the menu: once
    /// per [`PULL_EVERY`], not after every push).
    swept: std::sync::Mutex<Option<std::time::Instant>>,
}

impl Uploader {
    pub fn new(k: Arc<Kasir>, timeout: Duration) -> Uploader {
        Uploader {
            k,
            timeout,
            batch: std::sync::atomic::AtomicU32::new(BATCH),
            configured: std::sync::atomic::AtomicU32::new(BATCH),
            narrow_until: std::sync::atomic::AtomicI64::new(0),
            absent: Default::default(),
            swept: Default::default(),
        }
    }

    /// The same, sending at most `batch` entries a push (tests use small batches).
    pub fn with_batch(k: Arc<Kasir>, timeout: Duration, batch: u32) -> Uploader {
        let u = Uploader::new(k, timeout);
        u.batch
            .store(batch.clamp(1, BATCH), std::sync::atomic::Ordering::Relaxed);
        u.configured
            .store(batch.clamp(1, BATCH), std::sync::atomic::Ordering::Relaxed);
        u
    }

    async fn client(&self) -> Result<(Client, String), SyncError> {
        let k = self.k.clone();
        let e = blocking(move || k.sync().enrolment())
            .await?
            .ok_or(SyncError::NotEnrolled)?;
        Ok((
            Client::new(&e.server_url, e.allow_http, self.timeout)?,
            e.token,
        ))
    }

    /// Sends one batch of what is waiting and records the answer. `Ok(None)` when nothing
    /// waits.
    pub async fn push_once(&self) -> Result<Option<Pushed>, SyncError> {
        use std::sync::atomic::Ordering;
        let (client, token) = self.client().await?;
        self.send_stand_ins(&client, &token).await?;
        self.send_pictures(&client, &token).await?;
        let k = self.k.clone();
        let limit = self.batch.load(Ordering::Relaxed);
        let (head, entries) =
            blocking(move || Ok((k.sync().head()?, k.sync().pending_wire(limit)?))).await?;
        if entries.is_empty() {
            return Ok(None);
        }
        let sent: Vec<i64> = entries.iter().map(|(seq, _)| *seq).collect();
        let req = PushRequest {
            head,
            entries: entries.into_iter().map(|(_, raw)| raw).collect(),
        };
        match client.push(&token, &req).await {
            Ok(answer) => {
                let k = self.k.clone();
                let n = sent.len();
                let acked = blocking(move || k.sync().record_push(&sent, &answer)).await?;
                // Back to full batches once past the entries a refused batch held.
                if acked >= self.narrow_until.load(Ordering::Relaxed) {
                    self.batch
                        .store(self.configured.load(Ordering::Relaxed), Ordering::Relaxed);
                }
                Ok(Some(Pushed {
                    sent: n,
                    acked_through: acked,
                }))
            }
            // A batch the server refused whole (too large, unreadable): its entries go one at
            // a time, at once, until past them; one the server refuses alone is quarantined
            // here, and the queue goes on. Only the server's own refusal quarantines: a proxy's
            // 413 in front of it stops sync with its message instead of setting a sale aside.
            Err(SyncError::Refused {
                status,
                code,
                message,
            }) if (status == 400 || status == 413) && code != "unsupported_version" => {
                if sent.len() > 1 {
                    self.batch.store(1, Ordering::Relaxed);
                    self.narrow_until
                        .store(sent[sent.len() - 1], Ordering::Relaxed);
                    return Ok(Some(Pushed {
                        sent: 0,
                        acked_through: sent[0] - 1,
                    }));
                }
                if code != "bad_request" && code != "too_large" {
                    return Err(SyncError::Refused {
                        status,
                        code,
                        message,
                    });
                }
                let k = self.k.clone();
                let reason = format!("{code}: {message}");
                let acked = blocking(move || k.sync().quarantine_here(sent[0], &reason)).await?;
                Ok(Some(Pushed {
                    sent: 1,
                    acked_through: acked,
                }))
            }
            Err(e) => Err(e),
        }
    }

    /// Sends a stand-in for each entry this till set aside that the server holds nothing for
    /// (see `Sync::stand_ins`), so the server's run of this terminal's sequences has no gap.
    async fn send_stand_ins(&self, client: &Client, token: &str) -> Result<(), SyncError> {
        let k = self.k.clone();
        let stand_ins = blocking(move || k.sync().stand_ins(100)).await?;
        if stand_ins.is_empty() {
            return Ok(());
        }
        let k = self.k.clone();
        let head = blocking(move || k.sync().head()).await?;
        let seqs: Vec<i64> = stand_ins.iter().map(|(seq, _)| *seq).collect();
        let req = PushRequest {
            head,
            entries: stand_ins.into_iter().map(|(_, raw)| raw).collect(),
        };
        match client.push(token, &req).await {
            Ok(_) => {}
            // Refused too (the entry's own key may be what the server could not read): there is
            // nothing better to send, and the queue must not stop for it.
            Err(SyncError::Refused { code, message, .. }) => {
                tracing::warn!(%code, %message, "the server refused a stand-in; not sent again");
            }
            Err(e) => return Err(e),
        }
        let k = self.k.clone();
        blocking(move || k.sync().stand_ins_held(&seqs)).await
    }

    /// Sends the pictures waiting product entries name, before the entries: a till that pulls
    /// a product can then fetch its picture. A picture the server refuses (too large, not a
    /// JPEG) is logged and not sent again; the product goes up without it.
    async fn send_pictures(&self, client: &Client, token: &str) -> Result<(), SyncError> {
        loop {
            let k = self.k.clone();
            let next = blocking(move || k.sync().pictures_to_send(8)).await?;
            if next.is_empty() {
                return Ok(());
            }
            for (id, jpeg) in next {
                if let Some(jpeg) = jpeg {
                    match client.put_picture(token, &id, jpeg).await {
                        Ok(()) => {}
                        Err(SyncError::Refused { code, message, .. }) => {
                            tracing::warn!(picture = %id, %code, %message, "the server refused a picture");
                        }
                        Err(e) => return Err(e),
                    }
                }
                let k = self.k.clone();
                blocking(move || k.sync().picture_sent(&id)).await?;
            }
        }
    }

    /// Fetches pictures this till lacks (`among` the given ids, or any a product names), at
    /// most `limit`. A picture that fails to arrive or to be read is skipped: the product shows
    /// without it, and a later pull tries again.
    async fn fetch_pictures(
        &self,
        client: &Client,
        token: &str,
        among: Option<Vec<String>>,
        limit: usize,
    ) -> Result<(), SyncError> {
        let k = self.k.clone();
        let missing =
            blocking(move || k.sync().missing_pictures(among.as_deref(), usize::MAX)).await?;
        let wanted: Vec<String> = missing
            .into_iter()
            .filter(|id| !self.absent.lock().is_ok_and(|a| a.contains(id)))
            .take(limit)
            .collect();
        for id in wanted {
            // A picture that fails to arrive never holds up the menu: it is tried again later.
            let fetched = match client.get_picture(token, &id).await {
                Ok(f) => f,
                Err(SyncError::Unauthorized { code }) => {
                    return Err(SyncError::Unauthorized { code });
                }
                Err(e) => {
                    tracing::warn!(picture = %id, error = %e, "a picture did not arrive");
                    continue;
                }
            };
            match fetched {
                Some(jpeg) => {
                    let k = self.k.clone();
                    let id2 = id.clone();
                    if let Err(e) = blocking(move || k.sync().save_picture(&id2, &jpeg)).await {
                        tracing::warn!(picture = %id, error = %e, "a picture from the server cannot be kept");
                        if let Ok(mut a) = self.absent.lock() {
                            a.insert(id);
                        }
                    }
                }
                None => {
                    if let Ok(mut a) = self.absent.lock() {
                        a.insert(id);
                    }
                }
            }
        }
        Ok(())
    }

    /// Pulls one page of changes and applies it with its cursor. Returns whether more wait.
    /// The pictures the page's products name are fetched first, so the menu shows them as soon
    /// as it shows the products.
    pub async fn pull_once(&self) -> Result<bool, SyncError> {
        let (client, token) = self.client().await?;
        let k = self.k.clone();
        let after = blocking(move || k.sync().pull_cursor()).await?;
        let page = client.pull(&token, after).await?;
        let more = page.more;
        let named: Vec<String> = page
            .changes
            .iter()
            .filter_map(|c| match &c.data {
                kasir_proto::api::ChangeData::Product(p) => p.image_id.clone(),
                _ => None,
            })
            .collect();
        if !named.is_empty() {
            if let Ok(mut a) = self.absent.lock() {
                named.iter().for_each(|id| {
                    a.remove(id);
                });
            }
            self.fetch_pictures(&client, &token, Some(named), usize::MAX)
                .await?;
        }
        let k = self.k.clone();
        blocking(move || k.sync().apply_pull(&page)).await?;
        let sweep = !more
            && self.swept.lock().is_ok_and(|mut last| {
                let due = last.is_none_or(|t| t.elapsed() >= PULL_EVERY);
                if due {
                    *last = Some(std::time::Instant::now());
                }
                due
            });
        if sweep {
            // Any a product still lacks (a fetch that failed before).
            self.fetch_pictures(&client, &token, None, 20).await?;
        }
        Ok(more)
    }

    /// Pushes until nothing waits, then pulls until nothing is new.
    pub async fn sync_now(&self) -> Result<(), SyncError> {
        while self.push_once().await?.is_some() {}
        while self.pull_once().await? {}
        let k = self.k.clone();
        blocking(move || k.sync().record_success()).await
    }

    /// Runs until `stop` is notified. Every [`TICK`] (or at once when woken) it sends what
    /// the outbox holds beyond the last answer, and it pulls after each push and every
    /// [`PULL_EVERY`]. A failure backs off ([`backoff`]) when waiting may help, and is recorded
    /// for the sync screen; an unenrolled terminal just waits. Never blocks the till: it only
    /// reads the outbox and writes answers, each in its own short transaction.
    pub async fn run(self, wake: Arc<tokio::sync::Notify>, stop: Arc<tokio::sync::Notify>) {
        let mut failures = 0u32;
        let mut last_pull: Option<std::time::Instant> = None;
        loop {
            let delay = match self.tick(&mut last_pull).await {
                Ok(()) => {
                    failures = 0;
                    TICK
                }
                Err(SyncError::NotEnrolled) => TICK,
                Err(e) => {
                    let k = self.k.clone();
                    let message = e.to_string();
                    let _ = blocking(move || k.sync().record_failure(&message)).await;
                    if e.is_retryable() {
                        failures = failures.saturating_add(1);
                        backoff(failures)
                    } else {
                        tracing::warn!(error = %e, "sync paused");
                        PULL_EVERY
                    }
                }
            };
            tokio::select! {
                () = stop.notified() => return,
                // Woken (a sale to send, or a manager's "send now"): send, and pull too even
                // when nothing waits.
                () = wake.notified() => last_pull = None,
                () = tokio::time::sleep(delay) => {}
            }
        }
    }

    async fn tick(&self, last_pull: &mut Option<std::time::Instant>) -> Result<(), SyncError> {
        let k = self.k.clone();
        let (enrolled, waiting) =
            blocking(move || Ok((k.sync().enrolment()?.is_some(), k.sync().has_pending()?)))
                .await?;
        if !enrolled {
            return Err(SyncError::NotEnrolled);
        }
        let due = last_pull.is_none_or(|t| t.elapsed() >= PULL_EVERY);
        if !waiting && !due {
            return Ok(());
        }
        while self.push_once().await?.is_some() {}
        while self.pull_once().await? {}
        *last_pull = Some(std::time::Instant::now());
        let k = self.k.clone();
        blocking(move || k.sync().record_success()).await
    }
}

/// How often the uploader looks at the outbox.
pub const TICK: Duration = Duration::from_secs(2);

/// How often it pulls when there is nothing to send.
pub const PULL_EVERY: Duration = Duration::from_secs(60);

/// Exponential back-off with full jitter: up to 0.5 s × 2^(n-1), capped at 60 s.
pub fn backoff(failures: u32) -> Duration {
    let ceiling_ms = 500u64
        .saturating_mul(1u64 << failures.saturating_sub(1).min(20))
        .min(60_000);
    Duration::from_millis(rand::rng().random_range(ceiling_ms / 2..=ceiling_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        for n in 1..40 {
            let d = backoff(n);
            let ceiling = (500u64 << (n - 1).min(20)).min(60_000);
            assert!(d.as_millis() as u64 <= ceiling && d.as_millis() as u64 >= ceiling / 2);
        }
        assert!(backoff(30) <= Duration::from_secs(60));
    }

    #[test]
    fn only_https_unless_plain_http_is_allowed() {
        let t = Duration::from_secs(1);
        assert!(Client::new("https://kasir.example", false, t).is_ok());
        assert!(matches!(
            Client::new("http://192.168.1.10:8440", false, t),
            Err(SyncError::Address(_))
        ));
        assert!(Client::new("http://192.168.1.10:8440", true, t).is_ok());
        assert!(matches!(
            Client::new("ftp://x", true, t),
            Err(SyncError::Address(_))
        ));
    }
}
