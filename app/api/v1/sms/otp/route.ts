import { route } from "@/lib/api";
import { otpSendInput, sendOtp } from "@/lib/messaging/otp";
import { otpSent } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "messages.send", scope: "messages:send" },
    body: otpSendInput,
    docs: { summary: "Send a one-time code by SMS", status: 202, response: otpSent },
  },
  async ({ body, caller }) =>
    Response.json(await sendOtp(body, caller.actor.label ?? caller.actor.type), { status: 202 }),
);
