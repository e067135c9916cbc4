import { route } from "@/lib/api";
import { listMessages, listMessagesQuery } from "@/lib/messaging/service";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "messages.read", scope: "messages:read" },
    query: listMessagesQuery,
    docs: { summary: "List messages on every channel, newest first" },
  },
  async ({ query }) =>
    listMessages(query),
);
