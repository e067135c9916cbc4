import { route } from "@/lib/api";
import { listMessages, listMessagesQuery } from "@/lib/messaging/service";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "messages.read", scope: "messages:read" }, query: listMessagesQuery }, async ({ query }) =>
  listMessages(query),
);
