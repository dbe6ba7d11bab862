/** Money is an integer count of the currency's minor unit; this module only formats and parses it. */

export type MoneyFormat = {
  currency: string;
  locale: string;
  minor_unit: number;
};

/** Symbol and whether a space follows it. Unknown currencies fall back to the ISO code + space. */
const SYMBOLS: Record<string, { symbol: string; space: boolean }> = {
  IDR: { symbol: "Rp", space: true },
  USD: { symbol: "$", space: false },
  EUR: { symbol: "€", space: false },
  SGD: { symbol: "S$", space: false },
  MYR: { symbol: "RM", space: true },
};

function separators(locale: string): { group: string; decimal: string } {
  const lang = locale.toLowerCase();
  if (lang.startsWith("id") || lang.startsWith("de") || lang.startsWith("nl")) {
    return { group: ".", decimal: "," };
  }
  if (lang.startsWith("en") || lang.startsWith("ms")) {
    return { group: ",", decimal: "." };
  }
  try {
    const parts = new Intl.NumberFormat(locale).formatToParts(12345.6);
    const group = parts.find((p) => p.type === "group")?.value ?? ",";
    const decimal = parts.find((p) => p.type === "decimal")?.value ?? ".";
    return { group: group.replace(/\s/g, " "), decimal };
  } catch {
    return { group: ",", decimal: "." };
  }
}

function groupDigits(digits: string, sep: string): string {
  let out = "";
  for (let i = 0; i < digits.length; i++) {
    const fromEnd = digits.length - i;
    out += digits[i];
    if (fromEnd > 1 && (fromEnd - 1) % 3 === 0) out += sep;
  }
  return out;
}

/** Formats the digits only: 25000 → "25.000" (IDR, id-ID), 2500 → "25.00" (USD, en-US). */
export function formatAmount(amount: number, fmt: MoneyFormat): string {
  const { group, decimal } = separators(fmt.locale);
  const mu = Math.max(0, Math.trunc(fmt.minor_unit));
  const abs = Math.abs(Math.trunc(amount));
  const factor = 10 ** mu;
  const whole = Math.floor(abs / factor);
  const frac = abs - whole * factor;
  let s = groupDigits(String(whole), group);
  if (mu > 0) s += decimal + String(frac).padStart(mu, "0");
  return (amount < 0 ? "-" : "") + s;
}

/** "Rp 25.000" for IDR/id-ID, "$25.00" for USD/en-US, "-Rp 5.000" for negatives. */
export function formatMoney(amount: number, fmt: MoneyFormat): string {
  const sym = SYMBOLS[fmt.currency.toUpperCase()] ?? { symbol: fmt.currency.toUpperCase(), space: true };
  const digits = formatAmount(Math.abs(amount), fmt);
  return (amount < 0 ? "-" : "") + sym.symbol + (sym.space ? " " : "") + digits;
}

/**
 * Reads what a cashier typed (in major units) as minor units, or null if it is not a number.
 * IDR: "50000" or "50.000" → 50000. USD: "50" → 5000, "12.5" or "12,50" → 1250.
 */
export function parseMoney(text: string, fmt: MoneyFormat): number | null {
  const t = text.trim().replace(/\s/g, "").replace(/^(rp|\$)/i, "");
  if (t === "") return null;
  const mu = Math.max(0, Math.trunc(fmt.minor_unit));
  if (mu === 0) {
    if (!/^[0-9.,]+$/.test(t)) return null;
    const digits = t.replace(/[.,]/g, "");
    if (digits === "") return null;
    return Number(digits);
  }
  if (!/^[0-9.,]+$/.test(t)) return null;
  // The last separator followed by 1..mu digits is the decimal point; the others group.
  const m = t.match(/^(.*?)(?:[.,](\d*))?$/);
  if (!m) return null;
  let whole = m[1];
  let frac = m[2] ?? "";
  if (frac.length > mu) {
    // "1,000" style grouping with no decimals.
    whole = t;
    frac = "";
  }
  whole = whole.replace(/[.,]/g, "");
  if (whole === "" && frac === "") return null;
  return Number(whole || "0") * 10 ** mu + Number((frac + "0".repeat(mu)).slice(0, mu));
}

/** Shows an amount as an editable major-unit string: 50000 → "50000" (IDR), 5000 → "50.00" (USD). */
export function amountToInput(amount: number, fmt: MoneyFormat): string {
  const mu = Math.max(0, Math.trunc(fmt.minor_unit));
  if (mu === 0) return String(amount);
  const factor = 10 ** mu;
  const whole = Math.floor(amount / factor);
  return `${whole}.${String(amount - whole * factor).padStart(mu, "0")}`;
}
