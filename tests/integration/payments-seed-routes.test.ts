// The seeds' payment routes (issue 18, item 3), through the same doors a CRM uses, against the
// Stripe SDK and the Payme/PayPal clients on their sandboxes:
//   POST /api/v1/integrations/payments/stripe/confirm   (3-D Secure answered with nextAction)
//   GET  /api/v1/integrations/payments/:paymentId/status (refreshed from the provider first)
//   GET  /api/v1/payments/invoices                      (the provider's invoices)
// PayPal's execute is in payments-capture.test.ts (the capture every path shares). Every answer
// is checked against the route's declared response (lib/api.ts checkResponse).
import { beforeAll, describe, expect, it } from "vitest";
import { randomBytes, randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { createIntegration } from "@/lib/integrations/service";
import * as payments from "@/app/api/v1/payments/route";
import * as confirm from "@/app/api/v1/integrations/payments/stripe/confirm/route";
import * as seedStatus from "@/app/api/v1/integrations/payments/[paymentId]/status/route";
import * as invoices from "@/app/api/v1/payments/invoices/route";
import { call } from "../helpers/http";
import { createKey, createUser, sandbox, system } from "../helpers/fixtures";
import { FAST_OUTBOX_ENV, runWorkers } from "../helpers/workers";

runWorkers({ webhooks: true, env: FAST_OUTBOX_ENV });

const CONFIRM = "/api/v1/integrations/payments/stripe/confirm";
let key: string;
/** Stripe in the payment_intent flow (the client confirms), Stripe with Checkout links, PayPal, Payme */
let intents: { id: string };
let checkout: { id: string };
let paypal: { id: string };
let payme: { id: string };

const stripeCredentials = () => ({ secretKey: `sk_test_${randomBytes(18).toString("hex")}`, webhookSecret: `whsec_${randomBytes(24).toString("base64")}` });

beforeAll(async () => {
  key = (await createKey(["payments:read", "payments:write"])).key;
  checkout = await createIntegration({ provider: "stripe", name: "Stripe Checkout", mode: "sandbox", priority: 10, credentials: stripeCredentials(), config: { currencies: ["USD"] } }, system);
  intents = await createIntegration(
    { provider: "stripe", name: "Stripe Elements", mode: "sandbox", priority: 20, credentials: stripeCredentials(), config: { currencies: ["EUR"], checkoutMode: "payment_intent" } },
    system,
  );
  paypal = await createIntegration(
    { provider: "paypal", name: "PayPal", mode: "sandbox", priority: 30, credentials: { clientId: `A${randomBytes(30).toString("base64url")}`, clientSecret: `E${randomBytes(30).toString("base64url")}` } },
    system,
  );
  payme = await createIntegration({ provider: "payme", name: "Payme", mode: "sandbox", priority: 40, credentials: { merchantId: randomBytes(12).toString("hex"), key: randomBytes(24).toString("base64url") }, config: {} }, system);
});

const post = (url: string, body: unknown, opts: { headers?: Record<string, string>; bearer?: string; cookie?: string } = {}) =>
  call(confirm.POST as never, { method: "POST", url, body, headers: opts.headers, ...(opts.cookie ? { cookie: opts.cookie } : { bearer: opts.bearer ?? key }) });

async function create(body: Record<string, unknown>) {
  const res = await call(payments.POST as never, { method: "POST", url: "/api/v1/payments", body, bearer: key });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; providerPaymentId: string | null; providerCheckoutId: string | null; paymentUrl: string | null };
}
/** a PaymentIntent the client will confirm (the integration's payment_intent flow) */
const intent = (amountMinor = 2500) => create({ amountMinor, currency: "EUR", integrationId: intents.id, description: "Transfer E-1" });

const status = (id: string, bearer = key) => call(seedStatus.GET as never, { url: `/api/v1/integrations/payments/${id}/status`, params: { paymentId: id }, bearer });
const row = (id: string) => db.payment.findUniqueOrThrow({ where: { id } });

describe("POST /integrations/payments/stripe/confirm", () => {
  it("confirms a PaymentIntent with the payer's payment method: succeeded; a retry with the same Idempotency-Key replays; confirming again answers as it is", async () => {
    const p = await intent();
    expect(p.providerPaymentId).toMatch(/^pi_/);
    const res = await post(CONFIRM, { paymentId: p.id, paymentMethod: "pm_card_visa" }, { headers: { "idempotency-key": "confirm-1" } });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ id: p.id, provider: "stripe", providerName: "Stripe", status: "succeeded", providerStatus: "succeeded", capturedMinor: 2500, nextAction: null });
    expect((await row(p.id)).history).toEqual(expect.arrayContaining([expect.objectContaining({ event: "succeeded", source: "api", applied: true })]));
    const replay = await post(CONFIRM, { paymentId: p.id, paymentMethod: "pm_card_visa" }, { headers: { "idempotency-key": "confirm-1" } });
    expect(replay.status).toBe(200);
    expect(replay.json).toMatchObject({ status: "succeeded", replayed: true });
    // by Stripe's own names (aliases) and the PaymentIntent's id: the payment as it is, nothing sent to Stripe
    const confirms = async () => (await (await fetch(`${sandbox().url}/__control/requests?provider=stripe`)).json()).items.filter((r: { path: string }) => r.path === `/stripe/v1/payment_intents/${p.providerPaymentId}/confirm`).length;
    const sent = await confirms();
    const again = await post(CONFIRM, { payment_intent_id: p.providerPaymentId, payment_method: "pm_card_visa" }); // aliases (docs/api-compat.md)
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: p.id, status: "succeeded" });
    expect(await confirms()).toBe(sent);
  });

  it("3-D Secure: requires_action with nextAction (the page to send the payer to); the status route says it too until the payer completes it", async () => {
    const p = await intent(4000);
    const res = await post(CONFIRM, { paymentId: p.id, paymentMethod: "pm_card_authenticationRequired", returnUrl: "https://crm.example.test/back" });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ status: "requires_action", providerStatus: "requires_action", nextAction: { type: "redirect_to_url", redirectUrl: `${sandbox().url}/stripe/authenticate/${p.providerPaymentId}` } });
    const waiting = await status(p.id);
    expect(waiting.json).toMatchObject({ status: "requires_action", nextAction: { type: "redirect_to_url", redirectUrl: res.json.nextAction.redirectUrl }, checkedWithProvider: true });
    // the payer authenticates on the bank's page and is sent back to the client's returnUrl
    const auth = await fetch(res.json.nextAction.redirectUrl, { method: "POST", body: new URLSearchParams({ outcome: "3ds_complete" }), redirect: "manual" });
    expect(auth.status).toBe(303);
    expect(auth.headers.get("location")).toBe(`https://crm.example.test/back?payment_intent=${p.providerPaymentId}`);
    const done = await status(p.id);
    expect(done.json).toMatchObject({ status: "succeeded", capturedMinor: 4000, nextAction: null });
  });

  it("a declined card: 422 with Stripe's reason, and the payment shows the decline at once; another card then succeeds", async () => {
    const p = await intent(1500);
    const res = await post(CONFIRM, { paymentId: p.id, paymentMethod: "pm_card_chargeDeclined" });
    expect(res.status).toBe(422);
    expect(res.json.error).toMatchObject({ code: "unprocessable", message: "Stripe declined the payment (generic_decline): Your card was declined.", details: { code: "generic_decline", retryable: false } });
    expect(await row(p.id)).toMatchObject({ status: "failed", error: "Your card was declined." });
    const ok = await post(CONFIRM, { paymentId: p.id, paymentMethod: "pm_card_visa" });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.status).toBe("succeeded");
  });

  it("refuses what cannot be confirmed, saying why: a Checkout link, a PayPal payment, an unknown payment; nothing sent", async () => {
    const link = await create({ amountMinor: 900, currency: "USD", integrationId: checkout.id });
    const onPage = await post(CONFIRM, { paymentId: link.id, paymentMethod: "pm_card_visa" });
    expect(onPage.status).toBe(422);
    expect(onPage.json.error.message).toMatch(/^This Stripe payment is a Checkout link: the payer confirms it on Stripe's page/);
    const pp = await create({ amountMinor: 900, currency: "USD", integrationId: paypal.id });
    const other = await post(CONFIRM, { paymentId: pp.id, paymentMethod: "pm_card_visa" });
    expect(other.status).toBe(422);
    expect(other.json.error).toMatchObject({ message: "PayPal payments are not confirmed through the API: the payer completes them on PayPal's page", details: { provider: "paypal" } });
    expect((await post(CONFIRM, { paymentId: "00000000-0000-4000-8000-000000000000", paymentMethod: "pm_card_visa" })).status).toBe(404);
    expect((await post(CONFIRM, { paymentIntentId: "pi_nosuchintent0001", paymentMethod: "pm_card_visa" })).status).toBe(404);
    expect((await row(link.id)).status).toBe("pending");
  });

  it("strict input, roles and scopes: an unknown field, a malformed method, both ids; a viewer and a read-only key are refused; nothing confirmed", async () => {
    const p = await intent(700);
    const unknown = await post(CONFIRM, { paymentId: p.id, paymentMethod: "pm_card_visa", amount: 700 });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toBe('The request body has an unknown field: "amount"');
    const malformed = await post(CONFIRM, { paymentId: p.id, paymentMethod: "visa" });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.details).toEqual([{ path: "paymentMethod", message: "A Stripe payment method id starts with pm_" }]);
    const both = await post(CONFIRM, { paymentId: p.id, paymentIntentId: p.providerPaymentId, paymentMethod: "pm_card_visa" });
    expect(both.status).toBe(400);
    expect(both.json.error.details).toEqual([{ path: "paymentId", message: "Give paymentId or paymentIntentId (one of them)" }]);
    const twice = await post(CONFIRM, { paymentId: p.id, paymentMethod: "pm_card_visa", payment_method: "pm_card_visa" });
    expect(twice.status).toBe(400);
    expect(twice.json.error.details[0].path).toBe("payment_method");
    const viewer = await createUser("viewer");
    expect((await post(CONFIRM, { paymentId: p.id, paymentMethod: "pm_card_visa" }, { cookie: viewer.cookie })).status).toBe(403);
    const readOnly = (await createKey(["payments:read"])).key;
    const refused = await post(CONFIRM, { paymentId: p.id, paymentMethod: "pm_card_visa" }, { bearer: readOnly });
    expect(refused.status).toBe(403);
    expect(refused.json.error.message).toBe('The API key lacks the "payments:write" scope');
    expect(await row(p.id)).toMatchObject({ status: "pending", providerStatus: "requires_payment_method" });
  });
});

describe("GET /integrations/payments/:paymentId/status", () => {
  it("asks the provider first: a Checkout link paid at Stripe is succeeded in the answer, whether or not its webhook came", async () => {
    const p = await create({ amountMinor: 3100, currency: "USD", integrationId: checkout.id });
    const pay = await fetch(`${sandbox().url}/stripe/__pay/${p.providerCheckoutId}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ outcome: "pay" }) });
    expect(pay.status).toBe(200);
    const res = await status(p.id);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ id: p.id, status: "succeeded", capturedMinor: 3100, refundableMinor: 3100, checkedWithProvider: true, nextAction: null });
    expect(await db.integrationLog.count({ where: { relatedId: p.id, action: "stripe.payment.retrieve" } })).toBeGreaterThanOrEqual(1);
  });

  it("a merchant API (Payme reports each transaction itself) and a payment that never reached its provider answer what is stored", async () => {
    const p = await create({ amountMinor: 150_000, currency: "UZS", integrationId: payme.id });
    const res = await status(p.id);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ id: p.id, provider: "payme", status: "pending", checkedWithProvider: false });
    const failed = await db.payment.create({
      data: { id: randomUUID(), provider: "stripe", integrationId: checkout.id, amountMinor: 100, currency: "USD", status: "failed", error: "The provider call failed", history: [] },
    });
    const never = await status(failed.id);
    expect(never.status, never.text).toBe(200);
    expect(never.json).toMatchObject({ status: "failed", error: "The provider call failed", checkedWithProvider: false });
  });

  it("an unknown payment is a 404, a malformed id a 400 naming it, a key without payments:read a 403", async () => {
    expect((await status("00000000-0000-4000-8000-000000000000")).status).toBe(404);
    const bad = await status("nope");
    expect(bad.status).toBe(400);
    expect(bad.json.error.details).toEqual([{ path: "paymentId", message: "Not a valid payment id" }]);
    const writeOnly = (await createKey(["payments:write"])).key;
    const p = await intent(100);
    expect((await status(p.id, writeOnly)).status).toBe(403);
  });
});

describe("GET /payments/invoices", () => {
  const list = (query: string, bearer = key) => call(invoices.GET as never, { url: `/api/v1/payments/invoices${query}`, bearer });

  it("a subscription paid at Stripe: its invoice, by e-mail (customer_email: an alias) and by Stripe's customer id", async () => {
    const email = `member-${randomBytes(3).toString("hex")}@example.com`;
    expect((await list(`?customerEmail=${encodeURIComponent(email)}`)).json).toMatchObject({ items: [], integration: { id: checkout.id, provider: "stripe", name: "Stripe Checkout" } });
    const p = await create({ amountMinor: 4900, currency: "USD", integrationId: checkout.id, customerEmail: email, subscription: { interval: "month" } });
    const pay = await fetch(`${sandbox().url}/stripe/__pay/${p.providerCheckoutId}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ outcome: "pay" }) });
    expect(pay.status).toBe(200);
    const res = await list(`?customer_email=${encodeURIComponent(email)}`); // alias (docs/api-compat.md)
    expect(res.status, res.text).toBe(200);
    expect(res.json.items).toHaveLength(1);
    const [inv] = res.json.items;
    expect(inv).toMatchObject({ customerEmail: email, status: "paid", amountPaidMinor: 4900, currency: "USD" });
    expect(inv.id).toMatch(/^in_/);
    expect(inv.subscription).toMatch(/^sub_/);
    // the invoice's page at Stripe, when it has one (the sandbox's invoices have none)
    expect(inv).toHaveProperty("hostedInvoiceUrl");
    const byId = await list(`?customerId=${inv.customer}&integrationId=${checkout.id}`);
    expect(byId.json.items.map((i: { id: string }) => i.id)).toEqual([inv.id]);
    // another integration (another Stripe account) has none of them
    expect((await list(`?customerEmail=${encodeURIComponent(email)}&integrationId=${intents.id}`)).json.items).toEqual([]);
  });

  it("refusals: no customer, an unknown field, an integration whose provider has no invoices, a key without payments:read", async () => {
    const none = await list("");
    expect(none.status).toBe(400);
    expect(none.json.error.details).toEqual([{ path: "customerEmail", message: "Give customerEmail or customerId" }]);
    const unknown = await list("?customerEmail=a@example.com&status=paid");
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toBe('The query string has an unknown field: "status"');
    const pp = await list(`?customerEmail=a@example.com&integrationId=${paypal.id}`);
    expect(pp.status).toBe(422);
    expect(pp.json.error).toMatchObject({ message: "PayPal has no invoices to list (Stripe bills through invoices)", details: { provider: "paypal" } });
    expect((await list("?customerEmail=a@example.com&integrationId=00000000-0000-4000-8000-000000000000")).status).toBe(400);
    const writeOnly = (await createKey(["payments:write"])).key;
    expect((await list("?customerEmail=a@example.com", writeOnly)).status).toBe(403);
  });

  it("a viewer reads them too (payments.read)", async () => {
    const viewer = await createUser("viewer");
    const res = await call(invoices.GET as never, { url: "/api/v1/payments/invoices?customerEmail=nobody%40example.com", cookie: viewer.cookie });
    expect(res.status, res.text).toBe(200);
    expect(res.json.items).toEqual([]);
  });
});
