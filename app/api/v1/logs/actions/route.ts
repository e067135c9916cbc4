import { route } from "@/lib/api";
import { logActionList } from "@/lib/logs/contract";
import { logActions } from "@/lib/logs/query";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "logs.read", scope: "logs:read" },
    docs: { summary: "List the action names that appear in the logs", response: logActionList },
  },
  async () => ({ items: await logActions() }),
);
