import { route } from "@/lib/api";
import { otpVerifyInput, verifyOtp } from "@/lib/messaging/otp";
import { otpVerdict } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

// 200 either way: `valid` says whether the code was right (a wrong code is not an API error)
export const POST = route(
  {
    access: { permission: "messages.send", scope: "messages:send" },
    body: otpVerifyInput,
    docs: { summary: "Check a one-time code", description: "200 either way: `valid` says whether the code was right.", response: otpVerdict },
  },
  async ({ body }) => verifyOtp(body),
);
