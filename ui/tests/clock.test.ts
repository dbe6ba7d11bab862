import { describe, expect, it } from "vitest";
import { clockTime } from "../src/lib/api";

describe("clockTime", () => {
  it("shows the shop's local time, not the machine's", () => {
    const ts = "2026-11-21T06:07:30Z";
    expect(clockTime(ts, false, "Asia/Jakarta")).toBe("13:07");
    expect(clockTime(ts, true, "Asia/Jakarta")).toBe("13:07:30");
    expect(clockTime(ts, false, "America/New_York")).toBe("01:07");
    expect(clockTime(ts, false, "UTC")).toBe("06:07");
  });

  it("leaves text that is not a time alone", () => {
    expect(clockTime("soon", false, "Asia/Jakarta")).toBe("soon");
  });
});
