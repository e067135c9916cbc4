// The connected Google account's calendars (asked of Google): ?integrationId= (or integration_id=).
import { route } from "@/lib/api";
import { integrationQuery, listGoogleCalendars } from "@/lib/calendar/service";
import { googleCalendarList } from "@/lib/calendar/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "calendar.read", scope: "calendar:read" },
    query: integrationQuery,
    docs: { summary: "List the connected Google account's calendars", response: googleCalendarList },
  },
  async ({ query }) =>
    listGoogleCalendars(query.integrationId),
);
