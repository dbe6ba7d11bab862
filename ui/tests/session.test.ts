import { invoke } from "@tauri-apps/api/core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { MoneyFormat } from "../src/bindings";
import { router } from "../src/stores/chrome.svelte";
import { fmt, moneyFormat, session, start } from "../src/stores/session.svelte";
import { IDR, IDR_MONEY, resetApp, status } from "./fixtures";
import { routeIpc } from "./ipc";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

describe("the shop's money format", () => {
  beforeEach(() => {
    resetApp("en");
    localStorage.clear();
    vi.mocked(invoke).mockReset();
  });

  it("is the core's money_format from the app status, never one the UI works out", async () => {
    // Deliberately unlike anything the settings would suggest: only the core's format counts.
    const core: MoneyFormat = { symbol: "RM", spaced: false, group_separator: ",", decimal_separator: ".", minor_unit: 2 };
    routeIpc(invoke, { appStatus: () => status({ signed_in: null, settings: IDR, money_format: core }) });
    expect(fmt(25000)).toBe("Rp 25.000");
    await start();
    expect(router.path).toBe("login");
    expect(moneyFormat()).toEqual(core);
    expect(session.moneyFormat).toEqual(core);
    expect(fmt(123456)).toBe("RM1,234.56");
  });

  it("fixtures carry the core's IDR format", () => {
    expect(status().money_format).toEqual(IDR_MONEY);
    expect(fmt(-5000)).toBe("-Rp 5.000");
  });
});
