import { vi } from "vitest";
import type { Settings, Ticket_Serialize, TicketLine_Serialize } from "../src/bindings";
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
};

type Handler = (args: any) => unknown;

/** Routes mocked `invoke(cmd, args)` calls to handlers by command name; a thrown object is a CommandError. */
export function routeIpc(invoke: unknown, handlers: Record<string, Handler>) {
  vi.mocked(invoke as (cmd: string, args?: unknown) => Promise<unknown>).mockImplementation(async (cmd: string, args?: unknown) => {
    const h = handlers[cmd];
    if (!h) throw { kind: "internal", data: { message: `no mock for ${cmd}` } };
    return h(args);
  });
}

export function resetApp(lang: "en" | "id" = "en") {
  session.settings = IDR;
  chrome.lang = lang;
  session.actor = { id: "s1", name: "Sari", role: "cashier" };
  sale.ticket = null;
  chrome.toasts = [];
  chrome.modals = [];
  approval.request = null;
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
    totals: zeroTotals,
    stock: null,
    product_active: true,
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
    discount: null,
    discount_approved_by: null,
    lines,
    totals: {
      lines: lines.map((l) => l.totals),
      gross: 0,
      line_discounts: 0,
      subtotal: 0,
      order_discount: 0,
      service: 0,
      tax: 0,
      rounding: 0,
      total: 0,
      ...totals,
    },
    created_at: "2026-11-21T05:00:00Z",
  };
}
