import { describe, expect, it } from "vitest";
import { bundles, dictionaries, translate } from "../src/lib/i18n";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("strings", () => {
  it.each(Object.entries(bundles))("%s has the same keys in English and Indonesian", (_, b) => {
    expect(Object.keys(b.id).sort()).toEqual(Object.keys(b.en).sort());
  });

  it.each(Object.entries(bundles))("%s fills the same placeholders in both languages", (_, b) => {
    const en = b.en as Record<string, string>;
    const id = b.id as Record<string, string>;
    for (const key of Object.keys(en)) expect([key, placeholders(id[key] ?? "")]).toEqual([key, placeholders(en[key])]);
    for (const text of [...Object.values(en), ...Object.values(id)]) expect(text.trim()).not.toBe("");
  });

  it("defines each key in one feature only", () => {
    const seen = new Map<string, string>();
    for (const [name, b] of Object.entries(bundles)) {
      for (const key of Object.keys(b.en)) {
        expect(seen.get(key), `${key} is in ${seen.get(key)} and ${name}`).toBeUndefined();
        seen.set(key, name);
      }
    }
    expect(Object.keys(dictionaries.en)).toHaveLength(seen.size);
  });

  it("looks keys up across features and fills placeholders", () => {
    expect(translate("en", "kit.ok")).toBe("OK");
    expect(translate("id", "pay.short", { amount: "Rp 500" })).toBe("Masih kurang Rp 500.");
    expect(translate("en", "board.reasonTitle", { no: "T01-000002" })).toBe("Cancel order T01-000002");
    expect(translate("en", "login.pinFor", {})).toBe("PIN for {name}");
  });
});
