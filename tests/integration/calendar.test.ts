// Google Calendar two-way sync, end to end against the sandbox through the googleapis client:
// sync jobs as the workers run them (runSyncJob), the events API as people and API keys call
// it, push notifications delivered by the sandbox to our webhook inbox, channel renewal, and
// every failure mode (410, 401, invalid_grant, 5xx/429 mid-pass with resume, forged pushes).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { buildContext, updateIntegration, webhookUrl } from "@/lib/integrations/service";
import { processWebhookEvent } from "@/lib/webhooks/process";
import { renewCalendarChannels } from "@/lib/calendar/maintenance";
import { createCalendarEvent } from "@/lib/calendar/service";
import { syncCalendar } from "@/lib/calendar/sync";
import type { SyncRun } from "@/lib/providers/types";
import type { GCalContext } from "@/lib/providers/google-calendar/client";
import { disconnect } from "@/lib/oauth/flow";
import * as eventsRoute from "@/app/api/v1/calendar/google/events/route";
import * as eventRoute from "@/app/api/v1/calendar/google/events/[id]/route";
import * as calendarsRoute from "@/app/api/v1/calendar/google/calendars/route";
import * as statusRoute from "@/app/api/v1/calendar/google/status/route";
import * as syncRoute from "@/app/api/v1/calendar/google/sync/route";
import { call } from "../helpers/http";
import { createKey, createUser, fault, sandbox, system } from "../helpers/fixtures";
import { google, googleCalendarIntegration, runSync, settled, timed } from "../helpers/calendar";
import { startWebhookServer } from "../helpers/webhook-server";
import { waitFor } from "../helpers/wait";

let hooks: Awaited<ReturnType<typeof startWebhookServer>>;
beforeAll(async () => {
  hooks = await startWebhookServer();
});
afterAll(async () => {
  await hooks.close();
});

const at = (day: number, hour = 10) => new Date(Date.UTC(2031, 5, day, hour));
const localRows = (integrationId: string) => db.calendarEvent.findMany({ where: { integrationId }, orderBy: { title: "asc" } });
const oauthControl = (path: string, body: unknown) =>
  fetch(`${sandbox().url}/google-calendar/__oauth/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
/** Google's write calls fail (events.insert / patch / delete), the control routes keep working */
const googleWritesFail = () =>
  Promise.all(["POST", "PATCH", "DELETE"].map((method) => fault({ provider: "google-calendar", path: "^/google-calendar/calendar/v3/calendars/[^/]+/events", method, status: 503, times: 50 })));
const clearFaults = () => fetch(`${sandbox().url}/__control/faults`, { method: "DELETE" });

describe("calendar sync", () => {
  it("connect queues a full sync: 2,600 events in two pages of 2,500, the token stored; the next run is one incremental call touching nothing", async () => {
    const { row, account } = await googleCalendarIntegration({}, { connect: false });
    await google.seed(account, 2600);
    const { connectOAuth } = await import("../helpers/oauth");
    await connectOAuth(row.id, { account });
    await google.resetCalls(account);
    const full = await runSync(row.id);
    expect(full).toMatchObject({ status: "completed", trigger: "api", processed: 2600, created: 2600, error: null });
    expect(full.sync).toMatchObject({ calendarId: account, mode: "full", pages: 2, listCalls: 2, resyncs: 0, syncToken: true, rowsTouched: 2600 });
    expect((await google.calls(account)).byMethod).toEqual({ "events.list": 2 });
    expect(await db.calendarEvent.count({ where: { integrationId: row.id, origin: "google", deletedAt: null } })).toBe(2600);
    const sync = await db.calendarSync.findUniqueOrThrow({ where: { integrationId_calendarId: { integrationId: row.id, calendarId: account } } });
    expect(sync.syncToken).toBeTruthy();
    expect(sync.lastFullSyncAt).not.toBeNull();
    // pulled rows are in sync: nothing waits to be pushed back
    expect(await db.$queryRaw<{ n: number }[]>`select count(*)::int as n from calendar_events where integration_id = ${row.id}::uuid and local_version <> synced_version`).toEqual([{ n: 0 }]);

    await google.resetCalls(account);
    const inc = await runSync(row.id);
    expect(inc.sync).toMatchObject({ mode: "incremental", listCalls: 1, rowsTouched: 0, pushed: { inserted: 0, patched: 0, deleted: 0, failed: 0 } });
    expect((await google.calls(account)).total).toBe(1);
    // the job is on the Jobs page with its provider calls
    expect(await db.integrationLog.count({ where: { relatedType: "sync_job", relatedId: inc.id, action: "google-calendar.events.list" } })).toBe(1);
  }, 60_000);

  it("changes on both sides in one run: Google's are pulled, ours pushed, and nothing echoes back", async () => {
    const dispatcher = await createUser("dispatcher");
    const { row, account } = await googleCalendarIntegration({}, { connect: false });
    const [a, b, c, d] = await Promise.all(["A", "B", "C", "D"].map((t, i) => google.create(account, timed(`Event ${t}`, at(1 + i)))));
    const { connectOAuth } = await import("../helpers/oauth");
    await connectOAuth(row.id, { account });
    await runSync(row.id);
    const rowOf = async (gid: string) => db.calendarEvent.findFirstOrThrow({ where: { integrationId: row.id, googleEventId: gid } });
    const rowC = await rowOf(c.id);
    const rowD = await rowOf(d.id);

    // in Google: E created, A changed, B deleted
    const e = await google.create(account, timed("Event E", at(9)));
    await google.patch(account, a.id, { summary: "Event A (moved in Google)", start: { dateTime: at(20).toISOString() }, end: { dateTime: at(20, 11).toISOString() } });
    await google.remove(account, b.id);

    // here, while Google refuses writes: L created, C changed, D deleted (all left pending)
    await googleWritesFail();
    const created = await call(eventsRoute.POST, { url: "/x", cookie: dispatcher.cookie, body: { integrationId: row.id, title: "Event L", start: at(12).toISOString(), end: at(12, 11).toISOString() } });
    expect(created.status).toBe(201);
    expect(created.json.sync).toMatchObject({ state: "error", inGoogle: false, error: expect.stringMatching(/503/) });
    const changed = await call(eventRoute.PATCH, { url: "/x", cookie: dispatcher.cookie, params: { id: rowC.id }, body: { title: "Event C (renamed here)" } });
    expect(changed.status).toBe(200);
    expect(changed.json.sync.state).toBe("error");
    const deleted = await call(eventRoute.DELETE, { url: "/x", cookie: dispatcher.cookie, params: { id: rowD.id } });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toMatchObject({ status: "cancelled", sync: { state: "error" } });
    await clearFaults();

    await google.resetCalls(account);
    const run = await runSync(row.id);
    expect(run.status).toBe("completed");
    expect(run.sync).toMatchObject({
      mode: "incremental",
      pulled: { created: 1, updated: 1, deleted: 1, conflictsKeptLocal: 0 },
      pushed: { inserted: 1, patched: 1, deleted: 1, failed: 0 },
    });
    const calls = (await google.calls(account)).byMethod;
    expect(calls).toMatchObject({ "events.list": 1, "events.insert": 1, "events.patch": 1, "events.delete": 1 });

    // Google now holds both sides' changes
    const live = Object.fromEntries((await google.events(account)).map((x) => [x.summary, x]));
    expect(Object.keys(live).sort()).toEqual(["Event A (moved in Google)", "Event C (renamed here)", "Event E", "Event L"]);
    expect((await google.event(account, d.id)).status).toBe("cancelled");
    // and so do we
    const rows = await localRows(row.id);
    const alive = rows.filter((r) => !r.deletedAt).map((r) => r.title);
    expect(alive).toEqual(["Event A (moved in Google)", "Event C (renamed here)", "Event E", "Event L"]);
    expect(rows.find((r) => r.googleEventId === a.id)!.startsAt.toISOString()).toBe(at(20).toISOString());
    expect(rows.find((r) => r.googleEventId === b.id)!.deletedAt).not.toBeNull();
    expect(rows.find((r) => r.googleEventId === e.id)!.origin).toBe("google");
    for (const r of rows) expect([r.localVersion - r.syncedVersion, r.syncError]).toEqual([0, null]);

    // the next run sees our three writes come back from Google: recognised, not applied, not pushed again
    const before = Object.fromEntries(rows.map((r) => [r.id, r.localVersion]));
    await google.resetCalls(account);
    const echo = await runSync(row.id);
    expect(echo.sync).toMatchObject({ rowsTouched: 0, pulled: { unchanged: 3, created: 0, updated: 0, deleted: 0 }, pushed: { inserted: 0, patched: 0, deleted: 0 } });
    expect((await google.calls(account)).byMethod).toEqual({ "events.list": 1 });
    expect(Object.fromEntries((await localRows(row.id)).map((r) => [r.id, r.localVersion]))).toEqual(before);
  });

  it("an event changed on both sides: the newer change wins", async () => {
    const { row, account } = await googleCalendarIntegration();
    const g = await google.create(account, timed("Contested", at(3)));
    await runSync(row.id);
    const local = await db.calendarEvent.findFirstOrThrow({ where: { integrationId: row.id, googleEventId: g.id } });
    // Google first, then us (while Google refuses writes): ours is newer and is pushed over Google's
    await google.patch(account, g.id, { summary: "Changed in Google" });
    await new Promise((r) => setTimeout(r, 20)); // a real clock: the newer change must carry a later timestamp (the sync compares them)
    await googleWritesFail();
    await updateLocal(local.id, { title: "Changed here, later" });
    await clearFaults();
    const run = await runSync(row.id);
    expect(run.sync).toMatchObject({ pulled: { conflictsKeptLocal: 1, updated: 0 }, pushed: { patched: 1 } });
    expect((await google.event(account, g.id)).summary).toBe("Changed here, later");

    // us first (left pending), then Google: Google's is newer and replaces ours
    await googleWritesFail();
    await updateLocal(local.id, { title: "Changed here first" });
    await clearFaults();
    await new Promise((r) => setTimeout(r, 20)); // a real clock: the newer change must carry a later timestamp (the sync compares them)
    await google.patch(account, g.id, { summary: "Changed in Google, later" });
    const second = await runSync(row.id);
    expect(second.sync).toMatchObject({ pulled: { updated: 1, conflictsKeptLocal: 0 }, pushed: { patched: 0 } });
    const after = await db.calendarEvent.findUniqueOrThrow({ where: { id: local.id } });
    expect(after).toMatchObject({ title: "Changed in Google, later", syncError: null });
    expect(after.localVersion).toBe(after.syncedVersion);
    expect((await google.event(account, g.id)).summary).toBe("Changed in Google, later");
  });

  it("410 Gone: the token is wiped, a full resync follows (counted), and events deleted meanwhile are found", async () => {
    const { row, account } = await googleCalendarIntegration();
    const seeded = await google.seed(account, 30);
    await runSync(row.id);
    await google.remove(account, seeded.ids[0]);
    await google.patch(account, seeded.ids[1], { summary: "Renamed before the 410" });
    await google.create(account, timed("Made before the 410", at(5)));
    await google.invalidateSyncTokens(account);
    await google.resetCalls(account);
    const run = await runSync(row.id);
    expect(run.status).toBe("completed");
    expect(run.sync).toMatchObject({ mode: "full", resyncs: 1, syncToken: true, listCalls: 2, pulled: { created: 1, updated: 1, deleted: 1 }, rowsTouched: 3 });
    // the 410 answer, then one full page
    expect((await google.calls(account)).byMethod).toEqual({ "events.list": 2 });
    const sync = await db.calendarSync.findUniqueOrThrow({ where: { integrationId_calendarId: { integrationId: row.id, calendarId: account } } });
    expect(sync.resyncs).toBe(1);
    const gone = await db.calendarEvent.findFirstOrThrow({ where: { integrationId: row.id, googleEventId: seeded.ids[0] } });
    expect(gone).toMatchObject({ status: "cancelled" });
    expect(gone.deletedAt).not.toBeNull();
    expect(await db.calendarEvent.count({ where: { integrationId: row.id, deletedAt: null } })).toBe(30);
    // and incremental again afterwards
    expect((await runSync(row.id)).sync).toMatchObject({ mode: "incremental", listCalls: 1, resyncs: 0 });
  });

  it("a 5xx on a later page fails the job with the reason; the next run resumes from that page", async () => {
    const { row, account } = await googleCalendarIntegration({}, { connect: false });
    await google.seed(account, 2600);
    const { connectOAuth } = await import("../helpers/oauth");
    await connectOAuth(row.id, { account });
    // page 2 fails three times: the first try and gaxios' two retries
    await google.failPages(account, 503, 3);
    const failed = await runSync(row.id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/^Full sync stopped at page 2: Google Calendar had a server error \(HTTP 503, backendError\) on events\.list: The service is currently unavailable\. The next run resumes from this page\.$/);
    expect(await db.calendarEvent.count({ where: { integrationId: row.id } })).toBe(2500);
    const integ = await db.integration.findUniqueOrThrow({ where: { id: row.id } });
    expect(integ.status).toBe("error");
    expect(integ.state).toMatchObject({ calendarResume: { page: 2, mode: "full" } });

    await google.resetCalls(account);
    const resumed = await runSync(row.id);
    expect(resumed.status).toBe("completed");
    expect(resumed.sync).toMatchObject({ resumed: true, listCalls: 1, pulled: { created: 100 }, syncToken: true });
    expect((await google.calls(account)).byMethod).toEqual({ "events.list": 1 });
    expect(await db.calendarEvent.count({ where: { integrationId: row.id } })).toBe(2600);
    const after = await db.integration.findUniqueOrThrow({ where: { id: row.id } });
    expect(after.status).toBe("active");
    expect((after.state as Record<string, unknown>).calendarResume).toBeNull();
  }, 60_000);

  it("a 429 with a long Retry-After fails the job at once with Google's reason; the next run succeeds", async () => {
    const { row, account } = await googleCalendarIntegration();
    await runSync(row.id);
    await google.create(account, timed("After the rate limit", at(7)));
    await fault({ provider: "google-calendar", path: "/calendar/v3/calendars/[^/]+/events$", method: "GET", status: 429, retryAfter: 120, times: 1 });
    const failed = await runSync(row.id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/Incremental sync stopped at page 1: Google Calendar is rate limiting this account \(429, rateLimitExceeded\) on events\.list: retry in 120 s/);
    const ok = await runSync(row.id);
    expect(ok.sync).toMatchObject({ pulled: { created: 1 } });
  });

  it("a 401 from the API: one forced token refresh, then the sync succeeds", async () => {
    const { row, account, clientId } = await googleCalendarIntegration();
    await runSync(row.id);
    await google.create(account, timed("Seen after the refresh", at(8)));
    await oauthControl("expire-access", { clientId });
    const run = await runSync(row.id);
    expect(run.status).toBe("completed");
    expect(run.sync.pulled.created).toBe(1);
    const stats = (await (await fetch(`${sandbox().url}/google-calendar/__oauth/stats?client_id=${encodeURIComponent(clientId)}`)).json()) as { refresh: number };
    expect(stats.refresh).toBe(1);
    const attempts = await db.integrationLog.findMany({ where: { relatedType: "sync_job", relatedId: run.id, action: "google-calendar.events.list" }, orderBy: { id: "asc" } });
    expect(attempts.map((x) => x.statusCode)).toEqual([401, 200]);
  });

  it("invalid_grant: the sync fails saying the account must be reconnected, writes stay pending with that reason, the page shows it", async () => {
    const viewer = await createUser("viewer");
    const { row, account, clientId } = await googleCalendarIntegration();
    await runSync(row.id);
    await oauthControl("revoke-grants", { clientId });
    await db.oAuthToken.update({ where: { integrationId: row.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const run = await runSync(row.id);
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/refused the saved authorization \(invalid_grant.*Connect Google Calendar again/);
    expect((await db.oAuthToken.findUniqueOrThrow({ where: { integrationId: row.id } })).status).toBe("needs_reconnect");

    const ev = await createCalendarEvent({ integrationId: row.id, title: "While disconnected", start: at(10).toISOString() }, system);
    expect(ev.sync).toMatchObject({ state: "error", inGoogle: false, error: expect.stringMatching(/^Not sent: .*Connect Google Calendar again/) });
    expect(await google.events(account)).toEqual([]);

    const status = await call(statusRoute.GET, { url: "/x", cookie: viewer.cookie });
    const mine = status.json.items.find((i: { id: string }) => i.id === row.id);
    expect(mine).toMatchObject({ connection: "needs_reconnect", connectionError: expect.stringMatching(/invalid_grant/), events: { pending: 1, failing: 1 }, lastJob: { status: "failed" } });
  });

  it("direction is respected: to_google never pulls, from_google never pushes and refuses writes", async () => {
    const admin = await createUser("admin");
    const out = await googleCalendarIntegration({ direction: "to_google" });
    await google.create(out.account, timed("Only in Google", at(2)));
    const ev = await createCalendarEvent({ integrationId: out.row.id, title: "From the CRM", start: at(3).toISOString() }, system);
    expect(ev.sync.state).toBe("synced");
    await google.resetCalls(out.account);
    const run = await runSync(out.row.id);
    expect(run.sync).toMatchObject({ mode: "push_only", listCalls: 0 });
    expect(await db.calendarEvent.count({ where: { integrationId: out.row.id } })).toBe(1);
    expect((await google.calls(out.account)).byMethod["events.list"]).toBeUndefined();

    const inn = await googleCalendarIntegration({ direction: "from_google" });
    await google.create(inn.account, timed("Comes in", at(2)));
    const pulled = await runSync(inn.row.id);
    expect(pulled.sync.pulled.created).toBe(1);
    const refused = await call(eventsRoute.POST, { url: "/x", cookie: admin.cookie, body: { integrationId: inn.row.id, title: "Refused", start: at(4).toISOString() } });
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toMatch(/only syncs from Google/);
    const local = await db.calendarEvent.findFirstOrThrow({ where: { integrationId: inn.row.id } });
    expect((await call(eventRoute.PATCH, { url: "/x", cookie: admin.cookie, params: { id: local.id }, body: { title: "No" } })).status).toBe(409);
  });
});

async function updateLocal(id: string, body: Record<string, unknown>) {
  const { updateCalendarEvent } = await import("@/lib/calendar/service");
  return updateCalendarEvent(id, body, system);
}

describe("push notifications", () => {
  it("the sandbox's notification reaches the inbox, is verified by channel and token, and queues one incremental sync", async () => {
    const { row, account } = await googleCalendarIntegration({ frequency: "realtime" });
    const channel = await db.calendarChannel.findFirstOrThrow({ where: { integrationId: row.id, stoppedAt: null } });
    expect(channel).toMatchObject({ calendarId: account, resourceId: expect.any(String) });
    expect(channel.token).not.toMatch(/^[A-Za-z0-9_-]{43}$/); // a vault envelope, not the token
    expect((await google.channels(account))[0]).toMatchObject({ id: channel.id, address: webhookUrl("google-calendar", row.code), stopped: false });
    // connecting set the schedule: realtime keeps an hourly safety sync
    expect(await db.integration.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ autoSync: true, syncIntervalMinutes: 60 });
    await runSync(row.id);

    // the "sync" message: stored, acknowledged, ignored
    const syncMsg = await waitFor(() => db.webhookEvent.findFirst({ where: { integrationId: row.id, eventType: "sync" } }));
    expect(syncMsg).toMatchObject({ status: "pending", externalId: `${channel.id}:1`, signatureVerified: true });
    expect(await processWebhookEvent(syncMsg.id)).toBe("ignored");
    expect(await db.syncJob.count({ where: { integrationId: row.id, status: "queued" } })).toBe(0);

    // a person adds an event in Google: "exists" → a sync job → the event is here
    await google.create(account, timed("Booked in Google", at(11)));
    const exists = await waitFor(() => db.webhookEvent.findFirst({ where: { integrationId: row.id, eventType: "exists" } }));
    expect(exists.externalId).toBe(`${channel.id}:2`);
    expect(await processWebhookEvent(exists.id)).toBe("completed");
    const queued = await db.syncJob.findFirstOrThrow({ where: { integrationId: row.id, status: "queued" } });
    expect(queued).toMatchObject({ type: "events", trigger: "api" });
    expect((await db.calendarChannel.findUniqueOrThrow({ where: { id: channel.id } })).lastMessageAt).not.toBeNull();

    // another change while that job waits: no second job
    await google.create(account, timed("Booked again", at(12)));
    const third = await waitFor(() => db.webhookEvent.findFirst({ where: { integrationId: row.id, externalId: `${channel.id}:3` } }));
    expect(await processWebhookEvent(third.id)).toBe("completed");
    expect((await db.webhookEvent.findUniqueOrThrow({ where: { id: third.id } })).result).toMatchObject({ note: expect.stringMatching(/already queued/) });
    expect(await db.syncJob.count({ where: { integrationId: row.id, status: "queued" } })).toBe(1);

    const run = await runSync(row.id);
    expect(run.id).toBe(queued.id);
    expect(run.sync.pulled.created).toBe(2);
    expect((await localRows(row.id)).map((r) => r.title)).toEqual(["Booked again", "Booked in Google"]);

    // a redelivery of message 2 is a duplicate: acknowledged, not stored again
    const { decrypt, aadFor } = await import("@/lib/vault");
    const stored = exists.headers as Record<string, string>;
    expect(stored["x-goog-channel-token"]).toBe("[REDACTED]");
    const replay = await fetch(webhookUrl("google-calendar", row.code), {
      method: "POST",
      headers: {
        ...Object.fromEntries(Object.entries(stored).filter(([k]) => k.startsWith("x-goog-"))),
        "x-goog-channel-token": decrypt(channel.token, aadFor.calendarChannelToken(channel.id)),
      },
    });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ duplicate: true });
    expect(await db.webhookEvent.count({ where: { integrationId: row.id, eventType: "exists" } })).toBe(2);
  });

  it("a notification that arrives while a sync runs is picked up by one more pass of the same run", async () => {
    const { row, account } = await googleCalendarIntegration({ frequency: "realtime" });
    await runSync(row.id);
    const channel = await db.calendarChannel.findFirstOrThrow({ where: { integrationId: row.id, stoppedAt: null } });
    await google.create(account, timed("Before the run", at(3)));
    let told = false;
    // the run's first page is done when Google changes the calendar again and says so (as the
    // webhook handler records it; its own sync request found this one running)
    const run: SyncRun = {
      jobId: "test",
      type: "events",
      async progress() {
        if (told) return;
        told = true;
        await google.create(account, timed("During the run", at(4)));
        await db.calendarChannel.update({ where: { id: channel.id }, data: { lastMessageAt: new Date() } });
      },
      canceled: async () => false,
    };
    const ctx = buildContext(await db.integration.findUniqueOrThrow({ where: { id: row.id } })) as GCalContext;
    const d = await syncCalendar(ctx, run);
    expect(d).toMatchObject({ passes: 2, listCalls: 2, pulled: { created: 2 } });
    expect((await localRows(row.id)).map((r) => r.title)).toEqual(["Before the run", "During the run"]);
  });

  it("a notification no sync has followed (it came as the last one finished) gets one from the maintenance tick", async () => {
    const { row } = await googleCalendarIntegration({ frequency: "realtime" });
    await runSync(row.id);
    const channel = await db.calendarChannel.findFirstOrThrow({ where: { integrationId: row.id, stoppedAt: null } });
    await renewCalendarChannels();
    expect(await db.syncJob.count({ where: { integrationId: row.id, status: "queued" } })).toBe(0);
    await db.calendarChannel.update({ where: { id: channel.id }, data: { lastMessageAt: new Date() } });
    await renewCalendarChannels();
    expect(await db.syncJob.findFirstOrThrow({ where: { integrationId: row.id, status: "queued" } })).toMatchObject({ type: "events", trigger: "scheduled" });
    // and only one, however often the tick comes
    await renewCalendarChannels();
    expect(await db.syncJob.count({ where: { integrationId: row.id, status: "queued" } })).toBe(1);
  });

  it("forged notifications are refused: a wrong token, an unknown channel, no token; nothing is queued", async () => {
    const { row, account } = await googleCalendarIntegration({ frequency: "realtime" });
    await runSync(row.id);
    const channel = await db.calendarChannel.findFirstOrThrow({ where: { integrationId: row.id, stoppedAt: null } });
    const url = webhookUrl("google-calendar", row.code);
    const headers = (over: Record<string, string>) => ({
      "x-goog-channel-id": channel.id,
      "x-goog-resource-id": channel.resourceId!,
      "x-goog-resource-state": "exists",
      "x-goog-message-number": "99",
      "x-goog-resource-uri": `https://www.googleapis.com/calendar/v3/calendars/${account}/events`,
      ...over,
    });
    const wrong = await fetch(url, { method: "POST", headers: headers({ "x-goog-channel-token": "a-forged-token-of-the-right-shape-000000000" }) });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.message).toMatch(/unknown channel or wrong channel token/);
    const unknown = await fetch(url, { method: "POST", headers: headers({ "x-goog-channel-id": crypto.randomUUID(), "x-goog-channel-token": "whatever" }) });
    expect(unknown.status).toBe(401);
    const none = await fetch(url, { method: "POST", headers: headers({}) });
    expect(none.status).toBe(401);
    expect((await none.json()).error.message).toMatch(/missing X-Goog-Channel-Token/);
    const rejected = await db.webhookEvent.findMany({ where: { integrationId: row.id, status: "rejected" } });
    expect(rejected).toHaveLength(3);
    expect(await db.syncJob.count({ where: { integrationId: row.id, status: "queued" } })).toBe(0);
  });

  it("channels are renewed before they expire (new one first, old one stopped), stopped when realtime is switched off and on disconnect", async () => {
    const { row, account, admin } = await googleCalendarIntegration({ frequency: "realtime" });
    const first = await db.calendarChannel.findFirstOrThrow({ where: { integrationId: row.id, stoppedAt: null } });
    // nothing to do while it has days left
    await renewCalendarChannels();
    expect(await db.calendarChannel.count({ where: { integrationId: row.id } })).toBe(1);

    await db.calendarChannel.update({ where: { id: first.id }, data: { expiresAt: new Date(Date.now() + 3600_000) } });
    expect(await renewCalendarChannels()).toBeGreaterThanOrEqual(1);
    const open = await db.calendarChannel.findMany({ where: { integrationId: row.id, stoppedAt: null } });
    expect(open).toHaveLength(1);
    expect(open[0].id).not.toBe(first.id);
    expect(open[0].expiresAt.getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600_000);
    expect((await db.calendarChannel.findUniqueOrThrow({ where: { id: first.id } })).stoppedAt).not.toBeNull();
    const atGoogle = Object.fromEntries((await google.channels(account)).map((c) => [c.id, c.stopped]));
    expect(atGoogle).toEqual({ [first.id]: true, [open[0].id]: false });

    // two workers at once still leave one channel
    await db.calendarChannel.update({ where: { id: open[0].id }, data: { expiresAt: new Date(Date.now() + 3600_000) } });
    await Promise.all([renewCalendarChannels(), renewCalendarChannels()]);
    expect(await db.calendarChannel.count({ where: { integrationId: row.id, stoppedAt: null } })).toBe(1);

    // hourly: no channel
    await updateIntegration(row.id, { config: { frequency: "hourly" } }, system);
    await renewCalendarChannels();
    expect(await db.calendarChannel.count({ where: { integrationId: row.id, stoppedAt: null } })).toBe(0);
    expect((await google.channels(account)).every((c) => c.stopped)).toBe(true);

    // realtime again, then disconnect: stopped at Google before the grant is revoked
    await updateIntegration(row.id, { config: { frequency: "realtime" } }, system);
    await renewCalendarChannels();
    const reopened = await db.calendarChannel.findFirstOrThrow({ where: { integrationId: row.id, stoppedAt: null } });
    await disconnect(row.id, { actor: { type: "user", id: admin!.id } });
    expect((await db.calendarChannel.findUniqueOrThrow({ where: { id: reopened.id } })).stoppedAt).not.toBeNull();
    expect((await google.channels(account)).find((c) => c.id === reopened.id)?.stopped).toBe(true);
  });
});

describe("events API", () => {
  it("creates an event for an application (prefilled), with attendees and reminders, straight into Google", async () => {
    const dispatcher = await createUser("dispatcher");
    const { row, account } = await googleCalendarIntegration();
    const contact = await db.contact.create({ data: { firstName: "Irina", lastName: "K", phone: "+79991234567" } });
    const app = await db.application.create({
      data: { number: `A-${Date.now()}`, pickupAddress: "Sheremetyevo, terminal B", dropoffAddress: "Tverskaya 1", pickupAt: at(15, 9), passengers: 2, contactId: contact.id },
    });
    const r = await call(eventsRoute.POST, {
      url: "/x",
      cookie: dispatcher.cookie,
      body: {
        applicationId: app.id,
        integrationId: row.id,
        timeZone: "Europe/Moscow",
        attendees: [{ email: "Driver@Example.test", name: "Olga Driver" }],
        reminders: { useDefault: false, overrides: [{ method: "popup", minutes: 30 }, { method: "email", minutes: 1440 }] },
      },
    });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({
      title: `Transfer ${app.number}`,
      start: at(15, 9).toISOString(),
      end: at(15, 10).toISOString(),
      location: "Sheremetyevo, terminal B",
      application: { id: app.id, number: app.number },
      attendees: [{ email: "driver@example.test", name: "Olga Driver" }],
      sync: { state: "synced", inGoogle: true, error: null },
      origin: "crm",
    });
    expect(r.json.description).toMatch(/Sheremetyevo, terminal B → Tverskaya 1\nPassengers: 2\nCustomer: Irina K, \+79991234567/);
    const g = await google.event(account, r.json.googleEventId);
    expect(g).toMatchObject({
      summary: `Transfer ${app.number}`,
      start: { dateTime: at(15, 9).toISOString(), timeZone: "Europe/Moscow" },
      attendees: [{ email: "driver@example.test", displayName: "Olga Driver" }],
      reminders: { useDefault: false, overrides: [{ method: "popup", minutes: 30 }, { method: "email", minutes: 1440 }] },
    });
    // the application's events
    const list = await call(eventsRoute.GET, { url: `/x?application_id=${app.id}`, cookie: dispatcher.cookie }); // alias (docs/api-compat.md)
    expect(list.json.items.map((i: { id: string }) => i.id)).toEqual([r.json.id]);
  });

  it("all-day events, Idempotency-Key, change and delete through the API reach Google", async () => {
    const admin = await createUser("admin");
    const { row, account } = await googleCalendarIntegration();
    const body = { integrationId: row.id, title: "Fleet inspection", allDay: true, startDate: "2031-07-01", endDate: "2031-07-03" };
    const first = await call(eventsRoute.POST, { url: "/x", cookie: admin.cookie, headers: { "idempotency-key": "inspection-1" }, body });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ allDay: true, startDate: "2031-07-01", endDate: "2031-07-03" });
    const again = await call(eventsRoute.POST, { url: "/x", cookie: admin.cookie, headers: { "idempotency-key": "inspection-1" }, body });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: first.json.id, replayed: true });
    expect(await db.calendarEvent.count({ where: { integrationId: row.id } })).toBe(1);
    expect(await google.event(account, first.json.googleEventId)).toMatchObject({ start: { date: "2031-07-01" }, end: { date: "2031-07-03" } });
    // every key stands for a valid event id the API takes back
    for (const key of ["k-1", "k-2", "k-3", "k-4", "k-5", "k-6"]) {
      const made = await call(eventsRoute.POST, { url: "/x", cookie: admin.cookie, headers: { "idempotency-key": key }, body: { ...body, title: key } });
      expect((await call(eventRoute.GET, { url: "/x", cookie: admin.cookie, params: { id: made.json.id } })).json.title).toBe(key);
    }

    const moved = await call(eventRoute.PATCH, { url: "/x", cookie: admin.cookie, params: { id: first.json.id }, body: { startDate: "2031-07-02", endDate: "2031-07-04", description: "Bring the logbooks" } });
    expect(moved.status).toBe(200);
    expect(moved.json).toMatchObject({ startDate: "2031-07-02", description: "Bring the logbooks", sync: { state: "synced" } });
    expect(await google.event(account, first.json.googleEventId)).toMatchObject({ start: { date: "2031-07-02" }, description: "Bring the logbooks" });

    const got = await call(eventRoute.GET, { url: "/x", cookie: admin.cookie, params: { id: first.json.id } });
    expect(got.json.id).toBe(first.json.id);
    const del = await call(eventRoute.DELETE, { url: "/x", cookie: admin.cookie, params: { id: first.json.id } });
    expect(del.json).toMatchObject({ status: "cancelled", deletedAt: expect.any(String), sync: { state: "synced" } });
    expect((await google.event(account, first.json.googleEventId)).status).toBe("cancelled");
    const hidden = await call(eventsRoute.GET, { url: `/x?integrationId=${row.id}`, cookie: admin.cookie });
    expect(hidden.json.items.map((i: { title: string }) => i.title)).not.toContain("Fleet inspection");
    const shown = await call(eventsRoute.GET, { url: `/x?integrationId=${row.id}&includeDeleted=true`, cookie: admin.cookie });
    expect(shown.json.items.map((i: { title: string }) => i.title)).toContain("Fleet inspection");
    // a deleted event cannot be changed
    expect((await call(eventRoute.PATCH, { url: "/x", cookie: admin.cookie, params: { id: first.json.id }, body: { title: "x" } })).status).toBe(409);
  });

  it("validates input and enforces roles and scopes", async () => {
    const viewer = await createUser("viewer");
    const dispatcher = await createUser("dispatcher");
    const { row } = await googleCalendarIntegration();
    const bad = await call(eventsRoute.POST, { url: "/x", cookie: dispatcher.cookie, body: { integrationId: row.id, title: "Backwards", start: at(5, 12).toISOString(), end: at(5, 11).toISOString() } });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: "validation_failed", details: [{ path: "end" }] });
    const noTitle = await call(eventsRoute.POST, { url: "/x", cookie: dispatcher.cookie, body: { integrationId: row.id, start: at(5).toISOString() } });
    expect(noTitle.json.error.details).toEqual([{ path: "title", message: "Give the event a title" }]);
    const badReminders = await call(eventsRoute.POST, {
      url: "/x",
      cookie: dispatcher.cookie,
      body: { integrationId: row.id, title: "R", start: at(5).toISOString(), reminders: { useDefault: true, overrides: [{ method: "sms", minutes: 5 }] }, attendees: [{ email: "not-an-email" }] },
    });
    expect(badReminders.status).toBe(400);
    expect(badReminders.json.error.details.map((d: { path: string }) => d.path).sort()).toEqual(["attendees.0.email", "reminders.overrides.0.method"]);
    const noOffset = await call(eventsRoute.POST, { url: "/x", cookie: dispatcher.cookie, body: { integrationId: row.id, title: "T", start: "2031-06-05T10:00:00" } });
    expect(noOffset.status).toBe(400);

    expect((await call(eventsRoute.GET, { url: "/x", cookie: viewer.cookie })).status).toBe(200);
    expect((await call(eventsRoute.POST, { url: "/x", cookie: viewer.cookie, body: { integrationId: row.id, title: "No", start: at(5).toISOString() } })).status).toBe(403);
    expect((await call(syncRoute.POST, { url: "/x", cookie: viewer.cookie, body: { integrationId: row.id } })).status).toBe(403);

    const reader = await createKey(["calendar:read"]);
    const writer = await createKey(["calendar:write"]);
    expect((await call(eventsRoute.GET, { url: "/x", bearer: reader.key })).status).toBe(200);
    expect((await call(eventsRoute.POST, { url: "/x", bearer: reader.key, body: { integrationId: row.id, title: "No", start: at(5).toISOString() } })).status).toBe(403);
    const made = await call(eventsRoute.POST, { url: "/x", bearer: writer.key, body: { integrationId: row.id, title: "By the CRM", start: at(5).toISOString() } });
    expect(made.status).toBe(201);
    expect(await db.auditLog.count({ where: { action: "calendar.event.create", entityId: made.json.id, actorType: "api_key" } })).toBe(1);
    expect((await call(eventsRoute.GET, { url: "/x" })).status).toBe(401);
    expect((await call(eventRoute.GET, { url: "/x", cookie: viewer.cookie, params: { id: "nope" } })).status).toBe(400);
    expect((await call(eventRoute.GET, { url: "/x", cookie: viewer.cookie, params: { id: crypto.randomUUID() } })).status).toBe(404);
  });

  it("lists the account's calendars, shows the sync state, and starts a sync (once at a time)", async () => {
    const dispatcher = await createUser("dispatcher");
    const { row, account } = await googleCalendarIntegration();
    const cals = await call(calendarsRoute.GET, { url: `/x?integration_id=${row.id}`, cookie: dispatcher.cookie }); // alias (docs/api-compat.md)
    expect(cals.status).toBe(200);
    expect(cals.json.items).toEqual([{ id: account, summary: account, primary: true, timeZone: "UTC", accessRole: "owner", selected: true }]);
    expect((await call(calendarsRoute.GET, { url: "/x", cookie: dispatcher.cookie })).status).toBe(400);

    // connecting queued the first sync: a second one is refused while it waits
    const busy = await call(syncRoute.POST, { url: "/x", cookie: dispatcher.cookie, body: { integrationId: row.id } });
    expect(busy.status).toBe(409);
    await runSync(row.id);
    const started = await call(syncRoute.POST, { url: "/x", cookie: dispatcher.cookie, body: { integrationId: row.id } });
    expect(started.status).toBe(202);
    expect(started.json).toMatchObject({ status: "queued", type: "events", trigger: "manual" });
    await runSync(row.id);
    await settled(row.id);

    const status = await call(statusRoute.GET, { url: "/x", cookie: dispatcher.cookie });
    expect(status.json.items.find((i: { id: string }) => i.id === row.id)).toMatchObject({
      connection: "connected",
      account,
      calendarId: account,
      direction: "bidirectional",
      frequency: "hourly",
      sync: { syncToken: true, resyncs: 0, lastSyncAt: expect.any(String) },
      channel: null,
      schedule: { autoSync: true, syncIntervalMinutes: 60 },
      lastJob: { status: "completed", trigger: "manual" },
    });
  });

  it("with several calendar integrations the caller must say which; with none it says so", async () => {
    await googleCalendarIntegration();
    await googleCalendarIntegration();
    const err = await createCalendarEvent({ title: "Where?", start: at(6).toISOString() }, system).catch((e) => e);
    expect(err).toMatchObject({ status: 400, details: [{ path: "integrationId" }] });
  });
});
