import type {
  Actor,
  AppStatus_Serialize,
  MoneyFormat,
  Order_Serialize,
  Product_Serialize,
  ReceiptView_Serialize,
  Settings,
  SetupOptions,
  SyncStatus_Serialize,
  Ticket_Serialize,
  TicketLine_Serialize,
} from "../src/bindings";
import { approval } from "../src/stores/approval.svelte";
import { chrome, router } from "../src/stores/chrome.svelte";
import { session } from "../src/stores/session.svelte";
import { sale } from "../src/stores/ticket.svelte";

export const IDR: Settings = {
  shop_name: "Kopi Kasir",
  shop_address: "Jl. Braga No. 12",
  currency: "IDR",
  minor_unit: 0,
  locale: "id-ID",
  time_zone: "Asia/Jakarta",
  tax_rate_bp: 1000,
  service_rate_bp: 500,
  prices_include_tax: false,
  cash_rounding: 100,
  receipt_header: "",
  receipt_footer: "",
  terminal_code: "T01",
  tax_number: "",
  auto_lock_minutes: 5,
  require_open_shift: true,
};

/** How the core writes money for IDR in id-ID (`AppStatus.money_format`): "Rp 25.000". */
export const IDR_MONEY: MoneyFormat = {
  symbol: "Rp",
  spaced: true,
  group_separator: ".",
  decimal_separator: ",",
  minor_unit: 0,
};

/**
 * What `setup_options` answers: a few of the core's currencies (IDR first, as the core lists
 * them) and time zones, with Asia/Makassar as the machine's own.
 */
export function setupOptions(p: Partial<SetupOptions> = {}): SetupOptions {
  return {
    currencies: [
      { code: "IDR", name: "Indonesian rupiah", symbol: "Rp", spaced: true, minor_unit: 0, locale: "id-ID" },
      { code: "USD", name: "US dollar", symbol: "$", spaced: false, minor_unit: 2, locale: "en-US" },
      { code: "EUR", name: "Euro", symbol: "€", spaced: false, minor_unit: 2, locale: "de-DE" },
      { code: "JPY", name: "Japanese yen", symbol: "¥", spaced: false, minor_unit: 0, locale: "ja-JP" },
    ],
    time_zones: ["America/New_York", "Asia/Jakarta", "Asia/Makassar", "Asia/Tokyo", "Europe/Berlin", "UTC"],
    suggested_time_zone: "Asia/Makassar",
    ...p,
  };
}

export const SARI: Actor = { id: "s1", name: "Sari", role: "cashier" };

/** What `app_status` answers for a shop in use; `signed_in` is Sari unless given. */
export function status(p: Partial<AppStatus_Serialize> = {}): AppStatus_Serialize {
  return { needs_setup: false, settings: IDR, money_format: IDR_MONEY, signed_in: SARI, today: "2026-11-21", restored_from: null, restore_failed: null, ...p };
}

/** What `sync_status` answers for an enrolled till that has pulled up to `pull_cursor`. */
export function syncStatus(pull_cursor: number, p: Partial<SyncStatus_Serialize> = {}): SyncStatus_Serialize {
  return {
    enrolled: true,
    server_url: "https://kasir.example",
    store_name: "Braga",
    pending: 0,
    oldest_pending_at: null,
    last_success: "2026-11-21T03:00:10.000000000Z",
    last_error: null,
    last_error_at: null,
    quarantined: [],
    pull_cursor,
    ...p,
  };
}

export function resetApp(lang: "en" | "id" = "en") {
  session.settings = IDR;
  session.moneyFormat = IDR_MONEY;
  chrome.lang = lang;
  session.actor = SARI;
  sale.ticket = null;
  sale.choosing = null;
  chrome.toasts = [];
  chrome.modals = [];
  approval.request = null;
  approval.approvers = [];
  approval.paused = {};
  router.reset("sell");
}

const zeroTotals = { gross: 0, line_discount: 0, order_discount: 0, service: 0, tax: 0, total: 0 };

export function line(p: Partial<TicketLine_Serialize> & { id: string; product_name: string }): TicketLine_Serialize {
  return {
    product_id: "p-" + p.id,
    category_name: "Kopi",
    base_price: 0,
    modifiers: [],
    note: "",
    quantity: 1,
    unit_price: 0,
    discount: null,
    discount_approved_by: null,
    discount_limit: null,
    totals: zeroTotals,
    stock: null,
    product_active: true,
    free: false,
    ...p,
  };
}

export function ticket(lines: TicketLine_Serialize[], totals: Partial<Ticket_Serialize["totals"]> = {}): Ticket_Serialize {
  return {
    id: "t1",
    order_type: "dine_in",
    label: "Meja 4",
    parked: false,
    staff_id: "s1",
    staff_name: "Sari",
    discount: null,
    discount_approved_by: null,
    discount_limit: null,
    lines,
    totals: {
      lines: lines.map((l) => l.totals),
      gross: 0,
      line_discounts: 0,
      subtotal: 0,
      order_discount: 0,
      coupon_discount: 0,
      voucher_discount: 0,
      service: 0,
      tax: 0,
      rounding: 0,
      total: 0,
      prices_include_tax: false,
      ...totals,
    },
    created_at: "2026-11-21T05:00:00Z",
    member: null,
    coupon: null,
    voucher: null,
    delivery_address: "",
  };
}

/** A sold order as `checkout` and `advance_order` answer it. */
export function order(p: Partial<Order_Serialize> & { id: string }): Order_Serialize {
  return {
    receipt_no: "T01-000001",
    terminal: "T01",
    staff_id: "s1",
    staff_name: "Sari",
    order_type: "dine_in",
    label: "",
    status: "pending",
    subtotal: 0,
    order_discount: 0,
    service: 0,
    tax: 0,
    rounding: 0,
    total: 0,
    paid: 0,
    change: 0,
    tax_rate_bp: 0,
    service_rate_bp: 0,
    prices_include_tax: false,
    currency: "IDR",
    minor_unit: 0,
    discount_approved_by: null,
    shift_id: null,
    member_id: null,
    coupon_discount: 0,
    coupon_code: null,
    voucher_discount: 0,
    voucher: null,
    delivery_address: null,
    out_for_delivery_at: null,
    delivered_at: null,
    cancel_reason: null,
    business_date: "2026-11-21",
    created_at: "2026-11-21T05:00:00Z",
    lines: [],
    payments: [],
    ...p,
  };
}

/** A product with its modifier groups, as `product` answers it. */
export function product(p: Partial<Product_Serialize> & { id: string; name: string }): Product_Serialize {
  return {
    category_id: "c1",
    category_name: "Kopi",
    description: "",
    price: 0,
    stock: null,
    low_stock_warning: null,
    low_stock_critical: null,
    active: true,
    barcode: null,
    featured: false,
    tags: [],
    popularity: 0,
    image_id: null,
    modifier_groups: [],
    available: true,
    stock_level: "untracked",
    ...p,
  };
}

/** A receipt as `receipt` answers it, with the 58 mm text given; its money written as the core
 *  writes the order's (IDR with its minor unit, in id-ID) unless `money_format` is given. */
export function receiptView(o: Order_Serialize, text_58mm: string, money_format: MoneyFormat = { ...IDR_MONEY, minor_unit: o.minor_unit }): ReceiptView_Serialize {
  return {
    receipt: {
      shop_name: IDR.shop_name,
      shop_address: IDR.shop_address,
      tax_number: "",
      header: "",
      footer: "",
      locale: IDR.locale,
      currency: o.currency,
      minor_unit: o.minor_unit,
      money_format,
      local_time: "2026-11-21 12:00",
      order: o,
      refunds: [],
      member: null,
    },
    text_58mm,
    text_80mm: "",
  };
}
