import { invoke } from "@tauri-apps/api/core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { StartupMark } from "../src/bindings";
import { startupMilestone } from "../src/lib/api";
import { routeIpc } from "./ipc";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

describe("start-up milestones", () => {
  let reports: StartupMark[][];

  beforeEach(() => {
    reports = [];
    performance.clearMarks();
    routeIpc(invoke, {
      reportStartup: (marks) => {
        reports.push(marks);
        return null;
      },
    });
  });

  it("marks a milestone after the next frame and reports it once, with earlier marks", async () => {
    performance.mark("kasir:script");
    performance.mark("not-ours");
    startupMilestone("kasir:login-ready");
    expect(performance.getEntriesByName("kasir:login-ready")).toHaveLength(0); // not painted yet
    await vi.waitFor(() => expect(reports).toHaveLength(1));
    const names = reports[0].map((m) => m.name);
    expect(names).toEqual(["kasir:script", "kasir:login-ready"]);
    const origin = performance.timeOrigin;
    for (const m of reports[0]) expect(m.at_unix_ms).toBeGreaterThanOrEqual(origin);

    startupMilestone("kasir:login-ready"); // a later login: nothing new to report
    startupMilestone("kasir:menu-ready");
    await vi.waitFor(() => expect(reports).toHaveLength(2));
    expect(reports[1].map((m) => m.name)).toEqual(["kasir:menu-ready"]);
  });

  it("never throws when the report fails", async () => {
    routeIpc(invoke, {});
    expect(() => startupMilestone("kasir:other")).not.toThrow();
    await vi.waitFor(() => expect(performance.getEntriesByName("kasir:other")).toHaveLength(1));
  });
});

