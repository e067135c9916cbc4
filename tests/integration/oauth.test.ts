// OAuth done once for all providers (lib/oauth), exercised through Google Calendar against the
// sandbox's authorization server: connect with state and PKCE, tokens encrypted, refresh before
// expiry under a lock (concurrent callers make one call), invalid_grant → needs reconnect,
// transient token-endpoint failures, the daily refresh, disconnect with revocation, the routes.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createIntegration, buildContext, testIntegration } from "@/lib/integrations/service";
import { startConnect, finishConnect } from "@/lib/oauth/flow";
import { getAccessToken, refreshDueTokens, TokenEndpointError } from "@/lib/oauth/tokens";
import { getProvider } from "@/lib/providers/registry";
import { OAuthReconnectError } from "@/lib/providers/types";
import * as startRoute from "@/app/api/oauth/[provider]/start/route";
import * as callbackRoute from "@/app/api/oauth/[provider]/callback/route";
import * as oauthRoute from "@/app/api/v1/integrations/[id]/oauth/route";
import { call } from "../helpers/http";
import { connectOAuth, decide } from "../helpers/oauth";
import { createUser, fault, sandbox, system } from "../helpers/fixtures";

const P = "google-calendar";
let n = 0;

async function googleIntegration() {
  n++;
  return createIntegration(
    {
      provider: P,
      name: `Calendar ${n}`,
      mode: "sandbox",
      credentials: { clientId: `client-${n}-${Date.now()}.apps.googleusercontent.com`, clientSecret: `GOCSPX-secret-${n}-${Math.random().toString(36).slice(2)}` },
      config: {},
    },
    system,
  );
}

async function stats(clientId: string) {
  const r = await fetch(`${sandbox().url}/${P}/__oauth/stats?client_id=${encodeURIComponent(clientId)}`);
  return (await r.json()) as { refresh: number; authorizationCode: number; revoke: number; tokenCalls: number };
}

async function control(path: string, body: unknown = {}) {
  const r = await fetch(`${sandbox().url}/${P}/__oauth/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(r.ok).toBe(true);
}

async function ctxOf(id: string) {
  return buildContext(await db.integration.findUniqueOrThrow({ where: { id } }));
}

const clientIdOf = async (id: string) => String((await ctxOf(id)).credentials.clientId);

describe("OAuth connect", () => {
  it("sends the admin to the consent page with state and an S256 challenge, and stores the tokens encrypted", async () => {
    const row = await googleIntegration();
    const admin = await createUser("admin");
    const who = { actor: { type: "user" as const, id: admin.id, label: admin.email } };
    const url = new URL(await startConnect(P, row.id, admin.id, who));
    expect(url.searchParams.get("response_type")).toBe("code");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get("access_type")).toBe("offline");
    expect(url.searchParams.get("redirect_uri")).toMatch(/\/api\/oauth\/google-calendar\/callback$/);
    const state = url.searchParams.get("state")!;
    expect(state.length).toBeGreaterThanOrEqual(43);
    // the state is stored hashed, never as sent
    expect(await db.oAuthState.count({ where: { id: state } })).toBe(0);

    const { query } = await decide(url.toString(), "allow", "dispatch@acme.test");
    expect(query.state).toBe(state);
    const out = await finishConnect(P, query, admin.id, who);
    expect(out).toMatchObject({ ok: true, integrationId: row.id });
    expect(out.message).toMatch(/Connected to Google Calendar/);

    const token = await db.oAuthToken.findUniqueOrThrow({ where: { integrationId: row.id } });
    expect(token.status).toBe("connected");
    expect(token.accessToken).not.toMatch(/sbx_at_/);
    expect(token.refreshToken).not.toMatch(/sbx_rt_/);
    expect(token.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 3000_000);
    expect(token.connectedById).toBe(admin.id);
    expect((await db.integration.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("active");
    expect(await db.auditLog.count({ where: { action: "oauth.connected", entityId: row.id } })).toBe(1);

    // the sandbox saw the verifier; our log of the exchange holds neither the code nor the tokens
    const seen = (await (await fetch(`${sandbox().url}/__control/requests?provider=${P}`)).json()) as { items: { path: string; body: string }[] };
    expect(seen.items.find((r) => r.path.endsWith("/token"))?.body).toMatch(/code_verifier=/);
    const logs = await db.integrationLog.findMany({ where: { integrationId: row.id, action: "oauth.exchange" } });
    expect(logs).toHaveLength(1);
    const logged = JSON.stringify(logs[0], (_k, v) => (typeof v === "bigint" ? String(v) : v));
    expect(logged).not.toContain(query.code);
    expect(logged).not.toMatch(/sbx_(at|rt)_/);

    // the callback cannot be replayed
    await expect(finishConnect(P, query, admin.id, who)).rejects.toMatchObject({ status: 400 });
  });

  it("binds the state to the admin who started it", async () => {
    const row = await googleIntegration();
    const a = await createUser("admin");
    const b = await createUser("admin");
    const url = await startConnect(P, row.id, a.id, { actor: { type: "user", id: a.id } });
    const { query } = await decide(url);
    await expect(finishConnect(P, query, b.id, { actor: { type: "user", id: b.id } })).rejects.toMatchObject({ status: 403 });
    expect(await db.oAuthToken.count({ where: { integrationId: row.id } })).toBe(0);
  });

  it("reports a denied consent and keeps the integration unconnected", async () => {
    const row = await googleIntegration();
    const out = await connectOAuth(row.id, { decision: "deny" });
    expect(out.ok).toBe(false);
    expect(out.message).toMatch(/Access was not granted/);
    expect(await db.oAuthToken.count({ where: { integrationId: row.id } })).toBe(0);
  });

  it("routes: start redirects to the provider for admins only; callback lands back connected; the status never shows tokens", async () => {
    const row = await googleIntegration();
    const admin = await createUser("admin");
    const viewer = await createUser("viewer");

    const anon = await call(startRoute.GET, { url: `/api/oauth/${P}/start?integration_id=${row.id}`, params: { provider: P } }); // alias (docs/api-compat.md)
    expect(anon.status).toBe(303);
    expect(anon.headers.get("location")).toMatch(/\/login\?callbackUrl=/);

    const denied = await call(startRoute.GET, { url: `/api/oauth/${P}/start?integration_id=${row.id}`, params: { provider: P }, cookie: viewer.cookie }); // alias (docs/api-compat.md)
    expect(denied.headers.get("location")).toMatch(new RegExp(`/integrations/${row.id}\\?oauth_error=`));

    const start = await call(startRoute.GET, { url: `/api/oauth/${P}/start?integration_id=${row.id}`, params: { provider: P }, cookie: admin.cookie }); // alias (docs/api-compat.md)
    expect(start.status).toBe(303);
    const consent = start.headers.get("location")!;
    expect(consent.startsWith(`${sandbox().url}/${P}/`)).toBe(true);
    const { query } = await decide(consent);
    const back = await call(callbackRoute.GET, { url: `/api/oauth/${P}/callback?${new URLSearchParams(query)}`, params: { provider: P }, cookie: admin.cookie });
    expect(back.status).toBe(303);
    expect(back.headers.get("location")).toMatch(new RegExp(`/integrations/${row.id}\\?oauth=connected`));

    const status = await call(oauthRoute.GET, { url: "/x", params: { id: row.id }, cookie: viewer.cookie });
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({ connected: true, status: "connected", accountId: "sandbox.user@example.com", hasRefreshToken: true });
    expect(status.text).not.toMatch(/sbx_|accessToken"|refreshToken"/);
    expect((await call(oauthRoute.DELETE, { url: "/x", params: { id: row.id }, cookie: viewer.cookie })).status).toBe(403);
  });
});

describe("OAuth connection changes and the last connection test", () => {
  it("connecting re-runs the connection test, so a failed test from before the connection is not shown as current", async () => {
    const row = await googleIntegration();
    const before = await testIntegration(row.id, system);
    expect(before.ok).toBe(false);
    expect((await db.integration.findUniqueOrThrow({ where: { id: row.id } })).lastTestOk).toBe(false);

    await connectOAuth(row.id);
    const after = await db.integration.findUniqueOrThrow({ where: { id: row.id } });
    expect(after.lastTestOk).toBe(true);
    expect(after.lastTestAt!.getTime()).toBeGreaterThan(before.at.getTime());
    expect(after.lastTestMessage).not.toMatch(/not connected/i);
    expect(after.status).toBe("active");
    // the re-run is in the test history like any other
    const runs = await db.integrationTest.findMany({ where: { integrationId: row.id }, orderBy: { createdAt: "asc" } });
    expect(runs.map((t) => t.ok)).toEqual([false, true]);
  });

  it("disconnecting clears the last test result: it was about a connection that no longer exists", async () => {
    const row = await googleIntegration();
    const { admin } = await connectOAuth(row.id);
    expect((await db.integration.findUniqueOrThrow({ where: { id: row.id } })).lastTestOk).toBe(true);
    const r = await call(oauthRoute.DELETE, { url: "/x", params: { id: row.id }, cookie: admin.cookie });
    expect(r.status).toBe(200);
    expect(await db.integration.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ lastTestAt: null, lastTestOk: null, lastTestMessage: null });
  });
});

describe("OAuth tokens", () => {
  it("refreshes shortly before expiry, and many concurrent callers make one refresh call", async () => {
    const row = await googleIntegration();
    await connectOAuth(row.id);
    const clientId = await clientIdOf(row.id);
    const ctx = await ctxOf(row.id);
    const first = await ctx.accessToken();
    expect((await stats(clientId)).refresh).toBe(0);
    // still valid for a minute: inside the refresh window (OAUTH_REFRESH_BEFORE_SECONDS = 300)
    await db.oAuthToken.update({ where: { integrationId: row.id }, data: { expiresAt: new Date(Date.now() + 60_000) } });
    const tokens = await Promise.all(Array.from({ length: 6 }, async () => (await ctxOf(row.id)).accessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(first);
    expect((await stats(clientId)).refresh).toBe(1);
    // the new token works at the provider's API
    const cal = await fetch(`${sandbox().url}/${P}/calendar/v3/users/me/calendarList`, { headers: { authorization: `Bearer ${tokens[0]}` } });
    expect(cal.status).toBe(200);
  });

  it("after a 401, concurrent forced refreshes make one call", async () => {
    const row = await googleIntegration();
    await connectOAuth(row.id);
    const clientId = await clientIdOf(row.id);
    await control("expire-access", { clientId });
    const got = await Promise.all([1, 2, 3].map(async () => (await ctxOf(row.id)).accessToken({ force: true })));
    expect(new Set(got).size).toBe(1);
    expect((await stats(clientId)).refresh).toBe(1);
  });

  it("invalid_grant marks the integration needs-reconnect once, audits it and tells the admins; reconnecting clears it", async () => {
    const row = await googleIntegration();
    const { admin } = await connectOAuth(row.id);
    // an admin who linked Telegram hears about it there
    const bot = await db.integration.create({ data: { id: crypto.randomUUID(), code: `tg-${n}-${Date.now()}`, name: "Bot", provider: "telegram", category: "chat", status: "active", credentials: null } });
    await db.telegramLink.create({ data: { userId: admin.id, integrationId: bot.id, chatId: "5550001", linkedAt: new Date() } });
    const clientId = await clientIdOf(row.id);
    await control("revoke-grants", { clientId });
    await db.oAuthToken.update({ where: { integrationId: row.id }, data: { expiresAt: new Date(Date.now() - 1000) } });

    const results = await Promise.allSettled([1, 2].map(async () => (await ctxOf(row.id)).accessToken()));
    for (const r of results) {
      expect(r.status).toBe("rejected");
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(OAuthReconnectError);
    }
    // the second caller did not spend another refresh: it found needs_reconnect behind the lock
    expect((await stats(clientId)).refresh).toBe(1);
    const token = await db.oAuthToken.findUniqueOrThrow({ where: { integrationId: row.id } });
    expect(token.status).toBe("needs_reconnect");
    expect(token.lastError).toMatch(/invalid_grant/);
    const integ = await db.integration.findUniqueOrThrow({ where: { id: row.id } });
    expect(integ.status).toBe("error");
    expect(integ.lastError).toMatch(/Connect Google Calendar again/);
    expect(await db.auditLog.count({ where: { action: "oauth.needs_reconnect", entityId: row.id } })).toBe(1);
    const notices = await db.message.findMany({ where: { relatedType: "integration", relatedId: row.id } });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ channel: "telegram", recipient: "5550001" });
    expect(notices[0].body).toMatch(/Reconnect/);

    // later callers fail fast, without asking the provider
    await expect((await ctxOf(row.id)).accessToken()).rejects.toBeInstanceOf(OAuthReconnectError);
    expect((await stats(clientId)).refresh).toBe(1);

    const again = await connectOAuth(row.id, { admin });
    expect(again.ok).toBe(true);
    expect((await db.oAuthToken.findUniqueOrThrow({ where: { integrationId: row.id } })).status).toBe("connected");
    expect((await db.integration.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("active");
    expect(await (await ctxOf(row.id)).accessToken()).toMatch(/^sbx_at_/);
  });

  it("a token endpoint outage keeps the still-valid token, and fails clearly once it has expired", async () => {
    const row = await googleIntegration();
    await connectOAuth(row.id);
    const current = await (await ctxOf(row.id)).accessToken();
    await db.oAuthToken.update({ where: { integrationId: row.id }, data: { expiresAt: new Date(Date.now() + 60_000) } });
    await fault({ provider: P, path: "/token$", status: 503, times: 1 });
    expect(await (await ctxOf(row.id)).accessToken()).toBe(current);

    await db.oAuthToken.update({ where: { integrationId: row.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await fault({ provider: P, path: "/token$", status: 503, times: 1 });
    const err = await (await ctxOf(row.id)).accessToken().catch((e) => e);
    expect(err).toBeInstanceOf(TokenEndpointError);
    expect(err.kind).toBe("transient");
    expect(err.message).toMatch(/HTTP 503/);
    // not a reconnect: the next call, with the endpoint back, refreshes
    expect((await db.oAuthToken.findUniqueOrThrow({ where: { integrationId: row.id } })).status).toBe("connected");
    expect(await (await ctxOf(row.id)).accessToken()).not.toBe(current);
  });

  it("a wrong client secret is a settings problem, not a reconnect", async () => {
    const row = await googleIntegration();
    await connectOAuth(row.id);
    await db.oAuthToken.update({ where: { integrationId: row.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const ctx = await ctxOf(row.id);
    (ctx.credentials as Record<string, unknown>).clientSecret = "GOCSPX-wrong";
    const err = await getAccessToken(ctx, getProvider(P)!).catch((e) => e);
    expect(err).toBeInstanceOf(TokenEndpointError);
    expect(err.kind).toBe("invalid_client");
    expect((await db.oAuthToken.findUniqueOrThrow({ where: { integrationId: row.id } })).status).toBe("connected");
  });

  it("the maintenance tick refreshes tokens about to expire and those unused for a day", async () => {
    const fresh = await googleIntegration();
    const stale = await googleIntegration();
    const soon = await googleIntegration();
    for (const r of [fresh, stale, soon]) await connectOAuth(r.id);
    await db.oAuthToken.update({ where: { integrationId: stale.id }, data: { refreshedAt: new Date(Date.now() - 25 * 3600_000) } });
    await db.oAuthToken.update({ where: { integrationId: soon.id }, data: { expiresAt: new Date(Date.now() + 120_000) } });
    const build = async (id: string) => {
      if (![fresh.id, stale.id, soon.id].includes(id)) return null; // other tests' integrations
      return { ctx: await ctxOf(id), def: getProvider(P)! };
    };
    const out = await refreshDueTokens(build);
    expect(out.refreshed).toBeGreaterThanOrEqual(2);
    expect((await stats(await clientIdOf(fresh.id))).refresh).toBe(0);
    expect((await stats(await clientIdOf(stale.id))).refresh).toBe(1);
    expect((await stats(await clientIdOf(soon.id))).refresh).toBe(1);
    const t = await db.oAuthToken.findUniqueOrThrow({ where: { integrationId: stale.id } });
    expect(t.refreshedAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it("disconnect revokes the grant at the provider and deletes the tokens", async () => {
    const row = await googleIntegration();
    const { admin } = await connectOAuth(row.id);
    const clientId = await clientIdOf(row.id);
    const token = await (await ctxOf(row.id)).accessToken();
    const r = await call(oauthRoute.DELETE, { url: "/x", params: { id: row.id }, cookie: admin.cookie });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ connected: false, status: "disconnected", revoked: true });
    expect((await stats(clientId)).revoke).toBe(1);
    expect(await db.oAuthToken.count({ where: { integrationId: row.id } })).toBe(0);
    expect((await db.integration.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("inactive");
    expect(await db.auditLog.count({ where: { action: "oauth.disconnected", entityId: row.id } })).toBe(1);
    // the revoked grant's access token no longer works at the provider
    const cal = await fetch(`${sandbox().url}/${P}/calendar/v3/users/me/calendarList`, { headers: { authorization: `Bearer ${token}` } });
    expect(cal.status).toBe(401);
    await expect((await ctxOf(row.id)).accessToken()).rejects.toBeInstanceOf(OAuthReconnectError);
  });
});
