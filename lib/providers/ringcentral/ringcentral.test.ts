// The RingCentral provider against its sandbox, through the official @ringcentral/sdk: the wire
// format and our logged HTTP path underneath it, tokens only from lib/oauth (a 401 forces one
// refresh and one retry; invalid_grant surfaces as OAuthReconnectError), 429 and 5xx handling,
// RingOut, SMS for the messaging service with RingCentral's message statuses, and the call log
// read page by page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { decrypt, aadFor } from "@/lib/vault";
import { testIntegration } from "@/lib/integrations/service";
import { getProvider } from "@/lib/providers/registry";
import { OAuthReconnectError, SendError, type OutboundMessage, type ProviderDefinition } from "@/lib/providers/types";
import {
  RingCentralError, callLogPages, createRingOut, getExtension, getRingOut, ringCentralSdk,
} from "@/lib/providers/ringcentral/client";
import { RINGCENTRAL_MAGIC, RINGCENTRAL_SANDBOX_NUMBER } from "@/lib/providers/ringcentral/sandbox";
import { fault, system } from "@/tests/helpers/fixtures";
import { oauthStats, rcControl, rcRequests, ringCentralIntegration } from "@/tests/helpers/ringcentral";
import { startWebhookServer } from "@/tests/helpers/webhook-server";
import { waitFor } from "@/tests/helpers/wait";

const def = getProvider("ringcentral") as ProviderDefinition;
const EXT = "/ringcentral/restapi/v1.0/account/~/extension/~";
const jsonOf = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));

let hooks: Awaited<ReturnType<typeof startWebhookServer>>;
beforeAll(async () => {
  hooks = await startWebhookServer();
});
afterAll(async () => {
  await hooks.close();
});

async function accessTokenOf(integrationId: string) {
  const t = await db.oAuthToken.findUniqueOrThrow({ where: { integrationId } });
  return { access: decrypt(t.accessToken, aadFor.oauthAccessToken(t.id)), refresh: t.refreshToken ? decrypt(t.refreshToken, aadFor.oauthRefreshToken(t.id)) : null, row: t };
}

async function rejection(p: Promise<unknown>) {
  return p.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e,
  );
}

function sms(over: Partial<OutboundMessage> = {}): OutboundMessage {
  return { id: crypto.randomUUID(), channel: "sms", to: "+79161234567", text: "Your driver arrives at 14:05", options: {}, statusCallbackUrl: "", ...over };
}

describe("ringcentral provider", () => {
  it("talks to RingCentral through the SDK on our logged HTTP path: connect, test connection, the bearer never stored in clear", async () => {
    const { row, clientId, clientSecret, connect } = await ringCentralIntegration();
    expect(connect?.message).toMatch(/Connected to RingCentral as Sandbox User, ext\. 10\d/);
    const token = await db.oAuthToken.findUniqueOrThrow({ where: { integrationId: row.id } });
    // owner_id of the token response is the account id shown on the integration page
    expect(token.accountId).toMatch(/^\d{10}$/);

    const test = await testIntegration(row.id, system);
    expect(test).toMatchObject({ ok: true, message: expect.stringMatching(/^Connected as Sandbox User \(ext\. 10\d\)$/) });
    expect((test.details as { extension: { id: string } }).extension.id).toBe(token.accountId);

    const { access } = await accessTokenOf(row.id);
    const req = (await rcRequests()).find((r) => r.method === "GET" && r.path === EXT)!;
    expect(req.headers.authorization).toBe(`bearer ${access}`);
    expect(req.headers["client-id"]).toBe(clientId);
    expect(req.headers["x-user-agent"]).toMatch(/RCJSSDK\/5\.0\.11/);

    const logs = await db.integrationLog.findMany({ where: { integrationId: row.id }, orderBy: { id: "asc" } });
    expect(logs.map((l) => l.action)).toEqual(expect.arrayContaining(["oauth.exchange", "ringcentral.extension.get", "ringcentral.subscription.create"]));
    const text = jsonOf(logs);
    expect(text).not.toContain(access);
    expect(text).not.toContain(clientSecret);
    const ext = logs.find((l) => l.action === "ringcentral.extension.get")!;
    expect(ext).toMatchObject({ method: "GET", statusCode: 200, status: "success" });
    expect((ext.request as { headers: Record<string, string> }).headers.authorization).toBe("[REDACTED]");
  });

  it("keeps the SDK from refreshing: it has no refresh of its own, and each SDK instance has its own token storage", async () => {
    const { ctx } = await ringCentralIntegration();
    const c = await ctx();
    const sdk = ringCentralSdk(c, "x");
    await expect(sdk.platform().refresh()).rejects.toThrow(/lib\/oauth/);
    await sdk.platform().auth().setData({ access_token: "a-token", token_type: "bearer", expires_in: "-100" });
    // an expired token does not make the SDK call the token endpoint: ensureLoggedIn does nothing
    await expect(sdk.platform().ensureLoggedIn()).resolves.toBeNull();
    const other = ringCentralSdk(c, "y");
    expect((await other.platform().auth().data()).access_token).toBe("");
  });

  it("answers a 401 with one forced refresh (rotating the refresh token) and one retry", async () => {
    const { row, clientId, ctx } = await ringCentralIntegration();
    const before = await accessTokenOf(row.id);
    const stats0 = await oauthStats(clientId);
    // RingCentral forgets the access token early (revoked elsewhere, rotated): the API answers 401
    expect((await rcControl("/__oauth/expire-access", { clientId })).status).toBe(204);
    const ext = await getExtension(await ctx());
    expect(ext.name).toBe("Sandbox User");
    const stats1 = await oauthStats(clientId);
    expect(stats1.refresh - stats0.refresh).toBe(1);
    const after = await accessTokenOf(row.id);
    expect(after.access).not.toBe(before.access);
    expect(after.refresh).not.toBe(before.refresh); // RingCentral rotates refresh tokens
    const calls = (await rcRequests()).filter((r) => r.path === EXT && r.headers["client-id"] === clientId);
    expect(calls.slice(0, 2).map((r) => r.headers.authorization)).toEqual([`bearer ${after.access}`, `bearer ${before.access}`]);

    // a 401 that persists is not retried again: one more refresh, then the error
    await fault({ provider: "ringcentral", path: "/restapi/v1\\.0/account/~/extension/~$", method: "GET", status: 401, times: 2 });
    const e = (await rejection(getExtension(await ctx()))) as RingCentralError;
    expect(e).toBeInstanceOf(RingCentralError);
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/refused the access token \(401, OAU-213\)/);
    expect((await oauthStats(clientId)).refresh - stats1.refresh).toBe(1);
  });

  it("surfaces a revoked grant (invalid_grant) as OAuthReconnectError, without retrying, and SMS fails over", async () => {
    const { row, clientId, ctx } = await ringCentralIntegration();
    await rcControl("/__oauth/revoke-grants", { clientId });
    const e = await rejection(getExtension(await ctx()));
    expect(e).toBeInstanceOf(OAuthReconnectError);
    const token = await db.oAuthToken.findUniqueOrThrow({ where: { integrationId: row.id } });
    expect(token.status).toBe("needs_reconnect");
    const stats = await oauthStats(clientId);
    // one refresh attempt, refused; calls after that fail fast without asking again
    const sendErr = (await rejection(def.messaging!.send(await ctx(), sms()))) as SendError;
    expect(sendErr).toBeInstanceOf(SendError);
    expect(sendErr).toMatchObject({ kind: "transient", opts: { code: "needs_reconnect" } });
    expect((await oauthStats(clientId)).refresh).toBe(stats.refresh);
    const test = await testIntegration(row.id, system);
    expect(test.ok).toBe(false);
    expect(test.message).toMatch(/Not connected to RingCentral/);
  });

  it("waits out a short 429 (Retry-After) and returns a long one with its delay, without waiting", async () => {
    const { ctx } = await ringCentralIntegration();
    const c = await ctx();
    await fault({ provider: "ringcentral", path: "/restapi/v1\\.0/account/~/extension/~$", status: 429, retryAfter: 1, times: 1 });
    const t0 = Date.now();
    await expect(getExtension(c)).resolves.toMatchObject({ name: "Sandbox User" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);

    await fault({ provider: "ringcentral", path: "/restapi/v1\\.0/account/~/extension/~$", status: 429, retryAfter: 120, times: 1 });
    const t1 = Date.now();
    const e = (await rejection(getExtension(c))) as RingCentralError;
    expect(Date.now() - t1).toBeLessThan(2000);
    expect(e).toMatchObject({ status: 429, opts: { errorCode: "CMN-301", retryAfterSeconds: 120 } });
    expect(e.transient).toBe(true);

    // an SMS refused with 429 goes back to the outbox with the provider's delay
    await fault({ provider: "ringcentral", path: "/sms$", status: 429, retryAfter: 30, times: 1 });
    const s = (await rejection(def.messaging!.send(c, sms()))) as SendError;
    expect(s).toMatchObject({ kind: "transient", opts: { code: "ringcentral_CMN-301", retryAfterSeconds: 30 } });
  });

  it("retries a 5xx or a timeout on a GET, never on a RingOut POST (it would ring twice)", async () => {
    const { clientId, ctx, row } = await ringCentralIntegration();
    const c = await ctx();
    await fault({ provider: "ringcentral", path: "/restapi/v1\\.0/account/~/extension/~$", status: 503, times: 1 });
    await expect(getExtension(c)).resolves.toMatchObject({ name: "Sandbox User" });
    // timed out after HTTP_TIMEOUT_MS (3 s in tests), then answered
    await fault({ provider: "ringcentral", path: "/restapi/v1\\.0/account/~/extension/~$", delayMs: 3500, times: 1 });
    await expect(getExtension(c)).resolves.toMatchObject({ name: "Sandbox User" });
    const logs = await db.integrationLog.findMany({ where: { integrationId: row.id, action: "ringcentral.extension.get" }, orderBy: { id: "asc" } });
    expect(logs.map((l) => l.statusCode ?? l.error)).toEqual(expect.arrayContaining([503, expect.stringMatching(/timed out/)]));

    const posts = async () => (await rcRequests()).filter((r) => r.method === "POST" && r.path.endsWith("/ring-out") && r.headers["client-id"] === clientId).length;
    await fault({ provider: "ringcentral", path: "/ring-out$", method: "POST", status: 503, times: 1 });
    const e = (await rejection(createRingOut(c, { from: RINGCENTRAL_SANDBOX_NUMBER, to: "+79031110001" }))) as RingCentralError;
    expect(e).toMatchObject({ status: 503, opts: { errorCode: "CMN-201" } });
    expect(e.message).toMatch(/server error \(HTTP 503/);
    expect(await posts()).toBe(1);
  });

  it("places a RingOut and follows it InProgress → Success, in RingCentral's wire format", async () => {
    const { clientId, ctx } = await ringCentralIntegration();
    const c = await ctx();
    const r = await createRingOut(c, { from: RINGCENTRAL_SANDBOX_NUMBER, to: "+79031110001", playPrompt: false });
    expect(r).toMatchObject({ id: expect.stringMatching(/^\d+$/), status: { callStatus: "InProgress", callerStatus: "InProgress", calleeStatus: "InProgress" } });
    const sent = (await rcRequests()).find((x) => x.method === "POST" && x.path === `${EXT}/ring-out` && x.headers["client-id"] === clientId)!;
    expect(JSON.parse(sent.body)).toEqual({ from: { phoneNumber: RINGCENTRAL_SANDBOX_NUMBER }, to: { phoneNumber: "+79031110001" }, playPrompt: false });
    expect(sent.headers["content-type"]).toContain("application/json");
    const done = await waitFor(async () => {
      const s = await getRingOut(c, r.id);
      return s.status.callStatus !== "InProgress" ? s : null;
    }, 5000, "the RingOut to connect");
    expect(done.status).toEqual({ callStatus: "Success", callerStatus: "Success", calleeStatus: "Success" });

    // a busy callee, decided at once through the sandbox's control route
    const busy = await createRingOut(c, { from: RINGCENTRAL_SANDBOX_NUMBER, to: RINGCENTRAL_MAGIC.busy });
    await rcControl(`/__ringout/${busy.id}`, { outcome: "Busy" });
    expect((await getRingOut(c, busy.id)).status).toMatchObject({ callStatus: "Busy", calleeStatus: "Busy" });

    // a number RingCentral refuses: its error format, the parameter named
    const bad = (await rejection(createRingOut(c, { from: RINGCENTRAL_SANDBOX_NUMBER, to: RINGCENTRAL_MAGIC.invalid }))) as RingCentralError;
    expect(bad).toMatchObject({ status: 400, opts: { errorCode: "CMN-101", parameter: "to.phoneNumber" } });
    expect(bad.message).toMatch(/Parameter \[to\.phoneNumber\] value is invalid/);
    expect((await rejection(getRingOut(c, "999999"))) as RingCentralError).toMatchObject({ status: 404, opts: { errorCode: "CMN-102" } });
  });

  it("sends an SMS for the messaging service and maps RingCentral's statuses Queued → Sent → Delivered", async () => {
    const { clientId, ctx } = await ringCentralIntegration();
    const c = await ctx();
    const r = await def.messaging!.send(c, sms());
    expect(r).toMatchObject({ status: "sent", providerStatus: "Queued", providerMessageId: expect.stringMatching(/^\d+$/) });
    const req = (await rcRequests()).find((x) => x.method === "POST" && x.path === `${EXT}/sms` && x.headers["client-id"] === clientId)!;
    expect(JSON.parse(req.body)).toEqual({ from: { phoneNumber: RINGCENTRAL_SANDBOX_NUMBER }, to: [{ phoneNumber: "+79161234567" }], text: "Your driver arrives at 14:05" });
    const done = await waitFor(async () => {
      const [u] = await def.messaging!.fetchStatus!(c, [r.providerMessageId!]);
      return u?.status === "delivered" ? u : null;
    }, 5000, "delivered");
    expect(done).toMatchObject({ event: "Delivered", errorCode: null, error: null });

    const undelivered = await def.messaging!.send(c, sms({ to: RINGCENTRAL_MAGIC.smsUndelivered }));
    const failedSend = await def.messaging!.send(c, sms({ to: RINGCENTRAL_MAGIC.smsSendingFailed }));
    const finals = await waitFor(async () => {
      const us = await def.messaging!.fetchStatus!(c, [undelivered.providerMessageId!, failedSend.providerMessageId!, "1"]);
      return us.length === 2 && us.every((u) => u.status !== "sent") ? us : null;
    }, 5000, "final statuses");
    expect(finals).toEqual([
      expect.objectContaining({ providerMessageId: undelivered.providerMessageId, status: "undelivered", event: "DeliveryFailed", errorCode: "SMS-CAR-411" }),
      expect.objectContaining({ providerMessageId: failedSend.providerMessageId, status: "failed", event: "SendingFailed", errorCode: "SMS-RC-410" }),
    ]);
  });

  it("classifies SMS failures: a refused recipient is permanent, a missing sender or a server error transient", async () => {
    const { ctx } = await ringCentralIntegration();
    const c = await ctx();
    const bad = (await rejection(def.messaging!.send(c, sms({ to: RINGCENTRAL_MAGIC.invalid })))) as SendError;
    expect(bad).toMatchObject({ kind: "permanent", opts: { code: "ringcentral_CMN-101" } });
    const noSender = (await rejection(def.messaging!.send({ ...c, config: { ...c.config, fromNumber: undefined } }, sms()))) as SendError;
    expect(noSender).toMatchObject({ kind: "transient", opts: { code: "ringcentral_no_sender" } });
    await fault({ provider: "ringcentral", path: "/sms$", status: 500, times: 1 });
    expect(await rejection(def.messaging!.send(c, sms()))).toMatchObject({ kind: "transient", opts: { code: "ringcentral_CMN-201" } });
    const email = (await rejection(def.messaging!.send(c, sms({ channel: "email", to: "a@b.c" })))) as SendError;
    expect(email).toMatchObject({ kind: "permanent", opts: { code: "unsupported_channel" } });
  });

  it("reads the call log from a date, newest first, following pages until RingCentral has no next page", async () => {
    const { clientId, ctx } = await ringCentralIntegration();
    const base = Date.parse("2026-03-01T10:00:00Z");
    const records = Array.from({ length: 7 }, (_, i) => ({
      id: `rec${i}`,
      startTime: new Date(base + i * 60_000).toISOString(),
      duration: 30 + i,
      direction: i % 2 ? "Inbound" : "Outbound",
      from: { phoneNumber: "+79161234501" },
      to: { phoneNumber: "+79031110001" },
      result: "Call connected",
    }));
    await rcControl("/__calls", { clientId, records: [...records, { id: "old", startTime: "2026-02-01T00:00:00Z", direction: "Inbound" }] });
    const pages = [];
    for await (const p of callLogPages(await ctx(), { dateFrom: new Date(base), perPage: 3 })) pages.push(p);
    expect(pages.map((p) => p.records.map((r) => r.id))).toEqual([["rec6", "rec5", "rec4"], ["rec3", "rec2", "rec1"], ["rec0"]]);
    expect(pages[0].records[0]).toMatchObject({ direction: "Outbound", duration: 36, result: "Call connected", from: { phoneNumber: "+79161234501" } });
    const asked = (await rcRequests()).filter((r) => r.path === `${EXT}/call-log` && r.headers["client-id"] === clientId).reverse();
    expect(asked).toHaveLength(3);
    // the query string as sent, from our own log of the calls
    const logs = await db.integrationLog.findMany({ where: { action: "ringcentral.calllog.list" }, orderBy: { id: "asc" } });
    const url = new URL(logs.at(-3)!.url ?? "");
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ view: "Simple", dateFrom: new Date(base).toISOString(), page: "1", perPage: "3" });
    expect(new URL(logs.at(-1)!.url ?? "").searchParams.get("page")).toBe("3");
  });

  it("describes itself: OAuth with PKCE and Basic client auth, RingCentral's URLs, SMS and call capabilities", () => {
    expect(def).toMatchObject({ id: "ringcentral", category: "telephony", capabilities: ["sms.send", "calls.ringout", "calls.log"] });
    expect(def.auth).toMatchObject({
      type: "oauth2",
      grant: "authorization_code",
      pkce: true,
      clientAuth: "basic",
      authorizeUrl: { live: "https://platform.ringcentral.com/restapi/oauth/authorize", sandbox: "/ringcentral/restapi/oauth/authorize" },
      tokenUrl: { live: "https://platform.ringcentral.com/restapi/oauth/token", sandbox: "/ringcentral/restapi/oauth/token" },
      revokeUrl: { live: "https://platform.ringcentral.com/restapi/oauth/revoke", sandbox: "/ringcentral/restapi/oauth/revoke" },
    });
    expect(def.messaging?.channels).toEqual(["sms"]);
    expect(def.sync?.types.map((t) => t.id)).toEqual(["call_log"]);
    expect(def.webhook?.secretFields).toEqual(["verificationToken"]);
    expect(def.description).toContain("platform.devtest.ringcentral.com");
  });
});
