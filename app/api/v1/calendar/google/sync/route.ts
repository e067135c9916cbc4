// "Sync now": queues the integration's calendar sync job (409 when one is queued or running).
import { z } from "zod";
import { route, json } from "@/lib/api";
import { requestCalendarSync } from "@/lib/calendar/service";
import { syncJob } from "@/lib/jobs/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "calendar.write", scope: "calendar:write" },
    body: z.object({ integrationId: z.string().uuid("Not a valid integration id") }).strict(),
    docs: { summary: "Queue a Google Calendar sync now", description: "409 when a sync of the integration is already queued or running.", status: 202, response: syncJob },
  },
  async ({ body, caller }) => json(await requestCalendarSync(body.integrationId, caller), 202),
);
