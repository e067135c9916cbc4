// The webhook inbox end to end over the route handlers, a real PostgreSQL, pg-boss and real
// workers: stored then processed, duplicates processed once, forged ones rejected and never
// processed, retries with backoff, failure after maxRetries and a manual retry, replay, the
// bad-input answers, secret rotation, and the management API with its roles.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHmac, randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { db } from "@/lib/db";
import { updateIntegration } from "@/lib/integrations/service";
import { forgetIntegration } from "@/lib/webhooks/cache";
import { encryptJson, aadFor } from "@/lib/vault";
import { signHeaders } from "@/lib/providers/signing";
import { processWebhookEvent, sweepWebhooks, backoffSeconds } from "@/lib/webhooks/process";
import * as receiveRoute from "@/app/api/webhooks/receive/[code]/route";
import * as providerRoute from "@/app/api/webhooks/[provider]/[code]/route";
import * as listRoute from "@/app/api/v1/webhooks/route";
import * as statsRoute from "@/app/api/v1/webhooks/stats/route";
import * as oneRoute from "@/app/api/v1/webhooks/[id]/route";
import * as retryRoute from "@/app/api/v1/webhooks/[id]/retry/route";
import * as replayRoute from "@/app/api/v1/webhooks/[id]/replay/route";
import { call } from "../helpers/http";
import { createKey, createUser, system, telegramIntegration, webhookIntegration } from "../helpers/fixtures";
import { scriptedServer } from "../helpers/scripted-server";
import { waitFor } from "../helpers/wait";
import { expectNothingMore } from "../helpers/quiet";
import { runWorkers, withEnv } from "../helpers/workers";

const running = runWorkers({
  env: {
    WEBHOOK_RETRY_BASE_SECONDS: "0.2",
    WEBHOOK_RETRY_MAX_SECONDS: "1",
    WEBHOOK_MAX_RETRIES: "3",
    WEBHOOK_SWEEP_SECONDS: "1",
    WEBHOOK_REJECTED_PER_MINUTE: "1000",
  },
});

let crm: Awaited<ReturnType<typeof scriptedServer>>;
beforeAll(async () => {
  crm = await scriptedServer();
});
afterAll(async () => {
  await crm.close();
});

const forwardSecret = () => "whsec_" + randomBytes(32).toString("base64");
const hex = (secret: string, body: string) => createHmac("sha256", secret).update(body).digest("hex");

async function post(code: string, secret: string | null, body: string, headers: Record<string, string> = {}) {
  return call(receiveRoute.POST as never, {
    url: `/api/webhooks/receive/${code}`,
    rawBody: body,
    params: { code },
    headers: { "content-type": "application/json", ...(secret ? { "x-signature": hex(secret, body) } : {}), ...headers },
  });
}

const settled = (id: string, statuses = ["completed", "failed", "ignored"]) =>
  waitFor(async () => {
    const e = await db.webhookEvent.findUnique({ where: { id } });
    return e && statuses.includes(e.status) && e;
  }, 20_000, `event ${id} to settle`);

/** a custom integration that forwards to the scripted CRM at `path` */
async function forwarding(path: string, config: Record<string, unknown> = {}) {
  const fwd = forwardSecret();
  const secret = randomBytes(32).toString("base64url");
  const { row } = await webhookIntegration({
    mode: "live",
    apiEndpoint: `${crm.url}/outbound`,
    credentials: { signingSecret: secret, forwardSecret: fwd },
    config: { scheme: "hmac-sha256", forwardUrl: `${crm.url}${path}`, ...config },
  });
  return { row, secret, fwd };
}

describe("receiving", () => {
  it("stores a signed event, answers 2xx at once, and a worker processes it (forwarded to the CRM, signed)", async () => {
    const { row, secret, fwd } = await forwarding("/crm-ok");
    const body = JSON.stringify({ id: "ord-1001", type: "order.created", data: { total: 1200 } });
    const res = await post(row.code, secret, body, { "x-request-id": "r1" });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ received: true, duplicate: false });

    const stored = await db.webhookEvent.findUniqueOrThrow({ where: { id: res.json.id } });
    expect(stored).toMatchObject({
      integrationId: row.id,
      provider: "generic-webhook",
      eventType: "order.created",
      externalId: "ord-1001",
      idempotencyKey: "id:ord-1001",
      signatureVerified: true,
      verification: "hmac-sha256",
      sourceIp: "10.0.0.1",
    });
    // the signature header is not kept in clear, ordinary headers are
    const headers = stored.headers as Record<string, string>;
    expect(headers["x-signature"]).toBe("[REDACTED]");
    expect(headers["x-request-id"]).toBe("r1");
    expect(JSON.stringify(stored.headers)).not.toContain(hex(secret, body));

    const done = await settled(stored.id);
    expect(done.status).toBe("completed");
    expect(done.attempts).toBe(1);
    const hits = crm.hits.filter((h) => h.path === "/crm-ok");
    expect(hits).toHaveLength(1);
    // the CRM can verify it with Standard Webhooks and the forward secret
    const fwdHeaders = {
      "webhook-id": String(hits[0].headers["webhook-id"]),
      "webhook-timestamp": String(hits[0].headers["webhook-timestamp"]),
      "webhook-signature": String(hits[0].headers["webhook-signature"]),
    };
    const verified = new Webhook(fwd).verify(hits[0].body, fwdHeaders) as { type: string; data: { data: { total: number } }; source: string };
    expect(verified).toMatchObject({ type: "order.created", source: row.code, data: { data: { total: 1200 } } });
  });

  it("a duplicate delivery answers 2xx, is counted, and is not processed again", async () => {
    const { row, secret } = await forwarding("/crm-dup");
    const body = JSON.stringify({ id: "dup-1", type: "order.paid" });
    const first = await post(row.code, secret, body);
    const second = await post(row.code, secret, body);
    expect(second.status).toBe(200);
    expect(second.json).toMatchObject({ received: true, duplicate: true, id: first.json.id });
    await settled(first.json.id);
    const third = await post(row.code, secret, body);
    expect(third.json.duplicate).toBe(true);
    await expectNothingMore(async () => {
      expect(await db.webhookEvent.count({ where: { integrationId: row.id } })).toBe(1);
      expect((await db.webhookEvent.findUniqueOrThrow({ where: { id: first.json.id } })).duplicates).toBe(2);
      expect(crm.hits.filter((h) => h.path === "/crm-dup")).toHaveLength(1);
    }, { workers: running.workers });
  });

  it("without an event id, the body's hash is the idempotency key", async () => {
    const { row, secret } = await webhookIntegration();
    const body = JSON.stringify({ type: "ping", n: 1 });
    const a = await post(row.code, secret, body);
    const b = await post(row.code, secret, body);
    const c = await post(row.code, secret, JSON.stringify({ type: "ping", n: 2 }));
    expect(b.json).toMatchObject({ duplicate: true, id: a.json.id });
    expect(c.json.duplicate).toBe(false);
    const e = await db.webhookEvent.findUniqueOrThrow({ where: { id: a.json.id } });
    expect(e.idempotencyKey).toMatch(/^sha256:[0-9a-f]{64}$/);
    // nothing to forward to: kept, and marked ignored with the reason
    const done = await settled(a.json.id);
    expect(done.status).toBe("ignored");
    expect(done.history).toEqual([expect.objectContaining({ outcome: "ignored", note: expect.stringMatching(/no forward URL/) })]);
  });

  it("under plain hmac-sha256 the event id comes from the signed body, never from an unsigned webhook-id header", async () => {
    const { row, secret } = await webhookIntegration();
    // the same signed body replayed with a new webhook-id: one event, the replay is a duplicate
    const body = JSON.stringify({ id: "ord-77", type: "order.paid" });
    const a = await post(row.code, secret, body, { "webhook-id": "msg_first" });
    const b = await post(row.code, secret, body, { "webhook-id": "msg_replayed" });
    expect(a.json.duplicate).toBe(false);
    expect(b.json).toMatchObject({ duplicate: true, id: a.json.id });
    expect(await db.webhookEvent.findUniqueOrThrow({ where: { id: a.json.id } })).toMatchObject({ externalId: "ord-77", idempotencyKey: "id:ord-77" });
    // without an id in the body: the body's hash, whatever the header says
    const noId = JSON.stringify({ type: "ping", n: randomBytes(4).toString("hex") });
    const c = await post(row.code, secret, noId, { "webhook-id": "msg_1" });
    const d = await post(row.code, secret, noId, { "webhook-id": "msg_2" });
    expect(d.json).toMatchObject({ duplicate: true, id: c.json.id });
    expect((await db.webhookEvent.findUniqueOrThrow({ where: { id: c.json.id } })).idempotencyKey).toMatch(/^sha256:[0-9a-f]{64}$/);
    // different bodies under one header value are different events
    const e = await post(row.code, secret, JSON.stringify({ type: "ping", n: "other" }), { "webhook-id": "msg_1" });
    expect(e.json.duplicate).toBe(false);
    expect(await db.webhookEvent.count({ where: { integrationId: row.id } })).toBe(3);

    // a configured id field (a dot path into the body)
    const custom = await webhookIntegration({ config: { scheme: "hmac-sha256", idField: "data.event_uid" } });
    const f = await post(custom.row.code, custom.secret, JSON.stringify({ id: "not-this", data: { event_uid: "u-1" } }), { "webhook-id": "x" });
    const g = await post(custom.row.code, custom.secret, JSON.stringify({ id: "nor-this", data: { event_uid: "u-1" }, resent: true }), { "webhook-id": "y" });
    expect(g.json).toMatchObject({ duplicate: true, id: f.json.id });
    expect(await db.webhookEvent.findUniqueOrThrow({ where: { id: f.json.id } })).toMatchObject({ externalId: "u-1", idempotencyKey: "id:u-1" });
  });

  it("under Standard Webhooks the signed webhook-id is the event id; changing it breaks the signature", async () => {
    const signing = "whsec_" + randomBytes(32).toString("base64");
    const { row } = await webhookIntegration({ credentials: { signingSecret: signing }, config: { scheme: "standard-webhooks" } });
    const body = JSON.stringify({ id: "body-id", type: "order.created" });
    const headers = signHeaders("standard-webhooks", signing, body, { id: "msg_std_1" });
    const a = await post(row.code, null, body, headers);
    expect(a.status).toBe(200);
    expect(await db.webhookEvent.findUniqueOrThrow({ where: { id: a.json.id } })).toMatchObject({ externalId: "msg_std_1", idempotencyKey: "id:msg_std_1" });
    const replay = await post(row.code, null, body, { ...headers, "webhook-id": "msg_std_2" });
    expect(replay.status).toBe(401);
  });

  it("a forged event gets 401, is visible as rejected with the reason, and is never processed", async () => {
    const { row, secret } = await forwarding("/crm-forged");
    const body = JSON.stringify({ id: "forged-1", type: "payout.sent" });
    const res = await post(row.code, "not-the-secret", body);
    expect(res.status).toBe(401);
    expect(res.json.error).toMatchObject({ code: "unauthorized", message: expect.stringMatching(/signature mismatch/) });
    const missing = await post(row.code, null, body);
    expect(missing.json.error.message).toMatch(/missing X-Signature/);

    const rejected = await db.webhookEvent.findMany({ where: { integrationId: row.id }, orderBy: { receivedAt: "asc" } });
    expect(rejected.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(rejected[0]).toMatchObject({ signatureVerified: false, idempotencyKey: null, lastError: "signature mismatch" });
    expect(await processWebhookEvent(rejected[0].id)).toBe("not_claimed");
    await sweepWebhooks();
    await expectNothingMore(async () => {
      expect(crm.hits.filter((h) => h.path === "/crm-forged")).toHaveLength(0);
      expect((await db.webhookEvent.findUniqueOrThrow({ where: { id: rejected[0].id } })).status).toBe("rejected");
    }, { workers: running.workers, loops: ["webhook sweep", "webhook dispatch"] });
    // the genuine delivery of the same event id still goes through afterwards
    expect((await post(row.code, secret, body)).json.duplicate).toBe(false);
  });

  it("records rejections only up to the per-minute limit, so a flood cannot fill the database", async () => {
    await withEnv({ WEBHOOK_REJECTED_PER_MINUTE: "3" }, async () => {
      const { row } = await webhookIntegration();
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push((await post(row.code, "wrong", JSON.stringify({ i }))).status);
      expect(answers).toEqual([401, 401, 401, 401, 401, 401]);
      expect(await db.webhookEvent.count({ where: { integrationId: row.id, status: "rejected" } })).toBe(3);
    });
  });
});

describe("bad input", () => {
  it("a signed body that is not JSON gets 400 and is recorded as rejected", async () => {
    const { row, secret } = await webhookIntegration();
    const res = await post(row.code, secret, "this is not json");
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: "invalid_json", message: "The body is not valid JSON" });
    const arr = await post(row.code, secret, "[1,2]");
    expect(arr.json.error.message).toBe("The body must be a JSON object");
    const rows = await db.webhookEvent.findMany({ where: { integrationId: row.id } });
    expect(rows.every((r) => r.status === "rejected")).toBe(true);
    expect(rows.find((r) => (r.payload as { _raw?: string })._raw === "this is not json")?.verification).toMatch(/body refused/);
  });

  it("JSON that PostgreSQL cannot keep as jsonb (a \\u0000 in a string) is still stored, not lost", async () => {
    const { row, secret } = await webhookIntegration();
    const res = await post(row.code, secret, JSON.stringify({ id: "nul-1", type: "note", text: "a\u0000b" }));
    expect(res.status).toBe(200);
    const e = await db.webhookEvent.findUniqueOrThrow({ where: { id: res.json.id } });
    expect(e.externalId).toBe("nul-1");
    expect((e.payload as { _unstorable_json: string })._unstorable_json).toContain('"text":"ab"');
  });

  it("a body over the limit gets 413, with or without Content-Length", async () => {
    const { row, secret } = await webhookIntegration();
    const big = JSON.stringify({ pad: "x".repeat(1_100_000) });
    const res = await post(row.code, secret, big);
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe("payload_too_large");
    // chunked: no Content-Length, the limit is counted while reading
    const { NextRequest } = await import("next/server");
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 12; i++) c.enqueue(new TextEncoder().encode("x".repeat(100_000)));
        c.close();
      },
    });
    const req = new NextRequest(`http://localhost:3000/api/webhooks/receive/${row.code}`, { method: "POST", body: stream, duplex: "half" } as never);
    const r = await receiveRoute.POST(req, { params: Promise.resolve({ code: row.code }) });
    expect(r.status).toBe(413);
    expect(await db.webhookEvent.count({ where: { integrationId: row.id } })).toBe(0);
  });

  it("an unknown code and a provider that does not match the code get 404", async () => {
    const res = await post("no-such-integration", "x", "{}");
    expect(res.status).toBe(404);
    expect(res.json.error).toMatchObject({ code: "not_found", message: expect.stringMatching(/no-such-integration/) });
    const { row } = await webhookIntegration();
    const wrong = await call(providerRoute.POST as never, { rawBody: "{}", params: { provider: "telegram", code: row.code } });
    expect(wrong.status).toBe(404);
  });

  it("a disabled integration answers 503 with Retry-After and stores nothing (the provider retries later)", async () => {
    const { row, secret } = await webhookIntegration();
    await updateIntegration(row.id, { enabled: false }, system);
    const res = await post(row.code, secret, JSON.stringify({ id: "x" }));
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("600");
    expect(res.json.error.message).toMatch(/disabled/);
    expect(await db.webhookEvent.count({ where: { integrationId: row.id } })).toBe(0);
  });
});

describe("processing", () => {
  it("a handler that fails twice then succeeds ends completed with 3 attempts", async () => {
    crm.script("/crm-flaky", [{ status: 500 }, { status: 503 }, { status: 200 }]);
    const { row, secret } = await forwarding("/crm-flaky");
    const res = await post(row.code, secret, JSON.stringify({ id: "flaky-1", type: "order.created" }));
    const done = await settled(res.json.id, ["completed", "failed"]);
    expect(done.status).toBe("completed");
    expect(done.attempts).toBe(3);
    expect(done.lastError).toBeNull();
    const history = done.history as { attempt: number; outcome: string; error?: string }[];
    expect(history.map((h) => h.outcome)).toEqual(["retrying", "retrying", "completed"]);
    expect(history[0].error).toMatch(/HTTP 500/);
    expect(history[1].error).toMatch(/HTTP 503/);
    // one webhook-id on every attempt: the CRM can deduplicate
    const ids = new Set(crm.hits.filter((h) => h.path === "/crm-flaky").map((h) => h.headers["webhook-id"]));
    expect(ids.size).toBe(1);
  });

  it("a handler that always fails ends failed after maxRetries with the error kept; Retry (admin) processes it again", async () => {
    crm.script("/crm-down", [{ status: 500 }]);
    const { row, secret } = await forwarding("/crm-down");
    const res = await post(row.code, secret, JSON.stringify({ id: "down-1", type: "order.created" }));
    const failed = await settled(res.json.id, ["completed", "failed"]);
    expect(failed).toMatchObject({ status: "failed", attempts: 4, maxRetries: 3, lastError: "The CRM endpoint had a server error (HTTP 500)" });
    expect(crm.hits.filter((h) => h.path === "/crm-down")).toHaveLength(4);

    const viewer = await createUser("viewer");
    const denied = await call(retryRoute.POST as never, { method: "POST", params: { id: failed.id }, cookie: viewer.cookie });
    expect(denied.status).toBe(403);

    crm.script("/crm-down", [{ status: 200 }]);
    const admin = await createUser("admin");
    const retried = await call(retryRoute.POST as never, { method: "POST", params: { id: failed.id }, cookie: admin.cookie });
    expect(retried.status).toBe(200);
    const done = await waitFor(async () => {
      const e = await db.webhookEvent.findUniqueOrThrow({ where: { id: failed.id } });
      return e.status === "completed" && e;
    }, 15_000, "the retried event");
    expect(done).toMatchObject({ attempts: 1, replays: 1, lastError: null });
    const audit = await db.auditLog.findFirst({ where: { action: "webhook.retry", entityId: failed.id } });
    expect(audit).toMatchObject({ actorId: admin.id, actorType: "user" });
    // a completed event is not "retried", it is replayed
    const again = await call(retryRoute.POST as never, { method: "POST", params: { id: failed.id }, cookie: admin.cookie });
    expect(again.status).toBe(409);
  });

  it("Replay processes any finished event again with the same event id; a rejected one is never replayed", async () => {
    const { row, secret } = await forwarding("/crm-replay");
    const res = await post(row.code, secret, JSON.stringify({ id: "rp-1", type: "order.created" }));
    await settled(res.json.id);
    const admin = await createUser("admin");
    const r = await call(replayRoute.POST as never, { method: "POST", params: { id: res.json.id }, cookie: admin.cookie });
    expect(r.status).toBe(200);
    await waitFor(async () => crm.hits.filter((h) => h.path === "/crm-replay").length === 2, 15_000, "the replay");
    const hits = crm.hits.filter((h) => h.path === "/crm-replay");
    expect(hits[0].headers["webhook-id"]).toBe(hits[1].headers["webhook-id"]);

    await post(row.code, "forged", JSON.stringify({ id: "rp-2" }));
    const rejected = await db.webhookEvent.findFirstOrThrow({ where: { integrationId: row.id, status: "rejected" } });
    const no = await call(replayRoute.POST as never, { method: "POST", params: { id: rejected.id }, cookie: admin.cookie });
    expect(no.status).toBe(409);
    expect(no.json.error.message).toMatch(/never processed/);
  });

  it("forwards only the listed types (exact, or a prefix with *); the rest are kept and ignored", async () => {
    const { row, secret } = await forwarding("/crm-filtered", { forwardEventTypes: "order.*, invoice.paid" });
    const ids: Record<string, string> = {};
    for (const type of ["order.created", "invoice.paid", "invoice.created", "customer.created"]) {
      ids[type] = (await post(row.code, secret, JSON.stringify({ id: `flt-${type}`, type }))).json.id;
    }
    const status = async (type: string) => (await settled(ids[type])).status;
    expect(await status("order.created")).toBe("completed");
    expect(await status("invoice.paid")).toBe("completed");
    expect(await status("invoice.created")).toBe("ignored");
    const skipped = await settled(ids["customer.created"]);
    expect(skipped.status).toBe("ignored");
    expect(skipped.history).toEqual([expect.objectContaining({ note: "type customer.created is not in the forward list" })]);
    const forwarded = crm.hits.filter((h) => h.path === "/crm-filtered").map((h) => (JSON.parse(h.body) as { type: string }).type);
    expect(forwarded.sort()).toEqual(["invoice.paid", "order.created"]);
  });

  it("a permanent error (410 Gone) fails at once without spending retries", async () => {
    crm.script("/crm-gone", [{ status: 410 }]);
    const { row, secret } = await forwarding("/crm-gone");
    const res = await post(row.code, secret, JSON.stringify({ id: "gone-1", type: "x" }));
    const done = await settled(res.json.id, ["completed", "failed"]);
    expect(done).toMatchObject({ status: "failed", attempts: 1, lastError: "the CRM endpoint answered 410 Gone" });
  });

  it("backoff doubles per retry, with jitter, up to the cap", () => {
    for (let i = 0; i < 50; i++) {
      const d1 = backoffSeconds(1, 10, 1000);
      const d3 = backoffSeconds(3, 10, 1000);
      const d20 = backoffSeconds(20, 10, 1000);
      expect(d1).toBeGreaterThanOrEqual(5);
      expect(d1).toBeLessThanOrEqual(10);
      expect(d3).toBeGreaterThanOrEqual(20);
      expect(d3).toBeLessThanOrEqual(40);
      expect(d20).toBeLessThanOrEqual(1000);
    }
    const spread = new Set(Array.from({ length: 20 }, () => backoffSeconds(2, 10, 1000).toFixed(3)));
    expect(spread.size).toBeGreaterThan(1);
  });
});

describe("secret rotation", () => {
  it("after the signing secret changes, the previous one is accepted during the grace period only", async () => {
    const { row, secret } = await webhookIntegration();
    const next = randomBytes(32).toString("base64url");
    await updateIntegration(row.id, { credentials: { signingSecret: next } }, system);
    expect((await post(row.code, next, JSON.stringify({ id: "rot-1" }))).status).toBe(200);
    expect((await post(row.code, secret, JSON.stringify({ id: "rot-2" }))).status).toBe(200);
    expect((await post(row.code, "neither", JSON.stringify({ id: "rot-3" }))).status).toBe(401);
    // the admin sees that a previous secret is still accepted, never its value
    const admin = await createUser("admin");
    const { GET } = await import("@/app/api/v1/integrations/[id]/route");
    const view = await call(GET as never, { params: { id: row.id }, cookie: admin.cookie });
    expect(view.json.webhook).toMatchObject({ url: expect.stringMatching(new RegExp(`/api/webhooks/receive/${row.code}$`)), rotating: [{ field: "signingSecret" }] });
    expect(view.text).not.toContain(secret);
    // once the grace period is over, the old secret is refused (the entry is still stored, expired)
    const expired = encryptJson([{ field: "signingSecret", value: secret, expiresAt: new Date(Date.now() - 1000).toISOString() }], aadFor.integrationWebhookSecret(row.id));
    await db.integration.update({ where: { id: row.id }, data: { webhookSecret: expired } });
    forgetIntegration(row.code); // a change behind the service's back: drop this process's cached view
    expect((await post(row.code, secret, JSON.stringify({ id: "rot-4" }))).status).toBe(401);
  });
});

describe("provider routes", () => {
  it("Telegram: the secret token header is verified, the update stored by update_id and handled once", async () => {
    const token = "tg_secret_" + randomBytes(8).toString("hex");
    const { row } = await telegramIntegration({ credentials: { botToken: "123456789:AA" + "b".repeat(33), webhookSecretToken: token } });
    const update = { update_id: 777, message: { message_id: 5, chat: { id: 42, type: "private" }, date: 1700000000, text: "/status" } };
    const send = (h: Record<string, string>) =>
      call(providerRoute.POST as never, { rawBody: JSON.stringify(update), params: { provider: "telegram", code: row.code }, headers: { "content-type": "application/json", ...h } });
    expect((await send({ "x-telegram-bot-api-secret-token": "wrong_token_value" })).status).toBe(401);
    const ok = await send({ "x-telegram-bot-api-secret-token": token });
    expect(ok.status).toBe(200);
    expect((await send({ "x-telegram-bot-api-secret-token": token })).json.duplicate).toBe(true);
    const ev = await settled(ok.json.id);
    // an unlinked chat is told how to link (the bot itself is tested in messaging.test.ts)
    expect(ev).toMatchObject({ provider: "telegram", eventType: "message", externalId: "777", status: "completed", result: { note: "unlinked chat: told how to link" } });
    expect((ev.headers as Record<string, string>)["x-telegram-bot-api-secret-token"]).toBe("[REDACTED]");
  });
});

describe("the events chart's time axis", () => {
  it("spans the events' own time range when no period is chosen: events of the last hour are counted in minutes, not as one hourly bar at the right edge", async () => {
    const { row, secret } = await webhookIntegration();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await post(row.code, secret, JSON.stringify({ id: `axis-${i}`, type: "order.created" }))).json.id);
    for (const id of ids) await settled(id);
    // received 40, 20 and 0 minutes ago
    await db.$executeRaw`update webhook_events set received_at = now() - interval '40 minutes' where id = ${ids[0]}::uuid`;
    await db.$executeRaw`update webhook_events set received_at = now() - interval '20 minutes' where id = ${ids[1]}::uuid`;
    const viewer = await createUser("viewer");
    const r = await call(statsRoute.GET as never, { url: `/api/v1/webhooks/stats?integrationId=${row.id}`, cookie: viewer.cookie });
    expect(r.status).toBe(200);
    const { series, bucketMinutes, from, to, total } = r.json as { series: { at: string; ignored: number }[]; bucketMinutes: number; from: string; to: string; total: number };
    expect(total).toBe(3);
    expect(bucketMinutes).toBeLessThan(60);
    // the three events fall in three different bars spread over the chart, not in one
    const withData = series.map((p, i) => ({ i, n: p.ignored })).filter((p) => p.n > 0);
    expect(withData).toHaveLength(3);
    expect(withData[0].i).toBeLessThanOrEqual(1);
    expect(withData[2].i).toBe(series.length - 1);
    expect(series.length).toBeGreaterThanOrEqual(8);
    expect(series.length).toBeLessThanOrEqual(60);
    // the range starts at most one bar before the first event and ends now
    const first = Date.now() - 40 * 60_000;
    expect(Date.parse(from)).toBeLessThanOrEqual(first + 5_000);
    expect(first - Date.parse(from)).toBeLessThanOrEqual(bucketMinutes * 60_000 + 5_000);
    expect(Math.abs(Date.parse(to) - Date.now())).toBeLessThan(60_000);
  });

  it("a chosen period is the chart's range, in bars that fit it", async () => {
    const { row } = await webhookIntegration();
    const viewer = await createUser("viewer");
    const to = new Date();
    const day = await call(statsRoute.GET as never, { url: `/api/v1/webhooks/stats?integrationId=${row.id}&from=${new Date(to.getTime() - 24 * 3600_000).toISOString()}&to=${to.toISOString()}`, cookie: viewer.cookie });
    expect(day.json).toMatchObject({ bucket: "hour", bucketMinutes: 60 });
    expect(day.json.series.length).toBeGreaterThanOrEqual(24);
    const week = await call(statsRoute.GET as never, { url: `/api/v1/webhooks/stats?integrationId=${row.id}&from=${new Date(to.getTime() - 7 * 86_400_000).toISOString()}&to=${to.toISOString()}`, cookie: viewer.cookie });
    expect(week.json.bucketMinutes).toBeGreaterThanOrEqual(180);
    expect(week.json.series.length).toBeLessThanOrEqual(60);
  });
});

describe("management API", () => {
  it("lists with filters and a keyset cursor, shows one event in full, counts by status per hour, deletes (admin)", async () => {
    const { row, secret } = await webhookIntegration();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await post(row.code, secret, JSON.stringify({ id: `m-${i}`, type: i % 2 ? "order.paid" : "order.created" }))).json.id);
    await post(row.code, "forged", JSON.stringify({ id: "m-forged" }));
    for (const id of ids) await settled(id);

    const viewer = await createUser("viewer");
    const page1 = await call(listRoute.GET as never, { url: `/api/v1/webhooks?integrationId=${row.id}&limit=4`, cookie: viewer.cookie });
    expect(page1.status).toBe(200);
    expect(page1.json.items).toHaveLength(4);
    expect(page1.json.items[0]).not.toHaveProperty("payload");
    const page2 = await call(listRoute.GET as never, { url: `/api/v1/webhooks?integrationId=${row.id}&limit=4&cursor=${page1.json.nextCursor}`, cookie: viewer.cookie });
    expect(page2.json.items).toHaveLength(2);
    expect(page2.json.nextCursor).toBeNull();
    const all = [...page1.json.items, ...page2.json.items].map((e: { id: string }) => e.id);
    expect(new Set(all).size).toBe(6);

    const paid = await call(listRoute.GET as never, { url: `/api/v1/webhooks?integrationId=${row.id}&type=order.paid`, cookie: viewer.cookie });
    expect(paid.json.items.map((e: { externalId: string }) => e.externalId).sort()).toEqual(["m-1", "m-3"]);
    const prefix = await call(listRoute.GET as never, { url: `/api/v1/webhooks?integrationId=${row.id}&type=order.*`, cookie: viewer.cookie });
    expect(prefix.json.items).toHaveLength(5);
    const rejected = await call(listRoute.GET as never, { url: `/api/v1/webhooks?integrationId=${row.id}&status=rejected`, cookie: viewer.cookie });
    expect(rejected.json.items).toHaveLength(1);

    const stats = await call(statsRoute.GET as never, { url: `/api/v1/webhooks/stats?integrationId=${row.id}`, cookie: viewer.cookie });
    expect(stats.json.counts).toMatchObject({ ignored: 5, rejected: 1, failed: 0 });
    expect(stats.json.total).toBe(6);
    const series = stats.json.series as { ignored: number; rejected: number }[];
    expect(series.length).toBeGreaterThanOrEqual(1);
    expect(series.reduce((a, p) => a + p.ignored + p.rejected, 0)).toBe(6);

    const one = await call(oneRoute.GET as never, { params: { id: ids[0] }, cookie: viewer.cookie });
    expect(one.json).toMatchObject({ id: ids[0], payload: { id: "m-0", type: "order.created" }, integration: { code: row.code } });
    // the columns only processing reads stay inside: the lease, the dispatcher's mark, the dedupe key, a refusal's subject
    for (const internal of ["lockedUntil", "queuedAt", "idempotencyKey", "subject"]) expect(one.json).not.toHaveProperty(internal);

    const bad = await call(listRoute.GET as never, { url: `/api/v1/webhooks?status=weird`, cookie: viewer.cookie });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("validation_failed");

    expect((await call(oneRoute.DELETE as never, { method: "DELETE", params: { id: ids[0] }, cookie: viewer.cookie })).status).toBe(403);
    const admin = await createUser("admin");
    expect((await call(oneRoute.DELETE as never, { method: "DELETE", params: { id: ids[0] }, cookie: admin.cookie })).status).toBe(200);
    expect((await call(oneRoute.GET as never, { params: { id: ids[0] }, cookie: admin.cookie })).status).toBe(404);
    expect(await db.auditLog.count({ where: { action: "webhook.delete", entityId: ids[0] } })).toBe(1);
  });

  it("API keys need the webhooks scopes", async () => {
    const { key: reader } = await createKey(["webhooks:read"]);
    const { key: other } = await createKey(["logs:read"]);
    expect((await call(listRoute.GET as never, { url: "/api/v1/webhooks", bearer: reader })).status).toBe(200);
    expect((await call(listRoute.GET as never, { url: "/api/v1/webhooks", bearer: other })).status).toBe(403);
    expect((await call(listRoute.GET as never, { url: "/api/v1/webhooks" })).status).toBe(401);
  });
});
