// The YooKassa provider against its sandbox: the client builds API v3 requests (Basic auth,
// Idempotence-Key, decimal amounts), the sandbox plays the checkout and sends unsigned
// notifications from 127.0.0.1 over real HTTP; the inbox lets them in by source address and
// the handler re-fetches every object before trusting it.
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { buildContext, createIntegration, testIntegration, webhookUrl } from "@/lib/integrations/service";
import { getProvider } from "@/lib/providers/registry";
import { PaymentProviderError, type PaymentRequest, type PaymentUpdate, type RefundUpdate } from "@/lib/providers/types";
import { processWebhookEvent } from "@/lib/webhooks/process";
import * as providerRoute from "@/app/api/webhooks/[provider]/[code]/route";
import { fault, sandbox, system } from "@/tests/helpers/fixtures";
import { call } from "@/tests/helpers/http";
import { startWebhookServer } from "@/tests/helpers/webhook-server";
import { setEnv } from "@/tests/helpers/workers";
import { expectNothingMore, sandboxProbe } from "@/tests/helpers/quiet";
import { adapterOnly, failure, jsonOf, processedEvent, sandboxRequests, storedEvents, type SeenRequest } from "@/tests/helpers/providers";

// this file tests the adapter; the areas' reactions to its events are tested in tests/integration
adapterOnly();

const def = getProvider("yookassa")!;

setEnv({ YOOKASSA_ALLOWED_IPS: "127.0.0.1" });
let hooks: Awaited<ReturnType<typeof startWebhookServer>>;
beforeAll(async () => {
  hooks = await startWebhookServer(); // before any integration: sandboxConnect registers its URL
});
afterAll(async () => {
  await hooks.close();
});

let n = 0;
async function integration(config: Record<string, unknown> = {}) {
  const shopId = String(100000 + Math.floor(Math.random() * 899_999));
  const secretKey = `test_${randomBytes(24).toString("base64url")}`;
  const row = await createIntegration(
    { provider: "yookassa", name: `YooKassa ${++n}`, mode: "sandbox", credentials: { shopId, secretKey }, config },
    system,
  );
  return { row, shopId, secretKey, ctx: buildContext(row) };
}

function paymentRequest(over: Partial<PaymentRequest> = {}): PaymentRequest {
  return {
    id: randomUUID(),
    amountMinor: 123450,
    currency: "RUB",
    description: "Transfer APP-1001 airport → hotel",
    customerEmail: "rider@example.com",
    metadata: { order: "APP-1001" },
    returnUrl: "https://crm.example.test/paid",
    cancelUrl: "https://crm.example.test/canceled",
    idempotencyKey: randomUUID(),
    ...over,
  };
}

const requests = (filter: (s: SeenRequest) => boolean) => sandboxRequests("yookassa", filter);

const payError = (p: Promise<unknown>) => failure(p, PaymentProviderError);

const control = (path: string, body: unknown) =>
  fetch(`${sandbox().url}/yookassa${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

const stored = (integrationId: string, count: number, where: Record<string, unknown> = {}) => storedEvents(integrationId, count, "YooKassa notifications", where);

const processed = (id: string) => processedEvent<PaymentUpdate & RefundUpdate>(id);

describe("yookassa: payments", () => {
  it("creates a payment in YooKassa's wire format: Basic auth, Idempotence-Key, 2-decimal RUB, our id in metadata", async () => {
    const { row, shopId, secretKey, ctx } = await integration();
    const req = paymentRequest();
    const p = await def.payments!.create(ctx, req);
    expect(p).toMatchObject({ status: "pending", providerStatus: "pending", error: null });
    expect(p.providerPaymentId).toMatch(/^[0-9a-f]{8}-000f-5000-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(p.paymentUrl).toBe(`${sandbox().url}/yookassa/checkout/${p.providerPaymentId}`);

    const [sent] = await requests((s) => s.method === "POST" && s.path === "/yookassa/v3/payments");
    expect(sent.headers.authorization).toBe(`Basic ${Buffer.from(`${shopId}:${secretKey}`).toString("base64")}`);
    expect(sent.headers["idempotence-key"]).toBe(req.idempotencyKey);
    expect(JSON.parse(sent.body)).toEqual({
      amount: { value: "1234.50", currency: "RUB" },
      capture: true,
      confirmation: { type: "redirect", return_url: "https://crm.example.test/paid" },
      description: "Transfer APP-1001 airport → hotel",
      metadata: { order: "APP-1001", switchboard_payment_id: req.id },
    });

    // the hosted checkout shows the amount and three real buttons in a form
    const html = await (await fetch(p.paymentUrl!)).text();
    expect(html).toContain("Pay 1234.50 RUB");
    expect(html).toMatch(/<form method="post"[^>]*>/);
    for (const b of ["Pay", "Decline", "3-D Secure"]) expect(html).toMatch(new RegExp(`<button[^>]*>${b}</button>`));

    // logs: one row, no secret key in clear
    const logs = await db.integrationLog.findMany({ where: { integrationId: row.id, action: "yookassa.payments.create" } });
    expect(logs.map((l) => [l.method, l.statusCode])).toEqual([["POST", 200]]);
    expect(jsonOf(await db.integrationLog.findMany({ where: { integrationId: row.id } }))).not.toContain(secretKey);
  });

  it("a long description is cut to YooKassa's 128 characters; the config's return URL and capture are used", async () => {
    const { ctx } = await integration({ returnUrl: "https://crm.example.test/default-return", capture: false });
    const req = paymentRequest({ description: "x".repeat(300), returnUrl: "", amountMinor: 100 });
    await def.payments!.create(ctx, req);
    const [sent] = await requests((s) => s.method === "POST" && s.path === "/yookassa/v3/payments" && s.body.includes(req.id));
    const body = JSON.parse(sent.body);
    expect(body.description).toHaveLength(128);
    expect(body.amount).toEqual({ value: "1.00", currency: "RUB" });
    expect(body.capture).toBe(false);
    expect(body.confirmation.return_url).toBe("https://crm.example.test/default-return");
  });

  it("pay in the browser checkout → redirect to the return URL → payment.succeeded notification from 127.0.0.1 → re-fetched → succeeded", async () => {
    const { row, ctx } = await integration();
    const req = paymentRequest();
    const p = await def.payments!.create(ctx, req);
    const res = await fetch(p.paymentUrl!, { method: "POST", body: new URLSearchParams({ outcome: "pay" }), redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(req.returnUrl);

    const [ev] = await stored(row.id, 1);
    expect(ev).toMatchObject({
      provider: "yookassa",
      eventType: "payment.succeeded",
      externalId: `payment.succeeded:${p.providerPaymentId}:succeeded`,
      signatureVerified: true,
      verification: "yookassa-ip-allowlist: source address allowed; the object is re-fetched before it is trusted",
      status: "pending",
    });
    expect(ev.sourceIp).toBe("127.0.0.1");
    const result = await processed(ev.id);
    expect(result.events).toEqual([
      {
        type: "payment.updated",
        data: expect.objectContaining({
          paymentId: req.id,
          providerPaymentId: p.providerPaymentId,
          status: "succeeded",
          providerStatus: "succeeded",
          capturedMinor: 123450,
          eventId: ev.externalId,
        }),
      },
    ]);
    // the handler asked the API, not the body
    const gets = await db.integrationLog.findMany({ where: { integrationId: row.id, action: "yookassa.payments.get" } });
    expect(gets.map((g) => [g.method, g.url, g.statusCode])).toEqual([["GET", `${sandbox().url}/yookassa/v3/payments/${p.providerPaymentId}`, 200]]);

    const now = await def.payments!.retrieve(ctx, { id: req.id, providerPaymentId: p.providerPaymentId, providerCheckoutId: null, providerCaptureId: null });
    expect(now).toMatchObject({ status: "succeeded", providerStatus: "succeeded", capturedMinor: 123450, paymentUrl: null });
  });

  it("a notification that lies about the status is not believed: the re-fetched object wins", async () => {
    const { row, ctx } = await integration();
    const req = paymentRequest();
    const p = await def.payments!.create(ctx, req);
    // from an allowed address (127.0.0.1) but with a status YooKassa never gave
    const lie = { type: "notification", event: "payment.succeeded", object: { id: p.providerPaymentId, status: "succeeded", paid: true, amount: { value: "1234.50", currency: "RUB" }, metadata: { switchboard_payment_id: req.id } } };
    const res = await fetch(webhookUrl("yookassa", row.code), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(lie) });
    expect(res.status).toBe(200);
    const [ev] = await stored(row.id, 1);
    const result = await processed(ev.id);
    expect(result.events).toHaveLength(1);
    expect(result.events[0].data).toMatchObject({ paymentId: req.id, status: "pending", providerStatus: "pending" });
    expect(result.events[0].data.capturedMinor).toBeUndefined();
    expect(result.note).toMatch(/the notification said "succeeded" but YooKassa's API says "pending": the API's status is used/);

    // a notification about a payment this shop does not have is ignored
    const ghost = { type: "notification", event: "payment.succeeded", object: { id: "2419a771-000f-5000-9000-1edaf29243f2", status: "succeeded" } };
    await fetch(webhookUrl("yookassa", row.code), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ghost) });
    const rows = await stored(row.id, 2);
    expect(await processWebhookEvent(rows[1].id)).toBe("ignored");
  });

  it("decline → payment.canceled with the reason; 3-D Secure shows an authentication page, then fails or completes", async () => {
    const { row, ctx } = await integration();
    const declined = await def.payments!.create(ctx, paymentRequest());
    expect((await control(`/__pay/${declined.providerPaymentId}`, { outcome: "decline" })).status).toBe(200);

    const threeDs = await def.payments!.create(ctx, paymentRequest());
    const auth = await fetch(threeDs.paymentUrl!, { method: "POST", body: new URLSearchParams({ outcome: "3ds" }) });
    const authHtml = await auth.text();
    expect(authHtml).toMatch(/<button[^>]*value="3ds_complete"[^>]*>Complete authentication<\/button>/);
    expect(authHtml).toMatch(/<button[^>]*value="3ds_fail"[^>]*>Fail authentication<\/button>/);
    const failed = await fetch(threeDs.paymentUrl!, { method: "POST", body: new URLSearchParams({ outcome: "3ds_fail" }), redirect: "manual" });
    expect(failed.status).toBe(303);

    const passed = await def.payments!.create(ctx, paymentRequest({ amountMinor: 50000 }));
    await fetch(passed.paymentUrl!, { method: "POST", body: new URLSearchParams({ outcome: "3ds" }) });
    await fetch(passed.paymentUrl!, { method: "POST", body: new URLSearchParams({ outcome: "3ds_complete" }), redirect: "manual" });

    const rows = await stored(row.id, 3);
    const byPayment = new Map<string, PaymentUpdate>();
    for (const r of rows) {
      const res = await processed(r.id);
      byPayment.set(res.events[0].data.providerPaymentId!, res.events[0].data);
    }
    expect(byPayment.get(declined.providerPaymentId!)).toMatchObject({ status: "canceled", providerStatus: "canceled", error: "insufficient funds (insufficient_funds, payment_network)" });
    expect(byPayment.get(threeDs.providerPaymentId!)).toMatchObject({ status: "canceled", error: "3-D Secure authentication failed (3d_secure_failed, payment_network)" });
    expect(byPayment.get(passed.providerPaymentId!)).toMatchObject({ status: "succeeded", capturedMinor: 50000 });

    const r = await def.payments!.retrieve(ctx, { id: "x", providerPaymentId: declined.providerPaymentId, providerCheckoutId: null, providerCaptureId: null });
    expect(r).toMatchObject({ status: "canceled", error: "insufficient funds (insufficient_funds, payment_network)" });
  });

  it("refunds: partial, then the rest, then one more is refused by YooKassa; refund.succeeded is re-fetched", async () => {
    const { row, ctx } = await integration();
    const req = paymentRequest({ amountMinor: 100000 });
    const p = await def.payments!.create(ctx, req);
    await control(`/__pay/${p.providerPaymentId}`, { outcome: "pay" });
    const payment = { id: req.id, providerPaymentId: p.providerPaymentId, providerCheckoutId: null, providerCaptureId: null };
    const refund = (amountMinor: number) =>
      def.payments!.refund(ctx, { refundId: randomUUID(), amountMinor, currency: "RUB", reason: "Trip shortened", idempotencyKey: randomUUID(), payment });

    const r1 = await refund(40000);
    expect(r1).toEqual({ providerRefundId: expect.any(String), status: "succeeded" });
    const [sent] = await requests((s) => s.method === "POST" && s.path === "/yookassa/v3/refunds" && s.body.includes(p.providerPaymentId!));
    expect(JSON.parse(sent.body)).toEqual({ payment_id: p.providerPaymentId, amount: { value: "400.00", currency: "RUB" }, description: "Trip shortened" });
    expect(sent.headers["idempotence-key"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(await def.payments!.retrieve(ctx, payment)).toMatchObject({ status: "partially_refunded", refundedMinor: 40000, capturedMinor: 100000 });

    const r2 = await refund(60000);
    expect(r2.status).toBe("succeeded");
    expect(await def.payments!.retrieve(ctx, payment)).toMatchObject({ status: "refunded", refundedMinor: 100000 });

    const e = await payError(refund(100));
    expect(e).toMatchObject({ retryable: false, opts: { code: "invalid_request", status: 400 } });
    expect(e.message).toMatch(/Refund amount exceeds the amount available for refund \(0\.00 RUB\) \(amount\.value\)/);

    // payment.succeeded + two refund.succeeded
    const rows = await stored(row.id, 3);
    // the two notifications are sent at nearly the same moment: they may arrive in either order
    const refunds = rows.filter((r) => r.eventType === "refund.succeeded");
    expect(refunds.map((r) => r.externalId).sort()).toEqual(
      [`refund.succeeded:${r1.providerRefundId}:succeeded`, `refund.succeeded:${r2.providerRefundId}:succeeded`].sort(),
    );
    const first = await processed(refunds.find((r) => r.externalId === `refund.succeeded:${r1.providerRefundId}:succeeded`)!.id);
    expect(first.events.map((x) => x.type)).toEqual(["refund.updated", "payment.updated"]);
    expect(first.events[0].data).toMatchObject({ providerRefundId: r1.providerRefundId, paymentId: req.id, providerPaymentId: p.providerPaymentId, status: "succeeded", amountMinor: 40000 });
    // re-fetched now: the payment is fully refunded by the time the first notification is handled
    expect(first.events[1].data).toMatchObject({ paymentId: req.id, status: "refunded", refundedMinor: 100000 });
  });

  it("a refund of a payment that was never paid is refused; without a YooKassa id there is nothing to refund", async () => {
    const { ctx } = await integration();
    const p = await def.payments!.create(ctx, paymentRequest());
    const payment = { id: "x", providerPaymentId: p.providerPaymentId, providerCheckoutId: null, providerCaptureId: null };
    const e = await payError(def.payments!.refund(ctx, { refundId: "r", amountMinor: 100, currency: "RUB", idempotencyKey: randomUUID(), payment }));
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/Payment is in pending status/);
    const none = await payError(def.payments!.refund(ctx, { refundId: "r", amountMinor: 100, currency: "RUB", idempotencyKey: randomUUID(), payment: { ...payment, providerPaymentId: null } }));
    expect(none.retryable).toBe(false);
  });

  it("a lost answer (the payment was made, then 503) is retried with the same Idempotence-Key: one payment at YooKassa", async () => {
    const { shopId, ctx } = await integration();
    const req = paymentRequest();
    await fault({ provider: "yookassa", path: "/v3/payments$", method: "POST", status: 503, after: true });
    const p = await def.payments!.create(ctx, req);
    expect(p.status).toBe("pending");
    const posts = await requests((s) => s.method === "POST" && s.path === "/yookassa/v3/payments" && s.body.includes(req.id));
    expect(posts).toHaveLength(2);
    expect(posts.map((s) => s.headers["idempotence-key"])).toEqual([req.idempotencyKey, req.idempotencyKey]);
    // the service retrying the whole creation later with the same key gets the same payment
    const again = await def.payments!.create(ctx, req);
    expect(again.providerPaymentId).toBe(p.providerPaymentId);
    const all = await (await fetch(`${sandbox().url}/yookassa/__payments?shopId=${shopId}`)).json();
    expect(all.items.map((x: { id: string }) => x.id)).toEqual([p.providerPaymentId]);
  });

  it("a timeout is retried with the same key (one payment); timeouts every time are retryable", async () => {
    const { shopId, ctx } = await integration();
    await fault({ provider: "yookassa", path: "/v3/payments$", method: "POST", delayMs: 4000 });
    const p = await def.payments!.create(ctx, paymentRequest());
    // the slow first request finishes at the sandbox too: still one payment
    await expectNothingMore(async () => {
      const all = await (await fetch(`${sandbox().url}/yookassa/__payments?shopId=${shopId}`)).json();
      expect(all.items.map((x: { id: string }) => x.id)).toEqual([p.providerPaymentId]);
    }, { probes: [sandboxProbe] });

    await fault({ provider: "yookassa", path: "/v3/payments$", method: "POST", delayMs: 4000, status: 500, times: 3 });
    const e = await payError(def.payments!.create(ctx, paymentRequest()));
    expect(e).toMatchObject({ retryable: true, opts: { code: "timeout" }, message: "YooKassa did not answer in time" });
  }, 30_000);

  it("5xx after the retries, and 429, are retryable; the same key on every attempt", async () => {
    const { row, ctx } = await integration();
    const req = paymentRequest();
    await fault({ provider: "yookassa", path: "/v3/payments$", method: "POST", status: 500, times: 3 });
    const e = await payError(def.payments!.create(ctx, req));
    expect(e).toMatchObject({ retryable: true, opts: { code: "internal_server_error", status: 500 } });
    const posts = await requests((s) => s.method === "POST" && s.path === "/yookassa/v3/payments" && s.body.includes(req.id));
    expect(new Set(posts.map((s) => s.headers["idempotence-key"]))).toEqual(new Set([req.idempotencyKey]));
    expect(posts).toHaveLength(3);

    await fault({ provider: "yookassa", path: "/v3/payments$", method: "POST", status: 429, retryAfter: 60 });
    const limited = await payError(def.payments!.create(ctx, paymentRequest()));
    expect(limited).toMatchObject({ retryable: true, opts: { code: "too_many_requests", status: 429, retryAfterSeconds: 60 } });
    expect(limited.message).toBe("YooKassa is rate limiting this shop (429): retry in 60 s");
    const logs = await db.integrationLog.findMany({ where: { integrationId: row.id, action: "yookassa.payments.create" } });
    expect(logs.map((l) => l.statusCode).sort()).toEqual([429, 500, 500, 500]);
  });

  it("a revoked secret key: 401 is not retryable, says so, and testConnection fails with the reason", async () => {
    const { row, secretKey, ctx } = await integration();
    await control("/__revoke", { secretKey });
    const e = await payError(def.payments!.create(ctx, paymentRequest()));
    expect(e).toMatchObject({ retryable: false, opts: { code: "invalid_credentials", status: 401 } });
    expect(e.message).toMatch(/^YooKassa rejected the shop id or secret key \(401\)/);
    expect(e.message).not.toContain(secretKey);
    const t = await testIntegration(row.id, system);
    expect(t).toMatchObject({ ok: false, message: expect.stringMatching(/^YooKassa rejected the shop id or secret key/) });
  });

  it("testConnection: GET /me → the shop, in test mode", async () => {
    const { row, shopId } = await integration();
    const t = await testIntegration(row.id, system);
    expect(t).toMatchObject({ ok: true, message: `Connected to shop ${shopId} (test)` });
  });

  it("the form refuses credentials that are not YooKassa's", async () => {
    await expect(
      createIntegration({ provider: "yookassa", name: "bad", mode: "sandbox", credentials: { shopId: "abc", secretKey: "sk_live_1" }, config: {} }, system),
    ).rejects.toMatchObject({ status: 400 });
  });
});

describe("yookassa: notifications", () => {
  it("sandboxConnect registers our URL for the four events; YooKassa's API needs an Idempotence-Key on POST", async () => {
    const { row, shopId, secretKey } = await integration();
    const auth = `Basic ${Buffer.from(`${shopId}:${secretKey}`).toString("base64")}`;
    const list = await (await fetch(`${sandbox().url}/yookassa/v3/webhooks`, { headers: { authorization: auth } })).json();
    expect(list.items.map((h: { event: string; url: string }) => [h.event, h.url]).sort()).toEqual(
      ["payment.canceled", "payment.succeeded", "payment.waiting_for_capture", "refund.succeeded"].map((e) => [e, webhookUrl("yookassa", row.code)]),
    );
    const missing = await fetch(`${sandbox().url}/yookassa/v3/payments`, { method: "POST", headers: { authorization: auth, "content-type": "application/json" }, body: "{}" });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ type: "error", code: "invalid_request", parameter: "Idempotence-Key" });
  });

  it("a notification from an address that is not YooKassa's gets 401 and is kept as rejected", async () => {
    const { row, ctx } = await integration();
    const p = await def.payments!.create(ctx, paymentRequest());
    const body = JSON.stringify({ type: "notification", event: "payment.succeeded", object: { id: p.providerPaymentId, status: "succeeded" } });
    const res = await call(providerRoute.POST as never, { rawBody: body, ip: "203.0.113.9", params: { provider: "yookassa", code: row.code }, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(401);
    const [rejected] = await stored(row.id, 1, { status: "rejected" });
    expect(rejected.lastError).toBe("203.0.113.9 is not on the YooKassa allow-list");
    // from the allowed address the same body is accepted; a body that is not a notification is 400
    const ok = await call(providerRoute.POST as never, { rawBody: body, ip: "127.0.0.1", params: { provider: "yookassa", code: row.code }, headers: { "content-type": "application/json" } });
    expect(ok.status).toBe(200);
    const bad = await call(providerRoute.POST as never, { rawBody: JSON.stringify({ event: "payment.succeeded" }), ip: "127.0.0.1", params: { provider: "yookassa", code: row.code }, headers: { "content-type": "application/json" } });
    expect(bad.status).toBe(400);
  });

  it("waiting_for_capture (capture off) is pending; capture in the sandbox → succeeded; unknown events are ignored", async () => {
    const { row, shopId, secretKey, ctx } = await integration({ capture: false });
    const req = paymentRequest();
    const p = await def.payments!.create(ctx, req);
    await control(`/__pay/${p.providerPaymentId}`, { outcome: "pay" });
    const [waiting] = await stored(row.id, 1);
    expect(waiting.eventType).toBe("payment.waiting_for_capture");
    expect((await processed(waiting.id)).events[0].data).toMatchObject({ status: "pending", providerStatus: "waiting_for_capture", paymentId: req.id });

    const auth = `Basic ${Buffer.from(`${shopId}:${secretKey}`).toString("base64")}`;
    const cap = await fetch(`${sandbox().url}/yookassa/v3/payments/${p.providerPaymentId}/capture`, { method: "POST", headers: { authorization: auth, "idempotence-key": randomUUID(), "content-type": "application/json" }, body: "{}" });
    expect(cap.status).toBe(200);
    const rows = await stored(row.id, 2);
    expect((await processed(rows[1].id)).events[0].data).toMatchObject({ status: "succeeded", capturedMinor: 123450 });

    await fetch(webhookUrl("yookassa", row.code), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ type: "notification", event: "payout.succeeded", object: { id: "po-28cda2b6-0015-5000-9000-1b5ed1b6c8a1", status: "succeeded" } }) });
    const all = await stored(row.id, 3);
    expect(await processWebhookEvent(all[2].id)).toBe("ignored");
  });
});
