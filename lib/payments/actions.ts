// What the seeds' payment routes ask of a payment's provider (issue 18, item 3), through the
// provider's payment capabilities (lib/providers/types.ts PaymentsSpec):
//   - its status, refreshed from the provider (seed 004: GET …/payments/:paymentId/status);
//   - a Stripe PaymentIntent confirmed with the payer's payment method (confirm), 3-D Secure
//     answered with what the client needs next (nextAction: the redirect);
//   - a customer's invoices (listInvoices).
// PayPal's execute is lib/payments/capture.ts (the capture every path shares).
import { createHash } from "node:crypto";
import { z } from "zod";
import type { Integration, Payment } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { errors } from "@/lib/errors";
import { scopedKey } from "@/lib/idempotency";
import type { Who } from "@/lib/audit";
import { getProvider } from "@/lib/providers/registry";
import { activeIntegrations, cachedIntegration } from "@/lib/integrations/cache";
import { buildContext } from "@/lib/integrations/service";
import { PaymentProviderError, type PaymentNextAction, type ProviderPayment } from "@/lib/providers/types";
import { applyPaymentUpdate, getPayment, paymentRef, providerError, refreshPayment } from "@/lib/payments/service";
import type { confirmPaymentInput, listInvoicesQuery } from "@/lib/payments/contract";

/** The answer's state of a payment (lib/payments/contract.ts paymentState). */
export async function stateOf(id: string, nextAction: PaymentNextAction | null | undefined) {
  const p = await getPayment(id);
  return {
    id: p.id,
    provider: p.provider,
    providerName: p.providerName,
    amountMinor: p.amountMinor,
    currency: p.currency,
    amount: p.amount,
    status: p.status,
    providerStatus: p.providerStatus,
    providerPaymentId: p.providerPaymentId,
    paymentUrl: p.paymentUrl,
    capturedMinor: p.capturedMinor,
    refundedMinor: p.refundedMinor,
    refundableMinor: p.refundableMinor,
    error: p.error,
    succeededAt: p.succeededAt,
    updatedAt: p.updatedAt,
    // only while the payer still has to act
    nextAction: p.status === "requires_action" ? (nextAction ?? null) : null,
  };
}

async function integrationOf(p: Pick<Payment, "integrationId">): Promise<Integration> {
  const row = p.integrationId ? await db.integration.findUnique({ where: { id: p.integrationId } }) : null;
  if (!row) throw errors.unprocessable("The payment's integration was deleted");
  return row;
}

/**
 * Seed 004's status: the payment refreshed from its provider (an approved PayPal order is
 * captured on the way), then its state. A provider that cannot be asked (a merchant API reports
 * every transaction itself) or a payment that never reached it answers what is stored.
 */
export async function paymentStatus(id: string) {
  if (!z.uuid().safeParse(id).success) throw errors.notFound("Payment");
  const p = await db.payment.findUnique({ where: { id } });
  if (!p) throw errors.notFound("Payment");
  const def = getProvider(p.provider);
  const askable = !!def?.payments && !def.payments.merchant && !!p.integrationId && !!(p.providerPaymentId || p.providerCheckoutId);
  let r: ProviderPayment | undefined;
  if (askable) r = await refreshPayment(id);
  return { ...(await stateOf(id, r?.nextAction)), checkedWithProvider: askable };
}

/**
 * Confirms a payment the client holds open (a Stripe PaymentIntent, the integration's payment
 * flow payment_intent) with the payer's payment method. A payment confirmed before answers as
 * it is; a decline is a 422 with the provider's reason (and the payment is refreshed so it
 * shows the decline); 3-D Secure answers requires_action with `nextAction`. The provider call
 * carries a key derived from the caller's Idempotency-Key, when one was sent.
 */
export async function confirmPayment(input: z.output<typeof confirmPaymentInput>, who: Who, callerKey?: string | null) {
  const p = input.paymentId
    ? await db.payment.findUnique({ where: { id: input.paymentId } })
    : await db.payment.findFirst({ where: { providerPaymentId: input.paymentIntentId } });
  if (!p) throw errors.notFound("Payment");
  const def = getProvider(p.provider);
  if (!def?.payments?.confirm) {
    throw errors.unprocessable(`${def?.name ?? p.provider} payments are not confirmed through the API: the payer completes them on ${def?.name ?? "the provider"}'s page`, {
      provider: p.provider,
    });
  }
  if (p.status === "succeeded" || p.status === "partially_refunded" || p.status === "refunded") return stateOf(p.id, null);
  if (p.status === "canceled") throw errors.unprocessable("The payment was canceled: create a new one", { status: p.status });
  const row = await integrationOf(p);
  const key = scopedKey(who, callerKey);
  let r: ProviderPayment;
  try {
    r = await def.payments.confirm(
      buildContext(row, { related: { type: "payment", id: p.id } }),
      paymentRef(p),
      {
        paymentMethod: input.paymentMethod,
        returnUrl: input.returnUrl ?? null,
        idempotencyKey: key ? `sb-confirm-${createHash("sha256").update(key).digest("hex").slice(0, 40)}` : null,
      },
    );
  } catch (e) {
    // a decline leaves the intent waiting for another payment method: the payment shows it at once
    if (e instanceof PaymentProviderError && !e.retryable && e.opts.status === 402) await refreshPayment(p.id).catch(() => undefined);
    throw providerError(e);
  }
  await applyPaymentUpdate(row.id, { paymentId: p.id, ...r, providerPaymentId: r.providerPaymentId ?? p.providerPaymentId }, "api");
  return stateOf(p.id, r.nextAction);
}

/** The integration whose invoices are listed: the one asked for, else the first active one that lists invoices. */
async function invoiceIntegration(integrationId: string | undefined): Promise<Integration> {
  if (integrationId) {
    const row = await cachedIntegration(integrationId);
    if (!row || !getProvider(row.provider)?.payments) throw errors.validation("Not a payment integration", [{ path: "integrationId", message: "Unknown payment integration" }]);
    const def = getProvider(row.provider)!;
    if (!def.payments!.listInvoices) throw errors.unprocessable(`${def.name} has no invoices to list (Stripe bills through invoices)`, { provider: def.id });
    if (row.status === "inactive") throw errors.unprocessable(`${row.name} is switched off`);
    return row;
  }
  const row = (await activeIntegrations()).find((r) => !!getProvider(r.provider)?.payments?.listInvoices);
  if (!row) throw errors.unprocessable("No active payment integration lists invoices: connect Stripe");
  return row;
}

/** A customer's invoices at the provider (by its customer id or by e-mail). */
export async function listInvoices(q: z.output<typeof listInvoicesQuery>) {
  const row = await invoiceIntegration(q.integrationId);
  const def = getProvider(row.provider)!;
  try {
    const items = await def.payments!.listInvoices!(buildContext(row), { customerId: q.customerId ?? null, customerEmail: q.customerEmail ?? null });
    return { items, integration: { id: row.id, name: row.name, code: row.code, mode: row.mode, provider: row.provider } };
  } catch (e) {
    throw providerError(e);
  }
}

