/**
 * Keyboard shortcuts, scoped to the screen or dialog that owns them.
 *
 * A component opens a *scope* while it is mounted (`shortcutScope`) and its children add
 * shortcuts to the nearest one (`useShortcuts`); both go away when the component does. Scopes
 * have a level: `app` (the signed-in frame: F8, Ctrl+L), `screen` (sell, board, login) and
 * `dialog`. One window listener dispatches each key:
 *
 * - only the newest scope of each level is live (a screen being replaced is not);
 * - an open dialog covers everything below it: screens and the frame get no keys, except
 *   shortcuts marked `always` (locking the till works whatever is open);
 * - the first matching shortcut, from the top scope down, runs; it may return `false` to
 *   decline (the key goes on down), otherwise the key's default is prevented.
 */
import { getContext, onDestroy, setContext } from "svelte";

export type Level = "app" | "screen" | "dialog";

export type Shortcut = {
  /** "F8", "Escape", "Enter", "/", "7", "Ctrl+L", "Shift+Tab". A named key must match Shift
   *  exactly; a character key ignores Shift unless it says so (the character reflects it). */
  key: string;
  run: (e: KeyboardEvent) => void | false;
  /** Also when the focus is in a text field (default true). */
  inFields?: boolean;
  /** Even when a dialog covers this scope. */
  always?: boolean;
  /** Prevent the key's default when run (default true). */
  preventDefault?: boolean;
};

const RANK: Record<Level, number> = { app: 0, screen: 1, dialog: 2 };
const CONTEXT = Symbol("shortcut scope");

let seq = 0;
const open: Scope[] = [];

export class Scope {
  readonly level: Level;
  readonly #order = ++seq;
  #sets: Shortcut[][] = [];

  constructor(level: Level) {
    this.level = level;
  }

  /** Adds shortcuts; returns the function that removes them. */
  add(shortcuts: Shortcut[]): () => void {
    this.#sets.push(shortcuts);
    return () => {
      this.#sets = this.#sets.filter((s) => s !== shortcuts);
    };
  }

  get shortcuts(): Shortcut[] {
    return this.#sets.flat();
  }

  /** Whether this scope gets keys now (nothing of its level or above is newer). */
  get live(): boolean {
    return liveScopes().includes(this);
  }

  close(): void {
    const i = open.indexOf(this);
    if (i >= 0) open.splice(i, 1);
    if (open.length === 0) window.removeEventListener("keydown", dispatch);
  }

  static compare(a: Scope, b: Scope): number {
    return RANK[b.level] - RANK[a.level] || b.#order - a.#order;
  }
}

/** Opens a scope outside a component (close it yourself). */
export function openScope(level: Level, shortcuts: Shortcut[] = []): Scope {
  const scope = new Scope(level);
  scope.add(shortcuts);
  if (open.length === 0) window.addEventListener("keydown", dispatch);
  open.push(scope);
  return scope;
}

/** In a component's setup: a scope for it and its children, closed when it is destroyed. */
export function shortcutScope(level: Level, shortcuts: Shortcut[] = []): Scope {
  const scope = openScope(level, shortcuts);
  setContext(CONTEXT, scope);
  onDestroy(() => scope.close());
  return scope;
}

/** In a component's setup: shortcuts in the nearest scope (a screen scope of its own if it
 *  has none), removed when the component is destroyed. */
export function useShortcuts(shortcuts: Shortcut[]): void {
  const scope = getContext<Scope | undefined>(CONTEXT);
  if (scope) onDestroy(scope.add(shortcuts));
  else shortcutScope("screen", shortcuts);
}

/** The scopes that get keys, top first: the newest of each level. */
function liveScopes(): Scope[] {
  const seen = new Set<Level>();
  return [...open].sort(Scope.compare).filter((s) => !seen.has(s.level) && seen.add(s.level));
}

function isField(el: EventTarget | null): boolean {
  return (
    el instanceof HTMLInputElement ||
    el instanceof HTMLTextAreaElement ||
    el instanceof HTMLSelectElement ||
    (el instanceof HTMLElement && el.isContentEditable)
  );
}

/** Whether `e` is the key `combo` names. */
export function matches(combo: string, e: KeyboardEvent): boolean {
  const parts = combo === "+" ? ["+"] : combo.split("+");
  const key = parts.pop()!;
  const mods = new Set(parts.map((m) => m.toLowerCase()));
  if (e.ctrlKey !== mods.has("ctrl") || e.altKey !== mods.has("alt") || e.metaKey !== mods.has("meta")) return false;
  const named = key.length > 1;
  if ((named || mods.has("shift")) && e.shiftKey !== mods.has("shift")) return false;
  return named ? e.key === key : e.key.toLowerCase() === key.toLowerCase();
}

function dispatch(e: KeyboardEvent): void {
  if (e.defaultPrevented) return;
  let covered = false;
  for (const scope of liveScopes()) {
    for (const s of scope.shortcuts) {
      if ((covered && !s.always) || !matches(s.key, e)) continue;
      if (s.inFields === false && isField(e.target)) continue;
      if (s.run(e) === false) continue;
      if (s.preventDefault !== false) e.preventDefault();
      return;
    }
    if (scope.level === "dialog") covered = true;
  }
}
