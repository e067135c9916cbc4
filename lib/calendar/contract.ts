// The calendar events API's request shapes, shared with the dashboard's event dialog: zod and
// pure helpers only (no database, no Google client), so the browser checks the form with the
// server's own rules and shows every field's problem at once. Messages come from the one error
// map in lib/errors.ts unless a rule below says it better.
import { z } from "zod";
import "@/lib/errors";
import { ianaTimeZone } from "@/lib/zod-fields";

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
