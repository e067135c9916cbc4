import { route, idParams } from "@/lib/api";
import { getWebhook, deleteWebhook } from "@/lib/webhooks/service";
import { deletedWebhook, webhookDetail } from "@/lib/webhooks/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "webhooks.read", scope: "webhooks:read" },
    params: idParams,
    docs: { summary: "Get an inbound webhook event", response: webhookDetail },
  },
  async ({ params }) =>
    getWebhook(params.id),
);

export const DELETE = route(
  {
    access: { permission: "webhooks.manage", scope: "webhooks:write" },
    params: idParams,
    docs: { summary: "Delete an inbound webhook event", response: deletedWebhook },
  },
  async ({ params, caller }) =>
    deleteWebhook(params.id, caller),
);
