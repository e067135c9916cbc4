// The Twilio provider with the real twilio SDK against its sandbox: SMS and WhatsApp sends in
// Twilio's wire format, signed status callbacks back to the app over real HTTP, the magic
// numbers as permanent errors, credentials/429/5xx/timeouts as transient ones, polling,
// test connection, and the auth token never reaching the logs.
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import twilio from "twilio";
import { db } from "@/lib/db";
import { buildContext, createIntegration, testIntegration, webhookUrl } from "@/lib/integrations/service";
import { getProvider } from "@/lib/providers/registry";
import { SendError, type OutboundMessage, type ProviderDefinition, type StatusUpdate } from "@/lib/providers/types";
import { processWebhookEvent } from "@/lib/webhooks/process";
import { POST } from "@/app/api/webhooks/[provider]/[code]/route";
import { TWILIO_MAGIC } from "@/lib/providers/twilio/sandbox";
import { fault, sandbox, system } from "@/tests/helpers/fixtures";
import { call } from "@/tests/helpers/http";
import { startWebhookServer } from "@/tests/helpers/webhook-server";
import { waitFor } from "@/tests/helpers/wait";
import { adapterOnly, failure } from "@/tests/helpers/providers";

// this file tests the adapter; the areas' reactions to its events are tested in tests/integration
adapterOnly();

const webhookRoute = POST as never;

const def = getProvider("twilio") as ProviderDefinition;
const jsonOf = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
const hex = (n: number) => randomBytes(n).toString("hex");

let hooks: Awaited<ReturnType<typeof startWebhookServer>>;
beforeAll(async () => {
  hooks = await startWebhookServer();
});
afterAll(async () => {
  await hooks?.close();
});

let n = 0;
async function twilioIntegration(config: Record<string, unknown> = { from: "+15005550006", whatsappFrom: "+14155238886" }) {
  const accountSid = `AC${hex(16)}`;
  const authToken = hex(16);
  const row = await createIntegration(
    { provider: "twilio", name: `Twilio ${++n}`, mode: "sandbox", credentials: { accountSid, authToken }, config },
    system,
  );
  return { row, accountSid, authToken, ctx: buildContext(row) };
}

function message(row: { provider: string; code: string }, over: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    id: randomUUID(),
    channel: "sms",
    to: "+14155550100",
    text: "Your driver arrives at 14:05",
    options: {},
    statusCallbackUrl: webhookUrl(row.provider, row.code),
    ...over,
  };
}

const sendError = (p: Promise<unknown>) => failure(p, SendError);

type Seen = { method: string; path: string; headers: Record<string, string>; body: string };
async function seenRequests(): Promise<Seen[]> {
  return (await (await fetch(`${sandbox().url}/__control/requests?provider=twilio`)).json()).items;
}

async function eventsFor(integrationId: string) {
  return db.webhookEvent.findMany({ where: { integrationId }, orderBy: { receivedAt: "asc" } });
}

async function processed(id: string): Promise<StatusUpdate[]> {
  expect(await processWebhookEvent(id)).toBe("completed");
  const ev = await db.webhookEvent.findUniqueOrThrow({ where: { id } });
  const result = ev.result as { events: { type: string; data: { updates: StatusUpdate[] } }[] };
  expect(result.events.map((e) => e.type)).toEqual(["message.status"]);
  return result.events[0].data.updates;
}

describe("twilio provider", () => {
  it("refuses a configuration without a sender number or Messaging Service", async () => {
    await expect(
      createIntegration(
        { provider: "twilio", name: "No sender", mode: "sandbox", credentials: { accountSid: `AC${hex(16)}`, authToken: hex(16) }, config: {} },
        system,
      ),
    ).rejects.toMatchObject({ details: expect.arrayContaining([expect.objectContaining({ path: "config.from", message: "Give a sender number or a Messaging Service SID" })]) });
    await expect(
      createIntegration(
        { provider: "twilio", name: "Bad SID", mode: "sandbox", credentials: { accountSid: "XX123", authToken: hex(16) }, config: { from: "+15005550006" } },
        system,
      ),
    ).rejects.toMatchObject({ details: expect.arrayContaining([expect.objectContaining({ path: "credentials.accountSid" })]) });
  });

  it("sends an SMS in Twilio's wire format and gets signed status callbacks back, verified and mapped", async () => {
    const { row, accountSid, authToken, ctx } = await twilioIntegration();
    const msg = message(row);
    const r = await def.messaging!.send(ctx, msg);
    expect(r).toMatchObject({ status: "sent", providerStatus: "queued" });
    expect(r.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    const sid = r.providerMessageId!;

    // what Twilio received: PascalCase form fields, Basic auth AccountSid:AuthToken
    const req = (await seenRequests()).find((s) => s.method === "POST" && s.path === `/twilio/2010-04-01/Accounts/${accountSid}/Messages.json`)!;
    expect(req).toBeDefined();
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`);
    expect(req.headers["content-type"]).toContain("application/x-www-form-urlencoded");
    expect(req.headers["user-agent"]).toMatch(/^twilio-node\/6\.2\.0/);
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({
      To: "+14155550100",
      From: "+15005550006",
      Body: "Your driver arrives at 14:05",
      StatusCallback: msg.statusCallbackUrl,
    });
    const inbox = await (await fetch(`${sandbox().url}/__control/inbox?provider=twilio`)).json();
    expect(inbox.items.find((i: { payload: { sid: string } }) => i.payload.sid === sid)).toMatchObject({ kind: "sms", to: "+14155550100", summary: msg.text });

    // the sandbox calls back over real HTTP: sent, then delivered, each stored as verified
    const events = await waitFor(async () => {
      const rows = await eventsFor(row.id);
      return rows.length >= 2 ? rows : null;
    }, 10_000, "two status callbacks");
    expect(events.map((e) => [e.eventType, e.externalId, e.signatureVerified, e.status])).toEqual([
      ["message.status", `${sid}:sent`, true, "pending"],
      ["message.status", `${sid}:delivered`, true, "pending"],
    ]);
    expect(events[1].payload).toMatchObject({ MessageSid: sid, MessageStatus: "delivered", AccountSid: accountSid, To: "+14155550100", ApiVersion: "2010-04-01" });
    expect(events[0].verification).toBe("twilio-signature");

    expect(await processed(events[0].id)).toEqual([
      expect.objectContaining({ providerMessageId: sid, status: "sent", event: "sent", errorCode: null, error: null }),
    ]);
    expect(await processed(events[1].id)).toEqual([
      expect.objectContaining({ providerMessageId: sid, status: "delivered", event: "delivered", errorCode: null }),
    ]);

    // polling agrees, with the price Twilio set once the message was sent
    const polled = await def.messaging!.fetchStatus!(ctx, [sid, `SM${hex(16)}`]);
    expect(polled).toEqual([
      expect.objectContaining({ providerMessageId: sid, status: "delivered", event: "delivered", costMicros: 7900, costCurrency: "USD" }),
    ]);

    // the auth token is nowhere in the logs; the Basic header is redacted
    const logs = await db.integrationLog.findMany({ where: { integrationId: row.id }, orderBy: { id: "asc" } });
    expect(logs.map((l) => l.action)).toEqual(expect.arrayContaining(["twilio.messages.create", "twilio.messages.fetch"]));
    // the unknown sid's 404 is "not this account's message": an answer, logged as expected, not a failure
    expect(logs.filter((l) => l.action === "twilio.messages.fetch").map((l) => [l.statusCode, l.status])).toEqual([[200, "success"], [404, "expected"]]);
    const text = jsonOf(logs);
    expect(text).not.toContain(authToken);
    expect(text).not.toContain(Buffer.from(`${accountSid}:${authToken}`).toString("base64"));
    const create = logs.find((l) => l.action === "twilio.messages.create")!;
    expect((create.request as { headers: Record<string, string> }).headers.Authorization).toBe("[REDACTED]");
    expect((create.request as { body: Record<string, string> }).body).toMatchObject({ To: "+14155550100", From: "+15005550006" });
  });

  it("sends WhatsApp with whatsapp: addresses, and refuses WhatsApp without a WhatsApp sender", async () => {
    const { row, accountSid, ctx } = await twilioIntegration();
    const r = await def.messaging!.send(ctx, message(row, { channel: "whatsapp", to: "+447700900123", text: "Booking confirmed" }));
    const req = (await seenRequests()).find((s) => s.method === "POST" && s.path.includes(accountSid))!;
    expect(Object.fromEntries(new URLSearchParams(req.body))).toMatchObject({ To: "whatsapp:+447700900123", From: "whatsapp:+14155238886", Body: "Booking confirmed" });
    const inbox = await (await fetch(`${sandbox().url}/__control/inbox?provider=twilio`)).json();
    expect(inbox.items.find((i: { payload: { sid: string } }) => i.payload.sid === r.providerMessageId)).toMatchObject({ kind: "whatsapp", to: "+447700900123" });
    const delivered = await waitFor(async () => (await eventsFor(row.id)).find((e) => e.externalId === `${r.providerMessageId}:delivered`), 10_000, "delivered");
    expect(delivered.payload).toMatchObject({ To: "whatsapp:+447700900123", From: "whatsapp:+14155238886" });

    const smsOnly = await twilioIntegration({ messagingServiceSid: `MG${hex(16)}` });
    const e = await sendError(def.messaging!.send(smsOnly.ctx, message(smsOnly.row, { channel: "whatsapp" })));
    expect(e).toMatchObject({ kind: "permanent", opts: { code: "twilio_whatsapp_not_configured" } });
  });

  it("sends through a Messaging Service when one is configured", async () => {
    const mg = `MG${hex(16)}`;
    const { row, accountSid, ctx } = await twilioIntegration({ messagingServiceSid: mg });
    const r = await def.messaging!.send(ctx, message(row));
    expect(r.providerStatus).toBe("accepted");
    const req = (await seenRequests()).find((s) => s.method === "POST" && s.path.includes(accountSid))!;
    const form = Object.fromEntries(new URLSearchParams(req.body));
    expect(form).toMatchObject({ MessagingServiceSid: mg, To: "+14155550100" });
    expect(form).not.toHaveProperty("From");
  });

  it("maps Twilio's magic test numbers to permanent errors with their codes", async () => {
    const { row, ctx } = await twilioIntegration();
    const cases: [string, number, RegExp][] = [
      [TWILIO_MAGIC.invalid, 21211, /not a valid phone number/],
      [TWILIO_MAGIC.cannotRoute, 21612, /cannot route/],
      [TWILIO_MAGIC.noPermission, 21408, /region/],
      [TWILIO_MAGIC.unsubscribed, 21610, /unsubscribed \(replied STOP\)/],
      [TWILIO_MAGIC.notMobile, 21614, /not a mobile number/],
    ];
    for (const [to, code, text] of cases) {
      const e = await sendError(def.messaging!.send(ctx, message(row, { to })));
      expect(e.kind).toBe("permanent");
      expect(e.opts.code).toBe(`twilio_${code}`);
      expect(e.message).toMatch(text);
    }
    // a number that is not E.164 at all: Twilio's own validation, same class
    const bad = await sendError(def.messaging!.send(ctx, message(row, { to: "12345" })));
    expect(bad).toMatchObject({ kind: "permanent", opts: { code: "twilio_21211" } });
  });

  it("reports an accepted message that then fails as undelivered with Twilio's error code", async () => {
    const { row, ctx } = await twilioIntegration();
    const r = await def.messaging!.send(ctx, message(row, { to: TWILIO_MAGIC.undelivered }));
    const ev = await waitFor(async () => (await eventsFor(row.id)).find((e) => e.externalId === `${r.providerMessageId}:undelivered`), 10_000, "undelivered");
    expect(ev.payload).toMatchObject({ MessageStatus: "undelivered", ErrorCode: "30003" });
    expect(await processed(ev.id)).toEqual([
      expect.objectContaining({
        providerMessageId: r.providerMessageId,
        status: "undelivered",
        event: "undelivered",
        errorCode: "30003",
        error: expect.stringMatching(/Unreachable destination handset/),
      }),
    ]);
    const [polled] = await def.messaging!.fetchStatus!(ctx, [r.providerMessageId!]);
    expect(polled).toMatchObject({ status: "undelivered", errorCode: "30003", error: "Unreachable destination handset" });
  });

  it("treats revoked credentials as transient (another integration can take over) and explains them on test", async () => {
    const { row, authToken, ctx } = await twilioIntegration();
    expect(await testIntegration(row.id, system)).toMatchObject({ ok: true, message: "Connected to Switchboard Sandbox (active)" });
    await fetch(`${sandbox().url}/twilio/__revoke`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ authToken }) });
    const e = await sendError(def.messaging!.send(ctx, message(row)));
    expect(e).toMatchObject({ kind: "transient", opts: { code: "twilio_20003" } });
    expect(e.message).not.toContain(authToken);
    const t = await testIntegration(row.id, system);
    expect(t.ok).toBe(false);
    expect(t.message).toMatch(/rejected the Account SID or Auth Token \(401, error 20003\)/);
  });

  it("passes Twilio's Retry-After on 429, and treats 5xx and timeouts as transient", async () => {
    const { row, ctx } = await twilioIntegration();
    await fault({ provider: "twilio", path: "Messages\\.json$", method: "POST", status: 429, retryAfter: 17 });
    const limited = await sendError(def.messaging!.send(ctx, message(row)));
    expect(limited).toMatchObject({ kind: "transient", opts: { code: "twilio_20429", retryAfterSeconds: 17 } });

    await fault({ provider: "twilio", path: "Messages\\.json$", method: "POST", status: 503 });
    const down = await sendError(def.messaging!.send(ctx, message(row)));
    expect(down).toMatchObject({ kind: "transient", opts: { code: "twilio_20500" } });
    expect(down.message).toMatch(/server error \(HTTP 503\)/);

    // HTTP_TIMEOUT_MS is 3000 in tests: a send is a POST, so exactly one attempt
    await fault({ provider: "twilio", path: "Messages\\.json$", method: "POST", delayMs: 4000 });
    const started = Date.now();
    const slow = await sendError(def.messaging!.send(ctx, message(row)));
    expect(slow).toMatchObject({ kind: "transient", opts: { code: "timeout" }, message: "Twilio did not answer in time" });
    expect(Date.now() - started).toBeLessThan(3900);
    const attempts = await db.integrationLog.findMany({ where: { integrationId: row.id, action: "twilio.messages.create" }, orderBy: { id: "asc" } });
    expect(attempts.map((a) => a.statusCode)).toEqual([429, 503, null]);
    expect(attempts[2].error).toMatch(/timed out/);
  }, 20_000);

  it("test connection names the account, stores it, and keeps the account's auth_token out of the logs", async () => {
    const { row, accountSid, authToken } = await twilioIntegration();
    const r = await testIntegration(row.id, system);
    expect(r).toMatchObject({ ok: true, message: "Connected to Switchboard Sandbox (active)" });
    const after = await db.integration.findUniqueOrThrow({ where: { id: row.id } });
    expect(after.state).toMatchObject({ account: { sid: accountSid, friendlyName: "Switchboard Sandbox", status: "active" } });
    const log = await db.integrationLog.findFirstOrThrow({ where: { integrationId: row.id, action: "twilio.accounts.fetch" } });
    expect(log.url).toMatch(new RegExp(`/twilio/2010-04-01/Accounts/${accountSid}\\.json$`));
    expect(jsonOf(log)).not.toContain(authToken);

    await fault({ provider: "twilio", path: "Accounts/[^/]+\\.json$", status: 500, times: 10 });
    expect(await testIntegration(row.id, system)).toMatchObject({ ok: false, message: "Twilio had a server error (HTTP 500): try again later" });
  });

  it("accepts a correctly signed callback through the route, deduplicates a repeat, and refuses forged ones with 401", async () => {
    const { row, accountSid, authToken } = await twilioIntegration();
    const url = webhookUrl("twilio", row.code);
    const sid = `SM${hex(16)}`;
    const params = { AccountSid: accountSid, ApiVersion: "2010-04-01", From: "+15005550006", MessageSid: sid, MessageStatus: "failed", To: "+14155550100", ErrorCode: "30008" };
    const rawBody = new URLSearchParams(params).toString();
    const send = (signature: string, body = rawBody) =>
      call(webhookRoute, {
        method: "POST",
        url,
        rawBody: body,
        params: { provider: "twilio", code: row.code },
        headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature },
      });

    const good = twilio.getExpectedTwilioSignature(authToken, url, params);
    const first = await send(good);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ received: true, duplicate: false });
    expect((await send(good)).json).toMatchObject({ duplicate: true });

    // another token, another URL, a tampered body: all 401, kept as rejected
    expect((await send(twilio.getExpectedTwilioSignature(hex(16), url, params))).status).toBe(401);
    expect((await send(twilio.getExpectedTwilioSignature(authToken, `${url}x`, params))).status).toBe(401);
    const tampered = new URLSearchParams({ ...params, MessageStatus: "delivered" }).toString();
    const forged = await send(good, tampered);
    expect(forged.status).toBe(401);
    expect(forged.json.error.message).toMatch(/signature mismatch/);
    expect((await send("")).status).toBe(401);

    // a signed body that is not a status callback: 400
    const odd = { AccountSid: accountSid, Body: "hello" };
    const notStatus = await send(twilio.getExpectedTwilioSignature(authToken, url, odd), new URLSearchParams(odd).toString());
    expect(notStatus.status).toBe(400);

    const rows = await eventsFor(row.id);
    expect(rows.filter((r) => r.status === "rejected").length).toBe(5);
    const stored = rows.find((r) => r.signatureVerified)!;
    expect(stored).toMatchObject({ externalId: `${sid}:failed`, duplicates: 1 });
    expect(await processed(stored.id)).toEqual([
      expect.objectContaining({ providerMessageId: sid, status: "failed", errorCode: "30008", error: "Unknown delivery error" }),
    ]);
  });

  it("keeps going when the StatusCallback URL is unreachable: the failure is listed, GET still shows the status", async () => {
    const { row, ctx } = await twilioIntegration();
    const { freePort } = await import("@/lib/runtime/embedded-pg");
    const r = await def.messaging!.send(ctx, message(row, { statusCallbackUrl: `http://127.0.0.1:${await freePort()}/api/webhooks/twilio/${row.code}` }));
    const sid = r.providerMessageId!;
    const failures = await waitFor(async () => {
      const items = (await (await fetch(`${sandbox().url}/twilio/__callbacks?sid=${sid}`)).json()).items as { status: string; ok: boolean; error?: string }[];
      return items.length >= 2 ? items : null;
    }, 10_000, "two callback attempts");
    expect(failures.map((f) => [f.status, f.ok])).toEqual([["delivered", false], ["sent", false]]);
    expect(failures[0].error).toBeTruthy();
    const [polled] = await def.messaging!.fetchStatus!(ctx, [sid]);
    expect(polled).toMatchObject({ status: "delivered" });
    expect(await eventsFor(row.id)).toEqual([]);
  });

  it("ignores callbacks that say nothing about an outbound message", async () => {
    const { row, accountSid, authToken } = await twilioIntegration();
    const url = webhookUrl("twilio", row.code);
    const params = { AccountSid: accountSid, MessageSid: `SM${hex(16)}`, MessageStatus: "received", From: "+14155550100", To: "+15005550006" };
    const res = await call(webhookRoute, {
      method: "POST",
      url,
      rawBody: new URLSearchParams(params).toString(),
      params: { provider: "twilio", code: row.code },
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": twilio.getExpectedTwilioSignature(authToken, url, params) },
    });
    expect(res.status).toBe(200);
    expect(await processWebhookEvent(res.json.id)).toBe("ignored");
  });
});
