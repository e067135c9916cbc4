import { route, idParams } from "@/lib/api";
import { replayWebhook } from "@/lib/webhooks/service";
import { webhookDetail } from "@/lib/webhooks/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "webhooks.manage", scope: "webhooks:write" },
    params: idParams,
    docs: { summary: "Replay an inbound webhook event (runs its effects again)", response: webhookDetail },
  },
  async ({ params, caller }) =>
    replayWebhook(params.id, caller),
);
