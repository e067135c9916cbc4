import { route } from "@/lib/api";
import { directory, directoryQuery } from "@/lib/telephony/calls";
import { callDirectory } from "@/lib/telephony/contract";

export const dynamic = "force-dynamic";

/** Drivers and contacts with a phone number, by name or number (?q=), for the call dialog. */
export const GET = route(
  {
    access: { permission: "calls.read", scope: "calls:read" },
    query: directoryQuery,
    docs: { summary: "Find drivers and contacts with a phone number, by name or number", response: callDirectory },
  },
  async ({ query }) => directory(query),
);
