//! The whole matrix: every use case × every role. A role without the permission gets
//! `Forbidden` and nothing changes; a role with it gets past the check.

use kasir_core::Money;
use kasir_core::catalog::{
    CategoryDraft, CountLine, ModifierGroupDraft, ModifierOptionDraft, ProductDraft, ProductQuery,
    ProductSort, ProductTableQuery, StockReason,
};
use kasir_core::money::pricing::Discount;
use kasir_core::people::StaffUpdate;
use kasir_core::printing::{ConnectionKind, PrinterInput, PrinterRole, Station};
use kasir_core::reports::ReportRange;
use kasir_core::sales::checkout::PaymentMethod;
use kasir_core::sales::refunds::{RefundLineInput, RefundRequest};
use kasir_core::sales::shifts::{CashCount, CashDirection};
use kasir_core::sales::tickets::{AddLine, OrderType};
use kasir_core::settings::Settings;
use kasir_core::{Actor, Error, Kasir, Permission, Role};

use crate::helpers::{ADMIN_PIN, CASHIER_PIN, MANAGER_PIN, Shop, cash, fingerprint, shop};

struct Fixture {
    product: kasir_core::catalog::ProductId,
    category: kasir_core::catalog::CategoryId,
    ticket: kasir_core::sales::tickets::TicketId,
    line: kasir_core::sales::tickets::TicketLineId,
    order: kasir_core::sales::checkout::OrderId,
    cashier: kasir_core::people::StaffId,
    settings: Settings,
    /// An open low-stock alert.
    alert: i64,
    /// The shift open on the till.
    shift: kasir_core::sales::shifts::ShiftId,
    /// A member with 50 points, who bought the product and reviewed it.
    member: kasir_core::members::MemberId,
    review: kasir_core::members::reviews::ReviewId,
    /// A coupon, 10% off, code HEMAT10.
    coupon: kasir_core::offers::coupons::CouponId,
    /// A voucher (Rp 1.000 off for 10 points) and the member's pending redemption of it.
    voucher: kasir_core::offers::vouchers::VoucherId,
    redemption: kasir_core::offers::vouchers::RedemptionId,
    /// A receipt printer with the drawer, saving to a folder, and the sale's receipt job.
    printer: i64,
    job: i64,
}

fn file_printer(s: &Shop) -> PrinterInput {
    PrinterInput {
        name: "Struk".into(),
        connection: ConnectionKind::File,
        address: s.path().join("struk").display().to_string(),
        paper_mm: 58,
        code_page: "PC437".into(),
        role: PrinterRole::Receipt,
        auto_receipt: true,
        drawer: true,
        ask_status: false,
        active: true,
    }
}

/// A shop with a sale, and an open ticket served by `role` (a ticket is changed and paid only
/// by the member serving it; that rule has its own tests).
fn fixture(s: &mut Shop, role: Role) -> Fixture {
    let printer = s
        .kasir
        .printing()
        .save_printer(&s.admin, None, file_printer(s))
        .unwrap()
        .id;
    let p = s.product("Croissant", 22_000, Some(50));
    let order = s.sell(&[(&p, 1)]);
    let job = s
        .kasir
        .connection()
        .query_row(
            "SELECT MAX(id) FROM print_jobs WHERE kind = 'receipt'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let c = s.actor(role).clone();
    let t = s
        .kasir
        .sales()
        .open_ticket(&c, OrderType::Takeaway, "")
        .unwrap();
    let t = s
        .kasir
        .sales()
        .add_to_ticket(
            &c,
            t.id,
            AddLine {
                product_id: p.id,
                modifier_ids: vec![],
                note: String::new(),
                quantity: 1,
            },
        )
        .unwrap();
    // A member with 50 points who bought the product and reviewed it.
    let (member, review) = {
        let admin = s.admin.clone();
        let k = &s.kasir;
        let m = k
            .members()
            .add(&admin, &member_input("Dewi", "081234567890"), "")
            .unwrap();
        k.points()
            .adjust(&admin, None, m.id, 50, "Saldo awal")
            .unwrap();
        let t = k
            .sales()
            .open_ticket(&admin, OrderType::Takeaway, "")
            .unwrap();
        k.sales()
            .add_to_ticket(
                &admin,
                t.id,
                AddLine {
                    product_id: p.id,
                    modifier_ids: vec![],
                    note: String::new(),
                    quantity: 1,
                },
            )
            .unwrap();
        let t = k
            .sales()
            .set_ticket_member(&admin, t.id, Some(m.id))
            .unwrap();
        k.sales()
            .checkout(&admin, t.id, &[crate::helpers::cash(t.totals.total.0)])
            .unwrap();
        let input = kasir_core::members::reviews::ReviewInput {
            member_id: m.id,
            product_id: p.id,
            rating: 4,
            comment: String::new(),
        };
        let r = k.reviews().write(&admin, &input, None).unwrap();
        (m.id, r.id)
    };
    let voucher = s
        .kasir
        .vouchers()
        .create(&s.admin, &voucher_input("Potongan"))
        .unwrap()
        .id;
    let redemption = s
        .kasir
        .vouchers()
        .redeem(&s.admin, member, voucher)
        .unwrap()
        .id;
    Fixture {
        printer,
        job,
        product: p.id,
        category: s.category,
        ticket: t.id,
        line: t.lines[0].id,
        order: order.id,
        cashier: s.cashier.id(),
        settings: s.kasir.settings().get().unwrap(),
        alert: {
            let conn = s.kasir.connection();
            conn.execute(
                "INSERT INTO stock_alerts (product_id, level, stock, raised_at)
                 VALUES (?1, 'warning', 1, '2026-11-21T03:00:00.000000000Z')",
                [p.id.to_string()],
            )
            .unwrap();
            conn.last_insert_rowid()
        },
        shift: s.kasir.shifts().current(&s.admin).unwrap().unwrap().id,
        member,
        review,
        coupon: s
            .kasir
            .coupons()
            .create(&s.admin, &coupon_input("HEMAT10"))
            .unwrap()
            .id,
        voucher,
        redemption,
    }
}

fn voucher_input(name: &str) -> kasir_core::offers::vouchers::VoucherInput {
    kasir_core::offers::vouchers::VoucherInput {
        name: name.into(),
        reward: kasir_core::offers::vouchers::Reward::Discount {
            discount: Discount::Amount(Money(1_000)),
        },
        points_cost: 10,
        stock: None,
        valid_from: None,
        valid_until: None,
        active: true,
    }
}

fn coupon_input(code: &str) -> kasir_core::offers::coupons::CouponInput {
    kasir_core::offers::coupons::CouponInput {
        code: code.into(),
        name: "Hemat".into(),
        rule: kasir_core::offers::coupons::CouponRule::Percent {
            bp: 1000,
            cap: None,
        },
        min_order: Money(0),
        usage_limit: None,
        per_member_limit: None,
        customer_group: kasir_core::offers::coupons::CustomerGroup::All,
        valid_from: None,
        valid_until: None,
        active: true,
    }
}

fn member_input(name: &str, phone: &str) -> kasir_core::members::MemberInput {
    kasir_core::members::MemberInput {
        name: name.into(),
        phone: phone.into(),
        ..Default::default()
    }
}

type UseCase = fn(&Kasir, &Actor, &Fixture) -> kasir_core::Result<()>;

/// One of order line `line`, back to stock.
fn one_back(line: u32) -> RefundLineInput {
    RefundLineInput {
        line,
        quantity: 1,
        restock: true,
    }
}

fn draft(f: &Fixture) -> ProductDraft {
    crate::helpers::draft(f.category, "New", 1_000)
}

fn use_cases() -> Vec<(&'static str, Permission, UseCase)> {
    vec![
        ("list_categories", Permission::Sell, |k, a, _| {
            k.catalog().list_categories(a, false).map(drop)
        }),
        (
            "list_categories(inactive)",
            Permission::ManageCatalog,
            |k, a, _| k.catalog().list_categories(a, true).map(drop),
        ),
        ("list_products", Permission::Sell, |k, a, _| {
            k.catalog()
                .list_products(
                    a,
                    &ProductQuery {
                        limit: 10,
                        ..Default::default()
                    },
                )
                .map(drop)
        }),
        (
            "list_products(inactive)",
            Permission::ManageCatalog,
            |k, a, _| {
                k.catalog()
                    .list_products(
                        a,
                        &ProductQuery {
                            limit: 10,
                            include_inactive: true,
                            sort: ProductSort::Name,
                            ..Default::default()
                        },
                    )
                    .map(drop)
            },
        ),
        ("search_products", Permission::Sell, |k, a, _| {
            k.catalog().search_products(a, "cro", 10, false).map(drop)
        }),
        (
            "search_products(inactive)",
            Permission::ManageCatalog,
            |k, a, _| k.catalog().search_products(a, "cro", 10, true).map(drop),
        ),
        ("product", Permission::Sell, |k, a, f| {
            k.catalog().product(a, f.product).map(drop)
        }),
        ("product_by_barcode", Permission::Sell, |k, a, _| {
            match k.catalog().product_by_barcode(a, "nothing") {
                Err(Error::NotFound { .. }) => Ok(()),
                r => r.map(drop),
            }
        }),
        ("low_stock", Permission::AdjustStock, |k, a, _| {
            k.catalog().low_stock(a).map(drop)
        }),
        ("create_category", Permission::ManageCatalog, |k, a, _| {
            k.catalog()
                .create_category(
                    a,
                    CategoryDraft {
                        name: "X".into(),
                        sort_order: 0,
                        active: true,
                    },
                )
                .map(drop)
        }),
        ("update_category", Permission::ManageCatalog, |k, a, f| {
            k.catalog()
                .update_category(
                    a,
                    f.category,
                    CategoryDraft {
                        name: "Y".into(),
                        sort_order: 0,
                        active: true,
                    },
                )
                .map(drop)
        }),
        (
            "reorder_categories",
            Permission::ManageCatalog,
            |k, a, f| k.catalog().reorder_categories(a, &[f.category]).map(drop),
        ),
        ("create_product", Permission::ManageCatalog, |k, a, f| {
            k.catalog().create_product(a, draft(f)).map(drop)
        }),
        ("update_product", Permission::ManageCatalog, |k, a, f| {
            k.catalog()
                .update_product(
                    a,
                    f.product,
                    ProductDraft {
                        track_stock: true,
                        ..draft(f)
                    },
                )
                .map(drop)
        }),
        (
            "set_products_active",
            Permission::ManageCatalog,
            |k, a, f| {
                k.catalog()
                    .set_products_active(a, &[f.product], false)
                    .map(drop)
            },
        ),
        ("save_product", Permission::ManageCatalog, |k, a, f| {
            k.catalog()
                .save_product(
                    a,
                    Some(f.product),
                    ProductDraft {
                        track_stock: true,
                        ..draft(f)
                    },
                    Some(vec![]),
                )
                .map(drop)
        }),
        ("export_csv", Permission::ManageCatalog, |k, a, _| {
            k.catalog().export_csv(a).map(drop)
        }),
        ("preview_import", Permission::ManageCatalog, |k, a, _| {
            k.catalog()
                .preview_import(a, b"category,name,price\nKopi,Es Kopi,1000\n")
                .map(drop)
        }),
        ("import_csv", Permission::ManageCatalog, |k, a, _| {
            k.catalog()
                .import_csv(a, b"category,name,price\nKopi,Es Kopi,1000\n", &|_, _| {})
                .map(drop)
        }),
        ("move_products", Permission::ManageCatalog, |k, a, f| {
            k.catalog()
                .move_products(a, &[f.product], f.category)
                .map(drop)
        }),
        ("product_table", Permission::ManageCatalog, |k, a, _| {
            k.catalog()
                .product_table(
                    a,
                    &ProductTableQuery {
                        limit: 10,
                        ..Default::default()
                    },
                )
                .map(drop)
        }),
        (
            "set_modifier_groups",
            Permission::ManageCatalog,
            |k, a, f| {
                k.catalog()
                    .set_modifier_groups(
                        a,
                        f.product,
                        vec![ModifierGroupDraft {
                            id: None,
                            name: "S".into(),
                            min_choices: 0,
                            max_choices: 1,
                            options: vec![ModifierOptionDraft {
                                id: None,
                                name: "L".into(),
                                price_delta: 1,
                            }],
                        }],
                    )
                    .map(drop)
            },
        ),
        (
            "add_product_picture",
            Permission::ManageCatalog,
            |k, a, f| {
                k.catalog()
                    .add_product_picture(
                        a,
                        f.product,
                        &kasir_core::demo::demo_picture([4, 5, 6], 2),
                    )
                    .map(drop)
            },
        ),
        ("product_pictures", Permission::ManageCatalog, |k, a, f| {
            k.catalog().product_pictures(a, f.product).map(drop)
        }),
        (
            "arrange_product_pictures",
            Permission::ManageCatalog,
            |k, a, f| {
                k.catalog()
                    .arrange_product_pictures(a, f.product, &[])
                    .map(drop)
            },
        ),
        ("set_product_image", Permission::ManageCatalog, |k, a, f| {
            k.catalog()
                .set_product_image(a, f.product, &kasir_core::demo::demo_picture([1, 2, 3], 1))
                .map(drop)
        }),
        ("adjust_stock", Permission::AdjustStock, |k, a, f| {
            k.catalog()
                .adjust_stock(a, f.product, 1, StockReason::Received, "")
                .map(drop)
        }),
        ("count_stock", Permission::AdjustStock, |k, a, f| {
            k.catalog()
                .count_stock(
                    a,
                    &[CountLine {
                        product_id: f.product,
                        counted: 40,
                        expected: None,
                    }],
                    "",
                )
                .map(drop)
        }),
        ("stock_history", Permission::AdjustStock, |k, a, f| {
            k.catalog().stock_history(a, f.product, None, 10).map(drop)
        }),
        ("stock_alerts", Permission::AdjustStock, |k, a, _| {
            k.catalog().stock_alerts(a, true).map(drop)
        }),
        ("open_alerts", Permission::AdjustStock, |k, a, _| {
            k.catalog().open_alerts(a).map(drop)
        }),
        ("resolve_alert", Permission::AdjustStock, |k, a, f| {
            k.catalog().resolve_alert(a, f.alert)
        }),
        ("notices_list", Permission::Sell, |k, a, _| {
            k.notices().list(a, 10).map(drop)
        }),
        ("notices_unread", Permission::Sell, |k, a, _| {
            k.notices().unread(a).map(drop)
        }),
        ("notices_mark_read", Permission::Sell, |k, a, _| {
            k.notices().mark_read(a, None).map(drop)
        }),
        ("open_ticket", Permission::Sell, |k, a, _| {
            k.sales().open_ticket(a, OrderType::DineIn, "").map(drop)
        }),
        ("ticket", Permission::Sell, |k, a, f| {
            k.sales().ticket(a, f.ticket).map(drop)
        }),
        ("list_tickets", Permission::Sell, |k, a, _| {
            k.sales().list_tickets(a).map(drop)
        }),
        ("set_ticket_info", Permission::Sell, |k, a, f| {
            k.sales()
                .set_ticket_info(a, f.ticket, OrderType::Pickup, "x")
                .map(drop)
        }),
        ("park_my_tickets", Permission::Sell, |k, a, _| {
            k.sales().park_my_tickets(a).map(drop)
        }),
        ("take_over_ticket", Permission::Sell, |k, a, f| {
            k.sales().take_over_ticket(a, f.ticket).map(drop)
        }),
        ("set_ticket_parked", Permission::Sell, |k, a, f| {
            k.sales().set_ticket_parked(a, f.ticket, true).map(drop)
        }),
        ("discard_ticket", Permission::Sell, |k, a, f| {
            k.sales().discard_ticket(a, f.ticket)
        }),
        ("add_to_ticket", Permission::Sell, |k, a, f| {
            k.sales()
                .add_to_ticket(
                    a,
                    f.ticket,
                    AddLine {
                        product_id: f.product,
                        modifier_ids: vec![],
                        note: String::new(),
                        quantity: 1,
                    },
                )
                .map(drop)
        }),
        ("set_line_quantity", Permission::Sell, |k, a, f| {
            k.sales()
                .set_line_quantity(a, f.ticket, f.line, 2)
                .map(drop)
        }),
        ("remove_line", Permission::Sell, |k, a, f| {
            k.sales().remove_line(a, f.ticket, f.line).map(drop)
        }),
        ("set_line_discount", Permission::Discount, |k, a, f| {
            k.sales()
                .set_line_discount(a, None, f.ticket, f.line, Some(Discount::Percent(500)))
                .map(drop)
        }),
        ("set_order_discount", Permission::Discount, |k, a, f| {
            k.sales()
                .set_order_discount(a, None, f.ticket, Some(Discount::Percent(500)))
                .map(drop)
        }),
        ("checkout_approved", Permission::Sell, |k, a, f| {
            k.sales()
                .checkout_approved(a, None, f.ticket, &[cash(1_000_000)])
                .map(drop)
        }),
        ("checkout", Permission::Sell, |k, a, f| {
            k.sales()
                .checkout(a, f.ticket, &[cash(1_000_000)])
                .map(drop)
        }),
        ("order", Permission::Sell, |k, a, f| {
            k.sales().order(a, f.order).map(drop)
        }),
        ("orders_for_day", Permission::Sell, |k, a, _| {
            k.sales()
                .orders_for_day(a, "2026-11-21".parse().unwrap())
                .map(drop)
        }),
        ("orders_today", Permission::Sell, |k, a, _| {
            let board = k.sales().orders_today(a)?;
            assert_eq!(board.len(), 2, "today's board holds the fixture's sales");
            Ok(())
        }),
        ("advance_order", Permission::Sell, |k, a, f| {
            k.sales()
                .advance_order(
                    a,
                    f.order,
                    kasir_core::sales::checkout::OrderStatus::Preparing,
                )
                .map(drop)
        }),
        ("cancel_order", Permission::CancelOrder, |k, a, f| {
            k.sales().cancel_order(a, None, f.order, "test").map(drop)
        }),
        ("receipt", Permission::Sell, |k, a, f| {
            k.sales().receipt(a, f.order).map(drop)
        }),
        (
            "create_staff(cashier)",
            Permission::ManageStaff,
            |k, a, _| {
                k.people()
                    .create_staff(a, "New", Role::Cashier, "5678")
                    .map(drop)
            },
        ),
        (
            "update_staff(cashier)",
            Permission::ManageStaff,
            |k, a, f| {
                k.people()
                    .update_staff(
                        a,
                        f.cashier,
                        StaffUpdate {
                            name: Some("Renamed".into()),
                            ..Default::default()
                        },
                    )
                    .map(drop)
            },
        ),
        ("staff_accounts", Permission::ManageStaff, |k, a, _| {
            k.people().staff_accounts(a).map(drop)
        }),
        (
            "clear_lockout(cashier)",
            Permission::ManageStaff,
            |k, a, f| k.people().clear_lockout(a, f.cashier).map(drop),
        ),
        ("change_own_pin", Permission::Sell, |k, a, _| {
            let pin = match a.role() {
                Role::Cashier => CASHIER_PIN,
                Role::Manager => MANAGER_PIN,
                Role::Admin => ADMIN_PIN,
            };
            k.people().change_own_pin(a, pin, pin)
        }),
        ("update_settings", Permission::ManageSettings, |k, a, f| {
            k.settings()
                .update(
                    a,
                    Settings {
                        shop_name: "Renamed".into(),
                        ..f.settings.clone()
                    },
                )
                .map(drop)
        }),
        ("audit_search", Permission::ViewAudit, |k, a, _| {
            k.audit()
                .search(
                    a,
                    &kasir_core::audit::AuditQuery {
                        limit: 10,
                        ..Default::default()
                    },
                )
                .map(drop)
        }),
        ("audit_actions", Permission::ViewAudit, |k, a, _| {
            k.audit().actions(a).map(drop)
        }),
        ("audit_check", Permission::ViewAudit, |k, a, _| {
            k.audit().check(a).map(drop)
        }),
        ("audit_entries", Permission::ViewAudit, |k, a, _| {
            k.audit().entries(a, 10).map(drop)
        }),
        // The fixture's sale waits to be sent: a role with the right gets past the check and
        // is told how many entries would be stranded.
        ("sync_unenrol", Permission::ManageSync, |k, a, _| {
            match k.sync().unenrol(a, false) {
                Err(Error::UnsentEntries { .. }) => Ok(()),
                other => other,
            }
        }),
        ("backups.status", Permission::BackUp, |k, a, _| {
            k.backups().status(a).map(drop)
        }),
        ("backups.configure", Permission::BackUp, |k, a, _| {
            k.backups()
                .configure(
                    a,
                    kasir_core::backup::BackupSettings {
                        folder: None,
                        keep: 5,
                        daily: false,
                    },
                )
                .map(drop)
        }),
        ("backups.back_up_now", Permission::BackUp, |k, a, _| {
            // The fixture has no folder: allowed members hear that, others are refused first.
            match k.backups().back_up_now(a) {
                Err(Error::Invalid {
                    rule: kasir_core::Rule::NoFolder,
                    ..
                }) => Ok(()),
                other => other.map(drop),
            }
        }),
        ("backups.list", Permission::BackUp, |k, a, _| {
            k.backups()
                .list(a, &std::env::temp_dir().display().to_string())
                .map(drop)
        }),
        ("backups.prepare_restore", Permission::Restore, |k, a, _| {
            let nothing = k.data_dir().join("no-backup-here");
            match k
                .backups()
                .prepare_restore(a, &nothing.display().to_string())
            {
                Err(Error::Invalid {
                    rule: kasir_core::Rule::NotABackup,
                    ..
                }) => Ok(()),
                other => other.map(drop),
            }
        }),
        (
            "backups.confirm_restore",
            Permission::Restore,
            |k, a, _| match k.backups().confirm_restore(a) {
                Err(Error::Invalid {
                    rule: kasir_core::Rule::NoRestorePending,
                    ..
                }) => Ok(()),
                other => other.map(drop),
            },
        ),
        ("backups.cancel_restore", Permission::Restore, |k, a, _| {
            k.backups().cancel_restore(a)
        }),
        ("shifts.current", Permission::Sell, |k, a, _| {
            k.shifts().current(a).map(drop)
        }),
        ("shifts.open", Permission::Shift, |k, a, _| {
            // The till's shift is open: past the check, opening another is refused.
            match k.shifts().open(a, 0) {
                Err(Error::ShiftAlreadyOpen { .. }) => Ok(()),
                other => other.map(drop),
            }
        }),
        ("shifts.move_cash", Permission::CashInOut, |k, a, _| {
            k.shifts()
                .move_cash(a, None, CashDirection::In, 10_000, "Uang kecil")
                .map(drop)
        }),
        ("shifts.x_report", Permission::Shift, |k, a, _| {
            k.shifts().x_report(a).map(drop)
        }),
        ("shifts.close", Permission::Shift, |k, a, _| {
            k.shifts()
                .close(a, &CashCount::Total { amount: Money(0) }, "")
                .map(drop)
        }),
        ("shifts.history", Permission::ViewReports, |k, a, _| {
            k.shifts().history(a, 10).map(drop)
        }),
        ("shifts.report", Permission::ViewReports, |k, a, f| {
            k.shifts().report(a, f.shift).map(drop)
        }),
        ("reports.sales", Permission::ViewReports, |k, a, _| {
            k.reports().sales(a, ReportRange::ThisMonth).map(drop)
        }),
        ("sales.find_order", Permission::Sell, |k, a, _| {
            k.sales().find_order(a, "t01-000001").map(drop)
        }),
        ("sales.refundable", Permission::Sell, |k, a, f| {
            k.sales().refundable(a, f.order).map(drop)
        }),
        ("sales.quote_refund", Permission::Sell, |k, a, f| {
            k.sales().quote_refund(a, f.order, &[one_back(0)]).map(drop)
        }),
        ("sales.refund", Permission::Refund, |k, a, f| {
            k.sales()
                .refund(
                    a,
                    None,
                    &RefundRequest {
                        order_id: f.order,
                        lines: vec![one_back(0)],
                        reason: "Salah pesan".into(),
                        method: PaymentMethod::Cash,
                        reference: None,
                    },
                )
                .map(drop)
        }),
        ("members.add", Permission::Members, |k, a, _| {
            k.members()
                .add(a, &member_input("Budi", "085700001111"), "")
                .map(drop)
        }),
        ("members.update", Permission::Members, |k, a, f| {
            k.members()
                .update(a, f.member, &member_input("Dewi L", "081234567890"))
                .map(drop)
        }),
        (
            "members.set_active",
            Permission::ManageMembers,
            |k, a, f| k.members().set_active(a, f.member, false).map(drop),
        ),
        ("members.get", Permission::Members, |k, a, f| {
            k.members().get(a, f.member).map(drop)
        }),
        ("members.list", Permission::ManageMembers, |k, a, _| {
            k.members()
                .list(
                    a,
                    &kasir_core::members::table::MemberQuery {
                        limit: 10,
                        ..Default::default()
                    },
                )
                .map(drop)
        }),
        ("members.stats", Permission::ManageMembers, |k, a, _| {
            k.members().stats(a).map(drop)
        }),
        ("members.orders", Permission::Members, |k, a, f| {
            k.members().orders(a, f.member, 10).map(drop)
        }),
        ("members.search", Permission::Members, |k, a, _| {
            k.members().search(a, "dewi", 10).map(drop)
        }),
        ("sales.set_ticket_member", Permission::Members, |k, a, f| {
            k.sales()
                .set_ticket_member(a, f.ticket, Some(f.member))
                .map(drop)
        }),
        ("sales.set_ticket_coupon", Permission::Sell, |k, a, f| {
            k.sales()
                .set_ticket_coupon(a, f.ticket, Some("hemat10"))
                .map(drop)
        }),
        ("vouchers.create", Permission::ManageCoupons, |k, a, _| {
            k.vouchers().create(a, &voucher_input("Baru")).map(drop)
        }),
        ("vouchers.update", Permission::ManageCoupons, |k, a, f| {
            k.vouchers()
                .update(a, f.voucher, &voucher_input("Ubah"))
                .map(drop)
        }),
        ("vouchers.list", Permission::Members, |k, a, _| {
            k.vouchers().list(a).map(drop)
        }),
        ("vouchers.redeem", Permission::Members, |k, a, f| {
            k.vouchers().redeem(a, f.member, f.voucher).map(drop)
        }),
        ("vouchers.cancel", Permission::Members, |k, a, f| {
            k.vouchers().cancel(a, f.redemption).map(drop)
        }),
        ("vouchers.of_member", Permission::Members, |k, a, f| {
            k.vouchers().of_member(a, f.member).map(drop)
        }),
        ("sales.set_ticket_address", Permission::Sell, |k, a, f| {
            k.sales()
                .set_ticket_address(a, f.ticket, "Jl. Dago 12")
                .map(drop)
        }),
        ("sales.send_out", Permission::Sell, |k, a, f| {
            // A ready delivery of the actor's own.
            let sales = k.sales();
            sales.set_ticket_info(a, f.ticket, OrderType::Delivery, "")?;
            let t = sales.set_ticket_address(a, f.ticket, "Jl. Dago 12")?;
            let o = sales.checkout(a, f.ticket, &[cash(t.totals.total.0)])?;
            sales.advance_order(a, o.id, kasir_core::sales::checkout::OrderStatus::Preparing)?;
            sales.advance_order(a, o.id, kasir_core::sales::checkout::OrderStatus::Ready)?;
            k.sales().send_out(a, o.id).map(drop)
        }),
        (
            "sales.set_ticket_voucher",
            Permission::Members,
            |k, a, f| {
                k.sales().set_ticket_member(a, f.ticket, Some(f.member))?;
                k.sales()
                    .set_ticket_voucher(a, f.ticket, Some(f.redemption))
                    .map(drop)
            },
        ),
        (
            "printing.printers",
            Permission::ManagePrinters,
            |k, a, _| k.printing().printers(a).map(drop),
        ),
        (
            "printing.save_printer",
            Permission::ManagePrinters,
            |k, a, f| {
                let dir = k.data_dir().join("struk2").display().to_string();
                let input = PrinterInput {
                    name: "Struk 2".into(),
                    connection: ConnectionKind::File,
                    address: dir,
                    paper_mm: 80,
                    code_page: "PC858".into(),
                    role: PrinterRole::Kitchen,
                    auto_receipt: false,
                    drawer: false,
                    ask_status: false,
                    active: true,
                };
                k.printing()
                    .save_printer(a, Some(f.printer), input)
                    .map(drop)
            },
        ),
        (
            "printing.remove_printer",
            Permission::ManagePrinters,
            |k, a, f| k.printing().remove_printer(a, f.printer),
        ),
        (
            "printing.stations",
            Permission::ManagePrinters,
            |k, a, _| k.printing().stations(a).map(drop),
        ),
        (
            "printing.set_station",
            Permission::ManagePrinters,
            |k, a, f| k.printing().set_station(a, f.category, Some(Station::Bar)),
        ),
        ("printing.jobs", Permission::ManagePrinters, |k, a, _| {
            k.printing().jobs(a, 50).map(drop)
        }),
        ("printing.status", Permission::Sell, |k, a, _| {
            k.printing().status(a).map(drop)
        }),
        ("printing.print_receipt", Permission::Sell, |k, a, f| {
            k.printing().print_receipt(a, f.order).map(drop)
        }),
        ("printing.print_report", Permission::Shift, |k, a, f| {
            k.printing().print_report(a, f.shift).map(drop)
        }),
        ("printing.open_drawer", Permission::CashInOut, |k, a, _| {
            k.printing().open_drawer(a, None, "Tukar uang")
        }),
        ("printing.retry", Permission::ManagePrinters, |k, a, f| {
            k.printing().retry(a, f.job).map(drop)
        }),
        ("printing.cancel", Permission::ManagePrinters, |k, a, f| {
            k.printing().cancel(a, f.job).map(drop)
        }),
        ("printing.reprint", Permission::ManagePrinters, |k, a, f| {
            k.printing().reprint(a, f.job).map(drop)
        }),
        (
            "printing.test_print",
            Permission::ManagePrinters,
            |k, a, f| k.printing().test_print(a, f.printer).map(drop),
        ),
        (
            "printing.set_logo",
            Permission::ManagePrinters,
            |k, a, _| k.printing().set_logo(a, None),
        ),
        ("printing.logo", Permission::ManagePrinters, |k, a, _| {
            k.printing().logo(a).map(drop)
        }),
        (
            "printing.job_text",
            Permission::ManagePrinters,
            |k, a, f| k.printing().job_text(a, f.job).map(drop),
        ),
        ("coupons.create", Permission::ManageCoupons, |k, a, _| {
            k.coupons().create(a, &coupon_input("BARU10")).map(drop)
        }),
        ("coupons.update", Permission::ManageCoupons, |k, a, f| {
            k.coupons()
                .update(a, f.coupon, &coupon_input("HEMAT15"))
                .map(drop)
        }),
        ("coupons.list", Permission::ManageCoupons, |k, a, _| {
            k.coupons().list(a).map(drop)
        }),
        ("coupons.uses", Permission::ManageCoupons, |k, a, f| {
            k.coupons().uses(a, f.coupon, 10).map(drop)
        }),
        ("wallets.top_up", Permission::Members, |k, a, f| {
            k.wallets()
                .top_up(a, f.member, 50_000, PaymentMethod::Card, None)
                .map(drop)
        }),
        ("wallets.history", Permission::Members, |k, a, f| {
            k.wallets().history(a, f.member, 10).map(drop)
        }),
        ("reviews.write", Permission::Members, |k, a, f| {
            k.reviews()
                .write(
                    a,
                    &kasir_core::members::reviews::ReviewInput {
                        member_id: f.member,
                        product_id: f.product,
                        rating: 5,
                        comment: "Enak".into(),
                    },
                    None,
                )
                .map(drop)
        }),
        (
            "reviews.set_hidden",
            Permission::ManageMembers,
            |k, a, f| k.reviews().set_hidden(a, f.review, true).map(drop),
        ),
        ("reviews.of_product", Permission::Members, |k, a, f| {
            k.reviews().of_product(a, f.product, false, 10).map(drop)
        }),
        ("reviews.reviewable", Permission::Members, |k, a, f| {
            k.reviews().reviewable(a, f.member).map(drop)
        }),
        ("points.settings", Permission::Members, |k, a, _| {
            k.points().settings(a).map(drop)
        }),
        (
            "points.set_settings",
            Permission::ManageSettings,
            |k, a, _| {
                let s = k.points().settings(a)?;
                k.points().set_settings(a, &s).map(drop)
            },
        ),
        ("points.history", Permission::Members, |k, a, f| {
            k.points().history(a, f.member, 10).map(drop)
        }),
        ("points.adjust", Permission::AdjustPoints, |k, a, f| {
            k.points()
                .adjust(a, None, f.member, -5, "Koreksi")
                .map(drop)
        }),
        ("sync_authorize", Permission::ManageSync, |k, a, _| {
            k.sync().authorize(a)
        }),
        ("sync_enrolled", Permission::ManageSync, |k, a, _| {
            k.sync().enrolled(
                a,
                "https://kasir.example",
                false,
                &kasir_proto::api::EnrolResponse {
                    terminal_id: uuid::Uuid::from_u128(1),
                    terminal_code: "T02".into(),
                    store_id: uuid::Uuid::from_u128(2),
                    store_name: "Braga".into(),
                    token: "t".repeat(43),
                },
            )
        }),
    ]
}

#[test]
fn every_use_case_checks_every_role() {
    for (name, permission, run) in use_cases() {
        for role in Role::ALL {
            let mut s = shop();
            let f = fixture(&mut s, role);
            let actor = s.actor(role).clone();
            let before = fingerprint(&s.kasir);
            let result = run(&s.kasir, &actor, &f);
            if role.allows(permission) {
                assert!(result.is_ok(), "{name} as {role}: {result:?}");
            } else {
                assert!(
                    matches!(result, Err(Error::Forbidden { role: r, .. }) if r == role),
                    "{name} as {role}: {result:?}"
                );
                assert_eq!(
                    before,
                    fingerprint(&s.kasir),
                    "{name} as {role} changed the database"
                );
            }
        }
    }
}

/// Use cases that take no actor, and why. Everything else public on a view must be in the
/// matrix above.
const NO_ACTOR: [(&str, &str); 38] = [
    (
        "printing.work",
        "the app's print thread sends the queue; it changes only the jobs' state",
    ),
    (
        "coupons.notify_expiring",
        "the app's hourly run: tells the managers of coupons ending soon, changes no fact",
    ),
    (
        "vouchers.notify_expiring",
        "the app's hourly run: tells the managers of vouchers ending soon, changes no fact",
    ),
    (
        "points.expire_due",
        "the app's daily run: expires by the shop's rule, nobody's decision",
    ),
    (
        "reports.prepare",
        "the app sums past days in the background; derived data, no fact changes",
    ),
    (
        "backups.back_up_if_due",
        "the daily backup the app runs by itself; a copy, no fact changes",
    ),
    (
        "people.approver",
        "checks a PIN like sign-in; the use case it approves checks the approver's role",
    ),
    (
        "people.needs_setup",
        "the first-run screen asks before anyone exists",
    ),
    (
        "people.create_first_admin",
        "first run: refused once anyone exists",
    ),
    (
        "people.set_up_shop",
        "first run: refused once anyone exists",
    ),
    ("people.login", "signing in is how an actor is made"),
    (
        "people.active_staff",
        "the login screen lists who can sign in",
    ),
    ("people.list_staff", "names and roles only, never PINs"),
    (
        "settings.get",
        "the login screen needs the shop's name, language and money format",
    ),
    (
        "settings.today",
        "the business date, from the settings' time zone",
    ),
    (
        "audit.verify_chain",
        "checks integrity, returns only a count",
    ),
    (
        "outbox.entries",
        "the uploader reads it; it is no staff member",
    ),
    (
        "sync.status",
        "the top bar shows every member sync's counts",
    ),
    (
        "sync.enrolment",
        "the uploader reads it; it is no staff member",
    ),
    (
        "sync.pending",
        "the uploader reads it; it is no staff member",
    ),
    ("sync.head", "the uploader reads it; it is no staff member"),
    (
        "sync.pending_wire",
        "the uploader reads it; it is no staff member",
    ),
    (
        "sync.has_pending",
        "the uploader reads it; it is no staff member",
    ),
    (
        "outbox.wire_entries",
        "the uploader reads it; it is no staff member",
    ),
    (
        "sync.record_push",
        "the uploader records the server's answers; it is no staff member",
    ),
    (
        "sync.quarantine_here",
        "the uploader sets aside an entry the server refused",
    ),
    ("sync.record_failure", "the uploader notes what went wrong"),
    (
        "sync.record_success",
        "the uploader notes a contact that worked",
    ),
    (
        "sync.pull_cursor",
        "the uploader reads it; it is no staff member",
    ),
    (
        "sync.apply_pull",
        "the server's menu, applied by the uploader (no outbox entry)",
    ),
    ("sync.sent_kinds", "read-only: the outbox's payloads"),
    (
        "sync.stand_ins",
        "the uploader reads what it set aside; it is no staff member",
    ),
    (
        "sync.stand_ins_held",
        "the uploader notes the server's answer",
    ),
    (
        "sync.pictures_to_send",
        "the uploader reads the pictures waiting entries name",
    ),
    (
        "sync.picture_sent",
        "the uploader notes a picture the server holds",
    ),
    (
        "sync.missing_pictures",
        "the uploader reads which pictures this till lacks",
    ),
    (
        "sync.save_picture",
        "a picture the server sent, checked like an upload; no fact changes",
    ),
    (
        "catalog.refresh_popularity",
        "housekeeping of a cached figure, changes no fact",
    ),
];

/// The matrix is complete by construction: every `pub fn` on a use-case view (found by
/// reading the core's source) is either called by the matrix or listed in [`NO_ACTOR`].
#[test]
fn the_matrix_covers_every_public_use_case() {
    let views = [
        ("Catalog", "catalog"),
        ("Sales", "sales"),
        ("People", "people"),
        ("ShopSettings", "settings"),
        ("Audit", "audit"),
        ("Outbox", "outbox"),
        ("Notices", "notices"),
        ("Sync", "sync"),
        ("Backups", "backups"),
        ("Shifts", "shifts"),
        ("Reports", "reports"),
        ("Members", "members"),
        ("Points", "points"),
        ("Wallets", "wallets"),
        ("Reviews", "reviews"),
        ("Coupons", "coupons"),
        ("Vouchers", "vouchers"),
        ("Printing", "printing"),
    ];
    let mut public = Vec::new();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut dirs = vec![src];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let mut view = None;
            for line in text.lines() {
                if line == "}" {
                    view = None;
                } else if let Some(rest) = line.strip_prefix("impl ") {
                    view = views
                        .iter()
                        .find(|(ty, _)| rest.starts_with(&format!("{ty}<'_> {{")))
                        .map(|(_, v)| *v);
                } else if let (Some(v), Some(rest)) = (view, line.strip_prefix("    pub fn ")) {
                    let name = rest.split(['(', '<']).next().unwrap();
                    public.push(format!("{v}.{name}"));
                }
            }
        }
    }
    assert!(public.len() > 30, "found the views' use cases: {public:?}");
    // The matrix's calls, with rustfmt's line breaks taken out of method chains.
    let matrix: String = include_str!("permissions.rs").split_whitespace().collect();
    let missing: Vec<&String> = public
        .iter()
        .filter(|uc| {
            let (view, method) = uc.split_once('.').unwrap();
            let called = matrix.contains(&format!(".{view}().{method}("));
            !called && !NO_ACTOR.iter().any(|(n, _)| n == uc)
        })
        .collect();
    assert!(
        missing.is_empty(),
        "use cases missing from the permission matrix: {missing:?}"
    );
    for (n, _) in NO_ACTOR {
        assert!(
            public.iter().any(|p| p == n),
            "{n} is listed but no longer exists"
        );
    }
}
