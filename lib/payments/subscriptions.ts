// What payments do with normalized webhook events (lib/webhooks/domain.ts): imported by the
// worker entry, so every worker that processes webhooks applies them.
import { z } from "zod";
import { subscribe } from "@/lib/webhooks/domain";
import { applyPaymentUpdate, applyRefundUpdate, logUnmatched } from "@/lib/payments/service";
import { PAYMENT_STATUSES } from "@/lib/payments/status";
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

const g = globalThis as unknown as { __sbPaymentsSubscribed?: boolean };
if (!g.__sbPaymentsSubscribed) {
  g.__sbPaymentsSubscribed = true;
  subscribe("payment.updated", async (data, ctx) => {
    const u = paymentUpdate.parse(data);
    if (await applyPaymentUpdate(ctx.integrationId, u, "webhook")) return;
    if (Date.now() - ctx.event.receivedAt.getTime() < UNKNOWN_GRACE_MS) throw new Error("No payment matches this event yet: retrying");
    logUnmatched("payment.updated", { integrationId: ctx.integrationId, providerPaymentId: u.providerPaymentId, eventId: u.eventId });
  });
  subscribe("refund.updated", async (data, ctx) => {
    const u = refundUpdate.parse(data);
    // refunds made outside Switchboard reach the payment through its refunded amount instead
    if (!(await applyRefundUpdate(ctx.integrationId, u))) logUnmatched("refund.updated", { providerRefundId: u.providerRefundId });
  });
}
