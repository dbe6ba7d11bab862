/**
 * Staff in admin mode, and every member's own PIN: a manager adds a cashier (only cashiers are
 * offered), sees a lock-out and clears it, renames, deactivates after a confirmation; an admin
 * changes roles; a refused change shows its reason; the own-PIN dialog checks the current PIN.
 */
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { invoke } from "@tauri-apps/api/core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Role, StaffAccount_Serialize, StaffUpdate } from "../src/bindings";
import Admin from "../src/features/admin/Admin.svelte";
import TopBar from "../src/features/shell/TopBar.svelte";
import { chrome } from "../src/stores/chrome.svelte";
import { session } from "../src/stores/session.svelte";
import { resetApp, SARI, syncStatus } from "./fixtures";
import { fail, routeIpc } from "./ipc";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

const BUDI = { id: "m1", name: "Budi", role: "manager" as const };
const AYU = { id: "a1", name: "Ayu", role: "admin" as const };

function account(id: string, name: string, role: Role, p: Partial<StaffAccount_Serialize> = {}): StaffAccount_Serialize {
  return {
    id,
    name,
    role,
    active: true,
    locked_until: null,
    approvals_locked_until: null,
    failed_attempts: 0,
    created_at: "2026-11-01T02:00:00Z",
    ...p,
  };
}

/** A fake of the core's staff: enough to see each call land and the list follow. */
function backend(initial: StaffAccount_Serialize[]) {
  let rows = initial.map((r) => ({ ...r }));
  const calls: string[] = [];
  routeIpc(invoke, {
    syncStatus: () => syncStatus(0),
    badges: () => ({ open_alerts: 0, unread: 0 }),
    productTable: () => ({ rows: [], total: 0 }),
    listAllCategories: () => [],
    staffAccounts: () => rows.map((r) => ({ ...r })),
    createStaff: (name: string, role: Role, pin: string) => {
      calls.push(`create ${name} ${role} ${pin}`);
      if (!name.trim()) fail({ kind: "invalid", data: { field: "name", rule: { rule: "required" } } });
      const made = account("n" + rows.length, name.trim(), role);
      rows.push(made);
      return { id: made.id, name: made.name, role, active: true };
    },
    updateStaff: (id: string, update: StaffUpdate) => {
      calls.push(`update ${id} ${JSON.stringify(update)}`);
      if (update.role === "manager" && id === "a1") fail({ kind: "invalid", data: { field: "role", rule: { rule: "last_admin" } } });
      rows = rows.map((r) =>
        r.id === id ? { ...r, name: update.name ?? r.name, role: update.role ?? r.role, active: update.active ?? r.active } : r,
      );
      const r = rows.find((x) => x.id === id)!;
      return { id: r.id, name: r.name, role: r.role, active: r.active };
    },
    clearLockout: (id: string) => {
      calls.push(`unlock ${id}`);
      rows = rows.map((r) => (r.id === id ? { ...r, locked_until: null, failed_attempts: 0 } : r));
      const r = rows.find((x) => x.id === id)!;
      return { id: r.id, name: r.name, role: r.role, active: r.active };
    },
    changeOwnPin: (current: string, next: string) => {
      calls.push(`own ${current} ${next}`);
      if (current !== "3333") fail({ kind: "wrong_pin", data: { attempts_left: 4 } });
      return null;
    },
  });
  return calls;
}

async function openStaff() {
  render(Admin);
  await fireEvent.click(screen.getByTestId("admin-nav-staff"));
}

const row = (name: string) => screen.getAllByTestId("staff-row").find((r) => r.dataset.name === name)!;

describe("admin mode: staff", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  it("lets a manager add a cashier only, and shows a bad name by its field", async () => {
    const calls = backend([account("a1", "Ayu", "admin"), account("m1", "Budi", "manager")]);
    session.actor = BUDI;
    await openStaff();
    await screen.findAllByTestId("staff-row");
    const roles = within(screen.getByTestId("staff-role")).getAllByRole("option").map((o) => o.getAttribute("value"));
    expect(roles).toEqual(["cashier"]);
    // The manager can change neither the admin nor another manager: no actions on those rows.
    expect(within(row("Ayu")).queryByTestId("staff-rename")).toBeNull();
    await fireEvent.input(screen.getByTestId("staff-name"), { target: { value: "Rudi" } });
    await fireEvent.input(screen.getByTestId("staff-pin"), { target: { value: "12a34" } });
    await fireEvent.input(screen.getByTestId("staff-pin-again"), { target: { value: "1243" } });
    expect((screen.getByTestId("staff-pin") as HTMLInputElement).value).toBe("1234");
    await fireEvent.click(screen.getByTestId("staff-add"));
    expect(await screen.findByText("The two PINs are not the same.")).toBeInTheDocument();
    expect(calls).toEqual([]);
    await fireEvent.input(screen.getByTestId("staff-pin-again"), { target: { value: "1234" } });
    await fireEvent.click(screen.getByTestId("staff-add"));
    await vi.waitFor(() => expect(row("Rudi")).toBeTruthy());
    expect(calls).toEqual(["create Rudi cashier 1234"]);
    expect((screen.getByTestId("staff-name") as HTMLInputElement).value).toBe("");
  });

  it("shows who is locked out and unlocks them", async () => {
    const calls = backend([account("s1", "Sari", "cashier", { locked_until: "2026-12-04T03:15:00Z", failed_attempts: 5 })]);
    session.actor = BUDI;
    await openStaff();
    const locked = await screen.findByTestId("staff-locked");
    expect(locked.textContent).toMatch(/Locked until/);
    await fireEvent.click(within(row("Sari")).getByTestId("staff-unlock"));
    await vi.waitFor(() => expect(screen.queryByTestId("staff-locked")).toBeNull());
    expect(calls).toEqual(["unlock s1"]);
    expect(within(row("Sari")).getByTestId("staff-status")).toHaveTextContent("Active");
  });

  it("deactivates only after a confirmation, and never the member signed in", async () => {
    const calls = backend([account("m1", "Budi", "manager"), account("s1", "Sari", "cashier")]);
    // An admin signed in as the row "Budi": their own row cannot be deactivated.
    session.actor = { id: "m1", name: "Budi", role: "admin" };
    await openStaff();
    await screen.findAllByTestId("staff-row");
    expect(within(row("Budi")).getByTestId("staff-deactivate")).toBeDisabled();
    await fireEvent.click(within(row("Sari")).getByTestId("staff-deactivate"));
    expect(calls).toEqual([]);
    await fireEvent.click(await screen.findByTestId("confirm-yes"));
    await vi.waitFor(() => expect(within(row("Sari")).getByTestId("staff-status")).toHaveTextContent("Inactive"));
    expect(calls).toEqual([`update s1 ${JSON.stringify({ name: null, role: null, active: false, pin: null })}`]);
    expect(within(row("Sari")).getByTestId("staff-activate")).toBeEnabled();
  });

  it("lets an admin change a role, and puts a refused one back with its reason", async () => {
    const calls = backend([account("a1", "Ayu", "admin"), account("s1", "Sari", "cashier")]);
    session.actor = AYU;
    await openStaff();
    await screen.findAllByTestId("staff-row");
    const sariRole = within(row("Sari")).getByTestId("staff-row-role") as HTMLSelectElement;
    await fireEvent.change(sariRole, { target: { value: "manager" } });
    await vi.waitFor(() => expect(chrome.toasts.map((x) => x.text)).toContain("Sari is now Manager."));
    expect(calls.at(-1)).toContain('"role":"manager"');
    await vi.waitFor(() => expect(within(row("Ayu")).getByTestId("staff-row-role")).toBeEnabled());
    const ayuRole = within(row("Ayu")).getByTestId("staff-row-role") as HTMLSelectElement;
    await fireEvent.change(ayuRole, { target: { value: "manager" } });
    await vi.waitFor(() => expect(chrome.toasts.map((x) => x.text).join()).toMatch(/at least one active admin/i));
    await vi.waitFor(() => expect((within(row("Ayu")).getByTestId("staff-row-role") as HTMLSelectElement).value).toBe("admin"));
  });

  it("renames inline", async () => {
    const calls = backend([account("s1", "Sari", "cashier")]);
    session.actor = BUDI;
    await openStaff();
    await fireEvent.click(await within(await screen.findByTestId("staff-row")).findByTestId("staff-rename"));
    await fireEvent.input(screen.getByTestId("staff-rename-input"), { target: { value: "Sari Dewi" } });
    await fireEvent.click(screen.getByTestId("staff-rename-save"));
    await vi.waitFor(() => expect(row("Sari Dewi")).toBeTruthy());
    expect(calls[0]).toContain('"name":"Sari Dewi"');
  });
});

describe("my own PIN", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  it("is changed from the ⚙ menu with the current PIN; a wrong one shows by its field", async () => {
    const calls = backend([]);
    session.actor = SARI;
    render(TopBar);
    await fireEvent.click(screen.getByLabelText(/menu|settings/i));
    await fireEvent.click(screen.getByTestId("my-pin"));
    const dialog = await screen.findByTestId("pin-dialog");
    await fireEvent.input(within(dialog).getByTestId("pin-current"), { target: { value: "0000" } });
    await fireEvent.input(within(dialog).getByTestId("pin-new"), { target: { value: "5555" } });
    await fireEvent.input(within(dialog).getByTestId("pin-again"), { target: { value: "5555" } });
    await fireEvent.click(within(dialog).getByTestId("pin-save"));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(/4/);
    await fireEvent.input(within(dialog).getByTestId("pin-current"), { target: { value: "3333" } });
    await fireEvent.click(within(dialog).getByTestId("pin-save"));
    await vi.waitFor(() => expect(screen.queryByTestId("pin-dialog")).toBeNull());
    expect(calls).toEqual(["own 0000 5555", "own 3333 5555"]);
  });
});
