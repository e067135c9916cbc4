// A payment link settles by itself (issue 16 item 1). YooKassa signs nothing, so its
// notifications are authenticated by source address: a sandbox-mode integration accepts its
// own sandbox's address as well as YooKassa's published ranges, a live one does not. A
// refused notification that names a payment we know is shown on that payment's timeline, and
// when no notification has come within a bounded wait (PAYMENT_STATUS_CHECK_SECONDS), reading
// the payment asks the provider itself, as "Check status" does.
import { beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import { createIntegration, webhookUrl } from "@/lib/integrations/service";
import * as payments from "@/app/api/v1/payments/route";
import * as one from "@/app/api/v1/payments/[id]/route";
import { call } from "../helpers/http";
import { createKey, sandbox, system } from "../helpers/fixtures";
import { runWorkers, withEnv } from "../helpers/workers";
import { waitFor } from "../helpers/wait";

// YooKassa's published ranges only: loopback (where the sandbox is) is not configured in
delete process.env.YOOKASSA_ALLOWED_IPS;
// workers and the webhook front for this file, with fast dispatch and short retries
runWorkers({ webhooks: true, env: { WEBHOOK_DISPATCH_MS: "50", WEBHOOK_RETRY_BASE_SECONDS: "0.2", WEBHOOK_RETRY_MAX_SECONDS: "1", PAYMENT_STATUS_CHECK_SECONDS: "3600" } });

let key: string;
beforeAll(async () => {
  key = (await createKey(["payments:read", "payments:write"])).key;
});

const shopId = () => String(100000 + Math.floor(Math.random() * 899_999));
const secretKey = () => `test_${randomBytes(24).toString("base64url")}`;

const create = (body: Record<string, unknown>) => call(payments.POST as never, { method: "POST", url: "/api/v1/payments", body, bearer: key });
const get = (id: string) => call(one.GET as never, { url: `/api/v1/payments/${id}`, params: { id }, bearer: key });

async function pay(providerPaymentId: string) {
  const res = await fetch(`${sandbox().url}/yookassa/__pay/${providerPaymentId}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ outcome: "pay" }) });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
}

type Entry = { event: string; source?: string; status?: string; error?: string; detail?: string };

describe("YooKassa notifications from the sandbox", () => {
  it("a sandbox-mode integration accepts its own sandbox's notifications: the payment succeeds through the webhook", async () => {
    const row = await createIntegration({ provider: "yookassa", name: "YooKassa sandbox", mode: "sandbox", credentials: { shopId: shopId(), secretKey: secretKey() } }, system);
    const res = await create({ amountMinor: 99000, currency: "RUB", integrationId: row.id, description: "Трансфер S-1" });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    await pay(res.json.providerPaymentId);
    const p = await waitFor(async () => {
      const x = await db.payment.findUnique({ where: { id: res.json.id } });
      return x?.status === "succeeded" ? x : null;
    }, 20_000, "the payment to succeed");
    const events = await db.webhookEvent.findMany({ where: { integrationId: row.id } });
    expect(events.map((e) => [e.eventType, e.status, e.signatureVerified])).toEqual([["payment.succeeded", "completed", true]]);
    expect(events[0].verification).toContain("sandbox");
    // the webhook settled it, not a status check
    expect((p.history as Entry[]).find((h) => h.event === "succeeded")).toMatchObject({ source: "webhook" });
  });

  it("a live integration refuses the same address; the refusal is on the payment's timeline; reading it after the wait asks YooKassa", async () => {
    // a live integration whose API happens to be reachable here (the sandbox), so that the
    // payment exists at "YooKassa"; its notifications still come from an address YooKassa never uses
    const shop = shopId();
    const key = secretKey();
    const row = await createIntegration(
      { provider: "yookassa", name: "YooKassa live", mode: "live", apiEndpoint: `${sandbox().url}/yookassa/v3`, credentials: { shopId: shop, secretKey: key } },
      system,
    );
    // what an admin does in YooKassa's dashboard: our URL for the event
    const reg = await fetch(`${sandbox().url}/yookassa/v3/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`${shop}:${key}`).toString("base64")}`, "idempotence-key": randomBytes(8).toString("hex") },
      body: JSON.stringify({ event: "payment.succeeded", url: webhookUrl("yookassa", row.code) }),
    });
    expect(reg.status, await reg.clone().text()).toBeLessThan(300);

    const res = await create({ amountMinor: 150000, currency: "RUB", integrationId: row.id, description: "Трансфер L-1" });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    await pay(res.json.providerPaymentId);

    const rejected = await waitFor(() => db.webhookEvent.findFirst({ where: { integrationId: row.id, status: "rejected" } }), 10_000, "the notification to be refused");
    expect(rejected.lastError).toBe("127.0.0.1 is not on the YooKassa allow-list");
    expect(await db.webhookEvent.count({ where: { integrationId: row.id, status: { not: "rejected" } } })).toBe(0);

    // before the wait: the payment is read as it is, nothing asked
    const before = await get(res.json.id);
    expect(before.json.status).toBe("pending");
    const refusal = (before.json.history as Entry[]).find((h) => h.event === "notification_rejected");
    expect(refusal).toMatchObject({ source: "webhook", error: "127.0.0.1 is not on the YooKassa allow-list" });
    expect(await db.integrationLog.count({ where: { relatedId: res.json.id, action: "yookassa.payments.get" } })).toBe(0);

    // no notification came within the wait: reading the payment checks its status with YooKassa
    await withEnv({ PAYMENT_STATUS_CHECK_SECONDS: "0.5" }, async () => {
      const after = await waitFor(async () => {
        const r = await get(res.json.id);
        return r.json.status === "succeeded" ? r : null;
      }, 10_000, "the status check to settle the payment");
      expect((after.json.history as Entry[]).find((h) => h.event === "succeeded")).toMatchObject({ source: "refresh" });
      expect(await db.integrationLog.count({ where: { relatedId: res.json.id, action: "yookassa.payments.get" } })).toBe(1);
      // a final payment is not asked about again
      await get(res.json.id);
      expect(await db.integrationLog.count({ where: { relatedId: res.json.id, action: "yookassa.payments.get" } })).toBe(1);
    });
  });
});
