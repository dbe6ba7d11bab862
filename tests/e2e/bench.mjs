// App-level speed, measured on demand in the real app (not a test):
//   bash scripts/bench-app.sh
// 1. process start → login screen interactive, and sign-in → first menu page, with 100,000
//    products; 2. search command round trip from the UI (invoke → result), p50/p99;
// 3. resident memory (app + WebKit processes) after a 200-sale session.

import { execSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
    let rollup;
    try {
      rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    const kib = (key) => Number((rollup.match(new RegExp(`^${key}:\\s+(\\d+)`, "m")) ?? [0, 0])[1]);
    rows.push({ comm, rss: kib("Rss") / 1024, pss: kib("Pss") / 1024 });
  }
  const total = (k) => rows.reduce((a, r) => a + r[k], 0);
  const detail = rows.map((r) => `${r.comm} RSS ${r.rss.toFixed(0)} / PSS ${r.pss.toFixed(0)}`).join(", ");
  return { rss: total("rss"), pss: total("pss"), detail };
}

const HZ = Number(execSync("getconf CLK_TCK", { encoding: "utf8" }));

/** When process `pid` started, in Unix milliseconds: its age from /proc (10 ms resolution)
 *  taken from the clock now. */
function processStartEpochMs(pid) {
  const ticks = Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")[19]);
  const uptime = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
  return Date.now() - (uptime - ticks / HZ) * 1000;
}

/** Waits until no WebKit helper of an app we stopped is left (they exit when the app does). */
async function noWebKitLeft() {
  const left = () => /WebKitWebProces|WebKitNetworkPr/.test(execSync("ps -eo comm", { encoding: "utf8" }));
  await waitFor(async () => !left(), 10_000, "WebKit processes stayed behind", 50);
}

/** Starts the app on its own (no WebDriver: automation adds ~0.5 s to WebKit's start), waits
 *  for the login screen's milestone in its log, and returns the log's start-up milestones in
 *  ms after the process started. */
async function startAlone(round) {
  const home = mkdtempSync(join(tmpdir(), "kasir-start-"));
  const data = join(home, "data");
  cpSync(process.env.KASIR_BENCH_CATALOG, data, { recursive: true });
  const child = spawn(app, [], {
    env: { ...process.env, KASIR_DATA_DIR: data, XDG_DATA_HOME: home },
    stdio: "ignore",
  });
  const began = processStartEpochMs(child.pid);
  const logs = join(home, "id.kasir.pos", "logs");
  let lines = [];
  await waitFor(async () => {
    if (!existsSync(logs)) return false;
    lines = readdirSync(logs).flatMap((f) => readFileSync(join(logs, f), "utf8").split("\n"));
    return lines.some((l) => l.includes("mark=kasir:login-ready"));
  }, 30_000, `round ${round}: the login screen never reported`, 20);
  child.kill();
  await new Promise((r) => child.once("exit", r));
  await noWebKitLeft();
  rmSync(home, { recursive: true, force: true });
  // Every milestone is logged with its Unix time (the UI's from performance.timeOrigin).
  const at = (re) => Number(lines.find((x) => re.test(x))?.match(/at_unix_ms=(\d+)/)?.[1] ?? NaN) - began;
  return {
    window: at(/creating the window/),
    script: at(/mark=kasir:script/),
    uiUp: at(/the UI is up/),
    login: at(/mark=kasir:login-ready/),
  };
}

const rounds = [];
for (let i = 0; i < 7; i++) rounds.push(await startAlone(i));
const med = (k) => pct(rounds.map((r) => r[k]), 0.5);
console.log(`start-up with 100,000 products, app started alone, median of ${rounds.length} (ms after exec; /proc has 10 ms resolution):`);
console.log(`  database open, window being created   ${med("window").toFixed(0)}`);
console.log(`  UI scripts evaluated                   ${med("script").toFixed(0)}`);
console.log(`  UI's first command reaches Rust        ${med("uiUp").toFixed(0)}`);
console.log(`  login screen painted with staff tiles  ${med("login").toFixed(0)}   (max ${Math.max(...rounds.map((r) => r.login)).toFixed(0)})`);
const toLogin = med("login");

const s = await Session.start(driver, app);
await waitFor(async () => (await s.all('[data-testid="staff-tile"]')).length > 0, 30_000, "no login screen", 10);

// Sign in; the page times PIN OK -> the first menu page painted (its own milestone).
await (await s.byTestId("staff-tile")).click();
for (const d of "111") await (await s.byTestId(`pin-key-${d}`)).click();
await s.script(`
  window.__okAt = null;
  document.addEventListener("click", (e) => {
    if (e.target.closest('[data-testid="pin-ok"]')) window.__okAt = performance.now();
  }, true);`);
await (await s.byTestId("pin-key-1")).click();
await (await s.byTestId("pin-ok")).click();
let menuAt = null;
await waitFor(async () => (menuAt = await s.script(`return performance.getEntriesByName("kasir:menu-ready")[0]?.startTime ?? null`)) !== null,
  30_000, "the menu never showed", 20);
const okAt = await s.script("return window.__okAt");
const signInToMenu = menuAt - okAt;
console.log(`PIN OK -> first menu page painted: ${signInToMenu.toFixed(0)} ms (argon2 PIN check, the till's data, 48 tiles with pictures)`);
console.log(`process start -> interactive menu (without the person typing the PIN): ${(toLogin + signInToMenu).toFixed(0)} ms (bar: <= 1000 ms)`);

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
  if ((i + 1) % 100 === 0 && i + 1 < sales) {
    const m = memory();
    console.log(`  after ${i + 1} sales: total RSS ${m.rss.toFixed(0)} MiB, PSS ${m.pss.toFixed(0)} MiB (${m.detail})`);
  }
}
const afterSales = memory();
console.log(`memory after start: total RSS ${before.rss.toFixed(0)} MiB, PSS ${before.pss.toFixed(0)} MiB (${before.detail})`);
console.log(`memory after ${sales} sales: total RSS ${afterSales.rss.toFixed(0)} MiB, PSS ${afterSales.pss.toFixed(0)} MiB (${afterSales.detail}) (bar: <= 200 MB)`);
await s.quit();
