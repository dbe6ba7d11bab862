/**
 * Printing in the UI: the admin's printers (a bad address refused by its field, a test page
 * that says what went wrong), kitchen routing, the queue's retry and reprint, the top bar's
 * warning while jobs fail, and the receipt's Print button.
 */
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { invoke } from "@tauri-apps/api/core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { PrintJob_Serialize, Printer_Serialize, PrinterInput, Station } from "../src/bindings";
import Admin from "../src/features/admin/Admin.svelte";
import PrintPill from "../src/features/printing/PrintPill.svelte";
import { chrome } from "../src/stores/chrome.svelte";
import { session } from "../src/stores/session.svelte";
import { resetApp, syncStatus } from "./fixtures";
import { fail, routeIpc } from "./ipc";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

const BUDI = { id: "m1", name: "Budi", role: "manager" as const };

function printer(p: Partial<Printer_Serialize> = {}): Printer_Serialize {
  return {
    id: 1,
    name: "Kasir",
    connection: "network",
    address: "192.168.1.50:9100",
    paper_mm: 58,
    code_page: "PC858",
    role: "receipt",
    auto_receipt: true,
    drawer: true,
    ask_status: true,
    active: true,
    waiting: 0,
    failing: 0,
    last_error: null,
    last_error_detail: null,
    ...p,
  };
}

function job(j: Partial<PrintJob_Serialize> = {}): PrintJob_Serialize {
  return {
    id: 7,
    printer_id: 1,
    printer_name: "Kasir",
    kind: "receipt",
    subject: "T01-000042",
    station: null,
    copy: false,
    state: "printed",
    attempts: 1,
    error: null,
    error_detail: null,
    created_at: "2026-12-04T03:00:00Z",
    printed_at: "2026-12-04T03:00:01Z",
    ...j,
  };
}

function backend() {
  const calls: string[] = [];
  let printers: Printer_Serialize[] = [printer({ failing: 1, waiting: 2, last_error: "paper_out", last_error_detail: "the printer is out of paper" })];
  let jobs: PrintJob_Serialize[] = [
    job({ id: 8, state: "waiting", attempts: 3, error: "paper_out", error_detail: "the printer is out of paper", printed_at: null }),
    job(),
  ];
  const stations: Record<string, Station | null> = { Kopi: "bar", Makanan: null };
  let logo: string | null = null;
  routeIpc(invoke, {
    syncStatus: () => syncStatus(0),
    badges: () => ({ open_alerts: 0, unread: 0 }),
    productTable: () => ({ rows: [], total: 0 }),
    listAllCategories: () => [],
    listPrinters: () => printers,
    receiptLogo: () => logo,
    setReceiptLogo: (data: string | null) => {
      calls.push(`logo ${data === null ? "none" : data.slice(0, 8)}`);
      if (data !== null && !data.startsWith("iVBOR")) fail({ kind: "invalid", data: { field: "image", rule: { rule: "image_format" } } });
      logo = data;
      return null;
    },
    printJobs: () => jobs,
    printerStations: () =>
      Object.entries(stations).map(([name, station]) => ({ category_id: `c-${name}`, category_name: name, station })),
    setPrinterStation: (category: string, station: Station | null) => {
      calls.push(`route ${category} ${station}`);
      stations[category.slice(2)] = station;
      return null;
    },
    savePrinter: (id: number | null, input: PrinterInput) => {
      calls.push(`save ${id} ${input.name} ${input.address} ${input.paper_mm} ${input.role}`);
      if (!/^\d+\.\d+\.\d+\.\d+(:\d+)?$/.test(input.address)) {
        fail({ kind: "invalid", data: { field: "address", rule: { rule: "printer_address" } } });
      }
      const saved = printer({ ...input, id: 2, drawer: false });
      printers = [...printers, saved];
      return saved;
    },
    testPrinter: (id: number) => {
      calls.push(`test ${id}`);
      return { printed: false, error: "unreachable", detail: "the printer cannot be reached: 192.168.1.50:9100: Connection refused" };
    },
    retryPrintJob: (id: number) => {
      calls.push(`retry ${id}`);
      return jobs[0];
    },
    reprintJob: (id: number) => {
      calls.push(`reprint ${id}`);
      const copy = job({ id: 9, copy: true, state: "waiting", printed_at: null });
      jobs = [copy, ...jobs];
      return copy;
    },
  });
  return calls;
}

describe("printing", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  it("lists printers with their trouble, refuses a bad address by its field, and adds one", async () => {
    const calls = backend();
    session.actor = BUDI;
    render(Admin);
    await fireEvent.click(screen.getByTestId("admin-nav-printers"));
    const row = await screen.findByTestId("printer-row");
    expect(within(row).getByTestId("printer-failing").textContent).toMatch(/1 failed: out of paper/);
    await fireEvent.click(screen.getByTestId("printer-add"));
    await fireEvent.input(screen.getByTestId("printer-name"), { target: { value: "Dapur" } });
    await fireEvent.input(screen.getByTestId("printer-address"), { target: { value: "dapur; rm" } });
    await fireEvent.change(screen.getByTestId("printer-role"), { target: { value: "kitchen" } });
    await fireEvent.change(screen.getByTestId("printer-paper"), { target: { value: "80" } });
    // A kitchen printer has no drawer or receipt options.
    expect(screen.queryByTestId("printer-drawer")).toBeNull();
    await fireEvent.click(screen.getByTestId("printer-save"));
    expect(await screen.findByText(/must be an address like 192\.168\.1\.50/)).toBeInTheDocument();
    await fireEvent.input(screen.getByTestId("printer-address"), { target: { value: "192.168.1.51" } });
    await fireEvent.click(screen.getByTestId("printer-save"));
    await vi.waitFor(() => expect(screen.getAllByTestId("printer-row")).toHaveLength(2));
    expect(screen.queryByTestId("printer-form")).toBeNull();
    expect(calls).toEqual(["save null Dapur dapur; rm 80 kitchen", "save null Dapur 192.168.1.51 80 kitchen"]);
  });

  it("says why a test page failed, routes a category, retries and reprints from the queue", async () => {
    const calls = backend();
    session.actor = BUDI;
    render(Admin);
    await fireEvent.click(screen.getByTestId("admin-nav-printers"));
    await fireEvent.click(await screen.findByTestId("printer-test"));
    await vi.waitFor(() =>
      expect(chrome.toasts.map((x) => x.text).join()).toMatch(/Kasir: cannot be reached .* Connection refused/),
    );
    await fireEvent.change(screen.getByTestId("station-Makanan"), { target: { value: "kitchen" } });
    await vi.waitFor(() => expect(calls).toContain("route c-Makanan kitchen"));
    const rows = screen.getAllByTestId("job-row");
    expect(rows[0].textContent).toMatch(/Waiting: out of paper ×3/);
    await fireEvent.click(within(rows[0]).getByText("Retry"));
    await fireEvent.click(within(rows[1]).getByTestId("job-reprint"));
    await vi.waitFor(() => expect(screen.getAllByTestId("job-row")).toHaveLength(3));
    expect(screen.getAllByTestId("job-row")[0].textContent).toMatch(/Receipt T01-000042 \(copy\)/);
    expect(calls).toEqual(["test 1", "route c-Makanan kitchen", "retry 8", "reprint 7"]);
  });

  it("sets the receipt's logo from a picture, refuses one that is not, and removes it", async () => {
    const calls = backend();
    session.actor = BUDI;
    render(Admin);
    await fireEvent.click(screen.getByTestId("admin-nav-printers"));
    await screen.findByTestId("receipt-logo");
    expect(screen.queryByTestId("logo-preview")).toBeNull();
    const input = screen.getByTestId("logo-file") as HTMLInputElement;
    const gif = new File([new Uint8Array([0x47, 0x49, 0x46, 0x38])], "logo.gif", { type: "image/gif" });
    await fireEvent.change(input, { target: { files: [gif] } });
    expect(await screen.findByText(/PNG, JPEG or WebP|not a picture|format/i)).toBeInTheDocument();
    const png = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])], "logo.png", { type: "image/png" });
    await fireEvent.change(input, { target: { files: [png] } });
    const preview = (await screen.findByTestId("logo-preview")) as HTMLImageElement;
    expect(preview.src).toMatch(/^data:image\/png;base64,iVBOR/);
    await fireEvent.click(screen.getByTestId("logo-remove"));
    await vi.waitFor(() => expect(screen.queryByTestId("logo-preview")).toBeNull());
    expect(calls).toEqual(["logo R0lGOA==", "logo iVBORw0K", "logo none"]);
  });

  it("warns in the top bar only while jobs fail, in the cashier's language", async () => {
    let failing = 2;
    routeIpc(invoke, { printStatus: () => ({ printers: 1, waiting: 3, failing }) });
    chrome.lang = "id";
    const { unmount } = render(PrintPill);
    const pill = await screen.findByTestId("print-pill");
    expect(pill.getAttribute("aria-label")).toBe("2 tugas cetak gagal");
    expect(pill.textContent).toBe("2");
    unmount();
    failing = 0;
    render(PrintPill);
    await vi.waitFor(() => expect(vi.mocked(invoke)).toHaveBeenCalledTimes(2));
    expect(screen.queryByTestId("print-pill")).toBeNull();
  });
});
