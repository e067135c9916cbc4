// A subscription under any order of its provider's words (issue 18): a property test (fast-check)
// over random orderings, duplicates and concurrent deliveries of status words, the flag, and
// charges paid or failed, applied through applySubscriptionUpdate as every path does. Invariants:
// the status moves only along the declared transitions (canceled and incomplete_expired final),
// each provider event is applied once (a redelivery changes nothing), each charge is recorded
// once (one payment per provider payment id), and the events match the transitions (activated and
// canceled at most once, past_due once per move into past_due, renewed once per paid renewal).
import { beforeAll, describe, expect, it } from "vitest";
import { randomBytes, randomUUID } from "node:crypto";
import fc from "fast-check";
import { db } from "@/lib/db";
import { pgPool } from "@/lib/pg";
import { createIntegration } from "@/lib/integrations/service";
import { SUBSCRIPTION_STATUSES, subscriptionEvent } from "@/lib/payments/contract";
import { applySubscriptionUpdate, SUBSCRIPTION_TRANSITIONS } from "@/lib/payments/subscriptions";
import type { SubscriptionStatus, SubscriptionUpdate } from "@/lib/providers/types";
import { system } from "../helpers/fixtures";
import { FAST_OUTBOX_ENV, runWorkers } from "../helpers/workers";

runWorkers({ env: FAST_OUTBOX_ENV });

let stripe: { id: string };
beforeAll(async () => {
  const keys = { secretKey: `sk_test_${randomBytes(18).toString("hex")}`, webhookSecret: `whsec_${randomBytes(24).toString("base64")}` };
  stripe = await createIntegration({ provider: "stripe", name: "Stripe property", mode: "sandbox", credentials: keys, config: {} }, system);
});

const T0 = Date.UTC(2027, 0, 1);
const at = (sec: number) => new Date(T0 + sec * 1000).toISOString();
const DAY = 86_400;

/** one word of the provider's, without its event id (given when the sequence is made) */
const word: fc.Arbitrary<Omit<SubscriptionUpdate, "eventId">> = fc.oneof(
  fc.record({
    status: fc.constantFrom(...SUBSCRIPTION_STATUSES),
    cancelAtPeriodEnd: fc.option(fc.boolean(), { nil: undefined }),
    sec: fc.integer({ min: 0, max: 20 }),
  }).map(({ status, cancelAtPeriodEnd, sec }) => ({ status, providerStatus: `sandbox:${status}`, occurredAt: at(sec), ...(cancelAtPeriodEnd === undefined ? {} : { cancelAtPeriodEnd }) })),
  fc.record({ k: fc.integer({ min: 0, max: 3 }), paid: fc.boolean(), sec: fc.integer({ min: 0, max: 20 }) }).map(({ k, paid, sec }) => ({
    providerStatus: paid ? "invoice.paid" : "invoice.payment_failed",
    occurredAt: at(sec),
    charge: {
      providerPaymentId: `in_prop_${k}`,
      invoiceId: `in_prop_${k}`,
      amountMinor: 1000,
      currency: "USD",
      status: paid ? ("succeeded" as const) : ("failed" as const),
      ...(paid ? {} : { error: "Your card was declined." }),
      periodStart: at(k * 30 * DAY),
      periodEnd: at((k + 1) * 30 * DAY),
    },
  })),
);

/** the sequence: words with their event ids, some delivered again (later, or at the same time) */
const plan = fc
  .array(word, { minLength: 1, maxLength: 10 })
  .chain((words) =>
    fc.tuple(
      fc.constant(words.map((w, i) => ({ ...w, eventId: `evt_prop_${i}` }))),
      fc.array(fc.record({ again: fc.nat({ max: words.length - 1 }), concurrent: fc.boolean(), after: fc.nat({ max: words.length - 1 }) }), { maxLength: 6 }),
    ),
  )
  .map(([words, repeats]) => {
    const steps: { updates: SubscriptionUpdate[] }[] = words.map((w) => ({ updates: [w] }));
    for (const r of repeats) {
      const u = words[r.again];
      if (r.concurrent) steps[r.again].updates.push(u);
      else steps.splice(Math.max(r.after, r.again) + 1, 0, { updates: [u] });
    }
    return steps;
  });

async function newSubscription() {
  const id = randomUUID();
  await db.subscription.create({
    data: { id, provider: "stripe", integrationId: stripe.id, plan: "Property", amountMinor: 1000, currency: "USD", interval: "month", providerSubscriptionId: `sub_prop_${randomBytes(6).toString("hex")}` },
  });
  await db.payment.create({ data: { id: randomUUID(), provider: "stripe", integrationId: stripe.id, amountMinor: 1000, currency: "USD", subscriptionId: id } });
  return id;
}

async function eventsOf(id: string) {
  const r = await pgPool().query<{ type: string; data: Record<string, unknown> }>(
    `select type, payload->'data' as data from domain_events where type like 'subscription.%' and payload->'data'->>'subscriptionId' = $1 order by created_at, id`,
    [id],
  );
  return r.rows.map((row) => subscriptionEvent.parse({ type: row.type, ...row.data }));
}

/** what the subscription and its charges are now, to compare before and after a redelivery */
async function snapshot(id: string) {
  const s = await db.subscription.findUniqueOrThrow({ where: { id } });
  const payments = await db.payment.findMany({ where: { subscriptionId: id }, orderBy: { id: "asc" }, select: { id: true, status: true, providerPaymentId: true, capturedMinor: true } });
  return { status: s.status, cancelAtPeriodEnd: s.cancelAtPeriodEnd, failedCharges: s.failedCharges, history: (s.history as unknown[]).length, payments, events: (await eventsOf(id)).length };
}

describe("applySubscriptionUpdate under any order", () => {
  it("declared transitions only, each event once, each charge once, events that match the moves", async () => {
    await fc.assert(
      fc.asyncProperty(plan, async (steps) => {
        const id = await newSubscription();
        for (const step of steps) {
          const results = await Promise.all(step.updates.map((u) => applySubscriptionUpdate(stripe.id, { ...u, subscriptionId: id }, "webhook")));
          expect(results.every(Boolean)).toBe(true);
        }
        const s = await db.subscription.findUniqueOrThrow({ where: { id } });
        const history = s.history as { status?: string; applied?: boolean; event: string }[];
        // the statuses it took, in order, each one a declared transition from the one before
        const moves = history.filter((h) => h.applied && h.status && h.event === h.status).map((h) => h.status as SubscriptionStatus);
        let from: SubscriptionStatus = "incomplete";
        for (const to of moves) {
          expect(SUBSCRIPTION_TRANSITIONS[from], `${from} → ${to}`).toContain(to);
          from = to;
        }
        expect(s.status).toBe(from);
        // each provider event applied once
        expect(new Set(s.appliedEvents).size).toBe(s.appliedEvents.length);
        // each charge recorded once
        const charges = await db.payment.findMany({ where: { subscriptionId: id, providerPaymentId: { not: null } }, select: { providerPaymentId: true, status: true } });
        expect(new Set(charges.map((c) => c.providerPaymentId)).size).toBe(charges.length);
        // the events match the moves
        const events = await eventsOf(id);
        const count = (t: string) => events.filter((e) => e.type === t).length;
        expect(count("subscription.activated")).toBe(moves.filter((m, i) => m === "active" && (i === 0 ? "incomplete" : moves[i - 1]) === "incomplete").length);
        expect(count("subscription.past_due")).toBe(moves.filter((m) => m === "past_due").length);
        expect(count("subscription.canceled")).toBe(moves.includes("canceled") ? 1 : 0);
        const renewed = events.flatMap((e) => (e.type === "subscription.renewed" ? [e.paymentId] : []));
        expect(new Set(renewed).size).toBe(renewed.length);
        // renewals are paid charges other than the first
        const firstId = (await db.payment.findFirstOrThrow({ where: { subscriptionId: id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] })).id;
        expect(renewed).not.toContain(firstId);
        for (const p of renewed) expect((await db.payment.findUniqueOrThrow({ where: { id: p } })).status).toBe("succeeded");
        // every word delivered once more changes nothing
        const before = await snapshot(id);
        for (const step of steps) for (const u of step.updates) await applySubscriptionUpdate(stripe.id, { ...u, subscriptionId: id }, "webhook");
        expect(await snapshot(id)).toEqual(before);
      }),
      { numRuns: 30 },
    );
  }, 180_000);
});

describe("the period", () => {
  // a failed charge pays for nothing: the period it was for is not the subscription's until a
  // charge for it is paid (or the provider itself says the period moved: currentPeriodEnd)
  it("moves with a paid charge, not with a failed one", async () => {
    const id = await newSubscription();
    const charge = (k: number, status: "succeeded" | "failed") => ({
      providerPaymentId: `in_period_${id}_${k}_${status}`,
      amountMinor: 1000,
      currency: "USD",
      status,
      periodStart: at(k * 30 * DAY),
      periodEnd: at((k + 1) * 30 * DAY),
    });
    await applySubscriptionUpdate(stripe.id, { subscriptionId: id, providerStatus: "invoice.paid", eventId: `evt_${id}_1`, charge: charge(0, "succeeded") }, "webhook");
    expect((await db.subscription.findUniqueOrThrow({ where: { id } })).currentPeriodEnd?.toISOString()).toBe(at(30 * DAY));
    await applySubscriptionUpdate(stripe.id, { subscriptionId: id, providerStatus: "invoice.payment_failed", eventId: `evt_${id}_2`, charge: charge(1, "failed") }, "webhook");
    const failed = await db.subscription.findUniqueOrThrow({ where: { id } });
    expect(failed.status).toBe("past_due");
    expect(failed.currentPeriodEnd?.toISOString()).toBe(at(30 * DAY));
    await applySubscriptionUpdate(stripe.id, { subscriptionId: id, providerStatus: "invoice.paid", eventId: `evt_${id}_3`, charge: charge(1, "succeeded") }, "webhook");
    const paid = await db.subscription.findUniqueOrThrow({ where: { id } });
    expect(paid.status).toBe("active");
    expect(paid.currentPeriodEnd?.toISOString()).toBe(at(60 * DAY));
    expect(paid.currentPeriodStart?.toISOString()).toBe(at(30 * DAY));
  });
});
