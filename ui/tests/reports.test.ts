/**
 * Sales reports in admin mode: the range asked of the core, the totals and charts it answers,
 * and each table saved as CSV.
 */
import { fireEvent, render, screen } from "@testing-library/svelte";
import { invoke } from "@tauri-apps/api/core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ReportRange, ReportTable, SalesReport } from "../src/bindings";
import Reports from "../src/features/reports/Reports.svelte";
import { chrome } from "../src/stores/chrome.svelte";
import { session } from "../src/stores/session.svelte";
import { IDR_MONEY, resetApp } from "./fixtures";
import { routeIpc } from "./ipc";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

function report(from: string, to: string, days: string[]): SalesReport {
  return {
    from,
    to,
    money_format: IDR_MONEY,
    totals: {
      orders: 3,
      gross: 90_000,
      discounts: 0,
      service: 4_500,
      tax: 9_450,
      rounding: 50,
      sales: 104_000,
      refund_count: 1,
      refunds: 27_100,
      refund_service: 1_175,
      refund_tax: 2_468,
      net: 76_900,
      cancelled_count: 1,
      cancelled_total: 23_100,
    },
    by_day: days.map((day, i) => ({ day, orders: 1, sales: 30_000 + i * 10_000, refunds: 0, net: 30_000 + i * 10_000 })),
    by_hour: Array.from({ length: 24 }, (_, hour) => ({ hour, orders: hour === 10 ? 3 : 0, sales: hour === 10 ? 104_000 : 0 })),
    by_product: [{ product_id: "p1", name: "Croissant", category: "Roti", quantity: 4, sales: 104_000, refunded_quantity: 1, refunds: 27_100, net: 76_900 }],
    by_category: [{ category: "Roti", quantity: 4, sales: 104_000, refunds: 27_100, net: 76_900 }],
    by_method: [
      { method: "cash", sales: 97_100, refunds: 27_100, net: 70_000 },
      { method: "qris", sales: 6_900, refunds: 0, net: 6_900 },
    ],
    by_staff: [{ staff_id: "s1", name: "Sari", orders: 3, sales: 104_000 }],
  };
}

describe("sales reports", () => {
  beforeEach(() => {
    resetApp("en");
    session.today = "2026-11-21";
  });

  it("asks the core for the range chosen and shows its figures and charts", async () => {
    const asked: ReportRange[] = [];
    routeIpc(invoke, {
      salesReport: (range) => {
        asked.push(range);
        return range.kind === "this_week"
          ? report("2026-11-16", "2026-11-21", ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21"])
          : report("2026-11-21", "2026-11-21", ["2026-11-21"]);
      },
    });
    render(Reports);
    await vi.waitFor(() => expect(screen.getByTestId("rep-sales").textContent).toBe("Rp 104.000"));
    expect(asked).toEqual([{ kind: "today" }]);
    expect(screen.getByTestId("rep-net").textContent).toBe("Rp 76.900");
    expect(screen.getByTestId("chart-days").querySelectorAll('[data-testid="bar"]')).toHaveLength(1);
    expect(screen.getByTestId("chart-methods").textContent).toMatch(/QRIS\s*Rp 6\.900/);
    expect(screen.getByTestId("rep-products").textContent).toMatch(/Croissant/);
    await fireEvent.click(screen.getByTestId("range-this_week"));
    await vi.waitFor(() => expect(screen.getByTestId("chart-days").querySelectorAll('[data-testid="bar"]')).toHaveLength(6));
    expect(asked.at(-1)).toEqual({ kind: "this_week" });
    await fireEvent.click(screen.getByTestId("range-custom"));
    await fireEvent.input(screen.getByTestId("range-from"), { target: { value: "2026-11-01" } });
    await fireEvent.click(screen.getByTestId("range-show"));
    await vi.waitFor(() => expect(asked.at(-1)).toEqual({ kind: "custom", from: "2026-11-01", to: "2026-11-21" }));
  });

  it("saves a table as CSV and says where", async () => {
    const saved: [ReportRange, ReportTable][] = [];
    routeIpc(invoke, {
      salesReport: () => report("2026-11-21", "2026-11-21", ["2026-11-21"]),
      exportSalesReportCsv: (range, table) => {
        saved.push([range, table]);
        return `~/Downloads/kasir-report-${table}-2026-11-21-2026-11-21.csv`;
      },
    });
    render(Reports);
    await fireEvent.click(await screen.findByTestId("csv-products"));
    await vi.waitFor(() => expect(saved).toEqual([[{ kind: "today" }, "products"]]));
    await vi.waitFor(() => expect(chrome.toasts.map((x) => x.text).join()).toMatch(/kasir-report-products/));
  });
});
