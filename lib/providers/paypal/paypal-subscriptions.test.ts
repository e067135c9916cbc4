// PayPal subscriptions (issue 18) through the real adapter against its sandbox: the catalog
// product and billing plan made on demand and reused, the approval, PayPal's own billing of each
// period (renewal paid or failed, suspended after the failure threshold), cancel now or at the
// end of the period, suspend and activate, and every subscription webhook mapped.
import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { buildContext, createIntegration } from "@/lib/integrations/service";
import { getProvider } from "@/lib/providers/registry";
import {
  PaymentProviderError,
  PermanentWebhookError,
  type StoredWebhook,
  type SubscriptionRef,
  type SubscriptionRequest,
  type SubscriptionUpdate,
} from "@/lib/providers/types";
import { CANCEL_AT_PERIOD_END_NOTE, forgetPlans, mapSubscription, type PpSubscription } from "@/lib/providers/paypal/subscriptions";
import { fault, sandbox, system } from "@/tests/helpers/fixtures";
import { useWebhookServer } from "@/tests/helpers/webhook-server";
import { adapterOnly, failure, processedEvent, sandboxRequests, storedEvents, type SeenRequest } from "@/tests/helpers/providers";
import { expectNothingMore, sandboxProbe } from "@/tests/helpers/quiet";
import { waitFor } from "@/tests/helpers/wait";
import { db } from "@/lib/db";
import { ppCall, type PayPalContext } from "@/lib/providers/paypal/client";

// what lib/payments does with the "subscription.updated" events is tested there (and in tests/integration)
adapterOnly(["payment.updated", "refund.updated", "subscription.updated"]);
useWebhookServer();

const def = getProvider("paypal")!;
const subs = def.payments!.subscriptions!;

let n = 0;
async function integration(config: Record<string, unknown> = {}) {
  const clientId = `A${randomBytes(30).toString("base64url")}`;
  const clientSecret = `E${randomBytes(30).toString("base64url")}`;
  const webhookId = `${randomBytes(8).toString("hex").toUpperCase()}WH`;
  const row = await createIntegration(
    { provider: "paypal", name: `PayPal subscriptions ${++n}`, mode: "sandbox", credentials: { clientId, clientSecret, webhookId }, config },
    system,
  );
  return { row, clientId, webhookId, ctx: buildContext(row) };
}

function subscriptionRequest(over: Partial<SubscriptionRequest> = {}): SubscriptionRequest {
  return {
    id: randomUUID(),
    paymentId: randomUUID(),
    plan: `Pro ${randomBytes(4).toString("hex")}, monthly`,
    amountMinor: 1500,
    currency: "USD",
    interval: "month",
    intervalCount: 1,
    description: "Dispatch seats",
    customerEmail: "rider@example.com",
    metadata: {},
    returnUrl: "https://crm.example.test/subscribed",
    cancelUrl: "https://crm.example.test/not-subscribed",
    idempotencyKey: randomUUID(),
    ...over,
  };
}

const ref = (providerSubscriptionId: string | null, id = "ours"): SubscriptionRef => ({ id, providerSubscriptionId, providerCustomerId: null, providerPlanId: null, paymentMethodId: null });
const requests = (filter: (s: SeenRequest) => boolean) => sandboxRequests("paypal", filter);
const control = (path: string, body: unknown) =>
  fetch(`${sandbox().url}/paypal${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const catalog = async (clientId: string) =>
  (await (await fetch(`${sandbox().url}/paypal/__catalog?clientId=${encodeURIComponent(clientId)}`)).json()) as {
    products: { id: string }[];
    plans: { id: string; product_id: string; payment_preferences: { payment_failure_threshold: number } }[];
    subscriptions: PpSubscription[];
    sales: { id: string }[];
  };
const payError = (p: Promise<unknown>) => failure(p, PaymentProviderError);

/** the integration's stored events of a type once there are `count` of them, oldest first */
async function eventsOf(integrationId: string, type: string, count = 1) {
  return storedEvents(integrationId, count, type, { eventType: type });
}
/** a stored event processed: its one "subscription.updated" */
async function update(id: string): Promise<SubscriptionUpdate> {
  const r = await processedEvent<SubscriptionUpdate>(id);
  expect(r.events).toHaveLength(1);
  expect(r.events[0].type).toBe("subscription.updated");
  return r.events[0].data;
}

/** created and approved (the sandbox's control): ACTIVE, the first period paid */
async function activeSubscription(over: Partial<SubscriptionRequest> = {}) {
  const it = await integration();
  const req = subscriptionRequest(over);
  const created = await subs.create(it.ctx, req);
  expect((await control(`/__subscriptions/${created.providerSubscriptionId}/approve`, { outcome: "approve" })).status).toBe(200);
  return { ...it, req, created, id: created.providerSubscriptionId! };
}

describe("paypal subscriptions: create", () => {
  it("makes a catalog product and a billing plan in PayPal's wire format, then the subscription: our id as custom_id, an approve link", async () => {
    const { ctx } = await integration({ brandName: "Acme Transfers" });
    const req = subscriptionRequest({ amountMinor: 2500, interval: "week", intervalCount: 2 });
    const s = await subs.create(ctx, req);
    expect(s).toMatchObject({ status: "incomplete", providerStatus: "APPROVAL_PENDING", cancelAtPeriodEnd: false, currentPeriodEnd: null });
    expect(s.providerSubscriptionId).toMatch(/^I-[A-Z0-9]{12}$/);
    expect(s.providerPlanId).toMatch(/^P-[A-Z0-9]{24}$/);
    expect(s.paymentUrl).toMatch(new RegExp(`^${sandbox().url}/paypal/webapps/billing/subscriptions\\?ba_token=BA-[A-Z0-9]{17}$`));

    const [product] = await requests((r) => r.method === "POST" && r.path === "/paypal/v1/catalogs/products" && r.body.includes(req.plan));
    const productBody = JSON.parse(product.body);
    expect(productBody).toEqual({ id: expect.stringMatching(/^SWB-[0-9A-F]{32}$/), name: req.plan, type: "SERVICE", description: req.description });
    expect(product.headers["paypal-request-id"]).toBe(`product-${productBody.id.slice(4)}`);

    const [plan] = await requests((r) => r.method === "POST" && r.path === "/paypal/v1/billing/plans" && r.body.includes(productBody.id));
    expect(JSON.parse(plan.body)).toEqual({
      product_id: productBody.id,
      name: req.plan,
      status: "ACTIVE",
      description: `Acme Transfers: ${req.plan}`,
      billing_cycles: [
        {
          frequency: { interval_unit: "WEEK", interval_count: 2 },
          tenure_type: "REGULAR",
          sequence: 1,
          total_cycles: 0,
          pricing_scheme: { fixed_price: { value: "25.00", currency_code: "USD" } },
        },
      ],
      payment_preferences: { auto_bill_outstanding: true, payment_failure_threshold: 3 },
    });
    expect(plan.headers["paypal-request-id"]).toBe(`plan-${productBody.id.slice(4)}`);

    const [sent] = await requests((r) => r.method === "POST" && r.path === "/paypal/v1/billing/subscriptions" && r.body.includes(req.id));
    expect(sent.headers["paypal-request-id"]).toBe(req.idempotencyKey);
    expect(JSON.parse(sent.body)).toEqual({
      plan_id: s.providerPlanId,
      custom_id: req.id,
      subscriber: { email_address: "rider@example.com" },
      application_context: {
        brand_name: "Acme Transfers",
        shipping_preference: "NO_SHIPPING",
        user_action: "SUBSCRIBE_NOW",
        return_url: req.returnUrl,
        cancel_url: req.cancelUrl,
      },
    });

    // retrieve reads it back the same; the approval page shows what the payer agrees to
    expect(await subs.retrieve(ctx, ref(s.providerSubscriptionId))).toMatchObject({ status: "incomplete", providerStatus: "APPROVAL_PENDING", paymentUrl: s.paymentUrl, providerPlanId: s.providerPlanId });
    const html = await (await fetch(s.paymentUrl!)).text();
    expect(html).toContain("Subscribe: 25.00 USD every 2 weeks to Acme Transfers");
    for (const b of ["Agree &amp; Subscribe", "Cancel"]) expect(html).toMatch(new RegExp(`<button[^>]*>${b}</button>`));
  });

  it("reuses the plan: a second subscription to it makes nothing new, a new process finds it at PayPal, another amount makes another", async () => {
    const { ctx, clientId } = await integration();
    const plan = `Team ${randomBytes(3).toString("hex")}`;
    const a = await subs.create(ctx, subscriptionRequest({ plan }));
    const b = await subs.create(ctx, subscriptionRequest({ plan }));
    expect(b.providerPlanId).toBe(a.providerPlanId);
    forgetPlans(); // as a new process: nothing known but what PayPal has
    const c = await subs.create(ctx, subscriptionRequest({ plan }));
    expect(c.providerPlanId).toBe(a.providerPlanId);
    const other = await subs.create(ctx, subscriptionRequest({ plan, amountMinor: 1600 }));
    expect(other.providerPlanId).not.toBe(a.providerPlanId);
    const cat = await catalog(clientId);
    expect(cat.products).toHaveLength(2);
    expect(cat.plans).toHaveLength(2);
    expect(cat.subscriptions).toHaveLength(4);
    // the found plan was looked up, not made: two plan creations in all
    const planPosts = await requests((r) => r.method === "POST" && r.path === "/paypal/v1/billing/plans" && cat.products.some((p) => r.body.includes(p.id)));
    expect(planPosts).toHaveLength(2);
  });

  it("two creations of a new plan at the same moment make one product and one plan (PayPal-Request-Id from the plan's key)", async () => {
    const { ctx, clientId } = await integration();
    const plan = `Racing ${randomBytes(3).toString("hex")}`;
    const [a, b, c] = await Promise.all([0, 1, 2].map(() => subs.create(ctx, subscriptionRequest({ plan }))));
    expect(new Set([a.providerPlanId, b.providerPlanId, c.providerPlanId]).size).toBe(1);
    const cat = await catalog(clientId);
    expect(cat.products).toHaveLength(1);
    expect(cat.plans).toHaveLength(1);
    expect(cat.subscriptions).toHaveLength(3);
  });

  it("a lost answer (made, then 503) is retried with the same PayPal-Request-Id: one subscription", async () => {
    const { ctx, clientId } = await integration();
    const req = subscriptionRequest();
    await fault({ provider: "paypal", path: "/v1/billing/subscriptions$", method: "POST", status: 503, after: true });
    const s = await subs.create(ctx, req);
    const posts = await requests((r) => r.method === "POST" && r.path === "/paypal/v1/billing/subscriptions" && r.body.includes(req.id));
    expect(posts.map((p) => p.headers["paypal-request-id"])).toEqual([req.idempotencyKey, req.idempotencyKey]);
    expect((await subs.create(ctx, req)).providerSubscriptionId).toBe(s.providerSubscriptionId);
    expect((await catalog(clientId)).subscriptions.map((x) => x.id)).toEqual([s.providerSubscriptionId]);
  });

  it("bad input is refused before PayPal is called: an interval count PayPal does not take, HUF with fillér; no PayPal id", async () => {
    const { ctx, clientId } = await integration();
    const tooOften = await payError(subs.create(ctx, subscriptionRequest({ interval: "month", intervalCount: 13 })));
    expect(tooOften).toMatchObject({ retryable: false, opts: { code: "intervalCount" } });
    expect(tooOften.message).toBe("PayPal bills every 1 to 12 months: 13 cannot be sent");
    expect(await payError(subs.create(ctx, subscriptionRequest({ interval: "year", intervalCount: 2 })))).toMatchObject({ opts: { code: "intervalCount" } });
    expect(await payError(subs.create(ctx, subscriptionRequest({ amountMinor: 150050, currency: "HUF" })))).toMatchObject({ retryable: false, opts: { code: "DECIMALS_NOT_SUPPORTED" } });
    expect(await catalog(clientId)).toMatchObject({ products: [], plans: [], subscriptions: [] });
    for (const call of [subs.retrieve(ctx, ref(null)), subs.cancel(ctx, ref(null), { atPeriodEnd: false }), subs.resume!(ctx, ref(null)), subs.suspend!(ctx, ref(null))]) {
      expect(await payError(call)).toMatchObject({ retryable: false, opts: { code: "no_provider_id" } });
    }
    // an unknown subscription: PayPal's 404, not retryable
    expect(await payError(subs.retrieve(ctx, ref("I-000000000000")))).toMatchObject({ retryable: false, opts: { status: 404 } });
  });

  it("the sandbox refuses what PayPal would (a trial cycle, a product id with PayPal's prefix, an interval count too large), naming the field", async () => {
    const { ctx } = await integration();
    await subs.create(ctx, subscriptionRequest()); // a token
    const [tokenReq] = await requests((r) => r.method === "POST" && r.path === "/paypal/v1/billing/subscriptions");
    const auth = tokenReq.headers.authorization;
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${sandbox().url}/paypal${path}`, { method: "POST", headers: { authorization: auth, "content-type": "application/json" }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as { details?: { field?: string; issue: string }[] } };
    };
    const prefixed = await post("/v1/catalogs/products", { id: "PROD-MINE1", name: "x", type: "SERVICE" });
    expect(prefixed).toMatchObject({ status: 400, body: { details: [{ field: "/id", issue: "INVALID_PARAMETER_SYNTAX" }] } });
    await post("/v1/catalogs/products", { id: "MINE-123456", name: "x", type: "SERVICE" });
    const cycle = { frequency: { interval_unit: "MONTH", interval_count: 1 }, tenure_type: "REGULAR", sequence: 1, total_cycles: 0, pricing_scheme: { fixed_price: { value: "1.00", currency_code: "USD" } } };
    const trial = await post("/v1/billing/plans", { product_id: "MINE-123456", name: "p", billing_cycles: [{ ...cycle, tenure_type: "TRIAL" }, { ...cycle, sequence: 2 }] });
    expect(trial).toMatchObject({ status: 400, body: { details: [{ field: "/billing_cycles" }] } });
    const often = await post("/v1/billing/plans", { product_id: "MINE-123456", name: "p", billing_cycles: [{ ...cycle, frequency: { interval_unit: "MONTH", interval_count: 13 } }] });
    expect(often).toMatchObject({ status: 400, body: { details: [{ field: "/billing_cycles/0/frequency/interval_count", issue: "INVALID_INTEGER_MAX_VALUE" }] } });
    const unknownPlan = await post("/v1/billing/subscriptions", { plan_id: "P-NOPE" });
    expect(unknownPlan).toMatchObject({ status: 400, body: { details: [{ field: "/plan_id" }] } });
  });
});

describe("paypal subscriptions: the payer's approval and PayPal's billing", () => {
  it("approval in the browser → back to the return URL; ACTIVATED (before the first payment: still incomplete), then the first period's sale → active with its period and a succeeded charge", async () => {
    const { row, ctx } = await integration();
    const req = subscriptionRequest({ amountMinor: 990 });
    const s = await subs.create(ctx, req);
    const res = await fetch(s.paymentUrl!, { method: "POST", body: new URLSearchParams({ outcome: "approve" }), redirect: "manual" });
    expect(res.status).toBe(303);
    const back = new URL(res.headers.get("location")!);
    expect(`${back.origin}${back.pathname}`).toBe(req.returnUrl);
    expect(back.searchParams.get("subscription_id")).toBe(s.providerSubscriptionId);
    expect(back.searchParams.get("ba_token")).toMatch(/^BA-/);

    const now = await subs.retrieve(ctx, ref(s.providerSubscriptionId));
    expect(now).toMatchObject({ status: "active", providerStatus: "ACTIVE", paymentUrl: null, providerCustomerId: expect.stringMatching(/^[A-Z0-9]{13}$/) });
    const start = Date.parse(now.currentPeriodStart!);
    const end = new Date(start);
    end.setUTCMonth(end.getUTCMonth() + 1);
    expect(Date.parse(now.currentPeriodEnd!)).toBe(end.getTime());

    const [created] = await eventsOf(row.id, "BILLING.SUBSCRIPTION.CREATED");
    expect(await update(created.id)).toMatchObject({ subscriptionId: req.id, providerSubscriptionId: s.providerSubscriptionId, status: "incomplete", providerStatus: "APPROVAL_PENDING" });
    const [activated] = await eventsOf(row.id, "BILLING.SUBSCRIPTION.ACTIVATED");
    expect(activated).toMatchObject({ signatureVerified: true, externalId: expect.stringMatching(/^WH-/) });
    // PayPal activates it on approval and bills the first period just after: ours is active once that is paid
    const activatedUpdate = await update(activated.id);
    expect(activatedUpdate).toMatchObject({ subscriptionId: req.id, providerSubscriptionId: s.providerSubscriptionId, status: "incomplete", providerStatus: "ACTIVE", eventId: activated.externalId });
    expect(activatedUpdate.currentPeriodEnd).toBeUndefined();
    expect((activated.payload as { resource: PpSubscription }).resource.billing_info).toMatchObject({ failed_payments_count: 0 });
    expect((activated.payload as { resource: PpSubscription }).resource.billing_info?.last_payment).toBeUndefined();
    const [sale] = await eventsOf(row.id, "PAYMENT.SALE.COMPLETED");
    const paid = await update(sale.id);
    expect(paid).toMatchObject({
      subscriptionId: req.id,
      providerSubscriptionId: s.providerSubscriptionId,
      status: "active",
      currentPeriodStart: now.currentPeriodStart,
      currentPeriodEnd: now.currentPeriodEnd,
      eventId: sale.externalId,
      charge: { providerPaymentId: expect.stringMatching(/^[A-Z0-9]{17}$/), amountMinor: 990, currency: "USD", status: "succeeded", error: null },
    });
    expect((sale.payload as { resource: { billing_agreement_id: string } }).resource.billing_agreement_id).toBe(s.providerSubscriptionId);
    // the sale names the subscription only: the handler read the subscription for its status
    expect(await requests((r) => r.method === "GET" && r.path === `/paypal/v1/billing/subscriptions/${s.providerSubscriptionId}`)).not.toHaveLength(0);
  });

  it("the payer cancels on PayPal's page: back to the cancel URL, still incomplete, no event", async () => {
    const { row, ctx } = await integration();
    const req = subscriptionRequest();
    const s = await subs.create(ctx, req);
    const res = await fetch(s.paymentUrl!, { method: "POST", body: new URLSearchParams({ outcome: "cancel" }), redirect: "manual" });
    expect(new URL(res.headers.get("location")!).pathname).toBe("/not-subscribed");
    expect(await subs.retrieve(ctx, ref(s.providerSubscriptionId))).toMatchObject({ status: "incomplete", paymentUrl: s.paymentUrl });
    await eventsOf(row.id, "BILLING.SUBSCRIPTION.CREATED");
    // canceling one the payer never approved: PayPal refuses (422 SUBSCRIPTION_STATUS_INVALID): answered as it is
    expect(await subs.cancel(ctx, ref(s.providerSubscriptionId), { atPeriodEnd: false })).toMatchObject({ status: "incomplete", providerStatus: "APPROVAL_PENDING" });
  });

  it("a renewal: PayPal bills the next period → a new sale, the period moves on", async () => {
    const { row, ctx, id } = await activeSubscription({ amountMinor: 1200, interval: "year" });
    const before = await subs.retrieve(ctx, ref(id));
    expect((await control(`/__subscriptions/${id}/cycle`, { outcome: "paid" })).status).toBe(200);
    const after = await subs.retrieve(ctx, ref(id));
    expect(after.status).toBe("active");
    const next = new Date(before.currentPeriodEnd!);
    next.setUTCFullYear(next.getUTCFullYear() + 1);
    expect(after.currentPeriodEnd).toBe(next.toISOString().replace(/\.\d{3}Z$/, "Z"));

    const sales = await eventsOf(row.id, "PAYMENT.SALE.COMPLETED", 2);
    const [first, second] = [await update(sales[0].id), await update(sales[1].id)];
    expect(second.charge).toMatchObject({ amountMinor: 1200, status: "succeeded" });
    expect(second.charge!.providerPaymentId).not.toBe(first.charge!.providerPaymentId);
    expect(second).toMatchObject({ status: "active", currentPeriodEnd: after.currentPeriodEnd });
  });

  it("failed renewals: PAYMENT.FAILED → past_due with a failed charge; a paid retry → active; the third failure in a row suspends it (past_due) and PayPal will not let us reactivate it", async () => {
    const { row, ctx, id } = await activeSubscription({ amountMinor: 700 });
    const periodEnd = (await subs.retrieve(ctx, ref(id))).currentPeriodEnd;

    await control(`/__subscriptions/${id}/cycle`, { outcome: "failed" });
    expect(await subs.retrieve(ctx, ref(id))).toMatchObject({ status: "past_due", providerStatus: "ACTIVE", currentPeriodEnd: periodEnd });
    const [failed] = await eventsOf(row.id, "BILLING.SUBSCRIPTION.PAYMENT.FAILED");
    const u = await update(failed.id);
    expect(u).toMatchObject({ status: "past_due", providerStatus: "ACTIVE", charge: { status: "failed", amountMinor: 700, currency: "USD" } });
    expect(u.charge!.providerPaymentId).toMatch(new RegExp(`^${id}:failed:\\d{4}-`));
    expect(u.charge!.error).toMatch(/^PayPal could not take the payment \(PAYMENT_DENIED\); it retries at /);
    // the same failure delivered again maps to the same charge id (recorded once)
    const again = await def.webhook!.handle!({ ...(failed as unknown as StoredWebhook), payload: failed.payload }, buildContext(row));
    expect((again.events![0].data as SubscriptionUpdate).charge!.providerPaymentId).toBe(u.charge!.providerPaymentId);

    // PayPal's retry succeeds: active again, failures forgiven
    await control(`/__subscriptions/${id}/cycle`, { outcome: "paid" });
    expect(await subs.retrieve(ctx, ref(id))).toMatchObject({ status: "active" });

    for (let i = 0; i < 3; i++) await control(`/__subscriptions/${id}/cycle`, { outcome: "failed" });
    expect(await subs.retrieve(ctx, ref(id))).toMatchObject({ status: "past_due", providerStatus: "SUSPENDED", cancelAtPeriodEnd: false });
    const [suspended] = await eventsOf(row.id, "BILLING.SUBSCRIPTION.SUSPENDED");
    expect(await update(suspended.id)).toMatchObject({ status: "past_due", providerStatus: "SUSPENDED" });
    expect(await eventsOf(row.id, "BILLING.SUBSCRIPTION.PAYMENT.FAILED", 4)).toHaveLength(4);
    // a suspended one is not billed
    expect((await control(`/__subscriptions/${id}/cycle`, { outcome: "paid" })).status).toBe(409);
    const refused = await payError(subs.resume!(ctx, ref(id)));
    expect(refused).toMatchObject({ retryable: false, opts: { code: "SUBSCRIPTION_CANNOT_BE_ACTIVATED", status: 422 } });
    // it can still be canceled
    expect(await subs.cancel(ctx, ref(id), { atPeriodEnd: false })).toMatchObject({ status: "canceled", providerStatus: "CANCELLED" });
  });
});

describe("paypal subscriptions: a renewal's event lost on the way", () => {
  it("the sale's webhook is dropped: nothing is stored; PayPal's resend (same event id) delivers it, its charge once", async () => {
    const { row, ctx, id } = await activeSubscription({ amountMinor: 1300 });
    await eventsOf(row.id, "PAYMENT.SALE.COMPLETED"); // the first period's
    expect((await control("/__drop-webhooks", { eventType: "PAYMENT.SALE.COMPLETED" })).status).toBe(204);
    await control(`/__subscriptions/${id}/cycle`, { outcome: "paid" });
    const lost = await waitFor(async () => {
      const d = (await (await fetch(`${sandbox().url}/paypal/__deliveries`)).json()) as { items: { eventId: string; eventType: string; dropped?: boolean; resourceId?: string }[] };
      return d.items.find((x) => x.dropped && x.eventType === "PAYMENT.SALE.COMPLETED");
    }, 10_000, "the dropped sale event");
    const resend = () => ppCall(ctx as PayPalContext, "paypal.webhooks.resend", { method: "POST", path: `/v1/notifications/webhooks-events/${lost.eventId}/resend`, body: {}, safe: true });
    await resend();
    const sales = await eventsOf(row.id, "PAYMENT.SALE.COMPLETED", 2);
    expect(sales[1].externalId).toBe(lost.eventId);
    const u = await update(sales[1].id);
    expect(u).toMatchObject({ providerSubscriptionId: id, status: "active", eventId: lost.eventId, charge: { providerPaymentId: lost.resourceId, amountMinor: 1300, status: "succeeded" } });
    // resent again: the same event id, kept once
    await resend();
    await expectNothingMore(async () => expect(await db.webhookEvent.count({ where: { integrationId: row.id, externalId: lost.eventId } })).toBe(1), { probes: [sandboxProbe] });
  });
});

describe("paypal subscriptions: cancel, suspend, resume", () => {
  it("cancel now: CANCELLED at PayPal (final), BILLING.SUBSCRIPTION.CANCELLED → canceled; a second cancel answers it as it is", async () => {
    const { row, ctx, id } = await activeSubscription();
    const c = await subs.cancel(ctx, ref(id), { atPeriodEnd: false });
    expect(c).toMatchObject({ status: "canceled", providerStatus: "CANCELLED", canceledAt: expect.stringMatching(/^\d{4}-/), cancelAtPeriodEnd: false });
    const [sent] = await requests((r) => r.method === "POST" && r.path === `/paypal/v1/billing/subscriptions/${id}/cancel`);
    expect(JSON.parse(sent.body)).toEqual({ reason: "Canceled in Switchboard" });
    expect(sent.headers["paypal-request-id"]).toBe(`cancel-${id}`);
    expect(await subs.cancel(ctx, ref(id), { atPeriodEnd: false })).toMatchObject({ status: "canceled" });
    const [ev] = await eventsOf(row.id, "BILLING.SUBSCRIPTION.CANCELLED");
    expect(await update(ev.id)).toMatchObject({ status: "canceled", providerStatus: "CANCELLED", canceledAt: c.canceledAt });
    expect(await payError(subs.resume!(ctx, ref(id)))).toMatchObject({ retryable: false, opts: { code: "SUBSCRIPTION_STATUS_INVALID" } });
  });

  it("cancel at period end: suspended at PayPal (no further charge) with the period's end as the reason → active, flagged; resume undoes it", async () => {
    const { row, ctx, id } = await activeSubscription();
    const before = await subs.retrieve(ctx, ref(id));
    const c = await subs.cancel(ctx, ref(id), { atPeriodEnd: true });
    expect(c).toMatchObject({ status: "active", providerStatus: "SUSPENDED", cancelAtPeriodEnd: true, currentPeriodEnd: before.currentPeriodEnd, canceledAt: null });
    const [sent] = await requests((r) => r.method === "POST" && r.path === `/paypal/v1/billing/subscriptions/${id}/suspend`);
    expect(JSON.parse(sent.body)).toEqual({ reason: `${CANCEL_AT_PERIOD_END_NOTE} ${before.currentPeriodEnd}` });
    // asked again: as it is, nothing sent
    expect(await subs.cancel(ctx, ref(id), { atPeriodEnd: true })).toMatchObject({ cancelAtPeriodEnd: true });
    expect(await requests((r) => r.method === "POST" && r.path === `/paypal/v1/billing/subscriptions/${id}/suspend`)).toHaveLength(1);
    const [ev] = await eventsOf(row.id, "BILLING.SUBSCRIPTION.SUSPENDED");
    expect(await update(ev.id)).toMatchObject({ status: "active", cancelAtPeriodEnd: true, currentPeriodEnd: before.currentPeriodEnd });

    // once the period has ended it reads as canceled (then lib/payments cancels it at PayPal)
    const suspendedSub = { id, status: "SUSPENDED", status_change_note: `${CANCEL_AT_PERIOD_END_NOTE} ${before.currentPeriodEnd}`, billing_info: { failed_payments_count: 0 } };
    expect(mapSubscription(suspendedSub, Date.parse(before.currentPeriodEnd!) + 1)).toMatchObject({ status: "canceled", cancelAtPeriodEnd: false, canceledAt: before.currentPeriodEnd });
    expect(mapSubscription(suspendedSub, Date.parse(before.currentPeriodEnd!) - 1)).toMatchObject({ status: "active", cancelAtPeriodEnd: true });

    const r = await subs.resume!(ctx, ref(id));
    expect(r).toMatchObject({ status: "active", providerStatus: "ACTIVE", cancelAtPeriodEnd: false, currentPeriodEnd: before.currentPeriodEnd });
    const [activate] = await requests((x) => x.method === "POST" && x.path === `/paypal/v1/billing/subscriptions/${id}/activate`);
    expect(JSON.parse(activate.body)).toEqual({ reason: "Resumed in Switchboard" });
    const activated = await eventsOf(row.id, "BILLING.SUBSCRIPTION.ACTIVATED", 2);
    expect(await update(activated[1].id)).toMatchObject({ status: "active", cancelAtPeriodEnd: false });
    // resuming an active one changes nothing
    expect(await subs.resume!(ctx, ref(id))).toMatchObject({ status: "active" });
    expect(await requests((x) => x.method === "POST" && x.path === `/paypal/v1/billing/subscriptions/${id}/activate`)).toHaveLength(1);
  });

  it("a cancel at period end of one PayPal suspended after failed payments is refused: there is no paid period to run out", async () => {
    const { ctx, id } = await activeSubscription();
    for (let i = 0; i < 3; i++) await control(`/__subscriptions/${id}/cycle`, { outcome: "failed" });
    const e = await payError(subs.cancel(ctx, ref(id), { atPeriodEnd: true }));
    expect(e).toMatchObject({ retryable: false, opts: { code: "SUBSCRIPTION_STATUS_INVALID" } });
    expect(e.message).toMatch(/cancel it now instead$/);
  });

  it("suspend is a pause: SUSPENDED with no failed payment stays active (providerStatus SUSPENDED), nothing billed; resume activates it", async () => {
    const { row, ctx, id } = await activeSubscription();
    const p = await subs.suspend!(ctx, ref(id));
    expect(p).toMatchObject({ status: "active", providerStatus: "SUSPENDED", cancelAtPeriodEnd: false });
    expect(await subs.suspend!(ctx, ref(id))).toMatchObject({ providerStatus: "SUSPENDED" }); // again: as it is
    expect(await requests((r) => r.method === "POST" && r.path === `/paypal/v1/billing/subscriptions/${id}/suspend`)).toHaveLength(1);
    expect((await control(`/__subscriptions/${id}/cycle`, { outcome: "paid" })).status).toBe(409);
    const [ev] = await eventsOf(row.id, "BILLING.SUBSCRIPTION.SUSPENDED");
    expect(await update(ev.id)).toMatchObject({ status: "active", providerStatus: "SUSPENDED", cancelAtPeriodEnd: false });
    expect(await subs.resume!(ctx, ref(id))).toMatchObject({ status: "active", providerStatus: "ACTIVE" });
    // paused and resumed again at once: each is its own request, never a replay of the first
    expect(await subs.suspend!(ctx, ref(id))).toMatchObject({ providerStatus: "SUSPENDED" });
    expect(await subs.resume!(ctx, ref(id))).toMatchObject({ providerStatus: "ACTIVE" });
    // and a cancel at period end after a resume is suspended again too
    expect(await subs.cancel(ctx, ref(id), { atPeriodEnd: true })).toMatchObject({ providerStatus: "SUSPENDED", cancelAtPeriodEnd: true });
    expect(await subs.resume!(ctx, ref(id))).toMatchObject({ providerStatus: "ACTIVE", cancelAtPeriodEnd: false });
    expect(await requests((r) => r.method === "POST" && r.path === `/paypal/v1/billing/subscriptions/${id}/activate`)).toHaveLength(3);
  });
});

describe("paypal subscriptions: webhook mapping", () => {
  const event = (type: string, resource: unknown, id = `WH-${randomBytes(8).toString("hex").toUpperCase()}`): StoredWebhook => ({
    id: randomUUID(),
    type,
    externalId: id,
    payload: { id, event_type: type, create_time: "2026-12-07T10:00:00Z", resource_type: "subscription", resource },
    headers: {},
    attempt: 1,
    receivedAt: new Date(),
  });
  const sub = (over: Partial<PpSubscription> = {}): PpSubscription => ({
    id: "I-ABCDEFGHIJKL",
    status: "ACTIVE",
    plan_id: "P-PLAN",
    custom_id: "our-sub",
    status_update_time: "2026-12-07T09:00:00Z",
    subscriber: { email_address: "rider@example.com", payer_id: "PAYER12345678" },
    billing_info: { last_payment: { amount: { currency_code: "EUR", value: "9.50" }, time: "2026-12-01T00:00:00Z" }, next_billing_time: "2027-01-01T00:00:00Z", failed_payments_count: 0 },
    ...over,
  });

  it("every BILLING.SUBSCRIPTION.* event → subscription.updated with our id, PayPal's, the status, the period and the signed envelope's event id", async () => {
    const cases: [string, Partial<PpSubscription>, Partial<SubscriptionUpdate>][] = [
      ["BILLING.SUBSCRIPTION.CREATED", { status: "APPROVAL_PENDING", billing_info: undefined }, { status: "incomplete", providerStatus: "APPROVAL_PENDING" }],
      ["BILLING.SUBSCRIPTION.ACTIVATED", {}, { status: "active", currentPeriodStart: "2026-12-01T00:00:00Z", currentPeriodEnd: "2027-01-01T00:00:00Z", providerCustomerId: "PAYER12345678" }],
      // activated, its first period not paid yet (PayPal bills it just after)
      ["BILLING.SUBSCRIPTION.ACTIVATED", { billing_info: { failed_payments_count: 0, next_billing_time: "2026-12-07T10:00:00Z" } }, { status: "incomplete", providerStatus: "ACTIVE" }],
      // its first payment failed: still incomplete (never paid), not past_due
      ["BILLING.SUBSCRIPTION.UPDATED", { billing_info: { failed_payments_count: 1 } }, { status: "incomplete", providerStatus: "ACTIVE" }],
      ["BILLING.SUBSCRIPTION.RE-ACTIVATED", {}, { status: "active", providerStatus: "ACTIVE" }],
      ["BILLING.SUBSCRIPTION.UPDATED", {}, { status: "active", providerStatus: "ACTIVE" }],
      ["BILLING.SUBSCRIPTION.SUSPENDED", { status: "SUSPENDED", billing_info: { failed_payments_count: 3 } }, { status: "past_due", providerStatus: "SUSPENDED" }],
      ["BILLING.SUBSCRIPTION.SUSPENDED", { status: "SUSPENDED", status_change_note: "Paused by the merchant", billing_info: { failed_payments_count: 0 } }, { status: "active", providerStatus: "SUSPENDED", cancelAtPeriodEnd: false }],
      ["BILLING.SUBSCRIPTION.CANCELLED", { status: "CANCELLED", status_update_time: "2026-12-07T09:30:00Z" }, { status: "canceled", canceledAt: "2026-12-07T09:30:00Z" }],
      ["BILLING.SUBSCRIPTION.EXPIRED", { status: "EXPIRED", status_update_time: "2026-12-07T09:40:00Z" }, { status: "canceled", providerStatus: "EXPIRED", canceledAt: "2026-12-07T09:40:00Z" }],
    ];
    for (const [type, over, want] of cases) {
      const ev = event(type, sub(over));
      const r = await def.webhook!.handle!(ev, {} as never);
      expect(r.outcome).toBe("completed");
      expect(r.events).toEqual([
        { type: "subscription.updated", data: expect.objectContaining({ subscriptionId: "our-sub", providerSubscriptionId: "I-ABCDEFGHIJKL", eventId: ev.externalId, occurredAt: "2026-12-07T10:00:00Z", ...want }) },
      ]);
      expect((r.events![0].data as SubscriptionUpdate).charge).toBeUndefined();
    }
  });

  it("BILLING.SUBSCRIPTION.PAYMENT.FAILED → past_due with a failed charge named by the failure's time; without last_failed_payment no charge", async () => {
    const lastPayment = { amount: { currency_code: "JPY", value: "1500" }, time: "2026-11-07T08:00:00Z" };
    const failed = sub({ billing_info: { last_payment: lastPayment, failed_payments_count: 1, next_billing_time: "2027-01-01T00:00:00Z", last_failed_payment: { amount: { currency_code: "JPY", value: "1500" }, time: "2026-12-07T08:00:00Z", reason_code: "PAYER_CANNOT_PAY" } } });
    const r = await def.webhook!.handle!(event("BILLING.SUBSCRIPTION.PAYMENT.FAILED", failed), {} as never);
    expect(r.events![0].data).toMatchObject({
      status: "past_due",
      charge: { providerPaymentId: "I-ABCDEFGHIJKL:failed:2026-12-07T08:00:00Z", amountMinor: 1500, currency: "JPY", status: "failed", error: "PayPal could not take the payment (PAYER_CANNOT_PAY)" },
    });
    const bare = await def.webhook!.handle!(event("BILLING.SUBSCRIPTION.PAYMENT.FAILED", sub({ billing_info: { last_payment: lastPayment, failed_payments_count: 1 } })), {} as never);
    expect(bare.events![0].data).toMatchObject({ status: "past_due" });
    expect((bare.events![0].data as SubscriptionUpdate).charge).toBeUndefined();
  });

  it("PAYMENT.SALE.COMPLETED / DENIED of a subscription → its status read from PayPal with the charge; a sale of no subscription is ignored; a body PayPal would not send fails for good", async () => {
    const { ctx, id, req } = await activeSubscription({ amountMinor: 4200, currency: "EUR" });
    const sale = (state: string) => ({ id: `SALE${randomBytes(6).toString("hex").toUpperCase()}`, state, amount: { total: "42.00", currency: "EUR" }, billing_agreement_id: id, create_time: "2026-12-07T10:00:00Z" });
    const completed = sale("completed");
    const ok = await def.webhook!.handle!(event("PAYMENT.SALE.COMPLETED", completed), ctx);
    expect(ok.events![0]).toEqual({
      type: "subscription.updated",
      data: expect.objectContaining({
        subscriptionId: req.id,
        providerSubscriptionId: id,
        status: "active",
        charge: { providerPaymentId: completed.id, amountMinor: 4200, currency: "EUR", status: "succeeded", error: null, periodStart: "2026-12-07T10:00:00Z" },
      }),
    });
    const denied = sale("denied");
    const no = await def.webhook!.handle!(event("PAYMENT.SALE.DENIED", denied), ctx);
    expect(no.events![0].data).toMatchObject({ providerSubscriptionId: id, charge: { providerPaymentId: denied.id, status: "failed", error: "PayPal denied the payment" } });

    const oneOff = await def.webhook!.handle!(event("PAYMENT.SALE.COMPLETED", { ...completed, billing_agreement_id: undefined }), ctx);
    expect(oneOff.outcome).toBe("ignored");
    await expect(def.webhook!.handle!(event("PAYMENT.SALE.COMPLETED", { billing_agreement_id: id }), ctx)).rejects.toBeInstanceOf(PermanentWebhookError);
    await expect(def.webhook!.handle!(event("BILLING.SUBSCRIPTION.ACTIVATED", {}), ctx)).rejects.toBeInstanceOf(PermanentWebhookError);
    await expect(def.webhook!.handle!(event("BILLING.SUBSCRIPTION.UPDATED", sub({ status: "SOMETHING_NEW" })), ctx)).rejects.toBeInstanceOf(PermanentWebhookError);
    // the subscription unknown at PayPal: a 404 is not retried
    await expect(def.webhook!.handle!(event("PAYMENT.SALE.COMPLETED", { ...completed, billing_agreement_id: "I-UNKNOWN00000" }), ctx)).rejects.toBeInstanceOf(PermanentWebhookError);
  });

  it("event names with a hyphen parse; the subscription events are registered with the webhook", async () => {
    const { webhookId } = await integration();
    const parsed = def.webhook!.parse(
      { rawBody: JSON.stringify({ id: "WH-1", event_type: "BILLING.SUBSCRIPTION.RE-ACTIVATED", resource: {} }), headers: new Headers() } as never,
      {} as never,
    );
    expect(parsed).toMatchObject({ type: "BILLING.SUBSCRIPTION.RE-ACTIVATED", id: "WH-1" });
    const [reg] = await requests((r) => r.method === "POST" && r.path === "/paypal/v1/notifications/webhooks" && r.body.includes(webhookId));
    expect(JSON.parse(reg.body).event_types.map((t: { name: string }) => t.name)).toEqual(
      expect.arrayContaining(["BILLING.SUBSCRIPTION.ACTIVATED", "BILLING.SUBSCRIPTION.CANCELLED", "BILLING.SUBSCRIPTION.SUSPENDED", "BILLING.SUBSCRIPTION.PAYMENT.FAILED", "PAYMENT.SALE.COMPLETED", "PAYMENT.SALE.DENIED"]),
    );
  });
});

describe("paypal subscriptions: any order of actions", () => {
  type Op = "paid" | "failed" | "suspend" | "resume" | "cancelAtEnd" | "cancelNow";
  type Model = { state: "ACTIVE" | "PAUSED" | "FAILED" | "PENDING_CANCEL" | "CANCELLED"; failed: number };
  /** what PayPal does (its reference: failures suspend at the threshold, activate refused after it, cancel final) and what we answer */
  function step(m: Model, op: Op): { next: Model; refused: boolean } {
    const same = { next: m, refused: false };
    const refuse = { next: m, refused: true };
    switch (op) {
      case "paid":
        return m.state === "ACTIVE" ? { next: { ...m, failed: 0 }, refused: false } : same; // only an ACTIVE one is billed
      case "failed":
        if (m.state !== "ACTIVE") return same;
        return { next: { state: m.failed + 1 >= 3 ? "FAILED" : "ACTIVE", failed: m.failed + 1 }, refused: false };
      case "suspend":
        if (m.state === "ACTIVE") return { next: { ...m, state: "PAUSED" }, refused: false };
        return m.state === "CANCELLED" ? refuse : same;
      case "resume":
        if (m.state === "PAUSED" || m.state === "PENDING_CANCEL") return { next: { ...m, state: "ACTIVE" }, refused: false };
        return m.state === "ACTIVE" ? same : refuse;
      case "cancelAtEnd":
        if (m.state === "ACTIVE") return { next: { ...m, state: "PENDING_CANCEL" }, refused: false };
        return m.state === "PENDING_CANCEL" || m.state === "CANCELLED" ? same : refuse;
      case "cancelNow":
        return { next: { ...m, state: "CANCELLED" }, refused: false };
    }
  }
  const expected = (m: Model) =>
    m.state === "CANCELLED"
      ? { status: "canceled", cancelAtPeriodEnd: false }
      : m.state === "PENDING_CANCEL"
        ? { status: "active", cancelAtPeriodEnd: true }
        : { status: m.state === "FAILED" || m.failed > 0 ? "past_due" : "active", cancelAtPeriodEnd: false };
  /** the declared transitions of an active subscription (incomplete is behind it) */
  const allowed = (from: string, to: string) => from === to || (from === "active" && to === "past_due") || (from === "past_due" && to === "active") || (to === "canceled" && from !== "canceled");

  it("renewals paid or failed, pauses, resumes and cancels in any order: the adapter says what PayPal's rules make of them, along the declared transitions only", async () => {
    const { ctx } = await integration();
    const ops = fc.constantFrom<Op>("paid", "failed", "failed", "suspend", "resume", "cancelAtEnd", "cancelNow");
    await fc.assert(
      fc.asyncProperty(fc.array(ops, { minLength: 1, maxLength: 8 }), async (seq) => {
        const created = await subs.create(ctx, subscriptionRequest({ plan: "Property plan" }));
        const id = created.providerSubscriptionId!;
        await control(`/__subscriptions/${id}/approve`, { outcome: "approve" });
        let m: Model = { state: "ACTIVE", failed: 0 };
        let seen = (await subs.retrieve(ctx, ref(id))).status as string;
        expect(seen).toBe("active");
        for (const op of seq) {
          const { next, refused } = step(m, op);
          if (op === "paid" || op === "failed") {
            const res = await control(`/__subscriptions/${id}/cycle`, { outcome: op });
            expect(res.status).toBe(m.state === "ACTIVE" ? 200 : 409);
          } else {
            const call =
              op === "suspend" ? subs.suspend!(ctx, ref(id)) : op === "resume" ? subs.resume!(ctx, ref(id)) : subs.cancel(ctx, ref(id), { atPeriodEnd: op === "cancelAtEnd" });
            if (refused) expect(await payError(call)).toMatchObject({ retryable: false });
            else await call;
          }
          m = next;
          const now = await subs.retrieve(ctx, ref(id));
          expect({ op, status: now.status, cancelAtPeriodEnd: now.cancelAtPeriodEnd }).toEqual({ op, ...expected(m) });
          expect(allowed(seen, now.status), `${seen} → ${now.status} after ${op}`).toBe(true);
          seen = now.status;
        }
      }),
      { numRuns: 15 },
    );
  }, 60_000);
});
