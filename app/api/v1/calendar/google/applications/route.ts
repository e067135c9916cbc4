// Orders to link an event to (the Calendar page's event dialog): ?q= number or address.
import { route } from "@/lib/api";
import { applicationSearchQuery, searchApplications } from "@/lib/calendar/service";
import { applicationOptions } from "@/lib/calendar/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "calendar.read", scope: "calendar:read" },
    query: applicationSearchQuery,
    docs: { summary: "Search orders to link a calendar event to (by number or address)", response: applicationOptions },
  },
  async ({ query }) =>
    searchApplications(query),
);
