import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import DataTable from "../src/kit/DataTable.svelte";
import { nextSort, type Column } from "../src/kit/table";

type Product = { id: string; name: string; price: number };
const rows: Product[] = [
  { id: "p1", name: "Croissant", price: 18000 },
  { id: "p2", name: "Kopi Susu", price: 25000 },
  { id: "p3", name: "Teh Tarik", price: 15000 },
];
const columns: Column<Product>[] = [
  { key: "name", label: "Name", value: (p) => p.name, sortable: true },
  { key: "price", label: "Price", value: (p) => `Rp ${p.price}`, align: "end", sortable: true },
  { key: "id", label: "Id", value: (p) => p.id },
];

function table(props: Partial<{ sort: { key: string; dir: "asc" | "desc" } | null; onsort: (k: string) => void; onactivate: (p: Product) => void; rows: Product[] }> = {}) {
  return render(DataTable<Product>, { rows, columns, rowKey: (p) => p.id, label: "Products", ...props });
}

describe("DataTable", () => {
  it("shows a header and a row per item, with each column's value", () => {
    table();
    const t = screen.getByRole("table", { name: "Products" });
    expect(within(t).getAllByRole("columnheader").map((h) => h.textContent?.trim())).toEqual(["Name", "Price", "Id"]);
    const found = screen.getAllByTestId("table-row");
    expect(found.map((r) => r.dataset.key)).toEqual(["p1", "p2", "p3"]);
    expect(within(found[1]).getAllByRole("cell").map((c) => c.textContent)).toEqual(["Kopi Susu", "Rp 25000", "p2"]);
  });

  it("reports header presses and shows the current sort", async () => {
    const onsort = vi.fn();
    table({ onsort, sort: { key: "price", dir: "desc" } });
    const [name, price, id] = screen.getAllByRole("columnheader");
    expect(name).toHaveAttribute("aria-sort", "none");
    expect(price).toHaveAttribute("aria-sort", "descending");
    expect(price).toHaveTextContent("Price ▼");
    expect(id).not.toHaveAttribute("aria-sort");
    expect(within(id).queryByRole("button")).toBeNull(); // not sortable
    await fireEvent.click(screen.getByTestId("sort-name"));
    expect(onsort).toHaveBeenCalledWith("name");
    // The table never reorders rows itself: the caller does.
    expect(screen.getAllByTestId("table-row").map((r) => r.dataset.key)).toEqual(["p1", "p2", "p3"]);
  });

  it("flips a column's sort on a second press", () => {
    expect(nextSort(null, "name")).toEqual({ key: "name", dir: "asc" });
    expect(nextSort({ key: "name", dir: "asc" }, "name")).toEqual({ key: "name", dir: "desc" });
    expect(nextSort({ key: "name", dir: "desc" }, "name")).toEqual({ key: "name", dir: "asc" });
    expect(nextSort({ key: "name", dir: "desc" }, "price")).toEqual({ key: "price", dir: "asc" });
  });

  it("moves between rows with the arrow keys and activates with Enter", async () => {
    const onactivate = vi.fn();
    table({ onactivate });
    const found = screen.getAllByTestId("table-row");
    expect(found.map((r) => r.tabIndex)).toEqual([0, -1, -1]); // one tab stop
    found[0].focus();
    await fireEvent.keyDown(found[0], { key: "ArrowDown" });
    expect(document.activeElement).toBe(found[1]);
    await fireEvent.keyDown(found[1], { key: "End" });
    expect(document.activeElement).toBe(found[2]);
    await fireEvent.keyDown(found[2], { key: "ArrowDown" }); // stays on the last row
    expect(document.activeElement).toBe(found[2]);
    await fireEvent.keyDown(found[2], { key: "ArrowUp" });
    expect(document.activeElement).toBe(found[1]);
    expect(screen.getAllByTestId("table-row").map((r) => r.tabIndex)).toEqual([-1, 0, -1]);
    await fireEvent.keyDown(found[1], { key: "Enter" });
    expect(onactivate).toHaveBeenCalledWith(rows[1]);
    await fireEvent.click(found[2]);
    expect(onactivate).toHaveBeenLastCalledWith(rows[2]);
  });

  it("says so when there are no rows", () => {
    render(DataTable<Product>, { rows: [], columns, rowKey: (p) => p.id, label: "Products", empty: "No products." });
    expect(screen.queryAllByTestId("table-row")).toHaveLength(0);
    expect(screen.getByRole("cell")).toHaveTextContent("No products.");
  });
});
