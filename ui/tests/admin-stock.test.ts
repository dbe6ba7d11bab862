/**
 * Admin mode's stock: the alerts list (resolve, adjust), the stock count (typed quantities
 * kept across searches, saved in one call), the stock dialog (waste always takes away; the
 * ledger's balances), and the top bar's badges and notifications.
 */
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { invoke } from "@tauri-apps/api/core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { CountLine, Notice_Serialize as Notice, ProductRow_Serialize, StockAlert_Serialize as StockAlert } from "../src/bindings";
import Admin from "../src/features/admin/Admin.svelte";
import { badges } from "../src/features/notices/badges.svelte";
import TopBar from "../src/features/shell/TopBar.svelte";
import { session } from "../src/stores/session.svelte";
import { product, resetApp, syncStatus } from "./fixtures";
import { fail, routeIpc } from "./ipc";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

const BUDI = { id: "m1", name: "Budi", role: "manager" as const };

const alert = (id: number, name: string, level: string, now: number): StockAlert => ({
  id,
  product_id: `p${id}`,
  product_name: name,
  level,
  stock_then: now,
  stock_now: now,
  raised_at: "2026-11-21T03:00:00Z",
  resolved_at: null,
  resolved_by: null,
});

const row = (id: string, name: string, stock: number): ProductRow_Serialize => ({
  id,
  name,
  category_id: "c1",
  category_name: "Kopi",
  price: 10_000,
  stock,
  stock_level: "ok",
  active: true,
  available: true,
  featured: false,
  barcode: null,
  popularity: 0,
  image_id: null,
  updated_at: "2026-11-21T03:00:00Z",
});

function backend() {
  const calls: string[] = [];
  let open = [alert(1, "Croissant", "out", 0), alert(2, "Roti Sobek", "warning", 4)];
  const products = [row("a", "Croissant", 0), row("b", "Roti Sobek", 4), row("c", "Donat", 12)];
  let unread = 2;
  routeIpc(invoke, {
    listAllCategories: () => [{ id: "c1", name: "Kopi", sort_order: 10, active: true }],
    productTable: (q) => {
      const rows = products.filter((p) => !q.text || p.name.toLowerCase().includes(q.text.toLowerCase()));
      return { rows, total: rows.length };
    },
    stockAlerts: () => open,
    resolveAlert: (id) => {
      calls.push(`resolve ${id}`);
      open = open.filter((a) => a.id !== id);
      return null;
    },
    badges: () => ({ unread, open_alerts: open.length }),
    countStock: (lines: CountLine[], note) => {
      calls.push(`count ${lines.map((l) => `${l.product_id}=${l.counted}/${l.expected}`).join(",")} ${note}`);
      return lines.map((l) => ({ product_id: l.product_id, name: l.product_id, before: 0, counted: l.counted, delta: l.counted }));
    },
    product: (id) => product({ id, name: "Croissant", stock: 5 }),
    stockHistory: () => ({
      entries: [
        { seq: 3, at: "2026-11-21T04:00:00Z", delta: -2, reason: "waste", note: "jatuh", staff_name: "Budi", receipt_no: null, balance: 5 },
        { seq: 2, at: "2026-11-21T03:30:00Z", delta: -3, reason: "sale", note: "", staff_name: "Sari", receipt_no: "T01-000001", balance: 7 },
        { seq: 1, at: "2026-11-21T03:00:00Z", delta: 10, reason: "restock", note: "", staff_name: "Budi", receipt_no: null, balance: 10 },
      ],
      more: false,
    }),
    adjustStock: (id, delta, reason, note) => {
      calls.push(`adjust ${id} ${delta} ${reason} ${note}`);
      if (delta < -100) fail({ kind: "insufficient_stock", data: { product: "Croissant", available: 5, requested: -delta } });
      return product({ id, name: "Croissant", stock: 5 + delta });
    },
    notices: (): Notice[] => [
      { id: 2, kind: "stock_alert", detail: { product_name: "Croissant", level: "out", stock: 0 }, created_at: "2026-11-21T04:00:00Z", read: unread === 0 },
      { id: 1, kind: "stock_alert", detail: { product_name: "Roti Sobek", level: "warning", stock: 4 }, created_at: "2026-11-21T03:00:00Z", read: unread === 0 },
    ],
    markNoticesRead: (id) => {
      calls.push(`read ${id}`);
      const n = unread;
      unread = 0;
      return n;
    },
  });
  return calls;
}

async function openStock() {
  render(Admin);
  await fireEvent.click(screen.getByTestId("admin-nav-stock"));
}

describe("admin mode: stock", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
    session.actor = BUDI;
    badges.openAlerts = 0;
    badges.unread = 0;
  });

  it("lists open alerts worst first and resolves one", async () => {
    const calls = backend();
    badges.openAlerts = 2;
    await openStock();
    expect(screen.getByTestId("nav-alerts")).toHaveTextContent("2");
    const rows = await screen.findAllByTestId("alert-row");
    expect(rows.map((r) => r.dataset.level)).toEqual(["out", "warning"]);
    expect(rows[0]).toHaveTextContent("Sold out");
    await fireEvent.click(within(rows[0]).getByTestId("alert-resolve"));
    await vi.waitFor(() => expect(screen.getAllByTestId("alert-row").map((r) => r.dataset.name)).toEqual(["Roti Sobek"]));
    expect(calls).toEqual(["resolve 1"]);
    await vi.waitFor(() => expect(badges.openAlerts).toBe(1));
  });

  it("counts stock across searches and saves the typed lines in one call", async () => {
    const calls = backend();
    await openStock();
    await fireEvent.click(screen.getByTestId("stock-tab-count"));
    const input = (name: string) => within(screen.getByTestId("count-table")).getByLabelText(`Counted: ${name}`);
    await vi.waitFor(() => expect(screen.getAllByTestId("count-row")).toHaveLength(3));
    expect(screen.getByTestId("count-save")).toBeDisabled();
    await fireEvent.input(input("Donat"), { target: { value: "9" } });
    const donat = screen.getAllByTestId("count-row").find((r) => r.dataset.name === "Donat")!;
    expect(within(donat).getByTestId("count-diff")).toHaveTextContent("-3");
    // A search keeps what was typed for products it hides.
    await fireEvent.input(screen.getByTestId("count-search"), { target: { value: "roti" } });
    await vi.waitFor(() => expect(screen.getAllByTestId("count-row")).toHaveLength(1));
    await fireEvent.input(input("Roti Sobek"), { target: { value: "abc" } });
    expect(screen.getByTestId("count-save")).toBeDisabled();
    await fireEvent.input(input("Roti Sobek"), { target: { value: "6" } });
    expect(screen.getByTestId("count-save")).toHaveTextContent("2 products");
    await fireEvent.input(screen.getByTestId("count-note"), { target: { value: "opname malam" } });
    await fireEvent.click(screen.getByTestId("count-save"));
    await vi.waitFor(() => expect(calls).toEqual(["count c=9/12,b=6/4 opname malam"]));
  });

  it("adjusts from an alert: waste always takes away, and the ledger shows the balances", async () => {
    const calls = backend();
    await openStock();
    const rows = await screen.findAllByTestId("alert-row");
    await fireEvent.click(within(rows[0]).getByTestId("alert-adjust"));
    const dialog = await screen.findByTestId("stock-dialog");
    await vi.waitFor(() => expect(within(dialog).getAllByTestId("ledger-row")).toHaveLength(3));
    const balances = within(dialog).getAllByTestId("ledger-balance").map((b) => b.textContent);
    expect(balances).toEqual(["5", "7", "10"]);
    // An older reason reads as today's name for it.
    expect(within(dialog).getAllByTestId("ledger-row")[2]).toHaveTextContent("Received");
    expect(within(dialog).getAllByTestId("ledger-row")[1]).toHaveTextContent("T01-000001");
    await fireEvent.change(within(dialog).getByTestId("adj-reason"), { target: { value: "waste" } });
    await fireEvent.input(within(dialog).getByTestId("adj-delta"), { target: { value: "3" } });
    await fireEvent.input(within(dialog).getByTestId("adj-note"), { target: { value: "basi" } });
    await fireEvent.click(within(dialog).getByTestId("adj-apply"));
    await vi.waitFor(() => expect(calls).toEqual(["adjust p1 -3 waste basi"]));
    await vi.waitFor(() => expect(within(dialog).getByTestId("stock-now")).toHaveTextContent("2"));
    // Not a whole number: said at the field, nothing sent.
    await fireEvent.input(within(dialog).getByTestId("adj-delta"), { target: { value: "1.5" } });
    await fireEvent.click(within(dialog).getByTestId("adj-apply"));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("whole number");
    expect(calls).toHaveLength(1);
  });

  it("shows unread notifications on the top bar and marks them all read", async () => {
    const calls = backend();
    render(TopBar);
    const badge = await screen.findByTestId("unread-badge");
    expect(badge).toHaveTextContent("2");
    expect(await screen.findByTestId("alerts-badge")).toHaveTextContent("2");
    await fireEvent.click(screen.getByTestId("notices-button"));
    const dialog = await screen.findByTestId("notices-dialog");
    const notices = await within(dialog).findAllByTestId("notice");
    expect(notices[0]).toHaveTextContent("Croissant: Sold out, 0 left");
    expect(notices[0].dataset.read).toBe("false");
    await fireEvent.click(within(dialog).getByTestId("notices-read-all"));
    await vi.waitFor(() => expect(calls).toEqual(["read null"]));
    await vi.waitFor(() => expect(screen.queryByTestId("unread-badge")).toBeNull());
  });

  it("words a failed backup, an import that stopped part way, and coupons and vouchers ending soon", async () => {
    backend();
    routeIpc(invoke, {
      syncStatus: () => syncStatus(0),
      badges: () => ({ unread: 2, open_alerts: 0 }),
      notices: (): Notice[] => [
        { id: 9, kind: "import_failed", detail: { reason: "disk full", rows_done: 50, line: 52 }, created_at: "2026-11-21T04:00:00Z", read: false },
        { id: 8, kind: "backup_failed", detail: { reason: "the folder cannot be written" }, created_at: "2026-11-21T03:00:00Z", read: false },
        { id: 7, kind: "coupon_expiring", detail: { coupon_code: "HEMAT20", coupon_name: "Hemat 20%", until: "2026-11-28" }, created_at: "2026-11-21T02:00:00Z", read: false },
        { id: 6, kind: "voucher_expiring", detail: { voucher_name: "Gratis 1 kue", until: "2026-11-27" }, created_at: "2026-11-21T01:00:00Z", read: false },
      ],
    });
    render(TopBar);
    await fireEvent.click(await screen.findByTestId("notices-button"));
    const notices = await within(await screen.findByTestId("notices-dialog")).findAllByTestId("notice");
    expect(notices[0]).toHaveTextContent("A menu import stopped after 50 rows, at line 52: disk full. Import the same file again");
    expect(notices[1]).toHaveTextContent("The daily backup failed: the folder cannot be written.");
    expect(notices[2]).toHaveTextContent("Coupon HEMAT20 (Hemat 20%) ends on 2026-11-28.");
    expect(notices[3]).toHaveTextContent("Voucher Gratis 1 kue ends on 2026-11-27: members holding one should use it by then.");
  });
});
