// The custom-webhook provider against the sandbox receiver, which verifies signatures the
// way a careful receiving system does.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { testIntegration, updateIntegration, buildContext } from "@/lib/integrations/service";
import { deliver } from "@/lib/providers/generic-webhook";
import { fault, sandbox, system, webhookIntegration } from "@/tests/helpers/fixtures";

describe("generic-webhook provider", () => {
  it("delivers a signed ping the receiver accepts (hex HMAC)", async () => {
    const { row, secret } = await webhookIntegration();
    const r = await testIntegration(row.id, system);
    expect(r).toMatchObject({ ok: true, message: expect.stringMatching(/accepted a signed ping \(HTTP 200/) });
    const inbox = await (await fetch(`${sandbox().url}/__control/inbox?provider=generic-webhook`)).json();
    expect(inbox.items[0]).toMatchObject({ kind: "webhook", to: row.code, summary: "switchboard.ping" });
    const logs = await db.integrationLog.findMany({ where: { integrationId: row.id } });
    expect(JSON.stringify(logs, (_k, v) => (typeof v === "bigint" ? String(v) : v))).not.toContain(secret);
  });

  it("delivers with Standard Webhooks", async () => {
    const { row } = await webhookIntegration({
      credentials: { signingSecret: `whsec_${randomBytes(32).toString("base64")}` },
      config: { scheme: "standard-webhooks" },
    });
    expect((await testIntegration(row.id, system)).ok).toBe(true);
    const seen = await (await fetch(`${sandbox().url}/__control/requests?provider=generic-webhook`)).json();
    const ping = seen.items.find((s: { path: string }) => s.path.endsWith(`/hooks/${row.code}`));
    expect(ping.headers).toHaveProperty("webhook-signature");
    expect(ping.headers["webhook-signature"]).toMatch(/^v1,/);
  });

  it("refuses a Standard Webhooks setup without a whsec_ secret before sending anything", async () => {
    const { row } = await webhookIntegration({ credentials: { signingSecret: "not-a-standard-webhooks-secret-value" }, config: { scheme: "standard-webhooks" } });
    const r = await testIntegration(row.id, system);
    expect(r).toMatchObject({ ok: false, message: expect.stringMatching(/whsec_/) });
  });

  it("reports a signature the receiver rejects (the two sides disagree on the secret)", async () => {
    const { row } = await webhookIntegration();
    // the receiving system was configured with another secret
    await fetch(`${sandbox().url}/generic-webhook/__hooks/${row.code}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ secret: "something-else-entirely-123", scheme: "hmac-sha256" }),
    });
    const ctx = buildContext(row);
    const res = await deliver(ctx as never, { type: "order.created", data: {} });
    expect(res.status).toBe(401);
    expect(res.json<{ error: string }>().error).toMatch(/invalid signature: signature mismatch/);
  });

  it("reports an unknown receiver URL and an endpoint that is down", async () => {
    const { row, secret } = await webhookIntegration();
    // a new endpoint needs the secret entered again (it would be sent somewhere else)
    const credentials = { signingSecret: secret };
    await updateIntegration(row.id, { apiEndpoint: `${sandbox().url}/generic-webhook/hooks/nobody-here`, credentials }, system);
    // sandboxConnect registered the new name; remove by pointing at a name with a different path shape
    await updateIntegration(row.id, { apiEndpoint: `${sandbox().url}/generic-webhook/nothing`, credentials }, system);
    const r = await testIntegration(row.id, system);
    expect(r).toMatchObject({ ok: false, message: "The endpoint URL was not found (HTTP 404)" });
    await fault({ provider: "generic-webhook", path: "/hooks/", status: 503, times: 10 });
    await updateIntegration(row.id, { apiEndpoint: null, credentials }, system);
    const down = await testIntegration(row.id, system);
    expect(down).toMatchObject({ ok: false, message: "The endpoint had a server error (HTTP 503)" });
  });

  it("receivers deduplicate a redelivered event id", async () => {
    const { row } = await webhookIntegration();
    await testIntegration(row.id, system); // registers the receiver
    const ctx = buildContext(row);
    const first = await deliver(ctx as never, { id: "evt_same", type: "x", data: {} });
    const again = await deliver(ctx as never, { id: "evt_same", type: "x", data: {} });
    expect(first.json()).toEqual({ received: true });
    expect(again.json()).toEqual({ received: true, duplicate: true });
  });
});
