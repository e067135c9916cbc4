import { route } from "@/lib/api";
import { syncInput, syncNow } from "@/lib/telephony/calls";
import { syncJob } from "@/lib/jobs/contract";

export const dynamic = "force-dynamic";

/** "Sync now": queues a call-log sync of the RingCentral integration (the first connected one when none is given). */
export const POST = route(
  {
    access: { permission: "calls.make", scope: "calls:write" },
    body: syncInput,
    docs: { summary: "Queue a call-log sync now", status: 202, response: syncJob },
  },
  async ({ body, caller }) =>
    Response.json(await syncNow(body, caller), { status: 202 }),
);
