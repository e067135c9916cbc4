// Payme (Paycom Merchant API; seed 002's payment gateway): a payment link is Payme's checkout
// URL with the order in it; the payer pays at Payme, and Payme calls our endpoint
// (POST /api/webhooks/payme/<code>, JSON-RPC 2.0, HTTP Basic Paycom:<key>) to check the order,
// create, perform and cancel its transaction. Those calls are answered at once from our own
// state (webhook.synchronous; the rules in merchant.ts, the storage in lib/payments/merchant.ts).
// We never call Payme: there is no status check and no refund call (refunds are made in the
// Payme Business cabinet, which calls CancelTransaction). Sums in tiyin (UZS minor units).
import { z } from "zod";
import { defineProvider, PaymentProviderError, type ProviderPayment } from "@/lib/providers/types";
import { merchantConnectionTest } from "@/lib/providers/merchant-kit";
import { verifyPayme } from "@/lib/providers/payme/verify";
import { checkoutLink, type PaymeContext } from "@/lib/providers/payme/client";
import { callSubject, decide, failure, lookup, parseCall, refusal } from "@/lib/providers/payme/merchant";
import { demo } from "./demo";

const credentials = z.strictObject({
  merchantId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.-]{3,64}$/, "The cashbox id: 24 characters (letters and digits) from the Payme Business cabinet")
    .meta({ title: "Merchant (cashbox) ID", description: "Payme Business cabinet → your cashbox → Developers: the cashbox id" }),
  key: z
    .string()
    .regex(/^\S{8,128}$/, "The cashbox key: 8 to 128 characters without spaces")
    .meta({ title: "Key", secret: true, description: "The cashbox key: Payme calls Switchboard with it (HTTP Basic Paycom:<key>)" }),
  testKey: z
    .string()
    .regex(/^\S{8,128}$/, "The test key: 8 to 128 characters without spaces")
    .optional()
    .meta({
      title: "Test key",
      secret: true,
      description: "The cashbox's test key, accepted as well while it is set: Payme's test environment calls with it. Remove it when the cashbox goes live",
    }),
});

const config = z.strictObject({
  accountField: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{0,31}$/, "Lower-case letters, digits and _, as named in the cashbox's settings")
    .default("order_id")
    .meta({ title: "Account field", description: 'The field of the "account" object that names the order, as set up in the Payme cabinet (order_id by default)' }),
  checkoutUrl: z
    .url("A full URL such as https://checkout.test.paycom.uz")
    .optional()
    .meta({ title: "Checkout URL", description: "Where payment links point: https://checkout.paycom.uz unless set (Payme's test environment: its test checkout)" }),
  language: z.enum(["ru", "uz", "en"]).default("ru").meta({ title: "Checkout language", description: "The language Payme's checkout opens in" }),
  refundAfterPerform: z
    .boolean()
    .default(true)
    .meta({
      title: "Accept refunds from the Payme cabinet",
      description: "On: when Payme cancels a performed transaction (a refund made in the cabinet), the payment becomes refunded. Off: Payme is told the order is fulfilled (-31007)",
    }),
});

type Conf = z.output<typeof config>;

/** where the payer is sent: the configured checkout, else the endpoint for the mode */
const checkoutBase = (ctx: PaymeContext) => ctx.config.checkoutUrl ?? ctx.baseUrl;

export default defineProvider({
  id: "payme",
  name: "Payme",
  category: "payment",
  description:
    "Payment links to Payme's checkout in sums (UZS). Payme calls Switchboard's endpoint (Merchant API, JSON-RPC) to check, create, perform and cancel each transaction; refunds are made in the Payme Business cabinet.",
  docsUrl: "https://developer.help.paycom.uz/",
  capabilities: ["payments.create"],
  credentials,
  config,
  auth: { type: "api_key" },
  defaultEndpoints: { live: "https://checkout.paycom.uz", sandbox: "/payme" },

  testConnection(ctx) {
    const c = ctx as unknown as PaymeContext;
    return merchantConnectionTest(ctx, {
      name: "Payme",
      consoleUrl: `${c.baseUrl}/__console/${encodeURIComponent(c.credentials.merchantId)}/check`,
      checkoutUrl: checkoutBase(c),
      cabinet: "enter it as the endpoint in the Payme Business cabinet and run Payme's test console there",
    });
  },

  async sandboxConnect(ctx) {
    // what an admin does in the Payme Business cabinet: the endpoint and the key Payme calls it with
    const c = ctx as unknown as PaymeContext;
    await ctx.call("payme.cashbox.set", {
      method: "POST",
      url: `${c.baseUrl}/__cashbox`,
      body: { merchantId: c.credentials.merchantId, key: c.credentials.testKey ?? c.credentials.key, endpoint: ctx.webhookUrl, accountField: c.config.accountField },
      idempotent: true,
    });
  },

  payments: {
    currencies: ["UZS"],

    async create(ctx, req): Promise<ProviderPayment> {
      const c = ctx as unknown as PaymeContext;
      if (req.currency !== "UZS") {
        throw new PaymentProviderError(`Payme takes sums (UZS) only, not ${req.currency}`, false, { code: "currency_not_supported" });
      }
      if (req.subscription) throw new PaymentProviderError("Payme payment links are one-time: Payme has no subscriptions here", false, { code: "subscription_not_supported" });
      const paymentUrl = checkoutLink(checkoutBase(c), {
        merchantId: c.credentials.merchantId,
        accountField: (c.config as Conf).accountField,
        orderId: req.id,
        amountTiyin: req.amountMinor,
        returnUrl: req.returnUrl,
        language: (c.config as Conf).language,
      });
      return { providerPaymentId: null, paymentUrl, status: "pending", providerStatus: "waiting for Payme" };
    },

    async retrieve() {
      throw new PaymentProviderError("Payme reports each transaction to Switchboard itself: there is nothing to ask it", false, { code: "not_supported" });
    },

    async refund() {
      throw new PaymentProviderError(
        "Refund Payme payments in the Payme Business cabinet: Payme then cancels the transaction with Switchboard and the payment shows refunded",
        false,
        { code: "refund_in_cabinet" },
      );
    },

    merchant: {
      lookup: (call, ctx) => lookup(call, ctx as unknown as PaymeContext),
      decide: (call, state, ctx) => decide(call, state, ctx as unknown as PaymeContext),
      failure,
    },
  },

  webhook: {
    scheme: "HTTP Basic Paycom:<cashbox key> (the test key as well while it is set); calls are answered at once",
    secretFields: ["key", "testKey"],
    verify: (req, ctx) => verifyPayme(req, { key: ctx.secretsFor("key"), testKey: ctx.secretsFor("testKey") }),
    subject: callSubject,
    parse: (req, ctx) => parseCall(req, ctx as unknown as Parameters<typeof parseCall>[1]),
    synchronous: { refusal },
  },
  sandbox: () => import("./sandbox"),
  demo,
});
