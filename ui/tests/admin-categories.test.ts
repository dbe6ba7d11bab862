/**
 * Admin mode's categories: a manager sees the switch in the top bar (a cashier never does),
 * adds, renames, hides and reorders categories, each through one command; a field error shows
 * next to its field and changes nothing on screen.
 */
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { invoke } from "@tauri-apps/api/core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Category, CategoryDraft, Settings } from "../src/bindings";
import Admin from "../src/features/admin/Admin.svelte";
import TopBar from "../src/features/shell/TopBar.svelte";
import { syncState } from "../src/features/sync/sync.svelte";
import { router } from "../src/stores/chrome.svelte";
import { session } from "../src/stores/session.svelte";
import { resetApp, SARI, status } from "./fixtures";
import { fail, routeIpc } from "./ipc";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

const BUDI = { id: "m1", name: "Budi", role: "manager" as const };

/** A fake of the core's categories: enough behaviour to see the screen's calls land. */
function backend(initial: Category[]) {
  let rows = initial.map((c) => ({ ...c }));
  const calls: string[] = [];
  const sorted = () => [...rows].sort((a, b) => a.sort_order - b.sort_order);
  routeIpc(invoke, {
    syncStatus: () => ({
      enrolled: false,
      server_url: null,
      store_name: null,
      pending: 0,
      oldest_pending_at: null,
      last_success: null,
      last_error: null,
      last_error_at: null,
      quarantined: [],
      pull_cursor: 0,
    }),
    listAllCategories: () => sorted(),
    productTable: () => ({ rows: [], total: 0 }),
    createCategory: (draft: CategoryDraft) => {
      calls.push(`create ${draft.name} ${draft.sort_order}`);
      if (!draft.name.trim()) fail({ kind: "invalid", data: { field: "name", rule: { rule: "required" } } });
      const made = { id: "c" + (rows.length + 1), ...draft };
      rows.push(made);
      return made;
    },
    updateCategory: (id: string, draft: CategoryDraft) => {
      calls.push(`update ${id} ${draft.name} ${draft.active}`);
      rows = rows.map((c) => (c.id === id ? { id, ...draft } : c));
      return rows.find((c) => c.id === id)!;
    },
    reorderCategories: (order: string[]) => {
      calls.push(`reorder ${order.join(",")}`);
      rows = rows.map((c) => ({ ...c, sort_order: (order.indexOf(c.id) + 1) * 10 }));
      return sorted();
    },
  });
  return calls;
}

const KOPI = { id: "c1", name: "Kopi", sort_order: 10, active: true };
const TEH = { id: "c2", name: "Teh", sort_order: 20, active: true };

/** Admin mode opens on products; these tests are about the categories section. */
async function openCategories() {
  render(Admin);
  await fireEvent.click(screen.getByTestId("admin-nav-categories"));
}

function names(): string[] {
  return screen.getAllByTestId("category-row").map((r) => r.dataset.name!);
}

describe("admin mode: categories", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  it("shows the switch to managers only", async () => {
    backend([]);
    session.actor = SARI;
    const { unmount } = render(TopBar);
    expect(screen.queryByTestId("admin-button")).toBeNull();
    unmount();
    session.actor = BUDI;
    router.reset("sell");
    render(TopBar);
    const button = await screen.findByTestId("admin-button");
    expect(button).toHaveTextContent("Admin");
    await fireEvent.click(button);
    expect(router.path).toBe("admin");
    expect(button).toHaveTextContent("Sell");
  });

  it("tells a cashier who lands here that it is not for them", () => {
    backend([KOPI]);
    session.actor = SARI;
    render(Admin);
    expect(screen.getByRole("alert")).toHaveTextContent("managers and admins");
    expect(screen.queryByTestId("admin-categories")).toBeNull();
  });

  it("adds a category at the end, and shows a bad name next to the field", async () => {
    const calls = backend([KOPI, TEH]);
    session.actor = BUDI;
    await openCategories();
    await vi.waitFor(() => expect(names()).toEqual(["Kopi", "Teh"]));
    const input = screen.getByTestId("category-name") as HTMLInputElement;
    await fireEvent.input(input, { target: { value: "   " } });
    // Blank: the button stays off; whitespace around a name is the core's to judge.
    expect(screen.getByTestId("category-add")).toBeDisabled();
    await fireEvent.input(input, { target: { value: "Roti" } });
    await fireEvent.click(screen.getByTestId("category-add"));
    await vi.waitFor(() => expect(names()).toEqual(["Kopi", "Teh", "Roti"]));
    expect(calls).toContain("create Roti 30");
    expect(input.value).toBe("");
  });

  it("puts a refused rename's reason under the name and keeps the row as it was", async () => {
    backend([KOPI]);
    session.actor = BUDI;
    await openCategories();
    const row = await screen.findByTestId("category-row");
    await fireEvent.click(within(row).getByTestId("category-rename"));
    const input = within(row).getByTestId("category-rename-input");
    routeIpc(invoke, {
      listAllCategories: () => [KOPI],
      updateCategory: () => fail({ kind: "invalid", data: { field: "name", rule: { rule: "too_long", max: 60 } } }),
    });
    await fireEvent.input(input, { target: { value: "K".repeat(61) } });
    await fireEvent.click(within(row).getByTestId("category-save"));
    const alert = await within(row).findByRole("alert");
    expect(alert.textContent).toMatch(/60/);
    expect(input).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByTestId("category-row").dataset.name).toBe("Kopi");
  });

  it("hides a category from the till and shows it again", async () => {
    const calls = backend([KOPI, TEH]);
    session.actor = BUDI;
    await openCategories();
    await vi.waitFor(() => expect(names()).toHaveLength(2));
    const teh = screen.getAllByTestId("category-row")[1];
    await fireEvent.click(within(teh).getByTestId("category-toggle"));
    await vi.waitFor(() =>
      expect(within(screen.getAllByTestId("category-row")[1]).getByTestId("category-status")).toHaveTextContent("Hidden"),
    );
    expect(calls).toEqual(["update c2 Teh false"]);
    await fireEvent.click(within(screen.getAllByTestId("category-row")[1]).getByTestId("category-toggle"));
    await vi.waitFor(() => expect(calls).toEqual(["update c2 Teh false", "update c2 Teh true"]));
  });

  it("moves a category with one reorder of the whole list; the ends cannot move further", async () => {
    const calls = backend([KOPI, TEH, { id: "c3", name: "Roti", sort_order: 30, active: false }]);
    session.actor = BUDI;
    await openCategories();
    await vi.waitFor(() => expect(names()).toEqual(["Kopi", "Teh", "Roti"]));
    const rows = screen.getAllByTestId("category-row");
    expect(within(rows[0]).getByTestId("category-up")).toBeDisabled();
    expect(within(rows[2]).getByTestId("category-down")).toBeDisabled();
    await fireEvent.click(within(rows[2]).getByRole("button", { name: "Move Roti up" }));
    await vi.waitFor(() => expect(names()).toEqual(["Kopi", "Roti", "Teh"]));
    expect(calls).toEqual(["reorder c1,c3,c2"]);
  });
});

describe("admin mode: settings", () => {
  const AYU = { id: "a1", name: "Ayu", role: "admin" as const };

  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  function settingsBackend(answer: (s: Settings) => Settings) {
    const saved: Settings[] = [];
    routeIpc(invoke, {
      listAllCategories: () => [KOPI],
      setupOptions: () => ({ currencies: [], time_zones: ["Asia/Jakarta", "Asia/Makassar"], suggested_time_zone: "Asia/Jakarta" }),
      updateSettings: (s: Settings) => {
        const out = answer(s);
        saved.push(out);
        return out;
      },
      appStatus: () => status(),
    });
    return saved;
  }

  it("is an admin's alone: a manager sees no settings section", async () => {
    settingsBackend((s) => s);
    session.actor = BUDI;
    render(Admin);
    await screen.findByTestId("admin-nav-categories");
    expect(screen.queryByTestId("admin-nav-settings")).toBeNull();
  });

  it("saves rates typed in percent as basis points", async () => {
    const saved = settingsBackend((s) => s);
    session.actor = AYU;
    render(Admin);
    await fireEvent.click(await screen.findByTestId("admin-nav-settings"));
    await fireEvent.input(screen.getByTestId("set-tax"), { target: { value: "11" } });
    await fireEvent.input(screen.getByTestId("set-service"), { target: { value: "5.5" } });
    await fireEvent.click(screen.getByTestId("set-save"));
    await vi.waitFor(() => expect(saved).toHaveLength(1));
    expect([saved[0].tax_rate_bp, saved[0].service_rate_bp]).toEqual([1100, 550]);
  });

  it("says what is wrong next to the field, and sends nothing for a rate that is no number", async () => {
    const saved = settingsBackend(() =>
      fail({ kind: "invalid", data: { field: "receipt_footer", rule: { rule: "too_long", max: 500 } } }),
    );
    session.actor = AYU;
    render(Admin);
    await fireEvent.click(await screen.findByTestId("admin-nav-settings"));
    await fireEvent.input(screen.getByTestId("set-tax"), { target: { value: "sebelas" } });
    await fireEvent.click(screen.getByTestId("set-save"));
    expect(await screen.findByText("Type a percentage such as 11 or 10.5")).toBeInTheDocument();
    expect(saved).toHaveLength(0);
    await fireEvent.input(screen.getByTestId("set-tax"), { target: { value: "10" } });
    await fireEvent.click(screen.getByTestId("set-save"));
    const footer = screen.getByTestId("set-footer");
    await vi.waitFor(() => expect(footer).toHaveAttribute("aria-invalid", "true"));
    expect(document.getElementById("set-footer-error")?.textContent).toMatch(/500/);
  });

  it("keeps the till's code read-only while the server gives it", async () => {
    settingsBackend((s) => s);
    syncState.status = {
      enrolled: true,
      server_url: "https://kasir.example",
      store_name: "Braga",
      pending: 0,
      oldest_pending_at: null,
      last_success: null,
      last_error: null,
      last_error_at: null,
      quarantined: [],
      pull_cursor: 3,
    };
    session.actor = AYU;
    render(Admin);
    await fireEvent.click(await screen.findByTestId("admin-nav-settings"));
    expect(screen.getByLabelText("Terminal code")).toHaveAttribute("readonly");
    syncState.status = null;
  });
});
