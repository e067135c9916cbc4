// Payme end to end (issue 18, item 4): a payment link made through the payments API, Payme's
// Merchant API calls to our endpoint (JSON-RPC 2.0, HTTP Basic Paycom:<key>) made by the Payme
// sandbox as its test console makes them, and made directly for every method and error code.
// Real PostgreSQL, the real webhook front; the calls are answered at once (no workers).
import { describe, expect, it, beforeAll } from "vitest";
import { randomBytes, randomUUID } from "node:crypto";
import fc from "fast-check";
import { db } from "@/lib/db";
import { createIntegration, updateIntegration } from "@/lib/integrations/service";
import { readCheckoutToken } from "@/lib/providers/payme/client";
import * as webhookReplay from "@/app/api/v1/webhooks/[id]/replay/route";
import * as refundRoute from "@/app/api/v1/payments/[id]/refund/route";
import type { PaymentStatus } from "@/lib/providers/types";
import { call } from "../helpers/http";
import { createUser, sandbox, system } from "../helpers/fixtures";
import { setEnv } from "../helpers/workers";
import { expectConsistent, expectNeverBackwards, merchantSetup, paymentRow, sandboxPost, transactionsOf } from "../helpers/merchant";

// a changed key is not accepted after the change (ChangePassword): no grace period in this file
setEnv({ WEBHOOK_SECRET_GRACE_HOURS: "0" });

const { front, api, createPayment } = merchantSetup();
let integration: { id: string; code: string };
const merchantId = randomBytes(12).toString("hex");
let key = randomBytes(24).toString("base64url");

beforeAll(async () => {
  integration = await createIntegration({ provider: "payme", name: "Payme", mode: "sandbox", credentials: { merchantId, key }, config: {} }, system);
});

const endpoint = () => `${front.url}/api/webhooks/payme/${integration.code}`;

/** one Merchant API call to our endpoint, as Payme makes it */
async function rpc(method: string, params: Record<string, unknown>, opts: { key?: string; raw?: string; authorization?: string } = {}) {
  const res = await fetch(endpoint(), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: opts.authorization ?? `Basic ${Buffer.from(`Paycom:${opts.key ?? key}`).toString("base64")}`,
    },
    body: opts.raw ?? JSON.stringify({ jsonrpc: "2.0", id: 7, method, params }),
  });
  // Payme reads every answer, errors included, from an HTTP 200
  expect(res.status).toBe(200);
  return (await res.json()) as { id: unknown; result?: any; error?: { code: number; message: { ru: string; uz: string; en: string }; data?: unknown } };
}

async function link(amountMinor = 150_000) {
  const res = await createPayment({ amountMinor, currency: "UZS", provider: "payme", description: "Snack machine refill" });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; paymentUrl: string; status: string };
}

/** the checkout link's token: everything after the checkout's path (base64 may hold "/") */
const tokenOf = (url: string) => url.slice(`${sandbox().url}/payme/`.length);
const txId = () => Math.floor(Date.now() / 1000).toString(16) + randomBytes(8).toString("hex");
const account = (id: string) => ({ order_id: id });

describe("payment links", () => {
  it("points at Payme's checkout with the cashbox, the order and the sum in tiyin", async () => {
    const p = await link(250_000);
    expect(p.status).toBe("pending");
    expect(p.paymentUrl.startsWith(`${sandbox().url}/payme/`)).toBe(true);
    const params = readCheckoutToken(tokenOf(p.paymentUrl))!;
    expect(params).toMatchObject({ m: merchantId, "ac.order_id": p.id, a: "250000", l: "ru" });
    expect(params.c).toContain(`/payments/${p.id}`);
  });

  it("refuses another currency than sums, and says so", async () => {
    const res = await createPayment({ amountMinor: 1000, currency: "USD", provider: "payme" });
    expect(res.status).toBe(422);
    expect(res.json.error.message).toMatch(/UZS/);
  });

  it("the sandbox checkout pays it as Payme's console does: every repeat answered the same, the payment succeeded", async () => {
    const p = await link();
    const run = await sandboxPost("payme", "/__pay", { link: p.paymentUrl, scenario: "pay" });
    expect(run.checks).toEqual([]);
    expect(run.ok).toBe(true);
    expect(run.calls.map((c: { method: string }) => c.method)).toEqual([
      "CheckPerformTransaction", "CreateTransaction", "CreateTransaction", "PerformTransaction", "PerformTransaction", "CheckTransaction",
    ]);
    const paid = await paymentRow(p.id);
    expect(paid).toMatchObject({ status: "succeeded", capturedMinor: 150_000 });
    const [t] = await transactionsOf(p.id);
    expect(t).toMatchObject({ state: 2, amountMinor: 150_000, integrationId: integration.id });
    expect(paid.providerPaymentId).toBe(t.providerTxId);
    // every call is on the webhooks screen, answered, none queued
    const events = await db.webhookEvent.findMany({ where: { integrationId: integration.id, externalId: t.providerTxId } });
    expect(events.map((e) => e.eventType).sort()).toEqual(["CheckTransaction", "CreateTransaction", "CreateTransaction", "PerformTransaction", "PerformTransaction"]);
    expect(events.every((e) => e.status === "completed" && e.signatureVerified)).toBe(true);
    const perform = events.find((e) => e.eventType === "PerformTransaction")!;
    expect((perform.result as { events: { type: string }[] }).events.map((e) => e.type)).toEqual(["payment.updated"]);
  });

  it("the browser checkout: Pay sends the payer back to the return URL, paid", async () => {
    const p = await link(99_900);
    const token = tokenOf(p.paymentUrl);
    const pageRes = await fetch(`${sandbox().url}/payme/${token}`);
    expect(await pageRes.text()).toContain("999.00 UZS");
    const res = await fetch(`${sandbox().url}/payme/${token}`, { method: "POST", body: new URLSearchParams({ outcome: "pay" }), redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toContain(`/payments/${p.id}`);
    expect((await paymentRow(p.id)).status).toBe("succeeded");
  });

  it("a declined payment: the transaction is cancelled (state -1), the payment failed; paying again later succeeds", async () => {
    const p = await link();
    const run = await sandboxPost("payme", "/__pay", { link: p.paymentUrl, scenario: "decline" });
    expect(run.checks).toEqual([]);
    expect((await paymentRow(p.id)).status).toBe("failed");
    expect((await transactionsOf(p.id)).map((t) => [t.state, t.reason])).toEqual([[-1, 3]]);
    const again = await sandboxPost("payme", "/__pay", { link: p.paymentUrl, scenario: "pay" });
    expect(again.ok).toBe(true);
    expect((await paymentRow(p.id)).status).toBe("succeeded");
  });

  it("cancel after perform (a refund in the Payme cabinet): state -2, the payment refunded", async () => {
    const p = await link();
    const run = await sandboxPost("payme", "/__pay", { link: p.paymentUrl, scenario: "refund" });
    expect(run.checks).toEqual([]);
    expect(await paymentRow(p.id)).toMatchObject({ status: "refunded", capturedMinor: 150_000, refundedMinor: 150_000 });
    expect((await transactionsOf(p.id)).map((t) => [t.state, t.reason])).toEqual([[-2, 5]]);
  });

  it("a refund asked of Switchboard is refused at once, naming where it is made; nothing is written", async () => {
    const p = await link();
    await sandboxPost("payme", "/__pay", { link: p.paymentUrl, scenario: "pay" });
    const res = await call(refundRoute.POST as never, { method: "POST", url: `/api/v1/payments/${p.id}/refund`, params: { id: p.id }, body: { amountMinor: 1000 }, bearer: api.key });
    expect(res.status).toBe(422);
    expect(res.json.error.message).toMatch(/Payme/);
    expect(await db.refund.count({ where: { paymentId: p.id } })).toBe(0);
    expect(await db.auditLog.count({ where: { entityId: p.id, action: { startsWith: "payment.refund" } } })).toBe(0);
    expect(await paymentRow(p.id)).toMatchObject({ status: "succeeded", refundedMinor: 0 });
  });

  it("timeout: a transaction not performed within 12 hours of its creation at Payme is cancelled with reason 4, Perform answered -31008", async () => {
    const p = await link();
    const run = await sandboxPost("payme", "/__pay", { link: p.paymentUrl, scenario: "timeout" });
    expect(run.outcome).toContain("-31008");
    const [t] = await transactionsOf(p.id);
    expect(t).toMatchObject({ state: -1, reason: 4 });
    const after = await paymentRow(p.id);
    expect(after.status).toBe("failed");
    expect(after.error).toMatch(/12 hours/);
    // CheckTransaction reports it so
    const check = await rpc("CheckTransaction", { id: t.providerTxId });
    expect(check.result).toMatchObject({ state: -1, reason: 4, perform_time: 0 });
    expect(check.result.cancel_time).toBe(t.canceledAt!.getTime());
  });

  it("the sandbox's faults: a wrong key, a wrong amount, an order that does not exist", async () => {
    const p = await link();
    const wrongKey = await sandboxPost("payme", "/__pay", { link: p.paymentUrl, faults: { wrongKey: true } });
    expect(wrongKey.ok).toBe(false);
    expect(wrongKey.calls[0].answer.error.code).toBe(-32504);
    const wrongAmount = await sandboxPost("payme", "/__pay", { link: p.paymentUrl, faults: { amountDelta: 100 } });
    expect(wrongAmount.calls[0].answer.error.code).toBe(-31001);
    const unknown = await sandboxPost("payme", "/__pay", { link: p.paymentUrl, faults: { order: randomUUID() } });
    expect(unknown.calls[0].answer.error).toMatchObject({ code: -31050, data: "order_id" });
    expect((await paymentRow(p.id)).status).toBe("pending");
    expect(await transactionsOf(p.id)).toEqual([]);
  });

  it("Test connection runs the console's first checks through the sandbox", async () => {
    const res = await sandboxPost("payme", `/__console/${merchantId}/check`, {});
    expect(res).toMatchObject({ ok: true });
  });
});

describe("the Merchant API, method by method", () => {
  it("authorization: no key, a wrong key, a wrong login → -32504 in an HTTP 200, recorded as rejected, nothing done", async () => {
    const p = await link();
    const params = { amount: 150_000, account: account(p.id) };
    for (const opts of [{ authorization: "" }, { key: "not-the-key-at-all" }, { authorization: `Basic ${Buffer.from(`Payme:${key}`).toString("base64")}` }]) {
      const r = await rpc("CheckPerformTransaction", params, opts);
      expect(r.error).toMatchObject({ code: -32504 });
      expect(r.error!.message.en).toBeTruthy();
      expect(r.error!.message.ru).toBeTruthy();
      expect(r.error!.message.uz).toBeTruthy();
      expect(r.id).toBe(7);
    }
    const rejected = await db.webhookEvent.findMany({ where: { integrationId: integration.id, status: "rejected" } });
    expect(rejected.length).toBeGreaterThanOrEqual(3);
    // the key is never stored with what was received
    expect(JSON.stringify(rejected.map((r) => r.headers))).not.toContain(Buffer.from(`Paycom:${key}`).toString("base64"));
  });

  it("-32700 not JSON, -32600 not a request or wrong parameters, -32601 an unknown method", async () => {
    expect((await rpc("", {}, { raw: "{not json" })).error?.code).toBe(-32700);
    expect((await rpc("", {}, { raw: JSON.stringify({ id: 3, params: {} }) })).error).toMatchObject({ code: -32600 });
    const wrongType = await rpc("CheckPerformTransaction", { amount: "150000", account: {} });
    expect(wrongType.error?.code).toBe(-32600);
    const unknown = await rpc("GetBalance", {});
    expect(unknown.error).toMatchObject({ code: -32601, data: "GetBalance" });
  });

  it("CheckPerformTransaction: allowed; -31001 a wrong amount; -31050 an unknown order (data names the field)", async () => {
    const p = await link();
    expect((await rpc("CheckPerformTransaction", { amount: 150_000, account: account(p.id) })).result).toEqual({ allow: true });
    expect((await rpc("CheckPerformTransaction", { amount: 150_001, account: account(p.id) })).error?.code).toBe(-31001);
    expect((await rpc("CheckPerformTransaction", { amount: 150_000, account: account(randomUUID()) })).error).toMatchObject({ code: -31050, data: "order_id" });
    expect((await rpc("CheckPerformTransaction", { amount: 150_000, account: { login: p.id } })).error).toMatchObject({ code: -31050, data: "order_id" });
  });

  it("CreateTransaction: created (state 1); the same id again the same answer; another transaction for the order -31099; a stale time -31008", async () => {
    const p = await link();
    const id = txId();
    const time = Date.now();
    const first = await rpc("CreateTransaction", { id, time, amount: 150_000, account: account(p.id) });
    expect(first.result).toMatchObject({ state: 1 });
    expect(typeof first.result.transaction).toBe("string");
    expect(first.result.create_time).toBeGreaterThan(0);
    const again = await rpc("CreateTransaction", { id, time, amount: 150_000, account: account(p.id) });
    expect(again.result).toEqual(first.result);
    expect((await transactionsOf(p.id)).length).toBe(1);
    const other = await rpc("CreateTransaction", { id: txId(), time: Date.now(), amount: 150_000, account: account(p.id) });
    expect(other.error?.code).toBeLessThanOrEqual(-31050);
    expect(other.error?.code).toBeGreaterThanOrEqual(-31099);
    expect((await rpc("CheckPerformTransaction", { amount: 150_000, account: account(p.id) })).error?.code).toBe(-31099);
    const q = await link();
    expect((await rpc("CreateTransaction", { id: txId(), time: Date.now() - 43_200_001 - 60_000, amount: 150_000, account: account(q.id) })).error?.code).toBe(-31008);
    expect((await rpc("CreateTransaction", { id: txId(), time: Date.now(), amount: 1, account: account(q.id) })).error?.code).toBe(-31001);
    expect(await transactionsOf(q.id)).toEqual([]);
  });

  it("PerformTransaction: performed (state 2) once, repeated the same; -31003 unknown; then the order is paid (-31051)", async () => {
    const p = await link();
    const id = txId();
    await rpc("CreateTransaction", { id, time: Date.now(), amount: 150_000, account: account(p.id) });
    const done = await rpc("PerformTransaction", { id });
    expect(done.result).toMatchObject({ state: 2 });
    expect(done.result.perform_time).toBeGreaterThan(0);
    expect((await rpc("PerformTransaction", { id })).result).toEqual(done.result);
    expect((await rpc("PerformTransaction", { id: txId() })).error?.code).toBe(-31003);
    expect((await rpc("CheckPerformTransaction", { amount: 150_000, account: account(p.id) })).error?.code).toBe(-31051);
    expect((await rpc("CreateTransaction", { id: txId(), time: Date.now(), amount: 150_000, account: account(p.id) })).error?.code).toBe(-31051);
    const check = await rpc("CheckTransaction", { id });
    expect(check.result).toEqual({ create_time: expect.any(Number), perform_time: done.result.perform_time, cancel_time: 0, transaction: done.result.transaction, state: 2, reason: null });
    expect((await rpc("CheckTransaction", { id: txId() })).error?.code).toBe(-31003);
  });

  it("CancelTransaction: before perform -1 (then Perform -31008), after perform -2; repeats the same; -31003 unknown; -31007 when refunds are off", async () => {
    const p = await link();
    const id = txId();
    await rpc("CreateTransaction", { id, time: Date.now(), amount: 150_000, account: account(p.id) });
    const cancelled = await rpc("CancelTransaction", { id, reason: 3 });
    expect(cancelled.result).toMatchObject({ state: -1 });
    expect((await rpc("CancelTransaction", { id, reason: 3 })).result).toEqual(cancelled.result);
    expect((await rpc("PerformTransaction", { id })).error?.code).toBe(-31008);
    expect((await rpc("CancelTransaction", { id: txId(), reason: 3 })).error?.code).toBe(-31003);

    await updateIntegration(integration.id, { config: { refundAfterPerform: false } }, system);
    try {
      const q = await link();
      const qid = txId();
      await rpc("CreateTransaction", { id: qid, time: Date.now(), amount: 150_000, account: account(q.id) });
      await rpc("PerformTransaction", { id: qid });
      expect((await rpc("CancelTransaction", { id: qid, reason: 5 })).error?.code).toBe(-31007);
      expect((await paymentRow(q.id)).status).toBe("succeeded");
    } finally {
      await updateIntegration(integration.id, { config: { refundAfterPerform: true } }, system);
    }
  });

  it("GetStatement: the transactions Payme created in [from, to], both ends included, oldest first; refused ones are not in it", async () => {
    const base = Date.now() - 3_600_000;
    const made: { id: string; time: number; order: string }[] = [];
    for (const dt of [0, 1000, 2000]) {
      const p = await link();
      const id = txId();
      await rpc("CreateTransaction", { id, time: base + dt, amount: 150_000, account: account(p.id) });
      made.push({ id, time: base + dt, order: p.id });
    }
    const refused = await link();
    await rpc("CreateTransaction", { id: txId(), time: base + 500, amount: 1, account: account(refused.id) });
    await rpc("PerformTransaction", { id: made[1].id });

    const both = await rpc("GetStatement", { from: base, to: base + 1000 });
    expect(both.result.transactions.map((t: { id: string }) => t.id)).toEqual([made[0].id, made[1].id]);
    expect(both.result.transactions[1]).toMatchObject({ time: base + 1000, amount: 150_000, account: account(made[1].order), state: 2, reason: null });
    expect(both.result.transactions[1].perform_time).toBeGreaterThan(0);
    expect((await rpc("GetStatement", { from: base + 1001, to: base + 2000 })).result.transactions.map((t: { id: string }) => t.id)).toEqual([made[2].id]);
    expect((await rpc("GetStatement", { from: base + 2001, to: base + 2999 })).result).toEqual({ transactions: [] });
  });

  it("ChangePassword: the new key is stored encrypted and is the one accepted; the old one is refused; nothing shows it", async () => {
    const newKey = randomBytes(24).toString("base64url");
    expect((await rpc("ChangePassword", { password: newKey })).result).toEqual({ success: true });
    const old = key;
    key = newKey;
    expect((await rpc("CheckTransaction", { id: txId() }, { key: old })).error?.code).toBe(-32504);
    expect((await rpc("CheckTransaction", { id: txId() })).error?.code).toBe(-31003);
    const row = await db.integration.findUniqueOrThrow({ where: { id: integration.id } });
    expect(row.credentials).not.toContain(newKey);
    const recorded = await db.webhookEvent.findFirstOrThrow({ where: { integrationId: integration.id, eventType: "ChangePassword" } });
    expect(JSON.stringify(recorded)).not.toContain(newKey);
    const audit = await db.auditLog.findFirstOrThrow({ where: { entityId: integration.id, action: "integration.update" }, orderBy: { createdAt: "desc" } });
    expect(JSON.stringify(audit.changes)).toContain("[changed]");
    expect(JSON.stringify(audit.changes)).not.toContain(newKey);
  });

  it("a repeated call with the same body is counted as a duplicate; Payme's calls are not replayed by hand", async () => {
    const id = txId();
    await rpc("CheckTransaction", { id });
    await rpc("CheckTransaction", { id });
    const ev = await db.webhookEvent.findFirstOrThrow({ where: { integrationId: integration.id, externalId: id } });
    expect(ev.duplicates).toBe(1);
    const admin = await createUser("admin");
    const res = await call(webhookReplay.POST as never, { method: "POST", url: `/api/v1/webhooks/${ev.id}/replay`, params: { id: ev.id }, cookie: admin.cookie });
    expect(res.status).toBe(409);
    expect(res.json.error.message).toMatch(/Payme/);
  });
});

describe("any interleaving of Payme's calls for one order", () => {
  type Step = { method: "CheckPerformTransaction" | "CreateTransaction" | "PerformTransaction" | "CancelTransaction" | "CheckTransaction"; tx: number; reason?: number };
  const step = fc.record({
    method: fc.constantFrom("CheckPerformTransaction", "CreateTransaction", "PerformTransaction", "CancelTransaction", "CheckTransaction"),
    tx: fc.integer({ min: 0, max: 2 }),
    reason: fc.constantFrom(1, 2, 3, 5),
  }) as fc.Arbitrary<Step>;
  // each step sent once, or twice at the same moment (Payme repeating a call whose answer it did not get)
  const plan = fc.array(fc.tuple(step, fc.boolean()), { minLength: 1, maxLength: 10 });

  it("never moves the payment backwards, applies each transaction once, performs at most one", async () => {
    await fc.assert(
      fc.asyncProperty(plan, async (steps) => {
        const p = await link(120_000);
        const ids = [txId(), txId(), txId()];
        const seen: PaymentStatus[] = ["pending"];
        const performAnswers = new Map<string, unknown>();
        for (const [s, twice] of steps) {
          const id = ids[s.tx];
          const params =
            s.method === "CheckPerformTransaction"
              ? { amount: 120_000, account: account(p.id) }
              : s.method === "CreateTransaction"
                ? { id, time: Date.now(), amount: 120_000, account: account(p.id) }
                : s.method === "CancelTransaction"
                  ? { id, reason: s.reason }
                  : { id };
          const answers = await Promise.all((twice ? [0, 1] : [0]).map(() => rpc(s.method, params)));
          // two at once are answered alike
          if (twice) expect(answers[1]).toEqual(answers[0]);
          const a = answers[0];
          if (s.method === "PerformTransaction" && a.result) {
            // a performed transaction is always answered with its first perform_time
            if (performAnswers.has(id)) expect(a.result).toEqual(performAnswers.get(id));
            else performAnswers.set(id, a.result);
          }
          seen.push((await paymentRow(p.id)).status);
        }
        expectNeverBackwards(seen);
        await expectConsistent(p.id, [2, -2], -2);
      }),
      { numRuns: 12 },
    );
  });
});
