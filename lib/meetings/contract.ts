// The meetings API's request and answer shapes, shared with the dashboard's meetings panel and
// New meeting dialog: zod and pure helpers only (no database, no Zoom client), so the browser
// checks the form with the server's own rules and shows every field's problem at once. Messages
// come from the one error map in lib/errors.ts unless a rule below says it better. Field names
// are camelCase; the snake_case names the API took before (Zoom's own: start_time,
// repeat_interval …) are aliases (lib/compat.ts, docs/api-compat.md).
import { z } from "zod";
import "@/lib/errors";
import { withAliases } from "@/lib/compat";
import { ianaTimeZone } from "@/lib/zod-fields";
import { replayable, timestamp } from "@/lib/contract";
import { INTEGRATION_MODES } from "@/lib/integrations/contract";

export const MEETING_STATUSES = ["scheduled", "started", "ended", "deleted"] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];

const RECURRENCE_TYPES = { daily: 1, weekly: 2, monthly: 3 } as const;
/** Zoom's limits on repeatInterval (its repeat_interval): 99 days, 50 weeks, 10 months (Zoom's API reference) */
const MAX_INTERVAL = { 1: 99, 2: 50, 3: 10 } as const;
/** Zoom's limit on endTimes (its end_times) */
export const MAX_OCCURRENCES = 60;

/** checked even when other fields failed, so a form learns every problem in one answer */
const always = { when: () => true };
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object";
const time = (v: unknown) => (typeof v === "string" ? Date.parse(v) : NaN);

const recurrenceInput = z
  .strictObject({
    /** daily | weekly | monthly, or Zoom's 1 | 2 | 3 */
    type: z.union([z.enum(["daily", "weekly", "monthly"]), z.literal(1), z.literal(2), z.literal(3)]).transform((t) => (typeof t === "number" ? t : RECURRENCE_TYPES[t])),
    repeatInterval: z.number().int().min(1).default(1),
    /** 1 = Sunday … 7 = Saturday; an array or Zoom's "1,3,5" */
    weeklyDays: z
      .union([z.array(z.number().int().min(1).max(7)).min(1).max(7), z.string().regex(/^[1-7](,[1-7]){0,6}$/, 'Days as "1,3,5" (1 = Sunday … 7 = Saturday)')])
      .transform((d) => [...new Set(typeof d === "string" ? d.split(",").map(Number) : d)].sort().join(","))
      .optional(),
    monthlyDay: z.number().int().min(1).max(31).optional(),
    /** -1 last, 1–4 */
    monthlyWeek: z.union([z.literal(-1), z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).optional(),
    monthlyWeekDay: z.number().int().min(1).max(7).optional(),
    endTimes: z.number().int().min(1).max(MAX_OCCURRENCES).optional(),
    endDateTime: z.iso.datetime({ offset: true }).optional(),
  })
  .superRefine((r, ctx) => {
    if (!isObject(r)) return;
    // the type as given (a name or Zoom's number), whether or not the rest parsed
    const type = typeof r.type === "number" ? r.type : RECURRENCE_TYPES[r.type as keyof typeof RECURRENCE_TYPES];
    const max = MAX_INTERVAL[type as keyof typeof MAX_INTERVAL];
    if (max && typeof r.repeatInterval === "number" && r.repeatInterval > max) {
      ctx.addIssue({ code: "custom", path: ["repeatInterval"], message: `At most ${max} for a ${["", "daily", "weekly", "monthly"][type]} meeting` });
    }
    if ((r.endTimes === undefined) === (r.endDateTime === undefined)) {
      ctx.addIssue({ code: "custom", path: ["endTimes"], message: `Say when it ends: after a number of meetings (1–${MAX_OCCURRENCES}) or on a date, one of them` });
    }
    if (type === 2 && !r.weeklyDays) ctx.addIssue({ code: "custom", path: ["weeklyDays"], message: "A weekly meeting needs its days (1 = Sunday … 7 = Saturday)" });
    if (type === 3) {
      const byDay = r.monthlyDay !== undefined;
      const byWeek = r.monthlyWeek !== undefined || r.monthlyWeekDay !== undefined;
      if (byDay === byWeek) ctx.addIssue({ code: "custom", path: ["monthlyDay"], message: "A monthly meeting needs a day of the month, or a week with its weekday" });
      else if (byWeek && (r.monthlyWeek === undefined || r.monthlyWeekDay === undefined)) {
        ctx.addIssue({ code: "custom", path: ["monthlyWeekDay"], message: "The week and its weekday go together" });
      }
    }
  }, always);

export const createMeetingInput = withAliases(
  "POST /api/v1/meetings",
  z
    .strictObject({
      /** the Zoom integration (default: the first active one by priority) */
      integrationId: z.uuid().optional(),
      topic: z.string().trim().min(1, "Give the meeting a topic").max(200, "At most 200 characters (Zoom's limit)"),
      startTime: z.iso.datetime({ offset: true, message: "An ISO date-time with its offset, e.g. 2026-03-01T10:00:00Z" }),
      /** minutes */
      duration: z.number().int().min(1).max(1440, "At most 24 hours"),
      timezone: ianaTimeZone.optional(),
      agenda: z.string().trim().max(2000, "At most 2000 characters (Zoom's limit)").optional(),
      recurrence: recurrenceInput.optional(),
      applicationId: z.uuid().optional(),
      /** an existing calendar event that gets the join URL */
      calendarEventId: z.uuid().optional(),
      /** a new event for the meeting in this Google Calendar integration (its configured calendar) */
      addToCalendar: z.strictObject({ integrationId: z.uuid() }).optional(),
    })
    .refine((v) => !(isObject(v) && v.calendarEventId && v.addToCalendar), {
      message: "Either attach to an existing event (calendarEventId) or create one (addToCalendar), not both",
      path: ["addToCalendar"],
      ...always,
    })
    .refine(
      (v) => {
        // only when both times are readable: a missing or malformed one has its own message
        const until = isObject(v) && isObject(v.recurrence) ? time(v.recurrence.endDateTime) : NaN;
        const start = isObject(v) ? time(v.startTime) : NaN;
        return Number.isNaN(until) || Number.isNaN(start) || until > start;
      },
      { message: "The recurrence must end after the first meeting", path: ["recurrence", "endDateTime"], ...always },
    ),
);
export type CreateMeetingInput = z.output<typeof createMeetingInput>;

const flag = z.enum(["1", "0", "true", "false"]).transform((v) => v === "1" || v === "true");

export const listMeetingsQuery = withAliases("GET /api/v1/meetings", z.strictObject({
  status: z.enum(MEETING_STATUSES).optional(),
  integrationId: z.uuid().optional(),
  applicationId: z.uuid().optional(),
  calendarEventId: z.uuid().optional(),
  /** meetings starting from / until */
  from: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  /** deleted meetings are left out unless asked for (or status=deleted) */
  includeDeleted: flag.default(false),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
}));
export type ListMeetingsQuery = z.output<typeof listMeetingsQuery>;

// ───────────── the answers (lib/meetings/service.ts serializeMeeting) ─────────────

/** One cloud recording file, as Zoom lists it. */
export const recordingFile = z.object({
  id: z.string().nullable(),
  fileType: z.string().nullable(),
  extension: z.string().nullable(),
  recordingType: z.string().nullable(),
  /** bytes */
  size: z.number().nullable(),
  startedAt: timestamp.nullable(),
  endedAt: timestamp.nullable(),
  playUrl: z.string().nullable(),
  downloadUrl: z.string().nullable(),
  status: z.string().nullable(),
});
export type RecordingFile = z.infer<typeof recordingFile>;

/** Zoom's recurrence rule, in camelCase (its repeat_interval is repeatInterval …); type 1 daily, 2 weekly, 3 monthly. */
const recurrenceRule = z.object({
  type: z.number().int(),
  repeatInterval: z.number().int().optional(),
  /** "1,3,5": 1 = Sunday … 7 = Saturday */
  weeklyDays: z.string().optional(),
  monthlyDay: z.number().int().optional(),
  monthlyWeek: z.number().int().optional(),
  monthlyWeekDay: z.number().int().optional(),
  endTimes: z.number().int().optional(),
  endDateTime: timestamp.optional(),
});

/**
 * A meeting as the API shows it. Its start URL and passcode are secrets: only a host
 * (calendar:write) reading one meeting gets them (startUrl, password.value); lists never do.
 */
export const meetingItem = z.object({
  id: z.string(),
  provider: z.literal("zoom"),
  integration: z.object({ id: z.string(), name: z.string(), code: z.string(), mode: z.enum(INTEGRATION_MODES) }).nullable(),
  zoomMeetingId: z.string(),
  zoomUuid: z.string().nullable(),
  topic: z.string(),
  agenda: z.string().nullable(),
  /** Zoom's: 1 instant, 2 scheduled, 3 recurring with no fixed time, 8 recurring with a fixed time */
  type: z.number().int(),
  recurring: z.boolean(),
  startsAt: timestamp.nullable(),
  durationMinutes: z.number().int().nullable(),
  endsAt: timestamp.nullable(),
  timeZone: z.string().nullable(),
  recurrence: recurrenceRule.nullable(),
  /** how many occurrences a recurring meeting has */
  occurrences: z.number().int().nullable(),
  nextOccurrenceAt: timestamp.nullable(),
  status: z.enum(MEETING_STATUSES),
  joinUrl: z.string(),
  password: z.object({ set: z.boolean(), masked: z.string().nullable(), value: z.string().optional() }),
  /** hosts only, reading one meeting */
  startUrl: z.string().optional(),
  recordingsCount: z.number().int(),
  recordingsFetchedAt: timestamp.nullable(),
  lastStartedAt: timestamp.nullable(),
  lastEndedAt: timestamp.nullable(),
  applicationId: z.string().nullable(),
  calendarEventId: z.string().nullable(),
  createdById: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type MeetingItem = z.infer<typeof meetingItem>;

/** GET /api/v1/meetings: by start, newest first, keyset-paged */
export const meetingList = z.object({ items: z.array(meetingItem), nextCursor: z.string().nullable() });
export type MeetingList = z.infer<typeof meetingList>;

/** GET (with ?refresh=1) and DELETE /api/v1/meetings/{id}: the meeting, with what happened in words */
export const meetingAnswer = meetingItem.extend({
  note: z.string().optional(),
  /** the meeting's calendar event could not be updated */
  calendarError: z.string().optional(),
});
export type MeetingAnswer = z.infer<typeof meetingAnswer>;

/** POST /api/v1/meetings (201): the meeting, and what became of its calendar event when one was asked for */
export const createdMeeting = replayable(
  meetingItem.extend({
    calendar: z
      .discriminatedUnion("ok", [z.object({ ok: z.literal(true), eventId: z.string(), created: z.boolean() }), z.object({ ok: z.literal(false), error: z.string() })])
      .optional(),
  }),
);
export type CreatedMeeting = z.infer<typeof createdMeeting>;

/** GET /api/v1/meetings/{id}/recordings */
export const meetingRecordingsAnswer = z.object({
  meetingId: z.string(),
  zoomMeetingId: z.string(),
  items: z.array(recordingFile),
  count: z.number().int(),
  shareUrl: z.string().nullable(),
  /** bytes */
  totalSize: z.number().nullable(),
  /** when the files were last read from Zoom (or came with recording.completed) */
  fetchedAt: timestamp.nullable(),
});
export type MeetingRecordings = z.infer<typeof meetingRecordingsAnswer>;
