import { route } from "@/lib/api";
import { driverHistory, historyQuery } from "@/lib/tracking/history";
import { trackingHistory } from "@/lib/tracking/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "tracking.read", scope: "tracking:read" },
    query: historyQuery,
    docs: { summary: "A driver's route over a day or a time range", response: trackingHistory },
  },
  async ({ query }) => driverHistory(query),
);
