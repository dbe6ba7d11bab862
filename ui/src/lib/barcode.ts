/**
 * Tells a barcode scanner from a person by timing and by shape. A scanner "types" its code as a
 * burst of keystrokes less than `maxGap` ms apart and ends it with Enter; and what it types
 * looks like a barcode (`looksLikeBarcode`): a word typed quickly ("bolu") does not. Feed the
 * detector every keydown (key + time); it returns the code when Enter closes such a burst.
 */

/** The core's barcode format (4 to 64 printable ASCII characters, no spaces) with at least
 *  one digit: what shops print (EAN, UPC, Code 128 with numbers), and never a plain word. */
export function looksLikeBarcode(code: string): boolean {
  return /^[\x21-\x7e]{4,64}$/.test(code) && /[0-9]/.test(code);
}

export class BarcodeDetector {
  private buffer = "";
  private last = -Infinity;
  readonly maxGap: number;

  constructor(opts: { maxGap?: number } = {}) {
    this.maxGap = opts.maxGap ?? 35;
  }

  /** The characters of the burst under way (for undoing what landed in an input). */
  get pending(): string {
    return this.buffer;
  }

  reset(): void {
    this.buffer = "";
    this.last = -Infinity;
  }

  key(key: string, time: number): string | null {
    if (key === "Enter") {
      const fast = time - this.last < this.maxGap;
      const code = this.buffer;
      this.reset();
      return fast && looksLikeBarcode(code) ? code : null;
    }
    if (key === "Shift") return null; // scanners press Shift for capitals
    if (key.length !== 1) {
      this.reset();
      return null;
    }
    if (time - this.last >= this.maxGap) this.buffer = "";
    this.buffer += key;
    this.last = time;
    return null;
  }
}
