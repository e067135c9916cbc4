// A PayPal subscription end to end through the API (issue 18, item 1): created with
// POST /api/v1/payments/subscriptions (the plan made at PayPal's sandbox), approved by the payer
// on PayPal's page, active once PayPal's first sale arrives, renewed when PayPal bills the next
// period, past_due when a renewal fails and active again when PayPal's retry is paid, a cancel at
// period end undone by resume, then canceled. Real PostgreSQL, real workers and webhook front,
// PayPal's client against its sandbox, webhooks verified through the sandbox's verify endpoint.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { randomBytes } from "node:crypto";
import { createIntegration } from "@/lib/integrations/service";
import { pgPool } from "@/lib/pg";
import { SUBSCRIPTION_EVENT_TYPES } from "@/lib/payments/contract";
import * as list from "@/app/api/v1/payments/subscriptions/route";
import * as one from "@/app/api/v1/payments/subscriptions/[id]/route";
import * as cancel from "@/app/api/v1/payments/subscriptions/[id]/cancel/route";
import * as resume from "@/app/api/v1/payments/subscriptions/[id]/resume/route";
import { call } from "../helpers/http";
import { createKey, sandbox, system } from "../helpers/fixtures";
import { FAST_OUTBOX_ENV, runWorkers } from "../helpers/workers";
import { waitFor } from "../helpers/wait";
import { endElapsedPeriods } from "@/lib/payments/renewals";

// the workers' own renewal loop (which also ends elapsed periods) kept out of the way: the test
// runs that sweep itself, with the clock moved
runWorkers({ webhooks: true, env: { ...FAST_OUTBOX_ENV, SUBSCRIPTION_RENEWAL_SECONDS: "3600" } });

let key: string;
const creds = { clientId: `A${randomBytes(30).toString("base64url")}`, clientSecret: `E${randomBytes(30).toString("base64url")}`, webhookId: `${randomBytes(8).toString("hex").toUpperCase()}WH` };
beforeAll(async () => {
  key = (await createKey(["payments:read", "payments:write"])).key;
  await createIntegration({ provider: "paypal", name: "PayPal subscriptions", mode: "sandbox", credentials: creds }, system);
});

type Charge = { id: string; status: string; providerPaymentId: string | null; amountMinor: number; error: string | null };
type Detail = {
  id: string;
  status: string;
  providerStatus: string | null;
  providerSubscriptionId: string | null;
  providerPlanId: string | null;
  paymentUrl: string | null;
  billing: string;
  currentPeriodStart: string | null;
  currentPeriodEnd: string | null;
  cancelAtPeriodEnd: boolean;
  failedCharges: number;
  charges: Charge[];
};

const get = async (id: string, refresh = false) => {
  const res = await call(one.GET as never, { url: `/api/v1/payments/subscriptions/${id}${refresh ? "?refresh=1" : ""}`, params: { id }, bearer: key });
  expect(res.status, res.text).toBe(200);
  return res.json as Detail;
};
const until = (id: string, what: string, ok: (d: Detail) => boolean) =>
  waitFor(async () => {
    const d = await get(id);
    return ok(d) && d;
  }, 20_000, `subscription ${id}: ${what}`);
const control = (path: string, body: unknown) =>
  fetch(`${sandbox().url}/paypal${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** the subscription's durable events (subscription.activated / renewed / past_due / canceled), oldest first */
async function eventsOf(subscriptionId: string) {
  const r = await pgPool().query<{ type: string; data: Record<string, unknown> }>(
    `select type, payload->'data' as data from domain_events
      where type = any($2::text[]) and payload->'data'->>'subscriptionId' = $1
      order by created_at, id`,
    [subscriptionId, [...SUBSCRIPTION_EVENT_TYPES]],
  );
  return r.rows;
}

describe("a PayPal subscription through the API", () => {
  it("create → approve on PayPal's page → active with the first charge → renewal → failed renewal (past_due) → paid retry → cancel at period end, resumed → canceled", async () => {
    const created = await call(list.POST as never, {
      method: "POST",
      url: "/api/v1/payments/subscriptions",
      bearer: key,
      body: { provider: "paypal", plan: `Dispatch Pro ${randomBytes(3).toString("hex")}`, amountMinor: 1900, currency: "USD", interval: "month", customerEmail: "fleet@example.com", returnUrl: "https://crm.example.test/subscribed", cancelUrl: "https://crm.example.test/back" },
    });
    expect(created.status, created.text).toBe(201);
    const s = created.json as Detail;
    expect(s).toMatchObject({ status: "incomplete", billing: "provider", providerStatus: "APPROVAL_PENDING", providerSubscriptionId: expect.stringMatching(/^I-/), providerPlanId: expect.stringMatching(/^P-/) });
    expect(s.paymentUrl).toMatch(/\/paypal\/webapps\/billing\/subscriptions\?ba_token=BA-/);

    // the payer approves on PayPal's page and comes back
    const res = await fetch(s.paymentUrl!, { method: "POST", body: new URLSearchParams({ outcome: "approve" }), redirect: "manual" });
    expect(res.status).toBe(303);
    expect(new URL(res.headers.get("location")!).searchParams.get("subscription_id")).toBe(s.providerSubscriptionId);

    // ACTIVATED, then the first period's sale: active, one paid charge (the payment made with the subscription)
    const active = await until(s.id, "active with its first charge paid", (d) => d.status === "active" && d.charges.some((c) => c.status === "succeeded"));
    expect(active.charges).toHaveLength(1);
    expect(active.charges[0]).toMatchObject({ status: "succeeded", amountMinor: 1900, providerPaymentId: expect.stringMatching(/^[A-Z0-9]{17}$/) });
    expect(active.currentPeriodEnd).not.toBeNull();
    const firstEnd = active.currentPeriodEnd!;
    await waitFor(async () => (await eventsOf(s.id)).length >= 1 && true, 10_000, "subscription.activated");
    const activated = await eventsOf(s.id);
    expect(activated.map((e) => e.type)).toEqual(["subscription.activated"]);
    expect(activated[0].data.paymentId).toBe(active.charges[0].id);

    // PayPal bills the next period
    expect((await control(`/__subscriptions/${s.providerSubscriptionId}/cycle`, { outcome: "paid" })).status).toBe(200);
    // the period moves on to the one the renewal pays for (by PayPal's next_billing_time)
    const renewed = await until(s.id, "renewed, the period moved on", (d) => d.charges.filter((c) => c.status === "succeeded").length === 2 && Date.parse(d.currentPeriodEnd!) > Date.parse(firstEnd));
    expect(renewed).toMatchObject({ status: "active", failedCharges: 0 });
    const next = new Date(firstEnd);
    next.setUTCMonth(next.getUTCMonth() + 1);
    expect(Date.parse(renewed.currentPeriodEnd!)).toBe(next.getTime());

    // the next one fails: past_due, a failed charge; PayPal's retry is paid: active again
    await control(`/__subscriptions/${s.providerSubscriptionId}/cycle`, { outcome: "failed" });
    const pastDue = await until(s.id, "past_due", (d) => d.status === "past_due");
    expect(pastDue.failedCharges).toBe(1);
    expect(pastDue.charges.filter((c) => c.status === "failed")).toEqual([expect.objectContaining({ amountMinor: 1900, error: expect.stringMatching(/PAYMENT_DENIED/) })]);
    await control(`/__subscriptions/${s.providerSubscriptionId}/cycle`, { outcome: "paid" });
    await until(s.id, "active after the paid retry", (d) => d.status === "active" && d.charges.filter((c) => c.status === "succeeded").length === 3);

    // cancel at the end of the period, then resume, then cancel now
    const atEnd = await call(cancel.POST as never, { method: "POST", url: `/api/v1/payments/subscriptions/${s.id}/cancel`, params: { id: s.id }, bearer: key, body: { atPeriodEnd: true } });
    expect(atEnd.status, atEnd.text).toBe(200);
    expect(atEnd.json).toMatchObject({ status: "active", cancelAtPeriodEnd: true, providerStatus: "SUSPENDED" });
    const resumed = await call(resume.POST as never, { method: "POST", url: `/api/v1/payments/subscriptions/${s.id}/resume`, params: { id: s.id }, bearer: key, body: {} });
    expect(resumed.status, resumed.text).toBe(200);
    expect(resumed.json).toMatchObject({ status: "active", cancelAtPeriodEnd: false, providerStatus: "ACTIVE" });
    const now = await call(cancel.POST as never, { method: "POST", url: `/api/v1/payments/subscriptions/${s.id}/cancel`, params: { id: s.id }, bearer: key, body: { atPeriodEnd: false } });
    expect(now.status, now.text).toBe(200);
    expect(now.json).toMatchObject({ status: "canceled", providerStatus: "CANCELLED" });
    // its CANCELLED event arrives later and changes nothing; a status check agrees
    expect(await get(s.id, true)).toMatchObject({ status: "canceled" });

    await waitFor(async () => (await eventsOf(s.id)).some((e) => e.type === "subscription.canceled") && true, 10_000, "subscription.canceled");
    const types = (await eventsOf(s.id)).map((e) => e.type);
    // the first sale is the activation; each later paid period a renewal (the paid retry too), the failure past_due, the end once
    expect(types.filter((t) => t === "subscription.activated")).toHaveLength(1);
    expect(types.filter((t) => t === "subscription.renewed")).toHaveLength(2);
    expect(types.filter((t) => t === "subscription.past_due")).toHaveLength(1);
    expect(types.filter((t) => t === "subscription.canceled")).toHaveLength(1);
  }, 90_000);

  afterEach(() => vi.useRealTimers());

  // PayPal has no cancel at period end and sends nothing when that period ends (our cancel
  // suspends the subscription with the period's end in its note): the workers' sweep asks PayPal
  // once the period is over, and the subscription ends, with its subscription.canceled, by itself
  it("a cancel at period end ends by itself once the period is over", async () => {
    const created = await call(list.POST as never, {
      method: "POST",
      url: "/api/v1/payments/subscriptions",
      bearer: key,
      body: { provider: "paypal", plan: `Dispatch Lite ${randomBytes(3).toString("hex")}`, amountMinor: 900, currency: "USD", interval: "month", customerEmail: "lite@example.com" },
    });
    expect(created.status, created.text).toBe(201);
    const s = created.json as Detail;
    await fetch(s.paymentUrl!, { method: "POST", body: new URLSearchParams({ outcome: "approve" }), redirect: "manual" });
    const active = await until(s.id, "active", (d) => d.status === "active" && d.charges.some((c) => c.status === "succeeded"));
    const atEnd = await call(cancel.POST as never, { method: "POST", url: `/api/v1/payments/subscriptions/${s.id}/cancel`, params: { id: s.id }, bearer: key, body: { atPeriodEnd: true } });
    expect(atEnd.json).toMatchObject({ status: "active", cancelAtPeriodEnd: true });

    // within the period the sweep leaves it alone
    expect(await endElapsedPeriods()).toBe(0);
    expect(await get(s.id)).toMatchObject({ status: "active", cancelAtPeriodEnd: true });

    // the period is over (the clock moved past its end and the grace for the provider's own word)
    vi.useFakeTimers({ toFake: ["Date"], now: Date.parse(active.currentPeriodEnd!) + 3600_000, shouldAdvanceTime: true });
    expect(await endElapsedPeriods()).toBe(1);
    expect(await get(s.id)).toMatchObject({ status: "canceled" });
    await waitFor(async () => (await eventsOf(s.id)).some((e) => e.type === "subscription.canceled") && true, 10_000, "subscription.canceled");
    // once: a second sweep finds nothing to end
    expect(await endElapsedPeriods()).toBe(0);
    expect((await eventsOf(s.id)).filter((e) => e.type === "subscription.canceled")).toHaveLength(1);
  });
});
