//! Private PostgreSQL clusters for tests and benchmarks, never a mock: `initdb` into a
//! temporary folder and `pg_ctl` on a free port of 127.0.0.1, from the machine's PostgreSQL
//! binaries (Debian's `postgresql` package, which `scripts/setup.sh` installs).
//!
//! As root the cluster runs as the `postgres` user (`initdb` refuses root). A watchdog shell
//! stops the cluster and removes its folder when the test process exits, however it exits,
//! so a shared cluster in a `static` never outlives its tests.
//!
//! `KASIR_PG_BIN` names the binaries' folder when they are not in `/usr/lib/postgresql/*/bin`.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// A running private cluster. Dropping it stops the server and removes its folder.
pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
    fsync: bool,
}

/// How the cluster durably writes: tests run without `fsync` (an immediate stop is not a power
/// cut, so nothing committed is lost), benchmarks with it, so their figures mean something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    Fsync,
    NoFsync,
}

static NEXT_DB: AtomicU32 = AtomicU32::new(1);

impl Cluster {
    /// Starts a new cluster; panics with what went wrong (tests cannot go on without one).
    pub fn start(durability: Durability) -> Cluster {
        let bin = pg_bin();
        let as_postgres = is_root();
        let dir = std::env::temp_dir().join(format!(
            "kasir-pg-{}-{}",
            std::process::id(),
            NEXT_DB.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the cluster's folder");
        let cluster = Cluster {
            bin,
            dir,
            port: free_port(),
            as_postgres,
            fsync: durability == Durability::Fsync,
        };
        if as_postgres {
            run(Command::new("chown").arg("postgres:").arg(&cluster.dir));
        }
        run(cluster.pg("initdb").arg("-D").arg(cluster.data()).args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        ]));
        cluster.start_again();
        cluster.watch_parent();
        cluster
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of a database in this cluster.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates a fresh, empty database and returns its URL.
    pub fn create_database(&self) -> String {
        let name = format!("kasir_{}", NEXT_DB.fetch_add(1, Ordering::Relaxed));
        run(self.pg("createdb").args([
            "-h",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            "-U",
            "postgres",
            &name,
        ]));
        self.url(&name)
    }

    /// Kills the server at once (`pg_ctl -m immediate`, as a crash): open connections break and
    /// the next start recovers from the WAL.
    pub fn crash(&self) {
        run(self
            .pg("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "-w", "stop"]));
    }

    /// Starts the server again (after [`Cluster::crash`]) and waits until it accepts connections.
    pub fn start_again(&self) {
        let fsync = if self.fsync { "on" } else { "off" };
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync={fsync} -c max_connections=300",
            self.port,
            self.dir.display()
        );
        run(self
            .pg("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.dir.join("log"))
            .args(["-w", "-o", &options, "start"]));
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "PostgreSQL did not start: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The server's log, for a failing test's message.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn pg(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    /// A detached shell that stops the cluster once this process is gone.
    fn watch_parent(&self) {
        let stop = format!(
            "{} -D {} -m immediate -w stop >/dev/null 2>&1",
            self.bin.join("pg_ctl").display(),
            self.data().display()
        );
        let stop = if self.as_postgres {
            format!("runuser -u postgres -- {stop}")
        } else {
            stop
        };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {stop}; rm -rf {dir}",
            pid = std::process::id(),
            dir = self.dir.display()
        );
        let _ = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .pg("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The folder of the PostgreSQL binaries: `KASIR_PG_BIN`, or the newest
/// `/usr/lib/postgresql/<version>/bin`.
pub fn pg_bin() -> PathBuf {
    if let Some(dir) = std::env::var_os("KASIR_PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    match found.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "PostgreSQL's server binaries were not found in /usr/lib/postgresql/*/bin: install \
             Debian's `postgresql` package (scripts/setup.sh does) or set KASIR_PG_BIN"
        ),
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

fn run(cmd: &mut Command) {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("could not run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
