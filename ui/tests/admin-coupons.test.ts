/**
 * Coupons in admin mode: the list as the core gives it (rule, limits, dates, status, uses), a
 * coupon's uses on a click, a new coupon's form sending exactly what the manager typed, and a
 * refusal shown with the field at fault.
 */
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { invoke } from "@tauri-apps/api/core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Coupon_Serialize, CouponInput } from "../src/bindings";
import Coupons from "../src/features/coupons/Coupons.svelte";
import { resetApp } from "./fixtures";
import { fail, routeIpc } from "./ipc";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

function coupon(p: Partial<Coupon_Serialize> & { code: string }): Coupon_Serialize {
  return {
    id: `id-${p.code}`, name: p.code, rule: { kind: "amount", amount: 10_000 }, min_order: 0, usage_limit: null,
    per_member_limit: null, customer_group: "all", valid_from: null, valid_until: null, active: true, used: 0,
    discount_given: 0, status: "active", updated_at: "2026-11-21T03:00:00Z", ...p,
  };
}

const LIST = [
  coupon({ code: "HEMAT20", name: "20% off", rule: { kind: "percent", bp: 2000, cap: 15_000 }, min_order: 50_000, usage_limit: 500, valid_until: "2026-12-21", used: 3, discount_given: 30_000 }),
  coupon({ code: "KOPI2GRATIS1", rule: { kind: "buy_get", buy_product: "p1", buy_quantity: 2, get_product: "p1", get_quantity: 1 } }),
  coupon({ code: "MEMBERBARU", customer_group: "new", per_member_limit: 1, status: "used_up" }),
  coupon({ code: "BORONG", rule: { kind: "tiered", steps: [{ from: 150_000, bp: 500 }, { from: 300_000, bp: 1000 }] }, status: "scheduled", valid_from: "2026-12-01" }),
];

describe("coupons in admin mode", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  it("lists each coupon's rule, limits, dates, status and uses; a click shows its uses", async () => {
    routeIpc(invoke, {
      listCoupons: () => LIST,
      listVouchers: () => [],
      listProducts: () => [{ id: "p1", name: "Kopi Susu Gula Aren" } as never],
      couponUses: (id) =>
        id === "id-HEMAT20"
          ? [
              { id: "u1", order_id: "o1", receipt_no: "T01-000007", member_name: "Dewi", discount: 10_000, used_at: "2026-11-21T03:00:00Z", given_back_at: null },
              { id: "u2", order_id: "o2", receipt_no: "T01-000009", member_name: null, discount: 10_000, used_at: "2026-11-21T04:00:00Z", given_back_at: "2026-11-21T05:00:00Z" },
              { id: "u3", order_id: null, receipt_no: null, member_name: "Budi", discount: 8_000, used_at: "2026-11-21T06:00:00Z", given_back_at: null },
            ]
          : [],
    });
    render(Coupons);
    await vi.waitFor(() => expect(screen.getAllByTestId("coupon-row")).toHaveLength(4));
    await vi.waitFor(() => expect(screen.getAllByTestId("coupon-row")[1]).toHaveTextContent("Kopi Susu Gula Aren"));
    const [hemat, kopi, baru, borong] = screen.getAllByTestId("coupon-row");
    expect(hemat).toHaveTextContent("20% off, at most Rp 15.000");
    expect(hemat).toHaveTextContent("min. Rp 50.000 · 500 uses");
    expect(hemat).toHaveTextContent("until 2026-12-21");
    expect(within(hemat).getByTestId("coupon-used")).toHaveTextContent("3");
    expect(kopi).toHaveTextContent("buy 2 × Kopi Susu Gula Aren, get 1 × Kopi Susu Gula Aren free");
    expect(baru).toHaveTextContent("1 per member · new customers");
    expect(within(baru).getByTestId("coupon-status")).toHaveTextContent("Used up");
    expect(borong).toHaveTextContent("from Rp 150.000: 5%; from Rp 300.000: 10%");
    expect(within(borong).getByTestId("coupon-status")).toHaveTextContent("Starts later");

    await fireEvent.click(within(hemat).getByTestId("coupon-open"));
    await vi.waitFor(() => expect(screen.getAllByTestId("coupon-use")).toHaveLength(3));
    const [first, back, elsewhere] = screen.getAllByTestId("coupon-use");
    // A use on another till of the store: its receipt is that till's.
    expect(elsewhere).toHaveTextContent("another till");
    expect(elsewhere).toHaveTextContent("Budi");
    expect(first).toHaveTextContent("T01-000007");
    expect(first).toHaveTextContent("Dewi");
    expect(back).toHaveClass("back");
    expect(back).toHaveTextContent("given back");
  });

  it("sends a new coupon as typed and shows a refusal with its field", async () => {
    const sent: CouponInput[] = [];
    routeIpc(invoke, {
      listCoupons: () => [],
      listVouchers: () => [],
      listProducts: () => [],
      createCoupon: (input) => {
        sent.push(input);
        if (sent.length === 1) fail({ kind: "invalid", data: { field: "code", rule: { rule: "code_format" } } });
        return coupon({ code: "ULTAH" });
      },
    });
    render(Coupons);
    await vi.waitFor(() => screen.getByTestId("coupons-empty"));
    await fireEvent.click(screen.getByTestId("coupons-new"));
    await fireEvent.input(screen.getByTestId("cf-code"), { target: { value: "ul" } });
    await fireEvent.input(screen.getByTestId("cf-name"), { target: { value: "Ulang tahun" } });
    await fireEvent.click(screen.getByTestId("cf-kind-amount"));
    await fireEvent.input(screen.getByTestId("cf-amount"), { target: { value: "25000" } });
    await fireEvent.input(screen.getByTestId("cf-min-order"), { target: { value: "100000" } });
    await fireEvent.input(screen.getByTestId("cf-member-limit"), { target: { value: "1" } });
    await fireEvent.change(screen.getByTestId("cf-group"), { target: { value: "vip" } });
    await fireEvent.input(screen.getByTestId("cf-until"), { target: { value: "2026-12-31" } });
    await fireEvent.click(screen.getByTestId("cf-save"));
    await vi.waitFor(() => screen.getByTestId("cf-error"));
    expect(screen.getByTestId("cf-error").dataset.field).toBe("code");
    expect(screen.getByTestId("cf-error")).toHaveTextContent("Code: must be 3 to 24 letters, digits or dashes");
    expect(sent[0]).toEqual({
      code: "ul", name: "Ulang tahun", rule: { kind: "amount", amount: 25_000 }, min_order: 100_000, usage_limit: null,
      per_member_limit: 1, customer_group: "vip", valid_from: null, valid_until: "2026-12-31", active: true,
    });
    await fireEvent.input(screen.getByTestId("cf-code"), { target: { value: "ULTAH" } });
    await fireEvent.click(screen.getByTestId("cf-save"));
    await vi.waitFor(() => expect(screen.queryByTestId("coupon-form")).toBeNull());
    expect(sent[1].code).toBe("ULTAH");
  });
});
