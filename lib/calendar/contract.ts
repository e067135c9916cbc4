// The calendar API's request and answer shapes, shared with the Calendar page and its event
// dialog: zod and pure helpers only (no database, no Google client), so the browser checks the
// form with the server's own rules and shows every field's problem at once. Messages come from
// the one error map in lib/errors.ts unless a rule below says it better.
import { z } from "zod";
import "@/lib/errors";
import { ianaTimeZone } from "@/lib/zod-fields";
import { replayable, timestamp } from "@/lib/contract";
import { INTEGRATION_MODES, INTEGRATION_STATUSES } from "@/lib/integrations/contract";
import { SYNC_JOB_STATUSES, SYNC_TRIGGERS } from "@/lib/jobs/contract";

/** checked even when other fields failed, so a form learns every problem in one answer */
const always = { when: () => true };

export const isoWithOffset = z.string().datetime({ offset: true, message: "An ISO 8601 date-time with a time zone offset, e.g. 2026-03-01T10:00:00+03:00" });
const dateOnly = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "A date as YYYY-MM-DD").refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), "Not a real date");
const attendee = z.strictObject({
  email: z.string().trim().toLowerCase().email("Enter a valid e-mail address").max(320),
  name: z.string().trim().max(200).optional(),
});
const reminders = z
  .strictObject({
    useDefault: z.boolean(),
    overrides: z
      .array(z.strictObject({ method: z.enum(["email", "popup"]), minutes: z.number().int().min(0).max(40320, "At most 4 weeks (40320 minutes)") }))
      .max(5, "At most 5 reminders")
      .default([]),
  })
  .refine((r) => !(r.useDefault && r.overrides.length), { message: "Use the calendar's default reminders or your own, not both", path: ["overrides"] });

const eventFields = {
  title: z.string().trim().min(1, "Give the event a title").max(1024),
  description: z.string().max(8192),
  location: z.string().trim().max(1024),
  start: isoWithOffset,
  end: isoWithOffset,
  allDay: z.boolean(),
  startDate: dateOnly,
  endDate: dateOnly,
  timeZone: ianaTimeZone,
  attendees: z.array(attendee).max(100, "At most 100 attendees"),
  reminders,
  /** Google's recurrence lines: RRULE / EXRULE / RDATE / EXDATE (RFC 5545) */
  recurrence: z
    .array(z.string().trim().max(2000).regex(/^(RRULE|EXRULE|RDATE|EXDATE)[:;]/, "An RFC 5545 line starting with RRULE:, EXRULE:, RDATE or EXDATE"))
    .max(20),
};

export const createEventInput = z.strictObject({
  integrationId: z.string().uuid().optional(),
  applicationId: z.string().uuid().optional(),
  meetingId: z.string().uuid().optional(),
  title: eventFields.title.optional(),
  description: eventFields.description.optional(),
  location: eventFields.location.optional(),
  start: eventFields.start.optional(),
  end: eventFields.end.optional(),
  allDay: eventFields.allDay.default(false),
  startDate: eventFields.startDate.optional(),
  endDate: eventFields.endDate.optional(),
  timeZone: eventFields.timeZone.optional(),
  attendees: eventFields.attendees.default([]),
  reminders: eventFields.reminders.optional(),
  recurrence: eventFields.recurrence.optional(),
});
/**
 * What a person (or an API caller) must give that the service would otherwise refuse later:
 * a title and a start unless an application fills them, and an end after the start. Checked
 * with the other fields' problems, so a form shows them all at once.
 */
function eventRules(v: unknown, ctx: z.RefinementCtx, creating: boolean) {
  if (!v || typeof v !== "object") return;
  const e = v as Record<string, unknown>;
  const given = (x: unknown) => typeof x === "string" && x.trim() !== "";
  if (creating && !given(e.applicationId)) {
    // an empty title given has the field's own message
    if (e.title === undefined) ctx.addIssue({ code: "custom", path: ["title"], message: "Give the event a title" });
    if (e.allDay === true ? e.startDate === undefined && e.start === undefined : e.start === undefined) {
      ctx.addIssue({ code: "custom", path: [e.allDay === true ? "startDate" : "start"], message: e.allDay === true ? "Give the first day" : "Give the start date and time" });
    }
  }
  const [from, to, path] = e.allDay === true ? [e.startDate, e.endDate, "endDate"] : [e.start, e.end, "end"];
  const a = typeof from === "string" ? Date.parse(e.allDay === true ? `${from}T00:00:00Z` : from) : NaN;
  const b = typeof to === "string" ? Date.parse(e.allDay === true ? `${to}T00:00:00Z` : to) : NaN;
  if (!Number.isNaN(a) && !Number.isNaN(b) && b <= a) ctx.addIssue({ code: "custom", path: [path], message: "The event must end after it starts" });
}

/** what the HTTP API takes (the meeting link is made by the Zoom module, not by API callers) */
export const createEventBody = createEventInput
  .omit({ meetingId: true })
  .strict()
  .superRefine((v, ctx) => eventRules(v, ctx, true), always);
export type CreateCalendarEventInput = z.input<typeof createEventInput>;

export const updateEventInput = z
  .object({
    title: eventFields.title,
    description: eventFields.description.nullable(),
    location: eventFields.location.nullable(),
    start: eventFields.start,
    end: eventFields.end,
    allDay: eventFields.allDay,
    startDate: eventFields.startDate,
    endDate: eventFields.endDate,
    timeZone: eventFields.timeZone.nullable(),
    attendees: eventFields.attendees,
    reminders: eventFields.reminders.nullable(),
    recurrence: eventFields.recurrence.nullable(),
    applicationId: z.string().uuid().nullable(),
    status: z.enum(["confirmed", "tentative"]),
  })
  .partial()
  .strict()
  .superRefine((v, ctx) => eventRules(v, ctx, false), always);
export type UpdateCalendarEventInput = z.input<typeof updateEventInput>;

// ───────────── the answers (lib/calendar/service.ts) ─────────────

/** A guest as Google keeps them: responseStatus is theirs (needsAction, accepted, declined, tentative). */
export const eventAttendee = z.object({ email: z.string(), name: z.string().nullable().optional(), responseStatus: z.string().nullable().optional() });
export type Attendee = z.infer<typeof eventAttendee>;
export const eventReminders = z.object({ useDefault: z.boolean(), overrides: z.array(z.object({ method: z.enum(["email", "popup"]), minutes: z.number().int() })).optional() });
export type Reminders = z.infer<typeof eventReminders>;

/** A calendar event as the API shows it (lib/calendar/service.ts eventView). */
export const calendarEvent = z.object({
  id: z.string(),
  integrationId: z.string(),
  calendarId: z.string(),
  googleEventId: z.string().nullable(),
  title: z.string(),
  description: z.string().nullable(),
  location: z.string().nullable(),
  allDay: z.boolean(),
  start: timestamp,
  end: timestamp,
  /** all-day events: the first day and the day after the last (YYYY-MM-DD) */
  startDate: z.iso.date().nullable(),
  endDate: z.iso.date().nullable(),
  timeZone: z.string().nullable(),
  attendees: z.array(eventAttendee),
  reminders: eventReminders.nullable(),
  /** RRULE lines as Google sends them */
  recurrence: z.array(z.string()).nullable(),
  status: z.enum(["confirmed", "tentative", "cancelled"]),
  /** where the event was first made */
  origin: z.enum(["crm", "google"]),
  applicationId: z.string().nullable(),
  application: z.object({ id: z.string(), number: z.string() }).nullable(),
  meetingId: z.string().nullable(),
  sync: z.object({
    /** synced: Google has this version; pending: waiting to be sent; error: the last send failed (retried by the next sync) */
    state: z.enum(["synced", "pending", "error"]),
    error: z.string().nullable(),
    inGoogle: z.boolean(),
    lastSyncedAt: timestamp.nullable(),
  }),
  deletedAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type CalendarEventItem = z.infer<typeof calendarEvent>;

/** POST /api/v1/calendar/google/events (201) */
export const createdCalendarEvent = replayable(calendarEvent);

/** GET /api/v1/calendar/google/events: by start; truncated when there were more than limit */
export const calendarEventList = z.object({ items: z.array(calendarEvent), truncated: z.boolean() });
export type CalendarEventList = z.infer<typeof calendarEventList>;

/** GET /api/v1/calendar/google/calendars: the connected account's calendars, asked of Google */
export const googleCalendarList = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      summary: z.string(),
      primary: z.boolean(),
      timeZone: z.string().nullable(),
      accessRole: z.string().nullable(),
      /** the one the integration syncs */
      selected: z.boolean(),
    }),
  ),
});
export type GoogleCalendarList = z.infer<typeof googleCalendarList>;

export const SYNC_DIRECTIONS = ["to_google", "from_google", "bidirectional"] as const;
export const SYNC_FREQUENCIES = ["realtime", "hourly", "daily"] as const;

/** One Google Calendar integration's sync state: connection, sync token, push channel, last job. */
export const calendarStatus = z.object({
  id: z.string(),
  name: z.string(),
  code: z.string(),
  mode: z.enum(INTEGRATION_MODES),
  status: z.enum(INTEGRATION_STATUSES),
  connection: z.enum(["connected", "needs_reconnect", "not_connected"]),
  connectionError: z.string().nullable(),
  /** the connected Google account */
  account: z.string().nullable(),
  calendarId: z.string(),
  direction: z.enum(SYNC_DIRECTIONS),
  frequency: z.enum(SYNC_FREQUENCIES),
  /** Google's sendUpdates: all, externalOnly or none */
  sendUpdates: z.string(),
  schedule: z.object({ autoSync: z.boolean(), syncIntervalMinutes: z.number().int().nullable(), nextSyncAt: timestamp.nullable() }),
  sync: z.object({
    lastSyncAt: timestamp.nullable(),
    lastFullSyncAt: timestamp.nullable(),
    /** whether an incremental sync can continue (Google's sync token is kept, never shown) */
    syncToken: z.boolean(),
    resyncs: z.number().int(),
    /** a full sync interrupted at this page resumes there */
    resumeAtPage: z.number().int().nullable(),
  }),
  /** the push notification channel, while one is open */
  channel: z.object({ id: z.string(), expiresAt: timestamp, lastMessageAt: timestamp.nullable() }).nullable(),
  events: z.object({ total: z.number().int(), pending: z.number().int(), failing: z.number().int() }),
  lastJob: z
    .object({
      id: z.string(),
      status: z.enum(SYNC_JOB_STATUSES),
      trigger: z.enum(SYNC_TRIGGERS),
      error: z.string().nullable(),
      createdAt: timestamp,
      finishedAt: timestamp.nullable(),
      details: z.unknown(),
    })
    .nullable(),
});
export type CalendarStatus = z.infer<typeof calendarStatus>;

/** GET /api/v1/calendar/google/status */
export const calendarStatusList = z.object({ items: z.array(calendarStatus) });
export type CalendarStatusList = z.infer<typeof calendarStatusList>;

/** GET /api/v1/calendar/google/applications: orders an event can be linked to */
export const applicationOption = z.object({
  id: z.string(),
  number: z.string(),
  pickupAt: timestamp,
  pickupAddress: z.string(),
  dropoffAddress: z.string(),
  status: z.enum(["new", "assigned", "in_progress", "completed", "canceled"]),
});
export type ApplicationOption = z.infer<typeof applicationOption>;
export const applicationOptions = z.object({ items: z.array(applicationOption) });
export type ApplicationOptions = z.infer<typeof applicationOptions>;
