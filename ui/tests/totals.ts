/**
 * Reads a totals block as a customer would, top to bottom: the signed rows above the total,
 * the total, and the rows after it (what the total includes). Amounts are parsed from the
 * text shown, in the test shop's rupiah ("Rp 144.000", "-Rp 14.400", "+Rp 5.832").
 */
import { expect } from "vitest";
import { dictionaries } from "../src/lib/i18n";
import type { Ticket_Serialize, TicketLine_Serialize } from "../src/bindings";
import { line, ticket } from "./fixtures";

export type ShownRow = { label: string; text: string; sign: "" | "+" | "-"; amount: number };

function parseShown(text: string): { sign: "" | "+" | "-"; amount: number } {
  const m = /^([+-]?)Rp (\d{1,3}(?:\.\d{3})*)$/.exec(text.trim());
  expect(m, `"${text}" is an amount in rupiah`).not.toBeNull();
  const sign = m![1] as "" | "+" | "-";
  const amount = Number(m![2].replace(/\./g, ""));
  return { sign, amount: sign === "-" ? -amount : amount };
}

export function readTotals(block: HTMLElement): { sum: ShownRow[]; total: ShownRow; after: ShownRow[] } {
  const rows = [...block.querySelectorAll(":scope > div")].map((div) => {
    const text = div.querySelector("dd")!.textContent ?? "";
    return { label: div.querySelector("dt")!.textContent ?? "", text, ...parseShown(text) };
  });
  const at = [...block.querySelectorAll(":scope > div")].findIndex((d) => d.classList.contains("total"));
  expect(at).toBeGreaterThan(0);
  return { sum: rows.slice(0, at), total: rows[at], after: rows.slice(at + 1) };
}

/** Checks the rows above the total add up to it, each after the first with its sign. */
export function expectAddsUp(block: HTMLElement): { sum: ShownRow[]; total: ShownRow; after: ShownRow[] } {
  const shown = readTotals(block);
  expect(shown.sum[0].sign, "the first row is the amount the others change").toBe("");
  for (const r of shown.sum.slice(1)) expect(r.sign, `${r.label} is signed`).not.toBe("");
  expect(shown.sum.reduce((s, r) => s + r.amount, 0)).toBe(shown.total.amount);
  for (const r of shown.after) expect(r.sign, `${r.label} is not an addend`).toBe("");
  return shown;
}

/** Two lines (one with 20% off), 10% off the order, 5% service, 10% tax, rounding to Rp 100,
 *  as the core's `pricing::compute` prices them with tax added or included. */
const kopi = (p: Partial<TicketLine_Serialize> = {}) =>
  line({
    id: "l1",
    product_name: "Kopi Susu",
    unit_price: 36000,
    quantity: 2,
    discount: { kind: "percent", value: 2000 },
    totals: { gross: 72000, line_discount: 14400, order_discount: 5760, service: 0, tax: 0, total: 51840 },
    ...p,
  });
const kue = (p: Partial<TicketLine_Serialize> = {}) =>
  line({
    id: "l2",
    product_name: "Kue Lapis",
    unit_price: 24000,
    quantity: 3,
    totals: { gross: 72000, line_discount: 0, order_discount: 7200, service: 0, tax: 0, total: 64800 },
    ...p,
  });

export const TAX_ADDED: Ticket_Serialize = {
  ...ticket([kopi(), kue()], {
    gross: 144000,
    line_discounts: 14400,
    subtotal: 129600,
    order_discount: 12960,
    service: 5832,
    tax: 12247,
    rounding: -19,
    total: 134700,
  }),
  discount: { kind: "percent", value: 1000 },
};

export const TAX_INCLUDED: Ticket_Serialize = {
  ...ticket([kopi(), kue()], {
    gross: 144000,
    line_discounts: 14400,
    subtotal: 129600,
    order_discount: 12960,
    service: 5049,
    tax: 10604,
    rounding: -40,
    total: 116600,
    prices_include_tax: true,
  }),
  discount: { kind: "percent", value: 1000 },
};

export const INCL_LABELS = [dictionaries.en["ticket.inclService"], dictionaries.en["ticket.inclTax"]];
