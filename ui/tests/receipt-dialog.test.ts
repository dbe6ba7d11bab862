import { beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
import { invoke } from "@tauri-apps/api/core";
import ReceiptDialog from "../src/features/receipt/ReceiptDialog.svelte";
import { session } from "../src/stores/session.svelte";
import { chrome } from "../src/stores/chrome.svelte";
import { IDR, IDR_MONEY, order, receiptView, resetApp } from "./fixtures";
import { fail, routeIpc } from "./ipc";

describe("ReceiptDialog", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  /** The shop has since moved to two minor digits (or to dollars): the order keeps its own, and
   *  the receipt says how to write it (`Receipt.money_format`, as the core made it). */
  it.each([
    ["the shop's minor unit changed", { ...IDR, minor_unit: 2 }, { ...IDR_MONEY, minor_unit: 2 }, IDR_MONEY, "Rp 17.300"],
    [
      "the shop's currency changed",
      { ...IDR, currency: "USD", minor_unit: 2, locale: "en-US" },
      { symbol: "$", spaced: false, group_separator: ",", decimal_separator: ".", minor_unit: 2 },
      // Rupiah in the shop's language now (en-US), as `MoneyFormat::new("IDR", "en-US", 0)`.
      { symbol: "Rp", spaced: true, group_separator: ",", decimal_separator: ".", minor_unit: 0 },
      "Rp 17,300",
    ],
  ])("shows the change in the money the order was sold in when %s", async (_, settings, money, sold_in, shown) => {
    session.settings = settings;
    session.moneyFormat = money;
    const sold = order({ id: "o1", currency: "IDR", minor_unit: 0, total: 32700, paid: 50000, change: 17300 });
    routeIpc(invoke, { receipt: () => receiptView(sold, "Kopi Kasir\nT01-000001", sold_in) });
    render(ReceiptDialog, { order: sold, onnew: vi.fn() });
    await vi.waitFor(() => expect(screen.getByTestId("receipt-change")).toHaveTextContent(new RegExp(`^${shown}$`)));
    expect(screen.getByTestId("receipt-change")).not.toHaveTextContent("173");
    await vi.waitFor(() => expect(screen.getByTestId("receipt")).toHaveTextContent("T01-000001"));
  });

  it("shows the change in the shop's money if the receipt cannot be read", async () => {
    const sold = order({ id: "o1", total: 32700, paid: 50000, change: 17300 });
    routeIpc(invoke, { receipt: () => fail({ kind: "internal", data: { message: "disk I/O error" } }) });
    render(ReceiptDialog, { order: sold, onnew: vi.fn() });
    await vi.waitFor(() => expect(screen.getByTestId("receipt-change")).toHaveTextContent(/^Rp 17\.300$/));
    expect(screen.getByRole("alert")).toHaveTextContent("disk I/O error");
  });
  it("prints on the receipt printers, and says so when there is none", async () => {
    const sold = order({ id: "o1", total: 32700, paid: 50000, change: 17300 });
    let printers = 1;
    const asked: string[] = [];
    routeIpc(invoke, {
      receipt: () => receiptView(sold, "Kopi Kasir\nT01-000001", IDR_MONEY),
      printReceipt: (id: string) => {
        asked.push(id);
        if (printers === 0) fail({ kind: "invalid", data: { field: "printer", rule: { rule: "no_printer" } } });
        return printers;
      },
    });
    render(ReceiptDialog, { order: sold, onnew: vi.fn() });
    await fireEvent.click(screen.getByTestId("print-receipt"));
    await vi.waitFor(() => expect(chrome.toasts.map((x) => x.text).join()).toMatch(/Sent to 1 printer/));
    printers = 0;
    await vi.waitFor(() => expect(screen.getByTestId("print-receipt")).toBeEnabled());
    await fireEvent.click(screen.getByTestId("print-receipt"));
    await vi.waitFor(() => expect(chrome.toasts.map((x) => x.text).join()).toMatch(/no printer is set up for this/));
    expect(asked).toEqual(["o1", "o1"]);
  });
});
