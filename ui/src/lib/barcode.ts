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

/** A receipt number as the core writes it (`T01-000123`: the till's code, six or more digits):
 *  the code printed on a receipt carries it, so scanning a receipt finds its order. */
export function looksLikeReceiptNo(code: string): boolean {
  return /^[A-Za-z0-9]{1,16}-[0-9]{6,12}$/.test(code);
}

/** When a key was pressed, as the detector and those giving back a scan's keys count it (ms). */
export function keyTime(e: KeyboardEvent): number {
  return e.timeStamp || performance.now();
}

/** A scan: its code, and when its first key came (every key since then was the scanner's). */
export type Scan = { code: string; began: number };

const scanListeners = new Set<(scan: Scan) => void>();

/** Hears every scan the till's scanner reads: a control that takes keys without being a text
 *  field (the PIN pad) gives back the ones that came from the scanner. Returns the unsubscribe. */
export function onScan(listener: (scan: Scan) => void): () => void {
  scanListeners.add(listener);
  return () => {
    scanListeners.delete(listener);
  };
}

/** Tells `onScan` listeners about a scan (the scanner does, when Enter closes a burst). */
export function announceScan(scan: Scan): void {
  for (const listener of scanListeners) listener(scan);
}

export class BarcodeDetector {
  private buffer = "";
  private last = -Infinity;
  private started = -Infinity;
  private closedStart = -Infinity;
  readonly maxGap: number;

  constructor(opts: { maxGap?: number } = {}) {
    this.maxGap = opts.maxGap ?? 35;
  }

  /** The characters of the burst under way (for undoing what landed in an input). */
  get pending(): string {
    return this.buffer;
  }

  /** When the burst the last Enter closed began: the time of its first key. */
  get began(): number {
    return this.closedStart;
  }

  reset(): void {
    this.buffer = "";
    this.last = -Infinity;
  }

  key(key: string, time: number): string | null {
    if (key === "Enter") {
      const fast = time - this.last < this.maxGap;
      const code = this.buffer;
      this.closedStart = this.started;
      this.reset();
      return fast && looksLikeBarcode(code) ? code : null;
    }
    if (key === "Shift") return null; // scanners press Shift for capitals
    if (key.length !== 1) {
      this.reset();
      return null;
    }
    if (time - this.last >= this.maxGap) {
      this.buffer = "";
      this.started = time;
    }
    this.buffer += key;
    this.last = time;
    return null;
  }
}
