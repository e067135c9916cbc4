// Calendar events (kept in step with Google Calendar): list with filters, create (pushed to
// Google at once; Idempotency-Key makes a retried POST return the first event).
import { route, json } from "@/lib/api";
import { createCalendarEvent, listCalendarEvents, listEventsQuery } from "@/lib/calendar/service";
import { calendarEventList, createdCalendarEvent, createEventBody } from "@/lib/calendar/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "calendar.read", scope: "calendar:read" },
    query: listEventsQuery,
    docs: { summary: "List calendar events", response: calendarEventList },
  },
  async ({ query }) => listCalendarEvents(query),
);

export const POST = route(
  {
    access: { permission: "calendar.write", scope: "calendar:write" },
    body: createEventBody,
    docs: { summary: "Create a calendar event (pushed to Google at once)", description: "200 with the first event when the Idempotency-Key was used before.", status: 201, idempotent: true, response: createdCalendarEvent },
    idempotency: true,
  },
  async ({ body, caller }) => json(await createCalendarEvent(body, caller), 201),
);
