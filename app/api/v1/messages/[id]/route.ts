import { route, idParams } from "@/lib/api";
import { getMessage } from "@/lib/messaging/service";
import { messageDetail } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "messages.read", scope: "messages:read" },
    params: idParams,
    docs: { summary: "Get a message with its delivery history", response: messageDetail },
  },
  async ({ params }) =>
    getMessage(params.id),
);
