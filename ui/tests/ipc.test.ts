import { describe, expect, it, vi } from "vitest";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
import { invoke } from "@tauri-apps/api/core";
import { commands } from "../src/bindings";
import { commandName, fail, invokeName, routeIpc, type CommandName } from "./ipc";

describe("typed IPC mocks", () => {
  it("know every generated command's invoke name and argument order", async () => {
    const names = Object.keys(commands) as CommandName[];
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) {
      vi.mocked(invoke).mockReset();
      vi.mocked(invoke).mockResolvedValue(null);
      const fn = commands[name] as (...args: unknown[]) => Promise<unknown>;
      const sentinels = Array.from({ length: fn.length }, (_, i) => `arg${i}`);
      await fn(...sentinels);
      const [cmd, args] = vi.mocked(invoke).mock.calls[0];
      expect(cmd).toBe(invokeName(name));
      expect(commandName(cmd)).toBe(name);
      expect(Object.values(args ?? {})).toEqual(sentinels);
    }
  });

  it("route calls to handlers with the command's own arguments", async () => {
    const seen: unknown[] = [];
    routeIpc(invoke, {
      setLineQuantity: (ticket, line, quantity) => {
        seen.push([ticket, line, quantity]);
        return fail({ kind: "invalid_transition", data: { from: "completed", to: "pending" } });
      },
      listStaff: () => [{ id: "s1", name: "Sari", role: "cashier", active: true }],
    });
    expect(await commands.setLineQuantity("t1", "l1", 3)).toEqual({ status: "error", error: { kind: "invalid_transition", data: { from: "completed", to: "pending" } } });
    expect(seen).toEqual([["t1", "l1", 3]]);
    expect(await commands.listStaff()).toEqual({ status: "ok", data: [{ id: "s1", name: "Sari", role: "cashier", active: true }] });
    expect(await commands.signOut()).toEqual({ status: "error", error: { kind: "internal", data: { message: "no mock for sign_out" } } });
  });

  it("refuse a handler for a command that does not exist", () => {
    // @ts-expect-error: no such command
    expect(() => routeIpc(invoke, { signOff: () => null })).toThrow("no command signOff in bindings.ts");
  });

  it("type each handler from the bindings", () => {
    routeIpc(invoke, {
      // @ts-expect-error: sign_out answers null, not a string
      signOut: () => "bye",
      // @ts-expect-error: the PIN is a string
      signIn: (_staff: string, _pin: number) => ({ id: "s1", name: "Sari", role: "cashier" as const }),
      // @ts-expect-error: an Actor has a role
      setUpShop: () => ({ id: "s1", name: "Sari" }),
      // @ts-expect-error: a ticket summary's `items` is a number
      listTickets: () => [{ id: "t1", order_type: "dine_in", label: "", parked: false, items: "2", updated_at: "" }],
    });
  });
});
