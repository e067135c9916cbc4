import { route } from "@/lib/api";
import { sendTelegram } from "@/lib/messaging/service";
import { queuedMessage, telegramInput } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "messages.send", scope: "messages:send" },
    body: telegramInput,
    docs: { summary: "Send a Telegram message", status: 202, idempotent: true, response: queuedMessage },
    idempotency: true,
  },
  async ({ body, caller, req }) =>
    Response.json(await sendTelegram(body, caller, req.headers.get("idempotency-key")), { status: 202 }),
);
