//! `kasir-sync-drain <data dir>`: sends everything a till's outbox holds to the server it is
//! enrolled with, then exits (0: nothing waits; 1: it could not finish, and says why). For a
//! till about to be switched off or moved, and for the crash test, which kills it mid-batch.
//! `KASIR_SYNC_BATCH` sets the entries per push (default 500).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use kasir_core::{Kasir, SystemClock};
use kasir_sync::{BATCH, Uploader, backoff};

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: kasir-sync-drain <data dir>");
        return ExitCode::from(2);
    };
    let batch = std::env::var("KASIR_SYNC_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(BATCH);
    let k = match Kasir::open(std::path::Path::new(&dir), Arc::new(SystemClock)) {
        Ok(k) => Arc::new(k),
        Err(e) => {
            eprintln!("cannot open {}: {e}", std::path::Path::new(&dir).display());
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let uploader = Uploader::with_batch(k, Duration::from_secs(20), batch);
    runtime.block_on(async {
        let mut failures = 0;
        loop {
            match uploader.push_once().await {
                Ok(None) => return ExitCode::SUCCESS,
                Ok(Some(_)) => failures = 0,
                Err(e) if e.is_retryable() && failures < 8 => {
                    failures += 1;
                    tokio::time::sleep(backoff(failures)).await;
                }
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    })
}
