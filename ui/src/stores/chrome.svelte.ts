/**
 * The UI chrome: the cashier's language, toasts, the open dialogs and the route. Nothing here
 * talks to the backend.
 */
import { describeError } from "../lib/api";
import { translate, type Lang, type MessageKey, type Params } from "../lib/i18n";
import { Router } from "../lib/router.svelte";
import { moneyFormat, session } from "./session.svelte";

export type Toast = { id: number; text: string; kind: "error" | "info" };

const LANG_KEY = "kasir.lang";

/** The screens. "loading" and "offline" are the start-up states; "admin" is admin mode. */
export const ROUTES = ["loading", "offline", "setup", "login", "sell", "board", "admin"] as const;
export type Route = (typeof ROUTES)[number];

/** The screen shown, with its history (Esc on the board goes back to selling). */
export const router = new Router<Route>(ROUTES, "loading");

/** Routes that show the signed-in frame (top bar, key legend, till shortcuts, the scanner). */
export const TILL_ROUTES: readonly Route[] = ["sell", "board"];

/** Routes under the top bar: the till's, and admin mode. */
export const FRAMED_ROUTES: readonly Route[] = [...TILL_ROUTES, "admin"];

export function storedLang(): Lang | null {
  try {
    const v = localStorage.getItem(LANG_KEY);
    return v === "id" || v === "en" ? v : null;
  } catch {
    return null;
  }
}

export const chrome = $state({
  lang: (storedLang() ?? "id") as Lang,
  toasts: [] as Toast[],
  /** Open dialogs, innermost last. */
  modals: [] as number[],
  /** An order whose receipt was just scanned: the orders board opens its refund. */
  refundOrder: null as string | null,
});

/** Translates in the current language (reactive when used in markup). */
export function t(key: MessageKey, params?: Params): string {
  return translate(chrome.lang, key, params);
}

export function setLang(lang: Lang): void {
  chrome.lang = lang;
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    /* no storage */
  }
  document.documentElement.lang = lang;
}

/** A backend error as one sentence in the cashier's language (times in the shop's zone). */
export function errorText(e: unknown): string {
  return describeError(e, chrome.lang, moneyFormat(), session.settings.time_zone);
}

let toastSeq = 0;
export function toast(text: string, kind: Toast["kind"] = "error", ms = 6000): void {
  const id = ++toastSeq;
  chrome.toasts.push({ id, text, kind });
  setTimeout(() => dismissToast(id), ms);
}

export function dismissToast(id: number): void {
  const i = chrome.toasts.findIndex((x) => x.id === id);
  if (i >= 0) chrome.toasts.splice(i, 1);
}

export function showError(e: unknown): void {
  toast(errorText(e), "error");
}

let modalSeq = 0;
export function pushModal(): number {
  const id = ++modalSeq;
  chrome.modals.push(id);
  return id;
}
export function popModal(id: number): void {
  const i = chrome.modals.indexOf(id);
  if (i >= 0) chrome.modals.splice(i, 1);
}
