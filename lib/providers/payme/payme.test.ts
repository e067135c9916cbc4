// The Payme provider against its sandbox: the checkout link's format, the HTTP Basic check,
// the connection test (the sandbox plays Payme's test console against our endpoint) and its
// failures, and what Payme cannot do from our side (another currency, a status call, a
// refund). The Merchant API's behaviour end to end: tests/integration/payme.test.ts.
import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { buildContext, createIntegration, testIntegration } from "@/lib/integrations/service";
import { getProvider } from "@/lib/providers/registry";
import { PaymentProviderError, type PaymentRequest } from "@/lib/providers/types";
import { checkoutLink, readCheckoutToken } from "@/lib/providers/payme/client";
import { verifyPayme } from "@/lib/providers/payme/verify";
import { fault, system } from "@/tests/helpers/fixtures";
import { useWebhookServer } from "@/tests/helpers/webhook-server";
import { failure } from "@/tests/helpers/providers";

const def = getProvider("payme")!;
useWebhookServer(); // before any integration: sandboxConnect registers its URL

let n = 0;
async function integration() {
  const merchantId = randomBytes(12).toString("hex");
  const row = await createIntegration({ provider: "payme", name: `Payme ${++n}`, mode: "sandbox", credentials: { merchantId, key: randomBytes(24).toString("base64url") }, config: {} }, system);
  return { row, ctx: buildContext(row) };
}

const request = (over: Partial<PaymentRequest> = {}): PaymentRequest => ({
  id: randomUUID(),
  amountMinor: 500,
  currency: "UZS",
  metadata: {},
  returnUrl: "https://crm.example.test/paid?x=1;y=2",
  cancelUrl: "https://crm.example.test/canceled",
  idempotencyKey: randomUUID(),
  ...over,
});

const inbound = (authorization?: string) => ({
  rawBody: "{}",
  headers: new Headers(authorization === undefined ? {} : { authorization }),
  url: "http://localhost/api/webhooks/payme/x",
  ip: "127.0.0.1",
});
const basic = (login: string, key: string) => `Basic ${Buffer.from(`${login}:${key}`).toString("base64")}`;

describe("the checkout link", () => {
  it("is the documented example: base64 of m=…;ac.order_id=…;a=… after the checkout URL", () => {
    // developer.help.paycom.uz, "Отправка чека по методу GET"
    expect(checkoutLink("https://checkout.paycom.uz", { merchantId: "587f72c72cac0d162c722ae2", accountField: "order_id", orderId: "197", amountTiyin: 500 })).toBe(
      "https://checkout.paycom.uz/bT01ODdmNzJjNzJjYWMwZDE2MmM3MjJhZTI7YWMub3JkZXJfaWQ9MTk3O2E9NTAw",
    );
  });

  it("carries the return URL (its ';' escaped) and the language; the sandbox reads it back", async () => {
    const { ctx } = await integration();
    const req = request();
    const p = await def.payments!.create(ctx, req);
    expect(p).toMatchObject({ status: "pending", providerPaymentId: null });
    const token = p.paymentUrl!.slice(`${ctx.baseUrl}/`.length);
    expect(readCheckoutToken(token)).toEqual({ m: ctx.credentials.merchantId, "ac.order_id": req.id, a: "500", c: req.returnUrl, l: "ru" });
  });

  it("refuses what Payme cannot take: another currency, a subscription", async () => {
    const { ctx } = await integration();
    expect((await failure(def.payments!.create(ctx, request({ currency: "RUB" })), PaymentProviderError)).retryable).toBe(false);
    expect((await failure(def.payments!.create(ctx, request({ subscription: { interval: "month" } })), PaymentProviderError)).message).toMatch(/one-time/);
  });

  it("has no status call and no refund call: both say where it happens instead", async () => {
    const { ctx } = await integration();
    const payment = { id: randomUUID(), providerPaymentId: null, providerCheckoutId: null, providerCaptureId: null };
    expect((await failure(def.payments!.retrieve(ctx, payment), PaymentProviderError)).message).toMatch(/reports each transaction/);
    const refund = await failure(def.payments!.refund(ctx, { refundId: randomUUID(), amountMinor: 1, currency: "UZS", idempotencyKey: "k", payment }), PaymentProviderError);
    expect(refund.message).toMatch(/Payme Business cabinet/);
  });
});

describe("HTTP Basic Paycom:<key>", () => {
  const keys = { key: ["the-cashbox-key-1"], testKey: ["the-test-key-22"] };
  it("passes the key and the test key, and refuses anything else with a reason", () => {
    expect(verifyPayme(inbound(basic("Paycom", "the-cashbox-key-1")), keys)).toMatchObject({ ok: true });
    expect(verifyPayme(inbound(basic("Paycom", "the-test-key-22")), keys)).toMatchObject({ ok: true, note: "the test key" });
    expect(verifyPayme(inbound(basic("Paycom", "the-cashbox-key-2")), keys)).toMatchObject({ ok: false, reason: "the key is not this cashbox's key" });
    expect(verifyPayme(inbound(basic("paycom", "the-cashbox-key-1")), keys)).toMatchObject({ ok: false, reason: 'the login is not "Paycom"' });
    expect(verifyPayme(inbound(), keys)).toMatchObject({ ok: false });
    expect(verifyPayme(inbound("Bearer the-cashbox-key-1"), keys)).toMatchObject({ ok: false });
    expect(verifyPayme(inbound(basic("Paycom", "x")), { key: [], testKey: [] })).toMatchObject({ ok: false });
  });
});

describe("Test connection", () => {
  it("passes when the sandbox, as Payme's console, reaches our endpoint and is refused a wrong key and an unknown order", async () => {
    const { row } = await integration();
    const t = await testIntegration(row.id, system);
    expect(t).toMatchObject({ ok: true });
    expect(t.message).toMatch(/-32504/);
  });

  it("fails with a sentence when the sandbox is down", async () => {
    const { row } = await integration();
    await fault({ provider: "payme", path: "/__console", status: 503 });
    const t = await testIntegration(row.id, system);
    expect(t.ok).toBe(false);
    expect(t.message).toMatch(/503|Payme/);
  });
});
