import { route } from "@/lib/api";
import { webhookStats, webhookStatsQuery } from "@/lib/webhooks/service";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "webhooks.read", scope: "webhooks:read" }, query: webhookStatsQuery }, async ({ query }) =>
  webhookStats(query),
);
