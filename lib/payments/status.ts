// A payment's status only moves forward. Providers deliver events late, twice and out of
// order (a "pending" after "succeeded", a retried "payment_failed" after the retry succeeded):
// a status replaces the current one only when it ranks higher. Refund states are derived
// from the amounts, which only grow.
import type { PaymentStatus } from "@/lib/providers/types";
import { PAYMENT_STATUSES as ALL } from "@/lib/payments/contract";

/** the contract's list (the API's answers name the same statuses) */
export const PAYMENT_STATUSES: readonly PaymentStatus[] = ALL;

const RANK: Record<PaymentStatus, number> = {
  pending: 0,
  requires_action: 1,
  // a failed attempt can still be followed by a successful one on the same payment
  failed: 2,
  canceled: 2,
  succeeded: 3,
  partially_refunded: 4,
  refunded: 5,
};

export function rank(s: PaymentStatus) {
  return RANK[s];
}

/** The status after an update: never backwards; refunds follow the amounts. */
export function nextStatus(current: PaymentStatus, incoming: PaymentStatus, amounts: { captured: number; refunded: number }): PaymentStatus {
  let s = RANK[incoming] > RANK[current] ? incoming : current;
  if (amounts.refunded > 0 && amounts.captured > 0) s = amounts.refunded >= amounts.captured ? "refunded" : "partially_refunded";
  else if (s === "partially_refunded" || s === "refunded") s = current === "partially_refunded" || current === "refunded" ? current : "succeeded";
  return s;
}
