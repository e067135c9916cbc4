import { route } from "@/lib/api";
import { ringOutInput, ringOutOutcomeUnknown, startRingOut } from "@/lib/telephony/calls";
import { ringOutAnswer } from "@/lib/telephony/contract";

export const dynamic = "force-dynamic";

/** Click-to-call: { to | contactId | driverId, integrationId? } → the call with RingCentral's status. Accepts Idempotency-Key. Old snake_case names: aliases (lib/compat.ts). */
export const POST = route(
  {
    access: { permission: "calls.make", scope: "calls:write" },
    body: ringOutInput,
    docs: { summary: "Start a click-to-call (RingOut)", description: "Give `to`, `contactId` or `driverId`. 200 with the first call when the Idempotency-Key was used before.", status: 201, idempotent: true, response: ringOutAnswer },
    // a call RingCentral did not confirm may be ringing: a retry gets that answer, not a second call
    idempotency: { keepError: ringOutOutcomeUnknown },
  },
  async ({ body, caller }) => Response.json(await startRingOut(body, caller), { status: 201 }),
);
