import { route } from "@/lib/api";
import { webhookStats, webhookStatsQuery } from "@/lib/webhooks/service";
import { webhookStatsAnswer } from "@/lib/webhooks/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "webhooks.read", scope: "webhooks:read" },
    query: webhookStatsQuery,
    docs: { summary: "Inbound webhook event counts by status", response: webhookStatsAnswer },
  },
  async ({ query }) =>
    webhookStats(query),
);
