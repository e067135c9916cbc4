// Orders to link an event to (the Calendar page's event dialog): ?q= number or address.
import { route } from "@/lib/api";
import { applicationSearchQuery, searchApplications } from "@/lib/calendar/service";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "calendar.read", scope: "calendar:read" }, query: applicationSearchQuery }, async ({ query }) =>
  searchApplications(query),
);
