import { beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
import { invoke } from "@tauri-apps/api/core";
import App from "../src/App.svelte";
import { requestApproval } from "../src/stores/approval.svelte";
import { chrome, router } from "../src/stores/chrome.svelte";
import { session, start } from "../src/stores/session.svelte";
import { sale, setOrderDiscount } from "../src/stores/ticket.svelte";
import type { ProductCard_Serialize } from "../src/bindings";
import { line, product, resetApp, setupOptions, status, ticket } from "./fixtures";
import { fail, routeIpc } from "./ipc";

const open = ticket([line({ id: "l1", product_name: "Croissant", quantity: 1, unit_price: 18000 })], {
  subtotal: 18000,
  total: 18000,
});

describe("App", () => {
  beforeEach(() => {
    resetApp("en");
    localStorage.clear();
    vi.mocked(invoke).mockReset();
  });

  it("resumes the newest open ticket after sign-in and follows the shop's language", async () => {
    routeIpc(invoke, {
      appStatus: () => status(),
      listTickets: () => [
        { id: "old", order_type: "dine_in", label: "", parked: false, staff_id: "s1", staff_name: "Sari", items: 1, updated_at: "2026-11-21T04:00:00Z" },
        { id: "t1", order_type: "dine_in", label: "Meja 4", parked: false, staff_id: "s1", staff_name: "Sari", items: 1, updated_at: "2026-11-21T05:00:00Z" },
        { id: "pk", order_type: "dine_in", label: "", parked: true, staff_id: "s1", staff_name: "Sari", items: 1, updated_at: "2026-11-21T06:00:00Z" },
      ],
      ticket: (id) => ({ ...open, id }),
      listCategories: () => [],
      listProducts: () => [],
    });
    render(App);
    await vi.waitFor(() => expect(screen.getByTestId("cashier-name")).toHaveTextContent("Sari"));
    await vi.waitFor(() => expect(screen.getByTestId("ticket-line")).toHaveAttribute("data-name", "Croissant"));
    expect(invoke).toHaveBeenCalledWith("ticket", { id: "t1" });
    expect(chrome.lang).toBe("id");
    expect(screen.getByTestId("pay-button")).toHaveTextContent("Bayar");
    await fireEvent.click(screen.getByTestId("lang-toggle"));
    expect(screen.getByTestId("pay-button")).toHaveTextContent("Pay");
    expect(localStorage.getItem("kasir.lang")).toBe("en");
  });

  it("shows the setup screen on first run", async () => {
    routeIpc(invoke, {
      appStatus: () => status({ needs_setup: true, signed_in: null }),
      setupOptions: () => setupOptions(),
    });
    render(App);
    await vi.waitFor(() => expect(screen.getByTestId("setup-demo")).toBeInTheDocument());
    expect(screen.getByTestId("setup-form")).toBeInTheDocument();
    await vi.waitFor(() => expect(screen.getByTestId("setup-currency")).toHaveValue("IDR"));
  });

  it("says at start, in the shop's language, which backup was restored or why a restore could not be applied", async () => {
    routeIpc(invoke, {
      appStatus: () => status({ signed_in: null, restored_from: "/media/kasir/STICK/kasir-T01-20261203-213000" }),
      listStaff: () => [],
      listCategories: () => [],
      listProducts: () => [],
    });
    render(App);
    await vi.waitFor(() => expect(chrome.toasts.map((x) => x.text).join()).toMatch(/^Dipulihkan dari cadangan \/media\/kasir\/STICK/));
    chrome.toasts.length = 0;
    routeIpc(invoke, {
      appStatus: () => status({ signed_in: null, restore_failed: "the backup is damaged" }),
      listStaff: () => [],
      listCategories: () => [],
      listProducts: () => [],
    });
    await start();
    expect(chrome.toasts.map((x) => x.kind + ": " + x.text).join()).toMatch(/^error: Pemulihan tidak bisa diterapkan \(the backup is damaged\)/);
  });
});

describe("manager approval", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  it("asks for a manager's PIN and retries the discount with it", async () => {
    sale.ticket = open;
    const discounted = { ...open, totals: { ...open.totals, order_discount: 1800, total: 16200 } };
    routeIpc(invoke, {
      setOrderDiscount: (_ticket, _discount, approval) => {
        if (!approval) fail({ kind: "forbidden", data: { permission: "discount", role: "cashier", needs_approval: true } });
        return discounted;
      },
      listStaff: () => [
        { id: "s1", name: "Sari", role: "cashier", active: true },
        { id: "m1", name: "Budi", role: "manager", active: true },
      ],
    });
    render(App);
    const done = setOrderDiscount({ kind: "percent", value: 1000 });
    await vi.waitFor(() => expect(screen.getByTestId("approval-dialog")).toBeInTheDocument());
    expect(screen.getByTestId("approval-message")).toHaveTextContent("A manager's or admin's PIN is needed to give discounts.");
    await vi.waitFor(() => expect(screen.getAllByTestId("approver").map((x) => x.dataset.name)).toEqual(["Budi"]));
    for (const d of "222") await fireEvent.click(screen.getByTestId(`pin-key-${d}`));
    // The PIN pad takes the keyboard too, inside the dialog that covers the screen.
    await fireEvent.keyDown(window, { key: "2" });
    await fireEvent.keyDown(window, { key: "Enter" });
    expect(await done).toBe(true);
    expect(invoke).toHaveBeenLastCalledWith("set_order_discount", {
      ticket: "t1",
      discount: { kind: "percent", value: 1000 },
      approval: { staff_id: "m1", pin: "2222" },
    });
    expect(sale.ticket?.totals.total).toBe(16200);
    expect(screen.queryByTestId("approval-dialog")).toBeNull();
  });
});

describe("till shortcuts", () => {
  beforeEach(() => {
    resetApp("en");
    localStorage.clear();
    vi.mocked(invoke).mockReset();
    routeIpc(invoke, {
      appStatus: () => status(),
      listTickets: () => [],
      listCategories: () => [],
      listProducts: () => [],
      ordersToday: () => [],
      listStaff: () => [{ id: "s1", name: "Sari", role: "cashier", active: true }],
      signOut: () => null,
    });
  });

  it("F8 opens the orders board and toggles back, Esc returns to selling, a dialog silences both", async () => {
    render(App);
    await vi.waitFor(() => expect(screen.getByTestId("search")).toBeInTheDocument());
    await fireEvent.keyDown(window, { key: "F8" });
    await vi.waitFor(() => expect(screen.getByTestId("orders-board")).toBeInTheDocument());
    expect(screen.getByTestId("orders-button")).toHaveAttribute("aria-pressed", "true");
    await fireEvent.keyDown(window, { key: "F8" });
    await vi.waitFor(() => expect(screen.getByTestId("search")).toBeInTheDocument());
    expect(router.stack).toEqual(["sell"]);

    await fireEvent.click(screen.getByTestId("orders-button"));
    await vi.waitFor(() => expect(screen.getByTestId("orders-board")).toBeInTheDocument());
    await fireEvent.keyDown(window, { key: "Escape" });
    await vi.waitFor(() => expect(screen.getByTestId("search")).toBeInTheDocument());

    await fireEvent.keyDown(window, { key: "F9" }); // the sell screen's key: open tickets
    await vi.waitFor(() => expect(screen.getByTestId("tickets-dialog")).toBeInTheDocument());
    await fireEvent.keyDown(window, { key: "F8" }); // covered by the dialog
    expect(screen.queryByTestId("orders-board")).toBeNull();
    await fireEvent.keyDown(window, { key: "Escape" }); // closes the dialog only
    await vi.waitFor(() => expect(screen.queryByTestId("tickets-dialog")).toBeNull());
    expect(router.path).toBe("sell");
  });

  it("Ctrl+L locks the till even with a dialog open", async () => {
    render(App);
    await vi.waitFor(() => expect(screen.getByTestId("search")).toBeInTheDocument());
    await fireEvent.keyDown(window, { key: "F9" });
    await vi.waitFor(() => expect(screen.getByTestId("tickets-dialog")).toBeInTheDocument());
    await fireEvent.keyDown(window, { key: "l", ctrlKey: true });
    await vi.waitFor(() => expect(router.path).toBe("login"));
    expect(session.actor).toBeNull();
    await vi.waitFor(() => expect(screen.getByTestId("staff-tile")).toBeInTheDocument());
    expect(screen.queryByTestId("tickets-dialog")).toBeNull();
  });
});

describe("the barcode scanner on the orders board", () => {
  const air: ProductCard_Serialize = {
    id: "p-air", category_id: "c1", name: "Air Mineral", price: 6000, stock: null, stock_level: "untracked", available: true,
    active: true, barcode: "8991234567890", popularity: 0, image_id: null, has_modifiers: false, featured: false, rating_total: 0, ratings: 0,
  };
  const latte: ProductCard_Serialize = { ...air, id: "p-latte", name: "Latte", barcode: "8990000000017", has_modifiers: true };

  beforeEach(() => {
    resetApp("id");
    localStorage.clear();
    vi.mocked(invoke).mockReset();
    routeIpc(invoke, {
      appStatus: () => status(),
      listTickets: () => [],
      listCategories: () => [],
      listProducts: () => [],
      ordersToday: () => [],
      productByBarcode: (code) => (code === air.barcode ? air : code === latte.barcode ? latte : fail({ kind: "not_found", data: { entity: "barcode" } })),
      openTicket: () => ticket([]),
      addToTicket: () => ticket([line({ id: "l1", product_name: "Air Mineral" })], { total: 6000 }),
      product: () =>
        product({
          id: "p-latte",
          name: "Latte",
          modifier_groups: [{ id: "g1", name: "Ukuran", min_choices: 1, max_choices: 1, options: [{ id: "o1", name: "Besar", price_delta: 5000 }] }],
        }),
    });
  });

  async function onBoard() {
    render(App);
    await vi.waitFor(() => expect(screen.getByTestId("search")).toBeInTheDocument());
    await fireEvent.keyDown(window, { key: "F8" });
    await vi.waitFor(() => expect(screen.getByTestId("orders-board")).toBeInTheDocument());
  }

  async function scan(code: string) {
    for (const ch of code) await fireEvent.keyDown(document.body, { key: ch });
    await fireEvent.keyDown(document.body, { key: "Enter" });
  }

  it("adds the scanned product to the current ticket and says so", async () => {
    await onBoard();
    await scan(air.barcode!);
    await vi.waitFor(() => expect(sale.ticket?.lines.map((l) => l.product_name)).toEqual(["Air Mineral"]));
    expect(await screen.findByTestId("info-toast")).toHaveTextContent("Air Mineral ditambahkan ke tiket.");
    expect(router.path).toBe("board");
  });

  it("opens the options of a product that has them on the sell screen", async () => {
    await onBoard();
    await scan(latte.barcode!);
    await vi.waitFor(() => expect(router.path).toBe("sell"));
    const dialog = await screen.findByTestId("modifier-dialog");
    await vi.waitFor(() => expect(dialog).toHaveTextContent("Besar"));
  });

  it("tells the cashier about an unknown code, or one scanned with a dialog open", async () => {
    await onBoard();
    await scan("0000000000000");
    await vi.waitFor(() => expect(screen.getByTestId("error-toast")).toHaveTextContent("Tidak ada produk dengan barcode 0000000000000."));
    chrome.toasts = [];
    // A dialog on top (here the approval of another action) gets no product, and no Enter.
    void requestApproval("cancel_order");
    await vi.waitFor(() => expect(screen.getByTestId("approval-dialog")).toBeInTheDocument());
    await scan(air.barcode!);
    await vi.waitFor(() => expect(screen.getByTestId("error-toast")).toHaveTextContent("Air Mineral terpindai tetapi belum ditambahkan"));
    expect(sale.ticket).toBeNull();
    expect(screen.getByTestId("approval-dialog")).toBeInTheDocument();
  });
});

