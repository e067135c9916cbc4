// /api/v1/integrations through its route handlers: roles, masking, validation, audit.
import { beforeAll, describe, expect, it } from "vitest";
import * as list from "@/app/api/v1/integrations/route";
import * as one from "@/app/api/v1/integrations/[id]/route";
import * as test from "@/app/api/v1/integrations/[id]/test/route";
import * as tests from "@/app/api/v1/integrations/[id]/tests/route";
import * as providers from "@/app/api/v1/integrations/providers/route";
import * as health from "@/app/api/v1/integrations/health/route";
import { db } from "@/lib/db";
import { call } from "../helpers/http";
import { botToken, createKey, createUser, sandbox, zoomIntegration } from "../helpers/fixtures";

let admin: Awaited<ReturnType<typeof createUser>>;
let dispatcher: Awaited<ReturnType<typeof createUser>>;
let viewer: Awaited<ReturnType<typeof createUser>>;

beforeAll(async () => {
  admin = await createUser("admin");
  dispatcher = await createUser("dispatcher");
  viewer = await createUser("viewer");
});

async function createTelegram(token = botToken(), extra: Record<string, unknown> = {}) {
  const r = await call(list.POST, {
    url: "/api/v1/integrations",
    cookie: admin.cookie,
    body: { provider: "telegram", name: "Ops bot", mode: "sandbox", credentials: { botToken: token }, config: { parseMode: "HTML" }, ...extra },
  });
  expect(r.status, r.text).toBe(201);
  return r.json;
}

describe("integrations API", () => {
  it("creates an integration, stores the token encrypted and answers it masked", async () => {
    const token = botToken();
    const created = await createTelegram(token);
    expect(created).toMatchObject({ provider: "telegram", category: "chat", status: "testing", mode: "sandbox", code: expect.stringMatching(/^ops-bot/) });
    expect(created.credentials.botToken).toEqual({ set: true, secret: true, masked: `••••••••${token.slice(-4)}` });
    expect(JSON.stringify(created)).not.toContain(token);
    const row = await db.integration.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.credentials).toMatch(/^sbv1:/);
    expect(row.credentials).not.toContain(token);

    const audit = await db.auditLog.findFirstOrThrow({ where: { entityId: created.id, action: "integration.create" } });
    expect(audit.actorId).toBe(admin.id);
    expect(JSON.stringify(audit.changes)).not.toContain(token);
  });

  it("tests the connection against the sandbox and keeps the history", async () => {
    const created = await createTelegram();
    const r = await call(test.POST, { method: "POST", url: `/api/v1/integrations/${created.id}/test`, cookie: dispatcher.cookie, params: { id: created.id } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ok: true, mode: "sandbox" });
    expect(r.json.message).toMatch(/^Connected as @sandbox_\d+_bot/);
    const after = await call(one.GET, { url: `/api/v1/integrations/${created.id}`, cookie: viewer.cookie, params: { id: created.id } });
    expect(after.json).toMatchObject({ status: "active", lastTest: { ok: true } });
    expect(after.json.state.bot.username).toMatch(/^sandbox_/);
    const hist = await call(tests.GET, { url: `/api/v1/integrations/${created.id}/tests`, cookie: viewer.cookie, params: { id: created.id } });
    expect(hist.json.items).toHaveLength(1);
    expect(hist.json.items[0]).toMatchObject({ ok: true, triggeredById: dispatcher.id });
  });

  it("shows credentials (masked) to admins only; viewers and dispatchers get none", async () => {
    const created = await createTelegram();
    const asAdmin = await call(one.GET, { url: `/api/v1/integrations/${created.id}`, cookie: admin.cookie, params: { id: created.id } });
    expect(asAdmin.json.credentials.botToken.set).toBe(true);
    for (const u of [viewer, dispatcher]) {
      const r = await call(one.GET, { url: `/api/v1/integrations/${created.id}`, cookie: u.cookie, params: { id: created.id } });
      expect(r.status).toBe(200);
      expect(r.json.credentials).toBeUndefined();
      expect(r.json.hasCredentials).toBe(true);
    }
  });

  it("enforces roles on writes: viewers and dispatchers cannot create, change or delete", async () => {
    const created = await createTelegram();
    for (const u of [viewer, dispatcher]) {
      const c = await call(list.POST, { url: "/api/v1/integrations", cookie: u.cookie, body: { provider: "telegram", name: "x", credentials: { botToken: botToken() } } });
      expect(c.status).toBe(403);
      expect(c.json.error.code).toBe("forbidden");
      const p = await call(one.PATCH, { method: "PATCH", url: `/api/v1/integrations/${created.id}`, cookie: u.cookie, params: { id: created.id }, body: { name: "hacked" } });
      expect(p.status).toBe(403);
      const d = await call(one.DELETE, { method: "DELETE", url: `/api/v1/integrations/${created.id}`, cookie: u.cookie, params: { id: created.id } });
      expect(d.status).toBe(403);
    }
    const v = await call(test.POST, { method: "POST", url: "/x", cookie: viewer.cookie, params: { id: created.id } });
    expect(v.status).toBe(403);
    expect((await db.integration.findUniqueOrThrow({ where: { id: created.id } })).name).toBe("Ops bot");
  });

  it("requires a session or an API key", async () => {
    const r = await call(list.GET, { url: "/api/v1/integrations" });
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    const bad = await call(list.GET, { url: "/api/v1/integrations", cookie: "next-auth.session-token=forged.jwt.value" });
    expect(bad.status).toBe(401);
  });

  it("keeps a stored secret when an update leaves it empty, replaces it when given", async () => {
    const token = botToken();
    const created = await createTelegram(token);
    const keep = await call(one.PATCH, {
      method: "PATCH", url: "/x", cookie: admin.cookie, params: { id: created.id },
      body: { name: "Renamed", credentials: { botToken: "" }, config: { defaultChatId: "-100123" } },
    });
    expect(keep.status, keep.text).toBe(200);
    expect(keep.json).toMatchObject({ name: "Renamed", config: { defaultChatId: "-100123", parseMode: "HTML" } });
    expect(keep.json.credentials.botToken.masked).toBe(`••••••••${token.slice(-4)}`);
    const next = botToken();
    const replaced = await call(one.PATCH, { method: "PATCH", url: "/x", cookie: admin.cookie, params: { id: created.id }, body: { credentials: { botToken: next } } });
    expect(replaced.json.credentials.botToken.masked).toBe(`••••••••${next.slice(-4)}`);
    expect(replaced.json.status).toBe("testing"); // new credentials need a new test
    const audit = await db.auditLog.findMany({ where: { entityId: created.id, action: "integration.update" }, orderBy: { id: "asc" } });
    expect(audit.at(-1)!.changes).toMatchObject({ credentials: { botToken: "[changed]" } });
    expect(JSON.stringify(audit.map((a) => a.changes))).not.toContain(next);
  });

  it("disables and re-enables", async () => {
    const created = await createTelegram();
    const off = await call(one.PATCH, { method: "PATCH", url: "/x", cookie: admin.cookie, params: { id: created.id }, body: { enabled: false } });
    expect(off.json).toMatchObject({ status: "inactive", enabled: false });
    const on = await call(one.PATCH, { method: "PATCH", url: "/x", cookie: admin.cookie, params: { id: created.id }, body: { enabled: true } });
    expect(on.json).toMatchObject({ status: "testing", enabled: true });
  });

  it("deletes, with an audit row, and then answers 404", async () => {
    const created = await createTelegram();
    const d = await call(one.DELETE, { method: "DELETE", url: "/x", cookie: admin.cookie, params: { id: created.id } });
    expect(d.status).toBe(204);
    const g = await call(one.GET, { url: "/x", cookie: admin.cookie, params: { id: created.id } });
    expect(g.status).toBe(404);
    expect(g.json.error.code).toBe("not_found");
    expect(await db.auditLog.count({ where: { entityId: created.id, action: "integration.delete" } })).toBe(1);
  });

  it("lists providers with form schemas that mark secret fields", async () => {
    const r = await call(providers.GET, { url: "/x", cookie: viewer.cookie });
    const tg = r.json.items.find((p: { id: string }) => p.id === "telegram");
    expect(tg.credentialsSchema.properties.botToken).toMatchObject({ type: "string", secret: true, title: "Bot token" });
    expect(tg.secretFields).toEqual(["botToken", "webhookSecretToken"]);
    expect(tg.modes).toEqual(["sandbox", "live"]);
    const gw = r.json.items.find((p: { id: string }) => p.id === "generic-webhook");
    expect(gw.configSchema.properties.scheme.enum).toEqual(["hmac-sha256", "standard-webhooks"]);
  });

  it("reports each integration's health with its recent error count", async () => {
    const created = await createTelegram();
    await call(test.POST, { method: "POST", url: "/x", cookie: admin.cookie, params: { id: created.id } });
    const r = await call(health.GET, { url: "/x", cookie: viewer.cookie });
    const mine = r.json.items.find((i: { id: string }) => i.id === created.id);
    const calls = await db.integrationLog.count({ where: { integrationId: created.id } });
    // the test's getMe + getWebhookInfo, and the sandbox's setWebhook when it was created
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(mine).toMatchObject({ status: "active", calls24h: calls, errors24h: 0, lastTest: { ok: true } });
  });
});

describe("bad input changes nothing and answers in the error shape", () => {
  async function countAll() {
    return { integrations: await db.integration.count(), audit: await db.auditLog.count() };
  }

  it.each([
    ["malformed JSON", { rawBody: '{"provider": "telegram",', headers: { "content-type": "application/json" } }, 400, "invalid_json"],
    ["wrong types", { body: { provider: "telegram", name: 42, credentials: "nope" } }, 400, "validation_failed"],
    ["unknown provider", { body: { provider: "carrier-pigeon", name: "x" } }, 400, "validation_failed"],
    ["invalid credentials", { body: { provider: "telegram", name: "x", credentials: { botToken: "not-a-token" } } }, 400, "validation_failed"],
    ["not JSON at all", { rawBody: "provider=telegram", headers: { "content-type": "application/x-www-form-urlencoded" } }, 415, "unsupported_media_type"],
    ["an oversized body", { rawBody: JSON.stringify({ provider: "telegram", name: "x".repeat(2_000_000) }), headers: { "content-type": "application/json" } }, 413, "payload_too_large"],
  ])("%s", async (_label, opts, status, code) => {
    const before = await countAll();
    const r = await call(list.POST, { url: "/api/v1/integrations", cookie: admin.cookie, ...(opts as object) });
    expect(r.status).toBe(status);
    expect(r.json.error.code).toBe(code);
    expect(typeof r.json.error.message).toBe("string");
    expect(r.text).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
    expect(await countAll()).toEqual(before);
  });

  it("points at the offending fields", async () => {
    const r = await call(list.POST, { url: "/x", cookie: admin.cookie, body: { provider: "telegram", name: "x", credentials: { botToken: "bad" }, config: { parseMode: "Shouting" } } });
    expect(r.status).toBe(400);
    const paths = r.json.error.details.map((d: { path: string }) => d.path);
    expect(paths).toContain("credentials.botToken");
  });

  it("refuses a duplicate code with 409", async () => {
    await createTelegram(botToken(), { code: "dup-code" });
    const r = await call(list.POST, { url: "/x", cookie: admin.cookie, body: { provider: "telegram", name: "y", code: "dup-code", credentials: { botToken: botToken() } } });
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe("conflict");
  });

  it("answers 400 for a malformed id and 404 for an unknown one", async () => {
    const bad = await call(one.GET, { url: "/x", cookie: admin.cookie, params: { id: "../../etc" } });
    expect(bad.status).toBe(400);
    const unknown = await call(one.GET, { url: "/x", cookie: admin.cookie, params: { id: "00000000-0000-4000-8000-000000000000" } });
    expect(unknown.status).toBe(404);
  });

  it("refuses unknown fields on update instead of ignoring them", async () => {
    const created = await createTelegram();
    const r = await call(one.PATCH, { method: "PATCH", url: "/x", cookie: admin.cookie, params: { id: created.id }, body: { provider: "generic-webhook" } });
    expect(r.status).toBe(400);
    expect((await db.integration.findUniqueOrThrow({ where: { id: created.id } })).provider).toBe("telegram");
  });
});

describe("API keys on the integrations API", () => {
  it("read scope lists; write scope needed to create; credentials visible only with write scope", async () => {
    const created = await createTelegram();
    const read = await createKey(["integrations:read"]);
    const r = await call(list.GET, { url: "/x", bearer: read.key });
    expect(r.status).toBe(200);
    expect(r.json.items.length).toBeGreaterThan(0);
    const g = await call(one.GET, { url: "/x", bearer: read.key, params: { id: created.id } });
    expect(g.json.credentials).toBeUndefined();
    const c = await call(list.POST, { url: "/x", bearer: read.key, body: { provider: "telegram", name: "k", credentials: { botToken: botToken() } } });
    expect(c.status).toBe(403);
    expect(c.json.error.message).toMatch(/integrations:write/);
    const write = await createKey(["integrations:read", "integrations:write"]);
    const c2 = await call(list.POST, { url: "/x", bearer: write.key, body: { provider: "telegram", name: "k2", credentials: { botToken: botToken() } } });
    expect(c2.status).toBe(201);
    expect(c2.json.credentials.botToken.set).toBe(true);
    const audit = await db.auditLog.findFirstOrThrow({ where: { entityId: c2.json.id } });
    expect(audit).toMatchObject({ actorType: "api_key", actorId: write.row.id });
  });
});

describe("changing where credentials are sent (destination fields) needs every secret again", () => {
  async function withToken() {
    const z = await zoomIntegration();
    await db.oAuthToken.create({ data: { integrationId: z.row.id, accessToken: "sbv1:not-a-real-envelope", expiresAt: new Date(Date.now() + 3600_000) } });
    return z;
  }
  const callers = [
    ["a signed-in admin", async () => ({ cookie: admin.cookie })],
    ["an integrations:write API key", async () => ({ bearer: (await createKey(["integrations:read", "integrations:write"])).key })],
  ] as const;

  it.each(callers)("%s: a new apiEndpoint without the secrets is refused, naming each one, and nothing changes", async (_label, auth) => {
    const z = await withToken();
    const before = await db.integration.findUniqueOrThrow({ where: { id: z.row.id } });
    const audits = await db.auditLog.count({ where: { entityId: z.row.id } });
    const r = await call(one.PATCH, {
      method: "PATCH", url: "/x", ...(await auth()), params: { id: z.row.id },
      body: { apiEndpoint: "https://collector.attacker.example/v2", credentials: { clientSecret: "" } },
    });
    expect(r.status, r.text).toBe(400);
    expect(r.json.error.code).toBe("validation_failed");
    expect(r.json.error.message).toMatch(/endpoint/i);
    const details = r.json.error.details as { path: string; message: string }[];
    expect(details.map((d) => d.path).sort()).toEqual(["credentials.clientSecret", "credentials.webhookSecretToken"]);
    for (const d of details) expect(d.message).toMatch(/again/);
    expect(await db.integration.findUniqueOrThrow({ where: { id: z.row.id } })).toEqual(before);
    expect(await db.oAuthToken.count({ where: { integrationId: z.row.id } })).toBe(1);
    expect(await db.auditLog.count({ where: { entityId: z.row.id } })).toBe(audits);
  });

  it.each(callers)("%s: with every secret entered again it is saved and the OAuth tokens are dropped", async (_label, auth) => {
    const z = await withToken();
    const clientSecret = "f".repeat(32);
    const r = await call(one.PATCH, {
      method: "PATCH", url: "/x", ...(await auth()), params: { id: z.row.id },
      body: { apiEndpoint: `${sandbox().url}/zoom/v2`, credentials: { clientSecret, webhookSecretToken: z.webhookSecretToken } },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.json.apiEndpoint).toBe(`${sandbox().url}/zoom/v2`);
    expect(r.json.credentials.clientSecret.masked).toBe(`••••••••${clientSecret.slice(-4)}`);
    expect(await db.oAuthToken.count({ where: { integrationId: z.row.id } })).toBe(0);
    const audit = await db.auditLog.findFirstOrThrow({ where: { entityId: z.row.id, action: "integration.update" }, orderBy: { id: "desc" } });
    expect(audit.changes).toMatchObject({ oauth: expect.stringMatching(/tokens dropped/) });
  });

  it.each(callers)("%s: a change of anything else keeps the secrets and the tokens", async (_label, auth) => {
    const z = await withToken();
    const r = await call(one.PATCH, {
      method: "PATCH", url: "/x", ...(await auth()), params: { id: z.row.id },
      body: { name: "Renamed Zoom", config: { waitingRoom: false }, credentials: { clientSecret: "" } },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.json.credentials.clientSecret.masked).toBe(`••••••••${z.clientSecret.slice(-4)}`);
    expect(r.json.credentials.webhookSecretToken.set).toBe(true);
    expect(await db.oAuthToken.count({ where: { integrationId: z.row.id } })).toBe(1);
    // sending the same endpoint and mode again is not a change
    const same = await call(one.PATCH, { method: "PATCH", url: "/x", ...(await auth()), params: { id: z.row.id }, body: { mode: "sandbox", apiEndpoint: null } });
    expect(same.status, same.text).toBe(200);
    expect(await db.oAuthToken.count({ where: { integrationId: z.row.id } })).toBe(1);
  });

  it("a secret Switchboard generated itself (RingCentral's verification token) is not asked for: it is dropped and made again", async () => {
    const clientSecret = "rc-secret-0123456789";
    const rc = await call(list.POST, {
      url: "/x", cookie: admin.cookie,
      body: { provider: "ringcentral", name: "Phones moved", mode: "sandbox", credentials: { clientId: "rc-client-0123456789", clientSecret, verificationToken: "generated-token-0123456789abcdef" } },
    });
    expect(rc.status, rc.text).toBe(201);
    const refused = await call(one.PATCH, { method: "PATCH", url: "/x", cookie: admin.cookie, params: { id: rc.json.id }, body: { apiEndpoint: `${sandbox().url}/ringcentral` } });
    expect(refused.status).toBe(400);
    expect(refused.json.error.details.map((d: { path: string }) => d.path)).toEqual(["credentials.clientSecret"]);
    const moved = await call(one.PATCH, { method: "PATCH", url: "/x", cookie: admin.cookie, params: { id: rc.json.id }, body: { apiEndpoint: `${sandbox().url}/ringcentral`, credentials: { clientSecret } } });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.json.credentials.verificationToken.set).toBe(false);
  });

  it("the mode and each provider's own destination fields (SMTP host) count too", async () => {
    const token = botToken();
    const tg = await call(list.POST, { url: "/x", cookie: admin.cookie, body: { provider: "telegram", name: "Mode bot", mode: "sandbox", credentials: { botToken: token } } });
    const live = await call(one.PATCH, { method: "PATCH", url: "/x", cookie: admin.cookie, params: { id: tg.json.id }, body: { mode: "live" } });
    expect(live.status).toBe(400);
    expect(live.json.error.details).toEqual([{ path: "credentials.botToken", message: expect.stringMatching(/again/) }]);
    const ok = await call(one.PATCH, { method: "PATCH", url: "/x", cookie: admin.cookie, params: { id: tg.json.id }, body: { mode: "live", credentials: { botToken: token } } });
    expect(ok.status, ok.text).toBe(200);

    const smtp = await call(list.POST, {
      url: "/x", cookie: admin.cookie,
      body: { provider: "smtp", name: "Mailbox", mode: "live", credentials: { username: "ops@example.test", password: "app-password-1" }, config: { host: "smtp.example.test", fromEmail: "ops@example.test" } },
    });
    expect(smtp.status, smtp.text).toBe(201);
    const moved = await call(one.PATCH, { method: "PATCH", url: "/x", cookie: admin.cookie, params: { id: smtp.json.id }, body: { config: { host: "mail.attacker.example" } } });
    expect(moved.status).toBe(400);
    expect(moved.json.error.details).toEqual([{ path: "credentials.password", message: expect.stringMatching(/again/) }]);
    expect((await db.integration.findUniqueOrThrow({ where: { id: smtp.json.id } })).config).toMatchObject({ host: "smtp.example.test" });
    const renamed = await call(one.PATCH, { method: "PATCH", url: "/x", cookie: admin.cookie, params: { id: smtp.json.id }, body: { config: { fromName: "Ops" } } });
    expect(renamed.status, renamed.text).toBe(200);
  });
});
