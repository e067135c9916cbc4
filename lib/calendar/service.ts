// Calendar events of the CRM, kept in step with Google Calendar (lib/calendar/sync.ts).
//
// For other areas, through the calendarEvents port (lib/ports.ts, provided in
// lib/calendar/bindings.ts; the meetings put a Zoom meeting's join URL into an event):
//
//   createCalendarEvent(input: CreateCalendarEventInput, who: { actor: Actor; meta?: RequestMeta }): Promise<CalendarEventView>
//     input (validated with createEventInput, camelCase):
//       integrationId?  the Google Calendar integration (optional when exactly one is enabled)
//       applicationId?  the order it belongs to: fills title "Transfer <number>", start (pickup
//                       time), end (+1 h), location (pickup address) and a description when not given
//       title?          required without applicationId
//       description?, location?   e.g. the Zoom join URL
//       start?, end?    ISO 8601 with offset; end defaults to start + 1 h
//       allDay?, startDate?, endDate?   all-day events: YYYY-MM-DD, endDate exclusive like Google's
//                       (defaults to the day after startDate)
//       timeZone?       IANA name Google shows the times in
//       attendees?      [{ email, name? }]  (invited according to the integration's sendUpdates)
//       reminders?      { useDefault, overrides?: [{ method: "email" | "popup", minutes }] }
//       recurrence?     ["RRULE:FREQ=WEEKLY;BYDAY=MO"]: Google's recurrence lines
//       meetingId?      the Meeting row (lib/meetings) the event is for
//     Idempotency-Key on POST /api/v1/calendar/google/events: route() (lib/idempotency.ts).
//     The row is stored first (pending), then pushed to Google at once; when Google cannot be
//     reached the event stays pending with view.sync.error and the next sync sends it. Throws
//     ApiError 400 (invalid input), 404 (integration/application), 409 (integration disabled or
//     syncing from Google only), 422 (no Google Calendar integration).
//
// Writes bump local_version; what Google has is synced_version (loop prevention: see sync.ts).
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { withAliases } from "@/lib/compat";
import type { CalendarEvent, Integration } from "@/generated/prisma/client";
import { Prisma } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { errors } from "@/lib/errors";
import { parseWith } from "@/lib/api";
import { audit, type Who } from "@/lib/audit";
import { logger } from "@/lib/logger";
import { OAuthReconnectError } from "@/lib/providers/types";
import { GoogleCalendarError, listCalendars, type GCalContext, type GoogleCalendarConfig } from "@/lib/providers/google-calendar/client";
import { googleIdFor, ymd, dayStart, type Attendee, type Reminders } from "@/lib/calendar/mapping";
import { pushEvent, resolveCalendarId } from "@/lib/calendar/sync";
import { SYNC_TYPE } from "@/lib/calendar/notifications";
// the event shapes live in the browser-safe contract (the event dialog checks with them)
import { createEventInput, isoWithOffset, updateEventInput, type CreateCalendarEventInput, type UpdateCalendarEventInput } from "@/lib/calendar/contract";
import { buildContext } from "@/lib/integrations/service";
import { requestSync } from "@/lib/jobs/sync";

const PROVIDER = "google-calendar";
const HOUR = 3600_000;

// ───────────── input ─────────────

const bool = z
  .enum(["true", "false", "1", "0"])
  .optional()
  .transform((v) => v === "true" || v === "1");
/** camelCase; integration_id, application_id and include_deleted are aliases (lib/compat.ts) */
export const listEventsQuery = withAliases(
  "GET /api/v1/calendar/google/events",
  z.strictObject({
    integrationId: z.string().uuid().optional(),
    applicationId: z.string().uuid().optional(),
    from: isoWithOffset.optional(),
    to: isoWithOffset.optional(),
    includeDeleted: bool,
    limit: z.coerce.number().int().min(1).max(500).default(200),
  }),
);
export const integrationQuery = withAliases("GET /api/v1/calendar/google/calendars", z.strictObject({ integrationId: z.string().uuid("Not a valid integration id") }));

// ───────────── output ─────────────

type Row = CalendarEvent & { application?: { id: string; number: string } | null };

export function eventView(row: Row) {
  const pending = row.localVersion > row.syncedVersion;
  return {
    id: row.id,
    integrationId: row.integrationId,
    calendarId: row.calendarId,
    googleEventId: row.googleEventId,
    title: row.title,
    description: row.description,
    location: row.location,
    allDay: row.allDay,
    start: row.startsAt.toISOString(),
    end: row.endsAt.toISOString(),
    startDate: row.allDay ? ymd(row.startsAt) : null,
    endDate: row.allDay ? ymd(row.endsAt) : null,
    timeZone: row.timeZone,
    attendees: row.attendees as Attendee[],
    reminders: row.reminders as Reminders | null,
    recurrence: row.recurrence as string[] | null,
    status: row.status,
    origin: row.origin,
    applicationId: row.applicationId,
    application: row.application ?? null,
    meetingId: row.meetingId,
    sync: {
      /** synced: Google has this version; pending: waiting to be sent; error: the last send failed (retried by the next sync) */
      state: pending ? (row.syncError ? "error" : "pending") : "synced",
      error: pending ? row.syncError : null,
      inGoogle: !!row.etag,
      lastSyncedAt: row.lastSyncedAt,
    },
    deletedAt: row.deletedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
export type CalendarEventView = ReturnType<typeof eventView>;

const withApplication = { application: { select: { id: true, number: true } } } as const;

// ───────────── helpers ─────────────

async function calendarIntegration(id?: string): Promise<Integration> {
  let row: Integration | null;
  if (id) {
    row = await db.integration.findUnique({ where: { id } });
    if (!row || row.provider !== PROVIDER) throw errors.notFound("Google Calendar integration");
  } else {
    const rows = await db.integration.findMany({ where: { provider: PROVIDER, status: { not: "inactive" } }, orderBy: { createdAt: "asc" } });
    if (rows.length === 0) throw errors.unprocessable("No Google Calendar integration is enabled: connect one on the Integrations page");
    if (rows.length > 1) {
      throw errors.validation("Several Google Calendar integrations are enabled: say which one", [{ path: "integrationId", message: "Required with several calendars" }]);
    }
    row = rows[0];
  }
  if (row.status === "inactive") throw errors.conflict(`The integration "${row.name}" is disabled`);
  return row;
}

async function contextFor(row: Integration, related?: { type: string; id: string }): Promise<GCalContext> {
  return buildContext(row, related ? { related } : {}) as GCalContext;
}

function writable(ctx: GCalContext) {
  if (ctx.config.direction === "from_google") {
    throw errors.conflict("This integration only syncs from Google to the CRM: change its events in Google Calendar, or set the direction to bidirectional");
  }
}

/** Sends a just-written row to Google; a failure stays on the row (sync_error) for the next sync. */
async function pushNow(ctx: GCalContext, id: string) {
  const row = await db.calendarEvent.findUniqueOrThrow({ where: { id } });
  try {
    await pushEvent(ctx, row);
  } catch (e) {
    logger.info({ eventId: id, err: (e as Error).message }, "calendar event left pending: the next sync sends it");
  }
  return db.calendarEvent.findUniqueOrThrow({ where: { id }, include: withApplication });
}

type Times = { startsAt: Date; endsAt: Date; allDay: boolean };

function timesOf(
  input: { allDay?: boolean; start?: string; end?: string; startDate?: string; endDate?: string },
  fallback: Partial<Times>,
): Times {
  const allDay = input.allDay ?? fallback.allDay ?? false;
  let startsAt: Date | undefined;
  let endsAt: Date | undefined;
  if (allDay) {
    startsAt = input.startDate ? dayStart(input.startDate) : input.start ? dayStart(ymd(new Date(input.start))) : fallback.startsAt && dayStart(ymd(fallback.startsAt));
    if (!startsAt) throw errors.validation("An all-day event needs a startDate", [{ path: "startDate", message: "Required for all-day events" }]);
    endsAt = input.endDate
      ? dayStart(input.endDate)
      : fallback.allDay && fallback.endsAt && !input.startDate
        ? fallback.endsAt
        : new Date(startsAt.getTime() + 24 * HOUR);
  } else {
    startsAt = input.start ? new Date(input.start) : fallback.startsAt;
    if (!startsAt) throw errors.validation("The event needs a start", [{ path: "start", message: "Required" }]);
    endsAt = input.end
      ? new Date(input.end)
      : fallback.endsAt && !fallback.allDay && !input.start
        ? fallback.endsAt
        : new Date(startsAt.getTime() + HOUR);
  }
  if (endsAt <= startsAt) {
    throw errors.validation("The event must end after it starts", [{ path: allDay ? "endDate" : "end", message: allDay ? "After the start date (exclusive, like Google's)" : "After the start" }]);
  }
  return { startsAt, endsAt, allDay };
}

async function applicationFor(id: string) {
  const app = await db.application.findUnique({ where: { id }, include: { contact: true, driver: { select: { name: true, phone: true } } } });
  if (!app) throw errors.validation("No such application", [{ path: "applicationId", message: "Not found" }]);
  return app;
}

function applicationDescription(app: Awaited<ReturnType<typeof applicationFor>>) {
  const lines = [`Transfer ${app.number}: ${app.pickupAddress} → ${app.dropoffAddress}`, `Passengers: ${app.passengers}`];
  if (app.contact) lines.push(`Customer: ${[app.contact.firstName, app.contact.lastName].filter(Boolean).join(" ")}${app.contact.phone ? `, ${app.contact.phone}` : ""}`);
  if (app.driver) lines.push(`Driver: ${app.driver.name}, ${app.driver.phone}`);
  if (app.notes) lines.push(`Notes: ${app.notes}`);
  return lines.join("\n");
}

// ───────────── commands ─────────────

/** Creates the event here and pushes it to Google at once. Idempotency-Key: route() (lib/idempotency.ts). */
export async function createCalendarEvent(input: CreateCalendarEventInput, who: Who): Promise<CalendarEventView> {
  const data = parseWith(createEventInput, input, "body");
  const id = randomUUID();
  const integration = await calendarIntegration(data.integrationId);
  const ctx = await contextFor(integration, { type: "calendar_event", id });
  writable(ctx);
  const app = data.applicationId ? await applicationFor(data.applicationId) : null;
  if (data.meetingId && !(await db.meeting.findUnique({ where: { id: data.meetingId }, select: { id: true } }))) {
    throw errors.validation("No such meeting", [{ path: "meetingId", message: "Not found" }]);
  }
  const title = data.title ?? (app ? `Transfer ${app.number}` : undefined);
  if (!title) throw errors.validation("Give the event a title", [{ path: "title", message: "Required" }]);
  const times = timesOf(data, app ? { startsAt: app.pickupAt, allDay: false } : {});
  const calendarId = await resolveCalendarId(ctx).catch((e) => {
    throw explainProvider(e);
  });
  await db.calendarEvent.create({
    data: {
      id,
      integrationId: integration.id,
      calendarId,
      googleEventId: googleIdFor(id),
      applicationId: app?.id ?? null,
      meetingId: data.meetingId ?? null,
      title,
      description: data.description ?? (app ? applicationDescription(app) : null),
      location: data.location ?? app?.pickupAddress ?? null,
      ...times,
      timeZone: data.timeZone ?? null,
      attendees: data.attendees as unknown as Prisma.InputJsonValue,
      reminders: (data.reminders ?? Prisma.DbNull) as Prisma.InputJsonValue,
      recurrence: data.recurrence?.length ? data.recurrence : Prisma.DbNull,
      origin: "crm",
      localVersion: 1,
      syncedVersion: 0,
      createdById: who.actor.type === "user" ? who.actor.id : null,
    },
  });
  const row = await pushNow(ctx, id);
  await audit(who.actor, "calendar.event.create", "calendar_event", id, { integrationId: integration.id, title, applicationId: app?.id ?? null, start: times.startsAt }, who.meta);
  return eventView(row);
}

async function liveRow(id: string) {
  const row = await db.calendarEvent.findUnique({ where: { id } });
  if (!row) throw errors.notFound("Calendar event");
  return row;
}

export async function updateCalendarEvent(id: string, input: UpdateCalendarEventInput, who: Who): Promise<CalendarEventView> {
  const patch = parseWith(updateEventInput, input, "body");
  const row = await liveRow(id);
  if (row.deletedAt) throw errors.conflict("The event was deleted");
  const integration = await db.integration.findUniqueOrThrow({ where: { id: row.integrationId } });
  if (integration.status === "inactive") throw errors.conflict(`The integration "${integration.name}" is disabled`);
  const ctx = await contextFor(integration, { type: "calendar_event", id });
  writable(ctx);
  if (patch.applicationId) await applicationFor(patch.applicationId);
  const timed = ["start", "end", "allDay", "startDate", "endDate"].some((k) => k in patch);
  const times = timed ? timesOf(patch, row) : null;
  const data: Prisma.CalendarEventUpdateInput = {
    ...(patch.title !== undefined ? { title: patch.title } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    ...(patch.location !== undefined ? { location: patch.location } : {}),
    ...(patch.timeZone !== undefined ? { timeZone: patch.timeZone } : {}),
    ...(patch.status !== undefined ? { status: patch.status } : {}),
    ...(patch.attendees !== undefined
      ? {
          // keep the answers Google told us for attendees who stay
          attendees: patch.attendees.map((a) => {
            const before = (row.attendees as Attendee[]).find((b) => b.email === a.email);
            return { ...a, ...(before?.responseStatus ? { responseStatus: before.responseStatus } : {}) };
          }) as unknown as Prisma.InputJsonValue,
        }
      : {}),
    ...(patch.reminders !== undefined ? { reminders: (patch.reminders ?? Prisma.DbNull) as Prisma.InputJsonValue } : {}),
    ...(patch.recurrence !== undefined ? { recurrence: patch.recurrence?.length ? patch.recurrence : Prisma.DbNull } : {}),
    ...(patch.applicationId !== undefined ? { application: patch.applicationId ? { connect: { id: patch.applicationId } } : { disconnect: true } } : {}),
    ...(times ?? {}),
  };
  if (!Object.keys(data).length) return eventView(await db.calendarEvent.findUniqueOrThrow({ where: { id }, include: withApplication }));
  await db.calendarEvent.update({ where: { id }, data: { ...data, localVersion: { increment: 1 }, syncError: null } });
  const after = await pushNow(ctx, id);
  await audit(who.actor, "calendar.event.update", "calendar_event", id, { fields: Object.keys(patch) }, who.meta);
  return eventView(after);
}

export async function deleteCalendarEvent(id: string, who: Who): Promise<CalendarEventView> {
  const row = await liveRow(id);
  const integration = await db.integration.findUniqueOrThrow({ where: { id: row.integrationId } });
  const ctx = await contextFor(integration, { type: "calendar_event", id });
  writable(ctx);
  if (!row.deletedAt) {
    await db.calendarEvent.update({ where: { id }, data: { deletedAt: new Date(), status: "cancelled", localVersion: { increment: 1 }, syncError: null } });
    await audit(who.actor, "calendar.event.delete", "calendar_event", id, { title: row.title }, who.meta);
  }
  if (integration.status === "inactive") return eventView(await db.calendarEvent.findUniqueOrThrow({ where: { id }, include: withApplication }));
  return eventView(await pushNow(ctx, id));
}

// ───────────── queries ─────────────

export async function getCalendarEvent(id: string): Promise<CalendarEventView> {
  const row = await db.calendarEvent.findUnique({ where: { id }, include: withApplication });
  if (!row) throw errors.notFound("Calendar event");
  return eventView(row);
}

export async function listCalendarEvents(q: z.output<typeof listEventsQuery>) {
  const rows = await db.calendarEvent.findMany({
    where: {
      integrationId: q.integrationId,
      applicationId: q.applicationId,
      ...(q.includeDeleted ? {} : { deletedAt: null }),
      ...(q.from ? { endsAt: { gt: new Date(q.from) } } : {}),
      ...(q.to ? { startsAt: { lt: new Date(q.to) } } : {}),
    },
    orderBy: [{ startsAt: "asc" }, { id: "asc" }],
    take: q.limit + 1,
    include: withApplication,
  });
  return { items: rows.slice(0, q.limit).map(eventView), truncated: rows.length > q.limit };
}

function explainProvider(e: unknown) {
  if (e instanceof OAuthReconnectError) return errors.conflict(`The Google account must be connected again: ${e.message}`);
  if (e instanceof GoogleCalendarError) return errors.provider(e.message, { status: e.status, reason: e.reason });
  return e;
}

/** The account's calendars, asked of Google (the calendar picker). */
export async function listGoogleCalendars(integrationId: string) {
  const integration = await calendarIntegration(integrationId);
  const ctx = await contextFor(integration);
  try {
    const list = await listCalendars(ctx);
    return {
      items: (list.items ?? []).map((c) => ({
        id: c.id,
        summary: c.summaryOverride ?? c.summary ?? c.id,
        primary: !!c.primary,
        timeZone: c.timeZone ?? null,
        accessRole: c.accessRole ?? null,
        selected: ctx.config.calendarId === c.id || (ctx.config.calendarId === "primary" && !!c.primary),
      })),
    };
  } catch (e) {
    throw explainProvider(e);
  }
}

/** Sync state of every Google Calendar integration, for the Calendar page. */
export async function calendarOverview() {
  const rows = await db.integration.findMany({ where: { provider: PROVIDER }, orderBy: { name: "asc" } });
  const ids = rows.map((r) => r.id);
  const [tokens, syncs, channels, jobs, pending] = await Promise.all([
    db.oAuthToken.findMany({ where: { integrationId: { in: ids } }, select: { integrationId: true, status: true, accountId: true, accountName: true, lastError: true } }),
    db.calendarSync.findMany({ where: { integrationId: { in: ids } } }),
    db.calendarChannel.findMany({ where: { integrationId: { in: ids }, stoppedAt: null, expiresAt: { gt: new Date() } }, orderBy: { expiresAt: "desc" } }),
    db.syncJob.findMany({ where: { integrationId: { in: ids }, type: SYNC_TYPE }, orderBy: { createdAt: "desc" }, distinct: ["integrationId"] }),
    db.$queryRaw<{ integration_id: string; pending: bigint; failing: bigint; total: bigint }[]>`
      select integration_id, count(*) filter (where local_version > synced_version) as pending,
             count(*) filter (where local_version > synced_version and sync_error is not null) as failing,
             count(*) filter (where deleted_at is null) as total
        from calendar_events where integration_id = any(${ids}::uuid[]) group by integration_id`,
  ]);
  return {
    items: rows.map((r) => {
      const config = r.config as Partial<GoogleCalendarConfig>;
      const state = r.state as Record<string, unknown>;
      const token = tokens.find((t) => t.integrationId === r.id);
      const calendarId = config.calendarId && config.calendarId !== "primary" ? config.calendarId : (token?.accountId ?? (state.calendarId as string | undefined) ?? "primary");
      const sync = syncs.find((s) => s.integrationId === r.id && s.calendarId === calendarId);
      const channel = channels.find((c) => c.integrationId === r.id && c.calendarId === calendarId);
      const counts = pending.find((p) => p.integration_id === r.id);
      const job = jobs.find((j) => j.integrationId === r.id);
      const resume = state.calendarResume as { page?: number } | null | undefined;
      return {
        id: r.id,
        name: r.name,
        code: r.code,
        mode: r.mode,
        status: r.status,
        connection: token ? (token.status === "connected" ? "connected" : "needs_reconnect") : "not_connected",
        connectionError: token?.status === "connected" ? null : (token?.lastError ?? null),
        account: token?.accountId ?? null,
        calendarId,
        direction: config.direction ?? "bidirectional",
        frequency: config.frequency ?? "realtime",
        sendUpdates: config.sendUpdates ?? "all",
        schedule: { autoSync: r.autoSync, syncIntervalMinutes: r.syncIntervalMinutes, nextSyncAt: r.nextSyncAt },
        sync: {
          lastSyncAt: sync?.lastSyncAt ?? null,
          lastFullSyncAt: sync?.lastFullSyncAt ?? null,
          syncToken: !!sync?.syncToken,
          resyncs: sync?.resyncs ?? 0,
          resumeAtPage: resume?.page ?? null,
        },
        channel: channel ? { id: channel.id, expiresAt: channel.expiresAt, lastMessageAt: channel.lastMessageAt } : null,
        events: { total: Number(counts?.total ?? 0), pending: Number(counts?.pending ?? 0), failing: Number(counts?.failing ?? 0) },
        lastJob: job ? { id: job.id, status: job.status, trigger: job.trigger, error: job.error, createdAt: job.createdAt, finishedAt: job.finishedAt, details: job.details } : null,
      };
    }),
  };
}

/** "Sync now": a sync job of the integration's calendar (409 when one is already queued or running). */
export async function requestCalendarSync(integrationId: string, who: Who) {
  const integration = await calendarIntegration(integrationId);
  return requestSync(integration.id, { type: SYNC_TYPE, trigger: "manual", actor: who.actor, meta: who.meta });
}

export const applicationSearchQuery = z.strictObject({ q: z.string().trim().max(100).optional() });

/** Orders to pick for an event (the event dialog): by number or address, the nearest pickups first. */
export async function searchApplications(q: z.output<typeof applicationSearchQuery>) {
  const term = q.q?.trim();
  const rows = await db.application.findMany({
    where: term
      ? {
          OR: [
            { number: { contains: term, mode: "insensitive" } },
            { pickupAddress: { contains: term, mode: "insensitive" } },
            { dropoffAddress: { contains: term, mode: "insensitive" } },
          ],
        }
      : { pickupAt: { gte: new Date(Date.now() - 24 * HOUR) } },
    orderBy: { pickupAt: term ? "desc" : "asc" },
    take: 20,
    select: { id: true, number: true, pickupAt: true, pickupAddress: true, dropoffAddress: true, status: true },
  });
  return { items: rows };
}
