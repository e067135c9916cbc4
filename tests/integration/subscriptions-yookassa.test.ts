// YooKassa subscriptions end to end (issue 18): created through the API, the first payment paid
// on the sandbox's checkout (the card saved: save_payment_method), its notification through the
// webhook front and the workers → active with the saved method and the first period; then
// Switchboard's scheduler (lib/payments/renewals.ts) charges each renewal with
// payment_method_id on a fake clock (runRenewals({ now }): no sleeps). A declined renewal
// (the sandbox's saved card made to decline) → past_due → retried on the schedule → active; the
// retries used up → canceled; a run that died after charging → the rerun charges once; and a
// fast-check property: random interleavings of scheduler runs (also two at once), duplicate
// notifications and declines charge each period at most once. Real PostgreSQL, real workers.
import { beforeAll, describe, expect, it } from "vitest";
import { randomBytes, randomUUID } from "node:crypto";
import fc from "fast-check";
import { db } from "@/lib/db";
import { buildContext, createIntegration } from "@/lib/integrations/service";
import { getProvider } from "@/lib/providers/registry";
import { renewalKey, runRenewals } from "@/lib/payments/renewals";
import { applySubscriptionUpdate } from "@/lib/payments/subscriptions";
import { addInterval } from "@/lib/periods";
import type { SubscriptionDetail } from "@/lib/payments/contract";
import type { SubscriptionStatus } from "@/lib/providers/types";
import type { YkPayment } from "@/lib/providers/yookassa/client";
import { subscriptionUpdateOf } from "@/lib/providers/yookassa/webhook";
import * as subscriptions from "@/app/api/v1/payments/subscriptions/route";
import * as one from "@/app/api/v1/payments/subscriptions/[id]/route";
import * as cancel from "@/app/api/v1/payments/subscriptions/[id]/cancel/route";
import { call } from "../helpers/http";
import { createKey, fault, sandbox, system } from "../helpers/fixtures";
import { sandboxRequests } from "../helpers/providers";
import { FAST_OUTBOX_ENV, runWorkers } from "../helpers/workers";
import { waitFor } from "../helpers/wait";
import { sandboxProbe, untilIdle, WORKER_PROBES } from "../helpers/quiet";

// the workers process notifications; their own renewal loop waits an hour, so only the test's runs (on its clock) charge
runWorkers({
  webhooks: true,
  env: { ...FAST_OUTBOX_ENV, YOOKASSA_ALLOWED_IPS: "127.0.0.1", SUBSCRIPTION_RENEWAL_SECONDS: "3600", SUBSCRIPTION_RETRY_SCHEDULE: "1h,1d,3d", PAYMENT_STATUS_CHECK_SECONDS: "3600" },
});

let key: string;
let yk: { id: string; shopId: string };
beforeAll(async () => {
  key = (await createKey(["payments:read", "payments:write"])).key;
  const shopId = String(100000 + Math.floor(Math.random() * 899_999));
  const row = await createIntegration(
    { provider: "yookassa", name: "YooKassa recurring", mode: "sandbox", credentials: { shopId, secretKey: `test_${randomBytes(24).toString("base64url")}` }, config: {} },
    system,
  );
  yk = { id: row.id, shopId };
});

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const get = (id: string) => call<SubscriptionDetail>(one.GET as never, { url: `/api/v1/payments/subscriptions/${id}`, params: { id }, bearer: key });
const row = (id: string) => db.subscription.findUniqueOrThrow({ where: { id } });
const control = async (path: string, body: unknown) => {
  const res = await fetch(`${sandbox().url}/yookassa${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(200);
};
/** the sandbox's payments of one subscription (the first and every renewal charge it made) */
const shopPayments = async (subscriptionId: string) =>
  ((await (await fetch(`${sandbox().url}/yookassa/__payments?shopId=${yk.shopId}`)).json()) as { items: (YkPayment & { metadata: Record<string, string> })[] }).items.filter(
    (p) => p.metadata.switchboard_subscription_id === subscriptionId,
  );
const renewalsAt = async (subscriptionId: string) => (await shopPayments(subscriptionId)).filter((p) => p.metadata.switchboard_charge === "renewal");

const earlier: string[] = [];
/** cancels (through the API) what earlier tests left running, so a run on the fake clock charges only the current test's subscription */
async function retireEarlier() {
  for (const id of earlier.splice(0)) {
    const r = await row(id);
    if (r.status !== "active" && r.status !== "past_due") continue;
    const res = await call(cancel.POST as never, { method: "POST", url: `/api/v1/payments/subscriptions/${id}/cancel`, params: { id }, bearer: key, body: { atPeriodEnd: false } });
    expect(res.status, res.text).toBe(200);
  }
}

/** a subscription created through the API and paid on the sandbox's checkout: active, its card saved */
async function paidSubscription(amountMinor = 49900) {
  await retireEarlier();
  const res = await call(subscriptions.POST as never, {
    method: "POST",
    url: "/api/v1/payments/subscriptions",
    bearer: key,
    body: { provider: "yookassa", plan: "Dispatch Pro", amountMinor, currency: "RUB", interval: "month", customerEmail: "fleet@example.com" },
  });
  expect(res.status, res.text).toBe(201);
  const created = res.json as SubscriptionDetail & { paymentUrl: string };
  expect(created).toMatchObject({ status: "incomplete", provider: "yookassa", billing: "merchant" });
  expect(created.paymentUrl).toMatch(/\/yookassa\/checkout\//);
  const html = await (await fetch(created.paymentUrl)).text();
  expect(html).toMatch(/saved for recurring payments/);
  const paid = await fetch(created.paymentUrl, { method: "POST", body: new URLSearchParams({ outcome: "pay" }), redirect: "manual" });
  expect(paid.status).toBe(303);
  const s = await waitFor(async () => {
    const r = await row(created.id);
    return r.status === "active" && r.currentPeriodEnd ? r : null;
  }, 20_000, "the subscription to be active with its first period");
  earlier.push(s.id);
  return s;
}

/** the subscription's charges as the API shows them, oldest first */
const charges = async (id: string) => {
  const d = await get(id);
  expect(d.status).toBe(200);
  return [...d.json.charges].reverse();
};

/** every notification the sandbox sent about the subscription's payments was answered, and the workers are idle (processed) */
async function settledNotifications(subscriptionId: string) {
  const ids = (await shopPayments(subscriptionId)).map((p) => p.id);
  await waitFor(async () => {
    const sent = ((await (await fetch(`${sandbox().url}/yookassa/__notifications`)).json()) as { items: { objectId: string; ok: boolean }[] }).items;
    return ids.every((id) => sent.some((d) => d.objectId === id && d.ok));
  }, 20_000, "the sandbox's notifications to be delivered");
  await untilIdle({ probes: [...WORKER_PROBES, sandboxProbe] });
}

describe("YooKassa subscriptions: the first payment saves the card", () => {
  it("created through the API, paid on the checkout: active, the saved method, the first period from the capture, the first charge linked", async () => {
    const s = await paidSubscription();
    const [first] = await shopPayments(s.id);
    expect(first.payment_method).toMatchObject({ saved: true, id: s.paymentMethodId });
    expect(s.providerSubscriptionId).toBe(first.id);
    expect(s.currentPeriodStart!.toISOString()).toBe(new Date(first.captured_at!).toISOString());
    expect(s.currentPeriodEnd!.toISOString()).toBe(addInterval(new Date(first.captured_at!), "month").toISOString());
    const c = await charges(s.id);
    expect(c.map((x) => [x.status, x.providerPaymentId, x.amountMinor])).toEqual([["succeeded", first.id, 49900]]);
    // nothing is due before the period ends
    expect(await runRenewals({ now: new Date(s.currentPeriodEnd!.getTime() - 1000) })).toMatchObject({ charged: 0 });
    expect(await renewalsAt(s.id)).toEqual([]);
  });
});

describe("YooKassa subscriptions: Switchboard's scheduler", () => {
  it("charges the renewal on the due date with the saved method: the period advances from the old end, the charge is a linked payment", async () => {
    const s = await paidSubscription();
    const due = s.currentPeriodEnd!;
    const run = await runRenewals({ now: new Date(due.getTime() + 1000) });
    expect(run.charged).toBeGreaterThanOrEqual(1);
    const after = await row(s.id);
    expect(after).toMatchObject({ status: "active", failedCharges: 0 });
    expect(after.currentPeriodStart!.toISOString()).toBe(due.toISOString());
    expect(after.currentPeriodEnd!.toISOString()).toBe(addInterval(due, "month").toISOString());
    const [renewal] = await renewalsAt(s.id);
    expect(renewal).toMatchObject({ status: "succeeded", payment_method: { id: s.paymentMethodId, saved: true } });
    expect(renewal.metadata.switchboard_period).toBe(`${due.toISOString()}/${after.currentPeriodEnd!.toISOString()}`);
    // its payment.succeeded says who charged it: the renewal scheduler, not the API
    const paid = await db.payment.findFirstOrThrow({ where: { subscriptionId: s.id, providerPaymentId: renewal.id } });
    const ev = await db.$queryRaw<{ source: string }[]>`select payload->'data'->>'source' as source from domain_events where type = 'payment.succeeded' and payload->'data'->>'paymentId' = ${paid.id}`;
    expect(ev.map((e) => e.source)).toEqual(["schedule"]);
    // its notification (processed by the workers) changes nothing more: one renewal payment
    await settledNotifications(s.id);
    const c = await charges(s.id);
    expect(c.map((x) => [x.status, x.providerPaymentId])).toEqual([
      ["succeeded", s.providerSubscriptionId],
      ["succeeded", renewal.id],
    ]);
    expect((await row(s.id)).currentPeriodEnd!.toISOString()).toBe(after.currentPeriodEnd!.toISOString());
    // a second run at the same moment finds nothing due
    expect(await runRenewals({ now: new Date(due.getTime() + 2000) })).toMatchObject({ charged: 0, failed: 0 });
    expect(await renewalsAt(s.id)).toHaveLength(1);
  });

  it("a declined renewal: past_due at once, retried after 1h (not before), then paid → active; the period counts from the due date", async () => {
    const s = await paidSubscription();
    const due = s.currentPeriodEnd!;
    await control(`/__cards/${s.paymentMethodId}`, { decline: "insufficient_funds", times: 1 });
    const t0 = new Date(due.getTime() + 1000);
    expect(await runRenewals({ now: t0 })).toMatchObject({ failed: 1 });
    let r = await row(s.id);
    expect(r).toMatchObject({ status: "past_due", failedCharges: 1 });
    expect(r.nextChargeAt!.toISOString()).toBe(new Date(t0.getTime() + HOUR).toISOString());
    expect(r.currentPeriodEnd!.toISOString()).toBe(due.toISOString());
    const [declined] = await renewalsAt(s.id);
    expect(declined).toMatchObject({ status: "canceled", cancellation_details: { party: "payment_network", reason: "insufficient_funds" } });
    const c = await charges(s.id);
    expect(c.at(-1)).toMatchObject({ status: "failed", providerPaymentId: declined.id, error: "insufficient funds (insufficient_funds, payment_network)" });

    // a status check asks YooKassa, which has no subscription: what it reads (the first payment,
    // paid long before) is older than the decline and does not make it active again
    await settledNotifications(s.id);
    const checked = await call<SubscriptionDetail>(one.GET as never, { url: `/api/v1/payments/subscriptions/${s.id}?refresh=1`, params: { id: s.id }, bearer: key });
    expect(checked.status, checked.text).toBe(200);
    expect(checked.json.status).toBe("past_due");
    expect(checked.json.currentPeriodEnd).toBe(due.toISOString());

    // not yet: the wait is an hour
    expect(await runRenewals({ now: new Date(t0.getTime() + 30 * 60_000) })).toMatchObject({ charged: 0, failed: 0 });
    expect(await renewalsAt(s.id)).toHaveLength(1);

    expect(await runRenewals({ now: new Date(t0.getTime() + HOUR + 1000) })).toMatchObject({ charged: 1 });
    r = await row(s.id);
    expect(r).toMatchObject({ status: "active", failedCharges: 0 });
    expect(r.currentPeriodStart!.toISOString()).toBe(due.toISOString());
    expect(r.currentPeriodEnd!.toISOString()).toBe(addInterval(due, "month").toISOString());
    const all = await renewalsAt(s.id);
    expect(all.map((p) => p.status).sort()).toEqual(["canceled", "succeeded"]);
    // the retry was a new attempt (another key), not the declined answer replayed
    expect(new Set(all.map((p) => p.id)).size).toBe(2);

    const d = await get(s.id);
    const events = d.json.history.map((h) => h.event);
    expect(events).toContain("past_due");
    expect(events.lastIndexOf("active")).toBeGreaterThan(events.indexOf("past_due"));
  });

  it("the retries used up (1h, 1d, 3d all declined): canceled, and never charged again", async () => {
    const s = await paidSubscription();
    await control(`/__cards/${s.paymentMethodId}`, { decline: "card_expired" });
    let now = new Date(s.currentPeriodEnd!.getTime() + 1000);
    const outcomes: string[] = [];
    for (const wait of [HOUR, DAY, 3 * DAY, 0]) {
      // the last decline's notification is processed first (a run skips a subscription whose row it holds)
      await settledNotifications(s.id);
      const run = await runRenewals({ now });
      outcomes.push(run.canceled ? "canceled" : run.failed ? "failed" : "none");
      const r = await row(s.id);
      if (r.status === "canceled") break;
      expect(r.status).toBe("past_due");
      expect([outcomes.length, r.failedCharges, r.nextChargeAt!.getTime() - now.getTime()]).toEqual([outcomes.length, outcomes.length, wait]);
      now = new Date(now.getTime() + wait + 1000);
    }
    expect(outcomes).toEqual(["failed", "failed", "failed", "canceled"]);
    const r = await row(s.id);
    expect(r).toMatchObject({ status: "canceled", failedCharges: 4, nextChargeAt: null });
    expect(r.canceledAt).not.toBeNull();
    expect((await renewalsAt(s.id)).map((p) => p.status)).toEqual(["canceled", "canceled", "canceled", "canceled"]);
    // a card that pays again changes nothing: canceled is final
    await control(`/__cards/${s.paymentMethodId}`, { decline: null });
    await settledNotifications(s.id);
    expect(await runRenewals({ now: new Date(now.getTime() + 30 * DAY) })).toMatchObject({ charged: 0 });
    expect(await renewalsAt(s.id)).toHaveLength(4);
  });

  it("a run that charged and died before its commit: the rerun sends the same key and YooKassa answers with that payment, one charge", async () => {
    const s = await paidSubscription();
    const due = s.currentPeriodEnd!;
    // what the dead run did: the charge at YooKassa with the period's key, nothing recorded here
    const { idempotencyKey, paymentId } = renewalKey(s.id, due, 0);
    const integration = await db.integration.findUniqueOrThrow({ where: { id: yk.id } });
    const spec = getProvider("yookassa")!.payments!.subscriptions!;
    const ref = { id: s.id, providerSubscriptionId: s.providerSubscriptionId, providerCustomerId: null, providerPlanId: null, paymentMethodId: s.paymentMethodId };
    const end = addInterval(due, "month");
    const charged = await spec.charge!(buildContext(integration), ref, {
      paymentId,
      amountMinor: s.amountMinor,
      currency: "RUB",
      description: "the dead run",
      idempotencyKey,
      periodStart: due.toISOString(),
      periodEnd: end.toISOString(),
    });
    expect(charged.status).toBe("succeeded");
    // the rerun (its notification may be processed before or after it: both end the same)
    await runRenewals({ now: new Date(due.getTime() + 5000) });
    await settledNotifications(s.id);
    expect((await renewalsAt(s.id)).map((p) => p.id)).toEqual([charged.providerPaymentId]);
    const r = await row(s.id);
    expect(r).toMatchObject({ status: "active", failedCharges: 0 });
    expect(r.currentPeriodEnd!.toISOString()).toBe(end.toISOString());
    expect((await charges(s.id)).map((c) => c.providerPaymentId)).toEqual([s.providerSubscriptionId, charged.providerPaymentId]);
    // and a later run in the same period charges nothing
    expect(await runRenewals({ now: new Date(due.getTime() + DAY) })).toMatchObject({ charged: 0 });
    expect(await renewalsAt(s.id)).toHaveLength(1);
  });

  it("YooKassa does not answer (500 on every try): nothing recorded or counted, the same key again after 5 minutes, then one charge", async () => {
    const s = await paidSubscription();
    const now = new Date(s.currentPeriodEnd!.getTime() + 1000);
    await fault({ provider: "yookassa", path: "/v3/payments$", method: "POST", status: 500, times: 3 });
    expect(await runRenewals({ now })).toMatchObject({ undecided: 1, failed: 0 });
    const r = await row(s.id);
    expect(r).toMatchObject({ status: "active", failedCharges: 0 });
    expect(r.nextChargeAt!.getTime()).toBe(now.getTime() + 5 * 60_000);
    expect(await runRenewals({ now: new Date(now.getTime() + 60_000) })).toMatchObject({ due: 0 });
    expect(await runRenewals({ now: new Date(now.getTime() + 5 * 60_000 + 1000) })).toMatchObject({ charged: 1 });
    const posts = (await sandboxRequests("yookassa", (q) => q.method === "POST" && q.path === "/yookassa/v3/payments" && q.body.includes(`"switchboard_subscription_id":"${s.id}"`) && q.body.includes("renewal")));
    expect(new Set(posts.map((q) => q.headers["idempotence-key"])).size).toBe(1);
    expect(await renewalsAt(s.id)).toHaveLength(1);
  });

  it("a saved method YooKassa does not know: refused without a payment, counted as a failed attempt (past_due, then retried)", async () => {
    const s = await paidSubscription();
    await db.subscription.update({ where: { id: s.id }, data: { paymentMethodId: "2419a771-000f-5000-9000-1edaf29243f2" } });
    const now = new Date(s.currentPeriodEnd!.getTime() + 1000);
    expect(await runRenewals({ now })).toMatchObject({ failed: 1 });
    const r = await row(s.id);
    expect(r).toMatchObject({ status: "past_due", failedCharges: 1 });
    expect(r.nextChargeAt!.getTime()).toBe(now.getTime() + HOUR);
    expect(await renewalsAt(s.id)).toEqual([]);
  });

  it("two workers at once: one charges, the other skips the locked subscription", async () => {
    const s = await paidSubscription();
    const now = new Date(s.currentPeriodEnd!.getTime() + 1000);
    const [a, b] = await Promise.all([runRenewals({ now }), runRenewals({ now })]);
    expect(a.charged + b.charged).toBe(1);
    expect(await renewalsAt(s.id)).toHaveLength(1);
  });

  it("cancel at the period's end: the due date ends it instead of charging", async () => {
    const s = await paidSubscription();
    const res = await call(cancel.POST as never, {
      method: "POST",
      url: `/api/v1/payments/subscriptions/${s.id}/cancel`,
      params: { id: s.id },
      bearer: key,
      body: { atPeriodEnd: true },
    });
    expect(res.status, res.text).toBe(200);
    expect(await row(s.id)).toMatchObject({ status: "active", cancelAtPeriodEnd: true });
    expect(await runRenewals({ now: new Date(s.currentPeriodEnd!.getTime() + 1000) })).toMatchObject({ canceled: 1, charged: 0 });
    expect(await row(s.id)).toMatchObject({ status: "canceled", nextChargeAt: null });
    expect(await renewalsAt(s.id)).toEqual([]);
  });
});

describe("YooKassa subscriptions: property", () => {
  const TRANSITIONS: Record<SubscriptionStatus, SubscriptionStatus[]> = {
    incomplete: ["active", "incomplete_expired"],
    active: ["past_due", "canceled"],
    past_due: ["active", "canceled"],
    canceled: [],
    incomplete_expired: [],
  };
  type Step = { kind: "run"; advanceHours: number; twice: boolean } | { kind: "decline"; times: number } | { kind: "duplicate"; which: number };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant("run" as const), advanceHours: fc.constantFrom(0, 1, 2, 25, 24 * 3 + 1, 24 * 31), twice: fc.boolean() }),
    fc.record({ kind: fc.constant("decline" as const), times: fc.integer({ min: 1, max: 4 }) }),
    fc.record({ kind: fc.constant("duplicate" as const), which: fc.nat({ max: 20 }) }),
  );

  it("random runs (some two at once), duplicate notifications and declines: each period is charged successfully at most once, the status moves only along its transitions, the period is the paid renewals' sum", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 9 }), async (steps) => {
        const s = await paidSubscription(1000 + Math.floor(Math.random() * 9000));
        const start = s.currentPeriodEnd!;
        let now = new Date(start.getTime() - HOUR);
        let last: SubscriptionStatus = "active";
        for (const st of steps) {
          if (st.kind === "decline") await control(`/__cards/${s.paymentMethodId}`, { decline: "insufficient_funds", times: st.times });
          if (st.kind === "run") {
            now = new Date(now.getTime() + st.advanceHours * HOUR);
            if (st.twice) await Promise.all([runRenewals({ now }), runRenewals({ now })]);
            else await runRenewals({ now });
          }
          if (st.kind === "duplicate") {
            // a notification delivered again under another id (YooKassa retries for 24 h)
            const made = await shopPayments(s.id);
            const p = made[st.which % made.length];
            await applySubscriptionUpdate(yk.id, subscriptionUpdateOf(p, s.id, `dup-${randomUUID()}`, new Date().toISOString()), "webhook");
          }
          const r = await row(s.id);
          if (r.status !== last) expect(TRANSITIONS[last]).toContain(r.status);
          last = r.status;
        }
        await settledNotifications(s.id);
        const renewals = await renewalsAt(s.id);
        const paid = renewals.filter((p) => p.status === "succeeded");
        // at most one paid charge per period
        const periods = paid.map((p) => p.metadata.switchboard_period);
        expect(new Set(periods).size).toBe(periods.length);
        // the paid periods are consecutive from the first due date, and the subscription is at their end
        const r = await row(s.id);
        let end = start;
        for (let i = 0; i < paid.length; i++) end = addInterval(end, "month");
        expect(r.currentPeriodEnd!.toISOString()).toBe(end.toISOString());
        // every charge at YooKassa is one linked payment, with its status
        const linked = await db.payment.findMany({ where: { subscriptionId: s.id, providerPaymentId: { in: renewals.map((p) => p.id) } }, select: { providerPaymentId: true, status: true } });
        expect(linked.map((p) => p.providerPaymentId).sort()).toEqual(renewals.map((p) => p.id).sort());
        for (const p of renewals) expect(linked.find((l) => l.providerPaymentId === p.id)!.status).toBe(p.status === "succeeded" ? "succeeded" : "failed");
        await control(`/__cards/${s.paymentMethodId}`, { decline: null });
      }),
      { numRuns: 8 },
    );
  }, 240_000);
});
