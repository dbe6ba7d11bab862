//! kasir-print through its public face: a document's exact bytes (decoded for the snapshot,
//! every byte accounted for), and jobs sent to a fake network printer that misbehaves.

use std::time::{Duration, Instant};

use expect_test::expect;
use kasir_print::fake::{Behaviour, FakePrinter};
use kasir_print::{
    Block, CodePage, Connection, Doc, Job, PrintError, Pulse, Raster, Size, Style, Timeouts,
    decode, encode, send, tokens,
};

fn sample() -> Doc {
    let mut d = Doc::new();
    d.push(Block::Image(
        Raster::from_grey(16, 2, &[0u8; 32], 384).unwrap(),
    ));
    d.styled(
        "Kafe Crème",
        Style {
            bold: true,
            size: Size::Tall,
        },
    );
    d.line("Kopi “Susu” — 2 × 18.000");
    d.styled(
        "TOTAL 36.000",
        Style {
            bold: true,
            size: Size::Normal,
        },
    );
    d.push(Block::Qr("T01-000042".into()));
    d.push(Block::Feed(2)).push(Block::Cut);
    d
}

#[test]
fn a_documents_bytes_are_exact() {
    let bytes = encode(&sample(), CodePage::Pc858).unwrap();
    expect![[r#"
        [init][code page 19 PC858][centre][picture 16x2, 32 black dots]
        [left][bold][size 1x2]Kafe Crème
        [/bold][size 1x1]Kopi "Susu" - 2 × 18.000
        [bold]TOTAL 36.000
        [centre][qr model 2][qr size 6][qr level M][qr data "T01-000042"][qr print]
        [left][feed 2]
        [cut]
    "#]]
    .assert_eq(&decode(&bytes, CodePage::Pc858));
    // The first bytes, literally: ESC @, ESC t 19.
    assert_eq!(&bytes[..5], &[0x1B, b'@', 0x1B, b't', 19]);
    // `è` is one byte of PC858 (0x8A), never UTF-8.
    assert!(bytes.windows(2).any(|w| w == [b'r', 0x8A]));
    assert!(!bytes.windows(2).any(|w| w == "è".as_bytes()));
}

#[test]
fn the_drawer_pulse_carries_its_timing() {
    let mut d = Doc::new();
    d.push(Block::Drawer(Pulse::default()));
    let bytes = encode(&d, CodePage::Pc437).unwrap();
    assert_eq!(&bytes[2..], &[0x1B, b't', 0, 0x1B, b'p', 0, 25, 250]);
    expect![[r#"
        [init][code page 0 PC437][drawer pin 2 on 50 ms off 500 ms]
    "#]]
    .assert_eq(&decode(&bytes, CodePage::Pc437));
}

#[test]
fn nothing_unprintable_reaches_the_printer() {
    let mut d = Doc::new();
    d.line("Es teh 🍵 “manis” · Łódź € 美味");
    for page in CodePage::ALL {
        let bytes = encode(&d, page).unwrap();
        let text = decode(&bytes, page);
        assert!(!text.contains('<'), "{}: {text}", page.as_str());
        assert!(
            text.contains("Es teh ? ") && text.contains("manis"),
            "{text}"
        );
        assert!(text.ends_with(" ??\n"), "{text}");
        assert!(text.contains("Lódz"), "{text}");
    }
    // A QR code with nothing in it, or far too much, is refused.
    let mut empty = Doc::new();
    empty.push(Block::Qr(String::new()));
    assert!(encode(&empty, CodePage::Pc437).is_err());
    let mut huge = Doc::new();
    huge.push(Block::Qr("x".repeat(5000)));
    assert!(encode(&huge, CodePage::Pc437).is_err());
}

#[test]
fn unknown_bytes_show_as_hex() {
    assert_eq!(decode(&[0x07, b'a', 0x1B], CodePage::Pc437), "<07>a<1b>");
    let (t, used) = tokens(&[0x1B, b'@', 0x1D, b'v', b'0']);
    assert_eq!((t.len(), used), (1, 2));
}

fn quick() -> Timeouts {
    Timeouts {
        connect: Duration::from_millis(500),
        io: Duration::from_millis(300),
    }
}

fn job(bytes: &[u8]) -> Job<'_> {
    Job {
        name: "T01-000042-receipt",
        bytes,
        text: "Kopi\n",
    }
}

fn at(printer: &FakePrinter) -> Connection {
    Connection::Network {
        host: "127.0.0.1".into(),
        port: printer.port(),
    }
}

#[test]
fn a_job_reaches_a_ready_printer_once() {
    let printer = FakePrinter::start().unwrap();
    let bytes = encode(&sample(), CodePage::Pc858).unwrap();
    send(&at(&printer), &job(&bytes), true, quick()).unwrap();
    // The status queries were answered, not printed.
    assert_eq!(printer.jobs(), vec![bytes]);
}

#[test]
fn each_fault_is_named_and_nothing_is_half_printed_silently() {
    let mut printer = FakePrinter::start().unwrap();
    let bytes = encode(&sample(), CodePage::Pc858).unwrap();

    // Out of paper: refused before the job, nothing printed.
    printer.set(Behaviour::PaperOut);
    assert_eq!(
        send(&at(&printer), &job(&bytes), true, quick()),
        Err(PrintError::PaperOut)
    );
    // Hung: takes the connection, never answers; the sender gives up within its timeouts.
    printer.set(Behaviour::Hung);
    let started = Instant::now();
    assert_eq!(
        send(&at(&printer), &job(&bytes), true, quick()),
        Err(PrintError::NotAnswering)
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    // Closes part way: an error, so the job is sent again.
    printer.set(Behaviour::CloseAfter(20));
    let err = send(&at(&printer), &job(&bytes), true, quick()).unwrap_err();
    assert_eq!(err.code(), "interrupted", "{err}");
    assert!(printer.printed().is_empty() || printer.jobs()[0].len() <= 20);
    // Off: connection refused.
    let port = printer.port();
    printer.stop();
    let err = send(&at(&printer), &job(&bytes), true, quick()).unwrap_err();
    assert_eq!(err.code(), "unreachable", "{err}");
    // Back: the job prints whole, once.
    printer.restart().unwrap();
    assert_eq!(printer.port(), port);
    send(&at(&printer), &job(&bytes), true, quick()).unwrap();
    let whole: Vec<_> = printer.jobs().into_iter().filter(|j| *j == bytes).collect();
    assert_eq!(whole.len(), 1);
}

#[test]
fn the_file_printer_saves_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("receipts");
    send(
        &Connection::File(out.clone()),
        &Job {
            name: "T01-000042 receipt/../x",
            bytes: b"",
            text: "Kopi 18.000\n",
        },
        true,
        quick(),
    )
    .unwrap();
    let saved = std::fs::read_to_string(out.join("T01-000042_receipt____x.txt")).unwrap();
    assert_eq!(saved, "Kopi 18.000\n");
    // A device that is not there is unreachable, at once.
    let err = send(
        &Connection::Device(dir.path().join("no-such-lp0")),
        &job(b"x"),
        false,
        quick(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "unreachable");
}

/// A device file that takes no bytes (a FIFO nobody reads, like a USB printer that stopped):
/// the write times out, nothing more is written to it while it is blocked, and when it ends the
/// retry of the same job counts it printed instead of writing it again.
#[cfg(unix)]
#[test]
fn a_stuck_device_prints_a_job_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("lp0");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let device = Connection::Device(fifo.clone());
    let bytes = encode(&sample(), CodePage::Pc437).unwrap();
    let job = Job {
        name: "job-1",
        bytes: &bytes,
        text: "",
    };
    let short = Timeouts {
        connect: Duration::from_millis(100),
        io: Duration::from_millis(100),
    };
    assert_eq!(
        send(&device, &job, false, short),
        Err(PrintError::NotAnswering)
    );
    // Still blocked: refused at once, nothing else queued behind it in the driver.
    let started = Instant::now();
    assert_eq!(
        send(&device, &job, false, short),
        Err(PrintError::NotAnswering)
    );
    assert!(started.elapsed() < Duration::from_millis(100));
    // The printer takes bytes again: the blocked write goes through.
    let reader = std::thread::spawn({
        let fifo = fifo.clone();
        move || std::fs::read(&fifo).unwrap()
    });
    let got = reader.join().unwrap();
    assert_eq!(got, bytes, "printed once, whole");
    // Its retry is answered by that write: printed, not written again.
    let deadline = Instant::now() + Duration::from_secs(5);
    while send(&device, &job, false, short).is_err() {
        assert!(
            Instant::now() < deadline,
            "the retry never counted the late write"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
