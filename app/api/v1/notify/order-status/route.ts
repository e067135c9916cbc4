import { route } from "@/lib/api";
import { orderStatusInput, notifyOrderStatus } from "@/lib/messaging/notify";
import { notifyAnswer } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "messages.send", scope: "messages:send" },
    body: orderStatusInput,
    docs: { summary: "Tell the customer an order's status changed", status: 202, response: notifyAnswer },
  },
  async ({ body, caller }) =>
    Response.json(await notifyOrderStatus(body, caller.actor.label ?? caller.actor.type), { status: 202 }),
);
