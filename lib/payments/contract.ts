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
});

const integrationShown = z.object({ name: z.string(), code: z.string(), mode: integrationMode });

/** A payment as GET /payments lists it. */
export const paymentItem = paymentFields.extend({ integration: integrationShown.nullable() });
export type PaymentItem = z.infer<typeof paymentItem>;
export const paymentList = z.object({ items: z.array(paymentItem), nextCursor: z.string().nullable() });

/** One step of a payment's timeline. */
export const paymentHistoryEntry = z.object({
  at: z.string(),
  event: z.string(),
  /** api | webhook | refresh (a status check) | return (the payer back from the checkout) | sweep (the capture sweeper) */
  source: z.string().optional(),
  status: z.string().optional(),
  detail: z.string().nullable().optional(),
  /** whether the event moved the payment (a late or repeated one does not) */
  applied: z.boolean().optional(),
  note: z.string().optional(),
  eventId: z.string().optional(),
  /** a refused notification about this payment (notification_rejected): its webhook event */
  webhookEventId: z.string().optional(),
  error: z.string().optional(),
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
    /** what caused it: webhook (a provider's event or merchant API call) | refresh (a status check) | return (the payer back) | sweep | api */
    source: z.enum(["webhook", "refresh", "return", "sweep", "api"]),
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
