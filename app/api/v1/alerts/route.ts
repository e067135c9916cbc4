import { route } from "@/lib/api";
import { alertListResponse, listAlerts, listAlertsQuery } from "@/lib/alerts/service";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "alerts.read", scope: "alerts:read" },
    query: listAlertsQuery,
    docs: {
      summary: "List alerts",
      description:
        "What needs a person: open alerts first (critical before warning, most recently seen first), then resolved ones (most recently resolved first). Filter by status (default open), rule and severity; page with nextCursor. `counts` are the open alerts now.",
      response: alertListResponse,
    },
  },
  async ({ query }) => listAlerts(query),
);
