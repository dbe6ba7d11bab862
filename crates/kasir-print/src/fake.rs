//! A printer for tests: a TCP server on 127.0.0.1 that answers status queries like a thermal
//! printer and records every byte it would print. It can be told to misbehave: hang (take
//! connections and never answer), close a connection part way through a job, run out of paper,
//! or stop listening altogether (connections refused) and come back on the same port.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::decode::{Token, next};

/// How the fake printer behaves from now on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Answers "ready" and prints.
    Normal,
    /// Takes connections, reads and drops everything, never answers.
    Hung,
    /// Prints this many more bytes of the next job, then closes the connection; then normal.
    CloseAfter(usize),
    /// Answers "paper out" and prints nothing.
    PaperOut,
}

struct State {
    behaviour: Behaviour,
    printed: Vec<u8>,
    connections: usize,
}

struct Shared {
    state: Mutex<State>,
    stop: AtomicBool,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A fake network printer. Dropping it stops it.
pub struct FakePrinter {
    port: u16,
    shared: Arc<Shared>,
    listener: Option<JoinHandle<()>>,
}

impl FakePrinter {
    /// Starts on a free port.
    pub fn start() -> std::io::Result<FakePrinter> {
        FakePrinter::start_on(0)
    }

    /// Starts on `port` (0: a free one).
    pub fn start_on(port: u16) -> std::io::Result<FakePrinter> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                behaviour: Behaviour::Normal,
                printed: Vec::new(),
                connections: 0,
            }),
            stop: AtomicBool::new(false),
        });
        let mut printer = FakePrinter {
            port,
            shared,
            listener: None,
        };
        printer.listen()?;
        Ok(printer)
    }

    fn listen(&mut self) -> std::io::Result<()> {
        let listener = TcpListener::bind(("127.0.0.1", self.port))?;
        self.port = listener.local_addr()?.port();
        listener.set_nonblocking(true)?;
        self.shared.stop.store(false, Ordering::SeqCst);
        let shared = self.shared.clone();
        self.listener = Some(std::thread::spawn(move || {
            let mut handlers = Vec::new();
            while !shared.stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        shared.state().connections += 1;
                        let shared = shared.clone();
                        handlers.push(std::thread::spawn(move || serve(stream, &shared)));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
            for h in handlers {
                let _ = h.join();
            }
        }));
        Ok(())
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn set(&self, behaviour: Behaviour) {
        self.shared.state().behaviour = behaviour;
    }

    /// Connections taken so far.
    pub fn connections(&self) -> usize {
        self.shared.state().connections
    }

    /// Every byte printed so far (status queries are answered, not printed).
    pub fn printed(&self) -> Vec<u8> {
        self.shared.state().printed.clone()
    }

    /// What was printed, split into jobs: each starts with `ESC @`. A job cut short by a
    /// closed connection is there too, as far as it got.
    pub fn jobs(&self) -> Vec<Vec<u8>> {
        let printed = self.printed();
        let mut jobs: Vec<Vec<u8>> = Vec::new();
        let mut at = 0;
        while let Some((token, len)) = next(&printed[at..]) {
            if token == Token::Init || jobs.is_empty() {
                jobs.push(Vec::new());
            }
            if let Some(job) = jobs.last_mut() {
                job.extend_from_slice(&printed[at..at + len]);
            }
            at += len;
        }
        jobs
    }

    /// Stops listening and closes open connections: connections are refused from now on.
    pub fn stop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(listener) = self.listener.take() {
            let _ = listener.join();
        }
    }

    /// Listens again on the same port.
    pub fn restart(&mut self) -> std::io::Result<()> {
        self.stop();
        self.listen()
    }
}

impl Drop for FakePrinter {
    fn drop(&mut self) {
        self.stop();
    }
}

fn serve(mut stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(Duration::from_millis(20)));
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 4096];
    while !shared.stop.load(Ordering::SeqCst) {
        match stream.read(&mut chunk) {
            Ok(0) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue;
            }
            Err(_) => return,
        }
        let mut at = 0;
        while let Some((token, len)) = next(&buf[at..]) {
            let raw = &buf[at..at + len];
            at += len;
            let mut state = shared.state();
            match (state.behaviour, token) {
                (Behaviour::Hung, _) => {}
                (Behaviour::Normal | Behaviour::CloseAfter(_), Token::StatusQuery(_)) => {
                    drop(state);
                    if stream.write_all(&[0x12]).is_err() {
                        return;
                    }
                }
                (Behaviour::PaperOut, Token::StatusQuery(n)) => {
                    drop(state);
                    // Offline (bit 3) with the paper end sensor (bits 5 and 6) set.
                    let answer = if n == 4 { 0x72 } else { 0x1A };
                    if stream.write_all(&[answer]).is_err() {
                        return;
                    }
                }
                (Behaviour::PaperOut, _) => {}
                (Behaviour::Normal, _) => state.printed.extend_from_slice(raw),
                (Behaviour::CloseAfter(left), _) => {
                    let take = left.min(raw.len());
                    state.printed.extend_from_slice(&raw[..take]);
                    if take < raw.len() || left == take {
                        state.behaviour = Behaviour::Normal;
                        return;
                    }
                    state.behaviour = Behaviour::CloseAfter(left - take);
                }
            }
        }
        buf.drain(..at);
    }
}
