// Calendar events (kept in step with Google Calendar): list with filters, create (pushed to
// Google at once; Idempotency-Key makes a retried POST return the first event).
import { route, json } from "@/lib/api";
import { createCalendarEvent, createEventBody, listCalendarEvents, listEventsQuery } from "@/lib/calendar/service";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "calendar.read", scope: "calendar:read" }, query: listEventsQuery }, async ({ query }) => listCalendarEvents(query));

export const POST = route({ access: { permission: "calendar.write", scope: "calendar:write" }, body: createEventBody }, async ({ body, caller, req }) => {
  const event = await createCalendarEvent(body, caller, req.headers.get("idempotency-key"));
  return json(event, event.replayed ? 200 : 201);
});
