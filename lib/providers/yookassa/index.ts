// YooKassa (API v3, plain HTTPS through ctx.call): payment links (a redirect confirmation),
// status, full and partial refunds. Notifications are authenticated by source address only,
// so every one is re-fetched from the API before it is trusted (webhook.ts).
// Test connection = GET /me.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { defineProvider, PaymentProviderError, type ProviderPayment, type ProviderRefund } from "@/lib/providers/types";
import { sandboxSourceAddresses } from "@/lib/providers/webhook-kit";
import { verifyYooKassa, yookassaAllowed } from "@/lib/providers/yookassa/verify";
import { amountOf, cancelReason, mapPayment, ykCall, type YkPayment, type YkRefund, type YooKassaContext } from "@/lib/providers/yookassa/client";
import { handleNotification, notificationSubject, NOTIFICATION_EVENTS, parseNotification } from "@/lib/providers/yookassa/webhook";
import { yookassaSubscriptions } from "@/lib/providers/yookassa/subscriptions";
import { demo } from "./demo";

const credentials = z.strictObject({
  shopId: z
    .string()
    .trim()
    .regex(/^\d{3,12}$/, "The shop id (shopId) is digits only")
    .meta({ title: "Shop ID", description: "YooKassa dashboard → Integration → API keys: shopId (digits)" }),
  secretKey: z
    .string()
    .trim()
    .regex(/^(test|live)_[A-Za-z0-9_-]{8,}$/, "A YooKassa secret key starts with test_ or live_")
    .meta({
      title: "Secret key",
      secret: true,
      description: "YooKassa dashboard → Integration → API keys (test_… for the test shop, live_… for the real one)",
    }),
});

const config = z.strictObject({
  returnUrl: z
    .string()
    .trim()
    .url("A full URL such as https://example.com/paid")
    .optional()
    .meta({ title: "Return URL", description: "Where the payer lands after paying, when a payment does not give its own" }),
  capture: z
    .boolean()
    .default(true)
    .meta({
      title: "Capture at once",
      description: "On: the money is taken when the payer pays. Off: YooKassa holds it (waiting_for_capture) until captured in its dashboard",
    }),
  description: z
    .string()
    .trim()
    .max(128)
    .optional()
    .meta({ title: "Default description", description: "Shown to the payer when a payment has no description of its own (at most 128 characters)" }),
});

type Conf = z.output<typeof config>;

/** YooKassa: description at most 128 characters; metadata at most 16 keys (key ≤ 32, value ≤ 512) */
function metadataFor(id: string, extra: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(extra)) {
    if (Object.keys(out).length >= 15) break;
    if (k === "switchboard_payment_id" || k.length > 32) continue;
    out[k] = String(v).slice(0, 512);
  }
  out.switchboard_payment_id = id;
  return out;
}

export default defineProvider({
  id: "yookassa",
  name: "YooKassa",
  category: "payment",
  description:
    "Payment links, refunds and recurring payments (a saved card Switchboard charges on each due date) through YooKassa (API v3). Notifications are accepted from YooKassa's published addresses and re-fetched from the API before they are trusted.",
  docsUrl: "https://yookassa.ru/developers/api",
  capabilities: ["payments.create", "payments.refund", "payments.subscriptions"],
  credentials,
  config,
  auth: { type: "api_key" },
  defaultEndpoints: { live: "https://api.yookassa.ru/v3", sandbox: "/yookassa/v3" },

  async testConnection(ctx) {
    try {
      const me = await ykCall<{ account_id: string; status: string; test?: boolean }>(ctx as YooKassaContext, "yookassa.me", {
        method: "GET",
        path: "/me",
      });
      const account = { accountId: me.account_id, status: me.status, test: !!me.test };
      const ok = me.status === "enabled";
      return {
        ok,
        message: ok
          ? `Connected to shop ${me.account_id}${me.test ? " (test)" : ""}`
          : `The YooKassa shop ${me.account_id} is ${me.status}: it cannot take payments`,
        details: { account },
        state: { account },
      };
    } catch (e) {
      return { ok: false, message: (e as Error).message };
    }
  },

  async sandboxConnect(ctx) {
    // what an admin does in the YooKassa dashboard (HTTP notifications): our URL for each event.
    // The API's POST /webhooks is for partners with OAuth (UNCONFIRMED for plain shops with
    // Basic auth); the sandbox accepts it with the shop's Basic credentials.
    const url = ctx.webhookUrl;
    for (const event of NOTIFICATION_EVENTS) {
      await ykCall(ctx as YooKassaContext, "yookassa.webhooks.create", {
        method: "POST",
        path: "/webhooks",
        body: { event, url },
        idempotenceKey: randomUUID(),
      });
    }
  },

  payments: {
    // YooKassa takes other currencies only by contract with the shop (UNCONFIRMED list): RUB here
    currencies: ["RUB"],

    async create(ctx, req): Promise<ProviderPayment> {
      const conf = ctx.config as Conf;
      const returnUrl = req.returnUrl || conf.returnUrl;
      if (!returnUrl) throw new PaymentProviderError("YooKassa needs a return URL for the payer: give one with the payment or in the integration's settings", false, { code: "return_url_missing" });
      const description = (req.description || conf.description || "").slice(0, 128);
      const p = await ykCall<YkPayment>(ctx as YooKassaContext, "yookassa.payments.create", {
        method: "POST",
        path: "/payments",
        idempotenceKey: req.idempotencyKey,
        body: {
          amount: amountOf(req.amountMinor, req.currency),
          capture: conf.capture ?? true,
          confirmation: { type: "redirect", return_url: returnUrl },
          ...(description ? { description } : {}),
          metadata: metadataFor(req.id, req.metadata ?? {}),
        },
      });
      return mapPayment(p);
    },

    async retrieve(ctx, payment): Promise<ProviderPayment> {
      if (!payment.providerPaymentId) throw new PaymentProviderError("This payment has no YooKassa id yet: it was never created at YooKassa", false, { code: "no_provider_id" });
      const p = await ykCall<YkPayment>(ctx as YooKassaContext, "yookassa.payments.get", {
        method: "GET",
        path: `/payments/${encodeURIComponent(payment.providerPaymentId)}`,
      });
      return mapPayment(p);
    },

    async refund(ctx, req): Promise<ProviderRefund> {
      const id = req.payment.providerPaymentId;
      if (!id) throw new PaymentProviderError("Nothing to refund: the payment has no YooKassa id", false, { code: "no_provider_id" });
      const r = await ykCall<YkRefund>(ctx as YooKassaContext, "yookassa.refunds.create", {
        method: "POST",
        path: "/refunds",
        idempotenceKey: req.idempotencyKey,
        body: {
          payment_id: id,
          amount: amountOf(req.amountMinor, req.currency),
          ...(req.reason ? { description: req.reason.slice(0, 250) } : {}),
        },
      });
      if (r.status === "canceled") {
        return { providerRefundId: r.id, status: "failed", error: cancelReason(r.cancellation_details) ?? "YooKassa canceled the refund" };
      }
      return { providerRefundId: r.id, status: r.status === "succeeded" ? "succeeded" : "pending" };
    },

    // recurring: the first payment saves the payer's method, Switchboard's scheduler charges it
    // on each due date (subscriptions.ts)
    subscriptions: yookassaSubscriptions,
  },

  webhook: {
    scheme: "the sender's address (YooKassa's published ranges; in sandbox mode also the sandbox's own address) and a re-fetch of the object from YooKassa",
    secretFields: [],
    // a sandbox-mode integration's notifications come from its sandbox (SANDBOX_URL), never from
    // YooKassa's ranges; a live integration accepts YooKassa's ranges only
    verify: async (req, ctx) => verifyYooKassa(req, yookassaAllowed(), ctx.integration.mode === "sandbox" ? await sandboxSourceAddresses() : []),
    subject: notificationSubject,
    parse: parseNotification,
    handle: (event, ctx) => handleNotification(event, ctx as YooKassaContext),
  },
  sandbox: () => import("./sandbox"),
  demo,
});
