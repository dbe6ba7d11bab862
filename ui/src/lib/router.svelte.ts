/**
 * A small store-based router. A route is a slash-separated path ("sell", "board",
 * "admin/menu/products"); the router keeps a history stack whose top is the screen shown.
 *
 * - `go(path)` opens a screen on top; going to a screen already in the stack returns to it
 *   (the screens above it close), so toggling between two screens never grows the stack.
 * - `back()` closes the top screen; with nothing below it, it goes up to the nearest known
 *   parent path ("admin/menu/products" → "admin/menu" → "admin"), which is what Esc does.
 * - `reset(path)` starts a new history (after sign-in or lock nothing leads back).
 *
 * Paths are checked against the route list given at creation, so a typo fails loudly.
 */
export class Router<P extends string> {
  #stack = $state<P[]>([]);
  readonly #known: ReadonlySet<P>;

  constructor(paths: readonly P[], initial: P) {
    this.#known = new Set(paths);
    this.#stack = [this.#check(initial)];
  }

  /** The screen shown. */
  get path(): P {
    return this.#stack[this.#stack.length - 1];
  }

  /** The history, oldest first (a copy). */
  get stack(): P[] {
    return [...this.#stack];
  }

  /** The shown path's segments: "admin/menu/products" → ["admin", "menu", "products"]. */
  get segments(): string[] {
    return this.path.split("/");
  }

  /** Whether the shown path is `prefix` or lies under it ("admin" matches "admin/menu"). */
  within(prefix: string): boolean {
    return this.path === prefix || this.path.startsWith(prefix + "/");
  }

  /** The nearest known route above `path`, if any. */
  parentOf(path: P): P | null {
    const parts = path.split("/");
    for (let n = parts.length - 1; n > 0; n--) {
      const up = parts.slice(0, n).join("/");
      if (this.#known.has(up as P)) return up as P;
    }
    return null;
  }

  /** Whether `back()` has somewhere to go. */
  get canGoBack(): boolean {
    return this.#stack.length > 1 || this.parentOf(this.path) !== null;
  }

  go(path: P): void {
    this.#check(path);
    const at = this.#stack.lastIndexOf(path);
    if (at >= 0) this.#stack.splice(at + 1);
    else this.#stack.push(path);
  }

  /** Shows `path` in place of the top screen (e.g. "loading" → "login"). */
  replace(path: P): void {
    this.#check(path);
    this.#stack[this.#stack.length - 1] = path;
    // A path must not appear twice: returning to it would skip the screens between.
    const first = this.#stack.indexOf(path);
    if (first < this.#stack.length - 1) this.#stack.splice(first + 1);
  }

  reset(path: P): void {
    this.#stack = [this.#check(path)];
  }

  /** Closes the top screen, or goes up to its parent; returns false when there is neither. */
  back(): boolean {
    if (this.#stack.length > 1) {
      this.#stack.pop();
      return true;
    }
    const parent = this.parentOf(this.path);
    if (parent === null) return false;
    this.#stack = [parent];
    return true;
  }

  #check(path: P): P {
    if (!this.#known.has(path)) throw new Error(`unknown route: ${path}`);
    return path;
  }
}
