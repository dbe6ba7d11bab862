/**
 * Admin mode's products: the table asks the core for one page at a time (filters, sort and
 * window in the query), shows how many match, and sends bulk actions for the ticked rows; the
 * form reads the price in the shop's money format and puts the core's refusals next to their
 * fields.
 */
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { invoke } from "@tauri-apps/api/core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ProductDraft, ProductRow_Serialize, ProductTableQuery } from "../src/bindings";
import Admin from "../src/features/admin/Admin.svelte";
import { session } from "../src/stores/session.svelte";
import { product, resetApp } from "./fixtures";
import { fail, routeIpc } from "./ipc";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

const BUDI = { id: "m1", name: "Budi", role: "manager" as const };
const KOPI = { id: "c1", name: "Kopi", sort_order: 10, active: true };
const ROTI = { id: "c2", name: "Roti", sort_order: 20, active: true };

function row(i: number, p: Partial<ProductRow_Serialize> = {}): ProductRow_Serialize {
  return {
    id: `p${i}`,
    name: `Produk ${String(i).padStart(3, "0")}`,
    category_id: "c1",
    category_name: "Kopi",
    price: 10_000 + i * 500,
    stock: null,
    stock_level: "untracked",
    active: true,
    available: true,
    featured: false,
    barcode: null,
    popularity: 0,
    image_id: null,
    updated_at: "2026-11-21T03:00:00Z",
    ...p,
  };
}

/** A fake of the core's table: filters by text and stock, pages, and records every query. */
function backend(all: ProductRow_Serialize[]) {
  const queries: ProductTableQuery[] = [];
  const calls: string[] = [];
  routeIpc(invoke, {
    listAllCategories: () => [KOPI, ROTI],
    productPictures: () => [],
    productTable: (q) => {
      queries.push(q);
      let rows = all.filter((r) => !q.text || r.name.toLowerCase().includes(q.text.toLowerCase()));
      if (q.stock === "low") rows = rows.filter((r) => ["warning", "critical", "out"].includes(r.stock_level));
      if (q.descending) rows = [...rows].reverse();
      return { rows: rows.slice(q.offset, q.offset + q.limit), total: rows.length };
    },
    setProductsActive: (ids, active) => {
      calls.push(`active ${active} ${ids.join(",")}`);
      return ids.length;
    },
    moveProducts: (ids, category) => {
      calls.push(`move ${category} ${ids.join(",")}`);
      return ids.length;
    },
    product: (id) => {
      const r = all.find((x) => x.id === id)!;
      return product({
        id: r.id,
        name: r.name,
        price: r.price,
        tags: ["baru"],
        stock: 7,
        low_stock_warning: 5,
        low_stock_critical: 2,
        modifier_groups: [{ id: "g1", name: "Size", min_choices: 1, max_choices: 1, options: [{ id: "o1", name: "Large", price_delta: 5_000 }] }],
      });
    },
    saveProduct: (id, draft: ProductDraft, groups) => {
      if (id !== null) {
        calls.push(`update ${id} ${draft.name} ${draft.price} ${draft.tags?.join("|")} ${draft.featured}`);
        calls.push(
          `groups ${(groups ?? [])
            .map((g) => `${g.id}:${g.name}[${g.min_choices}-${g.max_choices}]` + g.options.map((o) => ` ${o.id}:${o.name}=${o.price_delta}`).join(""))
            .join(";")}`,
        );
        if (groups?.some((g) => g.min_choices > g.max_choices)) {
          fail({ kind: "invalid", data: { field: "max_choices", rule: { rule: "choice_bounds" } } });
        }
        return product({ id, name: draft.name, price: draft.price });
      }
      calls.push(`create ${draft.name} ${draft.price} ${draft.track_stock} ${draft.initial_stock}`);
      if (draft.barcode === "899") fail({ kind: "duplicate", data: { field: "barcode", value: "899" } });
      return product({ id: "new", name: draft.name, price: draft.price });
    },
  });
  return { queries, calls };
}

const names = () => screen.getAllByTestId("product-name").map((n) => n.textContent);
const last = <T,>(xs: T[]) => xs[xs.length - 1];

describe("admin mode: products", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
    vi.useRealTimers();
    session.actor = BUDI;
  });

  it("shows a page of 50 with the total, and turns pages through the core", async () => {
    const { queries } = backend(Array.from({ length: 120 }, (_, i) => row(i)));
    render(Admin);
    await vi.waitFor(() => expect(screen.getAllByTestId("table-row")).toHaveLength(50));
    expect(screen.getByTestId("product-range")).toHaveTextContent("1–50 of 120");
    expect(screen.getByTestId("page-prev")).toBeDisabled();
    await fireEvent.click(screen.getByTestId("page-next"));
    await fireEvent.click(screen.getByTestId("page-next"));
    await vi.waitFor(() => expect(screen.getAllByTestId("table-row")).toHaveLength(20));
    expect(screen.getByTestId("product-range")).toHaveTextContent("101–120 of 120");
    expect(screen.getByTestId("page-next")).toBeDisabled();
    expect(last(queries)).toMatchObject({ offset: 100, limit: 50 });
  });

  it("sends the search, the filters and the sort to the core, back to the first page", async () => {
    const { queries } = backend([
      row(1, { name: "Kopi Susu" }),
      row(2, { name: "Roti Bakar", stock: 1, stock_level: "critical" }),
      row(3, { name: "Kopi Tubruk", stock: 40, stock_level: "ok" }),
    ]);
    render(Admin);
    await vi.waitFor(() => expect(names()).toHaveLength(3));
    await fireEvent.input(screen.getByTestId("product-search"), { target: { value: "kopi" } });
    await vi.waitFor(() => expect(names()).toEqual(["Kopi Susu", "Kopi Tubruk"]));
    expect(last(queries)).toMatchObject({ text: "kopi", offset: 0 });
    await fireEvent.input(screen.getByTestId("product-search"), { target: { value: "" } });
    await fireEvent.change(screen.getByTestId("filter-stock"), { target: { value: "low" } });
    await vi.waitFor(() => expect(names()).toEqual(["Roti Bakar"]));
    expect(screen.getByTestId("stock-level")).toHaveAttribute("data-level", "critical");
    await fireEvent.change(screen.getByTestId("filter-category"), { target: { value: "c2" } });
    await fireEvent.change(screen.getByTestId("filter-status"), { target: { value: "inactive" } });
    await fireEvent.click(screen.getByTestId("filter-featured"));
    await vi.waitFor(() => expect(last(queries)).toMatchObject({ category: "c2", active: false, featured: true, stock: "low" }));
    await fireEvent.click(screen.getByTestId("sort-price"));
    await vi.waitFor(() => expect(last(queries)).toMatchObject({ sort: "price", descending: false }));
    await fireEvent.click(screen.getByTestId("sort-price"));
    await vi.waitFor(() => expect(last(queries)).toMatchObject({ sort: "price", descending: true, offset: 0 }));
    expect(screen.getByRole("columnheader", { name: /Price/ })).toHaveAttribute("aria-sort", "descending");
  });

  it("deactivates and moves the ticked products in one call each", async () => {
    const { calls } = backend([row(1), row(2), row(3)]);
    render(Admin);
    await vi.waitFor(() => expect(names()).toHaveLength(3));
    expect(screen.queryByTestId("bulk-bar")).toBeNull();
    const boxes = screen.getAllByTestId("product-select");
    await fireEvent.click(boxes[0]);
    await fireEvent.click(boxes[2]);
    // Ticking a box never opens the form.
    expect(screen.queryByTestId("product-form")).toBeNull();
    expect(screen.getByTestId("bulk-bar")).toHaveTextContent("2 selected");
    await fireEvent.click(screen.getByTestId("bulk-deactivate"));
    await vi.waitFor(() => expect(calls).toContain("active false p1,p3"));
    await vi.waitFor(() => expect(screen.queryByTestId("bulk-bar")).toBeNull());
    await fireEvent.click(screen.getByTestId("select-page"));
    expect(screen.getByTestId("bulk-bar")).toHaveTextContent("3 selected");
    expect(screen.getByTestId("bulk-move")).toBeDisabled();
    await fireEvent.change(screen.getByTestId("bulk-category"), { target: { value: "c2" } });
    await fireEvent.click(screen.getByTestId("bulk-move"));
    await vi.waitFor(() => expect(calls).toContain("move c2 p1,p2,p3"));
  });

  it("edits a product from its row: the price in the shop's format, tags, featured", async () => {
    const { calls } = backend([row(1, { name: "Kopi Susu", price: 25_000 })]);
    render(Admin);
    await vi.waitFor(() => expect(names()).toEqual(["Kopi Susu"]));
    await fireEvent.click(screen.getAllByTestId("table-row")[0]);
    const form = await screen.findByTestId("product-form");
    const price = (await within(form).findByTestId("prod-price")) as HTMLInputElement;
    expect(price.value).toBe("25000");
    expect(within(form).getByText(/In stock: 7/)).toBeInTheDocument();
    await fireEvent.input(price, { target: { value: "Rp 27.500" } });
    await fireEvent.input(within(form).getByTestId("prod-tags"), { target: { value: "baru, , pedas " } });
    await fireEvent.click(within(form).getByTestId("prod-featured"));
    await fireEvent.click(within(form).getByTestId("prod-save"));
    await vi.waitFor(() => expect(calls).toContain("update p1 Kopi Susu 27500 baru|pedas true"));
    expect(calls).toContain("groups g1:Size[1-1] o1:Large=5000");
    await vi.waitFor(() => expect(screen.queryByTestId("product-form")).toBeNull());
  });

  it("edits modifier groups: ids kept, a negative price, a new group, the core's refusal in place", async () => {
    const { calls } = backend([row(1, { name: "Kopi Susu" })]);
    render(Admin);
    await vi.waitFor(() => expect(names()).toEqual(["Kopi Susu"]));
    await fireEvent.click(screen.getAllByTestId("table-row")[0]);
    const form = await screen.findByTestId("product-form");
    const editor = await within(form).findByTestId("modifier-editor");
    await fireEvent.click(within(editor).getByTestId("mod-option-add"));
    const names2 = within(editor).getAllByTestId("mod-option-name");
    await fireEvent.input(names2[1], { target: { value: "Small" } });
    await fireEvent.input(within(editor).getAllByTestId("mod-option-price")[1], { target: { value: "-2.000" } });
    await fireEvent.click(within(editor).getByTestId("mod-group-add"));
    await fireEvent.input(within(editor).getAllByTestId("mod-group-name")[1], { target: { value: "Sugar" } });
    await fireEvent.input(within(editor).getAllByTestId("mod-option-name")[2], { target: { value: "Less" } });
    // A bad number is caught here: nothing sent.
    await fireEvent.input(within(editor).getAllByTestId("mod-max")[1], { target: { value: "x" } });
    await fireEvent.click(within(form).getByTestId("prod-save"));
    expect(await within(editor).findByTestId("mod-error")).toHaveTextContent("whole numbers");
    expect(calls).toEqual([]);
    // The core refuses min above max: the reason shows in the editor, the form stays.
    await fireEvent.input(within(editor).getAllByTestId("mod-max")[1], { target: { value: "1" } });
    await fireEvent.input(within(editor).getAllByTestId("mod-min")[1], { target: { value: "2" } });
    await fireEvent.click(within(form).getByTestId("prod-save"));
    await vi.waitFor(() => expect(calls).toContain("groups g1:Size[1-1] o1:Large=5000 null:Small=-2000;null:Sugar[2-1] null:Less=0"));
    expect(await within(editor).findByTestId("mod-error")).toBeInTheDocument();
    expect(screen.getByTestId("product-form")).toBeInTheDocument();
  });

  it("keeps a new product's form open with the core's refusal beside its field", async () => {
    const { calls } = backend([]);
    render(Admin);
    await fireEvent.click(await screen.findByTestId("product-new"));
    const form = await screen.findByTestId("product-form");
    await fireEvent.input(within(form).getByTestId("prod-name"), { target: { value: "Es Teh" } });
    // Not an amount: refused on the screen, nothing sent.
    await fireEvent.input(within(form).getByTestId("prod-price"), { target: { value: "-5" } });
    await fireEvent.click(within(form).getByTestId("prod-save"));
    expect(await within(form).findByRole("alert")).toHaveTextContent("Type an amount");
    expect(within(form).getByTestId("prod-price")).toHaveAttribute("aria-invalid", "true");
    expect(calls).toEqual([]);
    await fireEvent.input(within(form).getByTestId("prod-price"), { target: { value: "8000" } });
    await fireEvent.click(within(form).getByTestId("prod-track"));
    await fireEvent.input(within(form).getByTestId("prod-initial"), { target: { value: "24" } });
    await fireEvent.input(within(form).getByTestId("prod-barcode"), { target: { value: "899" } });
    await fireEvent.click(within(form).getByTestId("prod-save"));
    await vi.waitFor(() => expect(calls).toEqual(["create Es Teh 8000 true 24"]));
    const barcode = within(form).getByTestId("prod-barcode");
    await vi.waitFor(() => expect(barcode).toHaveAttribute("aria-invalid", "true"));
    expect(within(form).getByRole("alert").textContent).toMatch(/899/);
    expect(screen.getByTestId("product-form")).toBeInTheDocument();
  });
});
