// PayPal webhooks: `{id:"WH-…", event_type, resource_type, resource, create_time}` with
// PAYPAL-TRANSMISSION-ID/-TIME/-SIG, PAYPAL-CERT-URL and PAYPAL-AUTH-ALGO headers. PayPal
// verifies its own signatures: verify() posts the headers, our webhook id and the event to
// POST /v1/notifications/verify-webhook-signature (verifyPayPal in lib/providers/paypal/verify.ts
// adds the age check). During a webhook-id change both ids are tried. Each call to PayPal
// spends a point of the integration's PAYPAL_VERIFY_PER_MINUTE: well-formed headers with a
// fresh time are all anyone needs to make us call out, so past the limit a delivery is
// refused (rejected, 429 with Retry-After: PayPal retries a real one later) without a call.
//
// handle():
//   CHECKOUT.ORDER.APPROVED   → pending with the capture due: lib/payments captures it (the one
//                               capture of every path, PayPal-Request-Id capture-<order id>, so
//                               a retried event or a racing path never captures twice)
//   CHECKOUT.ORDER.COMPLETED  → the order as sent
//   CHECKOUT.ORDER.VOIDED     → canceled
//   PAYMENT.CAPTURE.COMPLETED → succeeded; .PENDING → pending; .DENIED / .DECLINED → failed
//   PAYMENT.CAPTURE.REFUNDED  → the capture (re-read) partially_refunded / refunded + the refund
// Subscriptions (subscriptions.ts maps PayPal's statuses; each is a "subscription.updated"):
//   BILLING.SUBSCRIPTION.CREATED / ACTIVATED / RE-ACTIVATED / UPDATED / SUSPENDED / CANCELLED /
//   EXPIRED → the subscription as the event carries it
//   BILLING.SUBSCRIPTION.PAYMENT.FAILED → the same plus a failed charge: PayPal gives a failed
//                               payment no id of its own, so the charge's id is
//                               "<subscription id>:failed:<last_failed_payment.time>", the same
//                               in every delivery of that failure
//   PAYMENT.SALE.COMPLETED (billing_agreement_id = the subscription) → the subscription (re-read:
//                               the sale carries neither its status nor its period) with a
//                               succeeded charge (the sale id); PAYMENT.SALE.DENIED → a failed one.
//                               A sale with no billing_agreement_id is not a subscription's: ignored
//   anything else             → ignored
import {
  PaymentProviderError,
  PermanentWebhookError,
  WebhookBodyError,
  jsonObjectBody,
  type NormalizedEvent,
  type ParsedWebhook,
  type PaymentUpdate,
  type RefundUpdate,
  type StoredWebhook,
  type SubscriptionUpdate,
  type WebhookHandleResult,
  type WebhookVerifyContext,
} from "@/lib/providers/types";
import { verifyPayPal, type PayPalVerifyRequest } from "@/lib/providers/paypal/verify";
import { type InboundRequest, type Verdict } from "@/lib/providers/webhook-kit";
import { env } from "@/lib/env";
import { consume } from "@/lib/rate-limit";
import {
  captureStatus,
  mapOrder,
  ppCall,
  ppMinor,
  type PayPalConfig,
  type PayPalContext,
  type PayPalCredentials,
  type PpCapture,
  type PpOrder,
  type PpRefund,
} from "@/lib/providers/paypal/client";
import { getSubscription, moneyMinor, subscriptionUpdate, type PpSubscription } from "@/lib/providers/paypal/subscriptions";

export const WEBHOOK_EVENTS = [
  "CHECKOUT.ORDER.APPROVED",
  "CHECKOUT.ORDER.COMPLETED",
  "CHECKOUT.ORDER.VOIDED",
  "PAYMENT.CAPTURE.COMPLETED",
  "PAYMENT.CAPTURE.PENDING",
  "PAYMENT.CAPTURE.DENIED",
  "PAYMENT.CAPTURE.DECLINED",
  "PAYMENT.CAPTURE.REFUNDED",
  "BILLING.SUBSCRIPTION.CREATED",
  "BILLING.SUBSCRIPTION.ACTIVATED",
  "BILLING.SUBSCRIPTION.RE-ACTIVATED",
  "BILLING.SUBSCRIPTION.UPDATED",
  "BILLING.SUBSCRIPTION.SUSPENDED",
  "BILLING.SUBSCRIPTION.CANCELLED",
  "BILLING.SUBSCRIPTION.EXPIRED",
  "BILLING.SUBSCRIPTION.PAYMENT.FAILED",
  "PAYMENT.SALE.COMPLETED",
  "PAYMENT.SALE.DENIED",
] as const;

/** the subscription events whose resource is the subscription itself */
const SUBSCRIPTION_EVENTS = new Set([
  "BILLING.SUBSCRIPTION.CREATED",
  "BILLING.SUBSCRIPTION.ACTIVATED",
  "BILLING.SUBSCRIPTION.RE-ACTIVATED",
  "BILLING.SUBSCRIPTION.UPDATED",
  "BILLING.SUBSCRIPTION.SUSPENDED",
  "BILLING.SUBSCRIPTION.CANCELLED",
  "BILLING.SUBSCRIPTION.EXPIRED",
  "BILLING.SUBSCRIPTION.PAYMENT.FAILED",
]);

class VerifyLimited extends Error {
  constructor(public retryAfterSeconds: number) {
    super("PayPal verification calls rate limited");
  }
}

export async function verifyWebhook(req: InboundRequest, ctx: WebhookVerifyContext<PayPalCredentials, PayPalConfig>): Promise<Verdict> {
  const ids = ctx.secretsFor("webhookId");
  const limit = env().PAYPAL_VERIFY_PER_MINUTE;
  const callVerify = async (body: PayPalVerifyRequest) => {
    // counted before calling out; malformed, stale and unconfigured deliveries never get here
    const room = await consume("paypal-verify", ctx.integration.id, limit, 60);
    if (!room.allowed) throw new VerifyLimited(room.retryAfterSeconds);
    const r = await ppCall<{ verification_status?: string }>(ctx as PayPalContext, "paypal.webhooks.verify", {
      method: "POST",
      path: "/v1/notifications/verify-webhook-signature",
      body: body as unknown as Record<string, unknown>,
      safe: true,
    });
    return r.verification_status ?? "";
  };
  try {
    let verdict = await verifyPayPal(req, ids[0], callVerify);
    // a webhook id that was just replaced: PayPal signed with the old one
    for (const id of ids.slice(1)) {
      if (verdict.ok) break;
      const again = await verifyPayPal(req, id, callVerify);
      if (again.ok) verdict = again;
    }
    return verdict;
  } catch (e) {
    if (!(e instanceof VerifyLimited)) throw e;
    return {
      ok: false,
      scheme: "paypal-verify-endpoint",
      reason: `too many verification calls for this integration (more than ${limit} a minute, the server's limit): not sent to PayPal`,
      retryAfterSeconds: e.retryAfterSeconds,
    };
  }
}

export function parseWebhook(req: InboundRequest): ParsedWebhook {
  const body = jsonObjectBody(req.rawBody);
  if (typeof body.id !== "string" || !body.id) throw new WebhookBodyError("Not a PayPal webhook event: \"id\" is missing");
  // PayPal's names have dots, underscores and a few hyphens (BILLING.SUBSCRIPTION.RE-ACTIVATED)
  if (typeof body.event_type !== "string" || !/^[A-Z0-9_.-]+$/.test(body.event_type)) throw new WebhookBodyError('"event_type" is missing or not a PayPal event type');
  if (!body.resource || typeof body.resource !== "object") throw new WebhookBodyError('"resource" is missing');
  return { type: body.event_type, id: body.id, payload: body };
}

type Event = { id?: string; event_type?: string; create_time?: string; resource?: Record<string, unknown> };

const orderCustomId = (o: PpOrder | undefined) =>
  o?.purchase_units?.find((u) => u.custom_id)?.custom_id ?? o?.purchase_units?.[0]?.payments?.captures?.[0]?.custom_id ?? null;

function orderUpdate(o: PpOrder, ev: Event, fallbackPaymentId: string | null): PaymentUpdate {
  const m = mapOrder(o);
  return {
    paymentId: orderCustomId(o) ?? fallbackPaymentId,
    providerPaymentId: o.id,
    ...(m.providerCaptureId ? { providerCaptureId: m.providerCaptureId } : {}),
    status: m.status,
    providerStatus: m.providerStatus,
    ...(m.capturedMinor !== undefined ? { capturedMinor: m.capturedMinor } : {}),
    ...(m.refundedMinor !== undefined ? { refundedMinor: m.refundedMinor } : {}),
    eventId: ev.id,
    occurredAt: ev.create_time,
    error: m.error ?? null,
    ...(m.due ? { due: m.due } : {}),
  };
}

/** a call from a handler: retryable failures are thrown (the event is retried), the rest are permanent */
function must<T>(p: Promise<T>): Promise<T>;
function must<T>(f: () => T): T;
function must<T>(p: Promise<T> | (() => T)): Promise<T> | T {
  const permanent = (e: unknown) => (e instanceof PaymentProviderError && !e.retryable ? new PermanentWebhookError(e.message) : e);
  if (typeof p === "function") {
    try {
      return p();
    } catch (e) {
      throw permanent(e);
    }
  }
  return p.catch((e: unknown) => {
    throw permanent(e);
  });
}

const done = (note: string, events: NormalizedEvent[]): WebhookHandleResult => ({ outcome: "completed", note, events });
const updated = (data: PaymentUpdate): NormalizedEvent => ({ type: "payment.updated", data });

export async function handleWebhook(event: StoredWebhook, ctx: PayPalContext): Promise<WebhookHandleResult> {
  const ev = (event.payload ?? {}) as Event;
  const type = ev.event_type ?? event.type;
  const resource = (ev.resource ?? {}) as Record<string, unknown>;

  if (type === "CHECKOUT.ORDER.APPROVED") {
    // the order as the event carries it (APPROVED: due "capture"); the capture is lib/payments'
    // to take, under a lock on the payment, whichever path sees the approval first
    const order = resource as unknown as PpOrder;
    const u = orderUpdate(order, ev, null);
    return done(`${order.id}: ${order.status}${u.due ? `, ${u.due} due` : ""}`, [updated(u)]);
  }

  if (type === "CHECKOUT.ORDER.COMPLETED" || type === "CHECKOUT.ORDER.VOIDED") {
    const order = resource as unknown as PpOrder;
    const u = orderUpdate(order, ev, null);
    return done(`${order.id}: ${order.status}`, [updated(u)]);
  }

  if (type.startsWith("PAYMENT.CAPTURE.") && type !== "PAYMENT.CAPTURE.REFUNDED" && type !== "PAYMENT.CAPTURE.REVERSED") {
    const c = resource as unknown as PpCapture;
    const status = captureStatus(c, 0);
    const u: PaymentUpdate = {
      paymentId: c.custom_id ?? null,
      providerPaymentId: c.supplementary_data?.related_ids?.order_id ?? null,
      providerCaptureId: c.id,
      status,
      providerStatus: c.status,
      ...(status === "succeeded" ? { capturedMinor: ppMinor(c.amount) } : {}),
      eventId: ev.id,
      occurredAt: ev.create_time,
      error: status === "failed" ? `PayPal ${c.status.toLowerCase()} the capture${c.status_details?.reason ? ` (${c.status_details.reason})` : ""}` : null,
    };
    return done(`capture ${c.id}: ${c.status}`, [updated(u)]);
  }

  if (type === "PAYMENT.CAPTURE.REFUNDED") {
    const r = resource as unknown as PpRefund;
    const up = r.links?.find((l) => l.rel === "up")?.href ?? "";
    const captureId = /\/v2\/payments\/captures\/([^/?#]+)/.exec(up)?.[1];
    if (!captureId) throw new PermanentWebhookError(`refund ${r.id} names no capture (links rel=up)`);
    // the capture now: its refunded state and the ids the refund itself does not carry
    const c = await must(ppCall<PpCapture>(ctx, "paypal.captures.get", { method: "GET", path: `/v2/payments/captures/${encodeURIComponent(captureId)}` }));
    const capturedMinor = ppMinor(c.amount);
    const total = r.seller_payable_breakdown?.total_refunded_amount;
    const refundedMinor = c.status === "REFUNDED" ? capturedMinor : total ? ppMinor(total) : ppMinor(r.amount);
    const paymentId = c.custom_id ?? r.custom_id ?? null;
    const orderId = c.supplementary_data?.related_ids?.order_id ?? null;
    const refund: RefundUpdate = {
      providerRefundId: r.id,
      paymentId,
      providerPaymentId: orderId,
      status: r.status === "COMPLETED" ? "succeeded" : r.status === "PENDING" ? "pending" : "failed",
      amountMinor: ppMinor(r.amount),
      eventId: ev.id,
    };
    const payment: PaymentUpdate = {
      paymentId,
      providerPaymentId: orderId,
      providerCaptureId: c.id,
      status: refundedMinor >= capturedMinor ? "refunded" : "partially_refunded",
      providerStatus: c.status,
      capturedMinor,
      refundedMinor,
      eventId: ev.id,
      occurredAt: ev.create_time,
    };
    return done(`refund ${r.id} of capture ${c.id}: ${r.status}`, [{ type: "refund.updated", data: refund }, updated(payment)]);
  }

  if (SUBSCRIPTION_EVENTS.has(type)) {
    const sub = resource as unknown as PpSubscription;
    if (typeof sub.id !== "string" || typeof sub.status !== "string") throw new PermanentWebhookError(`${type} without a subscription (resource.id, resource.status)`);
    const u = must(() => subscriptionUpdate(sub, ev));
    const failed = sub.billing_info?.last_failed_payment;
    if (type === "BILLING.SUBSCRIPTION.PAYMENT.FAILED" && failed?.time) {
      const currency = failed.amount?.currency_code ?? sub.billing_info?.outstanding_balance?.currency_code ?? "";
      u.charge = {
        providerPaymentId: `${sub.id}:failed:${failed.time}`,
        amountMinor: moneyMinor(failed.amount?.value, currency),
        currency,
        status: "failed",
        error: `PayPal could not take the payment${failed.reason_code ? ` (${failed.reason_code})` : ""}${failed.next_payment_retry_time ? `; it retries at ${failed.next_payment_retry_time}` : ""}`,
      };
    }
    const note = `subscription ${sub.id}: ${sub.status}${u.status ? ` (${u.status})` : ""}${u.charge ? ", a payment failed" : ""}`;
    return done(note, [subscriptionEvent(u)]);
  }

  if (type === "PAYMENT.SALE.COMPLETED" || type === "PAYMENT.SALE.DENIED") {
    const sale = resource as unknown as PpSale;
    if (!sale.billing_agreement_id) return { outcome: "ignored", note: `sale ${sale.id ?? "?"} is not a subscription's (no billing_agreement_id)` };
    if (typeof sale.id !== "string" || !sale.amount?.total || !sale.amount.currency) throw new PermanentWebhookError(`${type} without a sale id or amount`);
    // the subscription now: its status and period (the sale carries neither)
    const sub = await must(getSubscription(ctx, sale.billing_agreement_id));
    const u = must(() => subscriptionUpdate(sub, ev));
    const succeeded = type === "PAYMENT.SALE.COMPLETED";
    u.subscriptionId = u.subscriptionId ?? sale.custom ?? null;
    u.charge = {
      providerPaymentId: sale.id,
      amountMinor: moneyMinor(sale.amount.total, sale.amount.currency),
      currency: sale.amount.currency,
      status: succeeded ? "succeeded" : "failed",
      error: succeeded ? null : `PayPal ${String(sale.state ?? "denied").toLowerCase()} the payment`,
      periodStart: sale.create_time ?? null,
    };
    return done(`sale ${sale.id} of subscription ${sub.id}: ${sale.state ?? type}`, [subscriptionEvent(u)]);
  }

  return { outcome: "ignored", note: `${type} events are not used by Switchboard` };
}

/** a PAYMENT.SALE.* resource (Payments v1's sale) */
type PpSale = {
  id?: string;
  state?: string;
  amount?: { total?: string; currency?: string };
  billing_agreement_id?: string;
  /** UNCONFIRMED: PayPal's examples of subscription sales show `custom` carrying the subscription's custom_id */
  custom?: string;
  create_time?: string;
};

const subscriptionEvent = (data: SubscriptionUpdate): NormalizedEvent => ({ type: "subscription.updated", data });
