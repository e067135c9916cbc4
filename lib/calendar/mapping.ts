// A CalendarEvent row and a Google Calendar event, each into the other. All-day events are
// kept as midnight UTC of their first day and of the day after their last (Google's end.date
// is exclusive, and so is ours).
import type { CalendarEvent } from "@/generated/prisma/client";
import type { GEvent } from "@/lib/providers/google-calendar/client";
import type { Attendee, Reminders } from "@/lib/calendar/contract";

export type { Attendee, Reminders };

/** The fields a Google event sets on our row. */
export type PulledFields = {
  title: string;
  description: string | null;
  location: string | null;
  startsAt: Date;
  endsAt: Date;
  allDay: boolean;
  timeZone: string | null;
  attendees: Attendee[];
  reminders: Reminders | null;
  recurrence: string[] | null;
  status: string;
  etag: string | null;
  googleUpdatedAt: Date | null;
};

/** A UUID as a Google event id: its 32 hex digits are valid base32hex (Google's id alphabet). */
export const googleIdFor = (uuid: string) => uuid.replace(/-/g, "").toLowerCase();

export const ymd = (d: Date) => d.toISOString().slice(0, 10);
export const dayStart = (date: string) => new Date(`${date}T00:00:00.000Z`);

function when(w: GEvent["start"]): { at: Date; allDay: boolean; timeZone: string | null } | null {
  if (!w) return null;
  if (w.date) {
    const at = dayStart(w.date);
    return Number.isNaN(at.getTime()) ? null : { at, allDay: true, timeZone: w.timeZone ?? null };
  }
  if (w.dateTime) {
    const at = new Date(w.dateTime);
    return Number.isNaN(at.getTime()) ? null : { at, allDay: false, timeZone: w.timeZone ?? null };
  }
  return null;
}

/** A Google event's fields for our row; null when it has no usable start (Google always sends one for live events). */
export function fromGoogle(ev: GEvent): PulledFields | null {
  const start = when(ev.start);
  if (!start) return null;
  const end = when(ev.end) ?? { at: new Date(start.at.getTime() + (start.allDay ? 86_400_000 : 0)), allDay: start.allDay, timeZone: start.timeZone };
  const overrides = (ev.reminders?.overrides ?? [])
    .filter((o) => (o.method === "email" || o.method === "popup") && typeof o.minutes === "number")
    .map((o) => ({ method: o.method as "email" | "popup", minutes: o.minutes! }));
  return {
    title: ev.summary?.trim() || "(no title)",
    description: ev.description ?? null,
    location: ev.location ?? null,
    startsAt: start.at,
    endsAt: end.at,
    allDay: start.allDay,
    timeZone: start.timeZone,
    attendees: (ev.attendees ?? [])
      .filter((a) => !!a.email)
      .map((a) => ({ email: a.email!.toLowerCase(), ...(a.displayName ? { name: a.displayName } : {}), ...(a.responseStatus ? { responseStatus: a.responseStatus } : {}) })),
    reminders: ev.reminders ? { useDefault: !!ev.reminders.useDefault, ...(overrides.length ? { overrides } : {}) } : null,
    recurrence: ev.recurrence?.length ? ev.recurrence : null,
    status: ev.status ?? "confirmed",
    etag: ev.etag ?? null,
    googleUpdatedAt: ev.updated ? new Date(ev.updated) : null,
  };
}

type Pushable = Pick<
  CalendarEvent,
  "id" | "title" | "description" | "location" | "startsAt" | "endsAt" | "allDay" | "timeZone" | "attendees" | "reminders" | "recurrence" | "status" | "applicationId"
>;

/**
 * Our row as the body of an insert or a patch. Every field we manage is sent (null clears it in
 * a patch), attendees with the answers Google told us so a patch does not reset them.
 */
export function toGoogle(row: Pushable, opts: { forInsert: boolean }): GEvent {
  const attendees = ((row.attendees ?? []) as Attendee[]).map((a) => ({
    email: a.email,
    ...(a.name ? { displayName: a.name } : {}),
    ...(a.responseStatus ? { responseStatus: a.responseStatus } : {}),
  }));
  const reminders = (row.reminders as Reminders | null) ?? { useDefault: true };
  const body: GEvent = {
    summary: row.title,
    start: row.allDay ? { date: ymd(row.startsAt) } : { dateTime: row.startsAt.toISOString(), ...(row.timeZone ? { timeZone: row.timeZone } : {}) },
    end: row.allDay ? { date: ymd(row.endsAt) } : { dateTime: row.endsAt.toISOString(), ...(row.timeZone ? { timeZone: row.timeZone } : {}) },
    attendees,
    reminders: { useDefault: reminders.useDefault, ...(reminders.overrides?.length ? { overrides: reminders.overrides } : {}) },
    status: row.status === "tentative" ? "tentative" : "confirmed",
    extendedProperties: { private: { switchboardEventId: row.id, ...(row.applicationId ? { switchboardApplicationId: row.applicationId } : {}) } },
  };
  if (row.description !== null || !opts.forInsert) body.description = row.description;
  if (row.location !== null || !opts.forInsert) body.location = row.location;
  if (row.recurrence || !opts.forInsert) body.recurrence = (row.recurrence as string[] | null) ?? null;
  return body;
}
