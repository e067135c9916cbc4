// Stripe payments (issue 5): a Checkout Session as the payment link (or a bare PaymentIntent
// the client confirms), refunds, subscriptions with their invoices, and the signed event
// webhook. Everything through the official SDK (client.ts), over our logged HTTP path.
import type Stripe from "stripe";
import { z } from "zod";
import { defineProvider, PaymentProviderError, type PaymentRequest, type ProviderInvoice, type ProviderPayment, type ProviderRefund } from "@/lib/providers/types";
import { isCurrency } from "@/lib/money";
import { verifyStripe } from "@/lib/providers/stripe/verify";
import {
  fromPaymentIntent,
  fromSession,
  isTestKey,
  stripeFor,
  toPaymentError,
  type StripeContext,
} from "@/lib/providers/stripe/client";
import { handleEvent, parseEvent } from "@/lib/providers/stripe/webhook";
import { stripeSubscriptions } from "@/lib/providers/stripe/subscriptions";
import { demo } from "./demo";

const credentials = z.strictObject({
  secretKey: z
    .string()
    .trim()
    .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9]{10,247}$/, "A Stripe secret key starts with sk_test_, sk_live_ or rk_ (restricted)")
    .meta({
      title: "Secret key",
      secret: true,
      description: "Developers → API keys. A restricted key (rk_…) needs write access to Checkout Sessions, PaymentIntents and Refunds",
    }),
  webhookSecret: z
    .string()
    .trim()
    .regex(/^whsec_[A-Za-z0-9+/=_-]{8,200}$/, "The endpoint's signing secret starts with whsec_")
    .optional()
    .meta({
      title: "Webhook signing secret",
      secret: true,
      description: "Developers → Webhooks → your endpoint → Signing secret. Needed to accept Stripe's events (payment results, refunds)",
    }),
});

const config = z.strictObject({
  currencies: z
    .array(
      z
        .string()
        .trim()
        .toUpperCase()
        .refine(isCurrency, "An ISO 4217 currency code, e.g. USD"),
    )
    .optional()
    .meta({ title: "Currencies", description: "Payments in these currencies go to this integration by default, e.g. USD, EUR" }),
  statementDescriptor: z
    .string()
    .trim()
    .min(1)
    .max(22)
    .regex(/^[^<>\\'"*]*[A-Za-z][^<>\\'"*]*$/, "Letters required; no < > \\ ' \" *")
    .optional()
    .meta({
      title: "Statement descriptor suffix",
      description: "Added after your account's prefix on card statements (Stripe's statement_descriptor_suffix, 22 characters in all)",
    }),
  checkoutMode: z
    .enum(["checkout", "payment_intent"])
    .default("checkout")
    .meta({
      title: "Payment flow",
      description: "checkout: a Stripe Checkout page is the payment link. payment_intent: only a PaymentIntent, your app confirms it (Stripe Elements)",
    }),
});

const c = (ctx: unknown) => ctx as StripeContext;

async function createCheckout(ctx: StripeContext, req: PaymentRequest): Promise<ProviderPayment> {
  const stripe = stripeFor(ctx, "stripe.checkout.create");
  const metadata = { ...req.metadata, switchboard_payment_id: req.id };
  const currency = req.currency.toLowerCase();
  const sub = req.subscription ?? null;
  const params: Stripe.Checkout.SessionCreateParams = {
    mode: sub ? "subscription" : "payment",
    line_items: [
      {
        price_data: {
          currency,
          unit_amount: req.amountMinor, // Stripe takes minor units, zero-decimal currencies included (JPY 1000 = ¥1000)
          product_data: { name: req.description || `Payment ${req.id}` },
          ...(sub ? { recurring: { interval: sub.interval } } : {}),
        },
        quantity: 1,
      },
    ],
    success_url: req.returnUrl,
    cancel_url: req.cancelUrl,
    ...(req.customerEmail ? { customer_email: req.customerEmail } : {}),
    metadata,
    // payment_intent_data is refused in subscription mode: the subscription carries the id there
    ...(sub
      ? { subscription_data: { metadata } }
      : {
          payment_intent_data: {
            metadata,
            ...(req.description ? { description: req.description } : {}),
            ...(ctx.config.statementDescriptor ? { statement_descriptor_suffix: ctx.config.statementDescriptor } : {}),
          },
        }),
  };
  try {
    const s = await stripe.checkout.sessions.create(params, { idempotencyKey: req.idempotencyKey });
    return {
      providerPaymentId: typeof s.payment_intent === "string" ? s.payment_intent : s.payment_intent?.id ?? null,
      providerCheckoutId: s.id,
      paymentUrl: s.url,
      status: "pending",
      providerStatus: `${s.status}/${s.payment_status}`,
    };
  } catch (e) {
    throw toPaymentError(e, ctx);
  }
}

async function createIntent(ctx: StripeContext, req: PaymentRequest): Promise<ProviderPayment> {
  const stripe = stripeFor(ctx, "stripe.payment_intent.create");
  try {
    const pi = await stripe.paymentIntents.create(
      {
        amount: req.amountMinor,
        currency: req.currency.toLowerCase(),
        automatic_payment_methods: { enabled: true },
        metadata: { ...req.metadata, switchboard_payment_id: req.id },
        ...(req.description ? { description: req.description } : {}),
        ...(req.customerEmail ? { receipt_email: req.customerEmail } : {}),
        ...(ctx.config.statementDescriptor ? { statement_descriptor_suffix: ctx.config.statementDescriptor } : {}),
      },
      { idempotencyKey: req.idempotencyKey },
    );
    return { ...fromPaymentIntent(pi), paymentUrl: null };
  } catch (e) {
    throw toPaymentError(e, ctx);
  }
}

/**
 * Confirms a PaymentIntent with a payment method (what Stripe.js does in the browser; in test
 * mode pm_card_visa, pm_card_chargeDeclined, pm_card_authenticationRequired …). A decline is
 * a not-retryable PaymentProviderError with Stripe's decline_code.
 */
export async function confirmPaymentIntent(
  ctx: unknown,
  piId: string,
  paymentMethod: string,
  opts: { returnUrl?: string; idempotencyKey?: string } = {},
): Promise<ProviderPayment> {
  const stripe = stripeFor(c(ctx), "stripe.payment_intent.confirm");
  try {
    const pi = await stripe.paymentIntents.confirm(
      piId,
      { payment_method: paymentMethod, ...(opts.returnUrl ? { return_url: opts.returnUrl } : {}) },
      opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : undefined,
    );
    return fromPaymentIntent(pi);
  } catch (e) {
    throw toPaymentError(e, c(ctx));
  }
}

/** The PaymentIntent that paid an invoice (its InvoicePayments, expanded); null while none did. */
async function invoicePaymentIntent(stripe: Stripe, invoiceId: string): Promise<string | null> {
  const inv = await stripe.invoices.retrieve(invoiceId, { expand: ["payments"] });
  const payments = inv.payments?.data ?? [];
  const paid = payments.find((x) => x.status === "paid") ?? null;
  const pi = paid?.payment?.payment_intent ?? null;
  return typeof pi === "string" ? pi : (pi?.id ?? null);
}

/** A subscription charge as Stripe sees it now: the paying PaymentIntent (with refunds), or the open / void invoice. */
async function retrieveInvoiceCharge(stripe: Stripe, invoiceId: string): Promise<ProviderPayment> {
  const pi = await invoicePaymentIntent(stripe, invoiceId);
  if (pi) return { ...fromPaymentIntent(await stripe.paymentIntents.retrieve(pi, { expand: ["latest_charge"] })), providerPaymentId: invoiceId };
  const inv = await stripe.invoices.retrieve(invoiceId);
  // open: not paid yet (a failed attempt is reported by invoice.payment_failed); void / uncollectible: it will not be
  const status = inv.status === "void" || inv.status === "uncollectible" ? "canceled" : inv.attempt_count > 0 ? "failed" : "pending";
  return { providerPaymentId: invoiceId, status, providerStatus: `invoice.${inv.status}` };
}

export type StripeInvoiceSummary = ProviderInvoice;

/**
 * A customer's invoices (subscriptions bill through them): by customer id, or by email (the
 * customers with that email, then each one's invoices: Stripe lists invoices by customer).
 */
export async function listInvoices(ctx: unknown, who: { customerEmail?: string | null; customerId?: string | null }): Promise<StripeInvoiceSummary[]> {
  const sc = c(ctx);
  const stripe = stripeFor(sc, "stripe.invoices.list");
  try {
    let customers: string[];
    if (who.customerId) customers = [who.customerId];
    else if (who.customerEmail) customers = (await stripe.customers.list({ email: who.customerEmail, limit: 100 })).data.map((x) => x.id);
    else throw new Error("listInvoices needs a customerId or a customerEmail");
    const out: StripeInvoiceSummary[] = [];
    for (const customer of customers) {
      const page = await stripe.invoices.list({ customer, limit: 100 });
      for (const inv of page.data) {
        const subscription = (inv as unknown as { subscription?: unknown }).subscription ?? inv.parent?.subscription_details?.subscription ?? null;
        out.push({
          id: inv.id!,
          customer: typeof inv.customer === "string" ? inv.customer : inv.customer?.id ?? null,
          customerEmail: inv.customer_email ?? null,
          status: inv.status ?? null,
          amountDueMinor: inv.amount_due,
          amountPaidMinor: inv.amount_paid,
          currency: inv.currency.toUpperCase(),
          subscription: typeof subscription === "string" ? subscription : (subscription as { id?: string } | null)?.id ?? null,
          hostedInvoiceUrl: inv.hosted_invoice_url ?? null,
          created: new Date(inv.created * 1000).toISOString(),
        });
      }
    }
    return out;
  } catch (e) {
    throw toPaymentError(e, sc);
  }
}

export default defineProvider({
  id: "stripe",
  name: "Stripe",
  category: "payment",
  description: "Card payments through Stripe Checkout links or PaymentIntents, refunds, subscriptions and invoices, with Stripe's signed event webhook.",
  docsUrl: "https://docs.stripe.com/api",
  capabilities: ["payments.create", "payments.refund", "payments.checkout", "payments.subscriptions", "payments.invoices"],
  credentials,
  config,
  auth: { type: "api_key" },
  defaultEndpoints: { live: "https://api.stripe.com", sandbox: "/stripe" },

  async testConnection(ctx) {
    const stripe = stripeFor(c(ctx), "stripe.balance");
    try {
      const b = await stripe.balance.retrieve();
      const test = !b.livemode || isTestKey(ctx.credentials.secretKey);
      const hooks = ctx.credentials.webhookSecret ? "" : " Payment results need the webhook signing secret.";
      return {
        ok: true,
        message: `Connected to Stripe (${test ? "test" : "live"} mode).${hooks}`,
        details: { livemode: b.livemode, currencies: [...new Set(b.available.map((x) => x.currency.toUpperCase()))] },
        state: { livemode: b.livemode },
      };
    } catch (e) {
      return { ok: false, message: toPaymentError(e, c(ctx)).message };
    }
  },

  payments: {
    create(ctx, req) {
      return c(ctx).config.checkoutMode === "payment_intent" && !req.subscription ? createIntent(c(ctx), req) : createCheckout(c(ctx), req);
    },

    async retrieve(ctx, p) {
      const sc = c(ctx);
      const stripe = stripeFor(sc, "stripe.payment.retrieve");
      try {
        // a subscription's charge (its invoice): the invoice's paid PaymentIntent, else the invoice's own word
        if (p.providerPaymentId?.startsWith("in_")) return await retrieveInvoiceCharge(stripe, p.providerPaymentId);
        if (p.providerCheckoutId) {
          const s = await stripe.checkout.sessions.retrieve(p.providerCheckoutId, { expand: ["payment_intent", "payment_intent.latest_charge"] });
          return fromSession(s);
        }
        if (!p.providerPaymentId) throw new Error("the payment has no Stripe id yet");
        return fromPaymentIntent(await stripe.paymentIntents.retrieve(p.providerPaymentId, { expand: ["latest_charge"] }));
      } catch (e) {
        throw toPaymentError(e, sc);
      }
    },

    async confirm(ctx, p, req) {
      // a Checkout link is confirmed by the payer on Stripe's page, not through the API
      if (!p.providerPaymentId || p.providerCheckoutId) {
        throw new PaymentProviderError(
          p.providerCheckoutId
            ? "This Stripe payment is a Checkout link: the payer confirms it on Stripe's page (the integration's payment flow is checkout, not payment_intent)"
            : "This payment has no Stripe PaymentIntent yet",
          false,
          { code: p.providerCheckoutId ? "checkout_session" : "no_provider_id" },
        );
      }
      return confirmPaymentIntent(ctx, p.providerPaymentId, req.paymentMethod, { returnUrl: req.returnUrl ?? undefined, idempotencyKey: req.idempotencyKey ?? undefined });
    },

    listInvoices: (ctx, who) => listInvoices(ctx, who),

    subscriptions: stripeSubscriptions,

    async refund(ctx, req): Promise<ProviderRefund> {
      const sc = c(ctx);
      const stripe = stripeFor(sc, "stripe.refund.create");
      try {
        let pi = req.payment.providerPaymentId;
        // a subscription's charge is its invoice: the refund goes to the invoice's paid PaymentIntent
        if (pi?.startsWith("in_")) pi = await invoicePaymentIntent(stripe, pi);
        if (!pi && req.payment.providerCheckoutId) {
          const s = await stripe.checkout.sessions.retrieve(req.payment.providerCheckoutId);
          pi = typeof s.payment_intent === "string" ? s.payment_intent : s.payment_intent?.id ?? null;
        }
        if (!pi) {
          throw new PaymentProviderError("Nothing to refund: Stripe has no payment for it yet", false, { code: "no_payment" });
        }
        const reasons = ["duplicate", "fraudulent", "requested_by_customer"] as const;
        const reason = reasons.find((r) => r === req.reason);
        const r = await stripe.refunds.create(
          {
            payment_intent: pi,
            amount: req.amountMinor,
            ...(reason ? { reason } : {}),
            metadata: {
              switchboard_payment_id: req.payment.id,
              switchboard_refund_id: req.refundId,
              ...(req.reason && !reason ? { reason: req.reason.slice(0, 500) } : {}),
            },
          },
          { idempotencyKey: req.idempotencyKey },
        );
        const status = r.status === "succeeded" ? "succeeded" : r.status === "failed" || r.status === "canceled" ? "failed" : "pending";
        return { providerRefundId: r.id, status, error: status === "failed" ? (r.failure_reason ?? "The refund failed") : null };
      } catch (e) {
        throw toPaymentError(e, sc);
      }
    },
  },

  webhook: {
    scheme: "Stripe-Signature (HMAC-SHA256, 5 min tolerance)",
    secretFields: ["webhookSecret"],
    verify(req, ctx) {
      return verifyStripe(req, ctx.secretsFor("webhookSecret"));
    },
    parse(req) {
      const ev = parseEvent(req.rawBody);
      return { type: ev.type, id: ev.id, payload: ev };
    },
    handle: (event) => handleEvent(event),
  },

  async sandboxConnect(ctx) {
    // what an admin does in Stripe's dashboard: add an endpoint for our URL. Stripe generates
    // the endpoint's signing secret itself; the sandbox also accepts `secret` (a sandbox-only
    // extension) so it signs with the secret this integration already has.
    const secret = ctx.credentials.webhookSecret;
    if (!secret) return;
    const stripe = stripeFor(c(ctx), "stripe.webhook_endpoints");
    const url = ctx.webhookUrl;
    const existing = (await stripe.webhookEndpoints.list({ limit: 100 })).data.find((w) => w.url === url);
    const extra = { secret } as Record<string, unknown>;
    if (existing) await stripe.webhookEndpoints.update(existing.id, { enabled_events: ["*"], ...extra });
    else await stripe.webhookEndpoints.create({ url, enabled_events: ["*"], ...extra });
  },
  sandbox: () => import("./sandbox"),
  demo,
});
