import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { invoke } from "@tauri-apps/api/core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { OrderSummary_Serialize } from "../src/bindings";
import OrdersBoard from "../src/features/board/OrdersBoard.svelte";
import { session } from "../src/stores/session.svelte";
import { IDR, IDR_MONEY, order as sold, receiptView, resetApp } from "./fixtures";
import { routeIpc } from "./ipc";
import { keepsLongTextInside } from "./layout";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

/** What the core answers for each status: the next kitchen step and whether it can be cancelled. */
const FLOW: Record<OrderSummary_Serialize["status"], Pick<OrderSummary_Serialize, "next_status" | "cancellable">> = {
  pending: { next_status: "preparing", cancellable: true },
  preparing: { next_status: "ready", cancellable: true },
  ready: { next_status: "completed", cancellable: true },
  completed: { next_status: null, cancellable: false },
  cancelled: { next_status: null, cancellable: false },
};

function order(
  id: string,
  status: OrderSummary_Serialize["status"],
  lines: OrderSummary_Serialize["lines"],
  extra: Partial<OrderSummary_Serialize> = {},
): OrderSummary_Serialize {
  return {
    id,
    receipt_no: `T01-00000${id}`,
    order_type: "dine_in",
    label: "",
    status,
    ...FLOW[status],
    total: 92400,
    refunded: 0,
    money_format: IDR_MONEY,
    items: lines.reduce((n, l) => n + l.quantity, 0),
    created_at: `2026-11-21T0${id}:00:00Z`,
    lines,
    delivery_address: null,
    ready_to_send: false,
    out_for_delivery: false,
    ...extra,
  };
}

describe("OrdersBoard", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  it("shows each order in its column with what to make", async () => {
    let orders = [
      order("1", "pending", [
        { name: "Kopi Susu Gula Aren", quantity: 2, modifiers: ["Large", "Less sugar"], note: "less ice" },
        { name: "Croissant", quantity: 1, modifiers: [], note: "" },
      ], { label: "Meja 4" }),
      order("2", "ready", [{ name: "Es Teh Manis", quantity: 3, modifiers: [], note: "" }]),
    ];
    routeIpc(invoke, {
      ordersToday: () => orders,
      advanceOrder: (id, to) => {
        orders = orders.map((o) => (o.id === id ? { ...o, status: to, ...FLOW[to] } : o));
        return sold({ id, status: to });
      },
    });
    render(OrdersBoard);
    const pending = await screen.findByTestId("orders-col-pending");
    await vi.waitFor(() => expect(within(pending).getAllByTestId("order-card")).toHaveLength(1));
    const card = within(pending).getByTestId("order-card");
    expect(card).toHaveTextContent("Meja 4");
    const lines = within(card).getAllByRole("listitem");
    expect(lines[0]).toHaveTextContent(/2×\s*Kopi Susu Gula Aren\s*Large, Less sugar\s*“less ice”/);
    expect(lines[1]).toHaveTextContent(/1×\s*Croissant$/);
    expect(within(screen.getByTestId("orders-col-ready")).getByTestId("order-card")).toHaveTextContent("3× Es Teh Manis");

    await fireEvent.click(within(card).getByTestId("advance-order"));
    expect(invoke).toHaveBeenCalledWith("advance_order", { order: "1", to: "preparing" });
    await vi.waitFor(() => expect(within(screen.getByTestId("orders-col-preparing")).getAllByTestId("order-card")).toHaveLength(1));
    expect(within(screen.getByTestId("orders-col-pending")).queryAllByTestId("order-card")).toHaveLength(0);
  });

  it("shows a copy of an order's receipt, and offers no cancel once completed", async () => {
    routeIpc(invoke, {
      ordersToday: () => [order("3", "completed", [{ name: "Croissant", quantity: 2, modifiers: [], note: "" }])],
      receipt: (id) => receiptView(sold({ id }), `Kopi Kasir\nNo: T01-00000${id}\nCroissant`),
    });
    render(OrdersBoard);
    const card = await within(await screen.findByTestId("orders-col-completed")).findByTestId("order-card");
    expect(within(card).queryByTestId("cancel-order")).toBeNull();
    expect(within(card).queryByTestId("advance-order")).toBeNull();
    await fireEvent.click(within(card).getByTestId("view-receipt"));
    expect(invoke).toHaveBeenCalledWith("receipt", { order: "3" });
    const dialog = await screen.findByTestId("receipt-dialog");
    expect(dialog).toHaveTextContent("Receipt · T01-000003");
    await vi.waitFor(() => expect(within(dialog).getByTestId("receipt")).toHaveTextContent("No: T01-000003"));
    expect(within(dialog).queryByTestId("receipt-change")).toBeNull();
    expect(within(dialog).queryByTestId("new-sale")).toBeNull();
    await fireEvent.click(within(dialog).getByTestId("close-receipt"));
    await vi.waitFor(() => expect(screen.queryByTestId("receipt-dialog")).toBeNull());
  });

  it("offers exactly the step and the cancel the core allows, not its own idea of the flow", async () => {
    // A ready order the core says can neither move on nor be cancelled (say, another terminal
    // just served it): the board shows neither button.
    routeIpc(invoke, {
      ordersToday: () => [order("4", "ready", [{ name: "Croissant", quantity: 1, modifiers: [], note: "" }], { next_status: null, cancellable: false })],
    });
    render(OrdersBoard);
    const card = await within(await screen.findByTestId("orders-col-ready")).findByTestId("order-card");
    expect(within(card).queryByTestId("advance-order")).toBeNull();
    expect(within(card).queryByTestId("cancel-order")).toBeNull();
  });

  it("shows each order's total in the money it was sold in, not the shop's format today", async () => {
    // The shop now writes rupiah with two minor digits; these orders were sold with none.
    session.settings = { ...IDR, minor_unit: 2 };
    session.moneyFormat = { ...IDR_MONEY, minor_unit: 2 };
    routeIpc(invoke, {
      ordersToday: () => [
        order("7", "pending", [{ name: "Kopi", quantity: 1, modifiers: [], note: "" }], { total: 17300 }),
        order("8", "cancelled", [{ name: "Kopi", quantity: 1, modifiers: [], note: "" }], { total: 17300 }),
      ],
    });
    render(OrdersBoard);
    const card = await within(await screen.findByTestId("orders-col-pending")).findByTestId("order-card");
    expect(card).toHaveTextContent("Rp 17.300");
    expect(card).not.toHaveTextContent("173,00");
    expect(screen.getByTestId("cancelled-order")).toHaveTextContent("Rp 17.300");
    expect(screen.getByTestId("cancelled-order")).not.toHaveTextContent("173,00");
  });

  it("keeps a label apart from the order type, and long text inside its card", async () => {
    resetApp("id");
    const long = "M".repeat(60);
    routeIpc(invoke, {
      ordersToday: () => [
        order("5", "pending", [{ name: "Kopi", quantity: 1, modifiers: [], note: "" }], { label: "Meja 7" }),
        order("6", "pending", [{ name: "N".repeat(60), quantity: 1, modifiers: ["O".repeat(60)], note: "P".repeat(200) }], { label: long }),
      ],
    });
    render(OrdersBoard);
    const col = await screen.findByTestId("orders-col-pending");
    await vi.waitFor(() => expect(within(col).getAllByTestId("order-card")).toHaveLength(2));
    const [short, longCard] = within(col).getAllByTestId("order-card");
    expect(within(short).getByTestId("order-label").textContent!.replace(/\s+/g, " ").trim()).toBe("Meja 7 · Makan di tempat");

    const label = within(longCard).getByText(long);
    expect(keepsLongTextInside(label, longCard)).toBe(true);
    for (const text of ["N".repeat(60), "O".repeat(60), "“" + "P".repeat(200) + "”"]) {
      expect(keepsLongTextInside(within(longCard).getByText(text, { exact: false }), longCard), text.slice(0, 3)).toBe(true);
    }
    // The column scrolls up and down, never sideways.
    expect(getComputedStyle(longCard.parentElement!).overflowX).toBe("hidden");
  });

  it("shows what has been refunded from an order, on its card and on its receipt copy", async () => {
    routeIpc(invoke, {
      ordersToday: () => [
        order("5", "completed", [{ name: "Croissant", quantity: 3, modifiers: [], note: "" }], { refunded: 30_800 }),
        order("6", "completed", [{ name: "Croissant", quantity: 1, modifiers: [], note: "" }], { total: 30_800, refunded: 30_800 }),
        order("7", "completed", [{ name: "Croissant", quantity: 1, modifiers: [], note: "" }]),
      ],
      receipt: (id) => ({
        ...receiptView(sold({ id }), "No: T01-000005"),
        receipt: {
          ...receiptView(sold({ id }), "").receipt,
          refunds: [{ refund_no: "T01-R000001", local_time: "2026-11-21 14:02", reason: "Salah pesan", total: 30_800 }],
        },
      }),
    });
    render(OrdersBoard);
    const cards = await within(await screen.findByTestId("orders-col-completed")).findAllByTestId("order-card");
    const badge = (card: HTMLElement) => within(card).queryByTestId("order-refunded")?.textContent?.trim() ?? null;
    expect(cards.map(badge)).toEqual(["Refunded Rp 30.800", "Fully refunded (Rp 30.800)", null]);
    await fireEvent.click(within(cards[0]).getByTestId("view-receipt"));
    const dialog = await screen.findByTestId("receipt-dialog");
    const listed = await within(dialog).findAllByTestId("receipt-refund");
    expect(listed.map((x) => x.textContent?.replace(/\s+/g, " ").trim())).toEqual(["T01-R000001 · 2026-11-21 14:02Salah pesan −Rp 30.800"]);
  });
});
