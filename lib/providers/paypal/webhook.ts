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

export const WEBHOOK_EVENTS = [
  "CHECKOUT.ORDER.APPROVED",
  "CHECKOUT.ORDER.COMPLETED",
  "CHECKOUT.ORDER.VOIDED",
  "PAYMENT.CAPTURE.COMPLETED",
  "PAYMENT.CAPTURE.PENDING",
  "PAYMENT.CAPTURE.DENIED",
  "PAYMENT.CAPTURE.DECLINED",
  "PAYMENT.CAPTURE.REFUNDED",
] as const;

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
  if (typeof body.event_type !== "string" || !/^[A-Z0-9_.]+$/.test(body.event_type)) throw new WebhookBodyError('"event_type" is missing or not a PayPal event type');
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
async function must<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof PaymentProviderError && !e.retryable) throw new PermanentWebhookError(e.message);
    throw e;
  }
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

  return { outcome: "ignored", note: `${type} events are not used by Switchboard` };
}
