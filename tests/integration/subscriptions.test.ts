// Subscriptions (issue 18, items 1 and 7) end to end for Stripe: the API, the real stripe SDK
// against the sandbox, its signed webhooks through the webhook front and the workers, real
// PostgreSQL. Created → paid on the sandbox's Checkout → active; a renewal (the sandbox's test
// clock) is a payment linked to the subscription with its invoice's links; a failed renewal
// makes it past_due, writes subscription.past_due and raises an alert; a paid retry recovers it;
// cancel at period end and resume; cancel now. A provider without subscriptions is a 400 naming
// the field, never a one-time charge. Every answer is checked against the route's declared
// response (lib/api.ts checkResponse).
import { beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import { pgPool } from "@/lib/pg";
import { createIntegration } from "@/lib/integrations/service";
import { subscriptionEvent, type SubscriptionDetail } from "@/lib/payments/contract";
import * as payments from "@/app/api/v1/payments/route";
import * as onePayment from "@/app/api/v1/payments/[id]/route";
import * as refund from "@/app/api/v1/payments/[id]/refund/route";
import * as subscriptions from "@/app/api/v1/payments/subscriptions/route";
import * as one from "@/app/api/v1/payments/subscriptions/[id]/route";
import * as cancel from "@/app/api/v1/payments/subscriptions/[id]/cancel/route";
import * as resume from "@/app/api/v1/payments/subscriptions/[id]/resume/route";
import { call } from "../helpers/http";
import { createKey, sandbox, system } from "../helpers/fixtures";
import { FAST_OUTBOX_ENV, runWorkers } from "../helpers/workers";
import { waitFor } from "../helpers/wait";
import { moneyEventTypes } from "../helpers/money-events";

runWorkers({ webhooks: true, env: { ...FAST_OUTBOX_ENV, PAYMENT_STATUS_CHECK_SECONDS: "3600" } });

let key: string;
let stripeSecret: string;
let payme: { id: string };
beforeAll(async () => {
  key = (await createKey(["payments:read", "payments:write", "payments:refund"])).key;
  const stripeKeys = { secretKey: `sk_test_${randomBytes(18).toString("hex")}`, webhookSecret: `whsec_${randomBytes(24).toString("base64")}` };
  stripeSecret = stripeKeys.secretKey;
  await createIntegration({ provider: "stripe", name: "Stripe Billing", mode: "sandbox", credentials: stripeKeys, config: { currencies: ["USD"] } }, system);
  payme = await createIntegration(
    { provider: "payme", name: "Payme", mode: "sandbox", credentials: { merchantId: randomBytes(12).toString("hex"), key: randomBytes(24).toString("base64url") }, config: {} },
    system,
  );
});

const post = (handler: unknown, url: string, body: unknown, params: Record<string, string> = {}, headers?: Record<string, string>) =>
  call(handler as never, { method: "POST", url, body, bearer: key, params, headers });
const get = (id: string) => call<SubscriptionDetail>(one.GET as never, { url: `/api/v1/payments/subscriptions/${id}`, params: { id }, bearer: key });
const control = async (path: string, body: unknown) => {
  const res = await fetch(`${sandbox().url}/stripe${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = await res.json().catch(() => null);
  expect(res.status, JSON.stringify(json)).toBe(200);
  return json;
};

async function create(extra: Record<string, unknown> = {}) {
  const email = `member-${randomBytes(3).toString("hex")}@example.com`;
  const res = await post(subscriptions.POST, "/api/v1/payments/subscriptions", { provider: "stripe", plan: "Pro", amountMinor: 1500, currency: "USD", interval: "month", customerEmail: email, ...extra });
  expect(res.status, res.text).toBe(201);
  return res.json as SubscriptionDetail;
}

/** the subscription once `ok` holds for it (the webhooks are processed by the workers) */
const until = (id: string, ok: (s: SubscriptionDetail) => boolean, what: string) =>
  waitFor(async () => {
    const r = await get(id);
    expect(r.status, r.text).toBe(200);
    return ok(r.json) ? r.json : null;
  }, 20_000, what);

/** one subscription's events in the outbox, oldest first, read through the contract */
async function subscriptionEvents(id: string) {
  const r = await pgPool().query<{ type: string; data: Record<string, unknown> }>(
    `select type, payload->'data' as data from domain_events where type like 'subscription.%' and payload->'data'->>'subscriptionId' = $1 order by created_at, id`,
    [id],
  );
  return r.rows.map((row) => subscriptionEvent.parse({ type: row.type, ...row.data }));
}

async function paid() {
  const s = await create();
  const first = await db.payment.findFirstOrThrow({ where: { subscriptionId: s.id } });
  await control(`/__pay/${first.providerCheckoutId}`, { outcome: "pay" });
  const active = await until(s.id, (x) => x.status === "active" && !!x.charges[0]?.invoiceId && !!x.providerSubscriptionId, "the subscription to be active with its first invoice");
  // the first invoice paid the first charge: no second payment for it
  expect(active.charges.map((c) => c.id), JSON.stringify(active.history, null, 1)).toEqual([first.id]);
  return { s: active, first };
}

describe("Stripe subscriptions", () => {
  it("created: incomplete, the Checkout page to approve it, its first charge waiting", async () => {
    const s = await create({ intervalCount: 3, description: "Quarterly plan" });
    expect(s).toMatchObject({ provider: "stripe", providerName: "Stripe", billing: "provider", status: "incomplete", plan: "Pro", amountMinor: 1500, currency: "USD", interval: "month", intervalCount: 3, amount: expect.any(String), cancelAtPeriodEnd: false, failedCharges: 0 });
    expect(s.paymentUrl).toMatch(/\/stripe\/checkout\/cs_test_/);
    expect(s.actions).toEqual({ cancel: { available: true, reason: null }, resume: { available: false, reason: "Only a subscription set to cancel at the end of its period can be resumed" } });
    const d = (await get(s.id)).json;
    expect(d.charges).toHaveLength(1);
    expect(d.charges[0]).toMatchObject({ status: "pending", amountMinor: 1500, invoiceId: null });
    const first = await db.payment.findUniqueOrThrow({ where: { id: d.charges[0].id } });
    expect(first.subscriptionId).toBe(s.id);
    // the Checkout Session is in subscription mode, with our ids on the subscription it will make
    const session = await fetch(`${sandbox().url}/stripe/v1/checkout/sessions/${first.providerCheckoutId}`, { headers: { authorization: `Bearer ${stripeSecret}` } }).then((r) => r.json());
    expect(session).toMatchObject({ mode: "subscription", metadata: { switchboard_subscription_id: s.id, switchboard_payment_id: first.id } });
  });

  it("paid: active, the first invoice on its charge, subscription.activated and payment.succeeded once each", async () => {
    const { s, first } = await paid();
    expect(s.providerSubscriptionId).toMatch(/^sub_/);
    expect(s.providerCustomerId).toMatch(/^cus_/);
    expect(s.currentPeriodEnd && s.currentPeriodStart && new Date(s.currentPeriodEnd) > new Date(s.currentPeriodStart)).toBe(true);
    expect(s.charges).toHaveLength(1);
    expect(s.charges[0]).toMatchObject({ id: first.id, status: "succeeded", invoiceId: expect.stringMatching(/^in_/), invoiceUrl: expect.stringContaining("/stripe/invoice/in_") });
    expect(s.charges[0].invoicePdfUrl).toMatch(/\/pdf$/);
    await waitFor(async () => ((await subscriptionEvents(s.id)).length ? true : null), 10_000, "the events");
    expect((await subscriptionEvents(s.id)).map((e) => e.type)).toEqual(["subscription.activated"]);
    expect(await moneyEventTypes(first.id)).toEqual(["payment.succeeded"]);
    // the payment says which subscription it belongs to
    const p = await call(onePayment.GET as never, { url: `/api/v1/payments/${first.id}`, params: { id: first.id }, bearer: key });
    expect(p.json).toMatchObject({ subscriptionId: s.id, invoiceId: s.charges[0].invoiceId });
    // the invoice's page and PDF answer
    expect((await fetch(s.charges[0].invoicePdfUrl!)).headers.get("content-type")).toBe("application/pdf");
  });

  it("renewed, then a renewal fails (past_due, an alert, subscription.past_due), then a retry pays it (active again)", async () => {
    const { s } = await paid();
    const periodEnd = s.currentPeriodEnd!;
    await control(`/__advance/${s.providerSubscriptionId}`, { outcome: "pay" });
    const renewed = await until(s.id, (x) => x.charges.length === 2 && x.charges[0].status === "succeeded", "the renewal");
    expect(renewed.status).toBe("active");
    expect(new Date(renewed.currentPeriodStart!).getTime(), JSON.stringify({ charges: renewed.charges, history: renewed.history }, null, 1)).toBe(new Date(periodEnd).getTime());
    const [renewal] = renewed.charges;
    expect(renewal).toMatchObject({ amountMinor: 1500, invoiceId: expect.stringMatching(/^in_/), invoiceUrl: expect.stringContaining(renewal.invoiceId!) });
    expect(renewal.invoiceId).not.toBe(renewed.charges[1].invoiceId);
    const linked = await db.payment.findUniqueOrThrow({ where: { id: renewal.id } });
    expect(linked).toMatchObject({ subscriptionId: s.id, providerPaymentId: renewal.invoiceId, capturedMinor: 1500 });
    expect(await moneyEventTypes(renewal.id)).toEqual(["payment.succeeded"]);

    const advanced = await control(`/__advance/${s.providerSubscriptionId}`, { outcome: "fail" });
    const failedInvoice = advanced.invoice.id as string;
    const pastDue = await until(s.id, (x) => x.status === "past_due" && x.charges.length === 3, "past_due");
    expect(pastDue.failedCharges).toBe(1);
    expect(pastDue.charges[0]).toMatchObject({ status: "failed", invoiceId: failedInvoice, error: expect.any(String) });
    expect(await moneyEventTypes(pastDue.charges[0].id)).toEqual(["payment.failed"]);
    const alert = await waitFor(() => db.alert.findFirst({ where: { dedupeKey: `subscription_past_due:${s.id}`, status: "open", notifiedAt: { not: null } } }), 10_000, "the alert, notified");
    expect(alert).toMatchObject({ rule: "subscription_past_due", entityType: "subscription", entityId: s.id, link: `/payments/subscriptions/${s.id}` });
    expect(alert.notifiedAt).not.toBeNull();

    await control(`/__retry/${failedInvoice}`, { outcome: "pay" });
    const recovered = await until(s.id, (x) => x.status === "active" && x.charges[0].status === "succeeded", "recovered");
    // the retry paid the same charge: no fourth payment
    expect(recovered.charges).toHaveLength(3);
    expect(recovered.failedCharges, JSON.stringify(recovered.history, null, 1)).toBe(0);
    const types = (await subscriptionEvents(s.id)).map((e) => e.type);
    expect(types).toEqual(["subscription.activated", "subscription.renewed", "subscription.past_due", "subscription.renewed"]);
    const events = await subscriptionEvents(s.id);
    const pastDueEvent = events.find((e) => e.type === "subscription.past_due")!;
    expect(pastDueEvent).toMatchObject({ subscriptionId: s.id, provider: "stripe", plan: "Pro", amountMinor: 1500, currency: "USD", status: "past_due", source: "webhook", failedCharges: 1 });
    // the failed charge when invoice.payment_failed moved it; none when Stripe's subscription update came first
    expect([pastDue.charges[0].id, null]).toContain(pastDueEvent.type === "subscription.past_due" ? pastDueEvent.paymentId : undefined);
    const renewals = events.filter((e) => e.type === "subscription.renewed");
    expect(renewals.map((e) => (e.type === "subscription.renewed" ? [e.paymentId, e.invoiceId] : null))).toEqual([
      [renewal.id, renewal.invoiceId],
      [pastDue.charges[0].id, failedInvoice],
    ]);
  });

  it("a renewal is checked and refunded at Stripe through its invoice's PaymentIntent", async () => {
    const { s } = await paid();
    await control(`/__advance/${s.providerSubscriptionId}`, { outcome: "pay" });
    const renewed = await until(s.id, (x) => x.charges.length === 2 && x.charges[0].status === "succeeded", "the renewal");
    const id = renewed.charges[0].id;
    const checked = await call(onePayment.GET as never, { url: `/api/v1/payments/${id}?refresh=1`, params: { id }, bearer: key });
    expect(checked.status, checked.text).toBe(200);
    expect(checked.json).toMatchObject({ status: "succeeded", providerPaymentId: renewed.charges[0].invoiceId, capturedMinor: 1500 });
    const r = await post(refund.POST, `/api/v1/payments/${id}/refund`, { amountMinor: 500 }, { id });
    expect(r.status, r.text).toBe(201);
    expect(r.json.refund).toMatchObject({ status: "succeeded", amountMinor: 500, providerRefundId: expect.stringMatching(/^re_/) });
    expect(r.json.payment).toMatchObject({ status: "partially_refunded", refundedMinor: 500, subscriptionId: s.id });
  });

  it("cancel at period end, then resume; set again, the period ends: canceled, subscription.canceled once", async () => {
    const { s } = await paid();
    const set = await post(cancel.POST, `/api/v1/payments/subscriptions/${s.id}/cancel`, { atPeriodEnd: true }, { id: s.id });
    expect(set.status, set.text).toBe(200);
    expect(set.json).toMatchObject({ status: "active", cancelAtPeriodEnd: true, actions: { resume: { available: true } } });
    const back = await post(resume.POST, `/api/v1/payments/subscriptions/${s.id}/resume`, undefined, { id: s.id });
    expect(back.status, back.text).toBe(200);
    expect(back.json).toMatchObject({ status: "active", cancelAtPeriodEnd: false });
    // the webhooks of both changes arrive after the answers, dated to the second like Stripe's: two
    // words of the same second are not ordered (docs/areas/subscriptions.md), so the page's
    // Check status (?refresh=1: Stripe's current word) settles the flag once they are in
    await fetch(`${sandbox().url}/stripe/__flush`, { method: "POST" });
    await waitFor(async () => ((await get(s.id)).json.history.filter((h) => h.source === "webhook" && h.eventId).length >= 5 ? true : null), 10_000, "the webhooks of both changes");
    const settled = await call<SubscriptionDetail>(one.GET as never, { url: `/api/v1/payments/subscriptions/${s.id}?refresh=1`, params: { id: s.id }, bearer: key });
    expect(settled.json).toMatchObject({ status: "active", cancelAtPeriodEnd: false });
    const again = await post(resume.POST, `/api/v1/payments/subscriptions/${s.id}/resume`, undefined, { id: s.id });
    expect(again.status).toBe(422);
    expect(again.json.error.message).toBe("Only a subscription set to cancel at the end of its period can be resumed");

    expect((await post(cancel.POST, `/api/v1/payments/subscriptions/${s.id}/cancel`, { atPeriodEnd: true }, { id: s.id })).status).toBe(200);
    await control(`/__advance/${s.providerSubscriptionId}`, { outcome: "pay" });
    const ended = await until(s.id, (x) => x.status === "canceled", "the end of the period");
    expect(ended.canceledAt).not.toBeNull();
    expect(ended.charges).toHaveLength(1);
    expect(ended.actions.cancel).toEqual({ available: false, reason: "The subscription is already canceled" });
    expect((await subscriptionEvents(s.id)).map((e) => e.type)).toEqual(["subscription.activated", "subscription.canceled"]);
  });

  it("cancel now: canceled at once, the webhook that follows adds nothing; a second cancel is a 422", async () => {
    const { s } = await paid();
    const res = await post(cancel.POST, `/api/v1/payments/subscriptions/${s.id}/cancel`, { atPeriodEnd: false }, { id: s.id });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ status: "canceled", providerStatus: "canceled" });
    await fetch(`${sandbox().url}/stripe/__flush`, { method: "POST" });
    await waitFor(async () => ((await get(s.id)).json.history.some((h) => h.event === "canceled" && h.source === "webhook") ? true : null), 10_000, "the deleted webhook");
    expect((await subscriptionEvents(s.id)).map((e) => e.type)).toEqual(["subscription.activated", "subscription.canceled"]);
    const twice = await post(cancel.POST, `/api/v1/payments/subscriptions/${s.id}/cancel`, { atPeriodEnd: false }, { id: s.id });
    expect(twice.status).toBe(422);
    expect(twice.json.error.message).toBe("The subscription is already canceled");
  });

  it("canceled before it was paid: the Checkout expires, the subscription is incomplete_expired", async () => {
    const s = await create();
    // at the end of a period it has not begun: refused in words a person reads, naming the field
    const early = await post(cancel.POST, `/api/v1/payments/subscriptions/${s.id}/cancel`, { atPeriodEnd: true }, { id: s.id });
    expect(early.status, early.text).toBe(422);
    expect(early.json.error.message).toBe("It has no period to run to the end of yet (its first payment is not made): cancel it now instead");
    expect(early.json.error.details).toEqual({ field: "atPeriodEnd" });
    const res = await post(cancel.POST, `/api/v1/payments/subscriptions/${s.id}/cancel`, { atPeriodEnd: false }, { id: s.id });
    expect(res.status, res.text).toBe(200);
    expect(res.json.status).toBe("incomplete_expired");
    const first = await db.payment.findFirstOrThrow({ where: { subscriptionId: s.id } });
    const pay = await fetch(`${sandbox().url}/stripe/__pay/${first.providerCheckoutId}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ outcome: "pay" }) });
    expect(pay.status).toBe(409);
    const atEnd = await post(cancel.POST, `/api/v1/payments/subscriptions/${randomUUIDLike()}/cancel`, { atPeriodEnd: false }, { id: randomUUIDLike() });
    expect(atEnd.status).toBe(404);
  });

  it("an Idempotency-Key gives the first answer again (the same subscription, one first charge); a different request with it is refused", async () => {
    const body = { provider: "stripe", plan: "Keyed", amountMinor: 1200, currency: "USD", interval: "year" };
    const headers = { "idempotency-key": `sub-${randomBytes(6).toString("hex")}` };
    const one = await post(subscriptions.POST, "/api/v1/payments/subscriptions", body, {}, headers);
    expect(one.status, one.text).toBe(201);
    const two = await post(subscriptions.POST, "/api/v1/payments/subscriptions", body, {}, headers);
    expect(two.status, two.text).toBe(200);
    expect(two.json).toMatchObject({ id: one.json.id, paymentUrl: one.json.paymentUrl, replayed: true });
    expect(await db.payment.count({ where: { subscriptionId: one.json.id } })).toBe(1);
    const other = await post(subscriptions.POST, "/api/v1/payments/subscriptions", { ...body, amountMinor: 1300 }, {}, headers);
    expect(other.status).toBeGreaterThanOrEqual(400);
    expect(await db.subscription.count({ where: { plan: "Keyed", id: { not: one.json.id }, createdAt: { gte: new Date(one.json.createdAt) } } })).toBe(0);
  });

  it("lists with filters and a cursor", async () => {
    const a = await create({ plan: "Lister" });
    const b = await create({ plan: "Lister" });
    const page = await call(subscriptions.GET as never, { url: `/api/v1/payments/subscriptions?provider=stripe&status=incomplete&limit=1`, bearer: key });
    expect(page.status, page.text).toBe(200);
    expect(page.json.items).toHaveLength(1);
    expect(page.json.items[0].id).toBe(b.id);
    const next = await call(subscriptions.GET as never, { url: `/api/v1/payments/subscriptions?provider=stripe&status=incomplete&limit=1&cursor=${page.json.nextCursor}`, bearer: key });
    expect(next.json.items[0].id).toBe(a.id);
    expect((await call(subscriptions.GET as never, { url: `/api/v1/payments/subscriptions?plan=x`, bearer: key })).status).toBe(400);
  });
});

describe("a provider without subscriptions", () => {
  it("is a 400 naming the field that chose it, and nothing is charged", async () => {
    const before = await db.payment.count({ where: { provider: "payme" } });
    const byProvider = await post(subscriptions.POST, "/api/v1/payments/subscriptions", { provider: "payme", plan: "Pro", amountMinor: 100_000, currency: "UZS", interval: "month" });
    expect(byProvider.status).toBe(400);
    expect(byProvider.json.error.details).toEqual([{ path: "provider", message: "Payme cannot take recurring payments: choose Stripe or another provider with subscriptions" }]);
    const byIntegration = await post(subscriptions.POST, "/api/v1/payments/subscriptions", { integrationId: payme.id, plan: "Pro", amountMinor: 100_000, currency: "UZS", interval: "month" });
    expect(byIntegration.status).toBe(400);
    expect(byIntegration.json.error.details[0].path).toBe("integrationId");
    // the older way (POST /payments with `subscription`) is refused by the same rule: never a one-time charge
    const old = await post(payments.POST, "/api/v1/payments", { provider: "payme", amountMinor: 100_000, currency: "UZS", subscription: { interval: "month" } });
    expect(old.status).toBe(400);
    expect(old.json.error.details[0].path).toBe("provider");
    expect(await db.payment.count({ where: { provider: "payme" } })).toBe(before);
    const unknown = await post(subscriptions.POST, "/api/v1/payments/subscriptions", { provider: "stripe", plan: "Pro", amountMinor: 100, currency: "USD", interval: "month", trialDays: 7 });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain("trialDays");
  });

  it("POST /payments with `subscription` to Stripe makes a subscription and answers its first charge", async () => {
    const res = await post(payments.POST, "/api/v1/payments", { provider: "stripe", amountMinor: 900, currency: "USD", description: "Basic", subscription: { interval: "week" } });
    expect(res.status, res.text).toBe(201);
    expect(res.json.subscriptionId).toEqual(expect.any(String));
    const s = (await get(res.json.subscriptionId)).json;
    expect(s).toMatchObject({ plan: "Basic", interval: "week", intervalCount: 1, status: "incomplete" });
    expect(s.charges.map((c) => c.id)).toEqual([res.json.id]);
  });
});

function randomUUIDLike() {
  return "00000000-0000-4000-8000-000000000000";
}
