// What the till's end-to-end tests share: signing in, reading amounts, screenshots.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";

/** Taps a staff member's tile on the login screen, their PIN, then OK (waits for nothing after). */
export async function enterPin(s, name, pin, { timeout = 60_000 } = {}) {
  await (await s.byTestId("staff-tile", `[data-name="${name}"]`, { timeout })).click();
  for (const d of pin) await (await s.byTestId(`pin-key-${d}`)).click();
  await (await s.byTestId("pin-ok")).click();
}

/** Signs in and waits for the till (its search box). */
export async function signIn(s, name, pin, opts) {
  await enterPin(s, name, pin, opts);
  await s.byTestId("search", "", { timeout: 15_000 });
}

/** An amount as the UI writes it (`Rp 12.500`, `-Rp 2.000`), in rupiah. */
export function rupiah(text) {
  const m = /(-?)Rp\s*([\d.]+)/.exec(text);
  assert.ok(m, `no amount in ${JSON.stringify(text)}`);
  return (m[1] ? -1 : 1) * Number(m[2].replaceAll(".", ""));
}

/**
 * Saves the app's window as a person sees it, as a PNG at `file`: X's own picture of the
 * screen cropped to the window (WebDriver's screenshot leaves out what WebKit does not draw).
 */
export async function screenshot(s, file) {
  await new Promise((r) => setTimeout(r, 300)); // let transitions settle
  const { x, y, width, height } = await s.cmd("GET", "/window/rect");
  const crop = `${width}x${height}+${Math.max(0, x)}+${Math.max(0, y)}`;
  execFileSync("import", ["-window", "root", "-crop", crop, "+repage", file], { timeout: 20_000 });
}
