// One calendar event: read, change (pushed to Google at once), delete (deleted in Google too).
import { route, idParams } from "@/lib/api";
import { deleteCalendarEvent, getCalendarEvent, updateCalendarEvent, updateEventInput } from "@/lib/calendar/service";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "calendar.read", scope: "calendar:read" }, params: idParams }, async ({ params }) => getCalendarEvent(params.id));

export const PATCH = route(
  { access: { permission: "calendar.write", scope: "calendar:write" }, params: idParams, body: updateEventInput },
  async ({ params, body, caller }) => updateCalendarEvent(params.id, body, caller),
);

export const DELETE = route({ access: { permission: "calendar.write", scope: "calendar:write" }, params: idParams }, async ({ params, caller }) =>
  deleteCalendarEvent(params.id, caller),
);
