import { route } from "@/lib/api";
import { listCalls, listCallsQuery } from "@/lib/telephony/calls";
import { callList } from "@/lib/telephony/contract";

export const dynamic = "force-dynamic";

/** The call log: filters (direction, result, source, contactId, driverId, integrationId, from, until, q), newest first, keyset pages. Old snake_case names: aliases (lib/compat.ts). */
export const GET = route(
  {
    access: { permission: "calls.read", scope: "calls:read" },
    query: listCallsQuery,
    docs: { summary: "List the call log, newest first", response: callList },
  },
  async ({ query }) => listCalls(query),
);
