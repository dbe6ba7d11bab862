/** App state shared by the screens, and the actions that change it through the backend. */
import {
  commands,
  type Actor,
  type AddLine,
  type Approval,
  type Discount,
  type OrderType,
  type ProductCard_Serialize,
  type Settings,
  type Ticket_Serialize,
} from "../bindings";
import { call, commandError, describeError, needsApproval } from "./api";
import { langFromLocale, translate, type Lang, type MessageKey, type Params } from "./i18n";
import { formatMoney, type MoneyFormat } from "./money";

export type Screen = "loading" | "offline" | "setup" | "login" | "sell" | "board";

export type Toast = { id: number; text: string; kind: "error" | "info" };

export type ApprovalRequest = {
  message: string;
  error: string;
  resolve: (a: Approval | null) => void;
};

const LANG_KEY = "kasir.lang";
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
};

function storedLang(): Lang | null {
  try {
    const v = localStorage.getItem(LANG_KEY);
    return v === "id" || v === "en" ? v : null;
  } catch {
    return null;
  }
}

function storedAutoLock(): number {
  try {
    const v = localStorage.getItem(AUTOLOCK_KEY);
    if (v !== null && /^\d+$/.test(v)) return Number(v);
  } catch {
    /* no storage */
  }
  return 5;
}

export const app = $state({
  screen: "loading" as Screen,
  settings: DEFAULT_SETTINGS as Settings,
  actor: null as Actor | null,
  today: "",
  lang: (storedLang() ?? "id") as Lang,
  /** Minutes of inactivity before the till locks; 0 = never. */
  autoLockMinutes: storedAutoLock(),
  ticket: null as Ticket_Serialize | null,
  toasts: [] as Toast[],
  /** Open dialogs, innermost last; only the top one answers Esc. */
  modals: [] as number[],
  approval: null as ApprovalRequest | null,
  busy: false,
  startupError: "",
});

/** Translates in the current language (reactive when used in markup). */
export function t(key: MessageKey, params?: Params): string {
  return translate(app.lang, key, params);
}

export function moneyFormat(): MoneyFormat {
  return { currency: app.settings.currency, locale: app.settings.locale, minor_unit: app.settings.minor_unit };
}

export function fmt(amount: number): string {
  return formatMoney(amount, moneyFormat());
}

export function errorText(e: unknown): string {
  return describeError(e, app.lang, moneyFormat());
}

export function setLang(lang: Lang): void {
  app.lang = lang;
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    /* no storage */
  }
  document.documentElement.lang = lang;
}

export function setAutoLock(minutes: number): void {
  app.autoLockMinutes = minutes;
  try {
    localStorage.setItem(AUTOLOCK_KEY, String(minutes));
  } catch {
    /* no storage */
  }
}

let toastSeq = 0;
export function toast(text: string, kind: Toast["kind"] = "error", ms = 6000): void {
  const id = ++toastSeq;
  app.toasts.push({ id, text, kind });
  setTimeout(() => dismissToast(id), ms);
}

export function dismissToast(id: number): void {
  const i = app.toasts.findIndex((x) => x.id === id);
  if (i >= 0) app.toasts.splice(i, 1);
}

export function showError(e: unknown): void {
  toast(errorText(e), "error");
}

// ---------- dialogs ----------

let modalSeq = 0;
export function pushModal(): number {
  const id = ++modalSeq;
  app.modals.push(id);
  return id;
}
export function popModal(id: number): void {
  const i = app.modals.indexOf(id);
  if (i >= 0) app.modals.splice(i, 1);
}
export function isTopModal(id: number): boolean {
  return app.modals.length > 0 && app.modals[app.modals.length - 1] === id;
}

/** Asks for a manager's PIN; resolves null when the cashier gives up. */
export function requestApproval(message: string, error = ""): Promise<Approval | null> {
  return new Promise((resolve) => {
    app.approval = {
      message,
      error,
      resolve: (a) => {
        app.approval = null;
        resolve(a);
      },
    };
  });
}

/**
 * Runs `action` without approval; when the backend answers `unauthorized` with
 * `needs_approval`, asks for a manager's PIN and retries until it passes or is given up.
 * Returns null if given up; other errors are thrown.
 */
export async function withApproval<T>(action: (approval: Approval | null) => Promise<T>): Promise<T | null> {
  try {
    return await action(null);
  } catch (e) {
    if (!needsApproval(e)) throw e;
    let message = errorText(e);
    let error = "";
    for (;;) {
      const approval = await requestApproval(message, error);
      if (!approval) return null;
      try {
        return await action(approval);
      } catch (e2) {
        const k = commandError(e2)?.kind;
        if (k === "wrong_pin" || k === "locked_out" || k === "unauthorized") {
          error = errorText(e2);
          if (k === "unauthorized") message = errorText(e2);
          continue;
        }
        throw e2;
      }
    }
  }
}

// ---------- session ----------

export async function start(): Promise<void> {
  app.screen = "loading";
  try {
    const status = await call(commands.appStatus());
    app.settings = status.settings;
    app.today = status.today;
    if (!storedLang()) app.lang = langFromLocale(status.settings.locale);
    document.documentElement.lang = app.lang;
    if (status.needs_setup) {
      app.screen = "setup";
    } else if (status.signed_in) {
      await enterTill(status.signed_in);
    } else {
      app.screen = "login";
    }
  } catch (e) {
    app.startupError = errorText(e);
    app.screen = "offline";
  }
}

/** After sign-in: the sell screen, resuming the newest open (not parked) ticket. */
export async function enterTill(actor: Actor): Promise<void> {
  app.actor = actor;
  app.ticket = null;
  app.screen = "sell";
  try {
    const tickets = await call(commands.listTickets());
    const open = tickets
      .filter((x) => !x.parked)
      .sort((a, b) => (a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : 0));
    if (open.length > 0) app.ticket = await call(commands.ticket(open[0].id));
  } catch (e) {
    showError(e);
  }
}

export async function lock(): Promise<void> {
  if (!app.actor) return;
  try {
    await call(commands.signOut());
  } catch (e) {
    showError(e);
  }
  app.actor = null;
  app.ticket = null;
  app.approval?.resolve(null);
  app.screen = "login";
}

// ---------- ticket ----------

let opening: Promise<Ticket_Serialize> | null = null;

/** The current ticket, opened lazily; concurrent callers share one `openTicket`. */
async function ensureTicket(orderType: OrderType = "dine_in", label = ""): Promise<Ticket_Serialize> {
  if (app.ticket) return app.ticket;
  if (!opening) {
    opening = call(commands.openTicket(orderType, label))
      .then((tk) => {
        app.ticket = tk;
        return tk;
      })
      .finally(() => {
        opening = null;
      });
  }
  return opening;
}

/** Runs a ticket change; shows any error as a toast. Returns true on success. */
async function ticketOp(op: () => Promise<Ticket_Serialize | null>): Promise<boolean> {
  try {
    const tk = await op();
    if (tk) app.ticket = tk;
    return true;
  } catch (e) {
    showError(e);
    return false;
  }
}

export async function addLine(line: Omit<AddLine, "quantity"> & { quantity?: number }): Promise<boolean> {
  return ticketOp(async () => {
    const tk = await ensureTicket();
    return call(
      commands.addToTicket(tk.id, {
        product_id: line.product_id,
        modifier_ids: line.modifier_ids,
        note: line.note,
        quantity: line.quantity ?? 1,
      }),
    );
  });
}

/** Adds a product without modifiers; returns "modifiers" when a chooser is needed instead. */
export async function quickAdd(card: ProductCard_Serialize): Promise<"added" | "modifiers" | "failed"> {
  if (!card.available) {
    toast(t("err.soldOut", { name: card.name }));
    return "failed";
  }
  if (card.has_modifiers) return "modifiers";
  return (await addLine({ product_id: card.id, modifier_ids: [], note: "" })) ? "added" : "failed";
}

export async function setQuantity(lineId: string, quantity: number): Promise<boolean> {
  const tk = app.ticket;
  if (!tk) return false;
  if (quantity < 1) return false; // removing a line is its own, explicit action (✕)
  return ticketOp(() => call(commands.setLineQuantity(tk.id, lineId, quantity)));
}

export async function removeLine(lineId: string): Promise<boolean> {
  const tk = app.ticket;
  if (!tk) return false;
  return ticketOp(() => call(commands.removeLine(tk.id, lineId)));
}

export async function setInfo(orderType: OrderType, label: string): Promise<boolean> {
  return ticketOp(async () => {
    const wasOpen = !!app.ticket || !!opening;
    const tk = await ensureTicket(orderType, label);
    if (!wasOpen && tk.order_type === orderType && tk.label === label) return tk;
    return call(commands.setTicketInfo(tk.id, orderType, label));
  });
}

export async function setLineDiscount(lineId: string, discount: Discount | null): Promise<boolean> {
  const tk = app.ticket;
  if (!tk) return false;
  return ticketOp(() => withApproval((a) => call(commands.setLineDiscount(tk.id, lineId, discount, a))));
}

export async function setOrderDiscount(discount: Discount | null): Promise<boolean> {
  const tk = app.ticket;
  if (!tk) return false;
  return ticketOp(() => withApproval((a) => call(commands.setOrderDiscount(tk.id, discount, a))));
}

export async function parkTicket(): Promise<boolean> {
  const tk = app.ticket;
  if (!tk || tk.lines.length === 0) return false;
  try {
    await call(commands.setTicketParked(tk.id, true));
    app.ticket = null;
    toast(t("ticket.parked"), "info", 2500);
    return true;
  } catch (e) {
    showError(e);
    return false;
  }
}

export async function discardTicket(): Promise<boolean> {
  const tk = app.ticket;
  if (!tk) return false;
  try {
    await call(commands.discardTicket(tk.id));
    app.ticket = null;
    return true;
  } catch (e) {
    showError(e);
    return false;
  }
}

/** Resumes another ticket; the current one is parked (or dropped when empty) first. */
export async function resumeTicket(id: string, parked: boolean): Promise<boolean> {
  try {
    const cur = app.ticket;
    if (cur && cur.id !== id) {
      if (cur.lines.length > 0) await call(commands.setTicketParked(cur.id, true));
      else await call(commands.discardTicket(cur.id));
      app.ticket = null;
    }
    app.ticket = parked ? await call(commands.setTicketParked(id, false)) : await call(commands.ticket(id));
    return true;
  } catch (e) {
    showError(e);
    return false;
  }
}
