// No missed capture (issue 18, item 2): a PayPal order the payer approved is captured exactly
// once by whichever path sees the approval first: the CHECKOUT.ORDER.APPROVED webhook, the
// payer's return to our return URL, a status check, the workers' sweeper, the seed's
// paypal/execute. The sandbox loses the webhook on request (POST /paypal/__drop-webhooks) and
// counts the capture requests it ran (a replayed PayPal-Request-Id is not a run). Real
// PostgreSQL, real workers and webhook front, PayPal's client against its sandbox.
import { beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { db } from "@/lib/db";
import { createIntegration } from "@/lib/integrations/service";
import { sweepUncaptured } from "@/lib/payments/capture";
import type { PaymentStatus } from "@/lib/providers/types";
import * as payments from "@/app/api/v1/payments/route";
import * as one from "@/app/api/v1/payments/[id]/route";
import * as execute from "@/app/api/v1/integrations/payments/paypal/execute/route";
import * as seedStatus from "@/app/api/v1/integrations/payments/[paymentId]/status/route";
import * as returned from "@/app/api/payments/[id]/return/route";
import { call } from "../helpers/http";
import { createKey, createUser, sandbox, system } from "../helpers/fixtures";
import { FAST_OUTBOX_ENV, runWorkers, setEnv } from "../helpers/workers";
import { waitFor } from "../helpers/wait";
import { untilIdle } from "../helpers/quiet";
import { expectNeverBackwards } from "../helpers/merchant";
import { moneyEventsOf, moneyEventTypes } from "../helpers/money-events";

// the workers' sweeper ticks often but finds nothing (a long grace) unless a test says otherwise
const running = runWorkers({
  webhooks: true,
  env: { ...FAST_OUTBOX_ENV, PAYMENT_CAPTURE_SWEEP_SECONDS: "0.3", PAYMENT_CAPTURE_GRACE_SECONDS: "3600", PAYMENT_STATUS_CHECK_SECONDS: "3600" },
});

let key: string;
let paypal: { id: string; code: string };
const creds = { clientId: `A${randomBytes(30).toString("base64url")}`, clientSecret: `E${randomBytes(30).toString("base64url")}`, webhookId: `${randomBytes(8).toString("hex").toUpperCase()}WH` };
beforeAll(async () => {
  key = (await createKey(["payments:read", "payments:write"])).key;
  paypal = await createIntegration({ provider: "paypal", name: "PayPal", mode: "sandbox", credentials: creds }, system);
});

type Entry = { event: string; source?: string; status?: string; applied?: boolean; eventId?: string };

const EXECUTE = "/api/v1/integrations/payments/paypal/execute";
const post = (handler: unknown, url: string, body: unknown, opts: { headers?: Record<string, string>; cookie?: string } = {}) =>
  call(handler as never, { method: "POST", url, body, ...(opts.cookie ? { cookie: opts.cookie } : { bearer: key }), headers: opts.headers });

async function link(amountMinor = 2500) {
  const res = await post(payments.POST, "/api/v1/payments", { amountMinor, currency: "USD", provider: "paypal", description: "Transfer P-1" });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; providerPaymentId: string; paymentUrl: string };
}

const control = (path: string, body: unknown) =>
  fetch(`${sandbox().url}/paypal${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** the payer approves on PayPal's page (its CHECKOUT.ORDER.APPROVED lost on the way when `lose`); where PayPal sends them back */
async function approve(p: { paymentUrl: string }, opts: { lose?: boolean; outcome?: "pay" | "decline" } = {}) {
  if (opts.lose) expect((await control("/__drop-webhooks", { eventType: "CHECKOUT.ORDER.APPROVED" })).status).toBe(204);
  const res = await fetch(p.paymentUrl, { method: "POST", body: new URLSearchParams({ outcome: opts.outcome ?? "pay" }), redirect: "manual" });
  expect(res.status).toBe(303);
  return new URL(res.headers.get("location")!);
}

/** capture requests the sandbox ran for the order, and the captures it has */
const captures = async (orderId: string) => (await (await fetch(`${sandbox().url}/paypal/__captures/${orderId}`)).json()) as { runs: number; completed: number };
const row = (id: string) => db.payment.findUniqueOrThrow({ where: { id } });
const historyOf = async (id: string) => (await row(id)).history as Entry[];
const settled = (id: string, want: PaymentStatus = "succeeded") =>
  waitFor(async () => {
    const p = await row(id);
    return p.status === want ? p : null;
  }, 20_000, `payment ${id} to be ${want}`);

/** the payer lands on our return URL (PayPal's redirect, followed by hand: the test's front serves only webhooks) */
const comeBack = (id: string, to: URL) => call(returned.GET as never, { url: `${to.pathname}${to.search}`, params: { id } });

/** the entry that moved the payment to succeeded; the one payment.succeeded event it wrote names the same path */
async function capturedBy(id: string) {
  const source = (await historyOf(id)).find((h) => h.event === "succeeded" && h.applied)?.source;
  expect((await moneyEventsOf(id)).map((e) => [e.type, e.source])).toEqual([["payment.succeeded", source]]);
  return source;
}

describe("each path captures an approved order whose webhook was lost", () => {
  it("the webhook (nothing lost): the APPROVED event's step is taken by payments, captured once", async () => {
    const p = await link();
    await approve(p);
    const done = await settled(p.id);
    expect(done.capturedMinor).toBe(2500);
    expect(done.providerCaptureId).toMatch(/^[A-Z0-9]{17}$/);
    expect(await capturedBy(p.id)).toBe("webhook");
    await untilIdle({ workers: running.workers });
    expect(await captures(p.providerPaymentId)).toEqual({ orderId: p.providerPaymentId, runs: 1, completed: 1 });
  });

  it("the payer's return: PayPal sends them to our return URL with token and PayerID; the order is captured before they land on the payment's page", async () => {
    const p = await link();
    const back = await approve(p, { lose: true });
    // no return URL was given: PayPal sends the payer through our return route
    expect(back.pathname).toBe(`/api/payments/${p.id}/return`);
    expect(back.searchParams.get("token")).toBe(p.providerPaymentId);
    expect(back.searchParams.get("PayerID")).toBeTruthy();
    const res = await comeBack(p.id, back);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(new RegExp(`/payments/${p.id}\\?returned=1$`));
    // captured by the time the payer is redirected
    expect(await row(p.id)).toMatchObject({ status: "succeeded", capturedMinor: 2500 });
    expect(await capturedBy(p.id)).toBe("return");
    const deliveries = (await (await fetch(`${sandbox().url}/paypal/__deliveries`)).json()).items as { eventType: string; dropped?: boolean; url: string }[];
    expect(deliveries.some((d) => d.eventType === "CHECKOUT.ORDER.APPROVED" && d.dropped)).toBe(true);
    // the capture's own event still comes and changes nothing; nothing captures twice
    await untilIdle({ workers: running.workers });
    expect(await captures(p.providerPaymentId)).toEqual({ orderId: p.providerPaymentId, runs: 1, completed: 1 });
    // coming back again (a reload) asks nothing more, and announces nothing more
    await comeBack(p.id, back);
    expect(await captures(p.providerPaymentId)).toMatchObject({ runs: 1 });
    expect(await moneyEventTypes(p.id)).toEqual(["payment.succeeded"]);
  });

  it("a status check: the seed's GET …/status asks PayPal, finds the order approved and captures it", async () => {
    const p = await link();
    await approve(p, { lose: true });
    await untilIdle({ workers: running.workers });
    expect((await row(p.id)).status).toBe("pending");
    const res = await call(seedStatus.GET as never, { url: `/api/v1/integrations/payments/${p.id}/status`, params: { paymentId: p.id }, bearer: key });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ id: p.id, status: "succeeded", capturedMinor: 2500, checkedWithProvider: true, nextAction: null });
    expect(await capturedBy(p.id)).toBe("refresh");
    expect(await captures(p.providerPaymentId)).toMatchObject({ runs: 1, completed: 1 });
  });

  it("a status check on the payment's page (?refresh=1) captures too", async () => {
    const p = await link();
    await approve(p, { lose: true });
    const res = await call(one.GET as never, { url: `/api/v1/payments/${p.id}?refresh=1`, params: { id: p.id }, bearer: key });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ status: "succeeded", capturedMinor: 2500 });
    expect(await captures(p.providerPaymentId)).toMatchObject({ runs: 1, completed: 1 });
  });

  it("the workers' sweeper: nobody comes back and nobody asks; after the grace period the order is asked about and captured", async () => {
    const p = await link();
    await approve(p, { lose: true });
    await untilIdle({ workers: running.workers, loops: ["payment capture sweep"] });
    // within the grace period the sweeper leaves it alone
    expect((await row(p.id)).status).toBe("pending");
    expect(await captures(p.providerPaymentId)).toMatchObject({ runs: 0 });
    setEnv({ PAYMENT_CAPTURE_GRACE_SECONDS: "0" });
    try {
      await settled(p.id);
    } finally {
      setEnv({ PAYMENT_CAPTURE_GRACE_SECONDS: "3600" });
    }
    expect(await capturedBy(p.id)).toBe("sweep");
    await untilIdle({ workers: running.workers });
    expect(await captures(p.providerPaymentId)).toMatchObject({ runs: 1, completed: 1 });
  });

  it("the seed's paypal/execute captures; executing again (by PayPal's order id, or with the same Idempotency-Key) answers the same and captures nothing more", async () => {
    const p = await link();
    await approve(p, { lose: true });
    const first = await post(execute.POST, EXECUTE, { paymentId: p.id }, { headers: { "idempotency-key": "exec-1" } });
    expect(first.status, first.text).toBe(200);
    expect(first.json).toMatchObject({ id: p.id, provider: "paypal", status: "succeeded", capturedMinor: 2500, refundableMinor: 2500, providerPaymentId: p.providerPaymentId, nextAction: null });
    expect(await capturedBy(p.id)).toBe("api");
    const byOrder = await post(execute.POST, EXECUTE, { order_id: p.providerPaymentId }); // alias (docs/api-compat.md)
    expect(byOrder.status).toBe(200);
    expect(byOrder.json).toMatchObject({ id: p.id, status: "succeeded" });
    const replay = await post(execute.POST, EXECUTE, { paymentId: p.id }, { headers: { "idempotency-key": "exec-1" } });
    expect(replay.status).toBe(200);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.json).toMatchObject({ id: p.id, status: "succeeded", replayed: true });
    expect(await captures(p.providerPaymentId)).toMatchObject({ runs: 1, completed: 1 });
  });

  it("a declined capture: the payment is failed with PayPal's reason, whichever path took it, and is not captured again", async () => {
    const p = await link();
    const back = await approve(p, { lose: true, outcome: "decline" });
    // the return path is the one under test: the capture-denied webhook the sandbox sends while
    // answering the capture is lost too, or it could be applied first (it says DECLINED)
    expect((await control("/__drop-webhooks", { eventType: "PAYMENT.CAPTURE.DENIED" })).status).toBe(204);
    await comeBack(p.id, back);
    const failed = await row(p.id);
    expect(failed).toMatchObject({ status: "failed", providerStatus: "INSTRUMENT_DECLINED", capturedMinor: 0 });
    expect(failed.error).toMatch(/declined/);
    const again = await post(execute.POST, EXECUTE, { paymentId: p.id });
    expect(again.status).toBe(422);
    expect(again.json.error.message).toMatch(/^PayPal did not take the payment: .*declined/);
    expect(await captures(p.providerPaymentId)).toMatchObject({ runs: 1, completed: 0 });
    expect(await moneyEventsOf(p.id)).toMatchObject([{ type: "payment.failed", source: "return", status: "failed" }]);
  });
});

describe("paypal/execute refusals and the return route's guard", () => {
  it("an unknown field, both ids or neither, a malformed id: 400 naming the field; nothing captured", async () => {
    const p = await link();
    await approve(p, { lose: true });
    const unknown = await post(execute.POST, EXECUTE, { paymentId: p.id, payerId: "ABC" });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toMatch(/unknown field: "payerId"/);
    const both = await post(execute.POST, EXECUTE, { paymentId: p.id, orderId: p.providerPaymentId });
    expect(both.status).toBe(400);
    expect(both.json.error.details).toEqual([{ path: "paymentId", message: "Give paymentId or orderId (one of them)" }]);
    expect((await post(execute.POST, EXECUTE, {})).status).toBe(400);
    const bad = await post(execute.POST, EXECUTE, { paymentId: "nope" });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details[0].path).toBe("paymentId");
    expect(await captures(p.providerPaymentId)).toMatchObject({ runs: 0 });
    expect((await row(p.id)).status).toBe("pending");
  });

  it("roles and scopes: a viewer's session and a key without payments:write are refused; nothing captured", async () => {
    const p = await link();
    await approve(p, { lose: true });
    const viewer = await createUser("viewer");
    expect((await post(execute.POST, EXECUTE, { paymentId: p.id }, { cookie: viewer.cookie })).status).toBe(403);
    const readOnly = (await createKey(["payments:read"])).key;
    const res = await call(execute.POST as never, { method: "POST", url: EXECUTE, body: { paymentId: p.id }, bearer: readOnly });
    expect(res.status).toBe(403);
    expect(res.json.error.message).toBe('The API key lacks the "payments:write" scope');
    expect(await captures(p.providerPaymentId)).toMatchObject({ runs: 0 });
  });

  it("an unknown payment is a 404; an order the payer has not approved, and a payment of another provider, are 422 saying why", async () => {
    const missing = await post(execute.POST, EXECUTE, { paymentId: "00000000-0000-4000-8000-000000000000" });
    expect(missing.status).toBe(404);
    expect((await post(execute.POST, EXECUTE, { orderId: "NOSUCHORDER12345" })).status).toBe(404);

    const p = await link();
    const waiting = await post(execute.POST, EXECUTE, { paymentId: p.id });
    expect(waiting.status).toBe(422);
    expect(waiting.json.error.message).toMatch(/^The payer has not approved the order at PayPal yet \(PAYER_ACTION_REQUIRED\)/);
    expect(waiting.json.error.details).toMatchObject({ providerStatus: "PAYER_ACTION_REQUIRED", paymentUrl: p.paymentUrl });
    expect(await captures(p.providerPaymentId)).toMatchObject({ runs: 0 });

    const other = await createIntegration(
      { provider: "yookassa", name: "YooKassa", mode: "sandbox", credentials: { shopId: String(100000 + Math.floor(Math.random() * 899_999)), secretKey: `test_${randomBytes(24).toString("base64url")}` } },
      system,
    );
    const rub = await post(payments.POST, "/api/v1/payments", { amountMinor: 10000, currency: "RUB", integrationId: other.id, returnUrl: "https://crm.example.test/back" });
    expect(rub.status, rub.text).toBe(201);
    const wrong = await post(execute.POST, EXECUTE, { paymentId: rub.json.id });
    expect(wrong.status).toBe(422);
    expect(wrong.json.error.message).toBe("This is a YooKassa payment: only PayPal payments are executed here");
  });

  it("the return route with a token that is not the payment's order asks PayPal nothing, and still sends the payer on", async () => {
    const p = await link();
    await approve(p, { lose: true });
    const before = await db.integrationLog.count({ where: { relatedId: p.id } });
    const res = await call(returned.GET as never, { url: `/api/payments/${p.id}/return?token=SOMEOTHERORDER1234&PayerID=X`, params: { id: p.id } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(new RegExp(`/payments/${p.id}\\?returned=1$`));
    expect(await db.integrationLog.count({ where: { relatedId: p.id } })).toBe(before);
    expect((await row(p.id)).status).toBe("pending");
    const junk = await call(returned.GET as never, { url: "/api/payments/not-an-id/return", params: { id: "not-an-id" } });
    expect(junk.status).toBe(303);
    expect(junk.headers.get("location")).toMatch(/\/payments$/);
  });
});

describe("any interleaving of the paths (fast-check)", () => {
  type Path = "webhook" | "return" | "status" | "refresh" | "sweep" | "execute";
  const PATHS: Path[] = ["webhook", "return", "status", "refresh", "sweep", "execute"];

  /** PayPal's "resend event" of the order's APPROVED event (the one the sandbox lost): the same event id each time */
  async function resendApproved(orderId: string) {
    const deliveries = (await (await fetch(`${sandbox().url}/paypal/__deliveries`)).json()).items as { eventId: string; eventType: string; resourceId?: string }[];
    const approved = deliveries.find((d) => d.eventType === "CHECKOUT.ORDER.APPROVED" && d.resourceId === orderId);
    expect(approved, `the APPROVED event of ${orderId}`).toBeDefined();
    const auth = `Basic ${Buffer.from(`${creds.clientId}:${creds.clientSecret}`).toString("base64")}`;
    const token = await fetch(`${sandbox().url}/paypal/v1/oauth2/token`, { method: "POST", headers: { authorization: auth, "content-type": "application/x-www-form-urlencoded" }, body: "grant_type=client_credentials" });
    const { access_token } = (await token.json()) as { access_token: string };
    const res = await fetch(`${sandbox().url}/paypal/v1/notifications/webhooks-events/${approved!.eventId}/resend`, {
      method: "POST",
      headers: { authorization: `Bearer ${access_token}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(202);
  }

  it("captured exactly once, never backwards, each provider event applied once", async () => {
    const plan = fc.array(fc.array(fc.constantFrom(...PATHS), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 5 });
    await fc.assert(
      fc.asyncProperty(plan, async (steps) => {
        const p = await link(1200);
        const back = await approve(p, { lose: true });
        const seen: PaymentStatus[] = [(await row(p.id)).status];
        for (const together of steps) {
          // the paths of one step race each other
          await Promise.all(
            together.map(async (path) => {
              switch (path) {
                case "webhook":
                  return resendApproved(p.providerPaymentId);
                case "return":
                  return expect((await comeBack(p.id, back)).status).toBe(303);
                case "status":
                  return expect((await call(seedStatus.GET as never, { url: `/api/v1/integrations/payments/${p.id}/status`, params: { paymentId: p.id }, bearer: key })).status).toBe(200);
                case "refresh":
                  return expect((await call(one.GET as never, { url: `/api/v1/payments/${p.id}?refresh=1`, params: { id: p.id }, bearer: key })).status).toBe(200);
                case "sweep":
                  return sweepUncaptured({ graceSeconds: 0 });
                case "execute":
                  return expect((await post(execute.POST, EXECUTE, { paymentId: p.id })).status).toBe(200);
              }
            }),
          );
          seen.push((await row(p.id)).status);
        }
        const done = await settled(p.id);
        await untilIdle({ workers: running.workers });
        seen.push((await row(p.id)).status);
        expectNeverBackwards(seen);
        const final = await row(p.id);
        expect(final).toMatchObject({ status: "succeeded", capturedMinor: 1200, refundedMinor: 0, providerCaptureId: done.providerCaptureId });
        // a late APPROVED does not put the payment's provider status back either
        expect(final.providerStatus).not.toMatch(/APPROVED|PAYER_ACTION_REQUIRED/);
        // captured exactly once: one capture request ran at PayPal, one capture
        expect(await captures(p.providerPaymentId)).toMatchObject({ runs: 1, completed: 1 });
        // each provider event applied once: on the timeline once, and moving the payment at most once
        const history = final.history as Entry[];
        const byEvent = new Map<string, number>();
        for (const h of history) if (h.eventId) byEvent.set(h.eventId, (byEvent.get(h.eventId) ?? 0) + 1);
        for (const [eventId, n] of byEvent) expect(n, `event ${eventId} on the timeline`).toBe(1);
        expect(history.filter((h) => h.event === "succeeded" && h.applied)).toHaveLength(1);
        // announced once, by the path that captured it
        expect(await capturedBy(p.id)).toBeDefined();
        // the applied statuses in the timeline never go back either
        expectNeverBackwards(history.filter((h) => h.applied && h.status).map((h) => h.status as PaymentStatus));
        // the inbox stored each PayPal event once (a resend of the same event is a duplicate)
        const stored = await db.webhookEvent.findMany({ where: { integrationId: paypal.id, payload: { path: ["resource", "id"], equals: p.providerPaymentId } } });
        expect(new Set(stored.map((e) => e.externalId)).size).toBe(stored.length);
      }),
      { numRuns: 12 },
    );
  });
});
