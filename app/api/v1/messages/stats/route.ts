import { route } from "@/lib/api";
import { messageStats, messageStatsQuery } from "@/lib/messaging/service";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "messages.read", scope: "messages:read" },
    query: messageStatsQuery,
    docs: { summary: "Message counts by channel and status" },
  },
  async ({ query }) =>
    messageStats(query),
);
