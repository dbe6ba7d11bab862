// End to end: admin mode in the real app (started by scripts/e2e.sh; runs after sync.test.mjs
// on the same till, node's runner takes the files in name order). A cashier never sees the
// switch; a manager adds a category, moves it, sees it as a tab on the till, and hides it
// again; a manager adds a featured, counted product that a cashier finds first and sells.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";
import { screenshot, signIn as signInAs } from "./till.mjs";

const app = process.env.KASIR_APP;
const driver = process.env.WEBDRIVER_URL ?? "http://127.0.0.1:4444";
const shots = process.env.KASIR_SCREENSHOTS ?? join(import.meta.dirname, "../../target/e2e-screenshots");
mkdirSync(shots, { recursive: true });

let s;

const shot = (name, dir = shots) => screenshot(s, join(dir, `${name}.png`));

const signIn = (name, pin) => signInAs(s, name, pin);

async function tabNames() {
  return s.script(
    'return [...document.querySelectorAll(\'[data-testid="category-tab"]\')].map((t) => t.dataset.name)',
  );
}

async function rowNames() {
  return s.script(
    'return [...document.querySelectorAll(\'[data-testid="category-row"]\')].map((r) => r.dataset.name)',
  );
}

describe("admin mode, in the real app", () => {
  before(async () => {
    assert.ok(app, "KASIR_APP must point at the built app");
    s = await Session.start(driver, app);
  });

  after(async () => {
    await s?.quit();
  });

  it("is not there for a cashier", async () => {
    await signIn("Sari", "3333");
    assert.equal((await s.all('[data-testid="admin-button"]')).length, 0);
    await (await s.byTestId("lock-button")).click();
  });

  it("lets a manager add a category, move it, and see it on the till", async () => {
    await signIn("Budi", "2222");
    await (await s.byTestId("admin-button")).click();
    await (await s.byTestId("admin-nav-categories")).click();
    await s.byTestId("admin-categories");
    await waitFor(async () => (await rowNames()).length >= 7, 10_000, "the categories did not load");
    await (await s.byTestId("category-name")).type("Minuman Musiman");
    await (await s.byTestId("category-add")).click();
    await waitFor(async () => (await rowNames()).at(-1) === "Minuman Musiman", 10_000, "the new category is not last");
    const before = await rowNames();
    const row = await s.byTestId("category-row", '[data-name="Minuman Musiman"]');
    await (await row.find('[data-testid="category-up"]')).click();
    await waitFor(
      async () => (await rowNames()).at(-2) === "Minuman Musiman",
      10_000,
      "the category did not move up",
    );
    assert.equal((await rowNames()).at(-1), before.at(-2));
    // For the picture: the notes (a parked ticket waits, the category was added) closed.
    for (const close of await s.all(".toast button")) await close.click();
    await s.gone(".toast");
    await shot("admin-categories");
    await (await s.byTestId("admin-button")).click();
    await s.byTestId("search");
    await waitFor(async () => (await tabNames()).includes("Minuman Musiman"), 10_000, "no tab on the till");
    const tabs = await tabNames();
    assert.ok(tabs.indexOf("Minuman Musiman") < tabs.indexOf(before.at(-2)), `tab order: ${tabs}`);
  });

  it("hides it from the till again", async () => {
    await (await s.byTestId("admin-button")).click();
    await (await s.byTestId("admin-nav-categories")).click();
    const row = await s.byTestId("category-row", '[data-name="Minuman Musiman"]');
    await (await row.find('[data-testid="category-toggle"]')).click();
    await waitFor(
      async () =>
        (await s.script(
          'return document.querySelector(\'[data-testid="category-row"][data-name="Minuman Musiman"] [data-testid="category-status"]\').textContent.trim()',
        )) !== "Tampil" &&
        (await s.script(
          'return document.querySelector(\'[data-testid="category-row"][data-name="Minuman Musiman"] [data-testid="category-status"]\').textContent.trim()',
        )) !== "Shown",
      10_000,
      "the category was not hidden",
    );
    await (await s.byTestId("admin-button")).click();
    await s.byTestId("search");
    await waitFor(async () => !(await tabNames()).includes("Minuman Musiman"), 10_000, "the hidden tab is still on the till");
  });

  it("lets a manager add a featured product that a cashier finds first and sells", async () => {
    await (await s.byTestId("admin-button")).click();
    await s.byTestId("admin-products");
    await waitFor(
      async () => (await s.all('[data-testid="product-name"]')).length >= 20,
      10_000,
      "the product table did not load",
    );
    await shot("admin-products");
    await (await s.byTestId("product-new")).click();
    await s.byTestId("product-form");
    await (await s.byTestId("prod-name")).type("Es Kopi Pandan");
    await (await s.byTestId("prod-price")).type("27.500");
    await (await s.byTestId("prod-tags")).type("baru, pandan");
    await (await s.byTestId("prod-featured")).click();
    await (await s.byTestId("prod-track")).click();
    await (await s.byTestId("prod-initial")).type("12");
    await (await s.byTestId("prod-warning")).type("5");
    await (await s.byTestId("prod-critical")).type("2");
    // A group of options: a size, one to choose, Large costing more.
    await (await s.byTestId("mod-group-add")).click();
    await (await s.byTestId("mod-group-name")).type("Ukuran");
    const min = await s.byTestId("mod-min");
    await min.clear();
    await min.type("1");
    await (await s.byTestId("mod-option-name")).type("Regular");
    await (await s.byTestId("mod-option-add")).click();
    const optionNames = await s.all('[data-testid="mod-option-name"]');
    await optionNames[1].type("Large");
    const prices = await s.all('[data-testid="mod-option-price"]');
    await prices[1].clear();
    await prices[1].type("5.000");
    // A picture, as the file picker would hand it over (WebDriver cannot drive the OS dialog).
    const png = readFileSync(join(import.meta.dirname, "../../src-tauri/icons/icon.png")).toString("base64");
    await s.script(
      `const bytes = Uint8Array.from(atob(arguments[0]), (c) => c.charCodeAt(0));
       const dt = new DataTransfer();
       dt.items.add(new File([bytes], "pandan.png", { type: "image/png" }));
       const input = document.querySelector('[data-testid="picture-input"]');
       input.files = dt.files;
       input.dispatchEvent(new Event("change", { bubbles: true }));`,
      [png],
    );
    await s.byTestId("picture-cover");
    await shot("admin-product-form");
    await (await s.byTestId("prod-save")).click();
    await s.gone('[data-testid="product-form"]');
    await (await s.byTestId("product-search")).type("pandan");
    // The row of the new product (the demo menu has other pandan things), with its count.
    const stock = () =>
      s.script(`return [...document.querySelectorAll('[data-testid="table-row"]')]
        .find((r) => r.querySelector('[data-testid="product-name"]').textContent === "Es Kopi Pandan")
        ?.querySelector('[data-testid="stock-level"]').textContent.trim()`);
    await waitFor(async () => (await stock()) === "12", 10_000, "the new product is not found with its stock");

    await (await s.byTestId("lock-button")).click();
    await signIn("Sari", "3333");
    // Featured: first in the "All" tab, before the demo's signature drink.
    await waitFor(
      async () =>
        (await s.script('return document.querySelector(\'[data-testid="product-tile"]\')?.dataset.name')) === "Es Kopi Pandan",
      10_000,
      "the featured product does not lead the menu",
    );
    // Its picture, checked and resized by the core, shows on the till.
    await waitFor(
      async () =>
        await s.script(`const img = document.querySelector('[data-testid="product-tile"][data-name="Es Kopi Pandan"] img');
          return !!img && img.complete && img.naturalWidth > 0`),
      10_000,
      "the new product's picture does not show on the till",
    );
    await (await s.byTestId("product-tile", '[data-name="Es Kopi Pandan"]')).click();
    await s.byTestId("modifier-dialog");
    await (await s.byTestId("modifier-option", '[data-name="Large"]')).click();
    await (await s.byTestId("modifier-add")).click();
    await s.gone('[data-testid="modifier-dialog"]');
    await (await s.byTestId("pay-button")).click();
    await s.byTestId("pay-dialog");
    await (await s.byTestId("method-cash")).click();
    await (await s.byTestId("quick-100000")).click();
    await waitFor(async () => /Rp/.test(await (await s.byTestId("change-due")).text()), 5000, "no change shown");
    // Notes from signing in (a parked ticket waits) must not cover the button.
    for (const close of await s.all(".toast button")) await close.click();
    await s.gone(".toast");
    await (await s.byTestId("confirm-payment")).click();
    const receipt = await s.byTestId("receipt", "", { timeout: 15_000 });
    const printed = await receipt.text();
    assert.match(printed, /Es Kopi Pandan/);
    assert.match(printed, /Large/);
    await waitFor(
      async () => await s.script('return !document.querySelector(\'[data-testid="new-sale"]\').disabled'),
      5000,
      "New sale never became available",
    );
    await (await s.byTestId("new-sale")).click();
    await s.gone('[data-testid="receipt"]');
  });

  it("raises an alert when stock falls below the critical level, which the manager resolves", async () => {
    await (await s.byTestId("lock-button")).click();
    await signIn("Budi", "2222");
    await (await s.byTestId("admin-button")).click();
    const search = await s.byTestId("product-search");
    await search.clear();
    await search.type("es kopi pandan");
    // The table reloads as the words arrive: wait for the one row left.
    await waitFor(
      async () =>
        (await s.script(
          'return [...document.querySelectorAll(\'[data-testid="product-name"]\')].map((n) => n.textContent).join("|")',
        )) === "Es Kopi Pandan",
      10_000,
      "the product row is not shown",
    );
    await (await s.byTestId("product-name")).click();
    await (await s.byTestId("prod-stock")).click();
    const dialog = await s.byTestId("stock-dialog");
    await waitFor(async () => (await s.all('[data-testid="ledger-row"]')).length >= 2, 10_000, "no ledger");
    await s.script(
      `const r = document.querySelector('[data-testid="adj-reason"]'); r.value = "waste"; r.dispatchEvent(new Event("change", { bubbles: true }));`,
    );
    await (await s.byTestId("adj-delta")).type("10");
    await (await s.byTestId("adj-note")).type("basi");
    await (await s.byTestId("adj-apply")).click();
    // 12 made, 1 sold, 10 wasted: 1 left, under the critical level of 2.
    await waitFor(async () => (await (await s.byTestId("stock-now")).text()) === "1", 10_000, "the waste was not applied");
    for (const close of await s.all(".toast button")) await close.click();
    await s.gone(".toast");
    await shot("admin-stock-history");
    assert.ok(dialog);
    // Escape closes the top dialog, then the form under it.
    await s.typeFast("\uE00C");
    await s.gone('[data-testid="stock-dialog"]');
    await s.typeFast("\uE00C");
    await s.gone('[data-testid="product-form"]');
    await (await s.byTestId("admin-nav-stock")).click();
    const alert = await s.byTestId("alert-row", '[data-name="Es Kopi Pandan"]', { timeout: 10_000 });
    assert.equal(await alert.attr("data-level"), "critical");
    await waitFor(async () => (await s.all('[data-testid="alerts-badge"]')).length === 1, 35_000, "no alert badge on the top bar");
    await shot("admin-stock-alerts");
    await (await alert.find('[data-testid="alert-resolve"]')).click();
    await s.gone('[data-testid="alert-row"][data-name="Es Kopi Pandan"]');
  });

  it("exports the menu, previews a CSV with two bad rows without writing, and imports the fixed file", async () => {
    await (await s.byTestId("admin-nav-file")).click();
    await (await s.byTestId("export-csv")).click();
    const toast = await s.byTestId("info-toast", "", { timeout: 10_000 });
    const saved = (await toast.text()).replace(/^.*?(\/\S+\.csv).*$/s, "$1");
    const exported = readFileSync(saved);
    assert.deepEqual([...exported.subarray(0, 3)], [0xef, 0xbb, 0xbf], "a BOM");
    assert.match(exported.toString("utf8"), /Es Kopi Pandan/);
    for (const close of await s.all(".toast button")) await close.click();
    await s.gone(".toast");
    const choose = (text) =>
      s.script(
        `const input = document.querySelector('[data-testid="import-file"]');
         const dt = new DataTransfer();
         dt.items.add(new File([arguments[0]], "menu-baru.csv", { type: "text/csv" }));
         input.files = dt.files;
         input.dispatchEvent(new Event("change", { bubbles: true }));`,
        [text],
      );
    const bad = "category;name;price;stock\nMusiman;Es Teler;22000;15\nMusiman;;18000;\nMusiman;Es Campur;25.000;\n";
    await choose(bad);
    await s.byTestId("import-preview", "", { timeout: 10_000 });
    const lines = await s.script(
      'return [...document.querySelectorAll(\'[data-testid="import-problem"]\')].map((r) => r.dataset.line).join(",")',
    );
    assert.equal(lines, "3,4");
    await shot("admin-import-preview");
    // Nothing was written: the new category is not on the till's admin list yet.
    await (await s.byTestId("import-again")).click();
    await (await s.byTestId("admin-nav-products")).click();
    const search = await s.byTestId("product-search");
    await search.type("es teler");
    await waitFor(async () => /0 (dari|of) 0|0–0/.test(await (await s.byTestId("product-range")).text()), 10_000, "a preview wrote something");
    await (await s.byTestId("admin-nav-file")).click();
    await choose("category;name;price;stock\nMusiman;Es Teler;22000;15\nMusiman;Es Cendol;18000;\nMusiman;Es Campur;25000;\n");
    await s.byTestId("import-preview", "", { timeout: 10_000 });
    await (await s.byTestId("import-apply")).click();
    const result = await s.byTestId("import-result", "", { timeout: 15_000 });
    assert.match(await result.text(), /3/);
    await (await s.byTestId("admin-nav-products")).click();
    const again = await s.byTestId("product-search");
    await again.type("es teler");
    await waitFor(
      async () =>
        (await s.script(
          'return [...document.querySelectorAll(\'[data-testid="product-name"]\')].map((n) => n.textContent).join("|")',
        )) === "Es Teler",
      10_000,
      "the imported product is not in the table",
    );
  });

  it("lets an admin change the receipt's footer, and keeps it", async () => {
    await (await s.byTestId("lock-button")).click();
    await signIn("Ayu", "1111");
    await (await s.byTestId("admin-button")).click();
    await (await s.byTestId("admin-nav-settings")).click();
    const footer = await s.byTestId("set-footer");
    await footer.clear();
    await footer.type("Terima kasih, sampai jumpa lagi!");
    await (await s.byTestId("set-save")).click();
    await s.byTestId("info-toast");
    for (const close of await s.all(".toast button")) await close.click();
    await s.gone(".toast");
    await s.script('document.querySelector(\'[data-testid="admin"] main\').scrollTo(0, 0)');
    await shot("admin-settings");
    await (await s.byTestId("admin-nav-categories")).click();
    await (await s.byTestId("admin-nav-settings")).click();
    const kept = await s.script('return document.querySelector(\'[data-testid="set-footer"]\').value');
    assert.equal(kept, "Terima kasih, sampai jumpa lagi!");
  });

  it("shows the audit log with the settings change, and says the chain is intact", async () => {
    await (await s.byTestId("admin-nav-audit")).click();
    await s.byTestId("audit-row", '[data-action="settings_changed"]', { timeout: 10_000 });
    await (await s.byTestId("audit-verify")).click();
    const check = await s.byTestId("audit-check", "", { timeout: 10_000 });
    assert.match(await check.text(), /utuh|intact/);
    await shot("admin-audit");
  });

  it("lets an admin add a cashier, who signs in and changes their own PIN", async () => {
    await (await s.byTestId("admin-nav-staff")).click();
    await (await s.byTestId("staff-name")).type("Rudi");
    await (await s.byTestId("staff-pin")).type("5678");
    await (await s.byTestId("staff-pin-again")).type("5678");
    await (await s.byTestId("staff-add")).click();
    await s.byTestId("staff-row", '[data-name="Rudi"]', { timeout: 10_000 });
    for (const close of await s.all(".toast button")) await close.click();
    await s.gone(".toast");
    await shot("admin-staff");
    await (await s.byTestId("lock-button")).click();
    await signIn("Rudi", "5678");
    assert.equal((await s.all('[data-testid="admin-button"]')).length, 0, "a new cashier has no admin mode");
    await (await s.find('.menu-wrap button[aria-haspopup="true"]')).click();
    await (await s.byTestId("my-pin")).click();
    await (await s.byTestId("pin-current")).type("5678");
    await (await s.byTestId("pin-new")).type("8765");
    await (await s.byTestId("pin-again")).type("8765");
    await (await s.byTestId("pin-save")).click();
    await s.gone('[data-testid="pin-dialog"]');
    await (await s.byTestId("lock-button")).click();
    await signIn("Rudi", "8765");
    await (await s.byTestId("lock-button")).click();
  });

  it("lets an admin back up to a folder, and shows what a restore would lose before anything happens", async () => {
    const folder = mkdtempSync(join(tmpdir(), "kasir-stick-"));
    await signIn("Ayu", "1111");
    await (await s.byTestId("admin-button")).click();
    await (await s.byTestId("admin-nav-backup")).click();
    const input = await s.byTestId("backup-folder");
    await input.clear();
    await input.type(folder);
    await (await s.byTestId("backup-save")).click();
    await (await s.byTestId("backup-now")).click();
    await s.byTestId("backup-row", "", { timeout: 30_000 });
    assert.equal(readdirSync(folder).filter((n) => n.startsWith("kasir-T01-")).length, 1, "one backup folder on the stick");
    for (const close of await s.all(".toast button")) await close.click();
    await s.gone(".toast");
    await shot("admin-backup");
    await (await s.byTestId("backup-restore")).click();
    const lost = await s.byTestId("plan-lost", "", { timeout: 15_000 });
    assert.match(await lost.text(), /Tidak ada penjualan|Nothing was sold/);
    await shot("admin-restore-plan");
    await (await s.find('[data-testid="restore-plan"] button[data-autofocus]')).click();
    await s.gone('[data-testid="restore-plan"]');
    await (await s.byTestId("lock-button")).click();
  });

  it("fits every admin section at 1280×800 and at 1920×1080, with nothing cut off sideways", async () => {
    await signIn("Ayu", "1111");
    await (await s.byTestId("admin-button")).click();
    const sections = ["products", "stock", "categories", "file", "staff", "backup", "audit", "settings"];
    const overflow = () =>
      s.script(`const main = document.querySelector('[data-testid="admin"] main');
        return [document.documentElement.scrollWidth - window.innerWidth, main.scrollWidth - main.clientWidth]`);
    const original = await s.cmd("GET", "/window/rect");
    try {
      for (const [width, height] of [[1280, 800], [1920, 1080]]) {
        await s.cmd("POST", "/window/rect", { width, height });
        for (const name of sections) {
          await (await s.byTestId(`admin-nav-${name}`)).click();
          await new Promise((r) => setTimeout(r, 300));
          const [page, main] = await overflow();
          assert.ok(page <= 0 && main <= 0, `${name} at ${width}x${height} overflows sideways by ${Math.max(page, main)} px`);
          if (width === 1920 && (name === "products" || name === "stock")) await shot(`admin-${name}-1920`);
        }
      }
    } finally {
      await s.cmd("POST", "/window/rect", { width: original.width, height: original.height });
    }
    await (await s.byTestId("lock-button")).click();
  });
});
