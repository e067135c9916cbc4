// The PayPal provider against its sandbox: OAuth token (cached, refreshed once on 401),
// Orders v2 with PayPal-Request-Id, the approval page, webhooks verified through the sandbox's
// verify-webhook-signature endpoint, CHECKOUT.ORDER.APPROVED saying the capture is due, the
// capture (once, whoever asks: PayPal-Request-Id from the order id), refunds of the capture.
import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { resetEnvCache } from "@/lib/env";
import { buildContext, createIntegration, testIntegration, webhookUrl } from "@/lib/integrations/service";
import { getProvider } from "@/lib/providers/registry";
import { PaymentProviderError, type PaymentRequest, type PaymentUpdate, type RefundUpdate } from "@/lib/providers/types";
import * as providerRoute from "@/app/api/webhooks/[provider]/[code]/route";
import { fault, sandbox, system } from "@/tests/helpers/fixtures";
import { call } from "@/tests/helpers/http";
import { useWebhookServer } from "@/tests/helpers/webhook-server";
import { expectNothingMore, sandboxProbe } from "@/tests/helpers/quiet";
import { adapterOnly, failure, jsonOf, processedEvent, sandboxRequests, storedEvents, type SeenRequest } from "@/tests/helpers/providers";

// this file tests the adapter; the areas' reactions to its events are tested in tests/integration
adapterOnly();

const def = getProvider("paypal")!;

useWebhookServer();

let n = 0;
async function integration(config: Record<string, unknown> = {}, creds: Record<string, unknown> = {}) {
  const clientId = `A${randomBytes(30).toString("base64url")}`;
  const clientSecret = `E${randomBytes(30).toString("base64url")}`;
  const webhookId = `${randomBytes(8).toString("hex").toUpperCase()}WH`;
  const row = await createIntegration(
    { provider: "paypal", name: `PayPal ${++n}`, mode: "sandbox", credentials: { clientId, clientSecret, webhookId, ...creds }, config },
    system,
  );
  return { row, clientId, clientSecret, webhookId, ctx: buildContext(row) };
}

function paymentRequest(over: Partial<PaymentRequest> = {}): PaymentRequest {
  return {
    id: randomUUID(),
    amountMinor: 1000,
    currency: "USD",
    description: "Transfer APP-1001 airport → hotel",
    customerEmail: null,
    metadata: {},
    returnUrl: "https://crm.example.test/paid",
    cancelUrl: "https://crm.example.test/canceled",
    idempotencyKey: randomUUID(),
    ...over,
  };
}

const requests = (filter: (s: SeenRequest) => boolean) => sandboxRequests("paypal", filter);
const orderPosts = (req: PaymentRequest) => requests((s) => s.method === "POST" && s.path === "/paypal/v2/checkout/orders" && s.body.includes(req.id));

const payError = (p: Promise<unknown>) => failure(p, PaymentProviderError);

const control = (path: string, body: unknown) =>
  fetch(`${sandbox().url}/paypal${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

const stored = (integrationId: string, count: number, where: Record<string, unknown> = {}) => storedEvents(integrationId, count, "PayPal events", where);

const processed = (id: string) => processedEvent<PaymentUpdate & RefundUpdate>(id);

const ref = (orderId: string | null | undefined, captureId: string | null = null) => ({ id: "ours", providerPaymentId: orderId ?? null, providerCheckoutId: null, providerCaptureId: captureId });

/** create → approve (control) → process APPROVED (the capture due) → capture → the capture id */
async function paidOrder(amountMinor = 1000, currency = "USD") {
  const it = await integration();
  const req = paymentRequest({ amountMinor, currency });
  const p = await def.payments!.create(it.ctx, req);
  await control(`/__pay/${p.providerPaymentId}`, { outcome: "pay" });
  const [approved] = await stored(it.row.id, 1);
  const res = await processed(approved.id);
  expect(res.events[0].data).toMatchObject({ providerStatus: "APPROVED", due: "capture" });
  const captured = await def.payments!.capture!(it.ctx, ref(p.providerPaymentId));
  return { ...it, req, p, captureId: captured.providerCaptureId! };
}

/** how many capture requests the sandbox ran for an order (a replayed PayPal-Request-Id is not a run) */
const captureRuns = async (orderId: string) => (await (await fetch(`${sandbox().url}/paypal/__captures/${orderId}`)).json()) as { runs: number; completed: number };

describe("paypal: orders", () => {
  it("creates an order in PayPal's wire format: a cached OAuth token, PayPal-Request-Id, our id as custom_id", async () => {
    const { row, clientId, clientSecret, ctx } = await integration({ brandName: "Acme Transfers", landingPage: "LOGIN" });
    const req = paymentRequest();
    const p = await def.payments!.create(ctx, req);
    expect(p).toMatchObject({ status: "pending", providerStatus: "PAYER_ACTION_REQUIRED", error: null });
    expect(p.providerPaymentId).toMatch(/^[A-Z0-9]{17}$/);
    expect(p.paymentUrl).toBe(`${sandbox().url}/paypal/checkoutnow/${p.providerPaymentId}`);

    const [tokenReq] = await requests((s) => s.path === "/paypal/v1/oauth2/token" && s.headers.authorization === `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`);
    expect(tokenReq.body).toBe("grant_type=client_credentials");
    expect(tokenReq.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    const [sent] = await orderPosts(req);
    expect(sent.headers["paypal-request-id"]).toBe(req.idempotencyKey);
    const token = sent.headers.authorization.replace(/^Bearer /, "");
    expect(token).toMatch(/^A21AA/);
    expect(JSON.parse(sent.body)).toEqual({
      intent: "CAPTURE",
      purchase_units: [{ reference_id: req.id, custom_id: req.id, description: req.description, amount: { currency_code: "USD", value: "10.00" } }],
      payment_source: {
        paypal: {
          experience_context: {
            return_url: req.returnUrl,
            cancel_url: req.cancelUrl,
            user_action: "PAY_NOW",
            shipping_preference: "NO_SHIPPING",
            brand_name: "Acme Transfers",
            landing_page: "LOGIN",
          },
        },
      },
    });

    // a second order reuses the token
    await def.payments!.create(ctx, paymentRequest());
    const tokenLogs = await db.integrationLog.findMany({ where: { integrationId: row.id, action: "paypal.oauth2.token" } });
    expect(tokenLogs).toHaveLength(1);
    // neither the secret nor the access token is ever stored in clear
    const logs = jsonOf(await db.integrationLog.findMany({ where: { integrationId: row.id } }));
    expect(logs).not.toContain(clientSecret);
    expect(logs).not.toContain(token);

    // the approval page: amount, three real buttons in a form
    const html = await (await fetch(p.paymentUrl!)).text();
    expect(html).toContain("Pay 10.00 USD to Acme Transfers");
    for (const b of ["Pay", "Decline", "3-D Secure"]) expect(html).toMatch(new RegExp(`<button[^>]*>${b}</button>`));
  });

  it("amounts: USD with 2 decimals, JPY and HUF without; a HUF amount with fillér is refused before PayPal", async () => {
    const { ctx } = await integration();
    const usd = paymentRequest({ amountMinor: 123456, currency: "USD" });
    const jpy = paymentRequest({ amountMinor: 1000, currency: "JPY" });
    const huf = paymentRequest({ amountMinor: 150000, currency: "HUF" });
    for (const r of [usd, jpy, huf]) await def.payments!.create(ctx, r);
    const value = async (r: PaymentRequest) => JSON.parse((await orderPosts(r))[0].body).purchase_units[0].amount;
    expect(await value(usd)).toEqual({ currency_code: "USD", value: "1234.56" });
    expect(await value(jpy)).toEqual({ currency_code: "JPY", value: "1000" });
    expect(await value(huf)).toEqual({ currency_code: "HUF", value: "1500" });
    const e = await payError(def.payments!.create(ctx, paymentRequest({ amountMinor: 150050, currency: "HUF" })));
    expect(e).toMatchObject({ retryable: false, opts: { code: "DECIMALS_NOT_SUPPORTED" } });
    expect(def.payments!.currencies).toContain("JPY");
    expect(def.payments!.currencies).not.toContain("RUB");
  });

  it("an expired token: the 401 drops the cache and the call is made once more with a new token", async () => {
    const { row, clientId, ctx } = await integration();
    await def.payments!.create(ctx, paymentRequest());
    await control("/__expire-tokens", { clientId });
    const p = await def.payments!.create(ctx, paymentRequest());
    expect(p.status).toBe("pending");
    const creates = await db.integrationLog.findMany({ where: { integrationId: row.id, action: "paypal.orders.create" }, orderBy: { createdAt: "asc" } });
    expect(creates.map((l) => l.statusCode)).toEqual([200, 401, 200]);
    expect(await db.integrationLog.count({ where: { integrationId: row.id, action: "paypal.oauth2.token" } })).toBe(2);
  });

  it("approval in the browser → CHECKOUT.ORDER.APPROVED (verified by PayPal's endpoint) says the capture is due → capture() → succeeded", async () => {
    const { row, ctx } = await integration();
    const req = paymentRequest({ amountMinor: 2550 });
    const p = await def.payments!.create(ctx, req);
    const res = await fetch(p.paymentUrl!, { method: "POST", body: new URLSearchParams({ outcome: "pay" }), redirect: "manual" });
    expect(res.status).toBe(303);
    const back = new URL(res.headers.get("location")!);
    expect(`${back.origin}${back.pathname}`).toBe(req.returnUrl);
    expect(back.searchParams.get("token")).toBe(p.providerPaymentId);
    expect(back.searchParams.get("PayerID")).toMatch(/^[A-Z0-9]{13}$/);

    // retrieve only reads: approved is still pending, the capture due (ours to take)
    expect(await def.payments!.retrieve(ctx, ref(p.providerPaymentId))).toMatchObject({ status: "pending", providerStatus: "APPROVED", due: "capture" });

    const [approved] = await stored(row.id, 1);
    expect(approved).toMatchObject({ eventType: "CHECKOUT.ORDER.APPROVED", signatureVerified: true, status: "pending" });
    expect(approved.externalId).toMatch(/^WH-/);
    expect(approved.verification).toMatch(/^paypal-verify-endpoint/);
    const verifyCalls = await requests((s) => s.path === "/paypal/v1/notifications/verify-webhook-signature");
    expect(verifyCalls.length).toBeGreaterThanOrEqual(1);

    // the handler captures nothing itself: it says the capture is due (lib/payments takes it)
    const result = await processed(approved.id);
    expect(result.events).toEqual([
      { type: "payment.updated", data: expect.objectContaining({ paymentId: req.id, providerPaymentId: p.providerPaymentId, status: "pending", providerStatus: "APPROVED", due: "capture" }) },
    ]);
    expect(await requests((s) => s.path.endsWith("/capture"))).toEqual([]);

    const captured = await def.payments!.capture!(ctx, ref(p.providerPaymentId));
    expect(captured).toMatchObject({ providerPaymentId: p.providerPaymentId, status: "succeeded", providerStatus: "COMPLETED/COMPLETED", capturedMinor: 2550 });
    expect(captured.due).toBeUndefined();
    const captureId = captured.providerCaptureId!;
    expect(captureId).toMatch(/^[A-Z0-9]{17}$/);
    const [capture] = await requests((s) => s.method === "POST" && s.path === `/paypal/v2/checkout/orders/${p.providerPaymentId}/capture`);
    expect(capture.headers["paypal-request-id"]).toBe(`capture-${p.providerPaymentId}`);

    // the capture's own event follows
    const rows = await stored(row.id, 2);
    expect(rows[1].eventType).toBe("PAYMENT.CAPTURE.COMPLETED");
    const completed = await processed(rows[1].id);
    expect(completed.events[0].data).toMatchObject({ paymentId: req.id, providerPaymentId: p.providerPaymentId, providerCaptureId: captureId, status: "succeeded", capturedMinor: 2550 });

    // asked again (another path, a retry): the request id replays the first answer, nothing new runs
    const again = await def.payments!.capture!(ctx, ref(p.providerPaymentId));
    expect(again).toMatchObject({ status: "succeeded", providerCaptureId: captureId });
    expect(await captureRuns(p.providerPaymentId!)).toEqual({ orderId: p.providerPaymentId, runs: 1, completed: 1 });
    expect(await def.payments!.retrieve(ctx, ref(p.providerPaymentId))).toMatchObject({ status: "succeeded", providerCaptureId: captureId, capturedMinor: 2550 });
  });

  it("three captures of one order at the same moment: PayPal-Request-Id makes them one", async () => {
    const { ctx } = await integration();
    const p = await def.payments!.create(ctx, paymentRequest({ amountMinor: 1800 }));
    await control(`/__pay/${p.providerPaymentId}`, { outcome: "pay" });
    const [a, b, c] = await Promise.all([0, 1, 2].map(() => def.payments!.capture!(ctx, ref(p.providerPaymentId))));
    for (const x of [a, b, c]) expect(x).toMatchObject({ status: "succeeded", capturedMinor: 1800, providerCaptureId: a.providerCaptureId });
    expect(await captureRuns(p.providerPaymentId!)).toEqual({ orderId: p.providerPaymentId, runs: 1, completed: 1 });
  });

  it("capture before the payer approved: the order as it is, nothing due; a capture with no order id is refused", async () => {
    const { ctx } = await integration();
    const p = await def.payments!.create(ctx, paymentRequest());
    expect(await def.payments!.capture!(ctx, ref(p.providerPaymentId))).toMatchObject({ status: "pending", providerStatus: "PAYER_ACTION_REQUIRED", paymentUrl: p.paymentUrl });
    const e = await payError(def.payments!.capture!(ctx, ref(null)));
    expect(e).toMatchObject({ retryable: false, opts: { code: "no_provider_id" } });
  });

  it("Decline: the capture is declined (422 INSTRUMENT_DECLINED) → failed, and PAYMENT.CAPTURE.DENIED → failed", async () => {
    const { row, ctx } = await integration();
    const req = paymentRequest();
    const p = await def.payments!.create(ctx, req);
    await fetch(p.paymentUrl!, { method: "POST", body: new URLSearchParams({ outcome: "decline" }), redirect: "manual" });
    const [approved] = await stored(row.id, 1);
    const r = await processed(approved.id);
    expect(r.events[0].data).toMatchObject({ paymentId: req.id, providerPaymentId: p.providerPaymentId, status: "pending", due: "capture" });
    const declined = await def.payments!.capture!(ctx, ref(p.providerPaymentId));
    expect(declined).toMatchObject({ providerPaymentId: p.providerPaymentId, status: "failed", providerStatus: "INSTRUMENT_DECLINED" });
    expect(declined.error).toMatch(/The payer's funding source \(card or bank\) was declined/);
    const rows = await stored(row.id, 2);
    expect(rows[1].eventType).toBe("PAYMENT.CAPTURE.DENIED");
    const denied = await processed(rows[1].id);
    expect(denied.events[0].data).toMatchObject({ paymentId: req.id, providerPaymentId: p.providerPaymentId, status: "failed", providerStatus: "DECLINED" });
  });

  it("3-D Secure: an authentication page; completing it approves, failing it goes back to the cancel URL with no event; void → canceled", async () => {
    const { row, ctx } = await integration();
    const ok = await def.payments!.create(ctx, paymentRequest());
    const page = await (await fetch(ok.paymentUrl!, { method: "POST", body: new URLSearchParams({ outcome: "3ds" }) })).text();
    expect(page).toMatch(/<button[^>]*value="3ds_complete"[^>]*>Complete authentication<\/button>/);
    expect(page).toMatch(/<button[^>]*value="3ds_fail"[^>]*>Fail authentication<\/button>/);
    await fetch(ok.paymentUrl!, { method: "POST", body: new URLSearchParams({ outcome: "3ds_complete" }), redirect: "manual" });

    const fail = await def.payments!.create(ctx, paymentRequest());
    const back = await fetch(fail.paymentUrl!, { method: "POST", body: new URLSearchParams({ outcome: "3ds_fail" }), redirect: "manual" });
    expect(back.status).toBe(303);
    expect(back.headers.get("location")).toBe(`https://crm.example.test/canceled?token=${fail.providerPaymentId}`);
    expect(await def.payments!.retrieve(ctx, ref(fail.providerPaymentId))).toMatchObject({ status: "pending", providerStatus: "PAYER_ACTION_REQUIRED", paymentUrl: fail.paymentUrl });

    expect((await control(`/__pay/${fail.providerPaymentId}`, { outcome: "void" })).status).toBe(200);
    const rows = await stored(row.id, 2);
    // sent by two separate actions a moment apart: they may arrive in either order
    expect(rows.map((r) => r.eventType).sort()).toEqual(["CHECKOUT.ORDER.APPROVED", "CHECKOUT.ORDER.VOIDED"]);
    const voided = await processed(rows.find((r) => r.eventType === "CHECKOUT.ORDER.VOIDED")!.id);
    expect(voided.events[0].data).toMatchObject({ providerPaymentId: fail.providerPaymentId, status: "canceled", providerStatus: "VOIDED" });
    const approved = await processed(rows.find((r) => r.eventType === "CHECKOUT.ORDER.APPROVED")!.id);
    expect(approved.events[0].data).toMatchObject({ providerPaymentId: ok.providerPaymentId, status: "pending", due: "capture" });
    expect(await def.payments!.capture!(ctx, ref(ok.providerPaymentId))).toMatchObject({ status: "succeeded" });
  });

  it("refunds of the capture: partial, beyond what is left refused, the rest, then nothing left; PAYMENT.CAPTURE.REFUNDED", async () => {
    const { row, ctx, req, p, captureId } = await paidOrder(1000, "JPY");
    const refund = (amountMinor: number, captured: string | null = captureId) =>
      def.payments!.refund(ctx, { refundId: randomUUID(), amountMinor, currency: "JPY", reason: "Trip shortened", idempotencyKey: randomUUID(), payment: ref(p.providerPaymentId, captured) });

    const r1 = await refund(400);
    expect(r1).toEqual({ providerRefundId: expect.stringMatching(/^[A-Z0-9]{17}$/), status: "succeeded" });
    const [sent] = await requests((s) => s.method === "POST" && s.path === `/paypal/v2/payments/captures/${captureId}/refund`);
    expect(JSON.parse(sent.body)).toEqual({ amount: { value: "400", currency_code: "JPY" }, note_to_payer: "Trip shortened" });
    expect(sent.headers["paypal-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(await def.payments!.retrieve(ctx, ref(p.providerPaymentId))).toMatchObject({ status: "partially_refunded", refundedMinor: 400, capturedMinor: 1000 });

    const over = await payError(refund(700));
    expect(over).toMatchObject({ retryable: false, opts: { code: "REFUND_AMOUNT_EXCEEDED", status: 422 } });
    expect(over.message).toMatch(/^PayPal refused the request \(HTTP 422\): The refund is more than what is left of the captured amount/);

    // without the capture id the order is asked for it
    const r2 = await refund(600, null);
    expect(r2.status).toBe("succeeded");
    expect(await def.payments!.retrieve(ctx, ref(p.providerPaymentId))).toMatchObject({ status: "refunded", refundedMinor: 1000 });
    const none = await payError(refund(1));
    expect(none).toMatchObject({ retryable: false, opts: { code: "CAPTURE_FULLY_REFUNDED" } });

    // APPROVED, CAPTURE.COMPLETED, two CAPTURE.REFUNDED
    const rows = await stored(row.id, 4);
    const refunds = rows.filter((r) => r.eventType === "PAYMENT.CAPTURE.REFUNDED");
    expect(refunds).toHaveLength(2);
    const first = await processed(refunds[0].id);
    expect(first.events.map((e) => e.type)).toEqual(["refund.updated", "payment.updated"]);
    expect(first.events[0].data).toMatchObject({ providerRefundId: r1.providerRefundId, paymentId: req.id, providerPaymentId: p.providerPaymentId, status: "succeeded", amountMinor: 400 });
    expect(first.events[1].data).toMatchObject({ paymentId: req.id, providerCaptureId: captureId, capturedMinor: 1000 });
    const second = await processed(refunds[1].id);
    expect(second.events[1].data).toMatchObject({ status: "refunded", refundedMinor: 1000 });
  });

  it("a refund before anything was captured is refused: nothing captured yet", async () => {
    const { ctx } = await integration();
    const p = await def.payments!.create(ctx, paymentRequest());
    const e = await payError(def.payments!.refund(ctx, { refundId: "r", amountMinor: 100, currency: "USD", idempotencyKey: randomUUID(), payment: ref(p.providerPaymentId) }));
    expect(e).toMatchObject({ retryable: false, opts: { code: "not_captured" }, message: "Nothing captured yet at PayPal: there is nothing to refund" });
  });

  it("a lost answer (the order was made, then 503) is retried with the same PayPal-Request-Id: one order", async () => {
    const { clientId, ctx } = await integration();
    const req = paymentRequest();
    await fault({ provider: "paypal", path: "/v2/checkout/orders$", method: "POST", status: 503, after: true });
    const p = await def.payments!.create(ctx, req);
    const posts = await orderPosts(req);
    expect(posts.map((s) => s.headers["paypal-request-id"])).toEqual([req.idempotencyKey, req.idempotencyKey]);
    const again = await def.payments!.create(ctx, req);
    expect(again.providerPaymentId).toBe(p.providerPaymentId);
    const all = await (await fetch(`${sandbox().url}/paypal/__orders?clientId=${encodeURIComponent(clientId)}`)).json();
    expect(all.items.map((o: { id: string }) => o.id)).toEqual([p.providerPaymentId]);
  });

  it("a timeout is retried with the same request id: one order", async () => {
    const { clientId, ctx } = await integration();
    await def.payments!.create(ctx, paymentRequest()); // token first
    await fault({ provider: "paypal", path: "/v2/checkout/orders$", method: "POST", delayMs: 4000 });
    const p = await def.payments!.create(ctx, paymentRequest());
    // the slow first request finishes at the sandbox too: then there are still only the two orders
    await expectNothingMore(async () => {
      const all = await (await fetch(`${sandbox().url}/paypal/__orders?clientId=${encodeURIComponent(clientId)}`)).json();
      expect(all.items).toHaveLength(2);
      expect(all.items.map((o: { id: string }) => o.id)).toContain(p.providerPaymentId);
    }, { probes: [sandboxProbe] });
  }, 20_000);

  it("5xx after the retries and 429 are retryable, with PayPal's reason", async () => {
    const { ctx } = await integration();
    const req = paymentRequest();
    await fault({ provider: "paypal", path: "/v2/checkout/orders$", method: "POST", status: 500, times: 3 });
    const e = await payError(def.payments!.create(ctx, req));
    expect(e).toMatchObject({ retryable: true, opts: { code: "INTERNAL_SERVER_ERROR", status: 500 } });
    expect(e.message).toMatch(/^PayPal had a server error \(HTTP 500\) \(debug id [0-9a-f]+\)/);
    expect(new Set((await orderPosts(req)).map((s) => s.headers["paypal-request-id"]))).toEqual(new Set([req.idempotencyKey]));

    await fault({ provider: "paypal", path: "/v2/checkout/orders$", method: "POST", status: 429, retryAfter: 60 });
    const limited = await payError(def.payments!.create(ctx, paymentRequest()));
    expect(limited).toMatchObject({ retryable: true, opts: { code: "RATE_LIMIT_REACHED", status: 429, retryAfterSeconds: 60 } });
  });

  it("revoked credentials: 401 is not retryable and testConnection says why; a working app connects", async () => {
    const ok = await integration();
    expect(await testIntegration(ok.row.id, system)).toMatchObject({ ok: true, message: "Connected to PayPal (sandbox)" });

    const { row, clientId, clientSecret, ctx } = await integration();
    await control("/__revoke", { clientId });
    const e = await payError(def.payments!.create(ctx, paymentRequest()));
    expect(e).toMatchObject({ retryable: false, opts: { code: "invalid_client", status: 401 } });
    expect(e.message).toMatch(/^PayPal rejected the client id or secret \(401, invalid_client\)/);
    expect(e.message).not.toContain(clientSecret);
    expect(await testIntegration(row.id, system)).toMatchObject({ ok: false, message: expect.stringMatching(/^PayPal rejected the client id or secret/) });

    const noHook = await integration({}, { webhookId: undefined });
    expect(await testIntegration(noHook.row.id, system)).toMatchObject({ ok: true, message: "Connected to PayPal (sandbox): add the webhook id, or its events cannot be verified" });
  });
});

describe("paypal: webhooks", () => {
  it("sandboxConnect registers our URL under the configured webhook id", async () => {
    const { row, webhookId, ctx } = await integration();
    const [reg] = await requests((s) => s.method === "POST" && s.path === "/paypal/v1/notifications/webhooks" && s.body.includes(webhookId));
    const body = JSON.parse(reg.body);
    expect(body).toMatchObject({ id: webhookId, url: webhookUrl("paypal", row.code) });
    expect(body.event_types.map((t: { name: string }) => t.name)).toEqual(
      expect.arrayContaining(["CHECKOUT.ORDER.APPROVED", "PAYMENT.CAPTURE.COMPLETED", "PAYMENT.CAPTURE.DENIED", "PAYMENT.CAPTURE.REFUNDED", "CHECKOUT.ORDER.VOIDED"]),
    );
    expect(ctx.credentials.webhookId).toBe(webhookId);
  });

  it("forged, tampered and unsigned events get 401 and are kept as rejected", async () => {
    const { row, ctx } = await integration();
    const p = await def.payments!.create(ctx, paymentRequest());
    await control(`/__pay/${p.providerPaymentId}`, { outcome: "pay" });
    const [real] = await stored(row.id, 1);
    const headers = real.headers as Record<string, string>;
    const signed = Object.fromEntries(Object.entries(headers).filter(([k]) => k.startsWith("paypal-")));
    expect(Object.keys(signed).sort()).toEqual(["paypal-auth-algo", "paypal-cert-url", "paypal-transmission-id", "paypal-transmission-sig", "paypal-transmission-time"]);

    const post = (raw: string, h: Record<string, string>) =>
      call(providerRoute.POST as never, { rawBody: raw, params: { provider: "paypal", code: row.code }, headers: { "content-type": "application/json", ...h } });
    const event = real.payload as Record<string, unknown>;
    // the real headers with a body claiming another order
    const tampered = JSON.stringify({ ...event, id: "WH-FORGED", resource: { ...(event.resource as object), id: "0000000000FORGED" } });
    expect((await post(tampered, signed)).status).toBe(401);
    // a made-up signature
    const forged = { ...signed, "paypal-transmission-id": randomUUID(), "paypal-transmission-sig": randomBytes(256).toString("base64") };
    expect((await post(JSON.stringify(event), forged)).status).toBe(401);
    // no signature headers at all
    expect((await post(JSON.stringify(event), {})).status).toBe(401);
    // stale
    expect((await post(JSON.stringify(event), { ...signed, "paypal-transmission-time": new Date(Date.now() - 3600_000).toISOString() })).status).toBe(401);

    const reasons = (await stored(row.id, 4, { status: "rejected" })).map((r) => r.lastError ?? "").sort();
    expect(reasons).toEqual([
      "PayPal's verify endpoint answered FAILURE",
      "PayPal's verify endpoint answered FAILURE",
      expect.stringMatching(/^missing PAYPAL-TRANSMISSION-ID/),
      expect.stringMatching(/^the transmission is 3\d{3} s old/),
    ]);
  });

  it("verification calls are rate limited per integration: past PAYPAL_VERIFY_PER_MINUTE no call is made and the events are kept as rejected", async () => {
    process.env.PAYPAL_VERIFY_PER_MINUTE = "3";
    resetEnvCache();
    try {
      const { row, webhookId } = await integration();
      const other = await integration();
      // well-formed headers with a fresh time for a made-up body: each would cost a call to PayPal
      const headers = () => ({
        "content-type": "application/json",
        "paypal-transmission-id": randomUUID(),
        "paypal-transmission-time": new Date().toISOString(),
        "paypal-transmission-sig": randomBytes(256).toString("base64"),
        "paypal-cert-url": "https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-1d93a270",
        "paypal-auth-algo": "SHA256withRSA",
      });
      const body = (i: number) => JSON.stringify({ id: `WH-FLOOD-${i}`, event_type: "PAYMENT.CAPTURE.COMPLETED", resource: { id: `CAP${i}` } });
      const post = (code: string, i: number) => call(providerRoute.POST as never, { rawBody: body(i), params: { provider: "paypal", code }, headers: headers() });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await post(row.code, i)).status);
      expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
      const limited = await post(row.code, 99);
      expect(limited.status).toBe(429);
      expect(limited.json.error).toMatchObject({ code: "rate_limited" });
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(statuses.slice(3)).toEqual([429, 429, 429]);

      // three calls went out for this integration, none past the limit
      const calls = await db.integrationLog.count({ where: { integrationId: row.id, action: "paypal.webhooks.verify" } });
      expect(calls).toBe(3);
      const seen = await requests((s) => s.path === "/paypal/v1/notifications/verify-webhook-signature" && s.body.includes(webhookId));
      expect(seen).toHaveLength(3);
      // every refused attempt is on record as rejected, with the reason
      const rejected = await stored(row.id, 7, { status: "rejected" });
      expect(rejected.map((r) => r.lastError).filter((e) => /verification calls/.test(e ?? ""))).toHaveLength(4);
      expect(rejected.find((r) => /verification calls/.test(r.lastError ?? ""))?.lastError).toMatch(/more than \d+ a minute, the server's limit/);
      // the limit is per integration
      expect((await post(other.row.code, 1)).status).toBe(401);
      expect(await db.integrationLog.count({ where: { integrationId: other.row.id, action: "paypal.webhooks.verify" } })).toBe(1);
    } finally {
      delete process.env.PAYPAL_VERIFY_PER_MINUTE;
      resetEnvCache();
    }
  });

  it("events for a webhook id of another integration fail verification", async () => {
    const a = await integration();
    const b = await integration();
    const p = await def.payments!.create(a.ctx, paymentRequest());
    await control(`/__pay/${p.providerPaymentId}`, { outcome: "pay" });
    const [real] = await stored(a.row.id, 1);
    const signed = Object.fromEntries(Object.entries(real.headers as Record<string, string>).filter(([k]) => k.startsWith("paypal-")));
    const res = await call(providerRoute.POST as never, { rawBody: JSON.stringify(real.payload), params: { provider: "paypal", code: b.row.code }, headers: { "content-type": "application/json", ...signed } });
    expect(res.status).toBe(401);
  });

  it("event types Switchboard does not act on are ignored", async () => {
    const r = await def.webhook!.handle!(
      { id: randomUUID(), type: "CUSTOMER.DISPUTE.CREATED", externalId: "WH-1", payload: { id: "WH-1", event_type: "CUSTOMER.DISPUTE.CREATED", resource: {} }, headers: {}, attempt: 1, receivedAt: new Date() },
      {} as never,
    );
    expect(r.outcome).toBe("ignored");
  });
});
