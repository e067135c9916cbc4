import { route } from "@/lib/api";
import { listCalls, listCallsQuery } from "@/lib/telephony/calls";

export const dynamic = "force-dynamic";

/** The call log: filters (direction, result, source, contactId, driverId, integrationId, from, until, q), newest first, keyset pages. Old snake_case names: aliases (lib/compat.ts). */
export const GET = route(
  {
    access: { permission: "calls.read", scope: "calls:read" },
    query: listCallsQuery,
    docs: { summary: "List the call log, newest first" },
  },
  async ({ query }) => listCalls(query),
);
