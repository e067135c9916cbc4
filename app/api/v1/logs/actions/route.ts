import { route } from "@/lib/api";
import { logActions } from "@/lib/logs/query";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "logs.read", scope: "logs:read" } }, async () => ({ items: await logActions() }));
