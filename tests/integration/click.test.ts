// Click end to end (issue 18, item 5): a payment link made through the payments API, Click's SHOP
// API calls (Prepare action=0, Complete action=1; form fields signed with MD5) made by the Click
// sandbox, and made directly for every answer code. Real PostgreSQL, the real webhook front; the
// calls are answered at once (no workers).
import { describe, expect, it, beforeAll } from "vitest";
import { randomBytes, randomInt, randomUUID } from "node:crypto";
import fc from "fast-check";
import { db } from "@/lib/db";
import { createIntegration } from "@/lib/integrations/service";
import { signOf, signTime } from "@/lib/providers/click/client";
import type { PaymentStatus } from "@/lib/providers/types";
import { sandbox, system } from "../helpers/fixtures";
import { expectConsistent, expectNeverBackwards, merchantSetup, paymentRow, sandboxPost, transactionsOf } from "../helpers/merchant";

const { front, createPayment } = merchantSetup();
let integration: { id: string; code: string };
const serviceId = String(randomInt(10_000, 99_999));
const secretKey = randomBytes(18).toString("base64url");

beforeAll(async () => {
  integration = await createIntegration({ provider: "click", name: "Click", mode: "sandbox", credentials: { serviceId, merchantId: "4321", secretKey }, config: {} }, system);
});

type Answer = { click_trans_id: number; merchant_trans_id: string; merchant_prepare_id?: number | null; merchant_confirm_id?: number | null; error: number; error_note: string };

/** one call to our Prepare/Complete URL as Click makes it: the form, signed (unless `sign` is given) */
async function click(fields: Record<string, string>, opts: { sign?: string; secret?: string } = {}) {
  const f: Record<string, string> = { service_id: serviceId, click_paydoc_id: "77", error: "0", error_note: "Success", sign_time: signTime(), ...fields };
  f.sign_string = opts.sign ?? signOf(f, opts.secret ?? secretKey);
  const res = await fetch(`${front.url}/api/webhooks/click/${integration.code}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(f).toString(),
  });
  // Click reads every answer, errors included, from an HTTP 200
  expect(res.status).toBe(200);
  return (await res.json()) as Answer;
}

async function link(amountMinor = 1_000_000) {
  const res = await createPayment({ amountMinor, currency: "UZS", provider: "click", description: "Vending route 12" });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; paymentUrl: string; status: string };
}

const transId = () => String(randomInt(1_000_000_000, 9_999_999_999));
const prepare = (order: string, id = transId(), amount = "10000.00") => ({ click_trans_id: id, merchant_trans_id: order, amount, action: "0" });
const complete = (order: string, id: string, prepareId: number | null | undefined, amount = "10000.00", error = "0") => ({
  click_trans_id: id, merchant_trans_id: order, merchant_prepare_id: String(prepareId ?? ""), amount, action: "1", error,
});

describe("payment links", () => {
  it("point at Click's payment page; the sandbox pays: Prepare, then Complete, the payment succeeded", async () => {
    const p = await link();
    const u = new URL(p.paymentUrl);
    expect(`${u.origin}${u.pathname}`).toBe(`${sandbox().url}/click/services/pay`);
    expect(u.searchParams.get("transaction_param")).toBe(p.id);
    expect(u.searchParams.get("amount")).toBe("10000.00");
    const run = await sandboxPost("click", "/__pay", { link: p.paymentUrl, scenario: "pay" });
    expect(run).toMatchObject({ ok: true, checks: [] });
    expect(run.calls.map((c: { action: string }) => c.action)).toEqual(["0", "1"]);
    expect(await paymentRow(p.id)).toMatchObject({ status: "succeeded", capturedMinor: 1_000_000 });
    const [t] = await transactionsOf(p.id);
    expect(t).toMatchObject({ state: 2, amountMinor: 1_000_000 });
    expect(run.calls[0].answer.merchant_prepare_id).toBe(Number(t.id));
    expect(run.calls[1].answer.merchant_confirm_id).toBe(Number(t.id));
    const events = await db.webhookEvent.findMany({ where: { integrationId: integration.id, externalId: t.providerTxId } });
    expect(events.map((e) => e.eventType).sort()).toEqual(["complete", "prepare"]);
    expect(events.every((e) => e.status === "completed")).toBe(true);
  });

  it("the browser: Pay on the payment page sends the payer back, paid; Decline cancels and fails the payment", async () => {
    const p = await link(500_050);
    const page = `${sandbox().url}${new URL(p.paymentUrl).pathname}${new URL(p.paymentUrl).search}`;
    expect(await (await fetch(page)).text()).toContain("5000.50 UZS");
    const res = await fetch(page, { method: "POST", body: new URLSearchParams({ outcome: "pay" }), redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toContain(`/payments/${p.id}`);
    expect((await paymentRow(p.id)).status).toBe("succeeded");

    const q = await link();
    const declined = await sandboxPost("click", "/__pay", { link: q.paymentUrl, scenario: "decline" });
    expect(declined.ok).toBe(true);
    expect(declined.calls[1].answer).toMatchObject({ error: -9 });
    const failed = await paymentRow(q.id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/-5017/);
    expect((await transactionsOf(q.id)).map((t) => [t.state, t.reason])).toEqual([[-1, -5017]]);
  });

  it("the sandbox's faults: a wrong signature (-1), a wrong amount (-2), an unknown order (-5), each call repeated", async () => {
    const p = await link();
    expect((await sandboxPost("click", "/__pay", { link: p.paymentUrl, faults: { wrongSign: true } })).calls[0].answer).toMatchObject({ error: -1, error_note: "SIGN CHECK FAILED!" });
    expect((await sandboxPost("click", "/__pay", { link: p.paymentUrl, faults: { amountDelta: 1 } })).calls[0].answer).toMatchObject({ error: -2 });
    expect((await sandboxPost("click", "/__pay", { link: p.paymentUrl, faults: { order: randomUUID() } })).calls[0].answer).toMatchObject({ error: -5 });
    expect(await transactionsOf(p.id)).toEqual([]);
    const twice = await sandboxPost("click", "/__pay", { link: p.paymentUrl, faults: { repeats: 2 } });
    expect(twice).toMatchObject({ ok: true, checks: [] });
    expect(twice.calls.map((c: { action: string }) => c.action)).toEqual(["0", "0", "1", "1"]);
    expect((await transactionsOf(p.id)).length).toBe(1);
  });
});

describe("Prepare and Complete, code by code", () => {
  it("0: Prepare gives merchant_prepare_id, Complete merchant_confirm_id; both repeated give the same answer", async () => {
    const p = await link();
    const id = transId();
    const prepared = await click(prepare(p.id, id));
    expect(prepared).toMatchObject({ error: 0, error_note: "Success", click_trans_id: Number(id), merchant_trans_id: p.id });
    expect(prepared.merchant_prepare_id).toBeGreaterThan(0);
    expect(await click(prepare(p.id, id))).toEqual(prepared);
    expect((await paymentRow(p.id)).status).toBe("pending");
    const done = await click(complete(p.id, id, prepared.merchant_prepare_id));
    expect(done).toMatchObject({ error: 0, merchant_confirm_id: prepared.merchant_prepare_id });
    expect(await click(complete(p.id, id, prepared.merchant_prepare_id))).toEqual(done);
    expect((await paymentRow(p.id)).status).toBe("succeeded");
  });

  it("-1 a signature made with another key, or another service's call; recorded as rejected", async () => {
    const p = await link();
    expect(await click(prepare(p.id), { secret: "not-the-secret" })).toMatchObject({ error: -1, error_note: "SIGN CHECK FAILED!" });
    expect(await click({ ...prepare(p.id), service_id: "1" })).toMatchObject({ error: -1 });
    expect(await transactionsOf(p.id)).toEqual([]);
    const rejected = await db.webhookEvent.count({ where: { integrationId: integration.id, status: "rejected" } });
    expect(rejected).toBeGreaterThanOrEqual(2);
  });

  it("-2 a sum that is not the order's, at Prepare and at Complete", async () => {
    const p = await link();
    expect(await click(prepare(p.id, transId(), "10000.01"))).toMatchObject({ error: -2 });
    const id = transId();
    const prepared = await click(prepare(p.id, id));
    expect(await click(complete(p.id, id, prepared.merchant_prepare_id, "9999.00"))).toMatchObject({ error: -2 });
    expect((await paymentRow(p.id)).status).toBe("pending");
  });

  it("-3 an action that is neither Prepare nor Complete; -8 a request missing its fields", async () => {
    const p = await link();
    expect(await click({ ...prepare(p.id), action: "2" })).toMatchObject({ error: -3, error_note: "Action not found" });
    expect(await click({ ...prepare(p.id), amount: "ten" })).toMatchObject({ error: -8 });
    // a Complete without merchant_prepare_id
    expect(await click({ ...prepare(p.id), action: "1" })).toMatchObject({ error: -8 });
    const res = await fetch(`${front.url}/api/webhooks/click/${integration.code}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "action=0" });
    expect(await res.json()).toMatchObject({ error: -8, error_note: "Error in request from click" });
  });

  it("-4 an order already paid (another Prepare, another Complete), -5 an unknown order", async () => {
    const p = await link();
    const a = transId();
    const b = transId();
    const pa = await click(prepare(p.id, a));
    const pb = await click(prepare(p.id, b));
    expect(pb.error).toBe(0);
    await click(complete(p.id, a, pa.merchant_prepare_id));
    expect(await click(complete(p.id, b, pb.merchant_prepare_id))).toMatchObject({ error: -4, error_note: "Already paid" });
    expect(await click(prepare(p.id))).toMatchObject({ error: -4 });
    expect(await click(prepare(randomUUID()))).toMatchObject({ error: -5 });
    expect(await click(prepare("not-a-payment-id"))).toMatchObject({ error: -5 });
    const txs = await transactionsOf(p.id);
    expect(txs.filter((t) => t.state === 2).map((t) => t.providerTxId)).toEqual([a]);
  });

  it("-6 a Complete for a transaction never prepared, or with another merchant_prepare_id", async () => {
    const p = await link();
    expect(await click(complete(p.id, transId(), 12345))).toMatchObject({ error: -6, error_note: "Transaction does not exist" });
    const id = transId();
    const prepared = await click(prepare(p.id, id));
    expect(await click(complete(p.id, id, prepared.merchant_prepare_id! + 1))).toMatchObject({ error: -6 });
  });

  it("-9 a Complete with error < 0 cancels ours (the payment failed); then a Complete for it is -9; a new attempt can still pay", async () => {
    const p = await link();
    const id = transId();
    const prepared = await click(prepare(p.id, id));
    const failed = await click(complete(p.id, id, prepared.merchant_prepare_id, "10000.00", "-5017"));
    expect(failed).toMatchObject({ error: -9, error_note: "Transaction cancelled" });
    expect(await click(complete(p.id, id, prepared.merchant_prepare_id, "10000.00", "-5017"))).toEqual(failed);
    expect(await click(complete(p.id, id, prepared.merchant_prepare_id))).toMatchObject({ error: -9 });
    expect(await click(prepare(p.id, id))).toMatchObject({ error: -9 });
    expect((await paymentRow(p.id)).status).toBe("failed");
    const again = transId();
    const second = await click(prepare(p.id, again));
    expect((await click(complete(p.id, again, second.merchant_prepare_id))).error).toBe(0);
    expect((await paymentRow(p.id)).status).toBe("succeeded");
  });

  it("Test connection runs the sandbox's checks against our URL", async () => {
    expect(await sandboxPost("click", `/__console/${serviceId}/check`, {})).toMatchObject({ ok: true });
  });
});

describe("any interleaving of Click's calls for one order", () => {
  type Step = { kind: "prepare" | "complete" | "fail"; tx: number };
  const step = fc.record({ kind: fc.constantFrom("prepare", "complete", "fail"), tx: fc.integer({ min: 0, max: 2 }) }) as fc.Arbitrary<Step>;
  const plan = fc.array(fc.tuple(step, fc.boolean()), { minLength: 1, maxLength: 10 });

  it("never moves the payment backwards, applies each transaction once, completes at most one", async () => {
    await fc.assert(
      fc.asyncProperty(plan, async (steps) => {
        const p = await link();
        const ids = [transId(), transId(), transId()];
        const prepareIds = new Map<string, number>();
        const seen: PaymentStatus[] = ["pending"];
        for (const [s, twice] of steps) {
          const id = ids[s.tx];
          const fields = s.kind === "prepare" ? prepare(p.id, id) : complete(p.id, id, prepareIds.get(id) ?? 1, "10000.00", s.kind === "fail" ? "-5017" : "0");
          const answers = await Promise.all((twice ? [0, 1] : [0]).map(() => click(fields)));
          if (twice) expect(answers[1]).toEqual(answers[0]);
          if (s.kind === "prepare" && answers[0].error === 0) {
            // a transaction keeps its merchant_prepare_id
            if (prepareIds.has(id)) expect(answers[0].merchant_prepare_id).toBe(prepareIds.get(id));
            prepareIds.set(id, answers[0].merchant_prepare_id!);
          }
          seen.push((await paymentRow(p.id)).status);
        }
        expectNeverBackwards(seen);
        await expectConsistent(p.id, [2], null);
      }),
      { numRuns: 12 },
    );
  });
});
