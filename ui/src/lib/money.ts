/**
 * Money is an integer count of the currency's minor unit; this module only formats and parses
 * it, with the `MoneyFormat` the core hands the UI (`AppStatus.money_format`). The UI keeps no
 * currency table of its own: symbol, spacing, separators and minor digits all come from the
 * core, and `tests/money-cases.json` (written by the core) proves the two print alike.
 */
import type { MoneyFormat } from "../bindings";

export type { MoneyFormat };

/** The most digits after the decimal point any currency has; the core clamps to it too. */
const MAX_MINOR_UNIT = 4;

function minorDigits(fmt: MoneyFormat): number {
  return Math.min(MAX_MINOR_UNIT, Math.max(0, Math.trunc(fmt.minor_unit)));
}

/** Whole and fraction digits of a non-negative integer amount, exact for every safe integer. */
function split(abs: number, mu: number): { whole: string; frac: string } {
  const digits = String(abs).padStart(mu + 1, "0");
  return { whole: digits.slice(0, digits.length - mu), frac: digits.slice(digits.length - mu) };
}

function groupDigits(digits: string, sep: string): string {
  let out = "";
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += sep;
    out += digits[i];
  }
  return out;
}

/** The amount without the symbol: 25000 → "25.000" (Rp), 123450 → "1,234.50" ($), -5000 → "-5.000". */
export function formatAmount(amount: number, fmt: MoneyFormat): string {
  const mu = minorDigits(fmt);
  const n = Math.trunc(amount);
  const { whole, frac } = split(Math.abs(n), mu);
  let s = groupDigits(whole, fmt.group_separator);
  if (mu > 0) s += fmt.decimal_separator + frac;
  return (n < 0 ? "-" : "") + s;
}

/** As the core writes it: "Rp 25.000", "$25.00", "-Rp 5.000" (the sign before the symbol). */
export function formatMoney(amount: number, fmt: MoneyFormat): string {
  const n = Math.trunc(amount);
  return (n < 0 ? "-" : "") + fmt.symbol + (fmt.spaced ? " " : "") + formatAmount(Math.abs(n), fmt);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Reads what a cashier typed (in major units) as minor units, or null if it is not a number.
 * The format's own symbol may lead. Either "." or "," (or the format's separators) may be
 * typed: the last one followed by at most `minor_unit` digits is the decimal point (unless it
 * is the group separator followed by exactly three digits); the others group.
 * Rp: "50000" or "50.000" → 50000. $: "50" → 5000, "12.5" or "12,50" → 1250, "1,000" → 100000.
 */
export function parseMoney(text: string, fmt: MoneyFormat): number | null {
  let t = text.replace(/\s/g, "");
  const symbol = fmt.symbol.replace(/\s/g, "");
  if (symbol) t = t.replace(new RegExp("^" + escapeRegExp(symbol), "i"), "");
  if (t === "") return null;
  const seps = new Set([".", ",", fmt.group_separator, fmt.decimal_separator].filter((s) => s !== "" && !/\s/.test(s)));
  const isSep = (c: string) => seps.has(c);
  for (const c of t) if (!/[0-9]/.test(c) && !isSep(c)) return null;
  const digitsOnly = (s: string) => [...s].filter((c) => !isSep(c)).join("");
  const mu = minorDigits(fmt);

  let whole = t;
  let frac = "";
  if (mu > 0) {
    let last = -1;
    for (let i = t.length - 1; i >= 0; i--) {
      if (isSep(t[i])) {
        last = i;
        break;
      }
    }
    if (last >= 0) {
      const after = t.slice(last + 1);
      const sep = t[last];
      const isDecimal = after.length <= mu && (sep === fmt.decimal_separator || after.length !== 3);
      if (isDecimal) {
        whole = t.slice(0, last);
        frac = after;
      }
    }
  }
  whole = digitsOnly(whole);
  if (whole === "" && frac === "") return null;
  return Number(whole || "0") * 10 ** mu + Number((frac + "0".repeat(mu)).slice(0, mu) || "0");
}

/** An amount as an editable major-unit string: 50000 → "50000" (Rp), 5000 → "50.00" ($), "50,00" (€ in de-DE). */
export function amountToInput(amount: number, fmt: MoneyFormat): string {
  const mu = minorDigits(fmt);
  const n = Math.trunc(amount);
  const { whole, frac } = split(Math.abs(n), mu);
  return (n < 0 ? "-" : "") + (mu === 0 ? whole : whole + fmt.decimal_separator + frac);
}
