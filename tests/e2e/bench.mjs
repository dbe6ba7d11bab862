// App-level speed, measured on demand in the real app (not a test):
//   bash scripts/bench-app.sh
// 1. process start → login screen interactive, and sign-in → first menu page, with 100,000
//    products; 2. search command round trip from the UI (invoke → result), p50/p99;
// 3. resident memory (app + WebKit processes) after a 200-sale session.

import { execSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Session, waitFor } from "./webdriver.mjs";

const app = process.env.KASIR_APP;
const driver = process.env.WEBDRIVER_URL;
const sales = Number(process.env.KASIR_BENCH_SALES ?? 200);

function pct(samples, p) {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.round((s.length - 1) * p)];
}

/** Memory of the app and the WebKit web/network processes it spawned, per process:
 *  RSS (counts shared libraries in every process) and PSS (shares them out), in MiB. */
function memory() {
  const out = execSync("ps -eo pid,comm", { encoding: "utf8" });
  const rows = [];
  for (const line of out.split("\n").slice(1)) {
    const [pid, ...name] = line.trim().split(/\s+/);
    const comm = name.join(" ");
    if (!/^kasir$|WebKitWebProces|WebKitNetworkPr/.test(comm)) continue;
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    const kib = (key) => Number((rollup.match(new RegExp(`^${key}:\\s+(\\d+)`, "m")) ?? [0, 0])[1]);
    rows.push({ comm, rss: kib("Rss") / 1024, pss: kib("Pss") / 1024 });
  }
  const total = (k) => rows.reduce((a, r) => a + r[k], 0);
  const detail = rows.map((r) => `${r.comm} RSS ${r.rss.toFixed(0)} / PSS ${r.pss.toFixed(0)}`).join(", ");
  return { rss: total("rss"), pss: total("pss"), detail };
}

/** Milliseconds since the kasir process started, from /proc (10 ms resolution). */
function sinceProcessStart() {
  const pid = execSync("pgrep -n -x kasir", { encoding: "utf8" }).trim();
  const ticks = Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")[19]);
  const hz = Number(execSync("getconf CLK_TCK", { encoding: "utf8" }));
  const uptime = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
  return (uptime - ticks / hz) * 1000;
}

const s = await Session.start(driver, app);
// Wait for the login screen (polled every 10 ms through the driver), then read the clock.
await waitFor(async () => (await s.all('[data-testid="staff-tile"]')).length > 0, 30_000, "no login screen", 10);
const toLogin = sinceProcessStart();
// Sign in; the page itself times PIN OK -> first product tile (no driver latency in it).
await (await s.byTestId("staff-tile")).click();
for (const d of "111") await (await s.byTestId(`pin-key-${d}`)).click();
await s.script(`
  window.__okAt = null; window.__menuAt = null;
  document.addEventListener("click", (e) => {
    if (e.target.closest('[data-testid="pin-ok"]')) window.__okAt = performance.now();
  }, true);
  new MutationObserver((_, obs) => {
    if (window.__okAt !== null && document.querySelector('[data-testid="product-tile"]')) {
      window.__menuAt = performance.now();
      obs.disconnect();
    }
  }).observe(document.body, { childList: true, subtree: true });`);
await (await s.byTestId("pin-key-1")).click();
await (await s.byTestId("pin-ok")).click();
let signInToMenu = null;
await waitFor(async () => {
  const [ok, menu] = await s.script("return [window.__okAt, window.__menuAt]");
  if (ok !== null && menu !== null) signInToMenu = menu - ok;
  return signInToMenu !== null;
}, 30_000, "the menu never showed", 20);
console.log(`process start -> login screen interactive: ${toLogin.toFixed(0)} ms (from /proc, 10 ms resolution)`);
console.log(`PIN OK -> first menu page shown, 100,000 products: ${signInToMenu.toFixed(0)} ms (includes the argon2 PIN check)`);
console.log(`process start -> interactive menu (the two above, without the person typing the PIN): ${(toLogin + signInToMenu).toFixed(0)} ms (bar: <= 1000 ms)`);

const rt = await s.cmd("POST", "/execute/async", {
  script: `const done = arguments[arguments.length - 1];
    (async () => {
      const invoke = window.__TAURI_INTERNALS__.invoke;
      const words = ["k", "ko", "kop", "kopi", "kopi s", "kopi su", "kopi susu", "nasi g", "ayam bak", "es teh", "premium", "sate padang jumbo"];
      for (const w of words) await invoke("search_products", { text: w, limit: 40 });
      const samples = [];
      for (let i = 0; i < 20; i++) for (const w of words) {
        const t = performance.now();
        await invoke("search_products", { text: w, limit: 40 });
        samples.push(performance.now() - t);
      }
      done(samples);
    })();`,
  args: [],
});
console.log(`search round trip from the UI (${rt.length} calls, limit 40): p50 ${pct(rt, 0.5).toFixed(2)} ms, p99 ${pct(rt, 0.99).toFixed(2)} ms (bar: p99 <= 5 ms)`);

// A 200-sale session through the UI: search, Enter adds the first hit, F4 pays, exact cash.
const before = memory();
for (let i = 0; i < sales; i++) {
  const search = await s.byTestId("search");
  await search.click();
  await search.type(i % 2 ? "premium" : "kopi");
  await s.byTestId("product-tile");
  await search.type("\uE007"); // Enter adds the first available hit
  await s.byTestId("ticket-line");
  await (await s.byTestId("pay-button")).click();
  await (await s.byTestId("quick-exact")).click();
  await (await s.byTestId("confirm-payment")).click();
  await (await s.byTestId("new-sale", "", { timeout: 15_000 })).click();
  await waitFor(async () => (await s.all('[data-testid="receipt"]')).length === 0, 5000, "receipt stayed open");
  await search.type("\uE00C");
}
const afterSales = memory();
console.log(`memory after start: total RSS ${before.rss.toFixed(0)} MiB, PSS ${before.pss.toFixed(0)} MiB (${before.detail})`);
console.log(`memory after ${sales} sales: total RSS ${afterSales.rss.toFixed(0)} MiB, PSS ${afterSales.pss.toFixed(0)} MiB (${afterSales.detail}) (bar: <= 200 MB)`);
await s.quit();
