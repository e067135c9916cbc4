import { route } from "@/lib/api";
import { paymentConfirmationInput, notifyPaymentConfirmation } from "@/lib/messaging/notify";
import { notifyAnswer } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "messages.send", scope: "messages:send" },
    body: paymentConfirmationInput,
    docs: { summary: "Confirm a received payment to the customer", status: 202, response: notifyAnswer },
  },
  async ({ body, caller }) =>
    Response.json(await notifyPaymentConfirmation(body, caller.actor.label ?? caller.actor.type), { status: 202 }),
);
