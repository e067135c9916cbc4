import { route } from "@/lib/api";
import { otpSendInput, sendOtp } from "@/lib/messaging/otp";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "messages.send", scope: "messages:send" },
    body: otpSendInput,
    docs: { summary: "Send a one-time code by SMS", status: 202 },
  },
  async ({ body, caller }) =>
    Response.json(await sendOtp(body, caller.actor.label ?? caller.actor.type), { status: 202 }),
);
