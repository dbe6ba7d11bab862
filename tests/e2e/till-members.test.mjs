// End to end: a regular at the till, in the real app (runs after till-admin.test.mjs and
// before till-money.test.mjs on the same till, and leaves a shift open for it). The cashier
// adds a new member from the ticket in a few seconds, sells to her (the receipt shows her
// points), tops up her wallet in cash, and pays her next sale partly from her points and
// partly from her wallet; her points and wallet on the ticket say what is left. Then a coupon:
// refused below its minimum with the reason, taken once the ticket reaches it, printed on the
// receipt, and listed with its use in the manager's Admin → Coupons. Last, a regular buys a
// voucher with her points and it takes Rp 15.000 off her ticket, and another regular's order is
// delivered to the address she has on file.

import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";
import { screenshot, rupiah, enterPin, signIn } from "./till.mjs";

const app = process.env.KASIR_APP;
const driver = process.env.WEBDRIVER_URL ?? "http://127.0.0.1:4444";
const shots = process.env.KASIR_SCREENSHOTS ?? join(import.meta.dirname, "../../target/e2e-screenshots");
mkdirSync(shots, { recursive: true });
const steps = join(import.meta.dirname, "../../target/e2e-steps");
mkdirSync(steps, { recursive: true });

let s;

const shot = (name, dir = shots) => screenshot(s, join(dir, `${name}.png`));

async function text(testid) {
  return (await s.byTestId(testid)).text();
}

/** The member's points as the ticket shows them ("120 poin" → 120). */
async function pointsOnTicket() {
  return Number(/\d+/.exec(await text("ticket-member-points"))[0]);
}

async function addProduct(search, product) {
  const box = await s.byTestId("search");
  await box.click();
  await box.clear();
  await box.type(search);
  await (await s.byTestId("product-tile", `[data-name="${product}"]`)).click();
  await s.byTestId("ticket-line", `[data-name="${product}"]`);
}

/** Pays what the dialog holds, waits for the receipt, returns its text and starts a new sale. */
async function confirmAndReceipt() {
  await (await s.byTestId("confirm-payment")).click();
  const receipt = await s.byTestId("receipt", "", { timeout: 15_000 });
  await waitFor(async () => /\S/.test(await receipt.text()), 10_000, "the receipt stayed empty");
  const paper = await receipt.text();
  await waitFor(
    async () => await s.script('return !document.querySelector(\'[data-testid="new-sale"]\').disabled'),
    5000,
    "New sale never became available",
  );
  await (await s.byTestId("new-sale")).click();
  await s.gone('[data-testid="receipt"]');
  return paper;
}

describe("a regular at the till, in the real app", () => {
  const day = {};

  before(async () => {
    assert.ok(app, "KASIR_APP must point at the built app");
    s = await Session.start(driver, app);
  });

  after(async () => {
    await s?.quit();
  });

  let step = 0;
  afterEach(async () => {
    await shot(`members-step-${++step}`, steps).catch(() => {});
  });

  it("signs the cashier in (with a float if no shift is open)", async () => {
    await signIn(s, "Sari", "3333");
    const asked = await s.all('[data-testid="open-shift-dialog"]');
    if (asked.length > 0) {
      await (await s.byTestId("shift-float")).type("500000");
      await (await s.byTestId("shift-open-confirm")).click();
      await s.gone('[data-testid="open-shift-dialog"]');
    }
  });

  it("adds a new member from the ticket and sells to her: the receipt shows her points", async () => {
    await addProduct("croiss", "Croissant");
    await (await s.byTestId("ticket-member-add")).click();
    await s.byTestId("member-dialog");
    await (await s.byTestId("member-search")).type("Sekar Ayu");
    await s.byTestId("member-none", "", { timeout: 10_000 });
    await (await s.byTestId("member-new")).click();
    assert.equal(await (await s.byTestId("member-name")).prop("value"), "Sekar Ayu");
    await (await s.byTestId("member-phone")).type("0811 5555 6666");
    await (await s.byTestId("member-save")).click();
    await s.gone('[data-testid="member-dialog"]');
    const chip = await s.byTestId("ticket-member-chip", "", { timeout: 10_000 });
    assert.match(await chip.text(), /Sekar Ayu/);
    assert.equal(await pointsOnTicket(), 0);
    await (await s.byTestId("pay-button")).click();
    await s.byTestId("pay-dialog");
    day.first = rupiah(await text("pay-due"));
    await (await s.byTestId("quick-exact")).click();
    const paper = await confirmAndReceipt();
    day.earned = Math.floor(day.first / 10_000);
    assert.match(paper, /Member: MEM-T01-\d{6}/);
    assert.match(paper, new RegExp(`Poin \\+${day.earned}`));
  });

  it("finds her by phone on the next ticket, tops up her wallet and pays from points and the wallet", async () => {
    await addProduct("croiss", "Croissant");
    await addProduct("air mineral", "Air Mineral 600ml");
    await (await s.byTestId("ticket-member-add")).click();
    await (await s.byTestId("member-search")).type("0811 5555");
    await (await s.byTestId("member-result", "", { timeout: 10_000 })).click();
    await s.gone('[data-testid="member-dialog"]');
    await waitFor(async () => (await pointsOnTicket()) === day.earned, 10_000, "her points are not on the ticket");

    await (await s.byTestId("ticket-member-top-up")).click();
    await s.byTestId("top-up-dialog");
    await (await s.byTestId("top-up-quick-50000")).click();
    await (await s.byTestId("top-up-save")).click();
    await s.gone('[data-testid="top-up-dialog"]');
    await waitFor(async () => rupiah(await text("ticket-member-wallet")) === 50_000, 10_000, "the wallet does not show the top-up");
    await shot("member-ticket");

    await (await s.byTestId("pay-button")).click();
    await s.byTestId("pay-dialog");
    const due = rupiah(await text("pay-due"));
    // Her points first (each Rp 100), then the wallet for the rest.
    await (await s.byTestId("method-points")).click();
    await waitFor(async () => Number(await (await s.byTestId("tendered")).prop("value")) === day.earned * 100, 10_000, "points not prefilled");
    await (await s.byTestId("add-tender")).click();
    await (await s.byTestId("method-wallet")).click();
    await shot("member-pay");
    const paper = await confirmAndReceipt();
    assert.match(paper, /Poin/);
    assert.match(paper, /Saldo member/);
    assert.ok(due - day.earned * 100 <= 50_000, "the wallet covered the rest");

    // The next ticket for her shows what is left: the points she just earned on the part she
    // paid with money, and the wallet less what this sale took.
    await addProduct("croiss", "Croissant");
    await (await s.byTestId("ticket-member-add")).click();
    await (await s.byTestId("member-search")).type("sekar");
    await (await s.byTestId("member-result", "", { timeout: 10_000 })).click();
    const paidWithMoney = due - day.earned * 100;
    await waitFor(
      async () => rupiah(await text("ticket-member-wallet")) === 50_000 - paidWithMoney,
      10_000,
      "the wallet does not show what is left",
    );
    assert.equal(await pointsOnTicket(), Math.floor(paidWithMoney / 10_000));
    await (await s.byTestId("ticket-member-remove")).click();
    await s.gone('[data-testid="ticket-member-chip"]');
    await (await s.byTestId("lock-button")).click();
  });

  it("takes a coupon typed at the till: refused below its minimum, then priced in and printed", async () => {
    await signIn(s, "Sari", "3333", { timeout: 30_000 });
    await addProduct("croiss", "Croissant");
    await (await s.byTestId("coupon-button")).click();
    await s.byTestId("coupon-dialog");
    await (await s.byTestId("coupon-code")).type("hemat20");
    await (await s.byTestId("coupon-apply")).click();
    const refusal = await s.byTestId("coupon-error", "", { timeout: 10_000 });
    assert.match(await refusal.text(), /Rp 50\.000/);
    await s.typeFast("\uE00C");
    await s.gone('[data-testid="coupon-dialog"]');
    // Three croissants pass the minimum: 20% off, at most Rp 15.000. (The ticket she left
    // before locking may hold one already.)
    for (let q = Number(await text("line-qty")); q < 3; q++) {
      await (await s.byTestId("line-plus")).click();
      await waitFor(async () => Number(await text("line-qty")) === q + 1, 10_000, "quantity did not go up");
    }
    const before = rupiah(await text("ticket-total"));
    await (await s.byTestId("coupon-button")).click();
    await (await s.byTestId("coupon-code")).type("hemat20");
    await (await s.byTestId("coupon-apply")).click();
    await s.gone('[data-testid="coupon-dialog"]');
    await s.byTestId("ticket-coupon-chip", "", { timeout: 10_000 });
    const off = -rupiah(await text("ticket-coupon"));
    assert.ok(off > 0 && off <= 15_000, `the coupon took ${off}`);
    await waitFor(async () => rupiah(await text("ticket-total")) < before, 10_000, "the total did not go down");
    await shot("coupon-ticket");
    await (await s.byTestId("pay-button")).click();
    await s.byTestId("pay-dialog");
    await (await s.byTestId("quick-exact")).click();
    const paper = await confirmAndReceipt();
    assert.match(paper, /Kupon HEMAT20/);
    day.couponReceipt = /No: (T01-\d{6})/.exec(paper)[1];
    await (await s.byTestId("lock-button")).click();
  });

  it("lets a regular buy a voucher with her points and use it on her ticket", async () => {
    await signIn(s, "Sari", "3333", { timeout: 30_000 });
    await addProduct("croiss", "Croissant");
    await (await s.byTestId("ticket-member-add")).click();
    await (await s.byTestId("member-search")).type("dewi");
    await (await s.byTestId("member-result", "", { timeout: 10_000 })).click();
    await s.gone('[data-testid="member-dialog"]');
    const before = await pointsOnTicket();
    await (await s.byTestId("ticket-member-vouchers")).click();
    await s.byTestId("voucher-dialog");
    const offer = await s.byTestId("voucher-offer", '[data-name="Potongan Rp 15.000"]', { timeout: 10_000 });
    await shot("voucher-dialog");
    await (await offer.find('[data-testid="voucher-buy"]')).click();
    await s.gone('[data-testid="voucher-dialog"]');
    await s.byTestId("ticket-voucher-chip", "", { timeout: 10_000 });
    assert.equal(-rupiah(await text("ticket-voucher")), 15_000);
    await waitFor(async () => (await pointsOnTicket()) === before - 150, 10_000, "the points did not go down");
    await (await s.byTestId("pay-button")).click();
    await s.byTestId("pay-dialog");
    await (await s.byTestId("quick-exact")).click();
    const paper = await confirmAndReceipt();
    assert.match(paper, /Voucher V-T01-\d{6}\s+-15\.000/);
    await (await s.byTestId("lock-button")).click();
  });

  it("delivers to a regular: her address on the ticket, then out for delivery and delivered", async () => {
    await signIn(s, "Sari", "3333", { timeout: 30_000 });
    await addProduct("croiss", "Croissant");
    await (await s.byTestId("order-type-delivery")).click();
    const field = await s.byTestId("ticket-address", "", { timeout: 10_000 });
    await (await s.byTestId("ticket-member-add")).click();
    await (await s.byTestId("member-search")).type("budi");
    await (await s.byTestId("member-result", "", { timeout: 10_000 })).click();
    await s.gone('[data-testid="member-dialog"]');
    await waitFor(async () => /Jl\. Riau/.test(await field.prop("value")), 10_000, "her address did not come");
    await shot("delivery-ticket");
    await (await s.byTestId("pay-button")).click();
    await s.byTestId("pay-dialog");
    await (await s.byTestId("quick-exact")).click();
    const paper = await confirmAndReceipt();
    assert.match(paper, /Antar ke: Jl\. Riau No\. 5/);
    const receipt = /No: (T01-\d{6})/.exec(paper)[1];
    await (await s.byTestId("orders-button")).click();
    await s.byTestId("orders-board");
    const card = () => s.find(`[data-testid="order-card"][data-receipt="${receipt}"]`);
    assert.match(await (await (await card()).find('[data-testid="order-address"]')).text(), /Jl\. Riau/);
    await (await (await card()).find('[data-testid="advance-order"]')).click();
    await s.find(`[data-testid="orders-col-preparing"] [data-testid="order-card"][data-receipt="${receipt}"]`);
    await (await (await card()).find('[data-testid="advance-order"]')).click();
    await s.find(`[data-testid="orders-col-ready"] [data-testid="order-card"][data-receipt="${receipt}"]`);
    await (await (await card()).find('[data-testid="send-out-order"]')).click();
    await s.find(`[data-testid="order-card"][data-receipt="${receipt}"] [data-testid="order-out"]`);
    await shot("delivery-board");
    await (await (await card()).find('[data-testid="advance-order"]')).click();
    await s.find(`[data-testid="orders-col-completed"] [data-testid="order-card"][data-receipt="${receipt}"]`);
    await (await s.byTestId("orders-button")).click();
    await (await s.byTestId("lock-button")).click();
  });

  it("shows her in the manager's members table, with her points and wallet history", async () => {
    await enterPin(s, "Budi", "2222", { timeout: 30_000 });
    // He may be asked for a float (he is not selling): later.
    await s.byTestId("search", "", { timeout: 15_000 });
    const asked = await s.all('[data-testid="shift-open-later"]');
    if (asked.length > 0) await asked[0].click();
    await (await s.byTestId("admin-button")).click();
    await (await s.byTestId("admin-nav-members")).click();
    await (await s.byTestId("members-search")).type("sekar");
    await waitFor(async () => (await s.all('[data-testid="member-row"]')).length === 1, 10_000, "the members table did not find her");
    await shot("members-admin");
    // Her name in the row opens her page.
    await (await (await s.byTestId("member-row")).find("button")).click();
    await s.byTestId("member-page", "", { timeout: 10_000 });
    await waitFor(async () => /\+\d+/.test(await text("points-history")), 10_000, "no points history");
    assert.match(await text("wallet-history"), /Rp 50\.000/);
    assert.match(await text("member-orders"), /T01-\d{6}/);
    await shot("member-page");
    await s.typeFast("\uE00C");
    await s.gone('[data-testid="member-page"]');
    // The coupon's use, in Admin → Coupons.
    await (await s.byTestId("admin-nav-coupons")).click();
    const row = await s.byTestId("coupon-row", '[data-code="HEMAT20"]', { timeout: 10_000 });
    assert.equal(await (await row.find('[data-testid="coupon-used"]')).text(), "1");
    await (await row.find('[data-testid="coupon-open"]')).click();
    await waitFor(async () => (await text("coupon-uses")).includes(day.couponReceipt), 10_000, "the use is not listed");
    await shot("coupons-admin");
    await (await s.byTestId("admin-button")).click();
    await (await s.byTestId("lock-button")).click();
  });
});
