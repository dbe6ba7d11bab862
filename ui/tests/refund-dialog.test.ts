/**
 * Refunds at the till: the order's lines with what is left, the core's quote for what is
 * chosen, the request as the core receives it (quantities, stock or waste, reason, method), a
 * cashier's refund going to a manager's PIN, and finding an order by its receipt number.
 */
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { invoke } from "@tauri-apps/api/core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { RefundableOrder_Serialize, RefundRequest, Refund_Serialize } from "../src/bindings";
import OrdersBoard from "../src/features/board/OrdersBoard.svelte";
import RefundDialog from "../src/features/refund/RefundDialog.svelte";
import Scanner from "../src/features/sell/Scanner.svelte";
import { approval } from "../src/stores/approval.svelte";
import { chrome, router } from "../src/stores/chrome.svelte";
import { IDR_MONEY, order, resetApp } from "./fixtures";
import { fail, routeIpc } from "./ipc";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

function refundable(p: Partial<RefundableOrder_Serialize> = {}): RefundableOrder_Serialize {
  return {
    order: order({
      id: "o1",
      receipt_no: "T01-000007",
      total: 69_300,
      payments: [{ method: "qris", amount: 69_300, tendered: 69_300, change: 0, reference: "QR-9" }],
    }),
    money_format: IDR_MONEY,
    lines: [
      { line: 0, product_name: "Croissant", modifiers: [], sold: 2, refunded: 0, left: 2, total: 50_820, tracked: true },
      { line: 1, product_name: "Kopi Susu", modifiers: ["Less sugar"], sold: 1, refunded: 1, left: 0, total: 18_480, tracked: false },
    ],
    refunds: [],
    refunded: 18_500,
    left: 50_800,
    methods: [{ method: "qris", paid: 69_300, left: 50_800 }],
    ...p,
  };
}

function made(request: RefundRequest): Refund_Serialize {
  return {
    id: "r1",
    refund_no: "T01-R000002",
    order_id: request.order_id,
    receipt_no: "T01-000007",
    terminal: "T01",
    shift_id: "sh1",
    staff_name: "Sari",
    approved_by: "Budi",
    reason: request.reason,
    gross: 22_000,
    discount: 0,
    service: 1_100,
    tax: 2_310,
    rounding: 0,
    total: 25_400,
    business_date: "2026-11-21",
    created_at: "2026-11-21T05:00:00Z",
    lines: [],
    payments: [{ method: request.method, amount: 25_400, reference: request.reference ?? null }],
  };
}

describe("the refund dialog", () => {
  beforeEach(() => resetApp("en"));

  it("quotes what is chosen and sends exactly that, with stock, reason and method", async () => {
    const quoted: number[][] = [];
    const sent: RefundRequest[] = [];
    routeIpc(invoke, {
      refundableOrder: () => refundable(),
      quoteRefund: (_order, lines) => {
        quoted.push(lines.map((l) => l.quantity));
        return { lines: [], gross: 22_000, discount: 0, service: 1_100, tax: 2_310, rounding: -10, total: 25_400 };
      },
      refund: (request) => {
        sent.push(request);
        return made(request);
      },
    });
    const done = vi.fn();
    render(RefundDialog, { orderId: "o1", onclose: () => {}, ondone: done });
    const lines = await screen.findAllByTestId("refund-line");
    expect(lines).toHaveLength(2);
    expect(lines[1].textContent).toMatch(/All refunded/);
    expect(within(lines[1]).queryByTestId("refund-plus")).toBeNull();
    expect(screen.getByTestId("refunded-so-far").textContent).toMatch(/Rp 18\.500/);
    const confirm = screen.getByTestId("refund-confirm") as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);

    await fireEvent.click(within(lines[0]).getByTestId("refund-plus"));
    await vi.waitFor(() => expect(confirm.textContent).toMatch(/Refund Rp 25\.400/));
    expect(quoted).toEqual([[1]]);
    expect(screen.getByTestId("refund-includes").textContent).toMatch(/tax Rp 2\.310 and service Rp 1\.100/);
    // Thrown away instead of back to stock; money back to the QRIS it was paid with.
    await fireEvent.click(within(lines[0]).getByTestId("refund-restock"));
    await fireEvent.input(screen.getByTestId("refund-reason"), { target: { value: "Gosong" } });
    await fireEvent.click(screen.getByTestId("refund-method-qris"));
    await fireEvent.input(screen.getByTestId("refund-reference"), { target: { value: "REV-1" } });
    await fireEvent.click(confirm);
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toEqual({
      order_id: "o1",
      lines: [{ line: 0, quantity: 1, restock: false }],
      reason: "Gosong",
      method: "qris",
      reference: "REV-1",
    });
    await vi.waitFor(() => expect(done).toHaveBeenCalled());
    expect(chrome.toasts.map((x) => x.text).join()).toMatch(/T01-R000002: Rp 25\.400 given back/);
  });

  it("asks a manager's PIN when the cashier may not refund, and shows the core's refusal by its field", async () => {
    let tries = 0;
    routeIpc(invoke, {
      refundableOrder: () => refundable(),
      quoteRefund: () => ({ lines: [], gross: 0, discount: 0, service: 0, tax: 0, rounding: 0, total: 25_400 }),
      listStaff: () => [{ id: "m1", name: "Budi", role: "manager", active: true }],
      refund: (_request, given) => {
        tries++;
        if (!given) fail({ kind: "forbidden", data: { permission: "refund", role: "cashier", needs_approval: true } });
        fail({ kind: "invalid", data: { field: "quantity", rule: { rule: "refund_exceeds_sold", product: "Croissant", left: 1 } } });
      },
    });
    render(RefundDialog, { orderId: "o1", onclose: () => {} });
    const lines = await screen.findAllByTestId("refund-line");
    await fireEvent.click(within(lines[0]).getByTestId("refund-plus"));
    await fireEvent.input(screen.getByTestId("refund-reason"), { target: { value: "Salah" } });
    await vi.waitFor(() => expect((screen.getByTestId("refund-confirm") as HTMLButtonElement).disabled).toBe(false));
    await fireEvent.click(screen.getByTestId("refund-confirm"));
    await vi.waitFor(() => expect(approval.request?.permission).toBe("refund"));
    approval.request?.resolve({ staff_id: "m1", pin: "2222" });
    await vi.waitFor(() => expect(screen.getByTestId("refund-lines-error").textContent).toMatch(/only 1 of Croissant are left to refund/));
    expect(tries).toBe(2);
  });

  it("refuses nothing silently: a cancelled order says so and offers no refund", async () => {
    routeIpc(invoke, { refundableOrder: () => refundable({ order: order({ id: "o1", status: "cancelled" }) }) });
    render(RefundDialog, { orderId: "o1", onclose: () => {} });
    const dialog = await screen.findByTestId("refund-dialog");
    await vi.waitFor(() => expect(dialog.textContent).toMatch(/cancelled: nothing to refund/));
    expect(screen.queryByTestId("refund-confirm")).toBeNull();
  });
});

describe("finding an order to refund", () => {
  beforeEach(() => resetApp("id"));

  it("says when no order has the number, and opens the refund of one that does", async () => {
    routeIpc(invoke, {
      ordersToday: () => [],
      findOrder: (no) => {
        if (no.trim().toUpperCase() !== "T01-000007") fail({ kind: "not_found", data: { entity: "order" } });
        return order({ id: "o1", receipt_no: "T01-000007" });
      },
      refundableOrder: () => refundable(),
    });
    render(OrdersBoard);
    const input = screen.getByTestId("find-receipt");
    await fireEvent.input(input, { target: { value: "T01-999" } });
    await fireEvent.click(screen.getByTestId("find-receipt-go"));
    expect((await screen.findByTestId("find-error")).textContent).toBe("Tidak ada pesanan dengan nomor struk itu.");
    await fireEvent.input(input, { target: { value: " t01-000007" } });
    await fireEvent.click(screen.getByTestId("find-receipt-go"));
    const dialog = await screen.findByTestId("refund-dialog");
    await vi.waitFor(() => expect(dialog.textContent).toMatch(/Pengembalian T01-000007/));
  });

  /** Keys as a scanner types them (no time between), ended with Enter, into `target`. */
  async function scan(target: Element, code: string) {
    for (const ch of code) await fireEvent.keyDown(target, { key: ch });
    await fireEvent.keyDown(target, { key: "Enter" });
  }

  it("opens the refund of a scanned receipt, from the selling screen too", async () => {
    routeIpc(invoke, {
      ordersToday: () => [],
      findOrder: (no) => order({ id: "o1", receipt_no: no }),
      refundableOrder: () => refundable(),
      productByBarcode: () => fail({ kind: "not_found", data: { entity: "barcode" } }),
    });
    router.reset("sell");
    render(Scanner);
    render(OrdersBoard);
    await scan(document.body, "T01-000007");
    const dialog = await screen.findByTestId("refund-dialog");
    await vi.waitFor(() => expect(dialog.textContent).toMatch(/Pengembalian T01-000007/));
    expect(router.path).toBe("board");
    expect(invoke).toHaveBeenCalledWith("find_order", { receiptNo: "T01-000007" });
    expect(invoke).not.toHaveBeenCalledWith("product_by_barcode", expect.anything());
    expect(chrome.refundOrder).toBeNull();
  });

  it("looks a receipt-shaped code no order has up as a product, and a product code never as a receipt", async () => {
    const asked: string[] = [];
    routeIpc(invoke, {
      ordersToday: () => [],
      findOrder: (no) => {
        asked.push(no);
        return fail({ kind: "not_found", data: { entity: "order" } });
      },
      productByBarcode: () => fail({ kind: "not_found", data: { entity: "barcode" } }),
    });
    router.reset("sell");
    render(Scanner);
    await scan(document.body, "AB-123456");
    await vi.waitFor(() => expect(invoke).toHaveBeenCalledWith("product_by_barcode", { code: "AB-123456" }));
    await scan(document.body, "8991234567890");
    await vi.waitFor(() => expect(invoke).toHaveBeenCalledWith("product_by_barcode", { code: "8991234567890" }));
    expect(asked).toEqual(["AB-123456"]);
    expect(router.path).toBe("sell");
    expect(screen.queryByTestId("refund-dialog")).toBeNull();
  });
});
