// The Click provider against its sandbox: the payment link's format, the MD5 sign_string check,
// the connection test (the sandbox calls our URL with a wrong signature and an unknown order)
// and its failures, and what Click cannot do from our side (another currency, a status call,
// a refund). The SHOP API's behaviour end to end: tests/integration/click.test.ts.
import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { buildContext, createIntegration, testIntegration } from "@/lib/integrations/service";
import { getProvider } from "@/lib/providers/registry";
import { PaymentProviderError, type PaymentRequest } from "@/lib/providers/types";
import { payLink, signOf, tiyinOf } from "@/lib/providers/click/client";
import { verifyClick } from "@/lib/providers/click/verify";
import { fault, system } from "@/tests/helpers/fixtures";
import { useWebhookServer } from "@/tests/helpers/webhook-server";
import { failure } from "@/tests/helpers/providers";

const def = getProvider("click")!;
useWebhookServer(); // before any integration: sandboxConnect registers its URLs

let n = 0;
async function integration() {
  const row = await createIntegration(
    { provider: "click", name: `Click ${++n}`, mode: "sandbox", credentials: { serviceId: "20001", merchantId: "3001", secretKey: randomBytes(12).toString("base64url") }, config: {} },
    system,
  );
  return { row, ctx: buildContext(row) };
}

const request = (over: Partial<PaymentRequest> = {}): PaymentRequest => ({
  id: randomUUID(),
  amountMinor: 1_250_050,
  currency: "UZS",
  metadata: {},
  returnUrl: "https://crm.example.test/paid?x=1&y=2",
  cancelUrl: "https://crm.example.test/canceled",
  idempotencyKey: randomUUID(),
  ...over,
});

describe("the payment link and the sums", () => {
  it("is Click's payment page with the service, the merchant, the sum in sums and the order as transaction_param", async () => {
    const { ctx } = await integration();
    const req = request();
    const p = await def.payments!.create(ctx, req);
    expect(p).toMatchObject({ status: "pending", providerPaymentId: null });
    const u = new URL(p.paymentUrl!);
    expect(u.pathname).toBe("/click/services/pay");
    expect(Object.fromEntries(u.searchParams)).toEqual({ service_id: "20001", merchant_id: "3001", amount: "12500.50", transaction_param: req.id, return_url: req.returnUrl });
    expect(payLink("https://my.click.uz", { serviceId: "1", merchantId: "2", amountTiyin: 100_000, orderId: "A-1" })).toBe(
      "https://my.click.uz/services/pay?service_id=1&merchant_id=2&amount=1000.00&transaction_param=A-1",
    );
  });

  it("reads Click's sums to tiyin, and refuses what is not a sum", () => {
    expect([tiyinOf("1000"), tiyinOf("1000.5"), tiyinOf("1000.50"), tiyinOf("1000.500")]).toEqual([100_000, 100_050, 100_050, 100_050]);
    expect([tiyinOf("1000.501"), tiyinOf("-1"), tiyinOf("1e3"), tiyinOf("")]).toEqual([null, null, null, null]);
  });

  it("refuses what Click cannot take here: another currency, a subscription; has no status or refund call", async () => {
    const { ctx } = await integration();
    expect((await failure(def.payments!.create(ctx, request({ currency: "USD" })), PaymentProviderError)).retryable).toBe(false);
    expect((await failure(def.payments!.create(ctx, request({ subscription: { interval: "month" } })), PaymentProviderError)).message).toMatch(/one-time/);
    const payment = { id: randomUUID(), providerPaymentId: null, providerCheckoutId: null, providerCaptureId: null };
    expect((await failure(def.payments!.retrieve(ctx, payment), PaymentProviderError)).message).toMatch(/reports each payment/);
    expect((await failure(def.payments!.refund(ctx, { refundId: randomUUID(), amountMinor: 1, currency: "UZS", idempotencyKey: "k", payment }), PaymentProviderError)).message).toMatch(/merchant cabinet/);
  });
});

describe("sign_string", () => {
  const secret = "s3cr3t-key";
  const fields = { click_trans_id: "123", service_id: "20001", merchant_trans_id: "order-1", amount: "1000.00", action: "0", sign_time: "2026-12-07 12:00:00" };
  const req = (f: Record<string, string>) => ({ rawBody: new URLSearchParams(f).toString(), headers: new Headers(), url: "http://localhost/x", ip: "127.0.0.1" });

  it("is the MD5 of the documented concatenation; a Complete adds merchant_prepare_id", () => {
    // md5("123" + "20001" + "s3cr3t-key" + "order-1" + "" + "1000.00" + "0" + "2026-12-07 12:00:00")
    expect(signOf(fields, secret)).toBe("cd8ea59c4e72dc44de6e45eaa504f671");
    expect(signOf({ ...fields, action: "1", merchant_prepare_id: "9" }, secret)).not.toBe(signOf({ ...fields, action: "1", merchant_prepare_id: "8" }, secret));
    expect(signOf({ ...fields, merchant_prepare_id: "9" }, secret)).toBe(signOf(fields, secret));
  });

  it("passes the right signature for this service, refuses a wrong one, another service, missing fields", () => {
    const signed = { ...fields, sign_string: signOf(fields, secret) };
    expect(verifyClick(req(signed), "20001", [secret])).toMatchObject({ ok: true });
    expect(verifyClick(req({ ...signed, sign_string: signed.sign_string.toUpperCase() }), "20001", [secret])).toMatchObject({ ok: true });
    expect(verifyClick(req({ ...signed, amount: "1.00" }), "20001", [secret])).toMatchObject({ ok: false, reason: /sign_string/ });
    expect(verifyClick(req(signed), "20002", [secret])).toMatchObject({ ok: false, reason: /service/ });
    const { sign_time: _gone, ...partial } = signed;
    expect(verifyClick(req(partial), "20001", [secret])).toMatchObject({ ok: false, reason: /sign_time/ });
    expect(verifyClick(req(signed), "20001", [])).toMatchObject({ ok: false });
  });
});

describe("Test connection", () => {
  it("passes when the sandbox reaches our URL and is refused a wrong signature (-1) and an unknown order (-5)", async () => {
    const { row } = await integration();
    const t = await testIntegration(row.id, system);
    expect(t).toMatchObject({ ok: true });
    expect(t.message).toMatch(/-1\)/);
  });

  it("fails with a sentence when the sandbox is down", async () => {
    const { row } = await integration();
    await fault({ provider: "click", path: "/__console", status: 503 });
    const t = await testIntegration(row.id, system);
    expect(t.ok).toBe(false);
    expect(t.message).toMatch(/503/);
  });
});
