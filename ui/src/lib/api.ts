import { commands, type CommandError } from "../bindings";
import { formatMoney, type MoneyFormat } from "./money";
import { translate, type Lang } from "./i18n";

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

/** The CommandError inside anything thrown, if there is one. */
export function commandError(e: unknown): CommandError | null {
  if (e instanceof ApiError) return e.error;
  if (e && typeof e === "object" && "kind" in e && "data" in e) return e as CommandError;
  return null;
}

export function needsApproval(e: unknown): boolean {
  const err = commandError(e);
  return !!err && err.kind === "unauthorized" && err.data.needs_approval;
}

/** Local clock time of an RFC 3339 timestamp, e.g. "14:05:09"; the text itself if unparsable. */
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

/** One sentence for the cashier, in their language. */
export function describeError(e: unknown, lang: Lang, money: MoneyFormat): string {
  const err = commandError(e);
  if (!err) {
    const message = e instanceof Error ? e.message : String(e);
    return translate(lang, "err.unknown", { message });
  }
  switch (err.kind) {
    case "validation":
      return err.data.message;
    case "insufficient_stock":
      return translate(lang, "err.insufficient_stock", {
        product: err.data.product,
        available: err.data.available,
      });
    case "payment":
      return translate(lang, "err.payment", {
        message: err.data.message,
        due: formatMoney(err.data.due, money),
        offered: formatMoney(err.data.offered, money),
      });
    case "wrong_pin":
      return translate(lang, "err.wrong_pin", { n: err.data.attempts_left });
    case "locked_out":
      return translate(lang, "err.locked_out", { time: clockTime(err.data.until) });
    case "not_found":
    case "conflict":
    case "unauthorized":
    case "internal":
      return err.data.message;
    default:
      return translate(lang, "err.unknown", { message: JSON.stringify(err) });
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
