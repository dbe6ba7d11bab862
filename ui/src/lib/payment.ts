/** Pay-dialog arithmetic: the only money the UI works out itself (quick amounts, change preview). */

/** Banknotes offered as quick amounts, in minor units. */
export function notesFor(currency: string, minorUnit: number): number[] {
  const unit = 10 ** minorUnit;
  if (currency.toUpperCase() === "IDR") return [5000, 10000, 20000, 50000, 100000].map((n) => n * unit);
  return [5, 10, 20, 50, 100].map((n) => n * unit);
}

function ceilTo(amount: number, step: number): number {
  return Math.ceil(amount / step) * step;
}

/**
 * Cash quick amounts above `due` (the "Exact" button is separate): the due rounded up to the
 * two smallest notes, every single note at or above the due, and for a due above the largest
 * note, the due rounded up to the two largest notes. Each amount once, ascending, above due.
 */
export function quickAmounts(due: number, notes: number[]): number[] {
  if (due <= 0 || notes.length === 0) return [];
  const sorted = [...notes].sort((a, b) => a - b);
  const out = new Set<number>();
  for (const n of sorted.slice(0, 2)) out.add(ceilTo(due, n));
  for (const n of sorted) if (n >= due) out.add(n);
  const largest = sorted[sorted.length - 1];
  if (due > largest) for (const n of sorted.slice(-2)) out.add(ceilTo(due, n));
  return [...out].filter((a) => a > due).sort((a, b) => a - b);
}
