//! What an operator does from the server's command line: stores, enrolment codes, operator
//! tokens, revoking a terminal. The HTTP API has no route for these.

use jiff::SignedDuration;
use uuid::Uuid;

use crate::Pool;
use crate::auth::{hash_secret, new_code, new_token, show_code, token_hash};

/// How many wrong tries an enrolment code takes before it is dead.
pub const CODE_ATTEMPTS: i32 = 5;

pub async fn create_store(pool: &Pool, name: &str) -> anyhow::Result<Uuid> {
    let name = name.trim();
    anyhow::ensure!(
        !name.is_empty() && name.chars().count() <= 100,
        "a store's name has 1 to 100 characters"
    );
    let id = Uuid::now_v7();
    let client = pool.get().await?;
    client
        .execute(
            "INSERT INTO stores (id, name) VALUES ($1, $2)",
            &[&id, &name],
        )
        .await
        .map_err(|e| match e.code() {
            Some(c) if *c == tokio_postgres::error::SqlState::UNIQUE_VIOLATION => {
                anyhow::anyhow!("a store named {name:?} already exists")
            }
            _ => e.into(),
        })?;
    Ok(id)
}

/// A store by its id or its name.
pub async fn find_store(pool: &Pool, id_or_name: &str) -> anyhow::Result<Uuid> {
    let client = pool.get().await?;
    let row = match Uuid::parse_str(id_or_name) {
        Ok(id) => {
            client
                .query_opt("SELECT id FROM stores WHERE id = $1", &[&id])
                .await?
        }
        Err(_) => {
            client
                .query_opt("SELECT id FROM stores WHERE name = $1", &[&id_or_name])
                .await?
        }
    };
    row.map(|r| r.get(0))
        .ok_or_else(|| anyhow::anyhow!("no store {id_or_name:?}"))
}

/// A one-time enrolment code for a store, valid for `valid_for`. Returns the code to show
/// (`ABCD-EFGH-JKMN`); only its hash is kept.
pub async fn enrolment_code(
    pool: &Pool,
    store: Uuid,
    valid_for: SignedDuration,
) -> anyhow::Result<String> {
    anyhow::ensure!(
        valid_for > SignedDuration::ZERO && valid_for <= SignedDuration::from_hours(24 * 7),
        "a code is valid for up to 7 days"
    );
    let client = pool.get().await?;
    loop {
        let (id, secret) = new_code();
        let hash = tokio::task::spawn_blocking({
            let secret = secret.clone();
            move || hash_secret(&secret)
        })
        .await??;
        let inserted = client
            .execute(
                "INSERT INTO enrolment_codes (id, store_id, secret_hash, expires_at, max_attempts)
                 VALUES ($1, $2, $3, now() + make_interval(secs => $4), $5)
                 ON CONFLICT (id) DO NOTHING",
                &[
                    &id,
                    &store,
                    &hash,
                    &(valid_for.as_secs_f64()),
                    &CODE_ATTEMPTS,
                ],
            )
            .await?;
        if inserted == 1 {
            return Ok(show_code(&id, &secret));
        }
    }
}

/// A new operator token (shown once).
pub async fn operator_token(pool: &Pool, name: &str) -> anyhow::Result<String> {
    let token = new_token();
    let client = pool.get().await?;
    client
        .execute(
            "INSERT INTO operator_tokens (id, name, token_hash) VALUES ($1, $2, $3)",
            &[&Uuid::now_v7(), &name, &token_hash(&token)],
        )
        .await?;
    Ok(token)
}

/// Revokes a terminal: its token is refused from now on (401 `revoked`).
pub async fn revoke_terminal(pool: &Pool, terminal: Uuid) -> anyhow::Result<()> {
    let client = pool.get().await?;
    let n = client
        .execute(
            "UPDATE terminals SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
            &[&terminal],
        )
        .await?;
    anyhow::ensure!(n == 1, "no active terminal {terminal}");
    Ok(())
}
