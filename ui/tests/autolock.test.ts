import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
import { invoke } from "@tauri-apps/api/core";
import App from "../src/App.svelte";
import { router } from "../src/stores/chrome.svelte";
import { session, setAutoLock } from "../src/stores/session.svelte";
import { resetApp, status } from "./fixtures";
import { routeIpc } from "./ipc";

describe("auto-lock", () => {
  beforeEach(() => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    resetApp("en");
    vi.mocked(invoke).mockReset();
    routeIpc(invoke, {
      appStatus: () => status(),
      listTickets: () => [],
      listCategories: () => [],
      listProducts: () => [],
      listStaff: () => [{ id: "s1", name: "Sari", role: "cashier", active: true }],
      signOut: () => null,
    });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("locks the till after the configured minutes without input, and not before", async () => {
    setAutoLock(2);
    render(App);
    await vi.waitFor(() => expect(screen.getByTestId("search")).toBeInTheDocument());
    await vi.advanceTimersByTimeAsync(100_000); // 1 min 40 s: still open
    expect(session.actor).not.toBeNull();
    const signedOut = () => vi.mocked(invoke).mock.calls.some(([cmd]) => cmd === "sign_out");
    expect(signedOut()).toBe(false);
    await vi.advanceTimersByTimeAsync(30_000); // past 2 minutes
    await vi.waitFor(() => expect(session.actor).toBeNull());
    expect(signedOut()).toBe(true);
    expect(router.path).toBe("login");
  });
});
