// End to end: the money side of a day in the real app (runs after till-admin.test.mjs on the
// same till). A manager closes the shift left open; a cashier signing in is asked to open one
// with a counted float, sells for cash and for QRIS, refunds one line of the cash sale with a
// manager's PIN, takes cash out for supplies (PIN again) and closes the shift with a count
// that is short: the Z report on screen says exactly what was done.

import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";
import { screenshot, rupiah, signIn as signInAs, enterPin } from "./till.mjs";

const app = process.env.KASIR_APP;
const driver = process.env.WEBDRIVER_URL ?? "http://127.0.0.1:4444";
const shots = process.env.KASIR_SCREENSHOTS ?? join(import.meta.dirname, "../../target/e2e-screenshots");
mkdirSync(shots, { recursive: true });

let s;

/** What the screen shows now, as `name`.png in `dir` (the README's pictures by default). */
const shot = (name, dir = shots) => screenshot(s, join(dir, `${name}.png`));

/** Each step's last screen, kept out of the README's pictures: a failed step's says why. */
const steps = join(import.meta.dirname, "../../target/e2e-steps");
mkdirSync(steps, { recursive: true });

const signIn = (name, pin) => signInAs(s, name, pin);

async function text(testid) {
  return (await s.byTestId(testid)).text();
}

/** A manager approves with their PIN in the approval dialog. */
async function approveAs(name, pin) {
  await s.byTestId("approval-dialog", "", { timeout: 10_000 });
  await (await s.byTestId("approver", `[data-name="${name}"]`)).click();
  for (const d of pin) await (await s.byTestId(`pin-key-${d}`)).click();
  await (await s.byTestId("pin-ok")).click();
  await s.gone('[data-testid="approval-dialog"]');
}

/** Sells one of `product` with `method`, exact amount; returns the receipt number and total. */
async function sell(search, product, method, reference) {
  const box = await s.byTestId("search");
  await box.click();
  await box.clear();
  await box.type(search);
  await (await s.byTestId("product-tile", `[data-name="${product}"]`)).click();
  await (await s.byTestId("pay-button")).click();
  await s.byTestId("pay-dialog");
  const due = rupiah(await text("pay-due"));
  await (await s.byTestId(`method-${method}`)).click();
  if (reference) await (await s.byTestId("reference")).type(reference);
  // Cash: the exact amount; another method is filled with what is due.
  if (method === "cash") await (await s.byTestId("quick-exact")).click();
  await (await s.byTestId("confirm-payment")).click();
  const receipt = await s.byTestId("receipt", "", { timeout: 15_000 });
  const no = /[A-Z0-9]+-\d{6}/.exec(await receipt.text())?.[0];
  assert.ok(no, "the receipt has no number");
  await waitFor(
    async () => await s.script('return !document.querySelector(\'[data-testid="new-sale"]\').disabled'),
    5000,
    "New sale never became available",
  );
  await (await s.byTestId("new-sale")).click();
  await s.gone('[data-testid="receipt"]');
  return { no, due };
}

describe("the money side of a day, in the real app", () => {
  const day = { float: 500_000 };

  before(async () => {
    assert.ok(app, "KASIR_APP must point at the built app");
    s = await Session.start(driver, app);
  });

  after(async () => {
    await s?.quit();
  });

  // What the screen showed at the end of each step (a failed step's picture says why).
  let step = 0;
  afterEach(async () => {
    await shot(`money-step-${++step}`, steps).catch(() => {});
  });

  it("a manager closes the shift left open", async () => {
    await signIn("Budi", "2222");
    await (await s.byTestId("shift-button")).click();
    await (await s.byTestId("shift-close")).click();
    await s.byTestId("close-shift-dialog");
    await waitFor(async () => /Rp/.test(await text("close-expected")), 10_000, "no expected cash");
    await (await s.byTestId("count-by-total")).click();
    await (await s.byTestId("count-total")).type(String(rupiah(await text("close-expected"))));
    await waitFor(async () => /Pas|Exactly/.test(await text("close-variance")), 5000, "an exact count is not called exact");
    await (await s.byTestId("close-confirm")).click();
    await s.byTestId("report-dialog", "", { timeout: 10_000 });
    await (await s.byTestId("report-close")).click();
    await s.gone('[data-testid="report-dialog"]');
    await (await s.byTestId("lock-button")).click();
  });

  it("asks the cashier for a float at sign-in and opens the shift", async () => {
    await enterPin(s, "Sari", "3333", { timeout: 30_000 });
    await s.byTestId("open-shift-dialog", "", { timeout: 15_000 });
    await (await s.byTestId("shift-float")).type(String(day.float));
    await (await s.byTestId("shift-open-confirm")).click();
    await s.gone('[data-testid="open-shift-dialog"]');
  });

  it("sells for cash and for QRIS", async () => {
    day.cash = await sell("croiss", "Croissant", "cash");
    day.qris = await sell("air mineral", "Air Mineral 600ml", "qris", "QR-7781");
  });

  it("refunds one line of the cash sale with a manager's PIN", async () => {
    await (await s.byTestId("orders-button")).click();
    await s.byTestId("orders-board");
    await (await s.byTestId("find-receipt")).type(day.cash.no);
    await (await s.byTestId("find-receipt-go")).click();
    await s.byTestId("refund-dialog", "", { timeout: 10_000 });
    const line = await s.byTestId("refund-line", '[data-line="0"]');
    await (await line.find('[data-testid="refund-plus"]')).click();
    await (await s.byTestId("refund-reason")).type("Gosong");
    const confirm = await s.byTestId("refund-confirm");
    await waitFor(async () => /Rp/.test(await confirm.text()), 10_000, "no quote for the refund");
    day.refund = rupiah(await confirm.text());
    assert.equal(day.refund, day.cash.due, "one croissant of one is the whole sale back");
    await shot("refund");
    await confirm.click();
    await approveAs("Budi", "2222");
    await s.gone('[data-testid="refund-dialog"]');
    // The order's card on the board says what went back.
    const card = await s.byTestId("order-card", `[data-receipt="${day.cash.no}"]`);
    await waitFor(
      async () => rupiah(await (await card.find('[data-testid="order-refunded"]')).text()) === day.refund,
      10_000,
      "the board does not show the refund",
    );
  });

  it("takes cash out for supplies with a manager's PIN", async () => {
    await (await s.byTestId("shift-button")).click();
    await (await s.byTestId("shift-cash")).click();
    await s.byTestId("cash-dialog");
    await (await s.byTestId("cash-out")).click();
    await (await s.byTestId("cash-amount")).type("35000");
    await (await s.byTestId("cash-reason")).type("Beli es batu");
    await (await s.byTestId("cash-record")).click();
    await approveAs("Budi", "2222");
    await s.gone('[data-testid="cash-dialog"]');
  });

  it("closes with a short count, and the Z report matches what was done", async () => {
    const expected = day.float + day.cash.due - day.refund - 35_000;
    await (await s.byTestId("shift-button")).click();
    await (await s.byTestId("shift-close")).click();
    await s.byTestId("close-shift-dialog");
    await waitFor(async () => rupiah(await text("close-expected")) === expected, 10_000, `expected cash is not ${expected}`);
    // Four Rp 100.000 notes and four Rp 10.000: Rp 440.000, short of Rp 465.000.
    await (await s.byTestId("count-100000")).type("4");
    await (await s.byTestId("count-10000")).type("4");
    await waitFor(async () => rupiah(await text("close-counted")) === 440_000, 5000, "the count does not add up");
    // Shown before confirming, in words: "Kurang Rp 25.000" (short).
    const variance = await text("close-variance");
    assert.match(variance, /Kurang|Short/);
    assert.equal(rupiah(variance), expected - 440_000);
    await shot("close-shift");
    await (await s.byTestId("close-confirm")).click();
    const z = await s.byTestId("report-dialog", "", { timeout: 10_000 });
    assert.match(await z.text(), /Z #\d+/);
    day.z = /Z #(\d+)/.exec(await z.text())[1];
    day.variance = 440_000 - expected;
    assert.equal(rupiah(await text("report-expected")), expected);
    assert.equal(rupiah(await text("report-counted")), 440_000);
    assert.equal(rupiah(await text("report-variance")), 440_000 - expected);
    assert.equal(rupiah(await text("report-sales")), day.cash.due + day.qris.due);
    assert.equal(Number(await text("report-orders")), 2);
    assert.equal(-rupiah(await text("report-refunds")), day.refund);
    const methods = await text("report-methods");
    assert.match(methods, /QRIS\s*Rp\s*[\d.]+/);
    assert.equal(rupiah(/QRIS\s*(Rp\s*[\d.]+)/.exec(methods)[1]), day.qris.due);
    await shot("z-report");
    await (await s.byTestId("report-tab-58")).click();
    const paper = await text("report-text");
    assert.match(paper, /LAPORAN Z|Z REPORT/);
    await shot("z-report-58mm");
    await (await s.byTestId("report-close")).click();
    await waitFor(async () => /Belum|No shift/.test(await text("shift-button")), 5000, "the shift still shows as open");
    await (await s.byTestId("lock-button")).click();
  });

  it("shows the day's sales, the refund and a chart in the manager's report", async () => {
    await signIn("Budi", "2222");
    // No shift is open: he is asked for a float, and can say later (he is not selling).
    await (await s.byTestId("shift-open-later", "", { timeout: 10_000 })).click();
    await s.gone('[data-testid="open-shift-dialog"]');
    await (await s.byTestId("admin-button")).click();
    await (await s.byTestId("admin-nav-reports")).click();
    await s.byTestId("admin-reports");
    await waitFor(async () => /Rp/.test(await text("rep-sales")), 10_000, "no report");
    // The day's only refund is this test's; its sales include this test's two.
    assert.equal(rupiah(await text("rep-refunds")), day.refund);
    assert.ok(rupiah(await text("rep-sales")) >= day.cash.due + day.qris.due);
    assert.ok(Number(await text("rep-orders")) >= 2);
    const bars = await s.all('[data-testid="chart-days"] [data-testid="bar"]');
    assert.equal(bars.length, 1, "today is one bar");
    assert.match(await text("chart-methods"), /QRIS/);
    assert.match(await text("rep-products"), /Air Mineral 600ml/);
    await shot("reports");
  });

  it("lists the closed shift with its variance among the past shifts, and shows its Z again", async () => {
    await (await s.byTestId("admin-nav-shifts")).click();
    const row = await s.byTestId("shift-row", `[data-z="${day.z}"]`, { timeout: 10_000 });
    assert.equal(rupiah(await (await row.find('[data-testid="shift-variance"]')).text()), day.variance);
    await shot("shifts");
    await (await row.find('[data-testid="shift-view"]')).click();
    const z = await s.byTestId("report-dialog", "", { timeout: 10_000 });
    assert.match(await z.text(), new RegExp(`Z #${day.z}`));
    assert.equal(rupiah(await text("report-variance")), day.variance);
    await (await s.byTestId("report-close")).click();
  });
});
