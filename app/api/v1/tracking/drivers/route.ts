import { route } from "@/lib/api";
import { driversSnapshot } from "@/lib/tracking/service";
import { trackingDrivers } from "@/lib/tracking/contract";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "tracking.read", scope: "tracking:read" }, docs: { summary: "Every driver's latest position", response: trackingDrivers } }, async () => driversSnapshot());
