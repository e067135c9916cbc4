import { route } from "@/lib/api";
import { urgentInput, notifyUrgent } from "@/lib/messaging/notify";
import { notifyAnswer } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "messages.send", scope: "messages:send" },
    body: urgentInput,
    docs: { summary: "Send an urgent notice to drivers, users or phone numbers", status: 202, response: notifyAnswer },
  },
  async ({ body, caller }) =>
    Response.json(await notifyUrgent(body, caller.actor.label ?? caller.actor.type), { status: 202 }),
);
