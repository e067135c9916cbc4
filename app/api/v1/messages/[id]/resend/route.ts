import { route, idParams } from "@/lib/api";
import { resendMessage } from "@/lib/messaging/service";
import { queuedMessage } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "messages.send", scope: "messages:send" },
    params: idParams,
    docs: { summary: "Send a message again", status: 202, response: queuedMessage },
  },
  async ({ params, caller }) =>
    Response.json(await resendMessage(params.id, caller), { status: 202 }),
);
