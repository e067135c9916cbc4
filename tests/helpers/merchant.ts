// What the merchant-API payment tests share (Payme, Click: the provider calls us and waits):
// payment links made through the payments API, the payment and its provider transactions as
// stored, the webhook front the sandboxes call, and the invariants a payment keeps under any
// sequence of the provider's calls.
import { beforeAll, expect } from "vitest";
import { db } from "@/lib/db";
import { rank } from "@/lib/payments/status";
import type { PaymentStatus } from "@/lib/providers/types";
import * as payments from "@/app/api/v1/payments/route";
import { call } from "./http";
import { createKey, sandbox } from "./fixtures";
import { useWebhookServer } from "./webhook-server";

/** The webhook front (started before the file's integrations: sandboxConnect registers its URL) and a payments API key. */
export function merchantSetup() {
  const front = useWebhookServer();
  const api = { key: "" };
  beforeAll(async () => {
    api.key = (await createKey(["payments:read", "payments:write", "payments:refund"])).key;
  });
  /** POST /api/v1/payments */
  const createPayment = (body: Record<string, unknown>) => call(payments.POST as never, { method: "POST", url: "/api/v1/payments", body, bearer: api.key });
  return { front, api, createPayment };
}

/** A POST to the sandbox's control API of `provider`, its JSON answer. */
export async function sandboxPost<T = any>(provider: string, path: string, body: unknown): Promise<T> {
  const res = await fetch(`${sandbox().url}/${provider}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await res.text();
  expect(res.status, text).toBeLessThan(300);
  return (text ? JSON.parse(text) : null) as T;
}

export const paymentRow = (id: string) => db.payment.findUniqueOrThrow({ where: { id } });
export const transactionsOf = (paymentId: string) => db.providerTransaction.findMany({ where: { paymentId }, orderBy: { id: "asc" } });

/** A payment's statuses as observed in order never move backwards (lib/payments/status.ts ranks). */
export function expectNeverBackwards(seen: PaymentStatus[]) {
  for (let i = 1; i < seen.length; i++) {
    expect(rank(seen[i]), `${seen[i - 1]} → ${seen[i]} (${seen.join(" → ")})`).toBeGreaterThanOrEqual(rank(seen[i - 1]));
  }
}

/** What any sequence of calls leaves true of a payment and its provider transactions. */
export async function expectConsistent(paymentId: string, performedStates: number[], refundedState: number | null) {
  const p = await paymentRow(paymentId);
  const txs = await transactionsOf(paymentId);
  // each provider transaction stored once
  expect(new Set(txs.map((t) => t.providerTxId)).size).toBe(txs.length);
  // at most one performed transaction per order
  const performed = txs.filter((t) => performedStates.includes(t.state));
  expect(performed.length, JSON.stringify(txs.map((t) => [t.providerTxId, t.state]))).toBeLessThanOrEqual(1);
  expect(p.capturedMinor).toBeLessThanOrEqual(p.amountMinor);
  expect(p.refundedMinor).toBeLessThanOrEqual(p.capturedMinor);
  if (performed.length) {
    const refunded = refundedState !== null && performed[0].state === refundedState;
    expect(p.status).toBe(refunded ? "refunded" : "succeeded");
    expect(p.capturedMinor).toBe(p.amountMinor);
  } else {
    expect(["pending", "failed"]).toContain(p.status);
    expect(p.capturedMinor).toBe(0);
  }
  return { payment: p, transactions: txs };
}
