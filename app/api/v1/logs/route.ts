import { route } from "@/lib/api";
import { logList } from "@/lib/logs/contract";
import { logsQuery, queryLogs } from "@/lib/logs/query";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "logs.read", scope: "logs:read" },
    query: logsQuery,
    docs: { summary: "Search provider call logs, newest first", response: logList },
  },
  async ({ query }) => queryLogs(query),
);
