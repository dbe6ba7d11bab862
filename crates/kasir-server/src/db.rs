//! The connection pool and the server's migrations.
//!
//! The pool (deadpool-postgres) hands out a connection per request and replaces connections
//! that died, so the server keeps serving across a PostgreSQL restart: requests made while
//! the database is down fail with 503 `unavailable`, and the terminal retries.

use std::str::FromStr;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, RecyclingMethod, Runtime};
use tokio_postgres::NoTls;

pub type Pool = deadpool_postgres::Pool;

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// A pool on `url` (`postgres://user@host:port/db`). Connects lazily.
pub fn connect(url: &str, max_size: usize) -> anyhow::Result<Pool> {
    let mut config = tokio_postgres::Config::from_str(url)?;
    config.connect_timeout(Duration::from_secs(5));
    config.application_name("kasir-server");
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Ok(Pool::builder(manager)
        .max_size(max_size)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(Duration::from_secs(10)))
        .create_timeout(Some(Duration::from_secs(5)))
        .recycle_timeout(Some(Duration::from_secs(5)))
        .build()?)
}

/// Applies the migrations this build has. Several servers may start at once: an advisory lock
/// makes them take turns, and the later ones find nothing to do.
pub async fn migrate(pool: &Pool) -> anyhow::Result<()> {
    let mut client = pool.get().await?;
    client
        .simple_query("SELECT pg_advisory_lock(72610001)")
        .await?;
    let result = embedded::migrations::runner()
        .run_async(&mut **client)
        .await;
    client
        .simple_query("SELECT pg_advisory_unlock(72610001)")
        .await?;
    result?;
    Ok(())
}
