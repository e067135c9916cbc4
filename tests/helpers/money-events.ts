// The money events (payment.succeeded / failed / refunded, lib/payments/contract.ts) written to
// the event outbox for one payment, each read back through its contract: what the tests of every
// path that moves a payment assert (one event per real transition, none for a repeat).
import { expect } from "vitest";
import { pgPool } from "@/lib/pg";
import { PAYMENT_EVENT_TYPES, paymentEvent, type PaymentEvent } from "@/lib/payments/contract";

export type Written = PaymentEvent & { writtenAt: Date };

/** One payment's money events as the outbox holds them, oldest transaction first. */
export async function moneyEventsOf(paymentId: string): Promise<Written[]> {
  const r = await pgPool().query<{ type: string; data: Record<string, unknown>; integration_id: string | null; created_at: Date }>(
    `select type, payload->'data' as data, payload->>'integrationId' as integration_id, created_at from domain_events
      where type = any($2::text[]) and payload->'data'->>'paymentId' = $1
      order by created_at`,
    [paymentId, [...PAYMENT_EVENT_TYPES]],
  );
  return r.rows.map((row) => {
    // the outbox row names the payment's integration, as the event does
    expect(row.integration_id).toBe(row.data.integrationId);
    return { ...paymentEvent.parse({ type: row.type, ...row.data }), writtenAt: row.created_at };
  });
}

/** Just the types, oldest first. */
export const moneyEventTypes = async (paymentId: string) => (await moneyEventsOf(paymentId)).map((e) => e.type);
