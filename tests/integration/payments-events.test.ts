// Money events (issue 18, item 7): a payment that becomes paid, fails or is refunded writes
// payment.succeeded / payment.failed / payment.refunded into the event outbox, in the
// transaction that moves it, exactly once per real transition, whichever path saw it (Payme's
// and Click's merchant calls, Stripe's signed webhook, a status check, a refund through the API);
// a repeated call, a second path that sees the same status, a late event: nothing more.
// The PayPal paths (the payer's return, the capture sweep, execute) are asserted in
// payments-capture.test.ts. Real PostgreSQL, workers, the webhook front and the sandboxes.
import { beforeAll, describe, expect, it } from "vitest";
import { randomBytes, randomInt } from "node:crypto";
import fc from "fast-check";
import { db } from "@/lib/db";
import { createIntegration } from "@/lib/integrations/service";
import { applyPaymentUpdate, type UpdateSource } from "@/lib/payments/service";
import { PAYMENT_STATUSES, type PaymentStatus } from "@/lib/payments/contract";
import * as payments from "@/app/api/v1/payments/route";
import * as one from "@/app/api/v1/payments/[id]/route";
import * as refund from "@/app/api/v1/payments/[id]/refund/route";
import { call } from "../helpers/http";
import { createKey, sandbox, system } from "../helpers/fixtures";
import { FAST_OUTBOX_ENV, runWorkers } from "../helpers/workers";
import { waitFor } from "../helpers/wait";
import { expectNothingMore } from "../helpers/quiet";
import { paymentRow, sandboxPost } from "../helpers/merchant";
import { moneyEventsOf, moneyEventTypes } from "../helpers/money-events";

const running = runWorkers({ webhooks: true, env: { ...FAST_OUTBOX_ENV, PAYMENT_STATUS_CHECK_SECONDS: "3600" } });
const idle = () => ({ workers: running.workers });

let key: string;
let payme: { id: string };
let click: { id: string };
let stripe: { id: string };
beforeAll(async () => {
  key = (await createKey(["payments:read", "payments:write", "payments:refund"])).key;
  payme = await createIntegration(
    { provider: "payme", name: "Payme", mode: "sandbox", credentials: { merchantId: randomBytes(12).toString("hex"), key: randomBytes(24).toString("base64url") }, config: {} },
    system,
  );
  click = await createIntegration(
    { provider: "click", name: "Click", mode: "sandbox", credentials: { serviceId: String(randomInt(10_000, 99_999)), merchantId: "4321", secretKey: randomBytes(18).toString("base64url") }, config: {} },
    system,
  );
  const stripeKeys = { secretKey: `sk_test_${randomBytes(18).toString("hex")}`, webhookSecret: `whsec_${randomBytes(24).toString("base64")}` };
  stripe = await createIntegration({ provider: "stripe", name: "Stripe", mode: "sandbox", credentials: stripeKeys, config: { currencies: ["USD"] } }, system);
});

const post = (handler: unknown, url: string, body: unknown, params: Record<string, string> = {}) =>
  call(handler as never, { method: "POST", url, body, bearer: key, params });

async function link(provider: string, amountMinor: number, currency: string) {
  const res = await post(payments.POST, "/api/v1/payments", { amountMinor, currency, provider, description: "Order 1042" });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; paymentUrl: string; providerCheckoutId: string | null };
}

const settled = (id: string, want: PaymentStatus) =>
  waitFor(async () => ((await paymentRow(id)).status === want ? true : null), 20_000, `payment ${id} to be ${want}`);

describe("Payme's and Click's merchant calls", () => {
  it("Payme pays (every call repeated, as its console does): one payment.succeeded, with the payment's money and the call that caused it", async () => {
    const p = await link("payme", 150_000, "UZS");
    const run = await sandboxPost("payme", "/__pay", { link: p.paymentUrl, scenario: "pay" });
    expect(run.ok).toBe(true);
    const [e, ...more] = await moneyEventsOf(p.id);
    expect(more).toEqual([]);
    const tx = (await db.providerTransaction.findFirstOrThrow({ where: { paymentId: p.id } })).providerTxId;
    expect(e).toMatchObject({
      type: "payment.succeeded", paymentId: p.id, provider: "payme", integrationId: payme.id, amountMinor: 150_000, currency: "UZS",
      status: "succeeded", capturedMinor: 150_000, refundedMinor: 0, providerPaymentId: tx, description: "Order 1042", source: "webhook",
      providerEventId: `PerformTransaction:${tx}`,
    });
  });

  it("Payme declines, then the payer pays again: payment.failed, then payment.succeeded, each once", async () => {
    const p = await link("payme", 90_000, "UZS");
    await sandboxPost("payme", "/__pay", { link: p.paymentUrl, scenario: "decline" });
    expect(await moneyEventTypes(p.id)).toEqual(["payment.failed"]);
    await sandboxPost("payme", "/__pay", { link: p.paymentUrl, scenario: "pay" });
    const [failed, paid, ...more] = await moneyEventsOf(p.id);
    expect(more).toEqual([]);
    expect(failed).toMatchObject({ type: "payment.failed", status: "failed", source: "webhook" });
    expect(paid).toMatchObject({ type: "payment.succeeded", status: "succeeded", capturedMinor: 90_000 });
    expect(failed.writtenAt.getTime()).toBeLessThanOrEqual(paid.writtenAt.getTime());
  });

  it("a Payme cancel after perform (a refund made in Payme's cabinet): payment.refunded for the whole amount", async () => {
    const p = await link("payme", 150_000, "UZS");
    await sandboxPost("payme", "/__pay", { link: p.paymentUrl, scenario: "refund" });
    const events = await moneyEventsOf(p.id);
    expect(events.map((e) => e.type)).toEqual(["payment.succeeded", "payment.refunded"]);
    expect(events[1]).toMatchObject({ status: "refunded", refundedMinor: 150_000, refundAmountMinor: 150_000, source: "webhook" });
  });

  it("Click: Prepare and Complete pay it, one payment.succeeded; a declined Complete, one payment.failed", async () => {
    const paid = await link("click", 1_000_000, "UZS");
    expect(await sandboxPost("click", "/__pay", { link: paid.paymentUrl, scenario: "pay" })).toMatchObject({ ok: true });
    expect(await moneyEventsOf(paid.id)).toMatchObject([{ type: "payment.succeeded", provider: "click", integrationId: click.id, amountMinor: 1_000_000, currency: "UZS" }]);
    const declined = await link("click", 500_000, "UZS");
    await sandboxPost("click", "/__pay", { link: declined.paymentUrl, scenario: "decline" });
    expect(await moneyEventsOf(declined.id)).toMatchObject([{ type: "payment.failed", provider: "click", status: "failed" }]);
  });
});

describe("Stripe: the signed webhook, a status check, refunds through the API", () => {
  const checkout = (id: string, outcome: string) =>
    fetch(`${sandbox().url}/stripe/__pay/${id}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ outcome }) });
  const refresh = (id: string) => call(one.GET as never, { url: `/api/v1/payments/${id}?refresh=1`, params: { id }, bearer: key });

  it("paid: the webhook and a status check racing it announce it once; the refunds once each, their webhooks nothing more", async () => {
    const p = await link("stripe", 5000, "USD");
    expect((await checkout(p.providerCheckoutId!, "pay")).status).toBeLessThan(300);
    // the status check races the webhook the sandbox sends: whichever applies it first announces it
    expect((await refresh(p.id)).status).toBe(200);
    await settled(p.id, "succeeded");
    const [paid, ...more] = await expectNothingMore(() => moneyEventsOf(p.id), idle());
    expect(more).toEqual([]);
    expect(paid).toMatchObject({ type: "payment.succeeded", provider: "stripe", integrationId: stripe.id, amountMinor: 5000, currency: "USD" });
    expect(["webhook", "refresh"]).toContain(paid.source);
    // a status check that finds nothing new
    expect((await refresh(p.id)).status).toBe(200);

    const part = await post(refund.POST, `/api/v1/payments/${p.id}/refund`, { amountMinor: 2000 }, { id: p.id });
    expect(part.status, part.text).toBe(201);
    const rest = await post(refund.POST, `/api/v1/payments/${p.id}/refund`, {}, { id: p.id });
    expect(rest.status, rest.text).toBe(201);
    // Stripe's refund webhooks arrive after the API's answer: they report what is already known
    const events = await expectNothingMore(() => moneyEventsOf(p.id), idle());
    // each refund announced once: by the API call that made it, or by Stripe's refund event when that came first
    expect(events.slice(1).map((e) => [e.type, e.status, e.refundedMinor, e.type === "payment.refunded" ? e.refundAmountMinor : null])).toEqual([
      ["payment.refunded", "partially_refunded", 2000, 2000],
      ["payment.refunded", "refunded", 5000, 3000],
    ]);
    for (const e of events.slice(1)) expect(["api", "webhook"]).toContain(e.source);
    expect(events[0]).toMatchObject({ type: "payment.succeeded", status: "succeeded", refundedMinor: 0 });
  });

  it("declined: one payment.failed with the provider's reason", async () => {
    const p = await link("stripe", 1000, "USD");
    expect((await checkout(p.providerCheckoutId!, "decline")).status).toBeLessThan(300);
    await settled(p.id, "failed");
    const events = await expectNothingMore(() => moneyEventsOf(p.id), idle());
    expect(events).toMatchObject([{ type: "payment.failed", status: "failed", source: "webhook" }]);
    expect(events[0].type === "payment.failed" && events[0].error).toBeTruthy();
  });
});

describe("any ordering of one payment's updates (fast-check)", () => {
  const AMOUNT = 120_000;
  const SOURCES: UpdateSource[] = ["webhook", "refresh", "return", "sweep", "api"];
  const REFUNDS: PaymentStatus[] = ["partially_refunded", "refunded"];
  const PAID: PaymentStatus[] = ["succeeded", ...REFUNDS];
  type Update = { status: PaymentStatus; refundedMinor?: number; source: UpdateSource; eventId?: string };
  const update: fc.Arbitrary<Update> = fc
    .record({
      status: fc.constantFrom(...PAYMENT_STATUSES),
      refundedMinor: fc.integer({ min: 1, max: AMOUNT }),
      source: fc.constantFrom(...SOURCES),
      eventId: fc.option(fc.constantFrom("evt_a", "evt_b", "evt_c"), { nil: undefined }),
    })
    // a provider reports refunded amounts with its refund states only
    .map((u) => (REFUNDS.includes(u.status) ? u : { ...u, refundedMinor: undefined }));
  // each update once, or twice at the same moment (a repeated webhook racing its first delivery)
  const plan = fc.array(fc.tuple(update, fc.boolean()), { minLength: 1, maxLength: 12 });

  /** What the rules say must be announced, from the updates alone: paid once, failed only before anything else closed it, each growth of the refunded amount. */
  function expected(updates: Update[]) {
    let closed = false;
    let paid: UpdateSource | null = null;
    let failed: UpdateSource | null = null;
    let refunded = 0;
    const refunds: [number, number][] = [];
    for (const u of updates) {
      if (!paid && PAID.includes(u.status)) paid = u.source;
      else if (!paid && !closed && u.status === "failed") failed = u.source;
      if (u.status === "failed" || u.status === "canceled") closed = true;
      if ((u.refundedMinor ?? 0) > refunded) {
        refunds.push([u.refundedMinor!, u.refundedMinor! - refunded]);
        refunded = u.refundedMinor!;
      }
    }
    return { paid, failed, refunds };
  }

  it("one event per real transition, none for a repeat, none backwards", async () => {
    await fc.assert(
      fc.asyncProperty(plan, async (steps) => {
        const p = await link("payme", AMOUNT, "UZS");
        for (const [u, twice] of steps) {
          const { source, ...rest } = u;
          const results = await Promise.all(
            (twice ? [0, 1] : [0]).map(() => applyPaymentUpdate(payme.id, { paymentId: p.id, ...rest, providerStatus: `sandbox:${u.status}` }, source)),
          );
          expect(results.every(Boolean)).toBe(true);
        }
        const want = expected(steps.map(([u]) => u));
        const events = await moneyEventsOf(p.id);
        const of = <T extends (typeof events)[number]["type"]>(t: T) => events.filter((e) => e.type === t);
        expect(of("payment.succeeded").map((e) => e.source)).toEqual(want.paid ? [want.paid] : []);
        expect(of("payment.failed").map((e) => e.source)).toEqual(want.failed ? [want.failed] : []);
        const refunds = of("payment.refunded").map((e) => [e.refundedMinor, e.type === "payment.refunded" ? e.refundAmountMinor : 0]);
        expect(refunds.sort((a, b) => a[0] - b[0])).toEqual(want.refunds);
        // never backwards: a failure is announced only while the payment was not paid, and left it failed
        const [failed] = of("payment.failed");
        const [paid] = of("payment.succeeded");
        if (failed) expect(failed).toMatchObject({ status: "failed", capturedMinor: 0 });
        if (failed && paid) expect(failed.writtenAt.getTime()).toBeLessThanOrEqual(paid.writtenAt.getTime());
        // each names the payment and its money as stored
        const row = await paymentRow(p.id);
        for (const e of events) expect(e).toMatchObject({ paymentId: p.id, provider: "payme", amountMinor: AMOUNT, currency: "UZS" });
        expect(row.refundedMinor).toBe(want.refunds.at(-1)?.[0] ?? 0);
      }),
      { numRuns: 30 },
    );
  });
});
