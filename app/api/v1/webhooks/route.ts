import { route } from "@/lib/api";
import { listWebhooks, listWebhooksQuery } from "@/lib/webhooks/service";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "webhooks.read", scope: "webhooks:read" },
    query: listWebhooksQuery,
    docs: { summary: "List inbound webhook events, newest first" },
  },
  async ({ query }) =>
    listWebhooks(query),
);
