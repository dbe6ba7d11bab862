import { describe, expect, it } from "vitest";
import { amountToInput, formatMoney, parseMoney } from "../src/lib/money";

const IDR = { currency: "IDR", locale: "id-ID", minor_unit: 0 };
const USD = { currency: "USD", locale: "en-US", minor_unit: 2 };

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
    [2500, USD, "$25.00"],
    [0, USD, "$0.00"],
    [5, USD, "$0.05"],
    [123456, USD, "$1,234.56"],
    [-500, USD, "-$5.00"],
  ])("%d → %s", (amount, fmt, expected) => {
    expect(formatMoney(amount, fmt)).toBe(expected);
  });

  it("uses a plain space after Rp (not a no-break space)", () => {
    expect(formatMoney(25000, IDR).charCodeAt(2)).toBe(32);
  });
});

describe("parseMoney", () => {
  it.each([
    ["50000", IDR, 50000],
    ["50.000", IDR, 50000],
    ["Rp 21.100", IDR, 21100],
    ["", IDR, null],
    ["abc", IDR, null],
    ["50", USD, 5000],
    ["12.5", USD, 1250],
    ["12,50", USD, 1250],
    ["1,000", USD, 100000],
  ])("%s → %s", (text, fmt, expected) => {
    expect(parseMoney(text, fmt)).toBe(expected);
  });

  it("round-trips amountToInput", () => {
    expect(parseMoney(amountToInput(28900, IDR), IDR)).toBe(28900);
    expect(parseMoney(amountToInput(1234, USD), USD)).toBe(1234);
  });
});
