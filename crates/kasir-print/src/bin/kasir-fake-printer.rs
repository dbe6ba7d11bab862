//! A fake network printer for the end-to-end tests: listens on 127.0.0.1:<port>, answers
//! status queries as a ready printer, and appends what it prints, decoded to readable text,
//! to <out>. Kill it and start it again to take the printer away and bring it back.
//!
//! Usage: kasir-fake-printer <port> <out file>

use std::io::Write;
use std::time::Duration;

use kasir_print::{CodePage, decode, fake::FakePrinter};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(port), Some(out)) = (args.next(), args.next()) else {
        eprintln!("usage: kasir-fake-printer <port> <out file>");
        std::process::exit(2);
    };
    let port: u16 = port.parse().map_err(std::io::Error::other)?;
    let printer = FakePrinter::start_on(port)?;
    eprintln!("fake printer on 127.0.0.1:{}", printer.port());
    let mut written = 0;
    loop {
        std::thread::sleep(Duration::from_millis(50));
        let printed = printer.printed();
        if printed.len() > written {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&out)?;
            file.write_all(decode(&printed[written..], CodePage::Pc858).as_bytes())?;
            written = printed.len();
        }
    }
}
