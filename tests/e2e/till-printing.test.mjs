// End to end: printing in the real app, on fake network printers (kasir-fake-printer, a TCP
// server on 127.0.0.1 that answers status queries like a thermal printer and appends what it
// prints, decoded, to a file). Runs last, on the same till as the others. A manager sets up a
// receipt printer with the drawer, a kitchen and a bar printer, and a test page prints; a sale
// with a kitchen item and a bar item prints the drawer's kick, the receipt and one ticket per
// station, each with only its own lines; with the receipt printer gone the next sale completes
// anyway, the top bar warns and the job waits; the printer comes back and the receipt prints,
// once.

import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { execFileSync, spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";
import { screenshot, signIn } from "./till.mjs";

const app = process.env.KASIR_APP;
const driver = process.env.WEBDRIVER_URL ?? "http://127.0.0.1:4444";
const fakeBin = process.env.KASIR_FAKE_PRINTER_BIN;
const shots = process.env.KASIR_SCREENSHOTS ?? join(import.meta.dirname, "../../target/e2e-screenshots");
mkdirSync(shots, { recursive: true });
const steps = join(import.meta.dirname, "../../target/e2e-steps");
mkdirSync(steps, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "kasir-printers-"));

let s;
const base = 19000 + Math.floor(Math.random() * 900) * 3;
/** The three fake printers: a port, the file it prints into, the running process. */
const printers = {
  receipt: { port: base, out: join(work, "receipt.txt"), proc: null },
  kitchen: { port: base + 1, out: join(work, "kitchen.txt"), proc: null },
  bar: { port: base + 2, out: join(work, "bar.txt"), proc: null },
};

async function startPrinter(p) {
  p.proc = spawn(fakeBin, [String(p.port), p.out], { stdio: "ignore" });
  // Listening once a connection is taken (a status query answered is the printer's hello).
  await waitFor(
    async () => {
      try {
        execFileSync("bash", ["-c", `exec 3<>/dev/tcp/127.0.0.1/${p.port}`], { timeout: 2000 });
        return true;
      } catch {
        return false;
      }
    },
    10_000,
    `the fake printer on ${p.port} did not start`,
  );
}

async function stopPrinter(p) {
  const exited = new Promise((r) => p.proc.once("exit", r));
  p.proc.kill("SIGKILL");
  await exited;
  p.proc = null;
}

const printed = (p) => (existsSync(p.out) ? readFileSync(p.out, "utf8") : "");

const shot = (name, dir = shots) => screenshot(s, join(dir, `${name}.png`));

async function choose(testid, value) {
  await s.script(
    'const el = document.querySelector(arguments[0]); el.value = arguments[1]; el.dispatchEvent(new Event("change", { bubbles: true }));',
    [`[data-testid="${testid}"]`, value],
  );
}

async function addPrinter(name, port, role) {
  await (await s.byTestId("printer-add")).click();
  await (await s.byTestId("printer-name")).type(name);
  await (await s.byTestId("printer-address")).type(`127.0.0.1:${port}`);
  await choose("printer-role", role);
  await choose("printer-paper", "58");
  await (await s.byTestId("printer-save")).click();
  await s.gone('[data-testid="printer-form"]');
}

/** Sells what `items` names (search text, tile name) for cash; returns the receipt number. */
async function sell(items) {
  for (const [search, name] of items) {
    const box = await s.byTestId("search");
    await box.click();
    await box.clear();
    await box.type(search);
    await (await s.byTestId("product-tile", `[data-name="${name}"]`)).click();
    await s.byTestId("ticket-line", `[data-name="${name}"]`);
  }
  await (await s.byTestId("pay-button")).click();
  await s.byTestId("pay-dialog");
  await (await s.byTestId("method-cash")).click();
  await (await s.byTestId("quick-exact")).click();
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
  return no;
}

describe("printing, in the real app", () => {
  before(async () => {
    assert.ok(app && fakeBin, "KASIR_APP and KASIR_FAKE_PRINTER_BIN must be set");
    for (const p of Object.values(printers)) await startPrinter(p);
    s = await Session.start(driver, app);
  });

  after(async () => {
    await s?.quit();
    for (const p of Object.values(printers)) if (p.proc) await stopPrinter(p);
  });

  let step = 0;
  afterEach(async () => {
    await shot(`printing-step-${++step}`, steps).catch(() => {});
  });

  it("a manager sets up three printers and a test page prints", async () => {
    await signIn(s, "Budi", "2222");
    // He sells in this test: a float if no shift is open.
    const asked = await s.all('[data-testid="open-shift-dialog"]');
    if (asked.length > 0) {
      await (await s.byTestId("shift-float")).type("500000");
      await (await s.byTestId("shift-open-confirm")).click();
      await s.gone('[data-testid="open-shift-dialog"]');
    }
    await (await s.byTestId("admin-button")).click();
    await (await s.byTestId("admin-nav-printers")).click();
    await s.byTestId("admin-printers");
    await addPrinter("Kasir", printers.receipt.port, "receipt");
    await addPrinter("Dapur", printers.kitchen.port, "kitchen");
    await addPrinter("Bar", printers.bar.port, "bar");
    const rows = await s.all('[data-testid="printer-row"]');
    assert.equal(rows.length, 3);
    // The demo café routes drinks to the bar and hot food to the kitchen.
    assert.equal(await s.script('return document.querySelector(\'[data-testid="station-Non-Kopi"]\').value'), "bar");
    assert.equal(await s.script('return document.querySelector(\'[data-testid="station-Makanan"]\').value'), "kitchen");
    let receiptRow = null;
    for (const r of await s.all('[data-testid="printer-row"]')) if (/Kasir/.test(await r.text())) receiptRow = r;
    assert.ok(receiptRow, "no row for the receipt printer");
    await (await receiptRow.find('[data-testid="printer-test"]')).click();
    await waitFor(async () => /TES PRINTER|PRINTER TEST/.test(printed(printers.receipt)), 15_000, "no test page printed");
    // The picture without the toasts over it, from the top of the section.
    await s.gone(".toast", 15_000);
    await s.script('document.querySelector(\'[data-testid="admin-printers"]\').scrollIntoView()');
  });

  it("a sale prints the drawer, the receipt and one ticket per station", async () => {
    await (await s.byTestId("admin-button")).click();
    const no = await sell([
      ["soto", "Soto Ayam"],
      ["cokelat", "Cokelat Panas"],
    ]);
    await waitFor(async () => printed(printers.receipt).includes(no), 15_000, "the receipt did not print");
    await waitFor(async () => printed(printers.kitchen).includes("Soto Ayam"), 15_000, "no kitchen ticket");
    await waitFor(async () => printed(printers.bar).includes("Cokelat Panas"), 15_000, "no bar ticket");
    const receipt = printed(printers.receipt);
    assert.match(receipt, /\[drawer pin 2 on 50 ms off 500 ms\]/);
    assert.match(receipt, /\[qr data "[A-Z0-9]+-\d{6}"\]/);
    const kitchen = printed(printers.kitchen);
    assert.match(kitchen, /DAPUR/);
    assert.doesNotMatch(kitchen, /Cokelat/);
    assert.doesNotMatch(printed(printers.bar), /Soto/);
    // The queue in admin mode: every job printed.
    await (await s.byTestId("admin-button")).click();
    await (await s.byTestId("admin-nav-printers")).click();
    await waitFor(async () => (await s.all('[data-testid="job-row"][data-state="printed"]')).length >= 4, 10_000, "the queue does not show the printed jobs");
    await s.gone(".toast", 15_000);
    await s.script('document.querySelector(\'[data-testid="admin-printers"]\').scrollIntoView()');
    await shot("printers");
    await (await s.byTestId("admin-button")).click();
  });

  it("with the receipt printer gone the sale completes, the job waits, and prints once when it is back", async () => {
    await stopPrinter(printers.receipt);
    const before = printed(printers.receipt);
    const no = await sell([["soto", "Soto Ayam"]]);
    // The kitchen got its ticket; the top bar warns about the receipt.
    await waitFor(async () => printed(printers.kitchen).split("Soto Ayam").length === 3, 15_000, "no second kitchen ticket");
    const pill = await s.byTestId("print-pill", "", { timeout: 30_000 });
    assert.match(await pill.attr("aria-label"), /print job|tugas cetak/);
    await shot("print-failed");
    assert.equal(printed(printers.receipt), before);
    await startPrinter(printers.receipt);
    // Back-off is at most 30 s.
    await waitFor(async () => printed(printers.receipt).includes(no), 60_000, "the waiting receipt never printed");
    await s.gone('[data-testid="print-pill"]', 30_000);
    const receipts = printed(printers.receipt).split(`No: ${no}`).length - 1;
    assert.equal(receipts, 1, "the receipt printed more than once");
  });
});
