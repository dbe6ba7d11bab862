import { commands, type CommandError, type Field, type OrderStatus, type Permission, type Rule } from "../bindings";
import { formatMoney, type MoneyFormat } from "./money";
import { translate, type Lang, type MessageKey, type Params } from "./i18n";

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: CommandError };

/** A backend command's error, thrown so callers can use try/catch. */
export class ApiError extends Error {
  readonly error: CommandError;
  constructor(error: CommandError) {
    super(error.kind);
    this.error = error;
  }
}

/** Awaits a command and returns its data, or throws `ApiError` with the backend's error. */
export async function call<T>(promise: Promise<Result<T>>): Promise<T> {
  const r = await promise;
  if (r.status === "ok") return r.data;
  throw new ApiError(r.error);
}

/** Every kind a command can fail with (a new one on the Rust side fails the type check here). */
const KINDS = {
  invalid: true,
  not_found: true,
  duplicate: true,
  insufficient_stock: true,
  empty_ticket: true,
  no_open_shift: true,
  shift_already_open: true,
  ticket_of_another: true,
  underpaid: true,
  overpaid: true,
  invalid_transition: true,
  already_set_up: true,
  forbidden: true,
  signed_out: true,
  wrong_pin: true,
  locked_out: true,
  overflow: true,
  unsent_entries: true,
  sync: true,
  internal: true,
} satisfies Record<CommandError["kind"], true>;

/** The CommandError inside anything thrown, if there is one. Kinds without parameters
 *  (`empty_ticket`, `signed_out` …) come without `data`. */
export function commandError(e: unknown): CommandError | null {
  if (e instanceof ApiError) return e.error;
  if (e && typeof e === "object" && "kind" in e && typeof e.kind === "string" && Object.hasOwn(KINDS, e.kind)) {
    return e as CommandError;
  }
  return null;
}

/** Whether a manager's PIN would let the action through. */
export function needsApproval(e: unknown): boolean {
  const err = commandError(e);
  return err?.kind === "forbidden" && err.data.needs_approval;
}

/** The input an `invalid` or `duplicate` error points at, for a form that shows errors by its fields. */
export function invalidField(e: unknown): Field | null {
  const err = commandError(e);
  return err?.kind === "invalid" || err?.kind === "duplicate" ? err.data.field : null;
}

/** The clock time of an RFC 3339 instant in the shop's time zone (not the machine's). */
export function clockTime(ts: string, withSeconds = true, timeZone?: string): string {
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  try {
    return new Intl.DateTimeFormat("en-GB", {
      hour: "2-digit",
      minute: "2-digit",
      second: withSeconds ? "2-digit" : undefined,
      hourCycle: "h23",
      timeZone,
    }).format(d);
  } catch {
    const pad = (n: number) => String(n).padStart(2, "0");
    const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    return withSeconds ? `${hm}:${pad(d.getSeconds())}` : hm;
  }
}

/**
 * Date and time of an RFC 3339 instant in the shop's time zone, written the user's way
 * ("4 Des 2026, 07.40"); `year` and `seconds` when a list needs them. Unreadable: as given.
 */
export function shopDateTime(
  ts: string,
  lang: Lang,
  timeZone: string,
  { year = false, seconds = false }: { year?: boolean | "2-digit"; seconds?: boolean } = {},
): string {
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  return d.toLocaleString(lang === "id" ? "id-ID" : "en-GB", {
    timeZone,
    day: "numeric",
    month: "short",
    year: year === "2-digit" ? "2-digit" : year ? "numeric" : undefined,
    hour: "2-digit",
    minute: "2-digit",
    second: seconds ? "2-digit" : undefined,
  });
}

/** A field's name in the user's language ("Nama", "Table / name"). */
export function fieldName(lang: Lang, field: Field): string {
  return translate(lang, `field.${field}` as const);
}

/** What a permission allows, as a verb phrase ("membatalkan pesanan", "give discounts"). */
export function permissionAction(lang: Lang, permission: Permission): string {
  return translate(lang, `perm.${permission}` as const);
}

/** The board's word for an order status; the status itself if the core sends one it does not know. */
const STATUS_WORDS: Record<OrderStatus, MessageKey> = {
  pending: "board.pending",
  preparing: "board.preparing",
  ready: "board.ready",
  completed: "board.completed",
  cancelled: "board.status.cancelled",
};

/** A payment method's name ("Tunai", "QRIS"); the code itself if the core sends one it does not know. */
export function methodWord(lang: Lang, method: string): string {
  const known = ["cash", "card", "qris", "ewallet", "points", "wallet"];
  return known.includes(method) ? translate(lang, `pay.${method}` as MessageKey) : method;
}

function statusWord(lang: Lang, status: string): string {
  return Object.hasOwn(STATUS_WORDS, status) ? translate(lang, STATUS_WORDS[status as OrderStatus]) : status;
}

/** Fields whose numbers are amounts in minor units (formatted as money, not counts). */
const MONEY_FIELDS: ReadonlySet<Field> = new Set<Field>(["amount", "cash_rounding", "price", "price_delta", "discount", "float", "counted", "min_order"]);

function count(lang: Lang, n: number): string {
  return new Intl.NumberFormat(lang === "id" ? "id-ID" : "en-US").format(n);
}

/** Basis points as a percentage in the user's language: 1050 → "10.5%" / "10,5%". */
export function percent(lang: Lang, bp: number): string {
  return new Intl.NumberFormat(lang === "id" ? "id-ID" : "en-US", { maximumFractionDigits: 2 }).format(bp / 100) + "%";
}

/** What broke a rule, without the field ("paling banyak 60 karakter"). */
export function describeRule(rule: Rule, field: Field, lang: Lang, money: MoneyFormat): string {
  const tr = (key: MessageKey, params?: Params) => translate(lang, key, params);
  const n = (x: number) => (MONEY_FIELDS.has(field) ? formatMoney(x, money) : count(lang, x));
  switch (rule.rule) {
    case "required":
    case "control_characters":
    case "zero":
    case "negative":
    case "not_positive":
    case "too_large":
    case "repeated":
    case "foreign":
    case "not_an_id":
    case "choice_bounds":
    case "above_warning":
    case "not_tracked":
    case "waste_adds_stock":
    case "barcode_format":
    case "currency_code":
    case "language_tag":
    case "terminal_code_format":
    case "set_by_server":
    case "last_admin":
    case "no_folder":
    case "printer_address":
    case "no_printer":
    case "not_reprintable":
    case "folder_unusable":
    case "not_a_backup":
    case "backup_damaged":
    case "backup_too_new":
    case "no_restore_pending":
    case "backup_of_another_till":
    case "file_empty":
    case "image_format":
    case "image_unreadable":
    case "has_refunds":
    case "fully_refunded":
    case "not_a_denomination":
    case "from_another_shift":
    case "phone_format":
    case "email_format":
    case "inactive":
    case "tiers_out_of_order":
    case "needs_member":
    case "points_not_spendable":
    case "not_bought":
    case "code_format":
    case "dates_out_of_order":
    case "usage_limit_reached":
    case "member_limit_reached":
    case "nothing_to_discount":
    case "out_of_stock":
    case "free_item":
      return tr(`rule.${rule.rule}`);
    case "not_started":
      return tr("rule.not_started", { from: rule.from });
    case "expired":
      return tr("rule.expired", { until: rule.until });
    case "minimum_not_reached":
      return tr("rule.minimum_not_reached", { minimum: formatMoney(rule.minimum, money) });
    case "customer_group":
      return tr("rule.customer_group", { group: translate(lang, `group.${rule.group}` as MessageKey) });
    case "not_enough_in_wallet":
      return tr("rule.not_enough_in_wallet", { held: formatMoney(rule.held, money) });
    case "not_whole_points":
      return tr("rule.not_whole_points", { value: formatMoney(rule.point_value, money) });
    case "not_enough_points":
      return tr("rule.not_enough_points", { held: count(lang, rule.held) });
    case "offline_points_limit":
      return tr("rule.offline_points_limit", { left: count(lang, rule.left) });
    case "offline_wallet_limit":
      return tr("rule.offline_wallet_limit", { left: formatMoney(rule.left, money) });
    case "refund_exceeds_sold":
      return tr("rule.refund_exceeds_sold", { product: rule.product, left: count(lang, rule.left) });
    case "not_paid_with":
      return tr("rule.not_paid_with", { method: methodWord(lang, rule.method) });
    case "more_than_paid_with":
      return tr("rule.more_than_paid_with", { method: methodWord(lang, rule.method), left: formatMoney(rule.left, money) });
    case "too_long":
      return tr("rule.too_long", { max: count(lang, rule.max) });
    case "out_of_range":
      return tr("rule.out_of_range", { min: n(rule.min), max: n(rule.max) });
    case "percent_range":
      return tr("rule.percent_range", { min: percent(lang, rule.min_bp), max: percent(lang, rule.max_bp) });
    case "discount_exceeds":
      return tr("rule.discount_exceeds", { discount: formatMoney(rule.discount, money), base: formatMoney(rule.base, money) });
    case "too_many":
      return tr("rule.too_many", { max: count(lang, rule.max) });
    case "unknown":
      return tr("rule.unknown", { value: rule.value });
    case "choices":
      if (rule.min === rule.max) return tr("rule.choices_exactly", { n: rule.min, group: rule.group });
      if (rule.min === 0) return tr("rule.choices_up_to", { max: rule.max, group: rule.group });
      return tr("rule.choices_range", { min: rule.min, max: rule.max, group: rule.group });
    case "no_longer_sold":
    case "options_changed":
    case "below_zero":
      return tr(`rule.${rule.rule}`, { product: rule.product });
    case "pin_digits":
      return tr("rule.pin_digits", { min: rule.min, max: rule.max });
    case "file_too_large":
      return tr("rule.file_too_large", { max: count(lang, rule.max_mb) });
    case "too_many_pixels":
      return tr("rule.too_many_pixels", { max: count(lang, rule.max_megapixels) });
    case "unreadable":
      return tr(`rule.unreadable.${rule.expected}`);
    case "csv_columns":
      return tr("rule.csv_columns", { missing: rule.missing.join(", ") || "—", unknown: rule.unknown.join(", ") || "—" });
    case "csv_syntax":
      return tr("rule.csv_syntax", { line: count(lang, rule.line) });
    default: {
      const unworded: never = rule;
      return tr("err.unknown", { message: JSON.stringify(unworded) });
    }
  }
}

/**
 * One sentence for the cashier, in their language: every code the core sends is worded here,
 * amounts in the shop's money format, the field, role and permission by their names. Only
 * `internal` shows the core's own text (after a sentence saying something went wrong).
 * `timeZone` is the shop's, for the time a lock-out ends.
 */
export function describeError(e: unknown, lang: Lang, money: MoneyFormat, timeZone?: string): string {
  const tr = (key: MessageKey, params?: Params) => translate(lang, key, params);
  const err = commandError(e);
  if (!err) {
    const message = e instanceof Error ? e.message : String(e);
    return tr("err.unknown", { message });
  }
  const cash = (x: number) => formatMoney(x, money);
  switch (err.kind) {
    case "invalid":
      return tr("err.invalid", {
        field: fieldName(lang, err.data.field),
        rule: describeRule(err.data.rule, err.data.field, lang, money),
      });
    case "not_found":
      return tr(`err.notFound.${err.data.entity}`);
    case "duplicate":
      return tr("err.duplicate", { field: fieldName(lang, err.data.field), value: err.data.value });
    case "insufficient_stock":
      return tr("err.insufficient_stock", { product: err.data.product, available: count(lang, err.data.available) });
    case "empty_ticket":
    case "no_open_shift":
    case "already_set_up":
    case "signed_out":
    case "overflow":
      return tr(`err.${err.kind}`);
    case "unsent_entries":
      return tr("err.unsent_entries", { n: err.data.count });
    case "ticket_of_another":
      return tr("err.ticket_of_another", { owner: err.data.owner });
    case "shift_already_open":
      return tr("err.shift_already_open", { name: err.data.opened_by, time: clockTime(err.data.opened_at, false, timeZone) });
    case "underpaid":
      return tr("err.underpaid", {
        short: cash(err.data.due - err.data.paid),
        paid: cash(err.data.paid),
        due: cash(err.data.due),
      });
    case "overpaid":
      return tr("err.overpaid", { non_cash: cash(err.data.non_cash), due: cash(err.data.due) });
    case "invalid_transition":
      return tr("err.invalid_transition", { from: statusWord(lang, err.data.from), to: statusWord(lang, err.data.to) });
    case "forbidden": {
      const sentence = tr("err.forbidden", {
        roles: tr(`err.roles.${err.data.role}`),
        action: permissionAction(lang, err.data.permission),
      });
      return err.data.needs_approval ? `${sentence} ${tr("err.forbidden.approve")}` : sentence;
    }
    case "wrong_pin":
      return tr("err.wrong_pin", { n: err.data.attempts_left });
    case "locked_out":
      return tr("err.locked_out", { time: clockTime(err.data.until, true, timeZone) });
    case "sync":
      return tr(`err.sync.${err.data.problem}`);
    case "internal":
      return tr("err.unknown", { message: err.data.message });
    default: {
      const unworded: never = err;
      return tr("err.unknown", { message: JSON.stringify(unworded) });
    }
  }
}

const sent = new Set<string>();

/** Marks a start-up milestone (User Timing) once the screen as it now stands has been painted
 *  (the next animation frame has run), the first time it is reached, and reports it with any
 *  earlier unsent marks to the app's log. Never throws: a lost report must not disturb the till. */
export function startupMilestone(name: string): void {
  if (sent.has(name)) return;
  const frame = typeof requestAnimationFrame === "function" ? requestAnimationFrame : (f: () => void) => setTimeout(f, 16);
  frame(() => setTimeout(() => report(name), 0));
}

function report(name: string): void {
  if (sent.has(name)) return;
  performance.mark(name);
  const marks = performance
    .getEntriesByType("mark")
    .filter((m) => m.name.startsWith("kasir:") && !sent.has(m.name))
    .map((m) => ({ name: m.name, at_unix_ms: performance.timeOrigin + m.startTime }));
  for (const m of marks) sent.add(m.name);
  commands.reportStartup(marks).catch(() => {});
}
