/** Column and sort types for `DataTable`. */
import type { Snippet } from "svelte";

export type Column<Row> = {
  /** Names the column in sort callbacks. */
  key: string;
  label: string;
  /** The cell's text (and what a `cell` snippet falls back to). */
  value: (row: Row) => string | number;
  /** Numbers and money read better right-aligned. */
  align?: "start" | "end";
  /** The header becomes a button that calls `onsort(key)`. */
  sortable?: boolean;
  /** Custom cell content (a badge, a button). */
  cell?: Snippet<[Row]>;
  /** Custom header content (a "select all" box) in place of the label. */
  head?: Snippet;
};

export type Sort = { key: string; dir: "asc" | "desc" };

/** The next sort when a header is pressed: ascending first, then it flips. */
export function nextSort(current: Sort | null, key: string): Sort {
  return current?.key === key && current.dir === "asc" ? { key, dir: "desc" } : { key, dir: "asc" };
}
