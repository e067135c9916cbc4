// Zoom meetings: create (scheduled, or recurring with a fixed time), list, read (from our row,
// or asked of Zoom with refresh), delete, and their cloud recordings. Meetings are scheduling:
// calendar.read / calendar.write (API keys calendar:read / calendar:write).
//
// What we keep (meetings table): Zoom's meeting id as text (int64: never a JS number), its
// uuid, the join URL, and, vault-encrypted, the host's start URL and the passcode. The start URL
// logs the host in: only callers who may write (hosts) ever get it, and only from a single
// meeting's read. The passcode is shown masked (its value to hosts, on single reads too).
// meetings.recordings holds what Zoom told us after the meeting was created: the recording
// files, and the last started / ended times with the newest event's timestamp (webhooks may
// arrive out of order; older ones do not move the status back). Statuses: scheduled, started,
// ended, deleted.
//
// A meeting can go into a calendar event: an existing one (calendarEventId) or a new one in a
// calendar integration (addToCalendar); lib/meetings/calendar.ts.
import { randomUUID } from "node:crypto";
import type { Integration, Meeting, Prisma } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { ApiError, errors } from "@/lib/errors";
import { audit, type Who } from "@/lib/audit";
import { decodeCursor, encodeCursor } from "@/lib/cursor";
import { decrypt, encrypt, aadFor } from "@/lib/vault";
import { can } from "@/lib/auth/roles";
import { hasScope } from "@/lib/auth/api-keys";
import type { Caller } from "@/lib/api";
import { buildContext } from "@/lib/integrations/service";
import {
  createMeeting as zoomCreate,
  deleteMeeting as zoomDelete,
  getMeeting as zoomGet,
  listRecordings as zoomRecordings,
  ZoomError,
  type ZoomContext,
  type ZoomMeeting,
  type ZoomMeetingRequest,
  type ZoomRecordings,
  type ZoomRecurrence,
} from "@/lib/providers/zoom/client";
import { attachableEvent, attachToEvent, createEventFor, detachFromEvent, writableCalendar, type MeetingForCalendar } from "@/lib/meetings/calendar";
// the request shapes live in the browser-safe contract (the New meeting dialog checks with them)
import type { CreateMeetingInput, ListMeetingsQuery, MeetingStatus, RecordingFile } from "@/lib/meetings/contract";


/** who changes calendar events when Zoom says a meeting is gone */
export const ZOOM_ACTOR: Who = { actor: { type: "system", label: "zoom" } };

/** May start meetings (the start URL, the passcode): calendar.write / calendar:write. */
export function isHost(caller: Caller): boolean {
  if (caller.kind === "user") return can(caller.user.role, "calendar.write");
  if (caller.kind === "api_key") return hasScope(caller.key, "calendar:write");
  return false;
}

// ───────────── the stored activity (meetings.recordings) ─────────────

export type Activity = {
  files: RecordingFile[];
  shareUrl: string | null;
  totalSize: number | null;
  /** when the files were last read from Zoom (or came with recording.completed) */
  fetchedAt: string | null;
  lastStartedAt: string | null;
  lastEndedAt: string | null;
  /** event_ts (ms) of the newest Zoom event applied */
  lastEventTs: number | null;
};

export function activityOf(m: Pick<Meeting, "recordings">): Activity {
  const a = (m.recordings ?? {}) as Partial<Activity>;
  return {
    files: Array.isArray(a.files) ? a.files : [],
    shareUrl: a.shareUrl ?? null,
    totalSize: a.totalSize ?? null,
    fetchedAt: a.fetchedAt ?? null,
    lastStartedAt: a.lastStartedAt ?? null,
    lastEndedAt: a.lastEndedAt ?? null,
    lastEventTs: a.lastEventTs ?? null,
  };
}

export function recordingFiles(r: Pick<ZoomRecordings, "recording_files">): RecordingFile[] {
  return r.recording_files.map((f) => ({
    id: f.id ?? null,
    fileType: f.file_type ?? null,
    extension: f.file_extension ?? null,
    recordingType: f.recording_type ?? null,
    size: f.file_size ?? null,
    startedAt: f.recording_start ?? null,
    endedAt: f.recording_end ?? null,
    playUrl: f.play_url ?? null,
    downloadUrl: f.download_url ?? null,
    status: f.status ?? null,
  }));
}

// ───────────── errors ─────────────

/** A Zoom failure in the project's error shape: 422 when our side must change something, 502 when Zoom failed. */
export function zoomFailure(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof ZoomError) {
    const details = { provider: "zoom", zoomCode: e.opts.code ?? null, status: e.opts.status ?? null, retryable: e.opts.transient, ...(e.opts.credentials ? { reason: "credentials" } : {}) };
    if (e.opts.transient) {
      return new ApiError(502, "provider_error", e.message, { ...details, retryAfterSeconds: e.opts.retryAfterSeconds ?? null }, e.opts.retryAfterSeconds ? { "Retry-After": String(e.opts.retryAfterSeconds) } : undefined);
    }
    return new ApiError(422, "unprocessable", e.message, details);
  }
  return new ApiError(502, "provider_error", `The call to Zoom failed: ${(e as Error)?.message ?? String(e)}`, { provider: "zoom", retryable: true });
}

async function zoom<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw zoomFailure(e);
  }
}

// ───────────── integrations ─────────────

/** The integration asked for (must be Zoom), else the first active Zoom integration by priority. */
export async function chooseZoomIntegration(integrationId?: string): Promise<Integration> {
  if (integrationId) {
    const row = await db.integration.findUnique({ where: { id: integrationId } });
    if (!row || row.provider !== "zoom") throw errors.validation("Not a Zoom integration", [{ path: "integrationId", message: "Unknown Zoom integration" }]);
    if (row.status === "inactive") throw errors.unprocessable(`${row.name} is switched off`);
    return row;
  }
  const row = await db.integration.findFirst({
    where: { provider: "zoom", status: { not: "inactive" }, credentials: { not: null } },
    orderBy: [{ priority: "asc" }, { createdAt: "asc" }],
  });
  if (!row) throw errors.unprocessable("No active Zoom integration: add one on the Integrations page");
  return row;
}

async function zoomContext(integrationId: string, meetingId?: string): Promise<ZoomContext> {
  const row = await db.integration.findUnique({ where: { id: integrationId } });
  if (!row) throw errors.unprocessable("The meeting's Zoom integration was deleted");
  return buildContext(row, meetingId ? { related: { type: "meeting", id: meetingId } } : {}) as unknown as ZoomContext;
}

// ───────────── the view ─────────────

type Row = Meeting & { integration: Pick<Integration, "id" | "name" | "code" | "mode" | "status"> | null };
const withIntegration = { integration: { select: { id: true, name: true, code: true, mode: true, status: true } } } as const;

const MASK = "••••••";

/** Zoom's recurrence rule (its snake_case names) as the API answers it: camelCase (repeatInterval, weeklyDays, endTimes …). */
function recurrenceView(rule: Partial<ZoomRecurrence>) {
  return Object.fromEntries(Object.entries(rule).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));
}

/** The API's meeting. `host` and `single`: a host reading one meeting gets its start URL and passcode (lists never carry them). */
export function serializeMeeting(m: Row, opts: { host: boolean; single?: boolean } = { host: false }) {
  const a = activityOf(m);
  const recurrence = (m.recurrence ?? null) as (ZoomRecurrence & { occurrences?: { occurrence_id: string; start_time: string; status?: string }[] }) | null;
  const { occurrences, ...rule } = recurrence ?? {};
  const now = Date.now();
  const next = occurrences?.find((o) => Date.parse(o.start_time) + (m.durationMinutes ?? 0) * 60_000 > now && o.status !== "deleted");
  const password = m.password ? decrypt(m.password, aadFor.meetingPassword(m.id)) : null;
  return {
    id: m.id,
    provider: "zoom" as const,
    integration: m.integration ? { id: m.integration.id, name: m.integration.name, code: m.integration.code, mode: m.integration.mode } : null,
    zoomMeetingId: m.zoomMeetingId,
    zoomUuid: m.zoomUuid,
    topic: m.topic,
    agenda: m.agenda,
    type: m.type,
    recurring: m.type === 3 || m.type === 8,
    startsAt: m.startsAt,
    durationMinutes: m.durationMinutes,
    endsAt: m.startsAt && m.durationMinutes ? new Date(m.startsAt.getTime() + m.durationMinutes * 60_000) : null,
    timeZone: m.timeZone,
    recurrence: recurrence ? recurrenceView(rule) : null,
    occurrences: occurrences?.length ?? null,
    nextOccurrenceAt: next?.start_time ?? null,
    status: m.status as MeetingStatus,
    joinUrl: m.joinUrl,
    password: password ? { set: true, masked: MASK, ...(opts.host && opts.single ? { value: password } : {}) } : { set: false, masked: null },
    ...(opts.host && opts.single && m.startUrl && m.status !== "deleted" ? { startUrl: decrypt(m.startUrl, aadFor.meetingStartUrl(m.id)) } : {}),
    recordingsCount: a.files.length,
    recordingsFetchedAt: a.fetchedAt,
    lastStartedAt: a.lastStartedAt,
    lastEndedAt: a.lastEndedAt,
    applicationId: m.applicationId,
    calendarEventId: m.calendarEventId,
    createdById: m.createdById,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  };
}
export type MeetingView = ReturnType<typeof serializeMeeting>;

async function findRow(id: string): Promise<Row> {
  const m = await db.meeting.findUnique({ where: { id }, include: withIntegration });
  if (!m) throw errors.notFound("Meeting");
  return m;
}

// ───────────── from Zoom's answer to our row ─────────────

function zoomStart(iso: string) {
  // Zoom takes yyyy-MM-ddTHH:mm:ssZ (GMT) when a time zone is given separately
  return `${new Date(iso).toISOString().slice(0, 19)}Z`;
}

/** The columns Zoom's meeting object decides (the start URL and passcode encrypted for row `id`). */
function fromZoom(id: string, z: ZoomMeeting, fallback: { startsAt?: Date | null; durationMinutes?: number | null; timeZone?: string | null }) {
  const startsAt = z.start_time ? new Date(z.start_time) : (fallback.startsAt ?? null);
  return {
    zoomMeetingId: z.id,
    zoomUuid: z.uuid ?? null,
    topic: z.topic,
    agenda: z.agenda ?? null,
    type: z.type,
    startsAt: startsAt && !Number.isNaN(startsAt.getTime()) ? startsAt : (fallback.startsAt ?? null),
    durationMinutes: z.duration ?? fallback.durationMinutes ?? null,
    timeZone: z.timezone ?? fallback.timeZone ?? null,
    recurrence: z.recurrence ? ({ ...z.recurrence, ...(z.occurrences ? { occurrences: z.occurrences } : {}) } as Prisma.InputJsonObject) : undefined,
    joinUrl: z.join_url,
    startUrl: z.start_url ? encrypt(z.start_url, aadFor.meetingStartUrl(id)) : null,
    password: z.password ? encrypt(z.password, aadFor.meetingPassword(id)) : null,
  };
}

function forCalendar(m: Meeting): MeetingForCalendar {
  const { occurrences: _o, ...rule } = (m.recurrence ?? {}) as ZoomRecurrence & { occurrences?: unknown };
  return {
    id: m.id,
    zoomMeetingId: m.zoomMeetingId,
    joinUrl: m.joinUrl,
    topic: m.topic,
    agenda: m.agenda,
    startsAt: m.startsAt ?? new Date(),
    durationMinutes: m.durationMinutes ?? 60,
    timeZone: m.timeZone ?? "UTC",
    recurrence: m.recurrence ? (rule as ZoomRecurrence) : null,
    applicationId: m.applicationId,
  };
}

// ───────────── create ─────────────

function zoomRequestOf(input: CreateMeetingInput, tz: string): ZoomMeetingRequest {
  const r = input.recurrence;
  return {
    topic: input.topic,
    type: r ? 8 : 2,
    start_time: zoomStart(input.startTime),
    duration: input.duration,
    timezone: tz,
    ...(input.agenda ? { agenda: input.agenda } : {}),
    ...(r
      ? {
          recurrence: {
            type: r.type,
            repeat_interval: r.repeatInterval,
            ...(r.type === 2 ? { weekly_days: r.weeklyDays } : {}),
            ...(r.type === 3 && r.monthlyDay !== undefined ? { monthly_day: r.monthlyDay } : {}),
            ...(r.type === 3 && r.monthlyWeek !== undefined ? { monthly_week: r.monthlyWeek, monthly_week_day: r.monthlyWeekDay } : {}),
            ...(r.endTimes !== undefined ? { end_times: r.endTimes } : { end_date_time: zoomStart(r.endDateTime!) }),
          },
        }
      : {}),
  };
}

export type CreateResult = MeetingView & { calendar?: { ok: true; eventId: string; created: boolean } | { ok: false; error: string } };

/** Creates the meeting at Zoom (and its calendar event). Idempotency-Key: route() (lib/idempotency.ts). */
export async function createMeeting(input: CreateMeetingInput, who: Who, opts: { host: boolean }): Promise<CreateResult> {
  // everything we can check is checked before Zoom makes the meeting
  const integration = await chooseZoomIntegration(input.integrationId);
  const event = input.calendarEventId ? await attachableEvent(input.calendarEventId) : null;
  const calendar = input.addToCalendar ? await writableCalendar(input.addToCalendar.integrationId) : null;
  if (input.applicationId && !(await db.application.findUnique({ where: { id: input.applicationId }, select: { id: true } }))) {
    throw errors.validation("Unknown application", [{ path: "applicationId", message: "No such application" }]);
  }
  const tz = input.timezone ?? (integration.config as { defaultTimezone?: string }).defaultTimezone ?? event?.timeZone ?? "UTC";
  const id = randomUUID();
  const ctx = await zoomContext(integration.id, id);
  const z = await zoom(zoomCreate(ctx, zoomRequestOf(input, tz)));
  const row = await db.meeting.create({
    data: {
      id,
      integrationId: integration.id,
      ...fromZoom(id, z, { startsAt: new Date(input.startTime), durationMinutes: input.duration, timeZone: tz }),
      status: "scheduled",
      applicationId: input.applicationId ?? null,
      createdById: who.actor.type === "user" ? who.actor.id : null,
    },
    include: withIntegration,
  });

  // the calendar: the meeting exists at Zoom whatever happens here, so a failure is reported, not thrown
  let cal: CreateResult["calendar"];
  let final: Row = row;
  if (event || calendar) {
    try {
      const eventId = event
        ? await attachToEvent(await attachableEvent(event.id, row.id), forCalendar(row), who)
        : await createEventFor(calendar!, forCalendar(row), who);
      cal = { ok: true, eventId, created: !event };
      final = await db.meeting.update({ where: { id }, data: { calendarEventId: eventId }, include: withIntegration });
    } catch (e) {
      cal = { ok: false, error: `The meeting was created, but the calendar event was not changed: ${(e as Error).message}` };
    }
  }
  await audit(
    who.actor,
    "meeting.create",
    "meeting",
    id,
    {
      topic: row.topic,
      startTime: zoomStart(input.startTime),
      zoomMeetingId: row.zoomMeetingId,
      integration: integration.code,
      recurring: !!input.recurrence,
      ...(cal ? { calendar: cal } : {}),
    },
    who.meta,
  );
  return { ...serializeMeeting(final, { host: opts.host, single: true }), ...(cal ? { calendar: cal } : {}) };
}

// ───────────── read ─────────────

export async function listMeetings(q: ListMeetingsQuery, opts: { host: boolean }) {
  const where: Prisma.MeetingWhereInput = {
    ...(q.status ? { status: q.status } : q.includeDeleted ? {} : { status: { not: "deleted" } }),
    ...(q.integrationId ? { integrationId: q.integrationId } : {}),
    ...(q.applicationId ? { applicationId: q.applicationId } : {}),
    ...(q.calendarEventId ? { calendarEventId: q.calendarEventId } : {}),
    ...(q.from || q.until ? { startsAt: { ...(q.from ? { gte: new Date(q.from) } : {}), ...(q.until ? { lte: new Date(q.until) } : {}) } } : {}),
  };
  const and: Prisma.MeetingWhereInput[] = [where, { startsAt: { not: null } }];
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    and.push({ OR: [{ startsAt: { lt: c.at } }, { startsAt: c.at, id: { lt: c.id } }] });
  }
  const rows = await db.meeting.findMany({ where: { AND: and }, include: withIntegration, orderBy: [{ startsAt: "desc" }, { id: "desc" }], take: q.limit + 1 });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((m) => serializeMeeting(m, { host: opts.host })),
    nextCursor: rows.length > q.limit && last?.startsAt ? encodeCursor(last.startsAt, last.id) : null,
  };
}

export async function getMeeting(id: string, opts: { host: boolean }) {
  return serializeMeeting(await findRow(id), { host: opts.host, single: true });
}

/**
 * Asks Zoom for the meeting and stores what it says (a fresh start URL among it: Zoom's expire
 * after about 2 hours, UNCONFIRMED for every account type). Zoom's 3001 means the meeting is gone
 * at Zoom (deleted there, or expired): the row becomes deleted. Zoom's status "started" is
 * ours; "waiting" after we saw it started means it ended.
 */
export async function refreshMeeting(id: string, opts: { host: boolean }) {
  const m = await findRow(id);
  if (m.status === "deleted") return serializeMeeting(m, { host: opts.host, single: true });
  const ctx = await zoomContext(m.integrationId, m.id);
  let z: ZoomMeeting;
  try {
    z = await zoomGet(ctx, m.zoomMeetingId);
  } catch (e) {
    if (e instanceof ZoomError && e.notFound && e.opts.code === 3001) {
      const gone = await db.meeting.update({ where: { id }, data: { status: "deleted" }, include: withIntegration });
      const calendarError = m.calendarEventId ? await detachFromEvent(m.calendarEventId, m, ZOOM_ACTOR) : null;
      return { ...serializeMeeting(gone, { host: opts.host }), note: "Zoom no longer has this meeting (deleted at Zoom or expired): marked deleted", ...(calendarError ? { calendarError } : {}) };
    }
    throw zoomFailure(e);
  }
  const status = z.status === "started" ? "started" : m.status === "started" ? "ended" : m.status;
  const updated = await db.meeting.update({
    where: { id },
    data: { ...fromZoom(id, z, m), status },
    include: withIntegration,
  });
  return serializeMeeting(updated, { host: opts.host, single: true });
}

// ───────────── delete ─────────────

export async function deleteMeeting(id: string, who: Who, opts: { host: boolean }) {
  const m = await findRow(id);
  if (m.status === "deleted") return { ...serializeMeeting(m, opts), note: "The meeting was already deleted" };
  const ctx = await zoomContext(m.integrationId, m.id);
  const { alreadyGone } = await zoom(zoomDelete(ctx, m.zoomMeetingId));
  const updated = await db.meeting.update({ where: { id }, data: { status: "deleted" }, include: withIntegration });
  const calendarNote = m.calendarEventId ? await detachFromEvent(m.calendarEventId, m, who) : null;
  await audit(who.actor, "meeting.delete", "meeting", id, { zoomMeetingId: m.zoomMeetingId, topic: m.topic, alreadyGoneAtZoom: alreadyGone }, who.meta);
  return {
    ...serializeMeeting(updated, opts),
    note: alreadyGone ? "Zoom no longer had this meeting (404, code 3001): it was already gone there; marked deleted here" : "Deleted at Zoom",
    ...(calendarNote ? { calendarError: calendarNote } : {}),
  };
}

// ───────────── recordings ─────────────

/**
 * The meeting's cloud recordings, asked of Zoom and stored. Zoom answers 404 code 3301 while
 * there are none: an empty list. A deleted meeting answers what was stored.
 */
export async function meetingRecordings(id: string, opts: { refresh: boolean }) {
  const m = await findRow(id);
  let a = activityOf(m);
  if (opts.refresh && m.status !== "deleted") {
    const ctx = await zoomContext(m.integrationId, m.id);
    const r = await zoom(zoomRecordings(ctx, m.zoomMeetingId));
    a = { ...a, files: r ? recordingFiles(r) : [], shareUrl: r?.share_url ?? null, totalSize: r?.total_size ?? null, fetchedAt: new Date().toISOString() };
    await db.meeting.update({ where: { id }, data: { recordings: a as unknown as Prisma.InputJsonObject } });
  }
  return { meetingId: m.id, zoomMeetingId: m.zoomMeetingId, items: a.files, count: a.files.length, shareUrl: a.shareUrl, totalSize: a.totalSize, fetchedAt: a.fetchedAt };
}
