import { z } from "zod";
import { idParams, route } from "@/lib/api";
import { getCall } from "@/lib/telephony/calls";
import { callDetail } from "@/lib/telephony/contract";

export const dynamic = "force-dynamic";

const query = z.strictObject({ refresh: z.enum(["0", "1", "false", "true"]).optional() });

/** One call; a RingOut still ringing is asked about at RingCentral first (?refresh=0 reads only what is stored). */
export const GET = route(
  {
    access: { permission: "calls.read", scope: "calls:read" },
    params: idParams,
    query,
    docs: { summary: "Get a call (a RingOut still ringing is refreshed from RingCentral)", response: callDetail },
  },
  async ({ params, query }) =>
    getCall(params.id, { refresh: query.refresh !== "0" && query.refresh !== "false" }),
);
