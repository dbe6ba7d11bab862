/**
 * The UI's words, in Indonesian and English. Each feature keeps its own `strings.ts` (`en`,
 * and `id` with the same keys); this core merges them into one dictionary per language, so a
 * key is looked up the same way wherever it is defined. `{name}` placeholders are filled by
 * `translate`.
 */
import * as admin from "../features/admin/strings";
import * as approval from "../features/approval/strings";
import * as backup from "../features/backup/strings";
import * as board from "../features/board/strings";
import * as coupons from "../features/coupons/strings";
import * as login from "../features/login/strings";
import * as members from "../features/members/strings";
import * as printing from "../features/printing/strings";
import * as receipt from "../features/receipt/strings";
import * as sell from "../features/sell/strings";
import * as refund from "../features/refund/strings";
import * as reports from "../features/reports/strings";
import * as setup from "../features/setup/strings";
import * as shift from "../features/shift/strings";
import * as shell from "../features/shell/strings";
import * as staff from "../features/staff/strings";
import * as sync from "../features/sync/strings";
import * as kit from "../kit/strings";
import * as errors from "./strings";

export type Lang = "id" | "en";

/** One feature's words. */
export type Strings = { en: Record<string, string>; id: Record<string, string> };

/** Every feature's words, by feature (the i18n test checks each has the same keys in both languages). */
export const bundles = { kit, errors, shell, setup, login, sell, receipt, board, approval, sync, admin, staff, backup, shift, refund, reports, members, coupons, printing } satisfies Record<string, Strings>;

type Bundles = typeof bundles;
export type MessageKey = { [B in keyof Bundles]: keyof Bundles[B]["en"] }[keyof Bundles];

function merge(lang: Lang): Record<MessageKey, string> {
  return Object.assign({}, ...Object.values(bundles).map((b: Strings) => b[lang]));
}

export const dictionaries: Record<Lang, Record<MessageKey, string>> = { en: merge("en"), id: merge("id") };

export type Params = Record<string, string | number>;

export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  const text = dictionaries[lang][key] ?? dictionaries.en[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** `id`, `id-ID` → Indonesian; anything else → English. */
export function langFromLocale(locale: string | null | undefined): Lang {
  return locale && locale.toLowerCase().startsWith("id") ? "id" : "en";
}
