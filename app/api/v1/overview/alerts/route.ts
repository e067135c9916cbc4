import { route } from "@/lib/api";
import { alertsResponse, openAlerts } from "@/lib/overview/queries";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "overview.read", scope: "alerts:read" },
    docs: { summary: "Open alerts", description: "How many alerts are open now, by severity.", response: alertsResponse },
  },
  async () => openAlerts(),
);
