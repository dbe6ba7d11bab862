/**
 * Admin mode's audit log: filters go to the core, rows show who did what with readable
 * details, older pages append, and "Verify the chain" says intact or where it breaks.
 */
import { fireEvent, render, screen } from "@testing-library/svelte";
import { invoke } from "@tauri-apps/api/core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AuditQuery, AuditRow } from "../src/bindings";
import Admin from "../src/features/admin/Admin.svelte";
import { session } from "../src/stores/session.svelte";
import { resetApp } from "./fixtures";
import { routeIpc } from "./ipc";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
vi.mock("@tauri-apps/api/event", () => ({ listen: vi.fn(async () => () => {}) }));

const BUDI = { id: "m1", name: "Budi", role: "manager" as const };

const row = (seq: number, action: string, detail: object): AuditRow => ({
  seq,
  at: "2026-11-21T03:00:00Z",
  staff_name: seq === 1 ? "" : "Budi",
  action,
  detail: JSON.stringify(detail),
});

function backend(broken: number | null) {
  const queries: AuditQuery[] = [];
  const all = Array.from({ length: 60 }, (_, i) => row(60 - i, i % 2 ? "stock_adjusted" : "price_changed", { from: 22000, to: 24000 }));
  routeIpc(invoke, {
    productTable: () => ({ rows: [], total: 0 }),
    listAllCategories: () => [],
    badges: () => ({ unread: 0, open_alerts: 0 }),
    auditActions: () => ["price_changed", "stock_adjusted"],
    listStaff: () => [{ id: "m1", name: "Budi", role: "manager", active: true }],
    auditLog: (q) => {
      queries.push(q);
      const matching = all.filter((r) => (!q.action || r.action === q.action) && r.seq < (q.before ?? Infinity));
      return { rows: matching.slice(0, q.limit), more: matching.length > q.limit };
    },
    auditCheck: () => ({ entries: 60, broken_at: broken }),
  });
  return queries;
}

async function open() {
  render(Admin);
  await fireEvent.click(screen.getByTestId("admin-nav-audit"));
}

describe("admin mode: audit log", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
    session.actor = BUDI;
  });

  it("filters through the core, shows details, and pages back", async () => {
    const queries = backend(null);
    await open();
    await vi.waitFor(() => expect(screen.getAllByTestId("audit-row")).toHaveLength(50));
    expect(screen.getAllByTestId("audit-row")[0]).toHaveTextContent("from: 22000 · to: 24000");
    await fireEvent.click(screen.getByTestId("audit-older"));
    await vi.waitFor(() => expect(screen.getAllByTestId("audit-row")).toHaveLength(60));
    expect(queries.at(-1)).toMatchObject({ before: 11, limit: 50 });
    await vi.waitFor(() => expect(screen.getByTestId("audit-action").querySelectorAll("option")).toHaveLength(3));
    await fireEvent.change(screen.getByTestId("audit-action"), { target: { value: "stock_adjusted" } });
    await fireEvent.change(screen.getByTestId("audit-staff"), { target: { value: "m1" } });
    await fireEvent.input(screen.getByTestId("audit-from"), { target: { value: "2026-11-21" } });
    await vi.waitFor(() =>
      expect(queries.at(-1)).toMatchObject({ action: "stock_adjusted", staff: "m1", from: "2026-11-21", before: null }),
    );
    await vi.waitFor(() => expect(screen.getAllByTestId("audit-row").every((r) => r.dataset.action === "stock_adjusted")).toBe(true));
  });

  it("shows a before/after entry as what changed", async () => {
    routeIpc(invoke, {
      productTable: () => ({ rows: [], total: 0 }),
      listAllCategories: () => [],
      badges: () => ({ unread: 0, open_alerts: 0 }),
      auditActions: () => [],
      listStaff: () => [],
      auditLog: () => ({
        rows: [row(5, "settings_changed", { before: { tax_rate_bp: 1000, shop_name: "Kopi" }, after: { tax_rate_bp: 1100, shop_name: "Kopi" } })],
        more: false,
      }),
    });
    await open();
    const shown = await screen.findByTestId("audit-row");
    expect(shown).toHaveTextContent("tax_rate_bp: 1000 → 1100");
    expect(shown).not.toHaveTextContent("shop_name");
  });

  it("shows a reorder by the categories' names, not their ids", async () => {
    routeIpc(invoke, {
      productTable: () => ({ rows: [], total: 0 }),
      listAllCategories: () => [],
      badges: () => ({ unread: 0, open_alerts: 0 }),
      auditActions: () => [],
      listStaff: () => [],
      auditLog: () => ({
        rows: [row(6, "categories_reordered", { order: ["0190-aaaa", "0190-bbbb"], names: ["Teh", "Kopi"] })],
        more: false,
      }),
    });
    await open();
    const shown = await screen.findByTestId("audit-row");
    expect(shown).toHaveTextContent("names: Teh, Kopi");
    expect(shown).not.toHaveTextContent("0190-aaaa");
  });

  it("says the chain is intact, or where it breaks", async () => {
    backend(null);
    await open();
    await fireEvent.click(screen.getByTestId("audit-verify"));
    expect(await screen.findByTestId("audit-check")).toHaveTextContent("intact: 60 entries");
    backend(17);
    await fireEvent.click(screen.getByTestId("audit-verify"));
    await vi.waitFor(() => expect(screen.getByTestId("audit-check")).toHaveTextContent("breaks at entry #17"));
  });
});
