import { describe, expect, it } from "vitest";
import { cappedAt, nominalDiscount } from "../src/lib/discount";

describe("a discount as the core prices it", () => {
  // The core's `percent_table` (money/mod.rs): basis points of an amount, rounded half up.
  it.each([
    [25_000, 1000, 2_500],
    [12_345, 1000, 1_235],
    [12_344, 1000, 1_234],
    [33_333, 500, 1_667],
    [1, 5000, 1],
    [1, 4999, 0],
    [0, 1000, 0],
    [1_000_000_000_000_000, 10_000, 1_000_000_000_000_000],
    [999_999_999_999_999, 3333, 333_300_000_000_000],
  ])("%i at %i bp takes %i", (base, bp, want) => {
    expect(nominalDiscount({ kind: "percent", value: bp }, base)).toBe(BigInt(want));
  });

  it("is held at its limit only when it took the limit and would take more", () => {
    const tenPercent = { kind: "percent" as const, value: 1000 };
    expect(cappedAt(tenPercent, 2200, 66000, 2200)).toBe(2200);
    expect(cappedAt(tenPercent, 1500, 15000, 1500)).toBeNull();
    expect(cappedAt(tenPercent, 1234, 12344, 1234)).toBeNull();
    expect(cappedAt(tenPercent, null, 66000, 6600)).toBeNull();
    expect(cappedAt(null, 2200, 66000, 0)).toBeNull();
    expect(cappedAt({ kind: "amount", value: 5000 }, 3000, 66000, 3000)).toBe(3000);
  });
});
