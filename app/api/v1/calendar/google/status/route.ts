// Every Google Calendar integration's sync state: connection, sync token, push channel, last job.
import { route } from "@/lib/api";
import { calendarOverview } from "@/lib/calendar/service";
import { calendarStatusList } from "@/lib/calendar/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "calendar.read", scope: "calendar:read" },
    docs: { summary: "Sync state of every Google Calendar integration", response: calendarStatusList },
  },
  async () => calendarOverview(),
);
