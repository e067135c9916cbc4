// Calls end to end: the calls API, a real PostgreSQL, real workers (sync jobs, the webhook
// inbox, the outbox), and the RingCentral sandbox driven by the official SDK. Click-to-call
// (RingOut) from InProgress to Success and into the call log without a duplicate; roles and
// scopes; RingCentral's refusals, 429 and timeouts; the call-log sync (first from a date, then
// incremental, pages followed, numbers normalized and linked to contacts and drivers, no
// duplicates); the webhook subscription's Validation-Token handshake, Verification-Token
// checks, renewal by one worker, re-creation and deletion; SMS through RingCentral to delivered.
import { beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { pgPool } from "@/lib/pg";
import { decryptJson, aadFor } from "@/lib/vault";
import { disconnect } from "@/lib/oauth/flow";
import { updateIntegration, webhookUrl } from "@/lib/integrations/service";
import { ensureSubscription, renewRingCentralSubscriptions, type SubscriptionState } from "@/lib/telephony/maintenance";
import { RINGCENTRAL_MAGIC, RINGCENTRAL_SANDBOX_NUMBER } from "@/lib/providers/ringcentral/sandbox";
import * as calls from "@/app/api/v1/calls/route";
import * as ringout from "@/app/api/v1/calls/ringout/route";
import * as one from "@/app/api/v1/calls/[id]/route";
import * as syncRoute from "@/app/api/v1/calls/sync/route";
import * as lines from "@/app/api/v1/calls/lines/route";
import * as directory from "@/app/api/v1/calls/directory/route";
import * as smsSend from "@/app/api/v1/sms/send/route";
import { call } from "../helpers/http";
import { createKey, createUser, fault, sandbox, system } from "../helpers/fixtures";
import { rcControl, rcGet, rcRequests, ringCentralIntegration } from "../helpers/ringcentral";
import { waitFor } from "../helpers/wait";
import { snakeKeys } from "../helpers/case";
import { untilIdle } from "@/tests/helpers/quiet";
import { runWorkers } from "../helpers/workers";

runWorkers({
  webhooks: true,
  env: {
    WEBHOOK_DISPATCH_MS: "50",
    WEBHOOK_RETRY_BASE_SECONDS: "0.2",
    WEBHOOK_RETRY_MAX_SECONDS: "1",
    // a delivery report can arrive before its send is recorded (a loaded machine): retried until known
    WEBHOOK_MAX_RETRIES: "20",
    MESSAGE_DISPATCH_MS: "50",
    MESSAGE_RETRY_BASE_SECONDS: "0.1",
    MESSAGE_RETRY_MAX_SECONDS: "1",
    // delivery reports must come through the webhook here, not the poller; renewals only when a test asks
    MESSAGE_STATUS_POLL_SECONDS: "3600",
    OAUTH_MAINTENANCE_SECONDS: "3600",
    // national numbers in the call log ("8 903 …") are Russian
    MESSAGING_DEFAULT_COUNTRY: "RU",
  },
});

type User = Awaited<ReturnType<typeof createUser>>;
let dispatcher: User;
let viewer: User;
let rc: Awaited<ReturnType<typeof ringCentralIntegration>>;

beforeAll(async () => {
  dispatcher = await createUser("dispatcher");
  viewer = await createUser("viewer");
  // faster than the sandbox's defaults, still slow enough to be seen ringing
  await rcControl("/__settings", { ringoutConnectMs: 700, ringoutTalkMs: 700, smsStepMs: 100 });
  rc = await ringCentralIntegration();
});

const post = (handler: unknown, url: string, body: unknown, o: { cookie?: string; bearer?: string; headers?: Record<string, string> } = {}) =>
  call(handler as never, { method: "POST", url, body, cookie: o.cookie, bearer: o.bearer, headers: o.headers });
const get = (handler: unknown, url: string, o: { cookie?: string; bearer?: string; params?: Record<string, string> } = {}) =>
  call(handler as never, { url, cookie: o.cookie, bearer: o.bearer, params: o.params });
const getCall = (id: string, cookie = dispatcher.cookie) => get(one.GET, `/api/v1/calls/${id}`, { cookie, params: { id } });

async function jobDone(id: string) {
  return waitFor(async () => {
    const j = await db.syncJob.findUnique({ where: { id } });
    return j && ["completed", "failed", "canceled"].includes(j.status) ? j : null;
  }, 20_000, `sync job ${id}`);
}

async function syncNow(integrationId: string) {
  const res = await post(syncRoute.POST, "/api/v1/calls/sync", { integration_id: integrationId }, { cookie: dispatcher.cookie }); // alias (docs/api-compat.md)
  expect(res.status, res.text).toBe(202);
  const job = await jobDone(res.json.id);
  expect(job.status, job.error ?? "").toBe("completed");
  return job as typeof job & { details: Record<string, number | string> };
}

const ringOutPosts = async (clientId: string) =>
  (await rcRequests()).filter((r) => r.method === "POST" && r.path.endsWith("/ring-out") && r.headers["client-id"] === clientId).length;

async function subscriptionState(integrationId: string): Promise<SubscriptionState> {
  const r = await db.integration.findUniqueOrThrow({ where: { id: integrationId } });
  return (r.state as { subscription: SubscriptionState }).subscription;
}

let phoneSeq = 0;
const phone = () => `+7903555${String(1000 + ++phoneSeq).slice(-4)}`;

describe("click-to-call (RingOut)", () => {
  it("calls a driver: InProgress → Success, one row, then its call-log record fills it in after RingCentral's notification", async () => {
    const driver = await db.driver.create({ data: { name: "Olga Driver", phone: phone() } });
    const key = randomUUID();
    const res = await post(ringout.POST, "/api/v1/calls/ringout", { driver_id: driver.id }, { cookie: dispatcher.cookie, headers: { "idempotency-key": key } }); // alias (docs/api-compat.md)
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({
      source: "ringout",
      direction: "Outbound",
      callStatus: "InProgress",
      fromNumber: RINGCENTRAL_SANDBOX_NUMBER,
      fromName: dispatcher.name,
      toNumber: driver.phone,
      toName: "Olga Driver",
      driver: { id: driver.id, name: "Olga Driver" },
      integrationId: rc.row.id,
      live: true,
      ringOutId: expect.stringMatching(/^\d+$/),
    });
    const id = res.json.id as string;
    const sent = (await rcRequests()).find((r) => r.method === "POST" && r.path.endsWith("/ring-out") && r.headers["client-id"] === rc.clientId)!;
    // playPrompt on by default: RingCentral's own default, a voicemail on the dispatcher's phone is never connected
    expect(JSON.parse(sent.body)).toEqual({ from: { phoneNumber: RINGCENTRAL_SANDBOX_NUMBER }, to: { phoneNumber: driver.phone }, playPrompt: true });

    // a double click (same Idempotency-Key) rings once
    const again = await post(ringout.POST, "/api/v1/calls/ringout", { driver_id: driver.id }, { cookie: dispatcher.cookie, headers: { "idempotency-key": key } }); // alias (docs/api-compat.md)
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id, replayed: true });
    expect(await ringOutPosts(rc.clientId)).toBe(1);

    // GET asks RingCentral while it rings; connected, the call stays live until it is over
    const connected = await waitFor(async () => {
      const r = await getCall(id);
      return r.json.callStatus === "InProgress" ? null : r.json;
    }, 8000, "the call to connect");
    expect(connected).toMatchObject({ callStatus: "Success", live: true, result: null, refreshError: null });

    // the call ends: RingCentral's Disconnected notification → a sync job → the record joins the row
    const filed = await waitFor(async () => {
      const r = await db.callLog.findUnique({ where: { id } });
      return r?.result ? r : null;
    }, 20_000, "the call-log record");
    expect(filed).toMatchObject({ source: "ringout", result: "Call connected", action: "RingOut Web", driverId: driver.id, callStatus: "Success" });
    expect(filed.externalId).not.toMatch(/^(ringout|pending):/);
    expect(filed.durationSeconds).toBeGreaterThanOrEqual(1);
    expect(await db.callLog.count({ where: { toNumber: driver.phone } })).toBe(1);
    expect((await getCall(id)).json).toMatchObject({ live: false, result: "Call connected", callStatus: "Success" });
    // the sync the notification queued (the row is written a moment before the job says completed)
    const job = await waitFor(() => db.syncJob.findFirst({ where: { integrationId: rc.row.id, type: "call_log", status: "completed" } }), 10_000, "the sync job");
    expect(job).toMatchObject({ trigger: "scheduled" });
    const events = await db.webhookEvent.findMany({ where: { integrationId: rc.row.id, eventType: "telephony.sessions" } });
    expect(events.length).toBeGreaterThanOrEqual(3); // Proceeding, Answered, Disconnected
    expect(events.every((e) => e.signatureVerified)).toBe(true);

    // the list shows it once, linked to the driver
    const list = await get(calls.GET, `/api/v1/calls?driver_id=${driver.id}`, { cookie: viewer.cookie }); // alias (docs/api-compat.md)
    expect(list.status).toBe(200);
    expect(list.json.items).toEqual([expect.objectContaining({ id, result: "Call connected", driver: { id: driver.id, name: "Olga Driver" } })]);
  });

  it("lets dispatchers and calls:write keys call; viewers and read-only keys only read", async () => {
    const to = phone();
    const denied = await post(ringout.POST, "/api/v1/calls/ringout", { to }, { cookie: viewer.cookie });
    expect(denied.status).toBe(403);
    expect(denied.json.error.code).toBe("forbidden");
    expect((await get(calls.GET, "/api/v1/calls", { cookie: viewer.cookie })).status).toBe(200);
    expect((await get(lines.GET, "/api/v1/calls/lines", { cookie: viewer.cookie })).status).toBe(200);
    expect((await post(syncRoute.POST, "/api/v1/calls/sync", {}, { cookie: viewer.cookie })).status).toBe(403);

    const reader = await createKey(["calls:read"]);
    const r = await post(ringout.POST, "/api/v1/calls/ringout", { to }, { bearer: reader.key });
    expect(r.status).toBe(403);
    expect(r.json.error.message).toMatch(/calls:write/);
    expect((await get(calls.GET, "/api/v1/calls", { bearer: reader.key })).status).toBe(200);

    const writer = await createKey(["calls:write"]);
    const w = await post(ringout.POST, "/api/v1/calls/ringout", { to }, { bearer: writer.key });
    expect(w.status, w.text).toBe(201);
    expect(w.json).toMatchObject({ toNumber: to, fromName: writer.row.name });
    expect((await call(ringout.POST as never, { method: "POST", url: "/api/v1/calls/ringout", body: { to } })).status).toBe(401);
    expect(await db.callLog.count({ where: { toNumber: to } })).toBe(1);
  });

  it("validates the request: a number that is no number, an unknown driver, nothing to call", async () => {
    const bad = await post(ringout.POST, "/api/v1/calls/ringout", { to: "12345" }, { cookie: dispatcher.cookie });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details).toEqual([expect.objectContaining({ path: "to", message: "Enter the number with its country code, e.g. +7 999 123-45-67" })]);
    const noDriver = await post(ringout.POST, "/api/v1/calls/ringout", { driver_id: randomUUID() }, { cookie: dispatcher.cookie }); // alias (docs/api-compat.md)
    expect(noDriver.status).toBe(400);
    // the answer names the field by its documented (camelCase) name
    expect(noDriver.json.error.details).toEqual([{ path: "driverId", message: "No driver with this id" }]);
    const nothing = await post(ringout.POST, "/api/v1/calls/ringout", {}, { cookie: dispatcher.cookie });
    expect(nothing.status).toBe(400);
    expect(nothing.json.error.details[0].path).toBe("to");
    // a national number is read with MESSAGING_DEFAULT_COUNTRY
    const national = await post(ringout.POST, "/api/v1/calls/ringout", { to: "8 (903) 555-77-01" }, { cookie: dispatcher.cookie });
    expect(national.status, national.text).toBe(201);
    expect(national.json.toNumber).toBe("+79035557701");
  });

  it("answers RingCentral's refusals without leaving a row: a refused number (400), a 429 with Retry-After, a 5xx", async () => {
    const before = await db.callLog.count();
    const refused = await post(ringout.POST, "/api/v1/calls/ringout", { to: RINGCENTRAL_MAGIC.invalid }, { cookie: dispatcher.cookie });
    expect(refused.status).toBe(400);
    expect(refused.json.error.details).toEqual([{ path: "to", message: expect.stringMatching(/to\.phoneNumber/) }]);

    await fault({ provider: "ringcentral", path: "/ring-out$", method: "POST", status: 429, retryAfter: 40, times: 1 });
    const limited = await post(ringout.POST, "/api/v1/calls/ringout", { to: phone() }, { cookie: dispatcher.cookie });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("40");
    expect(limited.json.error).toMatchObject({ code: "rate_limited", details: { code: "CMN-301", retryAfterSeconds: 40 } });

    await fault({ provider: "ringcentral", path: "/ring-out$", method: "POST", status: 503, times: 1 });
    const down = await post(ringout.POST, "/api/v1/calls/ringout", { to: phone() }, { cookie: dispatcher.cookie });
    expect(down.status).toBe(502);
    expect(down.json.error.code).toBe("provider_error");
    expect(await db.callLog.count()).toBe(before);
  });

  it("keeps a RingOut whose answer was lost (timeout) as Unknown, and marks one RingCentral forgot as Finished", async () => {
    await fault({ provider: "ringcentral", path: "/ring-out$", method: "POST", delayMs: 3500, times: 1 });
    const to = phone();
    const lost = await post(ringout.POST, "/api/v1/calls/ringout", { to }, { cookie: dispatcher.cookie });
    expect(lost.status).toBe(502);
    expect(lost.json.error.message).toMatch(/did not answer in time.*may still ring/);
    const row = await db.callLog.findUniqueOrThrow({ where: { id: lost.json.error.details.callId } });
    expect(row).toMatchObject({ toNumber: to, callStatus: "Unknown", source: "ringout" });

    const started = await post(ringout.POST, "/api/v1/calls/ringout", { to: phone() }, { cookie: dispatcher.cookie });
    await fault({ provider: "ringcentral", path: "/ring-out/\\d+$", method: "GET", status: 404, times: 1, body: { errorCode: "CMN-102", message: "Resource for parameter [ringoutId] is not found", errors: [{ errorCode: "CMN-102", message: "Resource for parameter [ringoutId] is not found", parameterName: "ringoutId" }] } });
    const gone = await getCall(started.json.id);
    expect(gone.json).toMatchObject({ callStatus: "Finished", live: false });

    // a needs-reconnect integration is said so, not hidden behind a 502
    const other = await ringCentralIntegration();
    await rcControl("/__oauth/revoke-grants", { clientId: other.clientId });
    await rcControl("/__oauth/expire-access", { clientId: other.clientId });
    const r = await post(ringout.POST, "/api/v1/calls/ringout", { to: phone(), integration_id: other.row.id }, { cookie: dispatcher.cookie }); // alias (docs/api-compat.md)
    expect(r.status).toBe(422);
    expect(r.json.error.details).toMatchObject({ code: "needs_reconnect" });
  });
});

describe("API names: camelCase, the old snake_case names as aliases (docs/api-compat.md)", () => {
  it("takes camelCase in the RingOut body, the list's query and the sync body, and answers in camelCase", async () => {
    const driver = await db.driver.create({ data: { name: "Camel Driver", phone: phone() } });
    const res = await post(ringout.POST, "/api/v1/calls/ringout", { driverId: driver.id, integrationId: rc.row.id }, { cookie: dispatcher.cookie });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ toNumber: driver.phone, driver: { id: driver.id }, integrationId: rc.row.id });
    expect(snakeKeys(res.json)).toEqual([]);

    const contact = await db.contact.create({ data: { firstName: "Camel", lastName: "Contact", phone: phone() } });
    const byContact = await post(ringout.POST, "/api/v1/calls/ringout", { contactId: contact.id }, { cookie: dispatcher.cookie });
    expect(byContact.status, byContact.text).toBe(201);
    expect(byContact.json.contact).toMatchObject({ id: contact.id });

    const list = await get(calls.GET, `/api/v1/calls?driverId=${driver.id}&integrationId=${rc.row.id}`, { cookie: viewer.cookie });
    expect(list.status, list.text).toBe(200);
    expect(list.json.items.map((c: { id: string }) => c.id)).toEqual([res.json.id]);
    expect(snakeKeys(list.json)).toEqual([]);
    const byContactList = await get(calls.GET, `/api/v1/calls?contactId=${contact.id}`, { cookie: viewer.cookie });
    expect(byContactList.json.items.map((c: { id: string }) => c.id)).toEqual([byContact.json.id]);

    // the ringouts' call events (the sandbox's notifications) queue a call-log sync of their own:
    // once it has run, this one is not refused as "already running"
    await untilIdle({ what: "the ringouts' call events and their sync" });
    const sync = await post(syncRoute.POST, "/api/v1/calls/sync", { integrationId: rc.row.id }, { cookie: dispatcher.cookie });
    expect(sync.status, sync.text).toBe(202);
    expect(snakeKeys(sync.json)).toEqual([]);
    await jobDone(sync.json.id);
    // a field named by its camelCase name in the answer's details
    const unknownLine = await post(syncRoute.POST, "/api/v1/calls/sync", { integrationId: randomUUID() }, { cookie: dispatcher.cookie });
    expect(unknownLine.status).toBe(400);
    expect(unknownLine.json.error.details).toEqual([{ path: "integrationId", message: "Unknown RingCentral integration" }]);
  });

  it("refuses a request giving a field under both names, saying which to keep, and still names an unknown field; nothing is rung", async () => {
    const driver = await db.driver.create({ data: { name: "Twice Named", phone: phone() } });
    const before = await ringOutPosts(rc.clientId);
    const both = await post(ringout.POST, "/api/v1/calls/ringout", { driverId: driver.id, driver_id: driver.id }, { cookie: dispatcher.cookie });
    expect(both.status).toBe(400);
    expect(both.json.error.code).toBe("validation_failed");
    expect(both.json.error.details).toEqual([{ path: "driver_id", message: 'Both "driverId" and its old name "driver_id" were sent: keep "driverId" and leave out "driver_id"' }]);

    const unknown = await post(ringout.POST, "/api/v1/calls/ringout", { driverId: driver.id, driverID: driver.id }, { cookie: dispatcher.cookie });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toBe('The request body has an unknown field: "driverID"');

    const query = await get(calls.GET, `/api/v1/calls?driverId=${driver.id}&driver_id=${driver.id}`, { cookie: viewer.cookie });
    expect(query.status).toBe(400);
    expect(query.json.error.details).toEqual([{ path: "driver_id", message: expect.stringContaining('keep "driverId"') }]);
    const queryUnknown = await get(calls.GET, `/api/v1/calls?driverid=${driver.id}`, { cookie: viewer.cookie });
    expect(queryUnknown.status).toBe(400);
    expect(queryUnknown.json.error.message).toBe('The query string has an unknown field: "driverid"');

    const sync = await post(syncRoute.POST, "/api/v1/calls/sync", { integrationId: rc.row.id, integration_id: rc.row.id }, { cookie: dispatcher.cookie });
    expect(sync.status).toBe(400);
    expect(sync.json.error.details[0].path).toBe("integration_id");
    expect(await ringOutPosts(rc.clientId)).toBe(before);
    expect(await db.callLog.count({ where: { driverId: driver.id } })).toBe(0);
  });
});

describe("call-log sync", () => {
  it("reads from the configured date, follows pages, normalizes numbers, links contacts and drivers, then syncs incrementally without duplicates", async () => {
    const now = Date.now();
    const line = await ringCentralIntegration({ config: { callLogFrom: new Date(now - 10 * 86400_000).toISOString().slice(0, 10) } });
    const contact = await db.contact.create({ data: { firstName: "Anna", lastName: "Smirnova", phone: "+79161230001" } });
    const irregular = await db.contact.create({ data: { firstName: "Maria", lastName: "Ivanova", phone: "+7 916 555-01-02" } });
    const driver = await db.driver.create({ data: { name: "Pavel Driver", phone: "+79031230002" } });
    const t = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
    // 300 calls over the last five days (two pages of 250), the newest first in RingCentral's answer
    const records = Array.from({ length: 300 }, (_, i) => ({
      id: `cl-${i}`,
      startTime: t(5 * 24 * 60 - i * 20),
      duration: i % 7 === 0 ? 0 : 20 + i,
      direction: i % 2 ? "Inbound" : "Outbound",
      result: i % 7 === 0 ? "Missed" : "Call connected",
      from: { phoneNumber: i % 2 ? `+7916000${String(i).padStart(4, "0")}` : RINGCENTRAL_SANDBOX_NUMBER },
      to: { phoneNumber: i % 2 ? RINGCENTRAL_SANDBOX_NUMBER : `+7916000${String(i).padStart(4, "0")}` },
    }));
    records.push(
      { id: "cl-contact", startTime: t(200), duration: 61, direction: "Inbound", result: "Call connected", from: { phoneNumber: "+79161230001" }, to: { phoneNumber: RINGCENTRAL_SANDBOX_NUMBER } },
      { id: "cl-irregular", startTime: t(190), duration: 0, direction: "Inbound", result: "Voicemail", from: { phoneNumber: "+79165550102" }, to: { phoneNumber: RINGCENTRAL_SANDBOX_NUMBER } },
      // RingCentral's national form: normalized to E.164 with MESSAGING_DEFAULT_COUNTRY
      { id: "cl-driver", startTime: t(180), duration: 95, direction: "Outbound", result: "Call connected", from: { phoneNumber: RINGCENTRAL_SANDBOX_NUMBER }, to: { phoneNumber: "8 (903) 123-00-02" } },
      { id: "cl-internal", startTime: t(170), duration: 12, direction: "Outbound", result: "Call connected", from: { extensionNumber: "101", name: "Sandbox User" }, to: { extensionNumber: "102", name: "Reception" } } as never,
      // before the configured date: not read
      { id: "cl-old", startTime: t(20 * 24 * 60), duration: 5, direction: "Inbound", result: "Missed", from: { phoneNumber: "+79161230001" }, to: { phoneNumber: RINGCENTRAL_SANDBOX_NUMBER } },
    );
    expect((await rcControl("/__calls", { clientId: line.clientId, records })).status).toBe(201);

    const first = await syncNow(line.row.id);
    expect(first).toMatchObject({ processed: 304, created: 304, updated: 0, failed: 0 });
    expect(first.details).toMatchObject({ pages: 2, records: 304, linked: 3, unchanged: 0 });
    const rows = await db.callLog.findMany({ where: { integrationId: line.row.id } });
    expect(rows).toHaveLength(304);
    const byId = new Map(rows.map((r) => [r.externalId, r]));
    expect(byId.has("cl-old")).toBe(false);
    expect(byId.get("cl-contact")).toMatchObject({ contactId: contact.id, fromNumber: "+79161230001", direction: "Inbound", durationSeconds: 61, source: "call_log" });
    expect(byId.get("cl-irregular")).toMatchObject({ contactId: irregular.id, result: "Voicemail" });
    expect(byId.get("cl-driver")).toMatchObject({ driverId: driver.id, toNumber: "+79031230002" });
    expect(byId.get("cl-internal")).toMatchObject({ fromNumber: "ext. 101", toNumber: "ext. 102", toName: "Reception", contactId: null, driverId: null });
    const cursor = (await db.integration.findUniqueOrThrow({ where: { id: line.row.id } })).state as { callLog: { cursor: string } };
    // RingCentral's times are whole seconds
    const newest = Math.max(...records.filter((r) => r.id !== "cl-old").map((r) => Date.parse(r.startTime)));
    expect(cursor.callLog.cursor).toBe(new Date(Math.floor(newest / 1000) * 1000).toISOString());

    // RingCentral learns of two new calls and a late change to a recent one (inside the re-read
    // window: 120 minutes before the newest call synced); an older record changing is not asked for again
    const driverCall = records.find((r) => r.id === "cl-driver")!;
    await rcControl("/__calls", {
      clientId: line.clientId,
      records: [
        { id: "cl-new-1", startTime: t(2), duration: 30, direction: "Inbound", result: "Call connected", from: { phoneNumber: "+79031230002" }, to: { phoneNumber: RINGCENTRAL_SANDBOX_NUMBER } },
        { id: "cl-new-2", startTime: t(1), duration: 0, direction: "Inbound", result: "Missed", from: { phoneNumber: "+79990001122" }, to: { phoneNumber: RINGCENTRAL_SANDBOX_NUMBER } },
        { ...driverCall, result: "Accepted", duration: 999 },
        { ...records[299], result: "Accepted" },
      ],
    });
    const second = await syncNow(line.row.id);
    // the window: cl-contact, cl-irregular, cl-driver, cl-internal and the two new ones
    expect(second).toMatchObject({ processed: 6, created: 2, updated: 1, failed: 0 });
    expect(second.details).toMatchObject({ records: 6, unchanged: 3, pages: 1 });
    expect(await db.callLog.count({ where: { integrationId: line.row.id } })).toBe(306);
    expect(await db.callLog.findFirst({ where: { integrationId: line.row.id, externalId: "cl-driver" } })).toMatchObject({ result: "Accepted", durationSeconds: 999, driverId: driver.id });
    expect(await db.callLog.findFirst({ where: { integrationId: line.row.id, externalId: "cl-299" } })).toMatchObject({ result: "Call connected" });
    expect(await db.callLog.findFirst({ where: { integrationId: line.row.id, externalId: "cl-new-1" } })).toMatchObject({ driverId: driver.id });

    // reading the same window again changes nothing
    const third = await syncNow(line.row.id);
    expect(third).toMatchObject({ created: 0, updated: 0 });
    expect(Number(third.details.unchanged)).toBe(Number(third.details.records));
    const dupes = await pgPool().query(`select external_id from call_logs where integration_id = $1 group by external_id having count(*) > 1`, [line.row.id]);
    expect(dupes.rows).toEqual([]);

    // the list: filters and keyset pages
    const q = (s: string) => get(calls.GET, `/api/v1/calls?integration_id=${line.row.id}&${s}`, { cookie: viewer.cookie }); // alias (docs/api-compat.md)
    const inbound = await q("direction=Inbound&limit=200");
    expect(inbound.json.items.every((c: { direction: string }) => c.direction === "Inbound")).toBe(true);
    // alias (docs/api-compat.md)
    expect((await q(`contact_id=${contact.id}`)).json.items.map((c: { externalId: string }) => c.externalId)).toEqual(["cl-contact"]);
    expect((await q(`driver_id=${driver.id}`)).json.items.map((c: { externalId: string }) => c.externalId)).toEqual(["cl-new-1", "cl-driver"]);
    expect((await q("q=5550102")).json.items.map((c: { externalId: string }) => c.externalId)).toEqual(["cl-irregular"]);
    expect((await q("q=Smirnova")).json.items.map((c: { externalId: string }) => c.externalId)).toEqual(["cl-contact"]);
    const missed = await q("result=missed&limit=200");
    expect(missed.json.items.length).toBeGreaterThan(0);
    expect(missed.json.items.every((c: { result: string }) => c.result === "Missed")).toBe(true);
    expect(missed.json.facets.results).toEqual(expect.arrayContaining([expect.objectContaining({ result: "Call connected" }), expect.objectContaining({ result: "Missed" })]));
    const window = await q(`from=${encodeURIComponent(t(185))}&until=${encodeURIComponent(t(175))}`);
    expect(window.json.items.map((c: { externalId: string }) => c.externalId)).toEqual(["cl-driver"]);
    const seen = new Set<string>();
    let cursorParam = "";
    for (let page = 0; page < 10; page++) {
      const r = await q(`limit=120${cursorParam}`);
      for (const c of r.json.items as { id: string }[]) {
        expect(seen.has(c.id)).toBe(false);
        seen.add(c.id);
      }
      if (!r.json.nextCursor) break;
      cursorParam = `&cursor=${r.json.nextCursor}`;
    }
    expect(seen.size).toBe(306);
    expect((await get(calls.GET, "/api/v1/calls?cursor=garbage", { cookie: viewer.cookie })).status).toBe(400);
  });

  it("offers drivers and contacts with a phone number to call, by name or number", async () => {
    await db.driver.create({ data: { name: "Zoya Directory", phone: "+79037770001" } });
    await db.contact.create({ data: { firstName: "Zakhar", lastName: "Directory", phone: "+79167770002" } });
    await db.contact.create({ data: { firstName: "Zinaida", lastName: "Directory" } }); // no phone: cannot be called
    const r = await get(directory.GET, "/api/v1/calls/directory?q=directory", { cookie: viewer.cookie });
    expect(r.status).toBe(200);
    expect(r.json.drivers).toEqual([expect.objectContaining({ name: "Zoya Directory", phone: "+79037770001" })]);
    expect(r.json.contacts).toEqual([expect.objectContaining({ name: "Zakhar Directory", phone: "+79167770002" })]);
    const byNumber = await get(directory.GET, "/api/v1/calls/directory?q=777-00-02", { cookie: viewer.cookie });
    expect(byNumber.json.contacts.map((c: { name: string }) => c.name)).toEqual(["Zakhar Directory"]);
  });
});

describe("webhook subscription", () => {
  it("is created on connect after the Validation-Token handshake, answered at once and before anything is stored", async () => {
    const st = await subscriptionState(rc.row.id);
    expect(st).toMatchObject({ status: "active", id: expect.any(String), address: webhookUrl("ringcentral", rc.row.code) });
    expect(Date.parse(st.expiresAt!) - Date.now()).toBeGreaterThan(6 * 86400_000);
    const creds = decryptJson<{ verificationToken: string }>((await db.integration.findUniqueOrThrow({ where: { id: rc.row.id } })).credentials!, aadFor.integrationCredentials(rc.row.id));
    expect(creds.verificationToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const subs = (await rcGet(`/__subscriptions?clientId=${rc.clientId}`)).items;
    expect(subs).toEqual([expect.objectContaining({ id: st.id, verificationToken: creds.verificationToken, deliveryMode: expect.objectContaining({ address: st.address }) })]);
    const handshakes = (await rcGet(`/__deliveries?clientId=${rc.clientId}`)).items.filter((d: { kind: string }) => d.kind === "validation");
    expect(handshakes).toEqual([expect.objectContaining({ ok: true, status: 200 })]);
    expect(handshakes[0].ms).toBeLessThan(3000);

    // our own measure: the echo comes back well within RingCentral's 3 s, and nothing is stored
    // (counted for this integration: other tests' late notifications may land meanwhile)
    const mine = { where: { integrationId: rc.row.id } };
    const stored = await db.webhookEvent.count(mine);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const res = await fetch(st.address!, { method: "POST", headers: { "validation-token": `vt-${i}-${randomUUID()}`, "content-type": "application/json" } });
      times.push(performance.now() - t0);
      expect(res.status).toBe(200);
      expect(res.headers.get("validation-token")).toMatch(new RegExp(`^vt-${i}-`));
      expect(Number(res.headers.get("content-length") ?? "0")).toBe(0);
    }
    expect(Math.max(...times)).toBeLessThan(500);
    expect(await db.webhookEvent.count(mine)).toBe(stored);
  });

  it("rejects a notification with a forged or missing Verification-Token, stores the right one once, counts a redelivery as a duplicate", async () => {
    const st = await subscriptionState(rc.row.id);
    const forged = await rcControl("/__notify", { subscriptionId: st.id, verificationToken: "forged-token-0123456789abcdef" });
    expect(forged.json).toMatchObject({ ok: false, status: 401 });
    const missing = await rcControl("/__notify", { subscriptionId: st.id, verificationToken: null });
    expect(missing.json).toMatchObject({ ok: false, status: 401 });
    const rejected = await db.webhookEvent.findMany({ where: { integrationId: rc.row.id, status: "rejected" }, orderBy: { receivedAt: "asc" } });
    expect(rejected.map((r) => r.verification)).toEqual([
      expect.stringMatching(/Verification-Token does not match/),
      expect.stringMatching(/missing Verification-Token header/),
    ]);
    expect(JSON.stringify(rejected)).not.toContain("forged-token-0123456789abcdef");

    const uuid = randomUUID();
    const ok = await rcControl("/__notify", { subscriptionId: st.id, uuid, kind: "telephony" });
    expect(ok.json).toMatchObject({ ok: true, status: 200 });
    const again = await rcControl("/__notify", { subscriptionId: st.id, uuid, kind: "telephony" });
    expect(again.json).toMatchObject({ ok: true, status: 200 });
    const ev = await waitFor(async () => {
      const e = await db.webhookEvent.findFirst({ where: { integrationId: rc.row.id, externalId: uuid } });
      return e && e.status !== "pending" && e.status !== "processing" ? e : null;
    }, 15_000, "the notification to be processed");
    expect(ev).toMatchObject({ eventType: "telephony.sessions", status: "completed", signatureVerified: true, duplicates: 1 });
    expect(ev.headers).toMatchObject({ "verification-token": "[REDACTED]" });
  });

  it("is renewed before it expires by one worker when two run at once, and re-created when RingCentral lost it", async () => {
    const line = await ringCentralIntegration();
    const st = await subscriptionState(line.row.id);
    const renewals = () => db.integrationLog.count({ where: { integrationId: line.row.id, action: "ringcentral.subscription.renew" } });
    expect(await renewRingCentralSubscriptions()).toBe(0); // nothing due

    // twelve hours left: inside the renewal window (a day for a 7-day subscription)
    await pgPool().query(`update integrations set state = jsonb_set(state, '{subscription,expiresAt}', to_jsonb($2::text)) where id = $1`, [line.row.id, new Date(Date.now() + 12 * 3600_000).toISOString()]);
    const [a, b] = await Promise.all([renewRingCentralSubscriptions(), renewRingCentralSubscriptions()]);
    expect(a + b).toBe(1);
    expect(await renewals()).toBe(1);
    const renewed = await subscriptionState(line.row.id);
    expect(renewed).toMatchObject({ id: st.id, status: "active", renewedAt: expect.any(String), lastError: null });
    expect(Date.parse(renewed.expiresAt!) - Date.now()).toBeGreaterThan(6 * 86400_000);
    // the other keys of the state survive (the sync's cursor lives there too)
    await syncNow(line.row.id);
    await pgPool().query(`update integrations set state = jsonb_set(state, '{subscription,expiresAt}', to_jsonb($2::text)) where id = $1`, [line.row.id, new Date(Date.now() + 3600_000).toISOString()]);
    expect(await rcControl(`/__subscriptions/${st.id}/expire`)).toMatchObject({ status: 204 });
    expect(await renewRingCentralSubscriptions()).toBe(1);
    const recreated = await subscriptionState(line.row.id);
    expect(recreated.id).not.toBe(st.id);
    expect(recreated).toMatchObject({ status: "active", createdAt: expect.any(String) });
    const row = await db.integration.findUniqueOrThrow({ where: { id: line.row.id } });
    expect((row.state as { callLog?: { lastRunAt?: string } }).callLog?.lastRunAt).toEqual(expect.any(String));
    expect((await rcGet(`/__subscriptions?clientId=${line.clientId}`)).items.map((s: { id: string }) => s.id)).toContain(recreated.id);
  });

  it("records a failed creation (unreachable URL), retries it after the backoff, and is deleted at RingCentral on disconnect", async () => {
    const real = process.env.PUBLIC_BASE_URL;
    process.env.PUBLIC_BASE_URL = "http://127.0.0.1:9"; // nothing listens there: the handshake fails
    let line;
    try {
      line = await ringCentralIntegration();
    } finally {
      process.env.PUBLIC_BASE_URL = real;
    }
    expect(line.connect?.message).toMatch(/could not be subscribed to .*SUB-521/);
    const failed = await subscriptionState(line.row.id);
    expect(failed).toMatchObject({ id: null, status: "failed", failures: 1, lastError: expect.stringMatching(/SUB-521/) });
    expect(Date.parse(failed.nextAttemptAt!)).toBeGreaterThan(Date.now());
    expect(await renewRingCentralSubscriptions()).toBe(0); // not before the backoff

    await pgPool().query(`update integrations set state = jsonb_set(state, '{subscription,nextAttemptAt}', to_jsonb($2::text)) where id = $1`, [line.row.id, new Date(Date.now() - 1000).toISOString()]);
    expect(await renewRingCentralSubscriptions()).toBe(1);
    const st = await subscriptionState(line.row.id);
    expect(st).toMatchObject({ status: "active", failures: 0, lastError: null, address: webhookUrl("ringcentral", line.row.code) });
    expect(await ensureSubscription(line.row.id)).toMatchObject({ status: "active", subscriptionId: st.id });
    // asked again (a reconnect) after RingCentral dropped it: it checks, and subscribes anew
    await rcControl(`/__subscriptions/${st.id}/expire`);
    const again = await ensureSubscription(line.row.id);
    expect(again.status).toBe("created");
    expect(again.subscriptionId).not.toBe(st.id);
    // a new verification token (an admin replaced it) means a new subscription carrying it, the old one deleted
    await updateIntegration(line.row.id, { credentials: { verificationToken: "replaced-token-0123456789abcdefXYZ" } }, system);
    const replaced = await ensureSubscription(line.row.id);
    expect(replaced.status).toBe("created");
    expect((await rcGet(`/__subscriptions?clientId=${line.clientId}`)).items).toEqual([
      expect.objectContaining({ id: replaced.subscriptionId, verificationToken: "replaced-token-0123456789abcdefXYZ" }),
    ]);

    const admin = await createUser("admin");
    await disconnect(line.row.id, { actor: { type: "user", id: admin.id, label: admin.email } });
    expect((await rcGet(`/__subscriptions?clientId=${line.clientId}`)).items).toEqual([]);
    const del = await db.integrationLog.findFirst({ where: { integrationId: line.row.id, action: "ringcentral.subscription.delete" } });
    expect(del).toMatchObject({ method: "DELETE", statusCode: 204 });
  });
});

describe("SMS through RingCentral", () => {
  it("sends through the messaging service and reaches delivered from RingCentral's message-store notification", async () => {
    const sender = await createKey(["messages:send", "messages:read"]);
    const to = "+79161239901";
    const res = await post(smsSend.POST, "/api/v1/sms/send", { to, text: "Your driver is at the door", integrationId: rc.row.id }, { bearer: sender.key });
    expect(res.status, res.text).toBe(202);
    const m = await waitFor(async () => {
      const x = await db.message.findUnique({ where: { id: res.json.id } });
      return x?.status === "delivered" ? x : null;
    }, 20_000, "delivered");
    expect(m).toMatchObject({ provider: "ringcentral", integrationId: rc.row.id, providerMessageId: expect.stringMatching(/^\d+$/) });
    // RingCentral's own word for the delivery, reported by the provider
    expect(m.history).toEqual(expect.arrayContaining([expect.objectContaining({ event: "Delivered", status: "delivered", source: "provider" })]));
    const events = await waitFor(async () => {
      const e = await db.webhookEvent.findMany({ where: { integrationId: rc.row.id, eventType: "message-store", status: "completed" } });
      return e.length ? e : null;
    }, 10_000, "message-store notifications");
    expect(events.some((e) => /SMS status update/.test(JSON.stringify(e.result)))).toBe(true);
    const inbox = (await (await fetch(`${sandbox().url}/__control/inbox?provider=ringcentral`)).json()).items as { kind: string; to: string; summary: string }[];
    expect(inbox).toEqual(expect.arrayContaining([expect.objectContaining({ kind: "sms", to, summary: "Your driver is at the door" })]));

    const bad = await post(smsSend.POST, "/api/v1/sms/send", { to: RINGCENTRAL_MAGIC.smsUndelivered, text: "unreachable", integrationId: rc.row.id }, { bearer: sender.key });
    const u = await waitFor(async () => {
      const x = await db.message.findUnique({ where: { id: bad.json.id } });
      return x?.status === "undelivered" ? x : null;
    }, 20_000, "undelivered");
    expect(u).toMatchObject({ errorCode: "SMS-CAR-411" });
  });
});

describe("lines", () => {
  it("tells the dashboard which RingCentral lines exist, whether they are connected, their number, sync and subscription", async () => {
    const r = await get(lines.GET, "/api/v1/calls/lines", { cookie: viewer.cookie });
    expect(r.status).toBe(200);
    const mine = r.json.items.find((l: { id: string }) => l.id === rc.row.id);
    expect(mine).toMatchObject({ name: rc.row.name, mode: "sandbox", connected: true, needsReconnect: false, fromNumber: RINGCENTRAL_SANDBOX_NUMBER, subscription: { status: "active" } });
    expect(JSON.stringify(r.json)).not.toMatch(/clientSecret|verificationToken/);
  });
});
