// The till's speed with 50,000 members and a member on the ticket, measured on demand in the
// real app (not a test):   bash scripts/bench-app-members.sh
// In the page, from its own clock (performance.now): a tap on a product tile to its line
// painted on the ticket (the next animation frame after the line is in the DOM), and
// "confirm payment" to the receipt painted; each for sales with a regular found by phone and
// attached to the ticket. Also the member search round trip from the UI (invoke → result).

import { Session, waitFor } from "./webdriver.mjs";

const app = process.env.KASIR_APP;
const driver = process.env.WEBDRIVER_URL;
const sales = Number(process.env.KASIR_BENCH_SALES ?? 100);

function pct(samples, p) {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.round((s.length - 1) * p)];
}

const s = await Session.start(driver, app);
await waitFor(async () => (await s.all('[data-testid="staff-tile"]')).length > 0, 30_000, "no login screen", 10);
await (await s.byTestId("staff-tile")).click();
for (const d of "1111") await (await s.byTestId(`pin-key-${d}`)).click();
await (await s.byTestId("pin-ok")).click();
await s.byTestId("search", "", { timeout: 30_000 });

// A product without options, and members' phones to type.
const setup = await s.cmd("POST", "/execute/async", {
  script: `const done = arguments[arguments.length - 1];
    (async () => {
      const invoke = window.__TAURI_INTERNALS__.invoke;
      const page = await invoke("list_products", { query: { category: null, sort: "name", offset: 0, limit: 200, include_inactive: false } });
      const product = page.find((p) => !p.has_modifiers && p.available);
      done({ product: product.name });
    })();`,
  args: [],
});

// The member search as the dialog calls it, keystroke by keystroke.
const rt = await s.cmd("POST", "/execute/async", {
  script: `const done = arguments[arguments.length - 1];
    (async () => {
      const invoke = window.__TAURI_INTERNALS__.invoke;
      const typed = ["d", "de", "dew", "dewi", "dewi l", "b", "bu", "bud", "budi s", "081", "0812", "08120", "081200", "0812000"];
      for (const w of typed) await invoke("search_members", { text: w, limit: 8 });
      const samples = [];
      for (let i = 0; i < 20; i++) for (const w of typed) {
        const t = performance.now();
        await invoke("search_members", { text: w, limit: 8 });
        samples.push(performance.now() - t);
      }
      done(samples);
    })();`,
  args: [],
});
console.log(`member search round trip from the UI (${rt.length} calls, limit 8): p50 ${pct(rt, 0.5).toFixed(2)} ms, p99 ${pct(rt, 0.99).toFixed(2)} ms (bar: p99 <= 5 ms)`);

// The page's own timings: a tap on a tile → the new ticket line painted; "confirm payment" →
// the receipt painted.
await s.script(`
  window.__tap = []; window.__pay = [];
  const paint = () => new Promise((r) => requestAnimationFrame(() => r(performance.now())));
  document.addEventListener("click", (e) => {
    const t0 = performance.now();
    if (e.target.closest('[data-testid="product-tile"]')) {
      const lines = () => document.querySelectorAll('[data-testid="ticket-line"]').length;
      const qty = () => [...document.querySelectorAll('[data-testid="ticket-line"] .qty, [data-testid="line-qty"]')].map((x) => x.textContent).join();
      const before = lines() + "|" + qty();
      const obs = new MutationObserver(async () => {
        if (lines() + "|" + qty() !== before) { obs.disconnect(); window.__tap.push((await paint()) - t0); }
      });
      obs.observe(document.body, { subtree: true, childList: true, characterData: true });
    }
    if (e.target.closest('[data-testid="confirm-payment"]')) {
      const obs = new MutationObserver(async () => {
        const r = document.querySelector('[data-testid="receipt"]');
        if (r && r.textContent.trim()) { obs.disconnect(); window.__pay.push((await paint()) - t0); }
      });
      obs.observe(document.body, { subtree: true, childList: true, characterData: true });
    }
  }, true);`);

for (let i = 0; i < sales; i++) {
  // A regular, found by phone (each sale another one).
  await (await s.byTestId("ticket-member-add")).click();
  // The generator gives member n the phone 08 + (1,200,000,000 + 7n + 0..6).
  await (await s.byTestId("member-search")).type("08" + String(1_200_000_000 + (i + 1) * 70).slice(0, 9));
  await (await s.byTestId("member-result", "", { timeout: 10_000 })).click();
  await s.byTestId("ticket-member-chip");
  const search = await s.byTestId("search");
  await search.click();
  await search.clear();
  await search.type(setup.product);
  await (await s.byTestId("product-tile", `[data-name="${setup.product}"]`)).click();
  await s.byTestId("ticket-line");
  await (await s.byTestId("pay-button")).click();
  await (await s.byTestId("quick-exact")).click();
  await (await s.byTestId("confirm-payment")).click();
  // "New sale" takes a deliberate tap after a second (a second Enter never hides the change).
  await s.byTestId("new-sale", "", { timeout: 15_000 });
  await waitFor(async () => await s.script('return !document.querySelector(\'[data-testid="new-sale"]\').disabled'), 5000, "New sale stayed off");
  await (await s.byTestId("new-sale")).click();
  await waitFor(async () => (await s.all('[data-testid="receipt"]')).length === 0, 5000, "receipt stayed open");
}
const tap = await s.script("return window.__tap");
const pay = await s.script("return window.__pay");
console.log(`tap on a tile -> its line painted, a member on the ticket (${tap.length}): p50 ${pct(tap, 0.5).toFixed(1)} ms, p99 ${pct(tap, 0.99).toFixed(1)} ms (bar: p99 <= 50 ms)`);
console.log(`confirm payment -> receipt painted, points earned (${pay.length}): p50 ${pct(pay, 0.5).toFixed(1)} ms, p99 ${pct(pay, 0.99).toFixed(1)} ms (bar: p99 <= 150 ms)`);
await s.quit();
