import { route } from "@/lib/api";
import { driverHistory, historyQuery } from "@/lib/tracking/history";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "tracking.read", scope: "tracking:read" }, query: historyQuery }, async ({ query }) => driverHistory(query));
