import { route } from "@/lib/api";
import { messageStats, messageStatsQuery } from "@/lib/messaging/service";
import { messageStatsAnswer } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "messages.read", scope: "messages:read" },
    query: messageStatsQuery,
    docs: { summary: "Message counts by channel and status", response: messageStatsAnswer },
  },
  async ({ query }) =>
    messageStats(query),
);
