import { route } from "@/lib/api";
import { sendPush } from "@/lib/messaging/service";
import { pushInput, queuedPush } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "messages.send", scope: "messages:send" },
    body: pushInput,
    docs: { summary: "Send a push notification", status: 202, idempotent: true, response: queuedPush },
    idempotency: true,
  },
  async ({ body, caller, req }) =>
    Response.json(await sendPush(body, caller, req.headers.get("idempotency-key")), { status: 202 }),
);
