import { route } from "@/lib/api";
import { driversSnapshot } from "@/lib/tracking/service";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "tracking.read", scope: "tracking:read" }, docs: { summary: "Every driver's latest position" } }, async () => driversSnapshot());
