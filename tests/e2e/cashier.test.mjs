// End to end: the real built app under Xvfb, driven through tauri-driver + WebKitWebDriver.
// Started by scripts/e2e.sh, which builds the app and passes KASIR_APP, KASIR_DATA_DIR and
// WEBDRIVER_URL. Screenshots land in $KASIR_SCREENSHOTS (scripts/e2e.sh: target/e2e-screenshots/;
// scripts/screenshots.sh: docs/screenshots/, the README's pictures).

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";
import { screenshot } from "./till.mjs";

const app = process.env.KASIR_APP;
const driver = process.env.WEBDRIVER_URL ?? "http://127.0.0.1:4444";
const shots = process.env.KASIR_SCREENSHOTS ?? join(import.meta.dirname, "../../target/e2e-screenshots");
mkdirSync(shots, { recursive: true });

let s;
/** A wrong PIN distinctive enough that scripts/e2e.sh can prove it never reached the logs. */
const WRONG_PIN = "97315864";

// WebKitWebDriver's own screenshot call can hang under Xvfb, so the X screen is captured instead
// (the app window is the only window on it).
const shot = (name, dir = shots) => screenshot(s, join(dir, `${name}.png`));

async function tile(name) {
  return s.byTestId("product-tile", `[data-name="${name}"]`);
}

async function line(name) {
  return s.byTestId("ticket-line", `[data-name="${name}"]`);
}

async function lineQty(name) {
  return (await (await line(name)).find('[data-testid="line-qty"]')).text();
}

async function pinPad(digits) {
  for (const d of digits) await (await s.byTestId(`pin-key-${d}`)).click();
  await (await s.byTestId("pin-ok")).click();
}

async function orderCount() {
  return (await s.all('[data-testid="order-card"]')).length;
}

describe("the cashier's day, in the real app", () => {
  before(async () => {
    assert.ok(app, "KASIR_APP must point at the built app");
    s = await Session.start(driver, app);
  });

  after(async () => {
    await s?.quit();
  });

  it("first run offers the demo café", async () => {
    await (await s.byTestId("setup-demo", "", { timeout: 30_000 })).click();
    await s.byTestId("staff-tile", '[data-name="Sari"]', { timeout: 60_000 });
    await shot("login");
  });

  it("refuses a wrong PIN", async () => {
    await (await s.byTestId("staff-tile", '[data-name="Sari"]')).click();
    await pinPad(WRONG_PIN);
    const error = await s.byTestId("login-error");
    await waitFor(async () => /4/.test(await error.text()), 10_000, "no wrong-PIN message with attempts left");
    await s.gone('[data-testid="search"]', 1000);
  });

  it("logs in by PIN", async () => {
    // After a wrong PIN the pad stays open for the same person.
    if ((await s.all('[data-testid="pin-ok"]')).length === 0) {
      await (await s.byTestId("staff-tile", '[data-name="Sari"]')).click();
    }
    await pinPad("3333");
    await s.byTestId("search", "", { timeout: 15_000 });
    // Read from the DOM: WebKit's WebDriver gives an empty text for this ellipsis-cut span
    // (the screenshots show it).
    const name = () => s.script('return document.querySelector(\'[data-testid="cashier-name"]\').textContent');
    await waitFor(async () => /Sari/.test(await name()), 5000, "the cashier's name is not shown");
  });

  it("asks for the shift's opening float before the first sale", async () => {
    // Selling needs an open shift (the shop's default): signing in asks for the float.
    await s.byTestId("open-shift-dialog", "", { timeout: 10_000 });
    await (await s.byTestId("shift-float")).type("500000");
    await waitFor(async () => /500\.000/.test(await (await s.byTestId("shift-float-shown")).text()), 5000, "the float is not shown");
    await shot("open-shift");
    await (await s.byTestId("shift-open-confirm")).click();
    await s.gone('[data-testid="open-shift-dialog"]');
    const label = await s.byTestId("shift-button");
    await waitFor(async () => /\d\d[.:]\d\d/.test(await label.text()), 5000, "the top bar does not show the open shift");
  });

  it("searches as you type and adds the hit", async () => {
    const search = await s.byTestId("search");
    await search.click();
    await search.type("croiss");
    await (await tile("Croissant")).click();
    assert.equal(await lineQty("Croissant"), "1");
  });

  it("adds a product from a barcode scan", async () => {
    await (await s.byTestId("search")).clear();
    await s.script("document.activeElement && document.activeElement.blur()");
    await s.typeFast("8990000000035\uE007");
    await line("Air Mineral 600ml");
  });

  it("adds a drink with modifiers", async () => {
    const search = await s.byTestId("search");
    await search.click();
    await search.type("gula aren");
    await (await tile("Kopi Susu Gula Aren")).click();
    await s.byTestId("modifier-dialog");
    await (await s.byTestId("modifier-option", '[data-name="Large"]')).click();
    await (await s.byTestId("modifier-option", '[data-name="Less sugar"]')).click();
    await (await s.byTestId("modifier-add")).click();
    await s.gone('[data-testid="modifier-dialog"]');
    const l = await line("Kopi Susu Gula Aren");
    assert.match(await l.text(), /Large/);
  });

  it("changes a quantity", async () => {
    await (await (await line("Croissant")).find('[data-testid="line-plus"]')).click();
    await waitFor(async () => (await lineQty("Croissant")) === "2", 5000, "quantity did not become 2");
    const search = await s.byTestId("search");
    await search.click();
    await search.type("\uE00C"); // Escape clears the search: the whole menu is back
    await waitFor(async () => (await s.all('[data-testid="product-tile"]')).length > 10, 5000, "the menu did not come back");
    await shot("menu");
  });

  it("pays cash and shows the change", async () => {
    const total = await (await s.byTestId("ticket-total")).text();
    assert.match(total, /Rp/);
    await (await s.byTestId("pay-button")).click();
    await s.byTestId("pay-dialog");
    await (await s.byTestId("method-cash")).click();
    await (await s.byTestId("quick-100000")).click();
    const change = await s.byTestId("change-due");
    await waitFor(async () => /Rp/.test(await change.text()), 5000, "no change shown");
    await shot("pay");
    await (await s.byTestId("confirm-payment")).click();
  });

  it("shows the receipt", async () => {
    const receipt = await s.byTestId("receipt", "", { timeout: 15_000 });
    const text = await receipt.text();
    assert.match(text, /T01-000001/);
    assert.match(text, /Croissant/);
    assert.match(text, /Kembali|Change/);
    await shot("receipt");
    // The change stays on screen for a moment whatever is pressed (a second Enter must not
    // hide it): "New sale" is enabled after that.
    await waitFor(
      async () => await s.script('return !document.querySelector(\'[data-testid="new-sale"]\').disabled'),
      5000,
      "New sale never became available",
    );
    await (await s.byTestId("new-sale")).click();
    await s.gone('[data-testid="receipt"]');
  });

  it("finds the order on the board and advances it", async () => {
    await (await s.byTestId("orders-button")).click();
    await s.byTestId("orders-board");
    const card = await s.find('[data-testid="orders-col-pending"] [data-testid="order-card"][data-receipt="T01-000001"]');
    // The kitchen sees what to make: each line with its options.
    const made = await (await card.find('[data-testid="order-lines"]')).text();
    assert.match(made, /2×\s*Croissant/);
    assert.match(made, /Kopi Susu Gula Aren\s*Large, Less sugar/);
    // A copy of its receipt, from the board.
    await (await card.find('[data-testid="view-receipt"]')).click();
    await waitFor(async () => /No: T01-000001/.test(await (await s.byTestId("receipt")).text()), 5000, "no receipt copy");
    await (await s.byTestId("close-receipt")).click();
    await s.gone('[data-testid="receipt-dialog"]');
    await (await card.find('[data-testid="advance-order"]')).click();
    await s.find('[data-testid="orders-col-preparing"] [data-testid="order-card"][data-receipt="T01-000001"]');
    await shot("orders");
    assert.equal(await orderCount(), 1);
  });

  it("refuses to sell more than the stock and writes nothing", async () => {
    await (await s.byTestId("orders-button")).click(); // toggles back to the menu
    const search = await s.byTestId("search");
    await search.click();
    await search.type("brownies");
    await (await tile("Brownies")).click();
    for (let i = 0; i < 3; i++) {
      await (await (await line("Brownies")).find('[data-testid="line-plus"]')).click();
    }
    await waitFor(async () => (await lineQty("Brownies")) === "4", 5000, "quantity did not reach 4");
    await (await (await line("Brownies")).find('[data-testid="line-plus"]')).click();
    const toast = await s.byTestId("error-toast");
    const message = await toast.text();
    assert.match(message, /Brownies/);
    assert.match(message, /4/);
    assert.equal(await lineQty("Brownies"), "4", "the refused change wrote nothing");
    await shot("insufficient-stock");
    await (await s.byTestId("orders-button")).click();
    await s.byTestId("orders-board");
    assert.equal(await orderCount(), 1, "no order was written");
  });

  it("looks right at 1920x1080", async () => {
    await (await s.byTestId("orders-button")).click();
    await s.setWindowSize(1920, 1080);
    await new Promise((r) => setTimeout(r, 500));
    await shot("menu-1920");
    await s.setWindowSize(1280, 800);
  });
});
