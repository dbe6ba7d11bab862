/**
 * A barcode scan that arrives while a dialog is open adds nothing, confirms nothing and leaves
 * nothing behind in what the cashier was typing (issue 8, item 3). Time is the test's: a person
 * types 150 ms apart, the scanner's burst comes all at once.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
import { invoke } from "@tauri-apps/api/core";
import type { Approval, ProductCard_Serialize } from "../src/bindings";
import ApprovalDialog from "../src/features/approval/ApprovalDialog.svelte";
import PayDialog from "../src/features/sell/PayDialog.svelte";
import Scanner from "../src/features/sell/Scanner.svelte";
import { chrome } from "../src/stores/chrome.svelte";
import { line, resetApp, ticket } from "./fixtures";
import { fail, routeIpc } from "./ipc";

const air: ProductCard_Serialize = {
  id: "p-air", category_id: "c1", name: "Air Mineral", price: 6000, stock: null, stock_level: "untracked", available: true,
  active: true, barcode: "8991234567890", popularity: 0, image_id: null, has_modifiers: false, featured: false, rating_total: 0, ratings: 0,
};
const UNKNOWN = "0000000000000";

const due = ticket([line({ id: "l1", product_name: "Croissant", quantity: 2, unit_price: 14450 })], { gross: 28900, subtotal: 28900, total: 28900 });

/** A person's keys, 150 ms apart; into `field` when given (the character lands after its keydown). */
async function typeSlowly(text: string, field?: HTMLInputElement) {
  for (const ch of text) {
    vi.setSystemTime(Date.now() + 150);
    await fireEvent.keyDown(field ?? document.body, { key: ch });
    if (field) await fireEvent.input(field, { target: { value: field.value + ch } });
  }
}

/** A scanner's burst (no time between the keys), then its Enter. */
async function scan(code: string, field?: HTMLInputElement) {
  vi.setSystemTime(Date.now() + 150);
  for (const ch of code) {
    await fireEvent.keyDown(field ?? document.body, { key: ch });
    if (field) await fireEvent.input(field, { target: { value: field.value + ch } });
  }
  await fireEvent.keyDown(field ?? document.body, { key: "Enter" });
}

const toasts = () => chrome.toasts.map((x) => x.text);

describe("a scan under a dialog", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-21T05:00:00Z"));
  });
  afterEach(() => vi.useRealTimers());

  it("leaves the cash amount as the cashier typed it, and says the product was not added", async () => {
    routeIpc(invoke, {
      productByBarcode: (code) => (code === air.barcode ? air : fail({ kind: "not_found", data: { entity: "barcode" } })),
      checkout: () => fail({ kind: "internal", data: { message: "must not be called" } }),
    });
    const onpaid = vi.fn();
    const onclose = vi.fn();
    render(PayDialog, { ticket: due, onpaid, onclose });
    render(Scanner);
    const cash = screen.getByTestId("tendered") as HTMLInputElement;
    expect(document.activeElement).toBe(cash);

    await typeSlowly("20000", cash);
    expect(screen.getByTestId("remaining-due")).toHaveTextContent(/^Rp 8\.900$/);
    await scan(air.barcode!, cash);
    await vi.waitFor(() => expect(toasts()).toEqual(["Air Mineral was scanned but not added: close this window first, then scan it again."]));
    expect(cash.value).toBe("20000");
    expect(screen.getByTestId("remaining-due")).toHaveTextContent(/^Rp 8\.900$/);

    // An unknown code goes too: a cash amount is never a barcode.
    await scan(UNKNOWN, cash);
    await vi.waitFor(() => expect(toasts()).toContain(`No product with barcode ${UNKNOWN}.`));
    expect(cash.value).toBe("20000");
    expect(screen.getByTestId("remaining-due")).toHaveTextContent(/^Rp 8\.900$/);

    expect(vi.mocked(invoke).mock.calls.filter((c) => c[0] === "checkout")).toEqual([]);
    expect(onpaid).not.toHaveBeenCalled();
    expect(onclose).not.toHaveBeenCalled();
    expect(screen.getByTestId("pay-dialog")).toBeInTheDocument();
  });

  it("leaves the manager's PIN as they typed it, and says the product was not added", async () => {
    routeIpc(invoke, {
      listStaff: () => [
        { id: "s1", name: "Sari", role: "cashier", active: true },
        { id: "m1", name: "Budi", role: "manager", active: true },
      ],
      productByBarcode: (code) => (code === air.barcode ? air : fail({ kind: "not_found", data: { entity: "barcode" } })),
    });
    const resolve = vi.fn<(a: Approval | null) => void>();
    render(ApprovalDialog, { request: { permission: "discount", failed: null, resolve } });
    render(Scanner);
    await vi.waitFor(() => expect(screen.getByTestId("approver")).toHaveAttribute("aria-checked", "true"));
    const filled = () => document.querySelectorAll(".dot.filled").length;

    await typeSlowly("22");
    expect(filled()).toBe(2);
    await scan(air.barcode!);
    expect(filled()).toBe(2);
    await vi.waitFor(() => expect(toasts()).toEqual(["Air Mineral was scanned but not added: close this window first, then scan it again."]));
    expect(resolve).not.toHaveBeenCalled();
    await scan(UNKNOWN);
    expect(filled()).toBe(2);

    await typeSlowly("22");
    vi.setSystemTime(Date.now() + 150);
    await fireEvent.keyDown(document.body, { key: "Enter" });
    expect(resolve).toHaveBeenCalledExactlyOnceWith({ staff_id: "m1", pin: "2222" });
  });
});
