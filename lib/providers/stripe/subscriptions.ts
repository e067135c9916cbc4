// Stripe subscriptions (issue 18): billed by Stripe on its own schedule (billing "provider").
// Created as a Checkout Session in subscription mode (a recurring price made inline with
// price_data), our ids in metadata on the session and on the subscription (subscription_data
// .metadata.switchboard_subscription_id), so every invoice and subscription event finds it.
// Cancel now is DELETE /v1/subscriptions/{id}; at the period's end cancel_at_period_end=true,
// which resume sets back to false. Renewals are invoices: webhook.ts maps invoice.paid and
// invoice.payment_failed to charges.
//
// Stripe API version 2025-03-31 (basil) and later: the period lives on the subscription's items
// (items.data[].current_period_start/end), not on the subscription; an invoice names its
// subscription in parent.subscription_details. Both are read here.
import type Stripe from "stripe";
import type { ProviderSubscription, SubscriptionRef, SubscriptionRequest, SubscriptionStatus, SubscriptionsSpec } from "@/lib/providers/types";
import { stripeFor, toPaymentError, type StripeContext } from "@/lib/providers/stripe/client";

const iso = (t: number | null | undefined) => (typeof t === "number" ? new Date(t * 1000).toISOString() : null);

/**
 * Stripe's subscription status → ours. trialing counts as active (no trials are made here);
 * unpaid (retries exhausted, the subscription left open) as past_due; paused (a trial ended
 * without a payment method) as past_due too: it bills nothing until a payment method is added.
 */
export function subscriptionStatus(s: string | null | undefined): SubscriptionStatus {
  switch (s) {
    case "active":
    case "trialing":
      return "active";
    case "past_due":
    case "unpaid":
    case "paused":
      return "past_due";
    case "canceled":
      return "canceled";
    case "incomplete_expired":
      return "incomplete_expired";
    default:
      return "incomplete";
  }
}

type SubLike = {
  id: string;
  status: string;
  customer: string | { id: string } | null;
  cancel_at_period_end?: boolean | null;
  canceled_at?: number | null;
  ended_at?: number | null;
  items?: { data?: { current_period_start?: number; current_period_end?: number; price?: { id?: string } | null }[] } | null;
};

/** The period of a subscription: its first item's (API 2025-03-31 and later). */
export function periodOf(s: SubLike) {
  const item = s.items?.data?.[0];
  return { start: iso(item?.current_period_start), end: iso(item?.current_period_end) };
}

export function fromSubscription(s: SubLike): ProviderSubscription {
  const period = periodOf(s);
  return {
    providerSubscriptionId: s.id,
    providerCustomerId: typeof s.customer === "string" ? s.customer : (s.customer?.id ?? null),
    providerPlanId: s.items?.data?.[0]?.price?.id ?? null,
    status: subscriptionStatus(s.status),
    providerStatus: s.status,
    currentPeriodStart: period.start,
    currentPeriodEnd: period.end,
    cancelAtPeriodEnd: !!s.cancel_at_period_end,
    canceledAt: iso(s.ended_at ?? null) ?? (s.status === "canceled" ? iso(s.canceled_at ?? null) : null),
  };
}

/** A Checkout Session before the payer paid: no subscription at Stripe yet. */
function fromOpenSession(s: Stripe.Checkout.Session): ProviderSubscription {
  const providerStatus = `checkout.${s.status ?? "open"}/${s.payment_status}`;
  return {
    providerSubscriptionId: null,
    paymentUrl: s.status === "open" ? s.url : null,
    status: s.status === "expired" ? "incomplete_expired" : "incomplete",
    providerStatus,
    firstPayment: { providerPaymentId: null, providerCheckoutId: s.id, paymentUrl: s.status === "open" ? s.url : null, status: s.status === "expired" ? "canceled" : "pending", providerStatus },
  };
}

async function create(ctx: StripeContext, req: SubscriptionRequest): Promise<ProviderSubscription> {
  const stripe = stripeFor(ctx, "stripe.subscription.checkout");
  const metadata = { ...req.metadata, switchboard_subscription_id: req.id, switchboard_payment_id: req.paymentId };
  try {
    const s = await stripe.checkout.sessions.create(
      {
        mode: "subscription",
        line_items: [
          {
            price_data: {
              currency: req.currency.toLowerCase(),
              unit_amount: req.amountMinor,
              product_data: { name: req.plan, ...(req.description ? { description: req.description } : {}) },
              recurring: { interval: req.interval, interval_count: req.intervalCount },
            },
            quantity: 1,
          },
        ],
        success_url: req.returnUrl,
        cancel_url: req.cancelUrl,
        ...(req.customerEmail ? { customer_email: req.customerEmail } : {}),
        metadata,
        // payment_intent_data is refused in subscription mode: the subscription carries our ids
        subscription_data: { metadata, ...(req.description ? { description: req.description } : {}) },
      },
      { idempotencyKey: req.idempotencyKey },
    );
    return fromOpenSession(s);
  } catch (e) {
    throw toPaymentError(e, ctx);
  }
}

/** The subscription Stripe made for a completed Checkout Session; the session itself while it has none. */
async function current(stripe: Stripe, ref: SubscriptionRef): Promise<ProviderSubscription | { session: Stripe.Checkout.Session }> {
  if (ref.providerSubscriptionId) return fromSubscription(await stripe.subscriptions.retrieve(ref.providerSubscriptionId));
  if (!ref.providerCheckoutId) throw new Error("the subscription has neither a Stripe subscription nor a Checkout Session");
  const session = await stripe.checkout.sessions.retrieve(ref.providerCheckoutId);
  const subId = typeof session.subscription === "string" ? session.subscription : (session.subscription?.id ?? null);
  if (subId) return fromSubscription(await stripe.subscriptions.retrieve(subId));
  return { session };
}

export const stripeSubscriptions: SubscriptionsSpec<StripeContext["credentials"], StripeContext["config"]> = {
  intervals: ["day", "week", "month", "year"],
  billing: "provider",
  create: (ctx, req) => create(ctx as StripeContext, req),

  async retrieve(ctx, ref) {
    const sc = ctx as StripeContext;
    try {
      const r = await current(stripeFor(sc, "stripe.subscription.retrieve"), ref);
      return "session" in r ? fromOpenSession(r.session) : r;
    } catch (e) {
      throw toPaymentError(e, sc);
    }
  },

  async cancel(ctx, ref, { atPeriodEnd }) {
    const sc = ctx as StripeContext;
    const stripe = stripeFor(sc, atPeriodEnd ? "stripe.subscription.cancel_at_period_end" : "stripe.subscription.cancel");
    try {
      const r = await current(stripe, ref);
      if ("session" in r) {
        // not paid yet: the Checkout page is closed so that it can no longer start one
        const s = r.session.status === "open" ? await stripe.checkout.sessions.expire(r.session.id) : r.session;
        return { ...fromOpenSession(s), status: "incomplete_expired" };
      }
      const id = r.providerSubscriptionId!;
      if (atPeriodEnd) return fromSubscription(await stripe.subscriptions.update(id, { cancel_at_period_end: true }));
      return fromSubscription(await stripe.subscriptions.cancel(id));
    } catch (e) {
      throw toPaymentError(e, sc);
    }
  },

  async resume(ctx, ref) {
    const sc = ctx as StripeContext;
    const stripe = stripeFor(sc, "stripe.subscription.resume");
    try {
      if (!ref.providerSubscriptionId) throw new Error("the subscription has no Stripe subscription yet");
      return fromSubscription(await stripe.subscriptions.update(ref.providerSubscriptionId, { cancel_at_period_end: false }));
    } catch (e) {
      throw toPaymentError(e, sc);
    }
  },
};
