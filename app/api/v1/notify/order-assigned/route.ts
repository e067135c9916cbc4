import { route } from "@/lib/api";
import { orderAssignedInput, notifyOrderAssigned } from "@/lib/messaging/notify";
import { notifyAnswer } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "messages.send", scope: "messages:send" },
    body: orderAssignedInput,
    docs: { summary: "Tell the driver about an order assigned to them", status: 202, response: notifyAnswer },
  },
  async ({ body, caller }) =>
    Response.json(await notifyOrderAssigned(body, caller.actor.label ?? caller.actor.type), { status: 202 }),
);
