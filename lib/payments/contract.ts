// The payments API's request shapes, shared with the dashboard's payment-link and refund
// dialogs: zod and pure helpers only (no database), so the browser checks a form with the
// server's own rules. Messages come from the one error map in lib/errors.ts unless a rule
// below says it better.
import { z } from "zod";
import "@/lib/errors";
import { isCurrency } from "@/lib/money";
import { timestamp } from "@/lib/contract";
import { logListItem } from "@/lib/logs/contract";

const currency = z
  .string()
  .trim()
  .transform((c) => c.toUpperCase())
  .refine(isCurrency, "An ISO 4217 currency code such as RUB, USD, JPY");

export const createPaymentInput = z.strictObject({
  amountMinor: z.number().int("Amounts are integers in minor units (kopecks, cents; yen for JPY)").positive().max(2_000_000_000),
  currency,
  provider: z.string().trim().max(40).optional(),
  integrationId: z.uuid().optional(),
  description: z.string().trim().max(500).optional(),
  customerEmail: z.email().optional(),
  applicationId: z.uuid().optional(),
  metadata: z.record(z.string().max(40), z.string().max(500)).optional(),
  returnUrl: z.url().optional(),
  cancelUrl: z.url().optional(),
  subscription: z.strictObject({ interval: z.enum(["day", "week", "month", "year"]) }).optional(),
});
export type CreatePaymentInput = z.output<typeof createPaymentInput>;

export const refundInput = z.strictObject({
  /** omitted: everything that is left */
  amountMinor: z
    .number()
    .int("Amounts are integers in minor units (kopecks, cents; yen for JPY)")
    .positive("The amount must be more than zero")
    .max(2_000_000_000, "That amount is too large")
    .optional(),
  reason: z.string().trim().max(300, "At most 300 characters").optional(),
});

// ───────────── answers (issue 17: one shape, written once) ─────────────
// What the payments routes answer, as the client reads it (dates are ISO strings, money integer
// minor units): the routes declare these as their responses and the screens import their types
// (components/payments).

/** in the order the screens show them */
export const PAYMENT_STATUSES = ["pending", "requires_action", "succeeded", "partially_refunded", "refunded", "failed", "canceled"] as const;
export const paymentStatus = z.enum(PAYMENT_STATUSES);
export type PaymentStatus = z.infer<typeof paymentStatus>;

const integrationMode = z.enum(["live", "sandbox"]);
/** set on the first answer again when an Idempotency-Key was used before */
const replayed = { replayed: z.literal(true).optional() };

/** One action on a payment: whether its provider allows it, and why not when it does not. */
const paymentAction = z.object({ available: z.boolean(), reason: z.string().nullable() });
export type PaymentAction = z.infer<typeof paymentAction>;

/** A payment's columns, as every answer about it has them. */
const paymentFields = z.object({
  id: z.string(),
  provider: z.string(),
  /** the provider's name ("YooKassa"), from its definition */
  providerName: z.string(),
  integrationId: z.string().nullable(),
  amountMinor: z.number().int(),
  currency: z.string(),
  /** amountMinor in words of money ("1 500,00 ₽") */
  amount: z.string(),
  status: paymentStatus,
  /** what the provider itself last said ("requires_payment_method", "waiting_for_capture" …) */
  providerStatus: z.string().nullable(),
  providerPaymentId: z.string().nullable(),
  providerCheckoutId: z.string().nullable(),
  providerCaptureId: z.string().nullable(),
  paymentUrl: z.string().nullable(),
  capturedMinor: z.number().int(),
  refundedMinor: z.number().int(),
  /** captured − refunded: what a refund may still take */
  refundableMinor: z.number().int(),
  /**
   * What Switchboard can do with the payment at its provider, from the provider's definition:
   * refund through it, ask it for the status ("Check status"). `reason` says why not (Payme and
   * Click: refunds are made in their own cabinets, and they report every transaction themselves).
   */
  actions: z.object({ refund: paymentAction, checkStatus: paymentAction }),
  description: z.string().nullable(),
  customerEmail: z.string().nullable(),
  applicationId: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  error: z.string().nullable(),
  createdBy: z.string().nullable(),
  succeededAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
  /** the subscription it is a charge of (GET /payments/subscriptions/:id), and the provider's invoice for it */
  subscriptionId: z.string().nullable(),
  invoiceId: z.string().nullable(),
  invoiceUrl: z.string().nullable(),
  invoicePdfUrl: z.string().nullable(),
});

const integrationShown = z.object({ name: z.string(), code: z.string(), mode: integrationMode });

/** A payment as GET /payments lists it. */
export const paymentItem = paymentFields.extend({ integration: integrationShown.nullable() });
export type PaymentItem = z.infer<typeof paymentItem>;
export const paymentList = z.object({ items: z.array(paymentItem), nextCursor: z.string().nullable() });

/** One step of a timeline (a payment's, a subscription's): what happened, from where, whether it moved anything. */
const timelineStep = z.object({
  at: z.string(),
  event: z.string(),
  source: z.string().optional(),
  status: z.string().optional(),
  detail: z.string().nullable().optional(),
  /** whether the event moved the payment or subscription (a late or repeated one does not) */
  applied: z.boolean().optional(),
  note: z.string().optional(),
  eventId: z.string().optional(),
  error: z.string().optional(),
});

/** One step of a payment's timeline; source: api | webhook | refresh (a status check) | return (the payer back from the checkout) | sweep (the capture sweeper) | schedule (the renewal scheduler). */
export const paymentHistoryEntry = timelineStep.extend({
  /** a refused notification about this payment (notification_rejected): its webhook event */
  webhookEventId: z.string().optional(),
  refundId: z.string().optional(),
});
export type PaymentHistoryEntry = z.infer<typeof paymentHistoryEntry>;

export const REFUND_STATUSES = ["pending", "succeeded", "failed"] as const;

export const refund = z.object({
  id: z.string(),
  paymentId: z.string(),
  amountMinor: z.number().int(),
  currency: z.string(),
  status: z.enum(REFUND_STATUSES),
  providerRefundId: z.string().nullable(),
  reason: z.string().nullable(),
  error: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type Refund = z.infer<typeof refund>;

/** A provider call made for the payment (its IntegrationLog rows, without bodies). */
export const paymentCall = logListItem.pick({ id: true, createdAt: true, action: true, method: true, url: true, statusCode: true, durationMs: true, status: true, error: true });
export type PaymentCall = z.infer<typeof paymentCall>;

/** GET /payments/:id: the payment with its timeline, refunds and provider calls. */
export const paymentDetail = paymentFields.extend({
  integration: integrationShown.extend({ provider: z.string() }).nullable(),
  history: z.array(paymentHistoryEntry),
  refunds: z.array(refund),
  logs: z.array(paymentCall),
});
export type PaymentDetail = z.infer<typeof paymentDetail>;

/** POST /payments: the payment as the provider took it (the integration is left out of a replayed one). */
export const paymentCreated = paymentFields.extend({ history: z.array(paymentHistoryEntry), integration: integrationShown.optional(), ...replayed });
export type PaymentCreated = z.infer<typeof paymentCreated>;

/** POST /payments/:id/refund */
export const refundAnswer = z.object({ refund, payment: paymentDetail, ...replayed });
export type RefundAnswer = z.infer<typeof refundAnswer>;

/** GET /payments/stats: totals by status and currency, revenue (captured − refunded) by day */
export const paymentStatsAnswer = z.object({
  from: timestamp,
  until: timestamp,
  totals: z.array(z.object({ status: paymentStatus, currency: z.string(), count: z.number().int(), amountMinor: z.number().int() })),
  revenue: z.array(z.object({ day: z.iso.date(), currency: z.string(), netMinor: z.number().int(), count: z.number().int() })),
});
export type PaymentStats = z.infer<typeof paymentStatsAnswer>;

// ───────────── the seeds' payment routes (issue 18, item 3) ─────────────

/** POST /integrations/payments/stripe/confirm: a PaymentIntent confirmed with the payer's payment method */
export const confirmPaymentInput = z
  .strictObject({
    /** ours; or the PaymentIntent's id */
    paymentId: z.uuid().optional(),
    paymentIntentId: z.string().trim().regex(/^pi_[A-Za-z0-9]{6,250}$/, "A Stripe PaymentIntent id starts with pi_").optional(),
    /** Stripe's payment method (Stripe.js gives it; test mode: pm_card_visa, pm_card_authenticationRequired …) */
    paymentMethod: z.string().trim().regex(/^pm_[A-Za-z0-9_]{2,250}$/, "A Stripe payment method id starts with pm_"),
    /** where the payer comes back after 3-D Secure */
    returnUrl: z.url().optional(),
  })
  .refine((b) => !!b.paymentId !== !!b.paymentIntentId, { message: "Give paymentId or paymentIntentId (one of them)", path: ["paymentId"] });

/** POST /integrations/payments/paypal/execute: the approved order captured */
export const executePaymentInput = z
  .strictObject({
    /** ours; or PayPal's order id (the `token` PayPal's return URL carries) */
    paymentId: z.uuid().optional(),
    orderId: z.string().trim().regex(/^[A-Z0-9]{5,36}$/, "A PayPal order id is letters and digits").optional(),
  })
  .refine((b) => !!b.paymentId !== !!b.orderId, { message: "Give paymentId or orderId (one of them)", path: ["paymentId"] });

/** GET /payments/invoices */
export const listInvoicesQuery = z
  .strictObject({
    customerEmail: z.email().optional(),
    /** the provider's customer id (Stripe cus_…) */
    customerId: z.string().trim().min(1).max(255).optional(),
    /** which integration to ask; by default the first active one that lists invoices */
    integrationId: z.uuid().optional(),
  })
  .refine((q) => !!q.customerEmail || !!q.customerId, { message: "Give customerEmail or customerId", path: ["customerEmail"] });

/** What the payer must do next (3-D Secure): Stripe's next_action type, and the page for a redirect. */
export const paymentNextAction = z.object({ type: z.string(), redirectUrl: z.string().nullable() });

/** A payment's state, as the seeds' routes answer it (status, confirm, execute). */
export const paymentState = paymentItem
  .pick({
    id: true, provider: true, providerName: true, amountMinor: true, currency: true, amount: true, status: true, providerStatus: true,
    providerPaymentId: true, paymentUrl: true, capturedMinor: true, refundedMinor: true, refundableMinor: true, error: true,
    succeededAt: true, updatedAt: true,
  })
  .extend({
    /** requires_action: what the payer must do next, as the provider said it; null otherwise */
    nextAction: paymentNextAction.nullable(),
    ...replayed,
  });
export type PaymentState = z.infer<typeof paymentState>;

/** GET /integrations/payments/:paymentId/status */
export const paymentStatusAnswer = paymentState.extend({
  /** false when the provider cannot be asked (a merchant API reports every transaction itself; a payment that never reached it) */
  checkedWithProvider: z.boolean(),
});

export const invoice = z.object({
  id: z.string(),
  customer: z.string().nullable(),
  customerEmail: z.string().nullable(),
  status: z.string().nullable(),
  amountDueMinor: z.number().int(),
  amountPaidMinor: z.number().int(),
  currency: z.string(),
  subscription: z.string().nullable(),
  hostedInvoiceUrl: z.string().nullable(),
  created: timestamp,
});
export type Invoice = z.infer<typeof invoice>;

/** GET /payments/invoices */
export const invoiceList = z.object({ items: z.array(invoice), integration: integrationShown.extend({ id: z.string(), provider: z.string() }) });

// ───────────── events (lib/events.ts; issue 18, item 7) ─────────────

/**
 * The money events, written in the transaction that moves the payment (lib/payments/service.ts
 * applyPaymentUpdate, which every path goes through: webhooks, the payer's return, status
 * checks, the capture sweep, Payme's and Click's calls), once per real transition: a repeated
 * or late update, or a second path that sees the same status, writes none.
 * - "payment.succeeded": the payment is paid (its status reaches succeeded; once per payment)
 * - "payment.failed": its status became failed (a later success can still follow)
 * - "payment.refunded": a refund completed (the refunded amount grew; once per growth)
 * Nothing subscribes yet: the messaging issue's notification rules will own the payer's confirmation.
 */
export const PAYMENT_SUCCEEDED = "payment.succeeded";
export const PAYMENT_FAILED = "payment.failed";
export const PAYMENT_REFUNDED = "payment.refunded";
export const PAYMENT_EVENT_TYPES = [PAYMENT_SUCCEEDED, PAYMENT_FAILED, PAYMENT_REFUNDED] as const;

/** the payment as the change left it (its amount, currency, status and amounts), and what caused the change */
const paymentEventFields = paymentFields
  .pick({
    provider: true, integrationId: true, amountMinor: true, currency: true, status: true, capturedMinor: true, refundedMinor: true,
    /** the order (Application) the payment is for */
    applicationId: true,
    /** the provider's reference for the payment */
    providerPaymentId: true,
    customerEmail: true, description: true,
  })
  .extend({
    paymentId: z.uuid(),
    /** what caused it: webhook (a provider's event or merchant API call) | refresh (a status check) | return (the payer back) | sweep | schedule (the renewal scheduler's charge) | api */
    source: z.enum(["webhook", "refresh", "return", "sweep", "schedule", "api"]),
    /** the provider's event that caused it, when there was one */
    providerEventId: z.string().nullable(),
  })
  .strict();
export const paymentSucceededEvent = paymentEventFields;
export const paymentFailedEvent = paymentEventFields.extend({ error: z.string().nullable() });
export const paymentRefundedEvent = paymentEventFields.extend({
  /** what this refund added (refundedMinor is the payment's total) */
  refundAmountMinor: z.number().int().positive(),
});
export const paymentEvent = z.discriminatedUnion("type", [
  paymentSucceededEvent.extend({ type: z.literal(PAYMENT_SUCCEEDED) }),
  paymentFailedEvent.extend({ type: z.literal(PAYMENT_FAILED) }),
  paymentRefundedEvent.extend({ type: z.literal(PAYMENT_REFUNDED) }),
]);
export type PaymentEvent = z.infer<typeof paymentEvent>;

// ───────────── subscriptions (issue 18, items 1 and 7) ─────────────
// One model for every provider's recurring payments (lib/payments/subscriptions.ts): the provider
// bills each period itself and reports it (Stripe invoices, PayPal billing plans: billing
// "provider"), or Switchboard charges the saved payment method on each due date (YooKassa:
// billing "merchant"). The first charge and every renewal are payments linked to the
// subscription. Transitions: incomplete → active | incomplete_expired; active ⇄ past_due;
// active | past_due → canceled (final); cancel at period end is a flag that resume undoes
// until the period ends.

/** in the order the screens show them */
export const SUBSCRIPTION_STATUSES = ["incomplete", "active", "past_due", "canceled", "incomplete_expired"] as const;
export const subscriptionStatus = z.enum(SUBSCRIPTION_STATUSES);
export type SubscriptionStatus = z.infer<typeof subscriptionStatus>;
export const SUBSCRIPTION_INTERVALS = ["day", "week", "month", "year"] as const;
export const subscriptionInterval = z.enum(SUBSCRIPTION_INTERVALS);

/** POST /payments/subscriptions: a subscription and the page where the payer approves it */
export const createSubscriptionInput = z.strictObject({
  /** by default the first active integration (by priority) that has subscriptions and takes the currency */
  provider: z.string().trim().max(40).optional(),
  integrationId: z.uuid().optional(),
  /** the plan's name, shown to the payer ("Pro, monthly") */
  plan: z.string().trim().min(1, "Name the plan").max(200, "At most 200 characters"),
  /** charged every period */
  amountMinor: z.number().int("Amounts are integers in minor units (kopecks, cents; yen for JPY)").positive("The amount must be more than zero").max(2_000_000_000, "That amount is too large"),
  currency,
  interval: subscriptionInterval,
  /** every N intervals (3 with month: quarterly) */
  intervalCount: z.number().int("A whole number of intervals").min(1, "At least 1").max(365, "At most 365").default(1),
  customerEmail: z.email().optional(),
  description: z.string().trim().max(500).optional(),
  applicationId: z.uuid().optional(),
  metadata: z.record(z.string().max(40), z.string().max(500)).optional(),
  returnUrl: z.url().optional(),
  cancelUrl: z.url().optional(),
});
export type CreateSubscriptionInput = z.output<typeof createSubscriptionInput>;

/** POST /payments/subscriptions/:id/cancel: now (the provider stops billing at once) or at the end of the period paid for */
export const cancelSubscriptionInput = z.strictObject({ atPeriodEnd: z.boolean() });
export type CancelSubscriptionInput = z.output<typeof cancelSubscriptionInput>;

/** GET /payments/subscriptions */
export const listSubscriptionsQuery = z.strictObject({
  status: subscriptionStatus.optional(),
  provider: z.string().trim().max(40).optional(),
  integrationId: z.uuid().optional(),
  currency: z.string().trim().toUpperCase().length(3).optional(),
  applicationId: z.uuid().optional(),
  /** part of the payer's e-mail */
  email: z.string().trim().max(254).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(100).optional(),
});
export type ListSubscriptionsQuery = z.output<typeof listSubscriptionsQuery>;

/** A subscription's columns, as every answer about it has them. */
const subscriptionFields = z.object({
  id: z.string(),
  provider: z.string(),
  providerName: z.string(),
  integrationId: z.string().nullable(),
  plan: z.string(),
  amountMinor: z.number().int(),
  currency: z.string(),
  /** amountMinor in words of money ("1 500,00 ₽") */
  amount: z.string(),
  interval: subscriptionInterval,
  intervalCount: z.number().int(),
  /** who bills the renewals: the provider on its own schedule, or Switchboard on each due date */
  billing: z.enum(["provider", "merchant"]),
  status: subscriptionStatus,
  /** what the provider itself last said ("trialing", "ACTIVE" …) */
  providerStatus: z.string().nullable(),
  providerSubscriptionId: z.string().nullable(),
  providerCustomerId: z.string().nullable(),
  providerPlanId: z.string().nullable(),
  /** the page where the payer approves it (while incomplete) */
  paymentUrl: z.string().nullable(),
  customerEmail: z.string().nullable(),
  description: z.string().nullable(),
  applicationId: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  currentPeriodStart: timestamp.nullable(),
  currentPeriodEnd: timestamp.nullable(),
  /** it ends when the current period does (resume undoes it until then) */
  cancelAtPeriodEnd: z.boolean(),
  canceledAt: timestamp.nullable(),
  /** billing "merchant": when Switchboard charges next */
  nextChargeAt: timestamp.nullable(),
  /** renewals failed in a row (0 after a paid one) */
  failedCharges: z.number().int(),
  /**
   * What can be done with it now, from its status and its provider's definition: cancel (now or
   * at period end), resume (undo a cancel at period end). `reason` says why not.
   */
  actions: z.object({ cancel: paymentAction, resume: paymentAction }),
  createdBy: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/** A subscription as GET /payments/subscriptions lists it. */
export const subscriptionItem = subscriptionFields.extend({ integration: integrationShown.nullable() });
export type SubscriptionItem = z.infer<typeof subscriptionItem>;
export const subscriptionList = z.object({ items: z.array(subscriptionItem), nextCursor: z.string().nullable() });
export type SubscriptionList = z.infer<typeof subscriptionList>;

/** One step of a subscription's timeline; source: api | webhook | refresh (asked of the provider) | schedule (Switchboard's own charge on a due date). */
export const subscriptionHistoryEntry = timelineStep.extend({
  /** the charge (payment) the event recorded */
  paymentId: z.string().optional(),
});
export type SubscriptionHistoryEntry = z.infer<typeof subscriptionHistoryEntry>;

/** One charge of a subscription (the first or a renewal): its payment, with the provider's invoice where there is one. */
export const subscriptionCharge = z.object({
  /** the payment's id (GET /payments/:id) */
  id: z.string(),
  status: paymentStatus,
  providerStatus: z.string().nullable(),
  providerPaymentId: z.string().nullable(),
  amountMinor: z.number().int(),
  currency: z.string(),
  amount: z.string(),
  error: z.string().nullable(),
  /** the provider's invoice (Stripe in_…), its page and its PDF */
  invoiceId: z.string().nullable(),
  invoiceUrl: z.string().nullable(),
  invoicePdfUrl: z.string().nullable(),
  succeededAt: timestamp.nullable(),
  createdAt: timestamp,
});
export type SubscriptionCharge = z.infer<typeof subscriptionCharge>;

/** GET /payments/subscriptions/:id (and the answer of cancel and resume): with its charges, newest first, and timeline */
export const subscriptionDetail = subscriptionFields.extend({
  integration: integrationShown.extend({ provider: z.string() }).nullable(),
  history: z.array(subscriptionHistoryEntry),
  charges: z.array(subscriptionCharge),
  logs: z.array(paymentCall),
});
export type SubscriptionDetail = z.infer<typeof subscriptionDetail>;

/** POST /payments/subscriptions: as the provider took it (paymentUrl: where the payer approves it) */
export const subscriptionCreated = subscriptionFields.extend({
  history: z.array(subscriptionHistoryEntry),
  integration: integrationShown.optional(),
  ...replayed,
});
export type SubscriptionCreated = z.infer<typeof subscriptionCreated>;

/**
 * The subscription events, written in the transaction that moves the subscription
 * (lib/payments/subscriptions.ts applySubscriptionUpdate, which every path goes through:
 * webhooks, status checks, Switchboard's own scheduled charges), once per real transition:
 * - "subscription.activated": the first charge is paid (incomplete → active)
 * - "subscription.renewed": a renewal is paid (each charge once; also past_due → active)
 * - "subscription.past_due": a renewal failed (active → past_due; an alert is raised too)
 * - "subscription.canceled": it ended (canceled; once)
 * Each charge's payment also writes its own payment.succeeded / payment.failed.
 */
export const SUBSCRIPTION_ACTIVATED = "subscription.activated";
export const SUBSCRIPTION_RENEWED = "subscription.renewed";
export const SUBSCRIPTION_PAST_DUE = "subscription.past_due";
export const SUBSCRIPTION_CANCELED = "subscription.canceled";
export const SUBSCRIPTION_EVENT_TYPES = [SUBSCRIPTION_ACTIVATED, SUBSCRIPTION_RENEWED, SUBSCRIPTION_PAST_DUE, SUBSCRIPTION_CANCELED] as const;

const subscriptionEventFields = subscriptionFields
  .pick({
    provider: true, integrationId: true, plan: true, amountMinor: true, currency: true, interval: true, intervalCount: true, status: true,
    providerSubscriptionId: true, customerEmail: true, applicationId: true, currentPeriodStart: true, currentPeriodEnd: true, cancelAtPeriodEnd: true,
  })
  .extend({
    subscriptionId: z.uuid(),
    /** what caused it: webhook | refresh (a status check) | schedule (Switchboard's own charge) | api */
    source: z.enum(["webhook", "refresh", "schedule", "api", "return"]),
    providerEventId: z.string().nullable(),
  })
  .strict();
/** the charge that caused the event: its payment and invoice */
const chargeFields = {
  paymentId: z.uuid(),
  chargeAmountMinor: z.number().int(),
  invoiceId: z.string().nullable(),
  invoiceUrl: z.string().nullable(),
};
export const subscriptionActivatedEvent = subscriptionEventFields.extend({ paymentId: z.uuid().nullable() });
export const subscriptionRenewedEvent = subscriptionEventFields.extend(chargeFields);
export const subscriptionPastDueEvent = subscriptionEventFields.extend({
  paymentId: z.uuid().nullable(),
  error: z.string().nullable(),
  /** renewals failed in a row */
  failedCharges: z.number().int(),
});
export const subscriptionCanceledEvent = subscriptionEventFields.extend({ canceledAt: timestamp });
export const subscriptionEvent = z.discriminatedUnion("type", [
  subscriptionActivatedEvent.extend({ type: z.literal(SUBSCRIPTION_ACTIVATED) }),
  subscriptionRenewedEvent.extend({ type: z.literal(SUBSCRIPTION_RENEWED) }),
  subscriptionPastDueEvent.extend({ type: z.literal(SUBSCRIPTION_PAST_DUE) }),
  subscriptionCanceledEvent.extend({ type: z.literal(SUBSCRIPTION_CANCELED) }),
]);
export type SubscriptionEvent = z.infer<typeof subscriptionEvent>;
