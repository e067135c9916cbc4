import { route } from "@/lib/api";
import { listWebhooks, listWebhooksQuery } from "@/lib/webhooks/service";
import { webhookList } from "@/lib/webhooks/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "webhooks.read", scope: "webhooks:read" },
    query: listWebhooksQuery,
    docs: { summary: "List inbound webhook events, newest first", response: webhookList },
  },
  async ({ query }) =>
    listWebhooks(query),
);
