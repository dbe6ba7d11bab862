import { afterEach, describe, expect, it, vi } from "vitest";
import { fireEvent } from "@testing-library/svelte";
import { matches, openScope, type Scope } from "../src/lib/shortcuts";

const press = (key: string, init: KeyboardEventInit = {}) => {
  const e = new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...init });
  window.dispatchEvent(e);
  return e;
};

describe("shortcut scopes", () => {
  const opened: Scope[] = [];
  const scope = (...args: Parameters<typeof openScope>) => {
    const s = openScope(...args);
    opened.push(s);
    return s;
  };
  afterEach(() => {
    for (const s of opened.splice(0)) s.close();
  });

  it("runs a screen's shortcut while it is open, and not after", () => {
    const park = vi.fn();
    const s = scope("screen", [{ key: "F6", run: park }]);
    const e = press("F6");
    expect(park).toHaveBeenCalledOnce();
    expect(e.defaultPrevented).toBe(true);
    s.close();
    expect(press("F6").defaultPrevented).toBe(false);
    expect(park).toHaveBeenCalledOnce();
  });

  it("lets a dialog on top silence the screen and the frame, except `always` keys", () => {
    const pay = vi.fn();
    const orders = vi.fn();
    const lock = vi.fn();
    const close = vi.fn();
    scope("app", [
      { key: "F8", run: orders },
      { key: "Ctrl+L", run: lock, always: true },
    ]);
    const screen = scope("screen", [{ key: "F4", run: pay }]);
    press("F8");
    press("F4");
    expect([orders.mock.calls.length, pay.mock.calls.length]).toEqual([1, 1]); // the frame's keys pass under the screen

    const dialog = scope("dialog", [{ key: "Escape", run: close }]);
    expect(screen.live).toBe(true);
    press("F8");
    press("F4");
    press("Escape");
    press("l", { ctrlKey: true });
    expect([orders.mock.calls.length, pay.mock.calls.length, close.mock.calls.length, lock.mock.calls.length]).toEqual([1, 1, 1, 1]);

    dialog.close();
    press("F4");
    press("Escape");
    expect([pay.mock.calls.length, close.mock.calls.length]).toEqual([2, 1]);
  });

  it("gives keys to the top dialog only", () => {
    const under = vi.fn();
    const top = vi.fn();
    const lower = scope("dialog", [{ key: "Escape", run: under }]);
    const upper = scope("dialog", [{ key: "Escape", run: top }]);
    expect([lower.live, upper.live]).toEqual([false, true]);
    press("Escape");
    expect([under.mock.calls.length, top.mock.calls.length]).toEqual([0, 1]);
    upper.close();
    press("Escape");
    expect(under).toHaveBeenCalledOnce();
  });

  it("passes a declined key on, and leaves text fields alone when asked", () => {
    const focus = vi.fn();
    const clear = vi.fn(() => false as const);
    const back = vi.fn();
    scope("app", [{ key: "Escape", run: back }]);
    scope("screen", [
      { key: "/", run: focus, inFields: false },
      { key: "Escape", run: clear },
    ]);
    const input = document.createElement("input");
    document.body.appendChild(input);
    fireEvent.keyDown(input, { key: "/" });
    expect(focus).not.toHaveBeenCalled();
    press("/");
    expect(focus).toHaveBeenCalledOnce();
    const e = press("Escape");
    expect(clear).toHaveBeenCalledOnce();
    expect(back).toHaveBeenCalledOnce(); // declined by the screen, taken by the frame
    expect(e.defaultPrevented).toBe(true);
    input.remove();
  });

  it("ignores keys something else already handled", () => {
    const run = vi.fn();
    scope("screen", [{ key: "Enter", run }]);
    const input = document.createElement("input");
    document.body.appendChild(input);
    input.addEventListener("keydown", (e) => e.preventDefault());
    fireEvent.keyDown(input, { key: "Enter" });
    expect(run).not.toHaveBeenCalled();
    input.remove();
  });
});

describe("matches", () => {
  const key = (k: string, init: KeyboardEventInit = {}) => ({ key: k, ...init });
  it.each([
    ["F8", key("F8"), true],
    ["F8", key("F8", { ctrlKey: true }), false],
    ["Ctrl+L", key("l", { ctrlKey: true }), true],
    ["Ctrl+L", key("L", { ctrlKey: true, shiftKey: true }), true],
    ["Ctrl+L", key("l"), false],
    ["Tab", key("Tab"), true],
    ["Tab", key("Tab", { shiftKey: true }), false],
    ["Shift+Tab", key("Tab", { shiftKey: true }), true],
    ["/", key("/", { shiftKey: true }), true],
    ["7", key("7", { altKey: true }), false],
    ["+", key("+"), true],
  ])("%s vs %j → %s", (combo, init, expected) => {
    expect(matches(combo, new KeyboardEvent("keydown", init))).toBe(expected);
  });
});
