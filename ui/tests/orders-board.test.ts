import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { invoke } from "@tauri-apps/api/core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { OrderSummary } from "../src/bindings";
import OrdersBoard from "../src/components/OrdersBoard.svelte";
import { resetApp, routeIpc } from "./fixtures";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

function order(id: string, status: OrderSummary["status"], lines: OrderSummary["lines"], extra: Partial<OrderSummary> = {}): OrderSummary {
  return {
    id,
    receipt_no: `T01-00000${id}`,
    order_type: "dine_in",
    label: "",
    status,
    total: 92400,
    items: lines.reduce((n, l) => n + l.quantity, 0),
    created_at: `2026-11-21T0${id}:00:00Z`,
    lines,
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
      orders_today: () => orders,
      advance_order: ({ order: id, to }) => {
        orders = orders.map((o) => (o.id === id ? { ...o, status: to } : o));
        return null;
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
});
