import { route, idParams } from "@/lib/api";
import { retryWebhook } from "@/lib/webhooks/service";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "webhooks.manage", scope: "webhooks:write" },
    params: idParams,
    docs: { summary: "Retry a failed inbound webhook event" },
  },
  async ({ params, caller }) =>
    retryWebhook(params.id, caller),
);
