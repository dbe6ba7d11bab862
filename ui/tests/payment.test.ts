import { describe, expect, it } from "vitest";
import { notesFor, quickAmounts } from "../src/lib/payment";

const idr = notesFor("IDR", 0);
const usd = notesFor("USD", 2);

describe("quickAmounts", () => {
  it.each([
    [28900, [30000, 50000, 100000]],
    [30000, [50000, 100000]],
    [4500, [5000, 10000, 20000, 50000, 100000]],
    [76200, [80000, 100000]],
    [100000, []],
    [128900, [130000, 150000, 200000]],
  ])("IDR due %d → %j", (due, expected) => {
    expect(quickAmounts(due, idr)).toEqual(expected);
  });

  it("uses dollar notes for USD", () => {
    expect(usd).toEqual([500, 1000, 2000, 5000, 10000]);
    expect(quickAmounts(1234, usd)).toEqual([1500, 2000, 5000, 10000]);
  });

  it("offers nothing when nothing is due", () => {
    expect(quickAmounts(0, idr)).toEqual([]);
  });
});
