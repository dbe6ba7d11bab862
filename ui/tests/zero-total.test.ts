/**
 * A ticket whose discounts bring the total to zero gives the goods away: at payment the core
 * asks for the discount right (issue 8, item 11). The cashier confirms the payment, a manager
 * approves with their PIN, and the sale goes through once, with nothing to pay.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, within } from "@testing-library/svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
import { invoke } from "@tauri-apps/api/core";
import type { Approval, PaymentInput_Deserialize } from "../src/bindings";
import App from "../src/App.svelte";
import { sale } from "../src/stores/ticket.svelte";
import { line, order, receiptView, resetApp, status, ticket } from "./fixtures";
import { fail, routeIpc } from "./ipc";

const free = {
  ...ticket(
    [
      line({
        id: "l1",
        product_name: "Croissant",
        quantity: 1,
        unit_price: 18000,
        discount: { kind: "percent", value: 10000 },
        discount_approved_by: "m1",
        discount_limit: 18000,
        totals: { gross: 18000, line_discount: 18000, order_discount: 0, service: 0, tax: 0, total: 0 },
      }),
    ],
    { gross: 18000, line_discounts: 18000, subtotal: 0, total: 0 },
  ),
  id: "free",
};
const sold = order({ id: "o1", receipt_no: "T01-000009", total: 0, paid: 0, change: 0 });

describe("a total brought to zero by discounts, at payment", () => {
  beforeEach(() => {
    resetApp("id"); // the shop's language, as the app takes it at start-up
    localStorage.clear();
    vi.mocked(invoke).mockReset();
  });

  it("asks for a manager's PIN, retries the checkout with it, and sells once", async () => {
    const checkouts: { payments: PaymentInput_Deserialize[]; approval: Approval | null }[] = [];
    let sales = 0;
    routeIpc(invoke, {
      appStatus: () => status(),
      listTickets: () => [{ id: "free", order_type: "dine_in", label: "Meja 4", parked: false, staff_id: "s1", staff_name: "Sari", items: 1, updated_at: "2026-11-21T05:00:00Z" }],
      ticket: () => free,
      listCategories: () => [],
      listProducts: () => [],
      listStaff: () => [
        { id: "s1", name: "Sari", role: "cashier", active: true },
        { id: "m1", name: "Budi", role: "manager", active: true },
      ],
      checkout: (ticketId, payments, approval) => {
        checkouts.push({ payments, approval });
        expect(ticketId).toBe("free");
        if (!approval) fail({ kind: "forbidden", data: { permission: "discount", role: "cashier", needs_approval: true } });
        if (approval.pin !== "2222") fail({ kind: "wrong_pin", data: { attempts_left: 2 } });
        sales++;
        return sold;
      },
      receipt: () => receiptView(sold, "Kopi Kasir\nT01-000009"),
    });
    render(App);
    await vi.waitFor(() => expect(screen.getByTestId("ticket-line")).toHaveAttribute("data-name", "Croissant"));
    expect(screen.getByTestId("ticket-total")).toHaveTextContent(/^Rp 0$/);

    await fireEvent.click(screen.getByTestId("pay-button"));
    const pay = await screen.findByTestId("pay-dialog");
    expect(within(pay).getByTestId("pay-due")).toHaveTextContent(/^Rp 0$/);
    await fireEvent.click(within(pay).getByTestId("confirm-payment"));

    const dialog = await screen.findByTestId("approval-dialog");
    expect(within(dialog).getByTestId("approval-message")).toHaveTextContent("Perlu PIN manajer atau admin untuk memberi diskon.");
    await vi.waitFor(() => expect(within(dialog).getByTestId("approver")).toHaveAttribute("aria-checked", "true"));
    for (const d of "2222") await fireEvent.click(within(dialog).getByTestId(`pin-key-${d}`));
    await fireEvent.click(within(dialog).getByTestId("pin-ok"));

    await vi.waitFor(() => expect(screen.getByTestId("receipt-dialog")).toBeInTheDocument());
    expect(screen.queryByTestId("approval-dialog")).toBeNull();
    expect(screen.queryByTestId("pay-dialog")).toBeNull();
    await vi.waitFor(() => expect(screen.getByTestId("receipt-change")).toHaveTextContent(/^Rp 0$/));
    // Nothing to pay: no tender; the first try without approval, the second with Budi's PIN.
    expect(checkouts).toEqual([
      { payments: [], approval: null },
      { payments: [], approval: { staff_id: "m1", pin: "2222" } },
    ]);
    expect(sales).toBe(1);
    expect(sale.ticket).toBeNull();
  });
});
