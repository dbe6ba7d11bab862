import { beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, within } from "@testing-library/svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
import { invoke } from "@tauri-apps/api/core";
import TicketPanel from "../src/features/sell/TicketPanel.svelte";
import { chrome } from "../src/stores/chrome.svelte";
import { sale } from "../src/stores/ticket.svelte";
import { line, resetApp, ticket } from "./fixtures";
import { fail, routeIpc } from "./ipc";
import { keepsLongTextInside } from "./layout";
import { session } from "../src/stores/session.svelte";
import { expectAddsUp, INCL_LABELS, TAX_ADDED, TAX_INCLUDED } from "./totals";

const kopi = line({
  id: "l1",
  product_name: "Kopi Susu Gula Aren",
  base_price: 30000,
  unit_price: 35000,
  quantity: 2,
  note: "es sedikit",
  modifiers: [
    { option_id: "o1", group: "Size", option: "Large", price_delta: 5000 },
    { option_id: "o2", group: "Sugar", option: "No sugar", price_delta: 0 },
  ],
  totals: { gross: 70000, line_discount: 0, order_discount: 0, service: 3500, tax: 7350, total: 80850 },
});
const air = line({
  id: "l2",
  product_name: "Air Mineral 600ml",
  base_price: 6000,
  unit_price: 6000,
  quantity: 1,
  totals: { gross: 6000, line_discount: 0, order_discount: 0, service: 300, tax: 630, total: 6930 },
});
// Deliberately numbers the UI could not derive itself: it must show the backend's.
const twoLines = ticket([kopi, air], {
  gross: 76000,
  subtotal: 76000,
  service: 3800,
  tax: 7980,
  rounding: -80,
  total: 87700,
});

function props() {
  return { onpay: vi.fn(), onpark: vi.fn(), ontickets: vi.fn(), ondiscard: vi.fn(), ondiscount: vi.fn() };
}

describe("TicketPanel", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  it("renders lines, modifiers, notes, quantities and the backend's totals", () => {
    sale.ticket = twoLines;
    render(TicketPanel, props());
    const lines = screen.getAllByTestId("ticket-line");
    expect(lines.map((l) => l.dataset.name)).toEqual(["Kopi Susu Gula Aren", "Air Mineral 600ml"]);

    const k = within(lines[0]);
    expect(k.getByTestId("line-qty")).toHaveTextContent(/^2$/);
    expect(k.getByTestId("line-modifiers")).toHaveTextContent("+ Large (+Rp 5.000)");
    expect(k.getByTestId("line-modifiers")).toHaveTextContent("+ No sugar");
    expect(k.getByTestId("line-modifiers")).not.toHaveTextContent("No sugar (");
    expect(k.getByTestId("line-note")).toHaveTextContent("* es sedikit");
    expect(k.getByTestId("line-unit")).toHaveTextContent("Rp 35.000 each");
    expect(k.getByTestId("line-gross")).toHaveTextContent(/^Rp 70\.000$/);
    expect(within(lines[1]).getByTestId("line-qty")).toHaveTextContent(/^1$/);
    expect(within(lines[1]).queryByTestId("line-modifiers")).toBeNull();

    expect(screen.getByTestId("ticket-subtotal")).toHaveTextContent(/^Rp 76\.000$/);
    expect(screen.getByTestId("ticket-service")).toHaveTextContent(/^\+Rp 3\.800$/);
    expect(screen.getByTestId("ticket-tax")).toHaveTextContent(/^\+Rp 7\.980$/);
    expect(screen.getByTestId("ticket-rounding")).toHaveTextContent(/^-Rp 80$/);
    expect(screen.getByTestId("ticket-total")).toHaveTextContent(/^Rp 87\.700$/);
    expect(screen.queryByTestId("ticket-order-discount")).toBeNull();
    expect(screen.getByTestId("pay-button")).toBeEnabled();
  });

  it("reads as a sum with prices before tax: gross, discounts off, service and tax on, rounding, total", () => {
    // The ticket was priced with tax added, whatever the settings the UI last read say.
    session.settings = { ...session.settings, prices_include_tax: true };
    sale.ticket = TAX_ADDED;
    render(TicketPanel, props());
    const { sum, total, after } = expectAddsUp(screen.getByTestId("ticket-totals"));
    expect(sum.map((r) => [r.label, r.text])).toEqual([
      ["Subtotal", "Rp 144.000"],
      ["Item discounts", "-Rp 14.400"],
      ["Order discount", "-Rp 12.960"],
      ["Service", "+Rp 5.832"],
      ["Tax", "+Rp 12.247"],
      ["Rounding", "-Rp 19"],
    ]);
    expect(total.text).toBe("Rp 134.700");
    expect(after).toEqual([]);
  });

  it("reads as a sum with prices including tax: service and tax are shown apart, after the total", () => {
    // The ticket was priced with tax included (its totals say so), whatever the settings say.
    session.settings = { ...session.settings, prices_include_tax: false };
    sale.ticket = TAX_INCLUDED;
    render(TicketPanel, props());
    const { sum, total, after } = expectAddsUp(screen.getByTestId("ticket-totals"));
    expect(sum.map((r) => [r.label, r.text])).toEqual([
      ["Subtotal", "Rp 144.000"],
      ["Item discounts", "-Rp 14.400"],
      ["Order discount", "-Rp 12.960"],
      ["Rounding", "-Rp 40"],
    ]);
    expect(total.text).toBe("Rp 116.600");
    expect(after.map((r) => [r.label, r.text])).toEqual([
      [INCL_LABELS[0], "Rp 5.049"],
      [INCL_LABELS[1], "Rp 10.604"],
    ]);
  });

  it("uses Indonesian labels", () => {
    resetApp("id");
    sale.ticket = twoLines;
    render(TicketPanel, props());
    expect(screen.getByText("Servis")).toBeInTheDocument();
    expect(screen.getByText("PB1")).toBeInTheDocument();
    expect(screen.getByText("Pembulatan")).toBeInTheDocument();
    expect(screen.getByTestId("pay-button")).toHaveTextContent("Bayar");
  });

  it("asks the backend for a new quantity and shows the totals it answers", async () => {
    sale.ticket = twoLines;
    const after = ticket([{ ...kopi, quantity: 3 }, air], { subtotal: 111000, total: 127700 });
    routeIpc(invoke, { setLineQuantity: () => after });
    render(TicketPanel, props());
    const k = within(screen.getAllByTestId("ticket-line")[0]);
    await fireEvent.click(k.getByTestId("line-plus"));
    expect(invoke).toHaveBeenCalledWith("set_line_quantity", { ticket: "t1", line: "l1", quantity: 3 });
    await vi.waitFor(() => expect(screen.getByTestId("ticket-total")).toHaveTextContent(/^Rp 127\.700$/));
    expect(within(screen.getAllByTestId("ticket-line")[0]).getByTestId("line-qty")).toHaveTextContent(/^3$/);
  });

  it("stops − at quantity 1; ✕ removes the line", async () => {
    sale.ticket = twoLines;
    routeIpc(invoke, { removeLine: () => ticket([kopi], { total: 80800 }) });
    render(TicketPanel, props());
    const water = within(screen.getAllByTestId("ticket-line")[1]);
    expect(water.getByTestId("line-qty")).toHaveTextContent(/^1$/);
    expect(water.getByTestId("line-minus")).toBeDisabled();
    expect(within(screen.getAllByTestId("ticket-line")[0]).getByTestId("line-minus")).toBeEnabled();
    await fireEvent.click(water.getByTestId("line-minus"));
    expect(invoke).not.toHaveBeenCalled();
    await fireEvent.click(water.getByTestId("line-remove"));
    expect(invoke).toHaveBeenCalledWith("remove_line", { ticket: "t1", line: "l2" });
    await vi.waitFor(() => expect(screen.getAllByTestId("ticket-line")).toHaveLength(1));
  });

  it("shows an error toast when the backend refuses", async () => {
    sale.ticket = twoLines;
    routeIpc(invoke, {
      setLineQuantity: () => {
        fail({ kind: "insufficient_stock", data: { product: "Kopi Susu Gula Aren", available: 2, requested: 3 } });
      },
    });
    render(TicketPanel, props());
    await fireEvent.click(within(screen.getAllByTestId("ticket-line")[0]).getByTestId("line-plus"));
    await vi.waitFor(() => expect(chrome.toasts.map((x) => x.text)).toContain("Not enough Kopi Susu Gula Aren: 2 left"));
    expect(within(screen.getAllByTestId("ticket-line")[0]).getByTestId("line-qty")).toHaveTextContent(/^2$/);
  });

  it("has nothing to pay without lines", () => {
    render(TicketPanel, props());
    expect(screen.getByTestId("ticket-total")).toHaveTextContent(/^Rp 0$/);
    expect(screen.getByTestId("pay-button")).toBeDisabled();
  });

  it("keeps a long name, option and note inside the panel", () => {
    const name = "K".repeat(60);
    sale.ticket = ticket([
      line({
        id: "l9",
        product_name: name,
        note: "N".repeat(200),
        modifiers: [{ option_id: "o9", group: "G", option: "O".repeat(60), price_delta: 0 }],
      }),
    ]);
    render(TicketPanel, { onpay: vi.fn(), onpark: vi.fn(), ontickets: vi.fn(), ondiscard: vi.fn(), ondiscount: vi.fn() });
    const row = screen.getByTestId("ticket-line");
    for (const text of [name, "O".repeat(60), "N".repeat(200)]) {
      expect(keepsLongTextInside(within(row).getByText(text, { exact: false }), row), text.slice(0, 3)).toBe(true);
    }
  });

  it("says when an approved discount is held at what was approved, and only then", () => {
    const percent = (bp: number) => ({ kind: "percent" as const, value: bp });
    const lines = [
      // 10% approved at one cup (Rp 2.200); now three: 10% would be Rp 6.600, the core takes Rp 2.200.
      line({ id: "l1", product_name: "Kopi", quantity: 3, unit_price: 22000, discount: percent(1000), discount_limit: 2200,
        totals: { gross: 66000, line_discount: 2200, order_discount: 0, service: 0, tax: 0, total: 63800 } }),
      // Approved as it stands: 10% of Rp 15.000 is the limit itself.
      line({ id: "l2", product_name: "Teh", quantity: 1, unit_price: 15000, discount: percent(1000), discount_limit: 1500,
        totals: { gross: 15000, line_discount: 1500, order_discount: 0, service: 0, tax: 0, total: 13500 } }),
      // 10% of Rp 12.344 is Rp 1.234,4: rounded as the core does, not more than the limit.
      line({ id: "l3", product_name: "Kue", quantity: 1, unit_price: 12344, discount: percent(1000), discount_limit: 1234,
        totals: { gross: 12344, line_discount: 1234, order_discount: 0, service: 0, tax: 0, total: 11110 } }),
      // Given by someone with the right: no limit, it follows the ticket.
      line({ id: "l4", product_name: "Roti", quantity: 1, unit_price: 30000, discount: percent(2000), discount_limit: null,
        totals: { gross: 30000, line_discount: 6000, order_discount: 0, service: 0, tax: 0, total: 24000 } }),
    ];
    sale.ticket = {
      ...ticket(lines, { gross: 123344, line_discounts: 10934, subtotal: 112410, order_discount: 5000, total: 107410 }),
      // 10% of the order approved at Rp 50.000; 10% of Rp 112.410 would be Rp 11.241.
      discount: percent(1000),
      discount_limit: 5000,
    };
    render(TicketPanel, props());
    const capped = (name: string) => within(screen.getByText(name).closest("li")!).queryByTestId("line-discount-capped");
    expect(capped("Kopi")).toHaveTextContent(/^capped at the approved Rp 2\.200 — a new approval is needed to give more$/);
    expect(within(screen.getAllByTestId("ticket-line")[0]).getByTestId("line-discount")).toHaveTextContent("Discount 10%: -Rp 2.200");
    expect(capped("Teh")).toBeNull();
    expect(capped("Kue")).toBeNull();
    expect(capped("Roti")).toBeNull();
    expect(screen.getAllByTestId("line-discount-capped")).toHaveLength(1);
    expect(screen.getByTestId("ticket-order-discount")).toHaveTextContent(/^-Rp 5\.000$/);
    expect(screen.getByTestId("ticket-order-discount-note")).toHaveTextContent(
      /^capped at the approved Rp 5\.000 — a new approval is needed to give more$/,
    );
  });

  it("says it in Indonesian, and not for an order discount within what was approved", () => {
    resetApp("id");
    const kopi = line({ id: "l1", product_name: "Kopi", quantity: 3, unit_price: 22000, discount: { kind: "percent", value: 1000 },
      discount_limit: 2200, totals: { gross: 66000, line_discount: 2200, order_discount: 0, service: 0, tax: 0, total: 63800 } });
    sale.ticket = {
      ...ticket([kopi], { gross: 66000, line_discounts: 2200, subtotal: 63800, order_discount: 6380, total: 57420 }),
      discount: { kind: "percent", value: 1000 },
      discount_limit: 6380,
    };
    render(TicketPanel, props());
    expect(screen.getByTestId("line-discount-capped")).toHaveTextContent(
      "dibatasi pada Rp 2.200 yang disetujui — perlu persetujuan baru untuk memberi lebih",
    );
    expect(screen.queryByTestId("ticket-order-discount-note")).toBeNull();
  });
});
