/**
 * Backups in admin mode: the last backup (or none) and a failure are shown; a bad folder is
 * refused by its field; "back up now" lists the new backup; only an admin sees restore, whose
 * plan says what would be lost before anything happens, and restores only when confirmed.
 */
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { invoke } from "@tauri-apps/api/core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { BackupInfo_Serialize, BackupSettings_Deserialize, BackupStatus_Serialize, RestorePlan_Serialize } from "../src/bindings";
import Admin from "../src/features/admin/Admin.svelte";
import { chrome } from "../src/stores/chrome.svelte";
import { session } from "../src/stores/session.svelte";
import { resetApp, syncStatus } from "./fixtures";
import { fail, routeIpc } from "./ipc";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

const BUDI = { id: "m1", name: "Budi", role: "manager" as const };
const AYU = { id: "a1", name: "Ayu", role: "admin" as const };
const STICK = "/media/kasir/STICK";

function info(p: Partial<BackupInfo_Serialize> = {}): BackupInfo_Serialize {
  return {
    path: `${STICK}/kasir-T01-20261203-213000`,
    made_at: "2026-12-03T14:30:00Z",
    terminal: "T01",
    shop_name: "Kopi Senja",
    orders: 120,
    last_receipt: "T01-000120",
    pictures: 12,
    pictures_missing: 0,
    bytes: 3_500_000,
    outbox_seq: 300,
    schema_version: 11,
    ...p,
  };
}

function backend(start: Partial<BackupStatus_Serialize> = {}) {
  const calls: string[] = [];
  let status: BackupStatus_Serialize = {
    settings: { folder: null, keep: 7, daily: true },
    last_at: null,
    last_path: null,
    last_error: null,
    last_error_at: null,
    due: false,
    pending_restore: null,
    ...start,
  };
  let list: BackupInfo_Serialize[] = status.settings.folder ? [info()] : [];
  const plan: RestorePlan_Serialize = {
    backup: info(),
    lost_sales: 3,
    lost_sales_total: 124_800,
    first_lost_receipt: "T01-000121",
    last_lost_receipt: "T01-000123",
    later_changes: 5,
    unsent_kept: 5,
    enrolled: true,
    other_terminal: false,
  };
  routeIpc(invoke, {
    syncStatus: () => syncStatus(0),
    badges: () => ({ open_alerts: 0, unread: 0 }),
    productTable: () => ({ rows: [], total: 0 }),
    listAllCategories: () => [],
    backupStatus: () => status,
    backupPlaces: () => [STICK, "/media/kasir/SECOND"],
    listBackups: (folder: string) => {
      calls.push(`list ${folder}`);
      return list;
    },
    configureBackups: (settings: BackupSettings_Deserialize) => {
      calls.push(`configure ${settings.folder} ${settings.keep} ${settings.daily}`);
      if (settings.folder !== STICK) fail({ kind: "invalid", data: { field: "folder", rule: { rule: "folder_unusable" } } });
      status = { ...status, settings: { folder: settings.folder ?? null, keep: settings.keep, daily: settings.daily } };
      return status;
    },
    backUpNow: () => {
      calls.push("backup");
      const made = info({ path: `${STICK}/kasir-T01-20261204-090000`, made_at: "2026-12-04T02:00:00Z" });
      list = [made, ...list];
      status = { ...status, last_at: made.made_at, last_path: made.path };
      return made;
    },
    prepareRestore: (path: string) => {
      calls.push(`prepare ${path}`);
      return plan;
    },
    confirmRestore: () => {
      calls.push("confirm");
      return plan;
    },
    cancelRestore: () => {
      calls.push("cancel");
      return null;
    },
    restartToRestore: () => {
      calls.push("restart");
      return null;
    },
  });
  return calls;
}

async function openBackups() {
  render(Admin);
  await fireEvent.click(screen.getByTestId("admin-nav-backup"));
  return screen.findByTestId("admin-backup");
}

describe("admin mode: backups", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  it("says there is no backup yet, refuses a bad folder by its field, then backs up", async () => {
    const calls = backend();
    session.actor = BUDI;
    await openBackups();
    expect(await screen.findByText(/No backup yet/)).toBeInTheDocument();
    expect(screen.getByTestId("backup-now")).toBeDisabled();
    await fireEvent.input(screen.getByTestId("backup-folder"), { target: { value: "/nope" } });
    await fireEvent.click(screen.getByTestId("backup-save"));
    expect(await screen.findByText(/USB stick plugged in/)).toBeInTheDocument();
    // A place found on this computer fills the folder.
    const stick = (await screen.findAllByTestId("backup-place")).find((b) => b.textContent === STICK)!;
    await fireEvent.click(stick);
    expect((screen.getByTestId("backup-folder") as HTMLInputElement).value).toBe(STICK);
    await fireEvent.click(screen.getByTestId("backup-save"));
    await vi.waitFor(() => expect(screen.getByTestId("backup-now")).toBeEnabled());
    await fireEvent.click(screen.getByTestId("backup-now"));
    await vi.waitFor(() => expect(screen.getAllByTestId("backup-row")).toHaveLength(1));
    expect(chrome.toasts.map((x) => x.text).join()).toMatch(/Backup made: 120 orders, 3\.3 MB/);
    expect(calls).toEqual(["configure /nope 7 true", `configure ${STICK} 7 true`, `list ${STICK}`, "backup", `list ${STICK}`]);
    // A manager makes backups but never restores.
    expect(screen.queryByTestId("backup-restore")).toBeNull();
    expect(screen.getByText(/Only an admin can restore/)).toBeInTheDocument();
  });

  it("shows the last failure", async () => {
    backend({
      settings: { folder: STICK, keep: 7, daily: true },
      last_at: "2026-12-02T14:00:00Z",
      last_path: `${STICK}/kasir-T01-20261202-210000`,
      last_error: "the folder cannot be written",
      last_error_at: "2026-12-03T14:00:00Z",
    });
    session.actor = BUDI;
    await openBackups();
    expect(await screen.findByTestId("backup-error")).toHaveTextContent("the folder cannot be written");
  });

  it("lets an admin restore only after a plan that says what would be lost", async () => {
    const calls = backend({ settings: { folder: STICK, keep: 7, daily: true } });
    session.actor = AYU;
    await openBackups();
    await fireEvent.click(await screen.findByTestId("backup-restore"));
    const dialog = await screen.findByTestId("restore-plan");
    expect(within(dialog).getByTestId("plan-lost").textContent).toMatch(/3 sales .*Rp.?124\.800.*T01-000121 to T01-000123/);
    expect(within(dialog).getByTestId("plan-unsent")).toHaveTextContent(/5 changes .* still sent/);
    // Cancelling drops the prepared copy and restores nothing.
    await fireEvent.click(within(dialog).getByText("Cancel"));
    await vi.waitFor(() => expect(screen.queryByTestId("restore-plan")).toBeNull());
    expect(calls.filter((c) => !c.startsWith("list"))).toEqual([`prepare ${STICK}/kasir-T01-20261203-213000`, "cancel"]);
    await fireEvent.click(screen.getByTestId("backup-restore"));
    await fireEvent.click(await screen.findByTestId("restore-confirm"));
    await vi.waitFor(() => expect(calls.at(-1)).toBe("restart"));
    expect(calls.slice(-2)).toEqual(["confirm", "restart"]);
  });

  it("restores from a typed folder, and words a damaged backup by the field", async () => {
    const calls = backend({ settings: { folder: STICK, keep: 7, daily: true } });
    session.actor = AYU;
    await openBackups();
    routeIpc(invoke, {
      backupStatus: () => ({
        settings: { folder: STICK, keep: 7, daily: true },
        last_at: null,
        last_path: null,
        last_error: null,
        last_error_at: null,
        due: true,
        pending_restore: null,
      }),
      listBackups: () => [],
      prepareRestore: () => fail({ kind: "invalid", data: { field: "backup", rule: { rule: "backup_damaged" } } }),
    });
    await fireEvent.input(screen.getByTestId("restore-path"), { target: { value: "/media/other/kasir-T02-x" } });
    await fireEvent.click(screen.getByTestId("restore-check"));
    expect(await screen.findByText(/damaged/)).toBeInTheDocument();
    expect(screen.queryByTestId("restore-plan")).toBeNull();
    expect(calls).not.toContain("confirm");
  });
});
