import { describe, expect, it } from "vitest";
import { Router } from "../src/lib/router.svelte";

const PATHS = ["login", "sell", "board", "admin", "admin/menu", "admin/menu/products", "admin/staff"] as const;
const make = () => new Router<(typeof PATHS)[number]>(PATHS, "login");

describe("Router", () => {
  it("opens screens on a history stack and goes back", () => {
    const r = make();
    r.reset("sell");
    r.go("board");
    expect(r.path).toBe("board");
    expect(r.stack).toEqual(["sell", "board"]);
    expect(r.back()).toBe(true);
    expect(r.path).toBe("sell");
    expect(r.back()).toBe(false); // nothing below, no parent
    expect(r.canGoBack).toBe(false);
  });

  it("returns to a screen already in the history instead of stacking it again", () => {
    const r = make();
    r.reset("sell");
    for (let i = 0; i < 5; i++) {
      r.go("board");
      r.go("sell");
    }
    expect(r.stack).toEqual(["sell"]);
    r.go("admin/menu");
    r.go("admin/menu/products");
    r.go("board");
    r.go("admin/menu");
    expect(r.stack).toEqual(["sell", "admin/menu"]);
  });

  it("goes up to the nearest known parent when the history is empty", () => {
    const r = make();
    r.reset("admin/menu/products");
    expect(r.segments).toEqual(["admin", "menu", "products"]);
    expect(r.within("admin")).toBe(true);
    expect(r.within("admin/menu")).toBe(true);
    expect(r.within("admin/staff")).toBe(false);
    expect(r.within("adm")).toBe(false);
    expect(r.canGoBack).toBe(true);
    expect(r.back()).toBe(true);
    expect(r.path).toBe("admin/menu");
    expect(r.back()).toBe(true);
    expect(r.path).toBe("admin");
    expect(r.back()).toBe(false);
  });

  it("replaces the top screen, and resets the history", () => {
    const r = make();
    r.replace("sell");
    expect(r.stack).toEqual(["sell"]);
    r.go("board");
    r.replace("sell"); // sell is already below: no duplicate
    expect(r.stack).toEqual(["sell"]);
    r.go("board");
    r.reset("login");
    expect(r.stack).toEqual(["login"]);
  });

  it("refuses unknown routes", () => {
    const r = make();
    // @ts-expect-error: not a route
    expect(() => r.go("sel")).toThrow("unknown route: sel");
    expect(r.path).toBe("login");
  });
});
