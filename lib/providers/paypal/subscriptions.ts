// PayPal Subscriptions API v1 (issue 18): PayPal bills each period itself (billing "provider").
//
// A subscription needs a billing plan, and a plan a catalog product. Both are made on demand and
// reused: the product's id is ours (PayPal takes a merchant-chosen id up to 50 characters, not
// starting with PROD-), derived from what makes the plan (name, amount, currency, interval,
// count, failure threshold), so another process or a later day finds it with
// GET /v1/catalogs/products/{id}; its ACTIVE plan is found with GET /v1/billing/plans?product_id=.
// The creations carry PayPal-Request-Id derived from the same key, so two creations racing make
// one plan while PayPal keeps the id.
//
// POST /v1/billing/subscriptions {plan_id, custom_id: our subscription id, subscriber,
// application_context} → APPROVAL_PENDING with an "approve" link; the payer approves on PayPal,
// PayPal activates it and charges the first period (PAYMENT.SALE.COMPLETED), then every
// period after (webhook.ts).
//
// Statuses (ours ← PayPal's):
//   incomplete ← APPROVAL_PENDING, APPROVED (the payer has not approved yet / not activated yet),
//                and ACTIVE before its first payment (no billing_info.last_payment): PayPal
//                activates the subscription on approval and bills the first period just after
//                (BILLING.SUBSCRIPTION.ACTIVATED comes with cycles_completed 0 and
//                next_billing_time = now, then PAYMENT.SALE.COMPLETED), and ours is active once
//                its first charge is paid, so the first sale is the activation, not a renewal
//   active     ← ACTIVE with no failed payment outstanding
//   past_due   ← ACTIVE with failed_payments_count > 0 (PayPal retries the payment), and
//                SUSPENDED with failed payments: PayPal suspends a subscription by itself once
//                failed payments reach the plan's payment_failure_threshold (3 here)
//   active     ← SUSPENDED with no failed payment: a pause (suspend(), or the merchant in PayPal's
//                dashboard). Not a failure, so not past_due (no alert, no "payment failed" to the
//                payer); PayPal bills nothing until it is activated again; providerStatus says
//                SUSPENDED. Our model has no paused status.
//   active + cancelAtPeriodEnd ← SUSPENDED by cancel({atPeriodEnd: true}): PayPal has no cancel
//                at period end (its cancel ends billing at once and is final), so we suspend it
//                (no further charge; resume() activates it again) with a reason naming the end
//                of the paid period, which PayPal keeps as status_change_note; once that time
//                has passed it reads as canceled. lib/payments cancels it at PayPal then (cancel
//                now), which is final there too.
//   canceled   ← CANCELLED, EXPIRED (every cycle of a finite plan billed: ours are infinite)
// currentPeriodStart ← billing_info.last_payment.time (else start_time), currentPeriodEnd ←
// billing_info.next_billing_time.
import { createHash, randomUUID } from "node:crypto";
import { fromDecimalString } from "@/lib/money";
import {
  PaymentProviderError,
  type ProviderSubscription,
  type SubscriptionInterval,
  type SubscriptionRef,
  type SubscriptionRequest,
  type SubscriptionStatus,
  type SubscriptionUpdate,
} from "@/lib/providers/types";
import { ppCall, ppValue, type PayPalConfig, type PayPalContext, type PpMoney } from "@/lib/providers/paypal/client";

type Link = { href: string; rel: string; method?: string };
export type PpSubscription = {
  id: string;
  status: string;
  status_change_note?: string;
  status_update_time?: string;
  plan_id?: string;
  custom_id?: string;
  start_time?: string;
  create_time?: string;
  update_time?: string;
  subscriber?: { email_address?: string; payer_id?: string };
  billing_info?: {
    outstanding_balance?: PpMoney;
    last_payment?: { amount?: PpMoney; time?: string };
    next_billing_time?: string;
    failed_payments_count?: number;
    last_failed_payment?: { amount?: PpMoney; time?: string; reason_code?: string; next_payment_retry_time?: string };
  };
  links?: Link[];
};
type PpPlan = { id: string; product_id?: string; name?: string; status?: string };
type PpProduct = { id: string; name?: string };

export const SUBSCRIPTION_INTERVALS: readonly SubscriptionInterval[] = ["day", "week", "month", "year"];
/** failed payments in a row after which PayPal suspends the subscription (the plan's payment_failure_threshold) */
export const PAYMENT_FAILURE_THRESHOLD = 3;
const UNIT: Record<SubscriptionInterval, string> = { day: "DAY", week: "WEEK", month: "MONTH", year: "YEAR" };
/** PayPal's largest interval_count per interval_unit (its plan frequency documentation) */
const MAX_COUNT: Record<SubscriptionInterval, number> = { day: 365, week: 52, month: 12, year: 1 };
/** the reason our cancel at period end suspends with; the end of the paid period follows it */
export const CANCEL_AT_PERIOD_END_NOTE = "Switchboard: cancel at period end";

// ───────────── the plan: made on demand, found again ─────────────

/** the plan's key: what makes two requests the same plan */
export function planKey(req: Pick<SubscriptionRequest, "plan" | "amountMinor" | "currency" | "interval" | "intervalCount">): string {
  return createHash("sha256")
    .update(JSON.stringify([req.plan, req.amountMinor, req.currency, req.interval, req.intervalCount, PAYMENT_FAILURE_THRESHOLD]))
    .digest("hex")
    .slice(0, 32)
    .toUpperCase();
}
/** our catalog product id for a plan key (PayPal refuses ids starting with PROD-, its own prefix) */
export const productIdOf = (key: string) => `SWB-${key}`;

/** plan ids found or made, per endpoint and app: a hit saves the two lookups */
const plans = new Map<string, string>();
const planCacheKey = (ctx: PayPalContext, key: string) => `${ctx.baseUrl}\n${ctx.credentials.clientId}\n${key}`;
/** forgets the plans found so far (tests: a new process finds them at PayPal) */
export function forgetPlans() {
  plans.clear();
}

const notFound = (e: unknown) => e instanceof PaymentProviderError && e.opts.status === 404;

export async function ensurePlan(ctx: PayPalContext, req: SubscriptionRequest): Promise<string> {
  const key = planKey(req);
  const hit = plans.get(planCacheKey(ctx, key));
  if (hit) return hit;
  const productId = productIdOf(key);
  const name = req.plan.slice(0, 127);
  try {
    await ppCall<PpProduct>(ctx, "paypal.products.get", { method: "GET", path: `/v1/catalogs/products/${encodeURIComponent(productId)}` });
  } catch (e) {
    if (!notFound(e)) throw e;
    try {
      await ppCall<PpProduct>(ctx, "paypal.products.create", {
        method: "POST",
        path: "/v1/catalogs/products",
        requestId: `product-${key}`,
        body: { id: productId, name, type: "SERVICE", ...(req.description ? { description: req.description.slice(0, 256) } : {}) },
      });
    } catch (e2) {
      // made meanwhile by another process, after its request id expired at PayPal
      if (!(e2 instanceof PaymentProviderError && e2.opts.code === "DUPLICATE_RESOURCE_IDENTIFIER")) throw e2;
    }
  }
  const listed = await ppCall<{ plans?: PpPlan[] }>(ctx, "paypal.plans.list", {
    method: "GET",
    path: `/v1/billing/plans?product_id=${encodeURIComponent(productId)}&page_size=20&total_required=false`,
  });
  let planId = listed?.plans?.find((p) => p.status === "ACTIVE" && p.product_id === productId)?.id;
  if (!planId) {
    const conf = ctx.config as PayPalConfig;
    const made = await ppCall<PpPlan>(ctx, "paypal.plans.create", {
      method: "POST",
      path: "/v1/billing/plans",
      requestId: `plan-${key}`,
      body: {
        product_id: productId,
        name,
        status: "ACTIVE",
        ...(conf.brandName ? { description: `${conf.brandName}: ${name}`.slice(0, 127) } : {}),
        billing_cycles: [
          {
            frequency: { interval_unit: UNIT[req.interval], interval_count: req.intervalCount },
            tenure_type: "REGULAR",
            sequence: 1,
            // 0: until canceled
            total_cycles: 0,
            pricing_scheme: { fixed_price: { value: ppValue(req.amountMinor, req.currency), currency_code: req.currency } },
          },
        ],
        payment_preferences: {
          // a failed period is added to the next bill rather than forgiven
          auto_bill_outstanding: true,
          payment_failure_threshold: PAYMENT_FAILURE_THRESHOLD,
        },
      },
    });
    if (!made?.id) throw new PaymentProviderError("PayPal created the billing plan but answered no id", false, { code: "invalid_response" });
    planId = made.id;
  }
  plans.set(planCacheKey(ctx, key), planId);
  return planId;
}

// ───────────── mapping ─────────────

const approveLink = (s: PpSubscription) => s.links?.find((l) => l.rel === "approve")?.href ?? null;

/** the end of the paid period our cancel at period end suspended with, from PayPal's status_change_note */
export function pendingCancelEnd(s: PpSubscription): string | null {
  if (s.status !== "SUSPENDED" || !s.status_change_note?.startsWith(CANCEL_AT_PERIOD_END_NOTE)) return null;
  const at = s.status_change_note.slice(CANCEL_AT_PERIOD_END_NOTE.length).trim();
  return at && !Number.isNaN(Date.parse(at)) ? at : null;
}

/** A subscription as PayPal shows it (GET, or a BILLING.SUBSCRIPTION.* event's resource) → ours. */
export function mapSubscription(s: PpSubscription, now = Date.now()): ProviderSubscription {
  const bi = s.billing_info ?? {};
  const failed = bi.failed_payments_count ?? 0;
  const pendingEnd = pendingCancelEnd(s);
  let status: SubscriptionStatus;
  let cancelAtPeriodEnd = false;
  let canceledAt: string | null = null;
  switch (s.status) {
    case "APPROVAL_PENDING":
    case "APPROVED":
      status = "incomplete";
      break;
    case "ACTIVE":
      status = !bi.last_payment ? "incomplete" : failed > 0 ? "past_due" : "active";
      break;
    case "SUSPENDED":
      if (pendingEnd) {
        const ended = Date.parse(pendingEnd) <= now;
        status = ended ? "canceled" : "active";
        cancelAtPeriodEnd = !ended;
        canceledAt = ended ? pendingEnd : null;
      } else {
        // failed payments reached the threshold: past due; otherwise a pause (see the top)
        status = failed > 0 ? "past_due" : "active";
      }
      break;
    case "CANCELLED":
    case "EXPIRED":
      status = "canceled";
      canceledAt = s.status_update_time ?? s.update_time ?? null;
      break;
    default:
      throw new PaymentProviderError(`PayPal answered a subscription status Switchboard does not know (${s.status})`, false, { code: "invalid_response" });
  }
  // no period before the first payment (next_billing_time is then the first billing, now)
  const paid = !!bi.last_payment;
  return {
    providerSubscriptionId: s.id,
    providerCustomerId: s.subscriber?.payer_id ?? null,
    providerPlanId: s.plan_id ?? null,
    paymentUrl: status === "incomplete" ? approveLink(s) : null,
    firstPayment: null,
    status,
    providerStatus: s.status,
    currentPeriodStart: bi.last_payment?.time ?? null,
    currentPeriodEnd: pendingEnd ?? (paid ? (bi.next_billing_time ?? null) : null),
    cancelAtPeriodEnd,
    canceledAt,
  };
}

/** the same, as a webhook's "subscription.updated" */
export function subscriptionUpdate(s: PpSubscription, ev: { id?: string; create_time?: string }): SubscriptionUpdate {
  const m = mapSubscription(s);
  return {
    subscriptionId: s.custom_id ?? null,
    providerSubscriptionId: s.id,
    ...(m.providerCustomerId ? { providerCustomerId: m.providerCustomerId } : {}),
    status: m.status,
    providerStatus: m.providerStatus,
    ...(m.currentPeriodStart ? { currentPeriodStart: m.currentPeriodStart } : {}),
    ...(m.currentPeriodEnd ? { currentPeriodEnd: m.currentPeriodEnd } : {}),
    cancelAtPeriodEnd: m.cancelAtPeriodEnd ?? false,
    ...(m.canceledAt ? { canceledAt: m.canceledAt } : {}),
    eventId: ev.id,
    occurredAt: ev.create_time,
  };
}

export const moneyMinor = (value: string | undefined, currency: string | undefined) => (value && currency ? fromDecimalString(value, currency) : 0);

// ───────────── the calls ─────────────

const idOf = (s: SubscriptionRef) => {
  if (!s.providerSubscriptionId) throw new PaymentProviderError("This subscription has no PayPal id yet: it was never created at PayPal", false, { code: "no_provider_id" });
  return s.providerSubscriptionId;
};
const path = (id: string, action = "") => `/v1/billing/subscriptions/${encodeURIComponent(id)}${action ? `/${action}` : ""}`;

export const getSubscription = (ctx: PayPalContext, id: string) => ppCall<PpSubscription>(ctx, "paypal.subscriptions.get", { method: "GET", path: path(id) });

export async function createSubscription(ctx: PayPalContext, req: SubscriptionRequest): Promise<ProviderSubscription> {
  if (!SUBSCRIPTION_INTERVALS.includes(req.interval)) {
    throw new PaymentProviderError(`PayPal bills by day, week, month or year, not "${req.interval}"`, false, { code: "interval" });
  }
  if (!Number.isInteger(req.intervalCount) || req.intervalCount < 1 || req.intervalCount > MAX_COUNT[req.interval]) {
    throw new PaymentProviderError(`PayPal bills every 1 to ${MAX_COUNT[req.interval]} ${req.interval}s: ${req.intervalCount} cannot be sent`, false, { code: "intervalCount" });
  }
  // the amount first: a currency PayPal takes only whole refuses before anything is made
  ppValue(req.amountMinor, req.currency);
  const planId = await ensurePlan(ctx, req);
  const conf = ctx.config as PayPalConfig;
  const s = await ppCall<PpSubscription>(ctx, "paypal.subscriptions.create", {
    method: "POST",
    path: "/v1/billing/subscriptions",
    requestId: req.idempotencyKey,
    body: {
      plan_id: planId,
      custom_id: req.id,
      ...(req.customerEmail ? { subscriber: { email_address: req.customerEmail } } : {}),
      application_context: {
        ...(conf.brandName ? { brand_name: conf.brandName } : {}),
        shipping_preference: "NO_SHIPPING",
        user_action: "SUBSCRIBE_NOW",
        return_url: req.returnUrl,
        cancel_url: req.cancelUrl,
      },
    },
  });
  const mapped = mapSubscription(s);
  if (mapped.status === "incomplete" && !mapped.paymentUrl) {
    throw new PaymentProviderError("PayPal created the subscription but gave no approve link", false, { code: "no_approve_link" });
  }
  return { ...mapped, providerPlanId: mapped.providerPlanId ?? planId };
}

export async function retrieveSubscription(ctx: PayPalContext, ref: SubscriptionRef): Promise<ProviderSubscription> {
  return mapSubscription(await getSubscription(ctx, idOf(ref)));
}

/**
 * POST …/{action}: 204. A refused status (422 SUBSCRIPTION_STATUS_INVALID) is answered by the
 * subscription as it is. Cancel's request id is the subscription's (final: once is enough);
 * suspend and activate can be asked again later (pause, resume, pause), so theirs is new per call
 * (the same through lib/http's retries of that call); the status is read first either way.
 */
async function act(ctx: PayPalContext, id: string, action: "cancel" | "suspend" | "activate", reason: string, requestId: string, tolerateStatus: boolean) {
  try {
    await ppCall<void>(ctx, `paypal.subscriptions.${action}`, { method: "POST", path: path(id, action), requestId, body: { reason: reason.slice(0, 128) } });
  } catch (e) {
    if (!(tolerateStatus && e instanceof PaymentProviderError && e.opts.code === "SUBSCRIPTION_STATUS_INVALID")) throw e;
  }
  return mapSubscription(await getSubscription(ctx, id));
}

export async function cancelSubscription(ctx: PayPalContext, ref: SubscriptionRef, opts: { atPeriodEnd: boolean }): Promise<ProviderSubscription> {
  const id = idOf(ref);
  if (!opts.atPeriodEnd) {
    // final at PayPal: no further charge. Already canceled (or never approved): as it is.
    return act(ctx, id, "cancel", "Canceled in Switchboard", `cancel-${id}`, true);
  }
  const s = await getSubscription(ctx, id);
  if (pendingCancelEnd(s) || s.status === "CANCELLED" || s.status === "EXPIRED") return mapSubscription(s);
  if (s.status !== "ACTIVE") {
    throw new PaymentProviderError(
      `A PayPal subscription that is ${s.status} has no paid period to run to the end: cancel it now instead`,
      false,
      { code: "SUBSCRIPTION_STATUS_INVALID", status: 422 },
    );
  }
  const end = s.billing_info?.next_billing_time;
  if (!end) throw new PaymentProviderError("PayPal shows no next billing time for this subscription: cancel it now instead", false, { code: "no_period_end" });
  return act(ctx, id, "suspend", `${CANCEL_AT_PERIOD_END_NOTE} ${end}`, randomUUID(), false);
}

export async function resumeSubscription(ctx: PayPalContext, ref: SubscriptionRef): Promise<ProviderSubscription> {
  const id = idOf(ref);
  const s = await getSubscription(ctx, id);
  if (s.status === "ACTIVE") return mapSubscription(s);
  if (s.status !== "SUSPENDED") {
    throw new PaymentProviderError(`A PayPal subscription that is ${s.status} cannot be resumed`, false, { code: "SUBSCRIPTION_STATUS_INVALID", status: 422 });
  }
  const end = pendingCancelEnd(s);
  if (end && Date.parse(end) <= Date.now()) {
    throw new PaymentProviderError("The period this subscription was canceled at the end of has ended: it cannot be resumed", false, { code: "period_ended" });
  }
  return act(ctx, id, "activate", "Resumed in Switchboard", randomUUID(), false);
}

export async function suspendSubscription(ctx: PayPalContext, ref: SubscriptionRef): Promise<ProviderSubscription> {
  const id = idOf(ref);
  const s = await getSubscription(ctx, id);
  if (s.status === "SUSPENDED") return mapSubscription(s);
  return act(ctx, id, "suspend", "Paused in Switchboard", randomUUID(), false);
}
