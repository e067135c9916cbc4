import { route } from "@/lib/api";
import { urgentInput, notifyUrgent } from "@/lib/messaging/notify";

export const dynamic = "force-dynamic";

export const POST = route({ access: { permission: "messages.send", scope: "messages:send" }, body: urgentInput }, async ({ body, caller }) =>
  Response.json(await notifyUrgent(body, caller.actor.label ?? caller.actor.type), { status: 202 }),
);
