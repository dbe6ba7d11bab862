/**
 * Admin mode's import and export: export says where the file went; a chosen CSV is previewed
 * by the core (bad rows by line, column and reason, in the manager's language) before
 * anything is written; applying sends the same text; a file that is not UTF-8 is refused here.
 */
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { invoke } from "@tauri-apps/api/core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ImportReport } from "../src/bindings";
import Admin from "../src/features/admin/Admin.svelte";
import { chrome } from "../src/stores/chrome.svelte";
import { session } from "../src/stores/session.svelte";
import { resetApp } from "./fixtures";
import { routeIpc } from "./ipc";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
vi.mock("@tauri-apps/api/event", () => ({ listen: vi.fn(async () => () => {}) }));

const BUDI = { id: "m1", name: "Budi", role: "manager" as const };
const FILE = "category;name;price\nKopi;Es Baru;20000\nKopi;;1000\nKopi;Mahal;25.000\n";

const preview: ImportReport = {
  rows: 3,
  created: 1,
  updated: 0,
  unchanged: 0,
  new_categories: [],
  problems: [
    { line: 3, field: "name", rule: { rule: "required" } },
    { line: 4, field: "price", rule: { rule: "unreadable", expected: "amount" } },
  ],
  problem_rows: 2,
};

function backend() {
  const calls: string[] = [];
  routeIpc(invoke, {
    productTable: () => ({ rows: [], total: 0 }),
    listAllCategories: () => [],
    badges: () => ({ unread: 0, open_alerts: 0 }),
    exportMenuCsv: () => {
      calls.push("export");
      return "Downloads/kasir-menu-2026-12-03.csv";
    },
    previewMenuImport: (text) => {
      calls.push(`preview ${text.length}`);
      return preview;
    },
    importMenuCsv: (text) => {
      calls.push(`import ${text.length}`);
      return { ...preview, problems: preview.problems };
    },
  });
  return calls;
}

async function open() {
  render(Admin);
  await fireEvent.click(screen.getByTestId("admin-nav-file"));
}

describe("admin mode: import and export", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
    session.actor = BUDI;
  });

  it("exports and says where the file went", async () => {
    const calls = backend();
    await open();
    await fireEvent.click(screen.getByTestId("export-csv"));
    await vi.waitFor(() => expect(calls).toEqual(["export"]));
    await vi.waitFor(() => expect(chrome.toasts.map((x) => x.text)).toEqual(["Saved to Downloads/kasir-menu-2026-12-03.csv"]));
  });

  it("previews a file with two bad rows, then applies the good one", async () => {
    const calls = backend();
    chrome.lang = "id";
    await open();
    const input = screen.getByTestId("import-file") as HTMLInputElement;
    await fireEvent.change(input, { target: { files: [new File([FILE], "menu.csv", { type: "text/csv" })] } });
    const summary = await screen.findByTestId("import-summary");
    expect(summary).toHaveTextContent("3 baris: 1 baru, 0 berubah, 0 tetap, 2 dilewati");
    const rows = within(screen.getByTestId("import-problems")).getAllByTestId("import-problem");
    expect(rows.map((r) => r.dataset.line)).toEqual(["3", "4"]);
    expect(rows[1]).toHaveTextContent("Harga");
    expect(rows[1]).toHaveTextContent("bukan jumlah");
    expect(calls).toEqual([`preview ${FILE.length}`]);
    await fireEvent.click(screen.getByTestId("import-apply"));
    await vi.waitFor(() => expect(calls).toEqual([`preview ${FILE.length}`, `import ${FILE.length}`]));
    expect(await screen.findByTestId("import-result")).toHaveTextContent("1 baru");
    expect(screen.queryByTestId("import-preview")).toBeNull();
  });

  it("refuses a file that is not UTF-8 before asking the core", async () => {
    const calls = backend();
    await open();
    const latin1 = new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]); // "café" in Latin-1
    await fireEvent.change(screen.getByTestId("import-file"), { target: { files: [new File([latin1], "old.csv")] } });
    await vi.waitFor(() => expect(chrome.toasts.map((x) => x.text).join()).toMatch(/not UTF-8/));
    expect(calls).toEqual([]);
  });
});
