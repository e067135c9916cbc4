// Stripe events (an Event envelope {id evt_…, type, created, data:{object}}) → payment.updated
// / refund.updated for lib/payments. Our payment id travels in metadata.switchboard_payment_id
// (set on the Checkout Session, its PaymentIntent and our refunds); the provider ids find the
// payment when it is missing.
import {
  WebhookBodyError,
  jsonObjectBody,
  type NormalizedEvent,
  type PaymentStatus,
  type PaymentUpdate,
  type RefundUpdate,
  type StoredWebhook,
  type SubscriptionUpdate,
  type WebhookHandleResult,
} from "@/lib/providers/types";
import { piStatus } from "@/lib/providers/stripe/client";
import { fromSubscription } from "@/lib/providers/stripe/subscriptions";

export type StripeEventEnvelope = { id: string; object?: string; type: string; created?: number; data: { object: Record<string, unknown> } };

export function parseEvent(rawBody: string): StripeEventEnvelope {
  const body = jsonObjectBody(rawBody);
  if (typeof body.id !== "string" || typeof body.type !== "string") throw new WebhookBodyError("A Stripe event has a string id and type");
  const data = body.data as { object?: unknown } | undefined;
  if (!data || typeof data.object !== "object" || data.object === null) throw new WebhookBodyError("A Stripe event carries data.object");
  return body as unknown as StripeEventEnvelope;
}

type Obj = Record<string, unknown>;
const str = (v: unknown) => (typeof v === "string" && v ? v : null);
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const idOf = (v: unknown) => str(v) ?? (v && typeof v === "object" ? str((v as Obj).id) : null);
const ourId = (o: Obj) => str((o.metadata as Obj | undefined)?.switchboard_payment_id);

function refundStatus(s: unknown): RefundUpdate["status"] {
  if (s === "succeeded") return "succeeded";
  if (s === "failed" || s === "canceled") return "failed";
  return "pending"; // pending, requires_action
}

function refundUpdate(r: Obj, eventId: string, paymentId: string | null): RefundUpdate {
  return {
    providerRefundId: String(r.id),
    paymentId: ourId(r) ?? paymentId,
    providerPaymentId: idOf(r.payment_intent),
    status: refundStatus(r.status),
    ...(num(r.amount) !== undefined ? { amountMinor: num(r.amount) } : {}),
    eventId,
  };
}

/** our subscription id (metadata) and the event's id and time */
function subscriptionBase(o: Obj, ev: StripeEventEnvelope) {
  return {
    subscriptionId: str((o.metadata as Obj | undefined)?.switchboard_subscription_id),
    eventId: ev.id,
    ...(ev.created ? { occurredAt: new Date(ev.created * 1000).toISOString() } : {}),
  };
}

export function toEvents(ev: StripeEventEnvelope): NormalizedEvent[] | null {
  const o = ev.data.object as Obj;
  const base = {
    paymentId: ourId(o),
    eventId: ev.id,
    ...(ev.created ? { occurredAt: new Date(ev.created * 1000).toISOString() } : {}),
  };
  const payment = (u: Omit<PaymentUpdate, "eventId" | "occurredAt" | "paymentId">): NormalizedEvent => ({
    type: "payment.updated",
    data: { ...base, ...u },
  });

  const subscription = (u: SubscriptionUpdate): NormalizedEvent => ({ type: "subscription.updated", data: u as unknown as Record<string, unknown> });

  switch (ev.type) {
    case "payment_intent.succeeded":
    case "payment_intent.payment_failed":
    case "payment_intent.requires_action":
    case "payment_intent.canceled":
    case "payment_intent.processing": {
      const status: PaymentStatus =
        ev.type === "payment_intent.payment_failed" ? "failed" : piStatus({ status: o.status as never, last_payment_error: o.last_payment_error as never });
      const err = (o.last_payment_error as Obj | null | undefined)?.message;
      return [
        payment({
          providerPaymentId: str(o.id),
          providerCaptureId: idOf(o.latest_charge),
          status,
          providerStatus: String(o.status ?? ev.type),
          ...(status === "succeeded" ? { capturedMinor: num(o.amount_received) ?? num(o.amount) } : {}),
          ...(ev.type === "payment_intent.payment_failed" ? { error: str(err) ?? "The payment failed" } : {}),
        }),
      ];
    }
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded":
    case "checkout.session.async_payment_failed":
    case "checkout.session.expired": {
      const paid = o.payment_status === "paid" || o.payment_status === "no_payment_required";
      const status: PaymentStatus =
        ev.type === "checkout.session.expired" ? "canceled" : ev.type === "checkout.session.async_payment_failed" ? "failed" : paid ? "succeeded" : "pending";
      const out: NormalizedEvent[] = [
        payment({
          providerCheckoutId: str(o.id),
          providerPaymentId: idOf(o.payment_intent),
          status,
          providerStatus: `${String(o.status)}/${String(o.payment_status)}`,
          ...(status === "succeeded" ? { capturedMinor: num(o.amount_total) } : {}),
        }),
      ];
      // a subscription's Checkout: the subscription Stripe made (paid: active), or none (expired)
      if (o.mode === "subscription") {
        const sub = subscriptionBase(o, ev);
        if (ev.type === "checkout.session.expired") out.push(subscription({ ...sub, status: "incomplete_expired", providerStatus: "checkout.expired" }));
        else if (status === "succeeded") out.push(subscription({ ...sub, providerSubscriptionId: idOf(o.subscription), providerCustomerId: idOf(o.customer), status: "active", providerStatus: `checkout.${String(o.status)}/${String(o.payment_status)}` }));
      }
      return out;
    }
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted":
    case "customer.subscription.paused":
    case "customer.subscription.resumed": {
      const s = fromSubscription(o as never);
      return [
        subscription({
          ...subscriptionBase(o, ev),
          providerSubscriptionId: s.providerSubscriptionId,
          providerCustomerId: s.providerCustomerId ?? null,
          // deleted: it has ended, whatever else the object says
          status: ev.type === "customer.subscription.deleted" ? "canceled" : s.status,
          providerStatus: String(o.status ?? ev.type),
          currentPeriodStart: s.currentPeriodStart ?? null,
          currentPeriodEnd: s.currentPeriodEnd ?? null,
          cancelAtPeriodEnd: s.cancelAtPeriodEnd,
          canceledAt: s.canceledAt ?? (ev.type === "customer.subscription.deleted" ? base.occurredAt ?? null : null),
        }),
      ];
    }
    case "invoice.paid":
    case "invoice.payment_failed": {
      // a subscription's invoice: one charge (the first or a renewal). Its id is the charge's
      // provider id: a failed invoice retried and then paid is the same charge.
      const parent = (o.parent as Obj | null | undefined)?.subscription_details as Obj | undefined;
      const subId = idOf(parent?.subscription) ?? idOf(o.subscription);
      if (!subId) return [];
      const paid = ev.type === "invoice.paid";
      const line = ((o.lines as Obj | undefined)?.data as Obj[] | undefined)?.[0];
      const period = (line?.period as Obj | undefined) ?? {};
      const iso = (t: unknown) => (typeof t === "number" ? new Date(t * 1000).toISOString() : null);
      const lastError = (o.last_finalization_error as Obj | null | undefined)?.message;
      return [
        subscription({
          subscriptionId: str((parent?.metadata as Obj | undefined)?.switchboard_subscription_id),
          eventId: ev.id,
          ...(base.occurredAt ? { occurredAt: base.occurredAt } : {}),
          providerSubscriptionId: subId,
          providerCustomerId: idOf(o.customer),
          providerStatus: `invoice.${String(o.status)}`,
          charge: {
            providerPaymentId: String(o.id),
            invoiceId: String(o.id),
            hostedInvoiceUrl: str(o.hosted_invoice_url),
            invoicePdfUrl: str(o.invoice_pdf),
            amountMinor: (paid ? num(o.amount_paid) : num(o.amount_due)) ?? 0,
            currency: String(o.currency ?? "").toUpperCase(),
            status: paid ? "succeeded" : "failed",
            // UNCONFIRMED: Stripe keeps the decline on the invoice's payment (its PaymentIntent's
            // last_payment_error), not on the invoice; the invoice event carries no reason
            ...(paid ? {} : { error: str(lastError) ?? `The payment of invoice ${String(o.number ?? o.id)} failed (attempt ${String(o.attempt_count ?? 1)})` }),
            periodStart: iso(period.start),
            periodEnd: iso(period.end),
          },
        }),
      ];
    }
    case "charge.refunded": {
      const captured = num(o.amount_captured) ?? num(o.amount) ?? 0;
      const refunded = num(o.amount_refunded) ?? 0;
      const out: NormalizedEvent[] = [
        payment({
          providerPaymentId: idOf(o.payment_intent),
          providerCaptureId: str(o.id),
          status: refunded >= captured ? "refunded" : "partially_refunded",
          providerStatus: o.refunded === true ? "refunded" : "partially_refunded",
          capturedMinor: captured,
          refundedMinor: refunded,
        }),
      ];
      // API versions since 2022-11-15 leave charge.refunds out unless expanded: refund.* events carry them then
      const list = (o.refunds as { data?: unknown } | null | undefined)?.data;
      if (Array.isArray(list)) {
        for (const r of list) if (r && typeof r === "object") out.push({ type: "refund.updated", data: refundUpdate(r as Obj, ev.id, base.paymentId) });
      }
      return out;
    }
    case "refund.created":
    case "refund.updated":
    case "refund.failed":
    case "charge.refund.updated":
      return [{ type: "refund.updated", data: refundUpdate(o, ev.id, null) }];
    default:
      return null;
  }
}

export async function handleEvent(event: StoredWebhook): Promise<WebhookHandleResult> {
  const ev = event.payload as StripeEventEnvelope;
  const events = toEvents(ev);
  if (!events) return { outcome: "ignored", note: `Switchboard does not act on ${ev.type}` };
  return { outcome: "completed", note: ev.type, events };
}
