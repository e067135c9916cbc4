import { route } from "@/lib/api";
import { listMessages, listMessagesQuery } from "@/lib/messaging/service";
import { messageList } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "messages.read", scope: "messages:read" },
    query: listMessagesQuery,
    docs: { summary: "List messages on every channel, newest first", response: messageList },
  },
  async ({ query }) =>
    listMessages(query),
);
