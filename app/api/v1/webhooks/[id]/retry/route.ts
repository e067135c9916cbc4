import { route, idParams } from "@/lib/api";
import { retryWebhook } from "@/lib/webhooks/service";
import { webhookDetail } from "@/lib/webhooks/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "webhooks.manage", scope: "webhooks:write" },
    params: idParams,
    docs: { summary: "Retry a failed inbound webhook event", response: webhookDetail },
  },
  async ({ params, caller }) =>
    retryWebhook(params.id, caller),
);
