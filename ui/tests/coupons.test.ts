/**
 * Coupons at the till: typed in the coupon dialog or scanned, priced by the core; a refusal is
 * worded with its reason and leaves the ticket as it was; a coupon that stopped applying says
 * why on the ticket; the totals show what it takes on its own row.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
import { invoke } from "@tauri-apps/api/core";
import type { Ticket_Serialize } from "../src/bindings";
import CouponDialog from "../src/features/sell/CouponDialog.svelte";
import Scanner from "../src/features/sell/Scanner.svelte";
import TicketPanel from "../src/features/sell/TicketPanel.svelte";
import { chrome } from "../src/stores/chrome.svelte";
import { sale } from "../src/stores/ticket.svelte";
import { line, resetApp, ticket } from "./fixtures";
import { fail, routeIpc } from "./ipc";

const kopi = line({ id: "l1", product_name: "Kopi Susu", quantity: 2, unit_price: 25000 });
const plain = ticket([kopi], { gross: 50000, subtotal: 50000, total: 50000 });
const withCoupon: Ticket_Serialize = {
  ...ticket([kopi], { gross: 50000, subtotal: 50000, coupon_discount: 10000, total: 40000 }),
  coupon: { id: "c1", code: "HEMAT20", name: "20% off", refusal: null },
};
const minimum = { kind: "invalid", data: { field: "coupon", rule: { rule: "minimum_not_reached", minimum: 100000 } } } as const;

function panelProps() {
  return { onpay: vi.fn(), onpark: vi.fn(), ontickets: vi.fn(), ondiscard: vi.fn(), ondiscount: vi.fn() };
}

const couponCalls = () => vi.mocked(invoke).mock.calls.filter((c) => c[0] === "set_ticket_coupon");

describe("the coupon dialog", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
    sale.ticket = plain;
  });

  it("puts the typed code on the ticket and closes", async () => {
    routeIpc(invoke, { setTicketCoupon: (_t, code) => (code === "hemat20" ? withCoupon : fail(minimum)) });
    const onclose = vi.fn();
    render(CouponDialog, { onclose });
    await fireEvent.input(screen.getByTestId("coupon-code"), { target: { value: "hemat20" } });
    await fireEvent.click(screen.getByTestId("coupon-apply"));
    await vi.waitFor(() => expect(onclose).toHaveBeenCalled());
    expect(couponCalls()).toEqual([["set_ticket_coupon", { ticket: plain.id, code: "hemat20" }]]);
    expect(sale.ticket?.totals.coupon_discount).toBe(10000);
  });

  it("says why a coupon is refused, in the shop's money, and leaves the ticket alone", async () => {
    routeIpc(invoke, { setTicketCoupon: () => fail(minimum) });
    const onclose = vi.fn();
    render(CouponDialog, { onclose });
    await fireEvent.input(screen.getByTestId("coupon-code"), { target: { value: "BESAR50" } });
    await fireEvent.click(screen.getByTestId("coupon-apply"));
    await vi.waitFor(() => screen.getByTestId("coupon-error"));
    expect(screen.getByTestId("coupon-error")).toHaveTextContent("Coupon: needs an order of at least Rp 100.000");
    expect(onclose).not.toHaveBeenCalled();
    expect(sale.ticket).toEqual(plain);
  });

  it("takes the current coupon off", async () => {
    sale.ticket = withCoupon;
    routeIpc(invoke, { setTicketCoupon: (_t, code) => (code === null ? plain : withCoupon) });
    const onclose = vi.fn();
    render(CouponDialog, { onclose });
    expect(screen.getByTestId("coupon-current")).toHaveTextContent("HEMAT20");
    await fireEvent.click(screen.getByTestId("coupon-remove"));
    await vi.waitFor(() => expect(onclose).toHaveBeenCalled());
    expect(sale.ticket?.coupon).toBeNull();
  });
});

describe("the ticket with a coupon", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  it("shows the code and what it takes on its own row of the sum", () => {
    sale.ticket = withCoupon;
    render(TicketPanel, panelProps());
    const chip = screen.getByTestId("ticket-coupon-chip");
    expect(chip.dataset.code).toBe("HEMAT20");
    expect(chip).not.toHaveClass("refused");
    expect(chip).toHaveTextContent("HEMAT20 20% off");
    expect(screen.queryByTestId("ticket-coupon-refusal")).toBeNull();
    expect(screen.getByTestId("ticket-coupon")).toHaveTextContent(/^-Rp 10\.000$/);
    expect(screen.getByTestId("ticket-total")).toHaveTextContent(/^Rp 40\.000$/);
  });

  it("says why a coupon that stopped applying takes nothing", () => {
    sale.ticket = { ...plain, coupon: { id: "c1", code: "HEMAT20", name: "20% off", refusal: minimum.data.rule } };
    render(TicketPanel, panelProps());
    expect(screen.getByTestId("ticket-coupon-chip")).toHaveClass("refused");
    expect(screen.getByTestId("ticket-coupon-refusal")).toHaveTextContent("needs an order of at least Rp 100.000");
    expect(screen.queryByTestId("ticket-coupon")).toBeNull();
  });
});

describe("a scanned coupon", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-21T05:00:00Z"));
  });
  afterEach(() => vi.useRealTimers());

  async function scan(code: string) {
    vi.setSystemTime(Date.now() + 150);
    for (const ch of code) await fireEvent.keyDown(document.body, { key: ch });
    await fireEvent.keyDown(document.body, { key: "Enter" });
  }

  it("goes on the ticket being sold when no product has the code", async () => {
    sale.ticket = plain;
    routeIpc(invoke, {
      productByBarcode: () => fail({ kind: "not_found", data: { entity: "barcode" } }),
      setTicketCoupon: (_t, code) => (code === "HEMAT20" ? withCoupon : fail({ kind: "not_found", data: { entity: "coupon" } })),
    });
    render(Scanner);
    await scan("HEMAT20");
    await vi.waitFor(() => expect(sale.ticket?.coupon?.code).toBe("HEMAT20"));
    expect(chrome.toasts.map((x) => x.text)).toEqual(["Coupon HEMAT20: Rp 10.000 off"]);
    // A code that is neither a product nor a coupon is an unknown barcode.
    await scan("ZZZ999");
    await vi.waitFor(() => expect(chrome.toasts.map((x) => x.text)).toContain("No product with barcode ZZZ999."));
  });

  it("is refused with its reason, and with no ticket it is only an unknown barcode", async () => {
    sale.ticket = plain;
    routeIpc(invoke, {
      productByBarcode: () => fail({ kind: "not_found", data: { entity: "barcode" } }),
      setTicketCoupon: () => fail(minimum),
    });
    render(Scanner);
    await scan("BESAR50");
    await vi.waitFor(() => expect(chrome.toasts.map((x) => x.text)).toEqual(["Coupon: needs an order of at least Rp 100.000"]));
    expect(sale.ticket).toEqual(plain);
    sale.ticket = null;
    chrome.toasts.length = 0;
    await scan("BESAR50");
    await vi.waitFor(() => expect(chrome.toasts.map((x) => x.text)).toEqual(["No product with barcode BESAR50."]));
    expect(couponCalls().length).toBe(1);
  });
});
