/**
 * The session: the shop's settings and business date, and the signed-in member. Start-up,
 * sign-in and lock go through here; they pick the route and bring the ticket along.
 */
import { commands, type Actor, type AppStatus_Serialize, type MoneyFormat, type Settings } from "../bindings";
import { call } from "../lib/api";
import { langFromLocale } from "../lib/i18n";
import { formatMoney } from "../lib/money";
import { dropApproval } from "./approval.svelte";
import { chrome, errorText, router, showError, storedLang, t, toast } from "./chrome.svelte";
import { clearTicket, setAsideCurrent, ticketsAtSignIn } from "./ticket.svelte";
import { forgetShift, shiftAtSignIn } from "./shift.svelte";

const AUTOLOCK_KEY = "kasir.autolock.minutes";

const DEFAULT_SETTINGS: Settings = {
  shop_name: "Kasir",
  shop_address: "",
  currency: "IDR",
  minor_unit: 0,
  locale: "id-ID",
  time_zone: "Asia/Jakarta",
  tax_rate_bp: 0,
  service_rate_bp: 0,
  prices_include_tax: false,
  cash_rounding: 1,
  receipt_header: "",
  receipt_footer: "",
  terminal_code: "T01",
  tax_number: "",
  auto_lock_minutes: 5,
  require_open_shift: true,
};

/** Until the core answers: how it writes rupiah ("Rp 25.000"). Replaced by `money_format`. */
const DEFAULT_MONEY_FORMAT: MoneyFormat = {
  symbol: "Rp",
  spaced: true,
  group_separator: ".",
  decimal_separator: ",",
  minor_unit: 0,
};

/** This till's own choice of auto-lock minutes, if it made one (the ⚙ menu). */
function storedAutoLock(): number | null {
  try {
    const v = localStorage.getItem(AUTOLOCK_KEY);
    if (v !== null && /^\d+$/.test(v)) return Number(v);
  } catch {
    /* no storage */
  }
  return null;
}

export const session = $state({
  settings: DEFAULT_SETTINGS as Settings,
  /** How the shop writes money, exactly as the core made it (`AppStatus.money_format`). */
  moneyFormat: DEFAULT_MONEY_FORMAT as MoneyFormat,
  /** Today's business date in the shop's time zone. */
  today: "",
  actor: null as Actor | null,
  /** Minutes of inactivity before the till locks; 0 = never. */
  autoLockMinutes: storedAutoLock() ?? 5,
  /** Why the backend could not be reached at start-up. */
  startupError: "",
});

/** The shop's money format, as the core hands it over; the UI never derives one itself. */
export function moneyFormat(): MoneyFormat {
  return session.moneyFormat;
}

/** An amount in the shop's currency: Rp 25.000, $25.00. */
export function fmt(amount: number): string {
  return formatMoney(amount, moneyFormat());
}

export function setAutoLock(minutes: number): void {
  session.autoLockMinutes = minutes;
  try {
    localStorage.setItem(AUTOLOCK_KEY, String(minutes));
  } catch {
    /* no storage */
  }
}

/** Takes the shop's settings, money format and date from the backend's status. */
export function applyStatus(status: AppStatus_Serialize): void {
  session.settings = status.settings;
  session.moneyFormat = status.money_format;
  // The shop's auto-lock, unless this till chose its own.
  session.autoLockMinutes = storedAutoLock() ?? status.settings.auto_lock_minutes;
  session.today = status.today;
}

/** Reads the shop's settings again (the store's may have come from the server). */
export async function reloadSettings(): Promise<void> {
  try {
    applyStatus(await call(commands.appStatus()));
  } catch {
    // The next change tries again; what is shown stays.
  }
}

export async function start(): Promise<void> {
  router.reset("loading");
  try {
    const status = await call(commands.appStatus());
    applyStatus(status);
    if (!storedLang()) chrome.lang = langFromLocale(status.settings.locale);
    document.documentElement.lang = chrome.lang;
    if (status.restored_from) toast(t("top.restored", { path: status.restored_from }), "info", 15_000);
    if (status.restore_failed) toast(t("top.restoreFailed", { reason: status.restore_failed }), "error", 30_000);
    if (status.needs_setup) {
      router.reset("setup");
    } else if (status.signed_in) {
      await enterTill(status.signed_in);
    } else {
      router.reset("login");
    }
  } catch (e) {
    session.startupError = errorText(e);
    router.reset("offline");
  }
}

/**
 * By member: the ticket they were serving when the till locked, parked for them then. It comes
 * back when they sign in again: a lock is a pause, not the cashier putting the sale aside (the
 * customer is often still at the counter). Kept in memory only: after a restart their parked
 * tickets wait in Open tickets, and they are told so.
 */
const setAsideAtLock = new Map<string, string>();

/** After sign-in: the sell screen with the member's own ticket (see `ticketsAtSignIn`): the
 *  one the lock put aside, else their newest open one, else a fresh one when they add. */
export async function enterTill(actor: Actor): Promise<void> {
  session.actor = actor;
  clearTicket();
  router.reset("sell");
  void shiftAtSignIn();
  const back = setAsideAtLock.get(actor.id) ?? null;
  setAsideAtLock.delete(actor.id);
  try {
    await ticketsAtSignIn(actor.id, back);
  } catch (e) {
    showError(e);
  }
}

let locking = false;

/** Locks the till (the lock button, Ctrl+L, the auto-lock): the ticket on screen is parked for
 *  the member serving it, whoever signs in next starts afresh. */
export async function lock(): Promise<void> {
  const actor = session.actor;
  if (!actor || locking) return;
  locking = true;
  try {
    dropApproval();
    const parked = await setAsideCurrent();
    if (parked) setAsideAtLock.set(actor.id, parked);
    try {
      await call(commands.signOut());
    } catch (e) {
      showError(e);
    }
    session.actor = null;
    clearTicket();
    forgetShift();
    router.reset("login");
  } finally {
    locking = false;
  }
}
