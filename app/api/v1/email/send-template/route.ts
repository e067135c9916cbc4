import { route } from "@/lib/api";
import { sendEmail } from "@/lib/messaging/service";
import { emailTemplateInput, queuedMessage } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "messages.send", scope: "messages:send" },
    body: emailTemplateInput,
    docs: { summary: "Send an e-mail made from a template", status: 202, idempotent: true, response: queuedMessage },
    idempotency: true,
  },
  async ({ body, caller, req }) =>
    Response.json(
      await sendEmail({ ...body, template: { key: body.template, data: body.data } }, caller, req.headers.get("idempotency-key")),
      { status: 202 },
    ),
);
