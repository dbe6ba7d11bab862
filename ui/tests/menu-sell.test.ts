import { beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, within } from "@testing-library/svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
import { invoke } from "@tauri-apps/api/core";
import type { ProductCard_Serialize } from "../src/bindings";
import Menu from "../src/features/sell/Menu.svelte";
import Scanner from "../src/features/sell/Scanner.svelte";
import Sell from "../src/features/sell/Sell.svelte";
import { chrome } from "../src/stores/chrome.svelte";
import { sale } from "../src/stores/ticket.svelte";
import { syncState } from "../src/features/sync/sync.svelte";
import { line, resetApp, status, syncStatus, ticket } from "./fixtures";
import { fail, routeIpc } from "./ipc";
import { keepsLongTextInside } from "./layout";

function card(name: string, p: Partial<ProductCard_Serialize> = {}): ProductCard_Serialize {
  return {
    id: "id-" + name,
    category_id: "c1",
    name,
    price: 25000,
    stock: null,
    stock_level: "untracked",
    available: true,
    active: true,
    barcode: null,
    popularity: 0,
    image_id: null,
    has_modifiers: false,
    featured: false,
    rating_total: 0,
    ratings: 0,
    ...p,
  };
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("Menu", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  it("shows tiles with prices, sold-out badges and low-stock hints", async () => {
    routeIpc(invoke, {
      listCategories: () => [{ id: "c1", name: "Kopi", sort_order: 1, active: true }],
      listProducts: () => [
        card("Croissant", { available: false, stock: 0, stock_level: "out" }),
        card("Kopi Susu", { stock: 3, stock_level: "critical" }),
      ],
    });
    render(Menu, { onpick: vi.fn() });
    await vi.waitFor(() => expect(screen.getAllByTestId("product-tile")).toHaveLength(2));
    const [croissant, kopi] = screen.getAllByTestId("product-tile");
    expect(croissant).toBeDisabled();
    expect(croissant.querySelector('[data-testid="sold-out"]')).toHaveTextContent("Sold out");
    expect(kopi).toHaveTextContent("Rp 25.000");
    expect(kopi).toHaveTextContent("3 left");
    expect(screen.getAllByTestId("category-tab").map((x) => x.dataset.name)).toEqual(["All", "Kopi"]);
    expect(invoke).toHaveBeenCalledWith("list_products", {
      query: { category: null, sort: "name", offset: 0, limit: 48, include_inactive: false },
    });
  });

  it("renders one page and loads the next on demand", async () => {
    const page = (offset: number, n: number) => Array.from({ length: n }, (_, i) => card(`P${String(offset + i).padStart(3, "0")}`));
    routeIpc(invoke, {
      listCategories: () => [],
      listProducts: (query) =>
        query.offset === 0 ? page(0, query.limit!) : page(query.offset!, 5),
    });
    render(Menu, { onpick: vi.fn() });
    await vi.waitFor(() => expect(screen.getAllByTestId("product-tile")).toHaveLength(48));
    await fireEvent.click(screen.getByTestId("more-products"));
    await vi.waitFor(() => expect(screen.getAllByTestId("product-tile")).toHaveLength(53));
    expect(invoke).toHaveBeenCalledWith("list_products", {
      query: { category: null, sort: "name", offset: 48, limit: 48, include_inactive: false },
    });
    expect(screen.queryByTestId("more-products")).toBeNull();
  });

  it("ignores a search answer that arrives for an older text", async () => {
    const pending: Record<string, ReturnType<typeof deferred<ProductCard_Serialize[]>>> = {};
    routeIpc(invoke, {
      listCategories: () => [],
      listProducts: () => [],
      searchProducts: (text) => (pending[text] = deferred()).promise,
    });
    render(Menu, { onpick: vi.fn() });
    const input = screen.getByTestId("search");
    await fireEvent.input(input, { target: { value: "ko" } });
    await fireEvent.input(input, { target: { value: "kop" } });
    pending["kop"].resolve([card("Kopi Tubruk")]);
    await vi.waitFor(() => expect(screen.getAllByTestId("product-tile")).toHaveLength(1));
    pending["ko"].resolve([card("Kola"), card("Kopi Tubruk")]);
    await new Promise((r) => setTimeout(r, 10));
    expect(screen.getAllByTestId("product-tile").map((x) => x.dataset.name)).toEqual(["Kopi Tubruk"]);
  });

  it("shows the store's changes when the till has pulled them, without anyone reloading", async () => {
    let price = 25000;
    let categories = [{ id: "c1", name: "Kopi", sort_order: 1, active: true }];
    let settingsRead = 0;
    routeIpc(invoke, {
      listCategories: () => categories,
      listProducts: () => [card("Kopi Susu", { price })],
      appStatus: () => {
        settingsRead += 1;
        return status();
      },
    });
    syncState.status = null;
    render(Menu, { onpick: vi.fn() });
    await vi.waitFor(() => expect(screen.getByTestId("product-tile")).toHaveTextContent("Rp 25.000"));
    syncState.status = syncStatus(4);
    await Promise.resolve();
    // Another till changed the price and added a category; this till pulled them.
    price = 27000;
    categories = [...categories, { id: "c2", name: "Roti", sort_order: 2, active: true }];
    syncState.status = syncStatus(9);
    await vi.waitFor(() => expect(screen.getByTestId("product-tile")).toHaveTextContent("Rp 27.000"));
    await vi.waitFor(() => expect(screen.getAllByTestId("category-tab").map((t) => t.dataset.name)).toContain("Roti"));
    expect(settingsRead).toBe(1);
    // A status read with nothing new pulled reloads nothing.
    price = 30000;
    syncState.status = syncStatus(9);
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.getByTestId("product-tile")).toHaveTextContent("Rp 27.000");
  });

  it("cuts a long product or category name with an ellipsis and keeps it whole in the title", async () => {
    const name = "Kue" + "X".repeat(57);
    routeIpc(invoke, {
      listCategories: () => [{ id: "c1", name: "C".repeat(60), sort_order: 1, active: true }],
      listProducts: () => [card(name)],
    });
    render(Menu, { onpick: vi.fn() });
    const tile = await screen.findByTestId("product-tile");
    const label = within(tile).getByText(name);
    expect(keepsLongTextInside(label, tile)).toBe(true);
    expect(getComputedStyle(label).getPropertyValue("-webkit-line-clamp")).toBe("2");
    expect(tile).toHaveAttribute("title", name);
    const tab = await vi.waitFor(() => screen.getAllByTestId("category-tab").find((x) => x.dataset.name === "C".repeat(60))!);
    expect(keepsLongTextInside(tab, tab)).toBe(true);
    expect(tab).toHaveAttribute("title", "C".repeat(60));
  });

  it("adds the first result on Enter", async () => {
    routeIpc(invoke, {
      listCategories: () => [],
      listProducts: () => [],
      searchProducts: () => [card("Teh Tarik"), card("Teh Manis")],
    });
    const onpick = vi.fn();
    render(Menu, { onpick });
    const input = screen.getByTestId("search");
    await fireEvent.input(input, { target: { value: "teh" } });
    await vi.waitFor(() => expect(screen.getAllByTestId("product-tile")).toHaveLength(2));
    await fireEvent.keyDown(input, { key: "Enter" });
    expect(onpick).toHaveBeenCalledWith(expect.objectContaining({ name: "Teh Tarik" }));
  });
});

describe("Menu: a long search", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  /** The core refuses a search over MAX_SEARCH_LEN (200 UTF-8 bytes), as catalog/query.rs does. */
  function searchAsTheCore(seen: string[]) {
    return (text: string) => {
      seen.push(text);
      if (new TextEncoder().encode(text).length > 200) fail({ kind: "invalid", data: { field: "query", rule: { rule: "too_long", max: 200 } } });
      return text.toLowerCase().startsWith("kopi") || text.startsWith("é") ? [card("Kopi Susu")] : [];
    };
  }

  it.each([
    ["a 10,000-character paste", "kopi susu ".repeat(1000), 200],
    ["two-byte characters", "é".repeat(10000), 100],
    ["four-byte characters (never split)", "a" + "😀".repeat(100), 1 + 49 * 2],
  ])("cuts %s where the core does and keeps showing what matches", async (_, pasted, length) => {
    const seen: string[] = [];
    routeIpc(invoke, {
      listCategories: () => [],
      listProducts: () => [card("Air Mineral"), card("Kopi Susu")],
      searchProducts: searchAsTheCore(seen),
    });
    render(Menu, { onpick: vi.fn() });
    await vi.waitFor(() => expect(screen.getAllByTestId("product-tile")).toHaveLength(2));
    const input = screen.getByTestId("search") as HTMLInputElement;
    expect(input).toHaveAttribute("maxlength", "200");
    await fireEvent.input(input, { target: { value: pasted } });
    expect(input.value).toBe(pasted.slice(0, length));
    await vi.waitFor(() => expect(screen.queryAllByTestId("product-tile").map((x) => x.dataset.name)).toEqual(
      pasted.startsWith("a") ? [] : ["Kopi Susu"],
    ));
    expect(seen).toEqual([pasted.slice(0, length)]);
    expect(chrome.toasts).toEqual([]);
  });
});

describe("Sell: barcode scanner", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  it("adds the scanned product and keeps the code out of the search box", async () => {
    const air = card("Air Mineral", { barcode: "8991234567890" });
    routeIpc(invoke, {
      listCategories: () => [],
      listProducts: () => [],
      searchProducts: () => [card("Kola")],
      productByBarcode: (code) => {
        if (code === air.barcode) return air;
        return fail({ kind: "not_found", data: { entity: "barcode" } });
      },
      openTicket: () => ticket([]),
      addToTicket: () => ticket([line({ id: "l1", product_name: "Air Mineral" })], { total: 25000 }),
    });
    render(Sell);
    render(Scanner);
    const input = screen.getByTestId("search") as HTMLInputElement;
    input.focus();
    for (const ch of air.barcode!) await fireEvent.keyDown(input, { key: ch });
    // The burst's characters landed in the focused search box, as in a browser.
    await fireEvent.input(input, { target: { value: air.barcode } });
    await fireEvent.keyDown(input, { key: "Enter" });

    await vi.waitFor(() => expect(sale.ticket?.lines).toHaveLength(1));
    expect(invoke).toHaveBeenCalledWith("product_by_barcode", { code: "8991234567890" });
    expect(invoke).toHaveBeenCalledWith("open_ticket", { orderType: "dine_in", label: "" });
    const adds = vi.mocked(invoke).mock.calls.filter((c) => c[0] === "add_to_ticket");
    expect(adds).toEqual([
      ["add_to_ticket", { ticket: "t1", line: { product_id: air.id, modifier_ids: [], note: "", quantity: 1 } }],
    ]);
    expect(input.value).toBe("");
    expect(screen.getByTestId("ticket-line")).toHaveAttribute("data-name", "Air Mineral");
  });

  it("takes a word typed fast and ended with Enter for a search, not a scan", async () => {
    const bolu = card("Bolu Kukus");
    routeIpc(invoke, {
      listCategories: () => [],
      listProducts: () => [],
      searchProducts: () => [bolu],
      productByBarcode: () => fail({ kind: "not_found", data: { entity: "barcode" } }),
      openTicket: () => ticket([]),
      addToTicket: () => ticket([line({ id: "l1", product_name: "Bolu Kukus" })], { total: 25000 }),
    });
    render(Sell);
    render(Scanner);
    const input = screen.getByTestId("search") as HTMLInputElement;
    input.focus();
    // Typed as fast as a scanner (no time between the keys), then Enter.
    for (const ch of "bolu") await fireEvent.keyDown(input, { key: ch });
    await fireEvent.input(input, { target: { value: "bolu" } });
    await vi.waitFor(() => expect(screen.getAllByTestId("product-tile")).toHaveLength(1));
    await fireEvent.keyDown(input, { key: "Enter" });

    await vi.waitFor(() => expect(sale.ticket?.lines).toHaveLength(1));
    expect(invoke).not.toHaveBeenCalledWith("product_by_barcode", expect.anything());
    expect(vi.mocked(invoke).mock.calls.filter((c) => c[0] === "add_to_ticket")).toEqual([
      ["add_to_ticket", { ticket: "t1", line: { product_id: bolu.id, modifier_ids: [], note: "", quantity: 1 } }],
    ]);
    expect(chrome.toasts).toEqual([]);
  });

  it("leaves an unknown code in the search box and says it is unknown", async () => {
    routeIpc(invoke, {
      listCategories: () => [],
      listProducts: () => [],
      searchProducts: () => [],
      productByBarcode: () => fail({ kind: "not_found", data: { entity: "barcode" } }),
    });
    render(Sell);
    render(Scanner);
    const input = screen.getByTestId("search") as HTMLInputElement;
    input.focus();
    for (const ch of "KB-0042") await fireEvent.keyDown(input, { key: ch });
    await fireEvent.input(input, { target: { value: "KB-0042" } });
    await fireEvent.keyDown(input, { key: "Enter" });

    await vi.waitFor(() => expect(chrome.toasts.map((x) => x.text)).toEqual(["No product with barcode KB-0042."]));
    expect(invoke).toHaveBeenCalledWith("product_by_barcode", { code: "KB-0042" });
    expect(input.value).toBe("KB-0042");
    expect(sale.ticket).toBeNull();
  });
});
