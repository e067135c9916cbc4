import { route } from "@/lib/api";
import { sendTelegram, telegramInput } from "@/lib/messaging/service";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "messages.send", scope: "messages:send" },
    body: telegramInput,
    docs: { summary: "Send a Telegram message", status: 202, idempotent: true },
  },
  async ({ body, caller, req }) =>
    Response.json(await sendTelegram(body, caller, req.headers.get("idempotency-key")), { status: 202 }),
);
