import { route } from "@/lib/api";
import { sendSms } from "@/lib/messaging/service";
import { queuedMessage, smsInput } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "messages.send", scope: "messages:send" },
    body: smsInput,
    docs: { summary: "Send a WhatsApp message", status: 202, idempotent: true, response: queuedMessage },
    idempotency: true,
  },
  async ({ body, caller, req }) =>
    Response.json(await sendSms("whatsapp", body, caller, req.headers.get("idempotency-key")), { status: 202 }),
);
