// YooKassa recurring payments ("автоплатежи"), checked against YooKassa's documentation
// (yookassa.ru/developers/payment-acceptance/scenario-extensions/recurring-payments):
//  - the first payment is an ordinary redirect payment with `save_payment_method: true`
//    (unconditional saving: the payer is told on the checkout page); when it succeeds its
//    `payment_method` has `saved: true` and its `id` is what later payments are made with;
//  - each renewal is a payment with `payment_method_id`, amount, description and `capture: true`
//    and no confirmation: YooKassa charges it without the payer (it may answer `pending` while a
//    54-FZ receipt is registered: then the notification or a status check tells the outcome);
//  - YooKassa keeps no subscription, plan or schedule: Switchboard's scheduler
//    (lib/payments/renewals.ts) decides when to charge, retries and when to give up. So there
//    is nothing at YooKassa to retrieve but payments, nor anything to cancel there: cancel and
//    resume only say what Switchboard will do (stop charging). Recurring payments work in a test
//    shop by default; a live shop needs them enabled by its YooKassa manager (documented).
// UNCONFIRMED (not in the documentation we checked): YooKassa's exact answer for an unknown or
// deleted payment_method_id (the sandbox answers 400 invalid_request naming payment_method_id),
// and which `party` a permission_revoked cancellation names.
import { addInterval, isInterval } from "@/lib/periods";
import { PaymentProviderError, type ProviderSubscription, type SubscriptionCharge, type SubscriptionRef, type SubscriptionRequest, type SubscriptionsSpec } from "@/lib/providers/types";
import { amountOf, mapPayment, minorOf, ykCall, type YkPayment, type YooKassaContext } from "@/lib/providers/yookassa/client";

/** metadata keys of ours on every subscription payment (YooKassa: at most 16 keys, key ≤ 32, value ≤ 512) */
export const META = {
  payment: "switchboard_payment_id",
  subscription: "switchboard_subscription_id",
  /** "first" (the payment that saves the method) or "renewal" (a charge with payment_method_id) */
  charge: "switchboard_charge",
  /** the first payment's billing interval, "month:1": its notification says the first period */
  interval: "switchboard_interval",
  /** a renewal's period, "<start ISO>/<end ISO>": its notification says which period it paid */
  period: "switchboard_period",
} as const;
const RESERVED = new Set<string>(Object.values(META));

function metadataOf(extra: Record<string, string>, ours: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const room = 16 - Object.keys(ours).length;
  for (const [k, v] of Object.entries(extra)) {
    if (Object.keys(out).length >= room) break;
    if (RESERVED.has(k) || k.length > 32) continue;
    out[k] = String(v).slice(0, 512);
  }
  return { ...out, ...ours };
}

/** the saved method's id: only a method YooKassa says it saved can be charged later */
export const savedMethodOf = (p: YkPayment): string | null => (p.payment_method?.saved && p.payment_method.id ? p.payment_method.id : null);

/**
 * The period a paid charge pays for: a renewal's from its metadata ("<start>/<end>"); the first
 * payment's from its capture and the interval it carries ("month:1"): [captured_at, + interval).
 * Null when not paid or not said.
 */
export function periodOf(p: YkPayment, fallbackStart: string): { start: string; end: string } | null {
  if (p.status !== "succeeded") return null;
  const said = /^([0-9T:.Z-]{20,30})\/([0-9T:.Z-]{20,30})$/.exec(p.metadata?.[META.period] ?? "");
  if (said) {
    const [start, end] = [new Date(said[1]), new Date(said[2])];
    return Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) ? null : { start: start.toISOString(), end: end.toISOString() };
  }
  const m = /^(day|week|month|year):(\d{1,3})$/.exec(p.metadata?.[META.interval] ?? "");
  if (!m || !isInterval(m[1]) || p.status !== "succeeded") return null;
  const start = new Date(p.captured_at ?? fallbackStart);
  if (Number.isNaN(start.getTime())) return null;
  return { start: start.toISOString(), end: addInterval(start, m[1], Number(m[2])).toISOString() };
}

/** one charge of a subscription (the first or a renewal), as SubscriptionCharge; null while it is still pending */
export function chargeOf(p: YkPayment): SubscriptionCharge | null {
  const mapped = mapPayment(p);
  if (p.status !== "succeeded" && p.status !== "canceled") return null;
  return {
    providerPaymentId: p.id,
    amountMinor: minorOf(p.amount),
    currency: p.amount.currency,
    status: p.status === "succeeded" ? "succeeded" : "failed",
    error: mapped.error ?? null,
  };
}

/**
 * The subscription as one of its payments shows it. The first payment: pending → incomplete,
 * succeeded → active, canceled → incomplete_expired (its confirmation page is dead: a new
 * subscription is needed). A renewal: succeeded → active; canceled or still pending → past_due
 * (the due date has passed and the period is not paid; whether and when to give up is the
 * scheduler's, so canceled is never derived here).
 */
export function subscriptionOf(p: YkPayment, firstPaymentId: string | null): ProviderSubscription {
  const first = p.metadata?.[META.charge] === "first" || (firstPaymentId !== null && p.id === firstPaymentId);
  const status: ProviderSubscription["status"] = first
    ? p.status === "succeeded"
      ? "active"
      : p.status === "canceled"
        ? "incomplete_expired"
        : "incomplete"
    : p.status === "succeeded"
      ? "active"
      : "past_due";
  const when = p.captured_at ?? p.created_at;
  const period = periodOf(p, when ?? new Date().toISOString());
  return {
    providerSubscriptionId: firstPaymentId ?? (first ? p.id : null),
    paymentUrl: first && p.status === "pending" ? p.confirmation?.confirmation_url ?? null : null,
    status,
    providerStatus: p.status,
    ...(first ? { paymentMethodId: savedMethodOf(p) } : {}),
    ...(period ? { currentPeriodStart: period.start, currentPeriodEnd: period.end } : {}),
    // the word is as old as the payment it was read from: a status the scheduler set later (a
    // renewal declined since the first payment) is not moved by it
    ...(when ? { occurredAt: when } : {}),
  };
}

type Ctx = YooKassaContext;

export const yookassaSubscriptions: SubscriptionsSpec = {
  // YooKassa has no schedule of its own: any interval Switchboard's scheduler can count
  intervals: ["day", "week", "month", "year"],
  billing: "merchant",

  async create(ctx, req: SubscriptionRequest): Promise<ProviderSubscription> {
    const description = (req.description || req.plan || "").slice(0, 128);
    const p = await ykCall<YkPayment>(ctx as unknown as Ctx, "yookassa.payments.create", {
      method: "POST",
      path: "/payments",
      idempotenceKey: req.idempotencyKey,
      body: {
        amount: amountOf(req.amountMinor, req.currency),
        // a subscription's charges are always captured at once (a held first payment would
        // leave the saved method's subscription neither paid nor failed)
        capture: true,
        save_payment_method: true,
        confirmation: { type: "redirect", return_url: req.returnUrl },
        ...(description ? { description } : {}),
        metadata: metadataOf(req.metadata ?? {}, {
          [META.payment]: req.paymentId,
          [META.subscription]: req.id,
          [META.charge]: "first",
          [META.interval]: `${req.interval}:${req.intervalCount}`,
        }),
      },
    });
    return { ...subscriptionOf(p, p.id), firstPayment: mapPayment(p), paymentMethodId: savedMethodOf(p) };
  },

  async retrieve(ctx, s: SubscriptionRef): Promise<ProviderSubscription> {
    // no subscription object at YooKassa: the newest charge we know of, else the first payment
    const id = s.lastProviderPaymentId || s.providerSubscriptionId;
    if (!id) throw new PaymentProviderError("This subscription has no YooKassa payment yet: nothing to ask YooKassa about", false, { code: "no_provider_id" });
    const p = await ykCall<YkPayment>(ctx as unknown as Ctx, "yookassa.payments.get", { method: "GET", path: `/payments/${encodeURIComponent(id)}` });
    const view = subscriptionOf(p, s.providerSubscriptionId);
    return { ...view, paymentMethodId: view.paymentMethodId ?? s.paymentMethodId };
  },

  // YooKassa has no subscription to cancel and no API call that ends a saved method's use
  // (UNCONFIRMED whether one exists for shops): cancelling is Switchboard no longer charging it.
  async cancel(_ctx, s: SubscriptionRef, opts: { atPeriodEnd: boolean }): Promise<ProviderSubscription> {
    const base = { providerSubscriptionId: s.providerSubscriptionId, paymentMethodId: s.paymentMethodId, providerStatus: "local" };
    if (opts.atPeriodEnd) return { ...base, status: "active", cancelAtPeriodEnd: true };
    return { ...base, status: "canceled", cancelAtPeriodEnd: false, canceledAt: new Date().toISOString() };
  },

  async resume(_ctx, s: SubscriptionRef): Promise<ProviderSubscription> {
    return { providerSubscriptionId: s.providerSubscriptionId, paymentMethodId: s.paymentMethodId, providerStatus: "local", status: "active", cancelAtPeriodEnd: false };
  },

  async charge(ctx, s: SubscriptionRef, req) {
    if (!s.paymentMethodId) {
      throw new PaymentProviderError("This subscription has no saved YooKassa payment method: its first payment was not paid with a method YooKassa saved", false, {
        code: "no_payment_method",
      });
    }
    const p = await ykCall<YkPayment>(ctx as unknown as Ctx, "yookassa.payments.create", {
      method: "POST",
      path: "/payments",
      idempotenceKey: req.idempotencyKey,
      body: {
        amount: amountOf(req.amountMinor, req.currency),
        capture: true,
        payment_method_id: s.paymentMethodId,
        ...(req.description ? { description: req.description.slice(0, 128) } : {}),
        metadata: {
          [META.payment]: req.paymentId,
          [META.subscription]: s.id,
          [META.charge]: "renewal",
          ...(req.periodStart && req.periodEnd ? { [META.period]: `${req.periodStart}/${req.periodEnd}` } : {}),
        },
      },
    });
    return mapPayment(p);
  },
};
