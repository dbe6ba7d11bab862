/**
 * Vouchers at the till: a member's bought vouchers used on the ticket or cancelled for her
 * points, the catalogue's ones bought with points (and used at once), those she cannot afford
 * shown but not offered; the ticket shows the voucher, what it takes, and why it stopped
 * applying; admin mode lists the catalogue and sends a new voucher as typed.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, within } from "@testing-library/svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
import { invoke } from "@tauri-apps/api/core";
import type { Redemption_Serialize as Redemption, Ticket_Serialize, Voucher_Serialize as Voucher, VoucherInput_Deserialize as VoucherInput } from "../src/bindings";
import VoucherDialog from "../src/features/members/VoucherDialog.svelte";
import TicketPanel from "../src/features/sell/TicketPanel.svelte";
import Coupons from "../src/features/coupons/Coupons.svelte";
import { chrome } from "../src/stores/chrome.svelte";
import { sale } from "../src/stores/ticket.svelte";
import { line, resetApp, ticket } from "./fixtures";
import { fail, routeIpc } from "./ipc";

const dewi = { id: "m1", number: "MEM-T01-000001", name: "Dewi", tier: "silver" as const, points: 180, wallet: 0, notes: "", address: "", visits: 4, spent: 200_000 };
const kopi = line({ id: "l1", product_name: "Kopi Susu", quantity: 2, unit_price: 25000 });
const base: Ticket_Serialize = { ...ticket([kopi], { gross: 50000, subtotal: 50000, total: 50000 }), member: dewi };

function voucher(p: Partial<Voucher> & { id: string; name: string }): Voucher {
  return {
    reward: { kind: "discount", discount: { kind: "amount", value: 15_000 } }, product_name: null, points_cost: 150, stock: null,
    valid_from: null, valid_until: null, active: true, status: "active", redeemed: 0, ...p,
  };
}
const POTONGAN = voucher({ id: "v1", name: "Potongan Rp 15.000" });
const KUE = voucher({ id: "v2", name: "Gratis 1 kue", reward: { kind: "freebie", product: "p9" }, product_name: "Croissant", points_cost: 200, stock: 49 });
const pending: Redemption = {
  id: "r1", code: "V-T01-000001", voucher_id: "v1", voucher_name: "Potongan Rp 15.000", reward: POTONGAN.reward, member_id: "m1",
  points: 150, status: "pending", order_id: null, created_at: "2026-11-21T03:00:00Z",
};
const used: Ticket_Serialize = {
  ...base,
  totals: { ...base.totals, voucher_discount: 15_000, total: 35_000 },
  voucher: { redemption_id: "r1", code: "V-T01-000001", name: "Potongan Rp 15.000", reward: POTONGAN.reward, refusal: null },
};

const calls = (cmd: string) => vi.mocked(invoke).mock.calls.filter((c) => c[0] === cmd);

describe("a member's vouchers at the till", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
    sale.ticket = base;
  });

  it("uses a bought voucher on the ticket", async () => {
    routeIpc(invoke, { memberRedemptions: () => [pending], listVouchers: () => [POTONGAN, KUE], setTicketVoucher: () => used });
    const onclose = vi.fn();
    render(VoucherDialog, { member: dewi, onclose });
    await vi.waitFor(() => expect(screen.getAllByTestId("voucher-mine")).toHaveLength(1));
    expect(screen.getByTestId("voucher-mine")).toHaveTextContent("Potongan Rp 15.000 V-T01-000001 · Rp 15.000 off");
    // 180 points: the 200-point voucher is shown, not offered.
    const offers = screen.getAllByTestId("voucher-offer");
    expect(offers[1]).toHaveTextContent("free Croissant · 49 left");
    expect(within(offers[1]).getByTestId("voucher-buy")).toBeDisabled();
    expect(within(offers[0]).getByTestId("voucher-buy")).toBeEnabled();
    await fireEvent.click(screen.getByTestId("voucher-use"));
    await vi.waitFor(() => expect(onclose).toHaveBeenCalled());
    expect(calls("set_ticket_voucher")).toEqual([["set_ticket_voucher", { ticket: base.id, redemption: "r1" }]]);
    expect(sale.ticket?.totals.voucher_discount).toBe(15_000);
  });

  it("buys one with points and uses it at once; cancelling gives the points back", async () => {
    routeIpc(invoke, {
      memberRedemptions: () => (calls("cancel_redemption").length > 0 ? [] : [pending]),
      listVouchers: () => [POTONGAN, KUE],
      redeemVoucher: () => ({ ...pending, id: "r2", code: "V-T01-000002" }),
      cancelRedemption: () => ({ ...pending, status: "cancelled" }),
      setTicketVoucher: () => used,
    });
    const onclose = vi.fn();
    render(VoucherDialog, { member: dewi, onclose });
    await vi.waitFor(() => screen.getByTestId("voucher-cancel"));
    await fireEvent.click(screen.getByTestId("voucher-cancel"));
    await vi.waitFor(() => screen.getByTestId("voucher-none"));
    expect(screen.getByTestId("voucher-points")).toHaveTextContent("330 points to spend");
    expect(chrome.toasts.map((x) => x.text)).toContain("V-T01-000001 cancelled: 150 points back.");
    // Now the free croissant is within reach.
    const kue = screen.getAllByTestId("voucher-offer")[1];
    await fireEvent.click(within(kue).getByTestId("voucher-buy"));
    await vi.waitFor(() => expect(onclose).toHaveBeenCalled());
    expect(calls("redeem_voucher")).toEqual([["redeem_voucher", { member: "m1", voucher: "v2" }]]);
    expect(calls("set_ticket_voucher")[0][1]).toEqual({ ticket: base.id, redemption: "r2" });
  });

  it("says why the core refuses", async () => {
    routeIpc(invoke, {
      memberRedemptions: () => [],
      listVouchers: () => [POTONGAN],
      redeemVoucher: () => fail({ kind: "invalid", data: { field: "voucher", rule: { rule: "out_of_stock" } } }),
    });
    render(VoucherDialog, { member: dewi, onclose: vi.fn() });
    await vi.waitFor(() => screen.getByTestId("voucher-buy"));
    await fireEvent.click(screen.getByTestId("voucher-buy"));
    await vi.waitFor(() => expect(screen.getByTestId("voucher-error")).toHaveTextContent("Voucher: none left"));
  });

  it("shows the voucher on the ticket, what it takes, and why it stopped applying", () => {
    sale.ticket = used;
    const { unmount } = render(TicketPanel, { onpay: vi.fn(), onpark: vi.fn(), ontickets: vi.fn(), ondiscard: vi.fn(), ondiscount: vi.fn() });
    expect(screen.getByTestId("ticket-voucher-chip")).toHaveTextContent("Potongan Rp 15.000 V-T01-000001");
    expect(screen.getByTestId("ticket-voucher")).toHaveTextContent(/^-Rp 15\.000$/);
    unmount();
    sale.ticket = { ...used, member: null, totals: base.totals, voucher: { ...used.voucher!, refusal: { rule: "needs_member" } } };
    render(TicketPanel, { onpay: vi.fn(), onpark: vi.fn(), ontickets: vi.fn(), ondiscard: vi.fn(), ondiscount: vi.fn() });
    expect(screen.getByTestId("ticket-voucher-chip")).toHaveClass("refused");
    expect(screen.getByTestId("ticket-voucher-refusal")).toHaveTextContent(/member/i);
  });
});

describe("vouchers in admin mode", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  it("lists the catalogue and sends a new voucher as typed", async () => {
    const sent: VoucherInput[] = [];
    routeIpc(invoke, {
      listCoupons: () => [],
      listVouchers: () => [POTONGAN, { ...KUE, stock: 0, status: "out_of_stock", redeemed: 50 }],
      listProducts: () => [{ id: "p9", name: "Croissant" } as never],
      createVoucher: (input) => {
        sent.push(input);
        return voucher({ id: "v3", name: input.name });
      },
    });
    render(Coupons);
    await vi.waitFor(() => expect(screen.getAllByTestId("voucher-row")).toHaveLength(2));
    const [pot, kue] = screen.getAllByTestId("voucher-row");
    expect(pot).toHaveTextContent("Rp 15.000 off");
    expect(pot).toHaveTextContent("no limit");
    expect(within(kue).getByTestId("voucher-status")).toHaveTextContent("Out of stock");
    expect(within(kue).getByTestId("voucher-redeemed")).toHaveTextContent("50");
    await fireEvent.click(screen.getByTestId("vouchers-new"));
    await fireEvent.input(screen.getByTestId("vf-name"), { target: { value: "Saldo Rp 25.000" } });
    await fireEvent.change(screen.getByTestId("vf-kind"), { target: { value: "cashback_wallet" } });
    await fireEvent.input(screen.getByTestId("vf-value"), { target: { value: "25000" } });
    await fireEvent.input(screen.getByTestId("vf-cost"), { target: { value: "250" } });
    await fireEvent.input(screen.getByTestId("vf-stock"), { target: { value: "20" } });
    await fireEvent.click(screen.getByTestId("vf-save"));
    await vi.waitFor(() => expect(screen.queryByTestId("voucher-form")).toBeNull());
    expect(sent).toEqual([
      { name: "Saldo Rp 25.000", reward: { kind: "cashback_wallet", amount: 25_000 }, points_cost: 250, stock: 20, valid_from: null, valid_until: null, active: true },
    ]);
  });
});
