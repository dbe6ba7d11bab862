/**
 * Tells a barcode scanner from a person: a scanner "types" its code as a burst of keystrokes
 * less than `maxGap` ms apart and ends it with Enter. Feed it every keydown (key + time); it
 * returns the code when Enter closes a burst of at least `minLength` characters.
 */
export class BarcodeDetector {
  private buffer = "";
  private last = -Infinity;
  readonly maxGap: number;
  readonly minLength: number;

  constructor(opts: { maxGap?: number; minLength?: number } = {}) {
    this.maxGap = opts.maxGap ?? 35;
    this.minLength = opts.minLength ?? 4;
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
      return fast && code.length >= this.minLength ? code : null;
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
