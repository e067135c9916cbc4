// The Zoom provider against its sandbox: Server-to-Server OAuth through lib/oauth (one token
// call however many API calls, one under concurrency, one forced refresh after a 401, a wrong
// secret reported once and not looped on), meetings created (scheduled and recurring), read and
// deleted with int64 ids above 2^53 kept exact, recordings (none yet = empty), 429/5xx/timeouts;
// and the webhook inbox: URL validation answered only when validly signed, forged and stale
// deliveries refused, duplicates stored once, the previous Secret Token accepted while rotating.
import { createHmac, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { decrypt, aadFor } from "@/lib/vault";
import { buildContext, testIntegration, updateIntegration } from "@/lib/integrations/service";
import { getProvider } from "@/lib/providers/registry";
import { zoomSignature } from "@/lib/providers/zoom/verify";
import * as providerRoute from "@/app/api/webhooks/[provider]/[code]/route";
import {
  createMeeting,
  deleteMeeting,
  getMeeting,
  listRecordings,
  parseJsonLossless,
  ZoomError,
  type ZoomContext,
  type ZoomMeetingRequest,
} from "@/lib/providers/zoom/client";
import { fault, sandbox, system, zoomIntegration } from "@/tests/helpers/fixtures";
import { call } from "@/tests/helpers/http";
import { startWebhookServer } from "@/tests/helpers/webhook-server";
import { waitFor } from "@/tests/helpers/wait";

const def = getProvider("zoom")!;
const jsonOf = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));

let hooks: Awaited<ReturnType<typeof startWebhookServer>>;
beforeAll(async () => {
  hooks = await startWebhookServer(); // before any integration: sandboxConnect subscribes our URL
});
afterAll(async () => {
  await hooks.close();
});

async function zoom(overrides: Parameters<typeof zoomIntegration>[0] = {}) {
  const z = await zoomIntegration(overrides);
  return { ...z, ctx: buildContext(z.row) as unknown as ZoomContext };
}

const sb = (path: string, init?: RequestInit) => fetch(`${sandbox().url}/zoom${path}`, init);
const sbPost = (path: string, body: unknown = {}) => sb(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const stats = async (clientId: string) =>
  (await (await sb(`/__oauth/stats?client_id=${encodeURIComponent(clientId)}`)).json()) as { clientCredentials: number; failed: number; tokenCalls: number };

function scheduled(over: Partial<ZoomMeetingRequest> = {}): ZoomMeetingRequest {
  return { topic: "Airport transfer briefing", type: 2, start_time: "2030-03-01T10:00:00Z", duration: 45, timezone: "Europe/Moscow", agenda: "Route and pickup", ...over };
}

async function zoomError(p: Promise<unknown>): Promise<ZoomError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(ZoomError);
  return e as ZoomError;
}

type Seen = { method: string; path: string; headers: Record<string, string>; body: string };
async function seen(filter: (s: Seen) => boolean): Promise<Seen[]> {
  const r = await (await fetch(`${sandbox().url}/__control/requests?provider=zoom`)).json();
  return (r.items as Seen[]).filter(filter).reverse();
}

describe("int64-safe JSON", () => {
  it("keeps integers beyond 2^53 as their exact text, everything else as JSON.parse does", () => {
    const text = '{"id":9007199254740993,"small":85746065432,"neg":-9223372036854775807,"f":1.5e3,"big_float":12345678901234567890.5,"s":"id \\"9007199254740993\\" 12345678901234567890","a":[18014398509481985,true,null]}';
    expect(parseJsonLossless(text)).toEqual({
      id: "9007199254740993",
      small: 85746065432,
      neg: "-9223372036854775807",
      f: 1500,
      // eslint-disable-next-line no-loss-of-precision -- the point: a number JSON cannot carry exactly
      big_float: 12345678901234567890.5,
      s: 'id "9007199254740993" 12345678901234567890',
      a: ["18014398509481985", true, null],
    });
    // what a plain JSON.parse would have made of it
    expect(String(JSON.parse(text).id)).not.toBe("9007199254740993");
    expect(() => parseJsonLossless("{bad")).toThrow();
  });
});

describe("Server-to-Server OAuth", () => {
  it("fetches the account token once (Basic auth, account_credentials) and reuses it across calls", async () => {
    const z = await zoom();
    const m = await createMeeting(z.ctx, scheduled());
    await getMeeting(z.ctx, m.id);
    await listRecordings(z.ctx, m.id);
    // a context built later (another request, another process) reads the same stored token
    await getMeeting(buildContext(z.row) as unknown as ZoomContext, m.id);
    expect(await stats(z.clientId)).toMatchObject({ clientCredentials: 1, failed: 0 });

    const tokenCall = (await seen((s) => s.path === "/zoom/oauth/token")).at(-1)!;
    expect(tokenCall.headers.authorization).toBe(`Basic ${Buffer.from(`${z.clientId}:${z.clientSecret}`).toString("base64")}`);
    expect(new URLSearchParams(tokenCall.body).get("grant_type")).toBe("account_credentials");

    const t = await db.oAuthToken.findUniqueOrThrow({ where: { integrationId: z.row.id } });
    expect(t.status).toBe("connected");
    expect(t.expiresAt!.getTime() - Date.now()).toBeGreaterThan(3500_000);
    // neither the secret nor the bearer is in the logs
    const token = decrypt(t.accessToken, aadFor.oauthAccessToken(t.id));
    const logs = jsonOf(await db.integrationLog.findMany({ where: { integrationId: z.row.id } }));
    expect(logs).toContain("zoom.meetings.create");
    expect(logs).not.toContain(z.clientSecret);
    expect(logs).not.toContain(token);
  });

  it("two concurrent calls with an expired token make one token call", async () => {
    const z = await zoom();
    const m = await createMeeting(z.ctx, scheduled());
    expect((await stats(z.clientId)).clientCredentials).toBe(1);
    await db.oAuthToken.update({ where: { integrationId: z.row.id }, data: { expiresAt: new Date(Date.now() - 60_000) } });
    const ctxs = [buildContext(z.row), buildContext(z.row)] as unknown as ZoomContext[];
    const got = await Promise.all(ctxs.map((c) => getMeeting(c, m.id)));
    expect(got.map((g) => g.id)).toEqual([m.id, m.id]);
    expect((await stats(z.clientId)).clientCredentials).toBe(2);
  });

  it("a 401 from the API (token revoked at Zoom) gets one forced new token, then the call succeeds", async () => {
    const z = await zoom();
    const m = await createMeeting(z.ctx, scheduled());
    await sbPost("/__oauth/expire-access", { clientId: z.clientId });
    const got = await getMeeting(z.ctx, m.id);
    expect(got.id).toBe(m.id);
    expect((await stats(z.clientId)).clientCredentials).toBe(2);
    const gets = await db.integrationLog.findMany({ where: { integrationId: z.row.id, action: "zoom.meetings.get" }, orderBy: { createdAt: "asc" } });
    expect(gets.map((l) => l.statusCode)).toEqual([401, 200]);

    // Zoom refusing even a fresh token is reported (code 124), after exactly one more token
    await fault({ provider: "zoom", path: "^/zoom/v2/meetings/", status: 401, times: 2 });
    const e = await zoomError(getMeeting(z.ctx, m.id));
    expect(e.opts).toMatchObject({ status: 401, code: 124, transient: false, credentials: true });
    expect(e.message).toMatch(/Invalid access token/);
    expect((await stats(z.clientId)).clientCredentials).toBe(3);
  });

  it("a wrong client secret is one clear error per call, not a retry or reconnect loop", async () => {
    const z = await zoom();
    const creates = async () => (await seen((s) => s.method === "POST" && s.path === "/zoom/v2/users/me/meetings")).length;
    const before = await creates();
    // the admin regenerated the secret at Zoom; the integration still has the old one
    await sbPost("/__oauth/clients", { clientId: z.clientId, clientSecret: randomBytes(16).toString("hex") });
    const e = await zoomError(createMeeting(z.ctx, scheduled()));
    expect(e.opts).toMatchObject({ transient: false, credentials: true, code: "invalid_client" });
    expect(e.message).toMatch(/rejected the client ID or secret/);
    expect(e.message).toMatch(/Account ID, Client ID and Client Secret/);
    expect(await stats(z.clientId)).toMatchObject({ failed: 1, clientCredentials: 0 });
    // no meeting was attempted, and the next call tries once more (the secret may have been fixed)
    expect(await creates()).toBe(before);
    await zoomError(getMeeting(z.ctx, "123456789"));
    expect((await stats(z.clientId)).failed).toBe(2);
    // S2S has no person to reconnect: nothing is marked needs_reconnect
    expect(await db.oAuthToken.findUnique({ where: { integrationId: z.row.id } })).toBeNull();
    expect((await db.integration.findUniqueOrThrow({ where: { id: z.row.id } })).status).not.toBe("inactive");
  });
});

describe("meetings", () => {
  it("creates a scheduled meeting with the config's settings, reads it back with its int64 id exact, deletes it (then 404 = already gone)", async () => {
    const z = await zoom({ config: { waitingRoom: false, autoRecording: "cloud" } });
    const m = await createMeeting(z.ctx, scheduled());
    expect(BigInt(m.id) > 2n ** 53n).toBe(true);
    // the id as the sandbox wrote it in its JSON text
    const raw = await (await sb(`/__meetings?clientId=${encodeURIComponent(z.clientId)}`)).text();
    expect(raw).toContain(`"id":${m.id},`);
    expect(m).toMatchObject({ topic: "Airport transfer briefing", type: 2, start_time: "2030-03-01T10:00:00Z", duration: 45, timezone: "Europe/Moscow", agenda: "Route and pickup" });
    expect(m.join_url).toContain(`/j/${m.id}?pwd=`);
    expect(m.start_url).toContain("zak=");
    expect(m.password).toMatch(/^\w{6}$/);

    const post = (await seen((s) => s.method === "POST" && s.path === "/zoom/v2/users/me/meetings")).at(-1)!;
    expect(JSON.parse(post.body)).toMatchObject({ type: 2, start_time: "2030-03-01T10:00:00Z", settings: { waiting_room: false, join_before_host: false, auto_recording: "cloud" } });
    expect(post.headers["content-type"]).toContain("application/json");

    const again = await getMeeting(z.ctx, m.id);
    expect(again.id).toBe(m.id);
    expect(again.uuid).toBe(m.uuid);

    expect(await deleteMeeting(z.ctx, m.id)).toEqual({ alreadyGone: false });
    expect(await deleteMeeting(z.ctx, m.id)).toEqual({ alreadyGone: true });
    const e = await zoomError(getMeeting(z.ctx, m.id));
    expect(e.opts).toMatchObject({ status: 404, code: 3001, transient: false });
    expect(e.message).toContain(`Meeting does not exist: ${m.id}.`);
  });

  it("creates a recurring meeting (type 8) with its recurrence and occurrences; Zoom's own validation errors are surfaced", async () => {
    const z = await zoom();
    const m = await createMeeting(
      z.ctx,
      scheduled({ type: 8, start_time: "2030-03-04T09:00:00Z", recurrence: { type: 2, repeat_interval: 1, weekly_days: "2,4", end_times: 6 } }),
    );
    expect(m.type).toBe(8);
    expect(m.recurrence).toMatchObject({ type: 2, repeat_interval: 1, weekly_days: "2,4", end_times: 6 });
    expect(m.occurrences).toHaveLength(6);
    // Monday and Wednesday (2 and 4), from the start on
    expect(m.occurrences!.map((o) => new Date(o.start_time).getUTCDay())).toEqual([1, 3, 1, 3, 1, 3]);
    expect(m.occurrences![0].start_time).toBe("2030-03-04T09:00:00Z");

    const byDate = await createMeeting(z.ctx, scheduled({ type: 8, recurrence: { type: 1, repeat_interval: 2, end_date_time: "2030-03-09T23:00:00Z" } }));
    expect(byDate.occurrences!.map((o) => o.start_time)).toEqual(["2030-03-01T10:00:00Z", "2030-03-03T10:00:00Z", "2030-03-05T10:00:00Z", "2030-03-07T10:00:00Z", "2030-03-09T10:00:00Z"]);

    const e = await zoomError(createMeeting(z.ctx, scheduled({ type: 8, recurrence: { type: 1, repeat_interval: 1, end_times: 61 } })));
    expect(e.opts).toMatchObject({ status: 400, code: 300, transient: false });
    expect(e.message).toMatch(/Zoom refused the request: Invalid field: recurrence\.end_times.*Zoom code 300/);
  });

  it("lists recordings: none yet is an empty answer (404 code 3301), after the meeting ends with a cloud recording the files", async () => {
    const z = await zoom();
    const m = await createMeeting(z.ctx, scheduled());
    expect(await listRecordings(z.ctx, m.id)).toBeNull();
    expect((await sbPost(`/__meetings/${m.id}/finish`, { recordings: 2 })).status).toBe(200);
    const r = await listRecordings(z.ctx, m.id);
    expect(r?.id).toBe(m.id);
    expect(r?.recording_files.map((f) => f.file_type)).toEqual(["MP4", "M4A"]);
    expect(r?.recording_files[0]).toMatchObject({ status: "completed", recording_type: "shared_screen_with_speaker_view" });
    // a meeting that does not exist is not "no recordings"
    await deleteMeeting(z.ctx, m.id);
    const e = await zoomError(listRecordings(z.ctx, m.id));
    expect(e.opts.code).toBe(3001);
  });

  it("retries reads on 5xx and 429 (Retry-After); a refused create is reported (with Retry-After) and never retried", async () => {
    const z = await zoom();
    const m = await createMeeting(z.ctx, scheduled());
    await fault({ provider: "zoom", path: `^/zoom/v2/meetings/${m.id}$`, method: "GET", status: 503 });
    expect((await getMeeting(z.ctx, m.id)).id).toBe(m.id);
    await fault({ provider: "zoom", path: `^/zoom/v2/meetings/${m.id}$`, method: "GET", status: 429, retryAfter: 1 });
    const t0 = Date.now();
    expect((await getMeeting(z.ctx, m.id)).id).toBe(m.id);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);

    const creates = async () => (await seen((s) => s.method === "POST" && s.path === "/zoom/v2/users/me/meetings")).length;
    const before = await creates();
    await fault({ provider: "zoom", path: "/meetings$", method: "POST", status: 429, retryAfter: 7 });
    const e429 = await zoomError(createMeeting(z.ctx, scheduled()));
    expect(e429.opts).toMatchObject({ status: 429, code: 429, transient: true, retryAfterSeconds: 7 });
    expect(e429.message).toMatch(/rate limiting.*retry in 7 s/);
    await fault({ provider: "zoom", path: "/meetings$", method: "POST", status: 500 });
    const e500 = await zoomError(createMeeting(z.ctx, scheduled()));
    expect(e500.opts).toMatchObject({ status: 500, transient: true });
    expect(e500.message).toMatch(/Zoom had a server error/);
    expect(await creates()).toBe(before + 2);
    // the same with no answer at all
    await fault({ provider: "zoom", path: "/meetings$", method: "POST", delayMs: 3500 });
    const eTimeout = await zoomError(createMeeting(z.ctx, scheduled()));
    expect(eTimeout.opts).toMatchObject({ code: "timeout", transient: true });
  });

  it("tests the connection: the host's account, and a warning without the webhook Secret Token", async () => {
    const z = await zoom();
    const ok = await testIntegration(z.row.id, system);
    expect(ok.ok).toBe(true);
    expect(ok.message).toMatch(/^Connected to Zoom; meetings are hosted by host\+/);
    const bare = await zoom({ credentials: { webhookSecretToken: undefined } });
    const warned = await testIntegration(bare.row.id, system);
    expect(warned).toMatchObject({ ok: true });
    expect(warned.message).toMatch(/add the webhook Secret Token/);
    expect(() => def.credentials.parse({ accountId: "short", clientId: "x", clientSecret: "y" })).toThrow();
  });
});

describe("webhooks", () => {
  const now = () => String(Math.floor(Date.now() / 1000));
  const post = (code: string, body: string, headers: Record<string, string>) =>
    call(providerRoute.POST as never, { url: `/api/webhooks/zoom/${code}`, rawBody: body, params: { provider: "zoom", code }, headers: { "content-type": "application/json", ...headers } });
  const signed = (secret: string, body: string, ts = now()) => ({ "x-zm-request-timestamp": ts, "x-zm-signature": zoomSignature(secret, ts, body) });
  const challenge = (plainToken: string) => JSON.stringify({ payload: { plainToken }, event_ts: Date.now(), event: "endpoint.url_validation" });
  const ended = (id = "9007199254740993") =>
    `{"event":"meeting.ended","payload":{"account_id":"acc","object":{"uuid":"u${randomBytes(4).toString("hex")}==","id":${id},"host_id":"h","topic":"T","type":2,"start_time":"2030-03-01T10:00:00Z","end_time":"2030-03-01T10:40:00Z","duration":45,"timezone":"UTC"}},"event_ts":${Date.now()}}`;
  const stored = (integrationId: string) => db.webhookEvent.findMany({ where: { integrationId }, orderBy: { receivedAt: "asc" } });

  it("the sandbox's subscription is validated through our endpoint when the integration is created", async () => {
    const z = await zoom();
    const sub = await (await sb(`/__webhooks?clientId=${encodeURIComponent(z.clientId)}`)).json();
    expect(sub).toMatchObject({ validated: true, lastError: null, url: `${hooks.url}/api/webhooks/zoom/${z.row.code}` });
    // the challenge was answered, not stored as an event
    expect(await stored(z.row.id)).toHaveLength(0);
  });

  it("answers endpoint.url_validation only for a validly signed, fresh request", async () => {
    const z = await zoom();
    const body = challenge("qgg8vlvZRS6UYooatFL8Aw");
    const ok = await post(z.row.code, body, signed(z.webhookSecretToken, body));
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ plainToken: "qgg8vlvZRS6UYooatFL8Aw", encryptedToken: createHmac("sha256", z.webhookSecretToken).update("qgg8vlvZRS6UYooatFL8Aw").digest("hex") });

    for (const headers of [signed("not-the-secret-token-0000", body), {}, signed(z.webhookSecretToken, body, String(Math.floor(Date.now() / 1000) - 900))]) {
      const r = await post(z.row.code, body, headers);
      expect(r.status).toBe(401);
      expect(r.json.error.code).toBe("unauthorized");
      expect(r.text).not.toContain("encryptedToken");
    }
    const rejected = await stored(z.row.id);
    expect(rejected.map((e) => e.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(rejected[2].verification).toMatch(/old/);
  });

  it("refuses forged and stale events; stores a signed one with the int64 id exact; a duplicate delivery is stored once", async () => {
    const z = await zoom();
    const body = ended();
    expect((await post(z.row.code, body, signed("forged-secret-token-1234", body))).status).toBe(401);
    expect((await post(z.row.code, body, signed(z.webhookSecretToken, body, String(Math.floor(Date.now() / 1000) - 600)))).status).toBe(401);
    const first = await post(z.row.code, body, signed(z.webhookSecretToken, body));
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ received: true, duplicate: false });
    // Zoom retries with the same body and a new timestamp
    const again = await post(z.row.code, body, signed(z.webhookSecretToken, body, String(Number(now()) + 1)));
    expect(again.json).toMatchObject({ received: true, duplicate: true, id: first.json.id });
    const rows = await stored(z.row.id);
    const accepted = rows.filter((r) => r.status !== "rejected");
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({ eventType: "meeting.ended", duplicates: 1, signatureVerified: true });
    expect((accepted[0].payload as { payload: { object: { id: unknown } } }).payload.object.id).toBe("9007199254740993");
    expect(rows.filter((r) => r.status === "rejected")).toHaveLength(2);
  });

  it("drops recording.completed's download_token and passcodes before storing; refuses bodies Zoom would never send", async () => {
    const z = await zoom();
    const body = JSON.stringify({
      event: "recording.completed",
      event_ts: Date.now(),
      download_token: "secret-download-token-abcdef",
      payload: { account_id: "a", object: { id: 1234567890, uuid: "x==", password: "rec-passcode-1", recording_play_passcode: "play-passcode-2", recording_files: [] } },
    });
    expect((await post(z.row.code, body, signed(z.webhookSecretToken, body))).status).toBe(200);
    const [e] = await stored(z.row.id);
    expect(jsonOf(e.payload)).not.toMatch(/secret-download-token|rec-passcode-1|play-passcode-2/);
    expect(e.payload).toMatchObject({ payload: { object: { id: 1234567890, uuid: "x==" } } });
    const bad = JSON.stringify({ event: "meeting.ended", event_ts: Date.now() });
    const r = await post(z.row.code, bad, signed(z.webhookSecretToken, bad));
    expect(r.status).toBe(400);
    const badChallenge = challenge("");
    expect((await post(z.row.code, badChallenge, signed(z.webhookSecretToken, badChallenge))).status).toBe(400);
  });

  it("accepts the previous Secret Token during a rotation, for events and the URL validation", async () => {
    const z = await zoom();
    const next = randomBytes(16).toString("hex");
    await updateIntegration(z.row.id, { credentials: { webhookSecretToken: next } }, system);
    // the sandbox's subscription now has the new token and was validated again
    await waitFor(async () => (await (await sb(`/__webhooks?clientId=${encodeURIComponent(z.clientId)}`)).json()).validated === true, 5000, "revalidation");
    const body = ended();
    expect((await post(z.row.code, body, signed(z.webhookSecretToken, body))).status).toBe(200);
    const body2 = ended();
    expect((await post(z.row.code, body2, signed(next, body2))).status).toBe(200);
    const c = challenge("rotation-plain-token");
    const old = await post(z.row.code, c, signed(z.webhookSecretToken, c));
    expect(old.json.encryptedToken).toBe(createHmac("sha256", z.webhookSecretToken).update("rotation-plain-token").digest("hex"));
  });
});
