import { route } from "@/lib/api";
import { errors } from "@/lib/errors";
import { ingestPositions, locationsBody } from "@/lib/tracking/ingest";
import { positionsAccepted } from "@/lib/tracking/contract";

export const dynamic = "force-dynamic";

// Drivers' devices post here with an API key (scope tracking:write); a key bound to a driver
// posts only that driver's positions. Signed-in users cannot post: positions come from devices.
export const POST = route(
  {
    access: { permission: "tracking.read", scope: "tracking:write" },
    body: locationsBody,
    docs: { summary: "Post GPS positions (drivers' devices)", description: "API keys only: a key bound to a driver posts only that driver's positions.", status: 202, response: positionsAccepted },
  },
  async ({ body, caller }) => {
    if (caller.kind !== "api_key") throw errors.forbidden("Positions are posted by devices with an API key (scope tracking:write)");
    return Response.json(await ingestPositions(body, { driverId: caller.key.driverId }), { status: 202 });
  },
);
