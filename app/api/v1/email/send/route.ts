import { route } from "@/lib/api";
import { emailInput, sendEmail } from "@/lib/messaging/service";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "messages.send", scope: "messages:send" },
    body: emailInput,
    bodyLimit: 15 * 1_048_576,
    docs: { summary: "Send an e-mail", status: 202, idempotent: true },
  },
  async ({ body, caller, req }) => Response.json(await sendEmail(body, caller, req.headers.get("idempotency-key")), { status: 202 }),
);
