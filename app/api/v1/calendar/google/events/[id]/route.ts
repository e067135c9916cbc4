// One calendar event: read, change (pushed to Google at once), delete (deleted in Google too).
import { route, idParams } from "@/lib/api";
import { deleteCalendarEvent, getCalendarEvent, updateCalendarEvent } from "@/lib/calendar/service";
import { calendarEvent, updateEventInput } from "@/lib/calendar/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "calendar.read", scope: "calendar:read" },
    params: idParams,
    docs: { summary: "Get a calendar event", response: calendarEvent },
  },
  async ({ params }) => getCalendarEvent(params.id),
);

export const PATCH = route(
  {
    access: { permission: "calendar.write", scope: "calendar:write" },
    params: idParams,
    body: updateEventInput,
    docs: { summary: "Change a calendar event (pushed to Google at once)", response: calendarEvent },
  },
  async ({ params, body, caller }) => updateCalendarEvent(params.id, body, caller),
);

export const DELETE = route(
  {
    access: { permission: "calendar.write", scope: "calendar:write" },
    params: idParams,
    docs: { summary: "Delete a calendar event (in Google Calendar too)", response: calendarEvent },
  },
  async ({ params, caller }) =>
    deleteCalendarEvent(params.id, caller),
);
