/**
 * Sync in the till: the top bar says what sync is really doing (online only when the last
 * contact worked and nothing failed since), a cashier sees it but cannot open it, and a
 * manager enrols the terminal, sees each failure with its reason and what the server set
 * aside, and asks it to send now.
 */
import { fireEvent, render, screen } from "@testing-library/svelte";
import { invoke } from "@tauri-apps/api/core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { SyncStatus_Serialize } from "../src/bindings";
import SyncPill from "../src/features/sync/SyncPill.svelte";
import { syncState } from "../src/features/sync/sync.svelte";
import { session } from "../src/stores/session.svelte";
import { resetApp } from "./fixtures";
import { fail, routeIpc } from "./ipc";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

const BUDI = { id: "m1", name: "Budi", role: "manager" as const };

function status(p: Partial<SyncStatus_Serialize> = {}): SyncStatus_Serialize {
  return {
    enrolled: true,
    server_url: "https://kasir.example",
    store_name: "Braga",
    pending: 0,
    oldest_pending_at: null,
    last_success: "2026-11-21T03:00:10.000000000Z",
    last_error: null,
    last_error_at: null,
    quarantined: [],
    pull_cursor: 0,
    ...p,
  };
}

async function pill(): Promise<HTMLElement> {
  return screen.findByTestId("sync-pill");
}

describe("sync status and dialog", () => {
  beforeEach(() => {
    resetApp("en");
    syncState.status = null;
    vi.mocked(invoke).mockReset();
  });

  it("tells a cashier nothing until the terminal is enrolled, then the truth, and never opens for them", async () => {
    routeIpc(invoke, { syncStatus: () => status({ enrolled: false, server_url: null, store_name: null, last_success: null }) });
    render(SyncPill);
    await vi.waitFor(() => expect(syncState.status).not.toBeNull());
    expect(screen.queryByTestId("sync-pill")).toBeNull();

    syncState.status = status({
      pending: 3,
      last_error: "server not reachable: connection refused",
      last_error_at: "2026-11-21T03:05:00.000000000Z",
    });
    const p = await pill();
    expect(p).toHaveTextContent("Offline · 3 waiting");
    expect(p).toBeDisabled();
  });

  it("is online only when the last contact worked and nothing failed since", async () => {
    routeIpc(invoke, { syncStatus: () => status() });
    render(SyncPill);
    expect(await pill()).toHaveTextContent("Synced");
    syncState.status = status({ pending: 2 });
    await vi.waitFor(() => expect(screen.getByTestId("sync-pill")).toHaveTextContent("Sending 2"));
    // A failure after the last success: offline, whatever came before.
    syncState.status = status({ pending: 2, last_error: "timeout", last_error_at: "2026-11-21T03:00:11.000000000Z" });
    await vi.waitFor(() => expect(screen.getByTestId("sync-pill")).toHaveTextContent("Offline · 2 waiting"));
    // Never reached at all: offline too.
    syncState.status = status({ last_success: null });
    await vi.waitFor(() => expect(screen.getByTestId("sync-pill")).toHaveTextContent("Offline"));
  });

  it("lets a manager enrol the terminal, and words what went wrong", async () => {
    session.actor = BUDI;
    let current = status({ enrolled: false, server_url: null, store_name: null, last_success: null });
    const calls: [string, boolean, string][] = [];
    routeIpc(invoke, {
      syncStatus: () => current,
      syncEnrol: (url, allowHttp, code) => {
        calls.push([url, allowHttp, code]);
        if (!url.startsWith("https://") && !allowHttp) fail({ kind: "sync", data: { problem: "address" } });
        if (code !== "ABCD-EFGH-JKMN") fail({ kind: "sync", data: { problem: "enrolment_refused" } });
        current = status({ server_url: url, pending: 12, oldest_pending_at: "2026-11-21T02:00:00.000000000Z", last_success: null });
        return current;
      },
    });
    render(SyncPill);
    await fireEvent.click(await pill());
    expect(screen.getByTestId("sync-pill")).toHaveTextContent("Sync: not set up");
    await fireEvent.input(screen.getByTestId("sync-url"), { target: { value: "http://192.168.1.10:8440" } });
    await fireEvent.input(screen.getByTestId("sync-code"), { target: { value: "ABCD-EFGH-JKMN" } });
    await fireEvent.click(screen.getByTestId("sync-enrol"));
    expect(await screen.findByTestId("sync-error")).toHaveTextContent("must start with https://");

    await fireEvent.click(screen.getByTestId("sync-allow-http"));
    await fireEvent.input(screen.getByTestId("sync-code"), { target: { value: "ABCD-EFGH-JKMX" } });
    await fireEvent.click(screen.getByTestId("sync-enrol"));
    await vi.waitFor(() => expect(screen.getByTestId("sync-error")).toHaveTextContent("refused the code"));

    await fireEvent.input(screen.getByTestId("sync-code"), { target: { value: "ABCD-EFGH-JKMN" } });
    await fireEvent.click(screen.getByTestId("sync-enrol"));
    expect(await screen.findByTestId("sync-server")).toHaveTextContent("http://192.168.1.10:8440");
    expect(screen.getByTestId("sync-waiting")).toHaveTextContent("12");
    expect(screen.getByTestId("sync-oldest")).toHaveTextContent(/\(\d+ min ago\)/);
    expect(screen.getByTestId("sync-state")).toHaveTextContent("Offline");
    expect(calls).toEqual([
      ["http://192.168.1.10:8440", false, "ABCD-EFGH-JKMN"],
      ["http://192.168.1.10:8440", true, "ABCD-EFGH-JKMX"],
      ["http://192.168.1.10:8440", true, "ABCD-EFGH-JKMN"],
    ]);
  });

  it("shows a manager each failure, what the server set aside, and sends now", async () => {
    session.actor = BUDI;
    let asked = 0;
    routeIpc(invoke, {
      syncStatus: () =>
        status({
          pending: 4,
          last_error: "server not reachable: 503 Service Unavailable",
          last_error_at: "2026-11-21T03:06:00.000000000Z",
          quarantined: [{ seq: 41, kind: "sale", reason: "malformed: missing field `total`", at: "2026-11-21T03:01:00.000000000Z" }],
        }),
      syncNow: () => {
        asked += 1;
        return null;
      },
    });
    render(SyncPill);
    await fireEvent.click(await pill());
    expect(screen.getByTestId("sync-last-error")).toHaveTextContent("503 Service Unavailable");
    expect(screen.getByTestId("sync-quarantined")).toHaveTextContent("#41 · sale");
    expect(screen.getByTestId("sync-quarantined")).toHaveTextContent("missing field `total`");
    await fireEvent.click(screen.getByTestId("sync-now"));
    await vi.waitFor(() => expect(asked).toBe(1));
  });

  it("refuses to leave the server while sales wait, unless an admin confirms after a warning", async () => {
    let current = status({ pending: 5 });
    const asked: boolean[] = [];
    routeIpc(invoke, {
      syncStatus: () => current,
      syncUnenrol: (confirm) => {
        asked.push(confirm);
        if (current.pending > 0 && !(confirm && session.actor?.role === "admin")) {
          fail({ kind: "unsent_entries", data: { count: current.pending } });
        }
        current = status({ enrolled: false, server_url: null, store_name: null, pending: 5, last_success: null });
        return current;
      },
    });
    // A manager is told, and cannot force it.
    session.actor = BUDI;
    const view = render(SyncPill);
    await fireEvent.click(await pill());
    await fireEvent.click(screen.getByTestId("sync-leave"));
    expect(await screen.findByTestId("sync-error")).toHaveTextContent("5 entries have not reached the server");
    expect(screen.queryByTestId("confirm-dialog")).toBeNull();
    view.unmount();

    // An admin is warned with the count, and confirms.
    session.actor = { id: "a1", name: "Ayu", role: "admin" };
    render(SyncPill);
    await fireEvent.click(await pill());
    await fireEvent.click(screen.getByTestId("sync-leave"));
    const confirm = await screen.findByTestId("confirm-dialog");
    expect(confirm).toHaveTextContent("5 entries have not reached the server");
    await fireEvent.click(screen.getByTestId("confirm-yes"));
    expect(await screen.findByTestId("sync-enrol")).toBeInTheDocument();
    expect(asked).toEqual([false, false, true]);
  });
});
