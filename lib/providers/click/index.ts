// Click (SHOP API; seed 002's payment gateway): a payment link is Click's payment page with the
// order as transaction_param; the payer pays at Click, and Click calls our Prepare and Complete
// URL (POST /api/webhooks/click/<code>: one URL for both, told apart by `action`) with form
// fields signed by MD5 with the service's secret key. The calls are answered at once from our
// own state (webhook.synchronous; the rules in merchant.ts, the storage in lib/payments/merchant.ts).
// We never call Click: status checks and reversals (Click's Merchant API) are not used.
import { z } from "zod";
import { defineProvider, PaymentProviderError, type ProviderPayment } from "@/lib/providers/types";
import { merchantConnectionTest } from "@/lib/providers/merchant-kit";
import { verifyClick } from "@/lib/providers/click/verify";
import { payLink, type ClickContext } from "@/lib/providers/click/client";
import { callSubject, decide, failure, lookup, parseCall, refusal } from "@/lib/providers/click/merchant";
import { demo } from "./demo";

const digits = (title: string, description: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,20}$/, `${title}: digits only, as the Click merchant cabinet shows it`)
    .meta({ title, description });

const credentials = z.strictObject({
  serviceId: digits("Service ID", "Click merchant cabinet → your service: its id (service_id)"),
  merchantId: digits("Merchant ID", "Click merchant cabinet: your merchant id (merchant_id)"),
  secretKey: z
    .string()
    .regex(/^\S{6,128}$/, "The secret key: 6 to 128 characters without spaces")
    .meta({ title: "Secret key", secret: true, description: "The service's secret key: Click signs every Prepare and Complete with it (sign_string)" }),
  merchantUserId: digits("Merchant user ID", "For Click's Merchant API (merchant_user_id); Switchboard does not call it yet").optional(),
});

const config = z.strictObject({
  checkoutUrl: z
    .url("A full URL such as https://my.click.uz")
    .optional()
    .meta({ title: "Payment page URL", description: "Where payment links point (…/services/pay): https://my.click.uz unless set" }),
});

const checkoutBase = (ctx: ClickContext) => ctx.config.checkoutUrl ?? ctx.baseUrl;

export default defineProvider({
  id: "click",
  name: "Click",
  category: "payment",
  description:
    "Payment links to Click's payment page in sums (UZS). Click calls Switchboard's Prepare and Complete URL (SHOP API, MD5-signed) for each payment; refunds are made in the Click merchant cabinet.",
  docsUrl: "https://docs.click.uz/",
  capabilities: ["payments.create"],
  credentials,
  config,
  auth: { type: "api_key" },
  defaultEndpoints: { live: "https://my.click.uz", sandbox: "/click" },

  testConnection(ctx) {
    const c = ctx as unknown as ClickContext;
    return merchantConnectionTest(ctx, {
      name: "Click",
      consoleUrl: `${c.baseUrl}/__console/${encodeURIComponent(c.credentials.serviceId)}/check`,
      checkoutUrl: `${checkoutBase(c).replace(/\/$/, "")}/services/pay`,
      cabinet: "enter it as both the Prepare and the Complete URL in the Click merchant cabinet",
    });
  },

  async sandboxConnect(ctx) {
    // what an admin does in the Click merchant cabinet: the Prepare and Complete URLs of the service
    const c = ctx as unknown as ClickContext;
    await ctx.call("click.service.set", {
      method: "POST",
      url: `${c.baseUrl}/__service`,
      body: { serviceId: c.credentials.serviceId, merchantId: c.credentials.merchantId, secretKey: c.credentials.secretKey, prepareUrl: ctx.webhookUrl, completeUrl: ctx.webhookUrl },
      idempotent: true,
    });
  },

  payments: {
    currencies: ["UZS"],

    async create(ctx, req): Promise<ProviderPayment> {
      const c = ctx as unknown as ClickContext;
      if (req.currency !== "UZS") throw new PaymentProviderError(`Click takes sums (UZS) only, not ${req.currency}`, false, { code: "currency_not_supported" });
      if (req.subscription) throw new PaymentProviderError("Click payment links are one-time: Click has no subscriptions here", false, { code: "subscription_not_supported" });
      const paymentUrl = payLink(checkoutBase(c), {
        serviceId: c.credentials.serviceId,
        merchantId: c.credentials.merchantId,
        amountTiyin: req.amountMinor,
        orderId: req.id,
        returnUrl: req.returnUrl,
      });
      return { providerPaymentId: null, paymentUrl, status: "pending", providerStatus: "waiting for Click" };
    },

    async retrieve() {
      throw new PaymentProviderError("Click reports each payment to Switchboard itself (Prepare, Complete): there is nothing to ask it", false, { code: "not_supported" });
    },

    async refund() {
      throw new PaymentProviderError("Refund Click payments in the Click merchant cabinet: Switchboard does not call Click's reversal yet", false, { code: "refund_in_cabinet" });
    },

    merchant: { lookup: (call) => lookup(call), decide: (call, state) => decide(call, state), failure },
  },

  webhook: {
    scheme: "sign_string: MD5 of the fields and the service's secret key; calls are answered at once",
    secretFields: ["secretKey"],
    verify: (req, ctx) => verifyClick(req, String(ctx.credentials.serviceId), ctx.secretsFor("secretKey")),
    subject: callSubject,
    parse: (req) => parseCall(req),
    synchronous: { refusal },
  },
  sandbox: () => import("./sandbox"),
  demo,
});
