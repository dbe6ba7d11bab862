/**
 * Delivery at the till and on the board: the ticket's address (the member's, changeable) is
 * sent when the cashier leaves the field; a ready delivery's big button sends it out, and
 * once out it completes as "delivered".
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, within } from "@testing-library/svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
import { invoke } from "@tauri-apps/api/core";
import type { OrderSummary_Serialize as OrderSummary, Ticket_Serialize } from "../src/bindings";
import OrdersBoard from "../src/features/board/OrdersBoard.svelte";
import TicketPanel from "../src/features/sell/TicketPanel.svelte";
import { sale } from "../src/stores/ticket.svelte";
import { IDR_MONEY, line, order, resetApp, ticket } from "./fixtures";
import { routeIpc } from "./ipc";

const kopi = line({ id: "l1", product_name: "Kopi Susu", quantity: 1, unit_price: 25000 });
const delivery: Ticket_Serialize = { ...ticket([kopi]), order_type: "delivery", delivery_address: "" };

const calls = (cmd: string) => vi.mocked(invoke).mock.calls.filter((c) => c[0] === cmd);

function summary(p: Partial<OrderSummary>): OrderSummary {
  return {
    id: "o1", receipt_no: "T01-000007", order_type: "delivery", label: "Dewi", status: "ready", next_status: null, cancellable: true,
    total: 28_900, refunded: 0, money_format: IDR_MONEY, items: 1,
    created_at: "2026-11-21T03:00:00Z", lines: [{ name: "Kopi Susu", quantity: 1, modifiers: [], note: "" }],
    delivery_address: "Jl. Dago 12", ready_to_send: true, out_for_delivery: false, ...p,
  };
}

describe("a delivery ticket", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  it("asks where it goes and sends the address when the cashier leaves the field", async () => {
    sale.ticket = delivery;
    routeIpc(invoke, { setTicketAddress: (_t, address) => ({ ...delivery, delivery_address: address }) });
    render(TicketPanel, { onpay: vi.fn(), onpark: vi.fn(), ontickets: vi.fn(), ondiscard: vi.fn(), ondiscount: vi.fn() });
    const field = screen.getByTestId("ticket-address") as HTMLTextAreaElement;
    expect(field).toHaveClass("missing");
    await fireEvent.focus(field);
    await fireEvent.input(field, { target: { value: "  Jl. Dago 12  " } });
    await fireEvent.blur(field);
    await vi.waitFor(() => expect(calls("set_ticket_address")).toEqual([["set_ticket_address", { ticket: delivery.id, address: "Jl. Dago 12" }]]));
    await vi.waitFor(() => expect(field).not.toHaveClass("missing"));
  });

  it("has no address field for a takeaway", () => {
    sale.ticket = { ...delivery, order_type: "takeaway" };
    render(TicketPanel, { onpay: vi.fn(), onpark: vi.fn(), ontickets: vi.fn(), ondiscard: vi.fn(), ondiscount: vi.fn() });
    expect(screen.queryByTestId("ticket-address")).toBeNull();
  });
});

describe("a delivery on the board", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  it("goes out from ready, then completes as delivered", async () => {
    let state = summary({});
    routeIpc(invoke, {
      ordersToday: () => [state],
      sendOutOrder: () => {
        state = summary({ ready_to_send: false, out_for_delivery: true, next_status: "completed" });
        return order({ id: "o1" });
      },
    });
    render(OrdersBoard);
    const card = await vi.waitFor(() => screen.getByTestId("order-address").closest("article") as HTMLElement);
    expect(within(card).getByTestId("order-address")).toHaveTextContent("To: Jl. Dago 12");
    expect(within(card).queryByTestId("advance-order")).toBeNull();
    await fireEvent.click(within(card).getByTestId("send-out-order"));
    await vi.waitFor(() => screen.getByTestId("order-out"));
    expect(calls("send_out_order")).toEqual([["send_out_order", { order: "o1" }]]);
    expect(screen.getByTestId("advance-order")).toHaveTextContent("Delivered →");
  });
});
