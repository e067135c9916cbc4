import { route } from "@/lib/api";
import { driversSnapshot } from "@/lib/tracking/service";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "tracking.read", scope: "tracking:read" } }, async () => driversSnapshot());
