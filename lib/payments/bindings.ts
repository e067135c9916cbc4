// What payments do for the rest of the product (issue 17): the events it reacts to. Loaded by
// the wiring (lib/wiring.ts) in the web process and the workers.
import { z } from "zod";
import { eventIntegration, subscribe } from "@/lib/events";
import { bindProvider } from "@/lib/providers/bindings";
import { listProviders } from "@/lib/providers/registry";
import { applyPaymentUpdate, applyRefundUpdate, logUnmatched, takeDueStep } from "@/lib/payments/service";
import { answerMerchantCall } from "@/lib/payments/merchant";
import { PAYMENT_STATUSES } from "@/lib/payments/status";
import { applySubscriptionUpdate } from "@/lib/payments/subscriptions";
import { SUBSCRIPTION_STATUSES } from "@/lib/payments/contract";
import type { PaymentStatus } from "@/lib/providers/types";

const paymentUpdate = z.object({
  paymentId: z.string().nullish(),
  providerPaymentId: z.string().nullish(),
  providerCheckoutId: z.string().nullish(),
  providerCaptureId: z.string().nullish(),
  status: z.enum(PAYMENT_STATUSES as [PaymentStatus, ...PaymentStatus[]]),
  providerStatus: z.string(),
  capturedMinor: z.number().int().nonnegative().optional(),
  refundedMinor: z.number().int().nonnegative().optional(),
  eventId: z.string().optional(),
  occurredAt: z.string().optional(),
  error: z.string().nullish(),
  due: z.enum(["capture"]).nullish(),
});
const refundUpdate = z.object({
  providerRefundId: z.string().min(1),
  paymentId: z.string().nullish(),
  providerPaymentId: z.string().nullish(),
  status: z.enum(["pending", "succeeded", "failed"]),
  amountMinor: z.number().int().optional(),
  eventId: z.string().optional(),
});

/** an event about a payment we do not know yet is retried this long (its creation may still be in flight) */
const UNKNOWN_GRACE_MS = 10 * 60_000;

subscribe("payment.updated", "payments.apply-payment", async (data, ctx) => {
  const u = paymentUpdate.parse(data);
  // an event that says the payer has acted (PayPal's CHECKOUT.ORDER.APPROVED) is recorded once
  // (a retry of the event after a failed capture adds nothing), then its step is taken
  if (await applyPaymentUpdate(eventIntegration(ctx), u, "webhook", { onlyIfChanged: !!u.due })) {
    await takeDueStep(eventIntegration(ctx), u, "webhook");
    return;
  }
  if (Date.now() - ctx.occurredAt.getTime() < UNKNOWN_GRACE_MS) throw new Error("No payment matches this event yet: retrying");
  logUnmatched("payment.updated", { integrationId: eventIntegration(ctx), providerPaymentId: u.providerPaymentId, eventId: u.eventId });
});
const iso = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "a date");
const subscriptionUpdate = z.object({
  subscriptionId: z.string().nullish(),
  providerSubscriptionId: z.string().nullish(),
  providerCustomerId: z.string().nullish(),
  status: z.enum(SUBSCRIPTION_STATUSES).optional(),
  providerStatus: z.string(),
  currentPeriodStart: iso.nullish(),
  currentPeriodEnd: iso.nullish(),
  cancelAtPeriodEnd: z.boolean().optional(),
  canceledAt: iso.nullish(),
  paymentMethodId: z.string().nullish(),
  charge: z
    .object({
      providerPaymentId: z.string().min(1),
      invoiceId: z.string().nullish(),
      hostedInvoiceUrl: z.string().nullish(),
      invoicePdfUrl: z.string().nullish(),
      amountMinor: z.number().int().nonnegative(),
      currency: z.string().length(3),
      status: z.enum(["succeeded", "failed"]),
      error: z.string().nullish(),
      periodStart: iso.nullish(),
      periodEnd: iso.nullish(),
    })
    .nullish(),
  eventId: z.string().optional(),
  occurredAt: z.string().optional(),
});

// a provider's word about a subscription (Stripe invoices and subscription events, PayPal's
// BILLING.SUBSCRIPTION.*, YooKassa's payments of a saved method): applied once per event
subscribe("subscription.updated", "payments.apply-subscription", async (data, ctx) => {
  const u = subscriptionUpdate.parse(data);
  if (await applySubscriptionUpdate(eventIntegration(ctx), u, "webhook")) return;
  if (Date.now() - ctx.occurredAt.getTime() < UNKNOWN_GRACE_MS) throw new Error("No subscription matches this event yet: retrying");
  logUnmatched("subscription.updated", { integrationId: eventIntegration(ctx), providerSubscriptionId: u.providerSubscriptionId, eventId: u.eventId });
});
subscribe("refund.updated", "payments.apply-refund", async (data, ctx) => {
  const u = refundUpdate.parse(data);
  // refunds made outside Switchboard reach the payment through its refunded amount instead
  if (!(await applyRefundUpdate(eventIntegration(ctx), u))) logUnmatched("refund.updated", { providerRefundId: u.providerRefundId });
});

// Merchant APIs (Payme, Click): the provider calls us and waits; payments answers from its own
// tables (lib/payments/merchant.ts), for every provider that declares one
for (const def of listProviders()) {
  if (!def.payments?.merchant) continue;
  bindProvider("payments", def.id, { webhook: { respond: (_req, ctx, parsed) => answerMerchantCall(def, ctx, parsed) } });
}
