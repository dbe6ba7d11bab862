import { describe, expect, it } from "vitest";
import type { MoneyFormat } from "../src/bindings";
import { amountToInput, formatAmount, formatMoney, parseMoney } from "../src/lib/money";
import cases from "./money-cases.json";

// As the core hands them over in `AppStatus.money_format`.
const IDR: MoneyFormat = { symbol: "Rp", spaced: true, group_separator: ".", decimal_separator: ",", minor_unit: 0 };
const USD: MoneyFormat = { symbol: "$", spaced: false, group_separator: ",", decimal_separator: ".", minor_unit: 2 };
const EUR_DE: MoneyFormat = { symbol: "€", spaced: false, group_separator: ".", decimal_separator: ",", minor_unit: 2 };
const MYR: MoneyFormat = { symbol: "RM", spaced: false, group_separator: ",", decimal_separator: ".", minor_unit: 2 };
const JPY: MoneyFormat = { symbol: "¥", spaced: false, group_separator: ",", decimal_separator: ".", minor_unit: 0 };

type MoneyCase = { currency: string; locale: string; format: MoneyFormat; amount: number; text: string };

describe("formatMoney prints exactly what the core prints (money-cases.json)", () => {
  const all = cases as MoneyCase[];

  it("has the core's cases", () => {
    expect(all.length).toBeGreaterThan(100);
  });

  it.each(all.map((c) => [`${c.currency} ${c.locale} ${c.amount}`, c] as const))("%s", (_name, c) => {
    expect(formatMoney(c.amount, c.format), `${c.currency} in ${c.locale}, ${c.amount}: ${JSON.stringify(c.format)}`).toBe(c.text);
  });
});

describe("formatMoney", () => {
  it.each([
    [25000, IDR, "Rp 25.000"],
    [0, IDR, "Rp 0"],
    [5, IDR, "Rp 5"],
    [999, IDR, "Rp 999"],
    [1000, IDR, "Rp 1.000"],
    [28900, IDR, "Rp 28.900"],
    [1234567, IDR, "Rp 1.234.567"],
    [-5000, IDR, "-Rp 5.000"],
    [-30, IDR, "-Rp 30"],
    [1_000_000_000_000, IDR, "Rp 1.000.000.000.000"],
    [1_000_000_000_000_000, IDR, "Rp 1.000.000.000.000.000"],
    [2500, USD, "$25.00"],
    [0, USD, "$0.00"],
    [5, USD, "$0.05"],
    [123456, USD, "$1,234.56"],
    [-500, USD, "-$5.00"],
    [123456, EUR_DE, "€1.234,56"],
    [2500, MYR, "RM25.00"],
    [28900, JPY, "¥28,900"],
  ])("%d → %s", (amount, fmt, expected) => {
    expect(formatMoney(amount, fmt)).toBe(expected);
  });

  it("uses a plain space after Rp (not a no-break space)", () => {
    expect(formatMoney(25000, IDR).charCodeAt(2)).toBe(32);
  });

  it("clamps the minor unit as the core does", () => {
    expect(formatAmount(123456, { ...USD, minor_unit: 64 })).toBe("12.3456");
    expect(formatAmount(5, { ...USD, minor_unit: 4 })).toBe("0.0005");
  });
});

describe("parseMoney", () => {
  it.each([
    ["50000", IDR, 50000],
    ["50.000", IDR, 50000],
    ["50,000", IDR, 50000],
    ["Rp 21.100", IDR, 21100],
    ["rp21.100", IDR, 21100],
    ["", IDR, null],
    ["Rp", IDR, null],
    ["abc", IDR, null],
    ["-5", IDR, null],
    ["50", USD, 5000],
    ["12.5", USD, 1250],
    ["12,50", USD, 1250],
    ["1,000", USD, 100000],
    ["1,234.56", USD, 123456],
    ["$ 7.10", USD, 710],
    ["12,5", EUR_DE, 1250],
    ["12.50", EUR_DE, 1250],
    ["1.234,56", EUR_DE, 123456],
    ["€1.000", EUR_DE, 100000],
    ["RM 12.30", MYR, 1230],
    ["¥1,500", JPY, 1500],
  ])("%s → %s", (text, fmt, expected) => {
    expect(parseMoney(text, fmt)).toBe(expected);
  });

  it("round-trips amountToInput", () => {
    for (const [amount, fmt] of [
      [28900, IDR],
      [1234, USD],
      [123456, EUR_DE],
      [5, MYR],
      [1500, JPY],
    ] as const) {
      expect(parseMoney(amountToInput(amount, fmt), fmt), `${amount} ${fmt.symbol}`).toBe(amount);
    }
  });
});

describe("amountToInput", () => {
  it.each([
    [50000, IDR, "50000"],
    [5000, USD, "50.00"],
    [5, USD, "0.05"],
    [123456, EUR_DE, "1234,56"],
    [1500, JPY, "1500"],
  ])("%d → %s", (amount, fmt, expected) => {
    expect(amountToInput(amount, fmt)).toBe(expected);
  });
});
