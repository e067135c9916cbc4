// The Stripe provider against its sandbox: the official SDK (23.1.0) builds the form-encoded
// requests and sends them through our logged fetch; the sandbox plays Checkout (pay, decline,
// 3-D Secure), refunds and subscriptions, and posts events signed like Stripe over real HTTP,
// which the inbox verifies and the handler turns into payment.updated / refund.updated.
import { randomBytes, randomUUID } from "node:crypto";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { buildContext, createIntegration, testIntegration } from "@/lib/integrations/service";
import { getProvider } from "@/lib/providers/registry";
import { PaymentProviderError, type PaymentRequest, type PaymentUpdate, type RefundUpdate, type StoredWebhook, type SubscriptionRequest, type SubscriptionUpdate } from "@/lib/providers/types";
import { toEvents } from "@/lib/providers/stripe/webhook";
import { stripeFor } from "@/lib/providers/stripe/client";
import { processWebhookEvent } from "@/lib/webhooks/process";
import * as providerRoute from "@/app/api/webhooks/[provider]/[code]/route";
import { confirmPaymentIntent, listInvoices } from "@/lib/providers/stripe";
import { parseForm } from "@/lib/providers/stripe/sandbox";
import { fault, sandbox, system } from "@/tests/helpers/fixtures";
import { call } from "@/tests/helpers/http";
import { useWebhookServer } from "@/tests/helpers/webhook-server";
import { adapterOnly, failure, jsonOf, sandboxRequests, storedEvents } from "@/tests/helpers/providers";

// this file tests the adapter; the areas' reactions to its events are tested in tests/integration
adapterOnly();

const def = getProvider("stripe")!;
const secretKey = () => `sk_test_${randomBytes(24).toString("hex")}`;
const whsec = () => `whsec_${randomBytes(24).toString("base64url").replace(/[^A-Za-z0-9]/g, "x")}`;

useWebhookServer();

let n = 0;
async function integration(opts: { config?: Record<string, unknown>; credentials?: Record<string, unknown> } = {}) {
  const key = secretKey();
  const secret = whsec();
  const row = await createIntegration(
    { provider: "stripe", name: `Stripe ${++n}`, mode: "sandbox", credentials: { secretKey: key, webhookSecret: secret, ...opts.credentials }, config: opts.config ?? {} },
    system,
  );
  return { row, key, secret, ctx: buildContext(row) };
}

function paymentRequest(over: Partial<PaymentRequest> = {}): PaymentRequest {
  return {
    id: randomUUID(),
    amountMinor: 1999,
    currency: "USD",
    description: "Transfer APP-1001 airport → hotel",
    customerEmail: "rider@example.com",
    metadata: { order: "APP-1001" },
    returnUrl: "https://crm.example.test/pay/done?session={CHECKOUT_SESSION_ID}",
    cancelUrl: "https://crm.example.test/pay/cancel",
    idempotencyKey: randomUUID(),
    ...over,
  };
}

const posts = (path: string, key: string) => sandboxRequests("stripe", (s) => s.method === "POST" && s.path === `/stripe${path}` && s.headers["idempotency-key"] === key);

async function pay(id: string, outcome: string) {
  const res = await fetch(`${sandbox().url}/stripe/__pay/${id}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ outcome }) });
  return { status: res.status, json: await res.json() };
}
const flush = () => fetch(`${sandbox().url}/stripe/__flush`, { method: "POST" });

type Processed = { type: string; outcome: string; events: { type: string; data: PaymentUpdate & RefundUpdate }[] };
/** waits for `count` stored events, checks they were verified, processes them in order */
async function processed(integrationId: string, count: number, skip = 0): Promise<Processed[]> {
  await flush();
  const rows = await storedEvents(integrationId, skip + count, "Stripe events");
  const out: Processed[] = [];
  for (const r of rows.slice(skip)) {
    expect(r).toMatchObject({ provider: "stripe", signatureVerified: true, verification: "stripe-signature", status: "pending" });
    expect(r.externalId).toMatch(/^evt_/);
    const outcome = await processWebhookEvent(r.id);
    const done = await db.webhookEvent.findUniqueOrThrow({ where: { id: r.id } });
    out.push({ type: r.eventType, outcome, events: ((done.result as { events?: Processed["events"] } | null)?.events ?? []) });
  }
  return out;
}

const refused = (p: Promise<unknown>) => failure(p, PaymentProviderError);

describe("stripe: Checkout", () => {
  it("creates a Checkout Session in Stripe's wire format, the payer pays, the signed events map to succeeded", async () => {
    const { row, key, secret, ctx } = await integration({ config: { statementDescriptor: "APP1001" } });
    const req = paymentRequest();
    const p = await def.payments!.create(ctx, req);
    expect(p).toMatchObject({ providerPaymentId: null, status: "pending", providerStatus: "open/unpaid" });
    expect(p.providerCheckoutId).toMatch(/^cs_test_/);
    expect(p.paymentUrl).toBe(`${sandbox().url}/stripe/checkout/${p.providerCheckoutId}`);

    const [sent] = await posts("/v1/checkout/sessions", req.idempotencyKey);
    expect(sent.headers.authorization).toBe(`Bearer ${key}`);
    expect(sent.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(sent.headers["stripe-version"]).toBe(Stripe.API_VERSION);
    // bracket notation, brackets not percent-encoded
    expect(sent.body).toContain("line_items[0][price_data][currency]=usd");
    expect(parseForm(sent.body)).toEqual({
      mode: "payment",
      line_items: [{ price_data: { currency: "usd", unit_amount: "1999", product_data: { name: "Transfer APP-1001 airport → hotel" } }, quantity: "1" }],
      success_url: req.returnUrl,
      cancel_url: req.cancelUrl,
      customer_email: "rider@example.com",
      metadata: { order: "APP-1001", switchboard_payment_id: req.id },
      payment_intent_data: {
        metadata: { order: "APP-1001", switchboard_payment_id: req.id },
        description: "Transfer APP-1001 airport → hotel",
        statement_descriptor_suffix: "APP1001",
      },
    });

    const paid = await pay(p.providerCheckoutId!, "pay");
    expect(paid.status).toBe(200);
    expect(paid.json.redirect).toBe(`https://crm.example.test/pay/done?session=${p.providerCheckoutId}`);
    const pi = paid.json.payment_intent.id as string;

    const evs = await processed(row.id, 3);
    expect(evs.map((e) => [e.type, e.outcome])).toEqual([
      ["payment_intent.created", "ignored"],
      ["payment_intent.succeeded", "completed"],
      ["checkout.session.completed", "completed"],
    ]);
    expect(evs[1].events).toEqual([
      {
        type: "payment.updated",
        data: expect.objectContaining({ paymentId: req.id, providerPaymentId: pi, status: "succeeded", providerStatus: "succeeded", capturedMinor: 1999, eventId: expect.stringMatching(/^evt_/) }),
      },
    ]);
    expect(evs[2].events[0].data).toMatchObject({ paymentId: req.id, providerCheckoutId: p.providerCheckoutId, providerPaymentId: pi, status: "succeeded", capturedMinor: 1999 });

    const now = await def.payments!.retrieve(ctx, { id: req.id, providerPaymentId: null, providerCheckoutId: p.providerCheckoutId!, providerCaptureId: null });
    expect(now).toMatchObject({ providerPaymentId: pi, providerCheckoutId: p.providerCheckoutId, status: "succeeded", capturedMinor: 1999, refundedMinor: 0, paymentUrl: null });
    expect(now.providerCaptureId).toMatch(/^ch_/);

    // every call logged, the key never stored
    const logs = await db.integrationLog.findMany({ where: { integrationId: row.id } });
    expect(logs.map((l) => l.action)).toEqual(expect.arrayContaining(["stripe.webhook_endpoints", "stripe.checkout.create", "stripe.payment.retrieve"]));
    expect(logs.find((l) => l.action === "stripe.checkout.create")).toMatchObject({ method: "POST", statusCode: 200, url: `${sandbox().url}/stripe/v1/checkout/sessions` });
    expect(jsonOf(logs)).not.toContain(key);
    expect(jsonOf(logs)).not.toContain(secret); // the sandbox-only `secret` of the webhook endpoint
  });

  it("plays the hosted page: accessible buttons, Pay redirects to the success URL", async () => {
    const { ctx } = await integration();
    const p = await def.payments!.create(ctx, paymentRequest({ amountMinor: 5000 }));
    const html = await (await fetch(p.paymentUrl!)).text();
    expect(html).toContain("$50.00");
    for (const label of ["Pay", "Decline", "3-D Secure"]) expect(html).toContain(`value="${label === "Pay" ? "pay" : label === "Decline" ? "decline" : "3ds"}">${label}</button>`);
    expect(html).toMatch(/<form method="post"/);
    const threeDs = await fetch(p.paymentUrl!, { method: "POST", body: new URLSearchParams({ outcome: "3ds" }), redirect: "manual" });
    expect(await threeDs.text()).toContain("Complete authentication");
    const done = await fetch(p.paymentUrl!, { method: "POST", body: new URLSearchParams({ outcome: "3ds_complete" }), redirect: "manual" });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe(`https://crm.example.test/pay/done?session=${p.providerCheckoutId}`);
  });

  it("a declined card: payment_failed → failed with Stripe's message; the session stays open", async () => {
    const { row, ctx } = await integration();
    const req = paymentRequest();
    const p = await def.payments!.create(ctx, req);
    expect((await pay(p.providerCheckoutId!, "decline")).status).toBe(200);
    const evs = await processed(row.id, 2);
    expect(evs.map((e) => e.type)).toEqual(["payment_intent.created", "payment_intent.payment_failed"]);
    expect(evs[1].events[0].data).toMatchObject({ paymentId: req.id, status: "failed", providerStatus: "requires_payment_method", error: "Your card was declined." });
    const now = await def.payments!.retrieve(ctx, { id: req.id, providerPaymentId: null, providerCheckoutId: p.providerCheckoutId!, providerCaptureId: null });
    expect(now).toMatchObject({ status: "failed", error: "Your card was declined.", paymentUrl: p.paymentUrl });
    // the payer tries again and pays
    await pay(p.providerCheckoutId!, "pay");
    const more = await processed(row.id, 2, 2);
    expect(more.map((e) => [e.type, e.events[0]?.data.status])).toEqual([
      ["payment_intent.succeeded", "succeeded"],
      ["checkout.session.completed", "succeeded"],
    ]);
  });

  it("3-D Secure: requires_action, then succeeded after authentication; a failed authentication fails", async () => {
    const { row, ctx } = await integration();
    const req = paymentRequest();
    const p = await def.payments!.create(ctx, req);
    const challenged = await pay(p.providerCheckoutId!, "3ds");
    expect(challenged.json.authenticate).toMatch(/\/stripe\/authenticate\/pi_/);
    expect((await pay(p.providerCheckoutId!, "3ds_complete")).status).toBe(200);
    const evs = await processed(row.id, 4);
    expect(evs.map((e) => [e.type, e.events[0]?.data.status ?? null])).toEqual([
      ["payment_intent.created", null],
      ["payment_intent.requires_action", "requires_action"],
      ["payment_intent.succeeded", "succeeded"],
      ["checkout.session.completed", "succeeded"],
    ]);
    expect((await pay(p.providerCheckoutId!, "pay")).status).toBe(409); // paid once

    const other = await def.payments!.create(ctx, paymentRequest());
    await pay(other.providerCheckoutId!, "3ds");
    await pay(other.providerCheckoutId!, "3ds_fail");
    const failed = await processed(row.id, 3, 4);
    expect(failed.map((e) => [e.type, e.events[0]?.data.status ?? null])).toEqual([
      ["payment_intent.created", null],
      ["payment_intent.requires_action", "requires_action"],
      ["payment_intent.payment_failed", "failed"],
    ]);
    expect(failed[2].events[0].data.error).toMatch(/failed authentication/);
  });

  it("an expired session is canceled", async () => {
    const { row, ctx, key } = await integration();
    const p = await def.payments!.create(ctx, paymentRequest());
    const res = await fetch(`${sandbox().url}/stripe/v1/checkout/sessions/${p.providerCheckoutId}/expire`, { method: "POST", headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    const evs = await processed(row.id, 1);
    expect(evs[0]).toMatchObject({ type: "checkout.session.expired", outcome: "completed" });
    expect(evs[0].events[0].data).toMatchObject({ providerCheckoutId: p.providerCheckoutId, status: "canceled" });
    expect(await def.payments!.retrieve(ctx, { id: "x", providerPaymentId: null, providerCheckoutId: p.providerCheckoutId!, providerCaptureId: null })).toMatchObject({ status: "canceled" });
  });
});

describe("stripe: PaymentIntent mode", () => {
  it("creates a PaymentIntent; confirm declines (402, not retryable with decline_code) then succeeds", async () => {
    const { row, ctx } = await integration({ config: { checkoutMode: "payment_intent" } });
    const req = paymentRequest({ amountMinor: 2500, currency: "EUR" });
    const p = await def.payments!.create(ctx, req);
    expect(p).toMatchObject({ status: "pending", providerStatus: "requires_payment_method", paymentUrl: null, capturedMinor: 0 });
    expect(p.providerPaymentId).toMatch(/^pi_/);
    const [sent] = await posts("/v1/payment_intents", req.idempotencyKey);
    expect(parseForm(sent.body)).toMatchObject({
      amount: "2500",
      currency: "eur",
      automatic_payment_methods: { enabled: "true" },
      metadata: { order: "APP-1001", switchboard_payment_id: req.id },
      receipt_email: "rider@example.com",
    });

    const declined = await refused(confirmPaymentIntent(ctx, p.providerPaymentId!, "pm_card_chargeDeclined"));
    expect(declined).toMatchObject({ retryable: false, opts: { code: "generic_decline", status: 402 } });
    expect(declined.message).toBe("Stripe declined the payment (generic_decline): Your card was declined.");
    const ok = await confirmPaymentIntent(ctx, p.providerPaymentId!, "pm_card_visa");
    expect(ok).toMatchObject({ status: "succeeded", capturedMinor: 2500 });

    const evs = await processed(row.id, 3);
    expect(evs.map((e) => [e.type, e.events[0]?.data.status ?? null])).toEqual([
      ["payment_intent.created", null],
      ["payment_intent.payment_failed", "failed"],
      ["payment_intent.succeeded", "succeeded"],
    ]);
    expect(await def.payments!.retrieve(ctx, { id: req.id, providerPaymentId: p.providerPaymentId, providerCheckoutId: null, providerCaptureId: null })).toMatchObject({
      status: "succeeded",
      capturedMinor: 2500,
      refundedMinor: 0,
    });
  });

  it("3-D Secure through confirm: requires_action with a redirect, then the control completes it", async () => {
    const { ctx } = await integration({ config: { checkoutMode: "payment_intent" } });
    const p = await def.payments!.create(ctx, paymentRequest());
    const r = await confirmPaymentIntent(ctx, p.providerPaymentId!, "pm_card_authenticationRequired", { returnUrl: "https://crm.example.test/back" });
    expect(r).toMatchObject({ status: "requires_action", providerStatus: "requires_action" });
    const auth = await fetch(`${sandbox().url}/stripe/authenticate/${p.providerPaymentId}`, { method: "POST", body: new URLSearchParams({ outcome: "3ds_complete" }), redirect: "manual" });
    expect(auth.status).toBe(303);
    expect(auth.headers.get("location")).toBe(`https://crm.example.test/back?payment_intent=${p.providerPaymentId}`);
    expect(await def.payments!.retrieve(ctx, { id: "x", providerPaymentId: p.providerPaymentId, providerCheckoutId: null, providerCaptureId: null })).toMatchObject({ status: "succeeded" });
  });
});

describe("stripe: refunds", () => {
  it("partial, then the rest, then one more is refused (400, not retryable, Stripe's message)", async () => {
    const { row, ctx } = await integration();
    const req = paymentRequest({ amountMinor: 10000 });
    const p = await def.payments!.create(ctx, req);
    const pi = (await pay(p.providerCheckoutId!, "pay")).json.payment_intent.id as string;
    await processed(row.id, 3);
    const payment = { id: req.id, providerPaymentId: pi, providerCheckoutId: p.providerCheckoutId!, providerCaptureId: null };

    const k1 = randomUUID();
    const r1 = await def.payments!.refund(ctx, { refundId: randomUUID(), amountMinor: 2500, currency: "USD", reason: "requested_by_customer", idempotencyKey: k1, payment });
    expect(r1).toMatchObject({ status: "succeeded", error: null });
    expect(r1.providerRefundId).toMatch(/^re_/);
    const [sent] = await posts("/v1/refunds", k1);
    expect(parseForm(sent.body)).toMatchObject({ payment_intent: pi, amount: "2500", reason: "requested_by_customer", metadata: { switchboard_payment_id: req.id } });

    const tooMuch = await refused(def.payments!.refund(ctx, { refundId: randomUUID(), amountMinor: 9000, currency: "USD", idempotencyKey: randomUUID(), payment }));
    expect(tooMuch).toMatchObject({ retryable: false, opts: { code: "amount_too_large", status: 400 } });
    expect(tooMuch.message).toBe("Stripe refused the request (400): Refund amount ($90.00) is greater than unrefunded amount on charge ($75.00)");

    const r2 = await def.payments!.refund(ctx, { refundId: randomUUID(), amountMinor: 7500, currency: "USD", idempotencyKey: randomUUID(), payment: { ...payment, providerPaymentId: null } });
    expect(r2.status).toBe("succeeded");
    const again = await refused(def.payments!.refund(ctx, { refundId: randomUUID(), amountMinor: 100, currency: "USD", idempotencyKey: randomUUID(), payment }));
    expect(again).toMatchObject({ retryable: false, opts: { code: "charge_already_refunded", status: 400 } });
    expect(again.message).toMatch(/Charge ch_\w+ has already been refunded\./);

    const evs = await processed(row.id, 4, 3);
    expect(evs.map((e) => e.type)).toEqual(["refund.created", "charge.refunded", "refund.created", "charge.refunded"]);
    expect(evs[0].events).toEqual([{ type: "refund.updated", data: expect.objectContaining({ providerRefundId: r1.providerRefundId, paymentId: req.id, providerPaymentId: pi, status: "succeeded", amountMinor: 2500 }) }]);
    expect(evs[1].events[0]).toMatchObject({ type: "payment.updated", data: { providerPaymentId: pi, status: "partially_refunded", capturedMinor: 10000, refundedMinor: 2500 } });
    expect(evs[3].events[0]).toMatchObject({ type: "payment.updated", data: { providerPaymentId: pi, status: "refunded", refundedMinor: 10000 } });

    const now = await def.payments!.retrieve(ctx, payment);
    expect(now).toMatchObject({ status: "refunded", capturedMinor: 10000, refundedMinor: 10000 });
  });

  it("the same refund key twice is one refund (Stripe replays the answer)", async () => {
    const { ctx } = await integration({ config: { checkoutMode: "payment_intent" } });
    const p = await def.payments!.create(ctx, paymentRequest({ amountMinor: 3000 }));
    await confirmPaymentIntent(ctx, p.providerPaymentId!, "pm_card_visa");
    const refund = { refundId: randomUUID(), amountMinor: 1000, currency: "USD", idempotencyKey: randomUUID(), payment: { id: "x", providerPaymentId: p.providerPaymentId, providerCheckoutId: null, providerCaptureId: null } };
    const a = await def.payments!.refund(ctx, refund);
    const b = await def.payments!.refund(ctx, refund);
    expect(b.providerRefundId).toBe(a.providerRefundId);
    expect(await def.payments!.retrieve(ctx, refund.payment)).toMatchObject({ status: "partially_refunded", refundedMinor: 1000 });
  });
});

describe("stripe: idempotency", () => {
  it("a lost answer (503 after the work) is retried with the same key: one session at Stripe", async () => {
    const { row, key, ctx } = await integration();
    await fault({ provider: "stripe", path: "^/stripe/v1/checkout/sessions$", method: "POST", status: 503, after: true });
    const req = paymentRequest();
    const p = await def.payments!.create(ctx, req);
    const attempts = await posts("/v1/checkout/sessions", req.idempotencyKey);
    expect(attempts).toHaveLength(2);
    const logs = await db.integrationLog.findMany({ where: { integrationId: row.id, action: "stripe.checkout.create" }, orderBy: { createdAt: "asc" } });
    expect(logs.map((l) => l.statusCode)).toEqual([503, 200]);
    expect((logs[1].response as { headers: Record<string, string> }).headers["idempotent-replayed"]).toBe("true");
    const list = await (await fetch(`${sandbox().url}/stripe/v1/checkout/sessions`, { headers: { authorization: `Bearer ${key}` } })).json();
    expect(list.data.map((s: { id: string }) => s.id)).toEqual([p.providerCheckoutId]);
  });

  it("the same key with different parameters is a not-retryable idempotency error", async () => {
    const { ctx } = await integration();
    const req = paymentRequest();
    await def.payments!.create(ctx, req);
    const e = await refused(def.payments!.create(ctx, { ...req, amountMinor: req.amountMinor + 1 }));
    expect(e).toMatchObject({ retryable: false, opts: { code: "idempotency_error", status: 400 } });
    expect(e.message).toMatch(/idempotency key was already used for a different request.*Keys for idempotent requests can only be used with the same parameters/);
  });
});

describe("stripe: amounts", () => {
  it("sends minor units as they are: JPY has no decimals, USD and RUB two", async () => {
    const { ctx } = await integration();
    const cases = [
      { currency: "JPY", amountMinor: 1000, wire: "jpy", shown: "¥1,000" },
      { currency: "USD", amountMinor: 1999, wire: "usd", shown: "$19.99" },
      { currency: "RUB", amountMinor: 12345, wire: "rub", shown: "RUB" },
    ];
    for (const c of cases) {
      const req = paymentRequest({ currency: c.currency, amountMinor: c.amountMinor });
      const p = await def.payments!.create(ctx, req);
      const [sent] = await posts("/v1/checkout/sessions", req.idempotencyKey);
      expect(parseForm(sent.body).line_items[0].price_data).toMatchObject({ currency: c.wire, unit_amount: String(c.amountMinor) });
      const html = await (await fetch(p.paymentUrl!)).text();
      expect(html).toContain(c.shown);
      if (c.currency === "RUB") expect(html).toMatch(/RUB\s123\.45/);
    }
  });
});

describe("stripe: errors", () => {
  it("a revoked key: 401, not retryable, and testConnection says so; the key never appears", async () => {
    const { row, key, ctx } = await integration();
    await fetch(`${sandbox().url}/stripe/__revoke`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ secretKey: key }) });
    const e = await refused(def.payments!.create(ctx, paymentRequest()));
    expect(e).toMatchObject({ retryable: false, opts: { code: "authentication_error", status: 401 } });
    expect(e.message).toMatch(/^Stripe rejected the secret key \(401\).*Expired API Key provided: sk_test_\**\w{4}$/);
    expect(e.message).not.toContain(key);
    const t = await testIntegration(row.id, system);
    expect(t).toMatchObject({ ok: false, message: expect.stringMatching(/^Stripe rejected the secret key/) });
  });

  it("a malformed key is refused by the form", async () => {
    await expect(integration({ credentials: { secretKey: "pk_test_123456789012" } })).rejects.toMatchObject({ status: 400 });
  });

  it("5xx is retried by the SDK with the same key, then retryable", async () => {
    const { row, ctx } = await integration();
    await fault({ provider: "stripe", path: "/v1/checkout/sessions", method: "POST", status: 500, times: 3 });
    const req = paymentRequest();
    const e = await refused(def.payments!.create(ctx, req));
    expect(e).toMatchObject({ retryable: true, opts: { status: 500 } });
    expect(e.message).toMatch(/^Stripe had a server error \(500\)/);
    expect((await posts("/v1/checkout/sessions", req.idempotencyKey)).length).toBe(3);
    const logs = await db.integrationLog.findMany({ where: { integrationId: row.id, action: "stripe.checkout.create" } });
    expect(logs.map((l) => l.statusCode)).toEqual([500, 500, 500]);
  }, 20_000);

  it("429 is retryable with Retry-After", async () => {
    const { ctx } = await integration();
    await fault({ provider: "stripe", path: "/v1/checkout/sessions", method: "POST", status: 429, retryAfter: 30 });
    const e = await refused(def.payments!.create(ctx, paymentRequest()));
    expect(e).toMatchObject({ retryable: true, opts: { code: "rate_limit", status: 429, retryAfterSeconds: 30 } });
  });

  it("a timeout is retryable", async () => {
    const { ctx } = await integration();
    await fault({ provider: "stripe", path: "/v1/checkout/sessions", method: "POST", delayMs: 3500, status: 500, times: 3 });
    const e = await refused(def.payments!.create(ctx, paymentRequest()));
    expect(e).toMatchObject({ retryable: true, opts: { code: "timeout" }, message: "Stripe did not answer in time" });
  }, 30_000);
});

describe("stripe: testConnection", () => {
  it("is ok against /v1/balance in test mode", async () => {
    const { row } = await integration();
    const t = await testIntegration(row.id, system);
    expect(t).toMatchObject({ ok: true, message: "Connected to Stripe (test mode)." });
    const logs = await db.integrationLog.findMany({ where: { integrationId: row.id, action: "stripe.balance" } });
    expect(logs.map((l) => [l.method, l.statusCode])).toEqual([["GET", 200]]);
  });
});

describe("stripe: subscriptions", () => {
  it("a Checkout in subscription mode with our ids on the subscription; paid: the subscription, its invoice, and Stripe's events mapped to subscription.updated", async () => {
    const { row, ctx } = await integration();
    const spec = def.payments!.subscriptions!;
    expect(spec).toMatchObject({ billing: "provider", intervals: ["day", "week", "month", "year"] });
    const email = `member-${randomBytes(3).toString("hex")}@example.com`;
    const req: SubscriptionRequest = {
      id: randomUUID(), paymentId: randomUUID(), plan: "Pro", amountMinor: 4900, currency: "USD", interval: "month", intervalCount: 3, description: null,
      customerEmail: email, metadata: { order: "M-1" }, returnUrl: "https://crm.example.test/sub/done", cancelUrl: "https://crm.example.test/sub/cancel", idempotencyKey: randomUUID(),
    };
    const created = await spec.create(ctx, req);
    expect(created).toMatchObject({ providerSubscriptionId: null, status: "incomplete", paymentUrl: expect.stringContaining("/stripe/checkout/cs_test_"), firstPayment: { status: "pending", providerCheckoutId: expect.stringMatching(/^cs_test_/) } });
    const cs = created.firstPayment!.providerCheckoutId!;
    const [sent] = await posts("/v1/checkout/sessions", req.idempotencyKey);
    const body = parseForm(sent.body);
    const ids = { order: "M-1", switchboard_subscription_id: req.id, switchboard_payment_id: req.paymentId };
    expect(body).toMatchObject({
      mode: "subscription",
      line_items: [{ price_data: { currency: "usd", unit_amount: "4900", product_data: { name: "Pro" }, recurring: { interval: "month", interval_count: "3" } }, quantity: "1" }],
      subscription_data: { metadata: ids },
      metadata: ids,
    });
    expect(body).not.toHaveProperty("payment_intent_data");
    const ref = { id: req.id, providerSubscriptionId: null, providerCustomerId: null, providerPlanId: null, paymentMethodId: null, providerCheckoutId: cs };
    expect(await spec.retrieve(ctx, ref)).toMatchObject({ status: "incomplete", providerSubscriptionId: null });
    expect(await listInvoices(ctx, { customerEmail: email })).toEqual([]);
    await pay(cs, "pay");
    const invoices = await listInvoices(ctx, { customerEmail: email });
    expect(invoices).toHaveLength(1);
    expect(invoices[0]).toMatchObject({ customerEmail: email, status: "paid", amountPaidMinor: 4900, currency: "USD", hostedInvoiceUrl: expect.stringContaining(`/stripe/invoice/${invoices[0].id}`) });
    expect(invoices[0].subscription).toMatch(/^sub_/);
    const evs = await processed(row.id, 3);
    expect(evs.map((e) => e.type)).toEqual(["customer.subscription.created", "invoice.paid", "checkout.session.completed"]);
    const mapped = (await storedEvents(row.id, 3, "Stripe events")).map((r) => toEvents(r.payload as never));
    const sub = invoices[0].subscription!;
    expect(mapped[0]).toEqual([{ type: "subscription.updated", data: expect.objectContaining({ subscriptionId: req.id, providerSubscriptionId: sub, status: "active", providerStatus: "active", cancelAtPeriodEnd: false }) }]);
    const created0 = mapped[0]![0].data as SubscriptionUpdate;
    // three months, by the calendar
    const months = (new Date(created0.currentPeriodEnd!).getUTCFullYear() - new Date(created0.currentPeriodStart!).getUTCFullYear()) * 12 + new Date(created0.currentPeriodEnd!).getUTCMonth() - new Date(created0.currentPeriodStart!).getUTCMonth();
    expect(months).toBe(3);
    expect(mapped[1]).toEqual([
      {
        type: "subscription.updated",
        data: expect.objectContaining({
          subscriptionId: req.id, providerSubscriptionId: sub, providerStatus: "invoice.paid",
          charge: expect.objectContaining({ providerPaymentId: invoices[0].id, invoiceId: invoices[0].id, hostedInvoiceUrl: invoices[0].hostedInvoiceUrl, invoicePdfUrl: `${invoices[0].hostedInvoiceUrl}/pdf`, amountMinor: 4900, currency: "USD", status: "succeeded", periodEnd: created0.currentPeriodEnd }),
        }),
      },
    ]);
    expect(mapped[2]!.map((e) => e.type)).toEqual(["payment.updated", "subscription.updated"]);
    expect(mapped[2]![0].data).toMatchObject({ paymentId: req.paymentId, providerCheckoutId: cs, status: "succeeded", capturedMinor: 4900 });
    expect(mapped[2]![1].data).toMatchObject({ subscriptionId: req.id, providerSubscriptionId: sub, status: "active" });

    // its life at Stripe: cancel at period end, resume, cancel now
    const paidRef = { ...ref, providerSubscriptionId: sub };
    expect(await spec.retrieve(ctx, ref)).toMatchObject({ providerSubscriptionId: sub, status: "active" });
    expect(await spec.cancel(ctx, paidRef, { atPeriodEnd: true })).toMatchObject({ status: "active", cancelAtPeriodEnd: true });
    expect(await spec.resume!(ctx, paidRef)).toMatchObject({ status: "active", cancelAtPeriodEnd: false });
    const ended = await spec.cancel(ctx, paidRef, { atPeriodEnd: false });
    expect(ended).toMatchObject({ status: "canceled", providerStatus: "canceled", canceledAt: expect.any(String) });
    const again = await spec.cancel(ctx, paidRef, { atPeriodEnd: false }).catch((e) => e);
    expect(again).toBeInstanceOf(PaymentProviderError);
    const after = await processed(row.id, 3, 3);
    expect(after.map((e) => e.type)).toEqual(["customer.subscription.updated", "customer.subscription.updated", "customer.subscription.deleted"]);
  });

  it("a renewal declined, then paid on retry (the sandbox's test clock): invoice.payment_failed and invoice.paid are the same charge", async () => {
    const { row, ctx } = await integration();
    const spec = def.payments!.subscriptions!;
    const req: SubscriptionRequest = {
      id: randomUUID(), paymentId: randomUUID(), plan: "Basic", amountMinor: 700, currency: "USD", interval: "week", intervalCount: 1, description: null,
      customerEmail: null, metadata: {}, returnUrl: "https://crm.example.test/sub/done", cancelUrl: "https://crm.example.test/sub/cancel", idempotencyKey: randomUUID(),
    };
    const created = await spec.create(ctx, req);
    await pay(created.firstPayment!.providerCheckoutId!, "pay");
    await processed(row.id, 3);
    const [inv] = await listInvoices(ctx, { customerEmail: "payer@example.com" }).then((l) => l.filter((i) => i.amountDueMinor === 700));
    const control = (path: string, body: unknown) => fetch(`${sandbox().url}/stripe${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.json());
    const failed = await control(`/__advance/${inv.subscription}`, { outcome: "fail" });
    expect(failed.subscription.status).toBe("past_due");
    expect(failed.invoice).toMatchObject({ status: "open", attempt_count: 1, billing_reason: "subscription_cycle" });
    await control(`/__retry/${failed.invoice.id}`, { outcome: "pay" });
    const evs = await processed(row.id, 4, 3);
    expect(evs.map((e) => e.type)).toEqual(["invoice.payment_failed", "customer.subscription.updated", "invoice.paid", "customer.subscription.updated"]);
    const mapped = (await storedEvents(row.id, 7, "Stripe events")).slice(3).map((r) => toEvents(r.payload as never)![0].data as SubscriptionUpdate);
    expect(mapped[0].charge).toMatchObject({ providerPaymentId: failed.invoice.id, status: "failed", amountMinor: 700, error: expect.stringContaining("failed") });
    expect(mapped[1]).toMatchObject({ status: "past_due", providerStatus: "past_due" });
    expect(mapped[2].charge).toMatchObject({ providerPaymentId: failed.invoice.id, status: "succeeded" });
    expect(mapped[3]).toMatchObject({ status: "active" });
    // the renewal's PaymentIntent, as Stripe lists an invoice's payments
    const full = await stripeFor(ctx as never, "test").invoices.retrieve(failed.invoice.id, { expand: ["payments"] });
    expect(full.payments?.data.map((p) => p.status)).toEqual(["open", "paid"]);
  });
});

describe("stripe: webhooks", () => {
  const post = (code: string, body: string, headers: Record<string, string>) =>
    call(providerRoute.POST as never, { rawBody: body, params: { provider: "stripe", code }, headers: { "content-type": "application/json", ...headers } });

  it("forged, unsigned and stale deliveries get 401; the properly signed one is accepted", async () => {
    const { row, secret } = await integration();
    const body = JSON.stringify({ id: `evt_${randomBytes(8).toString("hex")}`, object: "event", type: "payment_intent.succeeded", created: Math.floor(Date.now() / 1000), data: { object: { id: "pi_x", object: "payment_intent", status: "succeeded", amount_received: 100, metadata: {} } }, livemode: false });
    const forged = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: whsec() });
    expect((await post(row.code, body, { "stripe-signature": forged })).status).toBe(401);
    expect((await post(row.code, body, {})).status).toBe(401);
    const stale = Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect((await post(row.code, body, { "stripe-signature": stale })).status).toBe(401);
    const good = Stripe.webhooks.generateTestHeaderString({ payload: body, secret });
    expect((await post(row.code, body.replace("100", "999"), { "stripe-signature": good })).status).toBe(401);
    const ok = await post(row.code, body, { "stripe-signature": good });
    expect(ok.status).toBe(200);
    const rejected = await db.webhookEvent.findMany({ where: { integrationId: row.id, status: "rejected" } });
    expect(rejected).toHaveLength(4);
  });

  it("maps charge.refunded with its refunds list and ignores what it does not act on", async () => {
    const ev = (type: string, object: Record<string, unknown>): StoredWebhook => ({
      id: "w1",
      type,
      externalId: "evt_1",
      payload: { id: "evt_1", type, created: 1_700_000_000, data: { object } },
      headers: {},
      attempt: 1,
      receivedAt: new Date(),
    });
    const r = await def.webhook!.handle!(
      ev("charge.refunded", {
        id: "ch_1",
        object: "charge",
        amount: 1000,
        amount_captured: 1000,
        amount_refunded: 1000,
        refunded: true,
        payment_intent: "pi_1",
        metadata: { switchboard_payment_id: "p1" },
        refunds: { object: "list", data: [{ id: "re_1", amount: 1000, status: "succeeded", payment_intent: "pi_1" }] },
      }),
      {} as never,
    );
    expect(r.events).toEqual([
      { type: "payment.updated", data: expect.objectContaining({ paymentId: "p1", providerPaymentId: "pi_1", providerCaptureId: "ch_1", status: "refunded", refundedMinor: 1000, occurredAt: "2023-11-14T22:13:20.000Z" }) },
      { type: "refund.updated", data: { providerRefundId: "re_1", paymentId: "p1", providerPaymentId: "pi_1", status: "succeeded", amountMinor: 1000, eventId: "evt_1" } },
    ]);
    expect(await def.webhook!.handle!(ev("customer.created", { id: "cus_1" }), {} as never)).toMatchObject({ outcome: "ignored" });
    expect(await def.webhook!.handle!(ev("payment_intent.canceled", { id: "pi_2", status: "canceled", metadata: {} }), {} as never)).toMatchObject({
      outcome: "completed",
      events: [{ data: { status: "canceled", providerPaymentId: "pi_2" } }],
    });
  });
});
