// Accepted webhook payloads are shown redacted, like their headers and rejected payloads
// (issue 15 item 2): a Stripe client_secret or a custom payload's token never reaches a viewer
// or a webhooks:read key, while the stored original is what processing and replay use.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHmac, randomBytes } from "node:crypto";
import Stripe from "stripe";
import { db } from "@/lib/db";
import { createIntegration } from "@/lib/integrations/service";
import * as receiveRoute from "@/app/api/webhooks/receive/[code]/route";
import * as providerRoute from "@/app/api/webhooks/[provider]/[code]/route";
import * as oneRoute from "@/app/api/v1/webhooks/[id]/route";
import * as listRoute from "@/app/api/v1/webhooks/route";
import * as replayRoute from "@/app/api/v1/webhooks/[id]/replay/route";
import { call } from "../helpers/http";
import { createKey, createUser, system, webhookIntegration } from "../helpers/fixtures";
import { scriptedServer } from "../helpers/scripted-server";
import { runWorkers } from "../helpers/workers";
import { waitFor } from "../helpers/wait";

runWorkers({ webhooks: true, env: { WEBHOOK_RETRY_BASE_SECONDS: "0.2", WEBHOOK_RETRY_MAX_SECONDS: "1", WEBHOOK_SWEEP_SECONDS: "1" } });

let crm: Awaited<ReturnType<typeof scriptedServer>>;
beforeAll(async () => {
  crm = await scriptedServer();
});
afterAll(async () => {
  await crm.close();
});

const settled = (id: string) =>
  waitFor(async () => {
    const e = await db.webhookEvent.findUnique({ where: { id } });
    return e && ["completed", "failed", "ignored"].includes(e.status) && e;
  }, 20_000, `event ${id} to settle`);

describe("accepted webhook payloads are redacted for display", () => {
  it("a Stripe event's client_secret is not shown to a viewer or a webhooks:read key; the stored original is kept", async () => {
    const secret = `whsec_${randomBytes(24).toString("hex")}`;
    const row = await createIntegration(
      { provider: "stripe", name: "Stripe redaction", mode: "sandbox", credentials: { secretKey: `sk_test_${randomBytes(24).toString("hex")}`, webhookSecret: secret }, config: {} },
      system,
    );
    const clientSecret = `pi_red_secret_${randomBytes(12).toString("hex")}`;
    const body = JSON.stringify({
      id: `evt_${randomBytes(8).toString("hex")}`,
      object: "event",
      type: "payment_intent.created",
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: "pi_red", object: "payment_intent", status: "requires_payment_method", amount: 100, client_secret: clientSecret, metadata: {} } },
      livemode: false,
    });
    const res = await call(providerRoute.POST as never, {
      rawBody: body,
      params: { provider: "stripe", code: row.code },
      headers: { "content-type": "application/json", "stripe-signature": Stripe.webhooks.generateTestHeaderString({ payload: body, secret }) },
    });
    expect(res.status).toBe(200);
    await settled(res.json.id);

    const viewer = await createUser("viewer");
    const { key } = await createKey(["webhooks:read"]);
    for (const auth of [{ cookie: viewer.cookie }, { bearer: key }]) {
      const one = await call(oneRoute.GET as never, { params: { id: res.json.id }, ...auth });
      expect(one.status).toBe(200);
      expect(one.json.payload.data.object).toMatchObject({ id: "pi_red", amount: 100, client_secret: "[REDACTED]" });
      expect(one.text).not.toContain(clientSecret);
      const list = await call(listRoute.GET as never, { url: `/api/v1/webhooks?integrationId=${row.id}`, ...auth });
      expect(list.status).toBe(200);
      expect(list.text).not.toContain(clientSecret);
    }
    // processing and replay read the original
    const stored = await db.webhookEvent.findUniqueOrThrow({ where: { id: res.json.id } });
    expect(JSON.stringify(stored.payload)).toContain(clientSecret);
  });

  it("a custom payload's token is hidden from a viewer, and Replay forwards the original with it", async () => {
    const signing = randomBytes(32).toString("base64url");
    const { row } = await webhookIntegration({
      mode: "live",
      apiEndpoint: `${crm.url}/outbound`,
      credentials: { signingSecret: signing, forwardSecret: "whsec_" + randomBytes(32).toString("base64") },
      config: { scheme: "hmac-sha256", forwardUrl: `${crm.url}/crm-redact` },
    });
    const token = `tok_${randomBytes(12).toString("hex")}`;
    const body = JSON.stringify({ id: `red-${randomBytes(4).toString("hex")}`, type: "account.linked", data: { token, name: "Anna", nested: [{ access_token: token }] } });
    const res = await call(receiveRoute.POST as never, {
      url: `/api/webhooks/receive/${row.code}`,
      rawBody: body,
      params: { code: row.code },
      headers: { "content-type": "application/json", "x-signature": createHmac("sha256", signing).update(body).digest("hex") },
    });
    expect(res.status).toBe(200);
    await settled(res.json.id);

    const viewer = await createUser("viewer");
    const one = await call(oneRoute.GET as never, { params: { id: res.json.id }, cookie: viewer.cookie });
    expect(one.status).toBe(200);
    expect(one.json.payload.data).toMatchObject({ token: "[REDACTED]", name: "Anna", nested: [{ access_token: "[REDACTED]" }] });
    expect(one.text).not.toContain(token);

    const admin = await createUser("admin");
    const replay = await call(replayRoute.POST as never, { method: "POST", params: { id: res.json.id }, cookie: admin.cookie });
    expect(replay.status).toBe(200);
    expect(replay.text).not.toContain(token);
    await waitFor(async () => crm.hits.filter((h) => h.path === "/crm-redact").length === 2, 15_000, "the replay");
    // the first delivery and the replay both carry the original token
    for (const hit of crm.hits.filter((h) => h.path === "/crm-redact")) expect(hit.body).toContain(token);
  });
});
