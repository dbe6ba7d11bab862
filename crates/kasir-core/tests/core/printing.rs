//! Printing through the core: jobs written with the sale, routed to stations, printed in order
//! exactly once on fake network printers that refuse, hang, close part way and come back; the
//! exact bytes of a receipt, a kitchen ticket and the drawer's kick at 58 and 80 mm; copies;
//! the admin's refusals.

use std::time::Duration;

use expect_test::expect;
use jiff::SignedDuration;
use kasir_core::catalog::{CategoryDraft, Product};
use kasir_core::printing::{
    ConnectionKind, JobState, PrinterInput, PrinterRole, Station, set_timeouts,
};
use kasir_core::sales::checkout::PaymentMethod;
use kasir_core::sales::refunds::{RefundLineInput, RefundRequest};
use kasir_core::{Error, Field, Rule};
use kasir_print::fake::{Behaviour, FakePrinter};
use kasir_print::{CodePage, Timeouts, decode};

use crate::helpers::{Shop, count, refused, shop};

fn quick() {
    set_timeouts(Timeouts {
        connect: Duration::from_millis(300),
        io: Duration::from_millis(300),
    });
}

fn input(name: &str, port: u16, paper_mm: u32, role: PrinterRole) -> PrinterInput {
    PrinterInput {
        name: name.into(),
        connection: ConnectionKind::Network,
        address: format!("127.0.0.1:{port}"),
        paper_mm,
        code_page: "PC858".into(),
        role,
        auto_receipt: true,
        drawer: role == PrinterRole::Receipt,
        ask_status: true,
        active: true,
    }
}

/// Three fake printers (receipts with the drawer, kitchen, bar), the shop's category "Kopi"
/// at the bar and a "Makanan" category in the kitchen, a coffee and a toast.
struct Counter {
    shop: Shop,
    receipts: FakePrinter,
    kitchen: FakePrinter,
    bar: FakePrinter,
    coffee: Product,
    toast: Product,
}

fn counter(paper_mm: u32) -> Counter {
    quick();
    let shop = shop();
    let (receipts, kitchen, bar) = (
        FakePrinter::start().unwrap(),
        FakePrinter::start().unwrap(),
        FakePrinter::start().unwrap(),
    );
    let p = shop.kasir.printing();
    let m = &shop.manager;
    p.save_printer(
        m,
        None,
        input("Kasir", receipts.port(), paper_mm, PrinterRole::Receipt),
    )
    .unwrap();
    p.save_printer(
        m,
        None,
        input("Dapur", kitchen.port(), paper_mm, PrinterRole::Kitchen),
    )
    .unwrap();
    p.save_printer(
        m,
        None,
        input("Bar", bar.port(), paper_mm, PrinterRole::Bar),
    )
    .unwrap();
    let food = shop
        .kasir
        .catalog()
        .create_category(
            &shop.admin,
            CategoryDraft {
                name: "Makanan".into(),
                sort_order: 1,
                active: true,
            },
        )
        .unwrap()
        .id;
    p.set_station(m, shop.category, Some(Station::Bar)).unwrap();
    p.set_station(m, food, Some(Station::Kitchen)).unwrap();
    let coffee = shop.product("Kopi Susu Gula Aren", 18_000, None);
    let toast = shop
        .kasir
        .catalog()
        .create_product(
            &shop.admin,
            crate::helpers::draft(food, "Roti Bakar Cokelat Keju", 25_000),
        )
        .unwrap();
    Counter {
        shop,
        receipts,
        kitchen,
        bar,
        coffee,
        toast,
    }
}

fn decoded(printer: &FakePrinter) -> Vec<String> {
    printer
        .jobs()
        .iter()
        .map(|j| decode(j, CodePage::Pc858))
        .collect()
}

#[test]
fn a_sale_prints_its_receipt_the_drawer_and_one_ticket_per_station() {
    let c = counter(58);
    let order = c.shop.sell(&[(&c.coffee, 2), (&c.toast, 1)]);
    // Written with the sale: drawer, receipt, bar, kitchen.
    let kinds: Vec<String> = c
        .shop
        .kasir
        .connection()
        .prepare("SELECT kind || COALESCE(':' || station, '') FROM print_jobs ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        kinds,
        ["drawer", "receipt", "kitchen:bar", "kitchen:kitchen"]
    );
    let done = c.shop.kasir.printing().work().unwrap();
    assert_eq!((done.printed, done.failed), (4, 0));

    let receipts = decoded(&c.receipts);
    assert_eq!(receipts.len(), 2);
    expect![[r#"
        [init][code page 19 PC858][drawer pin 2 on 50 ms off 500 ms]
    "#]]
    .assert_eq(&receipts[0]);
    expect![[r#"
        [init][code page 19 PC858][bold][size 1x2]             Kasir
        [/bold][size 1x1]--------------------------------
        No: T01-000001
        2026-11-21 10:00     Kasir: Sari
        Bawa pulang
        --------------------------------
        Kopi Susu Gula Aren
          2 x 18.000              36.000
        Roti Bakar Cokelat Keju
          1 x 25.000              25.000
        --------------------------------
        Subtotal                  61.000
        Servis 5%                  3.050
        PB1 10%                    6.405
        Pembulatan                    45
        [bold]TOTAL                  Rp 70.500
        [/bold]--------------------------------
        Tunai                     70.500
        Kembali                        0
        [feed 1]
        [centre][qr model 2][qr size 6][qr level M][qr data "T01-000001"][qr print]
        [left][cut]
    "#]]
    .assert_eq(&receipts[1]);
    expect![[r#"
        [init][code page 19 PC858][bold][size 2x2]      BAR
        BAWA PULANG
        [/bold][size 1x1]T01-000001                 10:00
        Sari
        ================================
        [bold][size 2x2]2x Kopi Susu
        Gula Aren
        [/bold][size 1x1]================================
        [feed 1]
        [cut]
    "#]]
    .assert_eq(&decoded(&c.bar).concat());
    let kitchen = decoded(&c.kitchen).concat();
    assert!(kitchen.contains("DAPUR"), "{kitchen}");
    assert!(kitchen.contains("1x Roti Bakar"), "{kitchen}");
    assert!(!kitchen.contains("Kopi"), "{kitchen}");
    assert_eq!(order.receipt_no, "T01-000001");
    // Printed, and nothing left waiting.
    assert_eq!(
        count(
            &c.shop.kasir,
            "SELECT COUNT(*) FROM print_jobs WHERE state = 'printed'"
        ),
        4
    );
    let status = c.shop.kasir.printing().status(&c.shop.cashier).unwrap();
    assert_eq!((status.printers, status.waiting, status.failing), (3, 0, 0));
}

#[test]
fn at_80_mm_the_lines_are_48_wide_and_the_ticket_in_large_type_is_24() {
    let c = counter(80);
    c.shop.sell(&[(&c.toast, 3)]);
    c.shop.kasir.printing().work().unwrap();
    let receipt = decoded(&c.receipts)[1].clone();
    assert!(
        receipt.contains(&format!("Subtotal{}75.000\n", " ".repeat(48 - 8 - 6))),
        "{receipt}"
    );
    expect![[r#"
        [init][code page 19 PC858][bold][size 1x2]                     Kasir
        [/bold][size 1x1]------------------------------------------------
        No: T01-000001
        2026-11-21 10:00                     Kasir: Sari
        Bawa pulang
        ------------------------------------------------
        Roti Bakar Cokelat Keju
          3 x 25.000                              75.000
        ------------------------------------------------
        Subtotal                                  75.000
        Servis 5%                                  3.750
        PB1 10%                                    7.875
        Pembulatan                                   -25
        [bold]TOTAL                                  Rp 86.600
        [/bold]------------------------------------------------
        Tunai                                     86.600
        Kembali                                        0
        [feed 1]
        [centre][qr model 2][qr size 6][qr level M][qr data "T01-000001"][qr print]
        [left][cut]
    "#]]
    .assert_eq(&receipt);
    expect![[r#"
        [init][code page 19 PC858][bold][size 2x2]         DAPUR
        BAWA PULANG
        [/bold][size 1x1]T01-000001                                 10:00
        Sari
        ================================================
        [bold][size 2x2]3x Roti Bakar Cokelat
        Keju
        [/bold][size 1x1]================================================
        [feed 1]
        [cut]
    "#]]
    .assert_eq(&decoded(&c.kitchen).concat());
    // Nothing for the bar: no line of its station.
    assert!(c.bar.jobs().is_empty());
}

#[test]
fn a_printer_that_is_off_hangs_or_breaks_never_holds_the_sale_and_every_job_prints_once_in_order() {
    let mut c = counter(58);
    let k = &c.shop.kasir;
    // Off: the sale commits and its jobs wait with the reason.
    c.receipts.stop();
    let first = c.shop.sell(&[(&c.coffee, 1)]);
    let done = k.printing().work().unwrap();
    assert_eq!(done.failed, 1);
    let jobs = k.printing().jobs(&c.shop.manager, 50).unwrap();
    let head = jobs
        .iter()
        .find(|j| j.printer_name == "Kasir" && j.state == JobState::Waiting && j.attempts == 1)
        .unwrap();
    assert_eq!(head.error.as_deref(), Some("unreachable"));
    let status = k.printing().status(&c.shop.cashier).unwrap();
    assert_eq!((status.waiting, status.failing), (2, 1));
    // Not retried before its back-off is over; the other printers went on.
    assert_eq!(k.printing().work().unwrap(), Default::default());
    assert_eq!(c.bar.jobs().len(), 1);

    // Back, but hung: it takes connections and never answers.
    c.receipts.restart().unwrap();
    c.receipts.set(Behaviour::Hung);
    let second = c.shop.sell(&[(&c.coffee, 2)]);
    c.shop.clock.advance(SignedDuration::from_secs(2));
    let done = k.printing().work().unwrap();
    assert_eq!(done.failed, 1, "{done:?}");
    assert!(c.receipts.jobs().is_empty());
    let head = k.printing().jobs(&c.shop.manager, 50).unwrap();
    assert!(
        head.iter()
            .any(|j| j.error.as_deref() == Some("not_answering"))
    );

    // Then it closes a connection part way through a job.
    c.receipts.set(Behaviour::CloseAfter(7));
    c.shop.clock.advance(SignedDuration::from_secs(60));
    k.printing().work().unwrap();
    // And comes back: after the back-off everything prints, in order.
    for _ in 0..5 {
        c.shop.clock.advance(SignedDuration::from_secs(60));
        k.printing().work().unwrap();
    }
    assert_eq!(
        count(k, "SELECT COUNT(*) FROM print_jobs WHERE state = 'waiting'"),
        0
    );
    let whole: Vec<String> = decoded(&c.receipts)
        .into_iter()
        .filter(|j| j.ends_with("[cut]\n") || j.contains("[drawer"))
        .collect();
    // Receipt 1, receipt 2: each once, in the order they were sold. The drawer kicks went
    // stale while the printer was away and were dropped, not sent minutes late.
    assert_eq!(whole.len(), 2, "{whole:#?}");
    assert!(whole[0].contains(&first.receipt_no));
    assert!(whole[1].contains(&second.receipt_no));
    assert!(!whole[0].contains("SALINAN"));
    assert_eq!(
        count(
            k,
            "SELECT COUNT(*) FROM print_jobs WHERE kind = 'drawer' AND state = 'cancelled' AND error = 'expired'"
        ),
        2
    );
}

#[test]
fn asking_again_prints_a_copy_never_a_second_original() {
    let c = counter(58);
    let k = &c.shop.kasir;
    let order = c.shop.sell(&[(&c.coffee, 1)]);
    k.printing().work().unwrap();
    assert_eq!(
        k.printing()
            .print_receipt(&c.shop.cashier, order.id)
            .unwrap(),
        1
    );
    k.printing().work().unwrap();
    let receipts = decoded(&c.receipts);
    assert_eq!(receipts.len(), 3);
    assert!(!receipts[1].contains("SALINAN"));
    assert!(receipts[2].contains("*** SALINAN ***"), "{}", receipts[2]);
    // A manager's reprint of the bar ticket is a copy too.
    let bar_job = k
        .printing()
        .jobs(&c.shop.manager, 50)
        .unwrap()
        .into_iter()
        .find(|j| j.printer_name == "Bar")
        .unwrap();
    let copy = k.printing().reprint(&c.shop.manager, bar_job.id).unwrap();
    assert!(copy.copy);
    k.printing().work().unwrap();
    assert!(decoded(&c.bar)[1].contains("SALINAN"));
    // A drawer kick is not reprinted; a cashier cannot reprint from the queue.
    let drawer = k
        .printing()
        .jobs(&c.shop.manager, 50)
        .unwrap()
        .into_iter()
        .find(|j| j.kind == kasir_core::printing::JobKind::Drawer)
        .unwrap();
    refused(
        k,
        |k| k.printing().reprint(&c.shop.manager, drawer.id),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    rule: Rule::NotReprintable,
                    ..
                }
            )
        },
    );
    refused(
        k,
        |k| k.printing().reprint(&c.shop.cashier, bar_job.id),
        |e| matches!(e, Error::Forbidden { .. }),
    );
}

#[test]
fn a_cash_refund_opens_the_drawer_and_prints_its_receipt() {
    let c = counter(58);
    let k = &c.shop.kasir;
    let order = c.shop.sell(&[(&c.coffee, 2)]);
    k.printing().work().unwrap();
    k.sales()
        .refund(
            &c.shop.manager,
            None,
            &RefundRequest {
                order_id: order.id,
                lines: vec![RefundLineInput {
                    line: 0,
                    quantity: 1,
                    restock: false,
                }],
                reason: "Tumpah".into(),
                method: PaymentMethod::Cash,
                reference: None,
            },
        )
        .unwrap();
    k.printing().work().unwrap();
    let receipts = decoded(&c.receipts);
    assert_eq!(receipts.len(), 4, "{receipts:#?}");
    assert!(receipts[2].contains("[drawer pin 2"));
    assert!(receipts[3].contains("PENGEMBALIAN"), "{}", receipts[3]);
    assert!(receipts[3].contains("Alasan: Tumpah"), "{}", receipts[3]);
    assert!(receipts[3].contains(&format!("Dari struk: {}", order.receipt_no)));
    // The manager's "open drawer": audited, a cashier brings a manager's PIN.
    refused(
        k,
        |k| {
            k.printing()
                .open_drawer(&c.shop.cashier, None, "Tukar uang")
        },
        |e| matches!(e, Error::Forbidden { .. }),
    );
    k.printing()
        .open_drawer(&c.shop.cashier, Some(&c.shop.manager), "Tukar uang")
        .unwrap();
    assert_eq!(
        count(
            k,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'drawer_opened'"
        ),
        1
    );
    k.printing().work().unwrap();
    assert!(decoded(&c.receipts)[4].contains("[drawer pin 2 on 50 ms off 500 ms]"));
}

#[test]
fn without_printers_a_sale_writes_no_job_and_asking_for_a_receipt_says_so() {
    quick();
    let s = shop();
    let p = s.product("Kopi", 18_000, None);
    let order = s.sell(&[(&p, 1)]);
    assert_eq!(count(&s.kasir, "SELECT COUNT(*) FROM print_jobs"), 0);
    refused(
        &s.kasir,
        |k| k.printing().print_receipt(&s.cashier, order.id),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Printer,
                    rule: Rule::NoPrinter
                }
            )
        },
    );
    refused(
        &s.kasir,
        |k| k.printing().open_drawer(&s.manager, None, "cek"),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    rule: Rule::NoPrinter,
                    ..
                }
            )
        },
    );
}

#[test]
fn bad_printer_settings_are_refused_and_change_nothing() {
    quick();
    let s = shop();
    let k = &s.kasir;
    let good = input("Kasir", 9100, 58, PrinterRole::Receipt);
    k.printing()
        .save_printer(&s.manager, None, good.clone())
        .unwrap();
    let cases: Vec<(PrinterInput, crate::helpers::Check)> = vec![
        (
            PrinterInput {
                name: "  ".into(),
                ..good.clone()
            },
            Box::new(|e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::Name,
                        rule: Rule::Required
                    }
                )
            }),
        ),
        (
            PrinterInput {
                name: "x".repeat(41),
                ..good.clone()
            },
            Box::new(|e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::Name,
                        rule: Rule::TooLong { .. }
                    }
                )
            }),
        ),
        (
            PrinterInput {
                name: "kasir".into(),
                ..good.clone()
            },
            Box::new(|e| {
                matches!(
                    e,
                    Error::Duplicate {
                        field: Field::Name,
                        ..
                    }
                )
            }),
        ),
        (
            PrinterInput {
                name: "Dua".into(),
                address: "192.168.1.50:99999".into(),
                ..good.clone()
            },
            Box::new(|e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::Address,
                        rule: Rule::PrinterAddress
                    }
                )
            }),
        ),
        (
            PrinterInput {
                name: "Dua".into(),
                address: "printer; rm -rf /".into(),
                ..good.clone()
            },
            Box::new(|e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::Address,
                        rule: Rule::PrinterAddress
                    }
                )
            }),
        ),
        (
            PrinterInput {
                name: "Dua".into(),
                connection: ConnectionKind::Device,
                address: "usb/lp0".into(),
                ..good.clone()
            },
            Box::new(|e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::Address,
                        rule: Rule::PrinterAddress
                    }
                )
            }),
        ),
        (
            PrinterInput {
                name: "Dua".into(),
                paper_mm: 76,
                ..good.clone()
            },
            Box::new(|e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::Paper,
                        ..
                    }
                )
            }),
        ),
        (
            PrinterInput {
                name: "Dua".into(),
                code_page: "UTF-8".into(),
                ..good.clone()
            },
            Box::new(|e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::CodePage,
                        ..
                    }
                )
            }),
        ),
    ];
    for (bad, check) in cases {
        refused(
            k,
            |k| k.printing().save_printer(&s.manager, None, bad.clone()),
            |e| check(e),
        );
    }
    refused(
        k,
        |k| {
            k.printing().save_printer(
                &s.cashier,
                None,
                PrinterInput {
                    name: "Dua".into(),
                    ..good.clone()
                },
            )
        },
        |e| matches!(e, Error::Forbidden { .. }),
    );
    // A host without a port gets 9100; one drawer at a time.
    let second = k
        .printing()
        .save_printer(
            &s.manager,
            None,
            PrinterInput {
                name: "Dua".into(),
                address: "kasir-printer.local".into(),
                ..good.clone()
            },
        )
        .unwrap();
    assert_eq!(second.address, "kasir-printer.local:9100");
    let drawers = count(k, "SELECT COUNT(*) FROM printers WHERE drawer = 1");
    assert_eq!(drawers, 1);
    assert!(
        k.printing()
            .printers(&s.manager)
            .unwrap()
            .iter()
            .find(|p| p.name == "Dua")
            .unwrap()
            .drawer
    );
}

#[test]
fn the_test_page_says_what_went_wrong() {
    let c = counter(58);
    let k = &c.shop.kasir;
    let receipts = k.printing().printers(&c.shop.manager).unwrap();
    let id = receipts.iter().find(|p| p.name == "Kasir").unwrap().id;
    let ok = k.printing().test_print(&c.shop.manager, id).unwrap();
    assert!(ok.printed, "{ok:?}");
    assert!(decoded(&c.receipts)[0].contains("TES PRINTER"));
    c.receipts.set(Behaviour::PaperOut);
    let out = k.printing().test_print(&c.shop.manager, id).unwrap();
    assert_eq!(out.error.as_deref(), Some("paper_out"));
    assert_eq!(out.detail.as_deref(), Some("the printer is out of paper"));
    // The file printer saves the text in its folder.
    let folder = c.shop.path().join("struk");
    let file = k
        .printing()
        .save_printer(
            &c.shop.manager,
            None,
            PrinterInput {
                name: "Simpan".into(),
                connection: ConnectionKind::File,
                address: folder.display().to_string(),
                ..input("x", 1, 80, PrinterRole::Label)
            },
        )
        .unwrap();
    assert!(
        k.printing()
            .test_print(&c.shop.manager, file.id)
            .unwrap()
            .printed
    );
    let saved = std::fs::read_to_string(folder.join(format!("test-{}.txt", file.id))).unwrap();
    assert!(
        saved.contains("PRINTER") && saved.contains("Señor"),
        "{saved}"
    );
}

#[test]
fn a_crash_after_the_sale_keeps_its_jobs() {
    let c = counter(58);
    c.shop.sell(&[(&c.coffee, 1)]);
    let dir = c.shop.dir.path().to_path_buf();
    let (receipts, kitchen, bar) = (c.receipts, c.kitchen, c.bar);
    drop(c.shop.kasir);
    let k = kasir_core::Kasir::open(&dir, c.shop.clock.clone()).unwrap();
    assert_eq!(k.printing().work().unwrap().printed, 3);
    assert_eq!(receipts.jobs().len(), 2);
    assert_eq!(bar.jobs().len(), 1);
    assert!(kitchen.jobs().is_empty());
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            image::Rgba([0, 0, 0, 255])
        } else {
            image::Rgba([255, 255, 255, 0])
        }
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgba8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

#[test]
fn the_shops_logo_prints_at_the_top_of_receipts_and_bad_pictures_are_refused() {
    let c = counter(80);
    let k = &c.shop.kasir;
    refused(
        k,
        |k| {
            k.printing()
                .set_logo(&c.shop.manager, Some(b"GIF89a not a picture"))
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Image,
                    ..
                }
            )
        },
    );
    refused(
        k,
        |k| k.printing().set_logo(&c.shop.cashier, Some(&png(10, 10))),
        |e| matches!(e, Error::Forbidden { .. }),
    );
    assert_eq!(k.printing().logo(&c.shop.manager).unwrap(), None);
    // A wide logo is kept at most 384 dots wide and 160 tall.
    k.printing()
        .set_logo(&c.shop.manager, Some(&png(1200, 300)))
        .unwrap();
    let kept = k.printing().logo(&c.shop.manager).unwrap().unwrap();
    let kept = image::load_from_memory(&kept).unwrap();
    assert_eq!((kept.width(), kept.height()), (384, 96));
    c.shop.sell(&[(&c.toast, 1)]);
    k.printing().work().unwrap();
    let receipt = decoded(&c.receipts)[1].clone();
    // Centred above the shop's name: the left half black, the transparent half white (the
    // column where they meet is grey after scaling, and dithered).
    let picture = receipt.lines().next().unwrap();
    assert!(picture.contains("[centre][picture 384x96, "), "{receipt}");
    let black: u32 = picture
        .rsplit(", ")
        .next()
        .and_then(|d| d.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(
        (192 * 96 - 2 * 96..=192 * 96 + 2 * 96).contains(&black),
        "{black}"
    );
    // Kitchen tickets carry no logo.
    assert!(!decoded(&c.kitchen)[0].contains("[picture"));
    k.printing().set_logo(&c.shop.manager, None).unwrap();
    assert_eq!(k.printing().logo(&c.shop.manager).unwrap(), None);
    assert_eq!(
        count(
            k,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'receipt_logo_set'"
        ),
        2
    );
}

#[test]
fn a_ticket_keeps_the_lines_routed_when_it_was_sold_and_an_unused_printer_drops_its_jobs() {
    let mut c = counter(58);
    let k = &c.shop.kasir;
    c.kitchen.stop();
    c.shop.sell(&[(&c.coffee, 1), (&c.toast, 2)]);
    // The kitchen printer is off; meanwhile the coffee is sent to the kitchen too.
    k.printing().work().unwrap();
    k.printing()
        .set_station(&c.shop.manager, c.shop.category, Some(Station::Kitchen))
        .unwrap();
    c.kitchen.restart().unwrap();
    c.shop.clock.advance(SignedDuration::from_secs(5));
    k.printing().work().unwrap();
    let kitchen = decoded(&c.kitchen).concat();
    assert!(kitchen.contains("2x Roti Bakar"), "{kitchen}");
    assert!(
        !kitchen.contains("Kopi"),
        "the ticket was asked for without the coffee: {kitchen}"
    );
    // The bar printer taken out of use: what waits for it is dropped, and the top bar does
    // not count it.
    c.bar.stop();
    k.printing()
        .set_station(&c.shop.manager, c.shop.category, Some(Station::Bar))
        .unwrap();
    c.shop.sell(&[(&c.coffee, 1)]);
    let bar = k
        .printing()
        .printers(&c.shop.manager)
        .unwrap()
        .into_iter()
        .find(|p| p.name == "Bar")
        .unwrap();
    let input = PrinterInput {
        active: false,
        ..input("Bar", c.bar.port(), 58, PrinterRole::Bar)
    };
    k.printing()
        .save_printer(&c.shop.manager, Some(bar.id), input)
        .unwrap();
    assert_eq!(
        count(
            k,
            "SELECT COUNT(*) FROM print_jobs WHERE state = 'cancelled' AND error = 'inactive'"
        ),
        1
    );
    let waiting = k.printing().status(&c.shop.cashier).unwrap().waiting;
    assert_eq!(waiting, 2, "the drawer and the receipt of the last sale");
}

#[test]
fn a_receipt_and_a_z_report_asked_again_are_copies_even_after_their_printer_went() {
    let c = counter(58);
    let k = &c.shop.kasir;
    let order = c.shop.sell(&[(&c.coffee, 1)]);
    k.printing().work().unwrap();
    let old = k
        .printing()
        .printers(&c.shop.manager)
        .unwrap()
        .into_iter()
        .find(|p| p.name == "Kasir")
        .unwrap();
    k.printing()
        .remove_printer(&c.shop.manager, old.id)
        .unwrap();
    let fresh = FakePrinter::start().unwrap();
    k.printing()
        .save_printer(
            &c.shop.manager,
            None,
            input("Kasir baru", fresh.port(), 58, PrinterRole::Receipt),
        )
        .unwrap();
    k.printing()
        .print_receipt(&c.shop.cashier, order.id)
        .unwrap();
    // The Z report prints at close; printed again, it is a copy.
    let shift = k.shifts().current(&c.shop.cashier).unwrap().unwrap();
    let count_all = kasir_core::sales::shifts::CashCount::Total {
        amount: kasir_core::Money(0),
    };
    k.shifts().close(&c.shop.cashier, &count_all, "").unwrap();
    k.printing()
        .print_report(&c.shop.manager, shift.id)
        .unwrap();
    k.printing().work().unwrap();
    let printed = decoded(&fresh);
    assert_eq!(printed.len(), 3, "{printed:#?}");
    assert!(printed[0].contains("*** SALINAN ***") && printed[0].contains(&order.receipt_no));
    assert!(
        !printed[1].contains("SALINAN"),
        "the Z at close is the original"
    );
    assert!(printed[2].contains("*** SALINAN ***"), "{}", printed[2]);
}

#[test]
fn network_addresses_are_written_one_way_and_device_paths_stay_under_dev() {
    quick();
    let s = shop();
    let k = &s.kasir;
    let base = input("P", 9100, 58, PrinterRole::Kitchen);
    let cases = [
        ("192.168.1.50", "192.168.1.50:9100"),
        ("192.168.1.50:9101", "192.168.1.50:9101"),
        ("fe80::1", "[fe80::1]:9100"),
        ("[::1]", "[::1]:9100"),
        ("[::1]:9200", "[::1]:9200"),
        ("printer-1.local", "printer-1.local:9100"),
    ];
    for (i, (typed, kept)) in cases.into_iter().enumerate() {
        let p = k
            .printing()
            .save_printer(
                &s.manager,
                None,
                PrinterInput {
                    name: format!("P{i}"),
                    address: typed.into(),
                    ..base.clone()
                },
            )
            .unwrap();
        assert_eq!(p.address, kept, "{typed}");
    }
    let bad = [
        (ConnectionKind::Network, "a:b:c"),
        (ConnectionKind::Network, "printer:"),
        (ConnectionKind::Network, "-printer"),
        (ConnectionKind::Network, "printer:0"),
        (ConnectionKind::Device, "/home/kasir/.bashrc"),
        (ConnectionKind::Device, "/dev/../home/kasir/kasir.db"),
        (ConnectionKind::File, "/home/kasir/../../etc"),
        (ConnectionKind::File, "struk"),
    ];
    for (connection, address) in bad {
        refused(
            k,
            |k| {
                k.printing().save_printer(
                    &s.manager,
                    None,
                    PrinterInput {
                        name: "Q".into(),
                        connection,
                        address: address.into(),
                        ..base.clone()
                    },
                )
            },
            |e| {
                matches!(
                    e,
                    Error::Invalid {
                        field: Field::Address,
                        rule: Rule::PrinterAddress
                    }
                )
            },
        );
    }
}
