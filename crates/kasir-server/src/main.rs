//! `kasir-server`: the central server and its operator's commands.
//!
//! ```text
//! kasir-server serve --listen 0.0.0.0:8440          # DATABASE_URL from the environment
//! kasir-server store create "Kopi Kasir Braga"
//! kasir-server enrol --store "Kopi Kasir Braga"      # prints a one-time code
//! kasir-server operator-token --name ops             # prints a token for /v1/ops/*
//! kasir-server terminal revoke <terminal id>
//! ```

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "kasir-server", about = "Kasir's central server", version)]
struct Cli {
    /// PostgreSQL to use (`postgres://user@host:port/database`).
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrates the database and serves the API until Ctrl+C or SIGTERM.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "KASIR_LISTEN", default_value = "127.0.0.1:8440")]
        listen: String,
        /// Database connections per process.
        #[arg(long, default_value_t = 16)]
        pool_size: usize,
    },
    /// Applies the migrations and exits.
    Migrate,
    /// Stores.
    Store {
        #[command(subcommand)]
        command: StoreCommand,
    },
    /// Makes a one-time enrolment code for a terminal of a store.
    Enrol {
        /// The store's id or name.
        #[arg(long)]
        store: String,
        /// How long the code stays valid, in hours.
        #[arg(long, default_value_t = 24)]
        hours: i64,
    },
    /// Makes a token for the operator's read endpoints (`/v1/ops/*`).
    OperatorToken {
        #[arg(long, default_value = "operator")]
        name: String,
    },
    /// Terminals.
    Terminal {
        #[command(subcommand)]
        command: TerminalCommand,
    },
}

#[derive(Subcommand)]
enum StoreCommand {
    /// Creates a store and prints its id.
    Create { name: String },
}

#[derive(Subcommand)]
enum TerminalCommand {
    /// Refuses a terminal's token from now on.
    Revoke { id: uuid::Uuid },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("KASIR_LOG")
                .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let url = cli
        .database_url
        .ok_or_else(|| anyhow::anyhow!("set DATABASE_URL or pass --database-url"))?;
    let pool_size = match &cli.command {
        Command::Serve { pool_size, .. } => *pool_size,
        _ => 2,
    };
    let pool = kasir_server::connect(&url, pool_size)?;
    kasir_server::migrate(&pool).await?;
    match cli.command {
        Command::Serve { listen, .. } => {
            let listener = tokio::net::TcpListener::bind(&listen).await?;
            tracing::info!(address = %listener.local_addr()?, "kasir-server listening");
            kasir_server::serve(listener, kasir_server::AppState::new(pool), shutdown()).await?;
            tracing::info!("stopped");
        }
        Command::Migrate => println!("migrated"),
        Command::Store {
            command: StoreCommand::Create { name },
        } => {
            let id = kasir_server::admin::create_store(&pool, &name).await?;
            println!("{id}");
        }
        Command::Enrol { store, hours } => {
            let store = kasir_server::admin::find_store(&pool, &store).await?;
            let code = kasir_server::admin::enrolment_code(
                &pool,
                store,
                jiff::SignedDuration::from_hours(hours),
            )
            .await?;
            println!("{code}");
            eprintln!(
                "valid for {hours} h, {} tries; type it in the terminal's sync screen",
                kasir_server::admin::CODE_ATTEMPTS
            );
        }
        Command::OperatorToken { name } => {
            println!(
                "{}",
                kasir_server::admin::operator_token(&pool, &name).await?
            );
        }
        Command::Terminal {
            command: TerminalCommand::Revoke { id },
        } => {
            kasir_server::admin::revoke_terminal(&pool, id).await?;
            println!("revoked {id}");
        }
    }
    Ok(())
}

/// Ctrl+C or SIGTERM: stop taking requests and finish those in flight.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
