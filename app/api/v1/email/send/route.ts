import { route } from "@/lib/api";
import { EMAIL_BODY_LIMIT_BYTES } from "@/lib/body-limit";
import { sendEmail } from "@/lib/messaging/service";
import { emailInput, queuedMessage } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "messages.send", scope: "messages:send" },
    body: emailInput,
    bodyLimit: EMAIL_BODY_LIMIT_BYTES,
    docs: { summary: "Send an e-mail", status: 202, idempotent: true, response: queuedMessage },
    idempotency: true,
  },
  async ({ body, caller, req }) => Response.json(await sendEmail(body, caller, req.headers.get("idempotency-key")), { status: 202 }),
);
