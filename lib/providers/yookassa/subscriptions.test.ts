// YooKassa recurring payments against the sandbox: the first payment saves the payer's card
// (save_payment_method), its notification carries the saved payment_method.id into a
// "subscription.updated" event, and each renewal is a merchant-initiated payment with
// payment_method_id (no confirmation), idempotent by its Idempotence-Key. YooKassa has no
// subscription object: retrieve reads the last payment, cancel is Switchboard's own.
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { buildContext, createIntegration } from "@/lib/integrations/service";
import { getProvider } from "@/lib/providers/registry";
import { PaymentProviderError, type SubscriptionRef, type SubscriptionRequest, type SubscriptionUpdate } from "@/lib/providers/types";
import { fault, sandbox, system } from "@/tests/helpers/fixtures";
import { startWebhookServer } from "@/tests/helpers/webhook-server";
import { setEnv } from "@/tests/helpers/workers";
import { adapterOnly, failure, processedEvent, sandboxRequests, storedEvents, type SeenRequest } from "@/tests/helpers/providers";

adapterOnly(["payment.updated", "refund.updated", "subscription.updated"]);

const def = getProvider("yookassa")!;
const subs = def.payments!.subscriptions!;

setEnv({ YOOKASSA_ALLOWED_IPS: "127.0.0.1" });
let hooks: Awaited<ReturnType<typeof startWebhookServer>>;
beforeAll(async () => {
  hooks = await startWebhookServer();
});
afterAll(async () => {
  await hooks.close();
});

let n = 0;
async function integration() {
  const shopId = String(100000 + Math.floor(Math.random() * 899_999));
  const secretKey = `test_${randomBytes(24).toString("base64url")}`;
  const row = await createIntegration({ provider: "yookassa", name: `YooKassa subs ${++n}`, mode: "sandbox", credentials: { shopId, secretKey }, config: {} }, system);
  return { row, shopId, secretKey, ctx: buildContext(row) };
}

function subscriptionRequest(over: Partial<SubscriptionRequest> = {}): SubscriptionRequest {
  return {
    id: randomUUID(),
    paymentId: randomUUID(),
    plan: "Pro, monthly",
    amountMinor: 99000,
    currency: "RUB",
    interval: "month",
    intervalCount: 1,
    description: "Switchboard Pro",
    customerEmail: "owner@example.com",
    metadata: { customer: "C-17" },
    returnUrl: "https://crm.example.test/subscribed",
    cancelUrl: "https://crm.example.test/canceled",
    idempotencyKey: randomUUID(),
    ...over,
  };
}

const requests = (filter: (s: SeenRequest) => boolean) => sandboxRequests("yookassa", filter);
const control = (path: string, body: unknown) =>
  fetch(`${sandbox().url}/yookassa${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const stored = (integrationId: string, count: number) => storedEvents(integrationId, count, "YooKassa notifications");
const processed = (id: string) => processedEvent<SubscriptionUpdate>(id);
const payError = (p: Promise<unknown>) => failure(p, PaymentProviderError);
const shopPayments = async (shopId: string) =>
  ((await (await fetch(`${sandbox().url}/yookassa/__payments?shopId=${shopId}`)).json()) as { items: Record<string, unknown>[] }).items;

/** a subscription whose first payment was paid in the sandbox: its ref with the saved method */
async function paidSubscription() {
  const env = await integration();
  const req = subscriptionRequest();
  const created = await subs.create(env.ctx, req);
  await control(`/__pay/${created.firstPayment!.providerPaymentId}`, { outcome: "pay" });
  const [ev] = await stored(env.row.id, 1);
  const update = (await processed(ev.id)).events[0].data;
  const ref: SubscriptionRef = {
    id: req.id,
    providerSubscriptionId: created.providerSubscriptionId,
    providerCustomerId: null,
    providerPlanId: null,
    paymentMethodId: update.paymentMethodId ?? null,
  };
  return { ...env, req, created, ref };
}

const chargeReq = (over: Partial<{ paymentId: string; amountMinor: number; idempotencyKey: string; periodStart: string; periodEnd: string }> = {}) => ({
  paymentId: randomUUID(),
  amountMinor: 99000,
  currency: "RUB",
  description: "Pro, monthly: 2027-01-07 – 2027-02-07",
  idempotencyKey: randomUUID(),
  ...over,
});

describe("yookassa subscriptions: the first payment saves the card", () => {
  it("declares merchant billing with charge; create is a redirect payment with save_payment_method, our ids in metadata", async () => {
    expect(def.capabilities).toContain("payments.subscriptions");
    expect(subs.billing).toBe("merchant");
    expect(typeof subs.charge).toBe("function");

    const { ctx } = await integration();
    const req = subscriptionRequest();
    const s = await subs.create(ctx, req);
    const firstId = s.firstPayment!.providerPaymentId!;
    expect(s).toMatchObject({
      // YooKassa has no subscription object: the payment that saves the card stands for it
      providerSubscriptionId: firstId,
      status: "incomplete",
      providerStatus: "pending",
      paymentUrl: `${sandbox().url}/yookassa/checkout/${firstId}`,
      paymentMethodId: null,
      firstPayment: { status: "pending", providerStatus: "pending" },
    });
    const [sent] = await requests((r) => r.method === "POST" && r.path === "/yookassa/v3/payments" && r.body.includes(req.id));
    expect(sent.headers["idempotence-key"]).toBe(req.idempotencyKey);
    expect(JSON.parse(sent.body)).toEqual({
      amount: { value: "990.00", currency: "RUB" },
      capture: true,
      save_payment_method: true,
      confirmation: { type: "redirect", return_url: req.returnUrl },
      description: "Switchboard Pro",
      metadata: {
        customer: "C-17",
        switchboard_payment_id: req.paymentId,
        switchboard_subscription_id: req.id,
        switchboard_charge: "first",
        switchboard_interval: "month:1",
      },
    });
    // the payer is told the card is kept for the renewals
    const html = await (await fetch(s.paymentUrl!)).text();
    expect(html).toMatch(/saved for recurring payments/);
    // the same creation again (a retry) is the same payment
    const again = await subs.create(ctx, req);
    expect(again.providerSubscriptionId).toBe(firstId);
  });

  it("paid → payment.succeeded notification → re-fetched → subscription.updated: active, the saved payment_method.id, the first charge", async () => {
    const { row, shopId, ctx } = await integration();
    const req = subscriptionRequest();
    const s = await subs.create(ctx, req);
    const firstId = s.firstPayment!.providerPaymentId!;
    await control(`/__pay/${firstId}`, { outcome: "pay" });
    const [ev] = await stored(row.id, 1);
    const result = await processed(ev.id);
    expect(result.events).toHaveLength(1);
    expect(result.events[0].type).toBe("subscription.updated");
    const update = result.events[0].data;
    expect(update).toMatchObject({
      subscriptionId: req.id,
      providerSubscriptionId: firstId,
      status: "active",
      providerStatus: "succeeded",
      paymentMethodId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      eventId: ev.externalId,
      charge: { providerPaymentId: firstId, amountMinor: 99000, currency: "RUB", status: "succeeded", error: null },
    });
    // the first period: from the capture, one month (the interval rides in the payment's metadata)
    const [paid] = (await shopPayments(shopId)).filter((x) => x.id === firstId);
    const start = new Date(paid.captured_at as string);
    const end = new Date(start);
    end.setUTCMonth(end.getUTCMonth() + 1);
    if (end.getUTCDate() !== start.getUTCDate()) end.setUTCDate(0);
    expect(update).toMatchObject({ currentPeriodStart: start.toISOString(), currentPeriodEnd: end.toISOString() });
    expect(update.charge).toMatchObject({ periodStart: start.toISOString(), periodEnd: end.toISOString() });
    // the method id is YooKassa's payment_method.id with saved: true
    const [p] = (await shopPayments(shopId)).filter((x) => x.id === firstId);
    expect(p.payment_method).toMatchObject({ id: update.paymentMethodId, saved: true, type: "bank_card" });

    const now = await subs.retrieve(ctx, { id: req.id, providerSubscriptionId: firstId, providerCustomerId: null, providerPlanId: null, paymentMethodId: null });
    expect(now).toMatchObject({ status: "active", providerStatus: "succeeded", paymentMethodId: update.paymentMethodId, providerSubscriptionId: firstId });
  });

  it("a declined first payment: subscription.updated incomplete_expired, a failed charge with YooKassa's reason, no method saved", async () => {
    const { row, shopId, ctx } = await integration();
    const req = subscriptionRequest();
    const s = await subs.create(ctx, req);
    await control(`/__pay/${s.providerSubscriptionId}`, { outcome: "decline" });
    const [ev] = await stored(row.id, 1);
    const update = (await processed(ev.id)).events[0].data;
    expect(update).toMatchObject({
      subscriptionId: req.id,
      status: "incomplete_expired",
      providerStatus: "canceled",
      charge: { providerPaymentId: s.providerSubscriptionId, status: "failed", error: "insufficient funds (insufficient_funds, payment_network)" },
    });
    expect(update.paymentMethodId ?? null).toBeNull();
    const [p] = (await shopPayments(shopId)).filter((x) => x.id === s.providerSubscriptionId);
    expect(p.payment_method).toMatchObject({ saved: false });
  });

  it("refuses an interval YooKassa's scheduler (ours) does not have, and a currency the shop does not take", async () => {
    expect(subs.intervals).toEqual(["day", "week", "month", "year"]);
    const { ctx } = await integration();
    const e = await payError(subs.create(ctx, subscriptionRequest({ currency: "USD" })));
    expect(e).toMatchObject({ retryable: false, opts: { status: 400, code: "invalid_request" } });
  });
});

describe("yookassa subscriptions: renewals charged with payment_method_id", () => {
  it("charge: a payment with payment_method_id, capture, no confirmation, our ids; succeeded at once; the same key is one payment", async () => {
    const { row, shopId, ref } = await paidSubscription();
    const ctx = buildContext(row);
    const c = chargeReq({ periodStart: "2027-01-07T10:00:00.000Z", periodEnd: "2027-02-07T10:00:00.000Z" });
    const p = await subs.charge!(ctx, ref, c);
    expect(p).toMatchObject({ status: "succeeded", providerStatus: "succeeded", capturedMinor: 99000, error: null, paymentUrl: null });
    const [sent] = await requests((r) => r.method === "POST" && r.path === "/yookassa/v3/payments" && r.body.includes(c.paymentId));
    expect(sent.headers["idempotence-key"]).toBe(c.idempotencyKey);
    expect(JSON.parse(sent.body)).toEqual({
      amount: { value: "990.00", currency: "RUB" },
      capture: true,
      payment_method_id: ref.paymentMethodId,
      description: c.description,
      metadata: {
        switchboard_payment_id: c.paymentId,
        switchboard_subscription_id: ref.id,
        switchboard_charge: "renewal",
        switchboard_period: "2027-01-07T10:00:00.000Z/2027-02-07T10:00:00.000Z",
      },
    });

    // a rerun (a crash before the answer was stored) with the same key: the same payment, not a second charge
    const again = await subs.charge!(ctx, ref, c);
    expect(again.providerPaymentId).toBe(p.providerPaymentId);
    const charged = (await shopPayments(shopId)).filter((x) => (x.metadata as Record<string, string>).switchboard_charge === "renewal");
    expect(charged.map((x) => x.id)).toEqual([p.providerPaymentId]);

    // its notification: a succeeded charge of the subscription, no new method
    const rows = await stored(row.id, 2);
    const update = (await processed(rows[1].id)).events[0].data;
    expect(update).toMatchObject({
      subscriptionId: ref.id,
      status: "active",
      providerStatus: "succeeded",
      charge: { providerPaymentId: p.providerPaymentId, amountMinor: 99000, status: "succeeded", periodStart: c.periodStart, periodEnd: c.periodEnd },
      // the period it paid, as the scheduler sent it: a crash after the charge still advances it
      currentPeriodStart: c.periodStart,
      currentPeriodEnd: c.periodEnd,
    });
    expect(update.paymentMethodId).toBeUndefined();
    // retrieve from the last payment
    const now = await subs.retrieve(ctx, { ...ref, lastProviderPaymentId: p.providerPaymentId });
    expect(now).toMatchObject({ status: "active", providerStatus: "succeeded" });
  });

  it("a saved card made to decline: the charge is canceled with cancellation_details (insufficient_funds); then it pays again", async () => {
    const { row, ref } = await paidSubscription();
    const ctx = buildContext(row);
    expect((await control(`/__cards/${ref.paymentMethodId}`, { decline: "insufficient_funds", times: 1 })).status).toBe(200);
    const declined = await subs.charge!(ctx, ref, chargeReq());
    expect(declined).toMatchObject({ status: "canceled", providerStatus: "canceled", error: "insufficient funds (insufficient_funds, payment_network)" });

    const rows = await stored(row.id, 2);
    const update = (await processed(rows[1].id)).events[0].data;
    expect(update.currentPeriodEnd).toBeUndefined();
    // a failed renewal carries the failed charge; past_due or canceled is the scheduler's to decide (its retries)
    expect(update).toMatchObject({ subscriptionId: ref.id, providerStatus: "canceled", charge: { providerPaymentId: declined.providerPaymentId, status: "failed" } });
    expect(update.status).toBeUndefined();
    const now = await subs.retrieve(ctx, { ...ref, lastProviderPaymentId: declined.providerPaymentId });
    expect(now).toMatchObject({ status: "past_due", providerStatus: "canceled" });

    // the fault was for one charge: the next one pays
    const paid = await subs.charge!(ctx, ref, chargeReq());
    expect(paid.status).toBe("succeeded");

    // a permission the payer revoked: every charge is canceled with permission_revoked
    await control(`/__cards/${ref.paymentMethodId}`, { decline: "permission_revoked" });
    const revoked = await subs.charge!(ctx, ref, chargeReq());
    expect(revoked.error).toMatch(/^the payer revoked the permission for recurring payments \(permission_revoked/);
    expect((await subs.charge!(ctx, ref, chargeReq())).status).toBe("canceled");
  });

  it("an unknown saved method is refused by YooKassa (400, not retryable); without a saved method nothing is sent", async () => {
    const { ctx } = await integration();
    const ref: SubscriptionRef = { id: randomUUID(), providerSubscriptionId: null, providerCustomerId: null, providerPlanId: null, paymentMethodId: "2419a771-000f-5000-9000-1edaf29243f2" };
    const e = await payError(subs.charge!(ctx, ref, chargeReq()));
    expect(e).toMatchObject({ retryable: false, opts: { status: 400, code: "invalid_request" } });
    expect(e.message).toMatch(/payment_method_id/);
    const c = chargeReq();
    const none = await payError(subs.charge!(ctx, { ...ref, paymentMethodId: null }, c));
    expect(none).toMatchObject({ retryable: false, opts: { code: "no_payment_method" } });
    expect(await requests((r) => r.body.includes(c.paymentId))).toEqual([]);
  });

  it("a lost answer (charged, then 503) is retried with the same Idempotence-Key: one charge", async () => {
    const { row, shopId, ref } = await paidSubscription();
    const ctx = buildContext(row);
    const c = chargeReq();
    await fault({ provider: "yookassa", path: "/v3/payments$", method: "POST", status: 503, after: true });
    const p = await subs.charge!(ctx, ref, c);
    expect(p.status).toBe("succeeded");
    const posts = await requests((r) => r.method === "POST" && r.path === "/yookassa/v3/payments" && r.body.includes(c.paymentId));
    expect(posts.map((r) => r.headers["idempotence-key"])).toEqual([c.idempotencyKey, c.idempotencyKey]);
    const renewals = (await shopPayments(shopId)).filter((x) => (x.metadata as Record<string, string>).switchboard_payment_id === c.paymentId);
    expect(renewals).toHaveLength(1);
  });

  it("cancel and resume are Switchboard's own: no request reaches YooKassa", async () => {
    const { row, ref } = await paidSubscription();
    const ctx = buildContext(row);
    const ours = (r: SeenRequest) => r.body.includes(ref.id) || r.path.includes(ref.providerSubscriptionId!) || r.body.includes(ref.paymentMethodId!);
    const before = (await requests(ours)).length;
    const atEnd = await subs.cancel(ctx, ref, { atPeriodEnd: true });
    expect(atEnd).toMatchObject({ status: "active", cancelAtPeriodEnd: true, paymentMethodId: ref.paymentMethodId });
    const resumed = await subs.resume!(ctx, ref);
    expect(resumed).toMatchObject({ status: "active", cancelAtPeriodEnd: false });
    const now = await subs.cancel(ctx, ref, { atPeriodEnd: false });
    expect(now).toMatchObject({ status: "canceled", cancelAtPeriodEnd: false, canceledAt: expect.any(String) });
    expect((await requests(ours)).length).toBe(before);
    const logs = await db.integrationLog.count({ where: { integrationId: row.id, action: { startsWith: "yookassa.subscriptions" } } });
    expect(logs).toBe(0);
  });
});
