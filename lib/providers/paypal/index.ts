// PayPal (REST: Orders v2 and Payments v2, plain HTTPS through ctx.call): an order with a
// payer-action link, captured once the payer approves (capture(): lib/payments calls it from
// whichever path sees the approval first: the CHECKOUT.ORDER.APPROVED webhook, the payer's
// return, a status check, the sweeper, the seed's execute), full and partial refunds of the
// capture. Webhooks are verified by PayPal's own
// verify-webhook-signature endpoint (webhook.ts). Test connection = the OAuth token call.
import { z } from "zod";
import { defineProvider, PaymentProviderError, type ProviderPayment, type ProviderRefund } from "@/lib/providers/types";
import { captureOrder, fetchToken, mapOrder, ppCall, ppValue, type PayPalContext, type PpOrder, type PpRefund } from "@/lib/providers/paypal/client";
import { handleWebhook, parseWebhook, verifyWebhook, WEBHOOK_EVENTS } from "@/lib/providers/paypal/webhook";
import {
  cancelSubscription,
  createSubscription,
  resumeSubscription,
  retrieveSubscription,
  SUBSCRIPTION_INTERVALS,
  suspendSubscription,
} from "@/lib/providers/paypal/subscriptions";
import { demo } from "./demo";

const credentials = z.strictObject({
  clientId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{10,128}$/, "A PayPal client id is letters, digits, - and _")
    .meta({ title: "Client ID", description: "PayPal developer dashboard → Apps & Credentials → your REST app" }),
  clientSecret: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{10,128}$/, "A PayPal secret is letters, digits, - and _")
    .meta({ title: "Secret", secret: true, description: "The REST app's secret (shown next to the client id)" }),
  webhookId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{5,64}$/, "The webhook id PayPal shows for the webhook, e.g. 8PT597110X687430LKGECATA")
    .optional()
    .meta({
      title: "Webhook ID",
      description: "The id PayPal gives the webhook you point at this integration's webhook URL: needed to verify its events",
    }),
});

const config = z.strictObject({
  brandName: z.string().trim().max(127).optional().meta({ title: "Brand name", description: "Shown to the payer on PayPal's pages instead of the account's name" }),
  landingPage: z
    .enum(["LOGIN", "GUEST_CHECKOUT", "NO_PREFERENCE"])
    .optional()
    .meta({ title: "Landing page", description: "LOGIN: the PayPal login; GUEST_CHECKOUT: card entry first; NO_PREFERENCE: PayPal decides" }),
});

type Conf = z.output<typeof config>;

/** PayPal's currencies (its "Currency codes" page; RUB is no longer among them) */
const CURRENCIES = ["AUD", "BRL", "CAD", "CNY", "CZK", "DKK", "EUR", "HKD", "HUF", "ILS", "JPY", "MYR", "MXN", "TWD", "NZD", "NOK", "PHP", "PLN", "GBP", "SGD", "SEK", "CHF", "THB", "USD"];

export default defineProvider({
  id: "paypal",
  name: "PayPal",
  category: "payment",
  description:
    "PayPal Checkout (Orders v2): a payer-action link, capture on approval, full and partial refunds; subscriptions (billing plans made on demand, PayPal bills each period); webhooks verified by PayPal's verify-webhook-signature endpoint. PayPal's own sandbox: set the endpoint to https://api-m.sandbox.paypal.com.",
  docsUrl: "https://developer.paypal.com/docs/api/orders/v2/",
  capabilities: ["payments.create", "payments.refund", "payments.subscriptions"],
  credentials,
  config,
  auth: { type: "api_key" },
  defaultEndpoints: { live: "https://api-m.paypal.com", sandbox: "/paypal" },

  async testConnection(ctx) {
    const where = ctx.integration.mode === "sandbox" || /sandbox/i.test(ctx.baseUrl) ? "sandbox" : "live";
    try {
      const t = await fetchToken(ctx as PayPalContext);
      const app = { appId: t.app_id ?? null, expiresIn: t.expires_in };
      const warn = ctx.credentials.webhookId ? "" : ": add the webhook id, or its events cannot be verified";
      return { ok: true, message: `Connected to PayPal (${where})${warn}`, details: { app }, state: { app } };
    } catch (e) {
      return { ok: false, message: (e as Error).message };
    }
  },

  async sandboxConnect(ctx) {
    // what an admin does in PayPal's developer dashboard: add a webhook for our URL. PayPal
    // would give it a new id; the sandbox cannot change our credentials, so the URL is
    // registered under the integration's configured webhookId (a sandbox-only extension: the
    // real POST /v1/notifications/webhooks takes no id).
    if (!ctx.credentials.webhookId) return;
    await ppCall(ctx as PayPalContext, "paypal.webhooks.create", {
      method: "POST",
      path: "/v1/notifications/webhooks",
      body: { id: ctx.credentials.webhookId, url: ctx.webhookUrl, event_types: WEBHOOK_EVENTS.map((name) => ({ name })) },
      safe: true,
    });
  },

  payments: {
    currencies: CURRENCIES,

    async create(ctx, req): Promise<ProviderPayment> {
      const conf = ctx.config as Conf;
      const experience: Record<string, unknown> = {
        return_url: req.returnUrl,
        cancel_url: req.cancelUrl,
        user_action: "PAY_NOW",
        shipping_preference: "NO_SHIPPING",
        ...(conf.brandName ? { brand_name: conf.brandName } : {}),
        ...(conf.landingPage ? { landing_page: conf.landingPage } : {}),
      };
      const o = await ppCall<PpOrder>(ctx as PayPalContext, "paypal.orders.create", {
        method: "POST",
        path: "/v2/checkout/orders",
        requestId: req.idempotencyKey,
        body: {
          intent: "CAPTURE",
          purchase_units: [
            {
              reference_id: req.id,
              custom_id: req.id,
              ...(req.description ? { description: req.description.slice(0, 127) } : {}),
              amount: { currency_code: req.currency, value: ppValue(req.amountMinor, req.currency) },
            },
          ],
          payment_source: { paypal: { experience_context: experience } },
        },
      });
      const mapped = mapOrder(o);
      if (!mapped.paymentUrl && mapped.status === "pending") {
        throw new PaymentProviderError("PayPal created the order but gave no payer-action link", false, { code: "no_payer_action" });
      }
      return mapped;
    },

    async retrieve(ctx, payment): Promise<ProviderPayment> {
      if (!payment.providerPaymentId) throw new PaymentProviderError("This payment has no PayPal order id yet: it was never created at PayPal", false, { code: "no_provider_id" });
      // reads only: an APPROVED order is reported pending with the capture due (lib/payments
      // then captures it through capture() below)
      const o = await ppCall<PpOrder>(ctx as PayPalContext, "paypal.orders.get", {
        method: "GET",
        path: `/v2/checkout/orders/${encodeURIComponent(payment.providerPaymentId)}`,
      });
      return mapOrder(o);
    },

    async capture(ctx, payment): Promise<ProviderPayment> {
      if (!payment.providerPaymentId) throw new PaymentProviderError("This payment has no PayPal order id yet: it was never created at PayPal", false, { code: "no_provider_id" });
      return captureOrder(ctx as PayPalContext, payment.providerPaymentId);
    },

    async refund(ctx, req): Promise<ProviderRefund> {
      let captureId = req.payment.providerCaptureId;
      if (!captureId && req.payment.providerPaymentId) {
        // the capture id may not have reached us yet (webhook still on its way): ask the order
        const o = await ppCall<PpOrder>(ctx as PayPalContext, "paypal.orders.get", {
          method: "GET",
          path: `/v2/checkout/orders/${encodeURIComponent(req.payment.providerPaymentId)}`,
        });
        captureId = mapOrder(o).providerCaptureId ?? null;
      }
      if (!captureId) throw new PaymentProviderError("Nothing captured yet at PayPal: there is nothing to refund", false, { code: "not_captured" });
      const r = await ppCall<PpRefund>(ctx as PayPalContext, "paypal.captures.refund", {
        method: "POST",
        path: `/v2/payments/captures/${encodeURIComponent(captureId)}/refund`,
        requestId: req.idempotencyKey,
        body: {
          amount: { value: ppValue(req.amountMinor, req.currency), currency_code: req.currency },
          ...(req.reason ? { note_to_payer: req.reason.slice(0, 255) } : {}),
        },
      });
      if (r.status === "COMPLETED") return { providerRefundId: r.id, status: "succeeded" };
      if (r.status === "PENDING") return { providerRefundId: r.id, status: "pending" };
      return { providerRefundId: r.id, status: "failed", error: `PayPal ${r.status.toLowerCase()} the refund${r.status_details?.reason ? ` (${r.status_details.reason})` : ""}` };
    },

    // Subscriptions v1: a billing plan made on demand, the payer's approval, PayPal bills each
    // period and reports it (BILLING.SUBSCRIPTION.*, PAYMENT.SALE.*: webhook.ts). How PayPal's
    // statuses map to ours, cancel at period end and pauses: subscriptions.ts.
    subscriptions: {
      intervals: SUBSCRIPTION_INTERVALS,
      billing: "provider",
      create: (ctx, req) => createSubscription(ctx as PayPalContext, req),
      retrieve: (ctx, s) => retrieveSubscription(ctx as PayPalContext, s),
      cancel: (ctx, s, opts) => cancelSubscription(ctx as PayPalContext, s, opts),
      resume: (ctx, s) => resumeSubscription(ctx as PayPalContext, s),
      suspend: (ctx, s) => suspendSubscription(ctx as PayPalContext, s),
    },
  },

  webhook: {
    scheme: "PayPal verify-webhook-signature endpoint (PAYPAL-TRANSMISSION-SIG, -ID, -TIME, PAYPAL-CERT-URL, PAYPAL-AUTH-ALGO; 5 min tolerance)",
    secretFields: ["webhookId"],
    verify: (req, ctx) => verifyWebhook(req, ctx),
    parse: parseWebhook,
    handle: (event, ctx) => handleWebhook(event, ctx as PayPalContext),
  },
  sandbox: () => import("./sandbox"),
  demo,
});
