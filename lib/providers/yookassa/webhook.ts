// YooKassa notifications: `{"type":"notification","event":"payment.succeeded","object":{…}}`.
// YooKassa signs nothing: verify() only checks the source address against YooKassa's published
// ranges (YOOKASSA_ALLOWED_IPS), and handle() trusts nothing in the body but the object's id:
// it re-fetches the payment or refund with GET and emits what YooKassa's API says now. A
// notification whose status disagrees with the fetched object is noted, and the API wins.
// There is no event id: the idempotency key is `${event}:${object.id}:${object.status}`.
// A payment that carries our subscription id in its metadata (the first payment of a
// subscription, or a renewal charged with the saved method) becomes a "subscription.updated"
// event instead of "payment.updated": lib/payments records the charge as the subscription's payment.
import {
  PaymentProviderError,
  PermanentWebhookError,
  WebhookBodyError,
  jsonObjectBody,
  type ParsedWebhook,
  type PaymentUpdate,
  type RefundUpdate,
  type StoredWebhook,
  type SubscriptionUpdate,
  type WebhookHandleResult,
} from "@/lib/providers/types";
import type { InboundRequest } from "@/lib/providers/webhook-kit";
import { fromDecimalString } from "@/lib/money";
import { mapPayment, ykCall, type YkPayment, type YkRefund, type YooKassaContext } from "@/lib/providers/yookassa/client";
import { chargeOf, META, periodOf, savedMethodOf } from "@/lib/providers/yookassa/subscriptions";

export const NOTIFICATION_EVENTS = ["payment.succeeded", "payment.canceled", "payment.waiting_for_capture", "refund.succeeded"] as const;

const ID = /^[A-Za-z0-9-]{8,64}$/;

export function parseNotification(req: InboundRequest): ParsedWebhook {
  const body = jsonObjectBody(req.rawBody);
  if (body.type !== "notification") throw new WebhookBodyError('Not a YooKassa notification: "type" must be "notification"');
  const event = body.event;
  const object = body.object as Record<string, unknown> | undefined;
  if (typeof event !== "string" || !/^[a-z_]+\.[a-z_]+$/.test(event)) throw new WebhookBodyError('"event" is missing or not a YooKassa event name');
  if (!object || typeof object !== "object" || typeof object.id !== "string" || !ID.test(object.id)) {
    throw new WebhookBodyError('"object.id" is missing or not a YooKassa id');
  }
  return { type: event, id: `${event}:${object.id}:${String(object.status ?? "")}`, payload: body };
}

/** The payment or refund id a notification names, read without trusting it (for a refused one's timeline). */
export function notificationSubject(req: InboundRequest): string | null {
  try {
    const object = jsonObjectBody(req.rawBody).object as Record<string, unknown> | undefined;
    return object && typeof object.id === "string" && ID.test(object.id) ? object.id : null;
  } catch {
    return null;
  }
}

/**
 * A payment of a subscription (our id in its metadata), re-fetched, as the subscription's update:
 * the first payment (it saved the method) succeeded → active with the saved payment_method.id,
 * canceled → incomplete_expired; a renewal succeeded → active; a renewal canceled carries only
 * the failed charge (past_due, the retries and canceled are the scheduler's to decide, by its
 * schedule: a late failure of an older charge must not undo a newer success). Each carries the
 * charge, recorded once per YooKassa payment id. A pending payment (a 54-FZ receipt being
 * registered) carries nothing but its status.
 */
export function subscriptionUpdateOf(p: YkPayment, subscriptionId: string, eventId: string | undefined, occurredAt: string): SubscriptionUpdate {
  const first = p.metadata?.[META.charge] === "first";
  const charge = chargeOf(p);
  // the period paid: the first from the capture, a renewal's as the scheduler sent it
  const period = periodOf(p, occurredAt);
  if (charge && period) Object.assign(charge, { periodStart: period.start, periodEnd: period.end });
  const status: SubscriptionUpdate["status"] =
    p.status === "succeeded" ? "active" : p.status === "canceled" && first ? "incomplete_expired" : undefined;
  return {
    subscriptionId,
    ...(first ? { providerSubscriptionId: p.id } : {}),
    ...(status ? { status } : {}),
    providerStatus: p.status,
    // the first payment's saved method is what every renewal is charged with (null: YooKassa did not save it)
    ...(first && p.status === "succeeded" ? { paymentMethodId: savedMethodOf(p) } : {}),
    ...(period ? { currentPeriodStart: period.start, currentPeriodEnd: period.end } : {}),
    ...(charge ? { charge } : {}),
    eventId,
    occurredAt: p.captured_at ?? occurredAt,
  };
}

/** refetches: a failure that retrying can fix is thrown (the event is retried), the rest is permanent */
async function refetch<T>(ctx: YooKassaContext, action: string, path: string): Promise<T | null> {
  try {
    return await ykCall<T>(ctx, action, { method: "GET", path });
  } catch (e) {
    if (e instanceof PaymentProviderError && e.opts.status === 404) return null;
    if (e instanceof PaymentProviderError && !e.retryable) throw new PermanentWebhookError(e.message);
    throw e;
  }
}

export async function handleNotification(event: StoredWebhook, ctx: YooKassaContext): Promise<WebhookHandleResult> {
  const body = (event.payload ?? {}) as { event?: string; object?: { id?: string; status?: string } };
  const name = body.event ?? event.type;
  const claimed = body.object ?? {};
  const id = String(claimed.id ?? "");
  const occurredAt = event.receivedAt.toISOString();

  if (name.startsWith("payment.")) {
    const p = await refetch<YkPayment>(ctx, "yookassa.payments.get", `/payments/${encodeURIComponent(id)}`);
    if (!p) return { outcome: "ignored", note: `YooKassa does not know payment ${id} in this shop: the notification is not trusted` };
    const mapped = mapPayment(p);
    const lied = claimed.status && claimed.status !== p.status;
    const subscriptionId = p.metadata?.[META.subscription];
    if (subscriptionId) {
      return {
        outcome: "completed",
        note: lied
          ? `${p.id} (subscription ${subscriptionId}): the notification said "${claimed.status}" but YooKassa's API says "${p.status}": the API's status is used`
          : `${p.id} (subscription ${subscriptionId}): ${p.status} (re-fetched)`,
        events: [{ type: "subscription.updated", data: subscriptionUpdateOf(p, subscriptionId, event.externalId ?? undefined, occurredAt) }],
      };
    }
    const update: PaymentUpdate = {
      paymentId: p.metadata?.switchboard_payment_id ?? null,
      providerPaymentId: p.id,
      status: mapped.status,
      providerStatus: p.status,
      ...(mapped.capturedMinor !== undefined ? { capturedMinor: mapped.capturedMinor } : {}),
      ...(mapped.refundedMinor !== undefined ? { refundedMinor: mapped.refundedMinor } : {}),
      eventId: event.externalId ?? undefined,
      occurredAt,
      error: mapped.error ?? null,
    };
    return {
      outcome: "completed",
      note: lied
        ? `${p.id}: the notification said "${claimed.status}" but YooKassa's API says "${p.status}": the API's status is used`
        : `${p.id}: ${p.status} (re-fetched)`,
      events: [{ type: "payment.updated", data: update }],
    };
  }

  if (name.startsWith("refund.")) {
    const r = await refetch<YkRefund>(ctx, "yookassa.refunds.get", `/refunds/${encodeURIComponent(id)}`);
    if (!r) return { outcome: "ignored", note: `YooKassa does not know refund ${id} in this shop: the notification is not trusted` };
    // a refund carries no metadata: the payment (re-fetched too) names ours, and its refunded total
    const p = await refetch<YkPayment>(ctx, "yookassa.payments.get", `/payments/${encodeURIComponent(r.payment_id)}`);
    const paymentId = p?.metadata?.switchboard_payment_id ?? null;
    const refund: RefundUpdate = {
      providerRefundId: r.id,
      paymentId,
      providerPaymentId: r.payment_id,
      status: r.status === "succeeded" ? "succeeded" : r.status === "canceled" ? "failed" : "pending",
      amountMinor: fromDecimalString(r.amount.value, r.amount.currency),
      eventId: event.externalId ?? undefined,
    };
    const events: WebhookHandleResult["events"] = [{ type: "refund.updated", data: refund }];
    if (p) {
      const mapped = mapPayment(p);
      const update: PaymentUpdate = {
        paymentId,
        providerPaymentId: p.id,
        status: mapped.status,
        providerStatus: p.status,
        ...(mapped.capturedMinor !== undefined ? { capturedMinor: mapped.capturedMinor } : {}),
        ...(mapped.refundedMinor !== undefined ? { refundedMinor: mapped.refundedMinor } : {}),
        eventId: event.externalId ?? undefined,
        occurredAt,
      };
      events.push({ type: "payment.updated", data: update });
    }
    const lied = claimed.status && claimed.status !== r.status;
    return {
      outcome: "completed",
      note: lied
        ? `refund ${r.id}: the notification said "${claimed.status}" but YooKassa's API says "${r.status}": the API's status is used`
        : `refund ${r.id}: ${r.status} (re-fetched)`,
      events,
    };
  }

  return { outcome: "ignored", note: `${name} notifications are not used by Switchboard` };
}
