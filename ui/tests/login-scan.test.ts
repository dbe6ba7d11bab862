/**
 * A barcode scanned at the lock/login screen is never a PIN (issue 8, item 6): its digits do not
 * land in the pad, and its Enter signs nobody in (a wrong PIN there counts toward a lock-out).
 * Time is the test's: a person types 150 ms apart, the scanner's burst comes all at once.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
import { invoke } from "@tauri-apps/api/core";
import Login from "../src/features/login/Login.svelte";
import { chrome, router } from "../src/stores/chrome.svelte";
import { session } from "../src/stores/session.svelte";
import { resetApp } from "./fixtures";
import { fail, routeIpc } from "./ipc";

async function typeSlowly(text: string) {
  for (const ch of text) {
    vi.setSystemTime(Date.now() + 150);
    await fireEvent.keyDown(document.body, { key: ch });
  }
}

async function scan(code: string) {
  vi.setSystemTime(Date.now() + 150);
  for (const ch of code) await fireEvent.keyDown(document.body, { key: ch });
  await fireEvent.keyDown(document.body, { key: "Enter" });
}

const filled = () => document.querySelectorAll(".dot.filled").length;
const signIns = () => vi.mocked(invoke).mock.calls.filter((c) => c[0] === "sign_in");

describe("a scan at the login PIN pad", () => {
  beforeEach(() => {
    resetApp("en");
    session.actor = null;
    router.reset("login");
    vi.mocked(invoke).mockReset();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-21T05:00:00Z"));
    routeIpc(invoke, {
      listStaff: () => [{ id: "s1", name: "Sari", role: "cashier", active: true }],
      signIn: (_id, pin) => (pin === "1234" ? { id: "s1", name: "Sari", role: "cashier" } : fail({ kind: "wrong_pin", data: { attempts_left: 4 } })),
      listTickets: () => [],
    });
  });
  afterEach(() => vi.useRealTimers());

  it("types no digits and signs nobody in; the PIN typed around it still works", async () => {
    render(Login);
    await vi.waitFor(() => screen.getByTestId("staff-tile"));
    await fireEvent.click(screen.getByTestId("staff-tile"));

    await scan("8991234567890");
    expect(filled()).toBe(0);
    expect(signIns()).toEqual([]);
    expect(screen.getByTestId("login-error")).toHaveTextContent(/^$/);
    expect(chrome.toasts.map((x) => x.text)).toEqual(["A barcode was scanned: sign in first, then scan."]);

    await typeSlowly("12");
    await scan("8991234567890");
    expect(filled()).toBe(2);
    expect(signIns()).toEqual([]);

    await typeSlowly("34");
    vi.setSystemTime(Date.now() + 150);
    await fireEvent.keyDown(document.body, { key: "Enter" });
    await vi.waitFor(() => expect(router.path).toBe("sell"));
    expect(signIns()).toEqual([["sign_in", { staffId: "s1", pin: "1234" }]]);
  });
});
