/**
 * The approval dialog after a PIN that did not do (issue 8, item 4): a wrong PIN keeps the
 * chosen manager, clears the PIN and says how many attempts remain; when the core pauses that
 * manager's approvals, the dialog says until when (shop time) and lets the cashier pick another.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, within } from "@testing-library/svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
import { invoke } from "@tauri-apps/api/core";
import type { Approval } from "../src/bindings";
import App from "../src/App.svelte";
import { sale, setOrderDiscount } from "../src/stores/ticket.svelte";
import { line, resetApp, ticket } from "./fixtures";
import { fail, routeIpc } from "./ipc";

const open = ticket([line({ id: "l1", product_name: "Croissant", unit_price: 18000 })], { gross: 18000, subtotal: 18000, total: 18000 });
const discounted = { ...open, totals: { ...open.totals, order_discount: 1800, total: 16200 } };
const STAFF = [
  { id: "s1", name: "Sari", role: "cashier" as const, active: true },
  { id: "m1", name: "Budi", role: "manager" as const, active: true },
  { id: "a1", name: "Rina", role: "admin" as const, active: true },
];

const filled = () => document.querySelectorAll(".dot.filled").length;
const chosen = () => screen.getAllByTestId("approver").filter((b) => b.getAttribute("aria-checked") === "true").map((b) => b.dataset.name);

async function typePin(pin: string) {
  for (const d of pin) await fireEvent.click(screen.getByTestId(`pin-key-${d}`));
  await fireEvent.click(screen.getByTestId("pin-ok"));
}

/** A discount that needs approval; `answer` says what the core makes of each PIN. */
function discountNeedingApproval(answer: (a: Approval) => void) {
  sale.ticket = open;
  const tried: Approval[] = [];
  routeIpc(invoke, {
    listStaff: () => STAFF,
    setOrderDiscount: (_t, _d, approval) => {
      if (!approval) fail({ kind: "forbidden", data: { permission: "discount", role: "cashier", needs_approval: true } });
      tried.push(approval);
      answer(approval);
      return discounted;
    },
  });
  render(App);
  const done = setOrderDiscount({ kind: "percent", value: 1000 });
  return { done, tried };
}

describe("the approval dialog after a PIN that did not do", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-21T07:14:00Z"));
  });
  afterEach(() => vi.useRealTimers());

  it("keeps the manager chosen after a wrong PIN, clears the PIN and says how many attempts are left", async () => {
    const { done, tried } = discountNeedingApproval((a) => {
      if (a.pin !== "2222") fail({ kind: "wrong_pin", data: { attempts_left: 2 } });
    });
    await vi.waitFor(() => expect(screen.getAllByTestId("approver").map((b) => b.dataset.name)).toEqual(["Budi", "Rina"]));
    expect(screen.getByTestId("approval-choose")).toHaveTextContent("Choose who approves, then type their PIN.");
    await fireEvent.click(screen.getAllByTestId("approver")[0]);
    expect(screen.queryByTestId("approval-choose")).toBeNull();
    await typePin("1111");

    await vi.waitFor(() => expect(screen.getByTestId("approval-error")).toHaveTextContent("Wrong PIN for Budi. Attempts left: 2."));
    expect(chosen()).toEqual(["Budi"]);
    expect(filled()).toBe(0);
    expect(screen.getByTestId("pin-key-2")).toBeEnabled();
    expect(screen.getByTestId("approval-rule")).toHaveTextContent("3 wrong PINs in a row here pause that person's approvals for 1 minute");
    expect(screen.getByTestId("approval-rule")).toHaveTextContent("Their sign-in is not affected.");

    await typePin("2222");
    expect(await done).toBe(true);
    expect(tried).toEqual([
      { staff_id: "m1", pin: "1111" },
      { staff_id: "m1", pin: "2222" },
    ]);
    expect(sale.ticket?.totals.total).toBe(16200);
    expect(screen.queryByTestId("approval-dialog")).toBeNull();
  });

  it.each([
    ["en", "Budi's approvals are paused until 14:15:00. Another manager or admin can approve.", "paused until 14:15:00", "Their sign-in is not affected."],
    ["id", "Persetujuan oleh Budi dijeda sampai 14:15:00. Manajer atau admin lain dapat menyetujui.", "dijeda sampai 14:15:00", "Login-nya tidak terpengaruh."],
  ] as const)("says until when a manager's approvals are paused and lets another approve (%s)", async (lang, alert, paused, rule) => {
    resetApp(lang);
    const { done, tried } = discountNeedingApproval((a) => {
      if (a.staff_id === "m1") fail({ kind: "locked_out", data: { until: "2026-11-21T07:15:00Z" } });
    });
    await vi.waitFor(() => expect(screen.getAllByTestId("approver")).toHaveLength(2));
    await fireEvent.click(screen.getAllByTestId("approver")[0]);
    await typePin("1111");

    // In the shop's time zone (Asia/Jakarta), not the machine's.
    await vi.waitFor(() => expect(screen.getByTestId("approval-error")).toHaveTextContent(alert));
    expect(screen.getByTestId("approval-rule")).toHaveTextContent(rule);
    expect(chosen()).toEqual([]);
    expect(screen.getByTestId("pin-key-1")).toBeDisabled();
    expect(screen.getByTestId("approval-choose")).toBeInTheDocument();
    const [budi, rina] = screen.getAllByTestId("approver");
    expect(within(budi).getByTestId("approver-paused")).toHaveTextContent(paused);
    expect(within(rina).queryByTestId("approver-paused")).toBeNull();

    await fireEvent.click(rina);
    expect(chosen()).toEqual(["Rina"]);
    await typePin("4444");
    expect(await done).toBe(true);
    expect(tried.at(-1)).toEqual({ staff_id: "a1", pin: "4444" });
  });

  it("does not choose the only manager for the cashier while their approvals are paused", async () => {
    sale.ticket = open;
    routeIpc(invoke, {
      listStaff: () => STAFF.slice(0, 2),
      setOrderDiscount: (_t, _d, approval) =>
        approval
          ? fail({ kind: "locked_out", data: { until: "2026-11-21T07:15:00Z" } })
          : fail({ kind: "forbidden", data: { permission: "discount", role: "cashier", needs_approval: true } }),
    });
    render(App);
    const done = setOrderDiscount({ kind: "percent", value: 1000 });
    await vi.waitFor(() => expect(chosen()).toEqual(["Budi"]));
    await typePin("1111");
    await vi.waitFor(() => expect(screen.getByTestId("approval-error")).toHaveTextContent("Budi's approvals are paused until 14:15:00."));
    expect(chosen()).toEqual([]);
    expect(screen.getByTestId("pin-key-1")).toBeDisabled();
    await fireEvent.keyDown(window, { key: "Escape" });
    await done;
    expect(screen.queryByTestId("approval-dialog")).toBeNull();

    // Still paused when the next approval is asked for; once the pause is over, chosen again.
    const again = setOrderDiscount({ kind: "percent", value: 1000 });
    await vi.waitFor(() => expect(screen.getByTestId("approver-paused")).toHaveTextContent("paused until 14:15:00"));
    expect(chosen()).toEqual([]);
    await fireEvent.keyDown(window, { key: "Escape" });
    await again;
    vi.setSystemTime(new Date("2026-11-21T07:15:01Z"));
    const later = setOrderDiscount({ kind: "percent", value: 1000 });
    await vi.waitFor(() => expect(chosen()).toEqual(["Budi"]));
    expect(screen.queryByTestId("approver-paused")).toBeNull();
    await fireEvent.keyDown(window, { key: "Escape" });
    await later;
    expect(sale.ticket?.totals.total).toBe(18000);
  });
});
