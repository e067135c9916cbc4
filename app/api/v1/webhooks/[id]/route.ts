import { route, idParams } from "@/lib/api";
import { getWebhook, deleteWebhook } from "@/lib/webhooks/service";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "webhooks.read", scope: "webhooks:read" }, params: idParams }, async ({ params }) =>
  getWebhook(params.id),
);

export const DELETE = route({ access: { permission: "webhooks.manage", scope: "webhooks:write" }, params: idParams }, async ({ params, caller }) =>
  deleteWebhook(params.id, caller),
);
