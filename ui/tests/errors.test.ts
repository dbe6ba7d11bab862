/**
 * Every error the till can show, worded in both languages: each CommandError kind, each Rule,
 * each Field, Entity, Permission and Role (the lists below are typed so that a code added on the
 * Rust side fails the type check until it is listed here, and `describeError` until it is worded).
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, within } from "@testing-library/svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
import { invoke } from "@tauri-apps/api/core";
import type { CommandError, Entity, Field, MoneyFormat, Permission, Role, Rule, SyncProblem } from "../src/bindings";
import { ApiError, commandError, describeError, invalidField, needsApproval } from "../src/lib/api";
import { dictionaries, type Lang } from "../src/lib/i18n";
import ApprovalDialog from "../src/features/approval/ApprovalDialog.svelte";
import OrdersBoard from "../src/features/board/OrdersBoard.svelte";
import Sell from "../src/features/sell/Sell.svelte";
import Toasts from "../src/kit/Toasts.svelte";
import { sale } from "../src/stores/ticket.svelte";
import { IDR_MONEY, line, resetApp, ticket } from "./fixtures";
import { fail, routeIpc } from "./ipc";

const USD_MONEY: MoneyFormat = { symbol: "$", spaced: false, group_separator: ",", decimal_separator: ".", minor_unit: 2 };

const fields = {
  active: true, category: true, featured: true, file: true, from: true, to: true, track_stock: true,
  auto_lock: true, tax_number: true,
  admin_name: true, amount: true, barcode: true, cash_rounding: true, count: true, currency: true, delta: true,
  description: true, discount: true, id: true, ids: true, image: true, initial_stock: true, label: true, limit: true,
  locale: true, low_stock_critical: true, low_stock_warning: true, max_choices: true, method: true, minor_unit: true,
  modifier_group: true, modifier_groups: true, modifier_option: true, modifier_options: true, modifiers: true,
  name: true, note: true, order_type: true, payments: true, pin: true, price: true, price_delta: true, quantity: true,
  query: true, reason: true, receipt_footer: true, receipt_header: true, reference: true, role: true,
  service_rate: true, shop_address: true, shop_name: true, sort_order: true, status: true, stock: true,
  tags: true, tax_rate: true, terminal_code: true, ticket: true, time_zone: true, folder: true, keep: true, backup: true,
  float: true, counted: true, denomination: true, lines: true, receipt_no: true, order: true,
  member: true, phone: true, email: true, birthday: true, address: true, notes: true, referral_code: true, points: true,
  earn_per_amount: true, point_value: true, tier_window: true, tiers: true, multiplier: true, expiry_months: true,
  referral_points: true, wallet: true, product: true, rating: true, comment: true,
  customer_groups: true, expiry_notice: true, coupon: true, code: true, min_order: true, usage_limit: true, member_limit: true, valid_dates: true, voucher: true, offline_limit: true, printer: true, paper: true, code_page: true, station: true,
} satisfies Record<Field, true>;
const entities = {
  category: true, order: true, product: true, barcode: true, staff_member: true, stock_alert: true, ticket: true, ticket_line: true, shift: true, member: true, review: true, coupon: true, voucher: true, redemption: true, printer: true, print_job: true,
} satisfies Record<Entity, true>;
const permissions = {
  sell: true, discount: true, cancel_order: true, manage_catalog: true, adjust_stock: true, manage_staff: true,
  manage_settings: true, view_audit: true, manage_sync: true, back_up: true, restore: true,
  shift: true, cash_in_out: true, refund: true, view_reports: true, members: true, manage_members: true, adjust_points: true, manage_coupons: true, manage_printers: true,
} satisfies Record<Permission, true>;
const roles = { cashier: true, manager: true, admin: true } satisfies Record<Role, true>;

const FIELDS = Object.keys(fields) as Field[];
const ENTITIES = Object.keys(entities) as Entity[];
const PERMISSIONS = Object.keys(permissions) as Permission[];
const ROLES = Object.keys(roles) as Role[];

/** One of each rule, with the numbers its message needs (amounts chosen to be recognisable). */
const rules: { [R in Rule["rule"]]: Extract<Rule, { rule: R }>[] } = {
  required: [{ rule: "required" }],
  too_long: [{ rule: "too_long", max: 60 }],
  control_characters: [{ rule: "control_characters" }],
  out_of_range: [{ rule: "out_of_range", min: 1, max: 9999 }],
  zero: [{ rule: "zero" }],
  percent_range: [{ rule: "percent_range", min_bp: 0, max_bp: 1050 }],
  negative: [{ rule: "negative" }],
  not_positive: [{ rule: "not_positive" }],
  too_large: [{ rule: "too_large" }],
  discount_exceeds: [{ rule: "discount_exceeds", discount: 12345, base: 10000 }],
  too_many: [{ rule: "too_many", max: 20 }],
  repeated: [{ rule: "repeated" }],
  foreign: [{ rule: "foreign" }],
  unknown: [{ rule: "unknown", value: "xyz" }],
  not_an_id: [{ rule: "not_an_id" }],
  choices: [
    { rule: "choices", group: "Ukuran", min: 1, max: 1 },
    { rule: "choices", group: "Topping", min: 0, max: 3 },
    { rule: "choices", group: "Gula", min: 1, max: 2 },
  ],
  choice_bounds: [{ rule: "choice_bounds" }],
  above_warning: [{ rule: "above_warning" }],
  not_tracked: [{ rule: "not_tracked" }],
  waste_adds_stock: [{ rule: "waste_adds_stock" }],
  no_longer_sold: [{ rule: "no_longer_sold", product: "Klepon" }],
  options_changed: [{ rule: "options_changed", product: "Klepon" }],
  below_zero: [{ rule: "below_zero", product: "Klepon" }],
  barcode_format: [{ rule: "barcode_format" }],
  currency_code: [{ rule: "currency_code" }],
  language_tag: [{ rule: "language_tag" }],
  terminal_code_format: [{ rule: "terminal_code_format" }],
  set_by_server: [{ rule: "set_by_server" }],
  pin_digits: [{ rule: "pin_digits", min: 4, max: 8 }],
  last_admin: [{ rule: "last_admin" }],
  file_empty: [{ rule: "file_empty" }],
  file_too_large: [{ rule: "file_too_large", max_mb: 20 }],
  image_format: [{ rule: "image_format" }],
  image_unreadable: [{ rule: "image_unreadable" }],
  too_many_pixels: [{ rule: "too_many_pixels", max_megapixels: 40 }],
  unreadable: [
    { rule: "unreadable", expected: "amount" },
    { rule: "unreadable", expected: "whole_number" },
    { rule: "unreadable", expected: "yes_no" },
    { rule: "unreadable", expected: "modifiers" },
    { rule: "unreadable", expected: "id" },
    { rule: "unreadable", expected: "barcode" },
  ],
  csv_columns: [{ rule: "csv_columns", missing: ["price"], unknown: ["harga"] }],
  csv_syntax: [{ rule: "csv_syntax", line: 7 }],
  no_folder: [{ rule: "no_folder" }],
  folder_unusable: [{ rule: "folder_unusable" }],
  not_a_backup: [{ rule: "not_a_backup" }],
  backup_damaged: [{ rule: "backup_damaged" }],
  backup_too_new: [{ rule: "backup_too_new" }],
  no_restore_pending: [{ rule: "no_restore_pending" }],
  backup_of_another_till: [{ rule: "backup_of_another_till" }],
  refund_exceeds_sold: [{ rule: "refund_exceeds_sold", product: "Croissant", left: 2 }],
  not_paid_with: [{ rule: "not_paid_with", method: "qris" }],
  more_than_paid_with: [{ rule: "more_than_paid_with", method: "card", left: 30_000 }],
  has_refunds: [{ rule: "has_refunds" }],
  fully_refunded: [{ rule: "fully_refunded" }],
  not_a_denomination: [{ rule: "not_a_denomination" }],
  from_another_shift: [{ rule: "from_another_shift" }],
  phone_format: [{ rule: "phone_format" }],
  email_format: [{ rule: "email_format" }],
  not_enough_points: [{ rule: "not_enough_points", held: 1234 }],
  inactive: [{ rule: "inactive" }],
  tiers_out_of_order: [{ rule: "tiers_out_of_order" }],
  not_enough_in_wallet: [{ rule: "not_enough_in_wallet", held: 20_000 }],
  offline_points_limit: [{ rule: "offline_points_limit", left: 120 }],
  offline_wallet_limit: [{ rule: "offline_wallet_limit", left: 15_000 }],
  printer_address: [{ rule: "printer_address" }],
  no_printer: [{ rule: "no_printer" }],
  not_reprintable: [{ rule: "not_reprintable" }],
  needs_member: [{ rule: "needs_member" }],
  not_whole_points: [{ rule: "not_whole_points", point_value: 100 }],
  points_not_spendable: [{ rule: "points_not_spendable" }],
  not_bought: [{ rule: "not_bought" }],
  code_format: [{ rule: "code_format" }],
  dates_out_of_order: [{ rule: "dates_out_of_order" }],
  not_started: [{ rule: "not_started", from: "2026-12-24" }],
  expired: [{ rule: "expired", until: "2026-11-30" }],
  minimum_not_reached: [{ rule: "minimum_not_reached", minimum: 50_000 }],
  usage_limit_reached: [{ rule: "usage_limit_reached" }],
  member_limit_reached: [{ rule: "member_limit_reached" }],
  customer_group: [{ rule: "customer_group", group: "new" }, { rule: "customer_group", group: "regular" }, { rule: "customer_group", group: "vip" }],
  nothing_to_discount: [{ rule: "nothing_to_discount" }],
  out_of_stock: [{ rule: "out_of_stock" }],
  free_item: [{ rule: "free_item" }],
};
const RULES: Rule[] = Object.values(rules).flat();

/** Every kind, with every value of its parameters that has its own words. */
const errors: { [K in CommandError["kind"]]: Extract<CommandError, { kind: K }>[] } = {
  invalid: FIELDS.flatMap((field) => RULES.map((rule) => ({ kind: "invalid" as const, data: { field, rule } }))),
  not_found: ENTITIES.map((entity) => ({ kind: "not_found", data: { entity } })),
  duplicate: FIELDS.map((field) => ({ kind: "duplicate", data: { field, value: "8991234567890" } })),
  insufficient_stock: [{ kind: "insufficient_stock", data: { product: "Klepon", available: 1, requested: 2 } }],
  empty_ticket: [{ kind: "empty_ticket" }],
  no_open_shift: [{ kind: "no_open_shift" }],
  shift_already_open: [{ kind: "shift_already_open", data: { opened_by: "Sari", opened_at: "2026-11-21T01:00:00Z" } }],
  ticket_of_another: [{ kind: "ticket_of_another", data: { owner: "Budi" } }],
  unsent_entries: [{ kind: "unsent_entries", data: { count: 12 } }],
  underpaid: [{ kind: "underpaid", data: { due: 2500, paid: 2000 } }],
  overpaid: [{ kind: "overpaid", data: { due: 2500, non_cash: 3100 } }],
  invalid_transition: [
    { kind: "invalid_transition", data: { from: "ready", to: "pending" } },
    { kind: "invalid_transition", data: { from: "completed", to: "cancelled" } },
    { kind: "invalid_transition", data: { from: "preparing", to: "completed" } },
  ],
  already_set_up: [{ kind: "already_set_up" }],
  forbidden: PERMISSIONS.flatMap((permission) =>
    ROLES.flatMap((role) => [true, false].map((needs_approval) => ({ kind: "forbidden" as const, data: { permission, role, needs_approval } }))),
  ),
  signed_out: [{ kind: "signed_out" }],
  wrong_pin: [{ kind: "wrong_pin", data: { attempts_left: 2 } }],
  locked_out: [{ kind: "locked_out", data: { until: "2026-11-21T07:15:00Z" } }],
  overflow: [{ kind: "overflow" }],
  sync: (
    ["address", "unreachable", "enrolment_refused", "rate_limited", "newer_server", "unauthorized", "refused"] satisfies SyncProblem[]
  ).map((problem) => ({ kind: "sync" as const, data: { problem } })),
  internal: [{ kind: "internal", data: { message: "database is locked" } }],
};
const ALL: CommandError[] = Object.values(errors).flat();

const MONEY = { IDR: IDR_MONEY, USD: USD_MONEY };
const LANGS: Lang[] = ["id", "en"];

/** The core's English (its Display wording), and English words no Indonesian sentence uses. */
const ENGLISH = [
  "must", "at most", "not found", "may not", "payments of", "characters", "sign in first", "too large", "appears twice",
  "belongs", "does not exist", "unknown", "not an id", "choose", "no longer", "options", "cost less", "printable",
  "three-letter", "language tag", "capital letters", "digits", "active admin", "file", "picture", "cannot", "megapixels",
  "already", "in use", "not enough", "empty", "exceed", "become", "set up", "wrong", "locked", "amount",
  "something went wrong", "control", "between", "above", "negative", "zero", "waste", "stock", "tracked", "warning",
  "the", "is", "are", "not", "of", "to", "and", "or", "for", "than", "with", "left", "paid", "due", "nobody", "order",
];
const englishIn = (text: string) => ENGLISH.filter((w) => new RegExp(`(^|[^\\p{L}])${w}([^\\p{L}]|$)`, "iu").test(text));

const KEYS = Object.keys(dictionaries.en);

function name(e: CommandError): string {
  return JSON.stringify(e);
}

describe("describeError walks every error the till can show", () => {
  it("has examples of every kind, rule, field, entity, permission and role", () => {
    for (const [kind, list] of Object.entries(errors)) expect(list.length, kind).toBeGreaterThan(0);
    expect(errors.invalid).toHaveLength(FIELDS.length * RULES.length);
    expect(englishIn("Nama: at most 60 characters")).toEqual(["at most", "characters"]);
  });

  for (const [currency, money] of Object.entries(MONEY)) {
    it(`words each one in both languages, with no key or placeholder left (${currency})`, () => {
      for (const e of ALL) {
        const out = Object.fromEntries(LANGS.map((lang) => [lang, describeError(e, lang, money, "Asia/Jakarta")])) as Record<Lang, string>;
        for (const lang of LANGS) {
          const text = out[lang];
          expect(text.trim(), name(e)).not.toBe("");
          expect(text, name(e)).not.toMatch(/\{\w*\}|undefined|NaN|\[object|null/);
          expect(KEYS.filter((k) => text.includes(k)), `${lang} ${name(e)}: ${text}`).toEqual([]);
        }
        expect(out.id, name(e)).not.toBe(out.en);
        // Only `internal` shows the core's text, after a sentence of the user's own language.
        const id = e.kind === "internal" ? out.id.replace(e.data.message, "") : out.id;
        expect(englishIn(id), `${name(e)}: ${out.id}`).toEqual([]);
      }
    });
  }

  it("names the field in the user's language", () => {
    const tooLong: CommandError = { kind: "invalid", data: { field: "name", rule: { rule: "too_long", max: 60 } } };
    expect(describeError(tooLong, "id", IDR_MONEY)).toBe("Nama: paling banyak 60 karakter");
    expect(describeError(tooLong, "en", IDR_MONEY)).toBe("Name: at most 60 characters");
    for (const field of FIELDS) {
      for (const lang of LANGS) {
        const text = describeError({ kind: "invalid", data: { field, rule: { rule: "required" } } }, lang, IDR_MONEY);
        const [named] = text.split(": ");
        expect(named, text).toBe(dictionaries[lang][`field.${field}`]);
        expect(named, text).not.toContain("_");
      }
    }
  });

  it.each([
    ["USD", USD_MONEY, ["$25.00", "$20.00", "$5.00"], ["$25.00", "$31.00"], ["$123.45", "$100.00"], ["$0.01", "$10,000.00"]],
    ["IDR", IDR_MONEY, ["Rp 2.500", "Rp 2.000", "Rp 500"], ["Rp 2.500", "Rp 3.100"], ["Rp 12.345", "Rp 10.000"], ["Rp 1", "Rp 1.000.000"]],
  ] as const)("formats every amount with the shop's money format (%s)", (_, money, under, over, discount, rounding) => {
    const cases: [CommandError, readonly string[], RegExp][] = [
      [{ kind: "underpaid", data: { due: 2500, paid: 2000 } }, under, /2500|2000/],
      [{ kind: "overpaid", data: { due: 2500, non_cash: 3100 } }, over, /2500|3100/],
      [{ kind: "invalid", data: { field: "discount", rule: { rule: "discount_exceeds", discount: 12345, base: 10000 } } }, discount, /12345|10000/],
      [{ kind: "invalid", data: { field: "cash_rounding", rule: { rule: "out_of_range", min: 1, max: 1000000 } } }, rounding, /1000000/],
    ];
    for (const [e, amounts, raw] of cases) {
      for (const lang of LANGS) {
        const text = describeError(e, lang, money);
        for (const a of amounts) expect(text, text).toContain(a);
        expect(text, text).not.toMatch(raw);
      }
    }
  });

  it("gives percentages from basis points and counts in the user's language", () => {
    const e: CommandError = { kind: "invalid", data: { field: "tax_rate", rule: { rule: "percent_range", min_bp: 0, max_bp: 1050 } } };
    expect(describeError(e, "id", IDR_MONEY)).toBe("Tarif pajak: harus dari 0% sampai 10,5%");
    expect(describeError(e, "en", IDR_MONEY)).toBe("Tax rate: must be from 0% to 10.5%");
    const sort: CommandError = { kind: "invalid", data: { field: "sort_order", rule: { rule: "out_of_range", min: -1000000, max: 1000000 } } };
    expect(describeError(sort, "id", USD_MONEY)).toBe("Urutan: harus dari -1.000.000 sampai 1.000.000");
  });

  it("names roles, permissions, things and order statuses as the till does", () => {
    const cancel: CommandError = { kind: "forbidden", data: { permission: "cancel_order", role: "cashier", needs_approval: false } };
    expect(describeError(cancel, "id", IDR_MONEY)).toBe("Kasir tidak boleh membatalkan pesanan.");
    expect(describeError(cancel, "en", IDR_MONEY)).toBe("Cashiers may not cancel orders.");
    const discount: CommandError = { kind: "forbidden", data: { permission: "discount", role: "cashier", needs_approval: true } };
    expect(describeError(discount, "id", IDR_MONEY)).toBe("Kasir tidak boleh memberi diskon. Manajer atau admin dapat menyetujuinya.");
    expect(describeError({ kind: "not_found", data: { entity: "product" } }, "id", IDR_MONEY)).toBe("Produk itu sudah tidak ada.");
    const step: CommandError = { kind: "invalid_transition", data: { from: "ready", to: "pending" } };
    expect(describeError(step, "id", IDR_MONEY)).toBe("Pesanan berstatus “Siap” tidak bisa diubah menjadi “Menunggu”.");
    expect(describeError(step, "en", IDR_MONEY)).toBe("An order that is “Ready” cannot move to “Pending”.");
    expect(describeError({ kind: "locked_out", data: { until: "2026-11-21T07:15:00Z" } }, "id", IDR_MONEY, "Asia/Jakarta")).toBe(
      "Terkunci sampai 14:15:00.",
    );
  });

  it("shows the core's text only for internal faults, after a translated sentence", () => {
    const e: CommandError = { kind: "internal", data: { message: "disk I/O error" } };
    expect(describeError(e, "id", IDR_MONEY)).toBe("Terjadi kesalahan: disk I/O error");
    expect(describeError(e, "en", IDR_MONEY)).toBe("Something went wrong: disk I/O error");
  });

  it("recognises every kind, including those without parameters, and which need a manager", () => {
    for (const e of ALL) {
      expect(commandError(e), name(e)).toBe(e);
      expect(commandError(new ApiError(e)), name(e)).toBe(e);
      expect(needsApproval(e), name(e)).toBe(e.kind === "forbidden" && e.data.needs_approval);
    }
    expect(commandError({ kind: "validation", data: { message: "x" } })).toBeNull();
    expect(describeError({ kind: "empty_ticket" }, "id", IDR_MONEY)).toBe("Tiket masih kosong.");
    expect(invalidField({ kind: "invalid", data: { field: "reason", rule: { rule: "required" } } })).toBe("reason");
    expect(invalidField({ kind: "overflow" })).toBeNull();
  });
});

describe("errors on screen, in Indonesian", () => {
  beforeEach(() => {
    resetApp("id");
    vi.mocked(invoke).mockReset();
  });

  it("a toast on the sell screen names the field the core refused", async () => {
    sale.ticket = ticket([line({ id: "l1", product_name: "Klepon" })]);
    routeIpc(invoke, {
      listCategories: () => [],
      listProducts: () => [],
      setTicketInfo: () => fail({ kind: "invalid", data: { field: "label", rule: { rule: "too_long", max: 60 } } }),
    });
    render(Sell);
    render(Toasts);
    const label = screen.getByTestId("ticket-label") as HTMLInputElement;
    await fireEvent.focus(label);
    await fireEvent.input(label, { target: { value: "M".repeat(61) } });
    await fireEvent.blur(label);
    const toast = await screen.findByTestId("error-toast");
    expect(toast).toHaveTextContent("Meja / nama: paling banyak 60 karakter");
  });

  it("the approval dialog says what needs approving, from the permission", async () => {
    routeIpc(invoke, { listStaff: () => [{ id: "m1", name: "Budi", role: "manager", active: true }] });
    render(ApprovalDialog, { request: { permission: "cancel_order", failed: null, resolve: () => {} } });
    expect(screen.getByTestId("approval-message")).toHaveTextContent("Perlu PIN manajer atau admin untuk membatalkan pesanan.");
  });

  it("a cancel reason the core refuses is shown under the reason", async () => {
    routeIpc(invoke, {
      ordersToday: () => [
        {
          id: "1", receipt_no: "T01-000001", order_type: "dine_in", label: "", status: "pending", next_status: "preparing",
          cancellable: true, total: 18000, refunded: 0, money_format: IDR_MONEY, items: 1, created_at: "2026-11-21T05:00:00Z",
          lines: [{ name: "Klepon", quantity: 1, modifiers: [], note: "" }],
          delivery_address: null, ready_to_send: false, out_for_delivery: false,
        },
      ],
      cancelOrder: () => fail({ kind: "invalid", data: { field: "reason", rule: { rule: "control_characters" } } }),
    });
    render(OrdersBoard);
    render(Toasts);
    await fireEvent.click(await screen.findByTestId("cancel-order"));
    const dialog = screen.getByTestId("cancel-dialog");
    await fireEvent.input(within(dialog).getByTestId("cancel-reason"), { target: { value: "salah\tpesan" } });
    await fireEvent.click(within(dialog).getByTestId("confirm-cancel"));
    await vi.waitFor(() =>
      expect(within(dialog).getByTestId("cancel-reason-error")).toHaveTextContent(
        "Alasan: tidak boleh berisi tab, baris baru, atau karakter kontrol lain",
      ),
    );
    expect(screen.queryByTestId("error-toast")).toBeNull();
  });
});
