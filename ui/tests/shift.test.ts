/**
 * The shift and the cash drawer at the till: the top bar's shift button, the prompt to open a
 * shift at sign-in when selling needs one, opening with a counted float, cash out with a
 * manager's PIN, and closing with a count note by note whose variance shows before the Z.
 */
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { invoke } from "@tauri-apps/api/core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { CashCount, ReportView_Serialize, Shift_Serialize } from "../src/bindings";
import ShiftControl from "../src/features/shift/ShiftControl.svelte";
import ShiftHistory from "../src/features/shift/ShiftHistory.svelte";
import { approval } from "../src/stores/approval.svelte";
import { session } from "../src/stores/session.svelte";
import { drawer, forgetShift, shiftAtSignIn } from "../src/stores/shift.svelte";
import { IDR, IDR_MONEY, resetApp } from "./fixtures";
import { fail, routeIpc } from "./ipc";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

function shift(p: Partial<Shift_Serialize> = {}): Shift_Serialize {
  return {
    id: "sh1",
    terminal: "T01",
    opened_by: "Sari",
    opened_at: "2026-11-21T01:00:00Z",
    opening_float: 500_000,
    closed_by: null,
    closed_at: null,
    counted: null,
    expected: null,
    variance: null,
    count_detail: [],
    z_no: null,
    note: "",
    ...p,
  };
}

function report(kind: "X" | "Z", p: { counted?: number } = {}): ReportView_Serialize {
  const expected = 488_100;
  const counted = p.counted ?? null;
  return {
    report: {
      kind,
      shift: shift(kind === "Z" ? { z_no: 4, counted, expected, variance: counted === null ? null : counted - expected } : {}),
      shop_name: "Kopi Kasir",
      made_at: "2026-11-21T09:00:00Z",
      opened_local: "2026-11-21 08:00",
      closed_local: kind === "Z" ? "2026-11-21 16:00" : null,
      made_local: "2026-11-21 16:00",
      locale: "id-ID",
      money_format: IDR_MONEY,
      orders: 1,
      gross: 20_000,
      discounts: 0,
      service: 1_000,
      tax: 2_100,
      rounding: 0,
      sales: 23_100,
      refund_count: 0,
      refunds: 0,
      net: 23_100,
      cancelled_count: 0,
      cancelled_total: 0,
      average_ticket: 23_100,
      by_method: [{ method: "cash", sales: 23_100, refunds: 0, net: 23_100 }],
      by_staff: [{ staff_id: "s1", name: "Sari", orders: 1, total: 23_100 }],
      cash: {
        opening_float: 500_000,
        cash_sales: 23_100,
        cash_refunds: 0,
        cash_in: 0,
        cash_out: 35_000,
        wallet_top_ups: 0,
        expected,
        counted,
        variance: counted === null ? null : counted - expected,
      },
      cash_movements: [{ id: "c1", direction: "out", amount: 35_000, reason: "Beli es", staff_name: "Sari", at: "2026-11-21T02:00:00Z" }],
    },
    text_58mm: "LAPORAN Z #4\nSelisih -8.100\n",
    text_80mm: "LAPORAN Z #4 (80)\n",
  };
}

describe("the shift at sign-in", () => {
  beforeEach(() => {
    resetApp("en");
    forgetShift();
  });

  it("asks to open one when selling needs it, and not otherwise", async () => {
    routeIpc(invoke, { currentShift: () => null });
    await shiftAtSignIn();
    expect(drawer.dialog).toBe("open");
    forgetShift();
    session.settings = { ...IDR, require_open_shift: false };
    await shiftAtSignIn();
    expect(drawer.dialog).toBeNull();
    routeIpc(invoke, { currentShift: () => shift() });
    session.settings = IDR;
    await shiftAtSignIn();
    expect(drawer.shift?.id).toBe("sh1");
    expect(drawer.dialog).toBeNull();
  });
});

describe("the shift button", () => {
  beforeEach(() => {
    resetApp("en");
    forgetShift();
    session.today = "2026-11-21";
  });

  it("says the day of a shift left open since yesterday", () => {
    drawer.shift = shift({ opened_at: "2026-11-20T01:00:00Z" });
    drawer.known = true;
    render(ShiftControl);
    expect(screen.getByTestId("shift-button").textContent).toMatch(/^Shift since 20 Nov/);
  });

  it("opens a shift with the float counted", async () => {
    const floats: number[] = [];
    routeIpc(invoke, {
      openShift: (amount) => {
        floats.push(amount);
        return shift({ opening_float: amount });
      },
      currentShift: () => (floats.length ? shift({ opening_float: floats[0] }) : null),
    });
    drawer.known = true;
    render(ShiftControl);
    const button = screen.getByTestId("shift-button");
    expect(button.textContent).toBe("No shift");
    await fireEvent.click(button);
    await fireEvent.click(screen.getByTestId("shift-open"));
    await fireEvent.input(await screen.findByTestId("shift-float"), { target: { value: "500.000" } });
    expect(screen.getByTestId("shift-float-shown").textContent).toBe("Rp 500.000");
    await fireEvent.click(screen.getByTestId("shift-open-confirm"));
    await vi.waitFor(() => expect(floats).toEqual([500_000]));
    await vi.waitFor(() => expect(button.textContent).toBe("Shift since 08:00"));
  });

  it("takes cash out with a manager's PIN", async () => {
    const moved: [string, number, string, boolean][] = [];
    routeIpc(invoke, {
      currentShift: () => shift(),
      listStaff: () => [{ id: "m1", name: "Budi", role: "manager", active: true }],
      moveCash: (direction, amount, reason, given) => {
        if (!given) fail({ kind: "forbidden", data: { permission: "cash_in_out", role: "cashier", needs_approval: true } });
        moved.push([direction, amount, reason, !!given]);
        return { id: "c1", direction, amount, reason, staff_name: "Sari", at: "2026-11-21T02:00:00Z" };
      },
    });
    drawer.shift = shift();
    drawer.known = true;
    render(ShiftControl);
    await fireEvent.click(screen.getByTestId("shift-button"));
    await fireEvent.click(screen.getByTestId("shift-cash"));
    await fireEvent.input(await screen.findByTestId("cash-amount"), { target: { value: "35000" } });
    await fireEvent.click(screen.getByText("Bought supplies"));
    await fireEvent.click(screen.getByTestId("cash-record"));
    await vi.waitFor(() => expect(approval.request?.permission).toBe("cash_in_out"));
    approval.request?.resolve({ staff_id: "m1", pin: "2222" });
    await vi.waitFor(() => expect(moved).toEqual([["out", 35_000, "Bought supplies", true]]));
    await vi.waitFor(() => expect(screen.queryByTestId("cash-dialog")).toBeNull());
  });

  it("opens the drawer with a reason and a manager's PIN, and says when no printer has it", async () => {
    const opened: [string, boolean][] = [];
    let printer = true;
    routeIpc(invoke, {
      currentShift: () => shift(),
      listStaff: () => [{ id: "m1", name: "Budi", role: "manager", active: true }],
      openDrawer: (reason, given) => {
        if (!given) fail({ kind: "forbidden", data: { permission: "cash_in_out", role: "cashier", needs_approval: true } });
        if (!printer) fail({ kind: "invalid", data: { field: "printer", rule: { rule: "no_printer" } } });
        opened.push([reason, !!given]);
        return null;
      },
    });
    drawer.shift = shift();
    drawer.known = true;
    render(ShiftControl);
    await fireEvent.click(screen.getByTestId("shift-button"));
    await fireEvent.click(screen.getByTestId("shift-drawer"));
    expect((screen.getByTestId("drawer-open") as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(screen.getByTestId("drawer-reason"), { target: { value: "Tukar uang" } });
    await fireEvent.click(screen.getByTestId("drawer-open"));
    await vi.waitFor(() => expect(approval.request?.permission).toBe("cash_in_out"));
    approval.request?.resolve({ staff_id: "m1", pin: "2222" });
    await vi.waitFor(() => expect(opened).toEqual([["Tukar uang", true]]));
    await vi.waitFor(() => expect(screen.queryByTestId("drawer-dialog")).toBeNull());
    // No printer has the drawer: said in the dialog, which stays.
    printer = false;
    await fireEvent.click(screen.getByTestId("shift-button"));
    await fireEvent.click(screen.getByTestId("shift-drawer"));
    await fireEvent.input(screen.getByTestId("drawer-reason"), { target: { value: "Cek" } });
    await fireEvent.click(screen.getByTestId("drawer-open"));
    await vi.waitFor(() => expect(approval.request?.permission).toBe("cash_in_out"));
    approval.request?.resolve({ staff_id: "m1", pin: "2222" });
    expect(await screen.findByText(/no printer is set up for this/)).toBeInTheDocument();
    expect(screen.getByTestId("drawer-dialog")).toBeTruthy();
  });

  it("prints the X report on the receipt printers", async () => {
    const printed: string[] = [];
    routeIpc(invoke, {
      currentShift: () => shift(),
      xReport: () => report("X"),
      printShiftReport: (id) => {
        printed.push(id);
        return 1;
      },
    });
    drawer.shift = shift();
    drawer.known = true;
    render(ShiftControl);
    await fireEvent.click(screen.getByTestId("shift-button"));
    await fireEvent.click(screen.getByTestId("shift-x"));
    await fireEvent.click(await screen.findByTestId("report-print"));
    await vi.waitFor(() => expect(printed).toEqual(["sh1"]));
  });

  it("closes with a count note by note, shows the variance before confirming, then the Z report", async () => {
    const closes: CashCount[] = [];
    routeIpc(invoke, {
      currentShift: () => (closes.length ? null : shift()),
      xReport: () => report("X"),
      cashDenominations: () => [100_000, 50_000, 20_000, 10_000, 5_000, 2_000, 1_000, 500, 200, 100],
      closeShift: (count) => {
        closes.push(count);
        return report("Z", { counted: 480_000 });
      },
    });
    drawer.shift = shift();
    drawer.known = true;
    render(ShiftControl);
    await fireEvent.click(screen.getByTestId("shift-button"));
    await fireEvent.click(screen.getByTestId("shift-close"));
    await vi.waitFor(() => expect(screen.getByTestId("close-expected").textContent).toBe("Rp 488.100"));
    await fireEvent.input(screen.getByTestId("count-100000"), { target: { value: "4" } });
    await fireEvent.input(screen.getByTestId("count-50000"), { target: { value: "1" } });
    await fireEvent.input(screen.getByTestId("count-10000"), { target: { value: "3" } });
    expect(screen.getByTestId("close-counted").textContent).toBe("Rp 480.000");
    expect(screen.getByTestId("close-variance").textContent?.trim()).toBe("Short by Rp 8.100");
    // Not a count: the close waits until it is one.
    await fireEvent.input(screen.getByTestId("count-500"), { target: { value: "-2" } });
    expect((screen.getByTestId("close-confirm") as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(screen.getByTestId("count-500"), { target: { value: "" } });
    await fireEvent.click(screen.getByTestId("close-confirm"));
    await vi.waitFor(() => expect(closes).toHaveLength(1));
    const sent = closes[0];
    expect(sent.kind).toBe("denominations");
    if (sent.kind === "denominations") {
      expect(sent.counts.filter((c) => c.count > 0)).toEqual([
        { value: 100_000, count: 4 },
        { value: 50_000, count: 1 },
        { value: 10_000, count: 3 },
      ]);
    }
    const z = await screen.findByTestId("report-dialog");
    expect(within(z).getByText("Z report #4")).toBeTruthy();
    expect(within(z).getByTestId("report-variance").textContent).toBe("-Rp 8.100");
    expect(within(z).getByTestId("report-expected").textContent).toBe("Rp 488.100");
    await fireEvent.click(within(z).getByTestId("report-tab-58"));
    expect(within(z).getByTestId("report-text").textContent).toMatch(/LAPORAN Z #4/);
    await vi.waitFor(() => expect(screen.getByTestId("shift-button").textContent).toBe("No shift"));
  });
});

describe("past shifts in admin mode", () => {
  beforeEach(() => resetApp("en"));

  it("lists the open shift first, then the closed ones with their variance, and shows a Z again", async () => {
    const asked: string[] = [];
    routeIpc(invoke, {
      shiftHistory: (limit) => {
        expect(limit).toBeGreaterThan(0);
        return [
          shift({ id: "open" }),
          shift({ id: "z4", z_no: 4, closed_by: "Budi", closed_at: "2026-11-20T10:00:00Z", expected: 488_100, counted: 480_000, variance: -8_100 }),
          shift({ id: "z3", z_no: 3, closed_by: "Budi", closed_at: "2026-11-19T10:00:00Z", expected: 300_000, counted: 302_000, variance: 2_000 }),
        ];
      },
      shiftReport: (id) => {
        asked.push(id);
        return report(id === "open" ? "X" : "Z", { counted: 480_000 });
      },
    });
    render(ShiftHistory);
    const rows = await screen.findAllByTestId("shift-row");
    expect(rows.map((r) => r.dataset.z)).toEqual(["", "4", "3"]);
    expect(rows.map((r) => within(r).getByTestId("shift-variance").textContent)).toEqual(["—", "-Rp 8.100", "Rp 2.000"]);
    expect(within(rows[1]).getByTestId("shift-variance")).toHaveClass("short");
    expect(screen.getByTestId("shifts-total-variance").textContent).toMatch(/-Rp 6\.100/);
    expect(within(rows[0]).getByTestId("shift-view").textContent).toBe("X report");

    await fireEvent.click(within(rows[1]).getByTestId("shift-view"));
    const dialog = await screen.findByTestId("report-dialog");
    expect(asked).toEqual(["z4"]);
    expect(dialog.textContent).toMatch(/Z report #4/);
    expect(within(dialog).getByTestId("report-variance").textContent).toBe("-Rp 8.100");
  });

  it("says when the till has had no shift", async () => {
    routeIpc(invoke, { shiftHistory: () => [] });
    render(ShiftHistory);
    expect((await screen.findByTestId("shifts-empty")).textContent).toBe("No shift yet on this till.");
  });
});
