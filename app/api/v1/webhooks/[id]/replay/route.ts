import { route, idParams } from "@/lib/api";
import { replayWebhook } from "@/lib/webhooks/service";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "webhooks.manage", scope: "webhooks:write" },
    params: idParams,
    docs: { summary: "Replay an inbound webhook event (runs its effects again)" },
  },
  async ({ params, caller }) =>
    replayWebhook(params.id, caller),
);
