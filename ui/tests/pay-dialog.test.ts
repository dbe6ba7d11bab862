import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
import { invoke } from "@tauri-apps/api/core";
import PayDialog from "../src/features/sell/PayDialog.svelte";
import Sell from "../src/features/sell/Sell.svelte";
import { sale } from "../src/stores/ticket.svelte";
import { line, order as sold, receiptView, resetApp, ticket } from "./fixtures";
import { fail, routeIpc } from "./ipc";
import { session } from "../src/stores/session.svelte";
import { expectAddsUp, INCL_LABELS, TAX_ADDED, TAX_INCLUDED } from "./totals";

const due = ticket([line({ id: "l1", product_name: "Croissant", quantity: 2, unit_price: 14450 })], {
  subtotal: 28900,
  total: 28900,
});

function open() {
  const onpaid = vi.fn();
  const onclose = vi.fn();
  render(PayDialog, { ticket: due, onpaid, onclose });
  return { onpaid, onclose };
}

const order = sold({ id: "o1", receipt_no: "T01-000001", change: 21100, total: 28900 });

describe("PayDialog", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  it("offers Exact and the round notes above a due of 28.900, each once", () => {
    open();
    expect(screen.getByTestId("pay-due")).toHaveTextContent(/^Rp 28\.900$/);
    const ids = screen.getAllByTestId(/^quick-/).map((b) => b.dataset.testid);
    expect(ids).toEqual(["quick-exact", "quick-30000", "quick-50000", "quick-100000"]);
    expect(screen.getByTestId("quick-30000")).toHaveTextContent("Rp 30.000");
  });

  it.each([
    ["added to the prices", false, TAX_ADDED, ["Subtotal", "Item discounts", "Order discount", "Service", "Tax", "Rounding"], []],
    ["included in the prices", true, TAX_INCLUDED, ["Subtotal", "Item discounts", "Order discount", "Rounding"], INCL_LABELS],
  ] as const)("shows what is due as a sum, tax %s", (_, included, t, addends, after) => {
    // The settings as the UI last read them say the opposite: the ticket's totals decide.
    session.settings = { ...session.settings, prices_include_tax: !included };
    expect(t.totals.prices_include_tax).toBe(included);
    render(PayDialog, { ticket: t, onpaid: vi.fn(), onclose: vi.fn() });
    const shown = expectAddsUp(screen.getByTestId("pay-totals"));
    expect(shown.sum.map((r) => r.label)).toEqual(addends);
    expect(shown.total.amount).toBe(t.totals.total);
    expect(screen.getByTestId("pay-due")).toHaveTextContent(/^Rp \d/);
    expect(shown.after.map((r) => r.label)).toEqual(after);
  });

  it("previews the change for 50.000 tendered and checks out with what was handed over", async () => {
    routeIpc(invoke, { checkout: () => order });
    const { onpaid } = open();
    await fireEvent.click(screen.getByTestId("quick-50000"));
    expect(screen.getByTestId("tendered")).toHaveValue("50000");
    expect(screen.getByTestId("change-due")).toHaveTextContent(/^Rp 21\.100$/);
    expect(screen.getByTestId("remaining-due")).toHaveTextContent(/^Rp 0$/);
    await fireEvent.click(screen.getByTestId("confirm-payment"));
    expect(invoke).toHaveBeenCalledWith("checkout", {
      ticket: "t1",
      payments: [{ method: "cash", amount: 50000, reference: null }],
      approval: null,
    });
    await vi.waitFor(() => expect(onpaid).toHaveBeenCalledWith(order));
  });

  it("previews the change for a typed amount", async () => {
    open();
    await fireEvent.input(screen.getByTestId("tendered"), { target: { value: "30000" } });
    expect(screen.getByTestId("change-due")).toHaveTextContent(/^Rp 1\.100$/);
  });

  it("splits tenders and shows the remaining due", async () => {
    routeIpc(invoke, { checkout: () => order });
    open();
    await fireEvent.click(screen.getByTestId("method-qris"));
    expect(screen.getByTestId("tendered")).toHaveValue("28900");
    await fireEvent.input(screen.getByTestId("tendered"), { target: { value: "10000" } });
    expect(screen.getByTestId("remaining-due")).toHaveTextContent(/^Rp 18\.900$/);

    // QRIS needs a reference.
    await fireEvent.click(screen.getByTestId("add-tender"));
    expect(screen.getByTestId("pay-error")).toHaveTextContent("QRIS needs a reference.");
    await fireEvent.input(screen.getByTestId("reference"), { target: { value: "QR-778" } });
    await fireEvent.click(screen.getByTestId("add-tender"));

    expect(screen.getAllByTestId("tender")).toHaveLength(1);
    expect(screen.getByTestId("tendered")).toHaveValue("");
    expect(screen.getByTestId("remaining-due")).toHaveTextContent(/^Rp 18\.900$/);
    // Quick amounts now follow what is left.
    const ids = screen.getAllByTestId(/^quick-/).map((b) => b.dataset.testid);
    expect(ids).toEqual(["quick-exact", "quick-20000", "quick-50000", "quick-100000"]);

    await fireEvent.click(screen.getByTestId("quick-20000"));
    expect(screen.getByTestId("change-due")).toHaveTextContent(/^Rp 1\.100$/);
    await fireEvent.click(screen.getByTestId("confirm-payment"));
    expect(invoke).toHaveBeenCalledWith("checkout", {
      ticket: "t1",
      payments: [
        { method: "qris", amount: 10000, reference: "QR-778" },
        { method: "cash", amount: 20000, reference: null },
      ],
      approval: null,
    });
  });

  it.each([
    ["en", "Not enough Croissant: 1 left"],
    ["id", "Stok Croissant tidak cukup: sisa 1"],
  ] as const)("shows insufficient stock from checkout (%s)", async (lang, text) => {
    resetApp(lang);
    routeIpc(invoke, {
      checkout: () => {
        fail({ kind: "insufficient_stock", data: { product: "Croissant", available: 1, requested: 2 } });
      },
    });
    const { onpaid } = open();
    await fireEvent.click(screen.getByTestId("quick-exact"));
    await fireEvent.click(screen.getByTestId("confirm-payment"));
    await vi.waitFor(() => expect(screen.getByTestId("pay-error")).toHaveTextContent(text));
    expect(screen.getByTestId("pay-error")).toBeVisible();
    expect(onpaid).not.toHaveBeenCalled();
  });

  it.each([
    ["en", "Still Rp 8.900 to pay: Rp 20.000 paid of Rp 28.900."],
    ["id", "Masih kurang Rp 8.900: dibayar Rp 20.000 dari tagihan Rp 28.900."],
  ] as const)("words an underpayment from checkout with the amounts formatted (%s)", async (lang, text) => {
    resetApp(lang);
    routeIpc(invoke, {
      checkout: () => {
        fail({ kind: "underpaid", data: { due: 28900, paid: 20000 } });
      },
    });
    open();
    await fireEvent.input(screen.getByTestId("tendered"), { target: { value: "20000" } });
    await fireEvent.click(screen.getByTestId("confirm-payment"));
    await vi.waitFor(() => expect(screen.getByTestId("pay-error")).toHaveTextContent(text));
  });

  it("confirms with Enter and picks methods with F1–F4", async () => {
    routeIpc(invoke, { checkout: () => order });
    open();
    await fireEvent.keyDown(window, { key: "F3" });
    expect(screen.getByTestId("method-qris")).toHaveAttribute("aria-checked", "true");
    await fireEvent.keyDown(window, { key: "F1" });
    expect(screen.getByTestId("method-cash")).toHaveAttribute("aria-checked", "true");
    await fireEvent.keyDown(window, { key: "Enter" });
    // An empty cash amount pays exactly.
    expect(invoke).toHaveBeenCalledWith("checkout", {
      ticket: "t1",
      payments: [{ method: "cash", amount: 28900, reference: null }],
      approval: null,
    });
  });
});

describe("the change after a sale", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it("stays on screen through a second Enter or a held one, and the sale is recorded once", async () => {
    sale.ticket = due;
    routeIpc(invoke, {
      listCategories: () => [],
      listProducts: () => [],
      checkout: () => order,
      receipt: () => receiptView(order, "Kopi Kasir\nT01-000001"),
    });
    render(Sell);
    await fireEvent.keyDown(window, { key: "F4" });
    expect(screen.getByTestId("pay-dialog")).toBeInTheDocument();
    await fireEvent.click(screen.getByTestId("quick-50000"));

    // The cashier presses Enter twice: the first pays, the second must not hide the change.
    await fireEvent.keyDown(window, { key: "Enter" });
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.getByTestId("receipt-change")).toHaveTextContent("Rp 21.100");
    await fireEvent.keyDown(window, { key: "Enter" });
    await vi.advanceTimersByTimeAsync(300);
    await fireEvent.keyDown(window, { key: "Enter" });
    await fireEvent.click(screen.getByTestId("new-sale"));
    // Nor an Escape that arrives in the same moment.
    await fireEvent.keyDown(window, { key: "Escape" });
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.getByTestId("receipt-dialog")).toBeInTheDocument();
    expect(screen.getByTestId("receipt-change")).toHaveTextContent("Rp 21.100");
    expect(screen.getByTestId("new-sale")).toBeDisabled();

    // Later, New sale is enabled and focused; an Enter held down (auto-repeat) still does
    // not close; a deliberate press does.
    await vi.advanceTimersByTimeAsync(1000);
    expect(screen.getByTestId("new-sale")).toBeEnabled();
    expect(document.activeElement).toBe(screen.getByTestId("new-sale"));
    await fireEvent.keyDown(window, { key: "Enter", repeat: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.getByTestId("receipt-dialog")).toBeInTheDocument();
    await fireEvent.keyDown(window, { key: "Enter" });
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.queryByTestId("receipt-dialog")).toBeNull();
    expect(vi.mocked(invoke).mock.calls.filter((c) => c[0] === "checkout")).toHaveLength(1);
    expect(sale.ticket).toBeNull();
  });
});

describe("PayDialog: a member's points and wallet", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  const member = { id: "m1", number: "MEM-T01-000001", name: "Dewi", tier: "silver" as const, points: 123, wallet: 15_000, notes: "", address: "", visits: 4, spent: 200_000 };

  it("offers them only with a member, prefilled with what each can pay, and sends them as tenders", async () => {
    const sent: unknown[] = [];
    routeIpc(invoke, {
      loyaltySettings: () => ({
        earn_per_amount: 10_000, point_value: 100, tier_window_months: 12, silver_from: 500, gold_from: 2000, platinum_from: 5000,
        bronze_percent: 100, silver_percent: 125, gold_percent: 150, platinum_percent: 200, expiry_months: 12,
        referral_new_points: 50, referral_giver_points: 100,
        regular_orders: 3, regular_spent: 1_000_000, vip_orders: 10, vip_spent: 10_000_000, expiry_notice_days: 7, offline_points_limit: 500, offline_wallet_limit: 100_000,
      }),
      checkout: (_t, payments) => {
        sent.push(payments);
        return order;
      },
    });
    render(PayDialog, { ticket: due, onpaid: vi.fn(), onclose: vi.fn() });
    expect(screen.queryByTestId("method-points")).toBeNull();
    expect(screen.queryByTestId("method-wallet")).toBeNull();
    document.body.innerHTML = "";

    render(PayDialog, { ticket: { ...due, member }, onpaid: vi.fn(), onclose: vi.fn() });
    expect(screen.getByTestId("balance-points").textContent).toBe("123 pts");
    expect(screen.getByTestId("balance-wallet").textContent).toBe("Rp 15.000");
    await vi.waitFor(() => expect(vi.mocked(invoke).mock.calls.some((c) => c[0] === "loyalty_settings")).toBe(true));
    await new Promise((r) => setTimeout(r, 0));
    // 123 points at Rp 100 pay Rp 12.300, in whole points; no reference asked.
    await fireEvent.click(screen.getByTestId("method-points"));
    expect((screen.getByTestId("tendered") as HTMLInputElement).value).toBe("12300");
    expect(screen.queryByTestId("reference")).toBeNull();
    await fireEvent.click(screen.getByTestId("add-tender"));
    // Rp 16.600 is left: the wallet pays all it holds, Rp 15.000.
    await fireEvent.click(screen.getByTestId("method-wallet"));
    expect((screen.getByTestId("tendered") as HTMLInputElement).value).toBe("15000");
    await fireEvent.click(screen.getByTestId("add-tender"));
    await fireEvent.input(screen.getByTestId("tendered"), { target: { value: "1600" } });
    await fireEvent.click(screen.getByTestId("confirm-payment"));
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toEqual([
      { method: "points", amount: 12_300, reference: null },
      { method: "wallet", amount: 15_000, reference: null },
      { method: "cash", amount: 1_600, reference: null },
    ]);
  });
});
