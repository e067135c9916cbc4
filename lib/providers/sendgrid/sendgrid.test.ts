// The SendGrid provider against its sandbox: the real SDK builds the v3 request, the sandbox
// checks it like SendGrid and posts ECDSA-signed events back over real HTTP, which the inbox
// verifies and the handler turns into "message.status" updates. Every error class, and
// forged, unsigned and stale callbacks.
import { generateKeyPairSync, randomBytes, randomUUID, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { buildContext, createIntegration, testIntegration, updateIntegration, webhookUrl } from "@/lib/integrations/service";
import { getProvider } from "@/lib/providers/registry";
import { SendError, type StatusUpdate, type StoredWebhook } from "@/lib/providers/types";
import { processWebhookEvent } from "@/lib/webhooks/process";
import * as providerRoute from "@/app/api/webhooks/[provider]/[code]/route";
import { sendgridSandboxPublicKey, sandboxSignature } from "@/lib/providers/sendgrid/sandbox";
import { fault, sandbox, system } from "@/tests/helpers/fixtures";
import { call } from "@/tests/helpers/http";
import { useWebhookServer } from "@/tests/helpers/webhook-server";
import { adapterOnly, failure, jsonOf, outboundEmail, sandboxRequests, storedEvents } from "@/tests/helpers/providers";

// this file tests the adapter; the areas' reactions to its events are tested in tests/integration
adapterOnly();

const def = getProvider("sendgrid")!;
const apiKey = () => `SG.${randomBytes(16).toString("base64url")}.${randomBytes(32).toString("base64url")}`;

const hooks = useWebhookServer();

let n = 0;
async function integration(opts: { credentials?: Record<string, unknown>; config?: Record<string, unknown> } = {}) {
  const key = apiKey();
  const row = await createIntegration(
    {
      provider: "sendgrid",
      name: `SendGrid ${++n}`,
      mode: "sandbox",
      credentials: { apiKey: key, webhookPublicKey: sendgridSandboxPublicKey(), ...opts.credentials },
      config: { fromEmail: "noreply@acme-transfers.test", fromName: "Acme Transfers", ...opts.config },
    },
    system,
  );
  return { row, key, ctx: buildContext(row) };
}

const message = outboundEmail;

const sendError = (p: Promise<unknown>) => failure(p, SendError);

// newest first, as before
const sendRequests = async () => (await sandboxRequests("sendgrid", (s) => s.method === "POST" && s.path.endsWith("/v3/mail/send"))).reverse();

const pending = (integrationId: string, count: number) => storedEvents(integrationId, count, "SendGrid events");

/** processes every stored event of the integration; the updates they produced, in order */
async function updatesOf(integrationId: string, count: number): Promise<StatusUpdate[]> {
  const rows = await pending(integrationId, count);
  const out: StatusUpdate[] = [];
  for (const r of rows) {
    expect(r).toMatchObject({ provider: "sendgrid", eventType: "email.events", signatureVerified: true, verification: "sendgrid-ecdsa", status: "pending" });
    expect(await processWebhookEvent(r.id)).toBe("completed");
    const done = await db.webhookEvent.findUniqueOrThrow({ where: { id: r.id } });
    const result = done.result as { events: { type: string; data: { updates: StatusUpdate[] } }[] };
    expect(result.events.map((e) => e.type)).toEqual(["message.status"]);
    out.push(...result.events[0].data.updates);
  }
  return out.sort((a, b) => (a.at ?? "").localeCompare(b.at ?? ""));
}

describe("sendgrid: sending", () => {
  it("sends through the real SDK in SendGrid's wire format and keeps the mail in the sandbox inbox", async () => {
    const { row, key, ctx } = await integration({ config: { categories: ["transfers"], replyTo: "desk@acme-transfers.test" } });
    const pdf = Buffer.from("%PDF-1.4 invoice APP-1001").toString("base64");
    const msg = message({
      html: "<p>Your driver arrives at <b>10:00</b>.</p>",
      options: {
        attachments: [{ filename: "invoice.pdf", contentType: "application/pdf", content: pdf }],
        categories: ["booking"],
        customArgs: { order: "APP-1001" },
      },
    });
    const res = await def.messaging!.send(ctx, msg);
    expect(res.status).toBe("sent");
    expect(res.providerMessageId).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const [req] = await sendRequests();
    expect(req.headers.authorization).toBe(`Bearer ${key}`);
    expect(req.headers["user-agent"]).toMatch(/^sendgrid\/8\.1\.6;nodejs$/);
    expect(JSON.parse(req.body)).toEqual({
      from: { email: "noreply@acme-transfers.test", name: "Acme Transfers" },
      subject: "Your transfer APP-1001",
      personalizations: [{ to: [{ email: msg.to, name: "Rider One" }] }],
      content: [
        { type: "text/plain", value: "Your driver arrives at 10:00." },
        { type: "text/html", value: "<p>Your driver arrives at <b>10:00</b>.</p>" },
      ],
      attachments: [{ content: pdf, filename: "invoice.pdf", type: "application/pdf", disposition: "attachment" }],
      categories: ["transfers", "booking"],
      custom_args: { order: "APP-1001", switchboard_message_id: msg.id },
      reply_to: { email: "desk@acme-transfers.test" },
    });

    const inbox = await (await fetch(`${sandbox().url}/__control/inbox?provider=sendgrid`)).json();
    const item = inbox.items.find((i: { to: string }) => i.to === msg.to);
    expect(item).toMatchObject({
      kind: "email",
      summary: "Your transfer APP-1001",
      payload: {
        xMessageId: res.providerMessageId,
        text: "Your driver arrives at 10:00.",
        html: "<p>Your driver arrives at <b>10:00</b>.</p>",
        categories: ["transfers", "booking"],
        custom_args: { switchboard_message_id: msg.id },
        attachments: [{ filename: "invoice.pdf", type: "application/pdf", size: Buffer.from(pdf, "base64").length }],
      },
    });

    const logs = await db.integrationLog.findMany({ where: { integrationId: row.id, action: "sendgrid.mail.send" } });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ method: "POST", statusCode: 202, status: "success" });
    expect(logs[0].url).toBe(`${sandbox().url}/sendgrid/v3/mail/send`);
    expect(jsonOf(await db.integrationLog.findMany({ where: { integrationId: row.id } }))).not.toContain(key);
  });

  it("sends text only when there is no html, and one attempt only (a send is not idempotent)", async () => {
    const { ctx } = await integration();
    const msg = message({ to: "plain@example.com", toName: null });
    await def.messaging!.send(ctx, msg);
    const req = (await sendRequests()).find((r) => r.body.includes(msg.id))!;
    const body = JSON.parse(req.body);
    expect(body.content).toEqual([{ type: "text/plain", value: "Your driver arrives at 10:00." }]);
    expect(body.personalizations).toEqual([{ to: [{ email: "plain@example.com" }] }]);
    expect(body).not.toHaveProperty("categories");
    expect(body).not.toHaveProperty("reply_to");
  });

  it("an invalid recipient is permanent, with SendGrid's field", async () => {
    const { ctx } = await integration();
    const e = await sendError(def.messaging!.send(ctx, message({ to: "not-an-email" })));
    expect(e.kind).toBe("permanent");
    expect(e.opts.code).toBe("400");
    expect(e.message).toMatch(/Does not contain a valid address\. \(personalizations\.0\.to\.0\.email\)/);
  });

  it("a message without subject or content is permanent", async () => {
    const { ctx } = await integration();
    const e = await sendError(def.messaging!.send(ctx, message({ subject: null, text: "", html: null })));
    expect(e.kind).toBe("permanent");
    expect(e.message).toMatch(/\(subject\)/);
    expect(e.message).toMatch(/\(content\)/);
  });

  it("a revoked key: 401 is transient (credentials), and testConnection says so", async () => {
    const { row, key, ctx } = await integration();
    await fetch(`${sandbox().url}/sendgrid/__revoke`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ apiKey: key }) });
    const e = await sendError(def.messaging!.send(ctx, message()));
    expect(e).toMatchObject({ kind: "transient", opts: { code: "401" } });
    expect(e.message).toMatch(/SendGrid rejected the API key \(401\): The provided authorization grant is invalid, expired, or revoked/);
    expect(e.message).not.toContain(key);
    const t = await testIntegration(row.id, system);
    expect(t).toMatchObject({ ok: false, message: expect.stringMatching(/^SendGrid rejected the API key/) });
  });

  it("a malformed key is refused by the form, and by SendGrid with 401", async () => {
    await expect(integration({ credentials: { apiKey: "sk_live_123" } })).rejects.toMatchObject({ status: 400 });
    const { ctx } = await integration({ credentials: { apiKey: "SG.not-a-real-key" } });
    const e = await sendError(def.messaging!.send(ctx, message()));
    expect(e).toMatchObject({ kind: "transient", opts: { code: "401" } });
  });

  it("429 is transient with SendGrid's Retry-After", async () => {
    const { ctx } = await integration();
    await fault({ provider: "sendgrid", path: "/v3/mail/send", status: 429, retryAfter: 30 });
    const e = await sendError(def.messaging!.send(ctx, message()));
    expect(e).toMatchObject({ kind: "transient", opts: { code: "429", retryAfterSeconds: 30 } });
  });

  it("5xx is transient, 413 permanent, and neither is retried by the HTTP layer", async () => {
    const { row, ctx } = await integration();
    await fault({ provider: "sendgrid", path: "/v3/mail/send", status: 503 });
    expect(await sendError(def.messaging!.send(ctx, message()))).toMatchObject({ kind: "transient", opts: { code: "503" } });
    await fault({ provider: "sendgrid", path: "/v3/mail/send", status: 413 });
    expect(await sendError(def.messaging!.send(ctx, message()))).toMatchObject({ kind: "permanent", opts: { code: "413" } });
    const attempts = await db.integrationLog.findMany({ where: { integrationId: row.id, action: "sendgrid.mail.send" }, orderBy: { id: "asc" } });
    expect(attempts.map((a) => a.statusCode)).toEqual([503, 413]);
  });

  it("a timeout is transient", async () => {
    const { ctx } = await integration();
    await fault({ provider: "sendgrid", path: "/v3/mail/send", delayMs: 4000, status: 500 });
    const e = await sendError(def.messaging!.send(ctx, message()));
    expect(e).toMatchObject({ kind: "transient", opts: { code: "timeout" }, message: "SendGrid did not answer in time" });
  }, 15_000);

  it("an endpoint nobody listens on is transient", async () => {
    const { row, key } = await integration();
    const { freePort } = await import("@/lib/runtime/embedded-pg");
    const moved = await updateIntegration(row.id, { apiEndpoint: `http://127.0.0.1:${await freePort()}`, credentials: { apiKey: key } }, system);
    const e = await sendError(def.messaging!.send(buildContext(moved), message()));
    expect(e.kind).toBe("transient");
    expect(e.message).toMatch(/Could not reach SendGrid: .*ECONNREFUSED/);
  });
});

describe("sendgrid: testConnection", () => {
  it("is ok when the key may send mail", async () => {
    const { row } = await integration();
    const t = await testIntegration(row.id, system);
    expect(t).toMatchObject({ ok: true, message: "Connected: the key may send mail." });
    const logs = await db.integrationLog.findMany({ where: { integrationId: row.id, action: "sendgrid.scopes" } });
    expect(logs.map((l) => [l.method, l.statusCode])).toEqual([["GET", 200]]);
  });

  it("explains a key without the Mail Send permission", async () => {
    const { row, key } = await integration({ credentials: { webhookPublicKey: undefined } });
    await fetch(`${sandbox().url}/sendgrid/__scopes`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ apiKey: key, scopes: ["user.profile.read"] }),
    });
    const t = await testIntegration(row.id, system);
    expect(t).toMatchObject({ ok: false, message: expect.stringMatching(/may not send mail: give it the Mail Send permission/) });
    const e = await sendError(def.messaging!.send(buildContext(row), message()));
    expect(e).toMatchObject({ kind: "transient", opts: { code: "403" } });
  });
});

describe("sendgrid: Event Webhook", () => {
  it("sandboxConnect registers our webhook URL through SendGrid's settings API", async () => {
    const { key, row } = await integration();
    const res = await fetch(`${sandbox().url}/sendgrid/v3/user/webhooks/event/settings`, { headers: { authorization: `Bearer ${key}` } });
    expect(await res.json()).toMatchObject({ enabled: true, url: webhookUrl("sendgrid", row.code), delivered: true, bounce: true, open: true });
    expect(webhookUrl("sendgrid", row.code)).toBe(`${hooks.url}/api/webhooks/sendgrid/${row.code}`);
    const signed = await fetch(`${sandbox().url}/sendgrid/v3/user/webhooks/event/settings/signed`, { headers: { authorization: `Bearer ${key}` } });
    expect(await signed.json()).toEqual({ enabled: true, public_key: sendgridSandboxPublicKey() });
  });

  it("signed events come back over HTTP, are stored verified, and become processed → delivered", async () => {
    const { row, ctx } = await integration();
    const msg = message({ options: { customArgs: { order: "APP-2002" }, categories: ["booking"] } });
    const sent = await def.messaging!.send(ctx, msg);
    const updates = await updatesOf(row.id, 2);
    expect(updates.map((u) => [u.providerMessageId, u.status, u.event])).toEqual([
      [sent.providerMessageId, "sent", "processed"],
      [sent.providerMessageId, "delivered", "delivered"],
    ]);
    // SendGrid's event shape: custom args flattened, sg_message_id = <X-Message-Id>.filter…
    const rows = await db.webhookEvent.findMany({ where: { integrationId: row.id } });
    const events = rows.flatMap((r) => r.payload as Record<string, unknown>[]);
    const delivered = events.find((e) => e.event === "delivered")!;
    expect(delivered).toMatchObject({
      email: msg.to,
      switchboard_message_id: msg.id,
      order: "APP-2002",
      category: ["booking"],
      "smtp-id": expect.stringContaining(sent.providerMessageId!),
    });
    expect(String(delivered.sg_message_id)).toMatch(new RegExp(`^${sent.providerMessageId}\\.filter`));
    expect((rows[0].headers as Record<string, string>)["x-twilio-email-event-webhook-timestamp"]).toMatch(/^\d+$/);
  });

  it("bounce, dropped and open recipients report what SendGrid would", async () => {
    const { row, ctx } = await integration();
    const bounce = await def.messaging!.send(ctx, message({ to: "bounce@example.com" }));
    const dropped = await def.messaging!.send(ctx, message({ to: "dropped@example.com" }));
    const open = await def.messaging!.send(ctx, message({ to: "open@example.com" }));
    // bounce: processed + bounce; dropped: dropped; open: processed + delivered + open
    const updates = await updatesOf(row.id, 6);
    const of = (id: string | null | undefined) => updates.filter((u) => u.providerMessageId === id).map((u) => `${u.status}:${u.event}`);
    expect(of(bounce.providerMessageId)).toEqual(["sent:processed", "undelivered:bounce"]);
    expect(of(dropped.providerMessageId)).toEqual(["failed:dropped"]);
    expect(of(open.providerMessageId)).toEqual(["sent:processed", "delivered:delivered", "delivered:open"]);
    expect(updates.find((u) => u.event === "bounce")).toMatchObject({
      errorCode: "5.1.1",
      error: "550 5.1.1 The email account that you tried to reach does not exist.",
    });
    expect(updates.find((u) => u.event === "dropped")).toMatchObject({ error: "Bounced Address" });
  });

  it("handle() maps every event SendGrid sends; events about no message are ignored", async () => {
    const ev = (payload: unknown): StoredWebhook => ({
      id: randomUUID(), type: "email.events", externalId: null, payload, headers: {}, attempt: 1, receivedAt: new Date(),
    });
    const base = { email: "a@example.com", timestamp: 1700000000, sg_event_id: "e", sg_message_id: "MSGID123.filterdrecv-1.0" };
    const words = ["processed", "deferred", "delivered", "open", "click", "bounce", "dropped", "spamreport", "unsubscribe", "group_unsubscribe"];
    const r = await def.webhook!.handle!(ev(words.map((event) => ({ ...base, event, ...(event === "bounce" ? { reason: "550 nope", status: "5.0.0" } : {}) }))), {} as never);
    expect(r.outcome).toBe("completed");
    const updates = (r.events![0].data as { updates: StatusUpdate[] }).updates;
    expect(updates.map((u) => [u.event, u.status])).toEqual([
      ["processed", "sent"], ["deferred", "sent"], ["delivered", "delivered"], ["open", "delivered"], ["click", "delivered"],
      ["bounce", "undelivered"], ["dropped", "failed"], ["spamreport", "delivered"], ["unsubscribe", "delivered"], ["group_unsubscribe", "delivered"],
    ]);
    expect(new Set(updates.map((u) => u.providerMessageId))).toEqual(new Set(["MSGID123"]));
    expect(updates[0].at).toBe("2023-11-14T22:13:20.000Z");
    expect(updates[5]).toMatchObject({ errorCode: "5.0.0", error: "550 nope" });
    // a resubscribe, or an unsubscribe from the preferences page, names no message
    const none = await def.webhook!.handle!(ev([{ email: "a@example.com", timestamp: 1, event: "group_resubscribe" }, { email: "b@example.com", timestamp: 1, event: "unsubscribe" }]), {} as never);
    expect(none).toMatchObject({ outcome: "ignored" });
    expect(none.events).toBeUndefined();
  });

  describe("refuses what SendGrid did not sign", () => {
    const body = JSON.stringify([{ email: "a@example.com", timestamp: Math.floor(Date.now() / 1000), event: "delivered", sg_event_id: "x1", sg_message_id: "FORGED.filter0001" }]);
    const post = (code: string, headers: Record<string, string>, raw = body) =>
      call(providerRoute.POST as never, { rawBody: raw, params: { provider: "sendgrid", code }, headers: { "content-type": "application/json", ...headers } });
    const rejected = (integrationId: string) => db.webhookEvent.findMany({ where: { integrationId, status: "rejected" }, orderBy: { receivedAt: "asc" } });

    it("forged (another key), unsigned and stale deliveries get 401 and are kept as rejected", async () => {
      const { row } = await integration();
      const other = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
      const ts = String(Math.floor(Date.now() / 1000));
      const forged = await post(row.code, {
        "x-twilio-email-event-webhook-signature": sign("sha256", Buffer.from(ts + body), other.privateKey).toString("base64"),
        "x-twilio-email-event-webhook-timestamp": ts,
      });
      expect(forged.status).toBe(401);
      expect((await post(row.code, {})).status).toBe(401);
      const stale = await post(row.code, sandboxSignature(body, String(Math.floor(Date.now() / 1000) - 900)));
      expect(stale.status).toBe(401);
      // a body changed after signing
      expect((await post(row.code, sandboxSignature(body), body.replace("delivered", "bounce"))).status).toBe(401);
      const reasons = (await rejected(row.id)).map((r) => r.lastError ?? "").sort();
      expect(reasons).toHaveLength(4);
      expect(reasons).toEqual([
        "missing X-Twilio-Email-Event-Webhook-Signature header",
        "signature mismatch for the configured public key",
        "signature mismatch for the configured public key",
        expect.stringMatching(/^the timestamp is 9\d\d s old/),
      ]);
      // the same body properly signed is accepted
      const ok = await post(row.code, sandboxSignature(body));
      expect(ok.status).toBe(200);
      expect(await db.webhookEvent.findUniqueOrThrow({ where: { id: ok.json.id } })).toMatchObject({ signatureVerified: true, status: "pending" });
    });

    it("without a configured verification key every delivery is refused, with the reason", async () => {
      const { row } = await integration({ credentials: { webhookPublicKey: undefined } });
      const res = await post(row.code, sandboxSignature(body));
      expect(res.status).toBe(401);
      expect((await rejected(row.id))[0].lastError).toMatch(/no Event Webhook verification key is configured/);
    });

    it("a signed body that is not an array of events gets 400", async () => {
      const { row } = await integration();
      const obj = JSON.stringify({ event: "delivered" });
      const res = await post(row.code, sandboxSignature(obj), obj);
      expect(res.status).toBe(400);
    });
  });

  it("the verification key must be an EC public key", async () => {
    await expect(integration({ credentials: { webhookPublicKey: "not a key" } })).rejects.toMatchObject({ status: 400 });
    const pem = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey.export({ type: "spki", format: "pem" }).toString();
    const { row } = await integration({ credentials: { webhookPublicKey: pem } });
    expect(row.id).toBeTruthy();
  });
});
