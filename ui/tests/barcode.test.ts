import { describe, expect, it } from "vitest";
import { BarcodeDetector, looksLikeBarcode } from "../src/lib/barcode";

function feed(d: BarcodeDetector, keys: string[], gaps: number[] | number, start = 1000): (string | null)[] {
  let time = start;
  return keys.map((k, i) => {
    if (i > 0) time += Array.isArray(gaps) ? gaps[i - 1] : gaps;
    return d.key(k, time);
  });
}

describe("BarcodeDetector", () => {
  it("reads fast keys ending in Enter as a code", () => {
    const d = new BarcodeDetector();
    const out = feed(d, [..."8991234567890", "Enter"], 8);
    expect(out.slice(0, -1).every((x) => x === null)).toBe(true);
    expect(out.at(-1)).toBe("8991234567890");
  });

  it("does not take slow typing for a scan", () => {
    const d = new BarcodeDetector();
    expect(feed(d, [..."1234", "Enter"], 120).at(-1)).toBeNull();
  });

  it("does not take a word typed fast for a scan: a code has a digit", () => {
    const d = new BarcodeDetector();
    expect(feed(d, [..."bolu", "Enter"], 5).at(-1)).toBeNull();
    expect(feed(d, [..."kopi", "Enter"], 1, 5000).at(-1)).toBeNull();
    expect(feed(d, [..."KB-0042", "Enter"], 5, 9000).at(-1)).toBe("KB-0042");
  });

  it.each([
    ["an EAN-13", "8991234567890", true],
    ["a code with letters and digits", "ABC-123", true],
    ["a four-digit code", "0042", true],
    ["64 characters", "9".repeat(64), true],
    ["a word", "bolu", false],
    ["a capitalised word", "Kopi", false],
    ["three digits", "123", false],
    ["text with a space", "kopi 2", false],
    ["a non-ASCII letter", "12é45", false],
    ["65 characters", "9".repeat(65), false],
  ])("%s (%s) looks like a barcode: %s", (_, code, yes) => {
    expect(looksLikeBarcode(code as string)).toBe(yes);
  });

  it("needs at least 4 characters", () => {
    const d = new BarcodeDetector();
    expect(feed(d, [..."123", "Enter"], 5).at(-1)).toBeNull();
  });

  it("keeps only the fast burst after slow typing", () => {
    const d = new BarcodeDetector();
    // A person types "ko" slowly, then the scanner fires.
    const out = feed(d, ["k", "o", ..."12345", "Enter"], [200, 400, 10, 10, 10, 10, 10]);
    expect(out.at(-1)).toBe("12345");
  });

  it("rejects a burst with one slow gap in the middle", () => {
    const d = new BarcodeDetector();
    expect(feed(d, [..."12", ..."34", "Enter"], [10, 80, 10, 10]).at(-1)).toBeNull();
  });

  it("rejects an Enter that comes long after the burst", () => {
    const d = new BarcodeDetector();
    expect(feed(d, [..."12345", "Enter"], [10, 10, 10, 10, 500]).at(-1)).toBeNull();
  });

  it("ignores Shift inside a burst and resets on other special keys", () => {
    const d = new BarcodeDetector();
    expect(feed(d, ["Shift", "A", "B", "Shift", "C", "1", "Enter"], 5).at(-1)).toBe("ABC1");
    expect(feed(d, ["A", "B", "ArrowLeft", "C", "1", "Enter"], 5, 5000).at(-1)).toBeNull();
  });

  it("starts clean after a scan", () => {
    const d = new BarcodeDetector();
    expect(feed(d, [..."1111", "Enter"], 5).at(-1)).toBe("1111");
    expect(feed(d, [..."2222", "Enter"], 5, 9000).at(-1)).toBe("2222");
  });
});

describe("BarcodeDetector.began", () => {
  it("is when the scanned burst's first key came, not the slow typing before it", () => {
    const d = new BarcodeDetector();
    const out = feed(d, ["k", "o", ..."12345", "Enter"], [200, 400, 10, 10, 10, 10, 10], 1000);
    expect(out.at(-1)).toBe("12345");
    expect(d.began).toBe(1600);
  });
});
