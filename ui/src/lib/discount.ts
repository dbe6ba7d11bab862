/**
 * Whether an approved discount is held at the amount a manager approved. The core caps such a
 * discount at its limit (`discount_limit`, `money/pricing.rs`: `capped`), so after the ticket
 * grew the discount shown can be less than its percentage says; the ticket says so.
 */
import type { Discount } from "../bindings";

/** What `discount` would take from `base` without a limit, as the core prices it: a percentage
 *  rounded half up to the minor unit (`Money::percent`), an amount as it is. Exact for every
 *  amount Kasir holds (BigInt: 10^15 × 10^4 is past a double's integers). */
export function nominalDiscount(discount: Discount, base: number): bigint {
  if (discount.kind === "amount") return BigInt(discount.value);
  const n = BigInt(base) * BigInt(discount.value);
  const q = n / 10_000n;
  return (n % 10_000n) * 2n >= 10_000n ? q + 1n : q;
}

/** The limit a discount is held at, when it is: it has one, it took exactly that, and
 *  without it it would take more. Null otherwise. */
export function cappedAt(discount: Discount | null, limit: number | null, base: number, taken: number): number | null {
  if (!discount || limit === null || taken !== limit) return null;
  return nominalDiscount(discount, base) > BigInt(limit) ? limit : null;
}
