import { route } from "@/lib/api";
import { listCalls, listCallsQuery } from "@/lib/telephony/calls";

export const dynamic = "force-dynamic";

/** The call log: filters (direction, result, source, contact_id, driver_id, integration_id, from, until, q), newest first, keyset pages. */
export const GET = route(
  {
    access: { permission: "calls.read", scope: "calls:read" },
    query: listCallsQuery,
    docs: { summary: "List the call log, newest first" },
  },
  async ({ query }) => listCalls(query),
);
