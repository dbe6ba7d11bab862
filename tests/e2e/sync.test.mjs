// End to end: sync in the real app against a real kasir-server on a real PostgreSQL, both
// started by scripts/e2e.sh (KASIR_SERVER_BIN, KASIR_E2E_DATABASE_URL). It runs after
// cashier.test.mjs on the same till (a café that has sold before it enrols): a manager enrols
// the till, what it sold goes up, the server goes away, the cashier keeps selling, the top
// bar says how many sales wait, the server comes back and the count falls to zero, and
// exactly the sales made offline are added on the server. Then a second till of the store
// (the test, speaking the protocol over HTTP) changes the croissant's price, and the app's
// menu shows it after "Send now" without anyone reloading; that till tops up a regular's
// wallet and this app shows it, and with the server gone this app spends her wallet only up to
// the offline limit.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { execFileSync, spawn } from "node:child_process";
import { join } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";
import { screenshot, rupiah, signIn } from "./till.mjs";

const app = process.env.KASIR_APP;
const driver = process.env.WEBDRIVER_URL ?? "http://127.0.0.1:4444";
const serverBin = process.env.KASIR_SERVER_BIN;
const databaseUrl = process.env.KASIR_E2E_DATABASE_URL;
const shots = process.env.KASIR_SCREENSHOTS ?? join(import.meta.dirname, "../../target/e2e-screenshots");
mkdirSync(shots, { recursive: true });
const port = 18000 + Math.floor(Math.random() * 2000);
const serverUrl = `http://127.0.0.1:${port}`;

let s;
let server = null;

function cli(...args) {
  return execFileSync(serverBin, args, { env: { ...process.env, DATABASE_URL: databaseUrl } }).toString().trim();
}

async function startServer() {
  server = spawn(serverBin, ["serve", "--listen", `127.0.0.1:${port}`], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: "ignore",
  });
  await waitFor(
    async () => {
      try {
        return (await fetch(`${serverUrl}/health`)).ok;
      } catch {
        return false;
      }
    },
    30_000,
    "the server did not start",
  );
}

async function stopServer() {
  const exited = new Promise((r) => server.once("exit", r));
  server.kill("SIGKILL");
  await exited;
  server = null;
}

const shot = (name, dir = shots) => screenshot(s, join(dir, `${name}.png`));

async function pillText() {
  return s.script('const p = document.querySelector(\'[data-testid="sync-pill"]\'); return p ? p.textContent.trim() : ""');
}

async function sellCroissant() {
  const search = await s.byTestId("search");
  await search.click();
  await search.type("croiss");
  await (await s.byTestId("product-tile", '[data-name="Croissant"]')).click();
  await s.byTestId("ticket-line", '[data-name="Croissant"]');
  await (await s.byTestId("pay-button")).click();
  await s.byTestId("pay-dialog");
  await (await s.byTestId("method-cash")).click();
  await (await s.byTestId("quick-100000")).click();
  await (await s.byTestId("confirm-payment")).click();
  await s.byTestId("receipt", "", { timeout: 15_000 });
  await waitFor(
    async () => await s.script('return !document.querySelector(\'[data-testid="new-sale"]\').disabled'),
    5000,
    "New sale never became available",
  );
  await (await s.byTestId("new-sale")).click();
  await s.gone('[data-testid="receipt"]');
}

/** Orders the server holds, by the operator's API. */
async function serverOrders(operator) {
  const r = await fetch(`${serverUrl}/v1/ops/sales`, { headers: { authorization: `Bearer ${operator}` } });
  assert.equal(r.status, 200);
  return (await r.json()).reduce((n, d) => n + d.orders, 0);
}

async function sendNow() {
  await (await s.byTestId("sync-pill")).click();
  await (await s.byTestId("sync-now")).click();
  await (await s.find('[data-testid="sync-dialog"] button.close')).click();
  await s.gone('[data-testid="sync-dialog"]');
}

describe("sync with the server, in the real app", () => {
  let code;
  let operator;
  let before_offline;
  /** The store's second till, speaking the protocol over HTTP. */
  let other;

  before(async () => {
    assert.ok(app && serverBin && databaseUrl, "KASIR_APP, KASIR_SERVER_BIN and KASIR_E2E_DATABASE_URL must be set");
    cli("store", "create", "Kopi Kasir Braga");
    code = cli("enrol", "--store", "Kopi Kasir Braga");
    operator = cli("operator-token");
    await startServer();
    s = await Session.start(driver, app);
  });

  after(async () => {
    await s?.quit();
    if (server) await stopServer();
  });

  it("a manager enrols the till with the server's code", async () => {
    await signIn(s, "Budi", "2222");
    await waitFor(async () => /Sync: not set up|Sinkron: belum diatur/.test(await pillText()), 15_000, "no sync pill");
    await (await s.byTestId("sync-pill")).click();
    const url = await s.byTestId("sync-url");
    await url.clear();
    await url.type(serverUrl);
    await (await s.byTestId("sync-allow-http")).click();
    await (await s.byTestId("sync-code")).type(code);
    await (await s.byTestId("sync-enrol")).click();
    await s.byTestId("sync-server", "", { timeout: 20_000 });
    // The demo café's menu goes up first.
    await waitFor(async () => (await (await s.byTestId("sync-waiting")).text()) === "0", 60_000, "the outbox did not drain");
    await shot("sync-dialog");
    await (await s.find('[data-testid="sync-dialog"] button.close')).click();
    await s.gone('[data-testid="sync-dialog"]');
    // What the till sold before it was enrolled is on the server too.
    before_offline = await serverOrders(operator);
    assert.ok(before_offline >= 1, `the earlier sale is not on the server (${before_offline})`);
  });

  it("keeps selling with the server gone and says how many sales wait", async () => {
    await stopServer();
    await sellCroissant();
    await sellCroissant();
    await waitFor(async () => /(Offline|Luring) · [2-9]/.test(await pillText()), 30_000, "the top bar never said the sales wait");
    await shot("sync-offline");
    // The manager's dialog says how many wait, since when, and why nothing is sent.
    await (await s.byTestId("sync-pill")).click();
    assert.ok(Number(await (await s.byTestId("sync-waiting")).text()) >= 2);
    const oldest = await (await s.byTestId("sync-oldest")).text();
    assert.match(oldest, /\d{1,2}[.:]\d{2}.*\(/, `the oldest waiting entry's time and age: ${oldest}`);
    assert.match(await (await s.byTestId("sync-state")).text(), /Offline|Luring/);
    assert.ok((await (await s.byTestId("sync-last-error")).text()).length > 5, "no reason shown");
    await (await s.find('[data-testid="sync-dialog"] button.close')).click();
    await s.gone('[data-testid="sync-dialog"]');
  });

  it("sends everything when the server is back, and the sales are on it", async () => {
    await startServer();
    await waitFor(async () => /^(Synced|Tersinkron)$/.test(await pillText()), 90_000, "the waiting sales were not sent");
    const orders = await serverOrders(operator);
    assert.equal(orders, before_offline + 2, "exactly the two sales made offline were added");
    await shot("sync-online");
  });

  it("shows a price another till of the store changed, without anyone reloading", async () => {
    // A second till of the same store, speaking the real protocol over HTTP.
    const r = await fetch(`${serverUrl}/v1/enrol`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code: cli("enrol", "--store", "Kopi Kasir Braga"), name: "second till" }),
    });
    assert.equal(r.status, 200);
    other = await r.json();
    assert.equal(other.terminal_code, "T02");
    const auth = { authorization: `Bearer ${other.token}` };
    // The croissant as the store has it (this app reported it).
    let croissant = null;
    for (let after = 0; ; ) {
      const page = await (await fetch(`${serverUrl}/v1/pull?after=${after}`, { headers: auth })).json();
      for (const c of page.changes) if (c.kind === "product" && c.data.name === "Croissant") croissant = c.data;
      after = page.cursor;
      if (!page.more) break;
    }
    assert.ok(croissant, "the croissant is not on the server");
    const price = croissant.price + 1500;
    const entry = {
      v: 1,
      id: crypto.randomUUID(),
      terminal: other.terminal_code,
      seq: 1,
      created_at: new Date().toISOString(),
      kind: "product_upserted",
      payload: { ...croissant, price },
    };
    const pushed = await fetch(`${serverUrl}/v1/push`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ head: 1, entries: [entry] }),
    });
    assert.equal(pushed.status, 200);
    const answer = await pushed.json();
    assert.match(JSON.stringify(answer.results[0]), /"applied"/, JSON.stringify(answer));

    // The till takes it on its next pull (every minute, or now when asked) and the menu shows it.
    await sendNow();
    const search = await s.byTestId("search");
    await search.clear();
    await waitFor(
      async () => {
        const text = await s.script(
          'const t = document.querySelector(\'[data-testid="product-tile"][data-name="Croissant"]\'); return t ? t.textContent : ""',
        );
        return text.replace(/[.,\s]/g, "").includes(String(price));
      },
      30_000,
      `the croissant never showed the new price ${price}`,
    );
    // For the picture: the croissant in view, the "asked" note gone.
    await search.type("croiss");
    await s.byTestId("product-tile", '[data-name="Croissant"]');
    await s.gone('[data-testid="info-toast"]', 10_000);
    await shot("sync-price-from-another-till");
  });

  it("shows a regular's wallet topped up at the other till, and offline spends it only up to the limit", async () => {
    const auth = { authorization: `Bearer ${other.token}` };
    // Dewi as the store has her, and her wallet's entries from every till.
    let dewi = null;
    let held = 0;
    const entries = [];
    for (let after = 0; ; ) {
      const page = await (await fetch(`${serverUrl}/v1/pull?after=${after}`, { headers: auth })).json();
      for (const c of page.changes) {
        if (c.kind === "member" && c.data.name.startsWith("Dewi")) dewi = c.data;
        if (c.kind === "wallet_entry") entries.push(c.data);
      }
      after = page.cursor;
      if (!page.more) break;
    }
    assert.ok(dewi, "Dewi is not on the server");
    for (const e of entries) if (e.member_id === dewi.id) held += e.amount;
    // The other till tops her wallet up with Rp 200.000 by card.
    const topUp = {
      v: 1,
      id: crypto.randomUUID(),
      terminal: other.terminal_code,
      seq: 2,
      created_at: new Date().toISOString(),
      kind: "wallet_entry",
      payload: {
        id: crypto.randomUUID(), member_id: dewi.id, kind: "top_up", amount: 200_000, method: "card",
        reference: null, order_id: null, refund_id: null, shift_id: null, reason: "", staff_id: null,
        at: new Date().toISOString(),
      },
    };
    const pushed = await fetch(`${serverUrl}/v1/push`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ head: 2, entries: [topUp] }),
    });
    assert.equal(pushed.status, 200);
    assert.match(JSON.stringify((await pushed.json()).results[0]), /"applied"/);
    await sendNow();

    // Five croissants for her: this till shows her wallet with the other till's top-up.
    const box = await s.byTestId("search");
    await box.click();
    await box.clear();
    await box.type("croiss");
    const tile = await s.byTestId("product-tile", '[data-name="Croissant"]');
    for (let i = 0; i < 5; i++) await tile.click();
    await waitFor(
      async () => /5/.test(await (await s.byTestId("ticket-line", '[data-name="Croissant"]')).text()),
      10_000,
      "five croissants not on the ticket",
    );
    await (await s.byTestId("ticket-member-add")).click();
    await (await s.byTestId("member-search")).type("dewi");
    await (await s.byTestId("member-result", "", { timeout: 10_000 })).click();
    await s.gone('[data-testid="member-dialog"]');
    await waitFor(
      async () => rupiah(await (await s.byTestId("ticket-member-wallet")).text()) === held + 200_000,
      30_000,
      `her wallet never showed ${held + 200_000}`,
    );

    // The server goes away; after a failed attempt the till is offline.
    await stopServer();
    await sendNow();
    await waitFor(async () => /^(Offline|Luring)/.test(await pillText()), 30_000, "the till never said it is offline");
    // The whole bill from her wallet is more than the offline limit (Rp 100.000): refused,
    // with what is left, and nothing is sold.
    await (await s.byTestId("pay-button")).click();
    await s.byTestId("pay-dialog");
    assert.ok(rupiah(await (await s.byTestId("pay-due")).text()) > 100_000, "the bill must pass the limit");
    await (await s.byTestId("method-wallet")).click();
    await (await s.byTestId("confirm-payment")).click();
    const refusal = await s.byTestId("pay-error", "", { timeout: 10_000 });
    await waitFor(async () => /offline/i.test(await refusal.text()), 10_000, "no offline refusal");
    assert.match(await refusal.text(), /Rp\s?100\.000/);
    await shot("member-offline-limit");
    // The cashier takes cash instead.
    await (await s.byTestId("method-cash")).click();
    await (await s.byTestId("quick-exact")).click();
    await (await s.byTestId("confirm-payment")).click();
    await s.byTestId("receipt", "", { timeout: 15_000 });
    await waitFor(
      async () => await s.script('return !document.querySelector(\'[data-testid="new-sale"]\').disabled'),
      5000,
      "New sale never became available",
    );
    await (await s.byTestId("new-sale")).click();
    await s.gone('[data-testid="receipt"]');
    await startServer();
    await waitFor(async () => /^(Synced|Tersinkron)$/.test(await pillText()), 90_000, "the cash sale was not sent");
  });
});
