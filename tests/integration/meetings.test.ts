// Zoom meetings through the HTTP API (/api/v1/meetings) against the Zoom sandbox: roles and
// scopes, validation, the start URL and passcode encrypted and never shown to viewers,
// recurring meetings, refresh and delete (404 at Zoom = already gone), recordings, calendar
// events getting (and losing) the join URL, Idempotency-Key, Zoom's failures in the error
// shape; and Zoom's signed events over real HTTP updating the meeting row (started, ended,
// recording.completed, deleted), a duplicate processed once, an older event not moving the
// status back.
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { decrypt, aadFor } from "@/lib/vault";
import { buildContext } from "@/lib/integrations/service";
import { processWebhookEvent } from "@/lib/webhooks/process";
import { zoomSignature } from "@/lib/providers/zoom/verify";
import { deleteMeeting as zoomDelete, type ZoomContext } from "@/lib/providers/zoom/client";
import * as listRoute from "@/app/api/v1/meetings/route";
import * as oneRoute from "@/app/api/v1/meetings/[id]/route";
import * as recordingsRoute from "@/app/api/v1/meetings/[id]/recordings/route";
import * as providerRoute from "@/app/api/webhooks/[provider]/[code]/route";
import { createCalendarEvent } from "@/lib/calendar/service";
import { call } from "../helpers/http";
import { google, googleCalendarIntegration } from "../helpers/calendar";
import { createKey, createUser, fault, sandbox, zoomIntegration } from "../helpers/fixtures";
import { startWebhookServer } from "../helpers/webhook-server";
import { waitFor } from "../helpers/wait";
import { snakeKeys } from "../helpers/case";

let hooks: Awaited<ReturnType<typeof startWebhookServer>>;
let zoom: Awaited<ReturnType<typeof zoomIntegration>>;
let admin: Awaited<ReturnType<typeof createUser>>;
let dispatcher: Awaited<ReturnType<typeof createUser>>;
let viewer: Awaited<ReturnType<typeof createUser>>;

beforeAll(async () => {
  hooks = await startWebhookServer();
  zoom = await zoomIntegration();
  [admin, dispatcher, viewer] = await Promise.all([createUser("admin"), createUser("dispatcher"), createUser("viewer")]);
});
afterAll(async () => {
  await hooks.close();
});

const sb = (path: string, init?: RequestInit) => fetch(`${sandbox().url}/zoom${path}`, init);
const sbPost = (path: string, body: unknown = {}) => sb(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const zoomCreates = async () =>
  ((await (await fetch(`${sandbox().url}/__control/requests?provider=zoom`)).json()).items as { method: string; path: string }[]).filter(
    (s) => s.method === "POST" && s.path === "/zoom/v2/users/me/meetings",
  ).length;

type Auth = { cookie?: string; bearer?: string };
const create = (body: Record<string, unknown>, who: Auth = { cookie: dispatcher.cookie }, headers: Record<string, string> = {}) =>
  call(listRoute.POST as never, { url: "/api/v1/meetings", body, headers, ...who });
const list = (query = "", who: Auth = { cookie: viewer.cookie }) => call(listRoute.GET as never, { url: `/api/v1/meetings${query}`, ...who });
const get = (id: string, query = "", who: Auth = { cookie: viewer.cookie }) => call(oneRoute.GET as never, { url: `/api/v1/meetings/${id}${query}`, params: { id }, ...who });
const remove = (id: string, who: Auth = { cookie: dispatcher.cookie }) => call(oneRoute.DELETE as never, { method: "DELETE", url: `/api/v1/meetings/${id}`, params: { id }, ...who });
const recordings = (id: string, query = "") => call(recordingsRoute.GET as never, { url: `/api/v1/meetings/${id}/recordings${query}`, params: { id }, cookie: viewer.cookie });

// the snake_case names in these bodies are aliases (docs/api-compat.md); meetingCamel below sends the documented names
const meeting = (over: Record<string, unknown> = {}) => ({
  topic: `Transfer briefing ${randomBytes(3).toString("hex")}`,
  start_time: "2030-05-04T09:30:00+03:00",
  duration: 40,
  timezone: "Europe/Moscow",
  agenda: "Pickup at SVO terminal B",
  integration_id: zoom.row.id,
  ...over,
});

/** a connected Google Calendar integration (its own sandbox account) and an event in it, made by the calendar service */
async function calendarSetup() {
  const cal = await googleCalendarIntegration();
  const event = await createCalendarEvent(
    { integrationId: cal.row.id, title: "Kick-off", description: "Bring the route plan", start: "2030-05-04T06:30:00Z", end: "2030-05-04T07:10:00Z" },
    { actor: { type: "system", label: "test" } },
  );
  return { integration: cal.row, account: cal.account, event };
}

describe("creating and reading", () => {
  it("creates a meeting (201): int64 id as text, start URL and passcode encrypted; hosts see them, viewers never", async () => {
    const r = await create(meeting());
    expect(r.status).toBe(201);
    const m = r.json;
    expect(m).toMatchObject({ provider: "zoom", status: "scheduled", type: 2, recurring: false, durationMinutes: 40, timeZone: "Europe/Moscow", startsAt: "2030-05-04T06:30:00.000Z", endsAt: "2030-05-04T07:10:00.000Z" });
    expect(typeof m.zoomMeetingId).toBe("string");
    expect(BigInt(m.zoomMeetingId) > 2n ** 53n).toBe(true);
    expect(m.joinUrl).toContain(`/zoom/j/${m.zoomMeetingId}?pwd=`);
    expect(m.startUrl).toContain("zak=");
    expect(m.password).toMatchObject({ set: true, masked: "••••••" });
    expect(m.password.value).toMatch(/^\w{6}$/);

    const row = await db.meeting.findUniqueOrThrow({ where: { id: m.id } });
    expect(row.startUrl).not.toContain("zak");
    expect(row.password).not.toContain(m.password.value);
    expect(decrypt(row.startUrl!, aadFor.meetingStartUrl(row.id))).toBe(m.startUrl);
    expect(decrypt(row.password!, aadFor.meetingPassword(row.id))).toBe(m.password.value);

    // a viewer: the meeting, its join link, never the start URL or the passcode
    const zak = new URL(m.startUrl).searchParams.get("zak")!;
    for (const res of [await list(), await get(m.id), await get(m.id, "?refresh=1")]) {
      expect(res.status).toBe(200);
      expect(res.text).not.toContain(zak);
      expect(res.text).not.toContain(`"value":"${m.password.value}"`);
      expect(res.text).not.toContain("startUrl");
    }
    const viewed = (await list()).json.items.find((x: { id: string }) => x.id === m.id);
    expect(viewed).toMatchObject({ topic: m.topic, joinUrl: m.joinUrl, password: { set: true, masked: "••••••" }, recordingsCount: 0 });
    // a host reading it gets the start URL and the passcode; lists never carry them
    expect((await get(m.id, "", { cookie: admin.cookie })).json).toMatchObject({ startUrl: m.startUrl, password: { value: m.password.value } });
    const hostList = await list("", { cookie: admin.cookie });
    expect(hostList.text).not.toContain(zak);
    expect(hostList.json.items.find((x: { id: string }) => x.id === m.id).password.value).toBeUndefined();

    const audit = await db.auditLog.findFirst({ where: { action: "meeting.create", entityId: m.id } });
    expect(audit?.changes).toMatchObject({ zoomMeetingId: m.zoomMeetingId, integration: zoom.row.code });
    expect(JSON.stringify(audit?.changes)).not.toContain(zak);
  });

  it("roles and scopes: viewers and calendar:read keys read only; calendar:write keys create", async () => {
    expect((await create(meeting(), { cookie: viewer.cookie })).status).toBe(403);
    const reader = await createKey(["calendar:read"]);
    expect((await create(meeting(), { bearer: reader.key })).status).toBe(403);
    expect((await list("", { bearer: reader.key })).status).toBe(200);
    const writer = await createKey(["calendar:write"]);
    const made = await create(meeting(), { bearer: writer.key });
    expect(made.status).toBe(201);
    expect(made.json.startUrl).toBeDefined();
    expect((await list("", {})).status).toBe(401);
    expect((await get(made.json.id, "", { bearer: reader.key })).json.startUrl).toBeUndefined();
  });

  it("validates the body in the project's error shape, before anything reaches Zoom", async () => {
    const before = await zoomCreates();
    const cases: [Record<string, unknown>, string][] = [
      [{ topic: "" }, "topic"],
      [{ timezone: "Mars/Olympus" }, "timezone"],
      // the bodies send the old names: alias (docs/api-compat.md); the details name each field by
      // its documented (camelCase) name, whichever name was sent
      [{ start_time: "tomorrow" }, "startTime"],
      [{ duration: 0 }, "duration"],
      [{ recurrence: { type: "weekly", end_times: 3 } }, "recurrence.weeklyDays"],
      [{ recurrence: { type: "daily", end_times: 3, end_date_time: "2030-06-01T00:00:00Z" } }, "recurrence.endTimes"],
      [{ recurrence: { type: "daily", repeat_interval: 100, end_times: 3 } }, "recurrence.repeatInterval"],
      [{ recurrence: { type: "monthly", end_times: 3 } }, "recurrence.monthlyDay"],
      [{ calendar_event_id: randomUUID(), add_to_calendar: { integration_id: randomUUID() } }, "addToCalendar"],
    ];
    for (const [over, path] of cases) {
      const r = await create(meeting(over));
      expect(r.status, path).toBe(400);
      expect(r.json.error.code).toBe("validation_failed");
      expect(r.json.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const unknownIntegration = await create(meeting({ integration_id: randomUUID() })); // alias (docs/api-compat.md)
    expect(unknownIntegration.json.error.details).toEqual([{ path: "integrationId", message: "Unknown Zoom integration" }]);
    const unknownApp = await create(meeting({ application_id: randomUUID() })); // alias (docs/api-compat.md)
    expect(unknownApp.json.error.details).toEqual([{ path: "applicationId", message: "No such application" }]);
    const unknownEvent = await create(meeting({ calendar_event_id: randomUUID() })); // alias (docs/api-compat.md)
    expect(unknownEvent.status).toBe(400);
    expect(await zoomCreates()).toBe(before);
  });

  it("creates a recurring meeting (type 8): its rule, occurrences and next occurrence", async () => {
    const r = await create(meeting({ start_time: "2030-05-06T09:00:00Z", recurrence: { type: "weekly", weekly_days: [4, 2], end_times: 6 } })); // alias (docs/api-compat.md)
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({
      type: 8,
      recurring: true,
      occurrences: 6,
      nextOccurrenceAt: "2030-05-06T09:00:00Z",
      // the answer is camelCase (Zoom's rule renamed)
      recurrence: { type: 2, repeatInterval: 1, weeklyDays: "2,4", endTimes: 6 },
    });
    const monthly = await create(meeting({ recurrence: { type: 3, monthly_week: -1, monthly_week_day: 6, end_date_time: "2030-12-31T00:00:00Z" } })); // alias (docs/api-compat.md)
    expect(monthly.status).toBe(201);
    expect(monthly.json.recurrence).toMatchObject({ type: 3, monthlyWeek: -1, monthlyWeekDay: 6, endDateTime: "2030-12-31T00:00:00Z" });
    expect(monthly.json.occurrences).toBeGreaterThan(1);
  });

  it("Idempotency-Key: a retried create gives the first meeting (one Zoom meeting); another request with the key is a 422", async () => {
    const key = randomUUID();
    const body = meeting();
    const before = await zoomCreates();
    const [a, b] = await Promise.all([create(body, undefined, { "Idempotency-Key": key }), create(body, undefined, { "Idempotency-Key": key })]);
    const statuses = [a.status, b.status].sort();
    // the second waits for nothing: it is either refused while the first runs, or replays it
    expect([[200, 201], [201, 409]]).toContainEqual(statuses);
    const first = a.status === 201 ? a : b;
    const again = await create(body, undefined, { "Idempotency-Key": key });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: first.json.id, replayed: true });
    expect(await zoomCreates()).toBe(before + 1);
    const other = await create({ ...body, topic: "Something else" }, undefined, { "Idempotency-Key": key });
    // lib/idempotency.ts: the same key for another request is a 422 (IETF draft; it was a 409)
    expect(other.status).toBe(422);
  });
});

describe("refresh, delete and recordings", () => {
  it("refresh=1 asks Zoom; a meeting deleted at Zoom becomes deleted", async () => {
    const m = (await create(meeting())).json;
    const fresh = await get(m.id, "?refresh=1", { cookie: dispatcher.cookie });
    expect(fresh.json).toMatchObject({ id: m.id, status: "scheduled", zoomMeetingId: m.zoomMeetingId });
    expect(fresh.json.startUrl).toContain("zak=");
    await zoomDelete(buildContext(zoom.row) as unknown as ZoomContext, m.zoomMeetingId);
    const gone = await get(m.id, "?refresh=1");
    expect(gone.json).toMatchObject({ status: "deleted" });
    expect(gone.json.note).toMatch(/no longer has this meeting/);
  });

  it("deletes at Zoom (then hidden from the list); a meeting already gone at Zoom (404) is treated as deleted, and says so", async () => {
    const m = (await create(meeting())).json;
    const r = await remove(m.id);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: "deleted", note: "Deleted at Zoom" });
    expect((await list()).json.items.map((x: { id: string }) => x.id)).not.toContain(m.id);
    expect((await list("?include_deleted=1")).json.items.map((x: { id: string }) => x.id)).toContain(m.id); // alias (docs/api-compat.md)
    expect((await remove(m.id)).json.note).toBe("The meeting was already deleted");

    const other = (await create(meeting())).json;
    await zoomDelete(buildContext(zoom.row) as unknown as ZoomContext, other.zoomMeetingId);
    const r2 = await remove(other.id);
    expect(r2.status).toBe(200);
    expect(r2.json.status).toBe("deleted");
    expect(r2.json.note).toMatch(/already gone there/);
    expect((await remove(randomUUID())).status).toBe(404);
    expect((await remove(m.id, { cookie: viewer.cookie })).status).toBe(403);
  });

  it("recordings: none yet is an empty list; after the meeting ends with a cloud recording, its files (and the count on the meeting)", async () => {
    const m = (await create(meeting())).json;
    const none = await recordings(m.id);
    expect(none.status).toBe(200);
    expect(none.json).toMatchObject({ meetingId: m.id, zoomMeetingId: m.zoomMeetingId, items: [], count: 0 });
    expect((await sbPost(`/__meetings/${m.zoomMeetingId}/finish`, { recordings: 3 })).status).toBe(200);
    const some = await recordings(m.id);
    expect(some.json.count).toBe(3);
    expect(some.json.items.map((f: { fileType: string }) => f.fileType)).toEqual(["MP4", "M4A", "TRANSCRIPT"]);
    expect(some.json.items[0]).toMatchObject({ status: "completed", recordingType: "shared_screen_with_speaker_view" });
    expect((await get(m.id)).json.recordingsCount).toBe(3);
    // stored: readable without asking Zoom
    await fault({ provider: "zoom", path: "/recordings$", status: 500, times: 5 });
    expect((await recordings(m.id, "?refresh=0")).json.count).toBe(3);
    const failed = await recordings(m.id);
    expect(failed.status).toBe(502);
    expect(failed.json.error).toMatchObject({ code: "provider_error", details: { provider: "zoom", status: 500, retryable: true } });
  });
});

describe("Zoom's failures", () => {
  it("a 429 is a 502 with Retry-After; a 5xx a 502; credentials Zoom refuses a 422 that says what to fix", async () => {
    await fault({ provider: "zoom", path: "/meetings$", method: "POST", status: 429, retryAfter: 7 });
    const r429 = await create(meeting());
    expect(r429.status).toBe(502);
    expect(r429.headers.get("retry-after")).toBe("7");
    expect(r429.json.error).toMatchObject({ code: "provider_error", details: { zoomCode: 429, status: 429, retryable: true, retryAfterSeconds: 7 } });

    await fault({ provider: "zoom", path: "/meetings$", method: "POST", status: 503 });
    const r5 = await create(meeting());
    expect(r5.status).toBe(502);
    expect(r5.json.error.message).toMatch(/Zoom had a server error/);

    const bad = await zoomIntegration();
    await sbPost("/__oauth/clients", { clientId: bad.clientId, clientSecret: randomBytes(16).toString("hex") });
    const r = await create(meeting({ integration_id: bad.row.id })); // alias (docs/api-compat.md)
    expect(r.status).toBe(422);
    expect(r.json.error).toMatchObject({ code: "unprocessable", details: { reason: "credentials", zoomCode: "invalid_client" } });
    expect(r.json.error.message).toMatch(/Client Secret/);
    expect(r.text).not.toContain(bad.clientSecret);
    expect(await db.meeting.count({ where: { integrationId: bad.row.id } })).toBe(0);
  });
});

describe("calendar events", () => {
  const meetingIdText = (id: string) => `${id.slice(0, 3)} ${id.slice(3).match(/.{1,4}/g)!.join(" ")}`;

  it("attaches to an existing event (join URL in location and description, pushed to Google); a second meeting for it is a 409; deleting the meeting takes it out", async () => {
    const { event, account } = await calendarSetup();
    const r = await create(meeting({ calendar_event_id: event.id })); // alias (docs/api-compat.md)
    expect(r.status).toBe(201);
    expect(r.json.calendar).toEqual({ ok: true, eventId: event.id, created: false });
    expect(r.json.calendarEventId).toBe(event.id);
    const block = `Join Zoom meeting: ${r.json.joinUrl}\nMeeting ID: ${meetingIdText(r.json.zoomMeetingId)}`;
    const ev = await db.calendarEvent.findUniqueOrThrow({ where: { id: event.id } });
    expect(ev).toMatchObject({ location: r.json.joinUrl, meetingId: r.json.id, description: `Bring the route plan\n\n${block}` });
    // pushed: Google has this version, with the link
    expect(ev.localVersion).toBe(2);
    expect(ev.syncedVersion).toBe(2);
    const inGoogle = await google.event(account, ev.googleEventId!);
    expect(inGoogle).toMatchObject({ location: r.json.joinUrl, description: `Bring the route plan\n\n${block}` });
    expect(JSON.stringify(inGoogle)).not.toContain(r.json.password.value);

    const before = await zoomCreates();
    const dup = await create(meeting({ calendar_event_id: event.id })); // alias (docs/api-compat.md)
    expect(dup.status).toBe(409);
    expect(await zoomCreates()).toBe(before);

    const del = await remove(r.json.id);
    expect(del.json.calendarError).toBeUndefined();
    const after = await db.calendarEvent.findUniqueOrThrow({ where: { id: event.id } });
    expect(after).toMatchObject({ description: "Bring the route plan", location: null, meetingId: null, localVersion: 3, syncedVersion: 3 });
    expect((await google.event(account, ev.googleEventId!)).description).toBe("Bring the route plan");
    // the event is free again
    expect((await create(meeting({ calendar_event_id: event.id }))).status).toBe(201); // alias (docs/api-compat.md)
  });

  it("add_to_calendar makes a new event in the integration's calendar, in Google at once; a recurring meeting's event gets its RRULE", async () => {
    const { integration, account } = await calendarSetup();
    const r = await create(meeting({ add_to_calendar: { integration_id: integration.id } })); // alias (docs/api-compat.md)
    expect(r.status).toBe(201);
    expect(r.json.calendar).toMatchObject({ ok: true, created: true });
    const ev = await db.calendarEvent.findUniqueOrThrow({ where: { id: r.json.calendar.eventId } });
    expect(ev).toMatchObject({
      integrationId: integration.id,
      calendarId: account,
      title: r.json.topic,
      location: r.json.joinUrl,
      startsAt: new Date("2030-05-04T06:30:00Z"),
      endsAt: new Date("2030-05-04T07:10:00Z"),
      timeZone: "Europe/Moscow",
      origin: "crm",
      meetingId: r.json.id,
    });
    expect(ev.description).toMatch(/^Pickup at SVO terminal B\n\nJoin Zoom meeting: /);
    expect(ev.syncedVersion).toBe(ev.localVersion);
    expect((await google.event(account, ev.googleEventId!)).location).toBe(r.json.joinUrl);

    const weekly = await create(meeting({ start_time: "2030-05-06T09:00:00Z", recurrence: { type: "weekly", weekly_days: [2, 4], end_times: 4 }, add_to_calendar: { integration_id: integration.id } })); // alias (docs/api-compat.md)
    expect(weekly.json.calendar).toMatchObject({ ok: true, created: true });
    const wev = await db.calendarEvent.findUniqueOrThrow({ where: { id: weekly.json.calendar.eventId } });
    expect(wev.recurrence).toEqual(["RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4"]);
    // sent with the event at once
    expect(wev.syncedVersion).toBe(wev.localVersion);
    expect(((await google.event(account, wev.googleEventId!)) as { recurrence?: string[] }).recurrence).toEqual(["RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4"]);

    const notCalendar = await create(meeting({ add_to_calendar: { integration_id: zoom.row.id } })); // alias (docs/api-compat.md)
    expect(notCalendar.status).toBe(400);
    expect(notCalendar.json.error.details[0].path).toBe("addToCalendar.integrationId");
    // a calendar that only syncs from Google: refused before Zoom makes anything
    const readOnly = await googleCalendarIntegration({ direction: "from_google" });
    const before = await zoomCreates();
    const refused = await create(meeting({ add_to_calendar: { integration_id: readOnly.row.id } })); // alias (docs/api-compat.md)
    expect(refused.status).toBe(409);
    expect(await zoomCreates()).toBe(before);
  });
});

describe("Zoom's events", () => {
  const deliveries = async () =>
    ((await (await sb(`/__deliveries?clientId=${encodeURIComponent(zoom.clientId)}`)).json()).items as { id: string; event: string; body: string; ok: boolean; status: number }[]);
  const stored = (type: string) => db.webhookEvent.findMany({ where: { integrationId: zoom.row.id, eventType: type }, orderBy: { receivedAt: "asc" } });
  async function processAll() {
    const pending = await db.webhookEvent.findMany({ where: { integrationId: zoom.row.id, status: "pending" }, orderBy: { receivedAt: "asc" } });
    const out = [];
    for (const e of pending) out.push({ type: e.eventType, outcome: await processWebhookEvent(e.id) });
    return out;
  }

  it("meeting.started, meeting.ended and recording.completed update the row; a duplicate is processed once; an older event does not move the status back", async () => {
    await processAll();
    const m = (await create(meeting())).json;
    const bodyOf = async (event: string) => (await deliveries()).find((d) => d.event === event && d.body.includes(m.zoomMeetingId))!;

    await sbPost(`/__meetings/${m.zoomMeetingId}/start`);
    expect((await bodyOf("meeting.started")).ok).toBe(true);
    expect(await processAll()).toEqual([{ type: "meeting.started", outcome: "completed" }]);
    const started = (await get(m.id)).json;
    expect(started.status).toBe("started");
    expect(started.lastStartedAt).toBeTruthy();

    await sbPost(`/__meetings/${m.zoomMeetingId}/finish`, { recordings: 2 });
    expect(await processAll()).toEqual([
      { type: "meeting.ended", outcome: "completed" },
      { type: "recording.completed", outcome: "completed" },
    ]);
    const ended = (await get(m.id)).json;
    expect(ended).toMatchObject({ status: "ended", recordingsCount: 2 });
    expect(ended.lastEndedAt).toBeTruthy();

    // Zoom delivers meeting.ended again: stored once, nothing more to process
    const endedDelivery = await bodyOf("meeting.ended");
    const re = await (await sbPost(`/__deliveries/${endedDelivery.id}/redeliver`)).json();
    expect(re).toMatchObject({ ok: true, status: 200 });
    const rows = (await stored("meeting.ended")).filter((e) => (e.payload as { payload: { object: { id: string } } }).payload.object.id === m.zoomMeetingId);
    expect(rows).toHaveLength(1);
    expect(rows[0].duplicates).toBe(1);
    expect(await processAll()).toEqual([]);

    // a meeting.started older than the ended one arrives late: the row stays ended
    const late = JSON.parse((await bodyOf("meeting.started")).body.replace(/"id":(\d+)/, '"id":"$1"'));
    late.event_ts = Date.now() - 3600_000;
    late.payload.object.uuid = "late-delivery==";
    const text = JSON.stringify(late).replace(/"id":"(\d+)"/, '"id":$1');
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await call(providerRoute.POST as never, {
      url: `/api/webhooks/zoom/${zoom.row.code}`,
      rawBody: text,
      params: { provider: "zoom", code: zoom.row.code },
      headers: { "content-type": "application/json", "x-zm-request-timestamp": ts, "x-zm-signature": zoomSignature(zoom.webhookSecretToken, ts, text) },
    });
    expect(res.status).toBe(200);
    expect(await processAll()).toEqual([{ type: "meeting.started", outcome: "completed" }]);
    expect((await get(m.id)).json.status).toBe("ended");
    const note = (await db.webhookEvent.findUniqueOrThrow({ where: { id: res.json.id } })).result as { note: string };
    expect(note.note).toMatch(/older event/);
  });

  it("meeting.deleted from Zoom marks the meeting deleted and takes its link out of the calendar event; events about meetings we did not create are ignored", async () => {
    await processAll();
    const { event, account } = await calendarSetup();
    const m = (await create(meeting({ calendar_event_id: event.id }))).json; // alias (docs/api-compat.md)
    expect((await db.calendarEvent.findUniqueOrThrow({ where: { id: event.id } })).description).toContain(m.joinUrl);
    // deleted by someone in Zoom's own web portal
    await zoomDelete(buildContext(zoom.row) as unknown as ZoomContext, m.zoomMeetingId);
    await waitFor(async () => (await stored("meeting.deleted")).some((e) => e.status === "pending"), 5000, "meeting.deleted");
    expect(await processAll()).toEqual([{ type: "meeting.deleted", outcome: "completed" }]);
    expect((await get(m.id)).json.status).toBe("deleted");
    const ev = await db.calendarEvent.findUniqueOrThrow({ where: { id: event.id } });
    expect(ev).toMatchObject({ description: "Bring the route plan", location: null, meetingId: null });
    expect((await google.event(account, ev.googleEventId!)).description).toBe("Bring the route plan");

    const text = `{"event":"meeting.started","payload":{"account_id":"x","object":{"id":85746065432,"uuid":"other==","topic":"Not ours","type":2}},"event_ts":${Date.now()}}`;
    const ts = String(Math.floor(Date.now() / 1000));
    await call(providerRoute.POST as never, {
      url: `/api/webhooks/zoom/${zoom.row.code}`,
      rawBody: text,
      params: { provider: "zoom", code: zoom.row.code },
      headers: { "content-type": "application/json", "x-zm-request-timestamp": ts, "x-zm-signature": zoomSignature(zoom.webhookSecretToken, ts, text) },
    });
    expect(await processAll()).toEqual([{ type: "meeting.started", outcome: "ignored" }]);
  });
});

describe("API names: camelCase, the old snake_case names as aliases (docs/api-compat.md)", () => {
  const meetingCamel = (over: Record<string, unknown> = {}) => ({
    topic: `Camel briefing ${randomBytes(3).toString("hex")}`,
    startTime: "2030-06-04T09:30:00+03:00",
    duration: 30,
    timezone: "Europe/Moscow",
    integrationId: zoom.row.id,
    ...over,
  });

  it("creates a recurring meeting from camelCase fields and answers in camelCase (list, one, the rule)", async () => {
    const r = await create(meetingCamel({ startTime: "2030-06-02T09:00:00Z", recurrence: { type: "monthly", repeatInterval: 2, monthlyWeek: 1, monthlyWeekDay: 2, endTimes: 3 } }));
    expect(r.status, r.text).toBe(201);
    expect(r.json).toMatchObject({ recurring: true, integration: { id: zoom.row.id }, recurrence: { type: 3, repeatInterval: 2, monthlyWeek: 1, monthlyWeekDay: 2, endTimes: 3 } });
    expect(snakeKeys(r.json)).toEqual([]);
    const weekly = await create(meetingCamel({ recurrence: { type: "weekly", weeklyDays: [3], endDateTime: "2030-07-31T00:00:00Z" } }));
    expect(weekly.status, weekly.text).toBe(201);
    expect(weekly.json.recurrence).toMatchObject({ type: 2, weeklyDays: "3", endDateTime: expect.stringMatching(/^2030-07-31/) });

    const listed = await list(`?integrationId=${zoom.row.id}&includeDeleted=1&limit=200`);
    expect(listed.status, listed.text).toBe(200);
    expect(listed.json.items.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining([r.json.id, weekly.json.id]));
    expect(snakeKeys(listed.json)).toEqual([]);
    expect(snakeKeys((await get(r.json.id, "?refresh=0")).json)).toEqual([]);
  });

  it("refuses a field under both names, at the top or inside the recurrence, saying which to keep; an unknown field is still named; nothing reaches Zoom", async () => {
    const before = await zoomCreates();
    const top = await create(meetingCamel({ start_time: "2030-06-04T09:30:00+03:00" }));
    expect(top.status).toBe(400);
    expect(top.json.error.details).toEqual([{ path: "start_time", message: 'Both "startTime" and its old name "start_time" were sent: keep "startTime" and leave out "start_time"' }]);
    const nested = await create(meetingCamel({ recurrence: { type: "daily", endTimes: 2, end_times: 2 } }));
    expect(nested.status).toBe(400);
    expect(nested.json.error.details).toEqual([{ path: "recurrence.end_times", message: expect.stringContaining('keep "endTimes"') }]);
    const unknown = await create(meetingCamel({ startTIme: "2030-06-04T09:30:00+03:00" }));
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toBe('The request body has an unknown field: "startTIme"');
    const query = await list(`?integrationId=${zoom.row.id}&integration_id=${zoom.row.id}`);
    expect(query.status).toBe(400);
    expect(query.json.error.details[0].path).toBe("integration_id");
    expect(await zoomCreates()).toBe(before);
  });
});
