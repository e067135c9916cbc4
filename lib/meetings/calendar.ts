// A Zoom meeting in a calendar event, through the calendar's port (lib/ports.ts, provided by
// lib/calendar/bindings.ts: meetings never import the calendar's service):
// the join URL goes into the event's location (when the event has no place of its own) and a
// block at the end of its description ("Join Zoom meeting: <url>" and the meeting ID; no
// passcode: the join URL carries it). The block is replaced, not repeated, and taken out when
// the meeting is deleted. The calendar bumps the event's localVersion and pushes it to
// Google at once (what it cannot push, its sync sends later); the event's meetingId is our
// link back, local only.
import type { CalendarEvent, Integration } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { errors } from "@/lib/errors";
import { logger } from "@/lib/logger";
import type { Who } from "@/lib/audit";
import { port } from "@/lib/ports";
import type { ZoomRecurrence } from "@/lib/providers/zoom/client";


export type MeetingForCalendar = {
  id: string;
  zoomMeetingId: string;
  joinUrl: string;
  topic: string;
  agenda: string | null;
  startsAt: Date;
  durationMinutes: number;
  timeZone: string;
  recurrence: ZoomRecurrence | null;
  applicationId: string | null;
};

export const JOIN_LABEL = "Join Zoom meeting: ";
const BLOCK = /\n*Join Zoom meeting: \S+\nMeeting ID: [\d ]+\n?/g;
const GOOGLE_CALENDAR = "google-calendar";

/** 9007199254740993 → "900 7199 2547 4099 3": how Zoom groups meeting ids (3, then 4s) */
export function formatMeetingId(id: string) {
  return [id.slice(0, 3), ...(id.slice(3).match(/.{1,4}/g) ?? [])].join(" ");
}

export function withoutMeeting(description: string | null): string | null {
  if (!description) return description;
  const out = description.replace(BLOCK, "").trimEnd();
  return out || null;
}

export function withMeeting(description: string | null, m: Pick<MeetingForCalendar, "joinUrl" | "zoomMeetingId">): string {
  const rest = withoutMeeting(description);
  const block = `${JOIN_LABEL}${m.joinUrl}\nMeeting ID: ${formatMeetingId(m.zoomMeetingId)}`;
  return rest ? `${rest}\n\n${block}` : block;
}

const DAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];

/** Zoom's recurrence as the RRULE lines Google keeps on an event (days in the event's time zone, as Zoom counts them in the meeting's). */
export function recurrenceRule(r: ZoomRecurrence): string[] {
  const freq = { 1: "DAILY", 2: "WEEKLY", 3: "MONTHLY" }[r.type];
  if (!freq) return [];
  const parts = [`FREQ=${freq}`];
  if ((r.repeat_interval ?? 1) > 1) parts.push(`INTERVAL=${r.repeat_interval}`);
  if (r.type === 2 && r.weekly_days) parts.push(`BYDAY=${r.weekly_days.split(",").map((d) => DAYS[Number(d) - 1]).join(",")}`);
  if (r.type === 3 && r.monthly_day) parts.push(`BYMONTHDAY=${r.monthly_day}`);
  else if (r.type === 3 && r.monthly_week && r.monthly_week_day) parts.push(`BYDAY=${r.monthly_week}${DAYS[r.monthly_week_day - 1]}`);
  if (r.end_times) parts.push(`COUNT=${r.end_times}`);
  else if (r.end_date_time) parts.push(`UNTIL=${new Date(r.end_date_time).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "")}`);
  return [`RRULE:${parts.join(";")}`];
}

/** The event a meeting may be attached to (checked before Zoom makes the meeting), or a 400/409 naming the field. */
export async function attachableEvent(eventId: string, meetingId?: string): Promise<CalendarEvent> {
  const ev = await db.calendarEvent.findUnique({ where: { id: eventId } });
  if (!ev || ev.deletedAt || ev.status === "cancelled") {
    throw errors.validation("No such calendar event (or it was cancelled)", [{ path: "calendarEventId", message: "Unknown calendar event" }]);
  }
  if (ev.meetingId && ev.meetingId !== meetingId) {
    const other = await db.meeting.findUnique({ where: { id: ev.meetingId }, select: { status: true } });
    if (other && other.status !== "deleted") {
      throw errors.conflict("The calendar event already has a Zoom meeting: delete that meeting first", [{ path: "calendarEventId", message: "Already has a meeting" }]);
    }
  }
  await writableCalendar(ev.integrationId, "calendarEventId");
  return ev;
}

/** A Google Calendar integration we may write to (checked before Zoom makes the meeting), or a 400/409 naming the field. */
export async function writableCalendar(integrationId: string, field = "addToCalendar.integrationId"): Promise<Integration> {
  const row = await db.integration.findUnique({ where: { id: integrationId } });
  if (!row || row.provider !== GOOGLE_CALENDAR) throw errors.validation("Not a Google Calendar integration", [{ path: field, message: "Unknown calendar integration" }]);
  if (row.status === "inactive") throw errors.conflict(`The calendar integration "${row.name}" is switched off`, [{ path: field, message: "Switched off" }]);
  if ((row.config as { direction?: string }).direction === "from_google") {
    throw errors.conflict(`"${row.name}" only syncs from Google to the CRM: its events cannot get the join link`, [{ path: field, message: "Read-only calendar" }]);
  }
  return row;
}

const locationFor = (current: string | null, joinUrl: string) => (current?.trim() && !/^https?:\/\/\S+\/j\/\d+/.test(current.trim()) ? current : joinUrl);

/** Puts the meeting into an existing event (location, description block; pushed to Google) and links it. */
export async function attachToEvent(ev: CalendarEvent, m: MeetingForCalendar, who: Who): Promise<string> {
  await port("calendarEvents").update(ev.id, { description: withMeeting(ev.description, m), location: locationFor(ev.location, m.joinUrl) }, who);
  await db.calendarEvent.update({ where: { id: ev.id }, data: { meetingId: m.id } });
  return ev.id;
}

/** A new event for the meeting in the integration's calendar, made by the calendar (pushed to Google at once, a recurring meeting with its RRULE). */
export async function createEventFor(integration: Integration, m: MeetingForCalendar, who: Who): Promise<string> {
  const ev = await port("calendarEvents").create(
    {
      integrationId: integration.id,
      title: m.topic,
      description: withMeeting(m.agenda, m),
      location: m.joinUrl,
      start: m.startsAt.toISOString(),
      end: new Date(m.startsAt.getTime() + m.durationMinutes * 60_000).toISOString(),
      timeZone: m.timeZone,
      meetingId: m.id,
      ...(m.recurrence ? { recurrence: recurrenceRule(m.recurrence) } : {}),
      ...(m.applicationId ? { applicationId: m.applicationId } : {}),
    },
    who,
  );
  return ev.id;
}

/** The meeting is gone: its block leaves the event (and the location, when it was the join URL). Failures are logged: the meeting is deleted anyway. */
export async function detachFromEvent(eventId: string, m: Pick<MeetingForCalendar, "id" | "joinUrl">, who: Who): Promise<string | null> {
  const ev = await db.calendarEvent.findUnique({ where: { id: eventId } });
  if (!ev || ev.meetingId !== m.id || ev.deletedAt) return null;
  try {
    await port("calendarEvents").update(ev.id, { description: withoutMeeting(ev.description), location: ev.location === m.joinUrl ? null : ev.location }, who);
    await db.calendarEvent.update({ where: { id: ev.id }, data: { meetingId: null } });
    return null;
  } catch (e) {
    logger.warn({ eventId, meetingId: m.id, err: (e as Error).message }, "the join link could not be taken out of the calendar event");
    return `The join link could not be taken out of the calendar event: ${(e as Error).message}`;
  }
}
